package storetest

import (
	"testing"

	"github.com/roost-social/roost/store"
)

var notificationTests = []storeTest{
	{"Mentions", testMentionNotifications},
	{"ListAndFilter", testNotificationFilters},
	{"ByIDDismissClear", testNotificationByID},
	{"Unread", testUnreadNotifications},
	{"Markers", testMarkers},
}

func testMentionNotifications(t *testing.T, s store.Store) {
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	remote := MustCreateRemote(t, s, "carol", "remote.test")
	st := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "@alice @bob @carol", Local: true,
		MentionIDs: []string{alice.ID, bob.ID, remote.ID, bob.ID}})
	equal(t, len(st.Mentions), 3, "mentions (deduplicated)")
	equalSlice(t, Notifications(t, s, bob), []string{notificationString(store.NotifyMention, alice.ID, st.ID)}, "mention notification")
	equalSlice(t, Notifications(t, s, alice), []string{}, "no notification for mentioning oneself")
	equalSlice(t, Notifications(t, s, remote), []string{}, "no notification for remote accounts")

	// A remote status mentioning a local account notifies it.
	rs := MustCreateStatus(t, s, store.NewStatus{AccountID: remote.ID, Text: "@bob", MentionIDs: []string{bob.ID}})
	equal(t, Notifications(t, s, bob)[0], notificationString(store.NotifyMention, remote.ID, rs.ID), "mention from a remote status")

	// Direct statuses notify their mentions too.
	dm := MustCreateStatus(t, s, store.NewStatus{AccountID: bob.ID, Text: "@alice psst", Local: true,
		Visibility: store.VisibilityDirect, MentionIDs: []string{alice.ID}})
	equalSlice(t, Notifications(t, s, alice), []string{notificationString(store.NotifyMention, bob.ID, dm.ID)}, "mention in a direct status")
}

func testNotificationFilters(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateLocal(t, s, "carol")
	st := MustPost(t, s, alice, "post")
	MustFollow(t, s, bob, alice)
	ok(t, s.Favourite(ctx, bob.ID, st.ID, ""), "favourite")
	_, err := s.Reblog(ctx, carol.ID, st.ID, "")
	ok(t, err, "reblog")
	m := MustCreateStatus(t, s, store.NewStatus{AccountID: carol.ID, Text: "@alice", Local: true,
		MentionIDs: []string{alice.ID}})

	all := []string{
		notificationString(store.NotifyMention, carol.ID, m.ID),
		notificationString(store.NotifyReblog, carol.ID, st.ID),
		notificationString(store.NotifyFavourite, bob.ID, st.ID),
		notificationString(store.NotifyFollow, bob.ID, ""),
	}
	equalSlice(t, Notifications(t, s, alice), all, "all notifications, newest first")

	list, err := s.Notifications(ctx, alice.ID, store.NotificationFilter{}, store.Page{})
	ok(t, err, "notifications")
	for _, n := range list {
		equal(t, n.AccountID, alice.ID, "recipient")
		if n.From == nil || n.From.ID != n.FromAccountID {
			t.Errorf("%s notification: From = %+v", n.Type, n.From)
		}
		utcMillis(t, n.CreatedAt, "notification CreatedAt")
		if n.StatusID != "" && (n.Status == nil || n.Status.ID != n.StatusID || n.Status.Account == nil) {
			t.Errorf("%s notification: Status = %+v", n.Type, n.Status)
		}
		if n.StatusID == "" && n.Status != nil {
			t.Errorf("%s notification has a Status", n.Type)
		}
	}

	filter := func(f store.NotificationFilter, p store.Page) []string {
		t.Helper()
		list, err := s.Notifications(ctx, alice.ID, f, p)
		ok(t, err, "filtered notifications")
		out := make([]string, len(list))
		for i, n := range list {
			out[i] = notificationString(n.Type, n.FromAccountID, n.StatusID)
		}
		return out
	}
	equalSlice(t, filter(store.NotificationFilter{Types: []string{store.NotifyFollow, store.NotifyMention}}, store.Page{}),
		[]string{all[0], all[3]}, "types")
	equalSlice(t, filter(store.NotificationFilter{ExcludeTypes: []string{store.NotifyFollow, store.NotifyMention}}, store.Page{}),
		[]string{all[1], all[2]}, "exclude types")
	equalSlice(t, filter(store.NotificationFilter{Types: []string{store.NotifyFavourite, store.NotifyReblog},
		ExcludeTypes: []string{store.NotifyReblog}}, store.Page{}), []string{all[2]}, "types and exclude types")
	equalSlice(t, filter(store.NotificationFilter{FromID: carol.ID}, store.Page{}), all[:2], "from")
	equalSlice(t, filter(store.NotificationFilter{FromID: "999"}, store.Page{}), nil, "from unknown")
	equalSlice(t, filter(store.NotificationFilter{}, store.Page{Limit: 2}), all[:2], "limit")
	equalSlice(t, filter(store.NotificationFilter{}, store.Page{MaxID: list[1].ID}), all[2:], "max_id")
	equalSlice(t, filter(store.NotificationFilter{}, store.Page{MinID: list[3].ID, Limit: 2}), all[1:3], "min_id")
	equalSlice(t, filter(store.NotificationFilter{}, store.Page{SinceID: list[3].ID, Limit: 2}), all[:2], "since_id")
}

func testNotificationByID(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	MustFollow(t, s, bob, alice)
	MustFollow(t, s, alice, bob)
	st := MustPost(t, s, alice, "post")
	ok(t, s.Favourite(ctx, bob.ID, st.ID, ""), "favourite")
	list, err := s.Notifications(ctx, alice.ID, store.NotificationFilter{}, store.Page{})
	ok(t, err, "notifications")
	if len(list) != 2 {
		t.Fatalf("alice has %d notifications, want 2", len(list))
	}
	fav := list[0]

	n, err := s.NotificationByID(ctx, alice.ID, fav.ID)
	ok(t, err, "notification by ID")
	equal(t, n.Type, store.NotifyFavourite, "type")
	equal(t, n.FromAccountID, bob.ID, "from")
	if n.From == nil || n.Status == nil || n.Status.ID != st.ID {
		t.Errorf("notification not hydrated: From %v, Status %v", n.From, n.Status)
	}
	_, err = s.NotificationByID(ctx, bob.ID, fav.ID)
	isErr(t, err, store.ErrNotFound, "another account's notification")
	_, err = s.NotificationByID(ctx, alice.ID, "999")
	isErr(t, err, store.ErrNotFound, "unknown notification")

	isErr(t, s.DismissNotification(ctx, bob.ID, fav.ID), store.ErrNotFound, "dismiss another account's notification")
	ok(t, s.DismissNotification(ctx, alice.ID, fav.ID), "dismiss")
	isErr(t, s.DismissNotification(ctx, alice.ID, fav.ID), store.ErrNotFound, "dismiss twice")
	_, err = s.NotificationByID(ctx, alice.ID, fav.ID)
	isErr(t, err, store.ErrNotFound, "dismissed notification")
	equal(t, len(Notifications(t, s, alice)), 1, "notifications after dismiss")
	statusCounts(t, s, st, 0, 0, 1) // the favourite stays

	ok(t, s.ClearNotifications(ctx, alice.ID), "clear")
	equal(t, len(Notifications(t, s, alice)), 0, "notifications after clear")
	equal(t, len(Notifications(t, s, bob)), 1, "bob's notifications after alice clears hers")
	ok(t, s.ClearNotifications(ctx, alice.ID), "clear again")
}

func testUnreadNotifications(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	var posts []*store.Status
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		fan := MustCreateLocal(t, s, name)
		MustFollow(t, s, fan, alice)
		posts = append(posts, MustPost(t, s, fan, "hi"))
	}
	n, err := s.UnreadNotifications(ctx, alice.ID, 100)
	ok(t, err, "unread")
	equal(t, n, 5, "unread without a marker")
	n, err = s.UnreadNotifications(ctx, alice.ID, 3)
	ok(t, err, "unread with limit")
	equal(t, n, 3, "unread up to the limit")

	list, err := s.Notifications(ctx, alice.ID, store.NotificationFilter{}, store.Page{})
	ok(t, err, "notifications")
	_, err = s.SetMarker(ctx, alice.ID, "notifications", list[2].ID)
	ok(t, err, "set marker")
	n, err = s.UnreadNotifications(ctx, alice.ID, 100)
	ok(t, err, "unread after marker")
	equal(t, n, 2, "unread after marker")
	_, err = s.SetMarker(ctx, alice.ID, "home", posts[4].ID)
	ok(t, err, "set home marker")
	n, err = s.UnreadNotifications(ctx, alice.ID, 100)
	ok(t, err, "unread after home marker")
	equal(t, n, 2, "the home marker does not count")
	_, err = s.SetMarker(ctx, alice.ID, "notifications", list[0].ID)
	ok(t, err, "set marker to the newest")
	n, err = s.UnreadNotifications(ctx, alice.ID, 100)
	ok(t, err, "unread after reading all")
	equal(t, n, 0, "unread after reading all")
}

func testMarkers(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	markers, err := s.Markers(ctx, alice.ID, []string{"home", "notifications"})
	ok(t, err, "no markers")
	equal(t, len(markers), 0, "markers before any is set")

	m, err := s.SetMarker(ctx, alice.ID, "home", "100")
	ok(t, err, "set marker")
	equal(t, m.Timeline, "home", "timeline")
	equal(t, m.LastReadID, "100", "last read ID")
	equal(t, m.Version, 1, "first version")
	utcMillis(t, m.UpdatedAt, "UpdatedAt")

	m, err = s.SetMarker(ctx, alice.ID, "home", "200")
	ok(t, err, "move marker")
	equal(t, m.LastReadID, "200", "last read ID")
	equal(t, m.Version, 2, "version after a change")
	m, err = s.SetMarker(ctx, alice.ID, "home", "300")
	ok(t, err, "move marker")
	equal(t, m.Version, 3, "version after two changes")
	_, err = s.SetMarker(ctx, alice.ID, "notifications", "5")
	ok(t, err, "set notifications marker")
	_, err = s.SetMarker(ctx, bob.ID, "home", "7")
	ok(t, err, "bob's marker")

	markers, err = s.Markers(ctx, alice.ID, []string{"home"})
	ok(t, err, "home marker")
	if len(markers) != 1 || markers[0].LastReadID != "300" || markers[0].Version != 3 {
		t.Errorf("home marker = %+v", markers)
	}
	markers, err = s.Markers(ctx, alice.ID, []string{"home", "notifications"})
	ok(t, err, "both markers")
	got := map[string]string{}
	for _, m := range markers {
		got[m.Timeline] = m.LastReadID
	}
	equal(t, len(got), 2, "markers")
	equal(t, got["home"], "300", "home marker")
	equal(t, got["notifications"], "5", "notifications marker")
}
