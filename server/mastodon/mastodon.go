// Package mastodon holds the entities of Mastodon's client API as Go structs
// with Mastodon's JSON names and types, and pure converters from store types
// to them.
//
// Converters do no I/O: everything they need is in their arguments and in
// Env. The JSON these types produce follows Mastodon 4.3 as documented at
// docs.joinmastodon.org: IDs are strings, nullable keys are present with
// null (pointer fields without omitempty), lists are never null (List),
// datetimes are RFC 3339 UTC with milliseconds (Time) and dates are
// YYYY-MM-DD (Date). Fields for features Roost lacks carry their neutral
// value: [] for lists, null for objects such as card and poll.
//
// Encode with SetEscapeHTML(false) to send HTML as Mastodon does ("<p>"
// rather than "\u003cp\u003e"); both are the same JSON string.
package mastodon

import (
	"net/url"
	"strings"
	"time"

	"github.com/roost-social/roost/store"
)

// Env is what converters need to know about the instance.
type Env struct {
	// BaseURL is where the instance is reached, "https://example.com", with
	// no trailing slash (one is tolerated). Default avatar and header images,
	// tag URLs and the addresses of local accounts whose URL or URI is empty
	// are built from it.
	BaseURL string
	// VAPIDKey is the Web Push public key reported as an app's vapid_key;
	// "" while Roost has no Web Push.
	VAPIDKey string
	// Now tells whether a poll has ended; nil means time.Now.
	Now func() time.Time
	// BlobURL is the address of a local file from its Blobs key (uploads,
	// local avatars and headers); nil gives BaseURL/system/KEY.
	BlobURL func(key string) string
	// RemoteURL is the address clients fetch a remote file at (the remote
	// media cache); nil gives the remote address itself.
	RemoteURL func(remote string) string
	// RemotePreviewURL is the address of a small still of a remote image;
	// nil gives RemoteURL's.
	RemotePreviewURL func(remote string) string
}

func (e *Env) blobURL(key string) string {
	if e.BlobURL != nil {
		return e.BlobURL(key)
	}
	return e.base() + "/system/" + key
}

func (e *Env) remoteURL(u string) string {
	if e.RemoteURL != nil && u != "" {
		return e.RemoteURL(u)
	}
	return u
}

func (e *Env) remotePreviewURL(u string) string {
	if e.RemotePreviewURL != nil && u != "" {
		return e.RemotePreviewURL(u)
	}
	return e.remoteURL(u)
}

func (e *Env) base() string { return strings.TrimSuffix(e.BaseURL, "/") }

// str returns a pointer to s, or nil when s is "", for nullable strings.
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// accountURL is the profile page of a: its URL, else its URI (as Mastodon
// falls back), else for a local account BaseURL/@username.
func (e *Env) accountURL(a *store.Account) string {
	switch {
	case a.URL != "":
		return a.URL
	case a.URI != "":
		return a.URI
	case a.Local():
		return e.base() + "/@" + a.Username
	}
	return ""
}

// accountURI is the ActivityPub id of a: its URI, or for a local account
// BaseURL/users/username.
func (e *Env) accountURI(a *store.Account) string {
	if a.URI == "" && a.Local() {
		return e.base() + "/users/" + a.Username
	}
	return a.URI
}

// tagURL is the instance's page of the hashtag name.
func (e *Env) tagURL(name string) string {
	return e.base() + "/tags/" + url.PathEscape(name)
}
