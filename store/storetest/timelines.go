package storetest

import (
	"fmt"
	"testing"

	"github.com/roost-social/roost/store"
)

var visibilityTests = []storeTest{
	{"CanSee", testCanSee},
	{"AccountStatusesVisibility", testAccountStatusesVisibility},
}

var timelineTests = []storeTest{
	{"Pagination", testPagination},
	{"HomeTimeline", testHomeTimeline},
	{"HomeTimelineReblogs", testHomeTimelineReblogs},
	{"PublicTimeline", testPublicTimeline},
	{"TagTimeline", testTagTimeline},
	{"AccountStatusesFilters", testAccountStatusesFilters},
}

// visibilityFixture is an author with one status of each visibility, a
// follower, a pending follower, a mentioned account and a stranger.
type visibilityFixture struct {
	author, follower, requester, mentioned, stranger *store.Account
	public, unlisted, private, direct                *store.Status
}

func newVisibilityFixture(t *testing.T, s store.Store) visibilityFixture {
	var f visibilityFixture
	f.author = MustCreateLocked(t, s, "author")
	f.follower = MustCreateLocal(t, s, "follower")
	f.requester = MustCreateLocal(t, s, "requester")
	f.mentioned = MustCreateLocal(t, s, "mentioned")
	f.stranger = MustCreateLocal(t, s, "stranger")
	MustFollow(t, s, f.follower, f.author)
	_, err := s.AuthorizeFollowRequest(t.Context(), f.author.ID, f.follower.ID)
	ok(t, err, "authorize follower")
	rel := MustFollow(t, s, f.requester, f.author)
	equal(t, rel.Requested, true, "requester's follow is a request")
	post := func(v string) *store.Status {
		return MustCreateStatus(t, s, store.NewStatus{AccountID: f.author.ID, Text: v + " @mentioned", Local: true,
			Visibility: v, MentionIDs: []string{f.mentioned.ID}})
	}
	f.public = post(store.VisibilityPublic)
	f.unlisted = post(store.VisibilityUnlisted)
	f.private = post(store.VisibilityPrivate)
	f.direct = post(store.VisibilityDirect)
	return f
}

func testCanSee(t *testing.T, s store.Store) {
	f := newVisibilityFixture(t, s)
	viewers := []struct {
		name string
		id   string
		sees []*store.Status
	}{
		{"anonymous", "", []*store.Status{f.public, f.unlisted}},
		{"author", f.author.ID, []*store.Status{f.public, f.unlisted, f.private, f.direct}},
		{"follower", f.follower.ID, []*store.Status{f.public, f.unlisted, f.private}},
		{"pending follower", f.requester.ID, []*store.Status{f.public, f.unlisted}},
		{"mentioned", f.mentioned.ID, []*store.Status{f.public, f.unlisted, f.direct}},
		{"stranger", f.stranger.ID, []*store.Status{f.public, f.unlisted}},
	}
	for _, v := range viewers {
		for _, st := range []*store.Status{f.public, f.unlisted, f.private, f.direct} {
			want := false
			for _, seen := range v.sees {
				want = want || seen == st
			}
			got, err := s.CanSee(t.Context(), v.id, st)
			ok(t, err, "can see")
			if got != want {
				t.Errorf("%s sees %s status: %v, want %v", v.name, st.Visibility, got, want)
			}
		}
	}
}

func testAccountStatusesVisibility(t *testing.T, s store.Store) {
	f := newVisibilityFixture(t, s)
	for _, v := range []struct {
		name string
		id   string
		want []*store.Status
	}{
		{"anonymous", "", []*store.Status{f.unlisted, f.public}},
		{"author", f.author.ID, []*store.Status{f.direct, f.private, f.unlisted, f.public}},
		{"follower", f.follower.ID, []*store.Status{f.private, f.unlisted, f.public}},
		{"pending follower", f.requester.ID, []*store.Status{f.unlisted, f.public}},
		{"mentioned", f.mentioned.ID, []*store.Status{f.direct, f.unlisted, f.public}},
		{"stranger", f.stranger.ID, []*store.Status{f.unlisted, f.public}},
	} {
		list, err := s.AccountStatuses(t.Context(), v.id, f.author.ID, store.AccountStatusesFilter{}, store.Page{})
		ok(t, err, "account statuses for "+v.name)
		equalSlice(t, StatusIDs(list), StatusIDs(v.want), "account statuses "+v.name+" sees")
	}
}

func testPagination(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	var posts []*store.Status // oldest first
	for i := range 30 {
		posts = append(posts, MustPost(t, s, alice, fmt.Sprint("post ", i)))
	}
	// ids returns the IDs of posts[i] for i from hi down to lo (newest
	// first), as the timelines list them.
	ids := func(hi, lo int) []string {
		var out []string
		for i := hi; i >= lo; i-- {
			out = append(out, posts[i].ID)
		}
		return out
	}
	timelines := []struct {
		name string
		list func(store.Page) ([]*store.Status, error)
	}{
		{"home", func(p store.Page) ([]*store.Status, error) { return s.HomeTimeline(ctx, alice.ID, p) }},
		{"public", func(p store.Page) ([]*store.Status, error) { return s.PublicTimeline(ctx, store.PublicFilter{}, p) }},
		{"account", func(p store.Page) ([]*store.Status, error) {
			return s.AccountStatuses(ctx, "", alice.ID, store.AccountStatusesFilter{}, p)
		}},
	}
	for _, tl := range timelines {
		for _, c := range []struct {
			name string
			page store.Page
			want []string
		}{
			{"default limit 20", store.Page{}, ids(29, 10)},
			{"limit", store.Page{Limit: 3}, ids(29, 27)},
			{"max_id", store.Page{MaxID: posts[10].ID, Limit: 3}, ids(9, 7)},
			{"max_id near the end", store.Page{MaxID: posts[2].ID, Limit: 5}, ids(1, 0)},
			{"since_id", store.Page{SinceID: posts[5].ID, Limit: 3}, ids(29, 27)},
			{"since_id near the top", store.Page{SinceID: posts[27].ID, Limit: 5}, ids(29, 28)},
			{"min_id", store.Page{MinID: posts[5].ID, Limit: 3}, ids(8, 6)},
			{"min_id and max_id", store.Page{MinID: posts[5].ID, MaxID: posts[8].ID, Limit: 5}, ids(7, 6)},
			{"since_id and max_id", store.Page{SinceID: posts[5].ID, MaxID: posts[12].ID, Limit: 3}, ids(11, 9)},
			{"min_id wins over since_id", store.Page{MinID: posts[5].ID, SinceID: posts[20].ID, Limit: 2}, ids(7, 6)},
			{"nothing newer", store.Page{MinID: posts[29].ID}, nil},
			{"nothing older", store.Page{MaxID: posts[0].ID}, nil},
			{"large limit", store.Page{Limit: 1000}, ids(29, 0)},
		} {
			list, err := tl.list(c.page)
			ok(t, err, tl.name+" "+c.name)
			equalSlice(t, StatusIDs(list), c.want, tl.name+" "+c.name)
		}
	}
}

func testHomeTimeline(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateLocal(t, s, "carol")
	remote := MustCreateRemote(t, s, "dave", "remote.test")
	locked := MustCreateLocked(t, s, "erin")

	bobEarly := MustPost(t, s, bob, "before the follow")
	MustFollow(t, s, alice, bob)
	MustFollow(t, s, alice, remote)
	MustFollow(t, s, alice, locked) // a request only

	own := MustPost(t, s, alice, "alice's own")
	ownDirect := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "alice's direct", Local: true,
		Visibility: store.VisibilityDirect, MentionIDs: []string{carol.ID}})
	bobPublic := MustPost(t, s, bob, "bob public")
	bobUnlisted := MustCreateStatus(t, s, store.NewStatus{AccountID: bob.ID, Text: "bob unlisted", Local: true, Visibility: store.VisibilityUnlisted})
	bobPrivate := MustCreateStatus(t, s, store.NewStatus{AccountID: bob.ID, Text: "bob private", Local: true, Visibility: store.VisibilityPrivate})
	MustCreateStatus(t, s, store.NewStatus{AccountID: bob.ID, Text: "bob direct to carol", Local: true,
		Visibility: store.VisibilityDirect, MentionIDs: []string{carol.ID}})
	bobToAlice := MustCreateStatus(t, s, store.NewStatus{AccountID: bob.ID, Text: "bob direct to alice", Local: true,
		Visibility: store.VisibilityDirect, MentionIDs: []string{alice.ID}})
	carolToAlice := MustCreateStatus(t, s, store.NewStatus{AccountID: carol.ID, Text: "carol direct to alice", Local: true,
		Visibility: store.VisibilityDirect, MentionIDs: []string{alice.ID}})
	MustPost(t, s, carol, "carol public, not followed")
	MustCreateStatus(t, s, store.NewStatus{AccountID: carol.ID, Text: "carol mentions alice publicly", Local: true, MentionIDs: []string{alice.ID}})
	remotePost := MustPost(t, s, remote, "remote public")
	MustCreateStatus(t, s, store.NewStatus{AccountID: locked.ID, Text: "erin private", Local: true, Visibility: store.VisibilityPrivate})

	want := []*store.Status{remotePost, carolToAlice, bobToAlice, bobPrivate, bobUnlisted, bobPublic, ownDirect, own, bobEarly}
	home, err := s.HomeTimeline(ctx, alice.ID, store.Page{})
	ok(t, err, "home")
	equalSlice(t, StatusIDs(home), StatusIDs(want), "alice's home")
	for _, st := range home {
		if st.Account == nil {
			t.Errorf("home status %q without account", st.Text)
		}
	}

	// Unfollowing removes bob's statuses, except those that mention alice.
	_, err = s.Unfollow(ctx, alice.ID, bob.ID)
	ok(t, err, "unfollow")
	home, err = s.HomeTimeline(ctx, alice.ID, store.Page{})
	ok(t, err, "home after unfollow")
	equalSlice(t, StatusIDs(home), StatusIDs([]*store.Status{remotePost, carolToAlice, bobToAlice, ownDirect, own}), "alice's home after unfollow")

	// Following again brings them back.
	MustFollow(t, s, alice, bob)
	home, err = s.HomeTimeline(ctx, alice.ID, store.Page{})
	ok(t, err, "home after follow")
	equalSlice(t, StatusIDs(home), StatusIDs(want), "alice's home after following again")

	// An authorized request shows the locked account's statuses.
	_, err = s.AuthorizeFollowRequest(ctx, locked.ID, alice.ID)
	ok(t, err, "authorize")
	home, err = s.HomeTimeline(ctx, alice.ID, store.Page{Limit: 1})
	ok(t, err, "home after authorize")
	if len(home) != 1 || home[0].Text != "erin private" {
		t.Errorf("home after authorize starts with %v, want erin's private status", StatusIDs(home))
	}

	// New statuses of followed accounts arrive.
	fresh := MustPost(t, s, bob, "fresh")
	home, err = s.HomeTimeline(ctx, alice.ID, store.Page{Limit: 1})
	ok(t, err, "home after a new status")
	equalSlice(t, StatusIDs(home), []string{fresh.ID}, "newest home status")
}

func testHomeTimelineReblogs(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateLocal(t, s, "carol")
	_, err := s.Follow(ctx, alice.ID, bob.ID, store.FollowOptions{ShowReblogs: false})
	ok(t, err, "follow without boosts")
	carolPost := MustPost(t, s, carol, "carol")
	bobPost := MustPost(t, s, bob, "bob")
	boost, err := s.Reblog(ctx, bob.ID, carolPost.ID, "")
	ok(t, err, "bob boosts carol")
	ownBoost, err := s.Reblog(ctx, alice.ID, carolPost.ID, "")
	ok(t, err, "alice boosts carol")

	home, err := s.HomeTimeline(ctx, alice.ID, store.Page{})
	ok(t, err, "home")
	equalSlice(t, StatusIDs(home), []string{ownBoost.ID, bobPost.ID}, "home without bob's boosts")
	if len(home) > 0 && (home[0].Reblog == nil || home[0].Reblog.ID != carolPost.ID) {
		t.Errorf("own boost in home without its Reblog")
	}

	// Turning boosts on shows them, old ones included.
	rel, err := s.Follow(ctx, alice.ID, bob.ID, store.FollowOptions{ShowReblogs: true})
	ok(t, err, "show boosts")
	equal(t, rel.ShowingReblogs, true, "showing reblogs")
	home, err = s.HomeTimeline(ctx, alice.ID, store.Page{})
	ok(t, err, "home")
	equalSlice(t, StatusIDs(home), []string{ownBoost.ID, boost.ID, bobPost.ID}, "home with bob's boosts")
	if len(home) == 3 && (home[1].Reblog == nil || home[1].Reblog.Account == nil || home[1].Reblog.Account.ID != carol.ID) {
		t.Errorf("boost in home not hydrated: %+v", home[1].Reblog)
	}

	_, err = s.Follow(ctx, alice.ID, bob.ID, store.FollowOptions{ShowReblogs: false})
	ok(t, err, "hide boosts")
	home, err = s.HomeTimeline(ctx, alice.ID, store.Page{})
	ok(t, err, "home")
	equalSlice(t, StatusIDs(home), []string{ownBoost.ID, bobPost.ID}, "home with bob's boosts hidden again")
}

func testPublicTimeline(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	remote := MustCreateRemote(t, s, "bob", "remote.test")
	localPost := MustPost(t, s, alice, "local public")
	MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "unlisted", Local: true, Visibility: store.VisibilityUnlisted})
	MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "private", Local: true, Visibility: store.VisibilityPrivate})
	MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "direct", Local: true, Visibility: store.VisibilityDirect})
	remotePost := MustPost(t, s, remote, "remote public")
	_, err := s.Reblog(ctx, alice.ID, remotePost.ID, "")
	ok(t, err, "boost")
	localReply := MustReply(t, s, alice, remotePost, "local reply")

	for _, c := range []struct {
		name   string
		filter store.PublicFilter
		want   []*store.Status
	}{
		{"all", store.PublicFilter{}, []*store.Status{localReply, remotePost, localPost}},
		{"local", store.PublicFilter{Local: true}, []*store.Status{localReply, localPost}},
		{"remote", store.PublicFilter{Remote: true}, []*store.Status{remotePost}},
		{"only media", store.PublicFilter{OnlyMedia: true}, nil},
	} {
		list, err := s.PublicTimeline(ctx, c.filter, store.Page{})
		ok(t, err, "public timeline "+c.name)
		equalSlice(t, StatusIDs(list), StatusIDs(c.want), "public timeline "+c.name)
	}
}

func testTagTimeline(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	remote := MustCreateRemote(t, s, "bob", "remote.test")
	tagged := func(a *store.Account, text, visibility string, tags ...string) *store.Status {
		return MustCreateStatus(t, s, store.NewStatus{AccountID: a.ID, Text: text, Local: a.Local(), Visibility: visibility, Tags: tags})
	}
	a := tagged(alice, "#Go", store.VisibilityPublic, "Go")
	tagged(alice, "#go unlisted", store.VisibilityUnlisted, "go")
	tagged(alice, "#go private", store.VisibilityPrivate, "go")
	b := tagged(remote, "#GO remote", store.VisibilityPublic, "GO", "rust")
	tagged(alice, "#rust", store.VisibilityPublic, "rust")

	for _, tag := range []string{"go", "Go", "GO"} {
		list, err := s.TagTimeline(ctx, "", tag, false, store.Page{})
		ok(t, err, "tag timeline "+tag)
		equalSlice(t, StatusIDs(list), []string{b.ID, a.ID}, "tag timeline "+tag)
	}
	list, err := s.TagTimeline(ctx, "", "go", true, store.Page{})
	ok(t, err, "local tag timeline")
	equalSlice(t, StatusIDs(list), []string{a.ID}, "local tag timeline")
	list, err = s.TagTimeline(ctx, "", "go", false, store.Page{Limit: 1})
	ok(t, err, "tag timeline limit")
	equalSlice(t, StatusIDs(list), []string{b.ID}, "tag timeline limit")
	list, err = s.TagTimeline(ctx, "", "go", false, store.Page{MaxID: b.ID})
	ok(t, err, "tag timeline max_id")
	equalSlice(t, StatusIDs(list), []string{a.ID}, "tag timeline max_id")
	list, err = s.TagTimeline(ctx, "", "nothing", false, store.Page{})
	ok(t, err, "empty tag timeline")
	equal(t, len(list), 0, "empty tag timeline")
}

func testAccountStatusesFilters(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	bobPost := MustPost(t, s, bob, "bob")
	first := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "first #Cats", Local: true, Tags: []string{"cats"}})
	selfReply := MustReply(t, s, alice, first, "thread")
	otherReply := MustReply(t, s, alice, bobPost, "reply to bob")
	boost, err := s.Reblog(ctx, alice.ID, bobPost.ID, "")
	ok(t, err, "boost")
	last := MustPost(t, s, alice, "last")
	ok(t, s.Pin(ctx, alice.ID, first.ID), "pin first")
	ok(t, s.Pin(ctx, alice.ID, selfReply.ID), "pin thread")
	ok(t, s.Pin(ctx, bob.ID, last.ID), "bob pins alice's status")

	for _, c := range []struct {
		name   string
		filter store.AccountStatusesFilter
		want   []*store.Status
	}{
		{"all", store.AccountStatusesFilter{}, []*store.Status{last, boost, otherReply, selfReply, first}},
		{"pinned", store.AccountStatusesFilter{Pinned: true}, []*store.Status{selfReply, first}},
		{"exclude replies", store.AccountStatusesFilter{ExcludeReplies: true}, []*store.Status{last, boost, selfReply, first}},
		{"exclude reblogs", store.AccountStatusesFilter{ExcludeReblogs: true}, []*store.Status{last, otherReply, selfReply, first}},
		{"exclude both", store.AccountStatusesFilter{ExcludeReplies: true, ExcludeReblogs: true}, []*store.Status{last, selfReply, first}},
		{"only media", store.AccountStatusesFilter{OnlyMedia: true}, nil},
		{"tagged", store.AccountStatusesFilter{Tagged: "CATS"}, []*store.Status{first}},
		{"tagged, none", store.AccountStatusesFilter{Tagged: "dogs"}, nil},
	} {
		list, err := s.AccountStatuses(ctx, bob.ID, alice.ID, c.filter, store.Page{})
		ok(t, err, "account statuses "+c.name)
		equalSlice(t, StatusIDs(list), StatusIDs(c.want), "account statuses "+c.name)
	}
	list, err := s.AccountStatuses(ctx, "", alice.ID, store.AccountStatusesFilter{}, store.Page{Limit: 2})
	ok(t, err, "account statuses page")
	equalSlice(t, StatusIDs(list), []string{last.ID, boost.ID}, "account statuses page")
	if len(list) == 2 && (list[1].Reblog == nil || list[1].Reblog.ID != bobPost.ID) {
		t.Errorf("boost in account statuses without Reblog")
	}
	list, err = s.AccountStatuses(ctx, "", "999", store.AccountStatusesFilter{}, store.Page{})
	ok(t, err, "statuses of unknown account")
	equal(t, len(list), 0, "statuses of unknown account")
}
