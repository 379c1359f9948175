package storetest

import (
	"testing"

	"github.com/roost-social/roost/store"
)

var blockTests = []storeTest{
	{"Block", testBlock},
	{"BlockCleansHomeTimelines", testBlockHomeTimelines},
	{"BlockHidesTimelines", testBlockHidesTimelines},
	{"BlockHidesThreads", testBlockHidesThreads},
	{"BlockVisibility", testBlockVisibility},
	{"BlockNotifications", testBlockNotifications},
	{"BlockFollowRequests", testBlockFollowRequests},
	{"BlockURIs", testBlockURIs},
	{"DomainBlockOf", testDomainBlockOf},
	{"BlocksPagination", testBlocksPagination},
	{"MoveAccount", testMoveAccount},
}

var reportTests = []storeTest{
	{"CreateReport", testCreateReport},
}

func testBlock(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	MustFollow(t, s, alice, bob)
	MustFollow(t, s, bob, alice)
	counts(t, s, alice, 1, 1, 0)

	rel, err := s.Block(ctx, alice.ID, bob.ID, "")
	ok(t, err, "block")
	equal(t, *rel, store.Relationship{ID: bob.ID, Blocking: true}, "relationship after block")
	counts(t, s, alice, 0, 0, 0)
	counts(t, s, bob, 0, 0, 0)
	rels, err := s.Relationships(ctx, bob.ID, []string{alice.ID})
	ok(t, err, "relationships of the blocked")
	equal(t, *rels[0], store.Relationship{ID: alice.ID, BlockedBy: true}, "relationship of the blocked")
	equalSlice(t, Notifications(t, s, alice), nil, "follow notifications gone with the follows")

	_, err = s.Follow(ctx, bob.ID, alice.ID, store.FollowOptions{ShowReblogs: true})
	isErr(t, err, store.ErrConflict, "the blocked follows the blocker")
	_, err = s.Follow(ctx, alice.ID, bob.ID, store.FollowOptions{ShowReblogs: true})
	isErr(t, err, store.ErrConflict, "the blocker follows the blocked")
	counts(t, s, alice, 0, 0, 0)

	rel, err = s.Block(ctx, alice.ID, bob.ID, "")
	ok(t, err, "block again")
	equal(t, rel.Blocking, true, "blocking after a second block")
	list, _, err := s.Blocks(ctx, alice.ID, store.Page{})
	ok(t, err, "blocks")
	equalSlice(t, AccountIDs(list), []string{bob.ID}, "blocks")
	list, _, err = s.Blocks(ctx, bob.ID, store.Page{})
	ok(t, err, "blocks of the blocked")
	equal(t, len(list), 0, "blocks of the blocked")

	_, err = s.Block(ctx, alice.ID, alice.ID, "")
	isErr(t, err, store.ErrConflict, "block oneself")
	_, err = s.Block(ctx, alice.ID, "999", "")
	isErr(t, err, store.ErrNotFound, "block an unknown account")

	rel, err = s.Unblock(ctx, alice.ID, bob.ID)
	ok(t, err, "unblock")
	equal(t, *rel, store.Relationship{ID: bob.ID}, "relationship after unblock")
	rel, err = s.Unblock(ctx, alice.ID, bob.ID)
	ok(t, err, "unblock again")
	equal(t, rel.Blocking, false, "blocking after unblock again")
	list, _, err = s.Blocks(ctx, alice.ID, store.Page{})
	ok(t, err, "blocks after unblock")
	equal(t, len(list), 0, "blocks after unblock")
	rel = MustFollow(t, s, bob, alice)
	equal(t, rel.Following, true, "following after unblock")
}

func testBlockHomeTimelines(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	MustFollow(t, s, alice, bob)
	MustFollow(t, s, bob, alice)
	MustFollow(t, s, alice, carol)
	own := MustPost(t, s, alice, "mine")
	bobs := MustPost(t, s, bob, "bob's")
	boost, err := s.Reblog(ctx, carol.ID, bobs.ID, store.VisibilityPublic)
	ok(t, err, "carol boosts bob")
	dm := MustCreateStatus(t, s, store.NewStatus{AccountID: bob.ID, Text: "psst @alice", Local: true,
		Visibility: store.VisibilityDirect, MentionIDs: []string{alice.ID}})
	home := func(a *store.Account) []string {
		t.Helper()
		list, err := s.HomeTimeline(ctx, a.ID, store.Page{})
		ok(t, err, "home timeline of "+a.Username)
		return StatusIDs(list)
	}
	equalSlice(t, home(alice), []string{dm.ID, boost.ID, bobs.ID, own.ID}, "alice's home before the block")
	equalSlice(t, home(bob), []string{dm.ID, bobs.ID, own.ID}, "bob's home before the block")

	_, err = s.Block(ctx, alice.ID, bob.ID, "")
	ok(t, err, "block")
	equalSlice(t, home(alice), []string{own.ID}, "alice's home after the block")
	equalSlice(t, home(bob), []string{dm.ID, bobs.ID}, "bob's home after the block")

	// What comes later stays out too: a new direct message, a new boost.
	MustCreateStatus(t, s, store.NewStatus{AccountID: bob.ID, Text: "again @alice", Local: true,
		Visibility: store.VisibilityDirect, MentionIDs: []string{alice.ID}})
	later := MustPost(t, s, bob, "later")
	_, err = s.Reblog(ctx, carol.ID, later.ID, store.VisibilityPublic)
	ok(t, err, "carol boosts bob again")
	equalSlice(t, home(alice), []string{own.ID}, "alice's home after bob posts again")
}

func testBlockHidesTimelines(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")   // alice blocks bob
	dave := MustCreateLocal(t, s, "dave") // dave blocks alice
	eve := MustCreateLocal(t, s, "eve")
	tag := func(a *store.Account, text string) *store.Status {
		return MustCreateStatus(t, s, store.NewStatus{AccountID: a.ID, Text: text, Local: true, Tags: []string{"roost"}})
	}
	bobs := tag(bob, "bob #roost")
	daves := tag(dave, "dave #roost")
	eves := tag(eve, "eve #roost")
	boost, err := s.Reblog(ctx, eve.ID, bobs.ID, store.VisibilityPublic)
	ok(t, err, "eve boosts bob")
	_, err = s.Block(ctx, alice.ID, bob.ID, "")
	ok(t, err, "alice blocks bob")
	_, err = s.Block(ctx, dave.ID, alice.ID, "")
	ok(t, err, "dave blocks alice")

	public, err := s.PublicTimeline(ctx, store.PublicFilter{ViewerID: alice.ID}, store.Page{})
	ok(t, err, "public timeline")
	equalSlice(t, StatusIDs(public), []string{eves.ID}, "alice's public timeline")
	public, err = s.PublicTimeline(ctx, store.PublicFilter{}, store.Page{})
	ok(t, err, "anonymous public timeline")
	equalSlice(t, StatusIDs(public), []string{eves.ID, daves.ID, bobs.ID}, "anonymous public timeline")
	public, err = s.PublicTimeline(ctx, store.PublicFilter{ViewerID: bob.ID, Local: true}, store.Page{})
	ok(t, err, "bob's local timeline")
	equalSlice(t, StatusIDs(public), []string{eves.ID, daves.ID, bobs.ID}, "bob's local timeline (alice posted nothing)")

	tagged, err := s.TagTimeline(ctx, alice.ID, "roost", false, store.Page{})
	ok(t, err, "tag timeline")
	equalSlice(t, StatusIDs(tagged), []string{eves.ID}, "alice's tag timeline")
	tagged, err = s.TagTimeline(ctx, "", "roost", false, store.Page{})
	ok(t, err, "anonymous tag timeline")
	equal(t, len(tagged), 3, "anonymous tag timeline")

	for _, c := range []struct {
		viewer, author *store.Account
		want           []string
	}{
		{alice, bob, nil},
		{alice, dave, nil},
		{bob, alice, nil},
		{nil, bob, []string{bobs.ID}},
		{eve, bob, []string{bobs.ID}},
		{alice, eve, []string{eves.ID}}, // eve's boost of bob is left out
		{eve, eve, []string{boost.ID, eves.ID}},
	} {
		viewerID := ""
		if c.viewer != nil {
			viewerID = c.viewer.ID
		}
		list, err := s.AccountStatuses(ctx, viewerID, c.author.ID, store.AccountStatusesFilter{}, store.Page{})
		ok(t, err, "account statuses")
		equalSlice(t, StatusIDs(list), c.want, "statuses of "+c.author.Username+" seen by "+viewerID)
	}
}

func testBlockHidesThreads(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	eve := MustCreateLocal(t, s, "eve")
	root := MustPost(t, s, eve, "root")
	bobReply := MustReply(t, s, bob, root, "bob replies")
	eveReply := MustReply(t, s, eve, bobReply, "eve answers bob")
	_, err := s.Block(ctx, alice.ID, bob.ID, "")
	ok(t, err, "block")

	desc, err := s.Descendants(ctx, alice.ID, root.ID, 0)
	ok(t, err, "descendants")
	equalSlice(t, StatusIDs(desc), []string{eveReply.ID}, "descendants alice sees")
	desc, err = s.Descendants(ctx, eve.ID, root.ID, 0)
	ok(t, err, "descendants for eve")
	equalSlice(t, StatusIDs(desc), []string{bobReply.ID, eveReply.ID}, "descendants eve sees")
	anc, err := s.Ancestors(ctx, alice.ID, eveReply.ID, 0)
	ok(t, err, "ancestors")
	equalSlice(t, StatusIDs(anc), []string{root.ID}, "ancestors alice sees")
	anc, err = s.Ancestors(ctx, bob.ID, eveReply.ID, 0)
	ok(t, err, "ancestors for the blocked")
	equalSlice(t, StatusIDs(anc), []string{root.ID, bobReply.ID}, "ancestors bob sees")
}

func testBlockVisibility(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	MustFollow(t, s, bob, alice)
	public := MustPost(t, s, alice, "public")
	private := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "private", Local: true, Visibility: store.VisibilityPrivate})
	bobs := MustPost(t, s, bob, "bob's")
	sees := func(viewer *store.Account, st *store.Status) bool {
		t.Helper()
		yes, err := s.CanSee(ctx, viewer.ID, st)
		ok(t, err, "can see")
		return yes
	}
	equal(t, sees(bob, public), true, "bob sees alice's public post before the block")
	equal(t, sees(bob, private), true, "bob sees alice's private post before the block")

	_, err := s.Block(ctx, alice.ID, bob.ID, "")
	ok(t, err, "block")
	equal(t, sees(bob, public), false, "the blocked sees the blocker's public post")
	equal(t, sees(bob, private), false, "the blocked sees the blocker's private post")
	equal(t, sees(alice, bobs), true, "the blocker still opens the blocked's post")
	equal(t, sees(alice, public), true, "the author sees her post")
	anon, err := s.CanSee(ctx, "", public)
	ok(t, err, "anonymous can see")
	equal(t, anon, true, "anonymous sees the public post")
}

func testBlockNotifications(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	post := MustPost(t, s, alice, "hello")
	ok(t, s.Favourite(ctx, bob.ID, post.ID, ""), "favourite before the block")
	equal(t, len(Notifications(t, s, alice)), 1, "notifications before the block")

	_, err := s.Block(ctx, alice.ID, bob.ID, "")
	ok(t, err, "block")
	equal(t, len(Notifications(t, s, alice)), 0, "an earlier notification from the blocked is hidden")
	unread, err := s.UnreadNotifications(ctx, alice.ID, 0)
	ok(t, err, "unread notifications")
	equal(t, unread, 0, "unread notifications from the blocked")

	ok(t, s.Unfavourite(ctx, bob.ID, post.ID), "unfavourite")
	ok(t, s.Favourite(ctx, bob.ID, post.ID, ""), "favourite after the block")
	MustReply(t, s, bob, post, "@alice hi")
	MustCreateStatus(t, s, store.NewStatus{AccountID: bob.ID, Text: "@alice hey", Local: true, MentionIDs: []string{alice.ID}})
	_, err = s.Reblog(ctx, bob.ID, post.ID, "")
	ok(t, err, "boost after the block")
	_, err = s.Unblock(ctx, alice.ID, bob.ID)
	ok(t, err, "unblock")
	equal(t, len(Notifications(t, s, alice)), 0, "notifications made while blocked")

	// A remote account blocking a local one mutes it the same way.
	_, err = s.Block(ctx, carol.ID, alice.ID, "https://remote.test/blocks/1")
	ok(t, err, "remote block")
	ok(t, s.Favourite(ctx, carol.ID, post.ID, ""), "favourite by the remote blocker")
	equal(t, len(Notifications(t, s, alice)), 0, "notifications from a remote blocker")
}

func testBlockFollowRequests(t *testing.T, s store.Store) {
	ctx := t.Context()
	lock := MustCreateLocked(t, s, "lock")
	alice := MustCreateLocal(t, s, "alice")
	rel := MustFollow(t, s, alice, lock)
	equal(t, rel.Requested, true, "requested")
	equal(t, len(Notifications(t, s, lock)), 1, "follow request notification")
	_, err := s.Block(ctx, lock.ID, alice.ID, "")
	ok(t, err, "block the requester")
	reqs, _, err := s.FollowRequests(ctx, lock.ID, store.Page{})
	ok(t, err, "follow requests")
	equal(t, len(reqs), 0, "follow requests after the block")
	rels, err := s.Relationships(ctx, alice.ID, []string{lock.ID})
	ok(t, err, "relationships")
	equal(t, *rels[0], store.Relationship{ID: lock.ID, BlockedBy: true}, "requester's relationship")
	_, err = s.Unblock(ctx, lock.ID, alice.ID)
	ok(t, err, "unblock")
	equal(t, len(Notifications(t, s, lock)), 0, "follow request notification after the block")
}

func testBlockURIs(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	const uri = "https://remote.test/users/carol#blocks/1"
	_, err := s.Block(ctx, carol.ID, alice.ID, uri)
	ok(t, err, "remote block")
	_, err = s.Block(ctx, alice.ID, carol.ID, "")
	ok(t, err, "local block")
	a, b, err := s.BlockByURI(ctx, uri)
	ok(t, err, "block by URI")
	equal(t, a+" "+b, carol.ID+" "+alice.ID, "block by URI")
	got, err := s.BlockURI(ctx, carol.ID, alice.ID)
	ok(t, err, "block URI")
	equal(t, got, uri, "block URI")
	got, err = s.BlockURI(ctx, alice.ID, carol.ID)
	ok(t, err, "block URI of a block without one")
	equal(t, got, "", "block URI of a block without one")
	_, _, err = s.BlockByURI(ctx, "")
	isErr(t, err, store.ErrNotFound, "block by empty URI")

	// Blocking again with another activity keeps the block with its new id.
	const uri2 = "https://remote.test/users/carol#blocks/2"
	_, err = s.Block(ctx, carol.ID, alice.ID, uri2)
	ok(t, err, "block again")
	got, err = s.BlockURI(ctx, carol.ID, alice.ID)
	ok(t, err, "block URI after a second block")
	equal(t, got, uri2, "block URI after a second block")

	_, err = s.Unblock(ctx, carol.ID, alice.ID)
	ok(t, err, "unblock")
	_, _, err = s.BlockByURI(ctx, uri2)
	isErr(t, err, store.ErrNotFound, "block by URI after unblock")
	_, err = s.BlockURI(ctx, carol.ID, alice.ID)
	isErr(t, err, store.ErrNotFound, "block URI after unblock")
}

func testBlocksPagination(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	var want []string
	for _, name := range []string{"b1", "b2", "b3"} {
		a := MustCreateLocal(t, s, name)
		_, err := s.Block(ctx, alice.ID, a.ID, "")
		ok(t, err, "block "+name)
		want = append([]string{a.ID}, want...)
	}
	list, cursors, err := s.Blocks(ctx, alice.ID, store.Page{Limit: 2})
	ok(t, err, "first page")
	equalSlice(t, AccountIDs(list), want[:2], "first page")
	equal(t, len(cursors), 2, "cursors")
	list, _, err = s.Blocks(ctx, alice.ID, store.Page{MaxID: cursors[1]})
	ok(t, err, "second page")
	equalSlice(t, AccountIDs(list), want[2:], "second page")
	list, _, err = s.Blocks(ctx, alice.ID, store.Page{MinID: cursors[1]})
	ok(t, err, "newer page")
	equalSlice(t, AccountIDs(list), want[:1], "newer page")
}

func testMoveAccount(t *testing.T, s store.Store) {
	ctx := t.Context()
	old := MustCreateRemote(t, s, "old", "remote.test")
	moved := MustCreateRemote(t, s, "new", "elsewhere.test")
	equal(t, old.MovedToID, "", "moved to before the move")
	ok(t, s.MoveAccount(ctx, old.ID, moved.ID), "move")
	equal(t, MustAccount(t, s, old.ID).MovedToID, moved.ID, "moved to")
	got, err := s.AccountByURI(ctx, old.URI)
	ok(t, err, "account by URI")
	equal(t, got.MovedToID, moved.ID, "moved to, by URI")
	equal(t, MustAccount(t, s, moved.ID).MovedToID, "", "the new account has not moved")
	isErr(t, s.MoveAccount(ctx, old.ID, old.ID), store.ErrConflict, "move to oneself")
	isErr(t, s.MoveAccount(ctx, old.ID, "999"), store.ErrNotFound, "move to an unknown account")

	// The new account going away leaves the old one moved to nothing.
	ok(t, s.DeleteAccount(ctx, moved.ID), "delete the new account")
	equal(t, MustAccount(t, s, old.ID).MovedToID, "", "moved to after the new account went")
}

func testCreateReport(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	owner := mustCreateWithRole(t, s, "owner", store.RoleOwner)
	admin := mustCreateWithRole(t, s, "admin", store.RoleAdmin)
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	post := MustPost(t, s, alice, "rude")
	// An admin who blocks the reporter still hears of the report.
	_, err := s.Block(ctx, admin.ID, carol.ID, "")
	ok(t, err, "admin blocks the reporter")

	r := &store.Report{AccountID: carol.ID, TargetAccountID: alice.ID, StatusIDs: []string{post.ID, "nonsense"},
		Comment: "please look", URI: "https://remote.test/flags/1"}
	ok(t, s.CreateReport(ctx, r), "create report")
	if r.ID == "" {
		t.Fatal("the report got no ID")
	}
	utcMillis(t, r.CreatedAt, "report time")
	equalSlice(t, r.StatusIDs, []string{post.ID}, "report statuses")
	want := []string{notificationString(store.NotifyAdminReport, carol.ID, "")}
	equalSlice(t, Notifications(t, s, owner), want, "owner's notifications")
	equalSlice(t, Notifications(t, s, admin), want, "admin's notifications")
	equal(t, len(Notifications(t, s, alice)), 0, "the reported user's notifications")

	list, err := s.Reports(ctx)
	ok(t, err, "reports")
	equal(t, len(list), 1, "reports")
	got := list[0]
	equal(t, got.ID, r.ID, "report ID")
	equal(t, got.AccountID, carol.ID, "reporter")
	equal(t, got.TargetAccountID, alice.ID, "reported")
	equalSlice(t, got.StatusIDs, []string{post.ID}, "reported statuses")
	equal(t, got.Comment, "please look", "comment")
	equal(t, got.URI, r.URI, "URI")
	equal(t, got.CreatedAt, r.CreatedAt, "created at")

	err = s.CreateReport(ctx, &store.Report{AccountID: carol.ID, TargetAccountID: alice.ID, URI: r.URI})
	isErr(t, err, store.ErrConflict, "the same Flag twice")
	err = s.CreateReport(ctx, &store.Report{AccountID: carol.ID, TargetAccountID: "999"})
	isErr(t, err, store.ErrNotFound, "report of an unknown account")

	// A local report (no URI) by an admin notifies the other moderators.
	ok(t, s.CreateReport(ctx, &store.Report{AccountID: admin.ID, TargetAccountID: carol.ID}), "local report")
	list, err = s.Reports(ctx)
	ok(t, err, "reports")
	equal(t, len(list), 2, "reports")
	equal(t, list[0].TargetAccountID, carol.ID, "newest report first")
	equal(t, len(list[0].StatusIDs), 0, "statuses of a report without any")
	equal(t, len(Notifications(t, s, owner)), 2, "owner's notifications")
	equal(t, len(Notifications(t, s, admin)), 1, "admin's own report does not notify the admin")
}

// mustCreateWithRole creates a local account whose user has role.
func mustCreateWithRole(tb testing.TB, s store.Store, name, role string) *store.Account {
	tb.Helper()
	a := &store.Account{Username: name, URI: "https://" + Domain + "/users/" + name}
	u := &store.User{Email: name + "@" + Domain, Role: role}
	if err := s.CreateLocalAccount(tb.Context(), a, u); err != nil {
		tb.Fatalf("create %s %s: %v", role, name, err)
	}
	return a
}

func testDomainBlockOf(t *testing.T, s store.Store) {
	ctx := t.Context()
	ok(t, s.BlockDomain(ctx, "example.com", store.SeveritySilence), "block example.com")
	ok(t, s.BlockDomain(ctx, "bad.example.com", store.SeveritySuspend), "block bad.example.com")
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"x.bad.example.com", "bad.example.com", "example.com", "com"}, "bad.example.com"},
		{[]string{"good.example.com", "example.com", "com"}, "example.com"},
		{[]string{"EXAMPLE.com"}, "example.com"},
		{[]string{"example.com", "bad.example.com"}, "example.com"}, // the order given decides
	} {
		b, err := s.DomainBlockOf(ctx, c.names...)
		ok(t, err, "DomainBlockOf")
		if b != nil {
			equal(t, b.Domain, c.want, "block of "+c.names[0])
		}
	}
	_, err := s.DomainBlockOf(ctx, "other.org", "org")
	isErr(t, err, store.ErrNotFound, "DomainBlockOf of an unblocked domain")
	_, err = s.DomainBlockOf(ctx)
	isErr(t, err, store.ErrNotFound, "DomainBlockOf of no domain")
}
