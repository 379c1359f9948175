package store

import (
	"errors"
	"time"
)

// Poll is the poll of a status. A poll has the ID of its status: the
// client API's /api/v1/polls/:id takes the status ID.
//
// For local polls the counts are the votes stored here. For remote polls
// they are the tally the poll's server last sent (Create or Update of its
// Question), plus the local votes cast since.
type Poll struct {
	ID         string // the status's ID
	Options    []PollOption
	Multiple   bool // several options may be chosen (anyOf)
	HideTotals bool // option counts are shown only once the poll has ended
	// ExpiresAt is when voting ends; nil for a poll without an end (only
	// remote polls can lack one).
	ExpiresAt *time.Time
	// VotesCount is the number of votes (one per chosen option);
	// VotersCount the number of accounts that voted.
	VotesCount  int
	VotersCount int
	// Local reports whether the poll's status is a local one.
	Local bool
}

// PollOption is one choice of a poll with the votes it has.
type PollOption struct {
	Title      string
	VotesCount int
}

// Expired reports whether voting has ended at now.
func (p *Poll) Expired(now time.Time) bool {
	return p.ExpiresAt != nil && !p.ExpiresAt.After(now)
}

// Errors of Vote, beside ErrNotFound (no such poll) and ErrConflict (a
// second vote on a single-choice poll, or an option chosen twice).
var (
	// ErrPollExpired means voting has ended.
	ErrPollExpired = errors.New("poll has ended")
	// ErrPollChoice means an option index that the poll does not have,
	// or several options on a single-choice poll.
	ErrPollChoice = errors.New("no such poll option")
	// ErrPollSelfVote means the poll's author tried to vote.
	ErrPollSelfVote = errors.New("authors cannot vote in their own polls")
)

// EndedPoll is a poll whose time has come, as EndPolls reports it.
type EndedPoll struct {
	StatusID string
	Local    bool
}
