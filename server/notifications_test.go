package server

import (
	"net/url"
	"testing"
)

type notificationJSON struct {
	ID        string      `json:"id"`
	Type      string      `json:"type"`
	CreatedAt string      `json:"created_at"`
	Account   accountJSON `json:"account"`
	Status    *statusJSON `json:"status"`
}

func (in *instance) notifications(t *testing.T, u *user, query string) []notificationJSON {
	t.Helper()
	var ns []notificationJSON
	u.get(in, "/api/v1/notifications"+query).want(t, 200).decode(t, &ns)
	return ns
}

func typesOf(ns []notificationJSON) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Type
	}
	return out
}

func TestNotificationsAreMade(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob, carol := in.newUser("alice"), in.newUser("bob"), in.newUser("carol")
	post := in.postStatus(alice, "hello")

	mention := in.postStatus(bob, "hi @alice")
	bob.post(in, "/api/v1/statuses/"+post+"/favourite", nil).want(t, 200)
	bob.post(in, "/api/v1/statuses/"+post+"/reblog", nil).want(t, 200)
	in.follow(t, bob, alice)
	in.updateCredentials(alice, url.Values{"locked": {"true"}}).want(t, 200)
	in.follow(t, carol, alice)
	// Acting on one's own status notifies nobody.
	alice.post(in, "/api/v1/statuses/"+post+"/favourite", nil).want(t, 200)
	alice.post(in, "/api/v1/statuses/"+post+"/reblog", nil).want(t, 200)
	in.postStatus(alice, "talking to @alice myself")

	ns := in.notifications(t, alice, "")
	wantIDs(t, "types, newest first", typesOf(ns), "follow_request", "follow", "reblog", "favourite", "mention")
	want := []struct {
		from   *user
		status string
	}{{carol, ""}, {bob, ""}, {bob, post}, {bob, post}, {bob, mention}}
	for i, n := range ns {
		if n.Account.ID != want[i].from.ID {
			t.Errorf("%s notification from %s, want %s", n.Type, n.Account.Username, want[i].from.Username)
		}
		switch {
		case want[i].status == "" && n.Status != nil:
			t.Errorf("%s notification has a status", n.Type)
		case want[i].status != "" && (n.Status == nil || n.Status.ID != want[i].status):
			t.Errorf("%s notification has status %+v, want %s", n.Type, n.Status, want[i].status)
		}
		if n.ID == "" || n.CreatedAt == "" {
			t.Errorf("notification without id or date: %+v", n)
		}
	}
	// The mention's status is the mentioning status, as alice sees it.
	if m := ns[4].Status; m == nil || m.Account.ID != bob.ID || len(m.Mentions) != 1 || m.Mentions[0].ID != alice.ID {
		t.Errorf("mention status = %+v", ns[4].Status)
	}
	// Nobody else got any.
	if got := in.notifications(t, bob, ""); len(got) != 0 {
		t.Errorf("bob has notifications: %v", typesOf(got))
	}

	// Filters.
	wantIDs(t, "types[]=mention", typesOf(in.notifications(t, alice, "?types[]=mention")), "mention")
	wantIDs(t, "two types", typesOf(in.notifications(t, alice, "?types[]=follow&types[]=reblog")), "follow", "reblog")
	wantIDs(t, "exclude favourite", typesOf(in.notifications(t, alice, "?exclude_types[]=favourite")), "follow_request", "follow", "reblog", "mention")
	wantIDs(t, "exclude two", typesOf(in.notifications(t, alice, "?exclude_types[]=favourite&exclude_types[]=follow_request")), "follow", "reblog", "mention")
	wantIDs(t, "from carol", typesOf(in.notifications(t, alice, "?account_id="+carol.ID)), "follow_request")
	// Paging by notification ID.
	r := alice.get(in, "/api/v1/notifications?limit=2").want(t, 200)
	var page []notificationJSON
	r.decode(t, &page)
	wantIDs(t, "page 1", typesOf(page), "follow_request", "follow")
	next := links(r)["next"]
	if next == "" {
		t.Fatalf("no next link: %q", r.header.Get("Link"))
	}
	alice.get(in, next[len("https://roost.test"):]).want(t, 200).decode(t, &page)
	wantIDs(t, "page 2", typesOf(page), "reblog", "favourite")
	wantError(t, in.do("GET", "/api/v1/notifications", "", nil), 401)
}

func TestNotificationByIDDismissClear(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	in.postStatus(bob, "@alice one")
	in.postStatus(bob, "@alice two")
	in.postStatus(alice, "@bob for bob")
	ns := in.notifications(t, alice, "")
	if len(ns) != 2 {
		t.Fatalf("alice has %d notifications", len(ns))
	}
	bobs := in.notifications(t, bob, "")
	if len(bobs) != 1 {
		t.Fatalf("bob has %d notifications", len(bobs))
	}

	var one notificationJSON
	alice.get(in, "/api/v1/notifications/"+ns[1].ID).want(t, 200).decode(t, &one)
	if one.ID != ns[1].ID || one.Type != "mention" || one.Status == nil || one.Status.ID != ns[1].Status.ID {
		t.Fatalf("GET notification = %+v", one)
	}
	// Someone else's notification is not found, and cannot be dismissed.
	wantError(t, bob.get(in, "/api/v1/notifications/"+ns[1].ID), 404)
	wantError(t, bob.post(in, "/api/v1/notifications/"+ns[1].ID+"/dismiss", nil), 404)
	wantError(t, alice.get(in, "/api/v1/notifications/999999999999"), 404)
	wantError(t, alice.get(in, "/api/v1/notifications/nope"), 404)
	if got := in.notifications(t, alice, ""); len(got) != 2 {
		t.Fatalf("bob's dismiss removed alice's notification: %d left", len(got))
	}

	alice.post(in, "/api/v1/notifications/"+ns[1].ID+"/dismiss", nil).want(t, 200)
	wantError(t, alice.get(in, "/api/v1/notifications/"+ns[1].ID), 404)
	wantIDs(t, "after dismiss", []string{in.notifications(t, alice, "")[0].ID}, ns[0].ID)

	alice.post(in, "/api/v1/notifications/clear", nil).want(t, 200)
	if got := in.notifications(t, alice, ""); len(got) != 0 {
		t.Fatalf("after clear: %d notifications", len(got))
	}
	// Clearing alice's leaves bob's alone.
	if got := in.notifications(t, bob, ""); len(got) != 1 {
		t.Fatalf("alice's clear touched bob's notifications: %d left", len(got))
	}
}

func TestUnreadCountAndMarkers(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	unread := func() float64 {
		t.Helper()
		return alice.get(in, "/api/v1/notifications/unread_count").want(t, 200).obj(t)["count"].(float64)
	}
	if n := unread(); n != 0 {
		t.Fatalf("unread_count = %v with no notifications", n)
	}
	for _, s := range []string{"@alice 1", "@alice 2", "@alice 3"} {
		in.postStatus(bob, s)
	}
	if n := unread(); n != 3 {
		t.Fatalf("unread_count = %v, want 3", n)
	}
	ns := in.notifications(t, alice, "") // newest first

	// No markers yet: an empty object.
	if m := alice.get(in, "/api/v1/markers?timeline[]=notifications").want(t, 200).obj(t); len(m) != 0 {
		t.Fatalf("markers before any = %v", m)
	}

	type marker struct {
		LastReadID string `json:"last_read_id"`
		Version    int    `json:"version"`
		UpdatedAt  string `json:"updated_at"`
	}
	var set map[string]marker
	alice.post(in, "/api/v1/markers", url.Values{"notifications[last_read_id]": {ns[1].ID}}).want(t, 200).decode(t, &set)
	first := set["notifications"]
	if first.LastReadID != ns[1].ID || first.UpdatedAt == "" {
		t.Fatalf("POST markers answered %+v", set)
	}
	if n := unread(); n != 1 {
		t.Fatalf("unread_count after reading up to the second = %v, want 1", n)
	}

	var got map[string]marker
	alice.get(in, "/api/v1/markers?timeline[]=notifications").want(t, 200).decode(t, &got)
	if got["notifications"] != first {
		t.Fatalf("GET markers = %+v, want %+v", got, first)
	}
	if _, ok := got["home"]; ok {
		t.Fatalf("home marker reported without being set: %+v", got)
	}

	// JSON, as most apps send it; the version goes up by one.
	alice.post(in, "/api/v1/markers", map[string]any{"notifications": map[string]string{"last_read_id": ns[0].ID}}).want(t, 200).decode(t, &set)
	if set["notifications"].LastReadID != ns[0].ID || set["notifications"].Version != first.Version+1 {
		t.Fatalf("second POST markers answered %+v (first version %d)", set, first.Version)
	}
	if n := unread(); n != 0 {
		t.Fatalf("unread_count after reading all = %v", n)
	}
	alice.post(in, "/api/v1/markers", url.Values{"home[last_read_id]": {ns[0].Status.ID}}).want(t, 200)
	alice.get(in, "/api/v1/markers?timeline[]=notifications&timeline[]=home").want(t, 200).decode(t, &got)
	if got["notifications"].LastReadID != ns[0].ID || got["home"].LastReadID != ns[0].Status.ID {
		t.Fatalf("both markers = %+v", got)
	}
	// Markers are the user's own.
	if m := bob.get(in, "/api/v1/markers?timeline[]=notifications").want(t, 200).obj(t); len(m) != 0 {
		t.Fatalf("bob sees markers %v", m)
	}

	// A bad marker is refused and changes nothing.
	wantError(t, alice.post(in, "/api/v1/markers", url.Values{"notifications[last_read_id]": {"not-an-id"}}), 422)
	wantError(t, alice.post(in, "/api/v1/markers", url.Values{}), 422)
	alice.get(in, "/api/v1/markers?timeline[]=notifications").want(t, 200).decode(t, &got)
	if got["notifications"].LastReadID != ns[0].ID || got["notifications"].Version != first.Version+1 {
		t.Fatalf("refused marker changed it: %+v", got)
	}
}

// Following with notify=true brings "status" notifications; editing a
// boosted status tells the boosters with "update".
func TestStatusAndUpdateNotifications(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	bob.post(in, "/api/v1/accounts/"+alice.ID+"/follow", url.Values{"notify": {"true"}}).want(t, 200)
	post := in.postStatus(alice, "news")
	in.postStatus(alice, "@bob private word", "visibility", "direct")
	ns := in.notifications(t, bob, "?types[]=status")
	if len(ns) != 1 || ns[0].Account.ID != alice.ID || ns[0].Status == nil || ns[0].Status.ID != post {
		t.Fatalf("bob's status notifications = %+v", ns)
	}

	bob.post(in, "/api/v1/statuses/"+post+"/reblog", nil).want(t, 200)
	in.do("PUT", "/api/v1/statuses/"+post, alice.token, url.Values{"status": {"news, corrected"}}).want(t, 200)
	ns = in.notifications(t, bob, "?types[]=update")
	if len(ns) != 1 || ns[0].Account.ID != alice.ID || ns[0].Status == nil || ns[0].Status.ID != post || ns[0].Status.Content != "<p>news, corrected</p>" {
		t.Fatalf("bob's update notifications = %+v", ns)
	}
	wantIDs(t, "bob's notification types", typesOf(in.notifications(t, bob, "")), "update", "mention", "status")
}
