package content

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Options tells Render how to link what it finds.
type Options struct {
	// BaseURL is the instance's public URL without a trailing slash, such as
	// "https://example.com"; hashtags link to BaseURL+"/tags/NAME".
	BaseURL string
	// LocalDomain is the instance's account domain, such as "example.com":
	// @user@LocalDomain is treated as the local @user.
	LocalDomain string
	// Resolve looks up a mentioned account, case-insensitively. domain is ""
	// for a local account (a bare @user or @user@LocalDomain). When Resolve
	// is nil or returns false the mention stays plain text. Render calls it
	// at most once per distinct account.
	Resolve func(username, domain string) (Target, bool)
}

// Target is a mentioned account as Render links it.
type Target struct {
	// ID identifies the account; Render reports each ID once in
	// Rendered.Mentions.
	ID string
	// Username is shown in the link, in the case the account has, not the
	// case that was typed.
	Username string
	// Domain is "" (or LocalDomain) for a local account.
	Domain string
	// URL is the account's profile page, the link's href.
	URL string
}

// Rendered is a status rendered by Render.
type Rendered struct {
	// HTML is the status content as Mastodon would store and serve it; it is
	// "" for blank text.
	HTML string
	// Mentions are the accounts linked, each once, in order of first
	// appearance.
	Mentions []Target
	// Tags are the hashtags linked, lowercased and without '#', each once,
	// in order of first appearance.
	Tags []string
	// Links are the URLs linked, each once, in order of first appearance.
	Links []string
}

// relDefault and relMe are the rel values of Mastodon's links; profile fields
// add "me" for rel=me verification.
const (
	relDefault = "nofollow noopener noreferrer"
	relMe      = "nofollow noopener noreferrer me"
)

// Render turns a status typed as plain text into HTML exactly as Mastodon
// 4.x's TextFormatter does:
//
//   - the text is trimmed of ASCII whitespace (Mastodon strips status text
//     before saving it); blank text renders as "";
//   - it is HTML-escaped (& < > " ' as &amp; &lt; &gt; &quot; &#39;);
//   - paragraphs separated by blank lines become <p>…</p> and other line
//     breaks <br />, with no newlines left in the output;
//   - http and https URLs become links whose visible text drops the scheme
//     and "www." and is cut after 30 characters (the rest is kept in an
//     invisible span for copying); trailing punctuation and unbalanced
//     parentheses are left out of the URL;
//   - @user and @user@domain become h-card mention links when o.Resolve
//     knows the account; the link shows the account's username, or
//     user@domain when two mentioned accounts share a username;
//   - #hashtags link to o.BaseURL+"/tags/name".
//
// Invalid UTF-8 and NUL characters are replaced by U+FFFD first.
func Render(text string, o Options) Rendered {
	text = prepare(text)
	if isBlank(text) {
		return Rendered{}
	}
	ents := extract(text, true)
	r := newRenderer(text, ents, &o, false)
	var b strings.Builder
	b.Grow(len(text) + len(text)/4 + 300*len(ents) + 8)
	b.WriteString("<p>")
	pos := 0
	for k := range ents {
		writeMultiline(&b, text[pos:ents[k].start])
		r.writeEntity(&b, k)
		pos = ents[k].end
	}
	writeMultiline(&b, text[pos:])
	b.WriteString("</p>")
	out := r.out
	out.HTML = b.String()
	return out
}

// RenderField renders a profile field value as Mastodon does for local
// accounts: escaped, with URLs, mentions and hashtags linked as by Render but
// without paragraphs or line breaks, URLs carrying rel="… me" for link
// verification, and mentions of remote accounts shown as user@domain.
func RenderField(value string, o Options) string {
	value = prepare(value)
	if isBlank(value) {
		return ""
	}
	ents := extract(value, true)
	r := newRenderer(value, ents, &o, true)
	var b strings.Builder
	b.Grow(len(value) + 300*len(ents))
	pos := 0
	for k := range ents {
		escapeTo(&b, value[pos:ents[k].start])
		r.writeEntity(&b, k)
		pos = ents[k].end
	}
	escapeTo(&b, value[pos:])
	return b.String()
}

// EscapeText escapes a short plain-text string, such as a display name or a
// field name, for use in HTML, the way Mastodon's ERB escaping does (& < > "
// ' become &amp; &lt; &gt; &quot; &#39;). Invalid UTF-8 is replaced by
// U+FFFD.
func EscapeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexAny(s, "&<>\"'\r") < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	escapeTo(&b, s)
	return b.String()
}

// prepare makes text valid UTF-8, strips it as Ruby's String#strip does,
// turns CRLF and CR line ends into LF, as Rails' simple_format does, and
// replaces NUL, which neither HTML nor PostgreSQL text can carry, by U+FFFD.
func prepare(text string) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = strings.Trim(text, "\x00\t\n\v\f\r ")
	if strings.IndexByte(text, 0) >= 0 {
		text = strings.ReplaceAll(text, "\x00", "\uFFFD")
	}
	if strings.IndexByte(text, '\r') >= 0 {
		text = strings.ReplaceAll(text, "\r\n", "\n")
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	return text
}

// isBlank is ActiveSupport's String#blank?: empty or only Unicode white
// space.
func isBlank(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.White_Space, r) {
			return false
		}
	}
	return true
}

// escapeTo writes s to b HTML-escaped as ERB::Util.html_escape does, and
// CR as a character reference.
func escapeTo(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\'':
			esc = "&#39;"
		case '\r':
			// Only Sanitize's input still has one; a parser would read a
			// literal CR as LF.
			esc = "&#13;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// writeMultiline writes plain text escaped, with a single newline as <br />
// and a run of two or more as a paragraph break, as Rails' simple_format
// (whose output Mastodon strips of newlines) does.
func writeMultiline(b *strings.Builder, s string) {
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			escapeTo(b, s)
			return
		}
		escapeTo(b, s[:i])
		j := i + 1
		for j < len(s) && s[j] == '\n' {
			j++
		}
		if j-i == 1 {
			b.WriteString("<br />")
		} else {
			b.WriteString("</p><p>")
		}
		s = s[j:]
	}
}

// renderer holds what Render needs to write the entities of one text.
type renderer struct {
	text  string
	ents  []entity
	o     *Options
	field bool
	// targets holds the account each mention entity resolved to, by entity
	// index; nil for unresolved mentions and other entities.
	targets []*Target
	// pretty is set for the targets whose username another mentioned
	// account shares, which Mastodon shows as user@domain.
	pretty map[*Target]bool
	out    Rendered
}

// newRenderer resolves the mentions among ents and collects the tags and
// links Render reports.
func newRenderer(text string, ents []entity, o *Options, field bool) *renderer {
	r := &renderer{text: text, ents: ents, o: o, field: field}
	var cache map[string]*Target
	var unique []*Target
	for k, e := range ents {
		switch e.kind {
		case entityURL:
			if !slices.Contains(r.out.Links, e.url) {
				r.out.Links = append(r.out.Links, e.url)
			}
		case entityHashtag:
			name := strings.ToLower(e.tag)
			if !slices.Contains(r.out.Tags, name) {
				r.out.Tags = append(r.out.Tags, name)
			}
		case entityMention:
			if o.Resolve == nil {
				continue
			}
			domain := e.domain
			if o.isLocal(domain) {
				domain = ""
			}
			key := strings.ToLower(e.username) + "@" + strings.ToLower(domain)
			t, ok := cache[key]
			if !ok {
				if got, found := o.Resolve(e.username, domain); found {
					t = &got
					for _, u := range unique {
						if sameAccount(u, t) {
							t = u
							break
						}
					}
					if t == &got {
						unique = append(unique, t)
						r.out.Mentions = append(r.out.Mentions, got)
					}
				}
				if cache == nil {
					cache = map[string]*Target{}
				}
				cache[key] = t
			}
			if t != nil {
				if r.targets == nil {
					r.targets = make([]*Target, len(ents))
				}
				r.targets[k] = t
			}
		}
	}
	// Mastodon's preloaded_accounts rule: when two mentioned accounts share
	// a username, each is shown as user@domain (a local one as plain user).
	for i, t := range unique {
		for j, u := range unique {
			if i != j && strings.EqualFold(t.Username, u.Username) && !o.sameDomain(t.Domain, u.Domain) {
				if r.pretty == nil {
					r.pretty = map[*Target]bool{}
				}
				r.pretty[t] = true
				break
			}
		}
	}
	return r
}

// sameAccount reports whether two resolved targets are one account.
func sameAccount(a, b *Target) bool {
	if a.ID != "" || b.ID != "" {
		return a.ID == b.ID
	}
	return a.URL == b.URL
}

// isLocal reports whether domain names this instance.
func (o *Options) isLocal(domain string) bool {
	return domain == "" || o.LocalDomain != "" && strings.EqualFold(domain, o.LocalDomain)
}

// sameDomain compares account domains, "" and LocalDomain being the same.
func (o *Options) sameDomain(a, b string) bool {
	if o.isLocal(a) || o.isLocal(b) {
		return o.isLocal(a) && o.isLocal(b)
	}
	return strings.EqualFold(a, b)
}

// writeEntity writes entity k as HTML.
func (r *renderer) writeEntity(b *strings.Builder, k int) {
	e := &r.ents[k]
	switch e.kind {
	case entityURL:
		rel := relDefault
		if r.field {
			rel = relMe
		}
		writeLink(b, e.url, rel)
	case entityHashtag:
		b.WriteString(`<a href="`)
		escapeTo(b, strings.TrimRight(r.o.BaseURL, "/"))
		b.WriteString("/tags/")
		escapeTo(b, url.PathEscape(strings.ToLower(e.tag)))
		b.WriteString(`" class="mention hashtag" rel="tag">#<span>`)
		escapeTo(b, e.tag)
		b.WriteString("</span></a>")
	case entityMention:
		var t *Target
		if r.targets != nil {
			t = r.targets[k]
		}
		if t == nil {
			escapeTo(b, r.text[e.start:e.end])
			return
		}
		b.WriteString(`<span class="h-card" translate="no"><a href="`)
		escapeTo(b, t.URL)
		b.WriteString(`" class="u-url mention">@<span>`)
		escapeTo(b, t.Username)
		// Fields are rendered with_domains; statuses only when another
		// mentioned account has the same username.
		if (r.field || r.pretty[t]) && !r.o.isLocal(t.Domain) {
			b.WriteByte('@')
			escapeTo(b, t.Domain)
		}
		b.WriteString("</span></a></span>")
	}
}

// writeLink writes Mastodon's shortened link for u: the scheme and "www."
// hidden, then 30 characters shown (with an ellipsis class when more follow)
// and the rest hidden.
func writeLink(b *strings.Builder, u, rel string) {
	prefix := 0
	switch {
	case strings.HasPrefix(u, "https://"):
		prefix = len("https://")
	case strings.HasPrefix(u, "http://"):
		prefix = len("http://")
	}
	if prefix > 0 && strings.HasPrefix(u[prefix:], "www.") {
		prefix += len("www.")
	}
	cut, n := prefix, 0
	for cut < len(u) && n < 30 {
		_, size := utf8.DecodeRuneInString(u[cut:])
		cut += size
		n++
	}
	b.WriteString(`<a href="`)
	escapeTo(b, u)
	b.WriteString(`" target="_blank" rel="`)
	b.WriteString(rel)
	b.WriteString(`" translate="no"><span class="invisible">`)
	escapeTo(b, u[:prefix])
	if cut < len(u) {
		b.WriteString(`</span><span class="ellipsis">`)
	} else {
		b.WriteString(`</span><span class="">`)
	}
	escapeTo(b, u[prefix:cut])
	b.WriteString(`</span><span class="invisible">`)
	escapeTo(b, u[cut:])
	b.WriteString("</span></a>")
}
