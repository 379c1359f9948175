package store

import (
	"context"
	"io"
	"strings"
	"time"
)

// Event is one thing that happened, published to live subscribers. The
// streaming server publishes domain-level events (stream "status" with a
// status ID, "notification:<account id>") and renders them per viewer in
// each connection (server/streaming.go); PubSub itself treats streams and
// payloads as opaque text.
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

// SearchQuery asks the index for statuses. Every condition set must hold;
// ParseSearchQuery makes one from what a user typed, with Mastodon 4.2's
// operators.
type SearchQuery struct {
	// Text is free text: every word of it must occur in the status.
	Text string
	// Phrases must each occur as written (words in that order).
	Phrases []string
	// Exclude lists words and phrases that must not occur.
	Exclude []string
	// From is the handle after "from:" ("name", "name@domain" or "me"),
	// which the caller resolves into AccountID; the index ignores it.
	From string
	// AccountID keeps only the statuses of this account.
	AccountID string
	HasMedia  bool
	HasPoll   bool
	HasLink   bool
	IsReply   bool
	Sensitive bool
	// Language keeps only statuses in this language (ISO 639 code).
	Language string
	// After keeps statuses created at or after it, Before those created
	// strictly before it; zero means no bound.
	After  time.Time
	Before time.Time
	// MinID and MaxID keep only statuses with IDs above and below them,
	// as Mastodon's pagination does; "" means no bound.
	MinID string
	MaxID string
	// Results are newest first; Offset skips that many, Limit caps them.
	Limit  int
	Offset int
}

// Empty reports whether q asks for nothing that narrows the search: no
// words, phrases or operators. An index answers an empty query with no
// results rather than everything.
func (q SearchQuery) Empty() bool {
	return strings.TrimSpace(q.Text) == "" && len(q.Phrases) == 0 && q.From == "" &&
		q.AccountID == "" && !q.HasMedia && !q.HasPoll && !q.HasLink && !q.IsReply &&
		!q.Sensitive && q.Language == "" && q.After.IsZero() && q.Before.IsZero()
}

// Index is full-text search over statuses. IndexStatus adds a status or
// replaces what was indexed under its ID; RemoveStatus of an unknown ID is
// no error. SearchStatuses returns IDs, newest first; whether the asker may
// see them is the caller's check.
type Index interface {
	IndexStatus(ctx context.Context, s IndexedStatus) error
	RemoveStatus(ctx context.Context, id string) error
	SearchStatuses(ctx context.Context, q SearchQuery) ([]string, error)
	Close() error
}

// PendingBlobs is the key prefix of uploads waiting for processing (with
// their metadata still in): never served, and kept private by the S3
// bucket policy Roost sets.
const PendingBlobs = "pending/"

// Blobs stores media files by key. Keys are slash-separated paths made of
// [a-z0-9._-] segments ("media/110/original.jpg"); no segment is empty, "."
// or "..". Put of an invalid key fails.
type Blobs interface {
	// Put stores r under key (replacing any blob there) atomically: a
	// reader sees the whole new blob or the old one, never part. size is
	// r's length, or -1 when unknown; when r yields a different number of
	// bytes than size, Put fails and stores nothing.
	Put(ctx context.Context, key, contentType string, r io.Reader, size int64) error
	// Get opens a blob for reading; ErrNotFound when there is none. The
	// reader seeks (range requests); Seek(0, io.SeekEnd) gives the size.
	Get(ctx context.Context, key string) (io.ReadSeekCloser, error)
	// Delete removes a blob; deleting a missing blob is not an error.
	Delete(ctx context.Context, key string) error
	// URL is where clients fetch the blob.
	URL(key string) string
	// List calls fn for every blob whose key starts with prefix ("" for
	// all), in no particular order, with its size and last modification
	// time; an error from fn stops the listing and is returned. Blobs put
	// or deleted while it runs may or may not be seen.
	List(ctx context.Context, prefix string, fn func(key string, size int64, modified time.Time) error) error
}
