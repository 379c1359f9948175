package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestStreamingAcrossServers: what arrives in the inbox reaches the
// streams of the local accounts it concerns.
func TestStreamingAcrossServers(t *testing.T) {
	a, b := startPeer(t), startPeer(t)
	alice, bob := a.newAccount("alice"), b.newAccount("bob")
	var remoteAlice struct{ ID string }
	bob.must("GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(alice.handle()), nil, &remoteAlice)
	bob.must("POST", "/api/v1/accounts/"+remoteAlice.ID+"/follow", nil, nil)
	eventually(t, "the follow to be accepted", func() bool {
		var rels []struct{ Following bool }
		bob.must("GET", "/api/v1/accounts/relationships?id[]="+remoteAlice.ID, nil, &rels)
		return len(rels) == 1 && rels[0].Following
	})

	dial := func(acct *account) *websocket.Conn {
		conn, _, err := websocket.DefaultDialer.Dial("ws://"+acct.p.domain+"/api/v1/streaming?stream=user",
			http.Header{"Authorization": {"Bearer " + acct.token}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	next := func(conn *websocket.Conn) (event string, payload map[string]any, raw string) {
		t.Helper()
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		var e struct{ Event, Payload string }
		if err := conn.ReadJSON(&e); err != nil {
			t.Fatalf("read: %v", err)
		}
		json.Unmarshal([]byte(e.Payload), &payload)
		return e.Event, payload, e.Payload
	}
	bobs, alices := dial(bob), dial(alice)

	var post apiStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"Hello, streams"}}, &post)
	if ev, p, _ := next(alices); ev != "update" || p["id"] != post.ID {
		t.Fatalf("alice's own stream: %s %v", ev, p)
	}
	ev, p, _ := next(bobs)
	if ev != "update" || p["uri"] != post.URI {
		t.Fatalf("bob's stream: %s %v", ev, p)
	}
	bobsID := p["id"].(string)

	// Bob's reply mentions her: a notification on her stream.
	bob.must("POST", "/api/v1/statuses", url.Values{"status": {"@" + alice.handle() + " hi"}, "in_reply_to_id": {bobsID}}, nil)
	next(bobs) // his own reply
	if ev, p, _ := next(alices); ev != "notification" || p["type"] != "mention" {
		t.Fatalf("alice's stream: %s %v", ev, p)
	}

	// Her delete arrives as his delete of his copy.
	alice.must("DELETE", "/api/v1/statuses/"+post.ID, nil, nil)
	if ev, _, raw := next(bobs); ev != "delete" || raw != bobsID {
		t.Fatalf("bob's stream: %s %s, want delete %s", ev, raw, bobsID)
	}
}
