package sig

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

var sentinels = []error{ErrNoSignature, ErrMalformed, ErrExpired, ErrDigest, ErrBadSignature}

// checkErr fails t unless err wraps want (nil for success) and no other
// sentinel.
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("error %v, want success", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	for _, s := range sentinels {
		if s != want && errors.Is(err, s) {
			t.Fatalf("error %v also matches %v", err, s)
		}
	}
}

// newPost returns a client POST of body to https://roost.example/inbox
// dated at date.
func newPost(body []byte, date time.Time) *http.Request {
	r, _ := http.NewRequest("POST", "https://roost.example/users/alice/inbox", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/activity+json")
	r.Header.Set("Date", date.UTC().Format(http.TimeFormat))
	return r
}

// TestVerifyIndependentSigner signs with the independent signer in its
// several styles and checks that Verify accepts each.
func TestVerifyIndependentSigner(t *testing.T) {
	k := testKeys()
	body := []byte(`{"type":"Like"}`)
	const keyID = "https://remote.example/users/bob#main-key"
	for _, tc := range []struct {
		name   string
		method string
		url    string
		key    crypto.Signer
		pub    crypto.PublicKey
		o      indepOptions
	}{
		{"mastodon post", "POST", "", k.a, &k.a.PublicKey, indepOptions{algorithm: "rsa-sha256"}},
		{"hs2019", "POST", "", k.a, &k.a.PublicKey, indepOptions{algorithm: "hs2019"}},
		{"no algorithm", "POST", "", k.a, &k.a.PublicKey, indepOptions{}},
		{"spaced, keyId last", "POST", "", k.a, &k.a.PublicKey, indepOptions{algorithm: "rsa-sha256", spaced: true}},
		{"authorization header", "POST", "", k.a, &k.a.PublicKey, indepOptions{algorithm: "rsa-sha256", authorization: true}},
		{"lowercase digest", "POST", "", k.a, &k.a.PublicKey, indepOptions{digestPrefix: "sha-256="}},
		{"more headers, other order", "POST", "", k.a, &k.a.PublicKey, indepOptions{
			headers: []string{"date", "digest", "content-type", "host", "(request-target)"}}},
		{"hs2019 created expires", "POST", "", k.a, &k.a.PublicKey, indepOptions{algorithm: "hs2019",
			headers: []string{"(request-target)", "(created)", "(expires)", "host", "digest"},
			created: testNow.Unix() - 10, expires: testNow.Unix() + 3600}},
		{"ed25519 hs2019", "POST", "", k.ed, k.ed.Public(), indepOptions{algorithm: "hs2019"}},
		{"ed25519 named", "POST", "", k.ed, k.ed.Public(), indepOptions{algorithm: "ed25519"}},
		{"get", "GET", "https://roost.example/users/alice", k.a, &k.a.PublicKey, indepOptions{algorithm: "rsa-sha256"}},
		{"get with query", "GET", "https://roost.example/users/alice/outbox?page=true", k.a, &k.a.PublicKey, indepOptions{algorithm: "rsa-sha256"}},
		// Mastodon before 4.3 left the query out of (request-target);
		// Mastodon still accepts that, and so do we.
		{"query not signed", "GET", "https://roost.example/users/alice/outbox", k.a, &k.a.PublicKey, indepOptions{algorithm: "rsa-sha256", addQuery: "page=true"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := body
			r := newPost(b, testNow)
			if tc.method == "GET" {
				b = nil
				r, _ = http.NewRequest("GET", tc.url, nil)
				r.Header.Set("Date", testNow.Format(http.TimeFormat))
			}
			independentSign(t, r, b, keyID, tc.key, tc.o)
			if tc.o.addQuery != "" {
				r.URL.RawQuery = tc.o.addQuery
			}
			var calls []bool
			v, err := Verify(r, b, fixedKey(tc.pub, &calls), testNow)
			checkErr(t, err, nil)
			if v.KeyID != keyID {
				t.Errorf("KeyID = %q", v.KeyID)
			}
			if want := cmpOr(tc.o.algorithm, "hs2019"); v.Algorithm != want {
				t.Errorf("Algorithm = %q, want %q", v.Algorithm, want)
			}
			if !slices.Equal(calls, []bool{false}) {
				t.Errorf("lookup calls %v", calls)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestVerifyRejects covers each way a request fails, with the error it
// must wrap and how often the key may be looked up.
func TestVerifyRejects(t *testing.T) {
	k := testKeys()
	body := []byte(`{"type":"Create"}`)
	const keyID = "https://remote.example/users/bob#main-key"
	sign := func(r *http.Request, b []byte, o indepOptions) *http.Request {
		independentSign(t, r, b, keyID, k.a, o)
		return r
	}
	post := func(o indepOptions) *http.Request { return sign(newPost(body, testNow), body, o) }
	rsaSHA := indepOptions{algorithm: "rsa-sha256"}

	for _, tc := range []struct {
		name    string
		req     func() (*http.Request, []byte)
		want    error
		lookups int
	}{
		{"no signature", func() (*http.Request, []byte) { return newPost(body, testNow), body }, ErrNoSignature, 0},
		{"empty signature", func() (*http.Request, []byte) {
			r := newPost(body, testNow)
			r.Header.Set("Signature", "  ")
			return r, body
		}, ErrNoSignature, 0},
		{"bearer authorization only", func() (*http.Request, []byte) {
			r := newPost(body, testNow)
			r.Header.Set("Authorization", "Bearer xyz")
			return r, body
		}, ErrNoSignature, 0},
		{"host not signed", func() (*http.Request, []byte) {
			return post(indepOptions{algorithm: "rsa-sha256", headers: []string{"(request-target)", "date", "digest"}}), body
		}, ErrBadSignature, 0},
		{"request target not signed", func() (*http.Request, []byte) {
			return post(indepOptions{headers: []string{"host", "date", "digest"}}), body
		}, ErrBadSignature, 0},
		{"no date or created signed", func() (*http.Request, []byte) {
			return post(indepOptions{headers: []string{"(request-target)", "host", "digest"}}), body
		}, ErrBadSignature, 0},
		{"digest not signed on POST", func() (*http.Request, []byte) {
			return post(indepOptions{algorithm: "rsa-sha256", headers: []string{"(request-target)", "host", "date"}}), body
		}, ErrBadSignature, 0},
		{"digest not signed on empty POST", func() (*http.Request, []byte) {
			r, _ := http.NewRequest("POST", "https://roost.example/inbox", nil)
			r.Header.Set("Date", testNow.Format(http.TimeFormat))
			return sign(r, nil, rsaSHA), nil
		}, ErrBadSignature, 0},
		{"digest header missing", func() (*http.Request, []byte) {
			r := post(rsaSHA)
			r.Header.Del("Digest")
			return r, body
		}, ErrDigest, 0},
		{"body altered", func() (*http.Request, []byte) {
			return post(rsaSHA), []byte(`{"type":"Delete"}`)
		}, ErrDigest, 0},
		{"digest not SHA-256", func() (*http.Request, []byte) {
			r := post(rsaSHA)
			r.Header.Set("Digest", "SHA-512="+strings.Repeat("A", 86)+"==")
			return r, body
		}, ErrDigest, 0},
		{"digest not base64", func() (*http.Request, []byte) {
			r := post(rsaSHA)
			r.Header.Set("Digest", "SHA-256=!!!")
			return r, body
		}, ErrDigest, 0},
		{"date 13h old", func() (*http.Request, []byte) {
			return sign(newPost(body, testNow.Add(-13*time.Hour)), body, rsaSHA), body
		}, ErrExpired, 0},
		{"date 2h in the future", func() (*http.Request, []byte) {
			return sign(newPost(body, testNow.Add(2*time.Hour)), body, rsaSHA), body
		}, ErrExpired, 0},
		{"created 2h in the future", func() (*http.Request, []byte) {
			return post(indepOptions{algorithm: "hs2019", headers: []string{"(request-target)", "(created)", "host", "digest"},
				created: testNow.Add(2 * time.Hour).Unix()}), body
		}, ErrExpired, 0},
		{"expired", func() (*http.Request, []byte) {
			return post(indepOptions{algorithm: "hs2019", headers: []string{"(request-target)", "(created)", "(expires)", "host", "digest"},
				created: testNow.Add(-3 * time.Hour).Unix(), expires: testNow.Add(-2 * time.Hour).Unix()}), body
		}, ErrExpired, 0},
		{"unparsable date", func() (*http.Request, []byte) {
			r := newPost(body, testNow)
			r.Header.Set("Date", "yesterday")
			return sign(r, body, rsaSHA), body
		}, ErrMalformed, 0},
		{"signature not base64", func() (*http.Request, []byte) {
			r := post(rsaSHA)
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `signature="`, `signature="*`, 1))
			return r, body
		}, ErrMalformed, 0},
		{"unsupported algorithm", func() (*http.Request, []byte) {
			return post(indepOptions{algorithm: "hmac-sha256"}), body
		}, ErrMalformed, 0},
		{"created with rsa-sha256", func() (*http.Request, []byte) {
			return post(indepOptions{algorithm: "rsa-sha256", headers: []string{"(request-target)", "(created)", "host", "date", "digest"},
				created: testNow.Unix()}), body
		}, ErrMalformed, 0},
		{"signed header absent", func() (*http.Request, []byte) {
			r := post(indepOptions{headers: []string{"(request-target)", "host", "date", "digest", "content-type"}})
			r.Header.Del("Content-Type")
			return r, body
		}, ErrMalformed, 0},
		{"rfc 9421", func() (*http.Request, []byte) {
			r := post(rsaSHA)
			r.Header.Set("Signature-Input", `sig1=("@method");created=1`)
			return r, body
		}, ErrMalformed, 0},
		{"two signature headers", func() (*http.Request, []byte) {
			r := post(rsaSHA)
			r.Header.Add("Signature", r.Header.Get("Signature"))
			return r, body
		}, ErrMalformed, 0},
		{"path changed", func() (*http.Request, []byte) {
			r := post(rsaSHA)
			r.URL.Path = "/inbox"
			return r, body
		}, ErrBadSignature, 2},
		{"method changed", func() (*http.Request, []byte) {
			r := post(rsaSHA)
			r.Method = "PUT"
			return r, body
		}, ErrBadSignature, 2},
		{"host changed", func() (*http.Request, []byte) {
			r := post(rsaSHA)
			r.Host = "evil.example"
			return r, body
		}, ErrBadSignature, 2},
		{"date changed", func() (*http.Request, []byte) {
			r := post(rsaSHA)
			r.Header.Set("Date", testNow.Add(time.Second).Format(http.TimeFormat))
			return r, body
		}, ErrBadSignature, 2},
		{"query changed", func() (*http.Request, []byte) {
			r, _ := http.NewRequest("GET", "https://roost.example/users/alice?page=1", nil)
			r.Header.Set("Date", testNow.Format(http.TimeFormat))
			sign(r, nil, rsaSHA)
			r.URL.RawQuery = "page=2"
			return r, nil
		}, ErrBadSignature, 2},
		{"signature altered", func() (*http.Request, []byte) {
			r := post(rsaSHA)
			s := r.Header.Get("Signature")
			i := strings.Index(s, `signature="`) + len(`signature="`)
			c := byte('A')
			if s[i] == 'A' {
				c = 'B'
			}
			r.Header.Set("Signature", s[:i]+string(c)+s[i+1:])
			return r, body
		}, ErrBadSignature, 2},
		{"ed25519 algorithm with RSA key", func() (*http.Request, []byte) {
			return post(indepOptions{algorithm: "ed25519"}), body
		}, ErrBadSignature, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, b := tc.req()
			var calls []bool
			_, err := Verify(r, b, fixedKey(&k.a.PublicKey, &calls), testNow)
			checkErr(t, err, tc.want)
			if len(calls) != tc.lookups {
				t.Errorf("lookup called %d times (%v), want %d", len(calls), calls, tc.lookups)
			}
		})
	}
}

// TestVerifyWindow checks the edges of the time window.
func TestVerifyWindow(t *testing.T) {
	k := testKeys().a
	body := []byte("x")
	for _, tc := range []struct {
		offset time.Duration
		want   error
	}{
		// Without (expires), as Mastodon: 5 minutes plus the hour of skew.
		{-time.Hour, nil},
		{-65 * time.Minute, nil},
		{-65*time.Minute - time.Second, ErrExpired},
		{-13 * time.Hour, ErrExpired},
		{30 * time.Minute, nil},
		{time.Hour, nil},
		{time.Hour + time.Second, ErrExpired},
		{2 * time.Hour, ErrExpired},
	} {
		r := newPost(body, testNow.Add(tc.offset))
		if err := SignRequest(r, body, "https://remote.example/actor#main-key", k, testNow); err != nil {
			t.Fatal(err)
		}
		_, err := Verify(r, body, fixedKey(&k.PublicKey, nil), testNow)
		if (err == nil) != (tc.want == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("Date %v from now: %v, want %v", tc.offset, err, tc.want)
		}
	}
}

// TestVerifyKeyRotation: a cached key that no longer verifies is fetched
// again exactly once.
func TestVerifyKeyRotation(t *testing.T) {
	k := testKeys()
	body := []byte(`{"type":"Update"}`)
	sign := func() *http.Request {
		r := newPost(body, testNow)
		if err := SignRequest(r, body, "https://remote.example/users/bob#main-key", k.b, testNow); err != nil {
			t.Fatal(err)
		}
		return r
	}
	rotating := func(cached, fresh *rsa.PublicKey, calls *[]bool) func(context.Context, string, bool) (crypto.PublicKey, error) {
		return func(ctx context.Context, keyID string, refresh bool) (crypto.PublicKey, error) {
			*calls = append(*calls, refresh)
			if keyID != "https://remote.example/users/bob#main-key" {
				t.Errorf("lookup of %q", keyID)
			}
			if refresh {
				return fresh, nil
			}
			return cached, nil
		}
	}

	t.Run("refetched key verifies", func(t *testing.T) {
		var calls []bool
		_, err := Verify(sign(), body, rotating(&k.a.PublicKey, &k.b.PublicKey, &calls), testNow)
		checkErr(t, err, nil)
		if !slices.Equal(calls, []bool{false, true}) {
			t.Errorf("lookup calls %v, want [false true]", calls)
		}
	})
	t.Run("refetched key is wrong too", func(t *testing.T) {
		var calls []bool
		_, err := Verify(sign(), body, rotating(&k.a.PublicKey, &k.a.PublicKey, &calls), testNow)
		checkErr(t, err, ErrBadSignature)
		if !slices.Equal(calls, []bool{false, true}) {
			t.Errorf("lookup calls %v, want [false true]", calls)
		}
	})
	t.Run("cached key verifies", func(t *testing.T) {
		var calls []bool
		_, err := Verify(sign(), body, rotating(&k.b.PublicKey, &k.a.PublicKey, &calls), testNow)
		checkErr(t, err, nil)
		if !slices.Equal(calls, []bool{false}) {
			t.Errorf("lookup calls %v, want [false]", calls)
		}
	})
	t.Run("unusable keys", func(t *testing.T) {
		for _, pub := range []crypto.PublicKey{nil, (*rsa.PublicKey)(nil), &rsa.PublicKey{}, "not a key", k.ed.Public()} {
			var calls []bool
			_, err := Verify(sign(), body, fixedKey(pub, &calls), testNow)
			checkErr(t, err, ErrBadSignature)
			if len(calls) != 2 {
				t.Errorf("%T: lookup calls %v", pub, calls)
			}
		}
	})
	t.Run("lookup fails", func(t *testing.T) {
		fetchErr := errors.New("connection refused")
		calls := 0
		_, err := Verify(sign(), body, func(context.Context, string, bool) (crypto.PublicKey, error) {
			calls++
			return nil, fetchErr
		}, testNow)
		if !errors.Is(err, fetchErr) || calls != 1 {
			t.Errorf("error %v after %d calls", err, calls)
		}
		for _, s := range sentinels {
			if errors.Is(err, s) {
				t.Errorf("lookup error matches %v", s)
			}
		}
	})
	t.Run("refresh fails", func(t *testing.T) {
		fetchErr := errors.New("410 Gone")
		var calls []bool
		_, err := Verify(sign(), body, func(_ context.Context, _ string, refresh bool) (crypto.PublicKey, error) {
			calls = append(calls, refresh)
			if refresh {
				return nil, fetchErr
			}
			return &k.a.PublicKey, nil
		}, testNow)
		if !errors.Is(err, fetchErr) || !slices.Equal(calls, []bool{false, true}) {
			t.Errorf("error %v after calls %v", err, calls)
		}
	})
}

// TestVerifyPassesContext: lookup gets the request's context.
func TestVerifyPassesContext(t *testing.T) {
	k := testKeys().a
	type ctxKey struct{}
	r := newPost(nil, testNow)
	if err := SignRequest(r, nil, "https://remote.example/actor#main-key", k, testNow); err != nil {
		t.Fatal(err)
	}
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, "here"))
	_, err := Verify(r, nil, func(ctx context.Context, _ string, _ bool) (crypto.PublicKey, error) {
		if ctx.Value(ctxKey{}) != "here" {
			t.Error("lookup did not get the request's context")
		}
		return &k.PublicKey, nil
	}, testNow)
	checkErr(t, err, nil)
}

// TestSigningStringMultipleValues: repeated headers are joined with ", "
// and their values trimmed, as the draft says.
func TestSigningStringMultipleValues(t *testing.T) {
	r, _ := http.NewRequest("GET", "https://roost.example/a?b=c", nil)
	r.Header["X-Multi"] = []string{" one ", "two"}
	r.Header.Set("Date", "Mon, 25 Aug 2025 12:58:14 GMT")
	p := &Params{Headers: []string{"(request-target)", "host", "x-multi", "date"}}
	got, err := signingStrings(r, p)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"(request-target): get /a?b=c\nhost: roost.example\nx-multi: one, two\ndate: Mon, 25 Aug 2025 12:58:14 GMT",
		"(request-target): get /a\nhost: roost.example\nx-multi: one, two\ndate: Mon, 25 Aug 2025 12:58:14 GMT",
	}
	if !slices.Equal(got, want) {
		t.Errorf("signing strings\n%q\nwant\n%q", got, want)
	}
}
