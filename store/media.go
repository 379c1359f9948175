package store

import (
	"context"
	"time"
)

// Media types, as Mastodon names them.
const (
	MediaImage   = "image"
	MediaGIFV    = "gifv"
	MediaVideo   = "video"
	MediaAudio   = "audio"
	MediaUnknown = "unknown"
)

// Media is a file attached, or waiting to be attached, to a status. A local
// upload has its files in Blobs (FileKey, PreviewKey); a remote attachment
// has RemoteURL and no keys: its file is fetched into the remote media cache
// when somebody first looks at it.
type Media struct {
	ID        string
	AccountID string
	StatusID  string // "" until attached
	Type      string
	// ContentType is what the bytes are (sniffed for uploads, declared by
	// the remote server for remote attachments).
	ContentType string
	FileKey     string
	PreviewKey  string // "" when there is no preview (audio, unknown)
	FileSize    int64
	RemoteURL   string
	Description string
	Blurhash    string
	Width       int
	Height      int
	// PreviewWidth and PreviewHeight are the thumbnail's size.
	PreviewWidth  int
	PreviewHeight int
	// FocusX and FocusY are the focal point, each in [-1, 1].
	FocusX float64
	FocusY float64
	// Duration (seconds) and FrameRate ("30/1") of video and audio, when
	// known.
	Duration  float64
	FrameRate string
	// Processing is true while an upload waits for its processing (the
	// original is then at FileKey, unprocessed); Error is why processing
	// failed ("" when it did not).
	Processing bool
	Error      string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Remote reports whether the file lives on another server.
func (m *Media) Remote() bool { return m.RemoteURL != "" }

// Emoji is a custom emoji of a remote status or profile: ":Shortcode:" in
// its text shows the image at URL.
type Emoji struct {
	Shortcode string `json:"shortcode"`
	URL       string `json:"url"`
}

// CachedFile is one remote file (attachment, avatar, header, emoji, link
// preview image) kept in Blobs by the remote media cache.
type CachedFile struct {
	URL         string
	Key         string
	ContentType string
	Size        int64
	FetchedAt   time.Time
}

// PreviewCard is the link preview of a URL, fetched once and shared by
// every status linking to it.
type PreviewCard struct {
	URL          string
	Title        string
	Description  string
	Type         string // link, photo, video or rich (Roost makes link and photo)
	AuthorName   string
	AuthorURL    string
	ProviderName string
	ProviderURL  string
	ImageURL     string // remote address, served through the media cache
	Width        int
	Height       int
	Blurhash     string
	Language     string
	PublishedAt  *time.Time
	FetchedAt    time.Time
}

// MediaStore is the part of Store that keeps media, the remote media cache
// and link previews.
type MediaStore interface {
	// CreateMedia stores a new unattached upload (m.ID assigned when empty).
	CreateMedia(ctx context.Context, m *Media) error
	// GetMedia returns one attachment or ErrNotFound.
	GetMedia(ctx context.Context, id string) (*Media, error)
	// UpdateMedia stores m's description, focus and preview (a thumbnail
	// its owner chose for video or audio; an empty PreviewKey keeps the
	// stored preview); nothing else.
	UpdateMedia(ctx context.Context, m *Media) error
	// FinishMedia records the outcome of processing an upload: its type,
	// files, sizes, blurhash, Processing and Error. It applies only while
	// the stored upload is still processing: ErrNotFound when it is gone
	// or already finished (the caller then deletes the files it made).
	FinishMedia(ctx context.Context, m *Media) error
	// DeleteMedia removes an unattached upload and returns it as it was
	// when deleted (the caller deletes its blobs); ErrConflict when it is
	// attached to a status.
	DeleteMedia(ctx context.Context, id string) (*Media, error)
	// PendingMedia lists uploads still waiting for processing, oldest
	// first (to resume them after a restart).
	PendingMedia(ctx context.Context) ([]*Media, error)
	// AccountFiles lists the Blobs keys of everything a local account
	// uploaded (attachments, avatar, header), for deleting the account.
	AccountFiles(ctx context.Context, accountID string) ([]string, error)
	// UnattachedMedia lists uploads older than before never attached to a
	// status, up to limit.
	UnattachedMedia(ctx context.Context, before time.Time, limit int) ([]*Media, error)
	// BlobKeys calls fn for every Blobs key the database refers to:
	// uploads' files and previews, local accounts' avatars and headers,
	// cached remote files, and the media of status edit history. A key may
	// come more than once; an error from fn stops it and is returned. Keys
	// written while it runs may be missed (see server.RemoveOrphans).
	BlobKeys(ctx context.Context, fn func(key string) error) error

	// CachedFile returns the cache entry of a remote URL or ErrNotFound.
	CachedFile(ctx context.Context, url string) (*CachedFile, error)
	// PutCachedFile records (or replaces) a cache entry.
	PutCachedFile(ctx context.Context, f *CachedFile) error
	// DeleteCachedFile forgets a cache entry (the caller deletes its blob).
	DeleteCachedFile(ctx context.Context, url string) error
	// CachedFiles lists entries fetched before before, oldest first, up to
	// limit; CachedSize is the total size of all entries.
	CachedFiles(ctx context.Context, before time.Time, limit int) ([]*CachedFile, error)
	CachedSize(ctx context.Context) (int64, error)

	// PreviewCard returns the stored card of a URL or ErrNotFound.
	PreviewCard(ctx context.Context, url string) (*PreviewCard, error)
	// SetStatusCard stores card (replacing one of the same URL) and links
	// it to a status.
	SetStatusCard(ctx context.Context, statusID string, card *PreviewCard) error
}
