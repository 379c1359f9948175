package sig

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-fed/httpsig"
)

// SignRequest signs r for delivery or fetching as keyID, with key, an
// *rsa.PrivateKey (RSASSA-PKCS1-v1_5 with SHA-256, sent as
// algorithm="rsa-sha256" like Mastodon) or an ed25519.PrivateKey (sent as
// algorithm="hs2019").
//
// It sets Date from now (http.TimeFormat, UTC) unless r already has one and
// Host to the host r will be sent to (r.Host, or r.URL.Host when that is
// empty). A POST, and any request with a non-empty body, gets a Digest
// header (SHA-256 of body, replacing any Digest already set) and is signed
// over "(request-target) host date digest"; other requests over
// "(request-target) host date". The result goes into the Signature header,
// replacing an earlier one, so a retried delivery can be signed again.
//
// body must be exactly what will be sent; SignRequest does not read r.Body.
func SignRequest(r *http.Request, body []byte, keyID string, key crypto.PrivateKey, now time.Time) error {
	if keyID == "" || strings.ContainsFunc(keyID, func(c rune) bool { return c == '"' || c == '\\' || c < 0x20 || c == 0x7f }) {
		return fmt.Errorf("sign request: unusable key id %q", keyID)
	}
	var (
		algo     httpsig.Algorithm
		algoName string
	)
	switch key.(type) {
	case *rsa.PrivateKey:
		algo, algoName = httpsig.RSA_SHA256, "rsa-sha256"
	case ed25519.PrivateKey:
		algo, algoName = httpsig.ED25519, "hs2019"
	default:
		return fmt.Errorf("sign request: unsupported key type %T", key)
	}
	if r.URL == nil {
		return errors.New("sign request: no URL")
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	if r.Host == "" {
		r.Host = r.URL.Host
	}
	if r.Host == "" {
		return errors.New("sign request: no host")
	}
	// net/http sends r.Host and ignores a Host header; go-fed signs the
	// header. Make them the same.
	r.Header.Set("Host", r.Host)
	if r.Header.Get("Date") == "" {
		r.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	}
	r.Header.Del("Signature")

	headers := []string{"(request-target)", "host", "date"}
	var digestBody []byte // nil: go-fed adds no Digest
	if r.Method == http.MethodPost || len(body) > 0 {
		headers = append(headers, "digest")
		digestBody = body
		if digestBody == nil {
			digestBody = []byte{}
		}
		r.Header.Del("Digest")
	}

	// Signers hold no secrets but are not safe for concurrent use: make
	// one per request, which costs next to nothing beside the signature.
	signer, got, err := httpsig.NewSigner([]httpsig.Algorithm{algo}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	if got != algo {
		return fmt.Errorf("sign request: go-fed/httpsig chose %s, not %s", got, algo)
	}

	// go-fed writes r.URL.Path, decoded, into (request-target); the
	// receiver sees the path as sent, escaped. Hand go-fed a copy whose
	// Path is the escaped form. Header is shared, so the Digest and
	// Signature land in r.
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	target := &http.Request{
		Method: r.Method,
		URL:    &url.URL{Path: path, RawQuery: r.URL.RawQuery},
		Header: r.Header,
	}
	if err := signer.SignRequest(key, keyID, target, digestBody); err != nil {
		return fmt.Errorf("sign request: %w", err)
	}

	// go-fed v1.1.0 always writes algorithm="hs2019". Mastodon accepts
	// it, but Mastodon itself sends "rsa-sha256" and some receivers only
	// know that, so say what the signature really is. The algorithm
	// parameter is not part of the signed text.
	if algoName != "hs2019" {
		v := r.Header.Get("Signature")
		prefix := `keyId="` + keyID + `",algorithm="hs2019",`
		if !strings.HasPrefix(v, prefix) {
			return fmt.Errorf("sign request: unexpected go-fed/httpsig header %q", v)
		}
		r.Header.Set("Signature", `keyId="`+keyID+`",algorithm="`+algoName+`",`+v[len(prefix):])
	}
	return nil
}
