package sig

import (
	"bytes"
	"net/http"
	"testing"
)

// A typical inbox delivery: a Create of about 2 KB.
var benchBody = bytes.Repeat([]byte(`{"type":"Note"}`), 140)

func BenchmarkSign(b *testing.B) {
	k := testKeys().a
	b.ReportAllocs()
	for b.Loop() {
		r, _ := http.NewRequest("POST", "https://remote.example/users/bob/inbox", bytes.NewReader(benchBody))
		if err := SignRequest(r, benchBody, "https://roost.example/users/alice#main-key", k, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	k := testKeys().a
	r, _ := http.NewRequest("POST", "https://roost.example/users/alice/inbox", bytes.NewReader(benchBody))
	if err := SignRequest(r, benchBody, "https://remote.example/users/bob#main-key", k, testNow); err != nil {
		b.Fatal(err)
	}
	lookup := fixedKey(&k.PublicKey, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(r, benchBody, lookup, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseHeader measures the parser alone on Mastodon's header.
func BenchmarkParseHeader(b *testing.B) {
	k := testKeys().a
	r, _ := http.NewRequest("POST", "https://roost.example/users/alice/inbox", bytes.NewReader(benchBody))
	if err := SignRequest(r, benchBody, "https://remote.example/users/bob#main-key", k, testNow); err != nil {
		b.Fatal(err)
	}
	h := r.Header.Get("Signature")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseHeader(h); err != nil {
			b.Fatal(err)
		}
	}
}
