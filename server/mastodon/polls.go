package mastodon

import (
	"time"

	"github.com/roost-social/roost/store"
)

// Poll converts p, the poll of a status by authorID, for a viewer
// (viewerID "" when anonymous). Option counts are null while a poll that
// hides its totals is open, for everyone, as Mastodon does. A signed-in
// viewer gets voted (true for the author, as in Mastodon) and own_votes
// ([] here; SetOwnVotes fills them from the store's record of votes).
func (e *Env) Poll(p *store.Poll, viewerID, authorID string) *Poll {
	expired := p.Expired(e.now())
	voters := p.VotersCount
	out := &Poll{
		ID:          p.ID,
		ExpiresAt:   timePtr(p.ExpiresAt),
		Expired:     expired,
		Multiple:    p.Multiple,
		VotesCount:  p.VotesCount,
		VotersCount: &voters,
		Options:     make(List[PollOption], len(p.Options)),
	}
	for i, o := range p.Options {
		out.Options[i].Title = o.Title
		if !p.HideTotals || expired {
			n := o.VotesCount
			out.Options[i].VotesCount = &n
		}
	}
	if viewerID != "" {
		voted := viewerID == authorID
		out.Voted = &voted
		out.OwnVotes = []int{}
	}
	return out
}

// SetOwnVotes records the viewer's choices (option indexes) on a poll
// converted for a signed-in viewer.
func (p *Poll) SetOwnVotes(choices []int) {
	if p == nil || p.Voted == nil || len(choices) == 0 {
		return
	}
	voted := true
	p.Voted = &voted
	p.OwnVotes = append([]int{}, choices...)
}

// SetOwnVotes fills the viewer's choices into the polls of statuses (and
// of the statuses they boost); votes maps poll IDs to the choices.
func SetOwnVotes(ss []Status, votes map[string][]int) {
	if len(votes) == 0 {
		return
	}
	for i := range ss {
		if p := ss[i].Poll; p != nil {
			p.SetOwnVotes(votes[p.ID])
		}
		if r := ss[i].Reblog; r != nil && r.Poll != nil {
			r.Poll.SetOwnVotes(votes[r.Poll.ID])
		}
	}
}

// PollIDs returns the IDs of the polls of statuses, boosted ones included,
// for looking up a viewer's votes.
func PollIDs(ss []*store.Status) []string {
	var ids []string
	for _, s := range ss {
		if s.Poll != nil {
			ids = append(ids, s.Poll.ID)
		}
		if s.Reblog != nil && s.Reblog.Poll != nil {
			ids = append(ids, s.Reblog.Poll.ID)
		}
	}
	return ids
}

// now is the converters' clock: Env.Now, else the time of day.
func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}
