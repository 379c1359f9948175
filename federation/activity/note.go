package activity

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/roost-social/roost/store"
)

// Note is a status as Mastodon serializes it. Summary, InReplyTo and
// InReplyToAtomURI are null when empty, as Mastodon sends them.
type Note struct {
	Context          json.RawMessage   `json:"@context,omitempty"`
	ID               string            `json:"id"`
	Type             string            `json:"type"`
	Summary          *string           `json:"summary"`
	InReplyTo        *string           `json:"inReplyTo"`
	Published        string            `json:"published"`
	URL              string            `json:"url"`
	AttributedTo     string            `json:"attributedTo"`
	To               []string          `json:"to"`
	CC               []string          `json:"cc"`
	Sensitive        bool              `json:"sensitive"`
	AtomURI          string            `json:"atomUri"`
	InReplyToAtomURI *string           `json:"inReplyToAtomUri"`
	Content          string            `json:"content"`
	ContentMap       map[string]string `json:"contentMap,omitempty"`
	Updated          string            `json:"updated,omitempty"`
	Attachment       []Attachment      `json:"attachment"`
	Tag              []Tag             `json:"tag"`
	Replies          *Collection       `json:"replies,omitempty"`
	Likes            *Collection       `json:"likes,omitempty"`
	Shares           *Collection       `json:"shares,omitempty"`
}

func (n *Note) withoutContext() any {
	if n == nil {
		return nil
	}
	c := *n
	c.Context = nil
	return &c
}

func (n *Note) documentID() string {
	if n == nil {
		return ""
	}
	return n.ID
}

// NoteFrom returns the Note of status s written by author, as Mastodon
// serves it.
//
//   - inReplyToURI is the id of the status s replies to ("" for none): the
//     store keeps only the parent's local id.
//   - followersURL is the author's followers collection, used for addressing
//     as Mastodon does (see Addressing).
//   - mentions are the accounts s mentions: each gets a Mention tag named
//     "@user@domain" and is addressed (in cc, or in to when s is direct).
//
// s must carry its URI and author its URI, as the store and provisioning
// set them; the status URL falls back to the author's URL + "/" + s.ID.
// Hashtag hrefs come from the author URI's origin, and the domain in the
// name of a local mention from the mentioned account's URI (else the
// author's), so an instance whose WEB_DOMAIN differs from LOCAL_DOMAIN
// names local mentions with the web domain. Sensitive is set when s is sensitive or has a content warning, as
// Mastodon forces it. Attachment is [] (the store holds no media yet); callers
// with media append to it.
func NoteFrom(s *store.Status, author *store.Account, inReplyToURI, followersURL string, mentions []*store.Account) *Note {
	origin, host := originOf(author.URI)
	mentionURIs := make([]string, 0, len(mentions))
	tags := make([]Tag, 0, len(mentions)+len(s.Tags))
	for _, m := range mentions {
		uri := m.URI
		if uri == "" && m.Domain == "" {
			uri = origin + "/users/" + m.Username
		}
		domain := m.Domain
		if domain == "" {
			if _, h := originOf(m.URI); h != "" {
				domain = h
			} else {
				domain = host
			}
		}
		mentionURIs = append(mentionURIs, uri)
		tags = append(tags, Tag{Type: "Mention", Href: uri, Name: "@" + m.Username + "@" + domain})
	}
	for _, t := range s.Tags {
		tags = append(tags, Tag{Type: "Hashtag", Href: origin + "/tags/" + url.PathEscape(t), Name: "#" + t})
	}
	to, cc := Addressing(s.Visibility, followersURL, mentionURIs)
	uri := s.URI
	n := &Note{
		Context:          contextJSON,
		ID:               uri,
		Type:             "Note",
		Summary:          nullable(s.SpoilerText),
		InReplyTo:        nullable(inReplyToURI),
		Published:        formatTime(s.CreatedAt),
		URL:              or(s.URL, strings.TrimSuffix(author.URL, "/")+"/"+s.ID),
		AttributedTo:     author.URI,
		To:               to,
		CC:               cc,
		Sensitive:        s.Sensitive || s.SpoilerText != "",
		AtomURI:          uri,
		InReplyToAtomURI: nullable(inReplyToURI),
		Content:          s.Content,
		Attachment:       []Attachment{},
		Tag:              tags,
		Replies: &Collection{
			ID:   uri + "/replies",
			Type: "Collection",
			First: &Collection{
				Type:   "CollectionPage",
				Next:   uri + "/replies?only_other_accounts=true&page=true",
				PartOf: uri + "/replies",
				Items:  []any{},
			},
		},
		Likes:  &Collection{ID: uri + "/likes", Type: "Collection", TotalItems: count(s.FavouritesCount)},
		Shares: &Collection{ID: uri + "/shares", Type: "Collection", TotalItems: count(s.ReblogsCount)},
	}
	if s.Language != "" {
		n.ContentMap = map[string]string{s.Language: s.Content}
	}
	if s.EditedAt != nil && !s.EditedAt.IsZero() {
		n.Updated = formatTime(*s.EditedAt)
	}
	return n
}

// Tombstone replaces a deleted object.
type Tombstone struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	AtomURI string `json:"atomUri"`
}

// originOf returns "scheme://host" and the host of an absolute URL, or two
// empty strings.
func originOf(s string) (origin, host string) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", ""
	}
	return u.Scheme + "://" + u.Host, u.Host
}

// nullable returns nil for "", so that encoding/json writes null.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// count returns a pointer to n (never negative) for totalItems.
func count(n int) *int {
	n = max(n, 0)
	return &n
}

// formatTime writes t as Mastodon does: UTC, whole seconds, "Z". The zero
// time is "".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// unix is t in seconds since the epoch, for Mastodon's #updates/N ids.
func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
