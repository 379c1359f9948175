package federation

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/store"
)

// Background fetches fill what the inbox never brings: the recent posts of a
// remote account someone here starts following (backfill, this file) and
// the rest of a thread someone here opens (thread.go). They never run in a
// request: the request starts them and answers with what is stored. Each is
// bounded in items, pages and time, and fetches as objects.go does. The
// runner below runs them.

// Limits of one backfill.
const (
	backfillItems   = 20 // outbox items looked at: the newest of its first page
	backfillTimeout = 15 * time.Second
)

// Limits of the background runner.
const (
	jobConcurrency = 2   // fetches running at once, for the whole process
	maxPendingJobs = 256 // queued or running; more are dropped, not queued
	// jobCooldown keeps a job from running again soon after it ran: a
	// follow and its Accept both ask for a backfill, and every view of a
	// thread asks for that thread.
	jobCooldown   = 2 * time.Minute
	maxRemembered = 4096 // finished jobs remembered for the cooldown
)

// runner runs background fetches: at most jobConcurrency at a time, one per
// key (a second start of a queued or running key is dropped), none again
// within jobCooldown of the last. Its zero value is ready to use; Close
// stops it.
type runner struct {
	mu     sync.Mutex
	ctx    context.Context // ends at Close; every job runs under it
	cancel context.CancelFunc
	closed bool
	sem    chan struct{}
	active map[string]bool      // queued or running
	last   map[string]time.Time // when a key last finished
	wg     sync.WaitGroup
}

// startJob runs job in the background under key, unless the runner is
// closed or full, or that key is queued, running or cooling down. It
// reports whether the job was started.
func (f *Federation) startJob(key string, job func(ctx context.Context) error) bool {
	r := &f.bg
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.active[key] || len(r.active) >= maxPendingJobs {
		return false
	}
	if t, ok := r.last[key]; ok && time.Since(t) < jobCooldown {
		return false
	}
	if r.ctx == nil {
		r.ctx, r.cancel = context.WithCancel(context.Background())
		r.sem = make(chan struct{}, jobConcurrency)
		r.active = map[string]bool{}
		r.last = map[string]time.Time{}
	}
	r.active[key] = true
	r.wg.Add(1)
	go f.runJob(key, job)
	return true
}

func (f *Federation) runJob(key string, job func(ctx context.Context) error) {
	r := &f.bg
	defer r.wg.Done()
	defer r.finish(key)
	select {
	case r.sem <- struct{}{}:
	case <-r.ctx.Done():
		return
	}
	defer func() { <-r.sem }()
	defer func() {
		// Remote documents drive this code: a bug they trigger must not
		// take the server down.
		if v := recover(); v != nil {
			f.Log.Error("background fetch panicked", "job", key, "panic", v, "stack", string(debug.Stack()))
		}
	}()
	if err := job(r.ctx); err != nil && r.ctx.Err() == nil {
		f.Log.Info("background fetch failed", "job", key, "err", err)
	}
}

func (r *runner) finish(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.active, key)
	now := time.Now()
	if len(r.last) >= maxRemembered {
		for k, t := range r.last {
			if now.Sub(t) >= jobCooldown {
				delete(r.last, k)
			}
		}
		if len(r.last) >= maxRemembered {
			clear(r.last) // a burst: forget the cooldowns rather than grow
		}
	}
	r.last[key] = now
}

// Close stops the background fetches (backfills and threads): those running
// are cancelled and waited for, those queued and those asked for afterwards
// never start. Call it before closing the store. It is safe to call more
// than once.
func (f *Federation) Close() {
	r := &f.bg
	r.mu.Lock()
	r.closed = true
	if r.cancel != nil {
		r.cancel()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// StartBackfill backfills a remote account in the background (see
// Backfill): called when someone here follows it and when it accepts.
// Local accounts, and a Federation that does not fetch, need nothing.
func (f *Federation) StartBackfill(a *store.Account) {
	if a == nil || a.Local() || f.Client == nil {
		return
	}
	acct := *a
	f.startJob("backfill "+acct.ID, func(ctx context.Context) error {
		n, err := f.Backfill(ctx, &acct)
		if n > 0 {
			f.Log.Debug("backfilled an account", "account", acct.URI, "statuses", n)
		}
		return err
	})
}

// Backfill stores the recent public and unlisted posts and boosts of a
// remote account from the first page of its outbox, so that its profile
// and its new followers' home timelines do not start empty. It looks at
// the newest backfillItems items of one page, for at most backfillTimeout;
// posts already stored are skipped, and so are replies to posts not stored
// (a thread is filled in when someone opens it; see FetchThread). Posts keep
// their published dates (see inOrder). It returns how many statuses it
// stored.
func (f *Federation) Backfill(ctx context.Context, a *store.Account) (int, error) {
	if a == nil || a.Local() || f.Client == nil {
		return 0, nil
	}
	if a.OutboxURL == "" {
		return 0, fmt.Errorf("backfill %s: the actor has no outbox", a.URI)
	}
	ctx, cancel := context.WithTimeout(ctx, backfillTimeout)
	defer cancel()

	origin := hostOf(a.URI) // the outbox must be served by the account's server
	var items []activity.Ref
	err := f.eachItem(ctx, activity.IDRef(a.OutboxURL), origin, 1, func(r activity.Ref) bool {
		items = append(items, r)
		return len(items) < backfillItems
	})
	if err != nil {
		return 0, fmt.Errorf("backfill %s: %w", a.URI, err)
	}
	// Outboxes list the newest first; store the oldest first, so that a
	// reply to an earlier post of the page finds its parent.
	stored := 0
	var last time.Time // the date of the newest post stored so far
	for i := len(items) - 1; i >= 0 && ctx.Err() == nil; i-- {
		ok, err := f.backfillItem(ctx, a, items[i], origin, &last)
		if err != nil {
			f.Log.Debug("backfill: item skipped", "account", a.URI, "item", items[i].ID(), "err", err)
		}
		if ok {
			stored++
		}
	}
	return stored, ctx.Err()
}

// backfillItem stores one outbox item of a: a Create of a post (embedded or
// by id), a bare post, or an Announce. It reports whether it stored one.
// last is the date of the item stored before (see inOrder).
func (f *Federation) backfillItem(ctx context.Context, a *store.Account, item activity.Ref, origin string, last *time.Time) (bool, error) {
	if f.known(ctx, item.ID()) {
		return false, nil
	}
	obj, err := f.trustedObject(ctx, item, origin)
	if err != nil {
		return false, err
	}
	switch {
	case obj.Type == "Create":
		if obj.Actor.ID() != a.URI || f.known(ctx, obj.Object.ID()) {
			return false, nil
		}
		post, err := f.trustedObject(ctx, obj.Object, hostOf(obj.ID))
		if err != nil {
			return false, err
		}
		return f.backfillPost(ctx, a, post, last)
	case obj.Type == "Announce":
		return f.backfillBoost(ctx, a, obj, last)
	case isPost(obj):
		return f.backfillPost(ctx, a, obj, last)
	}
	return false, nil
}

// backfillPost stores a trusted post of a if it is public or unlisted and
// not a reply to something unknown.
func (f *Federation) backfillPost(ctx context.Context, a *store.Account, post *activity.Object, last *time.Time) (bool, error) {
	if !isPost(post) || post.Author() != a.URI {
		return false, nil
	}
	if !listed(post.Visibility(a.FollowersURL)) {
		return false, nil
	}
	if parent := post.InReplyTo.ID(); parent != "" && !f.known(ctx, parent) {
		return false, nil
	}
	post.Published = inOrder(post.Published, last)
	_, created, err := f.storePost(ctx, a, post)
	return created, err
}

// backfillBoost stores a trusted Announce of a as a boost, if the boosted
// post is stored or can be fetched from its own id, and both are public or
// unlisted.
func (f *Federation) backfillBoost(ctx context.Context, a *store.Account, ann *activity.Object, last *time.Time) (bool, error) {
	if ann.Actor.ID() != a.URI || hostOf(ann.ID) != hostOf(a.URI) || f.known(ctx, ann.ID) {
		return false, nil
	}
	vis := ann.Visibility(a.FollowersURL)
	if !listed(vis) {
		return false, nil
	}
	target, err := f.statusByRef(ctx, ann.Object.ID())
	if errors.Is(err, store.ErrNotFound) {
		target, err = f.fetchStatus(ctx, ann.Object.ID())
	}
	if err != nil {
		return false, fmt.Errorf("boosted post %s: %w", ann.Object.ID(), err)
	}
	if target.ReblogOfID != "" || !listed(target.Visibility) {
		return false, nil
	}
	_, err = f.Store.CreateStatus(ctx, store.NewStatus{
		URI: ann.ID, URL: ann.ID, AccountID: a.ID, ReblogOfID: target.ID, Visibility: vis, CreatedAt: inOrder(ann.Published, last),
	})
	if errors.Is(err, store.ErrConflict) {
		return false, nil
	}
	return err == nil, err
}

// inOrder is the date to store an outbox item with: its published date,
// except that items of one second (outboxes date them to the second) are
// spread a millisecond apart in the outbox's order, which the IDs that
// timelines sort by would otherwise lose. last is the date of the item
// before; it is updated.
func inOrder(published time.Time, last *time.Time) time.Time {
	published = pastOrNow(published)
	if !published.After(*last) && last.Sub(published) < time.Second {
		published = last.Add(time.Millisecond)
	}
	*last = published
	return published
}

// listed reports whether a visibility lets anyone see a status.
func listed(visibility string) bool {
	return visibility == store.VisibilityPublic || visibility == store.VisibilityUnlisted
}
