package server

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestHomeTimeline(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob, carol := in.newUser("alice"), in.newUser("bob"), in.newUser("carol")
	in.follow(t, alice, bob)

	mine := in.postStatus(alice, "mine")
	bobPublic := in.postStatus(bob, "bob public")
	bobPrivate := in.postStatus(bob, "bob private", "visibility", "private")
	bobUnlisted := in.postStatus(bob, "bob unlisted", "visibility", "unlisted")
	stranger := in.postStatus(carol, "stranger")
	boost := bob.post(in, "/api/v1/statuses/"+stranger+"/reblog", nil).want(t, 200).asStatus(t).ID
	dmToAlice := in.postStatus(bob, "@alice just you", "visibility", "direct")
	dmToCarol := in.postStatus(bob, "@carol not alice", "visibility", "direct")

	home := alice.get(in, "/api/v1/timelines/home").want(t, 200).asStatuses(t)
	wantIDs(t, "alice's home", statusIDs(home), dmToAlice, boost, bobUnlisted, bobPrivate, bobPublic, mine)
	if b := home[1]; b.Reblog == nil || b.Reblog.ID != stranger || b.Account.ID != bob.ID {
		t.Fatalf("boost in home = %+v", b)
	}
	if slices.Contains(statusIDs(home), dmToCarol) || slices.Contains(statusIDs(home), stranger) {
		t.Fatal("home shows what alice should not see")
	}
	// carol follows nobody: her home has her own post and the direct
	// status addressed to her, nothing else of bob's.
	wantIDs(t, "carol's home", statusIDs(carol.get(in, "/api/v1/timelines/home").want(t, 200).asStatuses(t)), dmToCarol, stranger)
	wantError(t, in.do("GET", "/api/v1/timelines/home", "", nil), 401)

	// Following brings the account's recent posts in; unfollowing takes
	// them out.
	in.follow(t, alice, carol)
	if ids := statusIDs(alice.get(in, "/api/v1/timelines/home").want(t, 200).asStatuses(t)); !slices.Contains(ids, stranger) {
		t.Errorf("after following carol, home lacks her earlier post: %v", ids)
	}
	alice.post(in, "/api/v1/accounts/"+bob.ID+"/unfollow", nil).want(t, 200)
	if ids := statusIDs(alice.get(in, "/api/v1/timelines/home").want(t, 200).asStatuses(t)); slices.Contains(ids, bobPublic) || slices.Contains(ids, bobPrivate) {
		t.Errorf("after unfollowing bob, home still has his posts: %v", ids)
	}
}

func TestPublicTimeline(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	pub := in.postStatus(alice, "public")
	in.postStatus(alice, "unlisted", "visibility", "unlisted")
	in.postStatus(alice, "private", "visibility", "private")
	in.postStatus(alice, "@bob direct", "visibility", "direct")
	bobs := in.postStatus(bob, "bob public")
	// Boosts are not shown on public timelines.
	bob.post(in, "/api/v1/statuses/"+pub+"/reblog", nil).want(t, 200)

	for _, q := range []string{"", "?local=true"} {
		for _, token := range []string{"", bob.token} {
			got := in.do("GET", "/api/v1/timelines/public"+q, token, nil).want(t, 200).asStatuses(t)
			wantIDs(t, "public timeline"+q, statusIDs(got), bobs, pub)
		}
	}
	wantIDs(t, "remote-only timeline", statusIDs(in.do("GET", "/api/v1/timelines/public?remote=true", "", nil).want(t, 200).asStatuses(t)))
}

func TestTagTimeline(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	a := in.postStatus(alice, "first #Roost")
	in.postStatus(alice, "no tag roost")
	in.postStatus(alice, "hidden #roost", "visibility", "private")
	b := in.postStatus(alice, "second #roost #other")

	for _, tag := range []string{"roost", "ROOST", "Roost"} {
		got := in.do("GET", "/api/v1/timelines/tag/"+tag, "", nil).want(t, 200).asStatuses(t)
		wantIDs(t, "tag "+tag, statusIDs(got), b, a)
	}
	wantIDs(t, "tag other", statusIDs(in.do("GET", "/api/v1/timelines/tag/other", "", nil).want(t, 200).asStatuses(t)), b)
	wantIDs(t, "unknown tag", statusIDs(in.do("GET", "/api/v1/timelines/tag/nothing", "", nil).want(t, 200).asStatuses(t)))
}

// Bookmarks and favourites are ordered by when they were made, not by the
// statuses' age, and page by those actions.
func TestBookmarksAndFavourites(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	older := in.postStatus(alice, "older")
	newer := in.postStatus(alice, "newer")

	// Bookmarking shows only to whoever bookmarked.
	s := bob.post(in, "/api/v1/statuses/"+older+"/bookmark", nil).want(t, 200).asStatus(t)
	if s.ID != older || !s.Bookmarked {
		t.Fatalf("bookmark answered bookmarked=%v", s.Bookmarked)
	}
	if g := bob.get(in, "/api/v1/statuses/"+older).want(t, 200).asStatus(t); !g.Bookmarked {
		t.Fatal("bookmarked not shown to bob")
	}
	if g := alice.get(in, "/api/v1/statuses/"+older).want(t, 200).asStatus(t); g.Bookmarked {
		t.Fatal("bob's bookmark shown to alice")
	}
	wantIDs(t, "bob's bookmarks", statusIDs(bob.get(in, "/api/v1/bookmarks").want(t, 200).asStatuses(t)), older)
	s = bob.post(in, "/api/v1/statuses/"+older+"/unbookmark", nil).want(t, 200).asStatus(t)
	if s.Bookmarked {
		t.Fatal("unbookmark answered bookmarked=true")
	}
	wantIDs(t, "bookmarks after unbookmark", statusIDs(bob.get(in, "/api/v1/bookmarks").want(t, 200).asStatuses(t)))
	wantError(t, in.do("GET", "/api/v1/bookmarks", "", nil), 401)
	wantError(t, in.do("GET", "/api/v1/favourites", "", nil), 401)

	for _, kind := range []struct{ act, list string }{{"bookmark", "/api/v1/bookmarks"}, {"favourite", "/api/v1/favourites"}} {
		bob.post(in, "/api/v1/statuses/"+newer+"/"+kind.act, nil).want(t, 200)
		bob.post(in, "/api/v1/statuses/"+older+"/"+kind.act, nil).want(t, 200)
		wantIDs(t, kind.list, statusIDs(bob.get(in, kind.list).want(t, 200).asStatuses(t)), older, newer)

		r := bob.get(in, kind.list+"?limit=1").want(t, 200)
		wantIDs(t, kind.list+" page 1", statusIDs(r.asStatuses(t)), older)
		next := links(r)["next"]
		if !strings.HasPrefix(next, "https://roost.test"+kind.list+"?") {
			t.Fatalf("%s next link = %q (Link: %s)", kind.list, next, r.header.Get("Link"))
		}
		r = bob.get(in, strings.TrimPrefix(next, "https://roost.test")).want(t, 200)
		wantIDs(t, kind.list+" page 2", statusIDs(r.asStatuses(t)), newer)
		wantIDs(t, "alice's "+kind.list, statusIDs(alice.get(in, kind.list).want(t, 200).asStatuses(t)))
	}
}

var (
	nextRe = regexp.MustCompile(`^<https://roost\.test/api/v1/timelines/home\?([^>]*)>; rel="next"`)
	prevRe = regexp.MustCompile(`, <https://roost\.test/api/v1/timelines/home\?([^>]*)>; rel="prev"$`)
)

func TestHomePagination(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	ids := make([]string, 25) // oldest first
	for i := range ids {
		ids[i] = in.postStatus(alice, "post "+strings.Repeat("x", i))
	}
	// newest(i, j) is ids[i] down to ids[j]: what a page shows.
	newest := func(i, j int) []string {
		var out []string
		for k := i; k >= j; k-- {
			out = append(out, ids[k])
		}
		return out
	}
	page := func(path string) (*response, []string) {
		t.Helper()
		r := alice.get(in, path).want(t, 200)
		return r, statusIDs(r.asStatuses(t))
	}

	r, got := page("/api/v1/timelines/home?limit=10")
	wantIDs(t, "first page", got, newest(24, 15)...)
	link := r.header.Get("Link")
	n, p := nextRe.FindStringSubmatch(link), prevRe.FindStringSubmatch(link)
	if n == nil || p == nil {
		t.Fatalf("Link header %q is not Mastodon's next/prev form", link)
	}
	nq, _ := url.ParseQuery(n[1])
	pq, _ := url.ParseQuery(p[1])
	if nq.Get("max_id") != ids[15] || nq.Get("limit") != "10" || pq.Get("min_id") != ids[24] || pq.Get("limit") != "10" {
		t.Fatalf("Link header %q: next %v, prev %v", link, nq, pq)
	}
	if nq.Has("min_id") || nq.Has("since_id") || pq.Has("max_id") {
		t.Fatalf("Link header carries stale cursors: %q", link)
	}

	// Follow rel="next" to the end.
	r, got = page(strings.TrimPrefix(links(r)["next"], "https://roost.test"))
	wantIDs(t, "second page", got, newest(14, 5)...)
	r2, got := page(strings.TrimPrefix(links(r)["next"], "https://roost.test"))
	wantIDs(t, "third page", got, newest(4, 0)...)
	r3, got := page(strings.TrimPrefix(links(r2)["next"], "https://roost.test"))
	wantIDs(t, "past the end", got)
	if l := r3.header.Get("Link"); l != "" {
		t.Fatalf("empty page has Link %q", l)
	}
	// rel="prev" of the second page goes back to the first.
	_, got = page(strings.TrimPrefix(links(r)["prev"], "https://roost.test"))
	wantIDs(t, "prev of second page", got, newest(24, 15)...)

	// since_id gives the newest ones after the cursor; min_id the ones right
	// after it; both newest first.
	_, got = page("/api/v1/timelines/home?limit=10&since_id=" + ids[5])
	wantIDs(t, "since_id", got, newest(24, 15)...)
	_, got = page("/api/v1/timelines/home?limit=10&min_id=" + ids[5])
	wantIDs(t, "min_id", got, newest(15, 6)...)
	_, got = page("/api/v1/timelines/home?max_id=" + ids[10] + "&since_id=" + ids[6])
	wantIDs(t, "max_id with since_id", got, newest(9, 7)...)

	// Limits: 20 by default, 40 at most, nonsense is the default.
	_, got = page("/api/v1/timelines/home")
	wantIDs(t, "default page", got, newest(24, 5)...)
	_, got = page("/api/v1/timelines/home?limit=0")
	if len(got) != 20 {
		t.Fatalf("limit=0 gave %d", len(got))
	}
	_, got = page("/api/v1/timelines/home?limit=1000")
	if len(got) != 25 {
		t.Fatalf("limit=1000 gave %d", len(got))
	}
	// The token never leaks into Link.
	r = in.do("GET", "/api/v1/timelines/home?limit=2&access_token="+alice.token, "", nil).want(t, 200)
	if l := r.header.Get("Link"); l == "" || strings.Contains(l, alice.token) {
		t.Fatalf("Link with access_token = %q", l)
	}
}
