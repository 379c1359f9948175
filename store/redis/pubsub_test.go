package redis

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/storetest"
)

// testURL is the Redis the tests use, or a skip.
func testURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("ROOST_TEST_REDIS_URL")
	if u == "" {
		t.Skip("ROOST_TEST_REDIS_URL not set: Redis tests need a real Redis (.ci/run sets it)")
	}
	return u
}

// testPrefix is a channel prefix of its own, so that test runs sharing a
// Redis (pub/sub ignores database numbers) do not see each other's events.
func testPrefix(t *testing.T) string {
	b := make([]byte, 6)
	rand.Read(b)
	return ChannelPrefix + "test-" + hex.EncodeToString(b) + ":"
}

// withClientName adds go-redis's client_name option to rawURL, so CLIENT
// LIST tells this PubSub's connections from everyone else's.
func withClientName(t *testing.T, rawURL, name string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("client_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

func mustOpen(t *testing.T, rawURL, prefix string) *PubSub {
	t.Helper()
	p, err := open(t.Context(), rawURL, prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestPubSub(t *testing.T) {
	u := testURL(t)
	storetest.RunPubSub(t, func(t *testing.T) store.PubSub {
		return mustOpen(t, u, testPrefix(t))
	})
}

func waitEvent(t *testing.T, ch <-chan store.Event) store.Event {
	t.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("channel closed, want an event")
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return store.Event{}
}

// TestPubSubAcrossProcesses: two PubSubs on one Redis stand for two Roost
// processes.
func TestPubSubAcrossProcesses(t *testing.T) {
	u, prefix := testURL(t), testPrefix(t)
	a, b := mustOpen(t, u, prefix), mustOpen(t, u, prefix)
	onA, _, err := a.Subscribe(t.Context(), "status")
	if err != nil {
		t.Fatal(err)
	}
	onB, _, err := b.Subscribe(t.Context(), "status", "notification:1")
	if err != nil {
		t.Fatal(err)
	}
	want := store.Event{Stream: "status", Name: "update", Payload: `{"id":"1","text":"two\nlines"}`}
	if err := a.Publish(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	if e := waitEvent(t, onB); e != want {
		t.Fatalf("other process got %+v, want %+v", e, want)
	}
	if e := waitEvent(t, onA); e != want {
		t.Fatalf("own process got %+v, want %+v", e, want)
	}
	note := store.Event{Stream: "notification:1", Name: "notification"}
	if err := b.Publish(t.Context(), note); err != nil {
		t.Fatal(err)
	}
	if e := waitEvent(t, onB); e != note {
		t.Fatalf("got %+v, want %+v", e, note)
	}
	select {
	case e := <-onA:
		t.Fatalf("process A got %+v of a stream it did not subscribe to", e)
	case <-time.After(50 * time.Millisecond):
	}
}

// clientConns counts the connections CLIENT LIST shows under name, and
// returns the IDs of those among them in subscribe mode.
func clientConns(t *testing.T, c *goredis.Client, name string) (all int, pubsub []string) {
	t.Helper()
	list, err := c.ClientList(t.Context()).Result()
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(list), "\n") {
		fields := strings.Fields(line)
		var named, subscribed bool
		var id string
		for _, f := range fields {
			k, v, _ := strings.Cut(f, "=")
			switch {
			case k == "id":
				id = v
			case k == "name" && v == name:
				named = true
			case k == "flags" && strings.Contains(v, "P"):
				subscribed = true
			}
		}
		if named {
			all++
			if subscribed {
				pubsub = append(pubsub, id)
			}
		}
	}
	return all, pubsub
}

// TestPubSubOneConnection: local subscribers share one Redis connection,
// whatever their number.
func TestPubSubOneConnection(t *testing.T) {
	u, prefix := testURL(t), testPrefix(t)
	name := "roost-test-" + strings.TrimSuffix(strings.TrimPrefix(prefix, ChannelPrefix+"test-"), ":")
	p := mustOpen(t, withClientName(t, u, name), prefix)
	const n = 200
	var chans []<-chan store.Event
	for i := range n {
		ch, _, err := p.Subscribe(t.Context(), "status", fmt.Sprint("notification:", i))
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	if err := p.Publish(t.Context(), store.Event{Stream: "status", Name: "update", Payload: "1"}); err != nil {
		t.Fatal(err)
	}
	for _, ch := range chans {
		if e := waitEvent(t, ch); e.Payload != "1" {
			t.Fatalf("got %+v", e)
		}
	}
	if st := p.client.PoolStats().PubSubStats; st.Created != 1 || st.Active != 1 {
		t.Fatalf("pub/sub connections: %d created, %d active; want 1 for %d subscribers", st.Created, st.Active, n)
	}
	all, pubsub := clientConns(t, p.client, name)
	if len(pubsub) != 1 || all > 3 {
		t.Fatalf("Redis sees %d connections of this PubSub, %d subscribed; want 1 subscribed and at most 3 in all", all, len(pubsub))
	}
	// Redis knows every stream once, however many subscribers want it.
	counts, err := p.client.PubSubNumSub(t.Context(), prefix+"status", prefix+"notification:7").Result()
	if err != nil {
		t.Fatal(err)
	}
	if counts[prefix+"status"] != 1 || counts[prefix+"notification:7"] != 1 {
		t.Fatalf("NUMSUB %v, want 1 each", counts)
	}
}

// TestPubSubUnsubscribesFromRedis: a stream without local subscribers is
// dropped from the Redis subscription, and can come back.
func TestPubSubUnsubscribesFromRedis(t *testing.T) {
	u, prefix := testURL(t), testPrefix(t)
	p := mustOpen(t, u, prefix)
	numsub := func() int64 {
		counts, err := p.client.PubSubNumSub(t.Context(), prefix+"hashtag:go").Result()
		if err != nil {
			t.Fatal(err)
		}
		return counts[prefix+"hashtag:go"]
	}
	for range 3 {
		_, cancel, err := p.Subscribe(t.Context(), "hashtag:go")
		if err != nil {
			t.Fatal(err)
		}
		if got := numsub(); got != 1 {
			t.Fatalf("subscribed: NUMSUB %d", got)
		}
		cancel()
		deadline := time.Now().Add(5 * time.Second)
		for numsub() != 0 {
			if time.Now().After(deadline) {
				t.Fatal("Redis still subscribed after the last subscriber left")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// TestPubSubReconnects: when the subscription connection is killed (as by
// a Redis restart), subscribers stay open and get events again once
// go-redis has reconnected.
func TestPubSubReconnects(t *testing.T) {
	u, prefix := testURL(t), testPrefix(t)
	name := "roost-test-" + strings.TrimSuffix(strings.TrimPrefix(prefix, ChannelPrefix+"test-"), ":")
	p := mustOpen(t, withClientName(t, u, name), prefix)
	ch, _, err := p.Subscribe(t.Context(), "status")
	if err != nil {
		t.Fatal(err)
	}
	publish := func(payload string) {
		t.Helper()
		if err := p.Publish(t.Context(), store.Event{Stream: "status", Name: "update", Payload: payload}); err != nil {
			t.Fatal(err)
		}
	}
	publish("before")
	if e := waitEvent(t, ch); e.Payload != "before" {
		t.Fatalf("got %+v", e)
	}
	// Kill only this PubSub's subscription connection: other test runs
	// share the Redis.
	_, ids := clientConns(t, p.client, name)
	if len(ids) != 1 {
		t.Fatalf("%d subscription connections, want 1", len(ids))
	}
	if err := p.client.Do(t.Context(), "CLIENT", "KILL", "ID", ids[0]).Err(); err != nil {
		t.Fatal(err)
	}
	// Events published while disconnected are lost; publish until one
	// arrives on the same channel.
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; ; i++ {
		publish(fmt.Sprint("after ", i))
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatal("subscriber dropped by the reconnect")
			}
			if !strings.HasPrefix(e.Payload, "after ") {
				t.Fatalf("got %+v", e)
			}
			// A new subscriber works too.
			ch2, _, err := p.Subscribe(t.Context(), "public")
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Publish(t.Context(), store.Event{Stream: "public", Name: "update", Payload: "new"}); err != nil {
				t.Fatal(err)
			}
			if e := waitEvent(t, ch2); e.Payload != "new" {
				t.Fatalf("new subscriber got %+v", e)
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no event after the connection was killed")
		}
	}
}

// TestPubSubClosed: Publish and Subscribe fail after Close; Close ends the
// subscriptions and may be called twice.
func TestPubSubClosed(t *testing.T) {
	u := testURL(t)
	p, err := open(t.Context(), u, testPrefix(t))
	if err != nil {
		t.Fatal(err)
	}
	ch, _, err := p.Subscribe(t.Context(), "public")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-ch; ok {
		t.Fatal("subscription open after Close")
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := p.Publish(t.Context(), store.Event{Stream: "public", Name: "update"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Publish after Close: %v", err)
	}
	if _, _, err := p.Subscribe(t.Context(), "public"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after Close: %v", err)
	}
}

// TestNewPubSubUnreachable needs no Redis: a closed port fails at once and
// says where it tried.
func TestNewPubSubUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	start := time.Now()
	_, err = NewPubSub(t.Context(), "redis://:s3cret@"+addr+"/0")
	if err == nil {
		t.Fatal("NewPubSub on a closed port succeeded")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %v to fail", took)
	}
	if msg := err.Error(); !strings.Contains(msg, "cannot reach Redis at "+addr) || !strings.Contains(msg, "refused") ||
		strings.Contains(msg, "s3cret") {
		t.Errorf("error %q: want the address named and no password", msg)
	}
	for _, bad := range []string{"http://:s3cret@localhost/0", "redis://:s3cret@local host/0"} {
		_, err := NewPubSub(t.Context(), bad)
		if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "invalid Redis URL") {
			t.Errorf("NewPubSub(%q): %v", bad, err)
		}
	}
}
