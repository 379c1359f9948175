package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var loopback4 = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// newTestClient returns a client that may reach 127.0.0.0/8 over http, with
// mod applied to the config first.
func newTestClient(t *testing.T, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{AllowedPrivate: loopback4, AllowHTTP: true, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c := New(cfg)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// trust makes c accept the certificate of a TLS test server.
func trust(c *Client, srv *httptest.Server) {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c.transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// counted wraps h in a server that counts the requests it receives.
func counted(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func serveJSON(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json")
		io.WriteString(w, body)
	}
}

func redirectTo(target string, code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", target)
		w.WriteHeader(code)
	}
}

func TestLoopbackRefusedByDefault(t *testing.T) {
	srv, hits := counted(t, serveJSON(`{}`))
	c := newTestClient(t, func(c *Config) { c.AllowedPrivate = nil })
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	for _, u := range []string{
		srv.URL + "/actor",
		fmt.Sprintf("http://localhost:%d/actor", port), // a name, resolved then refused at dial
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/actor", port),
	} {
		if _, _, err := c.GetJSON(t.Context(), u, ""); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("GetJSON %s: %v, want ErrForbiddenAddress", u, err)
		}
		if _, err := c.Post(t.Context(), u, "", []byte(`{}`)); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("Post %s: %v, want ErrForbiddenAddress", u, err)
		}
		if resp, err := c.Get(t.Context(), u, ""); !errors.Is(err, ErrForbiddenAddress) {
			if resp != nil {
				resp.Body.Close()
			}
			t.Errorf("Get %s: %v, want ErrForbiddenAddress", u, err)
		}
	}
	if _, err := c.WebFinger(t.Context(), fmt.Sprintf("alice@127.0.0.1:%d", port)); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("WebFinger: %v, want ErrForbiddenAddress", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

func TestLoopbackAllowedWithPrefix(t *testing.T) {
	srv, hits := counted(t, serveJSON(`{"type":"Person"}`))
	c := newTestClient(t, nil)
	body, final, err := c.GetJSON(t.Context(), srv.URL+"/users/alice", "")
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"type":"Person"}` || final != srv.URL+"/users/alice" {
		t.Errorf("got %q from %q", body, final)
	}
	if hits.Load() != 1 {
		t.Errorf("hits = %d", hits.Load())
	}

	// A prefix that does not cover the server's address is no allowance.
	narrow := newTestClient(t, func(c *Config) { c.AllowedPrivate = []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")} })
	if _, _, err := narrow.GetJSON(t.Context(), srv.URL, ""); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("127.0.0.2/32 reached 127.0.0.1: %v", err)
	}
}

func TestRedirectToForbiddenAddress(t *testing.T) {
	// Only 127.0.0.1 is allowed; every target below is refused at dial time,
	// before any packet leaves, so none of them is ever contacted.
	only1 := func(c *Config) { c.AllowedPrivate = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} }
	targets := []string{
		"http://[::1]:9/",
		"http://10.0.0.1/inbox",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::ffff:169.254.169.254]/latest/meta-data/",
		"http://0.0.0.0:9/",
		"http://[fd00::1]/",
		"http://192.168.1.1/",
		"http://100.64.0.1/",
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			srv, _ := counted(t, redirectTo(target, http.StatusFound))
			c := newTestClient(t, only1)
			if _, _, err := c.GetJSON(t.Context(), srv.URL, ""); !errors.Is(err, ErrForbiddenAddress) {
				t.Errorf("GetJSON: %v, want ErrForbiddenAddress", err)
			}
		})
	}

	// A redirect to another loopback address where a server really listens:
	// it must receive nothing.
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Logf("cannot listen on 127.0.0.2 (%v); skipping the listening-target case", err)
		return
	}
	var victimHits atomic.Int64
	victim := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		victimHits.Add(1)
	})}}
	victim.Start()
	defer victim.Close()
	srv, _ := counted(t, redirectTo(victim.URL+"/secret", http.StatusMovedPermanently))
	c := newTestClient(t, only1)
	if _, _, err := c.GetJSON(t.Context(), srv.URL, ""); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("redirect to %s: %v, want ErrForbiddenAddress", victim.URL, err)
	}
	if victimHits.Load() != 0 {
		t.Errorf("the refused server received %d requests", victimHits.Load())
	}
}

func TestRedirectFollowedAndResigned(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/a", redirectTo("/b", http.StatusFound))
	mux.HandleFunc("/b", redirectTo("/c", http.StatusMovedPermanently))
	var signedAtC atomic.Bool
	mux.HandleFunc("/c", func(w http.ResponseWriter, r *http.Request) {
		signedAtC.Store(r.Header.Get("Signature") == "sig GET /c")
		serveJSON(`{"id":"c"}`)(w, r)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var signs atomic.Int64
	c := newTestClient(t, func(c *Config) {
		c.Sign = func(r *http.Request, body []byte) error {
			signs.Add(1)
			if body != nil {
				t.Errorf("GET signed with body %q", body)
			}
			r.Header.Set("Signature", "sig "+r.Method+" "+r.URL.Path)
			return nil
		}
	})
	body, final, err := c.GetJSON(t.Context(), srv.URL+"/a", "")
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"id":"c"}` || final != srv.URL+"/c" {
		t.Errorf("got %q from %q", body, final)
	}
	if signs.Load() != 3 {
		t.Errorf("Sign called %d times, want 3 (request + 2 redirects)", signs.Load())
	}
	if !signedAtC.Load() {
		t.Error("the final hop carried a stale signature")
	}
}

func TestRedirectLoopBounded(t *testing.T) {
	srv, hits := counted(t, redirectTo("/loop", http.StatusFound))
	c := newTestClient(t, func(c *Config) { c.MaxRedirects = 3 })
	if _, _, err := c.GetJSON(t.Context(), srv.URL+"/loop", ""); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("GetJSON: %v, want ErrTooManyRedirects", err)
	}
	if n := hits.Load(); n != 4 {
		t.Errorf("server hit %d times, want 4 (request + 3 redirects)", n)
	}

	hits.Store(0)
	none := newTestClient(t, func(c *Config) { c.MaxRedirects = -1 })
	if _, _, err := none.GetJSON(t.Context(), srv.URL+"/loop", ""); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("MaxRedirects -1: %v, want ErrTooManyRedirects", err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("MaxRedirects -1: server hit %d times, want 1", n)
	}

	hits.Store(0)
	def := newTestClient(t, nil)
	if _, _, err := def.GetJSON(t.Context(), srv.URL+"/loop", ""); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("default: %v, want ErrTooManyRedirects", err)
	}
	if n := hits.Load(); n != DefaultMaxRedirects+1 {
		t.Errorf("default: server hit %d times, want %d", n, DefaultMaxRedirects+1)
	}
}

func TestHTTPSToHTTPRedirectRefused(t *testing.T) {
	plain, plainHits := counted(t, serveJSON(`{}`))
	var tlsHits atomic.Int64
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tlsHits.Add(1)
		if r.URL.Path == "/ok" {
			serveJSON(`{"tls":true}`)(w, r)
			return
		}
		redirectTo(plain.URL+"/actor", http.StatusFound)(w, r)
	}))
	defer secure.Close()

	c := newTestClient(t, nil) // AllowHTTP: http itself is fine, the downgrade is not
	trust(c, secure)
	if body, _, err := c.GetJSON(t.Context(), secure.URL+"/ok", ""); err != nil || string(body) != `{"tls":true}` {
		t.Fatalf("https fetch: %q, %v", body, err)
	}
	if _, _, err := c.GetJSON(t.Context(), secure.URL+"/down", ""); !errors.Is(err, ErrScheme) {
		t.Errorf("https→http: %v, want ErrScheme", err)
	}
	if plainHits.Load() != 0 {
		t.Errorf("the http server received %d requests", plainHits.Load())
	}

	// https only (LOCAL_HTTPS=true): http is refused outright.
	strict := newTestClient(t, func(c *Config) { c.AllowHTTP = false })
	trust(strict, secure)
	if _, _, err := strict.GetJSON(t.Context(), plain.URL, ""); !errors.Is(err, ErrScheme) {
		t.Errorf("http with AllowHTTP=false: %v, want ErrScheme", err)
	}
	if _, _, err := strict.GetJSON(t.Context(), secure.URL+"/ok", ""); err != nil {
		t.Errorf("https with AllowHTTP=false: %v", err)
	}
	if plainHits.Load() != 0 {
		t.Errorf("the http server received %d requests", plainHits.Load())
	}
}

func TestURLChecks(t *testing.T) {
	srv, hits := counted(t, serveJSON(`{}`))
	host := strings.TrimPrefix(srv.URL, "http://")
	c := newTestClient(t, nil)
	tests := []struct {
		url  string
		want error
	}{
		{"ftp://" + host + "/x", ErrScheme},
		{"file:///etc/passwd", ErrScheme},
		{"gopher://" + host + "/", ErrScheme},
		{"javascript:alert(1)", ErrScheme},
		{"//" + host + "/x", ErrScheme},
		{"/relative", ErrScheme},
		{"http://user:pass@" + host + "/x", ErrInvalidURL},
		{"http://user@" + host + "/x", ErrInvalidURL},
		{"https:///nohost", ErrInvalidURL},
		{"http://:80/x", ErrInvalidURL},
		{"http:opaque", ErrInvalidURL},
		{"http://" + host + "/%zz", ErrInvalidURL},
		{"http://[::1/", ErrInvalidURL},
	}
	for _, tt := range tests {
		if _, _, err := c.GetJSON(t.Context(), tt.url, ""); !errors.Is(err, tt.want) {
			t.Errorf("GetJSON(%q): %v, want %v", tt.url, err, tt.want)
		}
		if _, err := c.Post(t.Context(), tt.url, "", nil); !errors.Is(err, tt.want) {
			t.Errorf("Post(%q): %v, want %v", tt.url, err, tt.want)
		}
	}

	// The same checks apply to redirect targets.
	for _, target := range []string{"ftp://" + host + "/x", "file:///etc/passwd", "http://user:pw@" + host + "/"} {
		r, _ := counted(t, redirectTo(target, http.StatusFound))
		if _, _, err := c.GetJSON(t.Context(), r.URL, ""); !errors.Is(err, ErrScheme) && !errors.Is(err, ErrInvalidURL) {
			t.Errorf("redirect to %q: %v", target, err)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("%d refused requests reached the server", hits.Load())
	}
}

func TestMaxBody(t *testing.T) {
	const limit = 1024
	mux := http.NewServeMux()
	mux.HandleFunc("/exact", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(bytes.Repeat([]byte("a"), limit))
	})
	mux.HandleFunc("/declared", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(limit+1))
		w.Write(bytes.Repeat([]byte("a"), limit+1))
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for range 8 {
			w.Write(bytes.Repeat([]byte("b"), limit/2))
			w.(http.Flusher).Flush() // no Content-Length
		}
	})
	mux.HandleFunc("/onemore", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(bytes.Repeat([]byte("c"), limit))
		w.(http.Flusher).Flush()
		w.Write([]byte("d"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := newTestClient(t, func(c *Config) { c.MaxBody = limit })

	if body, _, err := c.GetJSON(t.Context(), srv.URL+"/exact", ""); err != nil || len(body) != limit {
		t.Errorf("exactly MaxBody: %d bytes, %v", len(body), err)
	}
	for _, p := range []string{"/declared", "/chunked", "/onemore"} {
		body, _, err := c.GetJSON(t.Context(), srv.URL+p, "")
		if !errors.Is(err, ErrTooLarge) || body != nil {
			t.Errorf("GetJSON %s: %d bytes, %v; want ErrTooLarge", p, len(body), err)
		}
	}

	// Get: a declared length fails at once, an undeclared one while reading.
	if resp, err := c.Get(t.Context(), srv.URL+"/declared", ""); !errors.Is(err, ErrTooLarge) {
		if resp != nil {
			resp.Body.Close()
		}
		t.Errorf("Get /declared: %v, want ErrTooLarge", err)
	}
	resp, err := c.Get(t.Context(), srv.URL+"/chunked", "")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if !errors.Is(err, ErrTooLarge) || n != limit {
		t.Errorf("Get /chunked: read %d, %v; want %d then ErrTooLarge", n, err, limit)
	}
	resp, err = c.Get(t.Context(), srv.URL+"/exact", "")
	if err != nil {
		t.Fatal(err)
	}
	n, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != limit {
		t.Errorf("Get /exact: read %d, %v", n, err)
	}
}

func TestContentType(t *testing.T) {
	var ct atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = []string{ct.Load().(string)}
		io.WriteString(w, `{"type":"Note"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, nil)
	tests := []struct {
		ct string
		ok bool
	}{
		{"application/activity+json", true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, true},
		{"application/ld+json", true},
		{"application/json", true},
		{"application/json; charset=utf-8", true},
		{"Application/Activity+JSON; charset=UTF-8", true},
		{"application/jrd+json", true},
		{"text/html", false},
		{"text/html; charset=utf-8", false},
		{"text/plain", false},
		{"application/xml", false},
		{"image/png", false},
		{"application/octet-stream", false},
		{"application/activity+json-ish", false},
		{"", false},
		{";;;", false},
	}
	for _, tt := range tests {
		ct.Store(tt.ct)
		_, _, err := c.GetJSON(t.Context(), srv.URL, "")
		if tt.ok && err != nil {
			t.Errorf("%q refused: %v", tt.ct, err)
		}
		if !tt.ok && !errors.Is(err, ErrContentType) {
			t.Errorf("%q: %v, want ErrContentType", tt.ct, err)
		}
	}
}

func TestStatuses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var code int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/"), "%d", &code)
		w.Header().Set("Content-Type", "application/activity+json")
		w.WriteHeader(code)
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	c := newTestClient(t, nil)

	for _, code := range []int{200, 202, 204} {
		status, err := c.Post(t.Context(), fmt.Sprintf("%s/%d", srv.URL, code), "", []byte(`{}`))
		if err != nil || status != code {
			t.Errorf("Post → %d: status %d, %v", code, status, err)
		}
	}
	tests := []struct {
		code      int
		gone      bool
		retryable bool
	}{
		{400, false, false},
		{401, false, false},
		{404, false, false},
		{408, false, true},
		{410, true, false},
		{429, false, true},
		{500, false, true},
		{503, false, true},
	}
	for _, tt := range tests {
		u := fmt.Sprintf("%s/%d", srv.URL, tt.code)
		status, err := c.Post(t.Context(), u, "", []byte(`{}`))
		var se *StatusError
		if status != tt.code || !errors.As(err, &se) || se.Code != tt.code {
			t.Errorf("Post → %d: status %d, %v", tt.code, status, err)
			continue
		}
		if errors.Is(err, ErrGone) != tt.gone || se.Gone() != tt.gone || se.Retryable() != tt.retryable {
			t.Errorf("Post → %d: gone %v/%v retryable %v", tt.code, errors.Is(err, ErrGone), se.Gone(), se.Retryable())
		}
		if se.URL != u || !strings.Contains(err.Error(), fmt.Sprint(tt.code)) {
			t.Errorf("StatusError %+v: %v", se, err)
		}
		_, _, err = c.GetJSON(t.Context(), u, "")
		if !errors.As(err, &se) || se.Code != tt.code || errors.Is(err, ErrGone) != tt.gone {
			t.Errorf("GetJSON → %d: %v", tt.code, err)
		}
		if resp, err := c.Get(t.Context(), u, ""); !errors.As(err, &se) || se.Code != tt.code {
			if resp != nil {
				resp.Body.Close()
			}
			t.Errorf("Get → %d: %v", tt.code, err)
		}
	}
}

func TestSignHook(t *testing.T) {
	type arrival struct {
		method, sig, ct string
		body            []byte
	}
	var mu sync.Mutex
	var got []arrival
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, arrival{r.Method, r.Header.Get("Signature"), r.Header.Get("Content-Type"), b})
		mu.Unlock()
		if r.Method == http.MethodGet {
			serveJSON(`{}`)(w, r)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	var signedBodies [][]byte
	c := newTestClient(t, func(c *Config) {
		c.Sign = func(r *http.Request, body []byte) error {
			signedBodies = append(signedBodies, body)
			r.Header.Set("Signature", fmt.Sprintf("%s %s %d", r.Method, r.URL.Path, len(body)))
			return nil
		}
	})
	activity := []byte(`{"type":"Create","id":"https://a.example/1"}`)
	if status, err := c.Post(t.Context(), srv.URL+"/inbox", "", activity); err != nil || status != http.StatusAccepted {
		t.Fatalf("Post: %d, %v", status, err)
	}
	if _, _, err := c.GetJSON(t.Context(), srv.URL+"/users/a", ""); err != nil {
		t.Fatal(err)
	}
	if len(signedBodies) != 2 || !bytes.Equal(signedBodies[0], activity) || signedBodies[1] != nil {
		t.Errorf("Sign saw bodies %q", signedBodies)
	}
	want := []arrival{
		{"POST", fmt.Sprintf("POST /inbox %d", len(activity)), "application/activity+json", activity},
		{"GET", "GET /users/a 0", "", []byte{}},
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("arrivals %+v", got)
	}
	for i := range want {
		if got[i].method != want[i].method || got[i].sig != want[i].sig || got[i].ct != want[i].ct || !bytes.Equal(got[i].body, want[i].body) {
			t.Errorf("arrival %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	// A failing signer stops the request before it is sent.
	failing := newTestClient(t, func(c *Config) {
		c.Sign = func(*http.Request, []byte) error { return errors.New("no key") }
	})
	mu.Unlock()
	if _, err := failing.Post(t.Context(), srv.URL+"/inbox", "", activity); err == nil || !strings.Contains(err.Error(), "no key") {
		t.Errorf("failing signer: %v", err)
	}
	mu.Lock()
	if len(got) != 2 {
		t.Errorf("a request arrived despite the signing failure")
	}
}

func TestPostRedirects(t *testing.T) {
	var newInboxBody atomic.Value
	var newInboxSig atomic.Value
	var newHits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/old-inbox", redirectTo("/inbox", http.StatusPermanentRedirect))
	mux.HandleFunc("/moved", redirectTo("/inbox", http.StatusFound))
	mux.HandleFunc("/inbox", func(w http.ResponseWriter, r *http.Request) {
		newHits.Add(1)
		b, _ := io.ReadAll(r.Body)
		newInboxBody.Store(string(b))
		newInboxSig.Store(r.Header.Get("Signature"))
		w.WriteHeader(http.StatusAccepted)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var signed []string
	c := newTestClient(t, func(c *Config) {
		c.Sign = func(r *http.Request, body []byte) error {
			signed = append(signed, r.URL.Path+" "+string(body))
			r.Header.Set("Signature", r.URL.Path)
			return nil
		}
	})
	status, err := c.Post(t.Context(), srv.URL+"/old-inbox", "application/ld+json", []byte("hello"))
	if err != nil || status != http.StatusAccepted {
		t.Fatalf("308: %d, %v", status, err)
	}
	if newInboxBody.Load() != "hello" || newInboxSig.Load() != "/inbox" {
		t.Errorf("308 delivered %q signed %q", newInboxBody.Load(), newInboxSig.Load())
	}
	if strings.Join(signed, "|") != "/old-inbox hello|/inbox hello" {
		t.Errorf("signed %q", signed)
	}

	// A 302 would turn the POST into a GET: not followed.
	newHits.Store(0)
	status, err = c.Post(t.Context(), srv.URL+"/moved", "", []byte("hello"))
	var se *StatusError
	if status != http.StatusFound || !errors.As(err, &se) || se.Code != http.StatusFound {
		t.Errorf("302: %d, %v", status, err)
	}
	if newHits.Load() != 0 {
		t.Errorf("302 was followed")
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-body" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "[")
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newTestClient(t, func(c *Config) { c.Timeout = 200 * time.Millisecond })

	for _, p := range []string{"/slow-headers", "/slow-body"} {
		start := time.Now()
		_, _, err := c.GetJSON(t.Context(), srv.URL+p, "")
		if err == nil {
			t.Errorf("%s: no error", p)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v with a 200ms timeout", p, d)
		}
	}
	start := time.Now()
	if _, err := c.Post(t.Context(), srv.URL+"/slow-headers", "", []byte("{}")); err == nil {
		t.Error("Post: no error")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Post took %v with a 200ms timeout", d)
	}

	// The caller's context is respected too.
	slow := newTestClient(t, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	if _, _, err := slow.GetJSON(ctx, srv.URL+"/slow-headers", ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("context deadline: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("context deadline ignored: %v", d)
	}
}

func TestHeaders(t *testing.T) {
	type seen struct{ ua, accept string }
	var mu sync.Mutex
	var got []seen
	mux := http.NewServeMux()
	mux.HandleFunc("/r", redirectTo("/actor", http.StatusFound))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.UserAgent(), r.Header.Get("Accept")})
		mu.Unlock()
		serveJSON(`{}`)(w, r)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	const ua = "Roost/0.1.0 (+https://roost.example/)"
	c := newTestClient(t, func(c *Config) { c.UserAgent = ua })
	if _, _, err := c.GetJSON(t.Context(), srv.URL+"/r", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.GetJSON(t.Context(), srv.URL+"/x", "application/json"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Post(t.Context(), srv.URL+"/inbox", "", nil); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(t.Context(), srv.URL+"/media", "")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := []seen{{ua, DefaultAccept}, {ua, "application/json"}, {ua, ""}, {ua, "*/*"}}
	mu.Lock()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("headers %q, want %q", got, want)
	}
	got = nil
	mu.Unlock()
	def := newTestClient(t, nil)
	if _, _, err := def.GetJSON(t.Context(), srv.URL+"/x", ""); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].ua != DefaultUserAgent {
		t.Errorf("default User-Agent: %q", got)
	}
}

func TestNoProxy(t *testing.T) {
	c := New(Config{})
	if c.transport.Proxy != nil {
		t.Error("the transport uses a proxy; the address guard would see the proxy, not the target")
	}
	if c.transport.DialContext == nil || c.transport.DialTLSContext != nil || c.transport.DialTLS != nil {
		t.Error("connections must be made through the guarded dialer")
	}
}
