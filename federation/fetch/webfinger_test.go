package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// fixtureDir holds real WebFinger answers collected from other servers.
const fixtureDir = "../../../shared/fixtures/activitypub/webfinger"

// wantActor is the ActorURL of each fixture, read off the documents by hand.
var wantActor = map[string]string{
	"gnusocial-administrator.json": "https://gnusocial.net/index.php/user/1",
	"gotosocial-split-domain.json": "http://gts.example.org/users/new_account_domain_user",
	"gotosocial-user.json":         "http://localhost:8080/users/the_mighty_zork",
	"hubzilla-kaniini-2019.json":   "https://gerzilla.de/channel/kaniini",
	"hubzilla-scott.json":          "https://authorship.studio/channel/scott",
	"lemmy-community.json":         "https://lemmy.ml/c/lemmy_support",
	"mastodon-gargron.json":        "https://mastodon.social/users/Gargron",
	"misskey-syuilo.json":          "https://misskey.io/users/7rkrarq81i",
	"mobilizon-framasoft.json":     "https://mobilizon.fr/@framasoft",
	"peertube-framasoft.json":      "https://framatube.org/accounts/framasoft",
	"pixelfed-dansup.json":         "https://pixelfed.social/users/dansup",
	"pleroma-karolat.json":         "https://stereophonic.space/users/karolat",
	"threads-mosseri.json":         "https://www.threads.net/ap/users/mosseri/",
	"wordpress-friendi-ca.json":    "https://friendi.ca/author/tobias/",
	"writefreely-matt.json":        "https://write.as/api/collections/matt",
	"ld-json-profile-only.json":    "https://nomad.example/channel/alice",
	"no-actor.json":                "",
	"relative-first.json":          "https://odd.example/users/carol",
	"xrd-user.xml":                 "https://old.example/user/4",
}

// wfServer serves doc (with content type ct) as every WebFinger answer and
// records the resource asked for.
type wfServer struct {
	*httptest.Server
	resource atomic.Value
	accept   atomic.Value
	hits     atomic.Int64
}

func newWFServer(t *testing.T, doc []byte, ct string) *wfServer {
	t.Helper()
	s := &wfServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if r.URL.Path != "/.well-known/webfinger" {
			http.NotFound(w, r)
			return
		}
		s.resource.Store(r.URL.Query().Get("resource"))
		s.accept.Store(r.Header.Get("Accept"))
		w.Header().Set("Content-Type", ct)
		w.Write(doc)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *wfServer) host() string { return strings.TrimPrefix(s.URL, "http://") }

func checkWebFingerFile(t *testing.T, path string) {
	name := filepath.Base(path)
	want, known := wantActor[name]
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ct := "application/jrd+json; charset=utf-8"
	if strings.HasSuffix(name, ".xml") {
		ct = "application/xrd+xml"
	}
	srv := newWFServer(t, doc, ct)
	c := newTestClient(t, nil)
	acct := "someone@" + srv.host()
	j, err := c.WebFinger(t.Context(), acct)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if got := srv.resource.Load(); got != "acct:"+acct {
		t.Errorf("%s: resource %q", name, got)
	}
	if got := srv.accept.Load(); got != "application/jrd+json, application/json" {
		t.Errorf("%s: Accept %q", name, got)
	}
	if !known {
		t.Logf("%s: no expectation recorded; ActorURL %q", name, j.ActorURL())
		return
	}
	if got := j.ActorURL(); got != want {
		t.Errorf("%s: ActorURL = %q, want %q", name, got, want)
	}
	if j.Subject == "" || len(j.Links) == 0 {
		t.Errorf("%s: decoded %+v", name, j)
	}
}

func TestWebFingerFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	if len(files) == 0 {
		t.Skipf("no fixtures at %s (../shared absent)", fixtureDir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { checkWebFingerFile(t, f) })
	}
}

func TestWebFingerTestdata(t *testing.T) {
	files, _ := filepath.Glob("testdata/webfinger/*")
	if len(files) < 4 {
		t.Fatalf("testdata/webfinger has %d files", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { checkWebFingerFile(t, f) })
	}
}

func TestWebFingerAcctForms(t *testing.T) {
	srv := newWFServer(t, []byte(`{"subject":"acct:alice@x","links":[]}`), "application/json")
	c := newTestClient(t, nil)
	h := srv.host()
	for _, acct := range []string{"alice@" + h, "@alice@" + h, "acct:alice@" + h, " ACCT:alice@" + h + " "} {
		if _, err := c.WebFinger(t.Context(), acct); err != nil {
			t.Errorf("%q: %v", acct, err)
			continue
		}
		if got := srv.resource.Load(); got != "acct:alice@"+h {
			t.Errorf("%q: resource %q", acct, got)
		}
	}
	srv.hits.Store(0)
	for _, bad := range []string{
		"", "alice", "@alice", "alice@", "@" + h, "a@b@" + h, "alice@" + h + "/path",
		"alice@" + h + "?q", "alice@" + h + "#f", "alice@user:pw@" + h, "alice@ho st",
		"al/ice@" + h, "alice@%2e" + h, "alice@[::1",
	} {
		if _, err := c.WebFinger(t.Context(), bad); !errors.Is(err, ErrInvalidURL) {
			t.Errorf("%q: %v, want ErrInvalidURL", bad, err)
		}
	}
	if srv.hits.Load() != 0 {
		t.Errorf("bad accounts caused %d requests", srv.hits.Load())
	}
}

func TestWebFingerHTTPS(t *testing.T) {
	var resource atomic.Value
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resource.Store(r.URL.Query().Get("resource"))
		w.Header().Set("Content-Type", "application/jrd+json")
		io.WriteString(w, `{"links":[{"rel":"self","type":"application/activity+json","href":"https://tls.example/u/a"}]}`)
	}))
	defer srv.Close()
	c := newTestClient(t, func(c *Config) { c.AllowHTTP = false })
	trust(c, srv)
	host := strings.TrimPrefix(srv.URL, "https://")
	j, err := c.WebFinger(t.Context(), "a@"+host)
	if err != nil {
		t.Fatal(err)
	}
	if j.ActorURL() != "https://tls.example/u/a" || resource.Load() != "acct:a@"+host {
		t.Errorf("got %q for %q", j.ActorURL(), resource.Load())
	}
	// With AllowHTTP the lookup uses http, which a TLS server does not speak.
	if _, err := newTestClient(t, nil).WebFinger(t.Context(), "a@"+host); err == nil {
		t.Error("AllowHTTP lookup succeeded against a TLS-only server")
	}
}

// hostMetaServer answers 404 to WebFinger and serves host-meta and an lrdd
// endpoint, counting each.
type hostMetaServer struct {
	*httptest.Server
	wf, hm, lrdd atomic.Int64
	resource     atomic.Value
}

func newHostMetaServer(t *testing.T, hostMeta func(base string) (string, int), lrddCT, lrddDoc string) *hostMetaServer {
	t.Helper()
	s := &hostMetaServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/webfinger":
			s.wf.Add(1)
			http.NotFound(w, r)
		case "/.well-known/host-meta":
			s.hm.Add(1)
			doc, code := hostMeta(s.URL)
			w.Header().Set("Content-Type", "application/xrd+xml; charset=utf-8")
			w.WriteHeader(code)
			io.WriteString(w, doc)
		case "/lrdd":
			s.lrdd.Add(1)
			s.resource.Store(r.URL.Query().Get("uri"))
			w.Header().Set("Content-Type", lrddCT)
			io.WriteString(w, lrddDoc)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func hostMetaXML(template string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
  <Link rel="lrdd" type="application/xrd+xml" template="` + template + `-xrd"/>
  <Link rel="lrdd" type="application/jrd+json" template="` + template + `"/>
</XRD>`
}

func TestHostMetaFallback(t *testing.T) {
	jrd := `{"subject":"acct:bob@split.example","links":[{"rel":"self","type":"application/activity+json","href":"https://split.example/users/bob"}]}`
	srv := newHostMetaServer(t, func(base string) (string, int) {
		return hostMetaXML(base + "/lrdd?uri={uri}"), http.StatusOK
	}, "application/jrd+json", jrd)
	c := newTestClient(t, nil)
	host := strings.TrimPrefix(srv.URL, "http://")
	j, err := c.WebFinger(t.Context(), "bob@"+host)
	if err != nil {
		t.Fatal(err)
	}
	if j.ActorURL() != "https://split.example/users/bob" || j.Subject != "acct:bob@split.example" {
		t.Errorf("got %+v", j)
	}
	if srv.resource.Load() != "acct:bob@"+host {
		t.Errorf("lrdd asked for %q", srv.resource.Load())
	}
	if srv.wf.Load() != 1 || srv.hm.Load() != 1 || srv.lrdd.Load() != 1 {
		t.Errorf("hits: webfinger %d host-meta %d lrdd %d", srv.wf.Load(), srv.hm.Load(), srv.lrdd.Load())
	}
}

func TestHostMetaFallbackXRD(t *testing.T) {
	doc, err := os.ReadFile("testdata/webfinger/xrd-user.xml")
	if err != nil {
		t.Fatal(err)
	}
	srv := newHostMetaServer(t, func(base string) (string, int) {
		return `<XRD><Link rel="lrdd" type="application/xrd+xml" template="` + base + `/lrdd?uri={uri}"/></XRD>`, http.StatusOK
	}, "application/xrd+xml", string(doc))
	c := newTestClient(t, nil)
	j, err := c.WebFinger(t.Context(), "dave@"+strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	if j.ActorURL() != "https://old.example/user/4" || j.Subject != "acct:dave@old.example" || len(j.Aliases) != 2 {
		t.Errorf("got %+v", j)
	}
}

func TestHostMetaFallbackFailures(t *testing.T) {
	tests := []struct {
		name     string
		hostMeta func(base string) (string, int)
	}{
		{"no host-meta", func(string) (string, int) { return "nope", http.StatusNotFound }},
		{"no lrdd", func(string) (string, int) {
			return `<XRD><Link rel="describedby" href="https://x.example/"/></XRD>`, http.StatusOK
		}},
		{"not XML", func(string) (string, int) { return "<html><body>hi", http.StatusOK }},
		// The template leads back to the WebFinger endpoint that just said
		// 404: not asked twice.
		{"template loops back", func(base string) (string, int) {
			return hostMetaXML(base + "/.well-known/webfinger?resource={uri}"), http.StatusOK
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newHostMetaServer(t, tt.hostMeta, "application/jrd+json", `{}`)
			c := newTestClient(t, nil)
			_, err := c.WebFinger(t.Context(), "bob@"+strings.TrimPrefix(srv.URL, "http://"))
			var se *StatusError
			if !errors.As(err, &se) || se.Code != http.StatusNotFound {
				t.Errorf("err = %v, want the WebFinger 404", err)
			}
			if srv.wf.Load() != 1 || srv.hm.Load() != 1 || srv.lrdd.Load() != 0 {
				t.Errorf("hits: webfinger %d host-meta %d lrdd %d", srv.wf.Load(), srv.hm.Load(), srv.lrdd.Load())
			}
		})
	}
}

func TestWebFingerNoFallbackOnOtherErrors(t *testing.T) {
	var hm atomic.Int64
	var code atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/host-meta" {
			hm.Add(1)
		}
		switch c := int(code.Load()); c {
		case 0:
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>")
		case 1:
			w.Header().Set("Content-Type", "application/jrd+json")
			io.WriteString(w, `{"links": "not a list"}`)
		default:
			w.WriteHeader(c)
		}
	}))
	defer srv.Close()
	c := newTestClient(t, nil)
	acct := "bob@" + strings.TrimPrefix(srv.URL, "http://")
	for _, tt := range []struct {
		code int64
		want func(error) bool
	}{
		{0, func(err error) bool { return errors.Is(err, ErrContentType) }},
		{1, func(err error) bool { return err != nil && strings.Contains(err.Error(), "JRD") }},
		{410, func(err error) bool { return errors.Is(err, ErrGone) }},
		{500, func(err error) bool { var se *StatusError; return errors.As(err, &se) && se.Code == 500 }},
	} {
		code.Store(tt.code)
		if _, err := c.WebFinger(t.Context(), acct); !tt.want(err) {
			t.Errorf("case %d: %v", tt.code, err)
		}
	}
	if hm.Load() != 0 {
		t.Errorf("host-meta fetched %d times for non-404 failures", hm.Load())
	}
}

func TestLRDDTemplate(t *testing.T) {
	tests := map[string]string{
		"mastodon.xml":  "https://mastodon.example/.well-known/webfinger?resource={uri}",
		"gnusocial.xml": "https://gnusocial.example/.well-known/webfinger?resource={uri}",
		"no-lrdd.xml":   "",
	}
	for name, want := range tests {
		doc, err := os.ReadFile(filepath.Join("testdata/host-meta", name))
		if err != nil {
			t.Fatal(err)
		}
		j, err := decodeJRD(doc, "application/xrd+xml")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := lrddTemplate(j); got != want {
			t.Errorf("%s: lrdd %q, want %q", name, got, want)
		}
	}
	// host-meta.json form.
	j, err := decodeJRD([]byte(`{"links":[{"rel":"lrdd","template":"https://j.example/wf?resource={uri}"}]}`), "application/json")
	if err != nil || lrddTemplate(j) != "https://j.example/wf?resource={uri}" {
		t.Errorf("JSON host-meta: %v, %+v", err, j)
	}
}

func TestActorURL(t *testing.T) {
	self := func(typ, href string) Link { return Link{Rel: "self", Type: typ, Href: href} }
	const as = "https://www.w3.org/ns/activitystreams"
	tests := []struct {
		links []Link
		want  string
	}{
		{nil, ""},
		{[]Link{self("application/activity+json", "https://a.example/u")}, "https://a.example/u"},
		{[]Link{self(`application/ld+json; profile="`+as+`"`, "https://a.example/u")}, "https://a.example/u"},
		{[]Link{self(`application/ld+json; profile=`+as, "https://a.example/u")}, ""}, // unquoted "/" is not a token
		{[]Link{self(`application/ld+json;profile="https://w3id.org/security/v1 `+as+`"`, "https://a.example/u")}, "https://a.example/u"},
		{[]Link{self(`application/ld+json; profile="http://www.w3.org/ns/activitystreams"`, "https://a.example/u")}, ""},
		{[]Link{self("application/ld+json", "https://a.example/u")}, ""},
		{[]Link{self("text/html", "https://a.example/@u")}, ""},
		{[]Link{self("", "https://a.example/u")}, ""},
		{[]Link{{Rel: "alternate", Type: "application/activity+json", Href: "https://a.example/u"}}, ""},
		{[]Link{self("application/activity+json", "")}, ""},
		{[]Link{self("application/activity+json", "ftp://a.example/u")}, ""},
		{[]Link{self("application/activity+json", "javascript:alert(1)")}, ""},
		{[]Link{self("application/activity+json", "https:///u")}, ""},
		{[]Link{self("text/html", "https://a.example/@u"), self("application/activity+json", "https://a.example/users/u"), self("application/activity+json", "https://a.example/second")}, "https://a.example/users/u"},
		{[]Link{self("APPLICATION/ACTIVITY+JSON", "http://a.example/u")}, "http://a.example/u"},
	}
	for i, tt := range tests {
		j := &JRD{Links: tt.links}
		if got := j.ActorURL(); got != tt.want {
			t.Errorf("%d: ActorURL = %q, want %q", i, got, tt.want)
		}
	}
	var nilJRD *JRD
	if nilJRD.ActorURL() != "" {
		t.Error("nil JRD")
	}
}

// ExampleClient_WebFinger shows resolving a handle to an actor URL.
func ExampleClient_WebFinger() {
	c := New(Config{UserAgent: "Roost/0.1.0 (+https://roost.example/)"})
	j, err := c.WebFinger(context.Background(), "@Gargron@mastodon.social")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(j.ActorURL())
}
