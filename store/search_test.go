package store

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseSearchQuery(t *testing.T) {
	day := func(s string) time.Time {
		d, _ := time.Parse(time.DateOnly, s)
		return d
	}
	cases := map[string]SearchQuery{
		"":                            {},
		"  cats   dogs ":              {Text: "cats dogs"},
		`"lazy dog" fox`:              {Text: "fox", Phrases: []string{"lazy dog"}},
		`-cats -"big dogs" birds`:     {Text: "birds", Exclude: []string{"cats", "big dogs"}},
		"from:@alice@example.com x":   {Text: "x", From: "alice@example.com"},
		"has:media has:POLL has:link": {HasMedia: true, HasPoll: true, HasLink: true},
		"is:reply is:sensitive":       {IsReply: true, Sensitive: true},
		"language:DE":                 {Language: "de"},
		"before:2024-03-10":           {Before: day("2024-03-10")},
		"after:2024-03-10":            {After: day("2024-03-11")},
		"during:2024-03-10":           {After: day("2024-03-10"), Before: day("2024-03-11")},
		// Unknown operators and bad values stay words.
		"has:cake before:tuesday http://x": {Text: "has:cake before:tuesday http://x"},
		`"unclosed phrase`:                 {Phrases: []string{"unclosed phrase"}},
		"a - b":                            {Text: "a - b"},
	}
	for in, want := range cases {
		if got := ParseSearchQuery(in); !reflect.DeepEqual(got, want) {
			t.Errorf("ParseSearchQuery(%q) = %+v, want %+v", in, got, want)
		}
	}
	if !ParseSearchQuery("-cats").Empty() {
		t.Error("a query of exclusions only is not empty")
	}
	if ParseSearchQuery("is:reply").Empty() {
		t.Error("an operator alone is empty")
	}
}

func FuzzParseSearchQuery(f *testing.F) {
	for _, s := range []string{`from:a "b c" -d -"e f" has:poll during:2024-01-02`, `"`, `-`, `-"`, "“x”"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := ParseSearchQuery(s)
		if !utf8.ValidString(s) {
			return // invalid bytes become U+FFFD, which is longer
		}
		for _, p := range append(append([]string{q.Text}, q.Phrases...), q.Exclude...) {
			if !utf8.ValidString(p) {
				t.Fatalf("%q gave invalid UTF-8 %q", s, p)
			}
			if len(p) > len(s)+len(strings.Fields(s)) {
				t.Fatalf("%q grew into %q", s, p)
			}
		}
	})
}
