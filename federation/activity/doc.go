// Package activity is Roost's ActivityStreams 2.0 / ActivityPub vocabulary:
// a lenient decoder for whatever other servers send, and builders for the
// Mastodon-shaped JSON Roost sends.
//
// Decoding: [Decode] reads one document (actor, object, activity or
// collection) into one generic [Object] without JSON-LD processing. It accepts
// the shapes real servers use for the same property: a string, an object or
// an array of either for every "object or link" property ([Ref], [Refs]);
// single strings for addressing; contentMap without content; booleans as
// strings; timestamps with or without fractions, colons in the offset or a
// zone at all. A value of an unexpected shape is dropped, never an error.
// What Decode does refuse is bounded and cheap to check: more than
// [MaxDocumentSize] bytes ([ErrTooLarge]), nesting deeper than [MaxDepth] or
// text that is not a JSON object ([ErrMalformed]), and a document without a
// type or whose id is not an absolute http(s) URL ([ErrInvalid]).
//
// Embedded objects are returned as the sender wrote them: nothing here checks
// that they come from the sender's origin, that ids of embedded objects are
// URLs, or that HTML is safe. Inbox processing does that.
//
// Encoding: [ActorFrom] and [NoteFrom] turn store types into the actor and
// status documents Mastodon 4.x serves, and [Create], [Follow], [Announce] and
// the other builders wrap them in activities with Mastodon's shapes and id
// patterns; [Addressing] gives to and cc for a visibility as Mastodon
// computes them. Builders return structs so that callers may adjust a field
// (add attachments, alsoKnownAs) before marshalling, with encoding/json or
// with [Marshal], which leaves HTML unescaped as Mastodon does. Every
// top-level document carries [MastodonContext]; documents embedded by a
// builder lose their own.
package activity
