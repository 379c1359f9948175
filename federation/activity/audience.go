package activity

import (
	"slices"

	"github.com/roost-social/roost/store"
)

// Public is the special collection that addresses everyone.
const Public = "https://www.w3.org/ns/activitystreams#Public"

// isPublic reports whether id names the public collection in any spelling
// servers use: the full IRI (old Mastodon sent http://), the compact
// "as:Public" and the bare "Public" that JSON-LD also allows.
func isPublic(id string) bool {
	switch id {
	case Public, "http://www.w3.org/ns/activitystreams#Public", "as:Public", "Public":
		return true
	}
	return false
}

// IsPublic reports whether o is addressed to the public collection in to or
// cc.
func (o *Object) IsPublic() bool {
	return slices.ContainsFunc(o.To, isPublic) || slices.ContainsFunc(o.CC, isPublic)
}

// Visibility returns the Mastodon visibility of a status with o's
// addressing, followersURL being its author's followers collection:
// "public" when Public is in to, "unlisted" when it is in cc, "private" when
// the followers collection is in to or cc, "direct" otherwise (a status
// addressed only to people). An empty followersURL matches nothing.
func (o *Object) Visibility(followersURL string) string {
	switch {
	case slices.ContainsFunc(o.To, isPublic):
		return store.VisibilityPublic
	case slices.ContainsFunc(o.CC, isPublic):
		return store.VisibilityUnlisted
	case followersURL != "" && (slices.Contains(o.To, followersURL) || slices.Contains(o.CC, followersURL)):
		return store.VisibilityPrivate
	}
	return store.VisibilityDirect
}

// Addressing returns to and cc for a status of the given visibility as
// Mastodon writes them: public to Public, cc followers and mentions;
// unlisted to followers, cc Public and mentions; private to followers, cc
// mentions; direct to mentions, cc nothing. An unknown visibility is treated
// as direct, the narrowest. Both lists are non-nil.
func Addressing(visibility, followersURL string, mentionURIs []string) (to, cc []string) {
	mentions := mentionURIs
	switch visibility {
	case store.VisibilityPublic:
		return []string{Public}, append([]string{followersURL}, mentions...)
	case store.VisibilityUnlisted:
		return []string{followersURL}, append([]string{Public}, mentions...)
	case store.VisibilityPrivate:
		return []string{followersURL}, append([]string{}, mentions...)
	}
	return append([]string{}, mentions...), []string{}
}
