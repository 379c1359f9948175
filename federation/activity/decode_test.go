package activity

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// decodeTestdata decodes one of our own fixtures in testdata/.
func decodeTestdata(t *testing.T, name string) (*Object, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Decode(b)
}

func mustDecodeTestdata(t *testing.T, name string) *Object {
	t.Helper()
	o, err := decodeTestdata(t, name)
	if err != nil {
		t.Fatalf("Decode %s: %v", name, err)
	}
	return o
}

func TestDecodeContextMissing(t *testing.T) {
	o := mustDecodeTestdata(t, "context-missing.json")
	eq(t, "Type", o.Type, "Person")
	eq(t, "SharedInbox", o.SharedInbox, "https://lemmy.example/inbox")
	k, ok := o.PublicKey("https://lemmy.example/u/kirk#main-key")
	eq(t, "key", ok, true)
	eq(t, "owner", k.Owner, "https://lemmy.example/u/kirk")
	if !bytes.HasPrefix(o.Raw, []byte(`{`)) || !bytes.HasSuffix(o.Raw, []byte(`}`)) {
		t.Errorf("Raw not trimmed: %q", o.Raw)
	}
}

func TestDecodeTypeArray(t *testing.T) {
	o := mustDecodeTestdata(t, "type-array.json")
	eq(t, "Type (first known, prefix removed)", o.Type, "Article")
	if !slices.Equal(o.Types, []string{"sc:BlogPosting", "as:Article", "Note"}) {
		t.Errorf("Types = %q", o.Types)
	}
	eq(t, "Visibility (to as a string)", o.Visibility(""), "public")
	eq(t, "Author", o.Author(), "https://blog.example/author")
}

func TestDecodeObjectArray(t *testing.T) {
	o := mustDecodeTestdata(t, "object-array.json")
	// Strings and objects are kept, null and numbers dropped, a nested
	// array is read as a single value (its first element).
	want := []string{"https://bad.example/users/troll", "https://bad.example/notes/1"}
	if !slices.Equal(o.Objects.IDs(), want) {
		t.Errorf("Objects = %q, want %q", o.Objects.IDs(), want)
	}
	eq(t, "Object", o.Object.ID(), want[0])
	eq(t, "embedded content", o.Objects[1].Object.Content, "spam")
	eq(t, "Actor (array → first)", o.Actor.ID(), "https://mod.example/actor")
	eq(t, "To", len(o.To), 0)
	eq(t, "Visibility", o.Visibility("https://mod.example/followers"), "direct")
}

func TestDecodeContentMapOnly(t *testing.T) {
	o := mustDecodeTestdata(t, "contentmap-only.json")
	// Keys sort de, en, pt: "de" is empty, so "en" is picked.
	eq(t, "Content", o.Content, "<p>Hello</p>")
	eq(t, "Language", o.Language(), "en")
	eq(t, "Name", o.Name, "Bonjour")
	eq(t, "Summary", o.Summary, "careful")
	eq(t, "Visibility (as:Public)", o.Visibility(""), "public")
	eq(t, "Published (leap second → zero)", o.Published.IsZero(), true)
}

func TestDecodeSensitiveString(t *testing.T) {
	o := mustDecodeTestdata(t, "sensitive-string.json")
	eq(t, "Sensitive", o.Sensitive, true)
	eq(t, "Summary", o.Summary, "lewd")
	eq(t, "Published", o.Published, date("2019-05-01T09:00:00.5Z"))
	eq(t, "Updated (unparsable → zero)", o.Updated.IsZero(), true)
	eq(t, "ManuallyApprovesFollowers", o.ManuallyApprovesFollowers, false)
	eq(t, "VotersCount", o.VotersCount, 12)
	eq(t, "Width", o.Width, 640)
	eq(t, "Author (embedded Person)", o.Author(), "http://old.example/users/bo")
	eq(t, "CC (object → id)", strings.Join(o.CC, " "), "http://other.example/users/cy")
	eq(t, "Visibility", o.Visibility("http://old.example/users/bo/followers"), "private")
	if h := o.Hashtags(); len(h) != 1 || h[0].Name != "#Tag" {
		t.Errorf("Hashtags = %+v", h)
	}
	if len(o.Attachment) != 1 {
		t.Fatalf("Attachment = %+v", o.Attachment)
	}
	a := o.Attachment[0]
	eq(t, "attachment URL", a.URL, "http://old.example/a.png")
	eq(t, "attachment MediaType (from the link)", a.MediaType, "image/png")
	if a.FocalPoint == nil || *a.FocalPoint != [2]float64{0.5, 1} {
		t.Errorf("FocalPoint = %v", a.FocalPoint)
	}
}

func TestDecodeDepth(t *testing.T) {
	if _, err := decodeTestdata(t, "nested-32.json"); err != nil {
		t.Errorf("32 levels: %v", err)
	}
	_, err := decodeTestdata(t, "nested-33.json")
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("33 levels: err = %v, want ErrMalformed", err)
	}
	// Brackets inside strings do not count.
	s := `{"type":"Note","content":"` + strings.Repeat("[{", 100) + `\"[{"}`
	if _, err := Decode([]byte(s)); err != nil {
		t.Errorf("brackets in a string: %v", err)
	}
}

func TestDecodeTooLarge(t *testing.T) {
	pad := strings.Repeat("a", MaxDocumentSize)
	_, err := Decode([]byte(`{"type":"Note","content":"` + pad + `"}`))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
	// Just under the limit is fine.
	doc := `{"type":"Note","content":""}`
	pad = strings.Repeat("a", MaxDocumentSize-len(doc))
	o, err := Decode([]byte(`{"type":"Note","content":"` + pad + `"}`))
	if err != nil || len(o.Content) != len(pad) {
		t.Errorf("at the limit: %v", err)
	}
}

func TestDecodeRefuses(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want error
	}{
		{``, ErrMalformed},
		{`[]`, ErrMalformed},
		{`"Note"`, ErrMalformed},
		{`null`, ErrMalformed},
		{`{"type":"Note"`, ErrMalformed},
		{`{"type":"Note"} x`, ErrMalformed},
		{`{"id":"https://a.example/1"}`, ErrInvalid},
		{`{"type":null}`, ErrInvalid},
		{`{"type":[]}`, ErrInvalid},
		{`{"type":""}`, ErrInvalid},
		{`{"type":7}`, ErrInvalid},
		{`{"type":"Note","id":"/relative"}`, ErrInvalid},
		{`{"type":"Note","id":"urn:uuid:1"}`, ErrInvalid},
		{`{"type":"Note","id":"ftp://a.example/1"}`, ErrInvalid},
		{`{"type":"Note","id":"https:///nohost"}`, ErrInvalid},
		{`{"type":"Note","id":5}`, ErrInvalid},
		{`{"type":"Note","id":{"id":"https://a.example/1"}}`, ErrInvalid},
	} {
		_, err := Decode([]byte(tc.doc))
		if !errors.Is(err, tc.want) {
			t.Errorf("Decode(%q) err = %v, want %v", tc.doc, err, tc.want)
		}
	}
	// Present-but-null id and a missing id are fine (FEP-e232's example).
	for _, doc := range []string{`{"type":"Note","id":null}`, ` {"type":"Note"} `, `{"type":"Note","id":""}`} {
		if _, err := Decode([]byte(doc)); err != nil {
			t.Errorf("Decode(%q): %v", doc, err)
		}
	}
}

func TestDecodeLenientValues(t *testing.T) {
	o, err := Decode([]byte(`{
		"type": "Question", "id": "https://a.example/q",
		"sensitive": null, "discoverable": "TRUE", "indexable": 1, "memorial": "no",
		"name": 12, "summary": {"x": 1}, "content": ["a"],
		"published": "2020-01-02T03:04:05.123456789-0130",
		"endTime": "2020-01-02", "closed": true,
		"to": [null, 3, "https://a.example/followers", ["x"], {"href": "https://a.example/link"}],
		"oneOf": [{"type": "Note", "name": "x", "replies": {"totalItems": "9"}}, "https://a.example/opt"],
		"totalItems": 1e300, "width": -3, "height": "abc",
		"icon": "https://a.example/i.png",
		"tag": ["#notanobject", {"type": ["toot:Emoji"], "name": ":e:", "icon": "https://a.example/e.png"}],
		"publicKey": ["https://a.example/q#key", {"id": "https://a.example/q#k2", "owner": {"id": "https://a.example/q"}}],
		"endpoints": "https://a.example/endpoints",
		"url": {"type": "Link", "href": "at://did/post"},
		"source": "plain"
	}`))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Sensitive", o.Sensitive, false)
	eq(t, "Discoverable", o.Discoverable, true)
	eq(t, "Indexable", o.Indexable, true)
	eq(t, "Memorial", o.Memorial, false)
	eq(t, "Name (number)", o.Name, "12")
	eq(t, "Summary", o.Summary, "")
	eq(t, "Content", o.Content, "")
	eq(t, "Published", o.Published, date("2020-01-02T04:34:05.123456789Z"))
	eq(t, "EndTime", o.EndTime, date("2020-01-02T00:00:00Z"))
	eq(t, "Closed (boolean)", o.Closed.IsZero(), true)
	if !slices.Equal(o.To, []string{"https://a.example/followers", "https://a.example/link"}) {
		t.Errorf("To = %q", o.To)
	}
	opts, _ := o.PollOptions()
	if !slices.Equal(opts, []PollOption{{"x", 9}}) {
		t.Errorf("PollOptions = %v", opts)
	}
	eq(t, "TotalItems", o.TotalItems, 0)
	eq(t, "Width", o.Width, -3)
	eq(t, "Height", o.Height, 0)
	eq(t, "IconURL", o.IconURL(), "https://a.example/i.png")
	em := o.Emojis()
	if len(em) != 1 || em[0].Icon == nil || em[0].Icon.URL != "https://a.example/e.png" {
		t.Errorf("Emojis = %+v", em)
	}
	if len(o.PublicKeys) != 2 || o.PublicKeys[1].Owner != "https://a.example/q" {
		t.Errorf("PublicKeys = %+v", o.PublicKeys)
	}
	k, _ := o.PublicKey("")
	eq(t, "first key", k.ID, "https://a.example/q#key")
	eq(t, "SharedInbox", o.SharedInbox, "")
	eq(t, "URL (only a non-web link)", o.URL, "at://did/post")
	eq(t, "Source", o.Source.Content, "plain")
	eq(t, "IsActivity", o.IsActivity(), false)
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]string{
		"2023-10-30T12:44:35Z":             "2023-10-30T12:44:35Z",
		"2023-10-30T12:44:35.123Z":         "2023-10-30T12:44:35.123Z",
		"2023-10-30T12:44:35.123456+00:00": "2023-10-30T12:44:35.123456Z",
		"2023-10-30T14:44:35+02:00":        "2023-10-30T12:44:35Z",
		"2023-10-30T12:44:35+0000":         "2023-10-30T12:44:35Z",
		"2023-10-30T12:44:35-05":           "2023-10-30T17:44:35Z",
		"2019-09-19T00:32:36.785333":       "2019-09-19T00:32:36.785333Z",
		"2023-10-30 12:44:35Z":             "2023-10-30T12:44:35Z",
		"2023-10-30t12:44:35z":             "2023-10-30T12:44:35Z",
		"2023-10-30T12:44Z":                "2023-10-30T12:44:00Z",
		"2023-10-30":                       "2023-10-30T00:00:00Z",
		"Mon, 30 Oct 2023 12:44:35 GMT":    "2023-10-30T12:44:35Z",
	} {
		got := parseTime(in)
		if !got.Equal(date(want)) || got.Location() != time.UTC {
			t.Errorf("parseTime(%q) = %v, want %v", in, got, want)
		}
	}
	for _, in := range []string{"", "yesterday", "1700000000", "2023-13-01T00:00:00Z", "0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59"} {
		if got := parseTime(in); !got.IsZero() {
			t.Errorf("parseTime(%q) = %v, want zero", in, got)
		}
	}
}

func TestVisibility(t *testing.T) {
	const f = "https://a.example/users/u/followers"
	for _, tc := range []struct {
		to, cc []string
		want   string
	}{
		{[]string{Public}, []string{f}, "public"},
		{[]string{"http://www.w3.org/ns/activitystreams#Public"}, nil, "public"},
		{[]string{"Public"}, nil, "public"},
		{[]string{f}, []string{"as:Public"}, "unlisted"},
		{[]string{f}, nil, "private"},
		{[]string{"https://b.example/u"}, []string{f}, "private"},
		{[]string{"https://b.example/u"}, nil, "direct"},
		{nil, nil, "direct"},
	} {
		o := &Object{To: tc.to, CC: tc.cc}
		eq(t, strings.Join(tc.to, ",")+"|"+strings.Join(tc.cc, ","), o.Visibility(f), tc.want)
	}
	eq(t, "empty followers URL", (&Object{To: []string{""}}).Visibility(""), "direct")
}

func TestRefMarshal(t *testing.T) {
	for _, tc := range []struct {
		r    Ref
		want string
	}{
		{Ref{}, `null`},
		{IDRef("https://a.example/1"), `"https://a.example/1"`},
		{ObjectRef(&Object{ID: "https://a.example/1", Types: []string{"Note"}}), `{"type":"Note","id":"https://a.example/1"}`},
	} {
		b, err := json.Marshal(tc.r)
		if err != nil || string(b) != tc.want {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", tc.r, b, err, tc.want)
		}
	}
}

func TestRefUnmarshalInStruct(t *testing.T) {
	var v struct {
		A Ref  `json:"a"`
		B Refs `json:"b"`
		C Ref  `json:"c"`
	}
	err := json.Unmarshal([]byte(`{"a":{"type":"Note","id":"https://a.example/1"},"b":"https://a.example/2","c":[null,"https://a.example/3"]}`), &v)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "A", v.A.ID(), "https://a.example/1")
	eq(t, "A type", v.A.Object.Type, "Note")
	eq(t, "B", strings.Join(v.B.IDs(), " "), "https://a.example/2")
	eq(t, "C", v.C.ID(), "https://a.example/3")
	var r Ref
	if err := r.UnmarshalJSON([]byte(`{"id":`)); !errors.Is(err, ErrMalformed) {
		t.Errorf("invalid JSON: err = %v", err)
	}
	var o Object
	if err := o.UnmarshalJSON([]byte(`["x"]`)); !errors.Is(err, ErrMalformed) {
		t.Errorf("array as object: err = %v", err)
	}
}

// TestAcceptDecodedFollow accepts a Follow as it came from the inbox: the
// embedded Follow must keep Mastodon's single-valued shape.
func TestAcceptDecodedFollow(t *testing.T) {
	in := readCorpus(t, "activities/mastodon-follow.json")
	f, err := Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(Accept("https://roost.example/users/alice#accepts/follows/1", f.Object.ID(), f))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Object struct {
			ID, Type, Actor, Object string
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	eq(t, "object id", got.Object.ID, f.ID)
	eq(t, "object type", got.Object.Type, "Follow")
	eq(t, "object actor", got.Object.Actor, f.Actor.ID())
	eq(t, "object object", got.Object.Object, f.Object.ID())
}
