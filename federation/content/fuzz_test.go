package content

import (
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// fuzzOptions resolves every bare @user to a local account named in lower
// case, so that fuzzed mentions exercise the link markup.
var fuzzOptions = Options{
	BaseURL: "https://example.com",
	Resolve: func(username, domain string) (Target, bool) {
		if domain != "" {
			return Target{}, false
		}
		u := strings.ToLower(username)
		return Target{ID: u, Username: u, URL: "https://example.com/@" + u}, true
	},
}

// checkWellFormed fails t unless s is a sequence of properly nested tags and
// text with no event handler attributes, script elements or javascript:
// URLs.
func checkWellFormed(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(strings.ToLower(s), "<script") {
		t.Fatalf("%s contains <script: %q", what, s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var open []string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if !errors.Is(z.Err(), io.EOF) {
				t.Fatalf("%s: tokenizer: %v in %q", what, z.Err(), s)
			}
			if len(open) > 0 {
				t.Fatalf("%s leaves %v open: %q", what, open, s)
			}
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			for _, a := range tok.Attr {
				if strings.HasPrefix(a.Key, "on") || a.Key == "style" || a.Key == "src" {
					t.Fatalf("%s has attribute %s: %q", what, a.Key, s)
				}
				if badURL(a.Val) {
					t.Fatalf("%s has a script URL in %s=%q: %q", what, a.Key, a.Val, s)
				}
			}
			if tok.DataAtom == atom.Br {
				continue
			}
			if tt == html.SelfClosingTagToken {
				t.Fatalf("%s self-closes <%s>: %q", what, tok.Data, s)
			}
			open = append(open, tok.Data)
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(open) == 0 || open[len(open)-1] != string(name) {
				t.Fatalf("%s closes </%s> with %v open: %q", what, name, open, s)
			}
			open = open[:len(open)-1]
		case html.CommentToken, html.DoctypeToken:
			t.Fatalf("%s has a comment or doctype: %q", what, s)
		}
	}
}

// badURL reports whether an attribute value is a URL a browser would run or
// render as a document, ignoring the spaces and controls browsers skip.
func badURL(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToLower(v))
	return strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:")
}

// visibleText is the text a browser shows for Render's output, with line
// and paragraph breaks as newlines.
func visibleText(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			switch name, _ := z.TagName(); string(name) {
			case "br":
				b.WriteString("\n")
			case "p":
				if b.Len() > 0 {
					b.WriteString("\n\n")
				}
			}
		}
	}
}

var newlines = regexp.MustCompile(`\n\n+`)

func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"",
		"Hello world",
		"<script>alert('x')</script> & \"quotes\"",
		"one\ntwo\n\nthree\r\nfour",
		"@alice @bob@remote.example foo@bar.com @x.y-z. @a@b@c",
		"#tag #café #日本語 #2024 ＃full #a·b #newshttps://example.com",
		"https://example.com/a.b?c=d&e=f#g (https://en.wikipedia.org/wiki/Go_(language)) https://x.org/#anchor.",
		"https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code",
		"http://localhost:3000/@dave @dave@localhost:3000",
		"a\xffb\x00c",
		"https://ex(a)mple.com/((a)) https://a.b/(x(y)z) https://a.b?(",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := Render(s, fuzzOptions)
		checkWellFormed(t, "Render", r.HTML)
		checkWellFormed(t, "RenderField", RenderField(s, fuzzOptions))

		// Nothing typed is lost or repeated: the visible text is the input,
		// but for blank lines, mention case and the full-width '＃'.
		in := prepare(s)
		if isBlank(in) {
			if r.HTML != "" {
				t.Fatalf("Render(%q) = %q, want empty", s, r.HTML)
			}
		} else {
			want := newlines.ReplaceAllString(strings.ReplaceAll(in, "\x00", "\uFFFD"), "\n\n")
			got := visibleText(r.HTML)
			norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "＃", "#") }
			if norm(got) != norm(want) {
				t.Fatalf("Render(%q) shows %q, want %q\nHTML %s", s, got, want, r.HTML)
			}
		}

		n := Length(s)
		if n < 0 || n > utf8.RuneCountInString(s)+URLLength*strings.Count(s, "://") {
			t.Fatalf("Length(%q) = %d", s, n)
		}
		if len(r.Links) > strings.Count(s, "://") {
			t.Fatalf("Render(%q) found %d links", s, len(r.Links))
		}
		_ = PlainText(r.HTML)
	})
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"",
		"plain & text",
		`<p><span class="h-card" translate="no"><a href="https://m.example/@a" class="u-url mention">@<span>a</span></a></span> hi</p>`,
		`<a href="javascript:alert(1)" onclick="x">t</a><a href="java&#x09;script:x">u</a><a href="data:text/html,x">v</a>`,
		`<script>alert(1)</script><style>x</style><img src=x onerror=alert(1)><svg onload=x>`,
		`<h1>T</h1><ul><li>a<li>b</ul><p>unclosed <b>bold <i>x</b>y</i>`,
		`<a class="m"><a href="https://e.com">in</a>out</a></p></div><br></br>`,
		`<ol start="3" reversed><li value="x">a</li></ol><span/><p/><pre>a
  b</pre><!-- c -->`,
		`<a href="https://e.com/?a=1&b=2&amp;c=%20" rel=me target=_self>q</a>`,
		`<table><tr><td>cell<p>in</td></tr></table><math><mi>x</mi></math><template><p>t</template>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		checkWellFormed(t, "Sanitize", out)
		z := html.NewTokenizer(strings.NewReader(out))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			if tt != html.StartTagToken {
				continue
			}
			tok := z.Token()
			if tok.DataAtom != atom.A {
				continue
			}
			var rel, target string
			for _, a := range tok.Attr {
				switch a.Key {
				case "rel":
					rel = a.Val
				case "target":
					target = a.Val
				}
			}
			if rel != "nofollow noopener noreferrer" || target != "_blank" {
				t.Fatalf("Sanitize(%q) = %q: link with rel=%q target=%q", s, out, rel, target)
			}
		}
		if again := Sanitize(out); again != out {
			t.Fatalf("Sanitize not idempotent on %q:\n once %q\ntwice %q", s, out, again)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("Sanitize(%q) = %q is not UTF-8", s, out)
		}
		if p := PlainText(s); !utf8.ValidString(p) || strings.IndexByte(p, 0) >= 0 {
			t.Fatalf("PlainText(%q) = %q", s, p)
		}
	})
}
