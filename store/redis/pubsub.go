// Package redis holds Roost's Redis backends, for several Roost processes
// sharing one Redis: so far PubSub, which carries streaming events between
// the processes. The queue and shared caches come with the scale-out work.
package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/roost-social/roost/store"
)

var _ store.PubSub = (*PubSub)(nil)

const (
	// ChannelPrefix starts the Redis channel of every stream: stream
	// "status" travels on channel "roost:stream:status".
	ChannelPrefix = "roost:stream:"

	// DefaultBuffer is how many events a subscriber may fall behind before
	// it is dropped, as in store/inproc.
	DefaultBuffer = 64

	// confirmWait bounds how long Subscribe waits for Redis to confirm a new
	// channel, and NewPubSub for Redis to answer.
	confirmWait = 5 * time.Second

	// syncPrefix names the marker channels described at PubSub.
	syncPrefix = "roost:sync:"
)

// ErrClosed is returned by Subscribe and Publish after Close.
var ErrClosed = errors.New("redis pubsub closed")

// PubSub carries events between processes through Redis PUBLISH/SUBSCRIBE.
//
// However many local subscribers there are, a process holds ONE Redis
// connection for subscriptions (plus the pool's few for PUBLISH): it is
// subscribed to the union of the streams its local subscribers want, and
// one goroutine fans each message out to them. Delivery to a subscriber
// never waits: one that falls DefaultBuffer events behind is dropped (its
// channel closed), as in store/inproc, so neither Redis reads nor other
// subscribers stall.
//
// Subscribe returns once Redis has confirmed the subscription, so an event
// published after it returns (by any process) is delivered. To know that
// without counting replies, the SUBSCRIBE that adds new channels also names a
// marker channel unique to this process and round (roost:sync:<id>:<n>):
// Redis answers a command's channels in order and runs it whole, so the
// marker's reply means everything sent before it took effect. Markers are
// unsubscribed again right after.
//
// Reconnection: go-redis pings the connection when idle, and after a
// network error or a Redis restart it redials and resubscribes every
// channel; local subscribers stay open meanwhile and get events again
// afterwards. Redis keeps no pub/sub history, so events published while this
// process was disconnected are lost for its subscribers (a streaming client
// misses them; its timelines over the REST API are complete), and Publish
// and Subscribe fail while Redis cannot be reached.
//
// Channels are not namespaced by database number (Redis pub/sub ignores
// SELECT): two separate Roost communities must not share one Redis server.
type PubSub struct {
	client *goredis.Client
	rps    *goredis.PubSub
	prefix string // ChannelPrefix, or a test's own
	marker string // syncPrefix + this process's random id + ":"

	kick chan struct{} // wakes syncLoop; capacity 1
	quit chan struct{} // closed by Close
	wg   sync.WaitGroup

	mu      sync.RWMutex
	streams map[string]*stream // streams with local subscribers
	closed  bool
	// asked is the set of streams SUBSCRIBEd to and not UNSUBSCRIBEd
	// since (go-redis resubscribes them after reconnecting); only
	// syncLoop changes it.
	asked map[string]bool
	// wantRound counts the rounds new streams asked for; syncLoop has sent
	// markers up to sentRound, and Redis confirmed them up to doneRound.
	wantRound, sentRound, doneRound uint64
	// confirmed is closed, and replaced, when doneRound grows.
	confirmed chan struct{}
	// doneMarkers are confirmed marker channels to unsubscribe.
	doneMarkers []string
}

// stream is one stream with local subscribers.
type stream struct {
	subs map[*sub]struct{}
	// round is the wantRound in which the stream was added: subscribers
	// wait until Redis has confirmed that round.
	round uint64
}

// sub is one subscription. ch is closed exactly once, with mu held for
// writing, so no delivery (which holds it for reading) can send on it then.
type sub struct {
	ch      chan store.Event
	streams []string
	done    bool
	stop    func() bool // stops the context watch
}

// NewPubSub connects to the Redis at url (redis://[:password@]host:port/db,
// or rediss:// for TLS; go-redis's query options apply) and checks that it
// answers.
func NewPubSub(ctx context.Context, url string) (*PubSub, error) {
	return open(ctx, url, ChannelPrefix)
}

// open is NewPubSub with its own channel prefix (tests use one per run).
func open(ctx context.Context, rawURL, prefix string) (*PubSub, error) {
	opts, err := goredis.ParseURL(rawURL)
	if err != nil {
		// url.Error repeats the URL, password included: keep only why.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("redis pubsub: invalid Redis URL: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, confirmWait)
	defer cancel()
	// One plain dial first: go-redis would retry a refused connection for
	// seconds (and log each round) before Ping gave up.
	if opts.Dialer == nil {
		conn, err := (&net.Dialer{}).DialContext(pctx, opts.Network, opts.Addr)
		if err != nil {
			return nil, fmt.Errorf("redis pubsub: cannot reach Redis at %s: %w", opts.Addr, err)
		}
		conn.Close()
	}
	client := goredis.NewClient(opts)
	if err := client.Ping(pctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("redis pubsub: cannot reach Redis at %s: %w", opts.Addr, err)
	}
	id := make([]byte, 8)
	rand.Read(id)
	p := &PubSub{
		client:    client,
		rps:       client.Subscribe(ctx), // no channels yet: syncLoop adds them
		prefix:    prefix,
		marker:    syncPrefix + hex.EncodeToString(id) + ":",
		kick:      make(chan struct{}, 1),
		quit:      make(chan struct{}),
		streams:   map[string]*stream{},
		asked:     map[string]bool{},
		confirmed: make(chan struct{}),
	}
	// The channel's goroutine dials the subscription connection now and
	// keeps it (health-check pings, reconnects) until Close.
	msgs := p.rps.ChannelWithSubscriptions(goredis.WithChannelSize(1024))
	p.wg.Add(2)
	go p.receive(msgs)
	go p.syncLoop()
	return p, nil
}

// Publish sends e to the subscribers of e.Stream in every process. It waits
// for Redis, never for subscribers.
func (p *PubSub) Publish(ctx context.Context, e store.Event) error {
	p.mu.RLock()
	closed := p.closed
	p.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	// The wire form is name, newline, payload: compact, and payloads
	// (often JSON) need no escaping.
	if strings.Contains(e.Name, "\n") {
		return fmt.Errorf("redis pubsub: event name %q contains a newline", e.Name)
	}
	if err := p.client.Publish(ctx, p.prefix+e.Stream, e.Name+"\n"+e.Payload).Err(); err != nil {
		return fmt.Errorf("redis pubsub: publish: %w", err)
	}
	return nil
}

// Subscribe delivers the events of streams until cancel is called, ctx ends
// or the subscriber falls DefaultBuffer events behind; the channel is closed
// then. cancel may be called more than once. It returns once Redis has
// confirmed the subscription, and fails if it has not within a few seconds
// (Redis unreachable).
func (p *PubSub) Subscribe(ctx context.Context, streams ...string) (<-chan store.Event, func(), error) {
	s := &sub{ch: make(chan store.Event, DefaultBuffer), streams: streams}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, nil, ErrClosed
	}
	var round uint64
	fresh := false
	for _, name := range streams {
		st := p.streams[name]
		if st == nil {
			if !fresh {
				fresh = true
				p.wantRound++
			}
			st = &stream{subs: map[*sub]struct{}{}, round: p.wantRound}
			p.streams[name] = st
		}
		st.subs[s] = struct{}{}
		round = max(round, st.round)
	}
	p.mu.Unlock()
	if fresh {
		p.wake()
	}
	cancel := func() {
		p.mu.Lock()
		p.removeLocked(s)
		p.mu.Unlock()
	}
	if err := p.waitRound(ctx, round); err != nil {
		cancel()
		return nil, nil, err
	}
	// AfterFunc costs no goroutine while the subscription lives.
	stop := context.AfterFunc(ctx, cancel)
	p.mu.Lock()
	if s.done {
		stop()
	} else {
		s.stop = stop
	}
	p.mu.Unlock()
	return s.ch, cancel, nil
}

// waitRound waits until Redis has confirmed round.
func (p *PubSub) waitRound(ctx context.Context, round uint64) error {
	timer := time.NewTimer(confirmWait)
	defer timer.Stop()
	for {
		p.mu.RLock()
		done, closed, confirmed := p.doneRound >= round, p.closed, p.confirmed
		p.mu.RUnlock()
		switch {
		case closed:
			return ErrClosed
		case done:
			return nil
		}
		select {
		case <-confirmed:
		case <-ctx.Done():
			return ctx.Err()
		case <-p.quit:
			return ErrClosed
		case <-timer.C:
			return fmt.Errorf("redis pubsub: subscribe: Redis did not confirm within %s", confirmWait)
		}
	}
}

// removeLocked unsubscribes s and closes its channel, once; a stream left
// without subscribers is unsubscribed from Redis by syncLoop.
func (p *PubSub) removeLocked(s *sub) {
	if s.done {
		return
	}
	s.done = true
	emptied := false
	for _, name := range s.streams {
		if st := p.streams[name]; st != nil {
			delete(st.subs, s)
			if len(st.subs) == 0 {
				delete(p.streams, name)
				emptied = true
			}
		}
	}
	if s.stop != nil {
		s.stop()
	}
	close(s.ch)
	if emptied && !p.closed {
		p.wake()
	}
}

// wake asks syncLoop to bring Redis's channel set in line; it never blocks.
func (p *PubSub) wake() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// syncLoop is the only goroutine that changes the Redis subscription, so
// SUBSCRIBE and UNSUBSCRIBE reach Redis in the order asked is changed in.
func (p *PubSub) syncLoop() {
	defer p.wg.Done()
	for {
		select {
		case <-p.kick:
		case <-p.quit:
			return
		}
		p.sync()
	}
}

// sync subscribes to the streams that gained local subscribers and
// unsubscribes from those that lost all, with one marker for the round.
func (p *PubSub) sync() {
	var add, drop []string
	p.mu.Lock()
	for name := range p.streams {
		if !p.asked[name] {
			p.asked[name] = true
			add = append(add, p.prefix+name)
		}
	}
	for name := range p.asked {
		if p.streams[name] == nil {
			delete(p.asked, name)
			drop = append(drop, p.prefix+name)
		}
	}
	drop = append(drop, p.doneMarkers...)
	p.doneMarkers = nil
	if p.wantRound > p.sentRound {
		p.sentRound = p.wantRound
		add = append(add, p.marker+strconv.FormatUint(p.sentRound, 10))
	}
	p.mu.Unlock()

	// go-redis records the channel set even when sending fails, and sends
	// it again once reconnected, so errors need no retry here: a waiting
	// Subscribe gives up on its own.
	ctx, cancel := context.WithTimeout(context.Background(), confirmWait)
	defer cancel()
	if len(drop) > 0 {
		_ = p.rps.Unsubscribe(ctx, drop...)
	}
	if len(add) > 0 {
		_ = p.rps.Subscribe(ctx, add...)
	}
}

// receive fans the messages of the subscription connection out to the
// local subscribers, and notes confirmed markers. It ends with Close.
func (p *PubSub) receive(msgs <-chan any) {
	defer p.wg.Done()
	for m := range msgs {
		switch m := m.(type) {
		case *goredis.Message:
			name, ok := strings.CutPrefix(m.Channel, p.prefix)
			if !ok {
				continue
			}
			event, payload, ok := strings.Cut(m.Payload, "\n")
			if !ok {
				continue // not ours
			}
			p.deliver(store.Event{Stream: name, Name: event, Payload: payload})
		case *goredis.Subscription:
			if m.Kind == "subscribe" && strings.HasPrefix(m.Channel, p.marker) {
				p.confirm(m.Channel)
			}
		}
	}
}

// deliver hands e to every subscriber of e.Stream that has room for it and
// drops the ones that have not.
func (p *PubSub) deliver(e store.Event) {
	var slow []*sub
	p.mu.RLock()
	if st := p.streams[e.Stream]; st != nil {
		for s := range st.subs {
			select {
			case s.ch <- e:
			default:
				slow = append(slow, s)
			}
		}
	}
	p.mu.RUnlock()
	if len(slow) > 0 {
		p.mu.Lock()
		for _, s := range slow {
			p.removeLocked(s)
		}
		p.mu.Unlock()
	}
}

// confirm records that Redis has run everything sent up to marker, and has
// the marker unsubscribed.
func (p *PubSub) confirm(marker string) {
	round, err := strconv.ParseUint(strings.TrimPrefix(marker, p.marker), 10, 64)
	if err != nil {
		return
	}
	p.mu.Lock()
	if round > p.doneRound {
		p.doneRound = round
		close(p.confirmed)
		p.confirmed = make(chan struct{})
	}
	p.doneMarkers = append(p.doneMarkers, marker)
	p.mu.Unlock()
	p.wake()
}

// Close ends every subscription and the connections to Redis (which drops
// this process's subscriptions there); later calls fail with ErrClosed.
func (p *PubSub) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	for _, st := range p.streams {
		for s := range st.subs {
			p.removeLocked(s)
		}
	}
	p.mu.Unlock()
	close(p.quit)
	err := p.rps.Close() // ends receive, through its channel
	p.wg.Wait()
	return errors.Join(err, p.client.Close())
}
