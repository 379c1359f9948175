package federation

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/sqlite"
	"github.com/roost-social/roost/store/storetest"
)

// The poll tests feed the shared fixtures (moved onto local.example, with
// their poll ends moved into the future) straight to the inbox's
// dispatcher, past the signature checks the inbox tests cover, on a
// Federation that makes no requests, and read what it stored and queued.

// pollFed is a Federation for https://local.example on a fresh store.
func pollFed(t *testing.T) *Federation {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "roost.db"), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(st, logger, "https://local.example", "local.example", nil)
}

// pollLocal makes the local account name.
func pollLocal(t *testing.T, f *Federation, name string) *store.Account {
	t.Helper()
	uri := f.BaseURL + "/users/" + name
	a := &store.Account{Username: name, URI: uri, URL: f.BaseURL + "/@" + name, InboxURL: uri + "/inbox",
		FollowersURL: uri + "/followers", KeyID: uri + "#main-key"}
	if err := f.Store.CreateLocalAccount(t.Context(), a, &store.User{Email: name + "@example.com", Role: store.RoleUser}); err != nil {
		t.Fatal(err)
	}
	return a
}

// pollFixture reads an activity of the corpus, moved onto our host.
func pollFixture(t *testing.T, name string, repl ...string) *activity.Object {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "activitypub", "activities", name+".json"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("fixture corpus not found: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "https://local.example/club/test", "https://local.example/users/test")
	for i := 0; i+1 < len(repl); i += 2 {
		s = strings.ReplaceAll(s, repl[i], repl[i+1])
	}
	act, err := activity.Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return act
}

// takeDeliveries returns the activities queued, decoded, with their inboxes.
func takeDeliveries(t *testing.T, f *Federation) (acts []map[string]any, inboxes []string) {
	t.Helper()
	due, err := f.Store.TakeDeliveries(t.Context(), time.Now().Add(time.Hour), 100, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range due {
		var m map[string]any
		if err := json.Unmarshal(d.Payload, &m); err != nil {
			t.Fatal(err)
		}
		acts = append(acts, m)
		inboxes = append(inboxes, d.Inbox)
		if err := f.Store.DeliveryDone(t.Context(), d.ID); err != nil {
			t.Fatal(err)
		}
	}
	return acts, inboxes
}

func pollCountsOf(p *store.Poll) []int {
	out := make([]int, len(p.Options))
	for i, o := range p.Options {
		out[i] = o.VotesCount
	}
	return out
}

func TestRemoteQuestion(t *testing.T) {
	f := pollFed(t)
	ctx := t.Context()
	test := pollLocal(t, f, "test")
	alice := storetest.MustCreateRemote(t, f.Store, "alice", "remote.example")
	storetest.MustFollow(t, f.Store, test, alice)
	end := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	moveEnd := []string{"2026-08-12T02:32:01Z", end.Format(time.RFC3339)}

	if err := f.apply(ctx, alice, pollFixture(t, "mastodon-create-question-4.3", moveEnd...)); err != nil {
		t.Fatal(err)
	}
	const uri = "https://remote.example/users/alice/statuses/117074527616629378"
	st, err := f.Store.StatusByURI(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Poll
	if p == nil || p.Multiple || p.Local || len(p.Options) != 4 || p.Options[3].Title != "D" || p.VotersCount != 0 {
		t.Fatalf("poll %+v", p)
	}
	if p.ExpiresAt == nil || !p.ExpiresAt.Equal(end) {
		t.Fatalf("expires at %v, want %v", p.ExpiresAt, end)
	}
	if strings.Contains(st.Content, "<li>") {
		t.Fatalf("the options are no longer text: %s", st.Content)
	}

	// The tally update changes the counts and makes no new version.
	if err := f.apply(ctx, alice, pollFixture(t, "mastodon-update-question-vote-tally", moveEnd...)); err != nil {
		t.Fatal(err)
	}
	st, _ = f.Store.StatusByURI(ctx, uri)
	if got := pollCountsOf(st.Poll); !slices.Equal(got, []int{3, 0, 1, 0}) || st.Poll.VotersCount != 4 || st.Poll.VotesCount != 4 {
		t.Fatalf("after the tally update: %v, %d voters", got, st.Poll.VotersCount)
	}
	if st.EditedAt != nil {
		t.Fatalf("a tally update made an edit at %v", st.EditedAt)
	}

	// A local vote goes to the poll's author as Mastodon sends it, and
	// counts here at once.
	vctx, err := f.Vote(ctx, test, st, []int{2})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = f.Store.Vote(vctx, test.ID, st.ID, []int{2}); err != nil {
		t.Fatal(err)
	}
	if got := pollCountsOf(p); !slices.Equal(got, []int{3, 0, 2, 0}) || p.VotersCount != 5 {
		t.Fatalf("after the local vote: %v, %d voters", got, p.VotersCount)
	}
	acts, inboxes := takeDeliveries(t, f)
	if len(acts) != 1 || inboxes[0] != alice.InboxURL {
		t.Fatalf("deliveries %v to %v", acts, inboxes)
	}
	obj, _ := acts[0]["object"].(map[string]any)
	if acts[0]["type"] != "Create" || acts[0]["actor"] != test.URI || obj["type"] != "Note" || obj["name"] != "C" ||
		obj["inReplyTo"] != uri || obj["attributedTo"] != test.URI || !strings.HasPrefix(obj["id"].(string), test.URI+"#votes/") {
		t.Fatalf("vote %v", acts[0])
	}
	if to, _ := obj["to"].([]any); len(to) != 1 || to[0] != alice.URI {
		t.Fatalf("vote addressed to %v", obj["to"])
	}
	if acts[0]["id"] != obj["id"].(string)+"/activity" {
		t.Fatalf("vote activity id %v", acts[0]["id"])
	}
}

func TestMisskeyQuestion(t *testing.T) {
	f := pollFed(t)
	ctx := t.Context()
	pollLocal(t, f, "test") // mentioned, so the post is relevant
	alice := storetest.MustCreateRemote(t, f.Store, "alice", "remote.example")
	if err := f.apply(ctx, alice, pollFixture(t, "misskey-create-question")); err != nil {
		t.Fatal(err)
	}
	st, err := f.Store.StatusByURI(ctx, "https://remote.example/notes/aprn0hr809")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 8, 11, 3, 1, 40, 292e6, time.UTC)
	if p := st.Poll; p == nil || len(p.Options) != 4 || p.Multiple || p.ExpiresAt == nil || !p.ExpiresAt.Equal(want) {
		t.Fatalf("poll %+v", st.Poll)
	}
}

func TestIncomingVote(t *testing.T) {
	f := pollFed(t)
	ctx := t.Context()
	alice := pollLocal(t, f, "alice")
	bob := storetest.MustCreateRemote(t, f.Store, "bob", "mastodon.example")
	end := time.Now().Add(time.Hour)
	st, err := f.Store.CreateStatus(ctx, store.NewStatus{AccountID: alice.ID, Content: "<p>fruit?</p>", Local: true,
		Poll: &store.Poll{Options: []store.PollOption{{Title: "apple"}, {Title: "orange"}}, ExpiresAt: &end}})
	if err != nil {
		t.Fatal(err)
	}
	vote := pollFixture(t, "mastodon-create-poll-vote", "https://mastodon.example/users/alice/statuses/1009947848598745", st.URI)
	if err := f.apply(ctx, bob, vote); err != nil {
		t.Fatal(err)
	}
	if err := f.apply(ctx, bob, vote); err != nil {
		t.Fatalf("a vote delivered twice: %v", err)
	}
	got, _ := f.Store.StatusByID(ctx, st.ID)
	if c := pollCountsOf(got.Poll); !slices.Equal(c, []int{0, 1}) || got.Poll.VotersCount != 1 || got.RepliesCount != 0 {
		t.Fatalf("after the vote: %v, %d voters, %d replies", c, got.Poll.VotersCount, got.RepliesCount)
	}
	desc, err := f.Store.Descendants(ctx, alice.ID, st.ID, 0)
	if err != nil || len(desc) != 0 {
		t.Fatalf("the vote became a reply: %v %v", desc, err)
	}

	// The new tally is scheduled, and goes to the voter (the author has no
	// followers) as an Update of the Question.
	ids, _ := f.polls.takeDue(time.Now().Add(pollUpdateDelay + time.Second))
	if !slices.Equal(ids, []string{st.ID}) {
		t.Fatalf("scheduled updates %v", ids)
	}
	if err := f.SendPollUpdate(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	acts, inboxes := takeDeliveries(t, f)
	if len(acts) != 1 || inboxes[0] != bob.SharedInbox {
		t.Fatalf("deliveries %v to %v", acts, inboxes)
	}
	q, _ := acts[0]["object"].(map[string]any)
	if acts[0]["type"] != "Update" || q["type"] != "Question" || q["votersCount"] != 1.0 || q["@context"] != nil {
		t.Fatalf("update %v", acts[0])
	}
	oneOf, _ := q["oneOf"].([]any)
	if len(oneOf) != 2 || oneOf[1].(map[string]any)["name"] != "orange" ||
		oneOf[1].(map[string]any)["replies"].(map[string]any)["totalItems"] != 1.0 {
		t.Fatalf("options %v", q["oneOf"])
	}

	// A vote in an ended poll is refused.
	past := time.Now().Add(-time.Minute)
	over, err := f.Store.CreateStatus(ctx, store.NewStatus{AccountID: alice.ID, Content: "<p>over</p>", Local: true,
		Poll: &store.Poll{Options: []store.PollOption{{Title: "apple"}, {Title: "orange"}}, ExpiresAt: &past}})
	if err != nil {
		t.Fatal(err)
	}
	late := pollFixture(t, "mastodon-create-poll-vote", "https://mastodon.example/users/alice/statuses/1009947848598745", over.URI)
	var ie *InboxError
	if err := f.apply(ctx, bob, late); !errors.As(err, &ie) || ie.Status != http.StatusUnprocessableEntity {
		t.Fatalf("vote in an ended poll: %v", err)
	}

	// The end of a poll notifies the author and sends the final tally,
	// closed.
	f.EndPolls(ctx, time.Now().Add(2*time.Hour))
	ids, _ = f.polls.takeDue(time.Now().Add(2 * time.Hour))
	if !slices.Equal(ids, []string{st.ID, over.ID}) && !slices.Equal(ids, []string{over.ID, st.ID}) {
		t.Fatalf("final updates %v", ids)
	}
	if err := f.SendPollUpdate(ctx, over.ID); err != nil {
		t.Fatal(err)
	}
	acts, _ = takeDeliveries(t, f)
	if len(acts) != 0 {
		t.Fatalf("an ended poll nobody voted in, of an author nobody follows, went to %v", acts)
	}
	storetest.MustFollow(t, f.Store, bob, alice)
	if err := f.SendPollUpdate(ctx, over.ID); err != nil {
		t.Fatal(err)
	}
	acts, inboxes = takeDeliveries(t, f)
	if len(acts) != 1 || inboxes[0] != bob.SharedInbox {
		t.Fatalf("final update %v to %v", acts, inboxes)
	}
	if q, _ := acts[0]["object"].(map[string]any); q["closed"] == nil || q["closed"] != q["endTime"] {
		t.Fatalf("final update without closed: %v", q)
	}
	ns, err := f.Store.Notifications(ctx, alice.ID, store.NotificationFilter{Types: []string{store.NotifyPoll}}, store.Page{Limit: 10})
	if err != nil || len(ns) != 2 {
		t.Fatalf("alice's poll notifications %v %v", ns, err)
	}
}

func TestRunPollsSendsTally(t *testing.T) {
	f := pollFed(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.RunPolls(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	alice := pollLocal(t, f, "alice")
	bob := storetest.MustCreateRemote(t, f.Store, "bob", "mastodon.example")
	storetest.MustFollow(t, f.Store, bob, alice)
	end := time.Now().Add(time.Hour)
	st, err := f.Store.CreateStatus(ctx, store.NewStatus{AccountID: alice.ID, Content: "<p>?</p>", Local: true,
		Poll: &store.Poll{Options: []store.PollOption{{Title: "a"}, {Title: "b"}}, ExpiresAt: &end}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Store.Vote(ctx, bob.ID, st.ID, []int{0}); err != nil {
		t.Fatal(err)
	}
	f.PollChanged(st.ID)
	f.PollChanged(st.ID) // a second change in the window adds nothing
	deadline := time.Now().Add(10 * time.Second)
	var acts []map[string]any
	for len(acts) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		acts, _ = takeDeliveries(t, f)
	}
	if len(acts) != 1 || acts[0]["type"] != "Update" {
		t.Fatalf("tally updates %v", acts)
	}
}
