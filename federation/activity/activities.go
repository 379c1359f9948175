package activity

import (
	"encoding/json"
	"time"
)

// Activity is an activity Roost sends. Object is an id string or an
// embedded document; the builders below fill it with Mastodon's shapes.
type Activity struct {
	Context   json.RawMessage `json:"@context,omitempty"`
	ID        string          `json:"id,omitempty"`
	Type      string          `json:"type"`
	Actor     string          `json:"actor"`
	Published string          `json:"published,omitempty"`
	To        []string        `json:"to,omitzero"`
	CC        []string        `json:"cc,omitzero"`
	Object    any             `json:"object"`
	Target    string          `json:"target,omitempty"`
}

func (a *Activity) withoutContext() any {
	if a == nil {
		return nil
	}
	c := *a
	c.Context = nil
	return &c
}

func (a *Activity) documentID() string {
	if a == nil {
		return ""
	}
	return a.ID
}

// nonNil makes a nil address list an empty one, so that it is written as [].
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Create wraps object (a *Note, or any document) as Mastodon does: id
// OBJECT_ID/activity, the object's addressing repeated on the activity.
// object's @context is dropped inside the activity.
func Create(actor string, object any, published time.Time, to, cc []string) *Activity {
	return &Activity{
		Context:   contextJSON,
		ID:        documentIDOf(object) + "/activity",
		Type:      "Create",
		Actor:     actor,
		Published: formatTime(published),
		To:        nonNil(to),
		CC:        nonNil(cc),
		Object:    embed(object),
	}
}

// Update announces an edited object (a *Note or *Actor; see also
// UpdateActor): id OBJECT_ID#updates/UNIXTIME of published, the edit time.
func Update(actor string, object any, published time.Time, to, cc []string) *Activity {
	return &Activity{
		Context:   contextJSON,
		ID:        documentIDOf(object) + "#updates/" + unix(published),
		Type:      "Update",
		Actor:     actor,
		Published: formatTime(published),
		To:        nonNil(to),
		CC:        nonNil(cc),
		Object:    embed(object),
	}
}

// Delete announces that objectURI (a status) is gone: id OBJECT#delete,
// addressed to Public, the object a Tombstone, as Mastodon sends it whatever
// the status's visibility was (only its recipients receive it).
func Delete(actorURI, objectURI string) *Activity {
	return &Activity{
		Context: contextJSON,
		ID:      objectURI + "#delete",
		Type:    "Delete",
		Actor:   actorURI,
		To:      []string{Public},
		Object:  &Tombstone{ID: objectURI, Type: "Tombstone", AtomURI: objectURI},
	}
}

// DeleteActor announces that the account actorURI is gone: id ACTOR#delete,
// the object the actor's id, addressed to Public.
func DeleteActor(actorURI string) *Activity {
	return &Activity{
		Context: contextJSON,
		ID:      actorURI + "#delete",
		Type:    "Delete",
		Actor:   actorURI,
		To:      []string{Public},
		Object:  actorURI,
	}
}

// simple builds an activity with an id, an actor and an object, no
// addressing: the shape of Mastodon's Follow, Like, Block, Accept, Reject
// and Undo (they are delivered to one inbox).
func simple(typ, id, actor string, object any) *Activity {
	return &Activity{Context: contextJSON, ID: id, Type: typ, Actor: actor, Object: embed(object)}
}

// Follow asks to follow object (an actor id). Mastodon's ids are
// https://DOMAIN/UUID.
func Follow(id, actor, object string) *Activity { return simple("Follow", id, actor, object) }

// Accept accepts object: the Follow received, embedded (a *Activity, or a
// *Object decoded from the inbox) or its id. Mastodon embeds it and uses ids
// ACTOR#accepts/follows/N.
func Accept(id, actor string, object any) *Activity { return simple("Accept", id, actor, object) }

// Reject refuses a Follow, shaped as Accept; Mastodon's ids are
// ACTOR#rejects/follows/N.
func Reject(id, actor string, object any) *Activity { return simple("Reject", id, actor, object) }

// Undo reverts object, the embedded activity (Follow, Like, Announce, Block)
// or its id. Mastodon's ids are the undone activity's id + "/undo" or
// "#…/undo". For an Announce, callers copy its addressing onto the Undo.
func Undo(id, actor string, object any) *Activity { return simple("Undo", id, actor, object) }

// Like favourites object (a status id); Mastodon's ids are
// ACTOR#likes/N.
func Like(id, actor, object string) *Activity { return simple("Like", id, actor, object) }

// Block blocks object (an actor id); it is delivered to the blocked actor.
func Block(id, actor, object string) *Activity { return simple("Block", id, actor, object) }

// Announce boosts object (a status id). Mastodon's id is the boost's
// status URI + "/activity"; to and cc follow the boost's visibility (see
// Addressing) with the boosted status's author added to cc.
func Announce(id, actor, object string, published time.Time, to, cc []string) *Activity {
	return &Activity{
		Context:   contextJSON,
		ID:        id,
		Type:      "Announce",
		Actor:     actor,
		Published: formatTime(published),
		To:        nonNil(to),
		CC:        nonNil(cc),
		Object:    object,
	}
}

// Add pins object (a status id) to target, the actor's featured collection.
// Mastodon sends Add without an id; pass "" to do the same.
func Add(id, actor, object, target string) *Activity {
	a := simple("Add", id, actor, object)
	a.Target = target
	return a
}

// Remove unpins object from target, shaped as Add.
func Remove(id, actor, object, target string) *Activity {
	a := simple("Remove", id, actor, object)
	a.Target = target
	return a
}
