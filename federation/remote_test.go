package federation

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/roost-social/roost/federation/fetch"
	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/sqlite"
)

// remote is a fake server on loopback: it serves canned ActivityStreams
// documents by path and records what was asked of it.
type remote struct {
	t    *testing.T
	srv  *httptest.Server
	base string // http://127.0.0.1:port

	mu   sync.Mutex
	docs map[string]any // path (with query) → document
	hits map[string]int
}

func newRemote(t *testing.T) *remote {
	t.Helper()
	r := &remote{t: t, docs: map[string]any{}, hits: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		key := req.URL.Path
		if req.URL.RawQuery != "" {
			key += "?" + req.URL.RawQuery
		}
		r.mu.Lock()
		r.hits[key]++
		doc, ok := r.docs[key]
		r.mu.Unlock()
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		_ = json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(r.srv.Close)
	r.base = r.srv.URL
	return r
}

// url is the address of path on r.
func (r *remote) url(path string) string { return r.base + path }

// serve makes r answer path with doc.
func (r *remote) serve(path string, doc any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.docs[path] = doc
}

// hitsOf is how often path was asked for.
func (r *remote) hitsOf(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits[path]
}

var testKey struct {
	once sync.Once
	pem  string
}

// actor serves the actor /users/name and returns its id.
func (r *remote) actor(name string) string {
	testKey.once.Do(func() {
		pub, _, err := NewKeyPair()
		if err != nil {
			panic(err)
		}
		testKey.pem = pub
	})
	id := r.url("/users/" + name)
	r.serve("/users/"+name, map[string]any{
		"@context":          "https://www.w3.org/ns/activitystreams",
		"id":                id,
		"type":              "Person",
		"preferredUsername": name,
		"inbox":             id + "/inbox",
		"outbox":            id + "/outbox",
		"followers":         id + "/followers",
		"publicKey":         map[string]any{"id": id + "#main-key", "owner": id, "publicKeyPem": testKey.pem},
	})
	return id
}

// note is a public Note by actor at r's path, published at the given time.
func (r *remote) note(path, actor, text, inReplyTo string, published time.Time) map[string]any {
	n := map[string]any{
		"id":           r.url(path),
		"type":         "Note",
		"attributedTo": actor,
		"content":      "<p>" + text + "</p>",
		"published":    published.UTC().Format(time.RFC3339),
		"to":           []string{"https://www.w3.org/ns/activitystreams#Public"},
		"cc":           []string{actor + "/followers"},
	}
	if inReplyTo != "" {
		n["inReplyTo"] = inReplyTo
	}
	return n
}

// create wraps a note in its Create, as outboxes list them.
func create(note map[string]any) map[string]any {
	return map[string]any{
		"id": note["id"].(string) + "/activity", "type": "Create", "actor": note["attributedTo"],
		"published": note["published"], "to": note["to"], "cc": note["cc"], "object": note,
	}
}

// newTestFederation is a Federation on a fresh SQLite store that may fetch
// from loopback over http.
func newTestFederation(t *testing.T) *Federation {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "roost.db"), logger)
	if err != nil {
		t.Fatal(err)
	}
	f := New(st, logger, "https://local.test", "local.test", &fetch.Config{
		AllowedPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		AllowHTTP:      true,
		Timeout:        5 * time.Second,
	})
	t.Cleanup(func() {
		f.Close()
		st.Close()
	})
	return f
}

// localUser makes a local account that can follow.
func localUser(t *testing.T, f *Federation, name string) *store.Account {
	t.Helper()
	pub, priv, err := NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	uri := f.BaseURL + "/users/" + name
	a := &store.Account{
		Username: name, URI: uri, URL: f.BaseURL + "/@" + name, InboxURL: uri + "/inbox",
		OutboxURL: uri + "/outbox", FollowersURL: uri + "/followers", PublicKeyPEM: pub, PrivateKey: priv, KeyID: uri + "#main-key",
	}
	if err := f.Store.CreateLocalAccount(context.Background(), a, &store.User{Email: name + "@example.com", Role: store.RoleUser}); err != nil {
		t.Fatal(err)
	}
	return a
}

// contents are the plain contents of statuses, in order.
func contents(ss []*store.Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Content
		if s.Reblog != nil {
			out[i] = "boost of " + s.Reblog.Content
		}
	}
	return out
}
