package federation_test

// Tests of the inbox: real servers' activities (the shared fixture corpus),
// signed by a fake remote server's actor, posted over HTTP to a running
// Roost, and checked through the Mastodon client API.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const public = "https://www.w3.org/ns/activitystreams#Public"

// answerOf matches the Accept or Reject (typ) of the Follow id.
func answerOf(typ, followID string) func(delivery) bool {
	return func(d delivery) bool {
		return d.typ() == typ && d.object() == followID
	}
}

func TestInboxFollow(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fixture, target, path string
	}{
		{"mastodon-follow", "https://ds9.lemmy.ml/c/testcom", "/inbox"},
		{"pleroma-follow", "https://local.example/club/test", "/users/bob/inbox"},
		{"gotosocial-follow", "https://local.example/club/test", "/inbox"},
		{"sharkey-follow", "https://as1.blueb.me/users/1", "/users/bob/inbox"},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			t.Parallel()
			r, bob := newRigWithUser(t, "bob")
			body, a := r.activity(c.fixture, r.remote, c.target, bob.URI)
			followID := docID(t, body)
			r.deliver(a, body, toPath(c.path))

			// Roost answers with an Accept naming the Follow, at the
			// follower's inbox, signed by bob.
			accept := r.remote.await(t, "the Accept", answerOf("Accept", followID))
			if accept.actor() != bob.URI || accept.Path != strings.TrimPrefix(a.uri, r.remote.origin)+"/inbox" {
				t.Errorf("Accept by %s to %s", accept.actor(), accept.Path)
			}
			if f := accept.embedded(); f == nil || refID(f["actor"]) != a.uri || refID(f["object"]) != bob.URI {
				t.Errorf("the Accept embeds %v", accept.Activity["object"])
			}

			remoteID := r.remoteAccount(bob, a).ID
			followers := r.followers(bob)
			if len(followers) != 1 || followers[0].Acct != a.acct() {
				t.Fatalf("followers %+v, want %s", followers, a.acct())
			}
			if rel := r.relationship(bob, remoteID); !rel.FollowedBy || rel.Following {
				t.Errorf("relationship %+v", rel)
			}
			if ns := r.notifications(bob, "follow"); len(ns) != 1 || ns[0].Account.Acct != a.acct() {
				t.Errorf("follow notifications %+v", ns)
			}

			// A repeated Follow (a peer retrying) is answered again and
			// changes nothing else.
			r.deliver(a, body, toPath(c.path))
			eventually(t, "the second Accept", func() bool {
				return len(r.remote.deliveries(answerOf("Accept", followID))) == 2
			})
			me := r.me(bob)
			if me.FollowersCount != 1 {
				t.Errorf("%d followers after a repeated Follow", me.FollowersCount)
			}
		})
	}
}

func TestInboxFollowLockedAccount(t *testing.T) {
	t.Parallel()
	for _, authorize := range []bool{true, false} {
		name := map[bool]string{true: "authorize", false: "reject"}[authorize]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			bob := r.newUser("bob", true)
			body, a := r.activity("gotosocial-follow", r.remote, "https://local.example/club/test", bob.URI)
			followID := docID(t, body)
			r.deliver(a, body)

			var requests []apiAccount
			r.must(bob, "GET", "/api/v1/follow_requests", nil, &requests)
			if len(requests) != 1 || requests[0].Acct != a.acct() {
				t.Fatalf("follow requests %+v", requests)
			}
			if ns := r.notifications(bob, "follow_request"); len(ns) != 1 {
				t.Errorf("%d follow_request notifications", len(ns))
			}
			me := r.me(bob)
			if me.FollowersCount != 0 {
				t.Fatalf("a request counts as a follower")
			}
			if n := len(r.remote.deliveries(answerOf("Accept", followID))); n != 0 {
				t.Fatalf("%d Accepts before bob decided", n)
			}

			verb, answer := "reject", "Reject"
			if authorize {
				verb, answer = "authorize", "Accept"
			}
			r.must(bob, "POST", "/api/v1/follow_requests/"+requests[0].ID+"/"+verb, nil, nil)
			d := r.remote.await(t, "the "+answer, answerOf(answer, followID))
			if d.actor() != bob.URI {
				t.Errorf("%s by %s", answer, d.actor())
			}
			// Let any stray delivery arrive before counting.
			time.Sleep(50 * time.Millisecond)
			wantAccepts := map[bool]int{true: 1, false: 0}[authorize]
			if n := len(r.remote.deliveries(answerOf("Accept", followID))); n != wantAccepts {
				t.Errorf("%d Accepts, want %d", n, wantAccepts)
			}
			if n := len(r.remote.deliveries(func(d delivery) bool { return d.typ() == "Reject" })); n != 1-wantAccepts {
				t.Errorf("%d Rejects, want %d", n, 1-wantAccepts)
			}
			r.must(bob, "GET", "/api/v1/follow_requests", nil, &requests)
			if len(requests) != 0 {
				t.Errorf("requests left: %+v", requests)
			}
			followers := r.followers(bob)
			if len(followers) != wantAccepts {
				t.Errorf("%d followers, want %d", len(followers), wantAccepts)
			}
		})
	}
}

func TestInboxUndoFollow(t *testing.T) {
	t.Parallel()
	for _, form := range []string{"embedded", "uri"} {
		t.Run(form, func(t *testing.T) {
			t.Parallel()
			r, bob := newRigWithUser(t, "bob")
			const target = "https://ds9.lemmy.ml/c/testcom"
			follow, a := r.activity("mastodon-follow", r.remote, target, bob.URI)
			r.deliver(a, follow)
			remoteID := r.remoteAccount(bob, a).ID
			if !r.relationship(bob, remoteID).FollowedBy {
				t.Fatal("the follow did not take")
			}

			undo, _ := r.activity("mastodon-undo-follow", r.remote, target, bob.URI)
			if form == "uri" {
				undo = edit(t, undo, func(m map[string]any) { m["object"] = docID(t, follow) })
			}
			r.deliver(a, undo)
			if rel := r.relationship(bob, remoteID); rel.FollowedBy {
				t.Errorf("still followed after the Undo: %+v", rel)
			}
			me := r.me(bob)
			if me.FollowersCount != 0 {
				t.Errorf("%d followers after the Undo", me.FollowersCount)
			}
		})
	}
}

func TestInboxAnswerToOurFollow(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fixture  string
		follow   string // the Follow id in the fixture
		follower string // the follower in the fixture
		accepted bool
	}{
		{"mastodon-accept-follow", "http://localtesting.pleroma.lol/users/lain#follows/4", "http://localtesting.pleroma.lol/users/lain", true},
		{"mitra-accept-follow", "https://voyager.lemmy.ml/activities/follow/7d782f02-b91d-4455-b6c0-772540f00c2d", "https://voyager.lemmy.ml/u/silverpill", true},
		{"mastodon-reject-follow", "http://localtesting.pleroma.lol/users/lain#follows/4", "http://localtesting.pleroma.lol/users/lain", false},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			t.Parallel()
			r, alice := newRigWithUser(t, "alice")
			_, a := r.activity(c.fixture, r.remote) // registers the actor
			remoteID, followID := r.requestFollow(alice, a)
			if rel := r.relationship(alice, remoteID); !rel.Requested || rel.Following {
				t.Fatalf("before the answer: %+v", rel)
			}
			body, _ := r.activity(c.fixture, r.remote, c.follow, followID, c.follower, alice.URI)
			r.deliver(a, body)
			rel := r.relationship(alice, remoteID)
			if rel.Following != c.accepted || rel.Requested {
				t.Errorf("after the answer: %+v", rel)
			}
			me := r.me(alice)
			if want := map[bool]int{true: 1}[c.accepted]; me.FollowingCount != want {
				t.Errorf("following %d, want %d", me.FollowingCount, want)
			}
		})
	}
}

// createCase is one Create fixture and what Roost must make of it.
type createCase struct {
	fixture string
	// repl maps the fixture's local names onto the test's: it gets alice
	// and (when reply is set) the URI of a status of hers.
	repl       func(alice *localUser, status string) []string
	follow     bool // alice follows the author first
	reply      bool // the fixture replies to a status of alice's
	mention    bool // alice is mentioned (and notified)
	visibility string
	spoiler    string
	sensitive  bool
	contains   []string
	tags       []string
	poll       []string // the options of a poll
	media      []string // the descriptions of the attachments
}

func mentionOf(name string) func(*localUser, string) []string {
	return func(alice *localUser, _ string) []string { return []string{name, alice.URI} }
}

var createCases = []createCase{
	{
		fixture: "mastodon-create-note-reply",
		repl: func(alice *localUser, status string) []string {
			return []string{
				"https://mamot.fr/users/retiolus/statuses/107224244380204526", status,
				"https://mamot.fr/users/retiolus", alice.URI,
			}
		},
		reply: true, mention: true, visibility: "unlisted",
		contains: []string{"never been disappointed by a thinkpad"},
	},
	{
		fixture: "mastodon-create-note-sensitive-cw", repl: mentionOf("http://localtesting.pleroma.lol/users/lain"),
		mention: true, visibility: "public", spoiler: "cw", sensitive: true, tags: []string{"nsfw"},
		contains: []string{"#moo"},
	},
	{
		fixture: "gotosocial-create-note-cw", repl: mentionOf("https://local.example/club/test"),
		mention: true, visibility: "unlisted", spoiler: "CW TEST", sensitive: true, contains: []string{" test</p>"},
	},
	{
		fixture: "pleroma-create-note-html", repl: mentionOf("https://local.example/club/test"),
		mention: true, visibility: "unlisted", contains: []string{"<strong>test</strong>"},
	},
	{
		fixture: "misskey-create-note-unlisted-hashtag", repl: mentionOf("https://local.example/club/test"),
		mention: true, visibility: "unlisted", tags: []string{"test"}, contains: []string{"#test"},
	},
	{
		fixture: "akkoma-create-note-direct-message", repl: mentionOf("https://as2.blueb.me/users/690d0271-4147-4302-ac50-7806f3ad8f87"),
		mention: true, visibility: "direct", contains: []string{"private post to mention"},
	},
	{
		fixture: "sharkey-create-note-direct", repl: mentionOf("https://as2.blueb.me/users/690d0271-4147-4302-ac50-7806f3ad8f87"),
		mention: true, visibility: "direct", contains: []string{"</a> 2</p>"},
	},
	{
		fixture: "pixelfed-create-note-image-location", follow: true, visibility: "public",
		tags: []string{"colorphotography", "streetphotography"}, contains: []string{"Shadows"},
		media: []string{"Stickers on the glass from the stairs, casting long and colourful shadows from the sun."},
	},
	{
		fixture: "lemmy-create-page", follow: true, visibility: "public",
		contains: []string{"test post", "/post/1"},
	},
	{
		fixture: "mastodon-create-question-4.3", repl: mentionOf("https://local.example/club/test"),
		mention: true, visibility: "unlisted", contains: []string{" test</p>"}, poll: []string{"A", "B", "C", "D"},
	},
	{
		fixture: "misskey-create-question", repl: mentionOf("https://local.example/club/test"),
		mention: true, visibility: "unlisted", contains: []string{" test"}, poll: []string{"A", "B", "C", "D"},
	},
	{
		// BookWyrm's own object type: shown as a Note, not dropped.
		fixture: "bookwyrm-create-generatednote", follow: true, visibility: "public",
		contains: []string{"wants to read"},
	},
	{
		// Audio: a title and a link; its summary of hashtags is no content
		// warning.
		fixture: "funkwhale-create-audio", follow: true, visibility: "public",
		contains: []string{"Compositions - Test Audio for Pleroma", "/library/tracks/74"},
	},
	{
		fixture: "peertube-create-video-framatube", follow: true, visibility: "public",
		contains: []string{"Déframasoftisons Internet [Framasoft]", "/videos/watch/6050732a-8a7a-43d4-a6cd-809525a1d206"},
	},
}

func TestInboxCreate(t *testing.T) {
	t.Parallel()
	for _, c := range createCases {
		t.Run(c.fixture, func(t *testing.T) {
			t.Parallel()
			r, alice := newRigWithUser(t, "alice")
			var parent apiStatus
			if c.reply {
				parent = r.post(alice, "Which laptop should I get?")
			}
			var repl []string
			if c.repl != nil {
				repl = c.repl(alice, parent.URI)
			}
			body, a := r.activity(c.fixture, r.remote, repl...)
			if c.follow {
				r.follow(alice, a)
			}
			r.deliver(a, body)

			s := r.remoteStatus(alice, createdObjectID(t, body))
			if s.Account.Acct != a.acct() {
				t.Errorf("author %s, want %s", s.Account.Acct, a.acct())
			}
			if s.Visibility != c.visibility {
				t.Errorf("visibility %s, want %s", s.Visibility, c.visibility)
			}
			if s.SpoilerText != c.spoiler || s.Sensitive != c.sensitive {
				t.Errorf("spoiler %q sensitive %v, want %q %v", s.SpoilerText, s.Sensitive, c.spoiler, c.sensitive)
			}
			for _, want := range c.contains {
				if !strings.Contains(s.Content, want) {
					t.Errorf("content lacks %q:\n%s", want, s.Content)
				}
			}
			checkSafeHTML(t, s.Content)
			if c.poll != nil {
				var titles []string
				if s.Poll != nil {
					for _, o := range s.Poll.Options {
						titles = append(titles, o.Title)
					}
				}
				if !slices.Equal(titles, c.poll) {
					t.Errorf("poll options %v, want %v", titles, c.poll)
				}
			}
			var descriptions []string
			for _, m := range s.Media {
				descriptions = append(descriptions, m.Description)
				// Media may live on a CDN of another host; clients get it
				// through the media cache.
				if !strings.HasPrefix(m.URL, r.base+"/media/cache/") || !strings.HasPrefix(m.RemoteURL, "https://") {
					t.Errorf("attachment served from %q, remote %q", m.URL, m.RemoteURL)
				}
			}
			if !slices.Equal(descriptions, c.media) {
				t.Errorf("attachments %v, want %v", descriptions, c.media)
			}
			if s.URL != nil && !strings.HasPrefix(*s.URL, r.remote.origin+"/") {
				t.Errorf("url %q is not on the author's host", *s.URL)
			}
			var tags []string
			for _, tg := range s.Tags {
				tags = append(tags, tg.Name)
			}
			for _, want := range c.tags {
				if !slices.Contains(tags, want) {
					t.Errorf("tags %v lack %s", tags, want)
				}
				if c.visibility == "public" && findURI(r.timeline(nil, "/api/v1/timelines/tag/"+want), s.URI, false) == nil {
					t.Errorf("not on the #%s timeline", want)
				}
			}
			if c.mention {
				ns := r.notifications(alice, "mention")
				if len(ns) != 1 || ns[0].Status == nil || ns[0].Status.URI != s.URI || ns[0].Account.Acct != a.acct() {
					t.Errorf("mention notifications %+v", ns)
				}
				if len(s.Mentions) == 0 || s.Mentions[0].ID != alice.ID {
					t.Errorf("mentions %+v", s.Mentions)
				}
			}
			if c.follow {
				if findURI(r.timeline(alice, "/api/v1/timelines/home"), s.URI, false) == nil {
					t.Errorf("not in the follower's home timeline")
				}
			}
			if c.reply {
				if s.InReplyToID == nil || *s.InReplyToID != parent.ID {
					t.Errorf("in_reply_to_id %v, want %s", s.InReplyToID, parent.ID)
				}
				thread := r.statusContext(alice, parent.ID)
				if len(thread.Descendants) != 1 || thread.Descendants[0].URI != s.URI {
					t.Errorf("thread below the parent: %+v", thread.Descendants)
				}
				thread = r.statusContext(alice, s.ID)
				if len(thread.Ancestors) != 1 || thread.Ancestors[0].ID != parent.ID {
					t.Errorf("thread above the reply: %+v", thread.Ancestors)
				}
				if p, _ := r.status(alice, parent.ID); p.RepliesCount != 1 {
					t.Errorf("replies_count %d", p.RepliesCount)
				}
			}

			// The same Create again (a retry) stores nothing more.
			r.deliver(a, body)
			var acct apiAccount
			r.must(alice, "GET", "/api/v1/accounts/"+s.Account.ID, nil, &acct)
			if acct.StatusesCount != 1 {
				t.Errorf("statuses_count %d after a repeated Create", acct.StatusesCount)
			}
		})
	}
}

func mustUnmarshal(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// checkSafeHTML fails on markup that may run script in a browser.
func checkSafeHTML(t testing.TB, html string) {
	t.Helper()
	low := strings.ToLower(html)
	for _, bad := range []string{"<script", "javascript:", "onclick", "onerror", "<iframe", "<img", "style="} {
		if strings.Contains(low, bad) {
			t.Errorf("unsafe %q left in %s", bad, html)
		}
	}
}

func TestInboxCreateSanitisesContent(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	body, a := r.activity("pleroma-create-note-html", r.remote,
		"https://local.example/club/test", alice.URI,
		`<strong>test</strong>`, `<strong onclick=\"steal()\">test</strong><script>alert(1)</script><img src=x onerror=\"alert(2)\"><a href=\"javascript:alert(3)\">click</a><iframe src=\"https://evil.example/\"></iframe>`,
		`"summary":""`, `"summary":"<b onmouseover=\"x()\">CW</b><script>alert(4)</script>","url":"javascript:alert(5)"`,
	)
	r.deliver(a, body)
	s := r.remoteStatus(alice, r.remote.origin+"/objects/8a90b74a-c8f5-4350-b46c-1c62b9cd1397")
	checkSafeHTML(t, s.Content)
	if strings.Contains(s.Content, "alert") || !strings.Contains(s.Content, "<strong>test</strong>") || !strings.Contains(s.Content, "click") {
		t.Errorf("content %s", s.Content)
	}
	if s.SpoilerText != "CW" {
		t.Errorf("spoiler_text %q", s.SpoilerText)
	}
	if s.URL == nil || strings.Contains(*s.URL, "javascript") {
		t.Errorf("url %v", s.URL)
	}
}

func TestInboxCreateOnlyWhenRelevant(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	body, a := r.activity("lemmy-create-page", r.remote)
	uri := r.remote.origin + "/post/1"

	// Nobody here follows the author, it mentions nobody here and replies
	// to nothing here: accepted, not stored.
	r.deliver(a, body)
	if r.statusID(uri) != "" {
		t.Fatal("an irrelevant post was stored")
	}
	if findURI(r.timeline(nil, "/api/v1/timelines/public"), uri, false) != nil {
		t.Fatal("an irrelevant post is on the public timeline")
	}

	// Once alice follows the author, the same post is kept.
	r.follow(alice, a)
	r.deliver(a, body)
	if findURI(r.timeline(alice, "/api/v1/timelines/home"), uri, false) == nil {
		t.Fatal("the post is not in the follower's home timeline")
	}
	if findURI(r.timeline(nil, "/api/v1/timelines/public"), uri, false) == nil {
		t.Fatal("the public post is not on the public timeline")
	}
}

func TestInboxDirectMessage(t *testing.T) {
	t.Parallel()
	for _, fixture := range []string{"akkoma-create-note-direct-message", "sharkey-create-note-direct"} {
		t.Run(fixture, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			alice, bob := r.newUser("alice", false), r.newUser("bob", false)
			body, a := r.activity(fixture, r.remote, "https://as2.blueb.me/users/690d0271-4147-4302-ac50-7806f3ad8f87", alice.URI)
			// bob follows the author: a direct message to alice is still
			// not his to see.
			r.follow(bob, a)
			r.deliver(a, body)
			id := r.statusID(createdObjectID(t, body))
			if id == "" {
				t.Fatal("the direct message was not stored")
			}
			s, ok := r.status(alice, id)
			if !ok || s.Visibility != "direct" {
				t.Fatalf("alice sees %+v (%v)", s, ok)
			}
			if _, ok := r.status(bob, id); ok {
				t.Error("bob can read alice's direct message")
			}
			if _, ok := r.status(nil, id); ok {
				t.Error("anyone can read alice's direct message")
			}
			if findURI(r.timeline(alice, "/api/v1/timelines/home"), s.URI, false) == nil {
				t.Error("not in alice's home timeline")
			}
			if findURI(r.timeline(bob, "/api/v1/timelines/home"), s.URI, false) != nil {
				t.Error("in bob's home timeline")
			}
			if findURI(r.timeline(nil, "/api/v1/timelines/public"), s.URI, false) != nil {
				t.Error("on the public timeline")
			}
			if ns := r.notifications(alice, "mention"); len(ns) != 1 {
				t.Errorf("%d mention notifications", len(ns))
			}
			if ns := r.notifications(bob); len(ns) != 0 {
				t.Errorf("bob got %+v", ns)
			}
		})
	}
}

func TestInboxUpdateNote(t *testing.T) {
	t.Parallel()
	for _, fixture := range []string{"mastodon-update-note-edit", "gotosocial-update-note-edit", "pleroma-update-note-edit"} {
		t.Run(fixture, func(t *testing.T) {
			t.Parallel()
			r, alice := newRigWithUser(t, "alice")
			update, a := r.activity(fixture, r.remote, "https://local.example/club/test", alice.URI)
			// The post as first published: the Update's object before the
			// edit, in a Create.
			create := edit(t, update, func(m map[string]any) {
				m["type"], m["id"] = "Create", refID(m["object"])+"#create"
				obj := m["object"].(map[string]any)
				obj["content"], obj["contentMap"] = "<p>the original</p>", nil
				delete(obj, "updated")
			})
			uri := refID(mustMap(t, update)["object"])
			r.deliver(a, create)
			s := r.remoteStatus(alice, uri)
			if s.EditedAt != nil || !strings.Contains(s.Content, "the original") {
				t.Fatalf("before the edit: %+v", s)
			}

			r.deliver(a, update)
			s = r.remoteStatus(alice, uri)
			if s.EditedAt == nil || !strings.Contains(s.Content, "test2") || strings.Contains(s.Content, "original") {
				t.Fatalf("after the edit: content %q edited_at %v", s.Content, s.EditedAt)
			}
			var history []struct {
				Content string `json:"content"`
			}
			r.must(alice, "GET", "/api/v1/statuses/"+s.ID+"/history", nil, &history)
			if len(history) != 2 || !strings.Contains(history[0].Content, "the original") || !strings.Contains(history[1].Content, "test2") {
				t.Fatalf("history %+v", history)
			}

			// The same Update again (a retry) is no new edit.
			r.deliver(a, update)
			r.must(alice, "GET", "/api/v1/statuses/"+s.ID+"/history", nil, &history)
			if len(history) != 2 {
				t.Errorf("%d versions after a repeated Update", len(history))
			}
		})
	}
}

// An Update that only carries new poll counts (no "updated") is not an
// edit.
func TestInboxUpdatePollTally(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	create, a := r.activity("mastodon-create-question-4.3", r.remote, "https://local.example/club/test", alice.URI)
	r.deliver(a, create)
	update, _ := r.activity("mastodon-update-question-vote-tally", r.remote, "https://local.example/club/test", alice.URI)
	r.deliver(a, update)
	s := r.remoteStatus(alice, r.remote.origin+"/users/alice/statuses/117074527616629378")
	if s.EditedAt != nil {
		t.Errorf("a tally update made an edit (edited_at %s)", *s.EditedAt)
	}
	var history []struct{ Content string }
	r.must(alice, "GET", "/api/v1/statuses/"+s.ID+"/history", nil, &history)
	if len(history) != 1 {
		t.Errorf("%d versions after a tally update", len(history))
	}
}

func mustMap(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	mustUnmarshal(t, b, &m)
	return m
}

// createdObjectID is the id of the object embedded in a Create.
func createdObjectID(t testing.TB, create []byte) string {
	t.Helper()
	var obj struct {
		Object struct {
			ID string `json:"id"`
		} `json:"object"`
	}
	mustUnmarshal(t, create, &obj)
	return obj.Object.ID
}

// followFrom is a Follow of u by a, with the id a.uri+fragment.
func followFrom(t testing.TB, a *actor, fragment string, u *localUser) []byte {
	t.Helper()
	return mustJSON(t, map[string]any{"@context": asContext, "id": a.uri + fragment, "type": "Follow", "actor": a.uri, "object": u.URI})
}

// newRigWithUser is a rig with one unlocked local user.
func newRigWithUser(t *testing.T, name string) (*rig, *localUser) {
	t.Helper()
	r := newRig(t)
	return r, r.newUser(name, false)
}

// me is u's own account (verify_credentials).
func (r *rig) me(u *localUser) apiAccount {
	r.t.Helper()
	var me apiAccount
	r.must(u, "GET", "/api/v1/accounts/verify_credentials", nil, &me)
	return me
}

// followers lists who follows u, as anyone sees it.
func (r *rig) followers(u *localUser) []apiAccount {
	r.t.Helper()
	var followers []apiAccount
	r.must(nil, "GET", "/api/v1/accounts/"+u.ID+"/followers", nil, &followers)
	return followers
}

// threadOf is a status's context: what it replies to and its replies.
type threadOf struct{ Ancestors, Descendants []apiStatus }

// statusContext is the thread around the status id, as u sees it.
func (r *rig) statusContext(u *localUser, id string) threadOf {
	r.t.Helper()
	var thread threadOf
	r.must(u, "GET", "/api/v1/statuses/"+id+"/context", nil, &thread)
	return thread
}

func TestInboxUpdatePerson(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	update, a := r.activity("mastodon-update-person-profile", r.remote,
		`"name": "gargle"`, `"name": "gargle <script>alert(1)</script><b>bold</b>"`,
		`"<p>Some bio</p>"`, `"<p onclick=\"steal()\">Some bio</p><script>alert(2)</script><a href=\"javascript:alert(3)\">me</a>"`,
		`"value": "updated"`, `"value": "<a href=\"https://example.com/\" onclick=\"x()\">updated</a><script>alert(4)</script>"`,
		`"url": "http://mastodon.example.org/@gargron"`, `"url": "javascript:alert(5)"`,
	)
	// gargron is known here: he follows alice.
	r.deliver(a, followFrom(t, a, "#follows/1", alice))
	before := r.remoteAccount(alice, a)

	r.deliver(a, update)
	var acct apiAccount
	r.must(alice, "GET", "/api/v1/accounts/"+before.ID, nil, &acct)
	if acct.DisplayName != "gargle bold" {
		t.Errorf("display_name %q", acct.DisplayName)
	}
	checkSafeHTML(t, acct.Note)
	if !strings.Contains(acct.Note, "Some bio") || strings.Contains(acct.Note, "alert") {
		t.Errorf("note %q", acct.Note)
	}
	if len(acct.Fields) != 2 || acct.Fields[0].Name != "foo" || acct.Fields[1].Name != "foo1" {
		t.Fatalf("fields %+v", acct.Fields)
	}
	for _, f := range acct.Fields {
		checkSafeHTML(t, f.Value)
		if !strings.Contains(f.Value, "updated") || strings.Contains(f.Value, "alert") {
			t.Errorf("field value %q", f.Value)
		}
	}
	// Remote images are served through the media cache, which names the
	// remote address in base64url.
	if want := base64.RawURLEncoding.EncodeToString([]byte("https://cd.niu.moe/accounts/avatars/000/033/323/original/fd7f8ae0b3ffedc9.jpeg")); !strings.Contains(acct.Avatar, "/media/cache/") || !strings.HasSuffix(acct.Avatar, "/"+want) {
		t.Errorf("avatar %q", acct.Avatar)
	}
	if strings.Contains(acct.URL, "javascript") {
		t.Errorf("url %q", acct.URL)
	}

	// The Update carried a public key that is not gargron's (the fixture's
	// own, which does not even parse); his next activity must still be
	// taken, by fetching his actor again.
	post := note(a, a.uri+"/statuses/1", "<p>still me</p>", alice)
	r.deliver(a, post)
	if r.statusID(a.uri+"/statuses/1") == "" {
		t.Error("gargron's post after his Update was not stored")
	}
}

func TestInboxDeleteNote(t *testing.T) {
	t.Parallel()
	cases := []struct{ fixture, object string }{
		{"mastodon-delete-note-tombstone-ldsig", "/users/gargron/statuses/99620895606148759"},
		{"gotosocial-delete-note-uri", "/users/alice/statuses/01KZQCGH2AYV0D8FHG4J00B52K"},
		{"sharkey-delete-note-tombstone", "/notes/9wf90521y83w00p8"},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			t.Parallel()
			r, alice := newRigWithUser(t, "alice")
			del, a := r.activity(c.fixture, r.remote)
			uri := r.remote.origin + c.object
			r.deliver(a, note(a, uri, "<p>soon gone</p>", alice))
			id := r.statusID(uri)
			if _, ok := r.status(alice, id); !ok {
				t.Fatal("the post was not stored")
			}
			r.deliver(a, del)
			if _, ok := r.status(alice, id); ok {
				t.Error("the post is still there")
			}
			if ns := r.notifications(alice, "mention"); len(ns) != 0 {
				t.Errorf("the mention notification is still there: %+v", ns)
			}
			// Deleting again (a retry) is fine.
			r.deliver(a, del)
		})
	}
}

func TestInboxDeleteActor(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	del, a := r.activity("mastodon-delete-actor-self-ldsig", r.remote)
	// duckhoi follows alice, posts, likes her post; alice follows him.
	r.deliver(a, followFrom(t, a, "#follows/1", alice))
	r.follow(alice, a)
	hers := r.post(alice, "hello")
	r.deliver(a, mustJSON(t, map[string]any{"@context": asContext, "id": a.uri + "#likes/1", "type": "Like", "actor": a.uri, "object": hers.URI}))
	r.deliver(a, note(a, a.uri+"/statuses/1", "<p>bye</p>", alice))
	acct := r.remoteAccount(alice, a)
	postID := r.statusID(a.uri + "/statuses/1")

	a.setGone()
	r.deliver(a, del)
	if code := r.call(alice, "GET", "/api/v1/accounts/"+acct.ID, nil, nil); code != http.StatusNotFound {
		t.Errorf("the account answers %d", code)
	}
	if _, ok := r.status(alice, postID); ok {
		t.Error("his post is still there")
	}
	me := r.me(alice)
	if me.FollowersCount != 0 || me.FollowingCount != 0 {
		t.Errorf("alice has %d followers, follows %d", me.FollowersCount, me.FollowingCount)
	}
	if s, _ := r.status(alice, hers.ID); s.FavouritesCount != 0 {
		t.Errorf("favourites_count %d", s.FavouritesCount)
	}
	if ns := r.notifications(alice); len(ns) != 0 {
		t.Errorf("notifications left: %+v", ns)
	}

	// The same Delete again, now from an actor nobody here knows whose
	// document is gone: accepted and dropped without a fetch.
	fetched := r.remote.fetches(a.uri)
	r.deliver(a, del)
	if n := r.remote.fetches(a.uri); n != fetched {
		t.Errorf("a Delete of an unknown actor fetched it %d times", n-fetched)
	}
}

func TestInboxLike(t *testing.T) {
	t.Parallel()
	cases := []struct{ fixture, object string }{
		{"mastodon-like", "https://ds9.lemmy.ml/post/147"},
		{"misskey-like-custom-emoji-reaction", "https://pleroma.local.live/objects/89937a53-2692-4631-bb62-770091267391"},
		{"sharkey-like-custom-emoji-reaction", "https://as2.blueb.me/notes/b50ef536-a063-41a7-85df-8aca36d877e1"},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			t.Parallel()
			r, alice := newRigWithUser(t, "alice")
			hers := r.post(alice, "like me")
			body, a := r.activity(c.fixture, r.remote, c.object, hers.URI)
			r.deliver(a, body)
			s, _ := r.status(alice, hers.ID)
			if s.FavouritesCount != 1 {
				t.Errorf("favourites_count %d", s.FavouritesCount)
			}
			ns := r.notifications(alice, "favourite")
			if len(ns) != 1 || ns[0].Account.Acct != a.acct() || ns[0].Status == nil || ns[0].Status.ID != hers.ID {
				t.Errorf("favourite notifications %+v", ns)
			}
			var by []apiAccount
			r.must(alice, "GET", "/api/v1/statuses/"+hers.ID+"/favourited_by", nil, &by)
			if len(by) != 1 || by[0].Acct != a.acct() {
				t.Errorf("favourited_by %+v", by)
			}
			// Twice is once.
			r.deliver(a, body)
			if s, _ := r.status(alice, hers.ID); s.FavouritesCount != 1 {
				t.Errorf("favourites_count %d after a repeated Like", s.FavouritesCount)
			}
		})
	}
}

func TestInboxUndoLike(t *testing.T) {
	t.Parallel()
	t.Run("embedded", func(t *testing.T) {
		t.Parallel()
		r, alice := newRigWithUser(t, "alice")
		hers := r.post(alice, "like me")
		like, a := r.activity("mastodon-like", r.remote, "https://ds9.lemmy.ml/post/147", hers.URI)
		r.deliver(a, like)
		undo, _ := r.activity("mastodon-undo-like", r.remote, "https://ds9.lemmy.ml/post/147", hers.URI)
		r.deliver(a, undo)
		if s, _ := r.status(alice, hers.ID); s.FavouritesCount != 0 {
			t.Errorf("favourites_count %d after the Undo", s.FavouritesCount)
		}
		if ns := r.notifications(alice, "favourite"); len(ns) != 0 {
			t.Errorf("notifications left: %+v", ns)
		}
	})
	t.Run("object-is-uri", func(t *testing.T) {
		t.Parallel()
		r, alice := newRigWithUser(t, "alice")
		hers := r.post(alice, "like me")
		undo, a := r.activity("mastodon-undo-like-object-is-uri", r.remote)
		// The Like it undoes: mastodon-like, as this actor with this id.
		like, _ := r.activity("mastodon-like", r.remote,
			"https://mastodon.madrid/users/felix#likes/212340", refID(mustMap(t, undo)["object"]),
			"https://mastodon.madrid/users/felix", a.uri,
			"https://ds9.lemmy.ml/post/147", hers.URI)
		r.deliver(a, like)
		if s, _ := r.status(alice, hers.ID); s.FavouritesCount != 1 {
			t.Fatalf("favourites_count %d after the Like", s.FavouritesCount)
		}
		r.deliver(a, undo)
		// Roost keeps the ids of remote Likes, so an Undo naming only the
		// Like's id takes the favourite back.
		s, ok := r.status(alice, hers.ID)
		if !ok || s.FavouritesCount != 0 {
			t.Errorf("after the Undo: %+v", s)
		}
	})
}

// A remote actor cannot like what it may not see: a direct message to
// someone else, a followers-only post of someone it does not follow.
func TestInboxLikeOfInvisibleStatus(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	r.newUser("bob", false)
	secret := r.post(alice, "@bob psst", "visibility", "direct")
	private := r.post(alice, "for my followers", "visibility", "private")
	for _, s := range []apiStatus{secret, private} {
		like, a := r.activity("mastodon-like", r.remote, "https://ds9.lemmy.ml/post/147", s.URI)
		r.deliver(a, like)
		if s, _ := r.status(alice, s.ID); s.FavouritesCount != 0 {
			t.Errorf("%s: favourites_count %d", s.Visibility, s.FavouritesCount)
		}
	}
	if ns := r.notifications(alice); len(ns) != 0 {
		t.Errorf("alice was told %+v", ns)
	}
	// Once the actor follows alice, her followers-only post is its to like.
	like, a := r.activity("mastodon-like", r.remote, "https://ds9.lemmy.ml/post/147", private.URI)
	follow, _ := r.activity("mastodon-follow", r.remote, "https://ds9.lemmy.ml/c/testcom", alice.URI,
		"https://masto.asonix.dog/users/asonix", a.uri)
	r.deliver(a, follow)
	r.deliver(a, like)
	if s, _ := r.status(alice, private.ID); s.FavouritesCount != 1 {
		t.Errorf("a follower's like: favourites_count %d", s.FavouritesCount)
	}
}

func TestInboxAnnounceLocalStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fixture, object, visibility string
	}{
		{"mastodon-announce", "http://mastodon.example.org/@admin/99541947525187367", "public"},
		{"sharkey-announce-followers-only", "https://as2.blueb.me/notes/72e8c7e6-4ef6-43e5-8d3e-09b926862f81", "private"},
		{"pixelfed-announce", "https://mastodonapp.uk/@damianward/111322877716364793", "public"},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			t.Parallel()
			r, alice := newRigWithUser(t, "alice")
			hers := r.post(alice, "boost me")
			object := hers.URI
			if c.fixture == "pixelfed-announce" {
				// Pixelfed names the boosted post by its web address.
				object = *hers.URL
			}
			body, a := r.activity(c.fixture, r.remote, c.object, object)
			r.deliver(a, body)
			s, _ := r.status(alice, hers.ID)
			if s.ReblogsCount != 1 {
				t.Errorf("reblogs_count %d", s.ReblogsCount)
			}
			ns := r.notifications(alice, "reblog")
			if len(ns) != 1 || ns[0].Account.Acct != a.acct() || ns[0].Status == nil || ns[0].Status.ID != hers.ID {
				t.Errorf("reblog notifications %+v", ns)
			}
			var by []apiAccount
			r.must(alice, "GET", "/api/v1/statuses/"+hers.ID+"/reblogged_by", nil, &by)
			if len(by) != 1 || by[0].Acct != a.acct() {
				t.Errorf("reblogged_by %+v", by)
			}
			boost, err := r.st.StatusByURI(t.Context(), docID(t, body))
			if err != nil || boost.ReblogOfID != hers.ID || boost.Visibility != c.visibility {
				t.Errorf("the boost: %+v (%v)", boost, err)
			}
			if c.visibility == "public" {
				if p := findURI(r.timeline(nil, "/api/v1/accounts/"+r.remoteAccount(alice, a).ID+"/statuses"), hers.URI, true); p == nil {
					t.Errorf("the boost is not among the booster's statuses")
				}
			}
			// Twice is once.
			r.deliver(a, body)
			if s, _ := r.status(alice, hers.ID); s.ReblogsCount != 1 {
				t.Errorf("reblogs_count %d after a repeated Announce", s.ReblogsCount)
			}
		})
	}
}

func TestInboxUndoAnnounce(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	hers := r.post(alice, "boost me")
	const object = "http://mastodon.example.org/@admin/99541947525187367"
	announce, a := r.activity("mastodon-announce", r.remote, object, hers.URI)
	r.deliver(a, announce)
	if s, _ := r.status(alice, hers.ID); s.ReblogsCount != 1 {
		t.Fatalf("reblogs_count %d", s.ReblogsCount)
	}
	undo, _ := r.activity("mastodon-undo-announce", r.remote, object, hers.URI)
	r.deliver(a, undo)
	if s, _ := r.status(alice, hers.ID); s.ReblogsCount != 0 {
		t.Errorf("reblogs_count %d after the Undo", s.ReblogsCount)
	}
	if ns := r.notifications(alice, "reblog"); len(ns) != 0 {
		t.Errorf("notifications left %+v", ns)
	}
	if r.statusID(docID(t, announce)) != "" {
		t.Error("the boost is still stored")
	}
}

// servedNote is a Mastodon-style Note served by its own server.
func servedNote(author *actor, id, content string) []byte {
	b, _ := json.Marshal(map[string]any{
		"@context": asContext, "id": id, "type": "Note", "attributedTo": author.uri,
		"content": content, "published": "2023-10-30T12:00:00Z",
		"url": author.rm.origin + "/@" + author.name + "/1",
		"to":  []string{public}, "cc": []string{author.followers()},
	})
	return b
}

func TestInboxAnnounceRemoteStatus(t *testing.T) {
	t.Parallel()
	t.Run("pixelfed-announce", func(t *testing.T) {
		t.Parallel()
		r, alice := newRigWithUser(t, "alice")
		body, a := r.activity("pixelfed-announce", r.remote, "https://mastodonapp.uk", r.other.origin)
		author := r.other.actor(r.other.origin + "/users/damianward")
		// Mastodon serves the post at its web address under its canonical
		// id, and at the id itself.
		canonical := r.other.origin + "/users/damianward/statuses/111322877716364793"
		doc := servedNote(author, canonical, "<p>from its origin</p>")
		r.other.serve(r.other.origin+"/@damianward/111322877716364793", doc)
		r.other.serve(canonical, doc)

		// Boosts by someone nobody here follows are not fetched.
		r.deliver(a, body)
		if n := r.other.fetches(canonical) + r.other.fetches(r.other.origin+"/@damianward/111322877716364793"); n != 0 {
			t.Errorf("an irrelevant boost made %d fetches", n)
		}
		if r.statusID(canonical) != "" || r.statusID(docID(t, body)) != "" {
			t.Fatal("an irrelevant boost was stored")
		}

		r.follow(alice, a)
		r.deliver(a, body)
		home := r.timeline(alice, "/api/v1/timelines/home")
		boost := findURI(home, canonical, true)
		if boost == nil || boost.Reblog == nil {
			t.Fatalf("the boost is not in the home timeline: %+v", home)
		}
		if boost.Account.Acct != a.acct() || boost.Reblog.Account.Acct != author.acct() || !strings.Contains(boost.Reblog.Content, "from its origin") {
			t.Errorf("the boost: %+v", boost)
		}
	})
	t.Run("kroeg-announce-inline-actor", func(t *testing.T) {
		t.Parallel()
		r, alice := newRigWithUser(t, "alice")
		body, a := r.activity("kroeg-announce-inline-actor", r.remote, "http://mastodon.example.org", r.other.origin)
		r.follow(alice, a)
		author := r.other.actor(r.other.origin + "/users/admin")
		uri := r.other.origin + "/users/admin/statuses/100787282858396771"
		// The embedded copy says "jeans bond"; what its server says wins.
		r.other.serve(uri, servedNote(author, uri, "<p>as served by its origin</p>"))
		r.deliver(a, body)
		if r.other.fetches(uri) != 1 {
			t.Errorf("the boosted post was fetched %d times", r.other.fetches(uri))
		}
		boost := findURI(r.timeline(alice, "/api/v1/timelines/home"), uri, true)
		if boost == nil || boost.Reblog == nil {
			t.Fatal("the boost is not in the home timeline")
		}
		if !strings.Contains(boost.Reblog.Content, "as served by its origin") || boost.Reblog.Account.Acct != author.acct() {
			t.Errorf("the boosted post: %+v", boost.Reblog)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		r, alice := newRigWithUser(t, "alice")
		body, a := r.activity("kroeg-announce-inline-actor", r.remote, "http://mastodon.example.org", r.other.origin)
		r.follow(alice, a)
		// Its server does not have it: never trusted from the embedded copy.
		if code, _ := r.send(a, body); code >= 500 {
			t.Fatalf("status %d", code)
		}
		if r.statusID(r.other.origin+"/users/admin/statuses/100787282858396771") != "" {
			t.Error("the unfetched embedded post was stored")
		}
	})
	t.Run("mastodon-announce-private-embedded", func(t *testing.T) {
		t.Parallel()
		r, alice := newRigWithUser(t, "alice")
		body, a := r.activity("mastodon-announce-private-embedded", r.remote)
		r.follow(alice, a)
		r.deliver(a, body)
		uri := r.remote.origin + "/@admin/99541947525187368"
		if findURI(r.timeline(alice, "/api/v1/timelines/home"), uri, true) != nil {
			t.Error("a boost of a followers-only post is in the home timeline")
		}
		if r.statusID(docID(t, body)) != "" {
			t.Error("a boost of a followers-only post was stored")
		}
	})
}

// Activities Roost does not act on are accepted and change nothing; those
// it acts on elsewhere (blocks, moves, reports, featured posts: social.go)
// never fail with a 500 and leave alice's things alone when they do not
// concern her.
func TestInboxOtherActivities(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fixture string
		repl    func(alice *localUser, status string) []string
		handled bool // acted on: any answer below 500 will do
	}{
		{"pleroma-emojireact-unicode", func(_ *localUser, s string) []string {
			return []string{"http://localtesting.pleroma.lol/objects/eb92579d-3417-42a8-8652-2492c2d4f454", s}
		}, false},
		{"misskey-fork-bite", func(a *localUser, _ string) []string {
			return []string{"https://as2.blueb.me/users/690d0271-4147-4302-ac50-7806f3ad8f87", a.URI}
		}, false},
		{"fep-044f-quote-request", func(_ *localUser, s string) []string {
			return []string{"https://example.com/users/alice/statuses/1", s}
		}, false},
		{"mobilizon-join-event", func(_ *localUser, s string) []string {
			return []string{"https://pleroma.mkljczk.pl/objects/b800bdb9-2cbb-40b6-9b29-196cfbd42398", s}
		}, false},
		{"lemmy-dislike", func(_ *localUser, s string) []string { return []string{"http://ds9.lemmy.ml/post/1", s} }, false},
		{"pleroma-create-chatmessage", func(a *localUser, _ string) []string {
			return []string{"http://2hu.gensokyo/users/marisa", a.URI}
		}, false},
		{"gotosocial-accept-like-request", nil, false},
		{"lemmy-announce-create-page", nil, false},
		{"wordpress-announce-update-article", nil, false},
		{"mastodon-block", func(a *localUser, _ string) []string { return []string{"https://example.com/~mallory", a.URI} }, true},
		{"mastodon-undo-block", nil, true},
		{"lemmy-block-user-community-ban", nil, true},
		{"mastodon-move", nil, true},
		{"mastodon-flag-report", func(a *localUser, s string) []string {
			return []string{"https://example.com/users/1", a.URI, "https://example.com/posts/380590", s}
		}, true},
		{"gotosocial-flag-report", nil, true},
		{"lemmy-flag-report", nil, true},
		{"lemmy-add-featured-post", nil, true},
		{"lemmy-remove-featured-post", nil, true},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			t.Parallel()
			r, alice := newRigWithUser(t, "alice")
			hers := r.post(alice, "hello")
			var repl []string
			if c.repl != nil {
				repl = c.repl(alice, hers.URI)
			}
			body, a := r.activity(c.fixture, r.remote, repl...)
			code, resp := r.send(a, body)
			if code != http.StatusAccepted && (!c.handled || code >= 500) {
				t.Fatalf("inbox answered %d (%s)", code, resp)
			}
			t.Logf("answered %d %s", code, strings.TrimSpace(resp))

			s, ok := r.status(alice, hers.ID)
			if !ok || s.FavouritesCount != 0 || s.ReblogsCount != 0 || s.RepliesCount != 0 || s.EditedAt != nil {
				t.Errorf("alice's status changed: %+v", s)
			}
			thread := r.statusContext(alice, hers.ID)
			if len(thread.Descendants) != 0 {
				t.Errorf("replies appeared: %+v", thread.Descendants)
			}
			if ns := r.notifications(alice); len(ns) != 0 {
				t.Errorf("alice was notified: %+v", ns)
			}
			me := r.me(alice)
			if me.FollowersCount != 0 || me.FollowingCount != 0 || me.StatusesCount != 1 {
				t.Errorf("alice's counts changed: %+v", me)
			}
			if acct, err := r.st.AccountByURI(t.Context(), a.uri); err == nil && acct.StatusesCount != 0 {
				t.Errorf("the sender has %d statuses here", acct.StatusesCount)
			}
			if ss := r.timeline(nil, "/api/v1/timelines/public"); len(ss) != 1 {
				t.Errorf("%d statuses on the public timeline", len(ss))
			}
		})
	}
}

// A vote (mastodon-create-poll-vote) counts in alice's poll and is no reply.
func TestInboxPollVote(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	var poll apiStatus
	form := url.Values{"status": {"which fruit?"}, "poll[options][]": {"orange", "apple"}, "poll[expires_in]": {"3600"}}
	r.must(alice, "POST", "/api/v1/statuses", form, &poll)
	if poll.Poll == nil {
		t.Skip("this build has no polls")
	}
	body, a := r.activity("mastodon-create-poll-vote", r.remote,
		"https://mastodon.example/users/alice/statuses/1009947848598745", poll.URI,
		"https://mastodon.example/users/alice", alice.URI)
	r.deliver(a, body)
	thread := r.statusContext(alice, poll.ID)
	if len(thread.Descendants) != 0 {
		t.Errorf("the vote became a reply: %+v", thread.Descendants)
	}
	var p apiPoll
	r.must(alice, "GET", "/api/v1/polls/"+poll.Poll.ID, nil, &p)
	if p.VotesCount != 1 || len(p.Options) == 0 || p.Options[0].VotesCount == nil || *p.Options[0].VotesCount != 1 {
		t.Errorf("poll after the vote: %+v", p)
	}
}

// The refusals: each is a clear 4xx and changes nothing.
func TestInboxRefuses(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	mallory := r.remote.actor(r.remote.origin + "/users/mallory")
	mallory.setKey(testKeys().attacker)
	follow, a := r.activity("mastodon-follow", r.remote, "https://ds9.lemmy.ml/c/testcom", alice.URI)
	// a and mallory are known here: both follow alice.
	r.deliver(a, follow)
	r.deliver(mallory, followFrom(t, mallory, "#f", alice))
	hers := r.post(alice, "hello")
	// a has a post here.
	theirs := a.uri + "/statuses/1"
	r.deliver(a, note(a, theirs, "<p>mine</p>", alice))
	like, _ := r.activity("mastodon-like", r.remote, "https://mastodon.madrid/users/felix", a.uri, "https://ds9.lemmy.ml/post/147", hers.URI)

	check := func(t *testing.T) {
		t.Helper()
		s, _ := r.status(alice, hers.ID)
		if s.FavouritesCount != 0 || s.ReblogsCount != 0 || s.RepliesCount != 0 {
			t.Errorf("alice's status changed: %+v", s)
		}
		if p, ok := r.status(alice, r.statusID(theirs)); !ok || !strings.Contains(p.Content, "mine") || p.EditedAt != nil {
			t.Errorf("their post changed: %+v", p)
		}
	}

	t.Run("unsigned", func(t *testing.T) {
		r.expect(http.StatusUnauthorized, a, like, unsigned())
		check(t)
	})
	t.Run("bad signature", func(t *testing.T) {
		r.expect(http.StatusUnauthorized, a, like, withKey(testKeys().attacker))
		check(t)
	})
	t.Run("body altered after signing", func(t *testing.T) {
		altered := bytes.Replace(like, []byte(`"Like"`), []byte(`"Like" `), 1)
		r.expect(http.StatusUnauthorized, a, like, tampered(func(req *http.Request) {
			req.Body = ioNopCloser(altered)
			req.ContentLength = int64(len(altered))
		}))
		check(t)
	})
	t.Run("stale date", func(t *testing.T) {
		r.expect(http.StatusUnauthorized, a, like, signedAt(time.Now().Add(-13*time.Hour)))
		check(t)
	})
	t.Run("date in the future", func(t *testing.T) {
		r.expect(http.StatusUnauthorized, a, like, signedAt(time.Now().Add(2*time.Hour)))
		check(t)
	})
	t.Run("actor is not the signer", func(t *testing.T) {
		r.expect(http.StatusUnauthorized, mallory, like)
		check(t)
	})
	t.Run("key id of an unknown host", func(t *testing.T) {
		r.expect(http.StatusUnauthorized, a, like, withKeyID("http://127.0.0.1:1/users/nobody#main-key"))
		check(t)
	})
	t.Run("create of an object on another host", func(t *testing.T) {
		body := note(a, r.other.origin+"/users/x/statuses/1", "<p>forged</p>", alice)
		r.expect(http.StatusForbidden, a, body)
		if r.statusID(r.other.origin+"/users/x/statuses/1") != "" {
			t.Error("stored")
		}
		check(t)
	})
	t.Run("create attributed to another actor", func(t *testing.T) {
		body := edit(t, note(a, a.uri+"/statuses/2", "<p>forged</p>", alice), func(m map[string]any) {
			m["object"].(map[string]any)["attributedTo"] = mallory.uri
		})
		r.expect(http.StatusForbidden, a, body)
		if r.statusID(a.uri+"/statuses/2") != "" {
			t.Error("stored")
		}
	})
	t.Run("announce with an id on another host", func(t *testing.T) {
		body, _ := r.activity("mastodon-announce", r.remote,
			"http://mastodon.example.org/users/admin/statuses/99542391527669785/activity", r.other.origin+"/boosts/1",
			"http://mastodon.example.org/users/admin", a.uri,
			"http://mastodon.example.org/@admin/99541947525187367", hers.URI)
		r.expect(http.StatusForbidden, a, body)
		check(t)
	})
	t.Run("update of another actor's post", func(t *testing.T) {
		body := edit(t, note(mallory, theirs, "<p>defaced</p>", nil), func(m map[string]any) {
			m["type"] = "Update"
			m["object"].(map[string]any)["updated"] = time.Now().UTC().Format(time.RFC3339)
		})
		r.expect(http.StatusForbidden, mallory, body)
		body = edit(t, body, func(m map[string]any) { m["object"].(map[string]any)["attributedTo"] = a.uri })
		r.expect(http.StatusForbidden, mallory, body)
		check(t)
	})
	t.Run("delete of another actor's post", func(t *testing.T) {
		body := mustJSON(t, map[string]any{"@context": asContext, "id": mallory.uri + "#delete", "type": "Delete", "actor": mallory.uri, "object": theirs})
		r.expect(http.StatusForbidden, mallory, body)
		check(t)
	})
	t.Run("update of another actor", func(t *testing.T) {
		body := mustJSON(t, map[string]any{"@context": asContext, "id": mallory.uri + "#update", "type": "Update", "actor": mallory.uri,
			"object": map[string]any{"id": a.uri, "type": "Person", "preferredUsername": "hacked", "inbox": mallory.uri + "/inbox"}})
		r.expect(http.StatusForbidden, mallory, body)
		if acct := r.remoteAccount(alice, a); acct.Username != a.name {
			t.Errorf("the account changed: %+v", acct)
		}
	})
	t.Run("undo of another actor's follow", func(t *testing.T) {
		undo, _ := r.activity("mastodon-undo-follow", r.remote, "https://ds9.lemmy.ml/c/testcom", alice.URI)
		undo = edit(t, undo, func(m map[string]any) { m["actor"] = mallory.uri; m["id"] = mallory.uri + "#undo" })
		r.expect(http.StatusForbidden, mallory, undo)
		followers := r.followers(alice)
		if len(followers) != 2 {
			t.Errorf("%d followers", len(followers))
		}
	})
	t.Run("malformed JSON", func(t *testing.T) {
		r.expect(http.StatusBadRequest, a, []byte(`{"type": "Like", "actor": `))
		r.expect(http.StatusBadRequest, a, []byte(`["not", "an", "object"]`))
		r.expect(http.StatusBadRequest, a, []byte(`{"id": "`+a.uri+`#x", "actor": "`+a.uri+`"}`))
	})
	t.Run("too large", func(t *testing.T) {
		big := bytes.Repeat([]byte(" "), 1<<20)
		r.expect(http.StatusRequestEntityTooLarge, a, append(big, like...))
	})
	t.Run("unknown inbox", func(t *testing.T) {
		r.expect(http.StatusNotFound, a, like, toPath("/users/nobody/inbox"))
	})
	t.Run("still working", func(t *testing.T) {
		r.deliver(a, like)
		if s, _ := r.status(alice, hers.ID); s.FavouritesCount != 1 {
			t.Errorf("favourites_count %d", s.FavouritesCount)
		}
	})
}

// A key published under another host's key id must not be taken for that
// host's: the owner of the id would be locked out.
func TestInboxKeyOfAnotherHost(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	alice := r.newUser("alice", true)
	victim := r.remote.actor(r.remote.origin + "/users/victim")
	mallory := r.other.actor(r.other.origin + "/users/mallory")
	mallory.setKey(testKeys().attacker)
	mallory.setDocument(mustJSON(t, map[string]any{
		"@context": asContext, "id": mallory.uri, "type": "Person", "preferredUsername": "mallory",
		"inbox": mallory.uri + "/inbox",
		"publicKey": map[string]any{
			"id": victim.keyID, "owner": mallory.uri, "publicKeyPem": publicPEM(testKeys().attacker),
		},
	}))
	followOf := func(a *actor) []byte {
		return followFrom(t, a, "#follow", alice)
	}
	// Mallory gets known here, however his own request ends.
	if code, _ := r.send(mallory, followOf(mallory), withKeyID(mallory.uri+"#main-key")); code >= 500 {
		t.Fatalf("status %d", code)
	}
	// Mallory signs as the victim's key: refused.
	r.expect(http.StatusUnauthorized, mallory, followOf(mallory), withKeyID(victim.keyID))
	r.expect(http.StatusUnauthorized, mallory, followOf(victim), withKeyID(victim.keyID))
	// The victim is not locked out.
	r.deliver(victim, followOf(victim))
	var requests []apiAccount
	r.must(alice, "GET", "/api/v1/follow_requests", nil, &requests)
	if len(requests) != 1 || requests[0].Acct != victim.acct() {
		t.Errorf("follow requests %+v", requests)
	}
}

func TestInboxKeyRotation(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	hers := r.post(alice, "hello")
	like, a := r.activity("mastodon-like", r.remote, "https://ds9.lemmy.ml/post/147", hers.URI)
	undo, _ := r.activity("mastodon-undo-like", r.remote, "https://ds9.lemmy.ml/post/147", hers.URI)

	r.deliver(a, like)
	if n := r.remote.fetches(a.uri); n != 1 {
		t.Fatalf("first contact fetched the actor %d times", n)
	}
	// The actor rotates its key; the first signature with the new one
	// makes Roost fetch the actor once more, and succeeds.
	a.setKey(testKeys().rotated)
	r.deliver(a, undo)
	if n := r.remote.fetches(a.uri); n != 2 {
		t.Errorf("the new key made %d fetches, want 1", n-1)
	}
	// From now on the new key is known.
	r.deliver(a, like)
	if n := r.remote.fetches(a.uri); n != 2 {
		t.Errorf("a known key made %d more fetches", n-2)
	}
	if s, _ := r.status(alice, hers.ID); s.FavouritesCount != 1 {
		t.Errorf("favourites_count %d", s.FavouritesCount)
	}
	// The old key no longer works.
	r.expect(http.StatusUnauthorized, a, undo, withKey(testKeys().remote))
}

func ioNopCloser(b []byte) *nopCloser { return &nopCloser{bytes.NewReader(b)} }

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// Times before 1970 (which would make negative IDs) and after now are
// taken as now, not refused with a 500.
func TestInboxOddTimes(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	hers := r.post(alice, "boost me")

	// An actor "published" in 1800.
	a := r.remote.actor(r.remote.origin + "/users/old")
	a.setDocument(edit(t, a.documentLocked(), func(m map[string]any) { m["published"] = "1800-01-01T00:00:00Z" }))
	r.deliver(a, followFrom(t, a, "#follow", alice))

	for i, published := range []string{"1900-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "0001-01-01T00:00:01Z", "9999-12-31T23:59:59Z"} {
		uri := a.uri + "/statuses/" + string(rune('a'+i))
		r.deliver(a, edit(t, note(a, uri, "<p>when?</p>", alice), func(m map[string]any) {
			m["published"] = published
			m["object"].(map[string]any)["published"] = published
		}))
		s := r.remoteStatus(alice, uri)
		if created, _ := time.Parse(time.RFC3339, s.CreatedAt); created.Before(time.Now().Add(-time.Hour)) || created.After(time.Now().Add(time.Hour)) {
			t.Errorf("published %s: created_at %s", published, s.CreatedAt)
		}
	}
	announce, _ := r.activity("mastodon-announce", r.remote,
		"http://mastodon.example.org/@admin/99541947525187367", hers.URI,
		`"published": "2018-02-17T19:39:15Z"`, `"published": "1960-02-17T19:39:15Z"`)
	admin := r.remote.actor(r.remote.origin + "/users/admin")
	r.deliver(admin, announce)
	if s, _ := r.status(alice, hers.ID); s.ReblogsCount != 1 {
		t.Errorf("reblogs_count %d after a boost from 1960", s.ReblogsCount)
	}
}

// A reply names its parent by the parent's web address: still a reply to
// alice's post, and still relevant.
func TestInboxReplyByWebAddress(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	parent := r.post(alice, "Which laptop should I get?")
	body, _ := r.activity("mastodon-create-note-reply", r.remote,
		"https://mamot.fr/users/retiolus/statuses/107224244380204526", *parent.URL,
		"https://mamot.fr/users/retiolus", r.remote.origin+"/users/nobody")
	a := r.remote.actor(r.remote.origin + "/users/felix")
	r.deliver(a, body)
	thread := r.statusContext(alice, parent.ID)
	if len(thread.Descendants) != 1 || !strings.Contains(thread.Descendants[0].Content, "thinkpad") {
		t.Errorf("replies %+v", thread.Descendants)
	}
}

// Peer mistakes that reach the store's rules are refusals, not 500s.
func TestInboxMistakesReachingTheStore(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	hers := r.post(alice, "boost me")
	a := r.remote.actor(r.remote.origin + "/users/ann")
	b := r.remote.actor(r.remote.origin + "/users/bea")
	for _, x := range []*actor{a, b} {
		r.deliver(x, followFrom(t, x, "#follow", alice))
	}

	t.Run("update to a username taken on the same host", func(t *testing.T) {
		var doc map[string]any
		mustUnmarshal(t, edit(t, a.documentLocked(), func(m map[string]any) { m["preferredUsername"] = "bea" }), &doc)
		update := mustJSON(t, map[string]any{"@context": asContext, "id": a.uri + "#update", "type": "Update", "actor": a.uri, "object": doc})
		if code, resp := r.send(a, update); code < 400 || code >= 500 {
			t.Errorf("answered %d (%s)", code, resp)
		}
		if acct := r.remoteAccount(alice, a); acct.Username != "ann" {
			t.Errorf("the account changed: %+v", acct)
		}
	})
	t.Run("update of a boost as if a post", func(t *testing.T) {
		boostID := a.uri + "/boosts/1"
		r.deliver(a, mustJSON(t, map[string]any{"@context": asContext, "id": boostID, "type": "Announce", "actor": a.uri,
			"object": hers.URI, "to": []string{public}}))
		if s, _ := r.status(alice, hers.ID); s.ReblogsCount != 1 {
			t.Fatalf("reblogs_count %d", s.ReblogsCount)
		}
		update := mustJSON(t, map[string]any{"@context": asContext, "id": boostID + "#update", "type": "Update", "actor": a.uri,
			"object": map[string]any{"id": boostID, "type": "Note", "attributedTo": a.uri, "content": "<p>now a post</p>",
				"updated": time.Now().UTC().Format(time.RFC3339), "to": []string{public}}})
		if code, resp := r.send(a, update); code >= 500 {
			t.Errorf("answered %d (%s)", code, resp)
		}
		if s, _ := r.status(alice, hers.ID); s.ReblogsCount != 1 {
			t.Errorf("reblogs_count %d", s.ReblogsCount)
		}
	})
}

// Posts published in the same second (Mastodon's times are whole seconds)
// all arrive: none is lost to a clash of the IDs made from that time.
func TestInboxBurstOfOneSecond(t *testing.T) {
	t.Parallel()
	r, alice := newRigWithUser(t, "alice")
	a := r.remote.actor(r.remote.origin + "/users/busy")
	a.setKey(testKeys().fast)
	remoteID := r.follow(alice, a)
	// With n posts in one millisecond, two draw the same random 16-bit
	// sequence with probability 1-exp(-n²/2¹⁷): 85% for 500.
	n := 500
	if raceDetector {
		n = 100
	}
	const workers = 4
	const published = "2026-01-02T03:04:05Z"
	jobs := make(chan int)
	failures := make(chan string, n)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				uri := fmt.Sprintf("%s/statuses/%d", a.uri, i)
				body := edit(t, note(a, uri, "<p>one of many</p>", nil), func(m map[string]any) {
					m["published"] = published
					m["object"].(map[string]any)["published"] = published
				})
				if code, resp := r.send(a, body); code != http.StatusAccepted {
					failures <- fmt.Sprintf("%d: %d %s", i, code, resp)
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	var acct apiAccount
	r.must(alice, "GET", "/api/v1/accounts/"+remoteID, nil, &acct)
	if acct.StatusesCount != n {
		t.Errorf("%d of %d posts stored", acct.StatusesCount, n)
	}
}
