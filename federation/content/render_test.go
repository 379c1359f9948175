package content

import (
	"slices"
	"strings"
	"testing"
)

// accounts is the fake directory the tests resolve mentions against, keyed
// by lowercased "username@domain" with "" for local accounts.
var accounts = map[string]Target{
	"alice@":               {ID: "1", Username: "alice", URL: "https://example.com/@alice"},
	"bob@":                 {ID: "2", Username: "bob", URL: "https://example.com/@bob"},
	"bob@remote.example":   {ID: "3", Username: "bob", Domain: "remote.example", URL: "https://remote.example/@bob"},
	"carol@remote.example": {ID: "4", Username: "Carol", Domain: "remote.example", URL: "https://remote.example/users/Carol"},
	"dave@localhost:3000":  {ID: "5", Username: "dave", Domain: "localhost:3000", URL: "http://localhost:3000/@dave"},
	"x.y-z@":               {ID: "6", Username: "x.y-z", URL: "https://example.com/@x.y-z"},
	"evil@":                {ID: "7", Username: `ev"il`, URL: `https://example.com/@"><script>`},
}

// testOptions returns Options resolving from accounts, and a pointer to the
// list of lookups made.
func testOptions() (Options, *[]string) {
	var calls []string
	return Options{
		BaseURL:     "https://example.com",
		LocalDomain: "example.com",
		Resolve: func(username, domain string) (Target, bool) {
			calls = append(calls, username+"@"+domain)
			t, ok := accounts[strings.ToLower(username+"@"+domain)]
			return t, ok
		},
	}, &calls
}

// link is the markup Render makes for a URL, for building expectations.
func link(href, prefix, shown, rest string) string {
	class := ""
	if rest != "" {
		class = "ellipsis"
	}
	return `<a href="` + href + `" target="_blank" rel="nofollow noopener noreferrer" translate="no">` +
		`<span class="invisible">` + prefix + `</span><span class="` + class + `">` + shown +
		`</span><span class="invisible">` + rest + `</span></a>`
}

// mention is the markup Render makes for a resolved mention.
func mention(href, shown string) string {
	return `<span class="h-card" translate="no"><a href="` + href + `" class="u-url mention">@<span>` + shown + `</span></a></span>`
}

// hashtag is the markup Render makes for a hashtag.
func hashtag(path, shown string) string {
	return `<a href="https://example.com/tags/` + path + `" class="mention hashtag" rel="tag">#<span>` + shown + `</span></a>`
}

func TestRenderText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"blank", " \t\n\r\n ", ""},
		{"unicode blank", "\u3000\u00a0", ""},
		{"plain", "Hello world", "<p>Hello world</p>"},
		{"stripped", "\n\n  Hello  \n", "<p>Hello</p>"},
		{"script", `<script>alert("x")</script>`, "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>"},
		{"quotes and ampersand", `Tom & Jerry's "show"`, "<p>Tom &amp; Jerry&#39;s &quot;show&quot;</p>"},
		{"entity stays literal", "&amp; &#39;", "<p>&amp;amp; &amp;#39;</p>"},
		{"line break", "one\ntwo", "<p>one<br />two</p>"},
		{"crlf", "one\r\ntwo\rthree", "<p>one<br />two<br />three</p>"},
		{"paragraphs", "one\n\ntwo", "<p>one</p><p>two</p>"},
		{"many blank lines", "one\n\n\n\n\ntwo\nthree", "<p>one</p><p>two<br />three</p>"},
		{"crlf paragraphs", "one\r\n\r\ntwo", "<p>one</p><p>two</p>"},
		{"space-only line", "one\n \ntwo", "<p>one<br /> <br />two</p>"},
		{"space paragraph", "one\n\n \n\ntwo", "<p>one</p><p> </p><p>two</p>"},
		{"inner spaces kept", "a  b\tc", "<p>a  b\tc</p>"},
		{"invalid utf-8", "a\xffb", "<p>a\uFFFDb</p>"},
	}
	o, _ := testOptions()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Render(tt.in, o).HTML; got != tt.want {
				t.Errorf("Render(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestRenderURLs(t *testing.T) {
	long := "https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"
	tests := []struct {
		name, in, want string
		links          []string
	}{
		{"short", "see https://example.com/path",
			"<p>see " + link("https://example.com/path", "https://", "example.com/path", "") + "</p>",
			[]string{"https://example.com/path"}},
		{"http and www", "http://www.example.com",
			"<p>" + link("http://www.example.com", "http://www.", "example.com", "") + "</p>", nil},
		{"fixture long url", long,
			"<p>" + link(long, "https://www.", "theguardian.com/money/2019/dec", "/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code") + "</p>", nil},
		{"exactly 30 shown", "https://abcdefghijklmnopqrstuvwxyz.com",
			"<p>" + link("https://abcdefghijklmnopqrstuvwxyz.com", "https://", "abcdefghijklmnopqrstuvwxyz.com", "") + "</p>", nil},
		{"31 cut", "https://abcdefghijklmnopqrstuvwxyz.com/",
			"<p>" + link("https://abcdefghijklmnopqrstuvwxyz.com/", "https://", "abcdefghijklmnopqrstuvwxyz.com", "/") + "</p>", nil},
		{"cut counts characters", "https://example.com/" + strings.Repeat("é", 21),
			"<p>" + link("https://example.com/"+strings.Repeat("é", 21), "https://", "example.com/"+strings.Repeat("é", 18), "ééé") + "</p>", nil},
		{"trailing period", "Go to https://example.com/a.",
			"<p>Go to " + link("https://example.com/a", "https://", "example.com/a", "") + ".</p>", nil},
		{"trailing comma, bang, question", "https://example.com/a, https://example.com/b! https://example.com/c?",
			"<p>" + link("https://example.com/a", "https://", "example.com/a", "") + ", " +
				link("https://example.com/b", "https://", "example.com/b", "") + "! " +
				link("https://example.com/c", "https://", "example.com/c", "") + "?</p>", nil},
		{"domain then period", "at https://example.com.",
			"<p>at " + link("https://example.com", "https://", "example.com", "") + ".</p>", nil},
		{"unbalanced paren", "(see https://example.com/a)",
			"<p>(see " + link("https://example.com/a", "https://", "example.com/a", "") + ")</p>", nil},
		{"balanced parens", "https://en.wikipedia.org/wiki/Go_(language))",
			"<p>" + link("https://en.wikipedia.org/wiki/Go_(language)", "https://", "en.wikipedia.org/wiki/Go_(lang", "uage)") + ")</p>", nil},
		{"query and fragment", "https://example.com/search?q=a&b=c#top.",
			"<p>" + link("https://example.com/search?q=a&amp;b=c#top", "https://", "example.com/search?q=a&amp;b=c#top", "") + ".</p>", nil},
		{"query after domain", "https://example.com?x=1",
			"<p>" + link("https://example.com?x=1", "https://", "example.com?x=1", "") + "</p>", nil},
		{"port", "http://example.com:8080/x",
			"<p>" + link("http://example.com:8080/x", "http://", "example.com:8080/x", "") + "</p>", nil},
		{"localhost", "http://localhost:3000/@dave",
			"<p>" + link("http://localhost:3000/@dave", "http://", "localhost:3000/@dave", "") + "</p>", nil},
		{"quote ends url", `"https://example.com/a"`,
			"<p>&quot;" + link("https://example.com/a", "https://", "example.com/a", "") + "&quot;</p>", nil},
		{"apostrophe inside", "https://example.com/it's",
			"<p>" + link("https://example.com/it&#39;s", "https://", "example.com/it&#39;s", "") + "</p>", nil},
		{"angle brackets end url", "<https://example.com/a>",
			"<p>&lt;" + link("https://example.com/a", "https://", "example.com/a", "") + "&gt;</p>", nil},
		{"uppercase scheme shown", "HTTPS://EXAMPLE.COM",
			"<p>" + link("HTTPS://EXAMPLE.COM", "", "HTTPS://EXAMPLE.COM", "") + "</p>", nil},
		{"idn", "https://münchen.de/straße",
			"<p>" + link("https://münchen.de/straße", "https://", "münchen.de/straße", "") + "</p>", nil},
		{"no tld", "https://intranet/page", "<p>https://intranet/page</p>", nil},
		{"glued to a word", "xhttps://example.com", "<p>xhttps://example.com</p>", nil},
		{"no scheme", "example.com and www.example.com", "<p>example.com and www.example.com</p>", nil},
		{"other scheme", "ftp://example.com", "<p>ftp://example.com</p>", nil},
		{"javascript", "javascript://example.com/%0Aalert(1)", "<p>javascript://example.com/%0Aalert(1)</p>", nil},
		{"duplicates listed once", "https://a.example https://a.example",
			"<p>" + link("https://a.example", "https://", "a.example", "") + " " + link("https://a.example", "https://", "a.example", "") + "</p>",
			[]string{"https://a.example"}},
	}
	o, _ := testOptions()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Render(tt.in, o)
			if r.HTML != tt.want {
				t.Errorf("Render(%q)\n got %s\nwant %s", tt.in, r.HTML, tt.want)
			}
			if tt.links != nil && !slices.Equal(r.Links, tt.links) {
				t.Errorf("Links = %q, want %q", r.Links, tt.links)
			}
		})
	}
}

func TestRenderMentions(t *testing.T) {
	alice := mention("https://example.com/@alice", "alice")
	tests := []struct {
		name, in, want string
		mentions       []string // IDs
		calls          []string // Resolve calls, when checked
	}{
		{"local", "hi @alice!", "<p>hi " + alice + "!</p>", []string{"1"}, []string{"alice@"}},
		{"local domain", "hi @alice@example.com", "<p>hi " + alice + "</p>", []string{"1"}, []string{"alice@"}},
		{"local domain any case", "hi @alice@Example.COM", "<p>hi " + alice + "</p>", []string{"1"}, []string{"alice@"}},
		{"remote", "@Carol@remote.example hello",
			"<p>" + mention("https://remote.example/users/Carol", "Carol") + " hello</p>", []string{"4"}, nil},
		{"remote typed in another case", "@CAROL@REMOTE.EXAMPLE",
			"<p>" + mention("https://remote.example/users/Carol", "Carol") + "</p>", []string{"4"}, nil},
		{"unresolved stays text", "@nobody and @nobody@else.example",
			"<p>@nobody and @nobody@else.example</p>", nil, []string{"nobody@", "nobody@else.example"}},
		{"email is not a mention", "write to foo@bar.com", "<p>write to foo@bar.com</p>", nil, []string{}},
		{"email of a known user", "alice@example.com", "<p>alice@example.com</p>", nil, []string{}},
		{"trailing dot", "@alice.", "<p>" + alice + ".</p>", []string{"1"}, nil},
		{"dots and dashes inside", "@x.y-z.", "<p>" + mention("https://example.com/@x.y-z", "x.y-z") + ".</p>", []string{"6"}, nil},
		{"in parentheses", "(@alice)", "<p>(" + alice + ")</p>", []string{"1"}, nil},
		{"after equals", "a=@alice", "<p>a=@alice</p>", nil, []string{}},
		{"in url path", "https://example.com/@alice",
			"<p>" + link("https://example.com/@alice", "https://", "example.com/@alice", "") + "</p>", nil, []string{}},
		{"followed by at", "@alice@", "<p>@alice@</p>", nil, []string{}},
		{"followed by accent", "@aliceé", "<p>@aliceé</p>", nil, []string{}},
		{"followed by scheme", "@alice://x", "<p>@alice://x</p>", nil, []string{}},
		{"port", "@dave@localhost:3000 hi", "<p>" + mention("http://localhost:3000/@dave", "dave") + " hi</p>", []string{"5"}, []string{"dave@localhost:3000"}},
		{"once each", "@alice @Alice @alice@example.com", "<p>" + alice + " " + alice + " " + alice + "</p>", []string{"1"}, []string{"alice@"}},
		{"same username elsewhere", "@bob @bob@remote.example",
			"<p>" + mention("https://example.com/@bob", "bob") + " " + mention("https://remote.example/@bob", "bob@remote.example") + "</p>",
			[]string{"2", "3"}, nil},
		{"escaped target", "@evil", "<p>" + mention("https://example.com/@&quot;&gt;&lt;script&gt;", "ev&quot;il") + "</p>", []string{"7"}, nil},
		{"newline between", "@alice\n@bob", "<p>" + alice + "<br />" + mention("https://example.com/@bob", "bob") + "</p>", []string{"1", "2"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, calls := testOptions()
			r := Render(tt.in, o)
			if r.HTML != tt.want {
				t.Errorf("Render(%q)\n got %s\nwant %s", tt.in, r.HTML, tt.want)
			}
			var ids []string
			for _, m := range r.Mentions {
				ids = append(ids, m.ID)
			}
			if !slices.Equal(ids, tt.mentions) {
				t.Errorf("Mentions = %q, want %q", ids, tt.mentions)
			}
			if tt.calls != nil && !slices.Equal(*calls, tt.calls) && !(len(*calls) == 0 && len(tt.calls) == 0) {
				t.Errorf("Resolve calls = %q, want %q", *calls, tt.calls)
			}
		})
	}
}

func TestRenderNoResolver(t *testing.T) {
	r := Render("@alice hi", Options{BaseURL: "https://example.com"})
	if r.HTML != "<p>@alice hi</p>" || r.Mentions != nil {
		t.Errorf("got %+v", r)
	}
}

func TestRenderHashtags(t *testing.T) {
	tests := []struct {
		name, in, want string
		tags           []string
	}{
		{"simple", "#Go", "<p>" + hashtag("go", "Go") + "</p>", []string{"go"}},
		{"accented", "#café", "<p>" + hashtag("caf%C3%A9", "café") + "</p>", []string{"café"}},
		{"cjk", "#日本語 です", "<p>" + hashtag("%E6%97%A5%E6%9C%AC%E8%AA%9E", "日本語") + " です</p>", []string{"日本語"}},
		{"uppercase non-ascii", "#ÉTÉ", "<p>" + hashtag("%C3%A9t%C3%A9", "ÉTÉ") + "</p>", []string{"été"}},
		{"digits only", "#2024", "<p>#2024</p>", nil},
		{"digits then letter", "#2024a", "<p>" + hashtag("2024a", "2024a") + "</p>", []string{"2024a"}},
		{"underscore", "#hello_world", "<p>" + hashtag("hello_world", "hello_world") + "</p>", []string{"hello_world"}},
		{"trailing underscore kept", "#tag_", "<p>" + hashtag("tag_", "tag_") + "</p>", []string{"tag_"}},
		{"middle dot", "#a·b", "<p>" + hashtag("a%C2%B7b", "a·b") + "</p>", []string{"a·b"}},
		{"trailing middle dot", "#ab·", "<p>" + hashtag("ab", "ab") + "·</p>", []string{"ab"}},
		{"punctuation ends", "#tag. #tag2, (#tag3)", "<p>" + hashtag("tag", "tag") + ". " + hashtag("tag2", "tag2") + ", (" + hashtag("tag3", "tag3") + ")</p>", []string{"tag", "tag2", "tag3"}},
		{"inside word", "c#sharp and foo#bar", "<p>c#sharp and foo#bar</p>", nil},
		{"after slash", "a/#b", "<p>a/#b</p>", nil},
		{"url fragment", "https://x.org/#anchor",
			"<p>" + link("https://x.org/#anchor", "https://", "x.org/#anchor", "") + "</p>", nil},
		{"url fragment word", "https://x.org/page#anchor",
			"<p>" + link("https://x.org/page#anchor", "https://", "x.org/page#anchor", "") + "</p>", nil},
		{"full width", "＃Tag", "<p>" + hashtag("tag", "Tag") + "</p>", []string{"tag"}},
		{"once each", "#Go #GO #go", "<p>" + hashtag("go", "Go") + " " + hashtag("go", "GO") + " " + hashtag("go", "go") + "</p>", []string{"go"}},
		{"scheme split off", "#newshttps://example.com",
			"<p>" + hashtag("news", "news") + "https://example.com</p>", []string{"news"}},
		{"html in tag position", "#<b>", "<p>#&lt;b&gt;</p>", nil},
	}
	o, _ := testOptions()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Render(tt.in, o)
			if r.HTML != tt.want {
				t.Errorf("Render(%q)\n got %s\nwant %s", tt.in, r.HTML, tt.want)
			}
			if !slices.Equal(r.Tags, tt.tags) {
				t.Errorf("Tags = %q, want %q", r.Tags, tt.tags)
			}
		})
	}
}

func TestRenderBaseURLSlash(t *testing.T) {
	r := Render("#go", Options{BaseURL: "https://example.com/"})
	want := `<p><a href="https://example.com/tags/go" class="mention hashtag" rel="tag">#<span>go</span></a></p>`
	if r.HTML != want {
		t.Errorf("got %s", r.HTML)
	}
}

func TestRenderField(t *testing.T) {
	o, _ := testOptions()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "  ", ""},
		{"text", `<b>"me"</b>`, "&lt;b&gt;&quot;me&quot;&lt;/b&gt;"},
		{"fixture link", "https://www.patreon.com/mastodon",
			`<a href="https://www.patreon.com/mastodon" target="_blank" rel="nofollow noopener noreferrer me" translate="no"><span class="invisible">https://www.</span><span class="">patreon.com/mastodon</span><span class="invisible"></span></a>`},
		{"no paragraphs", "a\n\nb", "a\n\nb"},
		{"remote mention with domain", "@bob@remote.example",
			mention("https://remote.example/@bob", "bob@remote.example")},
		{"local mention", "@alice@example.com", mention("https://example.com/@alice", "alice")},
		{"hashtag", "#Go", hashtag("go", "Go")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RenderField(tt.in, o); got != tt.want {
				t.Errorf("RenderField(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestEscapeText(t *testing.T) {
	tests := map[string]string{
		"Eugen":               "Eugen",
		`<img src=x> & "q" '`: "&lt;img src=x&gt; &amp; &quot;q&quot; &#39;",
		"日本 🐘":                "日本 🐘",
		"bad\xff":             "bad\uFFFD",
	}
	for in, want := range tests {
		if got := EscapeText(in); got != want {
			t.Errorf("EscapeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPlainTextRoundTrip checks that a rendered status turns back into what
// was typed, which delete-and-redraft relies on.
func TestPlainTextRoundTrip(t *testing.T) {
	o, _ := testOptions()
	for _, in := range []string{
		"Hello world",
		"one\ntwo\n\nthree & <four>",
		"@alice see https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code #News",
		"\"quoted\" 'single'",
	} {
		if got := PlainText(Render(in, o).HTML); got != in {
			t.Errorf("PlainText(Render(%q)) = %q", in, got)
		}
	}
}
