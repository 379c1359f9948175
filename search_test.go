package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/storetest"
)

// instanceBeforeSearch makes an instance in dir as one from before search
// had: alice, a token of hers with the scopes, and her statuses with the
// texts, stored where no index saw them. It returns the instance's
// environment, the token and the statuses' IDs, in order.
func instanceBeforeSearch(t *testing.T, dir, scopes string, texts ...string) (getenv func(string) string, token string, ids []string) {
	t.Helper()
	getenv = env("ROOST_DATA_DIR", dir, "LOCAL_DOMAIN", "roost.test", "LOCAL_HTTPS", "false")
	if out, err := roost(t, getenv, "accounts", "create", "alice", "--email", "alice@example.com"); err != nil {
		t.Fatalf("accounts create: %v\n%s", err, out)
	}
	out, err := roost(t, getenv, "token", "create", "alice", "--scopes", scopes)
	if err != nil {
		t.Fatalf("token create: %v %q", err, out)
	}
	token = strings.TrimSpace(out)

	m, _, err := openMain(context.Background(), "test", nil, io.Discard, getenv, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice, err := m.Store.AccountByUsername(t.Context(), "alice", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range texts {
		ids = append(ids, storetest.MustPost(t, m.Store, alice, text).ID)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	return getenv, token, ids
}

// TestSearchDeploy stores statuses that no index saw (as an instance from
// before search has), rebuilds the index with "roost search deploy" and
// finds them over HTTP (TestSearchDeployWhileServing deploys beside a
// running server).
func TestSearchDeploy(t *testing.T) {
	getenv, token, ids := instanceBeforeSearch(t, t.TempDir(), "read",
		"herons wade in the shallows", "sparrows squabble", "gulls everywhere")
	want := ids[0]

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

// TestSearchDeployWhileServing runs "roost search deploy" beside a running
// server: the server switches to the rebuilt index, which has the statuses
// stored before the server had an index, and loses none posted while
// deploy waited or after.
func TestSearchDeployWhileServing(t *testing.T) {
	dir := t.TempDir()
	// Statuses no index saw.
	getenv, token, ids := instanceBeforeSearch(t, dir, "read write",
		"herons wade in the shallows", "sparrows squabble")
	herons := ids[0]

	base := startServer(t, getenv)
	call := func(method, path string, form url.Values, v any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	post := func(text string) string {
		var st struct{ ID string }
		call("POST", "/api/v1/statuses", url.Values{"status": {text}}, &st)
		return st.ID
	}
	find := func(q string) []string {
		var res struct{ Statuses []struct{ ID string } }
		call("GET", "/api/v2/search?type=statuses&q="+url.QueryEscape(q), nil, &res)
		var ids []string
		for _, s := range res.Statuses {
			ids = append(ids, s.ID)
		}
		return ids
	}
	if got := find("herons"); len(got) != 0 {
		t.Fatalf("found %v before any deploy", got)
	}
	egrets := post("egrets before the deploy")

	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"search", "deploy"}, &stdout, &stderr, getenv)
	}()
	// Posted once the new index is built and before the server switches
	// (the server indexes it into the old index only): the server must
	// carry it over.
	var ibis string
	eventually(t, "deploy to hand the index over", func() bool {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("deploy returned before handing over: %v\n%s\n%s", err, stdout.String(), stderr.String())
		default:
		}
		return strings.Contains(stdout.String(), "will switch")
	})
	ibis = post("an ibis posted while deploy waits")
	if err := <-done; err != nil {
		t.Fatalf("search deploy: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "switched to the new search index") {
		t.Fatalf("search deploy printed %q", stdout.String())
	}
	if _, err := os.Stat(filepath.Join(dir, searchDir+".new")); !os.IsNotExist(err) {
		t.Fatalf("search.bleve.new is still there: %v", err)
	}
	cranes := post("cranes after the deploy")
	for q, want := range map[string]string{"herons": herons, "egrets": egrets, "ibis": ibis, "cranes": cranes} {
		if got := find(q); len(got) != 1 || got[0] != want {
			t.Errorf("search %q found %v, want %s", q, got, want)
		}
	}
}
