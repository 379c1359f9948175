package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/redis"
)

func TestRedisURL(t *testing.T) {
	if got := (&Config{}).redisURL(); got != "" {
		t.Errorf("nothing set: %q", got)
	}
	c := &Config{RedisURL: "redis://cache:6380/2", RedisHost: "ignored"}
	if got := c.redisURL(); got != "redis://cache:6380/2" {
		t.Errorf("REDIS_URL wins: %q", got)
	}
	if got := (&Config{RedisHost: "cache"}).redisURL(); got != "redis://cache:6379/0" {
		t.Errorf("REDIS_HOST alone: %q", got)
	}
	const password = "p@ss/w:rd?#%"
	got := (&Config{RedisHost: "::1", RedisPort: "7000", RedisPassword: password}).redisURL()
	u, err := url.Parse(got)
	if err != nil {
		t.Fatalf("%q: %v", got, err)
	}
	if pw, _ := u.User.Password(); pw != password || u.User.Username() != "" || u.Host != "[::1]:7000" || u.Path != "/0" {
		t.Errorf("host, port and password: %q", got)
	}
}

// TestRedisUnreachable needs no Redis: Open fails, naming the setting.
func TestRedisUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	host, port, _ := net.SplitHostPort(addr)
	for _, kv := range [][]string{{"REDIS_URL", "redis://" + addr + "/0"}, {"REDIS_HOST", host, "REDIS_PORT", port}} {
		getenv := env(append([]string{"ROOST_DATA_DIR", t.TempDir()}, kv...)...)
		m, _, err := openMain(context.Background(), "serve", nil, io.Discard, getenv, nil)
		if err == nil {
			m.Close()
			t.Fatalf("%v: Open succeeded with Redis unreachable", kv)
		}
		if !strings.Contains(err.Error(), "REDIS_URL") || !strings.Contains(err.Error(), addr) {
			t.Errorf("%v: error %q should name REDIS_URL and %s", kv, err, addr)
		}
	}
}

// TestRedisStreaming runs two instances on one Redis: each streams through
// it, and an event of one reaches the other's PubSub.
func TestRedisStreaming(t *testing.T) {
	redisURL := os.Getenv("ROOST_TEST_REDIS_URL")
	if redisURL == "" {
		t.Skip("ROOST_TEST_REDIS_URL not set: Redis tests need a real Redis (.ci/run sets it)")
	}
	a := startPeerAt(t, "127.0.0.1:0", t.TempDir(), nil, "REDIS_URL", redisURL)
	b := startPeerAt(t, "127.0.0.1:0", t.TempDir(), nil, "REDIS_URL", redisURL)
	for _, p := range []*peer{a, b} {
		if _, ok := p.m.PubSub.(*redis.PubSub); !ok {
			t.Fatalf("%s streams through %T, want *redis.PubSub", p.domain, p.m.PubSub)
		}
	}
	alice := a.newAccount("alice")

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+a.domain+"/api/v1/streaming/public/local", nil)
	req.Header.Set("Authorization", "Bearer "+alice.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("streaming: status %d", resp.StatusCode)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	// The stream's first line comes once its subscription is in place.
	if l := <-lines; l != ":)" {
		t.Fatalf("first line %q", l)
	}
	// Instance b's PubSub, another process as far as Redis knows.
	other, _, err := b.m.PubSub.Subscribe(ctx, "status")
	if err != nil {
		t.Fatal(err)
	}

	var st apiStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"hello through Redis"}}, &st)

	event := ""
	for event == "" {
		l, ok := <-lines
		if !ok {
			t.Fatal("stream ended without the status")
		}
		if strings.HasPrefix(l, "event: ") {
			event = strings.TrimPrefix(l, "event: ")
			if l = <-lines; event != "update" || !strings.Contains(l, `"id":"`+st.ID+`"`) {
				event = "" // another run's or an earlier event
			}
		}
	}
	// Other test runs may share the Redis: look for this status's event.
	for {
		select {
		case e, ok := <-other:
			if !ok {
				t.Fatal("other instance's subscription closed")
			}
			if e == (store.Event{Stream: "status", Name: "update", Payload: st.ID}) {
				return
			}
		case <-ctx.Done():
			t.Fatal("the other instance did not see the status's event")
		}
	}
}
