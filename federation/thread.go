package federation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/store"
)

// Limits of one thread fetch (FetchThread).
const (
	threadDepth    = 20  // levels walked up (ancestors) and down (replies of replies)
	threadStatuses = 100 // posts fetched, up and down together
	threadPages    = 5   // pages of one replies collection after its first
	threadTimeout  = 15 * time.Second
)

// StartThread fetches, in the background, what is missing of the thread
// around st (see FetchThread): GET /api/v1/statuses/:id/context calls it
// and answers at once with what is stored; a later call shows the rest.
// A local status that replies to nothing needs nothing: replies to it come
// to the inbox.
func (f *Federation) StartThread(st *store.Status) {
	if f.Client == nil || st == nil || st.ReblogOfID != "" || (st.Local && st.InReplyToID == "") {
		return
	}
	s := *st
	f.startJob("thread "+s.ID, func(ctx context.Context) error {
		n, err := f.FetchThread(ctx, &s)
		if n > 0 {
			f.Log.Debug("fetched a thread", "status", s.URI, "statuses", n)
		}
		return err
	})
}

// FetchThread stores what is missing of the thread around st, within
// threadDepth levels, threadStatuses posts and threadTimeout:
//
//   - its ancestors: the inReplyTo chain above the highest stored status of
//     the thread, each post trusted only as fetched from its own id, stored
//     oldest first so that each is attached to its parent;
//   - its replies, and theirs: the replies collection of a remote st, its
//     first page and the pages after it, then the same for each reply
//     stored. Items embedded in a page are trusted when their id is on the
//     host that served the page, as Mastodon does; others are fetched from
//     their own id.
//
// A status stored before its parent was known is attached to it once the
// parent is stored (see relink). It returns how many statuses it stored,
// and why the status or its ancestors could not be fetched; replies that
// could not be are only logged.
func (f *Federation) FetchThread(ctx context.Context, st *store.Status) (int, error) {
	if f.Client == nil || st == nil || st.ReblogOfID != "" {
		return 0, nil
	}
	ctx, cancel := context.WithTimeout(ctx, threadTimeout)
	defer cancel()
	t := &threadFetch{f: f, left: threadStatuses, seen: map[string]bool{st.URI: true}}
	var doc *activity.Object
	if !st.Local {
		// The post as its server serves it now: the store keeps neither the
		// address of its parent nor that of its replies.
		d, err := f.fetchObject(ctx, st.URI)
		if err != nil {
			return 0, fmt.Errorf("fetch thread of %s: %w", st.URI, err)
		}
		doc = d
	}
	err := t.ancestors(ctx, st, doc)
	if doc != nil {
		t.replies(ctx, doc)
	}
	return t.stored, err
}

// threadFetch is one FetchThread: its budget and what it has seen.
type threadFetch struct {
	f      *Federation
	left   int             // posts it may still fetch
	stored int             // statuses it stored
	seen   map[string]bool // post ids already handled
}

// ancestors fetches the posts above the highest stored status of st's
// thread and attaches that status to them. doc is st's document (nil for a
// local st).
func (t *threadFetch) ancestors(ctx context.Context, st *store.Status, doc *activity.Object) error {
	f := t.f
	top, topDoc, depth := st, doc, 0
	for top.InReplyToID != "" {
		if depth++; depth > threadDepth {
			return nil
		}
		p, err := f.Store.StatusByID(ctx, top.InReplyToID)
		if errors.Is(err, store.ErrNotFound) {
			return nil // the parent was deleted
		}
		if err != nil {
			return err
		}
		top, topDoc = p, nil
	}
	if top.Local || top.ReblogOfID != "" {
		return nil // local statuses always know their parents
	}
	if topDoc == nil {
		d, err := f.fetchObject(ctx, top.URI)
		if err != nil {
			return err
		}
		topDoc = d
	}
	parentURI := topDoc.InReplyTo.ID()
	if parentURI == "" {
		return nil // the thread's root
	}

	var chain []*activity.Object // nearest first
	var errs []error
	for uri := parentURI; uri != "" && depth < threadDepth && t.left > 0; depth++ {
		if t.seen[uri] || f.known(ctx, uri) || f.isLocalURI(uri) {
			break
		}
		t.seen[uri] = true
		obj, err := f.fetchObject(ctx, uri)
		if err == nil && !isPost(obj) {
			err = fmt.Errorf("%s is a %s, not a post", uri, obj.Type)
		}
		if err != nil {
			errs = append(errs, err)
			break
		}
		t.left--
		chain = append(chain, obj)
		uri = obj.InReplyTo.ID()
	}
	for i := len(chain) - 1; i >= 0; i-- {
		_, created, err := f.storePost(ctx, nil, chain[i])
		if err != nil {
			errs = append(errs, err)
		}
		if created {
			t.stored++
		}
	}
	parent, err := f.Store.StatusByURI(ctx, parentURI)
	if err == nil {
		err = f.relink(ctx, top.ID, parent)
	} else if errors.Is(err, store.ErrNotFound) {
		err = nil
	}
	return errors.Join(append(errs, err)...)
}

// replies fetches the replies below root, breadth first. Failures are
// routine here (pages that need a signature, replies deleted since, servers
// away) and cost only the replies they hide: they are logged, not returned.
func (t *threadFetch) replies(ctx context.Context, root *activity.Object) {
	f := t.f
	type node struct {
		obj   *activity.Object
		depth int
	}
	queue := []node{{root, 0}}
	for len(queue) > 0 && t.left > 0 && ctx.Err() == nil {
		n := queue[0]
		queue = queue[1:]
		if n.depth >= threadDepth || n.obj.Replies.IsZero() {
			continue
		}
		origin := hostOf(n.obj.ID) // replies collections are served by the post's server
		err := f.eachItem(ctx, n.obj.Replies, origin, threadPages, func(item activity.Ref) bool {
			if t.left <= 0 || ctx.Err() != nil {
				return false
			}
			id := item.ID()
			if id == "" || t.seen[id] || f.isLocalURI(id) {
				return true
			}
			t.seen[id] = true
			if f.known(ctx, id) {
				return true // its own replies would need its document: not now
			}
			t.left--
			obj, err := f.trustedObject(ctx, item, origin)
			if err == nil && obj.InReplyTo.ID() != n.obj.ID {
				err = fmt.Errorf("%s in the replies of %s replies to %q", id, n.obj.ID, obj.InReplyTo.ID())
			}
			if err == nil {
				var created bool
				if _, created, err = f.storePost(ctx, nil, obj); created {
					t.stored++
					queue = append(queue, node{obj, n.depth + 1})
				}
			}
			if err != nil {
				f.Log.Debug("thread: reply skipped", "status", root.ID, "reply", id, "err", err)
			}
			return true
		})
		if err != nil {
			f.Log.Debug("thread: replies not read", "status", n.obj.ID, "err", err)
		}
	}
}

// relink attaches the status childID, stored when its parent was unknown
// (so without one), to parent.
func (f *Federation) relink(ctx context.Context, childID string, parent *store.Status) error {
	child, err := f.Store.StatusByID(ctx, childID)
	if err != nil {
		return err
	}
	if child.InReplyToID != "" || child.Local || child.ReblogOfID != "" || child.ID == parent.ID {
		return nil
	}
	return f.Store.SetInReplyTo(ctx, child.ID, parent.ID)
}
