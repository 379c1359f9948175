package storetest

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

// RunPubSub runs the store.PubSub conformance suite. open returns a fresh
// PubSub for each subtest and arranges for it to be closed.
func RunPubSub(t *testing.T, open func(t *testing.T) store.PubSub) {
	tests := []struct {
		name string
		fn   func(t *testing.T, p store.PubSub)
	}{
		{"RightStreamsOnly", testPubSubStreams},
		{"ManySubscribers", testPubSubMany},
		{"Cancel", testPubSubCancel},
		{"ContextEnds", testPubSubContext},
		{"SlowSubscriberDropped", testPubSubSlow},
		{"NoGoroutineLeak", testPubSubLeak},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

const pubsubWait = 5 * time.Second

func mustSubscribe(t *testing.T, p store.PubSub, streams ...string) (<-chan store.Event, func()) {
	t.Helper()
	ch, cancel, err := p.Subscribe(t.Context(), streams...)
	if err != nil {
		t.Fatalf("subscribe %v: %v", streams, err)
	}
	t.Cleanup(cancel)
	return ch, cancel
}

func mustPublish(t *testing.T, p store.PubSub, stream, name, payload string) {
	t.Helper()
	if err := p.Publish(t.Context(), store.Event{Stream: stream, Name: name, Payload: payload}); err != nil {
		t.Fatalf("publish: %v", err)
	}
}

// next is the next event on ch; it fails the test when none comes or the
// channel is closed.
func next(t *testing.T, ch <-chan store.Event) store.Event {
	t.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("channel closed, want an event")
		}
		return e
	case <-time.After(pubsubWait):
		t.Fatal("no event")
	}
	return store.Event{}
}

// closedSoon drains ch and fails unless it is closed in time; it returns
// how many events were still in it.
func closedSoon(t *testing.T, ch <-chan store.Event) int {
	t.Helper()
	n := 0
	deadline := time.After(pubsubWait)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return n
			}
			n++
		case <-deadline:
			t.Fatal("channel not closed")
		}
	}
}

func testPubSubStreams(t *testing.T, p store.PubSub) {
	ch, _ := mustSubscribe(t, p, "user:1", "public")
	mustPublish(t, p, "user:2", "update", "not yours")
	mustPublish(t, p, "public:local", "update", "not subscribed")
	mustPublish(t, p, "user:1", "notification", `{"id":"1"}`)
	mustPublish(t, p, "public", "delete", "42")
	if e := next(t, ch); e != (store.Event{Stream: "user:1", Name: "notification", Payload: `{"id":"1"}`}) {
		t.Fatalf("first event %+v", e)
	}
	if e := next(t, ch); e != (store.Event{Stream: "public", Name: "delete", Payload: "42"}) {
		t.Fatalf("second event %+v", e)
	}
	select {
	case e := <-ch:
		t.Fatalf("unexpected event %+v", e)
	case <-time.After(50 * time.Millisecond):
	}
}

func testPubSubMany(t *testing.T, p store.PubSub) {
	var chans []<-chan store.Event
	for range 10 {
		ch, _ := mustSubscribe(t, p, "public")
		chans = append(chans, ch)
	}
	other, _ := mustSubscribe(t, p, "hashtag:go")
	for i := range 3 {
		mustPublish(t, p, "public", "update", fmt.Sprint(i))
	}
	mustPublish(t, p, "hashtag:go", "update", "tagged")
	for _, ch := range chans {
		for i := range 3 {
			if e := next(t, ch); e.Payload != fmt.Sprint(i) {
				t.Fatalf("event %d: %+v (events of one stream keep their order)", i, e)
			}
		}
	}
	if e := next(t, other); e.Payload != "tagged" {
		t.Fatalf("hashtag event %+v", e)
	}
}

func testPubSubCancel(t *testing.T, p store.PubSub) {
	ch, cancel := mustSubscribe(t, p, "public")
	stay, _ := mustSubscribe(t, p, "public")
	mustPublish(t, p, "public", "update", "1")
	cancel()
	cancel() // twice is harmless
	closedSoon(t, ch)
	mustPublish(t, p, "public", "update", "2")
	next(t, stay)
	if e := next(t, stay); e.Payload != "2" {
		t.Fatalf("remaining subscriber got %+v", e)
	}
}

func testPubSubContext(t *testing.T, p store.PubSub) {
	ctx, cancel := context.WithCancel(t.Context())
	ch, unsub, err := p.Subscribe(ctx, "public")
	if err != nil {
		t.Fatal(err)
	}
	defer unsub()
	cancel()
	closedSoon(t, ch)
}

// testPubSubSlow publishes to a reader that keeps up and one that never
// reads: the slow one is dropped (its channel closed) and the fast one
// gets every event.
func testPubSubSlow(t *testing.T, p store.PubSub) {
	fast, _ := mustSubscribe(t, p, "public")
	slow, _ := mustSubscribe(t, p, "public")
	const n = 1000
	for i := range n {
		done := make(chan error, 1)
		go func() {
			done <- p.Publish(t.Context(), store.Event{Stream: "public", Name: "update", Payload: fmt.Sprint(i)})
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(pubsubWait):
			t.Fatalf("publish %d blocked on a slow subscriber", i)
		}
		if e := next(t, fast); e.Payload != fmt.Sprint(i) {
			t.Fatalf("fast subscriber: event %d is %+v", i, e)
		}
	}
	if got := closedSoon(t, slow); got >= n {
		t.Fatalf("slow subscriber kept all %d events, want it dropped", got)
	}
}

func testPubSubLeak(t *testing.T, p store.PubSub) {
	settle := func() int {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		return runtime.NumGoroutine()
	}
	before := settle()
	ctx, cancelAll := context.WithCancel(t.Context())
	var cancels []func()
	for i := range 100 {
		_, cancel, err := p.Subscribe(ctx, "public", fmt.Sprint("user:", i))
		if err != nil {
			t.Fatal(err)
		}
		cancels = append(cancels, cancel)
	}
	mustPublish(t, p, "public", "update", "1")
	for _, c := range cancels[:50] {
		c()
	}
	cancelAll() // ends the other half
	deadline := time.Now().Add(pubsubWait)
	for {
		after := settle()
		if after <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after\n%s", before, after, buf[:runtime.Stack(buf, true)])
		}
	}
}
