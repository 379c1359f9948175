package storetest

import (
	"testing"

	"github.com/roost-social/roost/store"
)

var followTests = []storeTest{
	{"Follow", testFollow},
	{"FollowOptions", testFollowOptions},
	{"FollowRequests", testFollowRequests},
	{"Relationships", testRelationships},
	{"FollowersAndFollowing", testFollowersAndFollowing},
}

func testFollow(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	remote := MustCreateRemote(t, s, "carol", "remote.test")

	rel, err := s.Follow(ctx, alice.ID, bob.ID, store.FollowOptions{ShowReblogs: true})
	ok(t, err, "follow")
	equal(t, *rel, store.Relationship{ID: bob.ID, Following: true, ShowingReblogs: true}, "relationship after follow")
	counts(t, s, alice, 0, 1, 0)
	counts(t, s, bob, 1, 0, 0)
	equalSlice(t, Notifications(t, s, bob), []string{notificationString(store.NotifyFollow, alice.ID, "")}, "follow notification")

	// Following again is no error and changes nothing else.
	rel, err = s.Follow(ctx, alice.ID, bob.ID, store.FollowOptions{ShowReblogs: true})
	ok(t, err, "follow again")
	equal(t, rel.Following, true, "following after a second follow")
	counts(t, s, bob, 1, 0, 0)
	equal(t, len(Notifications(t, s, bob)), 1, "notifications after a second follow")

	// Following back.
	rel = MustFollow(t, s, bob, alice)
	equal(t, rel.FollowedBy, true, "followed by")
	counts(t, s, alice, 1, 1, 0)

	// Remote accounts.
	MustFollow(t, s, alice, remote)
	MustFollow(t, s, remote, bob)
	counts(t, s, remote, 1, 1, 0)
	counts(t, s, bob, 2, 1, 0)
	equal(t, len(Notifications(t, s, bob)), 2, "follow notification from a remote account")

	_, err = s.Follow(ctx, alice.ID, alice.ID, store.FollowOptions{})
	isErr(t, err, store.ErrConflict, "follow oneself")
	_, err = s.Follow(ctx, alice.ID, "999", store.FollowOptions{})
	isErr(t, err, store.ErrNotFound, "follow unknown account")
	_, err = s.Follow(ctx, "999", alice.ID, store.FollowOptions{})
	isErr(t, err, store.ErrNotFound, "follow by unknown account")

	rel, err = s.Unfollow(ctx, alice.ID, bob.ID)
	ok(t, err, "unfollow")
	equal(t, *rel, store.Relationship{ID: bob.ID, FollowedBy: true}, "relationship after unfollow")
	counts(t, s, alice, 1, 1, 0)
	counts(t, s, bob, 1, 1, 0)
	equalSlice(t, Notifications(t, s, bob), []string{notificationString(store.NotifyFollow, remote.ID, "")}, "follow notification gone with the follow")
	rel, err = s.Unfollow(ctx, alice.ID, bob.ID)
	ok(t, err, "unfollow again")
	equal(t, rel.Following, false, "following after unfollow again")
	counts(t, s, bob, 1, 1, 0)
}

func testFollowOptions(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateLocal(t, s, "carol")
	rel, err := s.Follow(ctx, alice.ID, bob.ID, store.FollowOptions{ShowReblogs: false, Notify: true})
	ok(t, err, "follow with options")
	equal(t, *rel, store.Relationship{ID: bob.ID, Following: true, Notifying: true}, "relationship")
	rels, err := s.Relationships(ctx, alice.ID, []string{bob.ID})
	ok(t, err, "relationships")
	equal(t, *rels[0], *rel, "stored relationship")

	// Notify: bob's new top-level statuses notify alice; replies and
	// direct statuses do not.
	MustFollow(t, s, carol, bob)
	post := MustPost(t, s, bob, "news")
	MustReply(t, s, bob, post, "more news")
	MustCreateStatus(t, s, store.NewStatus{AccountID: bob.ID, Text: "secret @carol", Local: true,
		Visibility: store.VisibilityDirect, MentionIDs: []string{carol.ID}})
	equalSlice(t, Notifications(t, s, alice), []string{notificationString(store.NotifyStatus, bob.ID, post.ID)}, "status notification")
	for _, n := range Notifications(t, s, carol) {
		if n == notificationString(store.NotifyStatus, bob.ID, post.ID) {
			t.Errorf("carol, following without notify, was notified")
		}
	}

	rel, err = s.Follow(ctx, alice.ID, bob.ID, store.FollowOptions{ShowReblogs: true, Notify: false})
	ok(t, err, "change options")
	equal(t, *rel, store.Relationship{ID: bob.ID, Following: true, ShowingReblogs: true}, "relationship after change")
	counts(t, s, bob, 2, 0, 3)
	MustPost(t, s, bob, "quiet")
	equal(t, len(Notifications(t, s, alice)), 1, "no status notification after notify is off")
}

func testFollowRequests(t *testing.T, s store.Store) {
	ctx := t.Context()
	lock := MustCreateLocked(t, s, "lock")
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateRemote(t, s, "carol", "remote.test")

	rel, err := s.Follow(ctx, alice.ID, lock.ID, store.FollowOptions{ShowReblogs: true, Notify: true})
	ok(t, err, "request")
	equal(t, rel.Requested, true, "requested")
	equal(t, rel.Following, false, "following before approval")
	counts(t, s, lock, 0, 0, 0)
	counts(t, s, alice, 0, 0, 0)
	equalSlice(t, Notifications(t, s, lock), []string{notificationString(store.NotifyFollowRequest, alice.ID, "")}, "follow request notification")
	rel, err = s.Follow(ctx, alice.ID, lock.ID, store.FollowOptions{ShowReblogs: false})
	ok(t, err, "request again")
	equal(t, rel.Requested, true, "still requested")
	equal(t, len(Notifications(t, s, lock)), 1, "notifications after a second request")

	MustFollow(t, s, bob, lock)
	MustFollow(t, s, carol, lock)
	list, cursors, err := s.FollowRequests(ctx, lock.ID, store.Page{})
	ok(t, err, "follow requests")
	equalSlice(t, AccountIDs(list), []string{carol.ID, bob.ID, alice.ID}, "follow requests, newest first")
	equal(t, len(cursors), 3, "cursors")
	list, _, err = s.FollowRequests(ctx, lock.ID, store.Page{MaxID: cursors[0], Limit: 1})
	ok(t, err, "follow requests page")
	equalSlice(t, AccountIDs(list), []string{bob.ID}, "follow requests page")
	rels, err := s.Relationships(ctx, lock.ID, []string{alice.ID})
	ok(t, err, "relationships of the locked account")
	equal(t, rels[0].RequestedBy, true, "requested by")

	rel, err = s.AuthorizeFollowRequest(ctx, lock.ID, alice.ID)
	ok(t, err, "authorize")
	equal(t, *rel, store.Relationship{ID: alice.ID, FollowedBy: true}, "relationship after authorize")
	counts(t, s, lock, 1, 0, 0)
	counts(t, s, alice, 0, 1, 0)
	rels, err = s.Relationships(ctx, alice.ID, []string{lock.ID})
	ok(t, err, "relationships of the follower")
	equal(t, *rels[0], store.Relationship{ID: lock.ID, Following: true}, "follow keeps the request's last options")
	equalSlice(t, Notifications(t, s, lock), []string{
		notificationString(store.NotifyFollowRequest, carol.ID, ""),
		notificationString(store.NotifyFollowRequest, bob.ID, ""),
	}, "notifications after authorize (no follow notification)")

	rel, err = s.RejectFollowRequest(ctx, lock.ID, bob.ID)
	ok(t, err, "reject")
	equal(t, *rel, store.Relationship{ID: bob.ID}, "relationship after reject")
	counts(t, s, lock, 1, 0, 0)
	equal(t, len(Notifications(t, s, lock)), 1, "notifications after reject")

	_, err = s.AuthorizeFollowRequest(ctx, lock.ID, bob.ID)
	isErr(t, err, store.ErrNotFound, "authorize a rejected request")
	_, err = s.RejectFollowRequest(ctx, lock.ID, alice.ID)
	isErr(t, err, store.ErrNotFound, "reject an authorized request")
	_, err = s.AuthorizeFollowRequest(ctx, lock.ID, "999")
	isErr(t, err, store.ErrNotFound, "authorize unknown")

	// Withdrawing a request.
	rel, err = s.Unfollow(ctx, carol.ID, lock.ID)
	ok(t, err, "withdraw request")
	equal(t, rel.Requested, false, "requested after withdrawal")
	list, _, err = s.FollowRequests(ctx, lock.ID, store.Page{})
	ok(t, err, "follow requests")
	equal(t, len(list), 0, "follow requests left")
	equal(t, len(Notifications(t, s, lock)), 0, "notifications after withdrawal")

	// Following a locked account one already follows updates the follow.
	rel, err = s.Follow(ctx, alice.ID, lock.ID, store.FollowOptions{ShowReblogs: true})
	ok(t, err, "follow again")
	equal(t, *rel, store.Relationship{ID: lock.ID, Following: true, ShowingReblogs: true}, "relationship after following again")
}

func testRelationships(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateLocal(t, s, "carol")
	lock := MustCreateLocked(t, s, "lock")
	dave := MustCreateLocal(t, s, "dave")
	MustFollow(t, s, alice, bob)
	MustFollow(t, s, bob, alice)
	MustFollow(t, s, carol, alice)
	MustFollow(t, s, alice, lock)

	rels, err := s.Relationships(ctx, alice.ID, []string{lock.ID, "999", carol.ID, bob.ID, dave.ID, "x", alice.ID})
	ok(t, err, "relationships")
	if len(rels) != 7 {
		t.Fatalf("%d relationships, want 7", len(rels))
	}
	want := []store.Relationship{
		{ID: lock.ID, Requested: true, ShowingReblogs: true},
		{ID: "999"},
		{ID: carol.ID, FollowedBy: true},
		{ID: bob.ID, Following: true, ShowingReblogs: true, FollowedBy: true},
		{ID: dave.ID},
		{ID: "x"},
		{ID: alice.ID},
	}
	for i, w := range want {
		equal(t, *rels[i], w, "relationship "+w.ID)
	}
	rels, err = s.Relationships(ctx, lock.ID, []string{alice.ID})
	ok(t, err, "relationships of the locked account")
	equal(t, *rels[0], store.Relationship{ID: alice.ID, RequestedBy: true}, "relationship of the locked account")
	rels, err = s.Relationships(ctx, alice.ID, nil)
	ok(t, err, "no relationships")
	equal(t, len(rels), 0, "relationships for no targets")
}

func testFollowersAndFollowing(t *testing.T, s store.Store) {
	ctx := t.Context()
	star := MustCreateLocal(t, s, "star")
	var fans []string
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		fan := MustCreateLocal(t, s, name)
		MustFollow(t, s, fan, star)
		MustFollow(t, s, star, fan)
		fans = append([]string{fan.ID}, fans...) // newest first
	}
	for _, l := range []struct {
		name string
		list func(store.Page) ([]*store.Account, []string, error)
	}{
		{"followers", func(p store.Page) ([]*store.Account, []string, error) { return s.Followers(ctx, star.ID, p) }},
		{"following", func(p store.Page) ([]*store.Account, []string, error) { return s.Following(ctx, star.ID, p) }},
	} {
		list, cursors, err := l.list(store.Page{})
		ok(t, err, l.name)
		equalSlice(t, AccountIDs(list), fans, l.name+", newest first")
		if len(cursors) != 5 {
			t.Fatalf("%s cursors: %v", l.name, cursors)
		}
		list, next, err := l.list(store.Page{Limit: 2})
		ok(t, err, l.name+" page 1")
		equalSlice(t, AccountIDs(list), fans[:2], l.name+" page 1")
		list, _, err = l.list(store.Page{Limit: 2, MaxID: next[1]})
		ok(t, err, l.name+" page 2")
		equalSlice(t, AccountIDs(list), fans[2:4], l.name+" page 2")
		list, _, err = l.list(store.Page{Limit: 2, MinID: cursors[4]})
		ok(t, err, l.name+" min_id")
		equalSlice(t, AccountIDs(list), fans[2:4], l.name+" min_id")
		list, _, err = l.list(store.Page{Limit: 2, SinceID: cursors[4]})
		ok(t, err, l.name+" since_id")
		equalSlice(t, AccountIDs(list), fans[:2], l.name+" since_id")
	}
	list, _, err := s.Followers(ctx, "999", store.Page{})
	ok(t, err, "followers of unknown")
	equal(t, len(list), 0, "followers of unknown")
}
