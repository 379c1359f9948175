package activity

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const testBase = "https://roost.example"

var (
	created = time.Date(2024, 5, 17, 14, 3, 9, 0, time.UTC)
	posted  = time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	edited  = time.Date(2025, 1, 2, 4, 0, 0, 0, time.UTC)
)

// alice is a local account as provisioning creates it.
func alice() *store.Account {
	uri := testBase + "/users/alice"
	return &store.Account{
		ID: "1", Username: "alice", DisplayName: "Alice 🌷",
		Note: `<p>Gardener. Writes about <a href="https://roost.example/tags/roses" class="mention hashtag" rel="tag">#<span>roses</span></a> & soil.</p>`,
		Fields: []store.Field{
			{Name: "Website", Value: `<a href="https://alice.example" target="_blank" rel="nofollow noopener noreferrer me" translate="no"><span class="invisible">https://</span><span class="">alice.example</span><span class="invisible"></span></a>`},
			{Name: "Pronouns", Value: "she/her"},
			{},
		},
		Discoverable: true,
		URI:          uri, URL: testBase + "/@alice", InboxURL: uri + "/inbox", SharedInbox: testBase + "/inbox",
		OutboxURL: uri + "/outbox", FollowersURL: uri + "/followers", FollowingURL: uri + "/following",
		FeaturedURL:  uri + "/collections/featured",
		PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtest\n-----END PUBLIC KEY-----\n",
		AvatarURL:    testBase + "/system/accounts/avatars/1/original/a.png?1700000000",
		HeaderURL:    testBase + "/system/accounts/headers/1/original/h.jpeg",
		CreatedAt:    created,
	}
}

// bot is a local bot whose addresses were left empty, to be derived.
func bot() *store.Account {
	return &store.Account{
		ID: "2", Username: "weather", Bot: true, Locked: true,
		PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\nBOT\n-----END PUBLIC KEY-----\n",
		CreatedAt:    time.Date(2023, 12, 31, 23, 59, 59, 0, time.FixedZone("x", -3600)),
	}
}

// mentioned are a remote and a local account.
func mentioned() []*store.Account {
	return []*store.Account{
		{Username: "bob", Domain: "remote.example", URI: "https://remote.example/users/bob"},
		{Username: "carol", URI: testBase + "/users/carol"},
	}
}

func status(visibility string) *store.Status {
	s := &store.Status{
		ID: "113", URI: testBase + "/users/alice/statuses/113", URL: testBase + "/@alice/113",
		Content:    `<p><span class="h-card" translate="no"><a href="https://remote.example/@bob" class="u-url mention">@<span>bob</span></a></span> look &amp; see <a href="https://roost.example/tags/Roses" class="mention hashtag" rel="tag">#<span>Roses</span></a></p>`,
		Visibility: visibility, Language: "en", CreatedAt: posted,
		Tags:            []string{"roses"},
		FavouritesCount: 2, ReblogsCount: 1,
	}
	switch visibility {
	case store.VisibilityUnlisted:
		s.SpoilerText = "garden spoilers"
	case store.VisibilityPrivate:
		s.Sensitive = true
		s.EditedAt = &edited
	case store.VisibilityDirect:
		s.Language = ""
	}
	return s
}

const aliceFollowers = testBase + "/users/alice/followers"

func note(visibility string) *Note {
	inReplyTo := ""
	if visibility != store.VisibilityPublic {
		inReplyTo = "https://remote.example/users/bob/statuses/9"
	}
	return NoteFrom(status(visibility), alice(), inReplyTo, aliceFollowers, mentioned())
}

func follow() *Activity {
	return Follow("https://remote.example/c7e2b0d4", "https://remote.example/users/bob", testBase+"/users/alice")
}

var goldenCases = []struct {
	name string
	doc  func() any
}{
	{"actor-person", func() any { return ActorFrom(alice(), testBase) }},
	{"actor-service", func() any {
		a := ActorFrom(bot(), testBase+"/")
		a.AlsoKnownAs = []string{"https://old.example/users/weather"}
		return a
	}},
	{"note-public", func() any { return note(store.VisibilityPublic) }},
	{"note-unlisted", func() any { return note(store.VisibilityUnlisted) }},
	{"note-private", func() any { return note(store.VisibilityPrivate) }},
	{"note-direct", func() any { return note(store.VisibilityDirect) }},
	{"create", func() any {
		n := note(store.VisibilityPublic)
		return Create(n.AttributedTo, n, posted, n.To, n.CC)
	}},
	{"update-note", func() any {
		n := note(store.VisibilityPrivate)
		return Update(n.AttributedTo, n, edited, n.To, n.CC)
	}},
	{"update-actor", func() any { return UpdateActor(ActorFrom(alice(), testBase), edited) }},
	{"delete", func() any { return Delete(testBase+"/users/alice", testBase+"/users/alice/statuses/113") }},
	{"delete-actor", func() any { return DeleteActor(testBase + "/users/alice") }},
	{"follow", func() any { return follow() }},
	{"accept", func() any {
		return Accept(testBase+"/users/alice#accepts/follows/7", testBase+"/users/alice", follow())
	}},
	{"reject", func() any {
		return Reject(testBase+"/users/alice#rejects/follows/7", testBase+"/users/alice", follow())
	}},
	{"undo-follow", func() any {
		f := Follow(testBase+"/b2c1d6e8", testBase+"/users/alice", "https://remote.example/users/bob")
		return Undo(testBase+"/users/alice#follows/8/undo", testBase+"/users/alice", f)
	}},
	{"like", func() any {
		return Like(testBase+"/users/alice#likes/5", testBase+"/users/alice", "https://remote.example/users/bob/statuses/9")
	}},
	{"undo-like", func() any {
		l := Like(testBase+"/users/alice#likes/5", testBase+"/users/alice", "https://remote.example/users/bob/statuses/9")
		return Undo(testBase+"/users/alice#likes/5/undo", testBase+"/users/alice", l)
	}},
	{"announce", func() any {
		to, cc := Addressing(store.VisibilityPublic, aliceFollowers, nil)
		cc = append([]string{"https://remote.example/users/bob"}, cc...)
		return Announce(testBase+"/users/alice/statuses/114/activity", testBase+"/users/alice",
			"https://remote.example/users/bob/statuses/9", posted, to, cc)
	}},
	{"block", func() any {
		return Block(testBase+"/9f1e2d3c", testBase+"/users/alice", "https://remote.example/users/bob")
	}},
	{"add", func() any {
		return Add("", testBase+"/users/alice", testBase+"/users/alice/statuses/113", testBase+"/users/alice/collections/featured")
	}},
	{"remove", func() any {
		return Remove("", testBase+"/users/alice", testBase+"/users/alice/statuses/113", testBase+"/users/alice/collections/featured")
	}},
	{"collection", func() any {
		return OrderedCollection(aliceFollowers, 3, aliceFollowers+"?page=1")
	}},
	{"collection-page", func() any {
		return OrderedCollectionPage(aliceFollowers+"?page=1", aliceFollowers, aliceFollowers+"?page=2", "",
			[]any{"https://remote.example/users/bob", testBase + "/users/carol"})
	}},
	{"collection-featured", func() any {
		c := OrderedCollection(testBase+"/users/alice/collections/featured", 1, "")
		c.OrderedItems = []any{embed(note(store.VisibilityPublic))}
		return c
	}},
	{"collection-empty-page", func() any {
		return OrderedCollectionPage(testBase+"/users/alice/outbox?page=true", testBase+"/users/alice/outbox", "", "", nil)
	}},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			compact, err := Marshal(tc.doc())
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := json.Indent(&got, compact, "", "  "); err != nil {
				t.Fatal(err)
			}
			got.WriteByte('\n')
			path := filepath.Join("testdata", "golden", tc.name+".json")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("output differs from %s (run with -update if the change is right)\n got %s\nwant %s", path, got.Bytes(), want)
			}
		})
	}
}

// TestGoldenRoundTrip decodes what the builders produce: ids, types,
// addressing and embedded objects must come back as they were built.
func TestGoldenRoundTrip(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.doc()
			b, err := Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			o, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode: %v\n%s", err, b)
			}
			var id, typ string
			switch d := doc.(type) {
			case *Actor:
				id, typ = d.ID, d.Type
				eq(t, "IsActor", o.IsActor(), true)
				eq(t, "SharedInbox", o.SharedInbox, d.Endpoints.SharedInbox)
				k, ok := o.PublicKey(d.ID + "#main-key")
				eq(t, "key", ok, true)
				eq(t, "key pem", k.PublicKeyPem, d.PublicKey.PublicKeyPem)
				eq(t, "fields", len(o.Attachment), len(d.Attachment))
				if d.Icon != nil {
					eq(t, "IconURL", o.IconURL(), d.Icon.URL)
				}
			case *Note:
				id, typ = d.ID, d.Type
				checkNote(t, o, d)
			case *Activity:
				id, typ = d.ID, d.Type
				eq(t, "IsActivity", o.IsActivity(), true)
				eq(t, "Actor", o.Actor.ID(), d.Actor)
				eq(t, "Target", o.Target.ID(), d.Target)
				switch obj := d.Object.(type) {
				case string:
					eq(t, "Object", o.Object.ID(), obj)
				case *Note:
					if o.Object.Object == nil {
						t.Fatal("note not embedded")
					}
					checkNote(t, o.Object.Object, obj)
					eq(t, "activity visibility", o.Visibility(aliceFollowers), o.Object.Object.Visibility(aliceFollowers))
				case *Activity:
					eq(t, "Object", o.Object.ID(), obj.ID)
					eq(t, "Object type", o.Object.Object.Type, obj.Type)
					eq(t, "Object object", o.Object.Object.Object.ID(), obj.Object.(string))
				case *Actor:
					eq(t, "Object", o.Object.ID(), obj.ID)
					eq(t, "Object type", o.Object.Object.Type, obj.Type)
				case *Tombstone:
					eq(t, "Object", o.Object.ID(), obj.ID)
					eq(t, "Object type", o.Object.Object.Type, "Tombstone")
				default:
					t.Fatalf("unexpected object %T", obj)
				}
			case *Collection:
				id, typ = d.ID, d.Type
				eq(t, "IsCollection", o.IsCollection(), true)
				if d.TotalItems != nil {
					eq(t, "TotalItems", o.TotalItems, *d.TotalItems)
				}
				eq(t, "items", len(o.CollectionItems()), len(d.OrderedItems))
				eq(t, "Next", o.Next.ID(), d.Next)
				eq(t, "PartOf", o.PartOf, d.PartOf)
			default:
				t.Fatalf("unexpected document %T", doc)
			}
			eq(t, "ID", o.ID, id)
			eq(t, "Type", o.Type, typ)
			if !bytes.Contains(b, []byte(`"@context":["https://www.w3.org/ns/activitystreams"`)) {
				t.Error("no @context")
			}
			if bytes.Count(b, []byte(`"@context"`)) != 1 {
				t.Error("@context inside an embedded document")
			}
		})
	}
}

// checkNote compares a decoded Note with the one built.
func checkNote(t *testing.T, o *Object, n *Note) {
	t.Helper()
	eq(t, "note ID", o.ID, n.ID)
	eq(t, "note Type", o.Type, "Note")
	eq(t, "Content", o.Content, n.Content)
	eq(t, "Author", o.Author(), n.AttributedTo)
	eq(t, "Sensitive", o.Sensitive, n.Sensitive)
	eq(t, "Published", formatTime(o.Published), n.Published)
	eq(t, "Mentions", len(o.Mentions()), 2)
	eq(t, "Hashtags", len(o.Hashtags()), 1)
	if n.InReplyTo != nil {
		eq(t, "InReplyTo", o.InReplyTo.ID(), *n.InReplyTo)
	}
	if n.Summary != nil {
		eq(t, "Summary", o.Summary, *n.Summary)
	}
	// The visibility the status was built with is what a receiver reads.
	var vis string
	switch {
	case len(n.To) == 1 && n.To[0] == Public:
		vis = store.VisibilityPublic
	case len(n.CC) > 0 && n.CC[0] == Public:
		vis = store.VisibilityUnlisted
	case len(n.To) == 1 && n.To[0] == aliceFollowers:
		vis = store.VisibilityPrivate
	default:
		vis = store.VisibilityDirect
	}
	eq(t, "Visibility", o.Visibility(aliceFollowers), vis)
}

// TestNoteVisibilityRoundTrip builds a Note of each visibility and checks
// that Decode reads the same visibility back.
func TestNoteVisibilityRoundTrip(t *testing.T) {
	for _, vis := range []string{store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate, store.VisibilityDirect} {
		b, err := Marshal(note(vis))
		if err != nil {
			t.Fatal(err)
		}
		o, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, vis, o.Visibility(aliceFollowers), vis)
		// A bare mention is not enough to make a status private.
		eq(t, vis+" without followers URL", o.Visibility("") == store.VisibilityPrivate, false)
	}
}

func TestAddressing(t *testing.T) {
	m := []string{"https://remote.example/users/bob"}
	for _, vis := range []string{"public", "unlisted", "private", "direct", "bogus"} {
		to, cc := Addressing(vis, aliceFollowers, m)
		if to == nil || cc == nil {
			t.Errorf("%s: nil list", vis)
		}
		o := &Object{To: to, CC: cc}
		want := vis
		if vis == "bogus" {
			want = "direct"
		}
		eq(t, vis, o.Visibility(aliceFollowers), want)
	}
	// The caller's slice is not modified or shared.
	to, _ := Addressing("direct", aliceFollowers, m)
	to[0] = "x"
	eq(t, "caller's mentions", m[0], "https://remote.example/users/bob")
}

func TestEmbedDoesNotModifyCaller(t *testing.T) {
	n := note(store.VisibilityPublic)
	c := Create(n.AttributedTo, n, posted, n.To, n.CC)
	if n.Context == nil {
		t.Error("caller's note lost its @context")
	}
	if c.Object.(*Note).Context != nil {
		t.Error("embedded note kept its @context")
	}
	eq(t, "Create id", c.ID, n.ID+"/activity")
	var nilNote *Note
	if got := embed(nilNote); got != nil {
		t.Errorf("embed(nil *Note) = %v", got)
	}
}
