package federation

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/store"
)

// Polls over ActivityPub, as Mastodon does them:
//
//   - A status with a poll is a Question: options in oneOf or anyOf, each a
//     Note whose replies.totalItems is its count, with endTime, closed and
//     votersCount.
//   - A vote is a Create of a Note named after the chosen option, replying
//     to the Question, sent to the poll's author only; one per option.
//   - The poll's server counts the votes and sends its followers (and the
//     remote voters) an Update of the Question with the new tally. Roost
//     does it a few seconds after the last vote (pollUpdateDelay), so a
//     burst of votes makes one Update, and once more when the poll ends.

const (
	// pollUpdateDelay is how long a changed tally waits before its Update
	// goes out, gathering the votes that come meanwhile.
	pollUpdateDelay = 2 * time.Second
	// pollEndCheck is how often RunPolls looks for polls that ended.
	pollEndCheck = 10 * time.Second
	// maxPollOptionChars bounds the title of a remote poll's option.
	maxPollOptionChars = 500
)

// pollQueue holds the local polls whose tally is to be sent, with when.
type pollQueue struct {
	mu   sync.Mutex
	due  map[string]time.Time // status ID → when its Update goes out
	wake chan struct{}
}

func (q *pollQueue) wakeup() chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.wake == nil {
		q.wake = make(chan struct{}, 1)
	}
	return q.wake
}

// PollChanged schedules the Update of a local poll's tally, after
// pollUpdateDelay; another change meanwhile does not add a second Update.
// The Updates go out while RunPolls runs.
func (f *Federation) PollChanged(statusID string) {
	f.schedulePollUpdate(statusID, time.Now().Add(pollUpdateDelay))
}

func (f *Federation) schedulePollUpdate(statusID string, at time.Time) {
	q := &f.polls
	wake := q.wakeup()
	q.mu.Lock()
	if q.due == nil {
		q.due = map[string]time.Time{}
	}
	if prev, ok := q.due[statusID]; !ok || at.Before(prev) {
		q.due[statusID] = at
	}
	q.mu.Unlock()
	select {
	case wake <- struct{}{}:
	default:
	}
}

// takeDuePolls removes and returns the polls whose Update is due at now,
// and tells when the next one is.
func (q *pollQueue) takeDue(now time.Time) (ids []string, next time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for id, at := range q.due {
		if !at.After(now) {
			ids = append(ids, id)
			delete(q.due, id)
		} else if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	slices.Sort(ids)
	return ids, next
}

// RunPolls sends the scheduled tally Updates and ends polls whose time has
// come (notifying voters and authors, and sending each ended local poll's
// final Update) until ctx ends. A tally waiting when the process stops is
// sent with the next vote or at the poll's end.
func (f *Federation) RunPolls(ctx context.Context) {
	wake := f.polls.wakeup()
	timer := time.NewTimer(0)
	defer timer.Stop()
	var nextEndCheck time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-wake:
		}
		now := time.Now()
		if !now.Before(nextEndCheck) {
			f.EndPolls(ctx, now)
			nextEndCheck = now.Add(pollEndCheck)
		}
		ids, next := f.polls.takeDue(now)
		for _, id := range ids {
			if err := f.SendPollUpdate(ctx, id); err != nil && ctx.Err() == nil {
				f.Log.Error("send poll update", "status", id, "err", err)
			}
		}
		if len(ids) > 0 {
			f.Nudge()
		}
		wait := time.Until(nextEndCheck)
		if !next.IsZero() {
			wait = min(wait, time.Until(next))
		}
		timer.Reset(max(wait, 0))
	}
}

// EndPolls ends the polls whose time has come by now: the store notifies
// their local voters and authors, and each local one gets its final
// Update right away.
func (f *Federation) EndPolls(ctx context.Context, now time.Time) {
	const batch = 100
	for {
		ended, err := f.Store.EndPolls(ctx, now, batch)
		if err != nil {
			if ctx.Err() == nil {
				f.Log.Error("end polls", "err", err)
			}
			return
		}
		for _, p := range ended {
			if p.Local {
				f.schedulePollUpdate(p.StatusID, now)
			}
		}
		if len(ended) < batch {
			return
		}
	}
}

// SendPollUpdate stores the Update of a local poll's Question with its
// current tally, for the author's followers, the accounts it mentions and
// the remote voters.
func (f *Federation) SendPollUpdate(ctx context.Context, statusID string) error {
	st, err := f.Store.StatusByID(ctx, statusID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	if !st.Local || st.Poll == nil || st.Account == nil {
		return nil
	}
	doc, n, err := f.document(ctx, st)
	if err != nil {
		return err
	}
	inboxes, err := f.mentionInboxes(ctx, st)
	if err != nil {
		return err
	}
	voters, err := f.Store.PollVoters(ctx, st.ID)
	if err != nil {
		return err
	}
	for _, v := range voters {
		inboxes = append(inboxes, inboxOf(v))
	}
	followers := st.AccountID
	if st.Visibility == store.VisibilityDirect {
		followers = ""
	}
	now := time.Now()
	act := activity.Update(st.Account.URI, doc, now, n.To, n.CC)
	// Tally updates can follow each other within a second; the id tells
	// them apart.
	act.ID = st.URI + "#updates/poll/" + store.NewID(now)
	ctx, err = f.withDelivery(ctx, st.Account, act, inboxes, followers)
	if err != nil {
		return err
	}
	return f.Store.Enqueue(ctx)
}

// document is what a status is over ActivityPub: its Note, or the Question
// of its poll. n is the Note either way, for its addressing.
func (f *Federation) document(ctx context.Context, s *store.Status) (doc any, n *activity.Note, err error) {
	n, err = f.Note(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	if s.Poll != nil {
		return activity.QuestionFrom(n, s.Poll, time.Now()), n, nil
	}
	return n, n, nil
}

// Vote attaches a local account's vote in a remote poll: one Create of a
// Note named after each chosen option, to the poll author's inbox. A vote
// in a local poll sends nothing now; PollChanged sends the new tally.
func (f *Federation) Vote(ctx context.Context, voter *store.Account, s *store.Status, choices []int) (context.Context, error) {
	if s.Local || s.Poll == nil || s.Account == nil {
		return ctx, nil
	}
	author := s.Account
	now := time.Now()
	for _, ch := range choices {
		if ch < 0 || ch >= len(s.Poll.Options) {
			continue // the store refuses the vote
		}
		v := activity.VoteFor(voter.URI+"#votes/"+store.NewID(now), voter.URI, s.URI, author.URI, s.Poll.Options[ch].Title)
		act := activity.Create(voter.URI, v, now, v.To, nil)
		var err error
		if ctx, err = f.withDelivery(ctx, voter, act, []string{firstNonEmpty(author.InboxURL, author.SharedInbox)}, ""); err != nil {
			return ctx, err
		}
	}
	return ctx, nil
}

// pollFromQuestion reads the poll of a remote Question; nil when it has no
// options.
func pollFromQuestion(obj *activity.Object) *store.Poll {
	opts, multiple := obj.PollOptions()
	if len(opts) == 0 {
		return nil
	}
	p := &store.Poll{Multiple: multiple, VotersCount: max(obj.VotersCount, 0)}
	votes := 0
	for _, o := range opts {
		p.Options = append(p.Options, store.PollOption{Title: truncate(o.Name, maxPollOptionChars), VotesCount: max(o.Votes, 0)})
		votes += max(o.Votes, 0)
	}
	if p.VotersCount == 0 && !multiple {
		p.VotersCount = votes // one vote per voter: servers that do not say
	}
	end := obj.EndTime
	if !obj.Closed.IsZero() && (end.IsZero() || obj.Closed.Before(end)) {
		end = obj.Closed
	}
	if !end.IsZero() {
		end = end.UTC()
		p.ExpiresAt = &end
	}
	return p
}

// pollVote recognises a vote in one of our polls: a Note with a name,
// replying to a local status whose poll has an option of that name (as
// Mastodon tells votes from replies). It returns the poll's status and the
// option's index.
func (f *Federation) pollVote(ctx context.Context, obj *activity.Object) (*store.Status, int, bool) {
	if obj.Type != "Note" || obj.Name == "" || obj.InReplyTo.ID() == "" || !f.isLocalURI(obj.InReplyTo.ID()) {
		return nil, 0, false
	}
	st, err := f.Store.StatusByURI(ctx, obj.InReplyTo.ID())
	if err != nil || !st.Local || st.Poll == nil {
		return nil, 0, false
	}
	for i, o := range st.Poll.Options {
		if o.Title == obj.Name {
			return st, i, true
		}
	}
	return nil, 0, false
}

// onVote counts a remote actor's vote in a local poll. A vote already
// counted (a redelivery, or the same option twice) is accepted and
// changes nothing; a vote in an ended poll is refused.
func (f *Federation) onVote(ctx context.Context, actor *store.Account, st *store.Status, choice int) error {
	_, err := f.Store.Vote(ctx, actor.ID, st.ID, []int{choice})
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil
	case errors.Is(err, store.ErrPollExpired):
		return refuse(http.StatusUnprocessableEntity, "the poll has ended", err)
	case errors.Is(err, store.ErrPollChoice), errors.Is(err, store.ErrPollSelfVote):
		return refuse(http.StatusUnprocessableEntity, "invalid vote", err)
	case err != nil:
		return err
	}
	if !st.Poll.HideTotals {
		f.PollChanged(st.ID)
	}
	return nil
}

// updatePoll applies the poll of an Update(Question) of a remote status.
// done is true when the poll's tally is all that changed (as in Mastodon's
// tally updates), so the status needs no new version.
func (f *Federation) updatePoll(ctx context.Context, st *store.Status, ns *store.NewStatus) (done bool, err error) {
	if ns.Poll == nil || st.Local {
		return false, nil
	}
	if _, err := f.Store.UpdatePoll(ctx, st.ID, *ns.Poll); err != nil {
		return false, err
	}
	return st.Poll != nil && ns.Content == st.Content && ns.SpoilerText == st.SpoilerText && ns.Sensitive == st.Sensitive, nil
}
