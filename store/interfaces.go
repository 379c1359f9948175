package store

import (
	"context"
	"io"
	"time"
)

// Event is one thing that happened, published to live subscribers. Stream
// names follow Mastodon's streaming API ("user:<account id>", "public",
// "public:local", "hashtag:<tag>", ...). Payload is the event's JSON text as
// Mastodon encodes it (the entity as a string), already rendered.
type Event struct {
	Stream  string
	Name    string // update, notification, delete, status.update, ...
	Payload string
}

// PubSub carries events between the code that makes them and the streaming
// connections that show them, in one process (store/inproc) or across many
// (store/redis). Publish never blocks on a slow subscriber.
type PubSub interface {
	Publish(ctx context.Context, e Event) error
	// Subscribe delivers events of the named streams on the channel until
	// cancel is called or ctx ends.
	Subscribe(ctx context.Context, streams ...string) (events <-chan Event, cancel func(), err error)
	Close() error
}

// Job is a unit of background work. Kind selects the worker; Payload is the
// worker's own encoding.
type Job struct {
	ID       string
	Kind     string
	Payload  []byte
	Attempts int
	RunAt    time.Time
}

// Queue holds background work durably: a job taken and not finished (the
// process died) runs again later.
type Queue interface {
	Enqueue(ctx context.Context, j Job) error
	// Take returns up to n jobs that are due, leasing them for lease.
	Take(ctx context.Context, n int, lease time.Duration) ([]Job, error)
	Done(ctx context.Context, id string) error
	// Retry puts a job back to run at runAt.
	Retry(ctx context.Context, id string, runAt time.Time) error
	Close() error
}

// IndexedStatus is what the full-text index knows about a status.
type IndexedStatus struct {
	ID         string
	AccountID  string
	Text       string
	Visibility string
	Language   string
	CreatedAt  time.Time
	HasMedia   bool
	HasPoll    bool
	HasLink    bool
	IsReply    bool
	Sensitive  bool
}

// SearchQuery asks the index for statuses.
type SearchQuery struct {
	Text      string
	AccountID string
	Limit     int
	Offset    int
}

// Index is full-text search over statuses and accounts.
type Index interface {
	IndexStatus(ctx context.Context, s IndexedStatus) error
	RemoveStatus(ctx context.Context, id string) error
	SearchStatuses(ctx context.Context, q SearchQuery) ([]string, error)
	Close() error
}

// Blobs stores media files by key.
type Blobs interface {
	Put(ctx context.Context, key, contentType string, r io.Reader, size int64) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
	// URL is where clients fetch the blob.
	URL(key string) string
}
