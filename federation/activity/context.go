package activity

import (
	"bytes"
	"encoding/json"
)

// MastodonContext is the @context Roost sends with every top-level document:
// the ActivityStreams and security/v1 contexts plus the inline terms that
// Mastodon 4.x defines for its actors and statuses (it varies the set per
// document; Roost sends the union, which is equally valid JSON-LD). Receivers
// that do JSON-LD processing need these definitions for sensitive, Hashtag,
// Emoji, PropertyValue, focalPoint and the toot: terms.
const MastodonContext = `["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",{` +
	`"manuallyApprovesFollowers":"as:manuallyApprovesFollowers",` +
	`"toot":"http://joinmastodon.org/ns#",` +
	`"featured":{"@id":"toot:featured","@type":"@id"},` +
	`"featuredTags":{"@id":"toot:featuredTags","@type":"@id"},` +
	`"alsoKnownAs":{"@id":"as:alsoKnownAs","@type":"@id"},` +
	`"movedTo":{"@id":"as:movedTo","@type":"@id"},` +
	`"schema":"http://schema.org#",` +
	`"PropertyValue":"schema:PropertyValue",` +
	`"value":"schema:value",` +
	`"discoverable":"toot:discoverable",` +
	`"suspended":"toot:suspended",` +
	`"memorial":"toot:memorial",` +
	`"indexable":"toot:indexable",` +
	`"ostatus":"http://ostatus.org#",` +
	`"atomUri":"ostatus:atomUri",` +
	`"inReplyToAtomUri":"ostatus:inReplyToAtomUri",` +
	`"conversation":"ostatus:conversation",` +
	`"sensitive":"as:sensitive",` +
	`"Hashtag":"as:Hashtag",` +
	`"Emoji":"toot:Emoji",` +
	`"focalPoint":{"@container":"@list","@id":"toot:focalPoint"},` +
	`"blurhash":"toot:blurhash",` +
	`"votersCount":"toot:votersCount"}]`

// contextJSON is MastodonContext ready to embed; builders share it and never
// modify it.
var contextJSON = json.RawMessage(MastodonContext)

// embeddable is a document that can go inside another one, where it must
// not carry its own @context.
type embeddable interface {
	withoutContext() any
	documentID() string
}

// embed prepares object for the "object" property of an activity: documents
// built here lose their @context (a shallow copy is made; the caller's value
// is not changed), anything else is used as it is.
func embed(object any) any {
	if e, ok := object.(embeddable); ok && e != nil {
		return e.withoutContext()
	}
	return object
}

// documentIDOf returns the id of a document built here, or object itself when it is
// a string.
func documentIDOf(object any) string {
	switch v := object.(type) {
	case string:
		return v
	case embeddable:
		return v.documentID()
	}
	return ""
}

// Marshal encodes a document as encoding/json does, except that <, > and &
// are written as themselves rather than as \u003c escapes: HTML content is
// then as long as Mastodon's and readable in logs.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
