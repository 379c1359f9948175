package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/roost-social/roost/federation/fetch"
)

// peer is one Roost instance on its own loopback port, federating with the
// others over real HTTP (LOCAL_HTTPS=false, loopback allowed).
type peer struct {
	t      testing.TB
	m      *Main
	domain string
	getenv func(string) string
	dir    string
}

func startPeer(t *testing.T, extraEnv ...string) *peer {
	t.Helper()
	return startPeerAt(t, "127.0.0.1:0", t.TempDir(), nil, extraEnv...)
}

// startPeerAt starts a peer on addr with its data in dir (a restart when
// both are reused); adjust may change the Main before it runs.
func startPeerAt(t *testing.T, addr, dir string, adjust func(*Main), extraEnv ...string) *peer {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	domain := ln.Addr().String()
	getenv := env(append([]string{"ROOST_DATA_DIR", dir, "LOCAL_DOMAIN", domain, "LOCAL_HTTPS", "false",
		"ALLOWED_PRIVATE_ADDRESSES", "127.0.0.0/8"}, extraEnv...)...)
	m, _, err := openMain(context.Background(), "serve", nil, io.Discard, getenv, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Listener = ln
	if adjust != nil {
		adjust(m)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return &peer{t: t, m: m, domain: domain, getenv: getenv, dir: dir}
}

// account is a user on a peer with a full-scope token.
type account struct {
	p     *peer
	id    string
	name  string
	token string
}

func (p *peer) newAccount(name string) *account {
	p.t.Helper()
	ctx := context.Background()
	a, err := p.m.Server.CreateAccount(ctx, name, name+"@example.com", "password-"+name, "user")
	if err != nil {
		p.t.Fatal(err)
	}
	tok, err := p.m.Server.CreateCLIToken(ctx, name, "read write follow")
	if err != nil {
		p.t.Fatal(err)
	}
	return &account{p: p, id: a.ID, name: name, token: tok}
}

func (a *account) handle() string { return a.name + "@" + a.p.domain }

// call sends an API request as a and decodes the JSON answer into out.
func (a *account) call(method, path string, form url.Values, out any) int {
	a.p.t.Helper()
	req, _ := http.NewRequest(method, "http://"+a.p.domain+path, strings.NewReader(form.Encode()))
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.p.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(body, out); err != nil {
			a.p.t.Fatalf("%s %s: %v\n%s", method, path, err, body)
		}
	}
	return resp.StatusCode
}

func (a *account) must(method, path string, form url.Values, out any) {
	a.p.t.Helper()
	if code := a.call(method, path, form, out); code != 200 {
		a.p.t.Fatalf("%s %s as %s: status %d", method, path, a.name, code)
	}
}

// eventually polls cond until it holds, for at most 10 seconds: deliveries
// are asynchronous.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type apiStatus struct {
	ID              string `json:"id"`
	URI             string `json:"uri"`
	Content         string `json:"content"`
	FavouritesCount int    `json:"favourites_count"`
	ReblogsCount    int    `json:"reblogs_count"`
	RepliesCount    int    `json:"replies_count"`
	InReplyToID     *string
	Visibility      string  `json:"visibility"`
	EditedAt        *string `json:"edited_at"`
	Account         struct{ ID, Acct string }
	Reblog          *apiStatus `json:"reblog"`
}

func TestTwoInstancesFederate(t *testing.T) {
	a, b := startPeer(t), startPeer(t)
	alice, bob := a.newAccount("alice"), b.newAccount("bob")

	// Bob finds Alice by her handle (WebFinger, then her actor document).
	var remoteAlice struct{ ID, Acct, Username string }
	bob.must("GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(alice.handle()), nil, &remoteAlice)
	if remoteAlice.Acct != alice.handle() {
		t.Fatalf("lookup found %+v", remoteAlice)
	}

	// Bob follows Alice; her server accepts, and his relationship turns
	// from requested to following.
	var rel struct{ Following, Requested bool }
	bob.must("POST", "/api/v1/accounts/"+remoteAlice.ID+"/follow", nil, &rel)
	if !rel.Requested {
		t.Fatalf("a remote follow should wait for the Accept: %+v", rel)
	}
	eventually(t, "the follow to be accepted", func() bool {
		var rels []struct{ Following bool }
		bob.must("GET", "/api/v1/accounts/relationships?id[]="+remoteAlice.ID, nil, &rels)
		return len(rels) == 1 && rels[0].Following
	})
	var aliceSelf struct {
		FollowersCount int `json:"followers_count"`
	}
	alice.must("GET", "/api/v1/accounts/verify_credentials", nil, &aliceSelf)
	if aliceSelf.FollowersCount != 1 {
		t.Fatalf("alice has %d followers, want 1", aliceSelf.FollowersCount)
	}

	// Alice posts; it arrives in Bob's home timeline.
	var post apiStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"Hello, fediverse! #roost"}}, &post)
	var bobsCopy apiStatus
	eventually(t, "alice's post on bob's home timeline", func() bool {
		var home []apiStatus
		bob.must("GET", "/api/v1/timelines/home", nil, &home)
		for _, s := range home {
			if s.URI == post.URI {
				bobsCopy = s
				return true
			}
		}
		return false
	})
	if !strings.Contains(bobsCopy.Content, "Hello, fediverse!") || bobsCopy.Account.Acct != alice.handle() {
		t.Fatalf("bob sees %+v", bobsCopy)
	}

	// Bob replies, mentioning her; it threads under her post on her server
	// and notifies her.
	var reply apiStatus
	bob.must("POST", "/api/v1/statuses", url.Values{"status": {"@" + alice.handle() + " hi back"}, "in_reply_to_id": {bobsCopy.ID}}, &reply)
	eventually(t, "the reply in alice's thread", func() bool {
		var ctx struct{ Descendants []apiStatus }
		alice.must("GET", "/api/v1/statuses/"+post.ID+"/context", nil, &ctx)
		return len(ctx.Descendants) == 1 && ctx.Descendants[0].URI == reply.URI
	})
	eventually(t, "alice's mention notification", func() bool {
		var ns []struct{ Type string }
		alice.must("GET", "/api/v1/notifications?types[]=mention", nil, &ns)
		return len(ns) == 1
	})

	// Bob likes and boosts her post; her counts and notifications follow.
	bob.must("POST", "/api/v1/statuses/"+bobsCopy.ID+"/favourite", nil, nil)
	bob.must("POST", "/api/v1/statuses/"+bobsCopy.ID+"/reblog", nil, nil)
	eventually(t, "the like and the boost on alice's server", func() bool {
		var s apiStatus
		alice.must("GET", "/api/v1/statuses/"+post.ID, nil, &s)
		return s.FavouritesCount == 1 && s.ReblogsCount == 1
	})
	var ns []struct{ Type string }
	alice.must("GET", "/api/v1/notifications?types[]=favourite&types[]=reblog", nil, &ns)
	if len(ns) != 2 {
		t.Fatalf("alice has %d like/boost notifications, want 2", len(ns))
	}
	bob.must("POST", "/api/v1/statuses/"+bobsCopy.ID+"/unfavourite", nil, nil)
	eventually(t, "the unlike on alice's server", func() bool {
		var s apiStatus
		alice.must("GET", "/api/v1/statuses/"+post.ID, nil, &s)
		return s.FavouritesCount == 0
	})

	// Alice edits; Bob sees the new text.
	alice.must("PUT", "/api/v1/statuses/"+post.ID, url.Values{"status": {"Hello again, fediverse!"}}, nil)
	eventually(t, "the edit on bob's server", func() bool {
		var s apiStatus
		bob.must("GET", "/api/v1/statuses/"+bobsCopy.ID, nil, &s)
		return strings.Contains(s.Content, "Hello again") && s.EditedAt != nil
	})

	// Alice deletes; it is gone from Bob's server.
	alice.must("DELETE", "/api/v1/statuses/"+post.ID, nil, nil)
	eventually(t, "the delete on bob's server", func() bool {
		return bob.call("GET", "/api/v1/statuses/"+bobsCopy.ID, nil, nil) == 404
	})

	// Bob unfollows; Alice loses the follower.
	bob.must("POST", "/api/v1/accounts/"+remoteAlice.ID+"/unfollow", nil, nil)
	eventually(t, "the unfollow on alice's server", func() bool {
		var me struct {
			FollowersCount int `json:"followers_count"`
		}
		alice.must("GET", "/api/v1/accounts/verify_credentials", nil, &me)
		return me.FollowersCount == 0
	})
}

func TestLockedAccountFollowRequestAcrossServers(t *testing.T) {
	a, b := startPeer(t), startPeer(t)
	alice, bob := a.newAccount("alice"), b.newAccount("bob")
	alice.must("PATCH", "/api/v1/accounts/update_credentials", url.Values{"locked": {"true"}}, nil)

	var remoteAlice struct{ ID string }
	bob.must("GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(alice.handle()), nil, &remoteAlice)
	bob.must("POST", "/api/v1/accounts/"+remoteAlice.ID+"/follow", nil, nil)

	var requests []struct{ ID, Acct string }
	eventually(t, "the follow request at alice's", func() bool {
		alice.must("GET", "/api/v1/follow_requests", nil, &requests)
		return len(requests) == 1
	})
	if requests[0].Acct != bob.handle() {
		t.Fatalf("request from %q", requests[0].Acct)
	}
	alice.must("POST", fmt.Sprintf("/api/v1/follow_requests/%s/authorize", requests[0].ID), nil, nil)
	eventually(t, "bob to follow alice", func() bool {
		var rels []struct{ Following bool }
		bob.must("GET", "/api/v1/accounts/relationships?id[]="+remoteAlice.ID, nil, &rels)
		return len(rels) == 1 && rels[0].Following
	})

	// A followers-only post reaches the accepted follower.
	var post apiStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"just for followers"}, "visibility": {"private"}}, &post)
	eventually(t, "the private post at bob's", func() bool {
		var home []apiStatus
		bob.must("GET", "/api/v1/timelines/home", nil, &home)
		return len(home) == 1 && home[0].URI == post.URI && home[0].Visibility == "private"
	})
}

func TestDomainBlockStopsBothDirections(t *testing.T) {
	a, b := startPeer(t), startPeer(t)
	alice, bob := a.newAccount("alice"), b.newAccount("bob")
	var remoteAlice struct{ ID string }
	bob.must("GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(alice.handle()), nil, &remoteAlice)
	bob.must("POST", "/api/v1/accounts/"+remoteAlice.ID+"/follow", nil, nil)
	eventually(t, "bob to follow alice", func() bool {
		var me struct {
			FollowersCount int `json:"followers_count"`
		}
		alice.must("GET", "/api/v1/accounts/verify_credentials", nil, &me)
		return me.FollowersCount == 1
	})

	// The owner of A blocks B's domain from the command line while A runs.
	// Both peers live on 127.0.0.1: block B by host and port.
	host := b.domain
	out, err := roost(t, a.getenv, "domains", "block", host)
	if err != nil || !strings.Contains(out, "purged 1 accounts") {
		t.Fatalf("domains block: %v %q", err, out)
	}
	eventually(t, "the purge to show", func() bool {
		var me struct {
			FollowersCount int `json:"followers_count"`
		}
		alice.must("GET", "/api/v1/accounts/verify_credentials", nil, &me)
		return me.FollowersCount == 0
	})
	if code := alice.call("GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(bob.handle()), nil, nil); code != 404 {
		t.Fatalf("a blocked account is still found: %d", code)
	}

	// Nothing from B gets in any more: bob's new follow stays a request.
	bob.must("POST", "/api/v1/accounts/"+remoteAlice.ID+"/unfollow", nil, nil)
	var rel struct{ Following, Requested bool }
	bob.must("POST", "/api/v1/accounts/"+remoteAlice.ID+"/follow", nil, &rel)
	time.Sleep(300 * time.Millisecond)
	var me struct {
		FollowersCount int `json:"followers_count"`
	}
	alice.must("GET", "/api/v1/accounts/verify_credentials", nil, &me)
	if me.FollowersCount != 0 {
		t.Fatal("a follow from a blocked domain was accepted")
	}

	out, err = roost(t, a.getenv, "domains", "list")
	if err != nil || !strings.Contains(out, host+"\tsuspend") {
		t.Fatalf("domains list: %v %q", err, out)
	}
	if _, err := roost(t, a.getenv, "domains", "unblock", host); err != nil {
		t.Fatal(err)
	}
}

func TestAuthorizedFetch(t *testing.T) {
	a, b := startPeer(t, "AUTHORIZED_FETCH", "true"), startPeer(t)
	alice, bob := a.newAccount("alice"), b.newAccount("bob")
	var post apiStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"signed readers only"}}, &post)

	get := func(path string) int {
		req, _ := http.NewRequest("GET", "http://"+a.domain+path, nil)
		req.Header.Set("Accept", "application/activity+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, path := range []string{"/users/alice", "/users/alice/outbox", "/users/alice/followers", "/users/alice/statuses/" + post.ID} {
		if code := get(path); code != 401 {
			t.Errorf("unsigned GET %s: %d, want 401", path, code)
		}
	}
	if code := get("/actor"); code != 200 {
		t.Errorf("the instance actor must stay public: %d", code)
	}

	// Another Roost signs its fetches, so it can still find and follow alice.
	var remoteAlice struct{ ID string }
	bob.must("GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(alice.handle()), nil, &remoteAlice)
	bob.must("POST", "/api/v1/accounts/"+remoteAlice.ID+"/follow", nil, nil)
	eventually(t, "bob to follow alice", func() bool {
		var rels []struct{ Following bool }
		bob.must("GET", "/api/v1/accounts/relationships?id[]="+remoteAlice.ID, nil, &rels)
		return len(rels) == 1 && rels[0].Following
	})

	// Once B is blocked, its signed fetches get nothing either.
	if _, err := roost(t, a.getenv, "domains", "block", b.domain); err != nil {
		t.Fatal(err)
	}
	client := b.m.Server.Federation().Client
	if _, _, err := client.GetJSON(context.Background(), "http://"+a.domain+"/users/alice", ""); err == nil {
		t.Fatal("B's signed fetch of alice still works")
	}
	var se *fetch.StatusError
	if _, _, err := client.GetJSON(context.Background(), "http://"+a.domain+"/users/alice", ""); !errors.As(err, &se) || se.Code != 403 {
		t.Fatalf("B's signed fetch after the block: %v, want a 403", err)
	}
}

// TestQueuedDeliveriesSurviveRestarts: a post made while its follower's
// server is down is retried, survives its own server's restart, and
// arrives once both are back.
func TestQueuedDeliveriesSurviveRestarts(t *testing.T) {
	fast := func(m *Main) {
		m.Server.Federation().RetryBackoff = func(int) time.Duration { return 50 * time.Millisecond }
	}
	a := startPeerAt(t, "127.0.0.1:0", t.TempDir(), fast)
	b := startPeer(t)
	alice, bob := a.newAccount("alice"), b.newAccount("bob")
	var remoteAlice struct{ ID string }
	bob.must("GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(alice.handle()), nil, &remoteAlice)
	bob.must("POST", "/api/v1/accounts/"+remoteAlice.ID+"/follow", nil, nil)
	eventually(t, "bob to follow alice", func() bool {
		var rels []struct{ Following bool }
		bob.must("GET", "/api/v1/accounts/relationships?id[]="+remoteAlice.ID, nil, &rels)
		return len(rels) == 1 && rels[0].Following
	})

	// B goes down; alice posts; her server keeps trying.
	if err := b.m.Close(); err != nil {
		t.Fatal(err)
	}
	var post apiStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"written while bob's server was down"}}, &post)
	time.Sleep(300 * time.Millisecond)
	// A restarts too (the queue is in its database, not its memory).
	if err := a.m.Close(); err != nil {
		t.Fatal(err)
	}
	b2 := startPeerAt(t, b.domain, b.dir, nil)
	a2 := startPeerAt(t, a.domain, a.dir, fast)
	bob.p, alice.p = b2, a2
	eventually(t, "the queued post at bob's", func() bool {
		var home []apiStatus
		bob.must("GET", "/api/v1/timelines/home", nil, &home)
		return len(home) == 1 && home[0].URI == post.URI
	})
}
