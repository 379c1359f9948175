package server

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/storetest"
)

// tagEntity is the Tag entity as a client reads it.
type tagEntity struct {
	Name    string `json:"name"`
	URL     string `json:"url"`
	History []struct {
		Day      string `json:"day"`
		Uses     string `json:"uses"`
		Accounts string `json:"accounts"`
	} `json:"history"`
	Following *bool `json:"following"`
}

func (r *response) tag(t *testing.T) tagEntity {
	t.Helper()
	var e tagEntity
	r.decode(t, &e)
	return e
}

func (r *response) tags(t *testing.T) []tagEntity {
	t.Helper()
	var l []tagEntity
	r.decode(t, &l)
	return l
}

func tagNames(l []tagEntity) string {
	names := make([]string, len(l))
	for i, e := range l {
		names[i] = e.Name
	}
	return strings.Join(names, ",")
}

func TestGetTag(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	bob := in.newUser("bob")
	in.postStatus(alice, "hello #Go")
	in.postStatus(bob, "me too #go #go")
	in.postStatus(bob, "quiet #go", "visibility", "private")

	e := in.do("GET", "/api/v1/tags/GO", "", nil).want(t, 200).tag(t)
	if e.Name != "go" || e.URL != "https://roost.test/tags/go" {
		t.Errorf("tag = %+v", e)
	}
	if e.Following != nil {
		t.Errorf("anonymous tag has following %v", *e.Following)
	}
	if len(e.History) != 7 {
		t.Fatalf("history has %d days, want 7", len(e.History))
	}
	midnight := time.Now().UTC().Truncate(24 * time.Hour).Unix()
	if h := e.History[0]; h.Day != strconv.FormatInt(midnight, 10) || h.Uses != "2" || h.Accounts != "2" {
		t.Errorf("today's history = %+v, want day %d, 2 uses, 2 accounts", h, midnight)
	}
	if h := e.History[1]; h.Uses != "0" || h.Accounts != "0" {
		t.Errorf("yesterday's history = %+v", h)
	}

	e = alice.get(in, "/api/v1/tags/unused_tag").want(t, 200).tag(t)
	if e.Following == nil || *e.Following {
		t.Errorf("unused tag for a user: following = %v, want false", e.Following)
	}
	for _, bad := range []string{"123", "no-dash", "a%20b", "%E2%9C%93"} {
		in.do("GET", "/api/v1/tags/"+bad, "", nil).want(t, 422)
		alice.post(in, "/api/v1/tags/"+bad+"/follow", nil).want(t, 422)
	}
	in.do("GET", "/api/v1/tags/caf%C3%A9_2", "", nil).want(t, 200)

	var found struct {
		Hashtags []tagEntity `json:"hashtags"`
	}
	alice.get(in, "/api/v2/search?type=hashtags&q=%23Go").want(t, 200).decode(t, &found)
	if len(found.Hashtags) != 1 || len(found.Hashtags[0].History) != 7 || found.Hashtags[0].History[0].Uses != "2" {
		t.Errorf("search hashtags = %+v", found.Hashtags)
	}
}

func TestFollowTag(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	reader := in.newUser("reader", "read")
	granular := in.newUser("granular", "write:follows")
	follows := in.newUser("follows", "read:follows")

	in.do("POST", "/api/v1/tags/go/follow", "", nil).want(t, 401)
	reader.post(in, "/api/v1/tags/go/follow", nil).want(t, 403)
	granular.get(in, "/api/v1/followed_tags").want(t, 403)
	follows.get(in, "/api/v1/followed_tags").want(t, 200)
	if e := granular.post(in, "/api/v1/tags/Go/follow", nil).want(t, 200).tag(t); e.Name != "go" || e.Following == nil || !*e.Following {
		t.Errorf("follow = %+v", e)
	}

	for _, name := range []string{"one", "two", "Three", "one"} {
		if e := alice.post(in, "/api/v1/tags/"+name+"/follow", nil).want(t, 200).tag(t); !*e.Following {
			t.Errorf("follow %s: following false", name)
		}
	}
	if e := alice.get(in, "/api/v1/tags/TWO").want(t, 200).tag(t); e.Following == nil || !*e.Following {
		t.Errorf("followed tag: following = %v", e.Following)
	}
	r := alice.get(in, "/api/v1/followed_tags").want(t, 200)
	if got := tagNames(r.tags(t)); got != "three,two,one" {
		t.Errorf("followed tags = %s", got)
	}
	r = alice.get(in, "/api/v1/followed_tags?limit=2").want(t, 200)
	if got := tagNames(r.tags(t)); got != "three,two" {
		t.Errorf("first page = %s", got)
	}
	link := r.header.Get("Link")
	if !strings.Contains(link, `rel="next"`) || !strings.Contains(link, `rel="prev"`) {
		t.Fatalf("Link = %q", link)
	}
	next := strings.TrimPrefix(strings.Split(link, ">")[0], "<https://roost.test")
	if got := tagNames(alice.get(in, next).want(t, 200).tags(t)); got != "one" {
		t.Errorf("next page (%s) = %s", next, got)
	}

	if e := alice.post(in, "/api/v1/tags/two/unfollow", nil).want(t, 200).tag(t); e.Following == nil || *e.Following {
		t.Errorf("unfollow: following = %v", e.Following)
	}
	alice.post(in, "/api/v1/tags/two/unfollow", nil).want(t, 200)
	if got := tagNames(alice.get(in, "/api/v1/followed_tags").want(t, 200).tags(t)); got != "three,one" {
		t.Errorf("followed tags after unfollow = %s", got)
	}
}

func TestFollowedTagHome(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	bob := in.newUser("bob")
	carol := storetest.MustCreateRemote(t, in.store, "carol", "remote.test")

	early := in.postStatus(bob, "before the follow #roost")
	alice.post(in, "/api/v1/tags/Roost/follow", nil).want(t, 200)
	local := in.postStatus(bob, "about #roost")
	in.postStatus(bob, "unlisted #roost", "visibility", "unlisted")
	in.postStatus(bob, "other #thing")
	remote := storetest.MustCreateStatus(t, in.store, store.NewStatus{AccountID: carol.ID, Text: "#ROOST from afar", Tags: []string{"roost"}})

	var home []struct {
		ID string `json:"id"`
	}
	alice.get(in, "/api/v1/timelines/home").want(t, 200).decode(t, &home)
	var ids []string
	for _, s := range home {
		ids = append(ids, s.ID)
	}
	if got, want := strings.Join(ids, ","), remote.ID+","+local; got != want {
		t.Errorf("alice's home = %s, want %s (not %s)", got, want, early)
	}

	alice.post(in, "/api/v1/accounts/"+bob.ID+"/block", nil).want(t, 200)
	in.postStatus(bob, "blocked #roost")
	alice.get(in, "/api/v1/timelines/home").want(t, 200).decode(t, &home)
	if len(home) != 1 || home[0].ID != remote.ID {
		t.Errorf("home after block = %v, want only %s", home, remote.ID)
	}
}

func TestTrendingTags(t *testing.T) {
	in := newInstance(t)
	var users []*user
	for _, name := range []string{"a", "b", "c"} {
		users = append(users, in.newUser(name))
	}
	for _, u := range users {
		in.postStatus(u, "#popular today")
	}
	in.postStatus(users[0], "#lonely #lonely again")
	in.postStatus(users[0], "#lonely")
	in.postStatus(users[0], "#pair")
	in.postStatus(users[1], "#pair")

	for _, path := range []string{"/api/v1/trends/tags", "/api/v1/trends"} {
		l := in.do("GET", path, "", nil).want(t, 200).tags(t)
		if got := tagNames(l); got != "popular,pair" {
			t.Errorf("%s = %s, want popular,pair", path, got)
			continue
		}
		if len(l[0].History) != 7 || l[0].History[0].Accounts != "3" {
			t.Errorf("popular's history = %+v", l[0].History)
		}
	}
	if got := tagNames(in.do("GET", "/api/v1/trends/tags?limit=1&offset=1", "", nil).want(t, 200).tags(t)); got != "pair" {
		t.Errorf("limit=1 offset=1 = %s", got)
	}
	l := users[0].get(in, "/api/v1/trends/tags?limit=1").want(t, 200).tags(t)
	if len(l) != 1 || l[0].Following == nil || *l[0].Following {
		t.Errorf("trends for a user = %+v", l)
	}
}

func TestTrendsSingleUserMode(t *testing.T) {
	on, off := true, false
	for _, tc := range []struct {
		name   string
		single bool
		trends *bool
		want   string
	}{
		{"default", false, nil, "shared"},
		{"single user", true, nil, ""},
		{"single user with TRENDS", true, &on, "shared"},
		{"TRENDS off", false, &off, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := newInstanceWith(t, func(c *Config) { c.SingleUserMode, c.Trends = tc.single, tc.trends })
			in.postStatus(in.newUser("a"), "#shared")
			in.postStatus(in.newUser("b"), "#shared")
			r := in.do("GET", "/api/v1/trends/tags", "", nil).want(t, 200)
			if got := tagNames(r.tags(t)); got != tc.want {
				t.Errorf("trends = %q, want %q", got, tc.want)
			}
			if tc.want == "" && string(r.body) != "[]" && string(r.body) != "[]\n" {
				t.Errorf("body = %s, want []", r.body)
			}
		})
	}
}

func TestStreamingFollowedTag(t *testing.T) {
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	alice.post(in, "/api/v1/tags/streamed/follow", nil).want(t, 200)
	ws := in.dialStream(t, alice.token, "stream=user")
	in.postStatus(bob, "#other tag")
	in.postStatus(bob, "#streamed but unlisted", "visibility", "unlisted")
	id := in.postStatus(bob, "a #Streamed post")
	wantEvent(t, ws.next(), "update", "user", id)
}
