package preview

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/roost-social/roost/federation/fetch"
	"github.com/roost-social/roost/store"
)

// ErrNoCard is the error (wrapped) of every Fetch that makes no card: the
// URL is not fetchable, the fetch failed, the page is not HTML or an image,
// or it has no title. The caller records "no card" and does not retry; the
// wrapped cause (e.g. fetch.ErrForbiddenAddress) is there for logs.
var ErrNoCard = errors.New("no preview card")

// maxRead is how much of a page is read: the metadata is in the head, which
// is nearly always far shorter.
const maxRead = 1 << 20

// accept is the Accept header of a card fetch.
const accept = "text/html, application/xhtml+xml;q=0.9, image/*;q=0.5, */*;q=0.1"

// Fetch downloads url through c and builds its card.
//
// An HTML page (text/html or application/xhtml+xml) makes a "link" card from
// its OpenGraph tags, then Twitter card tags, then plain HTML (<title>,
// <meta name="description">, <meta name="author">, <link rel="author">,
// <html lang>). Only the first MiB of the page is read, and reading stops at
// </head> once a title is known. Text is decoded from UTF-8 or
// windows-1252/ISO-8859-1 (other charsets keep only their ASCII text),
// entity-decoded, white-space-collapsed and cut to 255 runes (title, author,
// provider) or 1000 (description). Card.URL is og:url when it is an http(s)
// URL on the same host as the page that served it (after redirects), else
// url. ImageURL is og:image (then twitter:image) resolved against the page,
// kept only when http(s). ProviderName is og:site_name, else the page's host
// without "www."; ProviderURL is scheme://host/ of the page.
//
// An image (any image/* type but SVG) makes a "photo" card whose ImageURL
// is url itself and whose Title is the file name; it is not read.
//
// url must be http(s), with a host and without userinfo; anything else fails
// without a request. Every failure is ErrNoCard, wrapped. c's own limits
// apply too: a page declaring a Content-Length over c's MaxBody is refused
// by c before Fetch sees it, so give Fetch a client whose MaxBody is larger
// than a MiB if long pages should have cards.
func Fetch(ctx context.Context, c *fetch.Client, url string) (*store.PreviewCard, error) {
	// Card.URL is url as given (trimmed), not re-encoded, so that it
	// matches the link the caller found it in.
	requested := strings.TrimSpace(url)
	u, ok := webURL(requested)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not an http(s) URL with a host and no userinfo", ErrNoCard, url)
	}
	resp, err := c.Get(ctx, u.String(), accept)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoCard, err)
	}
	// Closing before the end drops the connection rather than reading the
	// rest of a long page: that is the point of stopping at </head>.
	defer resp.Body.Close()
	page := resp.Request.URL

	br := bufio.NewReaderSize(&cutShort{r: io.LimitReader(resp.Body, maxRead)}, 4096)
	contentType := resp.Header.Get("Content-Type")
	if contentType == "" {
		sniff, err := br.Peek(512)
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%w: read %s: %w", ErrNoCard, page.Redacted(), err)
		}
		contentType = http.DetectContentType(sniff)
	}
	mediaType, _, _ := mime.ParseMediaType(contentType)
	switch {
	case strings.HasPrefix(mediaType, "image/") && mediaType != "image/svg+xml":
		card := photoCard(requested, u, page)
		card.FetchedAt = time.Now().UTC()
		return card, nil
	case mediaType == "text/html" || mediaType == "application/xhtml+xml":
	default:
		return nil, fmt.Errorf("%w: %s is %q, not HTML", ErrNoCard, page.Redacted(), contentType)
	}

	head, err := br.Peek(prescanLen)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%w: read %s: %w", ErrNoCard, page.Redacted(), err)
	}
	enc := detectEncoding(contentType, head)
	var r io.Reader = br
	switch enc {
	case encUnparsable:
		return nil, fmt.Errorf("%w: %s is not in an ASCII-compatible charset", ErrNoCard, page.Redacted())
	case enc1252:
		r = &reader1252{r: br}
	}
	card, err := parseHTML(r, requested, page, enc)
	if err != nil {
		if errors.Is(err, ErrNoCard) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrNoCard, page.Redacted(), err)
	}
	card.FetchedAt = time.Now().UTC()
	return card, nil
}

// photoCard is the card of a URL that is itself an image.
func photoCard(requested string, u, page *url.URL) *store.PreviewCard {
	title := path.Base(u.Path)
	if title == "/" || title == "." {
		title = ""
	}
	return &store.PreviewCard{
		URL:          requested,
		Type:         "photo",
		Title:        cleanText(title, maxTitle, encUTF8),
		ImageURL:     u.String(),
		ProviderName: strings.TrimPrefix(strings.ToLower(page.Hostname()), "www."),
		ProviderURL:  page.Scheme + "://" + page.Host + "/",
	}
}

// cutShort ends a body at fetch.ErrTooLarge as if it were complete: a card
// is made from the start of a page that the client's MaxBody cuts off.
type cutShort struct{ r io.Reader }

func (c *cutShort) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if errors.Is(err, fetch.ErrTooLarge) {
		err = io.EOF
	}
	return n, err
}
