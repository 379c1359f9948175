package server

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/storetest"
)

type blockRel struct {
	ID         string `json:"id"`
	Following  bool   `json:"following"`
	FollowedBy bool   `json:"followed_by"`
	Blocking   bool   `json:"blocking"`
	BlockedBy  bool   `json:"blocked_by"`
	Requested  bool   `json:"requested"`
}

func TestBlockAPI(t *testing.T) {
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	bob.post(in, "/api/v1/accounts/"+alice.ID+"/follow", nil).want(t, 200)
	alice.post(in, "/api/v1/accounts/"+bob.ID+"/follow", nil).want(t, 200)
	post := in.postStatus(alice, "hello #roost")

	var rel blockRel
	alice.post(in, "/api/v1/accounts/"+bob.ID+"/block", nil).want(t, 200).decode(t, &rel)
	if rel != (blockRel{ID: bob.ID, Blocking: true}) {
		t.Fatalf("relationship after block: %+v", rel)
	}
	var rels []blockRel
	bob.get(in, "/api/v1/accounts/relationships?id[]="+alice.ID).want(t, 200).decode(t, &rels)
	if len(rels) != 1 || rels[0] != (blockRel{ID: alice.ID, BlockedBy: true}) {
		t.Fatalf("bob's relationship: %+v", rels)
	}
	blocks := alice.get(in, "/api/v1/blocks").want(t, 200).list(t)
	if len(blocks) != 1 || blocks[0]["id"] != bob.ID {
		t.Fatalf("blocks: %v", blocks)
	}

	// Neither can follow the other; bob sees nothing of alice.
	if r := bob.post(in, "/api/v1/accounts/"+alice.ID+"/follow", nil).want(t, 403); r.errorText(t) != "This action is not allowed" {
		t.Errorf("follow error %q", r.errorText(t))
	}
	alice.post(in, "/api/v1/accounts/"+bob.ID+"/follow", nil).want(t, 403)
	bob.get(in, "/api/v1/statuses/"+post).want(t, 404)
	bob.post(in, "/api/v1/statuses/"+post+"/favourite", nil).want(t, 404)
	for _, path := range []string{"/api/v1/accounts/" + alice.ID + "/statuses", "/api/v1/timelines/public", "/api/v1/timelines/tag/roost", "/api/v1/timelines/home"} {
		if l := bob.get(in, path).want(t, 200).list(t); len(l) != 0 {
			t.Errorf("bob sees %d statuses at %s", len(l), path)
		}
	}
	if l := in.do("GET", "/api/v1/timelines/public", "", nil).want(t, 200).list(t); len(l) != 1 {
		t.Errorf("anonymous public timeline has %d statuses", len(l))
	}

	// Bob's post mentioning alice notifies nobody.
	in.postStatus(bob, "@alice listen")
	if l := alice.get(in, "/api/v1/notifications").want(t, 200).list(t); len(l) != 0 {
		t.Errorf("alice has notifications: %v", l)
	}

	alice.post(in, "/api/v1/accounts/"+bob.ID+"/unblock", nil).want(t, 200).decode(t, &rel)
	if rel != (blockRel{ID: bob.ID}) {
		t.Fatalf("relationship after unblock: %+v", rel)
	}
	if l := alice.get(in, "/api/v1/blocks").want(t, 200).list(t); len(l) != 0 {
		t.Fatalf("blocks after unblock: %v", l)
	}
	bob.get(in, "/api/v1/statuses/"+post).want(t, 200)
	bob.post(in, "/api/v1/accounts/"+alice.ID+"/follow", nil).want(t, 200).decode(t, &rel)
	if !rel.Following {
		t.Fatalf("bob cannot follow alice again: %+v", rel)
	}

	alice.post(in, "/api/v1/accounts/"+alice.ID+"/block", nil).want(t, 403)
	alice.post(in, "/api/v1/accounts/12345/block", nil).want(t, 404)
	alice.post(in, "/api/v1/accounts/nonsense/unblock", nil).want(t, 404)
	in.do("POST", "/api/v1/accounts/"+bob.ID+"/block", "", nil).want(t, 401)
}

func TestBlockScopes(t *testing.T) {
	in := newInstance(t)
	bob := in.newUser("bob")
	reader := in.newUser("reader", "read")
	follower := in.newUser("follower", "follow")
	granular := in.newUser("granular", "write:blocks", "read:blocks")
	reader.post(in, "/api/v1/accounts/"+bob.ID+"/block", nil).want(t, 403)
	reader.get(in, "/api/v1/blocks").want(t, 200)
	follower.post(in, "/api/v1/accounts/"+bob.ID+"/block", nil).want(t, 200)
	follower.get(in, "/api/v1/blocks").want(t, 200)
	granular.post(in, "/api/v1/accounts/"+bob.ID+"/block", nil).want(t, 200)
	granular.post(in, "/api/v1/accounts/"+bob.ID+"/unblock", nil).want(t, 200)
	in.newUser("writer", "write:follows").post(in, "/api/v1/accounts/"+bob.ID+"/block", nil).want(t, 403)
}

func TestBlocksPagination(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	var ids []string
	for _, name := range []string{"b1", "b2", "b3"} {
		u := in.newUser(name)
		alice.post(in, "/api/v1/accounts/"+u.ID+"/block", nil).want(t, 200)
		ids = append([]string{u.ID}, ids...)
	}
	r := alice.get(in, "/api/v1/blocks?limit=2").want(t, 200)
	page := r.list(t)
	if len(page) != 2 || page[0]["id"] != ids[0] || page[1]["id"] != ids[1] {
		t.Fatalf("first page: %v", page)
	}
	link := r.header.Get("Link")
	next := between(link, "<", `>; rel="next"`)
	if next == "" || !strings.Contains(link, `rel="prev"`) {
		t.Fatalf("Link: %q", link)
	}
	u, err := url.Parse(next)
	if err != nil {
		t.Fatal(err)
	}
	page = alice.get(in, u.RequestURI()).want(t, 200).list(t)
	if len(page) != 1 || page[0]["id"] != ids[2] {
		t.Fatalf("second page: %v", page)
	}
}

// between is the text of s after the first open and before the next close.
func between(s, open, close string) string {
	_, rest, ok := strings.Cut(s, open)
	if !ok {
		return ""
	}
	v, _, ok := strings.Cut(rest, close)
	if !ok {
		return ""
	}
	return v
}

// deliveries takes what the instance queued for delivery, by inbox.
func (in *instance) deliveries(t *testing.T) map[string][]map[string]any {
	t.Helper()
	ds, err := in.store.TakeDeliveries(t.Context(), time.Now().Add(time.Hour), 100, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]map[string]any{}
	for _, d := range ds {
		var m map[string]any
		if err := json.Unmarshal(d.Payload, &m); err != nil {
			t.Fatal(err)
		}
		out[d.Inbox] = append(out[d.Inbox], m)
		if err := in.store.DeliveryDone(t.Context(), d.ID); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestBlockRemoteSendsBlock(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	carol := storetest.MustCreateRemote(t, in.store, "carol", "remote.test")
	storetest.MustFollow(t, in.store, carol, alice.Account)
	in.deliveries(t)

	var rel blockRel
	alice.post(in, "/api/v1/accounts/"+carol.ID+"/block", nil).want(t, 200).decode(t, &rel)
	if !rel.Blocking || rel.FollowedBy {
		t.Fatalf("relationship: %+v", rel)
	}
	got := in.deliveries(t)
	acts := got[carol.InboxURL]
	if len(got) != 1 || len(acts) != 1 || acts[0]["type"] != "Block" || acts[0]["object"] != carol.URI || acts[0]["actor"] != alice.URI {
		t.Fatalf("deliveries after the block: %v", got)
	}
	blockID, _ := acts[0]["id"].(string)
	if !strings.HasPrefix(blockID, alice.URI+"#blocks/") {
		t.Errorf("block id %q", blockID)
	}
	// Blocking again sends nothing more.
	alice.post(in, "/api/v1/accounts/"+carol.ID+"/block", nil).want(t, 200)
	if got := in.deliveries(t); len(got) != 0 {
		t.Fatalf("deliveries after a second block: %v", got)
	}

	alice.post(in, "/api/v1/accounts/"+carol.ID+"/unblock", nil).want(t, 200)
	acts = in.deliveries(t)[carol.InboxURL]
	if len(acts) != 1 || acts[0]["type"] != "Undo" {
		t.Fatalf("deliveries after the unblock: %v", acts)
	}
	obj, _ := acts[0]["object"].(map[string]any)
	if obj["type"] != "Block" || obj["id"] != blockID || obj["object"] != carol.URI {
		t.Fatalf("undone: %v", obj)
	}
	alice.post(in, "/api/v1/accounts/"+carol.ID+"/unblock", nil).want(t, 200)
	if got := in.deliveries(t); len(got) != 0 {
		t.Fatalf("deliveries after a second unblock: %v", got)
	}
}

func TestPinSendsFeatured(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	carol := storetest.MustCreateRemote(t, in.store, "carol", "remote.test")
	storetest.MustFollow(t, in.store, carol, alice.Account)
	post := in.postStatus(alice, "pin me")
	st, err := in.store.StatusByID(t.Context(), post)
	if err != nil {
		t.Fatal(err)
	}
	in.deliveries(t)

	featured := alice.URI + "/collections/featured"
	check := func(typ string) {
		t.Helper()
		got := in.deliveries(t)
		acts := got[carol.SharedInbox]
		if len(got) != 1 || len(acts) != 1 {
			t.Fatalf("deliveries: %v", got)
		}
		a := acts[0]
		if a["type"] != typ || a["actor"] != alice.URI || a["object"] != st.URI || a["target"] != featured {
			t.Fatalf("%s: %v", typ, a)
		}
	}
	alice.post(in, "/api/v1/statuses/"+post+"/pin", nil).want(t, 200)
	check("Add")
	alice.post(in, "/api/v1/statuses/"+post+"/pin", nil).want(t, 200)
	if got := in.deliveries(t); len(got) != 0 {
		t.Fatalf("a second pin sent %v", got)
	}
	alice.post(in, "/api/v1/statuses/"+post+"/unpin", nil).want(t, 200)
	check("Remove")
	alice.post(in, "/api/v1/statuses/"+post+"/unpin", nil).want(t, 200)
	if got := in.deliveries(t); len(got) != 0 {
		t.Fatalf("a second unpin sent %v", got)
	}
}

func TestMovedAccount(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	old := storetest.MustCreateRemote(t, in.store, "old", "remote.test")
	moved := storetest.MustCreateRemote(t, in.store, "new", "elsewhere.test")
	if m := alice.get(in, "/api/v1/accounts/"+old.ID).want(t, 200).obj(t); m["moved"] != nil {
		t.Fatalf("moved before the move: %v", m["moved"])
	}
	if err := in.store.MoveAccount(t.Context(), old.ID, moved.ID); err != nil {
		t.Fatal(err)
	}
	var acc struct {
		Moved *struct {
			ID   string `json:"id"`
			Acct string `json:"acct"`
		} `json:"moved"`
	}
	alice.get(in, "/api/v1/accounts/"+old.ID).want(t, 200).decode(t, &acc)
	if acc.Moved == nil || acc.Moved.ID != moved.ID || acc.Moved.Acct != "new@elsewhere.test" {
		t.Fatalf("moved: %+v", acc.Moved)
	}
}

func TestReportNotification(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	plain := in.newUser("plain")
	acct, err := in.srv.CreateAccount(t.Context(), "root", "root@example.com", "password-root", store.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := in.srv.CreateCLIToken(t.Context(), "root", "read")
	if err != nil {
		t.Fatal(err)
	}
	root := &user{Account: acct, token: tok}
	carol := storetest.MustCreateRemote(t, in.store, "carol", "remote.test")
	if err := in.store.CreateReport(t.Context(), &store.Report{AccountID: carol.ID, TargetAccountID: alice.ID, Comment: "spam"}); err != nil {
		t.Fatal(err)
	}
	ns := root.get(in, "/api/v1/notifications?types[]=admin.report").want(t, 200).list(t)
	if len(ns) != 1 || ns[0]["type"] != "admin.report" {
		t.Fatalf("owner's notifications: %v", ns)
	}
	if acct, _ := ns[0]["account"].(map[string]any); acct["id"] != carol.ID {
		t.Fatalf("report notification from %v", ns[0]["account"])
	}
	if l := plain.get(in, "/api/v1/notifications").want(t, 200).list(t); len(l) != 0 {
		t.Fatalf("a plain user was told of a report: %v", l)
	}
}
