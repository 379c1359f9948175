package server

// Streaming: Mastodon's /api/v1/streaming over websocket and server-sent
// events.
//
// What goes through PubSub is domain-level, not rendered entities: one
// stream "status" carries update, status.update and delete of every status
// with the status ID as payload, and "notification:<account id>" says that
// an account may have new notifications. Each connection renders what it
// shows for its own viewer. Pre-rendering per Mastodon stream would need the
// publisher to know every viewer's home (followers), their blocks and their
// favourited/bookmarked flags, and would still be wrong for the flags; with
// IDs, visibility (store.CanSee), blocks, follows and interactions are
// checked where the viewer is known, the same way the REST timelines do.
// A small cache shares the loading of one status among all connections.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/roost-social/roost/federation"
	"github.com/roost-social/roost/store"
)

const (
	// streamStatus carries update, status.update and delete of statuses.
	streamStatus = "status"
	// streamNotify + account ID says the account may have new
	// notifications; the payload is empty.
	streamNotify = "notification:"

	streamPing         = 30 * time.Second
	streamWriteTimeout = 10 * time.Second
	streamReadLimit    = 4096
)

// deletedStatus is the payload of a delete event: enough of the status,
// which is gone, to tell which connections may have shown it.
type deletedStatus struct {
	ID         string   `json:"id"`
	AccountID  string   `json:"account_id"`
	Visibility string   `json:"visibility"`
	Local      bool     `json:"local,omitempty"`
	Tags       []string `json:"tags,omitempty"`
	Mentions   []string `json:"mentions,omitempty"`
	Media      bool     `json:"media,omitempty"`
}

// publish hands e to PubSub after the store write; it never fails the
// request: a live reader missing an event is not a lost write.
func (s *Server) publish(ctx context.Context, e store.Event) {
	if s.pubsub == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.pubsub.Publish(ctx, e); err != nil {
		s.log.Warn("publish streaming event", "stream", e.Stream, "event", e.Name, "err", err)
	}
}

// publishStatus tells streaming of a new or edited status.
func (s *Server) publishStatus(ctx context.Context, st *store.Status, edited bool) {
	if edited {
		// The edit time tells versions apart in the connections' cache.
		v := ""
		if st.EditedAt != nil {
			v = strconv.FormatInt(st.EditedAt.UnixNano(), 10)
		}
		if st.Card != nil { // a link preview that arrived is a new version too
			v += "+" + strconv.FormatInt(st.Card.FetchedAt.UnixNano(), 10)
		}
		s.publish(ctx, store.Event{Stream: streamStatus, Name: "status.update", Payload: st.ID + "@" + v})
		return
	}
	s.publish(ctx, store.Event{Stream: streamStatus, Name: "update", Payload: st.ID})
}

// publishPosted tells streaming of a status posted here, and the accounts
// it notifies (federation's hooks do the same for statuses that arrive).
func (s *Server) publishPosted(ctx context.Context, st *store.Status) {
	s.publishStatus(ctx, st, false)
	s.publishNotify(ctx, federation.StatusNotified(st)...)
}

// publishDelete tells streaming that st (as it was) is deleted.
func (s *Server) publishDelete(ctx context.Context, st *store.Status) {
	d := deletedStatus{ID: st.ID, AccountID: st.AccountID, Visibility: st.Visibility, Local: st.Local, Tags: st.Tags,
		Media: len(st.Media) > 0}
	for _, m := range st.Mentions {
		d.Mentions = append(d.Mentions, m.AccountID)
	}
	b, err := json.Marshal(d)
	if err != nil {
		return
	}
	s.publish(ctx, store.Event{Stream: streamStatus, Name: "delete", Payload: string(b)})
}

// publishNotify tells the accounts' connections to look for new
// notifications.
func (s *Server) publishNotify(ctx context.Context, accountIDs ...string) {
	for i, id := range accountIDs {
		if id == "" || slices.Contains(accountIDs[:i], id) {
			continue
		}
		s.publish(ctx, store.Event{Stream: streamNotify + id, Name: "notification"})
	}
}

// statusCache loads each published status once for all connections.
type statusCache struct {
	mu    sync.Mutex
	m     map[string]*cachedStatus
	order []string
}

type cachedStatus struct {
	once sync.Once
	st   *store.Status
	err  error
}

const statusCacheSize = 256

func (sc *statusCache) get(ctx context.Context, st store.Store, key, id string) (*store.Status, error) {
	sc.mu.Lock()
	if sc.m == nil {
		sc.m = map[string]*cachedStatus{}
	}
	e := sc.m[key]
	if e == nil {
		e = &cachedStatus{}
		sc.m[key] = e
		sc.order = append(sc.order, key)
		if len(sc.order) > statusCacheSize {
			delete(sc.m, sc.order[0])
			sc.order = sc.order[1:]
		}
	}
	sc.mu.Unlock()
	e.once.Do(func() { e.st, e.err = st.StatusByID(context.WithoutCancel(ctx), id) })
	return e.st, e.err
}

// subscription is one Mastodon stream a connection shows: "user",
// "public:local", "hashtag" with tag, ...
type subscription struct {
	stream string
	tag    string // hashtag streams: the lowercase tag
}

// names is the "stream" array of a websocket message.
func (sub subscription) names() []string {
	if sub.tag != "" {
		return []string{sub.stream, sub.tag}
	}
	return []string{sub.stream}
}

var publicStreams = []string{
	"public", "public:local", "public:remote",
	"public:media", "public:local:media", "public:remote:media",
}

// checkSubscription validates a stream request for the call's viewer and
// token.
func (c *call) checkSubscription(stream, tag string) (subscription, error) {
	sub := subscription{stream: stream}
	needUser := func(scope string) error {
		if c.viewer == nil {
			return &apiError{status: http.StatusUnauthorized, msg: "Missing access token"}
		}
		if !scopesAllow(c.token.Scopes, scope) {
			return forbidden("Access token does not have the required scopes")
		}
		return nil
	}
	switch {
	case slices.Contains(publicStreams, stream):
		return sub, nil
	case stream == "hashtag" || stream == "hashtag:local":
		tag = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(tag), "#"))
		if tag == "" {
			return sub, badRequest("No tag for stream provided")
		}
		sub.tag = tag
		return sub, nil
	case stream == "user" || stream == "direct":
		return sub, needUser("read:statuses")
	case stream == "user:notification":
		return sub, needUser("read:notifications")
	case stream == "list":
		if err := needUser("read:lists"); err != nil {
			return sub, err
		}
		return sub, &apiError{status: http.StatusNotFound, msg: "Not found"} // no lists yet
	case stream == "":
		return sub, badRequest("No streaming type provided")
	}
	return sub, badRequest("Unknown stream type")
}

// streamConn is one streaming connection's state; only its own goroutine
// touches it.
type streamConn struct {
	c      *call
	subs   []subscription
	cursor string // the newest notification already shown
	// send writes one event of one subscription to the client.
	send func(sub subscription, event, payload string) error
}

func (sc *streamConn) viewerID() string { return sc.c.viewerID() }

// open subscribes to PubSub for everything the connection may show.
func (sc *streamConn) open(ctx context.Context) (<-chan store.Event, func(), error) {
	s := sc.c.s
	if s.pubsub == nil {
		return nil, nil, errors.New("streaming is not configured")
	}
	streams := []string{streamStatus}
	if v := sc.viewerID(); v != "" {
		streams = append(streams, streamNotify+v)
		ns, err := s.store.Notifications(ctx, v, store.NotificationFilter{}, store.Page{Limit: 1})
		if err != nil {
			return nil, nil, err
		}
		if len(ns) > 0 {
			sc.cursor = ns[0].ID
		} else {
			sc.cursor = store.NewID(s.now())
		}
	}
	return s.pubsub.Subscribe(ctx, streams...)
}

func (sc *streamConn) has(sub subscription) bool { return slices.Contains(sc.subs, sub) }

func (sc *streamConn) add(sub subscription) {
	if !sc.has(sub) {
		sc.subs = append(sc.subs, sub)
	}
}

func (sc *streamConn) remove(sub subscription) {
	sc.subs = slices.DeleteFunc(sc.subs, func(x subscription) bool { return x == sub })
}

// handle shows one PubSub event on the subscriptions it belongs to.
func (sc *streamConn) handle(ctx context.Context, e store.Event) error {
	if len(sc.subs) == 0 {
		return nil
	}
	switch {
	case e.Stream == streamStatus && e.Name == "delete":
		return sc.handleDelete(ctx, e.Payload)
	case e.Stream == streamStatus:
		return sc.handleStatus(ctx, e)
	case strings.HasPrefix(e.Stream, streamNotify):
		return sc.handleNotify(ctx)
	}
	return nil
}

// publicMatch reports whether a status of the given visibility, locality,
// tags and media belongs on a public or hashtag subscription.
func publicMatch(sub subscription, visibility string, local, boost bool, tags []string, media bool) bool {
	if visibility != store.VisibilityPublic || boost {
		return false
	}
	switch sub.stream {
	case "public":
		return true
	case "public:local":
		return local
	case "public:remote":
		return !local
	case "public:media":
		return media
	case "public:local:media":
		return media && local
	case "public:remote:media":
		return media && !local
	case "hashtag", "hashtag:local":
		if sub.stream == "hashtag:local" && !local {
			return false
		}
		return slices.ContainsFunc(tags, func(t string) bool { return strings.EqualFold(t, sub.tag) })
	}
	return false
}

// relation is what the viewer's home and blocks need of a status's author.
func (sc *streamConn) relation(ctx context.Context, authorID string) (*store.Relationship, error) {
	v := sc.viewerID()
	if v == "" || v == authorID {
		return &store.Relationship{}, nil
	}
	rs, err := sc.c.s.store.Relationships(ctx, v, []string{authorID})
	if err != nil || len(rs) == 0 {
		return &store.Relationship{}, err
	}
	return rs[0], nil
}

// followsTagOf reports whether the viewer follows a tag of st, a public
// status that is no boost.
func (sc *streamConn) followsTagOf(ctx context.Context, st *store.Status) (bool, error) {
	v := sc.viewerID()
	if v == "" || st.Visibility != store.VisibilityPublic || st.ReblogOfID != "" || len(st.Tags) == 0 {
		return false, nil
	}
	followed, err := sc.c.s.store.FollowsTags(ctx, v, st.Tags)
	return len(followed) > 0, err
}

func (sc *streamConn) handleStatus(ctx context.Context, e store.Event) error {
	s := sc.c.s
	id, _, _ := strings.Cut(e.Payload, "@")
	st, err := s.streamCache.get(ctx, s.store, e.Name+" "+e.Payload, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted since
	}
	if err != nil {
		return err
	}
	v := sc.viewerID()
	mentioned := st.AccountID == v || slices.ContainsFunc(st.Mentions, func(m store.Mention) bool { return m.AccountID == v })
	// Cheap checks first: most events concern no subscription.
	var candidates []subscription
	for _, sub := range sc.subs {
		switch sub.stream {
		case "user":
			candidates = append(candidates, sub)
		case "direct":
			if st.Visibility == store.VisibilityDirect && mentioned {
				candidates = append(candidates, sub)
			}
		case "user:notification":
		default:
			if publicMatch(sub, st.Visibility, st.Local, st.ReblogOfID != "", st.Tags, len(st.Media) > 0) {
				candidates = append(candidates, sub)
			}
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	if ok, err := s.store.CanSee(ctx, v, st); err != nil || !ok {
		return err
	}
	if st.Reblog != nil {
		if ok, err := s.store.CanSee(ctx, v, st.Reblog); err != nil || !ok {
			return err
		}
	}
	rel, err := sc.relation(ctx, st.AccountID)
	if err != nil {
		return err
	}
	if rel.Blocking || rel.BlockedBy || rel.Muting || rel.DomainBlocking {
		return nil
	}
	var payload string
	for _, sub := range candidates {
		if sub.stream == "user" {
			if st.AccountID != v && !rel.Following {
				// Public statuses with a tag the viewer follows are on
				// its home too (store/sqlite fans them out alike).
				tagged, err := sc.followsTagOf(ctx, st)
				if err != nil {
					return err
				}
				if !tagged {
					continue
				}
			}
			if st.ReblogOfID != "" && st.AccountID != v && !rel.ShowingReblogs {
				continue
			}
		}
		if payload == "" {
			out, err := sc.c.renderStatus(st)
			if err != nil {
				return err
			}
			b, err := marshalPayload(out)
			if err != nil {
				return err
			}
			payload = b
		}
		event, p := e.Name, payload
		if sub.stream == "direct" {
			if e.Name != "update" {
				continue
			}
			event, p = "conversation", conversationPayload(st, payload)
		}
		if err := sc.send(sub, event, p); err != nil {
			return err
		}
	}
	return nil
}

// conversationPayload is a Conversation entity for a direct status, its
// ID the status's thread root as far as known (the status itself here).
func conversationPayload(st *store.Status, status string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"id":%q,"unread":true,"accounts":[],"last_status":%s}`, st.ID, status)
	return b.String()
}

func marshalPayload(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func (sc *streamConn) handleDelete(ctx context.Context, payload string) error {
	var d deletedStatus
	if err := json.Unmarshal([]byte(payload), &d); err != nil || d.ID == "" {
		return nil
	}
	v := sc.viewerID()
	var rel *store.Relationship
	for _, sub := range sc.subs {
		ok := false
		switch sub.stream {
		case "user":
			if d.AccountID == v {
				ok = true
				break
			}
			if rel == nil {
				var err error
				if rel, err = sc.relation(ctx, d.AccountID); err != nil {
					return err
				}
			}
			ok = rel.Following
		case "direct":
			ok = d.Visibility == store.VisibilityDirect && (d.AccountID == v || slices.Contains(d.Mentions, v))
		case "user:notification":
		default:
			ok = publicMatch(sub, d.Visibility, d.Local, false, d.Tags, d.Media)
		}
		if ok {
			if err := sc.send(sub, "delete", d.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// handleNotify shows the viewer's notifications newer than the last shown,
// oldest first.
func (sc *streamConn) handleNotify(ctx context.Context) error {
	var subs []subscription
	for _, sub := range sc.subs {
		if sub.stream == "user" || sub.stream == "user:notification" {
			subs = append(subs, sub)
		}
	}
	if len(subs) == 0 || sc.viewerID() == "" {
		return nil
	}
	ns, err := sc.c.s.store.Notifications(ctx, sc.viewerID(), store.NotificationFilter{}, store.Page{MinID: sc.cursor, Limit: 40})
	if err != nil || len(ns) == 0 {
		return err
	}
	sc.cursor = ns[0].ID
	out, err := sc.c.renderNotifications(ns)
	if err != nil {
		return err
	}
	for i := len(out) - 1; i >= 0; i-- {
		p, err := marshalPayload(out[i])
		if err != nil {
			return err
		}
		for _, sub := range subs {
			if err := sc.send(sub, "notification", p); err != nil {
				return err
			}
		}
	}
	return nil
}

// streamingHealth is GET /api/v1/streaming/health.
func (s *Server) streamingHealth(c *call) error {
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := c.w.Write([]byte("OK"))
	return err
}

// wsUpgrader shares write buffers among connections, so an idle
// connection holds only its read buffer.
var wsUpgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferPool: &sync.Pool{},
	CheckOrigin:     func(*http.Request) bool { return true }, // tokens, not cookies, authenticate
}

// wsMessage is what a websocket client sends.
type wsMessage struct {
	Type   string `json:"type"`
	Stream string `json:"stream"`
	Tag    string `json:"tag"`
}

// streamingWebsocket is GET /api/v1/streaming: one socket, many
// subscriptions, the first from ?stream=.
func (s *Server) streamingWebsocket(c *call) error {
	if !websocket.IsWebSocketUpgrade(c.r) {
		return badRequest("This endpoint is a websocket; server-sent events are at /api/v1/streaming/<stream>")
	}
	sc := &streamConn{c: c}
	if stream := c.p.str("stream"); stream != "" {
		sub, err := c.checkSubscription(stream, c.p.str("tag"))
		if err != nil {
			return err
		}
		sc.add(sub)
	}
	var header http.Header
	if proto := c.r.Header.Get("Sec-WebSocket-Protocol"); proto != "" && c.token != nil {
		header = http.Header{"Sec-WebSocket-Protocol": {proto}}
	}
	// The connection outlives this handler: once upgraded, it runs in a
	// goroutine of its own, so that net/http's goroutine, its deep stack
	// and the connection's HTTP buffers are freed (an idle socket then
	// holds a few KB; see BenchmarkStreamingConnections).
	ctx, cancel := context.WithCancel(context.WithoutCancel(c.r.Context()))
	stop := context.AfterFunc(s.streamsCtx, cancel) // Server.Close ends it
	events, unsubscribe, err := sc.open(ctx)
	if err != nil {
		stop()
		cancel()
		return err
	}
	conn, err := wsUpgrader.Upgrade(c.w, c.r, header)
	if err != nil {
		unsubscribe()
		stop()
		cancel()
		return errHandled // the upgrader answered
	}
	c.w, c.r = nil, c.r.WithContext(ctx)
	if !s.startStream() {
		conn.Close()
		unsubscribe()
		stop()
		cancel()
		return errHandled
	}
	s.streams.Add(1)
	go func() {
		defer s.streamsWG.Done()
		defer s.streams.Add(-1)
		defer stop()
		defer cancel()
		defer unsubscribe()
		defer conn.Close()
		s.serveWebsocket(ctx, sc, conn, events)
	}()
	return nil
}

// serveWebsocket runs an upgraded connection until the client leaves or
// falls behind.
func (s *Server) serveWebsocket(ctx context.Context, sc *streamConn, conn *websocket.Conn, events <-chan store.Event) {
	c := sc.c
	writeTimeout := s.streamWriteTimeout
	write := func(v any) error {
		conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		return conn.WriteJSON(v)
	}
	sc.send = func(sub subscription, event, payload string) error {
		return write(struct {
			Stream  []string `json:"stream"`
			Event   string   `json:"event"`
			Payload string   `json:"payload"`
		}{sub.names(), event, payload})
	}

	// The reader passes subscription changes to this goroutine, which owns
	// the connection's state and is its only writer.
	msgs := make(chan wsMessage, 8)
	readDone := make(chan struct{})
	conn.SetReadLimit(streamReadLimit)
	alive := func() { conn.SetReadDeadline(time.Now().Add(3 * s.streamPing)) }
	alive()
	conn.SetPongHandler(func(string) error { alive(); return nil })
	go func() {
		defer close(readDone)
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				return
			}
			alive()
			var m wsMessage
			if json.Unmarshal(b, &m) != nil {
				continue
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	ping := time.NewTicker(s.streamPing)
	defer ping.Stop()
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return // dropped: too slow, or shutting down
			}
			if err := sc.handle(ctx, e); err != nil {
				s.logStreamError(err)
				return
			}
		case m := <-msgs:
			if m.Type != "subscribe" && m.Type != "unsubscribe" {
				continue
			}
			sub, err := c.checkSubscription(m.Stream, m.Tag)
			if err != nil {
				e, _ := toAPIError(err)
				if write(map[string]any{"error": e.msg, "status": e.status}) != nil {
					return
				}
				continue
			}
			if m.Type == "subscribe" {
				sc.add(sub)
			} else {
				sc.remove(sub)
			}
		case <-ping.C:
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)) != nil {
				return
			}
		case <-readDone:
			return
		case <-ctx.Done():
			return
		}
	}
}

// logStreamError logs what is not a client going away.
func (s *Server) logStreamError(err error) {
	if errors.Is(err, context.Canceled) || websocket.IsUnexpectedCloseError(err) || isNetError(err) {
		return
	}
	s.log.Warn("streaming connection", "err", err)
}

func isNetError(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne)
}

// streamingSSE serves one stream as server-sent events; the stream comes
// from the route.
func (s *Server) streamingSSE(stream string) handlerFunc {
	return func(c *call) error {
		sub, err := c.checkSubscription(stream, c.p.str("tag"))
		if err != nil {
			return err
		}
		sc := &streamConn{c: c, subs: []subscription{sub}}
		ctx, cancel := context.WithCancel(c.r.Context())
		defer cancel()
		events, unsubscribe, err := sc.open(ctx)
		if err != nil {
			return err
		}
		defer unsubscribe()
		s.streams.Add(1)
		defer s.streams.Add(-1)
		rc := http.NewResponseController(c.w)
		_ = rc.SetReadDeadline(time.Time{}) // the server's ReadTimeout would end the stream
		h := c.w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Accel-Buffering", "no")
		c.w.WriteHeader(http.StatusOK)
		writeTimeout := s.streamWriteTimeout
		write := func(text string) error {
			_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := c.w.Write([]byte(text)); err != nil {
				return err
			}
			return rc.Flush()
		}
		sc.send = func(_ subscription, event, payload string) error {
			return write("event: " + event + "\ndata: " + payload + "\n\n")
		}
		if write(":)\n") != nil {
			return nil
		}
		ping := time.NewTicker(s.streamPing)
		defer ping.Stop()
		for {
			select {
			case e, ok := <-events:
				if !ok {
					return nil
				}
				if err := sc.handle(ctx, e); err != nil {
					s.logStreamError(err)
					return nil
				}
			case <-ping.C:
				if write(":thump\n") != nil {
					return nil
				}
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// websocketProtocolToken lets browsers, which cannot set headers on a
// websocket, send the token as Sec-WebSocket-Protocol, as Mastodon allows.
func websocketProtocolToken(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := strings.TrimSpace(r.Header.Get("Sec-WebSocket-Protocol")); p != "" && r.Header.Get("Authorization") == "" && r.URL.Query().Get("access_token") == "" {
			r.Header.Set("Authorization", "Bearer "+p)
		}
		h.ServeHTTP(w, r)
	})
}
