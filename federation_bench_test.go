package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roost-social/roost/federation"
	"github.com/roost-social/roost/federation/sig"
	"github.com/roost-social/roost/store"
)

// Whole-program federation benchmarks over loopback:
//   go test -run XXX -bench Federation -benchtime 1x .
// They report activities/s and milliseconds as custom metrics.

// fakeServer is a remote server of actors sharing one test key; it records
// what its shared inbox receives.
type fakeServer struct {
	srv      *httptest.Server
	pubPEM   string
	key      *rsa.PrivateKey
	received atomic.Int64
	onPost   func()
}

func newFakeServer(b testing.TB, pubPEM string, key *rsa.PrivateKey) *fakeServer {
	f := &fakeServer{pubPEM: pubPEM, key: key}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			io.Copy(io.Discard, r.Body)
			f.received.Add(1)
			if f.onPost != nil {
				f.onPost()
			}
			w.WriteHeader(http.StatusAccepted)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/users/")
		id := f.srv.URL + "/users/" + name
		w.Header().Set("Content-Type", "application/activity+json")
		json.NewEncoder(w).Encode(map[string]any{
			"@context": "https://www.w3.org/ns/activitystreams", "id": id, "type": "Person",
			"preferredUsername": name, "inbox": id + "/inbox", "followers": id + "/followers",
			"endpoints": map[string]string{"sharedInbox": f.srv.URL + "/inbox"},
			"publicKey": map[string]string{"id": id + "#main-key", "owner": id, "publicKeyPem": f.pubPEM},
		})
	}))
	b.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) actor(name string) string { return f.srv.URL + "/users/" + name }

// benchPeer starts a Roost instance for a benchmark.
func benchPeer(b *testing.B) *peer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	domain := ln.Addr().String()
	getenv := env("ROOST_DATA_DIR", b.TempDir(), "LOCAL_DOMAIN", domain, "LOCAL_HTTPS", "false",
		"ALLOWED_PRIVATE_ADDRESSES", "127.0.0.0/8")
	m, _, err := openMain(context.Background(), "serve", nil, io.Discard, getenv, nil)
	if err != nil {
		b.Fatal(err)
	}
	m.Listener = ln
	if err := m.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	return &peer{t: b, m: m, domain: domain, getenv: getenv}
}

func testKey(b testing.TB) (string, *rsa.PrivateKey) {
	pub, priv, err := federation.NewKeyPair()
	if err != nil {
		b.Fatal(err)
	}
	k, err := sig.ParsePrivateKeyPEM(priv)
	if err != nil {
		b.Fatal(err)
	}
	return pub, k.(*rsa.PrivateKey)
}

// BenchmarkFederationInbox measures signed Create activities from followed
// remote actors accepted per second, and checks the last one is on the home
// timeline once the senders are done.
func BenchmarkFederationInbox(b *testing.B) {
	const actors, activities, clients = 20, 2000, 16
	p := benchPeer(b)
	ctx := context.Background()
	local, err := p.m.Server.CreateAccount(ctx, "reader", "reader@example.com", "password-reader", store.RoleOwner)
	if err != nil {
		b.Fatal(err)
	}
	tok, _ := p.m.Server.CreateCLIToken(ctx, "reader", "read")
	pub, key := testKey(b)
	remote := newFakeServer(b, pub, key)
	for i := range actors {
		a, err := p.m.Server.Federation().FetchActor(ctx, remote.actor(fmt.Sprint("a", i)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.m.Store.Follow(ctx, local.ID, a.ID, store.FollowOptions{ShowReblogs: true}); err != nil {
			b.Fatal(err)
		}
	}
	// Sign everything first: signing is the sender's cost, not ours.
	reqs := make([]*http.Request, activities)
	bodies := make([][]byte, activities)
	for i := range activities {
		actor := remote.actor(fmt.Sprint("a", i%actors))
		note := map[string]any{
			"id": fmt.Sprintf("%s/notes/%d", actor, i), "type": "Note", "attributedTo": actor,
			"content": fmt.Sprintf("<p>note %d</p>", i), "to": []string{"https://www.w3.org/ns/activitystreams#Public"},
			"published": time.Now().UTC().Format(time.RFC3339),
		}
		body, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
			"id": fmt.Sprintf("%s/notes/%d/activity", actor, i), "type": "Create", "actor": actor, "object": note,
			"to": []string{"https://www.w3.org/ns/activitystreams#Public"}})
		r, _ := http.NewRequest("POST", "http://"+p.domain+"/inbox", nil)
		r.Header.Set("Content-Type", "application/activity+json")
		if err := sig.SignRequest(r, body, actor+"#main-key", key, time.Now()); err != nil {
			b.Fatal(err)
		}
		reqs[i], bodies[i] = r, body
	}
	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= activities {
					return
				}
				r := reqs[i]
				r.Body = io.NopCloser(bytes.NewReader(bodies[i]))
				resp, err := http.DefaultClient.Do(r)
				if err != nil || resp.StatusCode != http.StatusAccepted {
					failed.Add(1)
				}
				if resp != nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failed.Load() > 0 {
		b.Fatalf("%d activities refused", failed.Load())
	}
	// Every accepted activity is stored and on the reader's home timeline
	// (the senders' order is not the arrival order, so look for each).
	acct := &account{p: p, token: tok}
	var home []struct{ URI string }
	acct.must("GET", "/api/v1/timelines/home?limit=40", nil, &home)
	if len(home) != 40 {
		b.Fatalf("home timeline holds %d statuses, want a full page", len(home))
	}
	for i := range activities {
		uri := fmt.Sprintf("%s/notes/%d", remote.actor(fmt.Sprint("a", i%actors)), i)
		if _, err := p.m.Store.StatusByURI(ctx, uri); err != nil {
			b.Fatalf("activity %d was accepted but not stored: %v", i, err)
		}
	}
	b.ReportMetric(float64(activities)/elapsed.Seconds(), "activities/s")
}

// BenchmarkFederationFanOut measures one post to 1,000 remote followers on
// 100 hosts (each with a shared inbox): the time from the API's answer
// until every host has its delivery.
func BenchmarkFederationFanOut(b *testing.B) {
	const hosts, perHost = 100, 10
	p := benchPeer(b)
	ctx := context.Background()
	author, err := p.m.Server.CreateAccount(ctx, "author", "author@example.com", "password-author", store.RoleOwner)
	if err != nil {
		b.Fatal(err)
	}
	tok, _ := p.m.Server.CreateCLIToken(ctx, "author", "write")
	pub, key := testKey(b)
	var arrived sync.WaitGroup
	var servers []*fakeServer
	for h := range hosts {
		s := newFakeServer(b, pub, key)
		servers = append(servers, s)
		for i := range perHost {
			u, _ := url.Parse(s.actor(fmt.Sprint("f", i)))
			a := &store.Account{Username: fmt.Sprint("f", i), Domain: u.Host, URI: u.String(),
				InboxURL: u.String() + "/inbox", SharedInbox: s.srv.URL + "/inbox", KeyID: u.String() + "#main-key", PublicKeyPEM: pub}
			if err := p.m.Store.UpsertRemoteAccount(ctx, a); err != nil {
				b.Fatal(err, h)
			}
			if _, err := p.m.Store.Follow(ctx, a.ID, author.ID, store.FollowOptions{ShowReblogs: true}); err != nil {
				b.Fatal(err)
			}
		}
	}
	acct := &account{p: p, token: tok}
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		arrived.Add(hosts)
		for _, s := range servers {
			var once sync.Once
			s.onPost = func() { once.Do(arrived.Done) }
		}
		acct.must("POST", "/api/v1/statuses", url.Values{"status": {fmt.Sprint("fan-out ", i)}}, nil)
		answered := time.Now()
		done := make(chan struct{})
		go func() { arrived.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			b.Fatal("deliveries did not all arrive within 30 s")
		}
		total += time.Since(answered)
	}
	b.StopTimer()
	var got int64
	for _, s := range servers {
		got += s.received.Load()
	}
	if got != int64(hosts*b.N) {
		b.Fatalf("%d deliveries for %d hosts × %d posts: one per shared inbox expected", got, hosts, b.N)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-all-inboxes")
}
