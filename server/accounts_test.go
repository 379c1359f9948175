package server

import (
	"net/url"
	"strings"
	"testing"
)

// relJSON is Mastodon's Relationship, as far as the tests read it.
type relJSON struct {
	ID             string `json:"id"`
	Following      bool   `json:"following"`
	ShowingReblogs bool   `json:"showing_reblogs"`
	Notifying      bool   `json:"notifying"`
	FollowedBy     bool   `json:"followed_by"`
	Requested      bool   `json:"requested"`
	RequestedBy    bool   `json:"requested_by"`
}

func (r *response) asRelationship(t *testing.T) relJSON {
	t.Helper()
	var rel relJSON
	r.decode(t, &rel)
	return rel
}

// relationshipTo is u's relationship with the account id.
func (in *instance) relationshipTo(t *testing.T, u *user, id string) relJSON {
	t.Helper()
	var rs []relJSON
	u.get(in, "/api/v1/accounts/relationships?id[]="+id).want(t, 200).decode(t, &rs)
	if len(rs) != 1 || rs[0].ID != id {
		t.Fatalf("relationships for %s = %+v", id, rs)
	}
	return rs[0]
}

func (in *instance) credentials(t *testing.T, u *user) accountJSON {
	t.Helper()
	a := u.get(in, "/api/v1/accounts/verify_credentials").want(t, 200).asAccount(t)
	if a.Source == nil {
		t.Fatalf("verify_credentials without source")
	}
	return a
}

func (in *instance) updateCredentials(u *user, body any) *response {
	in.t.Helper()
	return in.do("PATCH", "/api/v1/accounts/update_credentials", u.token, body)
}

func TestVerifyCredentials(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	a := in.credentials(t, alice)
	if a.ID != alice.ID || a.Username != "alice" || a.Acct != "alice" || a.URL != "https://roost.test/@alice" || a.URI != "https://roost.test/users/alice" {
		t.Fatalf("identity = %+v", a)
	}
	if a.Avatar != "https://roost.test/avatars/original/missing.png" || a.Header != "https://roost.test/headers/original/missing.png" {
		t.Fatalf("default images = %q, %q", a.Avatar, a.Header)
	}
	s := a.Source
	if s.Privacy != "public" || s.Sensitive || s.Language != "" || s.Note != "" || s.Fields == nil || len(s.Fields) != 0 || s.FollowRequestsCount != 0 {
		t.Fatalf("source = %+v", *s)
	}
	if a.Fields == nil || a.Locked || a.Bot {
		t.Fatalf("fresh account = %+v", a)
	}
	wantError(t, in.do("GET", "/api/v1/accounts/verify_credentials", "", nil), 401)

	p := alice.get(in, "/api/v1/preferences").want(t, 200).obj(t)
	want := map[string]any{
		"posting:default:visibility": "public",
		"posting:default:sensitive":  false,
		"posting:default:language":   nil,
		"reading:expand:media":       "default",
		"reading:expand:spoilers":    false,
	}
	for k, v := range want {
		if got, ok := p[k]; !ok || got != v {
			t.Errorf("preference %s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	wantError(t, in.do("GET", "/api/v1/preferences", "", nil), 401)
}

func TestUpdateCredentialsForm(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	note := "Hello #world\nI live at https://alice.example"
	a := in.updateCredentials(alice, url.Values{
		"display_name":               {"Alice Ä."},
		"note":                       {note},
		"fields_attributes[0][name]": {"Website"}, "fields_attributes[0][value]": {"https://alice.example"},
		"fields_attributes[1][name]": {"Pronouns"}, "fields_attributes[1][value]": {"she/her"},
		"locked":            {"true"},
		"bot":               {"1"},
		"discoverable":      {"false"},
		"source[privacy]":   {"unlisted"},
		"source[sensitive]": {"true"},
		"source[language]":  {"fr"},
	}).want(t, 200).asAccount(t)

	if a.DisplayName != "Alice Ä." || !a.Locked || !a.Bot || a.Discoverable {
		t.Fatalf("profile = %+v", a)
	}
	for _, want := range []string{
		`<p>Hello <a href="https://roost.test/tags/world" class="mention hashtag" rel="tag">#<span>world</span></a><br />I live at `,
		`<a href="https://alice.example" target="_blank" rel="nofollow noopener noreferrer"`,
	} {
		if !strings.Contains(a.Note, want) {
			t.Errorf("note HTML lacks %s: %s", want, a.Note)
		}
	}
	if a.Source == nil || a.Source.Note != note || a.Source.Privacy != "unlisted" || !a.Source.Sensitive || a.Source.Language != "fr" {
		t.Fatalf("source = %+v", a.Source)
	}
	if len(a.Fields) != 2 || a.Fields[0].Name != "Website" || a.Fields[1].Name != "Pronouns" || a.Fields[1].Value != "she/her" ||
		!strings.Contains(a.Fields[0].Value, `href="https://alice.example"`) || !strings.Contains(a.Fields[0].Value, `rel="nofollow noopener noreferrer me"`) {
		t.Fatalf("fields = %+v", a.Fields)
	}
	if len(a.Source.Fields) != 2 || a.Source.Fields[0].Value != "https://alice.example" {
		t.Fatalf("source fields = %+v", a.Source.Fields)
	}

	// Stored: the public profile, verify_credentials and preferences agree.
	pub := in.do("GET", "/api/v1/accounts/"+alice.ID, "", nil).want(t, 200).asAccount(t)
	if pub.DisplayName != "Alice Ä." || pub.Note != a.Note || !pub.Locked || !pub.Bot || len(pub.Fields) != 2 || pub.Source != nil {
		t.Fatalf("public profile = %+v", pub)
	}
	if c := in.credentials(t, alice); c.Source.Note != note || c.Source.Privacy != "unlisted" {
		t.Fatalf("verify_credentials after update = %+v", c.Source)
	}
	prefs := alice.get(in, "/api/v1/preferences").want(t, 200).obj(t)
	if prefs["posting:default:visibility"] != "unlisted" || prefs["posting:default:sensitive"] != true || prefs["posting:default:language"] != "fr" {
		t.Fatalf("preferences = %v", prefs)
	}

	// An update of one thing leaves the rest alone.
	a = in.updateCredentials(alice, url.Values{"locked": {"false"}}).want(t, 200).asAccount(t)
	if a.Locked || a.DisplayName != "Alice Ä." || a.Source.Note != note || len(a.Fields) != 2 || !a.Bot {
		t.Fatalf("after unlocking = %+v", a)
	}
	// Clearing the note and fields.
	a = in.updateCredentials(alice, url.Values{"note": {""}, "fields_attributes[0][name]": {""}, "fields_attributes[0][value]": {""}}).want(t, 200).asAccount(t)
	if a.Note != "" || a.Source.Note != "" || len(a.Fields) != 0 {
		t.Fatalf("after clearing = note %q fields %+v", a.Note, a.Fields)
	}
}

func TestUpdateCredentialsJSON(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	a := in.updateCredentials(alice, map[string]any{
		"display_name": "JSON Alice",
		"locked":       true,
		"fields_attributes": []map[string]string{
			{"name": "one", "value": "1"},
			{"name": "two", "value": "2"},
		},
		"source": map[string]any{"privacy": "private", "sensitive": true},
	}).want(t, 200).asAccount(t)
	if a.DisplayName != "JSON Alice" || !a.Locked || a.Source.Privacy != "private" || !a.Source.Sensitive {
		t.Fatalf("json update = %+v / %+v", a, a.Source)
	}
	if len(a.Fields) != 2 || a.Fields[0].Name != "one" || a.Fields[1].Name != "two" || a.Fields[1].Value != "2" {
		t.Fatalf("json fields = %+v", a.Fields)
	}
	// Rails also takes fields as an object keyed by index.
	a = in.updateCredentials(alice, map[string]any{
		"fields_attributes": map[string]any{"0": map[string]string{"name": "zero", "value": "0"}},
	}).want(t, 200).asAccount(t)
	if len(a.Fields) != 1 || a.Fields[0].Name != "zero" {
		t.Fatalf("indexed-object fields = %+v", a.Fields)
	}
}

func TestUpdateCredentialsLimits(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	in.updateCredentials(alice, url.Values{"display_name": {"Before"}, "note": {"before"}, "fields_attributes[0][name]": {"f"}, "fields_attributes[0][value]": {"v"}}).want(t, 200)

	// Limits count characters, not bytes.
	in.updateCredentials(alice, url.Values{"display_name": {strings.Repeat("ö", 30)}}).want(t, 200)
	in.updateCredentials(alice, url.Values{"display_name": {"Before"}}).want(t, 200)
	in.updateCredentials(alice, url.Values{"note": {strings.Repeat("ö", 500)}}).want(t, 200)
	in.updateCredentials(alice, url.Values{"note": {"before"}}).want(t, 200)

	fields := func(n int) url.Values {
		v := url.Values{}
		for i := 0; i < n; i++ {
			k := "fields_attributes[" + string(rune('0'+i)) + "]"
			v.Set(k+"[name]", "n"+string(rune('0'+i)))
			v.Set(k+"[value]", "v")
		}
		return v
	}
	in.updateCredentials(alice, fields(4)).want(t, 200)
	in.updateCredentials(alice, url.Values{"fields_attributes[0][name]": {"f"}, "fields_attributes[0][value]": {"v"}}).want(t, 200)

	with := func(v url.Values, k, val string) url.Values {
		v.Set(k, val)
		return v
	}
	for name, bad := range map[string]url.Values{
		"display name 31":  {"display_name": {strings.Repeat("a", 31)}, "note": {"changed"}, "locked": {"true"}},
		"note 501":         {"note": {strings.Repeat("a", 501)}, "display_name": {"Changed"}},
		"5 fields":         with(fields(5), "display_name", "Changed"),
		"field name 256":   {"fields_attributes[0][name]": {strings.Repeat("a", 256)}, "fields_attributes[0][value]": {"v"}, "display_name": {"Changed"}},
		"privacy direct":   {"source[privacy]": {"direct"}, "display_name": {"Changed"}},
		"language invalid": {"source[language]": {"french!"}, "display_name": {"Changed"}},
		"NUL in name":      {"display_name": {"a\x00b"}},
	} {
		wantError(t, in.updateCredentials(alice, bad), 422)
		a := in.credentials(t, alice)
		if a.DisplayName != "Before" || a.Source.Note != "before" || a.Locked || len(a.Fields) != 1 || a.Fields[0].Name != "f" || a.Source.Privacy != "public" {
			t.Fatalf("%s: refused update changed the profile: %+v %+v", name, a, a.Source)
		}
	}
	wantError(t, in.updateCredentials(alice, map[string]any{"display_name": strings.Repeat("a", 31)}), 422)
	wantError(t, in.do("PATCH", "/api/v1/accounts/update_credentials", "", url.Values{"display_name": {"x"}}), 401)
}

func TestGetAndLookupAccount(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	a := in.do("GET", "/api/v1/accounts/"+alice.ID, "", nil).want(t, 200).asAccount(t)
	if a.ID != alice.ID || a.Acct != "alice" || a.Source != nil {
		t.Fatalf("GET account = %+v", a)
	}
	wantError(t, in.do("GET", "/api/v1/accounts/999999999999", "", nil), 404)
	wantError(t, in.do("GET", "/api/v1/accounts/nobody", "", nil), 404)

	for _, acct := range []string{"alice", "@alice", "alice@roost.test", "Alice"} {
		a := in.do("GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(acct), "", nil).want(t, 200).asAccount(t)
		if a.ID != alice.ID {
			t.Fatalf("lookup %s = %s", acct, a.ID)
		}
	}
	for _, acct := range []string{"bob", "alice@elsewhere.example", "", "@"} {
		wantError(t, in.do("GET", "/api/v1/accounts/lookup?acct="+url.QueryEscape(acct), "", nil), 404)
	}
}

func TestAccountStatusesFilters(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	bobs := in.postStatus(bob, "bob's")
	tagged := in.postStatus(alice, "about #Cats")
	reply := in.postStatus(alice, "@bob reply", "in_reply_to_id", bobs)
	boost := alice.post(in, "/api/v1/statuses/"+bobs+"/reblog", nil).want(t, 200).asStatus(t).ID
	priv := in.postStatus(alice, "followers only", "visibility", "private")
	pinned := in.postStatus(alice, "pinned")
	alice.post(in, "/api/v1/statuses/"+pinned+"/pin", nil).want(t, 200)

	get := func(token, q string) []string {
		t.Helper()
		return statusIDs(in.do("GET", "/api/v1/accounts/"+alice.ID+"/statuses"+q, token, nil).want(t, 200).asStatuses(t))
	}
	wantIDs(t, "anonymous", get("", ""), pinned, boost, reply, tagged)
	wantIDs(t, "owner", get(alice.token, ""), pinned, priv, boost, reply, tagged)
	wantIDs(t, "exclude_replies", get("", "?exclude_replies=true"), pinned, boost, tagged)
	wantIDs(t, "exclude_reblogs", get("", "?exclude_reblogs=true"), pinned, reply, tagged)
	wantIDs(t, "both", get("", "?exclude_replies=1&exclude_reblogs=1"), pinned, tagged)
	wantIDs(t, "tagged", get("", "?tagged=cats"), tagged)
	wantIDs(t, "tagged #Cats", get("", "?tagged=Cats"), tagged)
	wantIDs(t, "pinned", get("", "?pinned=true"), pinned)
	in.follow(t, bob, alice)
	wantIDs(t, "follower", get(bob.token, ""), pinned, priv, boost, reply, tagged)
	wantError(t, in.do("GET", "/api/v1/accounts/999999999999/statuses", "", nil), 404)
}

func TestFollowersAndFollowing(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob, carol := in.newUser("alice"), in.newUser("bob"), in.newUser("carol")

	rel := bob.post(in, "/api/v1/accounts/"+alice.ID+"/follow", nil).want(t, 200).asRelationship(t)
	if rel.ID != alice.ID || !rel.Following || rel.Requested || !rel.ShowingReblogs {
		t.Fatalf("follow answered %+v", rel)
	}
	rel = carol.post(in, "/api/v1/accounts/"+alice.ID+"/follow", url.Values{"reblogs": {"false"}, "notify": {"true"}}).want(t, 200).asRelationship(t)
	if !rel.Following || rel.ShowingReblogs || !rel.Notifying {
		t.Fatalf("follow with options answered %+v", rel)
	}
	in.follow(t, alice, bob)

	accts := func(path string) []string {
		t.Helper()
		return accountIDs(in.do("GET", path, "", nil).want(t, 200).asAccounts(t))
	}
	wantIDs(t, "alice's followers", accts("/api/v1/accounts/"+alice.ID+"/followers"), carol.ID, bob.ID)
	wantIDs(t, "alice's following", accts("/api/v1/accounts/"+alice.ID+"/following"), bob.ID)
	wantIDs(t, "carol's followers", accts("/api/v1/accounts/"+carol.ID+"/followers"))
	// Pagination with a Link header.
	r := in.do("GET", "/api/v1/accounts/"+alice.ID+"/followers?limit=1", "", nil).want(t, 200)
	wantIDs(t, "followers page 1", accountIDs(r.asAccounts(t)), carol.ID)
	next := links(r)["next"]
	if next == "" {
		t.Fatalf("no next link: %q", r.header.Get("Link"))
	}
	wantIDs(t, "followers page 2", accts(strings.TrimPrefix(next, "https://roost.test")), bob.ID)

	counts := func(u *user) (int, int) {
		a := in.do("GET", "/api/v1/accounts/"+u.ID, "", nil).want(t, 200).asAccount(t)
		return a.FollowersCount, a.FollowingCount
	}
	if fr, fg := counts(alice); fr != 2 || fg != 1 {
		t.Fatalf("alice counts followers=%d following=%d", fr, fg)
	}
	if fr, fg := counts(bob); fr != 1 || fg != 1 {
		t.Fatalf("bob counts followers=%d following=%d", fr, fg)
	}

	var rs []relJSON
	alice.get(in, "/api/v1/accounts/relationships?id[]="+bob.ID+"&id[]="+carol.ID).want(t, 200).decode(t, &rs)
	if len(rs) != 2 || rs[0].ID != bob.ID || !rs[0].Following || !rs[0].FollowedBy || rs[1].ID != carol.ID || rs[1].Following || !rs[1].FollowedBy {
		t.Fatalf("relationships = %+v", rs)
	}
	// A single id= works too, and unknown ids are skipped.
	alice.get(in, "/api/v1/accounts/relationships?id="+bob.ID).want(t, 200).decode(t, &rs)
	if len(rs) != 1 || !rs[0].Following {
		t.Fatalf("relationships?id= = %+v", rs)
	}

	// Following twice changes nothing.
	bob.post(in, "/api/v1/accounts/"+alice.ID+"/follow", nil).want(t, 200)
	if fr, _ := counts(alice); fr != 2 {
		t.Fatalf("second follow counted: %d followers", fr)
	}

	rel = bob.post(in, "/api/v1/accounts/"+alice.ID+"/unfollow", nil).want(t, 200).asRelationship(t)
	if rel.Following || !rel.FollowedBy {
		t.Fatalf("unfollow answered %+v", rel)
	}
	wantIDs(t, "alice's followers after unfollow", accts("/api/v1/accounts/"+alice.ID+"/followers"), carol.ID)
	if fr, _ := counts(alice); fr != 1 {
		t.Fatalf("followers_count after unfollow = %d", fr)
	}
	if fr, fg := counts(bob); fr != 1 || fg != 0 {
		t.Fatalf("bob counts after unfollow followers=%d following=%d", fr, fg)
	}

	// Following oneself is forbidden; following nobody is not found.
	wantError(t, alice.post(in, "/api/v1/accounts/"+alice.ID+"/follow", nil), 403)
	wantError(t, alice.post(in, "/api/v1/accounts/999999999999/follow", nil), 404)
	if _, fg := counts(alice); fg != 1 {
		t.Fatalf("refused follows counted: following=%d", fg)
	}
}

func TestFollowRequests(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob, carol := in.newUser("alice"), in.newUser("bob"), in.newUser("carol")
	in.updateCredentials(alice, url.Values{"locked": {"true"}}).want(t, 200)
	secret := in.postStatus(alice, "followers only", "visibility", "private")

	rel := bob.post(in, "/api/v1/accounts/"+alice.ID+"/follow", nil).want(t, 200).asRelationship(t)
	if rel.Following || !rel.Requested {
		t.Fatalf("follow of a locked account answered %+v", rel)
	}
	carol.post(in, "/api/v1/accounts/"+alice.ID+"/follow", nil).want(t, 200)
	if r := in.relationshipTo(t, bob, alice.ID); !r.Requested || r.Following {
		t.Fatalf("bob's relationship with alice while pending = %+v", r)
	}
	if r := in.relationshipTo(t, alice, bob.ID); !r.RequestedBy || r.FollowedBy {
		t.Fatalf("alice's relationship with bob = %+v", r)
	}
	wantIDs(t, "follow requests", accountIDs(alice.get(in, "/api/v1/follow_requests").want(t, 200).asAccounts(t)), carol.ID, bob.ID)
	if n := in.credentials(t, alice).Source.FollowRequestsCount; n != 2 {
		t.Fatalf("follow_requests_count = %d", n)
	}
	// A request is not a follow.
	wantError(t, bob.get(in, "/api/v1/statuses/"+secret), 404)
	wantIDs(t, "followers while requested", accountIDs(in.do("GET", "/api/v1/accounts/"+alice.ID+"/followers", "", nil).want(t, 200).asAccounts(t)))

	rel = alice.post(in, "/api/v1/follow_requests/"+bob.ID+"/authorize", nil).want(t, 200).asRelationship(t)
	if rel.ID != bob.ID || !rel.FollowedBy || rel.RequestedBy {
		t.Fatalf("authorize answered %+v", rel)
	}
	if r := in.relationshipTo(t, bob, alice.ID); !r.Following || r.Requested {
		t.Fatalf("bob's relationship after authorize = %+v", r)
	}
	bob.get(in, "/api/v1/statuses/"+secret).want(t, 200)

	rel = alice.post(in, "/api/v1/follow_requests/"+carol.ID+"/reject", nil).want(t, 200).asRelationship(t)
	if rel.FollowedBy || rel.RequestedBy {
		t.Fatalf("reject answered %+v", rel)
	}
	if r := in.relationshipTo(t, carol, alice.ID); r.Following || r.Requested {
		t.Fatalf("carol's relationship after reject = %+v", r)
	}
	wantIDs(t, "follow requests after", accountIDs(alice.get(in, "/api/v1/follow_requests").want(t, 200).asAccounts(t)))
	if n := in.credentials(t, alice).Source.FollowRequestsCount; n != 0 {
		t.Fatalf("follow_requests_count after = %d", n)
	}
	wantIDs(t, "followers after", accountIDs(in.do("GET", "/api/v1/accounts/"+alice.ID+"/followers", "", nil).want(t, 200).asAccounts(t)), bob.ID)
	// There is no request of carol's left to authorize.
	wantError(t, alice.post(in, "/api/v1/follow_requests/"+carol.ID+"/authorize", nil), 404)
	if r := in.relationshipTo(t, carol, alice.ID); r.Following {
		t.Fatal("authorizing a rejected request made a follow")
	}

	// Unfollowing withdraws a pending request, and its notification.
	carol.post(in, "/api/v1/accounts/"+alice.ID+"/follow", nil).want(t, 200)
	wantIDs(t, "requests again", accountIDs(alice.get(in, "/api/v1/follow_requests").want(t, 200).asAccounts(t)), carol.ID)
	rel = carol.post(in, "/api/v1/accounts/"+alice.ID+"/unfollow", nil).want(t, 200).asRelationship(t)
	if rel.Requested || rel.Following {
		t.Fatalf("unfollow of a pending request answered %+v", rel)
	}
	wantIDs(t, "requests after withdrawal", accountIDs(alice.get(in, "/api/v1/follow_requests").want(t, 200).asAccounts(t)))
	for _, n := range in.notifications(t, alice, "?types[]=follow_request") {
		if n.Account.ID == carol.ID {
			t.Fatal("withdrawn request still notified")
		}
	}
}
