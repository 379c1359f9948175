package activity

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// corpusDir is the shared fixture corpus of real servers' documents.
const corpusDir = "../../../shared/fixtures/activitypub"

// corpusFailures are the corpus files that must NOT decode, with the error
// they must give.
var corpusFailures = map[string]error{
	// The Akkoma test template's ids are https://{{DOMAIN}}/actor: not a URL.
	"actors/mastodon-instance-actor-application.json": ErrInvalid,
}

// readCorpus returns the corpus file name (relative to corpusDir), skipping
// the test when the corpus is not there.
func readCorpus(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, name))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("fixture corpus not found at %s", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCorpusDecodesEveryFile(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("fixture corpus not found at %s", corpusDir)
	}
	n := 0
	for _, dir := range []string{"actors", "objects", "activities", "collections"} {
		files, err := filepath.Glob(filepath.Join(corpusDir, dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			name := dir + "/" + filepath.Base(f)
			n++
			t.Run(name, func(t *testing.T) {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				o, err := Decode(b)
				if want, ok := corpusFailures[name]; ok {
					if !errors.Is(err, want) {
						t.Fatalf("Decode error = %v, want %v", err, want)
					}
					return
				}
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if o.Type == "" || len(o.Raw) == 0 {
					t.Errorf("Type %q, %d raw bytes", o.Type, len(o.Raw))
				}
				checkReencode(t, o)
			})
		}
	}
	if n < 150 {
		t.Errorf("only %d corpus files found", n)
	}
}

// checkReencode marshals o and decodes the result again: the id, type,
// addressing and the referenced object must survive.
func checkReencode(t *testing.T, o *Object) {
	t.Helper()
	out, err := json.Marshal(o)
	if err != nil {
		t.Fatalf("re-encode: %v", err)
	}
	o2, err := Decode(out)
	if err != nil {
		t.Fatalf("decode re-encoded: %v\n%s", err, out)
	}
	if o2.ID != o.ID || o2.Type != o.Type || o2.Object.ID() != o.Object.ID() ||
		o2.Visibility("x") != o.Visibility("x") || o2.Content != o.Content || !o2.Published.Equal(o.Published) {
		t.Errorf("re-encoded document differs:\n%s", out)
	}
}

// decodeCorpus decodes one corpus file, failing the test on error.
func decodeCorpus(t *testing.T, name string) *Object {
	t.Helper()
	o, err := Decode(readCorpus(t, name))
	if err != nil {
		t.Fatalf("Decode %s: %v", name, err)
	}
	return o
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestCorpusValues checks what a user would notice if it were read wrong.
func TestCorpusValues(t *testing.T) {
	t.Run("mastodon actor", func(t *testing.T) {
		o := decodeCorpus(t, "actors/mastodon-person-gargron.json")
		eq(t, "Type", o.Type, "Person")
		eq(t, "IsActor", o.IsActor(), true)
		eq(t, "PreferredUsername", o.PreferredUsername, "Gargron")
		eq(t, "Name", o.Name, "Eugen Rochko")
		eq(t, "SharedInbox", o.SharedInbox, "https://mastodon.social/inbox")
		eq(t, "Inbox", o.Inbox, "https://mastodon.social/users/Gargron/inbox")
		eq(t, "Followers", o.Followers.ID(), "https://mastodon.social/users/Gargron/followers")
		eq(t, "Featured", o.Featured.ID(), "https://mastodon.social/users/Gargron/collections/featured")
		eq(t, "FeaturedTags", o.FeaturedTags.ID(), "https://mastodon.social/users/Gargron/collections/tags")
		k, ok := o.PublicKey("https://mastodon.social/users/Gargron#main-key")
		eq(t, "key found", ok, true)
		eq(t, "key owner", k.Owner, "https://mastodon.social/users/Gargron")
		if !strings.HasPrefix(k.PublicKeyPem, "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvXc4vkECU2") {
			t.Errorf("PublicKeyPem = %q", k.PublicKeyPem)
		}
		_, ok = o.PublicKey("https://mastodon.social/users/Gargron#other-key")
		eq(t, "other key found", ok, false)
		eq(t, "Published", o.Published, date("2016-03-16T00:00:00Z"))
		eq(t, "Discoverable", o.Discoverable, true)
		eq(t, "Indexable", o.Indexable, true)
		eq(t, "Memorial", o.Memorial, false)
		eq(t, "ManuallyApprovesFollowers", o.ManuallyApprovesFollowers, false)
		eq(t, "AlsoKnownAs", strings.Join(o.AlsoKnownAs, " "), "https://tooting.ai/users/Gargron")
		eq(t, "fields", len(o.Attachment), 2)
		eq(t, "field 0 name", o.Attachment[0].Name, "Patreon")
		if !strings.Contains(o.Attachment[1].Value, `href="https://github.com/Gargron"`) {
			t.Errorf("field 1 value = %q", o.Attachment[1].Value)
		}
		eq(t, "IconURL", o.IconURL(), "https://files.mastodon.social/accounts/avatars/000/000/001/original/a0a49d80c3de5f75.png")
		eq(t, "ImageURL", o.ImageURL(), "https://files.mastodon.social/accounts/headers/000/000/001/original/d13e4417706a5fec.jpg")
		eq(t, "Host", o.Host(), "mastodon.social")
	})

	t.Run("fedify actor with publicKey array", func(t *testing.T) {
		o := decodeCorpus(t, "actors/fedify-test-person-publickey-array.json")
		eq(t, "keys", len(o.PublicKeys), 1)
		k, ok := o.PublicKey("https://remote.domain/users/bob#main-key")
		eq(t, "key found", ok, true)
		eq(t, "owner", k.Owner, "https://remote.domain/users/bob")
		if !strings.HasPrefix(k.PublicKeyPem, "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqIAYvNFGbZ5g4iiK6feS\n") {
			t.Errorf("PublicKeyPem = %q", k.PublicKeyPem)
		}
	})

	t.Run("lemmy actor without @context", func(t *testing.T) {
		o := decodeCorpus(t, "actors/lemmy-person.json")
		eq(t, "ID", o.ID, "https://enterprise.lemmy.ml/u/picard")
		eq(t, "Type", o.Type, "Person")
		eq(t, "PreferredUsername", o.PreferredUsername, "picard")
		eq(t, "Inbox", o.Inbox, "https://enterprise.lemmy.ml/u/picard/inbox")
		eq(t, "SharedInbox", o.SharedInbox, "https://enterprise.lemmy.ml/inbox")
		eq(t, "Followers", o.Followers.IsZero(), true)
	})

	t.Run("misskey actor sharedInbox at top level", func(t *testing.T) {
		o := decodeCorpus(t, "actors/misskey-person-iscat-misskey-io.json")
		eq(t, "SharedInbox", o.SharedInbox, "https://misskey.io/inbox")
	})

	t.Run("peertube channel icon sizes", func(t *testing.T) {
		o := decodeCorpus(t, "actors/peertube-group-video-channel.json")
		eq(t, "Type", o.Type, "Group")
		eq(t, "IsActor", o.IsActor(), true)
		eq(t, "IconURL (widest)", o.IconURL(), "https://spectra.video/lazy-static/avatars/559b141a-96ec-4161-8889-1111b71abca0.png")
	})

	t.Run("gotosocial actor moved", func(t *testing.T) {
		o := decodeCorpus(t, "actors/gotosocial-person-moved-aliased.json")
		if o.MovedTo == "" || len(o.AlsoKnownAs) == 0 {
			t.Errorf("MovedTo %q, AlsoKnownAs %q", o.MovedTo, o.AlsoKnownAs)
		}
		k, ok := o.PublicKey("http://localhost:8080/users/the_mighty_zork/main-key")
		eq(t, "/main-key found", ok, true)
		eq(t, "owner", k.Owner, "http://localhost:8080/users/the_mighty_zork")
	})

	t.Run("gotosocial emoji tag object", func(t *testing.T) {
		o := decodeCorpus(t, "actors/gotosocial-person-emoji-tag-object.json")
		em := o.Emojis()
		if len(em) != 1 || em[0].Icon == nil || em[0].Name == "" {
			t.Fatalf("Emojis = %+v", em)
		}
	})

	t.Run("gotosocial note: strings for to/cc, CW", func(t *testing.T) {
		o := decodeCorpus(t, "objects/gotosocial-note-cw-interaction-policy.json")
		eq(t, "Visibility", o.Visibility("http://localhost:8080/users/the_mighty_zork/followers"), "public")
		eq(t, "Sensitive", o.Sensitive, true)
		if o.Summary == "" {
			t.Error("no content warning")
		}
		eq(t, "Published (+02:00 → UTC)", o.Published.Location(), time.UTC)
	})

	t.Run("gotosocial create: to followers string, Public in cc", func(t *testing.T) {
		o := decodeCorpus(t, "activities/gotosocial-create-note-cw.json")
		n := o.Object.Object
		if n == nil {
			t.Fatal("object not embedded")
		}
		eq(t, "Visibility", n.Visibility("https://remote.example/users/alice/followers"), "unlisted")
		eq(t, "Summary", n.Summary, "CW TEST")
		m := n.Mentions()
		if len(m) != 1 || m[0].Name != "@test@local.example" || m[0].Href != "https://local.example/club/test" {
			t.Errorf("Mentions = %+v", m)
		}
	})

	t.Run("gotosocial image attachment with alt in summary", func(t *testing.T) {
		o := decodeCorpus(t, "objects/gotosocial-note-hashtag-emoji-image.json")
		if len(o.Attachment) != 1 {
			t.Fatalf("Attachment = %+v", o.Attachment)
		}
		a := o.Attachment[0]
		eq(t, "Type", a.Type, "Image")
		eq(t, "Description", a.Description(), "Black and white image of some 50's style text saying: Welcome On Board")
		if a.FocalPoint == nil || *a.FocalPoint != [2]float64{-0.5, 0.5} {
			t.Errorf("FocalPoint = %v", a.FocalPoint)
		}
		eq(t, "hashtags", len(o.Hashtags()), 1)
		eq(t, "emojis", len(o.Emojis()), 1)
	})

	t.Run("mastodon document attachment", func(t *testing.T) {
		o := decodeCorpus(t, "objects/mastodon-note-image-blurhash-focalpoint.json")
		a := o.Attachment[0]
		eq(t, "Type", a.Type, "Document")
		eq(t, "MediaType", a.MediaType, "image/jpeg")
		eq(t, "Blurhash", a.Blurhash, "USQv:h-W-qI-^,W;RPs=^-R%NZxbo#sDobSc")
		eq(t, "Width", a.Width, 1500)
		eq(t, "Height", a.Height, 1095)
		if !strings.HasPrefix(a.Name, "The KDE dragons") {
			t.Errorf("Name = %q", a.Name)
		}
	})

	t.Run("mastodon reply: unlisted, contentMap, replies", func(t *testing.T) {
		o := decodeCorpus(t, "objects/mastodon-note-reply-mention.json")
		eq(t, "Visibility", o.Visibility("https://mastodon.madrid/users/felix/followers"), "unlisted")
		eq(t, "InReplyTo", o.InReplyTo.ID(), "https://mamot.fr/users/retiolus/statuses/107224244380204526")
		eq(t, "Language", o.Language(), "en")
		eq(t, "Replies", o.Replies.ID(), "https://mastodon.madrid/users/felix/statuses/107224289116410645/replies")
		if p := o.Replies.Object.First.Object; p == nil || p.Type != "CollectionPage" || p.PartOf != o.Replies.ID() {
			t.Errorf("replies first page = %+v", p)
		}
	})

	t.Run("mastodon direct message", func(t *testing.T) {
		o := decodeCorpus(t, "objects/mastodon-note-direct-message.json")
		eq(t, "Visibility", o.Visibility("https://mastodon.world/users/nutomic/followers"), "direct")
		eq(t, "IsPublic", o.IsPublic(), false)
	})

	t.Run("misskey quote", func(t *testing.T) {
		o := decodeCorpus(t, "objects/misskey-note-quote.json")
		eq(t, "QuoteID", o.QuoteID(), "https://example.com/objects/43479e20-c0f8-4f49-bf7f-13fab8234924")
		eq(t, "QuoteURL", o.QuoteURL, o.MisskeyQuote)
		if o.MisskeyContent == "" || o.Source.MediaType != "text/x.misskeymarkdown" {
			t.Errorf("MisskeyContent %q, Source %+v", o.MisskeyContent, o.Source)
		}
	})

	t.Run("fep-044f quote", func(t *testing.T) {
		o := decodeCorpus(t, "objects/fep-044f-note-quote-all-properties.json")
		if o.QuoteID() == "" || o.QuoteID() != o.Quote {
			t.Errorf("QuoteID %q, Quote %q", o.QuoteID(), o.Quote)
		}
	})

	t.Run("pleroma note contentMap", func(t *testing.T) {
		o := decodeCorpus(t, "activities/pleroma-create-note-html.json")
		n := o.Object.Object
		if n == nil {
			t.Fatal("object not embedded")
		}
		eq(t, "Language", n.Language(), "zh-CN")
		eq(t, "Content", n.Content, n.ContentMap["zh-CN"])
		if !strings.Contains(n.Content, "<strong>test</strong>") {
			t.Errorf("Content = %q", n.Content)
		}
	})

	t.Run("wordpress nameMap and contentMap", func(t *testing.T) {
		o := decodeCorpus(t, "objects/wordpress-article.json")
		eq(t, "Type", o.Type, "Article")
		if o.Name == "" || o.Content == "" {
			t.Errorf("Name %q, Content %d bytes", o.Name, len(o.Content))
		}
	})

	t.Run("mastodon poll anyOf", func(t *testing.T) {
		o := decodeCorpus(t, "objects/mastodon-question-multiple-choice.json")
		opts, multiple := o.PollOptions()
		eq(t, "multiple", multiple, true)
		want := []PollOption{{"apple", 3}, {"orange", 7}, {"banana", 6}}
		if !slices.Equal(opts, want) {
			t.Errorf("options = %v, want %v", opts, want)
		}
		eq(t, "VotersCount", o.VotersCount, 7)
		eq(t, "EndTime", o.EndTime, date("2023-03-06T07:40:13Z"))
	})

	t.Run("mastodon 4.3 poll in Create", func(t *testing.T) {
		o := decodeCorpus(t, "activities/mastodon-create-question-4.3.json")
		q := o.Object.Object
		opts, multiple := q.PollOptions()
		eq(t, "multiple", multiple, false)
		eq(t, "options", len(opts), 4)
		eq(t, "option D", opts[3], PollOption{"D", 0})
		eq(t, "Visibility", q.Visibility("https://remote.example/users/alice/followers"), "unlisted")
	})

	t.Run("pleroma poll closed without zone", func(t *testing.T) {
		o := decodeCorpus(t, "objects/pleroma-question-single-choice.json")
		eq(t, "Closed", o.Closed, date("2019-09-19T00:32:36.785333Z"))
		eq(t, "EndTime zero", o.EndTime.IsZero(), true)
		eq(t, "VotersCount null", o.VotersCount, 0)
		opts, _ := o.PollOptions()
		if !slices.Equal(opts, []PollOption{{"yes", 4}, {"no", 0}}) {
			t.Errorf("options = %v", opts)
		}
	})

	t.Run("move target", func(t *testing.T) {
		o := decodeCorpus(t, "activities/mastodon-move.json")
		eq(t, "Type", o.Type, "Move")
		eq(t, "IsActivity", o.IsActivity(), true)
		eq(t, "Object", o.Object.ID(), "https://mastodon.example/users/alice")
		eq(t, "Target", o.Target.ID(), "https://alice.com/users/109835986274379")
		eq(t, "To", strings.Join(o.To, " "), "https://mastodon.example/users/alice/followers")
	})

	t.Run("flag objects", func(t *testing.T) {
		o := decodeCorpus(t, "activities/mastodon-flag-report.json")
		want := []string{"https://example.com/users/1", "https://example.com/posts/380590", "https://example.com/posts/380591"}
		if !slices.Equal(o.Objects.IDs(), want) {
			t.Errorf("Objects = %v", o.Objects.IDs())
		}
		eq(t, "Object", o.Object.ID(), want[0])
		eq(t, "Content", o.Content, "Please take a look at this user and their posts")
	})

	t.Run("announce with embedded private note", func(t *testing.T) {
		o := decodeCorpus(t, "activities/mastodon-announce-private-embedded.json")
		eq(t, "Type", o.Type, "Announce")
		n := o.Object.Object
		if n == nil {
			t.Fatal("object not embedded")
		}
		eq(t, "object id", o.Object.ID(), "http://mastodon.example.org/@admin/99541947525187368")
		eq(t, "object type", n.Type, "Note")
		eq(t, "Visibility", o.Visibility("http://mastodon.example.org/users/admin/followers"), "private")
	})

	t.Run("pixelfed announce +0000", func(t *testing.T) {
		o := decodeCorpus(t, "activities/pixelfed-announce.json")
		eq(t, "Published", o.Published, date("2023-10-30T12:44:35Z"))
		eq(t, "Object", o.Object.ID(), "https://mastodonapp.uk/@damianward/111322877716364793")
	})

	t.Run("kroeg announce with inline actor", func(t *testing.T) {
		o := decodeCorpus(t, "activities/kroeg-announce-inline-actor.json")
		if o.Actor.Object == nil || o.Actor.ID() == "" || !o.Actor.Object.IsActor() {
			t.Errorf("Actor = %+v", o.Actor)
		}
	})

	t.Run("like with misskey reaction", func(t *testing.T) {
		o := decodeCorpus(t, "activities/misskey-like-custom-emoji-reaction.json")
		eq(t, "MisskeyReaction", o.MisskeyReaction, ":hanapog:")
		eq(t, "Content", o.Content, ":hanapog:")
		em := o.Emojis()
		if len(em) != 1 || em[0].Icon == nil || em[0].Icon.URL != "https://misskey.local.live/files/webpublic-8f8a9768-7264-4171-88d6-2356aabeadcd" {
			t.Errorf("Emojis = %+v", em)
		}
		eq(t, "emoji updated", em[0].Updated, date("2022-06-07T12:00:05.773Z"))

		s := decodeCorpus(t, "activities/sharkey-like-custom-emoji-reaction.json")
		eq(t, "sharkey MisskeyReaction", s.MisskeyReaction, ":cat_attack:")
	})

	t.Run("undo with embedded follow", func(t *testing.T) {
		o := decodeCorpus(t, "activities/mastodon-undo-follow.json")
		f := o.Object.Object
		if f == nil || f.Type != "Follow" || f.Actor.ID() != o.Actor.ID() {
			t.Errorf("embedded = %+v", f)
		}
		u := decodeCorpus(t, "activities/mastodon-undo-like-object-is-uri.json")
		if u.Object.Object != nil || u.Object.ID() == "" {
			t.Errorf("object = %+v", u.Object)
		}
	})

	t.Run("delete with tombstone", func(t *testing.T) {
		o := decodeCorpus(t, "activities/mastodon-delete-note-tombstone-ldsig.json")
		if o.Object.Object == nil || o.Object.Object.Type != "Tombstone" || o.Object.ID() == "" {
			t.Errorf("object = %+v", o.Object)
		}
	})

	t.Run("peertube video", func(t *testing.T) {
		o := decodeCorpus(t, "activities/peertube-create-video-framatube.json")
		v := o.Object.Object
		eq(t, "Type", v.Type, "Video")
		eq(t, "Author (Person, not Group)", v.Author(), "https://framatube.org/accounts/framasoft")
		eq(t, "URL", v.URL, "https://framatube.org/videos/watch/6050732a-8a7a-43d4-a6cd-809525a1d206")
		eq(t, "MediaType", v.MediaType, "text/markdown")
	})

	t.Run("funkwhale mimeType", func(t *testing.T) {
		o := decodeCorpus(t, "objects/funkwhale-audio.json")
		eq(t, "URL", o.URL, "https://channels.tests.funkwhale.audio/library/tracks/74")
		if !strings.Contains(o.MediaURL(), "/api/v1/listen/") {
			t.Errorf("MediaURL = %q", o.MediaURL())
		}
		eq(t, "link media type", o.URLs[0].MediaType, "audio/ogg")
	})

	t.Run("lemmy link post attachment", func(t *testing.T) {
		o := decodeCorpus(t, "objects/lemmy-page-link-image.json")
		if len(o.Attachment) != 2 || o.Attachment[1].Type != "Link" || o.Attachment[1].URL != "https://example.com/some-article" {
			t.Errorf("Attachment = %+v", o.Attachment)
		}
	})

	t.Run("plume attributedTo array", func(t *testing.T) {
		o := decodeCorpus(t, "objects/plume-article.json")
		if o.Author() == "" {
			t.Error("no author")
		}
	})

	t.Run("lemmy ban", func(t *testing.T) {
		o := decodeCorpus(t, "activities/lemmy-block-user-community-ban.json")
		eq(t, "Type", o.Type, "Block")
		if o.Target.ID() == "" || o.EndTime.IsZero() || o.Summary == "" {
			t.Errorf("Target %q, EndTime %v, Summary %q", o.Target.ID(), o.EndTime, o.Summary)
		}
	})

	t.Run("bite is an activity", func(t *testing.T) {
		o := decodeCorpus(t, "activities/misskey-fork-bite.json")
		eq(t, "Type", o.Type, "Bite")
		eq(t, "IsActivity", o.IsActivity(), true)
		eq(t, "To (not a URL)", strings.Join(o.To, " "), "9umq2pnhpy0ubij2")
	})

	t.Run("collections", func(t *testing.T) {
		o := decodeCorpus(t, "collections/pleroma-followers-first-embedded.json")
		if o.First.Object == nil || o.First.Object.Type == "" {
			t.Errorf("First = %+v", o.First)
		}
		h := decodeCorpus(t, "collections/mastodon-followers-hidden.json")
		if h.TotalItems == 0 || h.First.ID() == "" || h.First.Object != nil {
			t.Errorf("TotalItems %d, First %+v", h.TotalItems, h.First)
		}
		p := decodeCorpus(t, "collections/mastodon-followers-page.json")
		eq(t, "Type", p.Type, "OrderedCollectionPage")
		if p.PartOf == "" || len(p.CollectionItems()) == 0 {
			t.Errorf("PartOf %q, items %v", p.PartOf, p.CollectionItems())
		}
		l := decodeCorpus(t, "collections/lemmy-group-followers.json")
		eq(t, "Type", l.Type, "Collection")
		eq(t, "IsCollection", l.IsCollection(), true)
		f := decodeCorpus(t, "collections/mastodon-featured-embedded-notes.json")
		items := f.CollectionItems()
		if len(items) == 0 || items[0].Object == nil || items[0].Object.Type != "Note" {
			t.Errorf("featured items = %+v", items)
		}
	})
}
