package content

import (
	"regexp"
	"slices"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// linkSchemes are the href schemes Sanitize keeps: Mastodon's LINK_PROTOCOLS
// and mailto.
var linkSchemes = []string{
	"http", "https", "mailto",
	"dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet", "gemini",
}

// policy is the bluemonday half of Sanitize; finishTags does what bluemonday
// cannot express. A Policy is safe for concurrent use once built.
var policy = newPolicy()

// newPolicy builds the element and attribute allowlist of Mastodon's
// Sanitize::Config::MASTODON_STRICT.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "span", "del", "s", "pre", "blockquote", "code",
		"b", "strong", "u", "i", "em", "ul", "ol", "li", "ruby", "rt", "rp",
		"h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes(linkSchemes...)
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	// rel and target are added by finishTags.
	// Classes are filtered word by word in finishTags.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^[a-zA-Z0-9_ \t\n\f\r-]*$`)).OnElements("a", "span", "p")
	p.AllowAttrs("translate").Matching(regexp.MustCompile(`^no$`)).OnElements("a", "span")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("reversed").Matching(regexp.MustCompile(`^(reversed)?$`)).OnElements("ol")
	p.AllowAttrs("value").Matching(bluemonday.Integer).OnElements("li")
	// Elements whose text is not content, beyond bluemonday's defaults
	// (script, style, iframe, noscript, object, title…).
	p.SkipElementsContent("svg", "math", "xmp", "plaintext", "template", "textarea", "select")
	return p
}

// Sanitize cleans HTML from a remote server for display, keeping what
// Mastodon's MASTODON_STRICT sanitiser keeps:
//
//   - elements p, br, span, a, del, s, pre, blockquote, code, b, strong, u,
//     i, em, ul, ol, li, ruby, rt, rp; headings h1–h6 become
//     <p><strong>…</strong></p> as in Mastodon, unless they hold a paragraph
//     or list; anything else is dropped, keeping its text except for
//     script, style and the like;
//   - on <a>: href with a scheme of http, https, mailto or Mastodon's other
//     link protocols (an <a> without one becomes its text), class and
//     translate="no"; every link gets rel="nofollow noopener noreferrer"
//     and target="_blank", replacing any given;
//   - class on a, span and p, reduced to Mastodon's classes: microformats
//     (h-*, p-*, u-*, dt-*, e-*), mention, hashtag, ellipsis, invisible and
//     quote-inline;
//   - start and reversed on ol, value on li.
//
// Event handler attributes, style, and javascript: or data: URLs never
// survive. Invalid UTF-8 becomes U+FFFD. Sanitize(Sanitize(s)) ==
// Sanitize(s).
func Sanitize(s string) string {
	if s == "" {
		return ""
	}
	return finishTags(policy.Sanitize(strings.ToValidUTF8(s, "\uFFFD")))
}

// finishTags rewrites bluemonday's output: rel and target on links, classes
// filtered word by word, links without href unwrapped and headings turned
// into strong paragraphs. It parses the HTML as a browser would and writes
// the tree back, so that the result is balanced — a stray end tag cannot
// close an element outside the content and nothing is left open — and has
// the structure browsers will see (an unclosed <li> closed by the next one).
func finishTags(s string) string {
	if strings.IndexAny(s, "<&") < 0 {
		return s
	}
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return "" // cannot happen: reading a string does not fail
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, n := range nodes {
		writeNode(&b, n)
	}
	return b.String()
}

// writeNode writes a sanitised node and its children.
func writeNode(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		escapeTo(b, n.Data)
		return
	case html.ElementNode:
	default:
		return // comments and doctypes
	}
	if !outputElements[n.DataAtom] {
		// Not expected from bluemonday's output, but the parser is not
		// trusted to add nothing.
		writeChildren(b, n)
		return
	}
	attrs := dedupAttrs(n.Attr)
	switch n.DataAtom {
	case atom.Br:
		b.WriteString("<br />")
		return
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		// A heading holding paragraphs or lists cannot become a paragraph,
		// nor be unwrapped: browsers would split them up. It stays a heading.
		if !hasBlock(n) {
			b.WriteString("<p><strong>")
			writeChildren(b, n)
			b.WriteString("</strong></p>")
			return
		}
	case atom.A:
		var ok bool
		if attrs, ok = finishLink(attrs); !ok {
			writeChildren(b, n)
			return
		}
	case atom.Span, atom.P:
		attrs = filterClass(attrs)
	}
	slices.SortStableFunc(attrs, func(x, y html.Attribute) int { return attrRank(x.Key) - attrRank(y.Key) })
	b.WriteByte('<')
	b.WriteString(n.Data)
	for _, a := range attrs {
		b.WriteByte(' ')
		b.WriteString(a.Key)
		b.WriteString(`="`)
		escapeTo(b, a.Val)
		b.WriteByte('"')
	}
	b.WriteByte('>')
	if n.DataAtom == atom.Pre {
		// Browsers drop a newline right after <pre>: double one that
		// belongs to the content.
		if c := n.FirstChild; c != nil && c.Type == html.TextNode && strings.HasPrefix(c.Data, "\n") {
			b.WriteByte('\n')
		}
	}
	writeChildren(b, n)
	b.WriteString("</")
	b.WriteString(n.Data)
	b.WriteByte('>')
}

// hasBlock reports whether n has a descendant that may not be inside a <p>.
func hasBlock(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.P, atom.Ul, atom.Ol, atom.Li, atom.Blockquote, atom.Pre,
			atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			return true
		}
		if hasBlock(c) {
			return true
		}
	}
	return false
}

// writeChildren writes the children of n.
func writeChildren(b *strings.Builder, n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		writeNode(b, c)
	}
}

// outputElements are the elements Sanitize writes; headings are rewritten.
var outputElements = map[atom.Atom]bool{
	atom.P: true, atom.Br: true, atom.Span: true, atom.A: true, atom.Del: true,
	atom.S: true, atom.Pre: true, atom.Blockquote: true, atom.Code: true,
	atom.B: true, atom.Strong: true, atom.U: true, atom.I: true, atom.Em: true,
	atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Ruby: true, atom.Rt: true,
	atom.Rp: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true,
}

// attrRank orders attributes in Sanitize's output, or is -1 for those it
// never writes. The parser does not keep the source order, so a fixed one
// keeps the output stable; this one is Mastodon's, so its links and mentions
// come out as they went in.
func attrRank(key string) int {
	switch key {
	case "href":
		return 0
	case "target":
		return 1
	case "rel":
		return 2
	case "class":
		return 3
	case "translate":
		return 4
	case "start", "reversed", "value":
		return 5
	}
	return -1 // not written at all
}

// dedupAttrs returns the attributes of attrs that Sanitize writes, only the
// first of each name, as browsers read them.
func dedupAttrs(attrs []html.Attribute) []html.Attribute {
	out := make([]html.Attribute, 0, len(attrs)+2)
	for _, a := range attrs {
		dup := false
		for _, o := range out {
			if o.Key == a.Key {
				dup = true
				break
			}
		}
		if !dup && a.Namespace == "" && attrRank(a.Key) >= 0 {
			out = append(out, a)
		}
	}
	return out
}

// finishLink sets rel and target on a link's attributes and filters its
// classes. It reports false for a link without href, which is unwrapped.
func finishLink(attrs []html.Attribute) ([]html.Attribute, bool) {
	var href, rel, target bool
	for i := range attrs {
		switch attrs[i].Key {
		case "href":
			href = true
		case "rel":
			rel = true
			attrs[i].Val = relDefault
		case "target":
			target = true
			attrs[i].Val = "_blank"
		}
	}
	if !href {
		return attrs, false
	}
	if !target {
		attrs = append(attrs, html.Attribute{Key: "target", Val: "_blank"})
	}
	if !rel {
		attrs = append(attrs, html.Attribute{Key: "rel", Val: relDefault})
	}
	return filterClass(attrs), true
}

// filterClass keeps only Mastodon's classes in a class attribute, as its
// CLASS_WHITELIST_TRANSFORMER does, and drops the attribute if none is left.
func filterClass(attrs []html.Attribute) []html.Attribute {
	for i := range attrs {
		if attrs[i].Key != "class" {
			continue
		}
		var kept []string
		for _, c := range strings.Fields(attrs[i].Val) {
			if allowedClass(c) {
				kept = append(kept, c)
			}
		}
		if len(kept) == 0 {
			return append(attrs[:i], attrs[i+1:]...)
		}
		attrs[i].Val = strings.Join(kept, " ")
		return attrs
	}
	return attrs
}

// allowedClass reports whether a class is one Mastodon keeps: microformats
// and its own mention and link classes.
func allowedClass(c string) bool {
	switch c {
	case "mention", "hashtag", "ellipsis", "invisible", "quote-inline":
		return true
	}
	for _, p := range []string{"h-", "p-", "u-", "dt-", "e-"} {
		if strings.HasPrefix(c, p) {
			return true
		}
	}
	return false
}

// blockBreaks says what ends or starts each block element in PlainText: two
// newlines (a paragraph) or one (a list item).
var blockBreaks = map[atom.Atom]int{
	atom.P: 2, atom.Div: 2, atom.Blockquote: 2, atom.Pre: 2,
	atom.H1: 2, atom.H2: 2, atom.H3: 2, atom.H4: 2, atom.H5: 2, atom.H6: 2,
	atom.Ul: 2, atom.Ol: 2, atom.Table: 2, atom.Hr: 2,
	atom.Li: 1, atom.Tr: 1, atom.Dt: 1, atom.Dd: 1,
}

// skipContent are the elements whose text PlainText leaves out: those
// Mastodon drops, and a few more that hold no readable text.
var skipContent = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Iframe: true, atom.Math: true,
	atom.Noembed: true, atom.Noframes: true, atom.Noscript: true,
	atom.Plaintext: true, atom.Svg: true, atom.Xmp: true, atom.Template: true,
	atom.Title: true, atom.Object: true, atom.Textarea: true,
	atom.Select: true,
}

// PlainText turns HTML into plain text, for search and for the text of a
// remote status offered for delete-and-redraft. Entities are decoded, <br>
// becomes a newline, paragraphs and other blocks are separated by a blank
// line (so Render makes paragraphs of them again) and list items by a
// newline. Newlines and tabs in the source are layout and read as spaces,
// except inside <pre>. The text of scripts, styles and similar elements is
// dropped, and the result is trimmed of surrounding whitespace. Invalid UTF-8
// and NUL characters become U+FFFD.
//
// Mastodon separates paragraphs with a single newline; the blank line here
// keeps paragraphs through a redraft.
func PlainText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	if strings.IndexAny(s, "<&\n\r\t\f") < 0 {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	skip, pre := 0, 0
	pending := 0 // newlines owed before the next text
	flush := func() {
		if b.Len() == 0 {
			pending = 0
			return
		}
		// Count the newlines already written so that a <br> before a
		// paragraph end does not make three.
		have := 0
		out := b.String()
		for i := len(out) - 1; i >= 0 && out[i] == '\n' && have < pending; i-- {
			have++
		}
		for ; have < pending; have++ {
			b.WriteByte('\n')
		}
		pending = 0
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			if skip > 0 {
				continue
			}
			text := string(z.Text())
			if pre == 0 {
				text = strings.Map(func(r rune) rune {
					if r == '\n' || r == '\r' || r == '\t' || r == '\f' {
						return ' '
					}
					return r
				}, text)
				if strings.TrimSpace(text) == "" && (pending > 0 || b.Len() == 0 || strings.HasSuffix(b.String(), "\n")) {
					continue
				}
			}
			flush()
			b.WriteString(text)
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skipContent[a] {
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			if a == atom.Br && tt != html.EndTagToken {
				if b.Len() > 0 {
					flush()
					b.WriteByte('\n')
				}
				continue
			}
			if a == atom.Pre {
				if tt == html.StartTagToken {
					pre++
				} else if tt == html.EndTagToken && pre > 0 {
					pre--
				}
			}
			if n := blockBreaks[a]; n > pending {
				pending = n
			}
		}
	}
}
