package activity

import (
	"strings"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

func TestQuestionFrom(t *testing.T) {
	author := &store.Account{Username: "alice", URI: "https://roost.example/users/alice", URL: "https://roost.example/@alice"}
	end := time.Date(2024, 6, 2, 12, 0, 0, 0, time.UTC)
	s := &store.Status{ID: "1", URI: author.URI + "/statuses/1", Content: "<p>which?</p>", Visibility: store.VisibilityPublic,
		CreatedAt: end.Add(-time.Hour), Poll: &store.Poll{
			Options:  []store.PollOption{{Title: "a", VotesCount: 2}, {Title: "b"}},
			Multiple: true, ExpiresAt: &end, VotersCount: 2,
		}}
	n := NoteFrom(s, author, "", author.URI+"/followers", nil)
	q := QuestionFrom(n, s.Poll, end.Add(-time.Minute))
	if n.Type != "Note" {
		t.Fatal("QuestionFrom changed the Note")
	}
	b, err := Marshal(Create(author.URI, q, s.CreatedAt, n.To, n.CC))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(b), "@context") != 1 {
		t.Fatalf("the embedded Question keeps its @context: %s", b)
	}
	act, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	o := act.Object.Object
	if act.ID != s.URI+"/activity" || o == nil || o.Type != "Question" || o.ID != s.URI || o.Content != "<p>which?</p>" {
		t.Fatalf("create %s", b)
	}
	opts, multiple := o.PollOptions()
	if !multiple || len(opts) != 2 || opts[0] != (PollOption{Name: "a", Votes: 2}) || opts[1] != (PollOption{Name: "b"}) {
		t.Fatalf("options %+v, multiple %v", opts, multiple)
	}
	if !o.EndTime.Equal(end) || !o.Closed.IsZero() || o.VotersCount != 2 || len(o.OneOf) != 0 {
		t.Fatalf("endTime %v closed %v voters %d", o.EndTime, o.Closed, o.VotersCount)
	}

	// Once ended, closed is the end; single choice is oneOf.
	s.Poll.Multiple = false
	qb, err := Marshal(QuestionFrom(n, s.Poll, end))
	if err != nil {
		t.Fatal(err)
	}
	o, err = Decode(qb)
	if err != nil {
		t.Fatal(err)
	}
	if _, multiple := o.PollOptions(); multiple || len(o.OneOf) != 2 || !o.Closed.Equal(end) {
		t.Fatalf("ended single-choice question %s", qb)
	}
	if !strings.Contains(string(qb), `"votersCount":2`) || !strings.Contains(string(qb), `"endTime":"2024-06-02T12:00:00Z"`) {
		t.Fatalf("question %s", qb)
	}
}

func TestVoteFor(t *testing.T) {
	v := VoteFor("https://roost.example/users/bob#votes/9", "https://roost.example/users/bob",
		"https://remote.example/users/alice/statuses/1", "https://remote.example/users/alice", "orange")
	b, err := Marshal(Create(v.AttributedTo, v, time.Date(2024, 6, 2, 12, 0, 0, 0, time.UTC), v.To, nil))
	if err != nil {
		t.Fatal(err)
	}
	act, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	o := act.Object.Object
	if act.Type != "Create" || act.ID != v.ID+"/activity" || o == nil || o.Type != "Note" || o.Name != "orange" ||
		o.InReplyTo.ID() != "https://remote.example/users/alice/statuses/1" || o.Author() != v.AttributedTo ||
		len(o.To) != 1 || o.To[0] != "https://remote.example/users/alice" || o.Content != "" {
		t.Fatalf("vote %s", b)
	}
}
