package preview

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/roost-social/roost/federation/fetch"
	"github.com/roost-social/roost/store"
)

// Limits of a card's fields, in runes for text and bytes for URLs. Mastodon
// stores the fields unbounded; these keep a hostile page from storing a
// megabyte of title, and are longer than any client shows. A text cut short
// ends in "…" within the limit; a longer URL is dropped.
const (
	maxTitle       = 255 // Title, AuthorName, ProviderName
	maxDescription = 1000
	maxURL         = 2048 // ImageURL, AuthorURL, and URL from og:url
	maxDimension   = 1 << 16
)

// wantedMeta lists the <meta> names and properties a card is made from; the
// first non-empty content of each is kept, others are ignored so that a page
// full of meta tags costs no memory.
var wantedMeta = map[string]bool{
	"og:title": true, "og:description": true, "og:url": true, "og:site_name": true,
	"og:type": true, "og:locale": true,
	"og:image": true, "og:image:url": true, "og:image:secure_url": true,
	"og:image:width": true, "og:image:height": true,
	"article:published_time": true, "article:author": true,
	"twitter:title": true, "twitter:description": true, "twitter:image": true, "twitter:image:src": true,
	"description": true, "author": true,
}

// pageMeta is what the head of a page says about it, as raw strings
// (entities decoded once by the tokenizer, nothing else done).
type pageMeta struct {
	meta       map[string]string
	title      string
	titleSeen  bool
	linkAuthor string
	lang       string
	langSeen   bool
}

func (m *pageMeta) hasTitle() bool {
	return m.title != "" || m.meta["og:title"] != "" || m.meta["twitter:title"] != ""
}

// parseHTML reads an HTML page from r and builds its card. requested is the
// URL the card is for, page the URL the page came from (after redirects),
// against which relative URLs are resolved; enc says how to decode text r
// has not already been transcoded. Reading stops at the end of the head
// once a title is known, at the end of r, or when r reports fetch.ErrTooLarge
// (the page is cut short, what was read counts). Any other read error fails.
// The error is ErrNoCard, wrapped, when the page has no title.
func parseHTML(r io.Reader, requested string, page *url.URL, enc encoding) (*store.PreviewCard, error) {
	m, err := scan(r)
	if err != nil {
		return nil, err
	}
	return m.card(requested, page, enc)
}

// scan tokenizes the page and collects its metadata.
func scan(r io.Reader) (*pageMeta, error) {
	m := &pageMeta{meta: make(map[string]string)}
	z := html.NewTokenizer(r)
	inTitle := false
	foreign := 0 // depth of <svg> and <math>, whose <title> is not the page's
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			err := z.Err()
			if err == io.EOF || errors.Is(err, fetch.ErrTooLarge) {
				return m, nil
			}
			return nil, fmt.Errorf("read page: %w", err)

		case html.TextToken:
			if inTitle && len(m.title) < 4*maxTitle*utf8.UTFMax {
				m.title += string(z.Text())
			}

		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "html":
				if !m.langSeen {
					m.langSeen = true
					m.lang = tagAttrs(z, hasAttr)["lang"]
				}
			case "meta":
				m.addMeta(tagAttrs(z, hasAttr))
			case "link":
				a := tagAttrs(z, hasAttr)
				if m.linkAuthor == "" && hasToken(a["rel"], "author") {
					m.linkAuthor = a["href"]
				}
			case "title":
				// The tokenizer reads a <title>'s content as one text token.
				if tt == html.StartTagToken && foreign == 0 && !m.titleSeen {
					m.titleSeen = true
					inTitle = true
				}
			case "svg", "math":
				if tt == html.StartTagToken {
					foreign++
				}
			case "body":
				if m.hasTitle() {
					return m, nil
				}
			}

		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "title":
				inTitle = false
			case "svg", "math":
				if foreign > 0 {
					foreign--
				}
			case "head":
				if m.hasTitle() {
					return m, nil
				}
			}
		}
	}
}

// tagAttrs returns the current tag's attributes, first value of each.
func tagAttrs(z *html.Tokenizer, hasAttr bool) map[string]string {
	a := make(map[string]string)
	for more := hasAttr; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		if _, dup := a[string(k)]; !dup {
			a[string(k)] = string(v)
		}
	}
	return a
}

// addMeta records a <meta>'s content under its property and its name, as
// Mastodon matches either.
func (m *pageMeta) addMeta(a map[string]string) {
	content := strings.TrimSpace(a["content"])
	if content == "" {
		return
	}
	for _, key := range []string{a["property"], a["name"]} {
		key = strings.ToLower(strings.TrimSpace(key))
		if wantedMeta[key] && m.meta[key] == "" {
			m.meta[key] = content
		}
	}
}

// card builds the card from the collected metadata.
func (m *pageMeta) card(requested string, page *url.URL, enc encoding) (*store.PreviewCard, error) {
	text := func(limit int, raws ...string) string {
		for _, raw := range raws {
			if s := cleanText(raw, limit, enc); s != "" {
				return s
			}
		}
		return ""
	}
	c := &store.PreviewCard{
		URL:         requested,
		Type:        "link",
		Title:       text(maxTitle, m.meta["og:title"], m.meta["twitter:title"], m.title),
		Description: text(maxDescription, m.meta["og:description"], m.meta["twitter:description"], m.meta["description"]),
		ProviderURL: page.Scheme + "://" + page.Host + "/",
	}
	if c.Title == "" {
		return nil, fmt.Errorf("%w: %s has no title", ErrNoCard, page.Redacted())
	}
	if u := resolve(page, m.meta["og:url"]); u != nil && strings.EqualFold(u.Host, page.Host) {
		c.URL = u.String()
	}

	for i, key := range []string{"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"} {
		if u := resolve(page, m.meta[key]); u != nil {
			c.ImageURL = u.String()
			if i < 3 { // the dimensions are those of the OpenGraph image
				c.Width = dimension(m.meta["og:image:width"])
				c.Height = dimension(m.meta["og:image:height"])
			}
			break
		}
	}

	// article:author is a profile URL or, on many sites, a name.
	if a := strings.TrimSpace(m.meta["article:author"]); a != "" {
		if u, ok := webURL(a); ok && len(u.String()) <= maxURL {
			c.AuthorURL = u.String()
		} else if !strings.Contains(a, "://") {
			c.AuthorName = cleanText(a, maxTitle, enc)
		}
	}
	if c.AuthorName == "" {
		c.AuthorName = cleanText(m.meta["author"], maxTitle, enc)
	}
	if c.AuthorURL == "" {
		if u := resolve(page, m.linkAuthor); u != nil {
			c.AuthorURL = u.String()
		}
	}

	c.ProviderName = cleanText(m.meta["og:site_name"], maxTitle, enc)
	if c.ProviderName == "" {
		c.ProviderName = strings.TrimPrefix(strings.ToLower(page.Hostname()), "www.")
	}
	c.Language = language(m.meta["og:locale"])
	if c.Language == "" {
		c.Language = language(m.lang)
	}
	c.PublishedAt = published(m.meta["article:published_time"])
	return c, nil
}

// resolve returns raw resolved against page when the result is an http(s)
// URL with a host, no userinfo and at most maxURL long, else nil.
func resolve(page *url.URL, raw string) *url.URL {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw == "null" {
		return nil
	}
	ref, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	u, ok := webURL(page.ResolveReference(ref).String())
	if !ok || len(u.String()) > maxURL {
		return nil
	}
	return u
}

// dimension parses an image width or height; 0 when absent or absurd.
func dimension(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 || n > maxDimension {
		return 0
	}
	return n
}

// language returns the language subtag of a locale ("en_US", "pt-BR",
// "de") in lower case, or "" when it does not look like an ISO 639 code.
func language(locale string) string {
	tag, _, _ := strings.Cut(strings.TrimSpace(locale), "-")
	tag, _, _ = strings.Cut(tag, "_")
	if len(tag) < 2 || len(tag) > 3 {
		return ""
	}
	for _, r := range tag {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return ""
		}
	}
	return strings.ToLower(tag)
}

// publishedLayouts are the forms article:published_time comes in: ISO 8601
// with or without a zone, seconds or fractions, or just a date.
var publishedLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// published parses article:published_time; nil when it does not parse.
// A time without a zone is taken as UTC.
func published(s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return nil
	}
	for _, layout := range publishedLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

// cleanText turns a raw metadata string into card text: decoded to UTF-8
// (see encoding.toUTF8), HTML entities decoded once more (pages often
// double-escape their meta tags; Mastodon decodes twice too), runs of white
// space and control characters collapsed to one space, trimmed, and cut to
// limit runes.
func cleanText(raw string, limit int, enc encoding) string {
	if raw == "" {
		return ""
	}
	// Far more than limit runes cannot survive; cut first so a megabyte
	// of description costs little (at a rune boundary, so nothing that was
	// valid becomes invalid).
	if most := 8 * limit * utf8.UTFMax; len(raw) > most {
		cut := most
		for cut > most-utf8.UTFMax && !utf8.RuneStart(raw[cut]) {
			cut--
		}
		raw = raw[:cut]
	}
	s, ok := enc.toUTF8(raw)
	if !ok {
		return ""
	}
	if strings.Contains(s, "&") {
		s = html.UnescapeString(s)
	}
	var b strings.Builder
	n := 0
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u200B' || r == '\uFEFF' {
			space = n > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
		if n > limit {
			break
		}
	}
	out := b.String()
	if n <= limit {
		return out
	}
	// Cut to limit-1 runes and mark the cut.
	runes := []rune(out)[:limit-1]
	return strings.TrimRightFunc(string(runes), unicode.IsSpace) + "…"
}
