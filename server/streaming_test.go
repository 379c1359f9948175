package server

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/roost-social/roost/store"
)

const streamWait = 5 * time.Second

// streamEvent is one event as a client sees it.
type streamEvent struct {
	Stream  []string `json:"stream"`
	Event   string   `json:"event"`
	Payload string   `json:"payload"`
	Error   string   `json:"error"` // a refused subscription
}

// id is the "id" of the payload's JSON, or the payload itself (delete).
func (e streamEvent) id(t *testing.T) string {
	t.Helper()
	if e.Event == "delete" {
		return e.Payload
	}
	var v struct {
		ID     string `json:"id"`
		Status *struct {
			ID string `json:"id"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(e.Payload), &v); err != nil {
		t.Fatalf("payload of %s: %v: %s", e.Event, err, e.Payload)
	}
	return v.ID
}

type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

// dialStream opens the websocket with token ("" for none) and query.
func (in *instance) dialStream(t *testing.T, token, query string) *wsClient {
	t.Helper()
	ws, resp := in.dialStreamWith(t, websocket.DefaultDialer, token, query)
	if ws == nil {
		t.Fatalf("dial: status %d", resp.StatusCode)
	}
	return ws
}

func (in *instance) dialStreamWith(t *testing.T, d *websocket.Dialer, token, query string) (*wsClient, *http.Response) {
	t.Helper()
	u := "ws" + strings.TrimPrefix(in.http.URL, "http") + "/api/v1/streaming?" + query
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	conn, resp, err := d.Dial(u, h)
	if err != nil {
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		return nil, resp
	}
	t.Cleanup(func() { conn.Close() })
	return &wsClient{t: t, conn: conn}, resp
}

func (c *wsClient) next() streamEvent {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(streamWait))
	var e streamEvent
	if err := c.conn.ReadJSON(&e); err != nil {
		c.t.Fatalf("read event: %v", err)
	}
	return e
}

func (c *wsClient) send(typ, stream, tag string) {
	c.t.Helper()
	if err := c.conn.WriteJSON(map[string]string{"type": typ, "stream": stream, "tag": tag}); err != nil {
		c.t.Fatal(err)
	}
}

// sync waits until the server has handled every message sent before: it
// answers a bad subscription with an error, in order.
func (c *wsClient) sync() {
	c.t.Helper()
	c.send("subscribe", "no-such-stream", "")
	if e := c.next(); e.Error == "" {
		c.t.Fatalf("want the error of a bad subscription, got %+v", e)
	}
}

// want reads the next event and checks its name, stream and ID.
func wantEvent(t *testing.T, e streamEvent, event, stream, id string) {
	t.Helper()
	if e.Event != event || strings.Join(e.Stream, " ") != stream || e.id(t) != id {
		t.Fatalf("got %s %v %s, want %s [%s] %s", e.Event, e.Stream, e.id(t), event, stream, id)
	}
}

type sseClient struct {
	t      *testing.T
	events chan streamEvent
}

// sseStream opens a server-sent events stream at path.
func (in *instance) sseStream(t *testing.T, token, path string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", in.http.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(resp.Body)
	if line, err := br.ReadString('\n'); err != nil || line != ":)\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	c := &sseClient{t: t, events: make(chan streamEvent, 100)}
	go func() {
		defer resp.Body.Close()
		defer close(c.events)
		var e streamEvent
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case strings.HasPrefix(line, "event: "):
				e.Event = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				e.Payload = line[len("data: "):]
			case line == "" && e.Event != "":
				c.events <- e
				e = streamEvent{}
			}
		}
	}()
	return c
}

func (c *sseClient) next() streamEvent {
	c.t.Helper()
	select {
	case e, ok := <-c.events:
		if !ok {
			c.t.Fatal("stream ended")
		}
		return e
	case <-time.After(streamWait):
		c.t.Fatal("no event")
	}
	return streamEvent{}
}

func TestStreamingHealth(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	r := in.do("GET", "/api/v1/streaming/health", "", nil).want(t, 200)
	if string(r.body) != "OK" {
		t.Fatalf("body %q", r.body)
	}
}

func TestStreamingWebsocketUser(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob, carol := in.newUser("alice"), in.newUser("bob"), in.newUser("carol")
	in.follow(t, alice, bob)
	ws := in.dialStream(t, alice.token, "stream=user")
	anon := in.dialStream(t, "", "stream=public")

	id := in.postStatus(carol, "not followed")                      // not on alice's home
	wantEvent(t, anon.next(), "update", "public", id)               // but public
	id = in.postStatus(bob, "hello followers")                      //
	wantEvent(t, ws.next(), "update", "user", id)                   //
	wantEvent(t, anon.next(), "update", "public", id)               //
	own := in.postStatus(alice, "my own", "visibility", "unlisted") // home, not public
	wantEvent(t, ws.next(), "update", "user", own)

	// Edits and deletes follow the status.
	bob.do(in, "PUT", "/api/v1/statuses/"+id, url.Values{"status": {"hello, edited"}}).want(t, 200)
	e := ws.next()
	wantEvent(t, e, "status.update", "user", id)
	if !strings.Contains(e.Payload, "hello, edited") {
		t.Fatalf("edit payload %s", e.Payload)
	}
	wantEvent(t, anon.next(), "status.update", "public", id)
	bob.do(in, "DELETE", "/api/v1/statuses/"+id, nil).want(t, 200)
	wantEvent(t, ws.next(), "delete", "user", id)
	wantEvent(t, anon.next(), "delete", "public", id)

	// The viewer's own flags are in the payload.
	fav := in.postStatus(bob, "favourite me")
	wantEvent(t, ws.next(), "update", "user", fav)
	wantEvent(t, anon.next(), "update", "public", fav)
	alice.post(in, "/api/v1/statuses/"+fav+"/favourite", nil).want(t, 200)
	bob.do(in, "PUT", "/api/v1/statuses/"+fav, url.Values{"status": {"favourite me, edited"}}).want(t, 200)
	var st struct {
		Favourited bool `json:"favourited"`
	}
	e = ws.next()
	json.Unmarshal([]byte(e.Payload), &st)
	if e.Event != "status.update" || !st.Favourited {
		t.Fatalf("alice's edit event %s %s", e.Event, e.Payload)
	}
	e = anon.next()
	json.Unmarshal([]byte(e.Payload), &st)
	if st.Favourited {
		t.Fatalf("anonymous edit event shows favourited: %s", e.Payload)
	}
}

func (u *user) do(in *instance, method, path string, body any) *response {
	return in.do(method, path, u.token, body)
}

func TestStreamingNotifications(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	ws := in.dialStream(t, alice.token, "stream=user:notification")
	sse := in.sseStream(t, alice.token, "/api/v1/streaming/user/notification")
	bobs := in.dialStream(t, bob.token, "stream=user:notification")

	bob.post(in, "/api/v1/accounts/"+alice.ID+"/follow", nil).want(t, 200)
	mention := in.postStatus(bob, "@alice hi")
	own := in.postStatus(alice, "like this")
	bob.post(in, "/api/v1/statuses/"+own+"/favourite", nil).want(t, 200)
	for _, next := range []func() streamEvent{ws.next, sse.next} {
		var types []string
		for range 3 {
			e := next()
			if e.Event != "notification" {
				t.Fatalf("event %+v", e)
			}
			var n struct {
				Type   string `json:"type"`
				Status *struct {
					ID string `json:"id"`
				} `json:"status"`
			}
			json.Unmarshal([]byte(e.Payload), &n)
			types = append(types, n.Type)
			if n.Type == "mention" && n.Status.ID != mention {
				t.Fatalf("mention of %s, want %s", n.Status.ID, mention)
			}
		}
		if strings.Join(types, " ") != "follow mention favourite" {
			t.Fatalf("notifications %v", types)
		}
	}
	// Bob's stream shows only his own: alice's mention of him.
	m := in.postStatus(alice, "@bob back")
	e := bobs.next()
	if e.Event != "notification" || !strings.Contains(e.Payload, m) {
		t.Fatalf("bob's first notification %+v", e)
	}
}

func TestStreamingSSE(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	in.follow(t, alice, bob)
	home := in.sseStream(t, alice.token, "/api/v1/streaming/user")
	local := in.sseStream(t, "", "/api/v1/streaming/public/local")
	remote := in.sseStream(t, "", "/api/v1/streaming/public/remote")
	tag := in.sseStream(t, "", "/api/v1/streaming/hashtag?tag=Roost")
	id := in.postStatus(bob, "hello #roost")
	for name, c := range map[string]*sseClient{"home": home, "local": local, "tag": tag} {
		if e := c.next(); e.Event != "update" || e.id(t) != id {
			t.Fatalf("%s: %+v", name, e)
		}
	}
	bob.do(in, "DELETE", "/api/v1/statuses/"+id, nil).want(t, 200)
	if e := home.next(); e.Event != "delete" || e.Payload != id {
		t.Fatalf("delete %+v", e)
	}
	select {
	case e := <-remote.events:
		t.Fatalf("a local post on public:remote: %+v", e)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestStreamingSubscribe(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	bob := in.newUser("bob")
	ws := in.dialStream(t, "", "")
	ws.send("subscribe", "hashtag", "go")
	ws.sync()
	id := in.postStatus(bob, "about #Go")
	wantEvent(t, ws.next(), "update", "hashtag go", id)
	ws.send("unsubscribe", "hashtag", "go")
	ws.send("subscribe", "public:local", "")
	ws.sync()
	id = in.postStatus(bob, "more #go")
	wantEvent(t, ws.next(), "update", "public:local", id) // and not on the hashtag

	// Streams that need a user refuse an anonymous socket.
	ws.send("subscribe", "user", "")
	if e := ws.next(); e.Error == "" {
		t.Fatalf("anonymous user subscription: %+v", e)
	}
}

func TestStreamingAuth(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	for _, tc := range []struct {
		token, query string
		status       int
	}{
		{"", "stream=user", 401},
		{in.tokenWith(t, alice, "write"), "stream=user", 403},
		{in.tokenWith(t, alice, "read:statuses"), "stream=user:notification", 403},
		{"bogus", "stream=public", 401},
		{alice.token, "stream=nonsense", 400},
		{alice.token, "stream=hashtag", 400},
		{alice.token, "stream=list&list=1", 404},
	} {
		ws, resp := in.dialStreamWith(t, websocket.DefaultDialer, tc.token, tc.query)
		if ws != nil || resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.query, resp.StatusCode, tc.status)
		}
	}
	// Scopes that are enough, and the token as a websocket subprotocol
	// (browsers cannot set headers).
	in.dialStream(t, in.tokenWith(t, alice, "read:notifications"), "stream=user:notification")
	d := *websocket.DefaultDialer
	d.Subprotocols = []string{alice.token}
	ws, resp := in.dialStreamWith(t, &d, "", "stream=user")
	if ws == nil || resp.Header.Get("Sec-WebSocket-Protocol") != alice.token {
		t.Fatalf("token as subprotocol: %d %v", resp.StatusCode, resp.Header)
	}
	wantError(t, in.do("GET", "/api/v1/streaming/direct", "", nil), 401)
}

func TestStreamingVisibility(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob, carol, dave := in.newUser("alice"), in.newUser("bob"), in.newUser("carol"), in.newUser("dave")
	in.follow(t, alice, bob)
	outsider := in.dialStream(t, carol.token, "stream=user")
	outsider.send("subscribe", "public", "")
	outsider.send("subscribe", "direct", "")
	outsider.sync()
	follower := in.dialStream(t, alice.token, "stream=user")
	direct := in.dialStream(t, dave.token, "stream=direct")

	private := in.postStatus(bob, "followers only", "visibility", "private")
	wantEvent(t, follower.next(), "update", "user", private)
	dm := in.postStatus(bob, "@dave secret", "visibility", "direct")
	e := direct.next()
	if e.Event != "conversation" || !strings.Contains(e.Payload, dm) {
		t.Fatalf("direct stream %+v", e)
	}
	bob.do(in, "DELETE", "/api/v1/statuses/"+private, nil).want(t, 200)
	wantEvent(t, follower.next(), "delete", "user", private)
	// Carol saw none of it: the next thing she gets is a public post.
	marker := in.postStatus(bob, "public marker")
	wantEvent(t, outsider.next(), "update", "public", marker)
	wantEvent(t, follower.next(), "update", "user", marker) // nor did alice see the DM

	// A blocked account's posts stay off the blocker's streams.
	alice.post(in, "/api/v1/accounts/"+bob.ID+"/block", nil).want(t, 200)
	pub := in.dialStream(t, alice.token, "stream=public")
	in.postStatus(bob, "blocked")
	marker = in.postStatus(carol, "another marker")
	wantEvent(t, pub.next(), "update", "public", marker)
}

// TestStreamingSlowClient: a client that stops reading is dropped, while
// one that keeps up gets every event, and publishing never waits.
func TestStreamingSlowClient(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	in.srv.streamWriteTimeout = 300 * time.Millisecond
	bob := in.newUser("bob")
	id := in.postStatus(bob, strings.Repeat("a long post ", 40))
	fast := in.dialStream(t, "", "stream=public")
	// The slow client's socket buffer is small, so it fills soon.
	d := *websocket.DefaultDialer
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetReadBuffer(4096)
		}
		return c, err
	}
	in.dialStreamWith(t, &d, "", "stream=public") // never read
	const n = 3000
	for range n {
		start := time.Now()
		if err := in.srv.pubsub.Publish(t.Context(), store.Event{Stream: streamStatus, Name: "update", Payload: id}); err != nil {
			t.Fatal(err)
		}
		if time.Since(start) > time.Second {
			t.Fatal("publish waited for a slow client")
		}
		wantEvent(t, fast.next(), "update", "public", id)
	}
	// The server let go of the slow one; the fast one is still there.
	for deadline := time.Now().Add(streamWait); in.srv.streams.Load() != 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d streaming connections open, want the fast one only", in.srv.streams.Load())
		}
	}
	id = in.postStatus(bob, "still there?")
	wantEvent(t, fast.next(), "update", "public", id)
}

// TestStreamingPing: websockets get ping frames, server-sent events
// ":thump" comments, so proxies keep idle streams open.
func TestStreamingPing(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	in.srv.streamPing = 50 * time.Millisecond
	ws := in.dialStream(t, "", "stream=public")
	pinged := make(chan struct{}, 1)
	ws.conn.SetPingHandler(func(string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return nil
	})
	go func() {
		for {
			if _, _, err := ws.conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	select {
	case <-pinged:
	case <-time.After(streamWait):
		t.Fatal("no ping frame")
	}

	req, _ := http.NewRequest("GET", in.http.URL+"/api/v1/streaming/public", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == ":thump\n" {
			return
		}
	}
}
