package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

var statusTests = []storeTest{
	{"CreateStatus", testCreateStatus},
	{"CreateStatusGivenIDAndTime", testCreateStatusGivenID},
	{"RemoteStatus", testRemoteStatus},
	{"ReplyCounters", testReplyCounters},
	{"IdempotencyKey", testIdempotencyKey},
	{"StatusLookups", testStatusLookups},
	{"UpdateStatus", testUpdateStatus},
	{"DeleteStatus", testDeleteStatus},
	{"DeleteBoost", testDeleteBoost},
	{"Thread", testThread},
	{"AllStatuses", testAllStatuses},
}

func testAllStatuses(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	var want []string
	for i := range 5 {
		want = append(want, MustPost(t, s, alice, fmt.Sprintf("post %d", i)).ID)
	}
	n, err := s.CountStatuses(ctx)
	ok(t, err, "count statuses")
	equal(t, n, 5, "CountStatuses")
	var got []string
	after := ""
	for {
		page, err := s.AllStatuses(ctx, after, 2)
		ok(t, err, "all statuses")
		if len(page) == 0 {
			break
		}
		for _, st := range page {
			if st.Account == nil {
				t.Fatalf("status %s not hydrated", st.ID)
			}
			got = append(got, st.ID)
		}
		after = page[len(page)-1].ID
	}
	equal(t, strings.Join(got, ","), strings.Join(want, ","), "walk in ID order")
}

func testCreateStatus(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	app := MustCreateApp(t, s, "tusky")

	st, err := s.CreateStatus(ctx, store.NewStatus{
		AccountID:   alice.ID,
		Text:        "hi @bob @carol@remote.test #Go #roost",
		Content:     "<p>hi</p>",
		SpoilerText: "cw",
		Sensitive:   true,
		Visibility:  store.VisibilityUnlisted,
		Language:    "en",
		Local:       true,
		AppID:       app.ID,
		MentionIDs:  []string{bob.ID, carol.ID},
		Tags:        []string{"go", "Roost"},
	})
	ok(t, err, "create status")
	if !store.ValidID(st.ID) {
		t.Fatalf("status ID not assigned: %q", st.ID)
	}
	utcMillis(t, st.CreatedAt, "CreatedAt")
	equal(t, st.URI, alice.URI+"/statuses/"+st.ID, "URI of a local status")
	equal(t, st.URL, alice.URL+"/"+st.ID, "URL of a local status")
	equal(t, st.AccountID, alice.ID, "account")
	equal(t, st.Text, "hi @bob @carol@remote.test #Go #roost", "text")
	equal(t, st.Content, "<p>hi</p>", "content")
	equal(t, st.SpoilerText, "cw", "spoiler text")
	equal(t, st.Sensitive, true, "sensitive")
	equal(t, st.Visibility, store.VisibilityUnlisted, "visibility")
	equal(t, st.Language, "en", "language")
	equal(t, st.Local, true, "local")
	equal(t, st.AppID, app.ID, "app")
	if st.EditedAt != nil {
		t.Errorf("EditedAt = %v, want nil", st.EditedAt)
	}
	if st.Account == nil || st.Account.ID != alice.ID {
		t.Fatalf("Account = %+v, want alice", st.Account)
	}
	if st.Application == nil || st.Application.Name != "tusky" || st.Application.Website != "https://tusky.test" {
		t.Errorf("Application = %+v, want tusky", st.Application)
	}
	sameSet(t, st.Tags, []string{"go", "roost"}, "tags (lowercase)")
	if len(st.Mentions) != 2 {
		t.Fatalf("mentions = %+v, want bob and carol", st.Mentions)
	}
	for _, m := range st.Mentions {
		switch m.AccountID {
		case bob.ID:
			equal(t, m.Username, "bob", "mention username")
			equal(t, m.Domain, "", "mention domain")
			equal(t, m.URL, bob.URL, "mention URL")
		case carol.ID:
			equal(t, m.Username, "carol", "mention username")
			equal(t, m.Domain, "remote.test", "mention domain")
			equal(t, m.URL, carol.URL, "mention URL")
		default:
			t.Errorf("unexpected mention %+v", m)
		}
	}

	// What was returned is what is read back.
	got := MustStatus(t, s, st.ID)
	equal(t, got.URI, st.URI, "URI read back")
	if !got.CreatedAt.Equal(st.CreatedAt) {
		t.Errorf("CreatedAt read back = %v, want %v", got.CreatedAt, st.CreatedAt)
	}
	equal(t, len(got.Mentions), 2, "mentions read back")
	equal(t, got.Application != nil, true, "application read back")

	a := MustAccount(t, s, alice.ID)
	equal(t, a.StatusesCount, 1, "statuses count")
	if a.LastStatusAt == nil || !a.LastStatusAt.Equal(st.CreatedAt) {
		t.Errorf("LastStatusAt = %v, want %v", a.LastStatusAt, st.CreatedAt)
	}

	// Default visibility, no app, no mentions.
	plain, err := s.CreateStatus(ctx, store.NewStatus{AccountID: bob.ID, Text: "plain", Local: true})
	ok(t, err, "create plain status")
	equal(t, plain.Visibility, store.VisibilityPublic, "default visibility")
	if plain.Application != nil || len(plain.Mentions) != 0 || len(plain.Tags) != 0 {
		t.Errorf("plain status has application %v, mentions %v, tags %v", plain.Application, plain.Mentions, plain.Tags)
	}

	_, err = s.CreateStatus(ctx, store.NewStatus{AccountID: "999", Text: "ghost", Local: true})
	isErr(t, err, store.ErrNotFound, "status of unknown account")
}

func testCreateStatusGivenID(t *testing.T, s store.Store) {
	alice := MustCreateLocal(t, s, "alice")
	at := time.Date(2022, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	id := store.NewID(at)
	st := MustCreateStatus(t, s, store.NewStatus{ID: id, AccountID: alice.ID, Text: "old", Local: true, CreatedAt: at})
	equal(t, st.ID, id, "given ID")
	if !st.CreatedAt.Equal(at) {
		t.Errorf("CreatedAt = %v, want %v", st.CreatedAt, at)
	}
	at2 := at.Add(time.Minute)
	st2 := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "old too", Local: true, CreatedAt: at2})
	equal(t, store.IDTime(st2.ID).Equal(at2), true, "ID made from CreatedAt")
	_, err := s.CreateStatus(t.Context(), store.NewStatus{ID: id, AccountID: alice.ID, Text: "dup", Local: true})
	isErr(t, err, store.ErrConflict, "ID taken")
}

func testRemoteStatus(t *testing.T, s store.Store) {
	ctx := t.Context()
	bob := MustCreateRemote(t, s, "bob", "remote.test")
	n := store.NewStatus{AccountID: bob.ID, URI: "https://remote.test/notes/1", URL: "https://remote.test/@bob/1", Content: "<p>remote</p>", Visibility: store.VisibilityPublic}
	st, err := s.CreateStatus(ctx, n)
	ok(t, err, "create remote status")
	equal(t, st.URI, n.URI, "URI kept")
	equal(t, st.URL, n.URL, "URL kept")
	equal(t, st.Local, false, "local")
	got, err := s.StatusByURI(ctx, n.URI)
	ok(t, err, "status by URI")
	equal(t, got.ID, st.ID, "status by URI")
	_, err = s.CreateStatus(ctx, n)
	isErr(t, err, store.ErrConflict, "URI stored twice")
	_, err = s.StatusByURI(ctx, "https://remote.test/notes/2")
	isErr(t, err, store.ErrNotFound, "unknown URI")
}

func testReplyCounters(t *testing.T, s store.Store) {
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	parent := MustPost(t, s, alice, "parent")
	r1 := MustReply(t, s, bob, parent, "reply 1")
	MustReply(t, s, alice, parent, "reply 2")
	equal(t, r1.InReplyToID, parent.ID, "InReplyToID")
	equal(t, r1.InReplyToAccountID, alice.ID, "InReplyToAccountID derived from the parent")
	statusCounts(t, s, parent, 2, 0, 0)
	counts(t, s, alice, 0, 0, 2)
	counts(t, s, bob, 0, 0, 1)

	// A reply to a status the store does not have keeps the parent's ID.
	orphan := MustCreateStatus(t, s, store.NewStatus{AccountID: bob.ID, Text: "orphan", Local: true, InReplyToID: store.NewID(time.Now())})
	if orphan.InReplyToID == "" || orphan.InReplyToAccountID != "" {
		t.Errorf("orphan reply: InReplyToID %q, InReplyToAccountID %q", orphan.InReplyToID, orphan.InReplyToAccountID)
	}
}

func testIdempotencyKey(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	first := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "once", Local: true, IdempotencyKey: "k1"})
	again := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "once (retry)", Local: true, IdempotencyKey: "k1"})
	equal(t, again.ID, first.ID, "status of a repeated key")
	equal(t, again.Text, "once", "text of a repeated key")
	if again.Account == nil {
		t.Errorf("repeated key: status not hydrated")
	}
	counts(t, s, alice, 0, 0, 1)

	other := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "twice", Local: true, IdempotencyKey: "k2"})
	if other.ID == first.ID {
		t.Errorf("another key returned the first status")
	}
	bobs := MustCreateStatus(t, s, store.NewStatus{AccountID: bob.ID, Text: "bob", Local: true, IdempotencyKey: "k1"})
	if bobs.ID == first.ID {
		t.Errorf("another account's key returned alice's status")
	}
	none1 := MustPost(t, s, alice, "no key")
	none2 := MustPost(t, s, alice, "no key")
	if none1.ID == none2.ID {
		t.Errorf("statuses without a key were merged")
	}
	counts(t, s, alice, 0, 0, 4)

	// After the status is deleted the key makes a new one.
	ok(t, s.DeleteStatus(ctx, first.ID), "delete status")
	fresh := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "once more", Local: true, IdempotencyKey: "k1"})
	if fresh.ID == first.ID {
		t.Errorf("key of a deleted status returned it")
	}
}

func testStatusLookups(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	a := MustPost(t, s, alice, "a")
	b := MustPost(t, s, alice, "b")
	boost, err := s.Reblog(ctx, alice.ID, a.ID, "")
	ok(t, err, "reblog")

	list, err := s.StatusesByIDs(ctx, []string{b.ID, "999", boost.ID, "x", a.ID})
	ok(t, err, "statuses by IDs")
	equalSlice(t, StatusIDs(list), []string{b.ID, boost.ID, a.ID}, "statuses in the asked order")
	if list[1].Reblog == nil || list[1].Reblog.ID != a.ID || list[1].Reblog.Account == nil {
		t.Errorf("boost's Reblog = %+v, want hydrated a", list[1].Reblog)
	}
	for _, id := range []string{"", "0", "x", "999"} {
		_, err = s.StatusByID(ctx, id)
		isErr(t, err, store.ErrNotFound, "status "+id)
	}
	got, err := s.StatusByURI(ctx, a.URI)
	ok(t, err, "status by URI")
	equal(t, got.ID, a.ID, "status by URI")
}

func testUpdateStatus(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateLocal(t, s, "carol")
	st := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "v1 @bob #one", Local: true, Language: "en",
		MentionIDs: []string{bob.ID}, Tags: []string{"one"}})
	_, err := s.Reblog(ctx, carol.ID, st.ID, "")
	ok(t, err, "carol boosts")
	_, err = s.Reblog(ctx, alice.ID, st.ID, "")
	ok(t, err, "alice boosts herself")

	edits, err := s.StatusEdits(ctx, st.ID)
	ok(t, err, "edits of an unedited status")
	if len(edits) != 1 || edits[0].Text != "v1 @bob #one" {
		t.Fatalf("edits of an unedited status = %+v, want the status itself", edits)
	}

	at := time.Now().Add(time.Second).UTC().Truncate(time.Millisecond)
	up, err := s.UpdateStatus(ctx, st.ID, store.StatusUpdate{Text: "v2 @carol #Two", Content: "<p>v2</p>", SpoilerText: "cw2",
		Sensitive: true, MentionIDs: []string{carol.ID}, Tags: []string{"Two"}, EditedAt: at})
	ok(t, err, "update status")
	equal(t, up.Text, "v2 @carol #Two", "text")
	equal(t, up.Content, "<p>v2</p>", "content")
	equal(t, up.SpoilerText, "cw2", "spoiler text")
	equal(t, up.Sensitive, true, "sensitive")
	equal(t, up.Language, "en", "language kept when not given")
	equal(t, up.ID, st.ID, "ID")
	equal(t, up.URI, st.URI, "URI")
	if up.EditedAt == nil || !up.EditedAt.Equal(at) {
		t.Errorf("EditedAt = %v, want %v", up.EditedAt, at)
	}
	if len(up.Mentions) != 1 || up.Mentions[0].AccountID != carol.ID {
		t.Errorf("mentions = %+v, want carol", up.Mentions)
	}
	equalSlice(t, up.Tags, []string{"two"}, "tags")
	equalSlice(t, MustStatus(t, s, st.ID).Tags, []string{"two"}, "tags read back")

	_, err = s.UpdateStatus(ctx, st.ID, store.StatusUpdate{Text: "v3", Content: "<p>v3</p>", Language: "de"})
	ok(t, err, "update status again")
	got := MustStatus(t, s, st.ID)
	equal(t, got.Language, "de", "language")
	if got.EditedAt == nil {
		t.Errorf("EditedAt not set when not given")
	} else {
		utcMillis(t, *got.EditedAt, "EditedAt")
	}

	edits, err = s.StatusEdits(ctx, st.ID)
	ok(t, err, "status edits")
	var texts []string
	for _, e := range edits {
		texts = append(texts, e.Text)
		equal(t, e.StatusID, st.ID, "edit's status")
	}
	equalSlice(t, texts, []string{"v1 @bob #one", "v2 @carol #Two", "v3"}, "edit history, oldest first")
	if len(edits) == 3 {
		if !edits[0].CreatedAt.Equal(st.CreatedAt) {
			t.Errorf("original version at %v, want %v", edits[0].CreatedAt, st.CreatedAt)
		}
		if !edits[1].CreatedAt.Equal(at) {
			t.Errorf("first edit at %v, want %v", edits[1].CreatedAt, at)
		}
		equal(t, edits[1].SpoilerText, "cw2", "spoiler text of an edit")
		equal(t, edits[1].Sensitive, true, "sensitive of an edit")
	}

	// The booster hears of both edits; the author does not.
	var updates int
	for _, n := range Notifications(t, s, carol) {
		if n == notificationString(store.NotifyUpdate, alice.ID, st.ID) {
			updates++
		}
	}
	equal(t, updates, 2, "update notifications to the booster")
	for _, n := range Notifications(t, s, alice) {
		if n == notificationString(store.NotifyUpdate, alice.ID, st.ID) {
			t.Errorf("alice notified of her own edit")
		}
	}

	// Who sees a direct status follows its mentions.
	dm := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "@bob", Local: true,
		Visibility: store.VisibilityDirect, MentionIDs: []string{bob.ID}})
	_, err = s.UpdateStatus(ctx, dm.ID, store.StatusUpdate{Text: "@carol", MentionIDs: []string{carol.ID}})
	ok(t, err, "update direct status")
	for _, v := range []struct {
		who  *store.Account
		sees bool
	}{{alice, true}, {bob, false}, {carol, true}} {
		got, err := s.CanSee(ctx, v.who.ID, MustStatus(t, s, dm.ID))
		ok(t, err, "can see")
		equal(t, got, v.sees, v.who.Username+" sees the edited direct status")
		home, err := s.HomeTimeline(ctx, v.who.ID, store.Page{})
		ok(t, err, "home")
		equal(t, len(home) > 0 && home[0].ID == dm.ID, v.sees, v.who.Username+"'s home has the edited direct status")
	}

	_, err = s.UpdateStatus(ctx, "999", store.StatusUpdate{Text: "x"})
	isErr(t, err, store.ErrNotFound, "update unknown status")
	_, err = s.StatusEdits(ctx, "999")
	isErr(t, err, store.ErrNotFound, "edits of unknown status")
}

func testDeleteStatus(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateLocal(t, s, "carol")
	MustFollow(t, s, carol, alice)

	parent := MustPost(t, s, bob, "parent")
	st := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "doomed @bob #tag", Local: true,
		InReplyToID: parent.ID, MentionIDs: []string{bob.ID}, Tags: []string{"tag"}})
	reply := MustReply(t, s, carol, st, "reply to doomed")
	boost, err := s.Reblog(ctx, carol.ID, st.ID, "")
	ok(t, err, "boost")
	ok(t, s.Favourite(ctx, bob.ID, st.ID, ""), "favourite")
	ok(t, s.Bookmark(ctx, bob.ID, st.ID), "bookmark")
	ok(t, s.Pin(ctx, alice.ID, st.ID), "pin")
	_, err = s.UpdateStatus(ctx, st.ID, store.StatusUpdate{Text: "edited", MentionIDs: []string{bob.ID}})
	ok(t, err, "edit")
	statusCounts(t, s, parent, 1, 0, 0)
	counts(t, s, alice, 1, 0, 1)
	counts(t, s, carol, 0, 1, 2)

	ok(t, s.DeleteStatus(ctx, st.ID), "delete status")

	_, err = s.StatusByID(ctx, st.ID)
	isErr(t, err, store.ErrNotFound, "deleted status")
	_, err = s.StatusByID(ctx, boost.ID)
	isErr(t, err, store.ErrNotFound, "boost of deleted status")
	_, err = s.StatusEdits(ctx, st.ID)
	isErr(t, err, store.ErrNotFound, "edits of deleted status")
	got := MustStatus(t, s, reply.ID)
	equal(t, got.InReplyToID, st.ID, "reply keeps its dangling InReplyToID")
	statusCounts(t, s, parent, 0, 0, 0)
	counts(t, s, alice, 1, 0, 0)
	counts(t, s, carol, 0, 1, 1)

	favs, _, err := s.Favourites(ctx, bob.ID, store.Page{})
	ok(t, err, "favourites")
	equal(t, len(favs), 0, "favourites after delete")
	marks, _, err := s.Bookmarks(ctx, bob.ID, store.Page{})
	ok(t, err, "bookmarks")
	equal(t, len(marks), 0, "bookmarks after delete")
	pinned, err := s.AccountStatuses(ctx, alice.ID, alice.ID, store.AccountStatusesFilter{Pinned: true}, store.Page{})
	ok(t, err, "pinned")
	equal(t, len(pinned), 0, "pinned after delete")
	tagged, err := s.TagTimeline(ctx, "", "tag", false, store.Page{})
	ok(t, err, "tag timeline")
	equal(t, len(tagged), 0, "tag timeline after delete")
	home, err := s.HomeTimeline(ctx, carol.ID, store.Page{})
	ok(t, err, "home")
	equalSlice(t, StatusIDs(home), []string{reply.ID}, "carol's home after delete")
	equalSlice(t, Notifications(t, s, bob), []string{}, "bob's notifications about the deleted status")
	in, err := s.Interactions(ctx, bob.ID, []string{st.ID})
	ok(t, err, "interactions")
	equal(t, in[st.ID], store.Interaction{}, "interactions with a deleted status")

	isErr(t, s.DeleteStatus(ctx, st.ID), store.ErrNotFound, "delete twice")
	isErr(t, s.DeleteStatus(ctx, "999"), store.ErrNotFound, "delete unknown")
}

func testDeleteBoost(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	st := MustPost(t, s, alice, "boosted")
	boost, err := s.Reblog(ctx, bob.ID, st.ID, "")
	ok(t, err, "boost")
	statusCounts(t, s, st, 0, 1, 0)
	counts(t, s, bob, 0, 0, 1)
	equalSlice(t, Notifications(t, s, alice), []string{notificationString(store.NotifyReblog, bob.ID, st.ID)}, "reblog notification")

	ok(t, s.DeleteStatus(ctx, boost.ID), "delete boost")
	statusCounts(t, s, st, 0, 0, 0)
	counts(t, s, bob, 0, 0, 0)
	counts(t, s, alice, 0, 0, 1)
	equalSlice(t, Notifications(t, s, alice), []string{}, "reblog notification after the boost is deleted")
	in, err := s.Interactions(ctx, bob.ID, []string{st.ID})
	ok(t, err, "interactions")
	equal(t, in[st.ID].Reblogged, false, "reblogged after delete")
}

func testThread(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateLocal(t, s, "carol")
	MustFollow(t, s, bob, alice)

	// root
	// ├── a1
	// │   ├── a1x (private, by alice)
	// │   │   └── a1x1
	// │   └── a1y
	// ├── a2 (direct to carol)
	// └── a3
	root := MustPost(t, s, alice, "root")
	a1 := MustReply(t, s, bob, root, "a1")
	a2 := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "a2", Local: true, InReplyToID: root.ID,
		Visibility: store.VisibilityDirect, MentionIDs: []string{carol.ID}})
	a1x := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "a1x", Local: true, InReplyToID: a1.ID,
		Visibility: store.VisibilityPrivate})
	a3 := MustReply(t, s, carol, root, "a3")
	a1y := MustReply(t, s, carol, a1, "a1y")
	a1x1 := MustReply(t, s, bob, a1x, "a1x1")

	desc, err := s.Descendants(ctx, alice.ID, root.ID, 0)
	ok(t, err, "descendants for the author")
	equalSlice(t, StatusIDs(desc), []string{a1.ID, a1x.ID, a1x1.ID, a1y.ID, a2.ID, a3.ID}, "descendants in thread order")
	desc, err = s.Descendants(ctx, bob.ID, root.ID, 0)
	ok(t, err, "descendants for a follower")
	equalSlice(t, StatusIDs(desc), []string{a1.ID, a1x.ID, a1x1.ID, a1y.ID, a3.ID}, "descendants a follower sees")
	desc, err = s.Descendants(ctx, carol.ID, root.ID, 0)
	ok(t, err, "descendants for the mentioned")
	equalSlice(t, StatusIDs(desc), []string{a1.ID, a1x1.ID, a1y.ID, a2.ID, a3.ID}, "descendants the mentioned sees")
	desc, err = s.Descendants(ctx, "", root.ID, 0)
	ok(t, err, "descendants for anonymous")
	equalSlice(t, StatusIDs(desc), []string{a1.ID, a1x1.ID, a1y.ID, a3.ID}, "descendants anonymous sees")
	desc, err = s.Descendants(ctx, alice.ID, root.ID, 3)
	ok(t, err, "limited descendants")
	equalSlice(t, StatusIDs(desc), []string{a1.ID, a1x.ID, a1x1.ID}, "limited descendants")
	desc, err = s.Descendants(ctx, alice.ID, a1x1.ID, 0)
	ok(t, err, "descendants of a leaf")
	equal(t, len(desc), 0, "descendants of a leaf")
	if len(desc) == 0 {
		desc, _ = s.Descendants(ctx, alice.ID, root.ID, 0)
	}
	if desc[0].Account == nil || desc[0].Account.ID != bob.ID {
		t.Errorf("descendants not hydrated")
	}

	anc, err := s.Ancestors(ctx, alice.ID, a1x1.ID, 0)
	ok(t, err, "ancestors")
	equalSlice(t, StatusIDs(anc), []string{root.ID, a1.ID, a1x.ID}, "ancestors, oldest first")
	anc, err = s.Ancestors(ctx, "", a1x1.ID, 0)
	ok(t, err, "ancestors for anonymous")
	equalSlice(t, StatusIDs(anc), []string{root.ID, a1.ID}, "ancestors anonymous sees")
	anc, err = s.Ancestors(ctx, alice.ID, a1x1.ID, 2)
	ok(t, err, "limited ancestors")
	equalSlice(t, StatusIDs(anc), []string{a1.ID, a1x.ID}, "ancestors two levels up")
	anc, err = s.Ancestors(ctx, alice.ID, root.ID, 0)
	ok(t, err, "ancestors of the root")
	equal(t, len(anc), 0, "ancestors of the root")

	// A deleted middle cuts the thread.
	ok(t, s.DeleteStatus(ctx, a1.ID), "delete a1")
	anc, err = s.Ancestors(ctx, alice.ID, a1x1.ID, 0)
	ok(t, err, "ancestors after delete")
	equalSlice(t, StatusIDs(anc), []string{a1x.ID}, "ancestors after delete")
	desc, err = s.Descendants(ctx, alice.ID, root.ID, 0)
	ok(t, err, "descendants after delete")
	equalSlice(t, StatusIDs(desc), []string{a2.ID, a3.ID}, "descendants after delete")
}
