package storetest

import (
	"testing"

	"github.com/roost-social/roost/store"
)

var interactionTests = []storeTest{
	{"Favourite", testFavourite},
	{"BookmarkAndPin", testBookmarkAndPin},
	{"Reblog", testReblog},
	{"FavouritedAndRebloggedBy", testFavouritedAndRebloggedBy},
	{"Interactions", testInteractions},
}

func testFavourite(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	remote := MustCreateRemote(t, s, "carol", "remote.test")
	st := MustPost(t, s, alice, "likeable")

	ok(t, s.Favourite(ctx, bob.ID, st.ID, ""), "favourite")
	ok(t, s.Favourite(ctx, bob.ID, st.ID, ""), "favourite again")
	statusCounts(t, s, st, 0, 0, 1)
	equalSlice(t, Notifications(t, s, alice), []string{notificationString(store.NotifyFavourite, bob.ID, st.ID)}, "one favourite notification")

	ok(t, s.Favourite(ctx, alice.ID, st.ID, ""), "favourite one's own")
	ok(t, s.Favourite(ctx, remote.ID, st.ID, "https://remote.test/users/carol#likes/1"), "remote favourite")
	statusCounts(t, s, st, 0, 0, 3)
	fa, fs, err := s.FavouriteByURI(ctx, "https://remote.test/users/carol#likes/1")
	ok(t, err, "favourite by URI")
	equal(t, fa+"/"+fs, remote.ID+"/"+st.ID, "favourite found by its Like's id")
	_, _, err = s.FavouriteByURI(ctx, "https://remote.test/users/carol#likes/2")
	isErr(t, err, store.ErrNotFound, "unknown Like id")
	equal(t, len(Notifications(t, s, alice)), 2, "notifications: none for one's own favourite")

	ok(t, s.Unfavourite(ctx, bob.ID, st.ID), "unfavourite")
	ok(t, s.Unfavourite(ctx, bob.ID, st.ID), "unfavourite again")
	statusCounts(t, s, st, 0, 0, 2)
	equalSlice(t, Notifications(t, s, alice), []string{notificationString(store.NotifyFavourite, remote.ID, st.ID)}, "notifications after unfavourite")

	// A remote author is not notified.
	rs := MustPost(t, s, remote, "remote post")
	ok(t, s.Favourite(ctx, bob.ID, rs.ID, ""), "favourite remote status")
	statusCounts(t, s, rs, 0, 0, 1)

	isErr(t, s.Favourite(ctx, bob.ID, "999", ""), store.ErrNotFound, "favourite unknown status")
	isErr(t, s.Unfavourite(ctx, bob.ID, "999"), store.ErrNotFound, "unfavourite unknown status")
	isErr(t, s.Favourite(ctx, "999", st.ID, ""), store.ErrNotFound, "favourite by unknown account")

	// Favourites lists, newest favourite first.
	older := MustPost(t, s, alice, "older")
	ok(t, s.Favourite(ctx, bob.ID, st.ID, ""), "favourite st")
	ok(t, s.Favourite(ctx, bob.ID, older.ID, ""), "favourite older")
	list, cursors, err := s.Favourites(ctx, bob.ID, store.Page{})
	ok(t, err, "favourites")
	equalSlice(t, StatusIDs(list), []string{older.ID, st.ID, rs.ID}, "favourites, newest favourite first")
	equal(t, len(cursors), 3, "cursors")
	list, _, err = s.Favourites(ctx, bob.ID, store.Page{MaxID: cursors[0], Limit: 1})
	ok(t, err, "favourites page")
	equalSlice(t, StatusIDs(list), []string{st.ID}, "favourites older than the first cursor")
	list, _, err = s.Favourites(ctx, bob.ID, store.Page{MinID: cursors[2], Limit: 1})
	ok(t, err, "favourites min_id")
	equalSlice(t, StatusIDs(list), []string{st.ID}, "favourite right after the last cursor")
}

func testBookmarkAndPin(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	a := MustPost(t, s, alice, "a")
	b := MustPost(t, s, alice, "b")

	ok(t, s.Bookmark(ctx, bob.ID, a.ID), "bookmark a")
	ok(t, s.Bookmark(ctx, bob.ID, a.ID), "bookmark a again")
	ok(t, s.Bookmark(ctx, bob.ID, b.ID), "bookmark b")
	list, cursors, err := s.Bookmarks(ctx, bob.ID, store.Page{})
	ok(t, err, "bookmarks")
	equalSlice(t, StatusIDs(list), []string{b.ID, a.ID}, "bookmarks, newest first")
	equal(t, len(cursors), 2, "bookmark cursors")
	if len(cursors) == 2 && !(cursors[0] > cursors[1] || len(cursors[0]) > len(cursors[1])) {
		t.Errorf("bookmark cursors %v not newest first", cursors)
	}
	equalSlice(t, Notifications(t, s, alice), []string{}, "bookmarks notify nobody")
	ok(t, s.Unbookmark(ctx, bob.ID, a.ID), "unbookmark")
	ok(t, s.Unbookmark(ctx, bob.ID, a.ID), "unbookmark again")
	list, _, err = s.Bookmarks(ctx, bob.ID, store.Page{})
	ok(t, err, "bookmarks")
	equalSlice(t, StatusIDs(list), []string{b.ID}, "bookmarks after unbookmark")
	isErr(t, s.Bookmark(ctx, bob.ID, "999"), store.ErrNotFound, "bookmark unknown status")
	isErr(t, s.Unbookmark(ctx, bob.ID, "999"), store.ErrNotFound, "unbookmark unknown status")

	ok(t, s.Pin(ctx, alice.ID, a.ID), "pin")
	ok(t, s.Pin(ctx, alice.ID, a.ID), "pin again")
	in, err := s.Interactions(ctx, alice.ID, []string{a.ID, b.ID})
	ok(t, err, "interactions")
	equal(t, in[a.ID].Pinned, true, "a pinned")
	equal(t, in[b.ID].Pinned, false, "b pinned")
	ok(t, s.Unpin(ctx, alice.ID, a.ID), "unpin")
	ok(t, s.Unpin(ctx, alice.ID, a.ID), "unpin again")
	in, err = s.Interactions(ctx, alice.ID, []string{a.ID})
	ok(t, err, "interactions")
	equal(t, in[a.ID].Pinned, false, "a pinned after unpin")
	isErr(t, s.Pin(ctx, alice.ID, "999"), store.ErrNotFound, "pin unknown status")
	isErr(t, s.Unpin(ctx, alice.ID, "999"), store.ErrNotFound, "unpin unknown status")
}

func testReblog(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	st := MustPost(t, s, alice, "boost me")

	boost, err := s.Reblog(ctx, bob.ID, st.ID, "")
	ok(t, err, "reblog")
	equal(t, boost.ReblogOfID, st.ID, "ReblogOfID")
	equal(t, boost.AccountID, bob.ID, "booster")
	equal(t, boost.URI, bob.URI+"/statuses/"+boost.ID+"/activity", "boost URI")
	equal(t, boost.Visibility, store.VisibilityPublic, "default boost visibility")
	equal(t, boost.Local, true, "boost by a local account is local")
	if boost.Reblog == nil || boost.Reblog.ID != st.ID || boost.Reblog.Account == nil || boost.Reblog.Account.ID != alice.ID {
		t.Fatalf("boost's Reblog = %+v, want hydrated status", boost.Reblog)
	}
	if boost.Account == nil || boost.Account.ID != bob.ID {
		t.Errorf("boost's Account = %+v", boost.Account)
	}
	statusCounts(t, s, st, 0, 1, 0)
	counts(t, s, bob, 0, 0, 1)
	equalSlice(t, Notifications(t, s, alice), []string{notificationString(store.NotifyReblog, bob.ID, st.ID)}, "reblog notification")

	again, err := s.Reblog(ctx, bob.ID, st.ID, store.VisibilityUnlisted)
	ok(t, err, "reblog again")
	equal(t, again.ID, boost.ID, "second reblog returns the first")
	// Boosting the boost boosts the status.
	again, err = s.Reblog(ctx, bob.ID, boost.ID, "")
	ok(t, err, "reblog the boost")
	equal(t, again.ID, boost.ID, "boost of the boost")
	statusCounts(t, s, st, 0, 1, 0)
	equal(t, len(Notifications(t, s, alice)), 1, "notifications after repeated reblogs")

	private, err := s.Reblog(ctx, alice.ID, st.ID, store.VisibilityPrivate)
	ok(t, err, "self boost")
	equal(t, private.Visibility, store.VisibilityPrivate, "boost visibility")
	equal(t, len(Notifications(t, s, alice)), 1, "no notification for a self boost")
	statusCounts(t, s, st, 0, 2, 0)

	gone, err := s.Unreblog(ctx, bob.ID, st.ID)
	ok(t, err, "unreblog")
	if gone == nil {
		t.Fatal("unreblog returned no boost")
	}
	equal(t, gone.ID, boost.ID, "unreblog returns the boost's ID")
	equal(t, gone.URI, boost.URI, "unreblog returns the boost's URI")
	equal(t, gone.Visibility, boost.Visibility, "unreblog returns the boost's visibility")
	_, err = s.StatusByID(ctx, boost.ID)
	isErr(t, err, store.ErrNotFound, "boost after unreblog")
	statusCounts(t, s, st, 0, 1, 0)
	counts(t, s, bob, 0, 0, 0)
	equal(t, len(Notifications(t, s, alice)), 0, "reblog notification after unreblog")
	gone, err = s.Unreblog(ctx, bob.ID, st.ID)
	ok(t, err, "unreblog again")
	equal(t, gone == nil, true, "unreblog of nothing")

	_, err = s.Reblog(ctx, bob.ID, "999", "")
	isErr(t, err, store.ErrNotFound, "reblog unknown status")
	_, err = s.Unreblog(ctx, bob.ID, "999")
	isErr(t, err, store.ErrNotFound, "unreblog unknown status")
}

func testFavouritedAndRebloggedBy(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	st := MustPost(t, s, alice, "popular")
	var fans []*store.Account
	for _, name := range []string{"bob", "carol", "dave", "erin"} {
		a := MustCreateLocal(t, s, name)
		fans = append(fans, a)
		ok(t, s.Favourite(ctx, a.ID, st.ID, ""), "favourite by "+name)
		_, err := s.Reblog(ctx, a.ID, st.ID, "")
		ok(t, err, "reblog by "+name)
	}
	want := []string{fans[3].ID, fans[2].ID, fans[1].ID, fans[0].ID}

	for _, by := range []struct {
		name string
		list func(store.Page) ([]*store.Account, []string, error)
	}{
		{"favourited by", func(p store.Page) ([]*store.Account, []string, error) { return s.FavouritedBy(ctx, st.ID, p) }},
		{"reblogged by", func(p store.Page) ([]*store.Account, []string, error) { return s.RebloggedBy(ctx, st.ID, p) }},
	} {
		list, cursors, err := by.list(store.Page{})
		ok(t, err, by.name)
		equalSlice(t, AccountIDs(list), want, by.name+", newest first")
		if len(cursors) != 4 {
			t.Fatalf("%s: cursors %v", by.name, cursors)
		}
		list, c2, err := by.list(store.Page{MaxID: cursors[1], Limit: 1})
		ok(t, err, by.name+" max_id")
		equalSlice(t, AccountIDs(list), want[2:3], by.name+" max_id")
		equalSlice(t, c2, cursors[2:3], by.name+" max_id cursor")
		list, _, err = by.list(store.Page{SinceID: cursors[3], Limit: 2})
		ok(t, err, by.name+" since_id")
		equalSlice(t, AccountIDs(list), want[:2], by.name+" since_id")
		list, _, err = by.list(store.Page{MinID: cursors[3], Limit: 2})
		ok(t, err, by.name+" min_id")
		equalSlice(t, AccountIDs(list), want[1:3], by.name+" min_id")
	}
	list, _, err := s.FavouritedBy(ctx, "999", store.Page{})
	ok(t, err, "favourited by, unknown status")
	equal(t, len(list), 0, "favourited by, unknown status")
}

func testInteractions(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	a := MustPost(t, s, alice, "a")
	b := MustPost(t, s, alice, "b")
	c := MustPost(t, s, bob, "c")
	ok(t, s.Favourite(ctx, bob.ID, a.ID, ""), "favourite")
	ok(t, s.Bookmark(ctx, bob.ID, a.ID), "bookmark")
	_, err := s.Reblog(ctx, bob.ID, b.ID, "")
	ok(t, err, "reblog")
	ok(t, s.Pin(ctx, bob.ID, c.ID), "pin")
	ok(t, s.Favourite(ctx, alice.ID, c.ID, ""), "alice's favourite")

	in, err := s.Interactions(ctx, bob.ID, []string{a.ID, b.ID, c.ID, "999"})
	ok(t, err, "interactions")
	equal(t, in[a.ID], store.Interaction{Favourited: true, Bookmarked: true}, "interactions with a")
	equal(t, in[b.ID], store.Interaction{Reblogged: true}, "interactions with b")
	equal(t, in[c.ID], store.Interaction{Pinned: true}, "interactions with c (alice's favourite is not bob's)")
	equal(t, in["999"], store.Interaction{}, "interactions with an unknown status")
	if _, present := in[a.ID]; !present {
		t.Errorf("no entry for a")
	}

	in, err = s.Interactions(ctx, "", []string{a.ID})
	ok(t, err, "anonymous interactions")
	equal(t, in[a.ID], store.Interaction{}, "anonymous interactions")
}
