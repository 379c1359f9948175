package federation_test

// The whole fixture corpus through the inbox: every activity as sent and
// mutated, every object inside a Create, every actor document as the
// sender. Whatever a peer sends, the answer is below 500 and what is
// stored is safe to show.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/store"
)

// fixtureNames lists a corpus folder's files without their .json.
func fixtureNames(t *testing.T, dir string) []string {
	t.Helper()
	readFixture(t, "SOURCES.md")
	entries, err := os.ReadDir(filepath.Join(fixtureDir, dir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, strings.TrimSuffix(e.Name(), ".json"))
		}
	}
	sort.Strings(names)
	return names
}

// localAccounts and localPosts are what the fixtures address on "our"
// server; the corpus test maps them all onto alice and her post, so that
// handlers go as deep as they can.
var localAccounts = []string{
	"https://local.example/club/test",
	"http://localtesting.pleroma.lol/users/lain",
	"https://as2.blueb.me/users/690d0271-4147-4302-ac50-7806f3ad8f87",
	"https://as1.blueb.me/users/1",
	"https://ds9.lemmy.ml/c/testcom",
	"https://mamot.fr/users/retiolus",
	"https://example.com/~mallory",
}

var localPosts = []string{
	"https://ds9.lemmy.ml/post/147",
	"https://pleroma.local.live/objects/89937a53-2692-4631-bb62-770091267391",
	"https://as2.blueb.me/notes/b50ef536-a063-41a7-85df-8aca36d877e1",
	"https://as2.blueb.me/notes/72e8c7e6-4ef6-43e5-8d3e-09b926862f81",
	"http://localtesting.pleroma.lol/objects/eb92579d-3417-42a8-8652-2492c2d4f454",
	"https://example.com/users/alice/statuses/1",
	"https://pleroma.mkljczk.pl/objects/b800bdb9-2cbb-40b6-9b29-196cfbd42398",
}

// weird are values a peer may put anywhere.
func weird(r *rig, alice *localUser, post string) []any {
	deep := any("bottom")
	for range 40 {
		deep = []any{deep}
	}
	return []any{
		nil, true, false, 0, -1, 1e300, 12345678901234567890.0, "", "x",
		strings.Repeat("ä", 5000), "javascript:alert(1)", "<script>alert(1)</script>",
		"http://127.0.0.1:1/nothing", "at://did:plc:x/post/1", alice.URI, post, r.remote.origin + "/users/someone",
		"1900-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2020-02-30T25:61:00+99:00",
		[]any{}, []any{nil, 1, "a", []any{}}, map[string]any{}, map[string]any{"id": 5, "type": []any{}},
		map[string]any{"type": "Note", "id": alice.URI}, deep,
	}
}

// mutate returns a copy of doc with one node, chosen by rng, replaced by
// one of vals or removed.
func mutate(rng *rand.Rand, doc any, vals []any) any {
	n := countNodes(doc)
	target := rng.IntN(n)
	val := vals[rng.IntN(len(vals))]
	remove := rng.IntN(4) == 0
	i := 0
	var walk func(v any) (any, bool)
	walk = func(v any) (any, bool) {
		me := i
		i++
		if me == target && me != 0 {
			return val, !remove
		}
		switch v := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(v))
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if nv, keep := walk(v[k]); keep {
					out[k] = nv
				}
			}
			return out, true
		case []any:
			out := make([]any, 0, len(v))
			for _, e := range v {
				if nv, keep := walk(e); keep {
					out = append(out, nv)
				}
			}
			return out, true
		}
		return v, true
	}
	out, _ := walk(doc)
	return out
}

func countNodes(v any) int {
	n := 1
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			n += countNodes(e)
		}
	case []any:
		for _, e := range v {
			n += countNodes(e)
		}
	}
	return n
}

var timeField = regexp.MustCompile(`"(published|updated|startTime|endTime|closed)"\s*:\s*"[^"]*"`)

// TestInboxNeverFails posts every activity of the corpus, and signed
// mutations of it (truncated, bytes flipped, a value replaced by something
// odd or removed), and requires an answer below 500 every time.
func TestInboxNeverFails(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	alice := r.newUser("alice", false)
	hers := r.post(alice, "a post to act on")
	vals := weird(r, alice, hers.URI)
	rng := rand.New(rand.NewPCG(20261126, 1))
	var repl []string
	for _, u := range localPosts {
		repl = append(repl, u, hers.URI)
	}
	for _, u := range localAccounts {
		repl = append(repl, u, alice.URI)
	}
	codes := map[int]int{}
	for _, name := range fixtureNames(t, "activities") {
		body, a := r.activity(name, r.remote, repl...)
		a.setKey(testKeys().fast) // hundreds of requests: a cheap signature
		// First every time before 1970 (while the post is new here), then
		// the activity as sent, then the rest.
		variants := [][]byte{timeField.ReplaceAll(body, []byte(`"$1":"1900-01-01T00:00:00Z"`)), body}
		variants = append(variants, body[:rng.IntN(len(body))])
		flipped := bytes.Clone(body)
		for range 3 {
			flipped[rng.IntN(len(flipped))] ^= byte(1 + rng.IntN(255))
		}
		variants = append(variants, flipped)
		variants = append(variants, timeField.ReplaceAll(body, []byte(`"$1":"9999-12-31T23:59:59.999999999Z"`)))
		var doc any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for range 5 {
			b, err := json.Marshal(mutate(rng, doc, vals))
			if err != nil {
				t.Fatal(err)
			}
			variants = append(variants, b)
		}
		for i, v := range variants {
			code, resp := r.send(a, v)
			codes[code]++
			if code >= 500 {
				t.Errorf("%s, variant %d: %d %s\n%s", name, i, code, resp, v)
			}
		}
	}
	t.Logf("answers: %v", codes)
	// Still serving, and nothing unsafe was stored for anyone to see.
	for _, path := range []string{"/api/v1/timelines/public", "/api/v1/timelines/home"} {
		for _, s := range r.timeline(alice, path) {
			checkSafeHTML(t, s.Content)
			checkSafeHTML(t, s.SpoilerText)
		}
	}
	for _, n := range r.notifications(alice) {
		if n.Status != nil {
			checkSafeHTML(t, n.Status.Content)
		}
	}
}

// TestInboxObjects sends every object of the corpus inside a Create by its
// author, whom alice follows: posts are stored with safe content, the rest
// is refused or dropped, never a 500.
func TestInboxObjects(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	alice := r.newUser("alice", false)
	stored := 0
	for _, name := range fixtureNames(t, "objects") {
		raw := readFixture(t, "objects/"+name+".json")
		obj, err := activity.Decode(raw)
		if err != nil || obj.ID == "" || obj.Author() == "" {
			t.Logf("%s: no id or author, skipped", name)
			continue
		}
		wrapper := []byte(fmt.Sprintf(`{"@context":%q,"id":%q,"type":"Create","actor":%q,"to":[%q],"object":%s}`,
			asContext, obj.ID+"#create-"+name, obj.Author(), public, raw))
		body, a := r.moveOnto(wrapper, r.remote)
		a.setKey(testKeys().fast)
		acct, err := r.srv.Federation().RemoteActor(t.Context(), a.uri)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := r.st.Follow(t.Context(), alice.ID, acct.ID, store.FollowOptions{ShowReblogs: true}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		code, resp := r.send(a, body)
		if code >= 500 {
			t.Errorf("%s: %d %s", name, code, resp)
			continue
		}
		var moved struct {
			Object struct {
				ID string `json:"id"`
			} `json:"object"`
		}
		if err := json.Unmarshal(body, &moved); err != nil {
			t.Fatal(err)
		}
		id := r.statusID(moved.Object.ID)
		t.Logf("%s (%s): %d, stored %v", name, obj.Type, code, id != "")
		if id == "" {
			if code == http.StatusAccepted && obj.Type == "Note" {
				t.Errorf("%s: a Note by a followed author was accepted but not stored", name)
			}
			continue
		}
		stored++
		s, ok := r.status(alice, id)
		if !ok {
			continue // not addressed to alice (a direct message to someone else)
		}
		checkSafeHTML(t, s.Content)
		checkSafeHTML(t, s.SpoilerText)
		if s.Account.Acct != a.acct() {
			t.Errorf("%s: author %s, want %s", name, s.Account.Acct, a.acct())
		}
		if s.URL != nil && !strings.HasPrefix(*s.URL, r.remote.origin+"/") && *s.URL != s.URI {
			t.Errorf("%s: url %s", name, *s.URL)
		}
	}
	if stored < 20 {
		t.Errorf("only %d objects were stored", stored)
	}
}

// TestInboxRealActors serves every actor document of the corpus (moved
// onto a fake server, with a key of the test's in place of the real one)
// and sends a Follow from it to a locked account: a usable actor becomes a
// follow request with sanitised profile text; an unusable one is a 401.
func TestInboxRealActors(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	alice := r.newUser("alice", true)
	k := testKeys()
	newPEM, _ := json.Marshal(publicPEM(k.remote))
	requests := 0
	for _, name := range fixtureNames(t, "actors") {
		raw := readFixture(t, "actors/"+name+".json")
		var doc struct {
			ID                string          `json:"id"`
			PreferredUsername string          `json:"preferredUsername"`
			PublicKey         json.RawMessage `json:"publicKey"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		u, err := url.Parse(doc.ID)
		if err != nil || u.Host == "" {
			t.Logf("%s: id %q is no URL, skipped", name, doc.ID)
			continue
		}
		// The key: its id, and its PEM replaced by the test's, byte for
		// byte elsewhere.
		var keys []struct {
			ID  string          `json:"id"`
			PEM json.RawMessage `json:"publicKeyPem"`
		}
		if len(doc.PublicKey) > 0 && doc.PublicKey[0] == '[' {
			_ = json.Unmarshal(doc.PublicKey, &keys)
		} else if len(doc.PublicKey) > 0 {
			keys = make([]struct {
				ID  string          `json:"id"`
				PEM json.RawMessage `json:"publicKeyPem"`
			}, 1)
			_ = json.Unmarshal(doc.PublicKey, &keys[0])
		}
		for _, key := range keys {
			if len(key.PEM) > 0 {
				raw = bytes.ReplaceAll(raw, key.PEM, newPEM)
			}
		}
		rm := newRemote(t) // one server each: usernames repeat across the corpus
		moved := moveHost(raw, u.Host, rm.origin)
		actorURI := rm.origin + strings.TrimPrefix(strings.TrimPrefix(doc.ID, u.Scheme+"://"), u.Host)
		a := rm.actorNamed(actorURI, doc.PreferredUsername)
		a.name = doc.PreferredUsername
		a.setDocument(moved)
		if len(keys) > 0 {
			ku, _ := url.Parse(keys[0].ID)
			if ku != nil && ku.Host == u.Host {
				a.keyID = rm.origin + strings.TrimPrefix(strings.TrimPrefix(keys[0].ID, ku.Scheme+"://"), ku.Host)
			}
			kr, _ := url.Parse(a.keyID)
			switch base := strings.TrimSuffix(a.keyID, "#"+kr.Fragment); {
			case base == actorURI:
			case kr.Fragment != "":
				// The actor at another spelling of its address
				// (BookWyrm's key is .../user/mouse/#main-key).
				rm.serve(base, moved)
			default:
				// A key of its own address (GoToSocial's /main-key,
				// streams' ?operation=rsakey).
				rm.serve(a.keyID, mustJSON(t, map[string]any{
					"@context": []string{asContext, "https://w3id.org/security/v1"},
					"id":       a.keyID, "type": "CryptographicKey", "owner": actorURI, "publicKeyPem": publicPEM(k.remote),
				}))
			}
		}
		follow := mustJSON(t, map[string]any{"@context": asContext, "id": actorURI + "#follow-alice", "type": "Follow", "actor": actorURI, "object": alice.URI})
		code, resp := r.send(a, follow)
		t.Logf("%s: %d %s", name, code, strings.TrimSpace(resp))
		switch {
		case code >= 500:
			t.Errorf("%s: %d %s", name, code, resp)
			continue
		case len(keys) == 0 || doc.PreferredUsername == "":
			if code != http.StatusUnauthorized {
				t.Errorf("%s: an actor without a key or name answered %d", name, code)
			}
			continue
		case code != http.StatusAccepted:
			t.Errorf("%s: %d %s", name, code, resp)
			continue
		}
		requests++
		acct := r.remoteAccount(alice, a)
		checkSafeHTML(t, acct.Note)
		if strings.ContainsAny(acct.DisplayName, "<>") {
			t.Errorf("%s: display name %q", name, acct.DisplayName)
		}
		for _, f := range acct.Fields {
			checkSafeHTML(t, f.Value)
		}
		for _, link := range []string{acct.URL, acct.Avatar, acct.Header} {
			if !strings.HasPrefix(link, "http://") && !strings.HasPrefix(link, "https://") {
				t.Errorf("%s: link %q", name, link)
			}
		}
	}
	var list []apiAccount
	r.must(alice, "GET", "/api/v1/follow_requests?limit=80", nil, &list)
	if len(list) != requests || requests < 35 {
		t.Errorf("%d follow requests listed, %d accepted", len(list), requests)
	}
}
