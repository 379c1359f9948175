package server

import (
	"net/url"
	"path/filepath"
	"slices"
	"testing"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/bleve"
)

// newSearchInstance is an instance with a full-text index.
func newSearchInstance(t *testing.T) *instance {
	t.Helper()
	idx, err := bleve.Open(filepath.Join(t.TempDir(), "search.bleve"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return newInstanceWith(t, func(c *Config) { c.Index = idx })
}

// foundStatuses searches statuses as u and returns the IDs found.
func foundStatuses(t *testing.T, in *instance, u *user, q string, extra ...string) []string {
	t.Helper()
	v := url.Values{"q": {q}, "type": {"statuses"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	ids := []string{}
	for _, s := range search(t, in, u, v).Statuses {
		ids = append(ids, s.ID)
	}
	return ids
}

func wantFound(t *testing.T, got []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("found %v, want %v", got, want)
	}
}

func TestSearchStatusesFullText(t *testing.T) {
	in := newSearchInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	pub := in.postStatus(alice, "Roosting birds sing at dawn")
	priv := in.postStatus(alice, "Secret roosting plans", "visibility", "private")
	reply := in.postStatus(bob, "@alice do birds roost in winter?", "in_reply_to_id", pub)
	bobPriv := in.postStatus(bob, "my own private roosting notes", "visibility", "private")

	// A private post of someone bob does not follow is not found; his own is.
	wantFound(t, foundStatuses(t, in, bob, "roosting"), bobPriv, pub)
	wantFound(t, foundStatuses(t, in, alice, "roosting"), priv, pub)
	// The index only serves full-text search with type statuses or none.
	if res := search(t, in, bob, url.Values{"q": {"roosting"}}); len(res.Statuses) != 2 {
		t.Errorf("no type: %+v", res.Statuses)
	}
	if res := search(t, in, bob, url.Values{"q": {"roosting"}, "type": {"accounts"}}); len(res.Statuses) != 0 {
		t.Errorf("type=accounts found statuses: %+v", res.Statuses)
	}

	// Operators, phrases and negation.
	wantFound(t, foundStatuses(t, in, bob, "birds from:alice"), pub)
	wantFound(t, foundStatuses(t, in, bob, "birds from:me"), reply)
	wantFound(t, foundStatuses(t, in, bob, "from:nobody birds"))
	wantFound(t, foundStatuses(t, in, bob, "birds is:reply"), reply)
	wantFound(t, foundStatuses(t, in, bob, `"birds sing"`), pub)
	wantFound(t, foundStatuses(t, in, bob, "birds -winter"), pub)
	wantFound(t, foundStatuses(t, in, bob, "birds", "account_id", alice.ID), pub)

	// Pages: limit, offset, max_id, min_id.
	wantFound(t, foundStatuses(t, in, bob, "birds", "limit", "1"), reply)
	wantFound(t, foundStatuses(t, in, bob, "birds", "limit", "1", "offset", "1"), pub)
	wantFound(t, foundStatuses(t, in, bob, "birds", "max_id", reply), pub)
	wantFound(t, foundStatuses(t, in, bob, "birds", "min_id", pub), reply)

	// An edit is searched as edited; a deleted status is gone.
	in.do("PUT", "/api/v1/statuses/"+pub, alice.token, url.Values{"status": {"Herons fish at dusk"}}).want(t, 200)
	wantFound(t, foundStatuses(t, in, bob, "dawn"))
	wantFound(t, foundStatuses(t, in, bob, "herons"), pub)
	in.do("DELETE", "/api/v1/statuses/"+reply, bob.token, nil).want(t, 200)
	wantFound(t, foundStatuses(t, in, bob, "winter"))
	if ids, err := in.srv.index.SearchStatuses(t.Context(), store.SearchQuery{Text: "winter", Limit: 5}); err != nil || len(ids) != 0 {
		t.Errorf("the deleted status is still indexed: %v %v", ids, err)
	}

	// Whom the viewer blocks is left out.
	bob.post(in, "/api/v1/accounts/"+alice.ID+"/block", nil).want(t, 200)
	wantFound(t, foundStatuses(t, in, bob, "herons"))

	// Statuses search needs a user: an anonymous search is refused, as
	// search always was.
	in.do("GET", "/api/v2/search?type=statuses&q=herons", "", nil).want(t, 401)
}

func TestSearchStatusesWithoutIndex(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	in.postStatus(alice, "nothing indexes this")
	wantFound(t, foundStatuses(t, in, alice, "indexes"))
}
