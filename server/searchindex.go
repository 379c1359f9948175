package server

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"golang.org/x/net/html"

	"github.com/roost-social/roost/federation/content"
	"github.com/roost-social/roost/store"
)

// Which statuses are searchable: every status stored here, local or remote
// (remote ones are stored only when they matter to a local user: followed
// authors, mentions, threads opened, searches resolved). The index knows
// nothing of who may read a status; search checks store.CanSee for each
// result. Boosts are not indexed: the boosted status is.

// IndexedStatusOf is what the search index keeps of a status: its plain
// text (content warning included) and the facts the search operators ask
// about; media descriptions are searchable text, as in Mastodon.
func IndexedStatusOf(st *store.Status) store.IndexedStatus {
	text := st.Text
	if text == "" || !st.Local {
		text = content.PlainText(st.Content)
	}
	if st.SpoilerText != "" {
		text = st.SpoilerText + "\n\n" + text
	}
	if st.Poll != nil {
		for _, o := range st.Poll.Options {
			text += "\n" + o.Title
		}
	}
	for _, m := range st.Media {
		if m.Description != "" {
			text += "\n" + m.Description
		}
	}
	return store.IndexedStatus{
		ID:         st.ID,
		AccountID:  st.AccountID,
		Text:       text,
		Visibility: st.Visibility,
		Language:   st.Language,
		CreatedAt:  st.CreatedAt,
		HasPoll:    st.Poll != nil,
		HasMedia:   len(st.Media) > 0,
		HasLink:    hasLink(st.Content),
		IsReply:    st.InReplyToID != "" || st.InReplyToAccountID != "",
		Sensitive:  st.Sensitive,
	}
}

// hasLink reports whether HTML content links somewhere other than a
// mention or a hashtag, which Mastodon marks with the class "mention".
func hasLink(s string) bool {
	if !strings.Contains(s, "<a") {
		return false
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.StartTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "a" {
				continue
			}
			href, mention := false, false
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "href":
					href = len(v) > 0
				case "class":
					mention = strings.Contains(string(v), "mention") || strings.Contains(string(v), "hashtag")
				}
			}
			if href && !mention {
				return true
			}
		}
	}
}

// indexStatus puts a stored or edited status in the search index. It runs
// after the store has committed; a failure is logged and never fails the
// request that stored the status (`roost search deploy` repairs the index).
func (s *Server) indexStatus(ctx context.Context, st *store.Status) {
	if s.index == nil || st == nil || st.ReblogOfID != "" {
		return
	}
	if err := s.index.IndexStatus(context.WithoutCancel(ctx), IndexedStatusOf(st)); err != nil {
		s.log.Error("index status", "id", st.ID, "err", err)
	}
}

// unindexStatus takes a deleted status out of the search index; a failure
// is logged only (search skips statuses the store no longer has).
func (s *Server) unindexStatus(ctx context.Context, st *store.Status) {
	if s.index == nil || st == nil || st.ReblogOfID != "" {
		return
	}
	if err := s.index.RemoveStatus(context.WithoutCancel(ctx), st.ID); err != nil {
		s.log.Error("remove status from index", "id", st.ID, "err", err)
	}
}

// indexDocs hands docs to idx, as one batch when it takes batches.
func indexDocs(ctx context.Context, idx store.Index, docs []store.IndexedStatus) error {
	if b, ok := idx.(batchIndex); ok {
		return b.IndexStatuses(ctx, docs)
	}
	for _, d := range docs {
		if err := idx.IndexStatus(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// batchIndex is an index that takes many statuses at once (store/bleve).
type batchIndex interface {
	IndexStatuses(ctx context.Context, list []store.IndexedStatus) error
}

// RebuildIndex puts every stored status (boosts aside) into idx, a page at
// a time, writing "indexed N/M" lines to progress (nil for none), N
// counting the statuses walked of the M stored. Statuses already indexed
// are replaced; index entries of statuses no longer stored are left, and
// search skips them.
func RebuildIndex(ctx context.Context, st store.Store, idx store.Index, progress io.Writer) (int, error) {
	total, err := st.CountStatuses(ctx)
	if err != nil {
		return 0, err
	}
	return IndexStatusesAfter(ctx, st, idx, "", func(walked int) {
		if progress != nil {
			fmt.Fprintf(progress, "indexed %d/%d\n", walked, max(total, walked))
		}
	})
}

// IndexStatusesAfter indexes the statuses stored with IDs above after ("":
// all), a page at a time, boosts left out, calling page (if not nil) with
// the number walked so far after each page. It returns how many it indexed.
func IndexStatusesAfter(ctx context.Context, st store.Store, idx store.Index, after string, page func(walked int)) (int, error) {
	const size = 500
	walked, indexed := 0, 0
	for {
		list, err := st.AllStatuses(ctx, after, size)
		if err != nil || len(list) == 0 {
			return indexed, err
		}
		after = list[len(list)-1].ID
		walked += len(list)
		docs := make([]store.IndexedStatus, 0, len(list))
		for _, s := range list {
			if s.ReblogOfID == "" {
				docs = append(docs, IndexedStatusOf(s))
			}
		}
		if err := indexDocs(ctx, idx, docs); err != nil {
			return indexed, err
		}
		indexed += len(docs)
		if page != nil {
			page(walked)
		}
	}
}

// Statuses that arrive through federation are indexed by one background
// worker, in order and in batches, so that an inbox request does not wait
// for the search index (Bleve's per-document cost is most of an inbox
// request's). Local posts are still indexed before their request answers,
// so their author finds them at once. When the queue is full or closed the
// work is done in the caller, so nothing is skipped.

const indexQueueSize = 4096

type indexOp struct {
	st     *store.Status
	remove bool
}

type indexQueue struct {
	mu     sync.Mutex
	closed bool
	ops    chan indexOp
	done   chan struct{}
}

// startIndexQueue starts the worker; Close stops it after the queued work.
func (s *Server) startIndexQueue() {
	s.iq = &indexQueue{ops: make(chan indexOp, indexQueueSize), done: make(chan struct{})}
	go s.runIndexQueue()
}

func (s *Server) runIndexQueue() {
	defer close(s.iq.done)
	ctx := context.Background()
	for op := range s.iq.ops {
		batch := []indexOp{op}
	more:
		for len(batch) < 256 {
			select {
			case next, ok := <-s.iq.ops:
				if !ok {
					break more
				}
				batch = append(batch, next)
			default:
				break more
			}
		}
		s.applyIndexOps(ctx, batch)
	}
}

// applyIndexOps applies index work in order, handing runs of additions to
// the index as one batch when it takes batches.
func (s *Server) applyIndexOps(ctx context.Context, ops []indexOp) {
	var docs []store.IndexedStatus
	flush := func() {
		if len(docs) == 0 {
			return
		}
		if err := indexDocs(ctx, s.index, docs); err != nil {
			s.log.Error("index statuses", "count", len(docs), "err", err)
		}
		docs = docs[:0]
	}
	for _, op := range ops {
		if op.remove {
			flush()
			s.unindexStatus(ctx, op.st)
			continue
		}
		docs = append(docs, IndexedStatusOf(op.st))
	}
	flush()
}

// queueIndex is the federation hook for a stored or edited status.
func (s *Server) queueIndex(ctx context.Context, st *store.Status) {
	s.enqueueIndex(ctx, indexOp{st: st})
}

// queueUnindex is the federation hook's index part for a deleted status.
func (s *Server) queueUnindex(ctx context.Context, st *store.Status) {
	s.enqueueIndex(ctx, indexOp{st: st, remove: true})
}

func (s *Server) enqueueIndex(ctx context.Context, op indexOp) {
	if s.index == nil || op.st == nil || op.st.ReblogOfID != "" {
		return
	}
	if s.iq != nil {
		s.iq.mu.Lock()
		queued := false
		if !s.iq.closed {
			select {
			case s.iq.ops <- op:
				queued = true
			default:
			}
		}
		s.iq.mu.Unlock()
		if queued {
			return
		}
	}
	s.applyIndexOps(context.WithoutCancel(ctx), []indexOp{op})
}

// stopIndexQueue finishes the queued work and stops the worker.
func (s *Server) stopIndexQueue() {
	if s.iq == nil {
		return
	}
	s.iq.mu.Lock()
	if !s.iq.closed {
		s.iq.closed = true
		close(s.iq.ops)
	}
	s.iq.mu.Unlock()
	<-s.iq.done
}
