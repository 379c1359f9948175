package activity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Limits Decode enforces on untrusted documents.
const (
	// MaxDocumentSize is the largest document Decode reads: 1 MiB, far above
	// any real actor or activity (the largest in the test corpus, a
	// WordPress article, is 77 KB).
	MaxDocumentSize = 1 << 20
	// MaxDepth is the deepest nesting of objects and arrays Decode accepts;
	// the top-level object is depth 1. Real documents stay under 10.
	MaxDepth = 32
)

// Errors returned by Decode, wrapped with detail; test them with errors.Is.
var (
	// ErrTooLarge means the document is larger than MaxDocumentSize.
	ErrTooLarge = errors.New("activity: document too large")
	// ErrMalformed means the input is not JSON, not a JSON object, or nests
	// deeper than MaxDepth.
	ErrMalformed = errors.New("activity: malformed document")
	// ErrInvalid means a JSON object that is not a usable ActivityStreams
	// document: it has no type, or its id is not an absolute http(s) URL.
	ErrInvalid = errors.New("activity: invalid document")
)

// Decode reads one ActivityStreams document leniently (see the package
// documentation for what is tolerated and what is refused). The returned
// object's Raw holds a copy of data without surrounding white space.
func Decode(data []byte) (*Object, error) {
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), MaxDocumentSize)
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	if err := checkDepth(data, MaxDepth); err != nil {
		return nil, err
	}
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v) // for the position of the error
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	o := new(Object)
	decodeObject(o, data)
	if len(o.Types) == 0 {
		return nil, fmt.Errorf("%w: no type", ErrInvalid)
	}
	if o.idInvalid || (o.ID != "" && !isHTTPURL(o.ID)) {
		return nil, fmt.Errorf("%w: id is not an absolute http(s) URL", ErrInvalid)
	}
	o.Raw = bytes.Clone(data)
	return o, nil
}

// checkDepth refuses JSON nesting deeper than max without decoding, so that
// a hostile document cannot make the decoder recurse.
func checkDepth(data []byte, max int) error {
	depth := 0
	inString, escaped := false, false
	for _, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				return fmt.Errorf("%w: nested deeper than %d levels", ErrMalformed, max)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// isHTTPURL reports whether s is an absolute http or https URL with a host.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	return u.Scheme == "http" || u.Scheme == "https"
}

// UnmarshalJSON decodes o leniently; it fails only when b is not a JSON
// object. It does not apply Decode's checks, so that embedded objects
// without a type or id are kept.
func (o *Object) UnmarshalJSON(b []byte) error {
	if kind(b) != '{' || !json.Valid(b) {
		return fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	decodeObject(o, b)
	return nil
}

// decodeObject fills o from the object b, which must be valid JSON.
func decodeObject(o *Object, b []byte) {
	*o = Object{}
	var objects Refs
	var endpointsInbox, sharedInbox string
	eachMember(b, func(k, v []byte) {
		switch keyName(k) {
		case "id":
			switch kind(v) {
			case 'n':
				o.ID, o.idInvalid = "", false
			case '"':
				o.ID, o.idInvalid = parseString(v), false
			default:
				o.ID, o.idInvalid = "", true
			}
		case "type":
			o.Types = ids(v)
		case "name":
			o.Name = str(v)
		case "nameMap":
			o.NameMap = langMap(v)
		case "summary":
			o.Summary = str(v)
		case "summaryMap":
			o.SummaryMap = langMap(v)
		case "content":
			o.Content = str(v)
		case "contentMap":
			o.ContentMap = langMap(v)
		case "mediaType":
			o.MediaType = str(v)
		case "source":
			o.Source = source(v)
		case "url":
			o.URLs = links(v)
		case "href":
			o.Href = str(v)

		case "published":
			o.Published = timestamp(v)
		case "updated":
			o.Updated = timestamp(v)
		case "startTime":
			o.StartTime = timestamp(v)
		case "endTime":
			o.EndTime = timestamp(v)
		case "closed":
			o.Closed = timestamp(v)
		case "duration":
			o.Duration = str(v)
		case "sensitive":
			o.Sensitive = boolean(v)
		case "width":
			o.Width = integer(v)
		case "height":
			o.Height = integer(v)

		case "to":
			o.To = ids(v)
		case "cc":
			o.CC = ids(v)
		case "bto":
			o.BTo = ids(v)
		case "bcc":
			o.BCC = ids(v)
		case "audience":
			o.Audience = ids(v)

		case "attributedTo":
			o.AttributedTo = refs(v)
		case "inReplyTo":
			o.InReplyTo = ref(v)
		case "context":
			o.Context = id(v)
		case "conversation":
			o.Conversation = id(v)
		case "tag":
			o.Tag = tags(v)
		case "attachment":
			o.Attachment = attachments(v)
		case "icon":
			o.Icon = refs(v)
		case "image":
			o.Image = refs(v)
		case "replies":
			o.Replies = ref(v)
		case "likes":
			o.Likes = ref(v)
		case "shares":
			o.Shares = ref(v)

		case "quote":
			o.Quote = id(v)
		case "quoteUri":
			o.QuoteURI = id(v)
		case "quoteUrl":
			o.QuoteURL = id(v)
		case "_misskey_quote":
			o.MisskeyQuote = id(v)
		case "_misskey_content":
			o.MisskeyContent = str(v)
		case "_misskey_reaction":
			o.MisskeyReaction = str(v)

		case "actor":
			o.Actor = ref(v)
		case "object":
			objects = refs(v)
		case "target":
			o.Target = ref(v)
		case "origin":
			o.Origin = ref(v)
		case "instrument":
			o.Instrument = refs(v)
		case "result":
			o.Result = ref(v)

		case "preferredUsername":
			o.PreferredUsername = str(v)
		case "inbox":
			o.Inbox = id(v)
		case "outbox":
			o.Outbox = id(v)
		case "endpoints":
			endpointsInbox = ""
			eachMember(v, func(k, v []byte) {
				if keyName(k) == "sharedInbox" {
					endpointsInbox = id(v)
				}
			})
		case "sharedInbox":
			sharedInbox = id(v)
		case "followers":
			o.Followers = ref(v)
		case "following":
			o.Following = ref(v)
		case "featured":
			o.Featured = ref(v)
		case "featuredTags":
			o.FeaturedTags = ref(v)
		case "publicKey":
			o.PublicKeys = publicKeys(v)
		case "manuallyApprovesFollowers":
			o.ManuallyApprovesFollowers = boolean(v)
		case "discoverable":
			o.Discoverable = boolean(v)
		case "indexable":
			o.Indexable = boolean(v)
		case "memorial":
			o.Memorial = boolean(v)
		case "suspended":
			o.Suspended = boolean(v)
		case "alsoKnownAs":
			o.AlsoKnownAs = ids(v)
		case "movedTo":
			o.MovedTo = id(v)

		case "oneOf":
			o.OneOf = refs(v)
		case "anyOf":
			o.AnyOf = refs(v)
		case "votersCount":
			o.VotersCount = integer(v)

		case "totalItems":
			o.TotalItems = integer(v)
		case "first":
			o.First = ref(v)
		case "last":
			o.Last = ref(v)
		case "next":
			o.Next = ref(v)
		case "prev":
			o.Prev = ref(v)
		case "partOf":
			o.PartOf = id(v)
		case "items":
			o.Items = refs(v)
		case "orderedItems":
			o.OrderedItems = refs(v)
		}
	})
	o.Type = primaryType(o.Types)
	o.Name = pick(o.Name, o.NameMap)
	o.Summary = pick(o.Summary, o.SummaryMap)
	o.Content = pick(o.Content, o.ContentMap)
	o.URL = pageURL(o.URLs)
	o.Objects, o.Object = objects, objects.First()
	o.SharedInbox = or(endpointsInbox, sharedInbox)
}

// ref reads an "object or link" value: a string, an object or an array
// (first usable element).
func ref(b []byte) Ref {
	switch kind(b) {
	case '"':
		return Ref{id: parseString(b)}
	case '{':
		o := new(Object)
		decodeObject(o, b)
		return Ref{Object: o}
	case '[':
		var r Ref
		eachElement(b, func(v []byte) {
			if r.IsZero() {
				r = ref(v)
			}
		})
		return r
	}
	return Ref{}
}

// refs reads a single value or an array of strings and objects; other
// elements are dropped and an empty list is nil.
func refs(b []byte) Refs {
	var out Refs
	for _, e := range elements(b) {
		if k := kind(e); k != '"' && k != '{' {
			continue
		}
		if r := ref(e); !r.IsZero() {
			out = append(out, r)
		}
	}
	return out
}

// source reads "source": an object {content, mediaType} or a plain string.
func source(b []byte) Source {
	var s Source
	switch kind(b) {
	case '"':
		s.Content = parseString(b)
	case '{':
		eachMember(b, func(k, v []byte) {
			switch keyName(k) {
			case "content":
				s.Content = str(v)
			case "mediaType":
				s.MediaType = str(v)
			}
		})
	}
	return s
}

// publicKeys reads "publicKey": one key object, an array of them, or key
// ids.
func publicKeys(b []byte) []PublicKey {
	var out []PublicKey
	for _, e := range elements(b) {
		var k PublicKey
		switch kind(e) {
		case '"':
			k.ID = parseString(e)
		case '{':
			eachMember(e, func(key, v []byte) {
				switch keyName(key) {
				case "id":
					k.ID = str(v)
				case "owner":
					k.Owner = id(v)
				case "publicKeyPem":
					k.PublicKeyPem = str(v)
				}
			})
		}
		if k != (PublicKey{}) {
			out = append(out, k)
		}
	}
	return out
}

// links reads "url": a string, a Link object or an array of either.
func links(b []byte) []Link {
	var out []Link
	for _, e := range elements(b) {
		var l Link
		switch kind(e) {
		case '"':
			l.Href = parseString(e)
		case '{':
			var u, mime string
			eachMember(e, func(k, v []byte) {
				switch keyName(k) {
				case "href":
					l.Href = str(v)
				case "url":
					u = id(v)
				case "mediaType":
					l.MediaType = str(v)
				case "mimeType":
					mime = str(v)
				case "rel":
					l.Rel = ids(v)
				case "name":
					l.Name = str(v)
				case "width":
					l.Width = integer(v)
				case "height":
					l.Height = integer(v)
				}
			})
			l.Href = or(l.Href, u)
			l.MediaType = or(l.MediaType, mime)
		}
		if l.Href != "" {
			out = append(out, l)
		}
	}
	return out
}

// isWebScheme reports whether href is an http(s) URL (not at://, magnet:).
func isWebScheme(href string) bool {
	return strings.HasPrefix(href, "https://") || strings.HasPrefix(href, "http://")
}

// isHTML reports whether a media type is empty or text/html.
func isHTML(mediaType string) bool {
	mt, _, _ := strings.Cut(mediaType, ";")
	mt = strings.TrimSpace(mt)
	return mt == "" || strings.EqualFold(mt, "text/html")
}

// pageURL picks the address of a web page from "url".
func pageURL(ls []Link) string {
	for _, l := range ls {
		if isWebScheme(l.Href) && isHTML(l.MediaType) {
			return l.Href
		}
	}
	return fallbackURL(ls)
}

// mediaURL picks the address of a media file from "url": the first http(s)
// one with a media type other than text/html (the largest size comes first
// in every server that sends several).
func mediaURL(ls []Link) string {
	for _, l := range ls {
		if isWebScheme(l.Href) && l.MediaType != "" && !isHTML(l.MediaType) {
			return l.Href
		}
	}
	return fallbackURL(ls)
}

func fallbackURL(ls []Link) string {
	for _, l := range ls {
		if isWebScheme(l.Href) {
			return l.Href
		}
	}
	if len(ls) > 0 {
		return ls[0].Href
	}
	return ""
}

// tags reads "tag": one object or an array; non-objects are dropped.
func tags(b []byte) []Tag {
	var out []Tag
	for _, e := range elements(b) {
		if kind(e) != '{' {
			continue
		}
		var t Tag
		var types []string
		eachMember(e, func(k, v []byte) {
			switch keyName(k) {
			case "id":
				t.ID = id(v)
			case "type":
				types = ids(v)
			case "href":
				t.Href = id(v)
			case "name":
				t.Name = str(v)
			case "mediaType":
				t.MediaType = str(v)
			case "rel":
				t.Rel = ids(v)
			case "updated":
				t.Updated = timestamp(v)
			case "icon":
				t.Icon = icon(v)
			}
		})
		t.Type = primaryType(types)
		out = append(out, t)
	}
	return out
}

// icon reads an emoji's "icon": an Image object (its url picked as media),
// a URL string, or an array whose first usable element is taken.
func icon(b []byte) *Icon {
	switch kind(b) {
	case '"':
		if u := parseString(b); u != "" {
			return &Icon{Type: "Image", URL: u}
		}
	case '{':
		var i Icon
		var types []string
		var urls []Link
		eachMember(b, func(k, v []byte) {
			switch keyName(k) {
			case "type":
				types = ids(v)
			case "mediaType":
				i.MediaType = str(v)
			case "url":
				urls = links(v)
			}
		})
		if i.URL = mediaURL(urls); i.URL != "" {
			i.Type = or(primaryType(types), "Image")
			return &i
		}
	case '[':
		var first *Icon
		eachElement(b, func(v []byte) {
			if first == nil && kind(v) != '[' {
				first = icon(v)
			}
		})
		return first
	}
	return nil
}

// attachments reads "attachment": one object or an array; non-objects are
// dropped.
func attachments(b []byte) []Attachment {
	var out []Attachment
	for _, e := range elements(b) {
		if kind(e) != '{' {
			continue
		}
		var a Attachment
		var types []string
		var urls []Link
		var href, mime string
		eachMember(e, func(k, v []byte) {
			switch keyName(k) {
			case "type":
				types = ids(v)
			case "mediaType":
				a.MediaType = str(v)
			case "mimeType":
				mime = str(v)
			case "url":
				urls = links(v)
			case "href":
				href = id(v)
			case "name":
				a.Name = str(v)
			case "summary":
				a.Summary = str(v)
			case "value":
				a.Value = str(v)
			case "blurhash":
				a.Blurhash = str(v)
			case "focalPoint":
				a.FocalPoint = point(v)
			case "width":
				a.Width = integer(v)
			case "height":
				a.Height = integer(v)
			}
		})
		a.Type = primaryType(types)
		a.MediaType = or(a.MediaType, mime)
		a.URL = or(mediaURL(urls), href)
		if a.MediaType == "" {
			for _, l := range urls {
				if l.Href == a.URL {
					a.MediaType = l.MediaType
					break
				}
			}
		}
		out = append(out, a)
	}
	return out
}
