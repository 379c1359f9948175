package sig

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limits on what ParseHeader accepts. Real headers are a few hundred bytes:
// a key URL, a handful of header names and a base64 signature of at most
// 512 bytes (RSA-4096).
const (
	// MaxHeaderLen is the longest Signature (or Authorization) header value
	// ParseHeader accepts.
	MaxHeaderLen = 8 << 10
	// maxCovered bounds the headers parameter's list.
	maxCovered = 64
	// maxSignatureLen bounds the decoded signature: RSA-8192.
	maxSignatureLen = 1024
	// maxUnix is the last second of the year 9999.
	maxUnix = 253402300799
)

// Params are the parameters of a draft-cavage Signature header.
type Params struct {
	// KeyID names the key that made the signature, usually the URL of an
	// actor's publicKey; never empty.
	KeyID string
	// Algorithm is the algorithm parameter in lower case, "" when absent.
	Algorithm string
	// Headers lists the covered header names in lower case, in signing
	// order. When the headers parameter is absent it holds the draft's
	// default, as Mastodon applies it: ["(created)"] when Algorithm is
	// "hs2019" or absent, ["date"] otherwise.
	Headers []string
	// Signature is the decoded signature; never empty.
	Signature []byte
	// Created and Expires are the created and expires parameters, the zero
	// time when absent.
	Created, Expires time.Time

	// created and expires are the parameters as sent: the (created) and
	// (expires) lines of the signing string repeat them verbatim.
	created, expires string
}

// ParseHeader parses the value of a Signature header, or of an Authorization
// header using the Signature scheme (the "Signature " prefix is optional in
// both, as Mastodon tolerates it in the Signature header too).
//
// The syntax is RFC 7235's auth-param list: name=value pairs separated by
// commas, each value a token or a quoted-string, with optional spaces around
// "=" and ",". Parameter names are matched without regard to case. The
// parser is strict where laxness would let two readers disagree: a
// parameter given twice, an unterminated or badly escaped quoted-string,
// control characters, empty list elements, trailing garbage, and values of
// more than [MaxHeaderLen] bytes are refused. keyId and signature are
// required; signature must be standard base64; created and expires must be
// Unix times in decimal. Unknown parameters are checked for syntax and
// otherwise ignored.
func ParseHeader(s string) (*Params, error) {
	if len(s) > MaxHeaderLen {
		return nil, fmt.Errorf("parse signature header: %d bytes, more than %d", len(s), MaxHeaderLen)
	}
	s = strings.Trim(s, " \t")
	if len(s) > len("Signature ") && strings.EqualFold(s[:len("Signature ")], "Signature ") {
		// The auth-scheme, unless this is a parameter named signature
		// with a space before its "=".
		if rest := strings.TrimLeft(s[len("Signature "):], " \t"); !strings.HasPrefix(rest, "=") {
			s = rest
		}
	}
	if s == "" {
		return nil, errors.New("parse signature header: empty")
	}

	var (
		p          Params
		seen       = make(map[string]bool, 6)
		headers    string
		hasHeaders bool
		signature  string
	)
	for i := 0; ; {
		name, value, next, err := parseParam(s, i)
		if err != nil {
			return nil, fmt.Errorf("parse signature header: %w", err)
		}
		lname := strings.ToLower(name)
		if seen[lname] {
			return nil, fmt.Errorf("parse signature header: parameter %q given twice", name)
		}
		seen[lname] = true
		switch lname {
		case "keyid":
			p.KeyID = value
		case "algorithm":
			p.Algorithm = strings.ToLower(value)
		case "headers":
			headers, hasHeaders = value, true
		case "signature":
			signature = value
		case "created":
			if p.Created, err = parseUnix(value, false); err != nil {
				return nil, fmt.Errorf("parse signature header: created: %w", err)
			}
			p.created = value
		case "expires":
			if p.Expires, err = parseUnix(value, true); err != nil {
				return nil, fmt.Errorf("parse signature header: expires: %w", err)
			}
			p.expires = value
		}
		i = skipOWS(s, next)
		if i == len(s) {
			break
		}
		if s[i] != ',' {
			return nil, fmt.Errorf("parse signature header: unexpected %q at offset %d", s[i], i)
		}
		i = skipOWS(s, i+1)
	}

	if p.KeyID == "" {
		return nil, errors.New("parse signature header: keyId missing or empty")
	}
	if signature == "" {
		return nil, errors.New("parse signature header: signature missing or empty")
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return nil, fmt.Errorf("parse signature header: signature is not base64: %w", err)
	}
	if len(sig) > maxSignatureLen {
		return nil, fmt.Errorf("parse signature header: signature of %d bytes, more than %d", len(sig), maxSignatureLen)
	}
	p.Signature = sig

	switch {
	case hasHeaders:
		p.Headers = strings.Fields(strings.ToLower(headers))
		if len(p.Headers) == 0 {
			return nil, errors.New("parse signature header: headers parameter is empty")
		}
		if len(p.Headers) > maxCovered {
			return nil, fmt.Errorf("parse signature header: %d headers, more than %d", len(p.Headers), maxCovered)
		}
	case p.Algorithm == "" || p.Algorithm == "hs2019":
		p.Headers = []string{"(created)"}
	default:
		p.Headers = []string{"date"}
	}
	return &p, nil
}

// parseParam reads one token BWS "=" BWS (token / quoted-string) starting at
// s[i] and returns the name, the unescaped value and the offset after it.
func parseParam(s string, i int) (name, value string, next int, err error) {
	start := i
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	if i == start {
		if i == len(s) {
			return "", "", 0, errors.New("parameter expected at end")
		}
		return "", "", 0, fmt.Errorf("parameter name expected at offset %d, found %q", i, s[i])
	}
	name = s[start:i]
	i = skipOWS(s, i)
	if i == len(s) || s[i] != '=' {
		return "", "", 0, fmt.Errorf("parameter %q has no value", name)
	}
	i = skipOWS(s, i+1)
	if i == len(s) {
		return "", "", 0, fmt.Errorf("parameter %q has no value", name)
	}
	if s[i] != '"' {
		start = i
		for i < len(s) && isTokenChar(s[i]) {
			i++
		}
		if i == start {
			return "", "", 0, fmt.Errorf("parameter %q: value expected at offset %d, found %q", name, i, s[i])
		}
		return name, s[start:i], i, nil
	}

	// quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
	i++
	start = i
	var b *strings.Builder // only allocated when there is an escape
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			if b == nil {
				return name, s[start:i], i + 1, nil
			}
			return name, b.String(), i + 1, nil
		case c == '\\':
			if i+1 == len(s) || !isQuotedTextChar(s[i+1]) {
				return "", "", 0, fmt.Errorf("parameter %q: bad escape at offset %d", name, i)
			}
			if b == nil {
				b = new(strings.Builder)
				b.WriteString(s[start:i])
			}
			i++
			b.WriteByte(s[i])
		case isQuotedTextChar(c):
			if b != nil {
				b.WriteByte(c)
			}
		default:
			return "", "", 0, fmt.Errorf("parameter %q: control character %q in quoted value", name, c)
		}
	}
	return "", "", 0, fmt.Errorf("parameter %q: unterminated quoted value", name)
}

// parseUnix reads a created or expires value: decimal seconds since the
// Unix epoch, with a fractional part only where the draft allows one
// (expires). The fraction is dropped.
func parseUnix(v string, fraction bool) (time.Time, error) {
	whole := v
	if fraction {
		if dot := strings.IndexByte(v, '.'); dot >= 0 {
			whole = v[:dot]
			frac := v[dot+1:]
			if frac == "" || strings.TrimLeft(frac, "0123456789") != "" {
				return time.Time{}, fmt.Errorf("%q is not a Unix time", v)
			}
		}
	}
	if whole == "" || strings.TrimLeft(whole, "0123456789") != "" {
		return time.Time{}, fmt.Errorf("%q is not a Unix time", v)
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || n > maxUnix {
		return time.Time{}, fmt.Errorf("%q is not a Unix time", v)
	}
	return time.Unix(n, 0).UTC(), nil
}

func skipOWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// isTokenChar reports whether c is an RFC 7230 tchar.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isQuotedTextChar reports whether c may appear in a quoted-string, as
// qdtext or escaped: HTAB, SP, visible ASCII and obs-text. The double quote
// and backslash are only allowed escaped; the caller handles them first.
func isQuotedTextChar(c byte) bool {
	return c == '\t' || (c >= 0x20 && c != 0x7f)
}
