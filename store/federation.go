package store

import (
	"context"
	"time"
)

// Outgoing is an activity to deliver, attached to the write that caused it
// so that both commit together: "accepted" means "stored and will be
// delivered", even if the process dies right after.
type Outgoing struct {
	ActorID string // the local account whose key signs the deliveries
	Payload []byte // the activity's JSON
	// Inboxes are explicit targets (a mentioned actor's inbox, the author
	// of a liked status); FollowersOf adds the shared inbox (else inbox)
	// of every remote follower of that account. Duplicates collapse, so
	// each inbox gets one request.
	Inboxes     []string
	FollowersOf string
}

type outgoingKey struct{}

// WithOutgoing attaches deliveries to ctx. Every Store write method stores
// the deliveries attached to its ctx in the same transaction as its own
// change; a write that fails stores none.
func WithOutgoing(ctx context.Context, out ...Outgoing) context.Context {
	prev := OutgoingFrom(ctx)
	all := make([]Outgoing, 0, len(prev)+len(out))
	all = append(append(all, prev...), out...)
	return context.WithValue(ctx, outgoingKey{}, all)
}

// OutgoingFrom returns the deliveries attached to ctx.
func OutgoingFrom(ctx context.Context) []Outgoing {
	out, _ := ctx.Value(outgoingKey{}).([]Outgoing)
	return out
}

// Severities of a domain block, with Mastodon's names.
const (
	SeveritySilence = "silence" // only followed accounts' posts come in; follows need approval
	SeveritySuspend = "suspend" // nothing in, nothing out, data purged
)

// DomainBlock is an instance-level block of another server.
type DomainBlock struct {
	Domain    string
	Severity  string
	CreatedAt time.Time
}

// Delivery is one activity on its way to one inbox.
type Delivery struct {
	ID        string
	ActorID   string
	Inbox     string
	Payload   []byte
	Attempts  int
	NextAt    time.Time
	CreatedAt time.Time
	LastError string
}
