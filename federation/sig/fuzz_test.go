package sig

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseHeader: any string either fails or yields parameters that
// satisfy the documented promises, and parsing never panics.
func FuzzParseHeader(f *testing.F) {
	for _, tc := range loadHeaderCases(f) {
		f.Add(tc.Header)
	}
	f.Add(`keyId="https://oeee.cafe/ap/users/3609fd4e#main-key",algorithm="hs2019",created="1756126694",expires="1756130294",headers="(request-target) (created) (expires) content-type date digest host",signature="c2ln"`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseHeader(s)
		if err != nil {
			if p != nil {
				t.Fatal("params returned with an error")
			}
			return
		}
		if len(s) > MaxHeaderLen {
			t.Fatalf("accepted %d bytes", len(s))
		}
		if p.KeyID == "" || len(p.Signature) == 0 || len(p.Signature) > maxSignatureLen {
			t.Fatalf("accepted %q: %+v", s, p)
		}
		if len(p.Headers) == 0 || len(p.Headers) > maxCovered {
			t.Fatalf("accepted %d headers", len(p.Headers))
		}
		for _, h := range p.Headers {
			if h == "" || h != strings.ToLower(h) || strings.ContainsAny(h, " \t") {
				t.Fatalf("header name %q", h)
			}
		}
		if strings.ContainsFunc(p.KeyID, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
			t.Fatalf("control character in key id %q", p.KeyID)
		}
		if (p.created == "") != p.Created.IsZero() || (p.expires == "") != p.Expires.IsZero() {
			t.Fatalf("created %q/%v expires %q/%v", p.created, p.Created, p.expires, p.Expires)
		}

		// Written back out in canonical form, the parameters read the
		// same.
		q, err := ParseHeader(formatParams(p))
		if err != nil {
			t.Fatalf("canonical form %q of %q: %v", formatParams(p), s, err)
		}
		if q.KeyID != p.KeyID || q.Algorithm != p.Algorithm || !slices.Equal(q.Headers, p.Headers) ||
			!bytes.Equal(q.Signature, p.Signature) || q.created != p.created || q.expires != p.expires {
			t.Fatalf("round trip of %q: %+v became %+v", s, p, q)
		}
	})
}

// formatParams writes p as a Signature header, escaping as RFC 7230 says.
func formatParams(p *Params) string {
	quote := func(s string) string {
		var b strings.Builder
		b.WriteByte('"')
		for i := 0; i < len(s); i++ {
			if s[i] == '"' || s[i] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[i])
		}
		b.WriteByte('"')
		return b.String()
	}
	parts := []string{"keyId=" + quote(p.KeyID)}
	if p.Algorithm != "" {
		parts = append(parts, "algorithm="+quote(p.Algorithm))
	}
	if p.created != "" {
		parts = append(parts, "created="+quote(p.created))
	}
	if p.expires != "" {
		parts = append(parts, "expires="+quote(p.expires))
	}
	parts = append(parts, "headers="+quote(strings.Join(p.Headers, " ")),
		"signature="+quote(base64.StdEncoding.EncodeToString(p.Signature)))
	return strings.Join(parts, ",")
}

// FuzzVerify feeds Verify arbitrary Signature, Date and Digest headers,
// bodies and methods. It must never panic, and whatever it accepts must
// meet the rules: the required headers signed, and a body's SHA-256 in
// the Digest.
func FuzzVerify(f *testing.F) {
	k := testKeys().a
	now := time.Date(2025, 8, 25, 12, 0, 0, 0, time.UTC)
	date := now.Format(http.TimeFormat)

	// A valid POST and GET as seeds, so mutations start from requests
	// that get all the way to the signature check.
	body := []byte(`{"type":"Create"}`)
	post := newPost(body, now)
	if err := SignRequest(post, body, "https://remote.example/users/bob#main-key", k, now); err != nil {
		f.Fatal(err)
	}
	f.Add("POST", post.Header.Get("Signature"), date, post.Header.Get("Digest"), body)
	get, _ := http.NewRequest("GET", "https://roost.example/users/alice/inbox", nil)
	if err := SignRequest(get, nil, "https://remote.example/users/bob#main-key", k, now); err != nil {
		f.Fatal(err)
	}
	f.Add("GET", get.Header.Get("Signature"), date, "", []byte(nil))
	f.Add("POST", "Signature "+post.Header.Get("Signature"), date, "sha-256=x,SHA-512=y", []byte("x"))
	f.Add("GET", `keyId="k",algorithm="hs2019",created=1756119600,expires=1756123200,headers="(request-target) (created) (expires) host",signature="c2ln"`, "", "", []byte(nil))

	lookup := fixedKey(&k.PublicKey, nil)
	f.Fuzz(func(t *testing.T, method, signature, date, digest string, body []byte) {
		if !validMethod(method) {
			method = "POST"
		}
		r, err := http.NewRequest(method, "https://roost.example/users/alice/inbox", bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		// Header values as a server could receive them: no CR, LF or NUL.
		clean := func(s string) string {
			return strings.Map(func(r rune) rune {
				if r == '\r' || r == '\n' || r == 0 || r == utf8.RuneError {
					return -1
				}
				return r
			}, s)
		}
		if signature != "" {
			r.Header.Set("Signature", clean(signature))
		}
		if date != "" {
			r.Header.Set("Date", clean(date))
		}
		if digest != "" {
			r.Header.Set("Digest", clean(digest))
		}
		v, err := Verify(r, body, lookup, now)
		if err != nil {
			return
		}
		for _, h := range []string{"(request-target)", "host"} {
			if !slices.Contains(v.Headers, h) {
				t.Fatalf("accepted without %s signed", h)
			}
		}
		if !slices.Contains(v.Headers, "date") && !slices.Contains(v.Headers, "(created)") {
			t.Fatal("accepted without a signed time")
		}
		if method == "POST" || len(body) > 0 {
			sum := sha256.Sum256(body)
			d := strings.NewReplacer(" ", "", "\t", "").Replace(strings.ToLower(r.Header.Get("Digest")))
			if !slices.Contains(v.Headers, "digest") ||
				!strings.Contains(d, "sha-256="+strings.ToLower(base64.StdEncoding.EncodeToString(sum[:]))) {
				t.Fatalf("accepted body %q with Digest %q", body, r.Header.Get("Digest"))
			}
		}
	})
}

func validMethod(m string) bool {
	if m == "" || len(m) > 16 {
		return false
	}
	for i := 0; i < len(m); i++ {
		if !isTokenChar(m[i]) {
			return false
		}
	}
	return true
}
