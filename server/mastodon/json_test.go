package mastodon

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

func TestTimeJSON(t *testing.T) {
	berlin := time.FixedZone("CEST", 2*60*60)
	for _, c := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2019, 12, 8, 4, 48, 33, 901_999_999, berlin), `"2019-12-08T02:48:33.901Z"`}, // UTC, truncated to ms
		{time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), `"2024-01-02T03:04:05.000Z"`},            // always three digits
		{time.Time{}, `"0001-01-01T00:00:00.000Z"`},
	} {
		b, err := json.Marshal(NewTime(c.in))
		if err != nil || string(b) != c.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", c.in, b, err, c.want)
		}
		var back Time
		if err := json.Unmarshal([]byte(c.want), &back); err != nil || !back.Time().Equal(c.in.Truncate(time.Millisecond)) {
			t.Errorf("Unmarshal(%s) = %v, %v", c.want, back.Time(), err)
		}
	}
	// verified_at as Mastodon writes it.
	var v Time
	if err := json.Unmarshal([]byte(`"2019-11-10T10:31:10.744+00:00"`), &v); err != nil ||
		!v.Time().Equal(time.Date(2019, 11, 10, 10, 31, 10, 744e6, time.UTC)) {
		t.Errorf("Unmarshal +00:00 = %v, %v", v.Time(), err)
	}
	if _, err := json.Marshal(NewTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))); err == nil {
		t.Error("year 10000 marshalled")
	}
	var p struct {
		T *Time `json:"t"`
	}
	if b, _ := json.Marshal(p); string(b) != `{"t":null}` {
		t.Errorf("nil *Time = %s", b)
	}
}

func TestDateJSON(t *testing.T) {
	late := time.Date(2024, 6, 2, 23, 30, 0, 0, time.FixedZone("-02", -2*60*60))
	b, err := json.Marshal(Date(late))
	if err != nil || string(b) != `"2024-06-03"` {
		t.Errorf("Marshal = %s, %v; want the UTC date", b, err)
	}
	for _, in := range []string{`"2019-11-17"`, `"2019-11-17T08:14:44.811Z"`} {
		var d Date
		if err := json.Unmarshal([]byte(in), &d); err != nil || d.Time().Format(dateLayout) != "2019-11-17" {
			t.Errorf("Unmarshal(%s) = %v, %v", in, d.Time(), err)
		}
	}
}

func TestListJSON(t *testing.T) {
	var v struct {
		Nil   List[string] `json:"nil"`
		Empty List[string] `json:"empty"`
		Some  List[Field]  `json:"some"`
		Plain []string     `json:"plain"`
	}
	v.Empty = []string{}
	v.Some = []Field{{Name: "<b>", Value: "a&b"}}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	// json.Marshal escapes HTML everywhere, inside lists too.
	want := `{"nil":[],"empty":[],"some":[{"name":"\u003cb\u003e","value":"a\u0026b","verified_at":null}],"plain":null}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	// An encoder that does not escape HTML does not get it escaped by lists.
	if got := string(marshal(t, v.Some)); !strings.Contains(got, `"<b>"`) || !strings.Contains(got, `"a&b"`) {
		t.Errorf("SetEscapeHTML(false) output escaped inside a List: %s", got)
	}
}

// TestEntityFieldRules enforces the JSON rules on every entity type: a slice
// is a List (never null) unless Mastodon documents the key as a nullable
// list, and omitempty is used only where Mastodon leaves a key out.
func TestEntityFieldRules(t *testing.T) {
	nullableLists := map[string]bool{
		"Relationship.Languages":      true,
		"FilterResult.KeywordMatches": true,
		"FilterResult.StatusMatches":  true,
		"Poll.OwnVotes":               true, // omitted without a viewer
	}
	omitted := map[string]bool{
		"Status.Pinned":                true,
		"Account.Moved":                true, // only for an account that moved, as Mastodon
		"Status.Text":                  true,
		"Tag.Following":                true,
		"Poll.Voted":                   true,
		"Poll.OwnVotes":                true,
		"App.ClientSecret":             true,
		"App.ClientSecretExpiresAt":    true,
		"Error.ErrorDescription":       true,
		"InstanceThumbnail.Blurhash":   true,
		"InstanceThumbnail.Versions":   true,
		"InstanceThumbnailVersions.X1": true,
		"InstanceThumbnailVersions.X2": true,
	}
	omittingTypes := map[string]bool{"MediaMeta": true, "MediaSize": true} // parts per media type

	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		marshaler := reflect.TypeFor[json.Marshaler]()
		if typ.Kind() != reflect.Struct || seen[typ] || typ.Implements(marshaler) {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			name := typ.Name() + "." + f.Name
			tag := f.Tag.Get("json")
			if tag == "" && !f.Anonymous {
				t.Errorf("%s has no json tag", name)
			}
			if strings.Contains(tag, "omitempty") && !omitted[name] && !omittingTypes[typ.Name()] {
				t.Errorf("%s is omitempty; Mastodon sends the key (null if nullable)", name)
			}
			if f.Type.Kind() == reflect.Slice && !strings.HasPrefix(f.Type.Name(), "List[") && !nullableLists[name] {
				t.Errorf("%s is %s; use List so that it is never null", name, f.Type)
			}
			walk(f.Type)
		}
	}
	for _, v := range []any{
		Account{}, CredentialAccount{}, Status{}, StatusEdit{}, StatusSource{}, Context{}, Notification{},
		Relationship{}, Marker{}, App{}, Token{}, Error{}, Preferences{}, InstanceV1{}, InstanceV2{},
		Tag{}, Poll{}, PreviewCard{}, MediaAttachment{}, FilterResult{},
	} {
		walk(reflect.TypeOf(v))
	}
}

func TestStatusNullsAndLists(t *testing.T) {
	e := testEnv
	s := testBobPost()
	s.URL = ""
	s.Application = &store.App{Name: "remote apps are not shown"}
	got := decode(t, e.Status(s, nil, ""))
	for _, k := range []string{"in_reply_to_id", "in_reply_to_account_id", "language", "url", "edited_at", "reblog", "application", "card", "poll"} {
		if v, ok := got[k]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", k, v, ok)
		}
	}
	for _, k := range []string{"media_attachments", "mentions", "tags", "emojis", "filtered"} {
		if v, ok := got[k].([]any); !ok || len(v) != 0 {
			t.Errorf("%s = %#v, want []", k, got[k])
		}
	}
	for _, k := range []string{"pinned", "text"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s present for an anonymous viewer", k)
		}
	}
	for _, v := range []any{e.Statuses(nil, nil, ""), e.Accounts(nil), Relationships(nil), e.Notifications(nil, nil, "")} {
		if b, _ := json.Marshal(v); string(b) != "[]" {
			t.Errorf("%T of nothing = %s, want []", v, b)
		}
	}
	if b, _ := json.Marshal(Markers(nil)); string(b) != "{}" {
		t.Errorf("Markers(nil) = %s, want {}", b)
	}
}

func TestStatusPinned(t *testing.T) {
	e := testEnv
	own := testAliceReply()
	in := map[string]store.Interaction{own.ID: {Pinned: true}}
	if st := e.Status(own, in, own.AccountID); st.Pinned == nil || !*st.Pinned {
		t.Errorf("own pinned status: pinned = %v", st.Pinned)
	}
	if st := e.Status(own, nil, own.AccountID); st.Pinned == nil || *st.Pinned {
		t.Errorf("own status, no interactions: pinned = %v, want false", st.Pinned)
	}
	if st := e.Status(own, in, "someone else"); st.Pinned != nil {
		t.Error("pinned shown to someone else")
	}
	own.Visibility = store.VisibilityDirect
	if st := e.Status(own, in, own.AccountID); st.Pinned != nil {
		t.Error("pinned shown on a direct status, which cannot be pinned")
	}
	boost := testAliceBoost()
	st := e.Status(boost, map[string]store.Interaction{boost.ReblogOfID: {Reblogged: true}}, boost.AccountID)
	if st.Pinned != nil || st.Content != "" || st.Reblog == nil || !st.Reblog.Reblogged || st.Reblogged {
		t.Errorf("boost: pinned %v, content %q, reblog %v", st.Pinned, st.Content, st.Reblog)
	}
}

func TestAccountAddresses(t *testing.T) {
	e := &Env{BaseURL: "https://roost.example"}
	remote := &store.Account{ID: "1", Username: "x", Domain: "far.example", URI: "https://far.example/u/x"}
	if a := e.Account(remote); a.URL != remote.URI || a.URI != remote.URI || a.Acct != "x@far.example" || a.Noindex != nil {
		t.Errorf("remote without URL: %+v", a)
	}
	local := &store.Account{ID: "2", Username: "y", URL: "https://roost.example/@y", URI: "https://roost.example/users/y"}
	if a := e.Account(local); a.URL != local.URL || a.URI != local.URI || a.Noindex == nil || *a.Noindex {
		t.Errorf("local: %+v", a)
	}
}

func TestStatusEditsIncludesCurrentOnce(t *testing.T) {
	s := testAliceReply()
	edits := []store.StatusEdit{
		{Content: "<p>first</p>", CreatedAt: s.CreatedAt},
		{Content: s.Content, CreatedAt: *s.EditedAt}, // a store that also records the current version
	}
	got := testEnv.StatusEdits(s, edits)
	if len(got) != 2 || got[0].Content != "<p>first</p>" || got[1].Content != s.Content {
		t.Errorf("got %d versions: %+v", len(got), got)
	}
}

func decode(t *testing.T, v any) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(marshal(t, v), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestAppendTimeMatchesLayout checks the hand-written formatter against
// time's own over many instants.
func TestAppendTimeMatchesLayout(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	lo := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
	for range 100000 {
		u := time.Unix(lo+r.Int64N(hi-lo+1), r.Int64N(1e9)).UTC()
		if got, want := string(appendTime(nil, u)), u.Format(timeLayout); got != want {
			t.Fatalf("appendTime(%v) = %s, want %s", u, got, want)
		}
		if got, want := string(appendDate(nil, u.Year(), int(u.Month()), u.Day())), u.Format(dateLayout); got != want {
			t.Fatalf("appendDate(%v) = %s, want %s", u, got, want)
		}
	}
}
