package mastodon

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roost-social/roost/store"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from the current output")

// marshal encodes v as the server will, with HTML left unescaped, indented
// by two spaces.
func marshal(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatalf("marshal %T: %v", v, err)
	}
	return buf.Bytes()
}

// golden compares the JSON of v with testdata/golden/name.json, or rewrites
// that file under -update.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got := marshal(t, v)
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs from the golden file at line %d:\n got: %s\nwant: %s\n(run go test -update to accept)", path, i+1, g, w)
			}
		}
	}
}

func TestGolden(t *testing.T) {
	e := testEnv
	alice, bob := testAlice(), testBob()
	viewer := map[string]store.Interaction{
		"333333333333333333": {Favourited: true, Bookmarked: true},
		"444444444444444444": {Pinned: true, Muted: true},
		"777777777777777777": {},
	}

	cases := []struct {
		name string
		v    any
	}{
		{"account_local", e.Account(alice)},
		{"account_remote", e.Account(bob)},
		{"credential_account", e.CredentialAccount(alice, testAdmin(), 3)},
		{"credential_account_owner_no_fields", e.CredentialAccount(&store.Account{ID: "9", Username: "owner", CreatedAt: at("2024-01-01T00:00:00Z")}, &store.User{Role: store.RoleOwner}, 0)},
		{"status_plain", e.Status(testBobPost(), nil, "")},
		{"status_reply_mentions_tags", e.Status(testAliceReply(), nil, "")},
		{"status_boost_viewer", e.Status(testAliceBoost(), viewer, alice.ID)},
		{"status_own_pinned", e.Status(testAliceReply(), viewer, alice.ID)},
		{"status_others_viewer", e.Status(testBobPost(), viewer, alice.ID)},
		{"statuses_empty", e.Statuses(nil, nil, "")},
		{"context", e.Context([]*store.Status{testBobPost()}, nil, viewer, alice.ID)},
		{"status_source", StatusSourceOf(testAliceReply())},
		{"status_edits", e.StatusEdits(testAliceReply(), []store.StatusEdit{
			{StatusID: "444444444444444444", Content: "<p>second</p>", Text: "second", CreatedAt: at("2024-06-02T09:45:00Z")},
			{StatusID: "444444444444444444", Content: "<p>first</p>", Text: "first", Sensitive: true, SpoilerText: "old cw", CreatedAt: at("2024-06-02T09:30:00Z")},
		})},
		{"status_edits_never_edited", e.StatusEdits(testBobPost(), nil)},
		{"notification_mention", e.Notification(&store.Notification{
			ID: "888", AccountID: alice.ID, Type: store.NotifyMention, FromAccountID: bob.ID,
			StatusID: "333333333333333333", CreatedAt: at("2024-06-01T08:00:01Z"), From: bob, Status: testBobPost(),
		}, viewer, alice.ID)},
		{"notification_follow", e.Notification(&store.Notification{
			ID: "999", AccountID: alice.ID, Type: store.NotifyFollow, FromAccountID: bob.ID,
			CreatedAt: at("2024-06-01T08:00:02Z"), From: bob,
		}, nil, alice.ID)},
		{"relationship", RelationshipOf(&store.Relationship{
			ID: bob.ID, Following: true, ShowingReblogs: true, FollowedBy: true, Requested: false, Note: "met at a conference",
		})},
		{"marker", MarkerOf(store.Marker{Timeline: "home", LastReadID: "333333333333333333", Version: 4, UpdatedAt: at("2024-06-02T12:00:00.123456Z")})},
		{"markers", Markers([]store.Marker{
			{Timeline: "home", LastReadID: "1", Version: 1, UpdatedAt: at("2024-06-02T12:00:00Z")},
			{Timeline: "notifications", LastReadID: "2", Version: 7, UpdatedAt: at("2024-06-02T12:30:00Z")},
		})},
		{"app_created", e.App(&store.App{ID: "7", Name: "Roost CLI", Website: "https://cli.example", RedirectURIs: []string{"urn:ietf:wg:oauth:2.0:oob", "https://cli.example/cb"}, Scopes: "read write  follow", ClientID: "cid", ClientSecret: "secret"}, true)},
		{"app_verify", e.App(&store.App{ID: "7", Name: "Roost CLI", RedirectURIs: []string{"urn:ietf:wg:oauth:2.0:oob"}, Scopes: "read", ClientID: "cid", ClientSecret: "secret"}, false)},
		{"token", TokenOf("bearer-string", &store.Token{Scopes: "read write", CreatedAt: at("2024-06-02T12:00:00Z")})},
		{"preferences", PreferencesOf(alice)},
		{"preferences_defaults", PreferencesOf(bob)},
		{"error", Error{Error: "Record not found"}},
		{"error_oauth", Error{Error: "invalid_grant", ErrorDescription: "The provided authorization grant is invalid."}},
		{"instance_v1_zero", InstanceV1{}},
		{"instance_v2_zero", InstanceV2{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { golden(t, c.name, c.v) })
	}
}
