package preview

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// FirstLink returns the first http(s) link of a status's HTML content that is
// worth a preview, or "". As in Mastodon, it skips mentions and hashtags
// (links with class "mention", "hashtag", "u-url" or "h-card", or rel "tag",
// and links whose text starts with '@' or '#'), everything inside an element
// of class "quote-inline" (the quoted post's link), and hrefs that are not
// absolute http(s) URLs with a host and without userinfo. The href is
// returned as written, trimmed of spaces.
func FirstLink(content string) string {
	doc, err := html.Parse(strings.NewReader(content))
	if err != nil {
		return ""
	}
	return firstLink(doc)
}

func firstLink(n *html.Node) string {
	if n.Type == html.ElementNode {
		if hasToken(attr(n, "class"), "quote-inline") {
			return ""
		}
		if n.Data == "a" {
			if href := linkHref(n); href != "" {
				return href
			}
			// A skipped link's children are never a link worth more.
			return ""
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if href := firstLink(c); href != "" {
			return href
		}
	}
	return ""
}

// linkHref returns the href of an <a> worth a preview, or "".
func linkHref(a *html.Node) string {
	class := attr(a, "class")
	for _, skip := range []string{"mention", "hashtag", "u-url", "h-card"} {
		if hasToken(class, skip) {
			return ""
		}
	}
	if hasToken(attr(a, "rel"), "tag") {
		return ""
	}
	if text := strings.TrimSpace(textOf(a)); strings.HasPrefix(text, "@") || strings.HasPrefix(text, "#") {
		return ""
	}
	href := strings.TrimSpace(attr(a, "href"))
	if _, ok := webURL(href); !ok {
		return ""
	}
	return href
}

// webURL parses s and reports whether it is an absolute http(s) URL with a
// host and without userinfo: the only kind Roost fetches a card for.
func webURL(s string) (*url.URL, bool) {
	if s == "" {
		return nil, false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Hostname() == "" || u.Opaque != "" {
		return nil, false
	}
	return u, true
}

// attr returns the value of n's attribute key ("" when absent).
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

// hasToken reports whether the space-separated list s holds tok (ASCII
// case-insensitive, as class and rel values are compared in practice).
func hasToken(s, tok string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// textOf returns the text content of n.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}
