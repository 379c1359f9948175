package server

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roost-social/roost/server/mastodon"
	"github.com/roost-social/roost/store"
)

// Polls: a poll is made with its status (poll[options][], poll[expires_in],
// poll[multiple], poll[hide_totals]) and has the status's ID, so
// /api/v1/polls/:id takes a status ID; who may see the status may see and
// vote in its poll.

// pollParamsSent reports whether a request carries poll parameters.
func (c *call) pollParamsSent() bool {
	for k := range c.p {
		if strings.HasPrefix(k, "poll[") {
			return true
		}
	}
	return false
}

// newPoll validates the poll parameters of a new status against the limits
// the instance reports (configuration.polls), with Mastodon's messages; nil
// when none were sent. Blank options are dropped first, as Mastodon does.
func (c *call) newPoll(now time.Time) (*store.Poll, error) {
	if !c.pollParamsSent() {
		return nil, nil
	}
	lim := pollLimits()
	var titles []string
	for _, o := range c.p.strs("poll[options]") {
		if o = strings.TrimSpace(o); o != "" {
			titles = append(titles, o)
		}
	}
	switch {
	case len(titles) < 2:
		return nil, unprocessable("Validation failed: Poll options must have more than one item")
	case len(titles) > lim.MaxOptions:
		return nil, unprocessable(fmt.Sprintf("Validation failed: Poll options can't contain more than %d items", lim.MaxOptions))
	}
	p := &store.Poll{Multiple: c.p.boolean("poll[multiple]"), HideTotals: c.p.boolean("poll[hide_totals]")}
	for i, t := range titles {
		if len([]rune(t)) > lim.MaxCharactersPerOption {
			return nil, unprocessable(fmt.Sprintf("Validation failed: Poll options cannot be longer than %d characters each", lim.MaxCharactersPerOption))
		}
		if slices.Contains(titles[:i], t) {
			return nil, unprocessable("Validation failed: Poll options contain duplicate items")
		}
		p.Options = append(p.Options, store.PollOption{Title: t})
	}
	secs, err := strconv.ParseFloat(strings.TrimSpace(c.p.str("poll[expires_in]")), 64)
	switch {
	case err != nil || secs < float64(lim.MinExpiration):
		return nil, unprocessable("Validation failed: Poll expires at is too soon")
	case secs > float64(lim.MaxExpiration):
		return nil, unprocessable("Validation failed: Poll expires at is too far into the future")
	}
	end := now.Add(time.Duration(secs) * time.Second).UTC()
	p.ExpiresAt = &end
	return p, nil
}

// samePoll reports whether the poll parameters of an edit describe the poll
// the status has: apps send the poll again with every edit.
func (c *call) samePoll(p *store.Poll) bool {
	if p == nil {
		return false
	}
	var titles []string
	for _, o := range c.p.strs("poll[options]") {
		if o = strings.TrimSpace(o); o != "" {
			titles = append(titles, o)
		}
	}
	if len(titles) != len(p.Options) || (c.p.has("poll[multiple]") && c.p.boolean("poll[multiple]") != p.Multiple) {
		return false
	}
	for i, t := range titles {
		if t != p.Options[i].Title {
			return false
		}
	}
	return true
}

// ownVotes fills the viewer's votes into converted statuses.
func (c *call) ownVotes(out []mastodon.Status, ss []*store.Status) error {
	if c.viewer == nil {
		return nil
	}
	ids := mastodon.PollIDs(ss)
	if len(ids) == 0 {
		return nil
	}
	votes, err := c.s.store.PollVotes(c.r.Context(), c.viewer.ID, ids)
	if err != nil {
		return err
	}
	mastodon.SetOwnVotes(out, votes)
	return nil
}

// pollStatus loads the status of the poll :id if the viewer may see it.
func (c *call) pollStatus() (*store.Status, error) {
	st, err := c.visibleStatus()
	if err != nil {
		return nil, err
	}
	if st.Poll == nil {
		return nil, errNotFound
	}
	return st, nil
}

// renderPoll converts the poll of st for the viewer, with the viewer's
// votes (choices, when known; else looked up).
func (c *call) renderPoll(st *store.Status, p *store.Poll, choices []int) (*mastodon.Poll, error) {
	out := c.s.env.Poll(p, c.viewerID(), st.AccountID)
	if c.viewer != nil && choices == nil {
		votes, err := c.s.store.PollVotes(c.r.Context(), c.viewer.ID, []string{p.ID})
		if err != nil {
			return nil, err
		}
		choices = votes[p.ID]
	}
	out.SetOwnVotes(choices)
	return out, nil
}

// getPoll is GET /api/v1/polls/:id.
func (s *Server) getPoll(c *call) error {
	st, err := c.pollStatus()
	if err != nil {
		return err
	}
	out, err := c.renderPoll(st, st.Poll, nil)
	if err != nil {
		return err
	}
	return c.ok(out)
}

// vote is POST /api/v1/polls/:id/votes with choices[] (option indexes); it
// answers with the poll. A vote is final: voting again is refused, as in
// Mastodon's apps. A vote in a remote poll goes to the poll's server; a vote
// in a local poll sends the new tally to the author's followers shortly.
func (s *Server) vote(c *call) error {
	st, err := c.pollStatus()
	if err != nil {
		return err
	}
	raw := c.p.strs("choices")
	if len(raw) == 0 {
		return unprocessable("Validation failed: Choices can't be blank")
	}
	var choices []int
	for _, r := range raw {
		n, err := strconv.Atoi(strings.TrimSpace(r))
		if err != nil || n < 0 || n >= len(st.Poll.Options) {
			return unprocessable("Validation failed: The chosen vote option does not exist")
		}
		if !slices.Contains(choices, n) {
			choices = append(choices, n)
		}
	}
	slices.Sort(choices)
	switch {
	case st.AccountID == c.viewer.ID:
		return unprocessable("Validation failed: You cannot vote in your own polls")
	case st.Poll.Expired(time.Now()):
		return unprocessable("Validation failed: The poll has already ended")
	case !st.Poll.Multiple && len(choices) > 1:
		return unprocessable("Validation failed: This poll allows only one choice")
	}
	prior, err := s.store.PollVotes(c.r.Context(), c.viewer.ID, []string{st.Poll.ID})
	if err != nil {
		return err
	}
	if len(prior[st.Poll.ID]) > 0 {
		return unprocessable("Validation failed: You have already voted on this poll")
	}
	ctx, err := s.fed.Vote(c.r.Context(), c.viewer, st, choices)
	if err != nil {
		return err
	}
	p, err := s.store.Vote(ctx, c.viewer.ID, st.Poll.ID, choices)
	switch {
	case errors.Is(err, store.ErrPollExpired):
		return unprocessable("Validation failed: The poll has already ended")
	case errors.Is(err, store.ErrPollSelfVote):
		return unprocessable("Validation failed: You cannot vote in your own polls")
	case errors.Is(err, store.ErrPollChoice):
		return unprocessable("Validation failed: The chosen vote option does not exist")
	case errors.Is(err, store.ErrConflict):
		return unprocessable("Validation failed: You have already voted on this poll")
	case err != nil:
		return err
	}
	if st.Local && !p.HideTotals {
		s.fed.PollChanged(st.ID)
	}
	s.fed.Nudge()
	out, err := c.renderPoll(st, p, choices)
	if err != nil {
		return err
	}
	return c.ok(out)
}

// notificationVotes fills the viewer's votes into the statuses of
// converted notifications.
func (c *call) notificationVotes(out []mastodon.Notification, ss []*store.Status) error {
	var shown []mastodon.Status
	for _, n := range out {
		if n.Status != nil {
			shown = append(shown, *n.Status) // copies share their *Poll
		}
	}
	return c.ownVotes(shown, ss)
}
