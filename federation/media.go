package federation

import (
	"slices"
	"strings"

	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/store"
)

// maxRemoteMedia is how many attachments of a remote post are kept, as
// Mastodon keeps.
const maxRemoteMedia = 4

// remoteMedia turns the media attachments of a remote post into Media with
// RemoteURL set; profile fields, links and attachments without an http(s)
// address are left out.
func remoteMedia(obj *activity.Object) []*store.Media {
	var out []*store.Media
	for _, at := range obj.Attachment {
		if len(out) == maxRemoteMedia {
			break
		}
		typ := mediaType(at.Type, at.MediaType)
		u := webURL(at.URL)
		if typ == "" || u == "" {
			continue
		}
		m := &store.Media{
			Type:        typ,
			ContentType: truncate(at.MediaType, 100),
			RemoteURL:   u,
			Description: truncate(strings.TrimSpace(at.Description()), 1500),
			Blurhash:    validBlurhash(at.Blurhash),
			Width:       max(0, min(at.Width, 100_000)),
			Height:      max(0, min(at.Height, 100_000)),
		}
		if fp := at.FocalPoint; fp != nil {
			m.FocusX, m.FocusY = clampFocus(fp[0]), clampFocus(fp[1])
		}
		out = append(out, m)
	}
	return out
}

// maxEmojis bounds the custom emoji kept of one status or profile.
const maxEmojis = 50

// emojisOf returns the custom emoji that tags define and text uses, as
// Mastodon keeps them: shortcodes of letters, digits and '_', at least two,
// with an http(s) image.
func emojisOf(tags []activity.Tag, text string) []store.Emoji {
	var out []store.Emoji
	for _, t := range tags {
		if len(out) == maxEmojis {
			break
		}
		code := strings.Trim(t.Name, ":")
		if t.Icon == nil || !validShortcode(code) || !strings.Contains(text, ":"+code+":") {
			continue
		}
		u := webURL(t.Icon.URL)
		if u == "" || slices.ContainsFunc(out, func(e store.Emoji) bool { return e.Shortcode == code }) {
			continue
		}
		out = append(out, store.Emoji{Shortcode: code, URL: u})
	}
	return out
}

func validShortcode(s string) bool {
	if len(s) < 2 || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

// mediaType is Mastodon's type of an attachment of ActivityPub type typ
// and media type mime, or "" when it is no media.
func mediaType(typ, mime string) string {
	switch typ {
	case "Document", "Image", "Video", "Audio":
	default:
		return ""
	}
	switch major, _, _ := strings.Cut(strings.ToLower(mime), "/"); {
	case major == "image":
		return store.MediaImage
	case major == "video":
		return store.MediaVideo
	case major == "audio":
		return store.MediaAudio
	case typ == "Image":
		return store.MediaImage
	case typ == "Video":
		return store.MediaVideo
	case typ == "Audio":
		return store.MediaAudio
	}
	return store.MediaUnknown
}

// validBlurhash returns h when it can be a blurhash (base83, a sane
// length), else "".
func validBlurhash(h string) string {
	if len(h) < 6 || len(h) > 100 {
		return ""
	}
	for _, r := range h {
		if !strings.ContainsRune(base83, r) {
			return ""
		}
	}
	return h
}

const base83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"

func clampFocus(v float64) float64 {
	if v != v { // NaN
		return 0
	}
	return max(-1, min(1, v))
}

// sameMedia reports whether two attachment lists show the same files with
// the same descriptions (an edit that changes neither text nor media is no
// new version).
func sameMedia(a, b []*store.Media) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].RemoteURL != b[i].RemoteURL || a[i].Description != b[i].Description {
			return false
		}
	}
	return true
}

// documents are the attachments of a local status as Mastodon sends them.
func (f *Federation) documents(media []*store.Media) []activity.Attachment {
	out := make([]activity.Attachment, 0, len(media))
	for _, m := range media {
		if m.FileKey == "" || f.BlobURL == nil {
			continue
		}
		d := activity.Attachment{
			Type:      "Document",
			MediaType: m.ContentType,
			URL:       f.BlobURL(m.FileKey),
			Name:      m.Description,
			Blurhash:  m.Blurhash,
			Width:     m.Width,
			Height:    m.Height,
		}
		if m.Type == store.MediaImage || m.Type == store.MediaGIFV {
			d.FocalPoint = &[2]float64{m.FocusX, m.FocusY}
		}
		out = append(out, d)
	}
	return out
}

// withImageURLs returns a with its avatar and header keys (local accounts
// keep Blobs keys there) turned into addresses.
func (f *Federation) withImageURLs(a *store.Account) *store.Account {
	if !a.Local() || (a.AvatarURL == "" && a.HeaderURL == "") {
		return a
	}
	c := *a
	c.AvatarURL, c.HeaderURL = "", ""
	if f.BlobURL != nil {
		if a.AvatarURL != "" {
			c.AvatarURL = f.BlobURL(a.AvatarURL)
		}
		if a.HeaderURL != "" {
			c.HeaderURL = f.BlobURL(a.HeaderURL)
		}
	}
	return &c
}
