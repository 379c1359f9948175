package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Signed tokens carry small pieces of state through the browser (the
// sign-in session cookie, the consent form) without server-side storage, so
// they work across several Roost processes sharing SECRET_KEY_BASE.
// A token is base64(fields joined by '\n' + expiry) "." base64(HMAC).

func (s *Server) signToken(purpose string, ttl time.Duration, fields ...string) string {
	payload := strings.Join(append([]string{purpose, strconv.FormatInt(s.now().Add(ttl).Unix(), 10)}, fields...), "\n")
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// verifyToken checks a token made by signToken for purpose and returns its
// fields; ok is false when it is forged, altered, expired or for another use.
func (s *Server) verifyToken(purpose, tok string) (fields []string, ok bool) {
	p, sig, found := strings.Cut(tok, ".")
	if !found {
		return nil, false
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	got, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	mac := hmac.New(sha256.New, s.secret)
	mac.Write(payload)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return nil, false
	}
	parts := strings.Split(string(payload), "\n")
	if len(parts) < 2 || parts[0] != purpose {
		return nil, false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || s.now().Unix() > exp {
		return nil, false
	}
	return parts[2:], true
}
