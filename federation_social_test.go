package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roost-social/roost/federation/sig"
)

// Blocks, moves, reports and pinned posts between servers: two Roost
// instances over loopback where Roost sends the activity itself, and a fake
// remote server (canned actors, signed activities, a record of what
// arrives) where Roost only receives it.

// relationship is the part of Mastodon's Relationship these tests read.
type relationship struct {
	Following  bool `json:"following"`
	FollowedBy bool `json:"followed_by"`
	Requested  bool `json:"requested"`
	Blocking   bool `json:"blocking"`
	BlockedBy  bool `json:"blocked_by"`
}

// relationshipWith is how a relates to the account id on a's server.
func (a *account) relationshipWith(id string) relationship {
	a.p.t.Helper()
	var rels []relationship
	a.must("GET", "/api/v1/accounts/relationships?id[]="+id, nil, &rels)
	if len(rels) != 1 {
		a.p.t.Fatalf("relationships: %v", rels)
	}
	return rels[0]
}

// lookup finds the account of handle on a's server and returns its ID.
func (a *account) lookup(handle string) string {
	a.p.t.Helper()
	var acc struct{ ID string }
	a.must("GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(handle), nil, &acc)
	return acc.ID
}

// followAndWait makes a follow the account id (a remote one) and waits for
// the Accept.
func (a *account) followAndWait(id string) {
	a.p.t.Helper()
	a.must("POST", "/api/v1/accounts/"+id+"/follow", nil, nil)
	eventually(a.p.t, a.name+"'s follow to be accepted", func() bool { return a.relationshipWith(id).Following })
}

func TestBlockAcrossServers(t *testing.T) {
	a, b := startPeer(t), startPeer(t)
	alice, bob := a.newAccount("alice"), b.newAccount("bob")
	remoteAlice := bob.lookup(alice.handle())
	remoteBob := alice.lookup(bob.handle())
	bob.followAndWait(remoteAlice)
	alice.followAndWait(remoteBob)

	var rel relationship
	alice.must("POST", "/api/v1/accounts/"+remoteBob+"/block", nil, &rel)
	if !rel.Blocking || rel.Following || rel.FollowedBy {
		t.Fatalf("alice's relationship after the block: %+v", rel)
	}
	eventually(t, "the block at bob's server", func() bool {
		r := bob.relationshipWith(remoteAlice)
		return r.BlockedBy && !r.Following && !r.FollowedBy && !r.Blocking
	})
	var me struct {
		FollowersCount int `json:"followers_count"`
		FollowingCount int `json:"following_count"`
	}
	bob.must("GET", "/api/v1/accounts/verify_credentials", nil, &me)
	if me.FollowersCount != 0 || me.FollowingCount != 0 {
		t.Fatalf("bob still has %d followers and %d follows", me.FollowersCount, me.FollowingCount)
	}
	if code := bob.call("POST", "/api/v1/accounts/"+remoteAlice+"/follow", nil, nil); code != 403 {
		t.Fatalf("bob follows the account that blocks him: %d", code)
	}
	var blocks []struct{ ID string }
	alice.must("GET", "/api/v1/blocks", nil, &blocks)
	if len(blocks) != 1 || blocks[0].ID != remoteBob {
		t.Fatalf("alice's blocks: %+v", blocks)
	}

	alice.must("POST", "/api/v1/accounts/"+remoteBob+"/unblock", nil, &rel)
	if rel.Blocking {
		t.Fatalf("alice's relationship after the unblock: %+v", rel)
	}
	eventually(t, "the unblock at bob's server", func() bool { return !bob.relationshipWith(remoteAlice).BlockedBy })
	bob.followAndWait(remoteAlice)
}

func TestFeaturedAcrossServers(t *testing.T) {
	a, b := startPeer(t), startPeer(t)
	alice, bob := a.newAccount("alice"), b.newAccount("bob")
	// One post from before bob followed: his server has never seen it.
	var old, fresh apiStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"from before"}}, &old)
	remoteAlice := bob.lookup(alice.handle())
	bob.followAndWait(remoteAlice)
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"fresh"}}, &fresh)

	pinned := func() []string {
		var ss []apiStatus
		bob.must("GET", "/api/v1/accounts/"+remoteAlice+"/statuses?pinned=true", nil, &ss)
		var uris []string
		for _, s := range ss {
			uris = append(uris, s.URI)
		}
		return uris
	}
	// Published times have whole seconds, so the two posts may sort either
	// way: compare as sets.
	same := func(got []string, want ...string) bool {
		slices.Sort(got)
		slices.Sort(want)
		return slices.Equal(got, want)
	}

	alice.must("POST", "/api/v1/statuses/"+fresh.ID+"/pin", nil, nil)
	eventually(t, "the pin at bob's server", func() bool { return same(pinned(), fresh.URI) })
	alice.must("POST", "/api/v1/statuses/"+old.ID+"/pin", nil, nil)
	eventually(t, "the pin of a post bob's server fetches", func() bool { return same(pinned(), fresh.URI, old.URI) })
	alice.must("POST", "/api/v1/statuses/"+fresh.ID+"/unpin", nil, nil)
	eventually(t, "the unpin at bob's server", func() bool { return same(pinned(), old.URI) })
}

// socialRemote is a remote server that serves canned actors and objects,
// signs what its actors send and records what it receives.
type socialRemote struct {
	t    *testing.T
	srv  *httptest.Server
	host string

	mu       sync.Mutex
	docs     map[string][]byte // path → JSON document
	received []map[string]any
}

// socialRemoteKey signs for every fake actor; made once, as RSA keys are slow to
// make under the race detector.
var socialRemoteKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func newSocialRemote(t *testing.T) *socialRemote {
	f := &socialRemote{t: t, docs: map[string][]byte{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serveHTTP))
	t.Cleanup(f.srv.Close)
	f.host = strings.TrimPrefix(f.srv.URL, "http://")
	return f
}

func (f *socialRemote) url(path string) string { return f.srv.URL + path }

func (f *socialRemote) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			f.mu.Lock()
			f.received = append(f.received, m)
			f.mu.Unlock()
		}
		w.WriteHeader(http.StatusAccepted)
		return
	}
	path := r.URL.Path
	if path == "/.well-known/webfinger" {
		name, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Query().Get("resource"), "acct:"), "@")
		path = "/users/" + name
		if _, ok := f.doc(path); !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/jrd+json")
		json.NewEncoder(w).Encode(map[string]any{
			"subject": r.URL.Query().Get("resource"),
			"links":   []map[string]string{{"rel": "self", "type": "application/activity+json", "href": f.url(path)}},
		})
		return
	}
	doc, ok := f.doc(path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/activity+json")
	w.Write(doc)
}

func (f *socialRemote) doc(path string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.docs[path]
	return d, ok
}

// serve publishes doc at path.
func (f *socialRemote) serve(path string, doc map[string]any) {
	b, err := json.Marshal(doc)
	if err != nil {
		f.t.Fatal(err)
	}
	f.mu.Lock()
	f.docs[path] = b
	f.mu.Unlock()
}

// actor publishes the Person name, with extra properties, and returns its
// id.
func (f *socialRemote) actor(name string, extra map[string]any) string {
	f.t.Helper()
	pub, err := x509.MarshalPKIXPublicKey(&socialRemoteKey().PublicKey)
	if err != nil {
		f.t.Fatal(err)
	}
	id := f.url("/users/" + name)
	doc := map[string]any{
		"@context":          []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":                id,
		"type":              "Person",
		"preferredUsername": name,
		"inbox":             id + "/inbox",
		"outbox":            id + "/outbox",
		"followers":         id + "/followers",
		"featured":          id + "/collections/featured",
		"endpoints":         map[string]string{"sharedInbox": f.url("/inbox")},
		"publicKey": map[string]string{
			"id": id + "#main-key", "owner": id,
			"publicKeyPem": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		},
	}
	for k, v := range extra {
		doc[k] = v
	}
	f.serve("/users/"+name, doc)
	return id
}

// send posts an activity signed by actor (an id of this server) to a
// Roost's shared inbox and returns the status code.
func (f *socialRemote) send(p *peer, actor string, body []byte) int {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+p.domain+"/inbox", bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if err := sig.SignRequest(req, body, actor+"#main-key", socialRemoteKey(), time.Now()); err != nil {
		f.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// sendJSON is send of a document built here.
func (f *socialRemote) sendJSON(p *peer, actor string, act map[string]any) int {
	f.t.Helper()
	b, err := json.Marshal(act)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.send(p, actor, b)
}

// got returns the activities received so far of type typ.
func (f *socialRemote) got(typ string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for _, m := range f.received {
		if m["type"] == typ {
			out = append(out, m)
		}
	}
	return out
}

// fixture reads an activity of the shared corpus with its hosts and ids
// rewritten by the pairs in repl (old, new, ...), skipping the test when
// the corpus is not beside the repository.
func fixture(t *testing.T, name string, repl ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "shared", "fixtures", "activitypub", "activities", name+".json"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("fixture corpus not found: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer(repl...).Replace(string(b)))
}

// acceptFollow has the fake actor target accept the Follow it received
// from the Roost account a.
func (f *socialRemote) acceptFollow(a *account, target string) {
	f.t.Helper()
	p := a.p
	follower := "http://" + p.domain + "/users/" + a.name
	var follow map[string]any
	eventually(f.t, a.name+"'s Follow of "+target, func() bool {
		for _, m := range f.got("Follow") {
			if m["object"] == target && m["actor"] == follower {
				follow = m
			}
		}
		return follow != nil
	})
	code := f.sendJSON(p, target, map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       target + "#accepts/1", "type": "Accept", "actor": target, "object": follow,
	})
	if code != 202 {
		f.t.Fatalf("Accept: %d", code)
	}
}

func TestMoveFromRemoteServer(t *testing.T) {
	b := startPeer(t)
	bob, carol := b.newAccount("bob"), b.newAccount("carol")
	fake := newSocialRemote(t)
	oldURI := fake.actor("old", nil)
	newURI := fake.actor("new", map[string]any{"alsoKnownAs": []string{oldURI}})
	liarURI := fake.actor("liar", nil)

	oldID := bob.lookup("old@" + fake.host)
	bob.must("POST", "/api/v1/accounts/"+oldID+"/follow", url.Values{"reblogs": {"false"}, "notify": {"true"}}, nil)
	fake.acceptFollow(bob, oldURI)
	eventually(t, "bob to follow old", func() bool { return bob.relationshipWith(oldID).Following })
	carol.must("POST", "/api/v1/accounts/"+oldID+"/follow", nil, nil)
	fake.acceptFollow(carol, oldURI)
	eventually(t, "carol to follow old", func() bool { return carol.relationshipWith(oldID).Following })

	move := func(actor, object, target string) int {
		return fake.sendJSON(b, actor, map[string]any{
			"@context": "https://www.w3.org/ns/activitystreams",
			"id":       actor + "#moves/1", "type": "Move", "actor": actor, "object": object, "target": target,
			"to": actor + "/followers",
		})
	}
	// A target that does not name the old account is no move; nor is
	// moving someone else.
	if code := move(oldURI, oldURI, liarURI); code != 422 {
		t.Fatalf("move to an actor without the alias: %d, want 422", code)
	}
	if code := move(liarURI, oldURI, newURI); code != 403 {
		t.Fatalf("move of another actor: %d, want 403", code)
	}
	if !bob.relationshipWith(oldID).Following {
		t.Fatal("a refused move changed bob's follow")
	}

	// The real move, from Mastodon's shape.
	body := fixture(t, "mastodon-move",
		"https://mastodon.example/users/alice#moves/1", oldURI+"#moves/2",
		"https://mastodon.example/users/alice/followers", oldURI+"/followers",
		"https://mastodon.example/users/alice", oldURI,
		"https://alice.com/users/109835986274379", newURI)
	if code := fake.send(b, oldURI, body); code != 202 {
		t.Fatalf("move: %d", code)
	}
	newID := bob.lookup("new@" + fake.host)
	for _, who := range []*account{bob, carol} {
		if r := who.relationshipWith(oldID); r.Following || r.Requested {
			t.Errorf("%s still follows old: %+v", who.name, r)
		}
		if r := who.relationshipWith(newID); !r.Requested {
			t.Errorf("%s has not asked to follow new: %+v", who.name, r)
		}
	}
	eventually(t, "the Follows of new and the Undos of old", func() bool {
		follows, undos := 0, 0
		for _, m := range fake.got("Follow") {
			if m["object"] == newURI {
				follows++
			}
		}
		for _, m := range fake.got("Undo") {
			if o, _ := m["object"].(map[string]any); o["type"] == "Follow" && o["object"] == oldURI {
				undos++
			}
		}
		return follows == 2 && undos == 2
	})
	var moved struct {
		Moved *struct{ ID string } `json:"moved"`
	}
	bob.must("GET", "/api/v1/accounts/"+oldID, nil, &moved)
	if moved.Moved == nil || moved.Moved.ID != newID {
		t.Fatalf("old account's moved: %+v", moved.Moved)
	}

	// New accepts: bob's options came along.
	fake.acceptFollow(bob, newURI)
	eventually(t, "bob to follow new", func() bool { return bob.relationshipWith(newID).Following })
	var rels []struct {
		ShowingReblogs bool `json:"showing_reblogs"`
		Notifying      bool `json:"notifying"`
	}
	bob.must("GET", "/api/v1/accounts/relationships?id[]="+newID, nil, &rels)
	if len(rels) != 1 || rels[0].ShowingReblogs || !rels[0].Notifying {
		t.Fatalf("bob's follow options after the move: %+v", rels)
	}
}

func TestFlagsFromRemoteServers(t *testing.T) {
	a := startPeer(t)
	alice := a.newAccount("alice")
	ctx := context.Background()
	if _, err := a.m.Server.CreateAccount(ctx, "admin", "admin@example.com", "password-admin", "admin"); err != nil {
		t.Fatal(err)
	}
	tok, err := a.m.Server.CreateCLIToken(ctx, "admin", "read")
	if err != nil {
		t.Fatal(err)
	}
	admin := &account{p: a, name: "admin", token: tok}
	var p1, p2 apiStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"first"}}, &p1)
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"second"}}, &p2)
	aliceURI := "http://" + a.domain + "/users/alice"

	fake := newSocialRemote(t)
	mod := fake.actor("mod", nil)
	cases := []struct {
		name    string
		body    []byte
		comment string
		posts   []string
	}{
		{"mastodon", fixture(t, "mastodon-flag-report",
			"https://mastodon.example/ccb4f39a-506a-490e-9a8c-71831c7713a4", fake.url("/flags/1"),
			"https://mastodon.example/actor", mod,
			"https://example.com/users/1", aliceURI,
			"https://example.com/posts/380590", p1.URI,
			"https://example.com/posts/380591", p2.URI),
			"Please take a look at this user and their posts", []string{p1.ID, p2.ID}},
		{"gotosocial", fixture(t, "gotosocial-flag-report",
			"http://localhost:8080/reports/01GP3AWY4CRDVRNZKW0TEAMB5R", fake.url("/flags/2"),
			"http://localhost:8080/users/localhost:8080", mod,
			"http://fossbros-anonymous.io/users/foss_satan/statuses/01FVW7JHQFSFK166WWKR8CBA6M", p2.URI,
			"http://fossbros-anonymous.io/users/foss_satan", aliceURI),
			"dark souls sucks, please yeet this nerd", []string{p2.ID}},
		{"lemmy", fixture(t, "lemmy-flag-report",
			"http://ds9.lemmy.ml/activities/flag/98b0933f-5e45-4a95-a15f-e0dc86361ba4", fake.url("/flags/3"),
			"http://ds9.lemmy.ml/u/lemmy_alpha", mod,
			"http://enterprise.lemmy.ml/post/7", p1.URI),
			"report this post", []string{p1.ID}},
	}
	for _, c := range cases {
		if code := fake.send(a, mod, c.body); code != 202 {
			t.Fatalf("%s flag: %d", c.name, code)
		}
	}
	// The same Flag again is no second report.
	if code := fake.send(a, mod, cases[0].body); code != 202 {
		t.Fatalf("repeated flag: %d", code)
	}

	reports, err := a.m.Store.Reports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != len(cases) {
		t.Fatalf("%d reports, want %d", len(reports), len(cases))
	}
	for i, c := range cases {
		r := reports[len(reports)-1-i] // newest first
		if r.TargetAccountID != alice.id || r.Comment != c.comment || strings.Join(r.StatusIDs, ",") != strings.Join(c.posts, ",") {
			t.Errorf("%s report: %+v", c.name, r)
		}
	}
	var ns []struct {
		Type    string
		Account struct{ Acct string }
	}
	admin.must("GET", "/api/v1/notifications", nil, &ns)
	if len(ns) != len(cases) {
		t.Fatalf("admin has %d notifications, want %d", len(ns), len(cases))
	}
	for _, n := range ns {
		if n.Type != "admin.report" || n.Account.Acct != "mod@"+fake.host {
			t.Errorf("notification %+v", n)
		}
	}
	alice.must("GET", "/api/v1/notifications", nil, &ns)
	if len(ns) != 0 {
		t.Errorf("the reported user was told: %+v", ns)
	}

	// A report naming nothing here is accepted and dropped, as Mastodon
	// does: no report, no notification.
	if code := fake.sendJSON(a, mod, map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": fake.url("/flags/4"), "type": "Flag",
		"actor": mod, "object": []string{fake.url("/users/mod")}, "content": "elsewhere",
	}); code != 202 {
		t.Fatalf("a flag of nothing here: %d, want 202", code)
	}
	if reports, err := a.m.Store.Reports(context.Background()); err != nil || len(reports) != 3 {
		t.Fatalf("reports after a flag of nothing here: %d (%v)", len(reports), err)
	}
}

func TestRemoteBlockAndFeatured(t *testing.T) {
	a := startPeer(t)
	alice := a.newAccount("alice")
	fake := newSocialRemote(t)
	carolURI := fake.actor("carol", nil)
	carolID := alice.lookup("carol@" + fake.host)
	aliceURI := "http://" + a.domain + "/users/alice"

	// Carol follows alice, then blocks her (Mastodon's shape).
	follow := map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
		"id": carolURI + "#follows/1", "type": "Follow", "actor": carolURI, "object": aliceURI}
	if code := fake.sendJSON(a, carolURI, follow); code != 202 {
		t.Fatalf("follow: %d", code)
	}
	if !alice.relationshipWith(carolID).FollowedBy {
		t.Fatal("carol does not follow alice")
	}
	block := fixture(t, "mastodon-block",
		"https://mastodon.example/bd06bb61-01e0-447a-9dc8-95915db9aec8", carolURI+"#blocks/1",
		"https://mastodon.example/users/alice", carolURI,
		"https://example.com/~mallory", aliceURI)
	if code := fake.send(a, carolURI, block); code != 202 {
		t.Fatalf("block: %d", code)
	}
	if r := alice.relationshipWith(carolID); !r.BlockedBy || r.FollowedBy {
		t.Fatalf("alice's relationship after carol's block: %+v", r)
	}
	// While blocked, a follow from carol is rejected.
	follow["id"] = carolURI + "#follows/2"
	if code := fake.sendJSON(a, carolURI, follow); code != 202 {
		t.Fatalf("follow while blocking: %d", code)
	}
	eventually(t, "the Reject of carol's follow", func() bool { return len(fake.got("Reject")) == 1 })
	if alice.relationshipWith(carolID).FollowedBy {
		t.Fatal("a blocking account's follow went through")
	}
	// Mastodon's Undo of a Block, as its fixture has it.
	undo := fixture(t, "mastodon-undo-block",
		"http://mastodon.example.org/users/admin#blocks/2", carolURI+"#blocks/1",
		"http://mastodon.example.org/users/admin", carolURI,
		"http://localtesting.pleroma.lol/users/lain", aliceURI)
	if code := fake.send(a, carolURI, undo); code != 202 {
		t.Fatalf("undo block: %d", code)
	}
	if alice.relationshipWith(carolID).BlockedBy {
		t.Fatal("carol's block outlived its Undo")
	}
	// Blocked again, then undone by the Block's id alone.
	if code := fake.send(a, carolURI, block); code != 202 {
		t.Fatalf("block again: %d", code)
	}
	if code := fake.sendJSON(a, carolURI, map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
		"id": carolURI + "#blocks/1/undo", "type": "Undo", "actor": carolURI, "object": carolURI + "#blocks/1"}); code != 202 {
		t.Fatalf("undo by id: %d", code)
	}
	if alice.relationshipWith(carolID).BlockedBy {
		t.Fatal("carol's block outlived its Undo by id")
	}

	// Lemmy's Add to a community's featured posts is not carol's pin.
	post := fake.url("/post/2")
	fake.serve("/post/2", map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
		"id": post, "type": "Note", "attributedTo": carolURI, "content": "<p>pinned</p>",
		"to": []string{"https://www.w3.org/ns/activitystreams#Public"}, "published": "2024-01-01T00:00:00Z"})
	lemmy := func(name, target string) []byte {
		return fixture(t, name,
			"https://ds9.lemmy.ml/activities/add/47d911f5-52c5-4659-b2fd-0e58c451a427", fake.url("/activities/"+name),
			"https://ds9.lemmy.ml/u/lemmy_alpha", carolURI,
			"https://ds9.lemmy.ml/post/2", post,
			"https://ds9.lemmy.ml/c/main/featured", target,
			"https://ds9.lemmy.ml/c/main", fake.url("/c/main"),
			"http://enterprise.lemmy.ml/u/main", fake.url("/c/main"))
	}
	pinned := func() int {
		var ss []apiStatus
		alice.must("GET", "/api/v1/accounts/"+carolID+"/statuses?pinned=true", nil, &ss)
		return len(ss)
	}
	if code := fake.send(a, carolURI, lemmy("lemmy-add-featured-post", fake.url("/c/main/featured"))); code != 202 {
		t.Fatalf("add to a community: %d", code)
	}
	if n := pinned(); n != 0 {
		t.Fatalf("a community's featured post became carol's pin: %d", n)
	}
	// The same shape aimed at carol's own featured collection pins the
	// post, fetched from its id.
	if code := fake.send(a, carolURI, lemmy("lemmy-add-featured-post", carolURI+"/collections/featured")); code != 202 {
		t.Fatalf("add to carol's featured: %d", code)
	}
	if n := pinned(); n != 1 {
		t.Fatalf("carol has %d pins, want 1", n)
	}
	if code := fake.send(a, carolURI, lemmy("lemmy-remove-featured-post", carolURI+"/collections/featured")); code != 202 {
		t.Fatalf("remove from carol's featured: %d", code)
	}
	if n := pinned(); n != 0 {
		t.Fatalf("carol has %d pins after the Remove, want 0", n)
	}
}
