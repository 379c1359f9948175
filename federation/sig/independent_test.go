package sig

// An independent signer and verifier, written from draft-cavage-12 and
// crypto/rsa alone: they share no code with the package, so that signing
// with one side and verifying with the other catches a mistake made the
// same way on both (STYLE.md: "sign with our code and verify with an
// independent one, and the reverse").

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Test keys, made once per test binary: RSA-2048 like Mastodon's.
var testKeys = sync.OnceValue(func() (k struct {
	a, b *rsa.PrivateKey
	ed   ed25519.PrivateKey
}) {
	var err error
	if k.a, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if k.b, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		panic(err)
	}
	return k
})

// indepOptions say how independentSign writes its header.
type indepOptions struct {
	headers       []string // covered headers, default by method
	algorithm     string   // "" writes no algorithm parameter
	authorization bool     // Authorization: Signature ... instead of Signature
	spaced        bool     // ", " between parameters, keyId last
	digestPrefix  string   // default "SHA-256="
	created       int64    // written as created=, and (created) if covered
	expires       int64
	addQuery      string // a query added after signing (used by the caller)
}

// independentSign signs r (a client request) the way the draft says,
// setting Digest when the body is not nil.
func independentSign(t testing.TB, r *http.Request, body []byte, keyID string, key crypto.Signer, o indepOptions) {
	t.Helper()
	if body != nil {
		sum := sha256.Sum256(body)
		prefix := o.digestPrefix
		if prefix == "" {
			prefix = "SHA-256="
		}
		r.Header.Set("Digest", prefix+base64.StdEncoding.EncodeToString(sum[:]))
	}
	headers := o.headers
	if headers == nil {
		headers = []string{"(request-target)", "host", "date"}
		if body != nil {
			headers = append(headers, "digest")
		}
	}
	var lines []string
	for _, h := range headers {
		switch h {
		case "(request-target)":
			lines = append(lines, h+": "+strings.ToLower(r.Method)+" "+r.URL.RequestURI())
		case "(created)":
			lines = append(lines, fmt.Sprintf("%s: %d", h, o.created))
		case "(expires)":
			lines = append(lines, fmt.Sprintf("%s: %d", h, o.expires))
		case "host":
			lines = append(lines, "host: "+r.URL.Host)
		default:
			lines = append(lines, h+": "+r.Header.Get(h))
		}
	}
	signing := strings.Join(lines, "\n")
	var sig []byte
	var err error
	switch k := key.(type) {
	case *rsa.PrivateKey:
		sum := sha256.Sum256([]byte(signing))
		sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, []byte(signing))
	default:
		t.Fatalf("independentSign: key type %T", key)
	}
	if err != nil {
		t.Fatal(err)
	}
	var params []string
	if o.algorithm != "" {
		params = append(params, `algorithm="`+o.algorithm+`"`)
	}
	if o.created != 0 {
		params = append(params, fmt.Sprintf("created=%d", o.created))
	}
	if o.expires != 0 {
		params = append(params, fmt.Sprintf(`expires="%d"`, o.expires))
	}
	params = append(params, `headers="`+strings.Join(headers, " ")+`"`,
		`signature="`+base64.StdEncoding.EncodeToString(sig)+`"`)
	sep := ","
	if o.spaced {
		params = append(params, `keyId="`+keyID+`"`)
		sep = ", "
	} else {
		params = append([]string{`keyId="` + keyID + `"`}, params...)
	}
	v := strings.Join(params, sep)
	if o.authorization {
		r.Header.Set("Authorization", "Signature "+v)
	} else {
		r.Header.Set("Signature", v)
	}
}

var indepParam = regexp.MustCompile(`([A-Za-z]+)="([^"]*)"`)

// independentVerify checks the rsa-sha256 signature of r as a receiver
// (r.Host holds the Host header, r.RequestURI the request line's target):
// Signature parameters pulled out with a regular expression, the signing
// string rebuilt from the headers list, the Digest compared with the body's
// SHA-256 and the signature checked with crypto/rsa.
func independentVerify(r *http.Request, body []byte, pub *rsa.PublicKey) error {
	params := map[string]string{}
	for _, m := range indepParam.FindAllStringSubmatch(r.Header.Get("Signature"), -1) {
		params[m[1]] = m[2]
	}
	if params["algorithm"] != "rsa-sha256" {
		return fmt.Errorf("algorithm %q", params["algorithm"])
	}
	names := strings.Split(params["headers"], " ")
	var lines []string
	for _, n := range names {
		switch n {
		case "(request-target)":
			lines = append(lines, n+": "+strings.ToLower(r.Method)+" "+r.RequestURI)
		case "host":
			lines = append(lines, n+": "+r.Host)
		default:
			lines = append(lines, n+": "+r.Header.Get(n))
		}
	}
	if body != nil {
		sum := sha256.Sum256(body)
		if got, want := r.Header.Get("Digest"), "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]); got != want {
			return fmt.Errorf("Digest %q, body's is %q", got, want)
		}
		if !strings.Contains(" "+params["headers"]+" ", " digest ") {
			return errors.New("digest not signed")
		}
	}
	sig, err := base64.StdEncoding.DecodeString(params["signature"])
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}
