package mastodon

// The entities below belong to media, polls and link previews. Roost has
// polls (see polls.go); statuses carry the others with their neutral
// values, media_attachments [] and card null, and the types are here so
// that the shapes are settled when the features come.

// MediaAttachment is a file attached to a status.
type MediaAttachment struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"` // unknown, image, gifv, video or audio
	URL         string    `json:"url"`
	PreviewURL  *string   `json:"preview_url"`
	RemoteURL   *string   `json:"remote_url"`
	Meta        MediaMeta `json:"meta"`
	Description *string   `json:"description"`
	Blurhash    *string   `json:"blurhash"`
}

// MediaMeta is what is known about a file's content; Mastodon sends only the
// parts that apply to the file's type.
type MediaMeta struct {
	Original *MediaSize  `json:"original,omitempty"`
	Small    *MediaSize  `json:"small,omitempty"`
	Focus    *MediaFocus `json:"focus,omitempty"`
	Length   string      `json:"length,omitempty"`
	Duration float64     `json:"duration,omitempty"`
	FPS      int         `json:"fps,omitempty"`
	Size     string      `json:"size,omitempty"`
	Width    int         `json:"width,omitempty"`
	Height   int         `json:"height,omitempty"`
	Aspect   float64     `json:"aspect,omitempty"`
}

// MediaSize describes one rendition of a file.
type MediaSize struct {
	Width     int     `json:"width,omitempty"`
	Height    int     `json:"height,omitempty"`
	Size      string  `json:"size,omitempty"` // "640x480"
	Aspect    float64 `json:"aspect,omitempty"`
	FrameRate string  `json:"frame_rate,omitempty"`
	Duration  float64 `json:"duration,omitempty"`
	Bitrate   int     `json:"bitrate,omitempty"`
}

// MediaFocus is the focal point of an image, each coordinate in [-1, 1].
type MediaFocus struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Poll is a poll attached to a status.
type Poll struct {
	ID          string           `json:"id"`
	ExpiresAt   *Time            `json:"expires_at"`
	Expired     bool             `json:"expired"`
	Multiple    bool             `json:"multiple"`
	VotesCount  int              `json:"votes_count"`
	VotersCount *int             `json:"voters_count"` // null when a remote server does not say
	Options     List[PollOption] `json:"options"`
	Emojis      List[Emoji]      `json:"emojis"`
	// Voted and OwnVotes are sent only to a signed-in viewer (own_votes
	// as [] when the viewer has not voted).
	Voted    *bool `json:"voted,omitempty"`
	OwnVotes []int `json:"own_votes,omitzero"`
}

// PollOption is one choice of a poll.
type PollOption struct {
	Title      string `json:"title"`
	VotesCount *int   `json:"votes_count"` // null while the results are hidden
}

// PreviewCard is the link preview of a status.
type PreviewCard struct {
	URL          string                  `json:"url"`
	Title        string                  `json:"title"`
	Description  string                  `json:"description"`
	Type         string                  `json:"type"` // link, photo, video or rich
	Authors      List[PreviewCardAuthor] `json:"authors"`
	AuthorName   string                  `json:"author_name"`
	AuthorURL    string                  `json:"author_url"`
	ProviderName string                  `json:"provider_name"`
	ProviderURL  string                  `json:"provider_url"`
	HTML         string                  `json:"html"`
	Width        int                     `json:"width"`
	Height       int                     `json:"height"`
	Image        *string                 `json:"image"`
	EmbedURL     string                  `json:"embed_url"`
	Blurhash     *string                 `json:"blurhash"`
}

// PreviewCardAuthor is an author of a previewed page.
type PreviewCardAuthor struct {
	Name    string   `json:"name"`
	URL     string   `json:"url"`
	Account *Account `json:"account"`
}
