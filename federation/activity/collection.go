package activity

import "encoding/json"

// Collection is a collection or a collection page as Roost serves them
// (followers, following, outbox, featured, a status's replies). Items and
// OrderedItems hold ids or embedded documents; a non-nil empty list is
// written as [], a nil one is left out.
type Collection struct {
	Context      json.RawMessage `json:"@context,omitempty"`
	ID           string          `json:"id,omitempty"`
	Type         string          `json:"type"`
	TotalItems   *int            `json:"totalItems,omitempty"`
	First        any             `json:"first,omitempty"`
	Next         string          `json:"next,omitempty"`
	Prev         string          `json:"prev,omitempty"`
	PartOf       string          `json:"partOf,omitempty"`
	Items        []any           `json:"items,omitzero"`
	OrderedItems []any           `json:"orderedItems,omitzero"`
}

func (c *Collection) withoutContext() any {
	if c == nil {
		return nil
	}
	d := *c
	d.Context = nil
	return &d
}

func (c *Collection) documentID() string {
	if c == nil {
		return ""
	}
	return c.ID
}

// OrderedCollection is the root of a paged collection, as Mastodon serves
// followers and outboxes: id, totalItems and the address of the first page
// (first "" leaves it out, for a featured collection whose OrderedItems the
// caller sets).
func OrderedCollection(id string, totalItems int, first string) *Collection {
	c := &Collection{Context: contextJSON, ID: id, Type: "OrderedCollection", TotalItems: count(totalItems)}
	if first != "" {
		c.First = first
	}
	return c
}

// OrderedCollectionPage is one page of a collection: items (ids or
// embedded documents, whose @context is dropped) newest first, with the
// addresses of the next (older) and previous (newer) pages, "" for none.
func OrderedCollectionPage(id, partOf, next, prev string, items []any) *Collection {
	ordered := make([]any, len(items))
	for i, it := range items {
		ordered[i] = embed(it)
	}
	return &Collection{
		Context:      contextJSON,
		ID:           id,
		Type:         "OrderedCollectionPage",
		Next:         next,
		Prev:         prev,
		PartOf:       partOf,
		OrderedItems: ordered,
	}
}
