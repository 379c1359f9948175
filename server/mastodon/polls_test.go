package mastodon

import (
	"strings"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

// testBobPoll is bob's post with a multiple-choice poll ending at noon on
// 2024-06-02.
func testBobPoll() *store.Status {
	s := testBobPost()
	end := at("2024-06-02T12:00:00Z")
	s.Poll = &store.Poll{
		ID:          s.ID,
		Options:     []store.PollOption{{Title: "tea", VotesCount: 3}, {Title: "coffee", VotesCount: 1}},
		Multiple:    true,
		ExpiresAt:   &end,
		VotesCount:  4,
		VotersCount: 3,
	}
	return s
}

// clockAt is an Env whose clock reads t.
func clockAt(t string) *Env {
	e := *testEnv
	e.Now = func() time.Time { return at(t) }
	return &e
}

func TestPollGolden(t *testing.T) {
	open := clockAt("2024-06-02T11:00:00Z")
	viewer := open.Status(testBobPoll(), nil, "111111111111111111")
	SetOwnVotes([]Status{viewer}, map[string][]int{"333333333333333333": {0, 1}})
	golden(t, "status_poll_viewer", viewer)
	golden(t, "poll_anonymous_expired", clockAt("2024-06-02T12:00:00Z").Poll(testBobPoll().Poll, "", "222222222222222222"))
}

func TestPollConversion(t *testing.T) {
	s := testBobPoll()
	s.Poll.HideTotals = true
	open, closed := clockAt("2024-06-02T11:59:59Z"), clockAt("2024-06-02T12:00:01Z")

	p := open.Poll(s.Poll, "", s.AccountID)
	if p.Expired || p.Options[0].VotesCount != nil || p.VotesCount != 4 {
		t.Errorf("open poll hiding totals: %+v", p)
	}
	if p.Voted != nil || p.OwnVotes != nil {
		t.Errorf("anonymous viewer got voted %v, own_votes %v", p.Voted, p.OwnVotes)
	}
	if p := closed.Poll(s.Poll, "", s.AccountID); !p.Expired || p.Options[0].VotesCount == nil || *p.Options[0].VotesCount != 3 {
		t.Errorf("ended poll: %+v", p)
	}
	// The author has voted, as far as Mastodon's clients are concerned.
	if p := open.Poll(s.Poll, s.AccountID, s.AccountID); p.Voted == nil || !*p.Voted || p.OwnVotes == nil || len(p.OwnVotes) != 0 {
		t.Errorf("author: voted %v, own_votes %v", p.Voted, p.OwnVotes)
	}
	p = open.Poll(s.Poll, "someone", s.AccountID)
	if p.Voted == nil || *p.Voted {
		t.Errorf("viewer who did not vote: voted %v", p.Voted)
	}
	if b := marshal(t, p); !containsAll(string(b), `"own_votes": []`, `"voted": false`, `"voters_count": 3`) {
		t.Errorf("viewer JSON: %s", b)
	}
	p.SetOwnVotes([]int{1})
	if !*p.Voted || len(p.OwnVotes) != 1 || p.OwnVotes[0] != 1 {
		t.Errorf("after SetOwnVotes: voted %v, own_votes %v", *p.Voted, p.OwnVotes)
	}

	// A boost carries no poll of its own; the boosted status does.
	boost := &store.Status{ID: "5", AccountID: "111111111111111111", ReblogOfID: s.ID, Reblog: s, Account: testAlice()}
	st := open.Status(boost, nil, "111111111111111111")
	if st.Poll != nil || st.Reblog == nil || st.Reblog.Poll == nil {
		t.Fatalf("boost poll %+v", st.Poll)
	}
	SetOwnVotes([]Status{st}, map[string][]int{s.ID: {0}})
	if len(st.Reblog.Poll.OwnVotes) != 1 {
		t.Errorf("own votes on a boosted poll: %v", st.Reblog.Poll.OwnVotes)
	}
	if ids := PollIDs([]*store.Status{boost, testBobPost()}); len(ids) != 1 || ids[0] != s.ID {
		t.Errorf("PollIDs = %v", ids)
	}

	// Every version in the history shows the poll's options.
	edits := open.StatusEdits(s, nil)
	if len(edits) != 1 || edits[0].Poll == nil || len(edits[0].Poll.Options) != 2 || edits[0].Poll.Options[1].Title != "coffee" {
		t.Errorf("history poll %+v", edits[0].Poll)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
