package activity

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Object is any ActivityStreams document as Roost reads it: an actor, an
// object (Note, Question, Page, ...), an activity or a collection. Only the
// properties Roost uses are kept; Raw holds the whole top-level document.
//
// Every field is the zero value when the property is absent, null, or of a
// shape that could not be read. JSON tags give the ActivityStreams names, so
// json.Marshal of an Object is an ActivityStreams document again (without
// @context and the properties Object does not model).
type Object struct {
	// Raw is the document as received (without surrounding white space);
	// set by Decode on the top-level object only.
	Raw json.RawMessage `json:"-"`

	ID        string `json:"id,omitempty"`
	idInvalid bool   // "id" was present but not a string or null
	// Type is the first type Roost knows ("Note", "Create", "Person", ...)
	// with any "as:" prefix or ActivityStreams namespace removed, or the
	// first type as written when none is known. Types is every type as
	// written, in order.
	Type  string   `json:"-"`
	Types []string `json:"type,omitempty"`

	// Name, Summary and Content are the plain properties, or when those are
	// absent the entry of the language map (nameMap, ...) whose key sorts
	// first. The maps are kept as sent.
	Name       string            `json:"name,omitempty"`
	NameMap    map[string]string `json:"nameMap,omitempty"`
	Summary    string            `json:"summary,omitempty"`
	SummaryMap map[string]string `json:"summaryMap,omitempty"`
	Content    string            `json:"content,omitempty"`
	ContentMap map[string]string `json:"contentMap,omitempty"`
	MediaType  string            `json:"mediaType,omitempty"`
	Source     Source            `json:"source,omitzero"`
	// URL is the object's web page: of the addresses in "url", the first
	// http(s) one without a media type or of type text/html, else the first
	// http(s) one, else the first. URLs holds them all; see MediaURL.
	URL  string `json:"url,omitempty"`
	URLs []Link `json:"-"`
	// Href is the target of a Link (and of a Mention or Hashtag).
	Href string `json:"href,omitempty"`

	Published time.Time `json:"published,omitzero"`
	Updated   time.Time `json:"updated,omitzero"`
	StartTime time.Time `json:"startTime,omitzero"`
	EndTime   time.Time `json:"endTime,omitzero"`
	Closed    time.Time `json:"closed,omitzero"`
	Duration  string    `json:"duration,omitempty"`
	Sensitive bool      `json:"sensitive,omitempty"`
	Width     int       `json:"width,omitempty"`
	Height    int       `json:"height,omitempty"`

	// Addressing, as ids.
	To       []string `json:"to,omitempty"`
	CC       []string `json:"cc,omitempty"`
	BTo      []string `json:"bto,omitempty"`
	BCC      []string `json:"bcc,omitempty"`
	Audience []string `json:"audience,omitempty"`

	AttributedTo Refs         `json:"attributedTo,omitempty"`
	InReplyTo    Ref          `json:"inReplyTo,omitzero"`
	Context      string       `json:"context,omitempty"`      // thread id (not @context)
	Conversation string       `json:"conversation,omitempty"` // Mastodon/Pleroma thread id
	Tag          []Tag        `json:"tag,omitempty"`
	Attachment   []Attachment `json:"attachment,omitempty"`
	Icon         Refs         `json:"icon,omitempty"`
	Image        Refs         `json:"image,omitempty"`
	Replies      Ref          `json:"replies,omitzero"`
	Likes        Ref          `json:"likes,omitzero"`
	Shares       Ref          `json:"shares,omitzero"`

	// Quote posts in their several spellings; see QuoteID.
	Quote        string `json:"quote,omitempty"`          // FEP-044f
	QuoteURI     string `json:"quoteUri,omitempty"`       // Fedibird
	QuoteURL     string `json:"quoteUrl,omitempty"`       // Misskey
	MisskeyQuote string `json:"_misskey_quote,omitempty"` // Misskey

	// Misskey's MFM source and emoji reaction.
	MisskeyContent  string `json:"_misskey_content,omitempty"`
	MisskeyReaction string `json:"_misskey_reaction,omitempty"`

	// Activities. Object is the first element of "object"; Objects is all of
	// them (a Flag names several).
	Actor      Ref  `json:"actor,omitzero"`
	Object     Ref  `json:"-"`
	Objects    Refs `json:"object,omitempty"`
	Target     Ref  `json:"target,omitzero"`
	Origin     Ref  `json:"origin,omitzero"`
	Instrument Refs `json:"instrument,omitempty"`
	Result     Ref  `json:"result,omitzero"`

	// Actors.
	PreferredUsername string `json:"preferredUsername,omitempty"`
	Inbox             string `json:"inbox,omitempty"`
	Outbox            string `json:"outbox,omitempty"`
	// SharedInbox is endpoints.sharedInbox, else a top-level sharedInbox
	// (Misskey, Calckey).
	SharedInbox               string      `json:"sharedInbox,omitempty"`
	Followers                 Ref         `json:"followers,omitzero"`
	Following                 Ref         `json:"following,omitzero"`
	Featured                  Ref         `json:"featured,omitzero"`
	FeaturedTags              Ref         `json:"featuredTags,omitzero"`
	PublicKeys                []PublicKey `json:"publicKey,omitempty"`
	ManuallyApprovesFollowers bool        `json:"manuallyApprovesFollowers,omitempty"`
	Discoverable              bool        `json:"discoverable,omitempty"`
	Indexable                 bool        `json:"indexable,omitempty"`
	Memorial                  bool        `json:"memorial,omitempty"`
	Suspended                 bool        `json:"suspended,omitempty"`
	// AlsoKnownAs is kept as sent: entries need not be URLs (microblog.pub).
	AlsoKnownAs []string `json:"alsoKnownAs,omitempty"`
	MovedTo     string   `json:"movedTo,omitempty"`

	// Polls (Question): options are Notes whose replies.totalItems is the
	// vote count; see PollOptions.
	OneOf       Refs `json:"oneOf,omitempty"`
	AnyOf       Refs `json:"anyOf,omitempty"`
	VotersCount int  `json:"votersCount,omitempty"`

	// Collections and pages. Items holds "items", OrderedItems
	// "orderedItems"; CollectionItems returns whichever is set.
	TotalItems   int    `json:"totalItems,omitempty"`
	First        Ref    `json:"first,omitzero"`
	Last         Ref    `json:"last,omitzero"`
	Next         Ref    `json:"next,omitzero"`
	Prev         Ref    `json:"prev,omitzero"`
	PartOf       string `json:"partOf,omitempty"`
	Items        Refs   `json:"items,omitempty"`
	OrderedItems Refs   `json:"orderedItems,omitempty"`
}

// Ref is the value of an "object or link" property: either an id or an
// embedded object. Decoding an array keeps its first usable element; use
// Refs where several are meaningful.
type Ref struct {
	id string
	// Object is the embedded object, or nil when the property was an id.
	Object *Object
}

// IDRef returns a Ref holding an id.
func IDRef(id string) Ref { return Ref{id: id} }

// ObjectRef returns a Ref holding an embedded object.
func ObjectRef(o *Object) Ref { return Ref{Object: o} }

// ID is the id of the referenced object: the string itself, or the embedded
// object's id, or for an embedded Link without id its href. It is "" for an
// embedded object without either (a poll option, an anonymous Image).
func (r Ref) ID() string {
	if r.Object != nil {
		if r.Object.ID != "" {
			return r.Object.ID
		}
		return r.Object.Href
	}
	return r.id
}

// IsZero reports whether the property was absent or unusable.
func (r Ref) IsZero() bool { return r.id == "" && r.Object == nil }

// UnmarshalJSON accepts a string, an object or an array (first usable
// element); anything else leaves r zero. It fails only on invalid JSON.
func (r *Ref) UnmarshalJSON(b []byte) error {
	if !json.Valid(b) {
		return fmt.Errorf("%w: invalid JSON", ErrMalformed)
	}
	*r = ref(b)
	return nil
}

// MarshalJSON writes the id as a string, or the embedded object.
func (r Ref) MarshalJSON() ([]byte, error) {
	if r.Object != nil {
		return json.Marshal(r.Object)
	}
	if r.id == "" {
		return []byte("null"), nil
	}
	return json.Marshal(r.id)
}

// Refs is a multi-valued "object or link" property; a single value decodes
// as a one-element list. Elements that are neither strings nor objects are
// dropped.
type Refs []Ref

// UnmarshalJSON accepts a single value or an array. It fails only on
// invalid JSON.
func (rs *Refs) UnmarshalJSON(b []byte) error {
	if !json.Valid(b) {
		return fmt.Errorf("%w: invalid JSON", ErrMalformed)
	}
	*rs = refs(b)
	return nil
}

// First returns the first element, or a zero Ref.
func (rs Refs) First() Ref {
	if len(rs) == 0 {
		return Ref{}
	}
	return rs[0]
}

// IDs returns the ids of the elements that have one.
func (rs Refs) IDs() []string {
	ids := make([]string, 0, len(rs))
	for _, r := range rs {
		if id := r.ID(); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// Link is one address of an object's "url": a bare string becomes a Link
// with only Href. Funkwhale's mimeType is read as MediaType.
type Link struct {
	Href      string   `json:"href"`
	MediaType string   `json:"mediaType,omitempty"`
	Rel       []string `json:"rel,omitempty"`
	Name      string   `json:"name,omitempty"`
	Width     int      `json:"width,omitempty"`
	Height    int      `json:"height,omitempty"`
}

// Source is the text an object was written from (Misskey MFM, Lemmy and
// PeerTube Markdown). A plain string (Pleroma) becomes Content.
type Source struct {
	Content   string `json:"content,omitempty"`
	MediaType string `json:"mediaType,omitempty"`
}

// PublicKey is an actor's RSA key in the security/v1 vocabulary.
// PublicKeyPem may be SPKI or PKCS#1 and may or may not end in newlines.
type PublicKey struct {
	ID           string `json:"id"`
	Owner        string `json:"owner"`
	PublicKeyPem string `json:"publicKeyPem"`
}

// Tag is one entry of "tag": a Mention or Hashtag (Href, Name), an Emoji
// (ID, Name ":code:", Icon, Updated), a FEP-e232 Link (Href, MediaType, Rel)
// or something else, kept with its Type. Type has any "as:" or "toot:"
// prefix removed.
type Tag struct {
	ID        string    `json:"id,omitempty"`
	Type      string    `json:"type"`
	Href      string    `json:"href,omitempty"`
	Name      string    `json:"name,omitempty"`
	MediaType string    `json:"mediaType,omitempty"`
	Rel       []string  `json:"rel,omitempty"`
	Updated   time.Time `json:"updated,omitzero"`
	Icon      *Icon     `json:"icon,omitempty"`
}

// Icon is the image of a custom emoji, or an actor's avatar or header as
// Roost sends them.
type Icon struct {
	Type      string `json:"type"`
	MediaType string `json:"mediaType,omitempty"`
	URL       string `json:"url"`
}

// Attachment is one entry of "attachment": media (Document, Image, Video,
// Audio) with its alt text in Name (Mastodon) or Summary (GoToSocial), a Link
// (Lemmy link posts; URL is its href), or a profile field (PropertyValue:
// Name and the HTML Value).
type Attachment struct {
	Type      string `json:"type"`
	MediaType string `json:"mediaType,omitempty"`
	// URL is, of the addresses in "url" (or "href"), the first http(s) one
	// not of type text/html, else the first http(s) one, else the first.
	URL        string      `json:"url,omitempty"`
	Name       string      `json:"name,omitempty"`
	Summary    string      `json:"summary,omitempty"`
	Value      string      `json:"value,omitempty"`
	Blurhash   string      `json:"blurhash,omitempty"`
	FocalPoint *[2]float64 `json:"focalPoint,omitempty"`
	Width      int         `json:"width,omitempty"`
	Height     int         `json:"height,omitempty"`
}

// Description is the alt text: Name, else Summary.
func (a Attachment) Description() string {
	if a.Name != "" {
		return a.Name
	}
	return a.Summary
}

// PollOption is one choice of a Question.
type PollOption struct {
	Name  string
	Votes int
}

// Host is the host (with port, lower-cased) of o's id, or "" when o has no
// parsable id.
func (o *Object) Host() string {
	u, err := url.Parse(o.ID)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// PublicKey returns the key whose id is keyID, or with keyID "" the first
// key. Key ids are compared exactly: servers use #main-key, /main-key, #key,
// query strings and the actor id itself, so nothing is derived.
func (o *Object) PublicKey(keyID string) (PublicKey, bool) {
	for _, k := range o.PublicKeys {
		if keyID == "" || k.ID == keyID {
			return k, true
		}
	}
	return PublicKey{}, false
}

// tagsOf returns the tags of one type.
func (o *Object) tagsOf(typ string) []Tag {
	var out []Tag
	for _, t := range o.Tag {
		if t.Type == typ {
			out = append(out, t)
		}
	}
	return out
}

// Mentions returns the Mention tags (Href is the mentioned actor's id, Name
// usually "@user@host").
func (o *Object) Mentions() []Tag { return o.tagsOf("Mention") }

// Hashtags returns the Hashtag tags (Name usually "#tag").
func (o *Object) Hashtags() []Tag { return o.tagsOf("Hashtag") }

// Emojis returns the custom Emoji tags (Name ":code:", Icon the image).
func (o *Object) Emojis() []Tag { return o.tagsOf("Emoji") }

// MediaURL is, of the addresses in "url", the first http(s) one with a
// media type other than text/html, else the first http(s) one: the file of
// an Image, Video or Audio object.
func (o *Object) MediaURL() string {
	if u := mediaURL(o.URLs); u != "" {
		return u
	}
	return o.Href
}

// IconURL is the address of o's icon (an actor's avatar): of several sizes
// the widest, else the first. "" when there is none.
func (o *Object) IconURL() string { return imageURL(o.Icon, 0) }

// ImageURL is the address of o's image (an actor's header), chosen as
// IconURL chooses.
func (o *Object) ImageURL() string { return imageURL(o.Image, 0) }

func imageURL(rs Refs, depth int) string {
	best, bestWidth := "", -1
	for _, r := range rs {
		u, w := r.id, 0
		if r.Object != nil {
			u, w = r.Object.MediaURL(), r.Object.Width
			if u == "" && depth < 2 { // Smithereen nests an Image in the Image
				u = imageURL(r.Object.Image, depth+1)
			}
		}
		if u != "" && w > bestWidth {
			best, bestWidth = u, w
		}
	}
	return best
}

// Author is the id of o's author: of the attributedTo entries the first
// that is not an embedded Group or Organization (PeerTube names the channel
// too), else the first, else the actor (for activities).
func (o *Object) Author() string {
	for _, r := range o.AttributedTo {
		if r.Object != nil && (r.Object.Type == "Group" || r.Object.Type == "Organization") {
			continue
		}
		if id := r.ID(); id != "" {
			return id
		}
	}
	if id := o.AttributedTo.First().ID(); id != "" {
		return id
	}
	return o.Actor.ID()
}

// QuoteID is the id of the post o quotes, whichever spelling the sender
// used: FEP-044f quote, Misskey _misskey_quote, Fedibird quoteUri, Misskey
// quoteUrl. "" when o quotes nothing.
func (o *Object) QuoteID() string {
	for _, s := range []string{o.Quote, o.MisskeyQuote, o.QuoteURI, o.QuoteURL} {
		if s != "" {
			return s
		}
	}
	return ""
}

// Language is the key of the contentMap entry holding Content, or "" when
// there is none.
func (o *Object) Language() string {
	lang := ""
	for k, v := range o.ContentMap {
		if v == o.Content && (lang == "" || k < lang) {
			lang = k
		}
	}
	return lang
}

// PollOptions returns the choices of a Question with their vote counts, and
// whether several may be chosen (anyOf rather than oneOf).
func (o *Object) PollOptions() (options []PollOption, multiple bool) {
	refs := o.OneOf
	if len(refs) == 0 && len(o.AnyOf) > 0 {
		refs, multiple = o.AnyOf, true
	}
	for _, r := range refs {
		if r.Object == nil {
			continue
		}
		opt := PollOption{Name: r.Object.Name}
		if rep := r.Object.Replies.Object; rep != nil {
			opt.Votes = rep.TotalItems
		}
		options = append(options, opt)
	}
	return options, multiple
}

// CollectionItems returns orderedItems, or items when there are none.
func (o *Object) CollectionItems() Refs {
	if len(o.OrderedItems) > 0 {
		return o.OrderedItems
	}
	return o.Items
}

// MarshalJSON writes o as an ActivityStreams document: type and object as a
// single value when there is one, arrays otherwise. (Marshal a *Object: a
// bare Object value is written field by field, with type as an array.)
func (o *Object) MarshalJSON() ([]byte, error) {
	type plain Object // without methods, so that Marshal does not recurse
	var typ, obj any
	if len(o.Types) == 1 {
		typ = o.Types[0]
	} else if len(o.Types) > 1 {
		typ = o.Types
	}
	if len(o.Objects) == 1 {
		obj = o.Objects[0]
	} else if len(o.Objects) > 1 {
		obj = o.Objects
	}
	return json.Marshal(struct {
		Type   any `json:"type,omitempty"`
		Object any `json:"object,omitempty"`
		*plain
	}{typ, obj, (*plain)(o)})
}
