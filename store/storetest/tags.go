package storetest

import (
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

var tagTests = []storeTest{
	{"FollowTag", testFollowTag},
	{"FollowedTagHome", testFollowedTagHome},
	{"TagHistory", testTagHistory},
	{"TrendingTags", testTrendingTags},
}

func testFollowTag(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	ok(t, s.FollowTag(ctx, alice.ID, "Go"), "follow go")
	ok(t, s.FollowTag(ctx, alice.ID, "go"), "follow go again")
	ok(t, s.FollowTag(ctx, alice.ID, "#rust"), "follow rust")

	tags, cursors, err := s.FollowedTags(ctx, alice.ID, store.Page{})
	ok(t, err, "followed tags")
	equalSlice(t, tags, []string{"rust", "go"}, "followed tags")
	equal(t, len(cursors), 2, "cursors")
	if len(cursors) == 2 {
		tags, _, err = s.FollowedTags(ctx, alice.ID, store.Page{MaxID: cursors[0]})
		ok(t, err, "followed tags max_id")
		equalSlice(t, tags, []string{"go"}, "followed tags max_id")
		tags, _, err = s.FollowedTags(ctx, alice.ID, store.Page{MinID: cursors[1]})
		ok(t, err, "followed tags min_id")
		equalSlice(t, tags, []string{"rust"}, "followed tags min_id")
	}
	tags, _, err = s.FollowedTags(ctx, alice.ID, store.Page{Limit: 1})
	ok(t, err, "followed tags limit")
	equalSlice(t, tags, []string{"rust"}, "followed tags limit")

	follows, err := s.FollowsTags(ctx, alice.ID, []string{"GO", "zig"})
	ok(t, err, "follows tags")
	equal(t, follows["go"], true, "follows go")
	equal(t, follows["zig"], false, "follows zig")

	ok(t, s.UnfollowTag(ctx, alice.ID, "GO"), "unfollow go")
	ok(t, s.UnfollowTag(ctx, alice.ID, "go"), "unfollow go again")
	tags, _, err = s.FollowedTags(ctx, alice.ID, store.Page{})
	ok(t, err, "followed tags after unfollow")
	equalSlice(t, tags, []string{"rust"}, "followed tags after unfollow")
	follows, err = s.FollowsTags(ctx, alice.ID, []string{"go"})
	ok(t, err, "follows tags after unfollow")
	equal(t, follows["go"], false, "follows go after unfollow")
}

func testFollowedTagHome(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	blocked := MustCreateLocal(t, s, "blocked")
	blocker := MustCreateRemote(t, s, "blocker", "remote.test")
	_, err := s.Block(ctx, alice.ID, blocked.ID, "")
	ok(t, err, "alice blocks")
	_, err = s.Block(ctx, blocker.ID, alice.ID, "")
	ok(t, err, "blocker blocks alice")
	tagged := func(a *store.Account, visibility string, tags ...string) *store.Status {
		return MustCreateStatus(t, s, store.NewStatus{AccountID: a.ID, Text: "tagged", Local: a.Local(), Visibility: visibility, Tags: tags})
	}
	before := tagged(bob, store.VisibilityPublic, "go")
	ok(t, s.FollowTag(ctx, alice.ID, "go"), "follow go")

	local := tagged(bob, store.VisibilityPublic, "go")
	remote := tagged(carol, store.VisibilityPublic, "rust", "Go")
	tagged(bob, store.VisibilityUnlisted, "go")
	tagged(bob, store.VisibilityPrivate, "go")
	tagged(bob, store.VisibilityPublic, "rust")
	tagged(blocked, store.VisibilityPublic, "go")
	tagged(blocker, store.VisibilityPublic, "go")

	home, err := s.HomeTimeline(ctx, alice.ID, store.Page{})
	ok(t, err, "home")
	// before, posted ahead of the follow, is not added afterwards.
	equalSlice(t, StatusIDs(home), []string{remote.ID, local.ID}, "alice's home (not "+before.ID+")")

	home, err = s.HomeTimeline(ctx, bob.ID, store.Page{})
	ok(t, err, "bob's home")
	for _, st := range home {
		equal(t, st.AccountID, bob.ID, "bob's home holds only his statuses")
	}

	ok(t, s.UnfollowTag(ctx, alice.ID, "go"), "unfollow go")
	tagged(bob, store.VisibilityPublic, "go")
	home, err = s.HomeTimeline(ctx, alice.ID, store.Page{})
	ok(t, err, "home after unfollow")
	equalSlice(t, StatusIDs(home), []string{remote.ID, local.ID}, "alice's home after unfollow")
}

func testTagHistory(t *testing.T, s store.Store) {
	ctx := t.Context()
	bob := MustCreateRemote(t, s, "bob", "remote.test")
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	now := time.Now().UTC().Truncate(time.Millisecond)
	at := func(a *store.Account, when time.Time, visibility string, tags ...string) {
		MustCreateStatus(t, s, store.NewStatus{AccountID: a.ID, Text: "tagged", Visibility: visibility, Tags: tags, CreatedAt: when})
	}
	day := 24 * time.Hour
	at(bob, now, store.VisibilityPublic, "go")
	at(carol, now, store.VisibilityUnlisted, "Go")
	at(carol, now, store.VisibilityPublic, "go", "rust")
	at(carol, now, store.VisibilityPrivate, "go")
	at(bob, now.Add(-day), store.VisibilityPublic, "go")
	at(bob, now.Add(-8*day), store.VisibilityPublic, "go")

	h, err := s.TagHistory(ctx, []string{"Go", "zig"}, now, 7)
	ok(t, err, "history")
	g := h["go"]
	if len(g) != 7 {
		t.Fatalf("go history has %d days, want 7", len(g))
	}
	midnight := now.Truncate(day)
	want := []store.TagDay{{Day: midnight, Uses: 3, Accounts: 2}, {Day: midnight.Add(-day), Uses: 1, Accounts: 1}}
	for i := range g {
		w := store.TagDay{Day: midnight.Add(-time.Duration(i) * day)}
		if i < len(want) {
			w = want[i]
		}
		equal(t, g[i].Day.Equal(w.Day), true, "day of go history entry")
		equal(t, g[i].Uses, w.Uses, "uses of go history entry")
		equal(t, g[i].Accounts, w.Accounts, "accounts of go history entry")
	}
	z := h["zig"]
	equal(t, len(z), 7, "zig history length")
	for _, d := range z {
		equal(t, d.Uses, 0, "zig uses")
	}
}

func testTrendingTags(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Millisecond)
	day := 24 * time.Hour
	var accounts []*store.Account
	for _, name := range []string{"a", "b", "c"} {
		accounts = append(accounts, MustCreateRemote(t, s, name, "remote.test"))
	}
	at := func(a *store.Account, when time.Time, visibility string, tags ...string) {
		MustCreateStatus(t, s, store.NewStatus{AccountID: a.ID, Text: "tagged", Visibility: visibility, Tags: tags, CreatedAt: when})
	}
	for _, a := range accounts {
		at(a, now, store.VisibilityPublic, "go")
		at(a, now.Add(-4*day), store.VisibilityPublic, "old")
		at(a, now, store.VisibilityUnlisted, "quiet")
	}
	at(accounts[0], now.Add(-day), store.VisibilityPublic, "rust")
	at(accounts[1], now.Add(-day), store.VisibilityPublic, "rust")
	at(accounts[0], now, store.VisibilityPublic, "zig")
	at(accounts[0], now, store.VisibilityPublic, "zig")

	tags, err := s.TrendingTags(ctx, now, 10, 0)
	ok(t, err, "trending")
	equalSlice(t, tags, []string{"go", "rust"}, "trending")
	tags, err = s.TrendingTags(ctx, now, 1, 1)
	ok(t, err, "trending offset")
	equalSlice(t, tags, []string{"rust"}, "trending offset")
}
