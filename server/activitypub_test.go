package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/roost-social/roost/federation/activity"
)

// getAP fetches path as a fediverse server would.
func (in *instance) getAP(t *testing.T, path string) *activity.Object {
	t.Helper()
	req, _ := http.NewRequest("GET", in.http.URL+path, nil)
	req.Header.Set("Accept", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`)
	r := in.send(req).want(t, 200)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/activity+json") {
		t.Fatalf("%s: content type %q", path, ct)
	}
	o, err := activity.Decode(r.body)
	if err != nil {
		t.Fatalf("%s: %v\n%s", path, err, r.body)
	}
	return o
}

func TestWebFingerAndActor(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	in.do("PATCH", "/api/v1/accounts/update_credentials", alice.token, map[string]any{
		"display_name": "Alice", "note": "I write #go", "locked": true,
		"fields_attributes": []map[string]string{{"name": "Site", "value": "https://alice.example"}},
	}).want(t, 200)

	var jrd struct {
		Subject string
		Aliases []string
		Links   []struct{ Rel, Type, Href string }
	}
	in.do("GET", "/.well-known/webfinger?resource=acct:alice@roost.test", "", nil).want(t, 200).decode(t, &jrd)
	if jrd.Subject != "acct:alice@roost.test" {
		t.Fatalf("subject %q", jrd.Subject)
	}
	self := ""
	for _, l := range jrd.Links {
		if l.Rel == "self" && l.Type == "application/activity+json" {
			self = l.Href
		}
	}
	if self != "https://roost.test/users/alice" {
		t.Fatalf("self link %q in %+v", self, jrd.Links)
	}
	in.do("GET", "/.well-known/webfinger?resource=https://roost.test/users/alice", "", nil).want(t, 200)
	in.do("GET", "/.well-known/webfinger?resource=acct:alice@elsewhere.example", "", nil).want(t, 404)
	in.do("GET", "/.well-known/webfinger?resource=acct:nobody@roost.test", "", nil).want(t, 404)
	in.do("GET", "/.well-known/webfinger", "", nil).want(t, 400)
	if r := in.do("GET", "/.well-known/host-meta", "", nil).want(t, 200); !strings.Contains(string(r.body), "/.well-known/webfinger?resource={uri}") {
		t.Fatalf("host-meta: %s", r.body)
	}

	for _, path := range []string{"/users/alice", "/@alice"} {
		a := in.getAP(t, path)
		if a.Type != "Person" || a.ID != "https://roost.test/users/alice" || a.Inbox != "https://roost.test/users/alice/inbox" ||
			a.SharedInbox != "https://roost.test/inbox" || !a.ManuallyApprovesFollowers || a.Name != "Alice" {
			t.Fatalf("%s: actor %+v", path, a)
		}
		k, ok := a.PublicKey("https://roost.test/users/alice#main-key")
		if !ok || !strings.Contains(k.PublicKeyPem, "BEGIN PUBLIC KEY") || k.Owner != a.ID {
			t.Fatalf("%s: public key %+v", path, k)
		}
		if len(a.Attachment) != 1 || a.Attachment[0].Name != "Site" {
			t.Fatalf("%s: fields %+v", path, a.Attachment)
		}
	}
	// Browsers get HTML on /@alice and a redirect from /users/alice.
	page := in.do("GET", "/@alice", "", nil).want(t, 200)
	if !strings.Contains(string(page.body), "@alice@roost.test") || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("profile page: %s", page.body)
	}
	if r := in.do("GET", "/users/alice", "", nil).want(t, http.StatusFound); r.header.Get("Location") != "https://roost.test/@alice" {
		t.Fatalf("redirect to %q", r.header.Get("Location"))
	}
	in.do("GET", "/users/nobody", "", nil).want(t, 404)
}

func TestStatusObjectsAndCollections(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	bob := in.newUser("bob")
	bob.post(in, "/api/v1/accounts/"+alice.ID+"/follow", nil).want(t, 200)
	first := in.postStatus(alice, "hello @bob #fediverse")
	reply := in.postStatus(alice, "a reply", "in_reply_to_id", first)
	private := in.postStatus(alice, "for followers", "visibility", "private")
	alice.post(in, "/api/v1/statuses/"+first+"/pin", nil).want(t, 200)

	n := in.getAP(t, "/users/alice/statuses/"+first)
	if n.Type != "Note" || n.ID != "https://roost.test/users/alice/statuses/"+first || n.Visibility("https://roost.test/users/alice/followers") != "public" {
		t.Fatalf("note %+v", n)
	}
	if len(n.Mentions()) != 1 || n.Mentions()[0].Href != "https://roost.test/users/bob" || len(n.Hashtags()) != 1 {
		t.Fatalf("note tags %+v", n.Tag)
	}
	r := in.getAP(t, "/@alice/"+reply)
	if r.InReplyTo.ID() != n.ID {
		t.Fatalf("reply inReplyTo %q", r.InReplyTo.ID())
	}
	replies := in.getAP(t, "/users/alice/statuses/"+first+"/replies?only_other_accounts=true&page=true")
	if ids := replies.CollectionItems().IDs(); len(ids) != 1 || ids[0] != r.ID {
		t.Fatalf("replies page %v, want [%s]", ids, r.ID)
	}
	if root := in.getAP(t, "/users/alice/statuses/"+first+"/replies"); root.First.ID() == "" {
		t.Fatalf("replies collection without a first page: %+v", root)
	}
	act := in.getAP(t, "/users/alice/statuses/"+first+"/activity")
	if act.Type != "Create" || act.Object.ID() != n.ID {
		t.Fatalf("activity %+v", act)
	}
	// Followers-only statuses are not served to anonymous fetches.
	in.do("GET", "/users/alice/statuses/"+private, "", nil).want(t, 404)
	// A status under the wrong account is not found.
	in.do("GET", "/users/bob/statuses/"+first, "", nil).want(t, 404)

	outbox := in.getAP(t, "/users/alice/outbox")
	if outbox.Type != "OrderedCollection" || outbox.TotalItems != 3 || outbox.First.ID() == "" {
		t.Fatalf("outbox %+v", outbox)
	}
	page := in.getAP(t, "/users/alice/outbox?page=true")
	items := page.CollectionItems()
	if len(items) != 2 {
		t.Fatalf("outbox page holds %d items, want the 2 public ones", len(items))
	}
	followers := in.getAP(t, "/users/alice/followers")
	if followers.TotalItems != 1 {
		t.Fatalf("followers %+v", followers)
	}
	fp := in.getAP(t, "/users/alice/followers?page=1")
	if ids := fp.OrderedItems.IDs(); len(ids) != 1 || ids[0] != "https://roost.test/users/bob" {
		t.Fatalf("followers page %v", ids)
	}
	feat := in.getAP(t, "/users/alice/collections/featured")
	if ids := feat.OrderedItems.IDs(); len(ids) != 1 || ids[0] != n.ID {
		t.Fatalf("featured %v", ids)
	}
	// The status page for browsers shows the text.
	if p := in.do("GET", "/@alice/"+first, "", nil).want(t, 200); !strings.Contains(string(p.body), "hello") {
		t.Fatalf("status page: %s", p.body)
	}
}
