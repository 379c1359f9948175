// Package inproc holds the in-process backends of Roost's store interfaces:
// the ones a single process needs when nothing but a data directory is
// configured.
package inproc

import (
	"context"
	"errors"
	"sync"

	"github.com/roost-social/roost/store"
)

var _ store.PubSub = (*PubSub)(nil)

// DefaultBuffer is how many events a subscriber may fall behind before it is
// dropped.
const DefaultBuffer = 64

// ErrClosed is returned by Subscribe and Publish after Close.
var ErrClosed = errors.New("pubsub closed")

// PubSub delivers events between goroutines of one process. Publish never
// waits: a subscriber whose buffer is full is dropped (its channel closed),
// so one slow reader cannot stall the publisher or the other readers.
type PubSub struct {
	// Buffer is each new subscription's channel capacity; set it before
	// the first Subscribe.
	Buffer int

	mu     sync.RWMutex
	subs   map[string]map[*sub]struct{} // stream → subscribers
	closed bool
}

// sub is one subscription. ch is closed exactly once, with mu held for
// writing, so no Publish (which holds it for reading) can send on it then.
type sub struct {
	ch      chan store.Event
	streams []string
	done    bool
	stop    func() bool // stops the context watch
}

// NewPubSub returns an empty PubSub.
func NewPubSub() *PubSub {
	return &PubSub{Buffer: DefaultBuffer, subs: map[string]map[*sub]struct{}{}}
}

// Publish hands e to every subscriber of e.Stream that has room for it and
// drops the ones that have not.
func (p *PubSub) Publish(ctx context.Context, e store.Event) error {
	var slow []*sub
	p.mu.RLock()
	if p.closed {
		p.mu.RUnlock()
		return ErrClosed
	}
	for s := range p.subs[e.Stream] {
		select {
		case s.ch <- e:
		default:
			slow = append(slow, s)
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
	return nil
}

// Subscribe delivers the events of streams until cancel is called, ctx ends
// or the subscriber falls DefaultBuffer events behind; the channel is closed
// then. cancel may be called more than once.
func (p *PubSub) Subscribe(ctx context.Context, streams ...string) (<-chan store.Event, func(), error) {
	n := p.Buffer
	if n <= 0 {
		n = DefaultBuffer
	}
	s := &sub{ch: make(chan store.Event, n), streams: streams}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, nil, ErrClosed
	}
	for _, name := range streams {
		m := p.subs[name]
		if m == nil {
			m = map[*sub]struct{}{}
			p.subs[name] = m
		}
		m[s] = struct{}{}
	}
	p.mu.Unlock()
	cancel := func() {
		p.mu.Lock()
		p.removeLocked(s)
		p.mu.Unlock()
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

// removeLocked unsubscribes s and closes its channel, once.
func (p *PubSub) removeLocked(s *sub) {
	if s.done {
		return
	}
	s.done = true
	for _, name := range s.streams {
		if m := p.subs[name]; m != nil {
			delete(m, s)
			if len(m) == 0 {
				delete(p.subs, name)
			}
		}
	}
	if s.stop != nil {
		s.stop()
	}
	close(s.ch)
}

// Close ends every subscription; later calls fail with ErrClosed.
func (p *PubSub) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	for _, m := range p.subs {
		for s := range m {
			p.removeLocked(s)
		}
	}
	return nil
}
