package preview

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roost-social/roost/federation/fetch"
	"github.com/roost-social/roost/store"
)

func TestFirstLink(t *testing.T) {
	for _, tc := range []struct {
		name, html, want string
	}{
		{"none", `<p>Nothing to see here.</p>`, ""},
		{"empty", ``, ""},
		{"plain", `<p>look <a href="https://example.com/a" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span>example.com/a</a></p>`, "https://example.com/a"},
		{"mention skipped",
			`<p><span class="h-card"><a href="https://social.example/@ann" class="u-url mention">@<span>ann</span></a></span> see <a href="https://example.com/b">example.com/b</a></p>`,
			"https://example.com/b"},
		{"mention by class only", `<a href="https://social.example/users/ann" class="mention">Ann</a>`, ""},
		{"hashtag skipped",
			`<p><a href="https://social.example/tags/cats" class="mention hashtag" rel="tag">#<span>cats</span></a> <a href="http://example.org/">example.org</a></p>`,
			"http://example.org/"},
		{"rel tag skipped", `<a href="https://social.example/tags/x" rel="tag">x</a>`, ""},
		{"hash text skipped", `<a href="https://misskey.example/tags/dogs">#dogs</a> <a href="https://example.com/c">c</a>`, "https://example.com/c"},
		{"at text skipped", `<a href="https://misskey.example/@bob">@bob</a>`, ""},
		{"first of several", `<p><a href="https://one.example/">one</a> <a href="https://two.example/">two</a></p>`, "https://one.example/"},
		{"javascript skipped", `<a href="javascript:alert(1)">click</a><a href="https://example.com/d">d</a>`, "https://example.com/d"},
		{"relative skipped", `<a href="/about">about</a><a href="//example.com/e">e</a>`, ""},
		{"mailto skipped", `<a href="mailto:a@example.com">mail</a>`, ""},
		{"userinfo skipped", `<a href="https://user:pw@example.com/">x</a>`, ""},
		{"quote skipped",
			`<p class="quote-inline">RE: <a href="https://social.example/@ann/1">https://social.example/@ann/1</a></p><p>Agreed, <a href="https://example.com/f">this</a></p>`,
			"https://example.com/f"},
		{"quote span skipped", `<span class="quote-inline"><br>RE: <a href="https://social.example/notes/9">link</a></span>`, ""},
		{"spaces trimmed", `<a href=" https://example.com/g ">g</a>`, "https://example.com/g"},
		{"uppercase scheme", `<a href="HTTPS://example.com/h">h</a>`, "HTTPS://example.com/h"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FirstLink(tc.html); got != tc.want {
				t.Errorf("FirstLink(%q) = %q, want %q", tc.html, got, tc.want)
			}
		})
	}
}

// testClient reaches httptest servers on loopback.
func testClient() *fetch.Client {
	return fetch.New(fetch.Config{AllowHTTP: true, AllowedPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
}

// site is a fake remote web site serving canned pages and counting requests.
type site struct {
	*httptest.Server
	hits atomic.Int64
}

func newSite(t *testing.T, h http.Handler) *site {
	t.Helper()
	s := &site{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// page serves a testdata file with a content type.
func page(t *testing.T, file, contentType string) http.HandlerFunc {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(b)
	}
}

func mustFetch(t *testing.T, url string) *store.PreviewCard {
	t.Helper()
	c, err := Fetch(context.Background(), testClient(), url)
	if err != nil {
		t.Fatalf("Fetch(%s): %v", url, err)
	}
	if c.FetchedAt.IsZero() {
		t.Error("FetchedAt not set")
	}
	c.FetchedAt = time.Time{}
	return c
}

func checkCard(t *testing.T, got, want *store.PreviewCard) {
	t.Helper()
	if (got.PublishedAt == nil) != (want.PublishedAt == nil) ||
		(got.PublishedAt != nil && !got.PublishedAt.Equal(*want.PublishedAt)) {
		t.Errorf("PublishedAt = %v, want %v", got.PublishedAt, want.PublishedAt)
	}
	g, w := *got, *want
	g.PublishedAt, w.PublishedAt = nil, nil
	if g != w {
		t.Errorf("card:\n got %+v\nwant %+v", g, w)
	}
}

func TestFetchOpenGraph(t *testing.T) {
	s := newSite(t, page(t, "opengraph.html", "text/html; charset=utf-8"))
	got := mustFetch(t, s.URL+"/articles/harbour-walk?utm_source=fedi")
	published := time.Date(2024, 5, 17, 6, 30, 0, 0, time.UTC)
	checkCard(t, got, &store.PreviewCard{
		URL:          s.URL + "/articles/harbour-walk", // og:url, same host
		Title:        "A Walk Around the Harbour",
		Description:  "Boats, gulls and a very long pier.",
		Type:         "link",
		AuthorName:   "Inès Marin",
		AuthorURL:    "https://harbour.example/staff/ines",
		ProviderName: "Harbour Gazette",
		ProviderURL:  s.URL + "/",
		ImageURL:     "https://cdn.example.net/harbour.jpg",
		Width:        1200,
		Height:       630,
		Language:     "en",
		PublishedAt:  &published,
	})
}

func TestFetchPlainHTML(t *testing.T) {
	s := newSite(t, page(t, "plain.html", "text/html"))
	got := mustFetch(t, s.URL+"/minutes")
	u, _ := url.Parse(s.URL)
	checkCard(t, got, &store.PreviewCard{
		URL:          s.URL + "/minutes",
		Title:        "Minutes of the Allotment Committee",
		Description:  "Decisions about the compost heap.",
		Type:         "link",
		AuthorName:   "The Secretary",
		AuthorURL:    s.URL + "/people/secretary",
		ProviderName: u.Hostname(),
		ProviderURL:  s.URL + "/",
	})
}

func TestFetchTwitterOnly(t *testing.T) {
	s := newSite(t, page(t, "twitter.html", "application/xhtml+xml"))
	got := mustFetch(t, s.URL+"/receita")
	u, _ := url.Parse(s.URL)
	checkCard(t, got, &store.PreviewCard{
		URL:          s.URL + "/receita",
		Title:        "Receita de pão de queijo",
		Description:  "Polvilho, queijo e paciência.",
		Type:         "link",
		ProviderName: u.Hostname(),
		ProviderURL:  s.URL + "/",
		ImageURL:     "http://images.example.org/pao.png", // scheme-relative, resolved
		Language:     "pt",
	})
}

func TestFetchEntitiesAndWhitespace(t *testing.T) {
	s := newSite(t, page(t, "entities.html", "text/html"))
	got := mustFetch(t, s.URL+"/")
	for field, pair := range map[string][2]string{
		"Title":        {got.Title, "Fish & Chips — a history"},
		"Description":  {got.Description, `Salt & vinegar, "wrapped" in paper <3`},
		"ProviderName": {got.ProviderName, "The Chippy's Blog"},
		"AuthorName":   {got.AuthorName, "Tom's friend"},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s = %q, want %q", field, pair[0], pair[1])
		}
	}
}

func TestFetchRelativeImageAndForeignOGURL(t *testing.T) {
	s := newSite(t, page(t, "relative.html", "text/html"))
	got := mustFetch(t, s.URL+"/a/b/page")
	if want := s.URL + "/a/img/cover.png?size=large"; got.ImageURL != want {
		t.Errorf("ImageURL = %q, want %q", got.ImageURL, want)
	}
	if got.Width != 0 || got.Height != 0 {
		t.Errorf("size = %dx%d, want 0x0 for nonsense dimensions", got.Width, got.Height)
	}
	if want := s.URL + "/a/b/page"; got.URL != want {
		t.Errorf("URL = %q, want the requested %q (og:url on another host is ignored)", got.URL, want)
	}
	if got.AuthorURL != "" {
		t.Errorf("AuthorURL = %q, want none for a javascript: link", got.AuthorURL)
	}
}

func TestFetchCharsets(t *testing.T) {
	const want = "Café crème – “très bon”"
	for _, tc := range []struct{ name, contentType string }{
		{"meta charset", "text/html"},
		{"header charset", "text/html; charset=windows-1252"},
		{"undeclared", "text/html"}, // served without the meta below
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := os.ReadFile("testdata/latin1.html")
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "undeclared" {
				b = bytes.Replace(b, []byte(`<meta charset="iso-8859-1">`), nil, 1)
			}
			s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				_, _ = w.Write(b)
			}))
			if got := mustFetch(t, s.URL+"/").Title; got != want {
				t.Errorf("Title = %q, want %q", got, want)
			}
		})
	}
	t.Run("other charset keeps ASCII only", func(t *testing.T) {
		s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=shift_jis")
			_, _ = io.WriteString(w, "<title>\x93\xfa\x96\x7b</title><meta name=description content=\"plain ascii\">")
		}))
		_, err := Fetch(context.Background(), testClient(), s.URL+"/")
		if !errors.Is(err, ErrNoCard) {
			t.Errorf("err = %v, want ErrNoCard for an undecodable title", err)
		}
	})
}

func TestFetchNoCard(t *testing.T) {
	json := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"title":"not a page"}`)
	}))
	noTitle := newSite(t, page(t, "notitle.html", "text/html"))
	notFound := newSite(t, http.NotFoundHandler())
	for name, u := range map[string]string{
		"json":      json.URL + "/api",
		"no title":  noTitle.URL + "/",
		"not found": notFound.URL + "/gone",
	} {
		t.Run(name, func(t *testing.T) {
			c, err := Fetch(context.Background(), testClient(), u)
			if !errors.Is(err, ErrNoCard) || c != nil {
				t.Errorf("Fetch = %+v, %v; want ErrNoCard", c, err)
			}
		})
	}
}

func TestFetchRefusesWithoutRequest(t *testing.T) {
	s := newSite(t, page(t, "plain.html", "text/html"))
	host := strings.TrimPrefix(s.URL, "http://")
	for _, u := range []string{
		"", "/relative", "example.com/no-scheme", "http://", "http:///path",
		"http://user:secret@" + host + "/", "http://user@" + host + "/",
		"ftp://" + host + "/", "javascript:alert(1)", "gopher://" + host + "/", "file:///etc/passwd",
		"http:" + host + "/opaque",
	} {
		_, err := Fetch(context.Background(), testClient(), u)
		if !errors.Is(err, ErrNoCard) {
			t.Errorf("Fetch(%q) err = %v, want ErrNoCard", u, err)
		}
	}
	if n := s.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the server, want none", n)
	}
}

func TestFetchImage(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	for _, tc := range []struct{ name, contentType string }{
		{"declared", "image/jpeg"},
		{"sniffed", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType == "" {
					w.Header()["Content-Type"] = nil // no header, not even the server's sniffed one
				} else {
					w.Header().Set("Content-Type", tc.contentType)
				}
				_, _ = w.Write(png)
			}))
			u := s.URL + "/photos/www.cat%20picture.png"
			got := mustFetch(t, u)
			pu, _ := url.Parse(s.URL)
			checkCard(t, got, &store.PreviewCard{
				URL:          u,
				Title:        "www.cat picture.png",
				Type:         "photo",
				ImageURL:     u,
				ProviderName: pu.Hostname(),
				ProviderURL:  s.URL + "/",
			})
		})
	}
	t.Run("svg is not a photo", func(t *testing.T) {
		s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/svg+xml")
			_, _ = io.WriteString(w, `<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>`)
		}))
		if _, err := Fetch(context.Background(), testClient(), s.URL+"/x.svg"); !errors.Is(err, ErrNoCard) {
			t.Errorf("err = %v, want ErrNoCard", err)
		}
	})
}

// bigPage streams head, then padding bytes of filler, then tail, without a
// Content-Length, and records how much of it was written before the client
// went away.
func bigPage(head string, padding int, tail string, written *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		n, err := io.WriteString(w, head)
		written.Add(int64(n))
		if err != nil {
			return
		}
		chunk := bytes.Repeat([]byte("lorem ipsum "), 64<<10/12)
		for sent := 0; sent < padding; sent += len(chunk) {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
		n, _ = io.WriteString(w, tail)
		written.Add(int64(n))
	}
}

func TestFetchHugePage(t *testing.T) {
	t.Run("title after the limit", func(t *testing.T) {
		var written atomic.Int64
		s := newSite(t, bigPage("<html><head><!-- ", 2<<20, " --><title>Too late</title></head></html>", &written))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		c, err := Fetch(context.Background(), testClient(), s.URL+"/")
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrNoCard) || c != nil {
			t.Errorf("Fetch = %+v, %v; want ErrNoCard (the title is past the first MiB)", c, err)
		}
		if elapsed > 5*time.Second {
			t.Errorf("took %v", elapsed)
		}
		// Allocation includes the server's side of the exchange; a parser
		// that read the whole page would allocate far more.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
			t.Errorf("allocated %d MiB", alloc>>20)
		} else {
			t.Logf("allocated %.1f MiB", float64(alloc)/(1<<20))
		}
	})
	t.Run("stops at end of head", func(t *testing.T) {
		var written atomic.Int64
		const total = 64 << 20
		s := newSite(t, bigPage("<html><head><title>Early</title></head><body>", total, "</body></html>", &written))
		c, err := Fetch(context.Background(), testClient(), s.URL+"/")
		if err != nil || c.Title != "Early" {
			t.Fatalf("Fetch = %+v, %v; want the card of the head", c, err)
		}
		s.Close() // waits for the handler, which fails once the client hung up
		if n := written.Load(); n >= total {
			t.Errorf("server wrote all %d bytes; the body should have been abandoned", n)
		}
	})
	t.Run("cut short by the client's limit", func(t *testing.T) {
		var written atomic.Int64
		s := newSite(t, bigPage("<html><head><title>Kept</title><!-- ", 1<<20, " --></head>", &written))
		small := fetch.New(fetch.Config{AllowHTTP: true, MaxBody: 4096,
			AllowedPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
		c, err := Fetch(context.Background(), small, s.URL+"/")
		if err != nil || c.Title != "Kept" {
			t.Errorf("Fetch = %+v, %v; want a card from the first 4096 bytes", c, err)
		}
	})
	t.Run("declared length over the client's limit", func(t *testing.T) {
		s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", "3000000")
			_, _ = io.WriteString(w, "<title>Big</title>")
		}))
		if _, err := Fetch(context.Background(), testClient(), s.URL+"/"); !errors.Is(err, ErrNoCard) || !errors.Is(err, fetch.ErrTooLarge) {
			t.Errorf("err = %v, want ErrNoCard wrapping fetch.ErrTooLarge", err)
		}
	})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestScanStopsAtHead(t *testing.T) {
	padding := strings.Repeat("<p>filler</p>", 10000) // 130 kB
	for _, tc := range []struct {
		name, page string
		stop       bool // reading stops long before the end
	}{
		{"end of head", "<html><head><title>T</title></head><body>" + padding, true},
		{"body without end of head", "<title>T</title><body>" + padding, true},
		{"og:title only", `<head><meta property="og:title" content="T"></head>` + padding, true},
		{"no title in head reads on", "<head></head><body>" + padding + "<title>T</title>", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &countingReader{r: strings.NewReader(tc.page)}
			m, err := scan(r)
			if err != nil || !m.hasTitle() {
				t.Fatalf("scan = %+v, %v", m, err)
			}
			if stopped := r.n < 64<<10; stopped != tc.stop {
				t.Errorf("read %d of %d bytes; want stopped early = %v", r.n, len(tc.page), tc.stop)
			}
		})
	}
}

func TestFetchNeverFinishes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before string // written before stalling; "" stalls before the headers
	}{
		{"before headers", ""},
		{"inside head", "<html><head><title>Slow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.before != "" {
					w.Header().Set("Content-Type", "text/html")
					_, _ = io.WriteString(w, tc.before)
					w.(http.Flusher).Flush()
				}
				select {
				case <-r.Context().Done():
				case <-done:
				}
			}))
			t.Cleanup(func() { close(done) }) // runs before s.Close
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := Fetch(ctx, testClient(), s.URL+"/")
			if !errors.Is(err, ErrNoCard) {
				t.Errorf("err = %v, want ErrNoCard", err)
			}
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Errorf("took %v, want about the 200ms deadline", elapsed)
			}
		})
	}
}

func TestFetchRedirect(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/short", http.RedirectHandler("/long/path/page", http.StatusMovedPermanently))
	mux.HandleFunc("/long/path/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, `<title>Landed</title><meta property="og:image" content="cover.jpg">`)
	})
	s := newSite(t, mux)
	got := mustFetch(t, s.URL+"/short")
	if got.Title != "Landed" || got.URL != s.URL+"/short" || got.ImageURL != s.URL+"/long/path/cover.jpg" {
		t.Errorf("card = %+v; want the landing page's title, the requested URL, the image relative to the landing page", got)
	}
}

func TestFetchGuard(t *testing.T) {
	s := newSite(t, page(t, "plain.html", "text/html"))
	_, err := Fetch(context.Background(), fetch.New(fetch.Config{AllowHTTP: true}), s.URL+"/")
	if !errors.Is(err, ErrNoCard) || !errors.Is(err, fetch.ErrForbiddenAddress) {
		t.Errorf("err = %v, want ErrNoCard wrapping fetch.ErrForbiddenAddress", err)
	}
	if n := s.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the server, want none", n)
	}
}

func TestCleanTextLimit(t *testing.T) {
	long := strings.Repeat("é", 300)
	got := cleanText(long, maxTitle, encUTF8)
	if n := len([]rune(got)); n != maxTitle || !strings.HasSuffix(got, "…") {
		t.Errorf("cleanText(300 runes) = %d runes ending %q, want %d ending in …", n, got[len(got)-6:], maxTitle)
	}
	if got := cleanText(strings.Repeat("x", maxTitle), maxTitle, encUTF8); got != strings.Repeat("x", maxTitle) {
		t.Errorf("text of exactly the limit was changed")
	}
	huge := strings.Repeat("word  ", 200000)
	if got := cleanText(huge, maxDescription, encGuess); len([]rune(got)) != maxDescription {
		t.Errorf("cleanText(huge) = %d runes, want %d", len([]rune(got)), maxDescription)
	}
	if got := cleanText("\x00a\u200b\tb\u0085", 10, encUTF8); got != "a b" {
		t.Errorf("controls: got %q, want %q", got, "a b")
	}
}

func TestLanguageAndPublished(t *testing.T) {
	for in, want := range map[string]string{"en_US": "en", "pt-BR": "pt", "DE": "de", "fil": "fil", "": "", "english": "", "e1": "", "zh-Hant-TW": "zh"} {
		if got := language(in); got != want {
			t.Errorf("language(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"2024-05-17T08:30:00+02:00":     "2024-05-17T06:30:00Z",
		"2024-05-17T08:30:00.123Z":      "2024-05-17T08:30:00.123Z",
		"2024-05-17T08:30:00+0200":      "2024-05-17T06:30:00Z",
		"2024-05-17T08:30:00":           "2024-05-17T08:30:00Z",
		"2024-05-17":                    "2024-05-17T00:00:00Z",
		"yesterday":                     "",
		"2024-13-45T99:00:00Z":          "",
		"2024-05-17T08:30:00 something": "",
	} {
		got := ""
		if p := published(in); p != nil {
			got = p.Format(time.RFC3339Nano)
		}
		if got != want {
			t.Errorf("published(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDelay(t *testing.T) {
	if d := Delay(0); d != 0 {
		t.Errorf("Delay(0) = %v", d)
	}
	if d := Delay(-time.Second); d != 0 {
		t.Errorf("Delay(-1s) = %v", d)
	}
	const base = time.Minute
	var low, high bool
	for range 10000 {
		d := Delay(base)
		if d < base || d >= 2*base {
			t.Fatalf("Delay(%v) = %v, outside [base, 2*base)", base, d)
		}
		low = low || d < base+base/4
		high = high || d >= 2*base-base/4
	}
	if !low || !high {
		t.Errorf("10000 delays did not spread over the range (low %v, high %v)", low, high)
	}
	if d := Delay(time.Duration(1<<62 + 1)); d < 0 {
		t.Errorf("Delay(huge) overflowed: %v", d)
	}
}

// FuzzParse feeds arbitrary bytes to the page parser under every encoding:
// it must not panic, and a card it makes must respect the limits.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.html")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		``, `<title>`, `<title>x`, `</head>`, `<svg><title>a</title></svg><title>b</title>`,
		`<meta property="og:title" content="&amp;amp;">`, `<meta property=og:image content="http://[::1">`,
		`<meta property="og:url" content="//%zz">`, `<html lang="xx-\xff"><title>\xff\xfe</title>`,
		`<meta property="article:published_time" content="9999-99-99"><title>t</title>`,
		`<plaintext><title>`, `<title><!--</title>-->`, `<meta charset="utf-16"><title>t</title>`,
	} {
		f.Add([]byte(s))
	}
	page, _ := url.Parse("https://example.com/dir/page?q=1")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, enc := range []encoding{encGuess, encUTF8, enc1252, encOther} {
			var r io.Reader = bytes.NewReader(data)
			if enc == enc1252 {
				r = &reader1252{r: r}
			}
			c, err := parseHTML(r, page.String(), page, enc)
			if err != nil {
				if !errors.Is(err, ErrNoCard) {
					t.Fatalf("error %v is not ErrNoCard", err)
				}
				continue
			}
			if c.Title == "" || c.Type != "link" {
				t.Fatalf("card without title or of type %q", c.Type)
			}
			for _, s := range []string{c.Title, c.Description, c.AuthorName, c.ProviderName, c.Language} {
				if !utf8ValidAndShort(s) {
					t.Fatalf("bad text %q", s)
				}
			}
			for _, s := range []string{c.URL, c.ImageURL, c.AuthorURL} {
				if s == "" {
					continue
				}
				if _, ok := webURL(s); !ok || len(s) > maxURL+len(page.String()) {
					t.Fatalf("bad URL %q", s)
				}
			}
		}
		_ = detectEncoding("", data)
		_ = FirstLink(string(data))
	})
}

func utf8ValidAndShort(s string) bool {
	return strings.ToValidUTF8(s, "") == s && len([]rune(s)) <= maxDescription && strings.TrimSpace(s) == s
}
