package mastodon

import "github.com/roost-social/roost/store"

// Notification is Mastodon's (ungrouped) Notification entity.
type Notification struct {
	ID        string  `json:"id"`
	Type      string  `json:"type"` // store.NotifyMention, ...
	GroupKey  string  `json:"group_key"`
	CreatedAt Time    `json:"created_at"`
	Account   Account `json:"account"`
	Status    *Status `json:"status"` // null for follow and follow_request
}

// Notification converts n for its recipient, whose interactions are in and
// whose account ID is viewerID, as Status does. Notifications are not
// grouped: group_key is "ungrouped-" + ID, as Mastodon writes for those.
func (e *Env) Notification(n *store.Notification, in map[string]store.Interaction, viewerID string) Notification {
	from := n.From
	if from == nil {
		from = &store.Account{ID: n.FromAccountID}
	}
	out := Notification{
		ID:        n.ID,
		Type:      n.Type,
		GroupKey:  "ungrouped-" + n.ID,
		CreatedAt: Time(n.CreatedAt),
		Account:   e.Account(from),
	}
	if n.Status != nil {
		s := e.Status(n.Status, in, viewerID)
		out.Status = &s
	}
	return out
}

// Notifications converts ns in order, as Notification does; the result is
// never nil.
func (e *Env) Notifications(ns []*store.Notification, in map[string]store.Interaction, viewerID string) []Notification {
	out := make([]Notification, len(ns))
	for i, n := range ns {
		out[i] = e.Notification(n, in, viewerID)
	}
	return out
}
