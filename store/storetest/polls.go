package storetest

import (
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

var pollTests = []storeTest{
	{"CreatePoll", testCreatePoll},
	{"Vote", testVote},
	{"VoteMultiple", testVoteMultiple},
	{"EndPolls", testEndPolls},
	{"RemotePoll", testRemotePoll},
	{"DeletePoll", testDeletePoll},
}

// MustPostPoll creates a public status of account with a poll of the given
// options, ending in an hour.
func MustPostPoll(tb testing.TB, s store.Store, account *store.Account, multiple bool, options ...string) *store.Status {
	tb.Helper()
	end := time.Now().Add(time.Hour)
	p := &store.Poll{Multiple: multiple, ExpiresAt: &end}
	for _, o := range options {
		p.Options = append(p.Options, store.PollOption{Title: o})
	}
	return MustCreateStatus(tb, s, store.NewStatus{AccountID: account.ID, Text: "poll", Local: account.Local(), Poll: p})
}

// pollCounts checks a poll's per-option counts and its voters.
func pollCounts(tb testing.TB, p *store.Poll, voters int, counts ...int) {
	tb.Helper()
	got := make([]int, len(p.Options))
	sum := 0
	for i, o := range p.Options {
		got[i] = o.VotesCount
		sum += o.VotesCount
	}
	equalSlice(tb, got, counts, "option counts")
	equal(tb, p.VotesCount, sum, "votes count")
	equal(tb, p.VotersCount, voters, "voters count")
}

func testCreatePoll(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	MustFollow(t, s, bob, alice)
	plain := MustPost(t, s, alice, "no poll")
	if plain.Poll != nil {
		t.Fatalf("a status without a poll has %+v", plain.Poll)
	}

	end := time.Now().Add(30 * time.Minute)
	st, err := s.CreateStatus(ctx, store.NewStatus{
		AccountID: alice.ID, Text: "tea or coffee?", Content: "<p>tea or coffee?</p>", Local: true,
		Poll: &store.Poll{
			Options:    []store.PollOption{{Title: "tea", VotesCount: 7}, {Title: "coffee"}},
			HideTotals: true, ExpiresAt: &end, VotersCount: 3,
		},
	})
	ok(t, err, "create status with a poll")
	p := st.Poll
	if p == nil {
		t.Fatal("the created status has no poll")
	}
	equal(t, p.ID, st.ID, "poll ID")
	equal(t, len(p.Options), 2, "options")
	equal(t, p.Options[0].Title, "tea", "first option")
	equal(t, p.Options[1].Title, "coffee", "second option")
	pollCounts(t, p, 0, 0, 0) // a local poll starts at zero whatever was asked
	equal(t, p.Multiple, false, "multiple")
	equal(t, p.HideTotals, true, "hide totals")
	equal(t, p.Local, true, "local")
	if p.ExpiresAt == nil || p.ExpiresAt.Sub(end).Abs() > time.Millisecond {
		t.Errorf("ExpiresAt = %v, want %v", p.ExpiresAt, end)
	}
	if p.Expired(time.Now()) || !p.Expired(end) {
		t.Error("Expired is wrong")
	}

	// Every read carries the poll: by ID, by URI, in lists, in timelines,
	// inside a boost.
	if got := MustStatus(t, s, st.ID); got.Poll == nil || len(got.Poll.Options) != 2 {
		t.Errorf("StatusByID poll = %+v", got.Poll)
	}
	byURI, err := s.StatusByURI(ctx, st.URI)
	ok(t, err, "status by URI")
	if byURI.Poll == nil {
		t.Error("StatusByURI lost the poll")
	}
	home, err := s.HomeTimeline(ctx, bob.ID, store.Page{Limit: 10})
	ok(t, err, "home timeline")
	found := false
	for _, h := range home {
		if h.ID == st.ID {
			found = h.Poll != nil
		} else if h.Poll != nil {
			t.Errorf("status %s got a poll it does not have", h.ID)
		}
	}
	if !found {
		t.Error("the poll is missing in the home timeline")
	}
	boost, err := s.Reblog(ctx, bob.ID, st.ID, store.VisibilityPublic)
	ok(t, err, "boost")
	if boost.Poll != nil || boost.Reblog == nil || boost.Reblog.Poll == nil {
		t.Errorf("boost poll %+v, boosted poll %+v", boost.Poll, boost.Reblog)
	}
}

func testVote(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	st := MustPostPoll(t, s, alice, false, "a", "b", "c")

	p, err := s.Vote(ctx, bob.ID, st.ID, []int{1})
	ok(t, err, "vote")
	pollCounts(t, p, 1, 0, 1, 0)
	_, err = s.Vote(ctx, bob.ID, st.ID, []int{2})
	isErr(t, err, store.ErrConflict, "second vote on a single-choice poll")
	_, err = s.Vote(ctx, bob.ID, st.ID, []int{1})
	isErr(t, err, store.ErrConflict, "same vote again")
	_, err = s.Vote(ctx, alice.ID, st.ID, []int{0})
	isErr(t, err, store.ErrPollSelfVote, "the author votes")
	_, err = s.Vote(ctx, carol.ID, st.ID, []int{3})
	isErr(t, err, store.ErrPollChoice, "an option that does not exist")
	_, err = s.Vote(ctx, carol.ID, st.ID, []int{-1})
	isErr(t, err, store.ErrPollChoice, "a negative option")
	_, err = s.Vote(ctx, carol.ID, st.ID, []int{0, 1})
	isErr(t, err, store.ErrPollChoice, "two options on a single-choice poll")
	_, err = s.Vote(ctx, carol.ID, st.ID, nil)
	isErr(t, err, store.ErrPollChoice, "no option")
	_, err = s.Vote(ctx, carol.ID, "999", []int{0})
	isErr(t, err, store.ErrNotFound, "vote in a poll that does not exist")
	plain := MustPost(t, s, alice, "no poll")
	_, err = s.Vote(ctx, carol.ID, plain.ID, []int{0})
	isErr(t, err, store.ErrNotFound, "vote on a status without a poll")
	past := time.Now().Add(-time.Minute)
	over := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "over", Local: true, Poll: &store.Poll{
		Options: []store.PollOption{{Title: "a"}, {Title: "b"}}, ExpiresAt: &past,
	}})
	_, err = s.Vote(ctx, bob.ID, over.ID, []int{0})
	isErr(t, err, store.ErrPollExpired, "vote in an ended poll")

	// A remote account's vote counts too, and a vote brings its
	// deliveries along.
	out := store.WithOutgoing(ctx, store.Outgoing{ActorID: alice.ID, Payload: []byte(`{"type":"Update"}`), Inboxes: []string{"https://remote.test/inbox"}})
	p, err = s.Vote(out, carol.ID, st.ID, []int{1})
	ok(t, err, "remote vote")
	pollCounts(t, p, 2, 0, 2, 0)
	due, err := s.TakeDeliveries(ctx, time.Now().Add(time.Minute), 10, time.Minute)
	ok(t, err, "take deliveries")
	equal(t, len(due), 1, "deliveries stored with the vote")

	pollCounts(t, MustStatus(t, s, st.ID).Poll, 2, 0, 2, 0)
	votes, err := s.PollVotes(ctx, bob.ID, []string{st.ID, plain.ID, "999", "nonsense"})
	ok(t, err, "poll votes")
	equal(t, len(votes), 1, "polls bob voted in")
	equalSlice(t, votes[st.ID], []int{1}, "bob's votes")
	votes, err = s.PollVotes(ctx, alice.ID, []string{st.ID})
	ok(t, err, "the author's votes")
	equal(t, len(votes), 0, "the author voted in nothing")
	voters, err := s.PollVoters(ctx, st.ID)
	ok(t, err, "poll voters")
	sameSet(t, AccountIDs(voters), []string{bob.ID, carol.ID}, "voters")
}

func testVoteMultiple(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	st := MustPostPoll(t, s, alice, true, "a", "b", "c", "d")

	p, err := s.Vote(ctx, bob.ID, st.ID, []int{2, 0})
	ok(t, err, "vote for two")
	pollCounts(t, p, 1, 1, 0, 1, 0)
	// Remote servers send one vote per option: more options of the same
	// voter count, the same option twice does not.
	p, err = s.Vote(ctx, carol.ID, st.ID, []int{0})
	ok(t, err, "remote vote, first option")
	p, err = s.Vote(ctx, carol.ID, st.ID, []int{3})
	ok(t, err, "remote vote, second option")
	pollCounts(t, p, 2, 2, 0, 1, 1)
	_, err = s.Vote(ctx, carol.ID, st.ID, []int{0})
	isErr(t, err, store.ErrConflict, "the same option twice")
	_, err = s.Vote(ctx, bob.ID, st.ID, []int{1, 1})
	isErr(t, err, store.ErrConflict, "one option twice in one vote")
	_, err = s.Vote(ctx, bob.ID, st.ID, []int{1, 9})
	isErr(t, err, store.ErrPollChoice, "one good option and a bad one")
	pollCounts(t, MustStatus(t, s, st.ID).Poll, 2, 2, 0, 1, 1) // failed votes changed nothing
	votes, err := s.PollVotes(ctx, bob.ID, []string{st.ID})
	ok(t, err, "poll votes")
	equalSlice(t, votes[st.ID], []int{0, 2}, "bob's votes, ascending")
}

func testEndPolls(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	dave := MustCreateRemote(t, s, "dave", "remote.test")
	st := MustPostPoll(t, s, alice, false, "yes", "no")
	_, err := s.Vote(ctx, bob.ID, st.ID, []int{0})
	ok(t, err, "bob votes")
	_, err = s.Vote(ctx, carol.ID, st.ID, []int{1})
	ok(t, err, "carol votes")
	// A remote poll bob voted in.
	end := time.Now().Add(2 * time.Hour)
	remote := MustCreateStatus(t, s, store.NewStatus{AccountID: dave.ID, Text: "remote poll", Poll: &store.Poll{
		Options: []store.PollOption{{Title: "x", VotesCount: 4}, {Title: "y"}}, ExpiresAt: &end, VotersCount: 4,
	}})
	_, err = s.Vote(ctx, bob.ID, remote.ID, []int{1})
	ok(t, err, "bob votes in the remote poll")
	// A poll without an end never ends.
	MustCreateStatus(t, s, store.NewStatus{AccountID: dave.ID, Text: "endless", Poll: &store.Poll{
		Options: []store.PollOption{{Title: "x"}, {Title: "y"}},
	}})

	ended, err := s.EndPolls(ctx, time.Now(), 10)
	ok(t, err, "end polls now")
	equal(t, len(ended), 0, "polls ended now")

	ended, err = s.EndPolls(ctx, time.Now().Add(90*time.Minute), 10)
	ok(t, err, "end polls in 90 minutes")
	if len(ended) != 1 || ended[0].StatusID != st.ID || !ended[0].Local {
		t.Fatalf("ended %+v, want alice's poll", ended)
	}
	equalSlice(t, Notifications(t, s, alice), []string{notificationString(store.NotifyPoll, alice.ID, st.ID)}, "the author learns her poll ended")
	equalSlice(t, Notifications(t, s, bob), []string{notificationString(store.NotifyPoll, alice.ID, st.ID)}, "the voter learns the poll ended")

	ended, err = s.EndPolls(ctx, time.Now().Add(90*time.Minute), 10)
	ok(t, err, "end polls again")
	equal(t, len(ended), 0, "a poll is reported once")

	ended, err = s.EndPolls(ctx, time.Now().Add(3*time.Hour), 10)
	ok(t, err, "end polls in 3 hours")
	if len(ended) != 1 || ended[0].StatusID != remote.ID || ended[0].Local {
		t.Fatalf("ended %+v, want the remote poll", ended)
	}
	equal(t, len(Notifications(t, s, bob)), 2, "bob's poll notifications")
	equal(t, Notifications(t, s, bob)[0], notificationString(store.NotifyPoll, dave.ID, remote.ID), "the remote poll's notification")
}

func testRemotePoll(t *testing.T, s store.Store) {
	ctx := t.Context()
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	end := time.Now().Add(time.Hour)
	st := MustCreateStatus(t, s, store.NewStatus{AccountID: carol.ID, Text: "remote poll", Poll: &store.Poll{
		Options:  []store.PollOption{{Title: "x", VotesCount: 3}, {Title: "y", VotesCount: 1}, {Title: "z"}},
		Multiple: true, ExpiresAt: &end, VotersCount: 3,
	}})
	p := st.Poll
	if p == nil || p.Local {
		t.Fatalf("remote poll %+v", p)
	}
	pollCounts(t, p, 3, 3, 1, 0)
	equal(t, p.Multiple, true, "multiple")

	// A local vote counts at once; the remote tally replaces it later.
	p, err := s.Vote(ctx, bob.ID, st.ID, []int{2})
	ok(t, err, "local vote in a remote poll")
	pollCounts(t, p, 4, 3, 1, 1)
	later := end.Add(time.Hour)
	p, err = s.UpdatePoll(ctx, st.ID, store.Poll{
		Options:  []store.PollOption{{Title: "x", VotesCount: 5}, {Title: "y", VotesCount: 1}, {Title: "z", VotesCount: 2}},
		Multiple: true, ExpiresAt: &later, VotersCount: 6,
	})
	ok(t, err, "update the tally")
	pollCounts(t, p, 6, 5, 1, 2)
	if p.ExpiresAt == nil || p.ExpiresAt.Sub(later).Abs() > time.Millisecond {
		t.Errorf("ExpiresAt = %v, want %v", p.ExpiresAt, later)
	}
	votes, err := s.PollVotes(ctx, bob.ID, []string{st.ID})
	ok(t, err, "poll votes")
	equalSlice(t, votes[st.ID], []int{2}, "bob's vote survives a tally update")

	// New options: the votes cast here no longer apply.
	p, err = s.UpdatePoll(ctx, st.ID, store.Poll{Options: []store.PollOption{{Title: "x"}, {Title: "w"}}, ExpiresAt: &later})
	ok(t, err, "change the options")
	pollCounts(t, p, 0, 0, 0)
	equal(t, p.Multiple, false, "multiple after the update")
	votes, err = s.PollVotes(ctx, bob.ID, []string{st.ID})
	ok(t, err, "poll votes")
	equal(t, len(votes), 0, "votes after the options changed")

	// An update can give a status its first poll.
	plain := MustPost(t, s, carol, "no poll yet")
	p, err = s.UpdatePoll(ctx, plain.ID, store.Poll{Options: []store.PollOption{{Title: "p", VotesCount: 1}, {Title: "q"}}, VotersCount: 1})
	ok(t, err, "add a poll")
	pollCounts(t, p, 1, 1, 0)
	if MustStatus(t, s, plain.ID).Poll == nil {
		t.Error("the added poll is not read back")
	}
	_, err = s.UpdatePoll(ctx, "999", store.Poll{Options: []store.PollOption{{Title: "p"}}})
	isErr(t, err, store.ErrNotFound, "update the poll of a missing status")
}

func testDeletePoll(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	st := MustPostPoll(t, s, alice, false, "a", "b")
	_, err := s.Vote(ctx, bob.ID, st.ID, []int{0})
	ok(t, err, "vote")
	ok(t, s.DeleteStatus(ctx, st.ID), "delete the status")
	votes, err := s.PollVotes(ctx, bob.ID, []string{st.ID})
	ok(t, err, "poll votes")
	equal(t, len(votes), 0, "votes of a deleted poll")
	_, err = s.Vote(ctx, bob.ID, st.ID, []int{1})
	isErr(t, err, store.ErrNotFound, "vote in a deleted poll")
	ended, err := s.EndPolls(ctx, time.Now().Add(2*time.Hour), 10)
	ok(t, err, "end polls")
	equal(t, len(ended), 0, "a deleted poll does not end")
}
