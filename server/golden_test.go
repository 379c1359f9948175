package server

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/roost-social/roost/store"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from the running server's answers")

var (
	datetimeRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
	dateRe     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// normalise makes a JSON answer comparable across runs: every ID becomes
// "ID-n" (numbered in order of first appearance, also inside URLs) and every
// datetime a fixed one, after checking it has Mastodon's format.
func normalise(t *testing.T, body []byte) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	ids := map[string]string{}
	var order []string
	var collect func(v any)
	collect = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if s, ok := x[k].(string); ok && (k == "id" || strings.HasSuffix(k, "_id")) && store.ValidID(s) {
					if _, seen := ids[s]; !seen {
						order = append(order, s)
						ids[s] = "ID-" + strconv.Itoa(len(order))
					}
				}
				collect(x[k])
			}
		case []any:
			for _, e := range x {
				collect(e)
			}
		}
	}
	collect(doc)
	// Longer IDs first, so no ID is replaced inside another.
	sort.Slice(order, func(i, j int) bool { return len(order[i]) > len(order[j]) })
	var rewrite func(v any) any
	rewrite = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				s, isStr := e.(string)
				switch {
				case isStr && (k == "created_at" || k == "edited_at" || k == "updated_at"):
					if !datetimeRe.MatchString(s) {
						t.Errorf("%s = %q is not a Mastodon datetime", k, s)
					}
					x[k] = "2000-01-01T00:00:00.000Z"
				case isStr && k == "last_status_at":
					if !dateRe.MatchString(s) {
						t.Errorf("%s = %q is not a date", k, s)
					}
					x[k] = "2000-01-01"
				default:
					x[k] = rewrite(e)
				}
			}
		case []any:
			for i, e := range x {
				x[i] = rewrite(e)
			}
		case string:
			for _, id := range order {
				x = strings.ReplaceAll(x, id, ids[id])
			}
			return x
		}
		return v
	}
	doc = rewrite(doc)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// golden compares a normalised answer with testdata/golden/name.json, or
// rewrites the file under -update.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	got := normalise(t, body)
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./server -run Golden -update to create it)", err)
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
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run go test ./server -run Golden -update to accept)", path, i+1, g, w)
			}
		}
	}
}

func TestGoldenStatusAndCredentialAccount(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	in.do("PATCH", "/api/v1/accounts/update_credentials", alice.token, map[string]any{
		"display_name": "Alice <3",
		"note":         "Birds & #Roosts\nhttps://alice.example",
		"fields_attributes": []map[string]string{
			{"name": "Website", "value": "https://alice.example"},
			{"name": "Pronouns", "value": "she/her"},
		},
		"source": map[string]any{"privacy": "unlisted", "language": "en"},
	}).want(t, 200)
	in.follow(t, bob, alice)
	parent := in.postStatus(bob, "what do you think?")
	id := in.postStatus(alice, "@bob I think #Roost is <fine>.\n\nSee https://example.com/a/very/long/path/that/gets/cut",
		"in_reply_to_id", parent, "spoiler_text", "opinions", "visibility", "public", "language", "en")
	bob.post(in, "/api/v1/statuses/"+id+"/favourite", nil).want(t, 200)
	bob.post(in, "/api/v1/statuses/"+id+"/reblog", nil).want(t, 200)

	golden(t, "status", alice.get(in, "/api/v1/statuses/"+id).want(t, 200).body)
	golden(t, "credential_account", alice.get(in, "/api/v1/accounts/verify_credentials").want(t, 200).body)
}
