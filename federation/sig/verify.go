package sig

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// The errors Verify wraps. An inbox answers 400 to ErrMalformed and 401 to
// the rest.
var (
	// ErrNoSignature: neither a Signature header nor an Authorization
	// header with the Signature scheme.
	ErrNoSignature = errors.New("request not signed")
	// ErrMalformed: the Signature, Date or created/expires values cannot
	// be read, the signature names an unsupported algorithm or an absent
	// header, or it is an RFC 9421 signature.
	ErrMalformed = errors.New("malformed signature")
	// ErrExpired: the signed time is outside the window Mastodon accepts
	// (see MaxAge and ClockSkew), or expires has passed.
	ErrExpired = errors.New("signature expired or from the future")
	// ErrDigest: the request has a body but no Digest, the Digest offers
	// no SHA-256, or it does not match the body.
	ErrDigest = errors.New("digest does not match body")
	// ErrBadSignature: the signature does not cover what Roost requires,
	// or does not verify with the key, even after refetching it.
	ErrBadSignature = errors.New("signature does not verify")
)

// The time window: Mastodon's EXPIRATION_WINDOW_LIMIT and
// CLOCK_SKEW_MARGIN.
const (
	// MaxAge is how old a signed Date or (created) may be when the
	// signature says when it expires; without (expires) a signature lives
	// Lifetime plus ClockSkew, as in Mastodon.
	MaxAge = 12 * time.Hour
	// ClockSkew is how far in the future a signed Date or (created) may
	// be, and how long after expires a signature is still taken.
	ClockSkew = time.Hour
	// Lifetime is how long a signature without (expires) lives after its
	// Date or (created), before ClockSkew is added: 65 minutes in all.
	Lifetime = 5 * time.Minute
)

// Verified describes a signature that Verify accepted.
type Verified struct {
	// KeyID is the signer's key, as passed to the lookup function; the
	// caller checks that its owner is the activity's actor.
	KeyID string
	// Algorithm is the algorithm parameter in lower case, "hs2019" when
	// the signer sent none (the draft's and Mastodon's default).
	Algorithm string
	// Headers are the covered headers, lower case, in signing order.
	Headers []string
}

// Verify checks the HTTP signature of the request r, whose body the caller
// has already read into body (nil or empty for none). now is the current
// time; tests pass a fixed one.
//
// lookup returns the public key named by keyID (an *rsa.PublicKey or an
// ed25519.PublicKey), from a cache when refresh is false. Verify calls it
// once with refresh false and, only if the signature does not verify with
// that key, once more with refresh true, so that a key that was rotated
// since it was cached is fetched again; an error from lookup ends the
// verification and is returned wrapped, matching none of this package's
// errors. All checks that need no key (syntax, covered headers, time,
// Digest) come first, so a bad request costs no key fetch.
//
// The signature must cover (request-target), host and date (or, with
// hs2019, (created)), and digest when the method is POST or the body is
// not empty. The key decides the algorithm: RSASSA-PKCS1-v1_5 with SHA-256
// for RSA keys (algorithm "rsa-sha256", "hs2019" or none) and Ed25519 for
// Ed25519 keys (algorithm "hs2019", "ed25519" or none). As Mastodon does,
// a (request-target) without the query string is accepted too.
func Verify(r *http.Request, body []byte, lookup func(ctx context.Context, keyID string, refresh bool) (crypto.PublicKey, error), now time.Time) (*Verified, error) {
	p, err := paramsFromRequest(r)
	if err != nil {
		return nil, err
	}
	if err := checkCoverage(r, p, body); err != nil {
		return nil, err
	}
	if err := checkTime(r, p, now); err != nil {
		return nil, err
	}
	if slices.Contains(p.Headers, "digest") {
		if err := checkDigest(r.Header, body); err != nil {
			return nil, err
		}
	}
	candidates, err := signingStrings(r, p)
	if err != nil {
		return nil, err
	}

	ctx := r.Context()
	for _, refresh := range []bool{false, true} {
		key, err := lookup(ctx, p.KeyID, refresh)
		if err != nil {
			return nil, fmt.Errorf("look up key %s: %w", p.KeyID, err)
		}
		for _, s := range candidates {
			if verifyString(key, p, s) {
				alg := p.Algorithm
				if alg == "" {
					alg = "hs2019"
				}
				return &Verified{KeyID: p.KeyID, Algorithm: alg, Headers: p.Headers}, nil
			}
		}
	}
	return nil, fmt.Errorf("verify signature by %s: %w", p.KeyID, ErrBadSignature)
}

// paramsFromRequest finds and parses the signature of r.
func paramsFromRequest(r *http.Request) (*Params, error) {
	if len(r.Header.Values("Signature-Input")) > 0 {
		return nil, fmt.Errorf("read signature: %w: RFC 9421 signatures (Signature-Input) are not supported", ErrMalformed)
	}
	var raw string
	switch sigs := r.Header.Values("Signature"); {
	case len(sigs) > 1:
		return nil, fmt.Errorf("read signature: %w: %d Signature headers", ErrMalformed, len(sigs))
	case len(sigs) == 1 && strings.Trim(sigs[0], " \t") != "":
		raw = sigs[0]
	default:
		for _, a := range r.Header.Values("Authorization") {
			if len(a) > len("Signature ") && strings.EqualFold(a[:len("Signature ")], "Signature ") {
				if raw != "" {
					return nil, fmt.Errorf("read signature: %w: several Authorization signatures", ErrMalformed)
				}
				raw = a
			}
		}
	}
	if raw == "" {
		return nil, ErrNoSignature
	}
	p, err := ParseHeader(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	switch p.Algorithm {
	case "", "hs2019", "rsa-sha256", "ed25519":
	default:
		return nil, fmt.Errorf("read signature: %w: unsupported algorithm %q", ErrMalformed, p.Algorithm)
	}
	return p, nil
}

// checkCoverage applies Roost's minimum, a little stricter than Mastodon's
// (which lets digest stand in for (request-target), and skips host on
// POST): the request line, host and time are always signed, and the body
// through the Digest.
func checkCoverage(r *http.Request, p *Params, body []byte) error {
	need := []string{"(request-target)", "host"}
	if r.Method == http.MethodPost || len(body) > 0 {
		need = append(need, "digest")
	}
	for _, h := range need {
		if !slices.Contains(p.Headers, h) {
			return fmt.Errorf("check signed headers: %w: %s is not signed", ErrBadSignature, h)
		}
	}
	if !slices.Contains(p.Headers, "date") && !slices.Contains(p.Headers, "(created)") {
		return fmt.Errorf("check signed headers: %w: neither date nor (created) is signed", ErrBadSignature)
	}
	return nil
}

// checkTime applies Mastodon's window to every signed time: a signed Date
// and a created parameter must lie between now-MaxAge and now+ClockSkew,
// and now must be before expires+ClockSkew.
func checkTime(r *http.Request, p *Params, now time.Time) error {
	// As Mastodon: a signature without (expires) lapses Lifetime after its
	// time (plus ClockSkew); one with it may live up to MaxAge.
	maxAge := Lifetime + ClockSkew
	if p.expires != "" {
		maxAge = MaxAge
	}
	check := func(what string, t time.Time) error {
		if d := t.Sub(now); d > ClockSkew {
			return fmt.Errorf("check %s: %w: %v in the future", what, ErrExpired, d.Round(time.Second))
		}
		if d := now.Sub(t); d > maxAge {
			return fmt.Errorf("check %s: %w: %v old", what, ErrExpired, d.Round(time.Second))
		}
		return nil
	}
	if slices.Contains(p.Headers, "date") {
		vals := r.Header.Values("Date")
		if len(vals) != 1 {
			return fmt.Errorf("check date: %w: %d Date headers", ErrMalformed, len(vals))
		}
		t, err := http.ParseTime(strings.TrimSpace(vals[0]))
		if err != nil {
			return fmt.Errorf("check date: %w: %q is not an HTTP date", ErrMalformed, vals[0])
		}
		if err := check("date", t); err != nil {
			return err
		}
	}
	if p.created != "" {
		if err := check("created", p.Created); err != nil {
			return err
		}
	}
	if p.expires != "" {
		if d := now.Sub(p.Expires); d > ClockSkew {
			return fmt.Errorf("check expires: %w: expired %v ago", ErrExpired, d.Round(time.Second))
		}
	}
	return nil
}

// checkDigest checks an RFC 3230 Digest header against body as Mastodon
// does: a comma-separated list of algorithm=base64 pairs, algorithm names
// in any case, one of which must be SHA-256 and match.
func checkDigest(h http.Header, body []byte) error {
	vals := h.Values("Digest")
	if len(vals) == 0 {
		return fmt.Errorf("check digest: %w: no Digest header", ErrDigest)
	}
	var offered []string
	for _, d := range strings.Split(strings.Join(vals, ","), ",") {
		alg, val, ok := strings.Cut(strings.TrimSpace(d), "=")
		if !ok {
			return fmt.Errorf("check digest: %w: malformed element %q", ErrDigest, d)
		}
		if !strings.EqualFold(alg, "sha-256") {
			offered = append(offered, alg)
			continue
		}
		got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
		if err != nil || len(got) != sha256.Size {
			return fmt.Errorf("check digest: %w: %q is not a base64 SHA-256 digest", ErrDigest, val)
		}
		sum := sha256.Sum256(body)
		if !bytes.Equal(got, sum[:]) {
			return fmt.Errorf("check digest: %w: body's SHA-256 is %s, Digest says %s", ErrDigest,
				base64.StdEncoding.EncodeToString(sum[:]), val)
		}
		return nil
	}
	return fmt.Errorf("check digest: %w: no SHA-256 among %q", ErrDigest, offered)
}

// signingStrings builds the draft-cavage signing string of r for p: one
// "name: value" line per covered header, joined by newlines. It returns a
// second candidate whose (request-target) lacks the query string when r
// has one, the form that Mastodon versions before 4.3 sent and Mastodon
// still accepts.
func signingStrings(r *http.Request, p *Params) ([]string, error) {
	path, query := requestTarget(r)
	var full, short strings.Builder
	for i, h := range p.Headers {
		if i > 0 {
			full.WriteByte('\n')
			short.WriteByte('\n')
		}
		switch h {
		case "(request-target)":
			line := "(request-target): " + strings.ToLower(r.Method) + " " + path
			short.WriteString(line)
			full.WriteString(line)
			if query != "" {
				full.WriteString("?" + query)
			}
			continue
		case "(created)", "(expires)":
			// The draft forbids them with rsa-*, hmac-* and ecdsa-*
			// algorithms.
			if p.Algorithm != "" && p.Algorithm != "hs2019" {
				return nil, fmt.Errorf("build signing string: %w: %s with algorithm %s", ErrMalformed, h, p.Algorithm)
			}
			v := p.created
			if h == "(expires)" {
				v = p.expires
			}
			if v == "" {
				return nil, fmt.Errorf("build signing string: %w: %s signed but its parameter is missing", ErrMalformed, h)
			}
			full.WriteString(h + ": " + v)
			short.WriteString(h + ": " + v)
			continue
		}
		if strings.HasPrefix(h, "(") {
			return nil, fmt.Errorf("build signing string: %w: unknown pseudo-header %s", ErrMalformed, h)
		}
		vals, ok := r.Header[textproto.CanonicalMIMEHeaderKey(h)]
		if !ok && h == "host" {
			// net/http servers move Host out of the header map.
			host := r.Host
			if host == "" && r.URL != nil {
				host = r.URL.Host
			}
			vals, ok = []string{host}, host != ""
		}
		if !ok {
			return nil, fmt.Errorf("build signing string: %w: signed header %s is absent", ErrMalformed, h)
		}
		full.WriteString(h + ": ")
		short.WriteString(h + ": ")
		for j, v := range vals {
			if j > 0 {
				full.WriteString(", ")
				short.WriteString(", ")
			}
			full.WriteString(strings.TrimSpace(v))
			short.WriteString(strings.TrimSpace(v))
		}
	}
	if query == "" || !slices.Contains(p.Headers, "(request-target)") {
		return []string{full.String()}, nil
	}
	return []string{full.String(), short.String()}, nil
}

// requestTarget returns the path and query of r as the client sent them:
// from the request line when r came from a net/http server, else from r.URL.
func requestTarget(r *http.Request) (path, query string) {
	t := r.RequestURI
	if !strings.HasPrefix(t, "/") && r.URL != nil {
		// A client request, or an absolute-form request line.
		t = r.URL.RequestURI()
	}
	path, query, _ = strings.Cut(t, "?")
	return path, query
}

// verifyString reports whether p.Signature is key's signature of s, with
// the algorithm the key's type and p.Algorithm agree on.
func verifyString(key crypto.PublicKey, p *Params, s string) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil {
			return false
		}
		if p.Algorithm != "" && p.Algorithm != "hs2019" && p.Algorithm != "rsa-sha256" {
			return false
		}
		sum := sha256.Sum256([]byte(s))
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], p.Signature) == nil
	case ed25519.PublicKey:
		if p.Algorithm != "" && p.Algorithm != "hs2019" && p.Algorithm != "ed25519" {
			return false
		}
		return len(k) == ed25519.PublicKeySize && ed25519.Verify(k, []byte(s), p.Signature)
	}
	return false
}
