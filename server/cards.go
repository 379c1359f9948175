package server

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/roost-social/roost/federation/fetch"
	"github.com/roost-social/roost/federation/preview"
	"github.com/roost-social/roost/store"
)

// Link previews. The first link of a status (local, or arrived through the
// inbox) gets a preview card, fetched in the background after a jittered
// delay (so the servers of a popular post's followers do not all fetch the
// page at the same moment), through the guarded client with its own size
// and time limits. A card is kept per URL and reused for two weeks. When it
// is stored, the status goes out again as a status.update event. A restart
// forgets cards still waiting: they are decoration, not data.

const (
	cardReuse      = 14 * 24 * time.Hour
	cardTimeout    = 15 * time.Second
	cardMaxBody    = 8 << 20 // preview.Fetch reads 1 MiB at most; a larger declared length is no refusal
	cardMaxPending = 1000
)

type cardQueue struct {
	s       *Server
	ctx     context.Context
	client  *fetch.Client
	delay   time.Duration // base of the jittered delay; tests shorten it
	slots   chan struct{}
	pending chan struct{} // bounds the goroutines waiting for their turn
}

func (q *cardQueue) start(s *Server, ctx context.Context) {
	q.s, q.ctx = s, ctx
	q.slots = make(chan struct{}, 2)
	q.pending = make(chan struct{}, cardMaxPending)
	if q.delay == 0 {
		q.delay = 5 * time.Second
	}
	if s.cfg.Fetch != nil {
		c := *s.cfg.Fetch
		c.MaxBody, c.Timeout, c.Sign = cardMaxBody, cardTimeout, nil
		q.client = fetch.New(c)
	}
}

// SetCardDelay sets the base of the jittered delay before a link preview is
// fetched (5 s by default); tests and local federation setups shorten it.
// Call it before serving.
func (s *Server) SetCardDelay(d time.Duration) { s.cards.delay = d }

// queueCard schedules the link preview of st when it has a link.
func (s *Server) queueCard(st *store.Status) {
	q := &s.cards
	if q.client == nil || st == nil || st.ReblogOfID != "" || st.Visibility == store.VisibilityDirect {
		return
	}
	link := preview.FirstLink(st.Content)
	if link == "" || (st.Card != nil && st.Card.URL == link) || strings.HasPrefix(link, s.cfg.BaseURL()+"/") {
		return
	}
	select {
	case q.pending <- struct{}{}:
	default:
		return // far behind: skip rather than pile up
	}
	started := s.bg.start(func() {
		defer func() { <-q.pending }()
		select {
		case <-time.After(preview.Delay(q.delay)):
		case <-q.ctx.Done():
			return
		}
		select {
		case q.slots <- struct{}{}:
			defer func() { <-q.slots }()
		case <-q.ctx.Done():
			return
		}
		q.attach(st.ID, link)
	})
	if !started {
		<-q.pending
	}
}

// attach finds the card of link (stored, or fetched now) and gives it to
// the status.
func (q *cardQueue) attach(statusID, link string) {
	ctx := q.ctx
	card, err := q.s.store.PreviewCard(ctx, link)
	if err != nil || time.Since(card.FetchedAt) > cardReuse {
		fctx, cancel := context.WithTimeout(ctx, cardTimeout)
		card, err = preview.Fetch(fctx, q.client, link)
		cancel()
		if err != nil {
			q.s.log.Debug("no link preview", "url", link, "err", err)
			return
		}
		card.URL = link
	}
	if err := q.s.store.SetStatusCard(ctx, statusID, card); err != nil {
		if !errors.Is(err, store.ErrNotFound) { // deleted meanwhile
			q.s.log.Warn("store link preview", "status", statusID, "err", err)
		}
		return
	}
	st, err := q.s.store.StatusByID(ctx, statusID)
	if err != nil {
		return
	}
	q.s.publishStatus(ctx, st, true)
}
