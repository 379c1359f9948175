package federation

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestFetchThreadAttachesAncestors(t *testing.T) {
	r := newRemote(t)
	f := newTestFederation(t)
	ctx := context.Background()
	carol, dave := r.actor("carol"), r.actor("dave")
	day := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	root := r.note("/notes/root", carol, "root", "", day)
	mid := r.note("/notes/mid", dave, "mid", root["id"].(string), day.Add(time.Minute))
	leaf := r.note("/notes/leaf", carol, "leaf", mid["id"].(string), day.Add(2*time.Minute))
	for path, n := range map[string]map[string]any{"/notes/root": root, "/notes/mid": mid, "/notes/leaf": leaf} {
		r.serve(path, n)
	}

	// Only the leaf is known, as the inbox or a search would store it:
	// without a parent, which was unknown.
	st, err := f.fetchStatus(ctx, leaf["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if st.InReplyToID != "" {
		t.Fatal("the leaf came with a parent")
	}
	n, err := f.FetchThread(ctx, st)
	if err != nil || n != 2 {
		t.Fatalf("FetchThread stored %d: %v", n, err)
	}
	anc, err := f.Store.Ancestors(ctx, "", st.ID, 40)
	if err != nil {
		t.Fatal(err)
	}
	if got := contents(anc); !slices.Equal(got, []string{"<p>root</p>", "<p>mid</p>"}) {
		t.Fatalf("ancestors %q", got)
	}
	again, err := f.Store.StatusByID(ctx, st.ID)
	if err != nil || again.URI != st.URI || !again.CreatedAt.Equal(st.CreatedAt) {
		t.Fatalf("the leaf changed: %+v %v", again, err)
	}

	// A second run reads the leaf and the top of the thread again (the
	// store cannot tell a root from a reply whose parent is unknown), and
	// nothing between.
	mids := r.hitsOf("/notes/mid")
	if n, err := f.FetchThread(ctx, again); n != 0 || err != nil || r.hitsOf("/notes/mid") != mids {
		t.Fatalf("second FetchThread: %d, %v; mid fetched %d times", n, err, r.hitsOf("/notes/mid"))
	}
}

func TestFetchThreadKeepsAReplyWithInteractions(t *testing.T) {
	r := newRemote(t)
	f := newTestFederation(t)
	ctx := context.Background()
	carol := r.actor("carol")
	day := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	root := r.note("/notes/root", carol, "root", "", day)
	leaf := r.note("/notes/leaf", carol, "leaf", root["id"].(string), day.Add(time.Minute))
	r.serve("/notes/root", root)
	r.serve("/notes/leaf", leaf)
	st, err := f.fetchStatus(ctx, leaf["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	bob := localUser(t, f, "bob")
	if err := f.Store.Bookmark(ctx, bob.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.FetchThread(ctx, st); err != nil {
		t.Fatal(err)
	}
	// The root is stored, but the bookmarked leaf is not re-created to
	// attach it (the store cannot set a parent in place yet).
	if !f.known(ctx, root["id"].(string)) {
		t.Fatal("the root was not fetched")
	}
	in, err := f.Store.Interactions(ctx, bob.ID, []string{st.ID})
	if err != nil || !in[st.ID].Bookmarked {
		t.Fatalf("the bookmark is gone: %v", err)
	}
}

func TestFetchThreadReplies(t *testing.T) {
	r, other := newRemote(t), newRemote(t)
	f := newTestFederation(t)
	ctx := context.Background()
	carol, dave := r.actor("carol"), r.actor("dave")
	eve := other.actor("eve")
	day := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	root := r.note("/notes/root", carol, "root", "", day)
	rootID := root["id"].(string)

	embedded := r.note("/notes/r1", dave, "embedded, same origin", rootID, day.Add(time.Minute))
	embedded["replies"] = r.url("/notes/r1/replies")
	byID := r.note("/notes/r2", carol, "listed by id", rootID, day.Add(2*time.Minute))
	r.serve("/notes/r2", byID)
	forged := other.note("/notes/r3", eve, "forged", rootID, day.Add(3*time.Minute))
	other.serve("/notes/r3", other.note("/notes/r3", eve, "genuine", rootID, day.Add(3*time.Minute)))
	stray := r.note("/notes/stray", carol, "not a reply to root", "", day)
	r.serve("/notes/stray", stray)
	deeper := r.note("/notes/r1a", carol, "reply to the reply", embedded["id"].(string), day.Add(4*time.Minute))
	r.serve("/notes/r1a", deeper)

	root["replies"] = map[string]any{
		"id": rootID + "/replies", "type": "Collection",
		"first": map[string]any{
			"type": "CollectionPage", "partOf": rootID + "/replies",
			"items": []any{embedded, byID["id"]},
			"next":  rootID + "/replies?page=2",
		},
	}
	r.serve("/notes/root", root)
	r.serve("/notes/root/replies?page=2", map[string]any{
		"type": "CollectionPage", "items": []any{forged, stray["id"]},
	})
	r.serve("/notes/r1/replies", map[string]any{
		"type": "OrderedCollection", "orderedItems": []any{deeper["id"]},
	})

	st, err := f.fetchStatus(ctx, rootID)
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.FetchThread(ctx, st)
	if n != 4 {
		t.Fatalf("FetchThread stored %d: %v", n, err)
	}
	desc, err := f.Store.Descendants(ctx, "", st.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := contents(desc)
	slices.Sort(got)
	want := []string{"<p>embedded, same origin</p>", "<p>genuine</p>", "<p>listed by id</p>", "<p>reply to the reply</p>"}
	if !slices.Equal(got, want) {
		t.Fatalf("descendants %q, want %q", got, want)
	}
	if r.hitsOf("/notes/r1") != 0 || other.hitsOf("/notes/r3") != 1 {
		t.Fatalf("the embedded reply was fetched %d times, the forged one's real id %d times", r.hitsOf("/notes/r1"), other.hitsOf("/notes/r3"))
	}
}

func TestFetchThreadIsBounded(t *testing.T) {
	r := newRemote(t)
	f := newTestFederation(t)
	ctx := context.Background()
	carol := r.actor("carol")
	day := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	// A chain of 30 posts: from the last, 20 levels are fetched.
	parent := ""
	for i := range 30 {
		n := r.note(fmt.Sprintf("/chain/%d", i), carol, fmt.Sprint("level ", i), parent, day.Add(time.Duration(i)*time.Minute))
		r.serve(fmt.Sprintf("/chain/%d", i), n)
		parent = n["id"].(string)
	}
	st, err := f.fetchStatus(ctx, parent)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := f.FetchThread(ctx, st); n != threadDepth {
		t.Fatalf("stored %d ancestors, want %d", n, threadDepth)
	}
	if r.hitsOf("/chain/8") != 0 {
		t.Fatal("fetched beyond the depth limit")
	}

	// A replies collection of 150: 100 are fetched.
	root := r.note("/wide", carol, "wide", "", day)
	var items []any
	for i := range 150 {
		n := r.note(fmt.Sprintf("/wide/%d", i), carol, fmt.Sprint("reply ", i), root["id"].(string), day.Add(time.Duration(i)*time.Second))
		r.serve(fmt.Sprintf("/wide/%d", i), n)
		items = append(items, n["id"])
	}
	root["replies"] = map[string]any{"type": "Collection", "items": items}
	r.serve("/wide", root)
	st, err = f.fetchStatus(ctx, root["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := f.FetchThread(ctx, st); n != threadStatuses {
		t.Fatalf("stored %d replies, want %d", n, threadStatuses)
	}
	desc, err := f.Store.Descendants(ctx, "", st.ID, 1000)
	if err != nil || len(desc) != threadStatuses {
		t.Fatalf("%d descendants: %v", len(desc), err)
	}
}
