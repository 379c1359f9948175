package activity

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode checks that Decode never panics and that whatever it accepts
// can be written back as valid JSON that decodes to the same id and type
// (unless re-encoding made it too large or too deep, which the limits
// then refuse).
//
// Seeds: the fixture corpus, our testdata and the golden outputs; inputs
// that found bugs are kept in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	for _, pattern := range []string{
		filepath.Join(corpusDir, "*", "*.json"),
		filepath.Join("testdata", "*.json"),
		filepath.Join("testdata", "golden", "*.json"),
	} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{"type":"Note","tag":{"icon":["x"]},"object":[[{"type":"Note"}]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := Decode(data)
		if err != nil {
			if o != nil {
				t.Fatal("object returned with an error")
			}
			if !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrInvalid) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		out, err := json.Marshal(o)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !json.Valid(out) {
			t.Fatalf("re-encoded JSON is invalid: %s", out)
		}
		// Exercise the accessors.
		_ = o.Visibility("https://a.example/followers")
		_, _ = o.PollOptions()
		_, _, _, _ = o.IconURL(), o.ImageURL(), o.Author(), o.Language()
		_, _ = o.IsActivity(), o.Host()

		o2, err := Decode(out)
		if err != nil {
			if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrMalformed) {
				return
			}
			t.Fatalf("re-encoded document refused: %v\n%s", err, out)
		}
		if o2.ID != o.ID || o2.Type != o.Type || o2.Object.ID() != o.Object.ID() {
			t.Fatalf("round trip changed id/type/object: %q %q %q → %q %q %q",
				o.ID, o.Type, o.Object.ID(), o2.ID, o2.Type, o2.Object.ID())
		}
	})
}

// FuzzParseString checks our string decoding against encoding/json's.
func FuzzParseString(f *testing.F) {
	for _, s := range []string{`"plain"`, `"\u003cp\u003e"`, `"\ud83c\udf37 \ud83c"`, `"\udf37x"`, `"a\"b\\c\/d\b\f\n\r\t"`, "\"\xff\xfe\"", `"\u00e9\u0000"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want string
		if json.Unmarshal(b, &want) != nil {
			_ = parseString(b) // must not panic
			return
		}
		if got := parseString(b); got != want {
			t.Fatalf("parseString(%q) = %q, want %q", b, got, want)
		}
	})
}
