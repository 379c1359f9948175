package server

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Shapes the tests read back. Only the fields a test looks at are here; the
// golden files check the whole entities.

type statusJSON struct {
	ID                 string      `json:"id"`
	CreatedAt          string      `json:"created_at"`
	InReplyToID        *string     `json:"in_reply_to_id"`
	InReplyToAccountID *string     `json:"in_reply_to_account_id"`
	Sensitive          bool        `json:"sensitive"`
	SpoilerText        string      `json:"spoiler_text"`
	Visibility         string      `json:"visibility"`
	Language           *string     `json:"language"`
	URI                string      `json:"uri"`
	URL                *string     `json:"url"`
	RepliesCount       int         `json:"replies_count"`
	ReblogsCount       int         `json:"reblogs_count"`
	FavouritesCount    int         `json:"favourites_count"`
	EditedAt           *string     `json:"edited_at"`
	Favourited         bool        `json:"favourited"`
	Reblogged          bool        `json:"reblogged"`
	Bookmarked         bool        `json:"bookmarked"`
	Pinned             *bool       `json:"pinned"`
	Content            string      `json:"content"`
	Text               *string     `json:"text"`
	Reblog             *statusJSON `json:"reblog"`
	Application        *struct {
		Name string `json:"name"`
	} `json:"application"`
	Account  accountJSON `json:"account"`
	Mentions []struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		URL      string `json:"url"`
		Acct     string `json:"acct"`
	} `json:"mentions"`
	Tags []struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"tags"`
}

type fieldJSON struct {
	Name       string  `json:"name"`
	Value      string  `json:"value"`
	VerifiedAt *string `json:"verified_at"`
}

type accountJSON struct {
	ID             string      `json:"id"`
	Username       string      `json:"username"`
	Acct           string      `json:"acct"`
	DisplayName    string      `json:"display_name"`
	Locked         bool        `json:"locked"`
	Bot            bool        `json:"bot"`
	Discoverable   bool        `json:"discoverable"`
	Note           string      `json:"note"`
	URL            string      `json:"url"`
	URI            string      `json:"uri"`
	Avatar         string      `json:"avatar"`
	Header         string      `json:"header"`
	FollowersCount int         `json:"followers_count"`
	FollowingCount int         `json:"following_count"`
	StatusesCount  int         `json:"statuses_count"`
	Fields         []fieldJSON `json:"fields"`
	Source         *struct {
		Privacy             string      `json:"privacy"`
		Sensitive           bool        `json:"sensitive"`
		Language            string      `json:"language"`
		Note                string      `json:"note"`
		Fields              []fieldJSON `json:"fields"`
		FollowRequestsCount int         `json:"follow_requests_count"`
	} `json:"source"`
}

func (r *response) asStatus(t *testing.T) statusJSON {
	t.Helper()
	var s statusJSON
	r.decode(t, &s)
	return s
}

func (r *response) asStatuses(t *testing.T) []statusJSON {
	t.Helper()
	var ss []statusJSON
	r.decode(t, &ss)
	return ss
}

func (r *response) asAccount(t *testing.T) accountJSON {
	t.Helper()
	var a accountJSON
	r.decode(t, &a)
	return a
}

func (r *response) asAccounts(t *testing.T) []accountJSON {
	t.Helper()
	var as []accountJSON
	r.decode(t, &as)
	return as
}

func statusIDs(ss []statusJSON) []string {
	ids := make([]string, len(ss))
	for i, s := range ss {
		ids[i] = s.ID
	}
	return ids
}

func accountIDs(as []accountJSON) []string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	return ids
}

// wantIDs fails unless got is exactly want, in order.
func wantIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// wantError fails unless r is a JSON error with the given status, and
// returns its message.
func wantError(t *testing.T, r *response, status int) string {
	t.Helper()
	r.want(t, status)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error with Content-Type %q: %s", ct, r.body)
	}
	return r.errorText(t)
}

// follow makes a follow b and checks the relationship says so.
func (in *instance) follow(t *testing.T, a, b *user) {
	t.Helper()
	var rel struct {
		Following bool `json:"following"`
		Requested bool `json:"requested"`
	}
	a.post(in, "/api/v1/accounts/"+b.ID+"/follow", nil).want(t, 200).decode(t, &rel)
	if !rel.Following && !rel.Requested {
		t.Fatalf("%s follows %s: relationship %+v", a.Username, b.Username, rel)
	}
}

// statusCount counts u's statuses as u sees them on the profile.
func (in *instance) statusCount(t *testing.T, u *user) int {
	t.Helper()
	return len(u.get(in, "/api/v1/accounts/"+u.ID+"/statuses?limit=40").want(t, 200).asStatuses(t))
}

// postWith sends a form to path with extra request headers.
func (in *instance) postWith(token, path string, form url.Values, header http.Header) *response {
	in.t.Helper()
	req, err := http.NewRequest("POST", in.http.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		in.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	for k, vs := range header {
		req.Header[k] = vs
	}
	return in.send(req)
}

func TestCreateStatusThreeEncodings(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")

	// Form.
	s := alice.post(in, "/api/v1/statuses", url.Values{"status": {"hello form"}}).want(t, 200).asStatus(t)
	if s.Content != "<p>hello form</p>" || s.Visibility != "public" || s.Account.ID != alice.ID || s.Sensitive || s.SpoilerText != "" {
		t.Fatalf("form status = %+v", s)
	}
	if s.URI != "https://roost.test/users/alice/statuses/"+s.ID || s.URL == nil || *s.URL != "https://roost.test/@alice/"+s.ID {
		t.Fatalf("status addresses uri=%q url=%v", s.URI, s.URL)
	}
	if s.Application == nil || s.Application.Name != "roost token" {
		t.Fatalf("application = %+v, want the token's app", s.Application)
	}

	// JSON, with booleans as JSON booleans.
	s = alice.post(in, "/api/v1/statuses", map[string]any{
		"status": "hello json", "visibility": "unlisted", "sensitive": true, "spoiler_text": "cw", "language": "de",
	}).want(t, 200).asStatus(t)
	if s.Content != "<p>hello json</p>" || s.Visibility != "unlisted" || !s.Sensitive || s.SpoilerText != "cw" || s.Language == nil || *s.Language != "de" {
		t.Fatalf("json status = %+v", s)
	}

	// Query string, no body.
	s = in.do("POST", "/api/v1/statuses?status=hello+query&visibility=private", alice.token, nil).want(t, 200).asStatus(t)
	if s.Content != "<p>hello query</p>" || s.Visibility != "private" {
		t.Fatalf("query status = %+v", s)
	}

	// All three are stored and read back the same way.
	got := alice.get(in, "/api/v1/accounts/"+alice.ID+"/statuses").want(t, 200).asStatuses(t)
	if len(got) != 3 || got[0].Content != "<p>hello query</p>" || got[2].Content != "<p>hello form</p>" {
		t.Fatalf("profile = %v", statusIDs(got))
	}
}

func TestCreateStatusFields(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")

	// A content warning makes a status sensitive, as in Mastodon.
	s := alice.post(in, "/api/v1/statuses", url.Values{"status": {"spoiled"}, "spoiler_text": {"food"}}).want(t, 200).asStatus(t)
	if !s.Sensitive || s.SpoilerText != "food" {
		t.Fatalf("spoiler status: sensitive=%v spoiler=%q", s.Sensitive, s.SpoilerText)
	}
	s = alice.post(in, "/api/v1/statuses", url.Values{"status": {"sensitive"}, "sensitive": {"true"}}).want(t, 200).asStatus(t)
	if !s.Sensitive || s.SpoilerText != "" {
		t.Fatalf("sensitive status: sensitive=%v spoiler=%q", s.Sensitive, s.SpoilerText)
	}
	s = alice.post(in, "/api/v1/statuses", url.Values{"status": {"plain"}, "sensitive": {"false"}}).want(t, 200).asStatus(t)
	if s.Sensitive {
		t.Fatal("sensitive=false gave a sensitive status")
	}

	for _, vis := range []string{"public", "unlisted", "private", "direct"} {
		s := alice.post(in, "/api/v1/statuses", url.Values{"status": {"to " + vis}, "visibility": {vis}}).want(t, 200).asStatus(t)
		if s.Visibility != vis {
			t.Fatalf("visibility %s stored as %s", vis, s.Visibility)
		}
		if g := alice.get(in, "/api/v1/statuses/"+s.ID).want(t, 200).asStatus(t); g.Visibility != vis {
			t.Fatalf("visibility %s read back as %s", vis, g.Visibility)
		}
	}

	for _, lang := range []string{"en", "fr", "pt-BR"} {
		s := alice.post(in, "/api/v1/statuses", url.Values{"status": {"in " + lang}, "language": {lang}}).want(t, 200).asStatus(t)
		if s.Language == nil || *s.Language != lang {
			t.Fatalf("language %s stored as %v", lang, s.Language)
		}
	}

	before := in.statusCount(t, alice)
	for _, bad := range []url.Values{
		{"status": {"x"}, "visibility": {"everyone"}},
		{"status": {"x"}, "visibility": {"limited"}},
		{"status": {"x"}, "language": {"english!"}},
		{"status": {"x"}, "language": {"e"}},
		{"status": {"x"}, "in_reply_to_id": {"999999999999"}},
		{"status": {"x"}, "in_reply_to_id": {"not-an-id"}},
	} {
		r := alice.post(in, "/api/v1/statuses", bad)
		if msg := wantError(t, r, 422); !strings.Contains(msg, "Validation failed") {
			t.Errorf("%v: error %q", bad, msg)
		}
	}
	if n := in.statusCount(t, alice); n != before {
		t.Fatalf("refused statuses were stored: %d statuses, had %d", n, before)
	}

	// Without visibility, sensitive or language, the account's defaults
	// apply.
	in.do("PATCH", "/api/v1/accounts/update_credentials", alice.token, url.Values{
		"source[privacy]": {"private"}, "source[sensitive]": {"true"}, "source[language]": {"nl"},
	}).want(t, 200)
	s = alice.post(in, "/api/v1/statuses", url.Values{"status": {"default"}}).want(t, 200).asStatus(t)
	if s.Visibility != "private" || !s.Sensitive || s.Language == nil || *s.Language != "nl" {
		t.Fatalf("status without visibility/sensitive/language: %s, %v, %v; want the account defaults private, true, nl", s.Visibility, s.Sensitive, s.Language)
	}
	s = alice.post(in, "/api/v1/statuses", url.Values{"status": {"explicit"}, "visibility": {"public"}, "sensitive": {"false"}, "language": {"en"}}).want(t, 200).asStatus(t)
	if s.Visibility != "public" || s.Sensitive || *s.Language != "en" {
		t.Fatalf("explicit values ignored: %s, %v, %v", s.Visibility, s.Sensitive, *s.Language)
	}
}

func TestReplyThreading(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	root := in.postStatus(alice, "root")
	reply := bob.post(in, "/api/v1/statuses", url.Values{"status": {"@alice reply"}, "in_reply_to_id": {root}}).want(t, 200).asStatus(t)
	if reply.InReplyToID == nil || *reply.InReplyToID != root || reply.InReplyToAccountID == nil || *reply.InReplyToAccountID != alice.ID {
		t.Fatalf("reply in_reply_to = %v / %v", reply.InReplyToID, reply.InReplyToAccountID)
	}
	if r := bob.get(in, "/api/v1/statuses/"+root).want(t, 200).asStatus(t); r.RepliesCount != 1 {
		t.Fatalf("root replies_count = %d, want 1", r.RepliesCount)
	}
	// JSON sends the parent's ID as a string too.
	deeper := alice.post(in, "/api/v1/statuses", map[string]any{"status": "deeper", "in_reply_to_id": reply.ID}).want(t, 200).asStatus(t)
	if deeper.InReplyToID == nil || *deeper.InReplyToID != reply.ID || *deeper.InReplyToAccountID != bob.ID {
		t.Fatalf("deeper in_reply_to = %v / %v", deeper.InReplyToID, deeper.InReplyToAccountID)
	}
	// Some apps send the ID as a JSON number; all its digits count.
	numeric := alice.post(in, "/api/v1/statuses", `{"status": "numeric", "in_reply_to_id": `+root+`}`).want(t, 200).asStatus(t)
	if numeric.InReplyToID == nil || *numeric.InReplyToID != root {
		t.Fatalf("reply to a numeric in_reply_to_id %s went to %v", root, numeric.InReplyToID)
	}

	// A private status bob cannot see cannot be replied to, and the refusal
	// does not tell him it exists.
	hidden := in.postStatus(alice, "followers only", "visibility", "private")
	r := bob.post(in, "/api/v1/statuses", url.Values{"status": {"sneaky"}, "in_reply_to_id": {hidden}})
	wantError(t, r, 422)
	r2 := bob.post(in, "/api/v1/statuses", url.Values{"status": {"sneaky"}, "in_reply_to_id": {"999999999999"}})
	if wantError(t, r2, 422) != r.errorText(t) {
		t.Fatalf("hidden and unknown parents answer differently: %s vs %s", r.body, r2.body)
	}
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	key := http.Header{"Idempotency-Key": {"retry-42"}}
	first := in.postWith(alice.token, "/api/v1/statuses", url.Values{"status": {"once"}}, key).want(t, 200).asStatus(t)
	again := in.postWith(alice.token, "/api/v1/statuses", url.Values{"status": {"once"}}, key).want(t, 200).asStatus(t)
	if again.ID != first.ID || again.Content != "<p>once</p>" {
		t.Fatalf("retry with the same key made %s, first was %s", again.ID, first.ID)
	}
	if n := in.statusCount(t, alice); n != 1 {
		t.Fatalf("%d statuses after a retried post, want 1", n)
	}
	other := in.postWith(alice.token, "/api/v1/statuses", url.Values{"status": {"once"}}, http.Header{"Idempotency-Key": {"retry-43"}}).want(t, 200).asStatus(t)
	if other.ID == first.ID {
		t.Fatal("a different key returned the first status")
	}
	// Keys belong to an account: bob's "retry-42" is his own post.
	bobs := in.postWith(bob.token, "/api/v1/statuses", url.Values{"status": {"mine"}}, key).want(t, 200).asStatus(t)
	if bobs.ID == first.ID || bobs.Account.ID != bob.ID {
		t.Fatalf("bob's post with alice's key = %+v", bobs)
	}
}

func TestStatusLengthLimit(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")

	in.postStatus(alice, strings.Repeat("a", 500))
	r := alice.post(in, "/api/v1/statuses", url.Values{"status": {strings.Repeat("a", 501)}})
	if msg := wantError(t, r, 422); !strings.Contains(msg, "500") {
		t.Errorf("length error %q does not name the limit", msg)
	}
	// Multi-byte characters count once each.
	in.postStatus(alice, strings.Repeat("é", 500))
	wantError(t, alice.post(in, "/api/v1/statuses", url.Values{"status": {strings.Repeat("é", 501)}}), 422)

	// A URL counts 23 characters however long it is.
	long := "https://example.com/" + strings.Repeat("x", 580)
	if len(long) != 600 {
		t.Fatalf("test URL is %d long", len(long))
	}
	s := alice.post(in, "/api/v1/statuses", url.Values{"status": {"look at this " + long}}).want(t, 200).asStatus(t)
	if !strings.Contains(s.Content, `href="`+long+`"`) {
		t.Fatalf("long URL not linked whole: %s", s.Content)
	}
	in.postStatus(alice, strings.Repeat("a", 476)+" "+long)
	wantError(t, alice.post(in, "/api/v1/statuses", url.Values{"status": {strings.Repeat("a", 477) + " " + long}}), 422)

	// The content warning counts toward the limit.
	in.postStatus(alice, strings.Repeat("a", 490), "spoiler_text", strings.Repeat("s", 10))
	wantError(t, alice.post(in, "/api/v1/statuses", url.Values{"status": {strings.Repeat("a", 490)}, "spoiler_text": {strings.Repeat("s", 11)}}), 422)

	if n := in.statusCount(t, alice); n != 5 {
		t.Fatalf("%d statuses stored, want the 5 within the limit", n)
	}
}

func TestStatusRefusesBadText(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	for name, body := range map[string]any{
		"empty":           url.Values{"status": {""}},
		"blank":           url.Values{"status": {"  \n\t "}},
		"missing":         url.Values{"visibility": {"public"}},
		"NUL in form":     url.Values{"status": {"hi\x00there"}},
		"NUL in JSON":     `{"status": "hi\u0000there"}`,
		"NUL in spoiler":  url.Values{"status": {"hi"}, "spoiler_text": {"a\x00b"}},
		"bad UTF-8 form":  url.Values{"status": {"caf\xe9"}},
		"bad UTF-8 bytes": url.Values{"status": {"\xff\xfe"}},
	} {
		r := alice.post(in, "/api/v1/statuses", body)
		if r.status != 422 {
			t.Errorf("%s: status %d, want 422; body %s", name, r.status, r.body)
			continue
		}
		wantError(t, r, 422)
	}
	// NUL in the query string is refused the same way.
	wantError(t, in.do("POST", "/api/v1/statuses?status=a%00b", alice.token, nil), 422)
	if n := in.statusCount(t, alice); n != 0 {
		t.Fatalf("%d statuses stored from refused requests", n)
	}
}

func TestStatusContentRendering(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	text := "Hello <world> & friends\n\nSecond para\nnext line https://example.com/page @bob @nobody #Roost <script>alert(1)</script>"
	s := alice.post(in, "/api/v1/statuses", url.Values{"status": {text}}).want(t, 200).asStatus(t)
	c := s.Content
	for _, want := range []string{
		`<p>Hello &lt;world&gt; &amp; friends</p><p>Second para<br />next line `,
		`<a href="https://example.com/page" target="_blank" rel="nofollow noopener noreferrer" translate="no">`,
		`<span class="h-card" translate="no"><a href="https://roost.test/@bob" class="u-url mention">@<span>bob</span></a></span>`,
		` @nobody `,
		`<a href="https://roost.test/tags/roost" class="mention hashtag" rel="tag">#<span>Roost</span></a>`,
		`&lt;script&gt;alert(1)&lt;/script&gt;</p>`,
	} {
		if !strings.Contains(c, want) {
			t.Errorf("content lacks %s\ncontent: %s", want, c)
		}
	}
	if strings.Contains(c, "<script") || strings.Contains(c, "\n") {
		t.Errorf("content has raw script or newlines: %s", c)
	}
	if len(s.Mentions) != 1 || s.Mentions[0].ID != bob.ID || s.Mentions[0].Acct != "bob" || s.Mentions[0].Username != "bob" || s.Mentions[0].URL != "https://roost.test/@bob" {
		t.Errorf("mentions = %+v, want bob only", s.Mentions)
	}
	if len(s.Tags) != 1 || s.Tags[0].Name != "roost" || s.Tags[0].URL != "https://roost.test/tags/roost" {
		t.Errorf("tags = %+v", s.Tags)
	}
	// What is stored is what was answered.
	g := bob.get(in, "/api/v1/statuses/"+s.ID).want(t, 200).asStatus(t)
	if g.Content != c || len(g.Mentions) != 1 || len(g.Tags) != 1 {
		t.Errorf("read back %+v", g)
	}
	// HTML goes out unescaped, as Mastodon writes it.
	raw := alice.get(in, "/api/v1/statuses/"+s.ID).body
	if !strings.Contains(string(raw), `"content":"<p>Hello &lt;world&gt;`) {
		t.Errorf("content is not sent as Mastodon writes it: %.200s", raw)
	}
}

func TestGetStatusVisibility(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob, carol := in.newUser("alice"), in.newUser("bob"), in.newUser("carol")
	pub := in.postStatus(alice, "public")
	unl := in.postStatus(alice, "unlisted", "visibility", "unlisted")
	priv := in.postStatus(alice, "private", "visibility", "private")
	dm := in.postStatus(alice, "@carol secret", "visibility", "direct")

	check := func(who string, token string, id string, want int) {
		t.Helper()
		r := in.do("GET", "/api/v1/statuses/"+id, token, nil)
		if r.status != want {
			t.Fatalf("%s GET %s: %d, want %d; %s", who, id, r.status, want, r.body)
		}
		if want == 404 {
			wantError(t, r, 404)
		}
	}
	// Anonymous: public and unlisted only.
	check("anonymous", "", pub, 200)
	check("anonymous", "", unl, 200)
	check("anonymous", "", priv, 404)
	check("anonymous", "", dm, 404)
	// A stranger: the same.
	check("bob", bob.token, pub, 200)
	check("bob", bob.token, priv, 404)
	check("bob", bob.token, dm, 404)
	// The mentioned account sees the direct status, not the private one.
	check("carol", carol.token, dm, 200)
	check("carol", carol.token, priv, 404)
	// The author sees everything.
	check("alice", alice.token, priv, 200)
	check("alice", alice.token, dm, 200)
	// Following shows followers-only statuses, but not others' DMs.
	in.follow(t, bob, alice)
	check("bob following", bob.token, priv, 200)
	check("bob following", bob.token, dm, 404)
	// The context of a hidden status is hidden too.
	wantError(t, in.do("GET", "/api/v1/statuses/"+priv+"/context", "", nil), 404)

	check("anonymous", "", "999999999999", 404)
	check("anonymous", "", "nope", 404)
}

func TestDeleteStatus(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	id := in.postStatus(alice, "delete me #soon", "spoiler_text", "cw")
	keep := in.postStatus(alice, "keep me")

	// Someone else's status is not found, and survives.
	wantError(t, in.do("DELETE", "/api/v1/statuses/"+id, bob.token, nil), 404)
	in.do("GET", "/api/v1/statuses/"+id, "", nil).want(t, 200)
	// Without a token: 401.
	wantError(t, in.do("DELETE", "/api/v1/statuses/"+id, "", nil), 401)

	d := in.do("DELETE", "/api/v1/statuses/"+id, alice.token, nil).want(t, 200).asStatus(t)
	if d.ID != id || d.Text == nil || *d.Text != "delete me #soon" || d.SpoilerText != "cw" || !strings.Contains(d.Content, "delete me") {
		t.Fatalf("delete answered %+v (text %v)", d, d.Text)
	}
	wantError(t, in.do("GET", "/api/v1/statuses/"+id, alice.token, nil), 404)
	wantError(t, in.do("DELETE", "/api/v1/statuses/"+id, alice.token, nil), 404)
	wantError(t, in.do("DELETE", "/api/v1/statuses/999999999999", alice.token, nil), 404)
	wantIDs(t, "profile after delete", statusIDs(alice.get(in, "/api/v1/accounts/"+alice.ID+"/statuses").want(t, 200).asStatuses(t)), keep)
	if a := in.do("GET", "/api/v1/accounts/"+alice.ID, "", nil).want(t, 200).asAccount(t); a.StatusesCount != 1 {
		t.Fatalf("statuses_count = %d after delete, want 1", a.StatusesCount)
	}
}

func TestEditStatus(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	orig := alice.post(in, "/api/v1/statuses", url.Values{"status": {"original"}}).want(t, 200).asStatus(t)
	if orig.EditedAt != nil {
		t.Fatalf("new status has edited_at %v", *orig.EditedAt)
	}
	if h := in.do("GET", "/api/v1/statuses/"+orig.ID+"/history", "", nil).want(t, 200).list(t); len(h) != 1 || h[0]["content"] != "<p>original</p>" {
		t.Fatalf("history of an unedited status = %v", h)
	}

	// Others cannot edit it; nothing changes.
	wantError(t, in.do("PUT", "/api/v1/statuses/"+orig.ID, bob.token, url.Values{"status": {"hijack"}}), 404)
	// A blank edit is refused; nothing changes.
	wantError(t, in.do("PUT", "/api/v1/statuses/"+orig.ID, alice.token, url.Values{"status": {" "}}), 422)
	wantError(t, in.do("PUT", "/api/v1/statuses/"+orig.ID, alice.token, url.Values{"status": {strings.Repeat("a", 501)}}), 422)
	if g := in.do("GET", "/api/v1/statuses/"+orig.ID, "", nil).want(t, 200).asStatus(t); g.Content != "<p>original</p>" || g.EditedAt != nil {
		t.Fatalf("refused edits changed the status: %+v", g)
	}

	ed := in.do("PUT", "/api/v1/statuses/"+orig.ID, alice.token, map[string]any{"status": "edited #now", "spoiler_text": "cw2"}).want(t, 200).asStatus(t)
	if ed.ID != orig.ID || ed.EditedAt == nil || !strings.HasPrefix(ed.Content, "<p>edited ") || ed.SpoilerText != "cw2" || len(ed.Tags) != 1 || ed.Tags[0].Name != "now" {
		t.Fatalf("edit answered %+v", ed)
	}
	g := in.do("GET", "/api/v1/statuses/"+orig.ID, "", nil).want(t, 200).asStatus(t)
	if g.EditedAt == nil || g.Content != ed.Content || g.CreatedAt != orig.CreatedAt {
		t.Fatalf("after edit GET = %+v", g)
	}

	var hist []struct {
		Content     string      `json:"content"`
		SpoilerText string      `json:"spoiler_text"`
		CreatedAt   string      `json:"created_at"`
		Account     accountJSON `json:"account"`
	}
	in.do("GET", "/api/v1/statuses/"+orig.ID+"/history", "", nil).want(t, 200).decode(t, &hist)
	if len(hist) != 2 || hist[0].Content != "<p>original</p>" || hist[1].Content != ed.Content || hist[1].SpoilerText != "cw2" || hist[0].Account.ID != alice.ID {
		t.Fatalf("history = %+v", hist)
	}
	if hist[0].CreatedAt > hist[1].CreatedAt {
		t.Fatalf("history not oldest first: %s then %s", hist[0].CreatedAt, hist[1].CreatedAt)
	}

	var src struct {
		ID          string `json:"id"`
		Text        string `json:"text"`
		SpoilerText string `json:"spoiler_text"`
	}
	alice.get(in, "/api/v1/statuses/"+orig.ID+"/source").want(t, 200).decode(t, &src)
	if src.ID != orig.ID || src.Text != "edited #now" || src.SpoilerText != "cw2" {
		t.Fatalf("source = %+v", src)
	}
	wantError(t, bob.get(in, "/api/v1/statuses/"+orig.ID+"/source"), 404)

	// An edit replaces the content warning too: leaving it out removes it,
	// and with it the sensitive flag it brought, as in Mastodon.
	ed = in.do("PUT", "/api/v1/statuses/"+orig.ID, alice.token, url.Values{"status": {"no warning now"}}).want(t, 200).asStatus(t)
	if ed.SpoilerText != "" || ed.Sensitive || ed.Content != "<p>no warning now</p>" {
		t.Fatalf("edit without spoiler_text: spoiler %q sensitive %v content %q", ed.SpoilerText, ed.Sensitive, ed.Content)
	}
	ed = in.do("PUT", "/api/v1/statuses/"+orig.ID, alice.token, url.Values{"status": {"sensitive again"}, "sensitive": {"true"}}).want(t, 200).asStatus(t)
	if !ed.Sensitive {
		t.Fatal("edit with sensitive=true is not sensitive")
	}
	if h := in.do("GET", "/api/v1/statuses/"+orig.ID+"/history", "", nil).want(t, 200).list(t); len(h) != 4 || h[3]["content"] != "<p>sensitive again</p>" {
		t.Fatalf("history after three edits = %v", h)
	}
}

func TestStatusContext(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob, carol := in.newUser("alice"), in.newUser("bob"), in.newUser("carol")
	a := in.postStatus(alice, "level 0")
	b := in.postStatus(bob, "level 1", "in_reply_to_id", a)
	c := in.postStatus(alice, "level 2", "in_reply_to_id", b)
	d := in.postStatus(bob, "private aside", "in_reply_to_id", a, "visibility", "private")
	in.follow(t, alice, bob)

	type ctx struct {
		Ancestors   []statusJSON `json:"ancestors"`
		Descendants []statusJSON `json:"descendants"`
	}
	get := func(token, id string) ctx {
		t.Helper()
		var x ctx
		in.do("GET", "/api/v1/statuses/"+id+"/context", token, nil).want(t, 200).decode(t, &x)
		if x.Ancestors == nil || x.Descendants == nil {
			t.Fatalf("context lists must be [] not null")
		}
		return x
	}
	x := get(carol.token, a)
	wantIDs(t, "stranger's descendants of root", statusIDs(x.Descendants), b, c)
	wantIDs(t, "ancestors of root", statusIDs(x.Ancestors))
	x = get("", a)
	wantIDs(t, "anonymous descendants of root", statusIDs(x.Descendants), b, c)
	x = get(alice.token, a)
	if ids := statusIDs(x.Descendants); len(ids) != 3 || !slices.Contains(ids, d) || ids[0] != b || slices.Index(ids, c) < slices.Index(ids, b) {
		t.Fatalf("follower's descendants = %v, want %s, %s (then %s) and the private %s", ids, b, c, c, d)
	}
	x = get(carol.token, c)
	wantIDs(t, "ancestors of level 2", statusIDs(x.Ancestors), a, b)
	wantIDs(t, "descendants of level 2", statusIDs(x.Descendants))
	x = get(carol.token, b)
	wantIDs(t, "ancestors of level 1", statusIDs(x.Ancestors), a)
	wantIDs(t, "descendants of level 1", statusIDs(x.Descendants), c)
	wantError(t, in.do("GET", "/api/v1/statuses/"+d+"/context", carol.token, nil), 404)
}

func TestFavourite(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	id := in.postStatus(alice, "like me")

	s := bob.post(in, "/api/v1/statuses/"+id+"/favourite", nil).want(t, 200).asStatus(t)
	if s.ID != id || !s.Favourited || s.FavouritesCount != 1 {
		t.Fatalf("favourite answered favourited=%v count=%d", s.Favourited, s.FavouritesCount)
	}
	// Twice is still one favourite.
	s = bob.post(in, "/api/v1/statuses/"+id+"/favourite", nil).want(t, 200).asStatus(t)
	if s.FavouritesCount != 1 {
		t.Fatalf("second favourite counted: %d", s.FavouritesCount)
	}
	if g := bob.get(in, "/api/v1/statuses/"+id).want(t, 200).asStatus(t); !g.Favourited || g.FavouritesCount != 1 {
		t.Fatalf("bob reads favourited=%v count=%d", g.Favourited, g.FavouritesCount)
	}
	if g := alice.get(in, "/api/v1/statuses/"+id).want(t, 200).asStatus(t); g.Favourited || g.FavouritesCount != 1 {
		t.Fatalf("alice reads favourited=%v count=%d", g.Favourited, g.FavouritesCount)
	}
	// The author is told, once.
	ns := alice.get(in, "/api/v1/notifications?types[]=favourite").want(t, 200).list(t)
	if len(ns) != 1 || ns[0]["type"] != "favourite" || ns[0]["account"].(map[string]any)["id"] != bob.ID || ns[0]["status"].(map[string]any)["id"] != id {
		t.Fatalf("alice's favourite notifications = %v", ns)
	}
	// Favouriting one's own status tells nobody.
	alice.post(in, "/api/v1/statuses/"+id+"/favourite", nil).want(t, 200)
	if ns := alice.get(in, "/api/v1/notifications?types[]=favourite").want(t, 200).list(t); len(ns) != 1 {
		t.Fatalf("self-favourite notified: %v", ns)
	}
	by := in.do("GET", "/api/v1/statuses/"+id+"/favourited_by", "", nil).want(t, 200).asAccounts(t)
	if ids := accountIDs(by); len(ids) != 2 || !slices.Contains(ids, alice.ID) || !slices.Contains(ids, bob.ID) {
		t.Fatalf("favourited_by = %v", ids)
	}

	s = bob.post(in, "/api/v1/statuses/"+id+"/unfavourite", nil).want(t, 200).asStatus(t)
	if s.Favourited || s.FavouritesCount != 1 {
		t.Fatalf("unfavourite answered favourited=%v count=%d", s.Favourited, s.FavouritesCount)
	}
	wantIDs(t, "favourited_by after unfavourite", accountIDs(in.do("GET", "/api/v1/statuses/"+id+"/favourited_by", "", nil).want(t, 200).asAccounts(t)), alice.ID)

	// Private statuses of strangers cannot be favourited: they are not found.
	priv := in.postStatus(alice, "hidden", "visibility", "private")
	wantError(t, bob.post(in, "/api/v1/statuses/"+priv+"/favourite", nil), 404)
	if g := alice.get(in, "/api/v1/statuses/"+priv).want(t, 200).asStatus(t); g.FavouritesCount != 0 {
		t.Fatalf("refused favourite counted: %d", g.FavouritesCount)
	}
}

func TestReblog(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob, carol := in.newUser("alice"), in.newUser("bob"), in.newUser("carol")
	id := in.postStatus(alice, "boost me")

	boost := bob.post(in, "/api/v1/statuses/"+id+"/reblog", nil).want(t, 200).asStatus(t)
	if boost.ID == id || boost.Reblog == nil || boost.Reblog.ID != id || boost.Account.ID != bob.ID || boost.Content != "" {
		t.Fatalf("reblog answered %+v", boost)
	}
	if !boost.Reblog.Reblogged || boost.Reblog.ReblogsCount != 1 {
		t.Fatalf("boosted status: reblogged=%v reblogs_count=%d", boost.Reblog.Reblogged, boost.Reblog.ReblogsCount)
	}
	// Boosting again returns the same boost.
	if again := bob.post(in, "/api/v1/statuses/"+id+"/reblog", nil).want(t, 200).asStatus(t); again.ID != boost.ID {
		t.Fatalf("second reblog made %s, first %s", again.ID, boost.ID)
	}
	if g := bob.get(in, "/api/v1/statuses/"+id).want(t, 200).asStatus(t); !g.Reblogged || g.ReblogsCount != 1 {
		t.Fatalf("bob reads reblogged=%v reblogs_count=%d", g.Reblogged, g.ReblogsCount)
	}
	if g := in.do("GET", "/api/v1/statuses/"+boost.ID, "", nil).want(t, 200).asStatus(t); g.Reblog == nil || g.Reblog.ID != id {
		t.Fatalf("GET of the boost = %+v", g)
	}
	wantIDs(t, "reblogged_by", accountIDs(in.do("GET", "/api/v1/statuses/"+id+"/reblogged_by", "", nil).want(t, 200).asAccounts(t)), bob.ID)

	un := bob.post(in, "/api/v1/statuses/"+id+"/unreblog", nil).want(t, 200).asStatus(t)
	if un.ID != id || un.Reblogged || un.ReblogsCount != 0 {
		t.Fatalf("unreblog answered id=%s reblogged=%v count=%d", un.ID, un.Reblogged, un.ReblogsCount)
	}
	wantError(t, in.do("GET", "/api/v1/statuses/"+boost.ID, "", nil), 404)
	wantIDs(t, "reblogged_by after unreblog", accountIDs(in.do("GET", "/api/v1/statuses/"+id+"/reblogged_by", "", nil).want(t, 200).asAccounts(t)))

	// Followers-only: a follower may see but not boost it (403); a stranger
	// does not find it (404); the author may boost it, privately.
	priv := in.postStatus(alice, "followers only", "visibility", "private")
	in.follow(t, carol, alice)
	wantError(t, carol.post(in, "/api/v1/statuses/"+priv+"/reblog", nil), 403)
	wantError(t, bob.post(in, "/api/v1/statuses/"+priv+"/reblog", nil), 404)
	own := alice.post(in, "/api/v1/statuses/"+priv+"/reblog", nil).want(t, 200).asStatus(t)
	if own.Visibility != "private" || own.Reblog == nil || own.Reblog.ID != priv {
		t.Fatalf("self-boost of a private status = %+v", own)
	}
	// Direct statuses cannot be boosted, even by the mentioned.
	dm := in.postStatus(alice, "@carol psst", "visibility", "direct")
	wantError(t, carol.post(in, "/api/v1/statuses/"+dm+"/reblog", nil), 403)
	if g := alice.get(in, "/api/v1/statuses/"+priv).want(t, 200).asStatus(t); g.ReblogsCount != 1 {
		t.Fatalf("refused boosts counted: %d", g.ReblogsCount)
	}
}

func TestPin(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	pinned := func() []string {
		t.Helper()
		return statusIDs(in.do("GET", "/api/v1/accounts/"+alice.ID+"/statuses?pinned=true", "", nil).want(t, 200).asStatuses(t))
	}

	id := in.postStatus(alice, "pin me")
	other := in.postStatus(alice, "not pinned")
	s := alice.post(in, "/api/v1/statuses/"+id+"/pin", nil).want(t, 200).asStatus(t)
	if s.Pinned == nil || !*s.Pinned {
		t.Fatalf("pin answered pinned=%v", s.Pinned)
	}
	wantIDs(t, "pinned", pinned(), id)
	if g := alice.get(in, "/api/v1/statuses/"+other).want(t, 200).asStatus(t); g.Pinned == nil || *g.Pinned {
		t.Fatalf("own unpinned status: pinned=%v, want false", g.Pinned)
	}
	if g := bob.get(in, "/api/v1/statuses/"+id).want(t, 200).asStatus(t); g.Pinned != nil {
		t.Fatalf("pinned shown on someone else's status: %v", *g.Pinned)
	}

	// Someone else's status and direct statuses cannot be pinned;
	// followers-only ones can, as in Mastodon 4.
	wantError(t, bob.post(in, "/api/v1/statuses/"+other+"/pin", nil), 422)
	priv := in.postStatus(alice, "private", "visibility", "private")
	alice.post(in, "/api/v1/statuses/"+priv+"/pin", nil).want(t, 200)
	alice.post(in, "/api/v1/statuses/"+priv+"/unpin", nil).want(t, 200)
	dm := in.postStatus(alice, "@bob dm", "visibility", "direct")
	wantError(t, alice.post(in, "/api/v1/statuses/"+dm+"/pin", nil), 422)
	wantIDs(t, "pinned after refusals", pinned(), id)

	// Five pins at most; pinning a pinned one again is fine.
	var five []string
	for i := 0; i < 4; i++ {
		five = append(five, in.postStatus(alice, "pin", "visibility", "unlisted"))
		alice.post(in, "/api/v1/statuses/"+five[i]+"/pin", nil).want(t, 200)
	}
	alice.post(in, "/api/v1/statuses/"+id+"/pin", nil).want(t, 200)
	if msg := wantError(t, alice.post(in, "/api/v1/statuses/"+other+"/pin", nil), 422); !strings.Contains(msg, "5") {
		t.Errorf("sixth pin error %q does not name the limit", msg)
	}
	if got := pinned(); len(got) != 5 || slices.Contains(got, other) {
		t.Fatalf("pinned = %v", got)
	}

	s = alice.post(in, "/api/v1/statuses/"+id+"/unpin", nil).want(t, 200).asStatus(t)
	if s.Pinned == nil || *s.Pinned {
		t.Fatalf("unpin answered pinned=%v", s.Pinned)
	}
	if got := pinned(); len(got) != 4 || slices.Contains(got, id) {
		t.Fatalf("pinned after unpin = %v", got)
	}
	alice.post(in, "/api/v1/statuses/"+other+"/pin", nil).want(t, 200)
}

func TestStatusActionsOnUnknownIDs(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	for _, id := range []string{"999999999999", "abc"} {
		for _, a := range []string{"favourite", "unfavourite", "reblog", "unreblog", "bookmark", "unbookmark", "pin", "unpin"} {
			wantError(t, alice.post(in, "/api/v1/statuses/"+id+"/"+a, nil), 404)
		}
		for _, p := range []string{"", "/context", "/history", "/favourited_by", "/reblogged_by", "/source"} {
			wantError(t, alice.get(in, "/api/v1/statuses/"+id+p), 404)
		}
		wantError(t, in.do("PUT", "/api/v1/statuses/"+id, alice.token, url.Values{"status": {"x"}}), 404)
	}
}

var linkRe = regexp.MustCompile(`<([^>]*)>; rel="(next|prev)"`)

// links parses a Link header into rel → URL.
func links(r *response) map[string]string {
	out := map[string]string{}
	for _, m := range linkRe.FindAllStringSubmatch(r.header.Get("Link"), -1) {
		out[m[2]] = m[1]
	}
	return out
}

// What is deleted or undone disappears everywhere a user would see it.
func TestDeleteAndUndoCleanUp(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	in.follow(t, bob, alice)
	post := in.postStatus(alice, "here today #gone")
	boost := bob.post(in, "/api/v1/statuses/"+post+"/reblog", nil).want(t, 200).asStatus(t).ID
	bob.post(in, "/api/v1/statuses/"+post+"/favourite", nil).want(t, 200)
	bob.post(in, "/api/v1/statuses/"+post+"/bookmark", nil).want(t, 200)
	reply := in.postStatus(bob, "@alice nice", "in_reply_to_id", post)
	wantIDs(t, "alice's notifications", typesOf(in.notifications(t, alice, "")), "mention", "favourite", "reblog", "follow")

	// Undoing a favourite takes its notification back, as Mastodon does.
	bob.post(in, "/api/v1/statuses/"+post+"/unfavourite", nil).want(t, 200)
	wantIDs(t, "after unfavourite", typesOf(in.notifications(t, alice, "")), "mention", "reblog", "follow")
	// Deleting the mentioning reply takes the mention back.
	in.do("DELETE", "/api/v1/statuses/"+reply, bob.token, nil).want(t, 200)
	wantIDs(t, "after deleting the reply", typesOf(in.notifications(t, alice, "")), "reblog", "follow")
	if g := alice.get(in, "/api/v1/statuses/"+post).want(t, 200).asStatus(t); g.RepliesCount != 0 || g.FavouritesCount != 0 {
		t.Fatalf("counts after undo: replies %d favourites %d", g.RepliesCount, g.FavouritesCount)
	}

	in.do("DELETE", "/api/v1/statuses/"+post, alice.token, nil).want(t, 200)
	wantError(t, in.do("GET", "/api/v1/statuses/"+boost, "", nil), 404)
	for _, path := range []string{"/api/v1/timelines/home", "/api/v1/timelines/public", "/api/v1/timelines/tag/gone", "/api/v1/bookmarks", "/api/v1/accounts/" + bob.ID + "/statuses"} {
		if ids := statusIDs(bob.get(in, path).want(t, 200).asStatuses(t)); len(ids) != 0 {
			t.Errorf("%s still shows %v after the delete", path, ids)
		}
	}
	wantIDs(t, "after deleting the post", typesOf(in.notifications(t, alice, "")), "follow")
	if a := in.do("GET", "/api/v1/accounts/"+bob.ID, "", nil).want(t, 200).asAccount(t); a.StatusesCount != 0 {
		t.Fatalf("bob's statuses_count = %d after his boost and reply are gone", a.StatusesCount)
	}
}
