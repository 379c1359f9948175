package federation_test

// The rig the inbox tests run on: one Roost instance served over loopback
// HTTP, with its delivery workers running, and fake remote servers that
// serve canned actors and objects and record what Roost delivers to them.
// Activities come from the shared fixture corpus, moved onto the test's
// hosts by string substitution so that origin checks pass; everything else
// in them stays as the real servers wrote it.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roost-social/roost/federation"
	"github.com/roost-social/roost/federation/fetch"
	"github.com/roost-social/roost/federation/sig"
	"github.com/roost-social/roost/server"
	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/sqlite"
)

// fixtureDir is the shared corpus of real servers' documents.
const fixtureDir = "../../shared/fixtures/activitypub"

const asContext = "https://www.w3.org/ns/activitystreams"

// readFixture returns a fixture file, skipping the test when the corpus is
// not checked out beside the repository.
func readFixture(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, rel))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("fixture corpus not found at %s", fixtureDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Keys are made once per test binary: RSA key generation would otherwise
// dominate the suite's time under the race detector.
var testKeys = sync.OnceValue(func() (k struct {
	remote, rotated, attacker *rsa.PrivateKey
	fast                      ed25519.PrivateKey // for tests that send many activities
	localPub, localPriv       string
}) {
	var err error
	for _, p := range []**rsa.PrivateKey{&k.remote, &k.rotated, &k.attacker} {
		if *p, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	}
	if _, k.fast, err = ed25519.GenerateKey(rand.Reader); err != nil {
		panic(err)
	}
	if k.localPub, k.localPriv, err = federation.NewKeyPair(); err != nil {
		panic(err)
	}
	return k
})

func publicPEM(k crypto.PrivateKey) string {
	der, err := x509.MarshalPKIXPublicKey(k.(crypto.Signer).Public())
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// logBuffer collects the instance's log; a failing test prints it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// rig is one Roost instance and two fake remote servers on other hosts
// (other ports of 127.0.0.1, so other hosts to the origin checks).
type rig struct {
	t      *testing.T
	st     store.Store
	srv    *server.Server
	base   string // http://127.0.0.1:port, Roost's ids
	host   string
	remote *remote // where the activities under test come from
	other  *remote // a second host, for objects that live elsewhere
	client *http.Client
}

func newRig(t *testing.T) *rig {
	t.Helper()
	readFixture(t, "SOURCES.md") // skip early without the corpus
	r := &rig{t: t, client: &http.Client{Timeout: 20 * time.Second}}
	// The fake servers are made first so that they close last, after
	// Roost's delivery workers have stopped.
	r.remote, r.other = newRemote(t), newRemote(t)

	ctx := context.Background()
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tmpl, err := templateDB()
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(t.TempDir(), "roost.db")
	if err := os.WriteFile(dbPath, tmpl, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, dbPath, logger)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.host = ln.Addr().String()
	r.base = "http://" + r.host
	// The instance actor signs Roost's fetches; made here with the test
	// key, as Roost would make it on first use with a new one.
	k := testKeys()
	uri := r.base + "/actor"
	if err := st.CreateLocalAccount(ctx, &store.Account{
		Username: federation.InstanceActorName, URI: uri, URL: r.base + "/about", InboxURL: uri + "/inbox",
		SharedInbox: r.base + "/inbox", OutboxURL: uri + "/outbox", Locked: true, Bot: true,
		PublicKeyPEM: k.localPub, PrivateKey: k.localPriv, KeyID: uri + "#main-key",
	}, nil); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{
		LocalDomain:  r.host,
		WebDomain:    r.host,
		HTTPS:        false,
		MaxTootChars: 500,
		Version:      "0.0.0-test",
		Secret:       []byte("0123456789abcdef0123456789abcdef"),
		Fetch: &fetch.Config{
			AllowHTTP:      true,
			AllowedPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
			Timeout:        5 * time.Second,
		},
	}, st, logger)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Federation().NewDeliverer(2).Run(runCtx)
	}()
	t.Cleanup(func() {
		stop()
		<-done
		hs.Close()
		srv.Federation().Close() // background fetches, before the store goes
		st.Close()
		if t.Failed() {
			t.Logf("roost log:\n%s", logs.String())
		}
	})
	r.st, r.srv = st, srv
	return r
}

// templateDB is an empty, migrated database, made once: migrating a new
// one for every test would cost more than the tests.
var templateDB = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "roost-inbox-test-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	st, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		return nil, err
	}
	if err := st.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
})

// localUser is a local account with a full-scope token.
type localUser struct {
	*store.Account
	token string
}

// newUser makes a local account directly in the store (a dummy password
// hash: nobody signs in) and a token for it.
func (r *rig) newUser(name string, locked bool) *localUser {
	r.t.Helper()
	ctx := context.Background()
	k := testKeys()
	uri := r.base + "/users/" + name
	a := &store.Account{
		Username: name, Locked: locked, Discoverable: true,
		URI: uri, URL: r.base + "/@" + name, InboxURL: uri + "/inbox", SharedInbox: r.base + "/inbox",
		OutboxURL: uri + "/outbox", FollowersURL: uri + "/followers", FollowingURL: uri + "/following",
		FeaturedURL: uri + "/collections/featured", PublicKeyPEM: k.localPub, PrivateKey: k.localPriv,
		KeyID: uri + "#main-key", Privacy: store.VisibilityPublic, CreatedAt: time.Now(), UpdatedAt: time.Now(),
	}
	u := &store.User{Email: name + "@example.com", PasswordHash: "-", Role: store.RoleUser, CreatedAt: time.Now()}
	if err := r.st.CreateLocalAccount(ctx, a, u); err != nil {
		r.t.Fatal(err)
	}
	tok, err := r.srv.CreateCLIToken(ctx, name, "read write follow push")
	if err != nil {
		r.t.Fatal(err)
	}
	return &localUser{Account: a, token: tok}
}

// call sends a client API request as u (nil: anonymous) and decodes a 200
// answer into out.
func (r *rig) call(u *localUser, method, path string, form url.Values, out any) int {
	r.t.Helper()
	req, err := http.NewRequest(method, r.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if u != nil {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, out); err != nil {
			r.t.Fatalf("%s %s: %v\n%s", method, path, err, body)
		}
	}
	return resp.StatusCode
}

func (r *rig) must(u *localUser, method, path string, form url.Values, out any) {
	r.t.Helper()
	if code := r.call(u, method, path, form, out); code != http.StatusOK {
		r.t.Fatalf("%s %s: status %d", method, path, code)
	}
}

// The Mastodon entities, as far as the tests read them.
type apiAccount struct {
	ID             string `json:"id"`
	Acct           string `json:"acct"`
	Username       string `json:"username"`
	DisplayName    string `json:"display_name"`
	Note           string `json:"note"`
	URL            string `json:"url"`
	Avatar         string `json:"avatar"`
	Header         string `json:"header"`
	Locked         bool   `json:"locked"`
	FollowersCount int    `json:"followers_count"`
	FollowingCount int    `json:"following_count"`
	StatusesCount  int    `json:"statuses_count"`
	Fields         []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields"`
}

type apiStatus struct {
	ID              string     `json:"id"`
	CreatedAt       string     `json:"created_at"`
	URI             string     `json:"uri"`
	URL             *string    `json:"url"`
	Content         string     `json:"content"`
	SpoilerText     string     `json:"spoiler_text"`
	Sensitive       bool       `json:"sensitive"`
	Visibility      string     `json:"visibility"`
	InReplyToID     *string    `json:"in_reply_to_id"`
	RepliesCount    int        `json:"replies_count"`
	ReblogsCount    int        `json:"reblogs_count"`
	FavouritesCount int        `json:"favourites_count"`
	EditedAt        *string    `json:"edited_at"`
	Account         apiAccount `json:"account"`
	Reblog          *apiStatus `json:"reblog"`
	Mentions        []struct {
		ID   string `json:"id"`
		Acct string `json:"acct"`
	} `json:"mentions"`
	Tags []struct {
		Name string `json:"name"`
	} `json:"tags"`
	Poll  *apiPoll `json:"poll"`
	Media []struct {
		URL         string `json:"url"`
		RemoteURL   string `json:"remote_url"`
		Description string `json:"description"`
	} `json:"media_attachments"`
}

type apiPoll struct {
	ID         string `json:"id"`
	Multiple   bool   `json:"multiple"`
	VotesCount int    `json:"votes_count"`
	Options    []struct {
		Title      string `json:"title"`
		VotesCount *int   `json:"votes_count"`
	} `json:"options"`
}

type apiNotification struct {
	ID      string     `json:"id"`
	Type    string     `json:"type"`
	Account apiAccount `json:"account"`
	Status  *apiStatus `json:"status"`
}

type apiRelationship struct {
	ID         string `json:"id"`
	Following  bool   `json:"following"`
	FollowedBy bool   `json:"followed_by"`
	Requested  bool   `json:"requested"`
}

// post publishes a status as u through the API.
func (r *rig) post(u *localUser, text string, extra ...string) apiStatus {
	r.t.Helper()
	form := url.Values{"status": {text}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	var s apiStatus
	r.must(u, "POST", "/api/v1/statuses", form, &s)
	return s
}

// statusID is the ID of the status stored under an ActivityPub id, "" when
// there is none. Tests use it only to find what to ask the API for.
func (r *rig) statusID(uri string) string {
	s, err := r.st.StatusByURI(context.Background(), uri)
	if err != nil {
		return ""
	}
	return s.ID
}

// status reads a status through the API as u; ok is false on a 404.
func (r *rig) status(u *localUser, id string) (s apiStatus, ok bool) {
	r.t.Helper()
	switch code := r.call(u, "GET", "/api/v1/statuses/"+id, nil, &s); code {
	case http.StatusOK:
		return s, true
	case http.StatusNotFound:
		return s, false
	default:
		r.t.Fatalf("GET status %s: %d", id, code)
	}
	return s, false
}

// remoteStatus reads, as u, the status stored under a remote id.
func (r *rig) remoteStatus(u *localUser, uri string) apiStatus {
	r.t.Helper()
	id := r.statusID(uri)
	if id == "" {
		r.t.Fatalf("no status was stored for %s", uri)
	}
	s, ok := r.status(u, id)
	if !ok {
		r.t.Fatalf("status %s (%s) is not visible", id, uri)
	}
	return s
}

func (r *rig) notifications(u *localUser, types ...string) []apiNotification {
	r.t.Helper()
	q := url.Values{"types[]": types}
	var ns []apiNotification
	r.must(u, "GET", "/api/v1/notifications?"+q.Encode(), nil, &ns)
	return ns
}

func (r *rig) relationship(u *localUser, accountID string) apiRelationship {
	r.t.Helper()
	var rels []apiRelationship
	r.must(u, "GET", "/api/v1/accounts/relationships?id[]="+accountID, nil, &rels)
	if len(rels) != 1 {
		r.t.Fatalf("%d relationships", len(rels))
	}
	return rels[0]
}

func (r *rig) timeline(u *localUser, path string) []apiStatus {
	r.t.Helper()
	var ss []apiStatus
	r.must(u, "GET", path, nil, &ss)
	return ss
}

// findURI returns the status of the list whose uri (or whose boosted
// status's uri, with boosts set) is uri.
func findURI(ss []apiStatus, uri string, boosts bool) *apiStatus {
	for i, s := range ss {
		if s.URI == uri || boosts && s.Reblog != nil && s.Reblog.URI == uri {
			return &ss[i]
		}
	}
	return nil
}

// remoteAccount finds a remote actor's account through the API.
func (r *rig) remoteAccount(u *localUser, a *actor) apiAccount {
	r.t.Helper()
	var acct apiAccount
	r.must(u, "GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(a.acct()), nil, &acct)
	return acct
}

// eventually polls cond for up to 10 seconds: deliveries are asynchronous.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sendOptions change how send signs and posts.
type sendOptions struct {
	path     string
	date     time.Time
	key      crypto.PrivateKey
	keyID    string
	unsigned bool
	tamper   func(req *http.Request) // after signing
}

type sendOption func(*sendOptions)

func toPath(p string) sendOption             { return func(o *sendOptions) { o.path = p } }
func signedAt(t time.Time) sendOption        { return func(o *sendOptions) { o.date = t } }
func withKey(k crypto.PrivateKey) sendOption { return func(o *sendOptions) { o.key = k } }
func withKeyID(id string) sendOption         { return func(o *sendOptions) { o.keyID = id } }
func unsigned() sendOption                   { return func(o *sendOptions) { o.unsigned = true } }
func tampered(f func(*http.Request)) sendOption {
	return func(o *sendOptions) { o.tamper = f }
}

// send posts body to Roost's inbox signed as a (draft-cavage, with our
// signer) and returns the status and body of the answer.
func (r *rig) send(a *actor, body []byte, opts ...sendOption) (int, string) {
	r.t.Helper()
	o := sendOptions{path: "/inbox"}
	for _, f := range opts {
		f(&o)
	}
	req, err := http.NewRequest("POST", r.base+o.path, bytes.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if !o.date.IsZero() {
		req.Header.Set("Date", o.date.UTC().Format(http.TimeFormat))
	}
	if !o.unsigned {
		key, keyID := a.signingKey()
		if o.key != nil {
			key = o.key
		}
		if o.keyID != "" {
			keyID = o.keyID
		}
		if err := sig.SignRequest(req, body, keyID, key, time.Now()); err != nil {
			r.t.Fatal(err)
		}
	}
	if o.tamper != nil {
		o.tamper(req)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// deliver sends and requires 202 Accepted.
func (r *rig) deliver(a *actor, body []byte, opts ...sendOption) {
	r.t.Helper()
	if code, resp := r.send(a, body, opts...); code != http.StatusAccepted {
		r.t.Fatalf("inbox answered %d (%s) to\n%s", code, resp, body)
	}
}

// expect sends and requires the given status.
func (r *rig) expect(want int, a *actor, body []byte, opts ...sendOption) {
	r.t.Helper()
	if code, resp := r.send(a, body, opts...); code != want {
		r.t.Fatalf("inbox answered %d (%s), want %d, to\n%s", code, resp, want, body)
	}
}

// activity reads activities/<name>.json and moves it onto the test's
// hosts: each old→new pair of repl is substituted first, in order, then
// every URL on the host of the activity's actor is moved to rm. The actor
// is registered on rm (made up the first time) and returned.
func (r *rig) activity(name string, rm *remote, repl ...string) ([]byte, *actor) {
	r.t.Helper()
	return r.moveOnto(readFixture(r.t, "activities/"+name+".json"), rm, repl...)
}

func (r *rig) moveOnto(raw []byte, rm *remote, repl ...string) ([]byte, *actor) {
	r.t.Helper()
	var doc struct {
		Actor json.RawMessage `json:"actor"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		r.t.Fatalf("fixture: %v", err)
	}
	actorURI, name := "", ""
	var s string
	var inline struct {
		ID                string `json:"id"`
		PreferredUsername string `json:"preferredUsername"`
	}
	switch {
	case json.Unmarshal(doc.Actor, &s) == nil:
		actorURI = s
	case json.Unmarshal(doc.Actor, &inline) == nil:
		actorURI, name = inline.ID, inline.PreferredUsername
	}
	u, err := url.Parse(actorURI)
	if err != nil || u.Host == "" {
		r.t.Fatalf("fixture actor %q", actorURI)
	}
	b := raw
	for i := 0; i+1 < len(repl); i += 2 {
		b = bytes.ReplaceAll(b, []byte(repl[i]), []byte(repl[i+1]))
	}
	b = moveHost(b, u.Host, rm.origin)
	newURI := rm.origin + strings.TrimPrefix(strings.TrimPrefix(actorURI, u.Scheme+"://"), u.Host)
	return b, rm.actorNamed(newURI, name)
}

// moveHost rewrites every http(s) URL on host to origin, plain or with the
// slashes JSON-escaped; a URL on a longer host name that merely starts
// with host is left alone.
func moveHost(b []byte, host, origin string) []byte {
	for _, scheme := range []string{"https", "http"} {
		for _, sep := range []string{"//", `\/\/`} {
			old := []byte(scheme + ":" + sep + host)
			repl := origin
			if sep != "//" {
				repl = strings.ReplaceAll(origin, "/", `\/`)
			}
			var out []byte
			for {
				i := bytes.Index(b, old)
				if i < 0 {
					break
				}
				end := i + len(old)
				if end == len(b) || strings.IndexByte(`/"#?\`, b[end]) >= 0 {
					out = append(append(out, b[:i]...), repl...)
				} else {
					out = append(out, b[:end]...)
				}
				b = b[end:]
			}
			b = append(out, b...)
		}
	}
	return b
}

// docID is the "id" of a JSON document.
func docID(t testing.TB, b []byte) string {
	t.Helper()
	var d struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// edit decodes a JSON document, lets f change it and encodes it again (for
// documents the tests derive from fixtures, such as a Create made from an
// Update).
func edit(t testing.TB, b []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// remote is a fake fediverse server: it serves the actors and documents
// registered on it, answers WebFinger for its actors, and records (and
// checks the signatures of) the activities delivered to any inbox of it.
type remote struct {
	t      testing.TB
	hs     *httptest.Server
	origin string
	host   string

	mu       sync.Mutex
	actors   map[string]*actor // by request URI (path and query)
	docs     map[string][]byte // other documents, by request URI
	gets     map[string]int    // GETs per request URI
	received []delivery
}

// delivery is one POST that arrived.
type delivery struct {
	Path     string
	Body     []byte
	Activity map[string]any
	SigErr   error // nil when the signature verified with the sender's published key
}

func (d delivery) typ() string { s, _ := d.Activity["type"].(string); return s }

func (d delivery) actor() string { return refID(d.Activity["actor"]) }

func (d delivery) object() string { return refID(d.Activity["object"]) }

// embedded is the embedded object of the activity, or nil.
func (d delivery) embedded() map[string]any { m, _ := d.Activity["object"].(map[string]any); return m }

func refID(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["id"].(string)
		return s
	}
	return ""
}

func newRemote(t testing.TB) *remote {
	rm := &remote{t: t, actors: map[string]*actor{}, docs: map[string][]byte{}, gets: map[string]int{}}
	rm.hs = httptest.NewServer(rm)
	t.Cleanup(rm.hs.Close)
	rm.origin = rm.hs.URL
	rm.host = strings.TrimPrefix(rm.hs.URL, "http://")
	return rm
}

func requestKey(u *url.URL) string {
	if u.RawQuery != "" {
		return u.EscapedPath() + "?" + u.RawQuery
	}
	return u.EscapedPath()
}

func (rm *remote) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		d := delivery{Path: r.URL.Path, Body: body}
		_ = json.Unmarshal(body, &d.Activity)
		_, d.SigErr = sig.Verify(r, body, fetchPublicKey, time.Now())
		rm.mu.Lock()
		rm.received = append(rm.received, d)
		rm.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if r.URL.Path == "/.well-known/webfinger" {
		rm.webfinger(w, r)
		return
	}
	key := requestKey(r.URL)
	rm.mu.Lock()
	rm.gets[key]++
	a, doc := rm.actors[key], rm.docs[key]
	var body []byte
	gone := false
	if a != nil {
		gone = a.gone
		body = a.documentLocked()
	} else {
		body = doc
	}
	rm.mu.Unlock()
	switch {
	case gone:
		http.Error(w, "gone", http.StatusGone)
	case body == nil:
		http.NotFound(w, r)
	default:
		w.Header().Set("Content-Type", "application/activity+json")
		w.Write(body)
	}
}

func (rm *remote) webfinger(w http.ResponseWriter, r *http.Request) {
	res := strings.TrimPrefix(r.URL.Query().Get("resource"), "acct:")
	name, host, _ := strings.Cut(res, "@")
	rm.mu.Lock()
	var found *actor
	for _, a := range rm.actors {
		if a.name == name && host == rm.host {
			found = a
		}
	}
	rm.mu.Unlock()
	if found == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/jrd+json")
	json.NewEncoder(w).Encode(map[string]any{
		"subject": "acct:" + name + "@" + rm.host,
		"links":   []map[string]string{{"rel": "self", "type": "application/activity+json", "href": found.uri}},
	})
}

// fetchPublicKey is the fake server's key lookup: it fetches the key's
// owner from Roost, as a peer would.
func fetchPublicKey(ctx context.Context, keyID string, _ bool) (crypto.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", keyID, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var doc struct {
		PublicKey struct {
			ID           string `json:"id"`
			PublicKeyPem string `json:"publicKeyPem"`
		} `json:"publicKey"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, err
	}
	if doc.PublicKey.ID != keyID {
		return nil, fmt.Errorf("%s publishes key %s", keyID, doc.PublicKey.ID)
	}
	return sig.ParsePublicKeyPEM(doc.PublicKey.PublicKeyPem)
}

// serve registers a document at the path of uri.
func (rm *remote) serve(uri string, doc []byte) {
	u, err := url.Parse(uri)
	if err != nil || u.Host != rm.host {
		rm.t.Fatalf("%s is not on %s", uri, rm.host)
	}
	rm.mu.Lock()
	rm.docs[requestKey(u)] = doc
	rm.mu.Unlock()
}

// fetches is how often uri was fetched.
func (rm *remote) fetches(uri string) int {
	u, _ := url.Parse(uri)
	rm.mu.Lock()
	defer rm.mu.Unlock()
	return rm.gets[requestKey(u)]
}

// deliveries returns what arrived that matches.
func (rm *remote) deliveries(match func(delivery) bool) []delivery {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	var out []delivery
	for _, d := range rm.received {
		if match(d) {
			out = append(out, d)
		}
	}
	return out
}

// await waits for a delivery that matches and returns the first.
func (rm *remote) await(t testing.TB, what string, match func(delivery) bool) delivery {
	t.Helper()
	var got []delivery
	eventually(t, what, func() bool {
		got = rm.deliveries(match)
		return len(got) > 0
	})
	if got[0].SigErr != nil {
		t.Errorf("%s arrived with a signature that does not verify: %v", what, got[0].SigErr)
	}
	return got[0]
}

// actor is a remote account served by a fake server.
type actor struct {
	rm    *remote
	uri   string
	name  string
	keyID string

	// Guarded by rm.mu.
	key    crypto.PrivateKey // signs, and is published
	locked bool
	gone   bool   // the document answers 410 Gone (a deleted account)
	doc    []byte // a document served instead of the generated one
}

// actorNamed returns the actor at uri, registering it the first time with
// preferredUsername name (made from the last path segment when "").
func (rm *remote) actorNamed(uri, name string) *actor {
	u, err := url.Parse(uri)
	if err != nil || u.Host != rm.host {
		rm.t.Fatalf("%s is not on %s", uri, rm.host)
	}
	key := requestKey(u)
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if a := rm.actors[key]; a != nil {
		return a
	}
	if name == "" {
		segs := strings.Split(strings.Trim(u.Path, "/"), "/")
		name = segs[len(segs)-1]
	}
	name = strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
			return c
		}
		return -1
	}, name)
	if name == "" {
		name = "root"
	}
	a := &actor{rm: rm, uri: uri, name: name, keyID: uri + "#main-key", key: testKeys().remote}
	rm.actors[key] = a
	return a
}

// actor returns the actor at uri (registered on first use).
func (rm *remote) actor(uri string) *actor { return rm.actorNamed(uri, "") }

func (a *actor) acct() string { return a.name + "@" + a.rm.host }

func (a *actor) signingKey() (crypto.PrivateKey, string) {
	a.rm.mu.Lock()
	defer a.rm.mu.Unlock()
	return a.key, a.keyID
}

// setKey rotates the actor's key: it signs with k and publishes k.
func (a *actor) setKey(k crypto.PrivateKey) {
	a.rm.mu.Lock()
	a.key = k
	a.rm.mu.Unlock()
}

func (a *actor) setGone() {
	a.rm.mu.Lock()
	a.gone = true
	a.rm.mu.Unlock()
}

// setDocument serves doc as the actor's document.
func (a *actor) setDocument(doc []byte) {
	a.rm.mu.Lock()
	a.doc = doc
	a.rm.mu.Unlock()
}

func (a *actor) followers() string { return strings.TrimSuffix(a.uri, "/") + "/followers" }

// documentLocked is the actor's document, a Mastodon-shaped Person.
func (a *actor) documentLocked() []byte {
	if a.doc != nil {
		return a.doc
	}
	base := strings.TrimSuffix(a.uri, "/")
	b, _ := json.Marshal(map[string]any{
		"@context":                  []any{asContext, "https://w3id.org/security/v1"},
		"id":                        a.uri,
		"type":                      "Person",
		"preferredUsername":         a.name,
		"name":                      "Remote " + a.name,
		"summary":                   "<p>a test actor</p>",
		"url":                       a.rm.origin + "/@" + a.name,
		"inbox":                     base + "/inbox",
		"outbox":                    base + "/outbox",
		"followers":                 base + "/followers",
		"following":                 base + "/following",
		"manuallyApprovesFollowers": a.locked,
		"endpoints":                 map[string]any{"sharedInbox": a.rm.origin + "/inbox"},
		"publicKey":                 map[string]any{"id": a.keyID, "owner": a.uri, "publicKeyPem": publicPEM(a.key)},
	})
	return b
}

// requestFollow makes u follow a through the API and returns the remote
// account's ID and the id of the Follow that arrived at a's server.
func (r *rig) requestFollow(u *localUser, a *actor) (accountID, followID string) {
	r.t.Helper()
	acct := r.remoteAccount(u, a)
	r.must(u, "POST", "/api/v1/accounts/"+acct.ID+"/follow", nil, nil)
	d := a.rm.await(r.t, "the Follow of "+a.uri, func(d delivery) bool {
		return d.typ() == "Follow" && d.actor() == u.URI && d.object() == a.uri
	})
	return acct.ID, refID(d.Activity)
}

// follow makes u follow a, accepted by a Mastodon-style Accept, and returns
// the remote account's ID.
func (r *rig) follow(u *localUser, a *actor) string {
	r.t.Helper()
	accountID, followID := r.requestFollow(u, a)
	r.deliver(a, mustJSON(r.t, map[string]any{
		"@context": asContext,
		"id":       a.uri + "#accepts/follows/" + store.NewID(time.Now()),
		"type":     "Accept",
		"actor":    a.uri,
		"object":   map[string]any{"id": followID, "type": "Follow", "actor": u.URI, "object": a.uri},
	}))
	eventually(r.t, u.Username+" following "+a.uri, func() bool { return r.relationship(u, accountID).Following })
	return accountID
}

// note is a Mastodon-style Create of a public Note by a, for setting up
// what a fixture acts on.
func note(a *actor, id, content string, mention *localUser) []byte {
	tags := []any{}
	cc := []any{a.followers()}
	if mention != nil {
		tags = append(tags, map[string]any{"type": "Mention", "href": mention.URI, "name": "@" + mention.Username})
		cc = append(cc, mention.URI)
	}
	obj := map[string]any{
		"id": id, "type": "Note", "attributedTo": a.uri, "content": content,
		"published": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339),
		"to":        []any{"https://www.w3.org/ns/activitystreams#Public"}, "cc": cc, "tag": tags,
	}
	b, _ := json.Marshal(map[string]any{
		"@context": asContext, "id": id + "/activity", "type": "Create", "actor": a.uri,
		"to": obj["to"], "cc": cc, "object": obj,
	})
	return b
}
