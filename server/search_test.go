package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roost-social/roost/federation"
	"github.com/roost-social/roost/federation/fetch"
)

// fakeRemote is another server on loopback with one actor, zoe, and one
// post of hers: it serves WebFinger and canned documents and counts the
// requests it gets.
type fakeRemote struct {
	srv  *httptest.Server
	host string // 127.0.0.1:port

	mu   sync.Mutex
	hits int
}

func newFakeRemote(t *testing.T) *fakeRemote {
	t.Helper()
	pub, _, err := federation.NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	fr := &fakeRemote{}
	fr.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fr.mu.Lock()
		fr.hits++
		fr.mu.Unlock()
		base := "http://" + fr.host
		actor := base + "/users/zoe"
		note := map[string]any{
			"id": actor + "/statuses/1", "type": "Note", "attributedTo": actor,
			"content": "<p>zoe was here</p>", "published": "2024-03-01T12:00:00Z", "url": base + "/@zoe/1",
			"to": []string{"https://www.w3.org/ns/activitystreams#Public"},
		}
		var doc any
		ctype := "application/activity+json"
		switch r.URL.Path {
		case "/.well-known/webfinger":
			if r.URL.Query().Get("resource") != "acct:zoe@"+fr.host {
				http.NotFound(w, r)
				return
			}
			ctype = "application/jrd+json"
			doc = map[string]any{"subject": "acct:zoe@" + fr.host, "links": []any{
				map[string]any{"rel": "self", "type": "application/activity+json", "href": actor},
			}}
		case "/users/zoe", "/@zoe":
			doc = map[string]any{
				"id": actor, "type": "Person", "preferredUsername": "zoe", "name": "Zoe",
				"inbox": actor + "/inbox", "outbox": actor + "/outbox", "url": base + "/@zoe",
				"publicKey": map[string]any{"id": actor + "#main-key", "owner": actor, "publicKeyPem": pub},
			}
		case "/users/zoe/statuses/1", "/@zoe/1":
			doc = note // the page URL serves the Note too, as Mastodon does
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ctype)
		_ = json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(fr.srv.Close)
	fr.host = strings.TrimPrefix(fr.srv.URL, "http://")
	return fr
}

func (fr *fakeRemote) requests() int {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	return fr.hits
}

// newFederatingInstance is an instance whose outgoing requests may reach
// loopback over http.
func newFederatingInstance(t *testing.T) *instance {
	t.Helper()
	in := newInstanceWith(t, func(c *Config) {
		c.Fetch = &fetch.Config{
			AllowedPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
			AllowHTTP:      true,
			Timeout:        5 * time.Second,
		}
	})
	t.Cleanup(in.srv.Federation().Close) // before the store closes
	return in
}

type searchResult struct {
	Accounts []struct{ ID, Acct, Username string }
	Statuses []struct {
		ID, URI, Content, Visibility string
		Account                      struct{ Acct string }
	}
	Hashtags []struct {
		Name, URL string
		History   []any
	}
}

func search(t *testing.T, in *instance, u *user, query url.Values) searchResult {
	t.Helper()
	var out searchResult
	r := u.get(in, "/api/v2/search?"+query.Encode()).want(t, 200)
	r.decode(t, &out)
	if !strings.Contains(string(r.body), `"accounts":[`) || !strings.Contains(string(r.body), `"statuses":[`) ||
		!strings.Contains(string(r.body), `"hashtags":[`) {
		t.Fatalf("a list is missing: %s", r.body)
	}
	return out
}

func TestSearchWithoutResolveStaysHome(t *testing.T) {
	in := newFederatingInstance(t)
	fr := newFakeRemote(t)
	bob := in.newUser("bob")

	for _, q := range []string{"zoe@" + fr.host, "@zoe@" + fr.host, "http://" + fr.host + "/users/zoe", "http://" + fr.host + "/@zoe/1"} {
		if res := search(t, in, bob, url.Values{"q": {q}}); len(res.Accounts)+len(res.Statuses) != 0 {
			t.Errorf("%s without resolve found %+v", q, res)
		}
	}
	var accts []any
	bob.get(in, "/api/v1/accounts/search?q="+url.QueryEscape("zoe@"+fr.host)).want(t, 200).decode(t, &accts)
	if len(accts) != 0 {
		t.Errorf("accounts/search without resolve found %v", accts)
	}
	if n := fr.requests(); n != 0 {
		t.Fatalf("searches without resolve made %d requests", n)
	}

	// A handle on a domain that cannot answer: no lookup is even tried.
	start := time.Now()
	res := search(t, in, bob, url.Values{"q": {"nobody@unreachable.invalid"}})
	if len(res.Accounts) != 0 || time.Since(start) > 2*time.Second {
		t.Fatalf("unknown handle: %+v after %v", res, time.Since(start))
	}
}

func TestSearchResolvesHandlesAndURLs(t *testing.T) {
	in := newFederatingInstance(t)
	fr := newFakeRemote(t)
	bob := in.newUser("bob")

	res := search(t, in, bob, url.Values{"q": {"@zoe@" + fr.host}, "resolve": {"true"}})
	if len(res.Accounts) != 1 || res.Accounts[0].Acct != "zoe@"+fr.host {
		t.Fatalf("resolve by handle: %+v", res)
	}
	zoeID := res.Accounts[0].ID
	// Known now: found without resolve, and by accounts/search too.
	res = search(t, in, bob, url.Values{"q": {"zoe@" + fr.host}, "type": {"accounts"}})
	if len(res.Accounts) != 1 || res.Accounts[0].ID != zoeID {
		t.Fatalf("known handle: %+v", res)
	}
	var accts []struct{ ID string }
	bob.get(in, "/api/v1/accounts/search?resolve=true&q="+url.QueryEscape("zoe@"+fr.host)).want(t, 200).decode(t, &accts)
	if len(accts) != 1 || accts[0].ID != zoeID {
		t.Fatalf("accounts/search: %+v", accts)
	}

	// A status page URL: the Note it serves is stored as fetched from its
	// own id.
	res = search(t, in, bob, url.Values{"q": {"http://" + fr.host + "/@zoe/1"}, "resolve": {"true"}})
	if len(res.Statuses) != 1 || res.Statuses[0].URI != "http://"+fr.host+"/users/zoe/statuses/1" ||
		res.Statuses[0].Content != "<p>zoe was here</p>" || res.Statuses[0].Account.Acct != "zoe@"+fr.host || len(res.Accounts) != 0 {
		t.Fatalf("resolve by URL: %+v", res)
	}
	// By its id, known now: no request.
	before := fr.requests()
	res = search(t, in, bob, url.Values{"q": {"http://" + fr.host + "/users/zoe/statuses/1"}})
	if len(res.Statuses) != 1 || fr.requests() != before {
		t.Fatalf("known status: %+v, %d requests", res, fr.requests()-before)
	}
	// type filters.
	res = search(t, in, bob, url.Values{"q": {"http://" + fr.host + "/users/zoe/statuses/1"}, "type": {"accounts"}})
	if len(res.Statuses) != 0 {
		t.Fatalf("type=accounts gave statuses: %+v", res)
	}
	// An actor's profile URL.
	res = search(t, in, bob, url.Values{"q": {"http://" + fr.host + "/@zoe"}, "resolve": {"true"}})
	if len(res.Accounts) != 1 || res.Accounts[0].ID != zoeID {
		t.Fatalf("resolve a profile URL: %+v", res)
	}
	// Nothing there: no results, no error.
	res = search(t, in, bob, url.Values{"q": {"http://" + fr.host + "/nothing"}, "resolve": {"true"}})
	if len(res.Accounts)+len(res.Statuses) != 0 {
		t.Fatalf("a 404 found %+v", res)
	}
}

func TestSearchLocal(t *testing.T) {
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	public := in.postStatus(alice, "hello #Cats")
	private := in.postStatus(alice, "followers only", "visibility", "private")

	for _, q := range []string{"alice", "@alice", "alice@roost.test", "@alice@roost.test", "https://roost.test/@alice", "https://roost.test/users/alice"} {
		res := search(t, in, bob, url.Values{"q": {q}})
		if len(res.Accounts) != 1 || res.Accounts[0].ID != alice.ID {
			t.Errorf("%q found %+v", q, res.Accounts)
		}
	}
	for _, q := range []string{"https://roost.test/@alice/" + public, "https://roost.test/users/alice/statuses/" + public} {
		res := search(t, in, bob, url.Values{"q": {q}})
		if len(res.Statuses) != 1 || res.Statuses[0].ID != public {
			t.Errorf("%q found %+v", q, res.Statuses)
		}
	}
	// Who may not see a status does not find it.
	privateURL := "https://roost.test/@alice/" + private
	if res := search(t, in, bob, url.Values{"q": {privateURL}}); len(res.Statuses) != 0 {
		t.Errorf("bob found alice's private status")
	}
	if res := search(t, in, alice, url.Values{"q": {privateURL}}); len(res.Statuses) != 1 {
		t.Errorf("alice did not find her own private status")
	}

	res := search(t, in, bob, url.Values{"q": {"#Cats"}})
	if len(res.Hashtags) != 1 || res.Hashtags[0].Name != "cats" || res.Hashtags[0].URL != "https://roost.test/tags/cats" || res.Hashtags[0].History == nil {
		t.Errorf("hashtag: %+v", res.Hashtags)
	}
	if res := search(t, in, bob, url.Values{"q": {"alice"}, "type": {"hashtags"}}); len(res.Accounts) != 0 || len(res.Hashtags) != 1 {
		t.Errorf("type=hashtags: %+v", res)
	}
	if res := search(t, in, bob, url.Values{"q": {"not a tag!"}}); len(res.Hashtags)+len(res.Accounts) != 0 {
		t.Errorf("a phrase: %+v", res)
	}
	if res := search(t, in, bob, url.Values{"q": {"alice"}, "offset": {"1"}}); len(res.Accounts)+len(res.Hashtags) != 0 {
		t.Errorf("offset 1: %+v", res)
	}

	bob.get(in, "/api/v2/search").want(t, 400)
	bob.get(in, "/api/v2/search?q=").want(t, 400)
	in.do("GET", "/api/v2/search?q=alice", "", nil).want(t, 401)
	nosearch := in.newUser("carol", "read:accounts")
	nosearch.get(in, "/api/v2/search?q=alice").want(t, 403)
}

// following=true keeps the accounts the viewer follows, on
// /api/v2/search (a handle or a profile URL) and /api/v1/accounts/search.
func TestSearchFollowingOnly(t *testing.T) {
	in := newInstance(t)
	alice, bob, carol := in.newUser("alice"), in.newUser("bob"), in.newUser("carol")
	in.follow(t, bob, alice)
	for _, q := range []string{"alice", "@alice@roost.test", "https://roost.test/@alice"} {
		if res := search(t, in, bob, url.Values{"q": {q}, "following": {"true"}}); len(res.Accounts) != 1 || res.Accounts[0].ID != alice.ID {
			t.Errorf("bob, following alice, searched %q and found %+v", q, res.Accounts)
		}
		if res := search(t, in, carol, url.Values{"q": {q}, "following": {"true"}}); len(res.Accounts) != 0 {
			t.Errorf("carol, not following alice, searched %q and found %+v", q, res.Accounts)
		}
		if res := search(t, in, carol, url.Values{"q": {q}, "following": {"false"}}); len(res.Accounts) != 1 {
			t.Errorf("following=false: carol searched %q and found %+v", q, res.Accounts)
		}
	}
	var accts []struct{ ID string }
	bob.get(in, "/api/v1/accounts/search?following=true&q=alice").want(t, 200).decode(t, &accts)
	if len(accts) != 1 || accts[0].ID != alice.ID {
		t.Errorf("accounts/search, bob: %+v", accts)
	}
	carol.get(in, "/api/v1/accounts/search?following=true&q=alice").want(t, 200).decode(t, &accts)
	if len(accts) != 0 {
		t.Errorf("accounts/search, carol: %+v", accts)
	}
}
