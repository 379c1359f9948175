package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/disk"
	"github.com/roost-social/roost/store/inproc"
	"github.com/roost-social/roost/store/sqlite"
	"golang.org/x/crypto/bcrypt"
)

// TestMain makes password hashing cheap: bcrypt at its real cost would
// dominate the suite's time under the race detector.
func TestMain(m *testing.M) {
	passwordCost = bcrypt.MinCost
	os.Exit(m.Run())
}

// instance is one Roost server on a real loopback listener, backed by
// SQLite in a temporary directory: tests talk to it over HTTP as apps do.
type instance struct {
	t      testing.TB
	srv    *Server
	store  store.Store
	http   *httptest.Server
	client *http.Client
}

func newInstance(t *testing.T) *instance {
	t.Helper()
	return newInstanceWith(t, func(*Config) {})
}

func newInstanceWith(t *testing.T, adjust func(*Config)) *instance {
	t.Helper()
	return openInstance(t, filepath.Join(t.TempDir(), "roost.db"), adjust)
}

// openInstance serves the database at dbPath (made when missing).
func openInstance(t testing.TB, dbPath string, adjust func(*Config)) *instance {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(context.Background(), dbPath, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ps := inproc.NewPubSub()
	t.Cleanup(func() { ps.Close() })
	blobs, err := disk.New(filepath.Join(filepath.Dir(dbPath), "media"), "https://roost.test/system")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	cfg := Config{
		Blobs:        blobs,
		LocalDomain:  "roost.test",
		WebDomain:    "roost.test",
		HTTPS:        true,
		MaxTootChars: 500,
		Version:      "0.0.0-test",
		Secret:       []byte("0123456789abcdef0123456789abcdef"),
		PubSub:       ps,
	}
	adjust(&cfg)
	srv, err := New(cfg, st, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close) // after the HTTP server, before the store
	srv.Start()
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &instance{
		t: t, srv: srv, store: st, http: hs,
		// Never follow redirects: OAuth tests look at them.
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// user is a local account with a token of the given scopes.
type user struct {
	*store.Account
	token string
}

// newUser creates a local account and a token ("read write follow push"
// when no scopes are given).
func (in *instance) newUser(name string, scopes ...string) *user {
	in.t.Helper()
	ctx := context.Background()
	acct, err := in.srv.CreateAccount(ctx, name, name+"@example.com", "password-"+name, store.RoleUser)
	if err != nil {
		in.t.Fatal(err)
	}
	sc := "read write follow push"
	if len(scopes) > 0 {
		sc = strings.Join(scopes, " ")
	}
	tok, err := in.srv.CreateCLIToken(ctx, name, sc)
	if err != nil {
		in.t.Fatal(err)
	}
	return &user{Account: acct, token: tok}
}

// response is what came back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request. body may be nil, url.Values (sent as a form) or
// anything else (sent as JSON); token "" sends none.
func (in *instance) do(method, path, token string, body any) *response {
	in.t.Helper()
	var r io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		r, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		r, ctype = strings.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			in.t.Fatal(err)
		}
		r, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, in.http.URL+path, r)
	if err != nil {
		in.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return in.send(req)
}

func (in *instance) send(req *http.Request) *response {
	in.t.Helper()
	resp, err := in.client.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		in.t.Fatal(err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}
}

// get, post and so on are do with a user's token.
func (u *user) get(in *instance, path string) *response { return in.do("GET", path, u.token, nil) }
func (u *user) post(in *instance, path string, body any) *response {
	return in.do("POST", path, u.token, body)
}

// want fails the test unless the response has the given status.
func (r *response) want(t testing.TB, status int) *response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	return r
}

// decode unmarshals the body into v.
func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// obj decodes the body as a JSON object.
func (r *response) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	return m
}

// list decodes the body as a JSON array of objects.
func (r *response) list(t *testing.T) []map[string]any {
	t.Helper()
	var l []map[string]any
	r.decode(t, &l)
	return l
}

// errorText is the "error" of a JSON error body.
func (r *response) errorText(t *testing.T) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	r.decode(t, &e)
	if e.Error == "" {
		t.Fatalf("no error message in %s", r.body)
	}
	return e.Error
}

// postStatus posts text as u and returns the status's ID.
func (in *instance) postStatus(u *user, text string, extra ...string) string {
	in.t.Helper()
	form := url.Values{"status": {text}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Add(extra[i], extra[i+1])
	}
	var s struct {
		ID string `json:"id"`
	}
	u.post(in, "/api/v1/statuses", form).want(in.t, 200).decode(in.t, &s)
	return s.ID
}
