package activity

import "strings"

// Kinds of known types.
const (
	kindObject = iota + 1
	kindActor
	kindActivity
)

// knownTypes are the types Roost recognises: ActivityStreams core and
// vocabulary, and the extensions the fediverse uses (Mastodon, LitePub,
// Misskey, FEP-044f).
var knownTypes = map[string]int{
	// Actors.
	"Application": kindActor, "Group": kindActor, "Organization": kindActor,
	"Person": kindActor, "Service": kindActor,

	// Activities (Question is an IntransitiveActivity in the spec, but every
	// server uses it as a poll object, so it is an object here).
	"Accept": kindActivity, "Add": kindActivity, "Announce": kindActivity,
	"Arrive": kindActivity, "Block": kindActivity, "Create": kindActivity,
	"Delete": kindActivity, "Dislike": kindActivity, "Flag": kindActivity,
	"Follow": kindActivity, "Ignore": kindActivity, "Invite": kindActivity,
	"Join": kindActivity, "Leave": kindActivity, "Like": kindActivity,
	"Listen": kindActivity, "Move": kindActivity, "Offer": kindActivity,
	"Read": kindActivity, "Reject": kindActivity, "Remove": kindActivity,
	"TentativeAccept": kindActivity, "TentativeReject": kindActivity,
	"Travel": kindActivity, "Undo": kindActivity, "Update": kindActivity,
	"View": kindActivity, "EmojiReact": kindActivity, "EmojiReaction": kindActivity,
	"QuoteRequest": kindActivity, "LikeRequest": kindActivity,
	"ReplyRequest": kindActivity, "AnnounceRequest": kindActivity,

	// Objects and links.
	"Object": kindObject, "Article": kindObject, "Audio": kindObject,
	"Document": kindObject, "Event": kindObject, "Image": kindObject,
	"Note": kindObject, "Page": kindObject, "Place": kindObject,
	"Profile": kindObject, "Relationship": kindObject, "Tombstone": kindObject,
	"Video": kindObject, "Question": kindObject, "Collection": kindObject,
	"OrderedCollection": kindObject, "CollectionPage": kindObject,
	"OrderedCollectionPage": kindObject, "Link": kindObject, "Mention": kindObject,
	"Hashtag": kindObject, "Emoji": kindObject, "PropertyValue": kindObject,
	"ChatMessage": kindObject, "Key": kindObject, "CryptographicKey": kindObject,
	"QuoteAuthorization": kindObject, "LikeAuthorization": kindObject,
}

// typePrefixes are removed from type names before they are looked up.
var typePrefixes = []string{
	"https://www.w3.org/ns/activitystreams#",
	"http://www.w3.org/ns/activitystreams#",
	"as:", "toot:", "http://joinmastodon.org/ns#", "litepub:",
}

// normalType removes a namespace prefix from a type name.
func normalType(t string) string {
	for _, p := range typePrefixes {
		if strings.HasPrefix(t, p) {
			return t[len(p):]
		}
	}
	return t
}

// primaryType returns the first known type (normalised), else the first type
// as written, else "".
func primaryType(types []string) string {
	for _, t := range types {
		if n := normalType(t); knownTypes[n] != 0 {
			return n
		}
	}
	if len(types) > 0 {
		return types[0]
	}
	return ""
}

// IsActor reports whether o is an actor: Person, Service, Application, Group
// or Organization.
func (o *Object) IsActor() bool { return knownTypes[o.Type] == kindActor }

// IsActivity reports whether o is an activity: a known activity type, or an
// unknown type that has an actor and an object or target (Misskey's Bite).
func (o *Object) IsActivity() bool {
	switch knownTypes[o.Type] {
	case kindActivity:
		return true
	case 0:
		return !o.Actor.IsZero() && (len(o.Objects) > 0 || !o.Target.IsZero())
	}
	return false
}

// IsCollection reports whether o is a collection or a collection page.
func (o *Object) IsCollection() bool {
	switch o.Type {
	case "Collection", "OrderedCollection", "CollectionPage", "OrderedCollectionPage":
		return true
	}
	return false
}
