package activity

import (
	"encoding/json"
	"path"
	"strings"
	"time"

	"github.com/roost-social/roost/store"
)

// Actor is the actor document of a local account, with Mastodon's
// properties in Mastodon's order.
type Actor struct {
	Context                   json.RawMessage `json:"@context,omitempty"`
	ID                        string          `json:"id"`
	Type                      string          `json:"type"`
	Following                 string          `json:"following"`
	Followers                 string          `json:"followers"`
	Inbox                     string          `json:"inbox"`
	Outbox                    string          `json:"outbox"`
	Featured                  string          `json:"featured"`
	FeaturedTags              string          `json:"featuredTags"`
	PreferredUsername         string          `json:"preferredUsername"`
	Name                      string          `json:"name"`
	Summary                   string          `json:"summary"`
	URL                       string          `json:"url"`
	ManuallyApprovesFollowers bool            `json:"manuallyApprovesFollowers"`
	Discoverable              bool            `json:"discoverable"`
	Indexable                 bool            `json:"indexable"`
	Published                 string          `json:"published"`
	Memorial                  bool            `json:"memorial"`
	// MovedTo and AlsoKnownAs are for account migration; the store does not
	// hold them yet, so callers set them.
	MovedTo     string          `json:"movedTo,omitempty"`
	AlsoKnownAs []string        `json:"alsoKnownAs,omitempty"`
	PublicKey   PublicKey       `json:"publicKey"`
	Tag         []Tag           `json:"tag"`
	Attachment  []PropertyValue `json:"attachment"`
	Endpoints   Endpoints       `json:"endpoints"`
	Icon        *Icon           `json:"icon,omitempty"`
	Image       *Icon           `json:"image,omitempty"`
}

// PropertyValue is a profile field as Mastodon sends it; Value is HTML.
type PropertyValue struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Endpoints holds the actor's shared inbox.
type Endpoints struct {
	SharedInbox string `json:"sharedInbox"`
}

func (a *Actor) withoutContext() any {
	if a == nil {
		return nil
	}
	c := *a
	c.Context = nil
	return &c
}

func (a *Actor) documentID() string {
	if a == nil {
		return ""
	}
	return a.ID
}

// ActorFrom returns the actor document of the local account a, as Mastodon
// serves it. baseURL is the instance's address ("https://example.com"); the
// account's addresses that are empty are derived from it with Mastodon's
// paths (/users/NAME, /@NAME, /inbox, ...). The type is Service for bots and
// Person otherwise; published is the day of creation at midnight UTC, as
// Mastodon rounds it; indexable is false because Roost has no per-account
// opt-in yet and Mastodon's default is false. Fields with neither name nor
// value are left out.
func ActorFrom(a *store.Account, baseURL string) *Actor {
	base := strings.TrimSuffix(baseURL, "/")
	uri := or(a.URI, base+"/users/"+a.Username)
	typ := "Person"
	if a.Bot {
		typ = "Service"
	}
	created := a.CreatedAt.UTC()
	act := &Actor{
		Context:                   contextJSON,
		ID:                        uri,
		Type:                      typ,
		Following:                 or(a.FollowingURL, uri+"/following"),
		Followers:                 or(a.FollowersURL, uri+"/followers"),
		Inbox:                     or(a.InboxURL, uri+"/inbox"),
		Outbox:                    or(a.OutboxURL, uri+"/outbox"),
		Featured:                  or(a.FeaturedURL, uri+"/collections/featured"),
		FeaturedTags:              uri + "/collections/tags",
		PreferredUsername:         a.Username,
		Name:                      a.DisplayName,
		Summary:                   a.Note,
		URL:                       or(a.URL, base+"/@"+a.Username),
		ManuallyApprovesFollowers: a.Locked,
		Discoverable:              a.Discoverable,
		Published:                 formatTime(time.Date(created.Year(), created.Month(), created.Day(), 0, 0, 0, 0, time.UTC)),
		PublicKey:                 PublicKey{ID: uri + "#main-key", Owner: uri, PublicKeyPem: a.PublicKeyPEM},
		Tag:                       []Tag{},
		Attachment:                []PropertyValue{},
		Endpoints:                 Endpoints{SharedInbox: or(a.SharedInbox, base+"/inbox")},
	}
	for _, f := range a.Fields {
		if f.Name == "" && f.Value == "" {
			continue
		}
		act.Attachment = append(act.Attachment, PropertyValue{Type: "PropertyValue", Name: f.Name, Value: f.Value})
	}
	if a.AvatarURL != "" {
		act.Icon = &Icon{Type: "Image", MediaType: imageType(a.AvatarURL), URL: a.AvatarURL}
	}
	if a.HeaderURL != "" {
		act.Image = &Icon{Type: "Image", MediaType: imageType(a.HeaderURL), URL: a.HeaderURL}
	}
	return act
}

// UpdateActor returns the Update Mastodon sends when a profile changes:
// addressed to Public, id ACTOR#updates/UNIXTIME.
func UpdateActor(a *Actor, updated time.Time) *Activity {
	return &Activity{
		Context: contextJSON,
		ID:      a.ID + "#updates/" + unix(updated),
		Type:    "Update",
		Actor:   a.ID,
		To:      []string{Public},
		Object:  embed(a),
	}
}

// or returns s, or def when s is empty.
func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// imageType guesses an image's media type from the extension of its
// address; "" (and no mediaType property) when the extension is unknown.
// A fixed table, not mime.TypeByExtension, so output does not depend on the
// host's mime.types.
func imageType(u string) string {
	u, _, _ = strings.Cut(u, "?")
	u, _, _ = strings.Cut(u, "#")
	switch strings.ToLower(path.Ext(u)) {
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".gif":
		return "image/gif"
	case ".webp":
		return "image/webp"
	case ".avif":
		return "image/avif"
	}
	return ""
}
