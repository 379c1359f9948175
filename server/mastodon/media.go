package mastodon

import (
	"fmt"
	"math"
	"net/url"
	"strings"

	"github.com/roost-social/roost/store"
)

// The entities below belong to media, polls and link previews (polls are
// converted in polls.go).

// MediaAttachment is a file attached to a status.
type MediaAttachment struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"` // unknown, image, gifv, video or audio
	URL         *string   `json:"url"`  // null while processing
	PreviewURL  *string   `json:"preview_url"`
	RemoteURL   *string   `json:"remote_url"`
	TextURL     *string   `json:"text_url"` // Mastodon's short link; always null here
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
	PublishedAt  *Time                   `json:"published_at"`
	Language     *string                 `json:"language"`
}

// PreviewCardAuthor is an author of a previewed page.
type PreviewCardAuthor struct {
	Name    string   `json:"name"`
	URL     string   `json:"url"`
	Account *Account `json:"account"`
}

// MediaAttachment converts m. A local upload's files are at BlobURL; a
// remote one's are fetched through RemoteURL, with remote_url the original
// address. While an upload is processing, url is null as Mastodon sends it
// (clients poll GET /api/v1/media/:id).
func (e *Env) MediaAttachment(m *store.Media) MediaAttachment {
	typ := m.Type
	if typ == "" {
		typ = store.MediaUnknown
	}
	a := MediaAttachment{ID: m.ID, Type: typ, Description: str(m.Description), Blurhash: str(m.Blurhash)}
	switch {
	case m.Remote():
		a.URL = str(e.remoteURL(m.RemoteURL))
		a.RemoteURL = str(m.RemoteURL)
		if typ == store.MediaImage {
			a.PreviewURL = str(e.remotePreviewURL(m.RemoteURL))
		}
	case !m.Processing:
		a.URL = str(e.blobURL(m.FileKey))
		switch {
		case m.PreviewKey != "":
			a.PreviewURL = str(e.blobURL(m.PreviewKey))
		case typ == store.MediaVideo || typ == store.MediaGIFV:
			a.PreviewURL = str(e.base() + "/media/placeholder.png")
		case typ == store.MediaAudio:
			a.PreviewURL = str(e.base() + "/media/audio.png")
		}
	}
	switch typ {
	case store.MediaVideo, store.MediaGIFV, store.MediaAudio:
		a.Meta = avMeta(typ, m)
	default:
		if m.Width > 0 && m.Height > 0 {
			a.Meta.Original = mediaSize(m.Width, m.Height)
		}
	}
	if m.PreviewWidth > 0 && m.PreviewHeight > 0 {
		a.Meta.Small = mediaSize(m.PreviewWidth, m.PreviewHeight)
	}
	if typ == store.MediaImage || typ == store.MediaGIFV {
		a.Meta.Focus = &MediaFocus{X: m.FocusX, Y: m.FocusY}
	}
	return a
}

// avMeta is the meta of video and audio in Mastodon's shape: what is known
// of the original (its size, frame rate and duration) and the same again at
// the top level, with the duration as "h:mm:ss.cc" and whole frames a
// second. Audio has no size or frame rate.
func avMeta(typ string, m *store.Media) MediaMeta {
	var meta MediaMeta
	o := &MediaSize{Duration: m.Duration}
	if typ != store.MediaAudio {
		o.FrameRate = m.FrameRate
		if m.Width > 0 && m.Height > 0 {
			o.Width, o.Height = m.Width, m.Height
			s := mediaSize(m.Width, m.Height)
			meta.Size, meta.Width, meta.Height, meta.Aspect = s.Size, s.Width, s.Height, s.Aspect
		}
		meta.FPS = fps(o.FrameRate)
	}
	if *o != (MediaSize{}) {
		meta.Original = o
	}
	if c := int64(math.Round(m.Duration * 100)); c > 0 { // centiseconds, as Mastodon shows them
		meta.Duration = float64(c) / 100
		meta.Length = fmt.Sprintf("%d:%02d:%02d.%02d", c/360000, c/6000%60, c/100%60, c%100)
	}
	return meta
}

// fps is a frame rate "num/den" in whole frames a second, 0 when unknown.
func fps(rate string) int {
	var num, den int64
	if _, err := fmt.Sscanf(rate, "%d/%d", &num, &den); err != nil || num <= 0 || den <= 0 {
		return 0
	}
	return int(num / den)
}

func mediaSize(w, h int) *MediaSize {
	return &MediaSize{Width: w, Height: h, Size: fmt.Sprintf("%dx%d", w, h), Aspect: float64(w) / float64(h)}
}

// MediaAttachments converts a status's media.
func (e *Env) MediaAttachments(ms []*store.Media) List[MediaAttachment] {
	if len(ms) == 0 {
		return nil
	}
	out := make(List[MediaAttachment], len(ms))
	for i, m := range ms {
		out[i] = e.MediaAttachment(m)
	}
	return out
}

// Card converts a link preview; nil gives nil (card: null).
func (e *Env) Card(c *store.PreviewCard) *PreviewCard {
	if c == nil {
		return nil
	}
	typ := c.Type
	if typ == "" {
		typ = "link"
	}
	p := &PreviewCard{
		URL:          c.URL,
		Title:        c.Title,
		Description:  c.Description,
		Type:         typ,
		AuthorName:   c.AuthorName,
		AuthorURL:    c.AuthorURL,
		ProviderName: c.ProviderName,
		ProviderURL:  c.ProviderURL,
		Width:        c.Width,
		Height:       c.Height,
		Blurhash:     str(c.Blurhash),
		Language:     str(c.Language),
	}
	if c.PublishedAt != nil {
		t := Time(*c.PublishedAt)
		p.PublishedAt = &t
	}
	if c.ImageURL != "" {
		p.Image = str(e.remotePreviewURL(c.ImageURL))
	}
	if c.AuthorName != "" || c.AuthorURL != "" {
		p.Authors = List[PreviewCardAuthor]{{Name: c.AuthorName, URL: c.AuthorURL}}
	}
	if p.ProviderName == "" {
		if u, err := url.Parse(c.URL); err == nil {
			p.ProviderName = strings.TrimPrefix(u.Hostname(), "www.")
		}
	}
	return p
}

// Emojis converts custom emoji; their images come through RemoteURL.
func (e *Env) Emojis(list []store.Emoji) List[Emoji] {
	if len(list) == 0 {
		return nil
	}
	out := make(List[Emoji], len(list))
	for i, em := range list {
		u := e.remoteURL(em.URL)
		out[i] = Emoji{Shortcode: em.Shortcode, URL: u, StaticURL: u}
	}
	return out
}
