package sig

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2025, 8, 25, 12, 58, 14, 0, time.UTC)

// fixedKey is a lookup that always returns pub and counts its calls.
func fixedKey(pub crypto.PublicKey, calls *[]bool) func(context.Context, string, bool) (crypto.PublicKey, error) {
	return func(_ context.Context, _ string, refresh bool) (crypto.PublicKey, error) {
		if calls != nil {
			*calls = append(*calls, refresh)
		}
		return pub, nil
	}
}

func TestSignRequestHeaders(t *testing.T) {
	k := testKeys().a
	body := []byte(`{"type":"Create"}`)
	r, _ := http.NewRequest("POST", "https://remote.example/users/bob/inbox", bytes.NewReader(body))
	if err := SignRequest(r, body, "https://roost.example/users/alice#main-key", k, testNow); err != nil {
		t.Fatal(err)
	}
	if got, want := r.Header.Get("Date"), "Mon, 25 Aug 2025 12:58:14 GMT"; got != want {
		t.Errorf("Date = %q, want %q", got, want)
	}
	if got := r.Header.Get("Host"); got != "remote.example" {
		t.Errorf("Host = %q", got)
	}
	sum := sha256.Sum256(body)
	if got, want := r.Header.Get("Digest"), "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Errorf("Digest = %q, want %q", got, want)
	}
	p, err := ParseHeader(r.Header.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	if p.KeyID != "https://roost.example/users/alice#main-key" || p.Algorithm != "rsa-sha256" ||
		strings.Join(p.Headers, " ") != "(request-target) host date digest" {
		t.Errorf("Signature header = %q", r.Header.Get("Signature"))
	}
	if !strings.HasPrefix(r.Header.Get("Signature"), `keyId="https://roost.example/users/alice#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="`) {
		t.Errorf("Signature header not in Mastodon's shape: %q", r.Header.Get("Signature"))
	}
	if r.Header.Get("Authorization") != "" {
		t.Error("Authorization set")
	}

	// A GET has no Digest and signs three headers.
	g, _ := http.NewRequest("GET", "https://remote.example/users/bob?page=1", nil)
	if err := SignRequest(g, nil, "https://roost.example/actor#main-key", k, testNow); err != nil {
		t.Fatal(err)
	}
	if g.Header.Get("Digest") != "" {
		t.Errorf("GET has Digest %q", g.Header.Get("Digest"))
	}
	if p, err := ParseHeader(g.Header.Get("Signature")); err != nil || strings.Join(p.Headers, " ") != "(request-target) host date" {
		t.Errorf("GET Signature = %q (%v)", g.Header.Get("Signature"), err)
	}

	// Signing again (a retried delivery) replaces Signature and Digest
	// rather than adding a second one, and keeps a Date the caller set.
	r.Header.Set("Date", "Mon, 25 Aug 2025 13:00:00 GMT")
	if err := SignRequest(r, body, "https://roost.example/users/alice#main-key", k, testNow); err != nil {
		t.Fatal(err)
	}
	if n := len(r.Header.Values("Signature")); n != 1 {
		t.Errorf("%d Signature headers after re-signing", n)
	}
	if n := len(r.Header.Values("Digest")); n != 1 {
		t.Errorf("%d Digest headers after re-signing", n)
	}
	if _, err := Verify(r, body, fixedKey(&k.PublicKey, nil), testNow); err != nil {
		t.Errorf("re-signed request: %v", err)
	}
}

func TestSignRequestErrors(t *testing.T) {
	k := testKeys().a
	for _, keyID := range []string{"", `https://x/"`, "https://x/\\", "https://x/\n"} {
		r, _ := http.NewRequest("GET", "https://remote.example/", nil)
		if err := SignRequest(r, nil, keyID, k, testNow); err == nil {
			t.Errorf("key id %q accepted", keyID)
		}
	}
	r, _ := http.NewRequest("GET", "https://remote.example/", nil)
	if err := SignRequest(r, nil, "https://x/#k", &k.PublicKey, testNow); err == nil {
		t.Error("public key accepted for signing")
	}
	r = &http.Request{Method: "GET", URL: nil}
	if err := SignRequest(r, nil, "https://x/#k", k, testNow); err == nil {
		t.Error("request without URL accepted")
	}
}

// TestSignCrossCheck signs with SignRequest (go-fed/httpsig), sends the
// request over loopback HTTP, and checks it on the receiving side with the
// independent verifier as well as with Verify.
func TestSignCrossCheck(t *testing.T) {
	k := testKeys().a
	type result struct {
		indep, ours error
	}
	got := make(chan result, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		if r.Method == "GET" {
			body = nil
		}
		var res result
		res.indep = independentVerify(r, body, &k.PublicKey)
		_, res.ours = Verify(r, body, fixedKey(&k.PublicKey, nil), time.Now())
		got <- res
	}))
	defer srv.Close()

	for _, tc := range []struct {
		method, path string
		body         []byte
	}{
		{"POST", "/users/bob/inbox", []byte(`{"type":"Follow"}`)},
		{"POST", "/inbox", []byte{}},
		{"GET", "/users/bob", nil},
		{"GET", "/users/bob/outbox?page=true&min_id=0", nil},
		{"GET", "/users/b%C3%B6b", nil}, // escaped path: go-fed alone would sign it decoded
		{"GET", "", nil},
	} {
		r, err := http.NewRequest(tc.method, srv.URL+tc.path, bytes.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if err := SignRequest(r, tc.body, "https://roost.example/users/alice#main-key", k, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		res := <-got
		if res.indep != nil {
			t.Errorf("%s %s: independent verifier: %v", tc.method, tc.path, res.indep)
		}
		if res.ours != nil {
			t.Errorf("%s %s: Verify: %v", tc.method, tc.path, res.ours)
		}
	}
}

func TestSignEd25519(t *testing.T) {
	k := testKeys().ed
	body := []byte("hi")
	r, _ := http.NewRequest("POST", "https://remote.example/inbox", bytes.NewReader(body))
	if err := SignRequest(r, body, "https://roost.example/actor#ed25519-key", k, testNow); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Header.Get("Signature"), `algorithm="hs2019"`) {
		t.Errorf("Signature = %q", r.Header.Get("Signature"))
	}
	if _, err := Verify(r, body, fixedKey(k.Public(), nil), testNow); err != nil {
		t.Error(err)
	}
}
