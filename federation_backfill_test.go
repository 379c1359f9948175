package main

import (
	"net/url"
	"slices"
	"testing"
	"time"
)

// Background fetches across two real instances: backfill on follow, whole
// threads behind /context, search with resolve.

type fetchedStatus struct {
	ID          string    `json:"id"`
	URI         string    `json:"uri"`
	URL         string    `json:"url"`
	CreatedAt   time.Time `json:"created_at"`
	InReplyToID *string   `json:"in_reply_to_id"`
	Visibility  string    `json:"visibility"`
}

func uris(ss []fetchedStatus) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.URI
	}
	return out
}

type searchResults struct {
	Accounts []struct{ ID, Acct string }
	Statuses []fetchedStatus
	Hashtags []struct{ Name string }
}

func TestFollowBackfillsRecentPosts(t *testing.T) {
	a, b := startPeer(t), startPeer(t)
	alice, bob := a.newAccount("alice"), b.newAccount("bob")
	var posted []fetchedStatus
	for _, text := range []string{"one", "two", "three"} {
		var s fetchedStatus
		alice.must("POST", "/api/v1/statuses", url.Values{"status": {text}}, &s)
		posted = append(posted, s)
	}
	var private fetchedStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"followers only"}, "visibility": {"private"}}, &private)
	slices.Reverse(posted) // newest first, as timelines list them

	var remoteAlice struct{ ID string }
	bob.must("GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(alice.handle()), nil, &remoteAlice)
	var profile []fetchedStatus
	bob.must("GET", "/api/v1/accounts/"+remoteAlice.ID+"/statuses", nil, &profile)
	if len(profile) != 0 {
		t.Fatalf("alice's profile at bob's is not empty before the follow: %v", uris(profile))
	}

	// The follow answers at once; her recent public posts arrive without
	// her posting anything new.
	bob.must("POST", "/api/v1/accounts/"+remoteAlice.ID+"/follow", nil, nil)
	eventually(t, "alice's posts on her profile at bob's", func() bool {
		bob.must("GET", "/api/v1/accounts/"+remoteAlice.ID+"/statuses", nil, &profile)
		return slices.Equal(uris(profile), uris(posted))
	})
	for i, s := range profile {
		// ActivityPub dates are to the second; posts of one second are
		// kept in order a millisecond apart.
		if !s.CreatedAt.Truncate(time.Second).Equal(posted[i].CreatedAt.Truncate(time.Second)) {
			t.Errorf("%s: created %v at bob's, %v at alice's", s.URI, s.CreatedAt, posted[i].CreatedAt)
		}
	}
	eventually(t, "alice's posts in bob's home", func() bool {
		var home []fetchedStatus
		bob.must("GET", "/api/v1/timelines/home", nil, &home)
		return slices.Equal(uris(home), uris(posted))
	})
}

func TestContextFetchesMissingAncestors(t *testing.T) {
	a, b := startPeer(t), startPeer(t)
	alice, carol, bob := a.newAccount("alice"), a.newAccount("carol"), b.newAccount("bob")
	var root, mid, leaf fetchedStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"a thread starts"}}, &root)
	carol.must("POST", "/api/v1/statuses", url.Values{"status": {"@alice carol replies"}, "in_reply_to_id": {root.ID}}, &mid)
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"@carol alice answers"}, "in_reply_to_id": {mid.ID}}, &leaf)

	// Bob's server learns of the last reply only, from its URL.
	var res searchResults
	bob.must("GET", "/api/v2/search?resolve=true&q="+url.QueryEscape(leaf.URL), nil, &res)
	if len(res.Statuses) != 1 || res.Statuses[0].URI != leaf.URI {
		t.Fatalf("resolve %s: %+v", leaf.URL, res)
	}
	leafAtB := res.Statuses[0]
	if leafAtB.InReplyToID != nil {
		t.Fatal("bob's server knew the parent already")
	}

	// The context answers with what is stored, and fetches the rest.
	type thread struct{ Ancestors, Descendants []fetchedStatus }
	var ctx thread
	bob.must("GET", "/api/v1/statuses/"+leafAtB.ID+"/context", nil, &ctx)
	eventually(t, "the ancestors at bob's", func() bool {
		bob.must("GET", "/api/v1/statuses/"+leafAtB.ID+"/context", nil, &ctx)
		return slices.Equal(uris(ctx.Ancestors), []string{root.URI, mid.URI})
	})
	var again fetchedStatus
	bob.must("GET", "/api/v1/statuses/"+leafAtB.ID, nil, &again)
	if again.InReplyToID == nil || *again.InReplyToID != ctx.Ancestors[1].ID || again.URI != leaf.URI {
		t.Fatalf("the reply at bob's is not attached to its parent: %+v", again)
	}
	// The root's thread, seen from bob's server, is whole.
	var fromRoot thread
	bob.must("GET", "/api/v1/statuses/"+ctx.Ancestors[0].ID+"/context", nil, &fromRoot)
	if !slices.Equal(uris(fromRoot.Descendants), []string{mid.URI, leaf.URI}) {
		t.Fatalf("descendants of the root at bob's: %v", uris(fromRoot.Descendants))
	}
}

func TestSearchResolvesAcrossInstances(t *testing.T) {
	a, b := startPeer(t), startPeer(t)
	alice, bob := a.newAccount("alice"), b.newAccount("bob")
	var post fetchedStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"find me"}}, &post)

	// Without resolve, nothing unknown is found and nothing is asked.
	var res searchResults
	bob.must("GET", "/api/v2/search?q="+url.QueryEscape(alice.handle()), nil, &res)
	if len(res.Accounts) != 0 {
		t.Fatalf("an unknown handle was found without resolve: %+v", res.Accounts)
	}
	start := time.Now()
	bob.must("GET", "/api/v2/search?q="+url.QueryEscape("nobody@unreachable.invalid"), nil, &res)
	if len(res.Accounts) != 0 || time.Since(start) > 2*time.Second {
		t.Fatalf("a handle on a dead domain: %+v after %v", res, time.Since(start))
	}

	bob.must("GET", "/api/v2/search?resolve=true&q="+url.QueryEscape("@"+alice.handle()), nil, &res)
	if len(res.Accounts) != 1 || res.Accounts[0].Acct != alice.handle() {
		t.Fatalf("resolve %s: %+v", alice.handle(), res.Accounts)
	}
	bob.must("GET", "/api/v2/search?resolve=true&type=statuses&q="+url.QueryEscape(post.URI), nil, &res)
	if len(res.Statuses) != 1 || res.Statuses[0].URI != post.URI || len(res.Accounts) != 0 {
		t.Fatalf("resolve %s: %+v", post.URI, res)
	}
}
