package federation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

// backfilled follows the remote actor uri as a new local user, backfills it
// and returns the account with what its profile shows, oldest first.
func backfilled(t *testing.T, f *Federation, uri string) (*store.Account, []*store.Status, int) {
	t.Helper()
	ctx := context.Background()
	a, err := f.FetchActor(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.Backfill(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := f.Store.AccountStatuses(ctx, "", a.ID, store.AccountStatusesFilter{}, store.Page{Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(ss)
	return a, ss, n
}

func TestBackfillOutboxWithFirstPageByURL(t *testing.T) {
	r := newRemote(t)
	f := newTestFederation(t)
	carol, dave := r.actor("carol"), r.actor("dave")
	day := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

	first := r.note("/notes/1", carol, "first", "", day)
	private := r.note("/notes/2", carol, "followers only", "", day.Add(time.Hour))
	private["to"], private["cc"] = []string{carol + "/followers"}, []string{}
	second := r.note("/notes/3", carol, "second", "", day.Add(2*time.Hour))
	orphan := r.note("/notes/4", carol, "reply to the unknown", r.url("/notes/elsewhere"), day.Add(3*time.Hour))
	selfReply := r.note("/notes/5", carol, "replying to myself", first["id"].(string), day.Add(4*time.Hour))
	davesPost := r.note("/notes/6", dave, "daves post", "", day.Add(-time.Hour))
	r.serve("/notes/6", davesPost)
	boost := map[string]any{
		"id": carol + "/boosts/1", "type": "Announce", "actor": carol, "object": davesPost["id"],
		"published": day.Add(5 * time.Hour).Format(time.RFC3339),
		"to":        []string{"https://www.w3.org/ns/activitystreams#Public"},
	}
	r.serve("/users/carol/outbox", map[string]any{
		"id": carol + "/outbox", "type": "OrderedCollection", "totalItems": 6, "first": carol + "/outbox?page=true",
	})
	r.serve("/users/carol/outbox?page=true", map[string]any{
		"id": carol + "/outbox?page=true", "type": "OrderedCollectionPage",
		"orderedItems": []any{boost, create(selfReply), create(orphan), create(second), create(private), create(first)},
	})

	_, ss, n := backfilled(t, f, carol)
	want := []string{"<p>first</p>", "<p>second</p>", "<p>replying to myself</p>", "boost of <p>daves post</p>"}
	if got := contents(ss); !slices.Equal(got, want) || n != 4 {
		t.Fatalf("backfilled %d: %q, want %q", n, got, want)
	}
	if !ss[0].CreatedAt.Equal(day) || !ss[1].CreatedAt.Equal(day.Add(2*time.Hour)) {
		t.Errorf("published dates not kept: %v, %v", ss[0].CreatedAt, ss[1].CreatedAt)
	}
	if ss[2].InReplyToID != ss[0].ID {
		t.Errorf("the self-reply is not attached to its parent")
	}
	// Embedded notes of the page are not fetched again; the boosted post is.
	if r.hitsOf("/notes/1") != 0 || r.hitsOf("/notes/6") != 1 {
		t.Errorf("fetches: note 1 %d times, boosted post %d times", r.hitsOf("/notes/1"), r.hitsOf("/notes/6"))
	}

	// A second backfill finds everything stored.
	_, _, n = backfilled(t, f, carol)
	if n != 0 {
		t.Fatalf("the second backfill stored %d statuses", n)
	}
}

func TestBackfillEmbeddedPageWithItemsAndIDs(t *testing.T) {
	r := newRemote(t)
	f := newTestFederation(t)
	carol := r.actor("carol")
	day := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	a := r.note("/notes/a", carol, "by id in a Create", "", day)
	b := r.note("/notes/b", carol, "a bare id", "", day.Add(time.Minute))
	r.serve("/notes/a", a)
	r.serve("/notes/b", b)
	r.serve("/users/carol/outbox", map[string]any{
		"id": carol + "/outbox", "type": "OrderedCollection",
		"first": map[string]any{
			"type": "OrderedCollectionPage",
			"items": []any{
				b["id"],
				map[string]any{"id": a["id"].(string) + "/activity", "type": "Create", "actor": carol, "object": a["id"]},
			},
		},
	})
	_, ss, _ := backfilled(t, f, carol)
	if got, want := contents(ss), []string{"<p>by id in a Create</p>", "<p>a bare id</p>"}; !slices.Equal(got, want) {
		t.Fatalf("backfilled %q, want %q", got, want)
	}
}

func TestBackfillTrustsOnlyItsOrigin(t *testing.T) {
	r, other := newRemote(t), newRemote(t)
	f := newTestFederation(t)
	carol := r.actor("carol")
	eve := other.actor("eve")
	day := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	// Carol's outbox embeds a post that claims to be Eve's, on Eve's server:
	// it is fetched from there, and as it is not Carol's it is not stored.
	forged := other.note("/notes/1", eve, "forged", "", day)
	other.serve("/notes/1", other.note("/notes/1", eve, "genuine", "", day))
	r.serve("/users/carol/outbox", map[string]any{
		"id": carol + "/outbox", "type": "OrderedCollection",
		"orderedItems": []any{map[string]any{"id": carol + "/activities/1", "type": "Create", "actor": carol, "object": forged}},
	})
	_, ss, n := backfilled(t, f, carol)
	if n != 0 || len(ss) != 0 {
		t.Fatalf("stored %q", contents(ss))
	}
	if other.hitsOf("/notes/1") != 1 {
		t.Fatal("the post embedded from another origin was not fetched from its own id")
	}
	if _, err := f.Store.StatusByURI(context.Background(), forged["id"].(string)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("someone else's post stored: %v", err)
	}
}

func TestBackfillIsBounded(t *testing.T) {
	r := newRemote(t)
	f := newTestFederation(t)
	carol := r.actor("carol")
	day := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	var items []any
	for i := 30; i >= 1; i-- { // newest first
		n := r.note(fmt.Sprintf("/notes/%d", i), carol, fmt.Sprintf("post %d", i), "", day.Add(time.Duration(i)*time.Minute))
		items = append(items, create(n))
	}
	r.serve("/users/carol/outbox", map[string]any{
		"id": carol + "/outbox", "type": "OrderedCollection", "first": carol + "/outbox?page=1",
	})
	r.serve("/users/carol/outbox?page=1", map[string]any{
		"type": "OrderedCollectionPage", "orderedItems": items, "next": carol + "/outbox?page=2",
	})
	r.serve("/users/carol/outbox?page=2", map[string]any{"type": "OrderedCollectionPage", "orderedItems": []any{}})
	_, ss, n := backfilled(t, f, carol)
	if n != backfillItems || len(ss) != backfillItems || ss[0].Content != "<p>post 11</p>" {
		t.Fatalf("backfilled %d, oldest %q", n, ss[0].Content)
	}
	if r.hitsOf("/users/carol/outbox?page=2") != 0 {
		t.Fatal("backfill went past the first page")
	}
}

func TestBackfillFillsTheFollowersHome(t *testing.T) {
	r := newRemote(t)
	f := newTestFederation(t)
	ctx := context.Background()
	carol := r.actor("carol")
	r.serve("/users/carol/outbox", map[string]any{
		"id": carol + "/outbox", "type": "OrderedCollection",
		"orderedItems": []any{create(r.note("/notes/1", carol, "hello", "", time.Now().Add(-time.Hour)))},
	})
	bob := localUser(t, f, "bob")
	a, err := f.FetchActor(ctx, carol)
	if err != nil {
		t.Fatal(err)
	}
	// As the follow handler does: a follow request, then the backfill in
	// the background, then the Accept.
	if _, err := f.Store.Follow(ctx, bob.ID, a.ID, store.FollowOptions{ShowReblogs: true, Pending: true, URI: bob.URI + "#follows/1"}); err != nil {
		t.Fatal(err)
	}
	f.StartBackfill(a)
	f.bg.wg.Wait()
	if _, err := f.Store.AuthorizeFollowRequest(ctx, a.ID, bob.ID); err != nil {
		t.Fatal(err)
	}
	home, err := f.Store.HomeTimeline(ctx, bob.ID, store.Page{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if got := contents(home); !slices.Equal(got, []string{"<p>hello</p>"}) {
		t.Fatalf("home: %q", got)
	}
}

func TestRunnerDeduplicatesLimitsAndStops(t *testing.T) {
	f := &Federation{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var running, peak, runs atomic.Int32
	release := make(chan struct{})
	job := func(ctx context.Context) error {
		runs.Add(1)
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	}
	for i := range 5 {
		if !f.startJob(fmt.Sprint("job ", i), job) {
			t.Fatalf("job %d not started", i)
		}
	}
	if f.startJob("job 0", job) {
		t.Fatal("a job already queued was started again")
	}
	deadline := time.Now().Add(5 * time.Second)
	for running.Load() < jobConcurrency && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	close(release)
	f.bg.wg.Wait()
	f.Close()
	if runs.Load() != 5 || peak.Load() != jobConcurrency {
		t.Fatalf("%d runs, at most %d at once; want 5 and %d", runs.Load(), peak.Load(), jobConcurrency)
	}
	if f.startJob("job 9", job) {
		t.Fatal("a job started after Close")
	}
}

func TestRunnerCooldownAndClose(t *testing.T) {
	f := &Federation{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var runs atomic.Int32
	done := make(chan struct{})
	f.startJob("k", func(context.Context) error { runs.Add(1); close(done); return nil })
	<-done
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.bg.mu.Lock()
		active := f.bg.active["k"]
		f.bg.mu.Unlock()
		if !active || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if f.startJob("k", func(context.Context) error { runs.Add(1); return nil }) {
		t.Fatal("a job ran again within its cooldown")
	}

	// Close cancels jobs in flight and waits for them.
	started, ended := make(chan struct{}), make(chan struct{})
	f.startJob("long", func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		close(ended)
		return ctx.Err()
	})
	<-started
	f.Close()
	select {
	case <-ended:
	default:
		t.Fatal("Close returned before its job ended")
	}
	if runs.Load() != 1 {
		t.Fatalf("the cooled-down job ran %d times", runs.Load())
	}
}
