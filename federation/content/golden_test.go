package content

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenCases are multi-feature inputs whose whole output is kept in
// testdata/golden/NAME.html, to be read and checked by eye when it changes.
var goldenCases = []struct {
	name string
	run  func(o Options) string
}{
	{"status-mixed", func(o Options) string {
		return Render(`Hey @alice and @Carol@remote.example — "ready" for #RoostLaunch? <3 & more

Notes: https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code.
Ping @nobody@nowhere.example or mail me@example.org

#café #日本語 #2024`, o).HTML
	}},
	{"status-punctuation", func(o Options) string {
		return Render(`Read (https://en.wikipedia.org/wiki/Go_(programming_language)), then https://example.com/a?b=1&c=2#frag!
Also https://x.org/#anchor, <https://example.com/path/> and "https://example.com/q".`, o).HTML
	}},
	{"status-same-username", func(o Options) string {
		return Render("@bob meet @bob@remote.example\n\n\n\n@dave@localhost:3000 http://localhost:3000/@dave", o).HTML
	}},
	{"field", func(o Options) string {
		return RenderField("https://www.patreon.com/mastodon & @bob@remote.example #Go", o)
	}},
	{"sanitize-remote", func(Options) string {
		return Sanitize(`<h1 class="p-name">Title</h1><p class="e-content" style="x" onclick="alert(1)">Hi <span class="h-card"><a href="https://m.example/@a" class="u-url mention" rel="tag">@<span>a</span></a></span> <a href="javascript:alert(1)">bad</a> <img src="x.png"><script>evil()</script>
<ul><li>one<li>two</ul><blockquote><p>quote <b>bold</p></blockquote><iframe src="https://x"></iframe>`)
	}},
}

func TestGolden(t *testing.T) {
	o, _ := testOptions()
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.run(o) + "\n"
			path := filepath.Join("testdata", "golden", tc.name+".html")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update if the change is right)\n got %s\nwant %s",
					path, strings.TrimSpace(got), strings.TrimSpace(string(want)))
			}
		})
	}
}
