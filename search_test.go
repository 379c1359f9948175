package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/storetest"
)

// TestSearchDeploy stores statuses that no index saw (as an instance from
// before search has), rebuilds the index with "roost search deploy" and
// finds them over HTTP; a second deploy while serving is refused.
func TestSearchDeploy(t *testing.T) {
	dir := t.TempDir()
	getenv := env("ROOST_DATA_DIR", dir, "LOCAL_DOMAIN", "roost.test", "LOCAL_HTTPS", "false")
	if out, err := roost(t, getenv, "accounts", "create", "alice", "--email", "alice@example.com"); err != nil {
		t.Fatalf("accounts create: %v\n%s", err, out)
	}
	out, err := roost(t, getenv, "token", "create", "alice", "--scopes", "read")
	if err != nil {
		t.Fatalf("token create: %v %q", err, out)
	}
	token := strings.TrimSpace(out)

	m, _, err := openMain(context.Background(), "test", nil, io.Discard, getenv, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice, err := m.Store.AccountByUsername(t.Context(), "alice", "")
	if err != nil {
		t.Fatal(err)
	}
	want := storetest.MustPost(t, m.Store, alice, "herons wade in the shallows").ID
	storetest.MustPost(t, m.Store, alice, "sparrows squabble")
	storetest.MustPost(t, m.Store, alice, "gulls everywhere")
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"search", "deploy"}, &stdout, &stderr, getenv); err != nil {
		t.Fatalf("search deploy: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "indexed 3/3") || !strings.Contains(stdout.String(), "rebuilt: 3 statuses") {
		t.Fatalf("search deploy printed %q and %q", stdout.String(), stderr.String())
	}

	base := startServer(t, getenv)
	req, _ := http.NewRequest("GET", base+"/api/v2/search?type=statuses&q="+url.QueryEscape("herons"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct{ Statuses []struct{ ID string } }
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != 200 {
		t.Fatalf("search: %d %v", resp.StatusCode, err)
	}
	if len(res.Statuses) != 1 || res.Statuses[0].ID != want {
		t.Fatalf("search found %+v, want %s", res.Statuses, want)
	}

	out, err = roost(t, getenv, "search", "deploy")
	if err == nil || !strings.Contains(err.Error(), "stop roost serve") {
		t.Fatalf("deploy while serving: %v %q", err, out)
	}
}

// TestSearchFindsFederatedStatuses: a post that arrives from another server
// is searchable by who may see it, as edited, until deleted.
func TestSearchFindsFederatedStatuses(t *testing.T) {
	a, b := startPeer(t), startPeer(t)
	alice, bob, carol := a.newAccount("alice"), b.newAccount("bob"), b.newAccount("carol")
	var remoteAlice struct{ ID string }
	bob.must("GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(alice.handle()), nil, &remoteAlice)
	bob.must("POST", "/api/v1/accounts/"+remoteAlice.ID+"/follow", nil, nil)
	eventually(t, "the follow to be accepted", func() bool {
		var rels []struct{ Following bool }
		bob.must("GET", "/api/v1/accounts/relationships?id[]="+remoteAlice.ID, nil, &rels)
		return len(rels) == 1 && rels[0].Following
	})

	find := func(who *account, q string) []apiStatus {
		var res struct{ Statuses []apiStatus }
		who.must("GET", "/api/v2/search?type=statuses&q="+url.QueryEscape(q), nil, &res)
		return res.Statuses
	}
	var post apiStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"Kingfishers nest by the river"}, "visibility": {"private"}}, &post)
	var found []apiStatus
	eventually(t, "alice's post found by bob", func() bool {
		found = find(bob, "kingfishers")
		return len(found) == 1
	})
	if found[0].URI != post.URI {
		t.Fatalf("bob found %+v", found[0])
	}
	if got := find(carol, "kingfishers"); len(got) != 0 {
		t.Fatalf("carol, who does not follow alice, found her followers-only post: %+v", got)
	}

	alice.must("PUT", "/api/v1/statuses/"+post.ID, url.Values{"status": {"Herons nest by the river"}}, nil)
	eventually(t, "the edit searchable", func() bool {
		return len(find(bob, "herons")) == 1 && len(find(bob, "kingfishers")) == 0
	})
	alice.must("DELETE", "/api/v1/statuses/"+post.ID, nil, nil)
	eventually(t, "the deleted post gone from the index", func() bool {
		ids, err := b.m.Index.SearchStatuses(t.Context(), store.SearchQuery{Text: "herons", Limit: 5})
		return err == nil && len(ids) == 0
	})
	if got := find(bob, "herons"); len(got) != 0 {
		t.Fatalf("bob still finds the deleted post: %+v", got)
	}
}
