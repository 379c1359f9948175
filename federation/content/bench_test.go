package content

import "testing"

// benchStatus is a typical status of about 300 characters with a link, a
// mention and two hashtags.
const benchStatus = `Good morning @alice! I finally finished writing up the notes from yesterday's meetup about running small fediverse servers on a Raspberry Pi. ` +
	`Full write-up with photos and the config files: https://blog.example.org/2024/05/fediverse-on-a-pi-notes?ref=roost ` +
	`Thanks everyone who came along. #fediverse #SelfHosting`

func BenchmarkRender(b *testing.B) {
	o, _ := testOptions()
	o.Resolve = func(username, domain string) (Target, bool) {
		t, ok := accounts[username+"@"+domain]
		return t, ok
	}
	b.SetBytes(int64(len(benchStatus)))
	b.ReportAllocs()
	for b.Loop() {
		Render(benchStatus, o)
	}
}

func BenchmarkLength(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Length(benchStatus)
	}
}

func BenchmarkSanitize(b *testing.B) {
	o, _ := testOptions()
	in := Render(benchStatus, o).HTML
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		Sanitize(in)
	}
}

func BenchmarkPlainText(b *testing.B) {
	o, _ := testOptions()
	in := Render(benchStatus, o).HTML
	b.ReportAllocs()
	for b.Loop() {
		PlainText(in)
	}
}
