package content

import "testing"

// rel is what Sanitize puts on every link.
const rel = ` target="_blank" rel="nofollow noopener noreferrer"`

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"text", "plain & <b>bold</b>", "plain &amp; <b>bold</b>"},
		{"mastodon mention unchanged but for rel",
			`<p><span class="h-card" translate="no"><a href="https://mastodon.social/@ben" class="u-url mention">@<span>ben</span></a></span> hi</p>`,
			`<p><span class="h-card" translate="no"><a href="https://mastodon.social/@ben"` + rel + ` class="u-url mention">@<span>ben</span></a></span> hi</p>`},
		{"mastodon link kept in place",
			`<a href="https://x.org/a" target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">https://</span><span class="ellipsis">x.org/a</span></a>`,
			`<a href="https://x.org/a" target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">https://</span><span class="ellipsis">x.org/a</span></a>`},
		{"rel and target replaced", `<a href="https://e.com" target="_self" rel="opener">t</a>`, `<a href="https://e.com" target="_blank" rel="nofollow noopener noreferrer">t</a>`},
		{"script dropped with content", `a<script>alert(1)</script>b`, "ab"},
		{"style dropped with content", `<style>p{color:red}</style>b`, "b"},
		{"iframe dropped", `<iframe src="https://evil.example"></iframe>b`, "b"},
		{"img dropped", `<img src="https://e.com/x.png" onerror="alert(1)">b`, "b"},
		{"svg dropped with content", `<svg><text>t</text><script>x</script></svg>b`, "b"},
		{"event handlers dropped", `<p onclick="alert(1)" onmouseover=x>t</p>`, "<p>t</p>"},
		{"style attribute dropped", `<span style="color:red">t</span>`, "<span>t</span>"},
		{"javascript href", `<a href="javascript:alert(1)">t</a>`, "t"},
		{"javascript href mixed case", `<a href="JaVaScRiPt:alert(1)">t</a>`, "t"},
		{"javascript href spaced", `<a href=" javascript:alert(1)">t</a>`, "t"},
		{"javascript href with tab entity", `<a href="java&#x09;script:alert(1)">t</a>`, "t"},
		{"data href", `<a href="data:text/html,<script>alert(1)</script>">t</a>`, "t"},
		{"relative href", `<a href="/tags/x">t</a>`, "t"},
		{"link without href", `<a class="mention">t</a>`, "t"},
		{"mailto", `<a href="mailto:a@example.com">m</a>`, `<a href="mailto:a@example.com"` + rel + `>m</a>`},
		{"gemini", `<a href="gemini://example.com/">g</a>`, `<a href="gemini://example.com/"` + rel + `>g</a>`},
		{"query escaped", `<a href="https://e.com/?a=1&b=2">q</a>`, `<a href="https://e.com/?a=1&amp;b=2"` + rel + `>q</a>`},
		{"classes filtered", `<p class="foo h-entry e-content bar">t</p>`, `<p class="h-entry e-content">t</p>`},
		{"no class left", `<span class="foo">t</span>`, "<span>t</span>"},
		{"class on other element dropped", `<b class="mention">t</b>`, "<b>t</b>"},
		{"translate only no", `<span translate="yes">a</span><span translate="no">b</span>`, `<span>a</span><span translate="no">b</span>`},
		{"lists", `<ol start="3" reversed><li value="5">a</li></ol><ul><li>b</li></ul>`, `<ol start="3" reversed=""><li value="5">a</li></ol><ul><li>b</li></ul>`},
		{"quote and code", `<blockquote><pre><code>x &lt; y</code></pre></blockquote>`, `<blockquote><pre><code>x &lt; y</code></pre></blockquote>`},
		{"inline", `<del>d</del><s>s</s><u>u</u><i>i</i><em>e</em><strong>s</strong>`, `<del>d</del><s>s</s><u>u</u><i>i</i><em>e</em><strong>s</strong>`},
		{"headings become strong", `<h2 class="x">Title</h2><p>body</p>`, `<p><strong>Title</strong></p><p>body</p>`},
		{"heading holding a paragraph kept", `<h1><p>x</p></h1>`, `<h1><p>x</p></h1>`},
		{"heading holding a list item kept", `<li><h1><li>`, `<li><h1><li></li></h1></li>`},
		{"pre leading newline kept", "<pre>\n\nx</pre>", "<pre>\n\nx</pre>"},
		{"quote in text", `"</A >`, `&quot;`},
		{"carriage return kept", "0&#Xd", "0&#13;"},
		{"unknown elements unwrapped", `<div><table><tr><td>cell</td></tr></table></div>`, "cell"},
		{"breaks", `<p>a<br>b<br/>c<br />d</br></p>`, `<p>a<br />b<br />c<br />d<br /></p>`}, // </br> is a <br> to browsers
		{"unclosed closed", `<p>a <b>b`, `<p>a <b>b</b></p>`},
		{"stray end tags", `</p>a</b><p>x</p></div>`, `<p></p>a<p>x</p>`}, // as browsers read them
		{"misnested", `<b><i>x</b>y</i>`, `<b><i>x</i></b><i>y</i>`},
		{"implied end tags", `<ul><li>one<li>two</ul><p>a<blockquote>b</blockquote>`, `<ul><li>one</li><li>two</li></ul><p>a</p><blockquote>b</blockquote>`},
		{"self-closing span", `<span/>x`, `<span>x</span>`},
		{"comments dropped", `<!-- c --><p>x</p>`, `<p>x</p>`},
		{"ruby", `<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>`, `<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>`},
		{"nested links", `<a class="m"><a href="https://e.com">in</a>out</a>`, `<a href="https://e.com"` + rel + `>in</a>out`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sanitize(tt.in)
			if got != tt.want {
				t.Errorf("Sanitize(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			if again := Sanitize(got); again != got {
				t.Errorf("Sanitize not idempotent on %q:\n once %s\ntwice %s", tt.in, got, again)
			}
		})
	}
}

// TestSanitizeRender checks that what Render makes survives Sanitize, so a
// Roost status federated to another Roost looks the same there.
func TestSanitizeRender(t *testing.T) {
	o, _ := testOptions()
	r := Render("hi @alice, see https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code #News\n\nbye", o)
	got := Sanitize(r.HTML)
	want := `<p>hi <span class="h-card" translate="no"><a href="https://example.com/@alice"` + rel + ` class="u-url mention">@<span>alice</span></a></span>, see ` +
		`<a href="https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code" target="_blank" rel="nofollow noopener noreferrer" translate="no">` +
		`<span class="invisible">https://www.</span><span class="ellipsis">theguardian.com/money/2019/dec</span><span class="invisible">/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code</span></a> ` +
		`<a href="https://example.com/tags/news" target="_blank" rel="nofollow noopener noreferrer" class="mention hashtag">#<span>News</span></a></p><p>bye</p>`
	if got != want {
		t.Errorf("Sanitize(Render)\n got %s\nwant %s", got, want)
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"no markup", "  just text ", "just text"},
		{"entities", "<p>a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &eacute;</p>", `a & b <c> "d" 'e' é`},
		{"breaks", "<p>a<br>b<br />c</p>", "a\nb\nc"},
		{"paragraphs", "<p>a</p><p>b</p>", "a\n\nb"},
		{"break before paragraph end", "<p>a<br></p><p>b</p>", "a\n\nb"},
		{"source newlines are layout", "<p>a\nb</p>\n\n<p>c</p>\n", "a b\n\nc"},
		{"mastodon link", `<p>see <a href="https://x.org/long"><span class="invisible">https://</span><span class="ellipsis">x.org/lo</span><span class="invisible">ng</span></a></p>`, "see https://x.org/long"},
		{"mention", `<span class="h-card"><a href="https://m.example/@a" class="u-url mention">@<span>a</span></a></span> hi`, "@a hi"},
		{"lists", "<ul><li>one</li><li>two</li></ul><p>after</p>", "one\ntwo\n\nafter"},
		{"pre keeps newlines", "<pre>a\n  b</pre>", "a\n  b"},
		{"script and style dropped", "<script>alert(1)</script><style>p{}</style>text", "text"},
		{"svg dropped", "<svg><title>t</title><text>x</text></svg>text", "text"},
		{"unclosed", "<p>a <b>b", "a b"},
		{"bare ampersand", "a & b", "a & b"},
		{"newline in bare text is layout too", "a\nb", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
