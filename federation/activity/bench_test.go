package activity

import (
	"testing"

	"github.com/roost-social/roost/store"
)

// createNote is a Mastodon-shaped Create of a public reply with two
// mentions and a hashtag, as Roost (and Mastodon) send it.
func createNote(b *testing.B) []byte {
	n := note(store.VisibilityUnlisted)
	doc, err := Marshal(Create(n.AttributedTo, n, posted, n.To, n.CC))
	if err != nil {
		b.Fatal(err)
	}
	return doc
}

func BenchmarkDecodeNote(b *testing.B) {
	doc := createNote(b)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		o, err := Decode(doc)
		if err != nil || o.Object.Object == nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeCorpusNote decodes a real Mastodon 4.3 Create(Note).
func BenchmarkDecodeCorpusNote(b *testing.B) {
	doc := readCorpus(b, "activities/mastodon-update-note-edit.json")
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeActor(b *testing.B) {
	doc := readCorpus(b, "actors/mastodon-person-gargron.json")
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeActor(b *testing.B) {
	a := alice()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Marshal(ActorFrom(a, testBase)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeCreateNote(b *testing.B) {
	s, a, m := status(store.VisibilityPublic), alice(), mentioned()
	b.ReportAllocs()
	for b.Loop() {
		n := NoteFrom(s, a, "", aliceFollowers, m)
		if _, err := Marshal(Create(n.AttributedTo, n, posted, n.To, n.CC)); err != nil {
			b.Fatal(err)
		}
	}
}
