package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/roost-social/roost/store"
)

// Scopes as Mastodon defines them. A token granted a top-level scope
// ("read") holds every granular scope below it ("read:statuses"); "follow"
// is the old bundle of the relationship scopes.
var (
	topScopes      = []string{"read", "write", "follow", "push", "profile", "admin:read", "admin:write"}
	granularScopes = []string{
		"read:accounts", "read:blocks", "read:bookmarks", "read:favourites", "read:filters", "read:follows",
		"read:lists", "read:mutes", "read:notifications", "read:search", "read:statuses",
		"write:accounts", "write:blocks", "write:bookmarks", "write:conversations", "write:favourites",
		"write:filters", "write:follows", "write:lists", "write:media", "write:mutes", "write:notifications",
		"write:reports", "write:statuses",
	}
	followBundle = map[string]bool{
		"read:blocks": true, "write:blocks": true, "read:follows": true,
		"write:follows": true, "read:mutes": true, "write:mutes": true,
	}
)

// validScope reports whether s names a scope Roost knows.
func validScope(s string) bool {
	for _, t := range topScopes {
		if s == t {
			return true
		}
	}
	for _, g := range granularScopes {
		if s == g {
			return true
		}
	}
	return strings.HasPrefix(s, "admin:read:") || strings.HasPrefix(s, "admin:write:")
}

// parseScopes splits a space- or plus-separated scope list, defaulting to
// "read" as Mastodon does, and refuses unknown scopes.
func parseScopes(s string) ([]string, bool) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '+' || r == ',' })
	if len(fields) == 0 {
		return []string{"read"}, true
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range fields {
		if !validScope(f) {
			return nil, false
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out, true
}

// scopesAllow reports whether the granted scopes cover the required one.
// required may list alternatives separated by '|' ("read:accounts|profile").
func scopesAllow(granted, required string) bool {
	if required == "" {
		return true
	}
	have := strings.Fields(granted)
	for _, want := range strings.Split(required, "|") {
		top, _, _ := strings.Cut(want, ":")
		if strings.HasPrefix(want, "admin:") {
			parts := strings.SplitN(want, ":", 3)
			top = parts[0] + ":" + parts[1]
		}
		for _, h := range have {
			if h == want || h == top || (h == "follow" && followBundle[want]) {
				return true
			}
		}
	}
	return false
}

// subsetScopes reports whether every scope asked for is within allowed (the
// app's registered scopes).
func subsetScopes(asked, allowed []string) bool {
	all := strings.Join(allowed, " ")
	for _, a := range asked {
		if !scopesAllow(all, a) {
			return false
		}
	}
	return true
}

// newSecret returns a random URL-safe string of n bytes of entropy.
func newSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how tokens and codes are stored: only their SHA-256, so a
// leaked database does not leak working tokens.
func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// bearer finds the access token of a request: the Authorization header, or
// an access_token parameter as some clients send it.
func bearer(c *call) string {
	if h := c.r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		if t, ok := strings.CutPrefix(h, "bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	return c.p.str("access_token")
}

// authenticate sets c.token and c.viewer from the request's token and
// checks the route's access rule. A token that was sent but is invalid is a
// 401 even on public routes, as Mastodon answers.
func (s *Server) authenticate(c *call, a access) error {
	raw := bearer(c)
	if raw == "" {
		if a.scope == "" {
			return nil
		}
		return errUnauthorized
	}
	tok, err := s.tokens.get(c.r.Context(), s.store, hashSecret(raw), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return errUnauthorized
	}
	if err != nil {
		return err
	}
	c.token = tok
	if tok.AccountID != "" {
		acct, err := s.store.AccountByID(c.r.Context(), tok.AccountID)
		if errors.Is(err, store.ErrNotFound) {
			return errUnauthorized
		}
		if err != nil {
			return err
		}
		c.viewer = acct
	}
	if a.scope == "" {
		return nil
	}
	if a.needUser && c.viewer == nil {
		return errNoUser
	}
	if !scopesAllow(tok.Scopes, a.scope) {
		return forbidden("This action is outside the authorized scopes")
	}
	return nil
}

// limiter is a fixed-window counter per key, for sign-in attempts.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	hits   map[string]*window
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(max int, per time.Duration) *limiter {
	return &limiter{max: max, window: per, hits: map[string]*window{}}
}

// allow counts one attempt for key and reports whether it is within the
// limit; the reset time is returned for the Retry-After header.
func (l *limiter) allow(key string, now time.Time) (bool, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.hits) > 10000 {
		for k, w := range l.hits {
			if now.Sub(w.start) > l.window {
				delete(l.hits, k)
			}
		}
	}
	w := l.hits[key]
	if w == nil || now.Sub(w.start) > l.window {
		w = &window{start: now}
		l.hits[key] = w
	}
	w.n++
	return w.n <= l.max, w.start.Add(l.window)
}

// clientIP is the address a request came from, for rate limits.
func clientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// tokenCache keeps recently used tokens for a few seconds: every API call
// authenticates, and the token rarely changes. Revoking through this
// process drops the entry at once; another process sharing the database
// sees a revocation within tokenTTL.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedToken
}

type cachedToken struct {
	t       *store.Token
	expires time.Time
}

const (
	tokenTTL       = 10 * time.Second
	tokenCacheSize = 1024
)

func (tc *tokenCache) get(ctx context.Context, st store.Store, hash string, now time.Time) (*store.Token, error) {
	tc.mu.Lock()
	e, ok := tc.m[hash]
	tc.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.t, nil
	}
	t, err := st.TokenByHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	tc.mu.Lock()
	if tc.m == nil || len(tc.m) >= tokenCacheSize {
		tc.m = map[string]cachedToken{}
	}
	tc.m[hash] = cachedToken{t: t, expires: now.Add(tokenTTL)}
	tc.mu.Unlock()
	return t, nil
}

func (tc *tokenCache) forget(hash string) {
	tc.mu.Lock()
	delete(tc.m, hash)
	tc.mu.Unlock()
}
