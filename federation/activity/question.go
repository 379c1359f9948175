package activity

import (
	"time"

	"github.com/roost-social/roost/store"
)

// Question is a status with a poll as Mastodon serializes it: the status's
// Note with type Question, the options in oneOf (single choice) or anyOf
// (multiple choice), each a Note named after the option whose
// replies.totalItems is its vote count, endTime, closed once the poll has
// ended, and votersCount.
type Question struct {
	*Note
	OneOf       []PollChoice `json:"oneOf,omitempty"`
	AnyOf       []PollChoice `json:"anyOf,omitempty"`
	EndTime     string       `json:"endTime,omitempty"`
	Closed      string       `json:"closed,omitempty"`
	VotersCount int          `json:"votersCount"`
}

// PollChoice is one option of a Question.
type PollChoice struct {
	Type    string      `json:"type"`
	Name    string      `json:"name"`
	Replies *Collection `json:"replies"`
}

func (q *Question) withoutContext() any {
	if q == nil || q.Note == nil {
		return nil
	}
	c := *q
	n := *q.Note
	n.Context = nil
	c.Note = &n
	return &c
}

func (q *Question) documentID() string {
	if q == nil || q.Note == nil {
		return ""
	}
	return q.Note.ID
}

// QuestionFrom turns n, the Note of a status, into the Question of its poll
// p; closed is set when the poll has ended at now. n is not changed.
func QuestionFrom(n *Note, p *store.Poll, now time.Time) *Question {
	c := *n
	c.Type = "Question"
	q := &Question{Note: &c, VotersCount: max(p.VotersCount, 0)}
	choices := make([]PollChoice, len(p.Options))
	for i, o := range p.Options {
		choices[i] = PollChoice{
			Type:    "Note",
			Name:    o.Title,
			Replies: &Collection{Type: "Collection", TotalItems: count(o.VotesCount)},
		}
	}
	if p.Multiple {
		q.AnyOf = choices
	} else {
		q.OneOf = choices
	}
	if p.ExpiresAt != nil {
		q.EndTime = formatTime(*p.ExpiresAt)
		if p.Expired(now) {
			q.Closed = q.EndTime
		}
	}
	return q
}

// Vote is a vote in a remote poll as Mastodon sends it: a Note named
// after the chosen option, in reply to the Question, addressed to the
// poll's author only. A vote for several options is one Vote per option.
type Vote struct {
	ID           string   `json:"id"`
	Type         string   `json:"type"`
	Name         string   `json:"name"`
	AttributedTo string   `json:"attributedTo"`
	To           []string `json:"to"`
	InReplyTo    string   `json:"inReplyTo"`
}

func (v *Vote) withoutContext() any { return v }

func (v *Vote) documentID() string {
	if v == nil {
		return ""
	}
	return v.ID
}

// VoteFor returns the vote with the given id by voter for the option
// named choice of the poll question, written by author.
func VoteFor(id, voter, question, author, choice string) *Vote {
	return &Vote{ID: id, Type: "Note", Name: choice, AttributedTo: voter, To: []string{author}, InReplyTo: question}
}
