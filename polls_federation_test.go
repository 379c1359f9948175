package main

import (
	"net/url"
	"slices"
	"testing"
)

type apiPoll struct {
	ID          string `json:"id"`
	Expired     bool   `json:"expired"`
	Multiple    bool   `json:"multiple"`
	VotesCount  int    `json:"votes_count"`
	VotersCount *int   `json:"voters_count"`
	Options     []struct {
		Title      string `json:"title"`
		VotesCount *int   `json:"votes_count"`
	} `json:"options"`
	Voted    *bool `json:"voted"`
	OwnVotes []int `json:"own_votes"`
}

func (p *apiPoll) counts() []int {
	if p == nil {
		return nil
	}
	out := make([]int, len(p.Options))
	for i, o := range p.Options {
		if o.VotesCount != nil {
			out[i] = *o.VotesCount
		}
	}
	return out
}

func TestPollsAcrossServers(t *testing.T) {
	a, b := startPeer(t), startPeer(t)
	alice, carol, bob := a.newAccount("alice"), a.newAccount("carol"), b.newAccount("bob")

	var remoteAlice struct{ ID string }
	bob.must("GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(alice.handle()), nil, &remoteAlice)
	bob.must("POST", "/api/v1/accounts/"+remoteAlice.ID+"/follow", nil, nil)
	eventually(t, "bob to follow alice", func() bool {
		var rels []struct{ Following bool }
		bob.must("GET", "/api/v1/accounts/relationships?id[]="+remoteAlice.ID, nil, &rels)
		return len(rels) == 1 && rels[0].Following
	})

	// Alice asks; the poll reaches Bob as a Question.
	var post struct {
		ID, URI string
		Poll    *apiPoll
	}
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"Favourite colour?"},
		"poll[options][]": {"red", "green", "blue"}, "poll[expires_in]": {"3600"}}, &post)
	if post.Poll == nil {
		t.Fatal("alice's status has no poll")
	}
	var copyID string
	eventually(t, "alice's poll on bob's home timeline", func() bool {
		var home []struct {
			ID, URI string
			Poll    *apiPoll
		}
		bob.must("GET", "/api/v1/timelines/home", nil, &home)
		for _, s := range home {
			if s.URI == post.URI && s.Poll != nil && len(s.Poll.Options) == 3 && s.Poll.Options[2].Title == "blue" {
				copyID = s.ID
				return true
			}
		}
		return false
	})

	// Bob votes on his server; it counts there at once and goes to alice's.
	var p apiPoll
	bob.must("POST", "/api/v1/polls/"+copyID+"/votes", url.Values{"choices[]": {"1"}}, &p)
	if !slices.Equal(p.OwnVotes, []int{1}) || !slices.Equal(p.counts(), []int{0, 1, 0}) {
		t.Fatalf("bob's poll after voting: %+v", p)
	}
	if code := bob.call("POST", "/api/v1/polls/"+copyID+"/votes", url.Values{"choices[]": {"2"}}, nil); code != 422 {
		t.Fatalf("a second vote: %d, want 422", code)
	}
	eventually(t, "bob's vote counted on alice's server", func() bool {
		var p apiPoll
		alice.must("GET", "/api/v1/polls/"+post.ID, nil, &p)
		return slices.Equal(p.counts(), []int{0, 1, 0}) && p.VotersCount != nil && *p.VotersCount == 1
	})

	// Carol votes on alice's server; the new tally reaches bob's.
	carol.must("POST", "/api/v1/polls/"+post.ID+"/votes", url.Values{"choices[]": {"2"}}, nil)
	eventually(t, "the new tally on bob's server", func() bool {
		var p apiPoll
		bob.must("GET", "/api/v1/polls/"+copyID, nil, &p)
		return slices.Equal(p.counts(), []int{0, 1, 1}) && p.VotersCount != nil && *p.VotersCount == 2 &&
			slices.Equal(p.OwnVotes, []int{1})
	})
	var s struct {
		EditedAt *string `json:"edited_at"`
	}
	bob.must("GET", "/api/v1/statuses/"+copyID, nil, &s)
	if s.EditedAt != nil {
		t.Fatal("a tally update shows as an edit")
	}
}
