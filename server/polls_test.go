package server

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

type pollJSON struct {
	ID          string  `json:"id"`
	ExpiresAt   *string `json:"expires_at"`
	Expired     bool    `json:"expired"`
	Multiple    bool    `json:"multiple"`
	VotesCount  int     `json:"votes_count"`
	VotersCount *int    `json:"voters_count"`
	Options     []struct {
		Title      string `json:"title"`
		VotesCount *int   `json:"votes_count"`
	} `json:"options"`
	Emojis   []any `json:"emojis"`
	Voted    *bool `json:"voted"`
	OwnVotes []int `json:"own_votes"`
}

// counts is the per-option counts, -1 for a hidden one.
func (p pollJSON) counts() []int {
	out := make([]int, len(p.Options))
	for i, o := range p.Options {
		out[i] = -1
		if o.VotesCount != nil {
			out[i] = *o.VotesCount
		}
	}
	return out
}

type statusWithPoll struct {
	ID     string    `json:"id"`
	Poll   *pollJSON `json:"poll"`
	Reblog *struct {
		ID   string    `json:"id"`
		Poll *pollJSON `json:"poll"`
	} `json:"reblog"`
}

// postPoll posts a poll as u and returns the status.
func (in *instance) postPoll(u *user, text string, options []string, extra ...string) statusWithPoll {
	in.t.Helper()
	form := url.Values{"status": {text}, "poll[options][]": options, "poll[expires_in]": {"3600"}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	var s statusWithPoll
	u.post(in, "/api/v1/statuses", form).want(in.t, 200).decode(in.t, &s)
	if s.Poll == nil {
		in.t.Fatalf("status %s has no poll", s.ID)
	}
	return s
}

func (u *user) getPoll(t *testing.T, in *instance, id string) pollJSON {
	t.Helper()
	var p pollJSON
	u.get(in, "/api/v1/polls/"+id).want(t, 200).decode(t, &p)
	return p
}

func TestCreatePoll(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	before := time.Now()
	st := in.postPoll(alice, "tea or coffee?", []string{"tea", " coffee ", "  "})
	p := st.Poll
	if p.ID != st.ID || p.Expired || p.Multiple || p.VotesCount != 0 || p.VotersCount == nil || *p.VotersCount != 0 {
		t.Fatalf("new poll %+v", p)
	}
	if len(p.Options) != 2 || p.Options[0].Title != "tea" || p.Options[1].Title != "coffee" {
		t.Fatalf("options %+v: blank ones dropped, the others trimmed", p.Options)
	}
	if !slices.Equal(p.counts(), []int{0, 0}) || p.Emojis == nil {
		t.Fatalf("counts %v, emojis %v", p.counts(), p.Emojis)
	}
	end, err := time.Parse(time.RFC3339, *p.ExpiresAt)
	if err != nil || end.Before(before.Add(time.Hour-time.Second)) || end.After(time.Now().Add(time.Hour+time.Second)) {
		t.Fatalf("expires_at %s, want in an hour", *p.ExpiresAt)
	}
	// The author counts as having voted, as in Mastodon.
	if p.Voted == nil || !*p.Voted || p.OwnVotes == nil || len(p.OwnVotes) != 0 {
		t.Fatalf("author's voted %v, own_votes %v", p.Voted, p.OwnVotes)
	}

	// JSON, as Mastodon's web app sends it.
	var js statusWithPoll
	alice.post(in, "/api/v1/statuses", map[string]any{
		"status": "pick any",
		"poll":   map[string]any{"options": []string{"a", "b", "c", "d"}, "expires_in": 300, "multiple": true, "hide_totals": true},
	}).want(t, 200).decode(t, &js)
	if js.Poll == nil || !js.Poll.Multiple || len(js.Poll.Options) != 4 || !slices.Equal(js.Poll.counts(), []int{-1, -1, -1, -1}) {
		t.Fatalf("JSON poll %+v", js.Poll)
	}

	// Anonymous readers get no voted or own_votes.
	r := in.do("GET", "/api/v1/polls/"+st.ID, "", nil).want(t, 200)
	if m := r.obj(t); m["voted"] != nil || m["own_votes"] != nil || m["voters_count"] == nil {
		t.Fatalf("anonymous poll %s", r.body)
	}
	if r := in.do("GET", "/api/v1/statuses/"+st.ID, "", nil).want(t, 200); !strings.Contains(string(r.body), `"title":"tea"`) {
		t.Fatalf("status without its poll: %s", r.body)
	}
	// A status without a poll has none, and no poll under its ID.
	plain := in.postStatus(alice, "no poll")
	var ps statusWithPoll
	alice.get(in, "/api/v1/statuses/"+plain).want(t, 200).decode(t, &ps)
	if ps.Poll != nil {
		t.Fatalf("plain status has poll %+v", ps.Poll)
	}
	alice.get(in, "/api/v1/polls/"+plain).want(t, 404)
	alice.get(in, "/api/v1/polls/123").want(t, 404)
	alice.get(in, "/api/v1/polls/nonsense").want(t, 404)
}

func TestPollLimits(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	long := strings.Repeat("é", 51)
	cases := []struct {
		options   []string
		expiresIn string
		want      string
	}{
		{[]string{"only"}, "3600", "Poll options must have more than one item"},
		{[]string{"a", " "}, "3600", "Poll options must have more than one item"},
		{nil, "3600", "Poll options must have more than one item"},
		{[]string{"a", "b", "c", "d", "e"}, "3600", "Poll options can't contain more than 4 items"},
		{[]string{"a", long}, "3600", "Poll options cannot be longer than 50 characters each"},
		{[]string{"a", "b", "a"}, "3600", "Poll options contain duplicate items"},
		{[]string{"a", "b"}, "299", "Poll expires at is too soon"},
		{[]string{"a", "b"}, "", "Poll expires at is too soon"},
		{[]string{"a", "b"}, "soon", "Poll expires at is too soon"},
		{[]string{"a", "b"}, "2629747", "Poll expires at is too far into the future"},
	}
	for _, c := range cases {
		form := url.Values{"status": {"poll"}, "poll[options][]": c.options, "poll[expires_in]": {c.expiresIn}}
		r := alice.post(in, "/api/v1/statuses", form).want(t, 422)
		if got := r.errorText(t); got != "Validation failed: "+c.want {
			t.Errorf("options %q expires_in %q: %q, want %q", c.options, c.expiresIn, got, c.want)
		}
	}
	// The limits themselves are fine.
	in.postPoll(alice, "edges", []string{"a", "b", "c", strings.Repeat("é", 50)}, "poll[expires_in]", "300")
	in.postPoll(alice, "edges", []string{"a", "b"}, "poll[expires_in]", "2629746")
	// Nothing was stored by the refused ones.
	var home []statusWithPoll
	alice.get(in, "/api/v1/timelines/home").want(t, 200).decode(t, &home)
	if len(home) != 2 {
		t.Fatalf("home holds %d statuses, want the 2 accepted polls", len(home))
	}
}

func TestVote(t *testing.T) {
	in := newInstance(t)
	alice, bob, carol := in.newUser("alice"), in.newUser("bob"), in.newUser("carol")
	bob.post(in, "/api/v1/accounts/"+alice.ID+"/follow", nil).want(t, 200)
	st := in.postPoll(alice, "which?", []string{"a", "b", "c"})
	votes := "/api/v1/polls/" + st.ID + "/votes"

	var p pollJSON
	bob.post(in, votes, url.Values{"choices[]": {"1"}}).want(t, 200).decode(t, &p)
	if !slices.Equal(p.counts(), []int{0, 1, 0}) || p.VotesCount != 1 || *p.VotersCount != 1 || !*p.Voted || !slices.Equal(p.OwnVotes, []int{1}) {
		t.Fatalf("after bob's vote: %+v", p)
	}
	refused := []struct {
		u    *user
		body any
		want string
	}{
		{bob, url.Values{"choices[]": {"2"}}, "You have already voted on this poll"},
		{bob, url.Values{"choices[]": {"1"}}, "You have already voted on this poll"},
		{alice, url.Values{"choices[]": {"0"}}, "You cannot vote in your own polls"},
		{carol, url.Values{"choices[]": {"3"}}, "The chosen vote option does not exist"},
		{carol, url.Values{"choices[]": {"-1"}}, "The chosen vote option does not exist"},
		{carol, url.Values{"choices[]": {"x"}}, "The chosen vote option does not exist"},
		{carol, url.Values{"choices[]": {"0", "2"}}, "This poll allows only one choice"},
		{carol, url.Values{}, "Choices can't be blank"},
	}
	for _, r := range refused {
		if got := r.u.post(in, votes, r.body).want(t, 422).errorText(t); got != "Validation failed: "+r.want {
			t.Errorf("%s votes %v: %q, want %q", r.u.Username, r.body, got, r.want)
		}
	}
	in.do("POST", votes, "", url.Values{"choices[]": {"0"}}).want(t, 401)
	readOnly := in.newUser("reader", "read")
	readOnly.post(in, votes, url.Values{"choices[]": {"0"}}).want(t, 403)

	// JSON choices, as numbers.
	carol.post(in, votes, map[string]any{"choices": []int{2}}).want(t, 200).decode(t, &p)
	if !slices.Equal(p.counts(), []int{0, 1, 1}) || *p.VotersCount != 2 || !slices.Equal(p.OwnVotes, []int{2}) {
		t.Fatalf("after carol's vote: %+v", p)
	}

	// Each viewer sees their own votes, wherever the status shows.
	if p := bob.getPoll(t, in, st.ID); !*p.Voted || !slices.Equal(p.OwnVotes, []int{1}) || !slices.Equal(p.counts(), []int{0, 1, 1}) {
		t.Fatalf("bob's view: %+v", p)
	}
	if p := alice.getPoll(t, in, st.ID); !*p.Voted || len(p.OwnVotes) != 0 {
		t.Fatalf("alice's view: %+v", p)
	}
	dave := in.newUser("dave")
	if p := dave.getPoll(t, in, st.ID); *p.Voted || p.OwnVotes == nil || len(p.OwnVotes) != 0 {
		t.Fatalf("dave's view: %+v", p)
	}
	var home []statusWithPoll
	bob.get(in, "/api/v1/timelines/home").want(t, 200).decode(t, &home)
	if len(home) != 1 || home[0].Poll == nil || !slices.Equal(home[0].Poll.OwnVotes, []int{1}) {
		t.Fatalf("bob's home %+v", home)
	}
	reply := in.postStatus(bob, "I chose b", "in_reply_to_id", st.ID)
	var ctx struct{ Ancestors []statusWithPoll }
	bob.get(in, "/api/v1/statuses/"+reply+"/context").want(t, 200).decode(t, &ctx)
	if len(ctx.Ancestors) != 1 || ctx.Ancestors[0].Poll == nil || !slices.Equal(ctx.Ancestors[0].Poll.OwnVotes, []int{1}) {
		t.Fatalf("context %+v", ctx.Ancestors)
	}
	var boost statusWithPoll
	dave.post(in, "/api/v1/statuses/"+st.ID+"/reblog", nil).want(t, 200)
	bob.post(in, "/api/v1/accounts/"+dave.ID+"/follow", nil).want(t, 200)
	var daves []statusWithPoll
	bob.get(in, "/api/v1/accounts/"+dave.ID+"/statuses").want(t, 200).decode(t, &daves)
	if len(daves) != 1 {
		t.Fatalf("dave's statuses %+v", daves)
	}
	boost = daves[0]
	if boost.Poll != nil || boost.Reblog == nil || boost.Reblog.Poll == nil || !slices.Equal(boost.Reblog.Poll.OwnVotes, []int{1}) {
		t.Fatalf("boost %+v", boost)
	}
}

func TestVoteMultipleAndHiddenTotals(t *testing.T) {
	in := newInstance(t)
	alice, bob, carol := in.newUser("alice"), in.newUser("bob"), in.newUser("carol")
	st := in.postPoll(alice, "any of these", []string{"a", "b", "c", "d"}, "poll[multiple]", "true", "poll[hide_totals]", "true")
	votes := "/api/v1/polls/" + st.ID + "/votes"
	var p pollJSON
	bob.post(in, votes, url.Values{"choices[]": {"3", "0", "3"}}).want(t, 200).decode(t, &p)
	if !slices.Equal(p.OwnVotes, []int{0, 3}) || p.VotesCount != 2 || *p.VotersCount != 1 {
		t.Fatalf("after bob's vote: %+v", p)
	}
	// Totals stay hidden from everyone, the author too, until the end.
	if !slices.Equal(p.counts(), []int{-1, -1, -1, -1}) {
		t.Fatalf("hidden counts shown: %v", p.counts())
	}
	if got := alice.getPoll(t, in, st.ID).counts(); !slices.Equal(got, []int{-1, -1, -1, -1}) {
		t.Fatalf("the author sees %v", got)
	}
	carol.post(in, votes, url.Values{"choices[]": {"0"}}).want(t, 200).decode(t, &p)
	bob.post(in, votes, url.Values{"choices[]": {"1"}}).want(t, 422)
	if p.VotesCount != 3 || *p.VotersCount != 2 {
		t.Fatalf("after carol's vote: %+v", p)
	}
}

func TestPollEnds(t *testing.T) {
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	st := in.postPoll(alice, "quick one", []string{"yes", "no"}, "poll[expires_in]", "300", "poll[hide_totals]", "true")
	var p pollJSON
	bob.post(in, "/api/v1/polls/"+st.ID+"/votes", url.Values{"choices[]": {"0"}}).want(t, 200).decode(t, &p)

	// A poll made an hour ago has ended.
	in.srv.now = func() time.Time { return time.Now().Add(-time.Hour) }
	old := in.postPoll(alice, "old one", []string{"yes", "no"}, "poll[expires_in]", "300", "poll[hide_totals]", "true")
	in.srv.now = time.Now
	if !old.Poll.Expired || !slices.Equal(old.Poll.counts(), []int{0, 0}) {
		t.Fatalf("ended poll %+v: expired, with its totals shown", old.Poll)
	}
	if got := bob.post(in, "/api/v1/polls/"+old.ID+"/votes", url.Values{"choices[]": {"0"}}).want(t, 422).errorText(t); got != "Validation failed: The poll has already ended" {
		t.Fatalf("vote in an ended poll: %q", got)
	}

	// The end is noticed by the background check: the author and the
	// voters get a "poll" notification, once.
	fed := in.srv.Federation()
	fed.EndPolls(context.Background(), time.Now())
	fed.EndPolls(context.Background(), time.Now().Add(10*time.Minute))
	fed.EndPolls(context.Background(), time.Now().Add(20*time.Minute))
	type notif struct {
		Type   string
		Status *statusWithPoll
	}
	var ns []notif
	alice.get(in, "/api/v1/notifications?types[]=poll").want(t, 200).decode(t, &ns)
	if len(ns) != 2 || ns[0].Status == nil || ns[0].Status.ID != st.ID || ns[1].Status.ID != old.ID {
		t.Fatalf("alice's poll notifications %+v", ns)
	}
	bob.get(in, "/api/v1/notifications?types[]=poll").want(t, 200).decode(t, &ns)
	if len(ns) != 1 || ns[0].Status == nil || ns[0].Status.Poll == nil || !slices.Equal(ns[0].Status.Poll.OwnVotes, []int{0}) {
		t.Fatalf("bob's poll notifications %+v", ns)
	}
}

func TestPollVisibility(t *testing.T) {
	in := newInstance(t)
	alice, bob, carol := in.newUser("alice"), in.newUser("bob"), in.newUser("carol")
	bob.post(in, "/api/v1/accounts/"+alice.ID+"/follow", nil).want(t, 200)
	st := in.postPoll(alice, "followers only", []string{"a", "b"}, "visibility", "private")
	path := "/api/v1/polls/" + st.ID
	bob.getPoll(t, in, st.ID)
	bob.post(in, path+"/votes", url.Values{"choices[]": {"0"}}).want(t, 200)
	carol.get(in, path).want(t, 404)
	carol.post(in, path+"/votes", url.Values{"choices[]": {"0"}}).want(t, 404)
	in.do("GET", path, "", nil).want(t, 404)

	// Editing keeps the poll; apps send it again, unchanged.
	var edited statusWithPoll
	in.do("PUT", "/api/v1/statuses/"+st.ID, alice.token, url.Values{"status": {"followers only, edited"},
		"poll[options][]": {"a", "b"}, "poll[expires_in]": {"3600"}}).want(t, 200).decode(t, &edited)
	if edited.Poll == nil || edited.Poll.VotesCount != 1 {
		t.Fatalf("edited poll %+v", edited.Poll)
	}
	if got := in.do("PUT", "/api/v1/statuses/"+st.ID, alice.token, url.Values{"status": {"x"},
		"poll[options][]": {"a", "c"}, "poll[expires_in]": {"3600"}}).want(t, 422).errorText(t); !strings.Contains(got, "Polls cannot be changed") {
		t.Fatalf("changing the poll: %q", got)
	}
	var history []struct {
		Poll *struct{ Options []struct{ Title string } }
	}
	alice.get(in, "/api/v1/statuses/"+st.ID+"/history").want(t, 200).decode(t, &history)
	if len(history) != 2 || history[0].Poll == nil || len(history[0].Poll.Options) != 2 {
		t.Fatalf("history %+v", history)
	}

	// Deleting the status deletes the poll.
	in.do("DELETE", "/api/v1/statuses/"+st.ID, alice.token, nil).want(t, 200)
	bob.get(in, path).want(t, 404)
}

func TestPollActivityPub(t *testing.T) {
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	st := in.postPoll(alice, "over the wire", []string{"x", "y", "z"})
	bob.post(in, "/api/v1/polls/"+st.ID+"/votes", url.Values{"choices[]": {"2"}}).want(t, 200)
	multi := in.postPoll(alice, "several", []string{"x", "y"}, "poll[multiple]", "true")

	q := in.getAP(t, "/users/alice/statuses/"+st.ID)
	opts, multiple := q.PollOptions()
	if q.Type != "Question" || multiple || len(opts) != 3 || opts[2].Name != "z" || opts[2].Votes != 1 || q.VotersCount != 1 {
		t.Fatalf("question %+v, options %+v", q, opts)
	}
	if q.EndTime.IsZero() || !q.Closed.IsZero() {
		t.Fatalf("endTime %v, closed %v", q.EndTime, q.Closed)
	}
	if _, multiple := in.getAP(t, "/users/alice/statuses/"+multi.ID).PollOptions(); !multiple {
		t.Fatal("a multiple-choice poll is not anyOf")
	}
	act := in.getAP(t, "/users/alice/statuses/"+st.ID+"/activity")
	if act.Type != "Create" || act.Object.Object == nil || act.Object.Object.Type != "Question" {
		t.Fatalf("activity %+v", act)
	}
	if n := in.getAP(t, "/users/alice/statuses/"+in.postStatus(alice, "plain")); n.Type != "Note" {
		t.Fatalf("a status without a poll is a %s", n.Type)
	}
}
