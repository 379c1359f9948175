package federation

import (
	"context"
	"errors"
	"strings"

	"github.com/roost-social/roost/store"
)

// ErrBlockedDomain refuses contact with a suspended server.
var ErrBlockedDomain = errors.New("the domain is blocked")

// severity is how the instance blocks host ("" for not at all). A block of
// a domain covers its subdomains, as in Mastodon.
func (f *Federation) severity(ctx context.Context, host string) string {
	host = strings.ToLower(host)
	var names []string
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.Contains(host[i:], "]") {
		// A block may name host:port (servers side by side on one machine);
		// otherwise the port does not make another server.
		names = append(names, host)
		host = host[:i]
	}
	for host != "" {
		names = append(names, host)
		i := strings.IndexByte(host, '.')
		if i < 0 {
			break
		}
		host = host[i+1:]
	}
	// Longest first: a block of the host itself beats its parent's.
	if b, err := f.Store.DomainBlockOf(ctx, names...); err == nil {
		return b.Severity
	}
	return ""
}

// suspended reports whether the server at uri's host is suspended.
func (f *Federation) suspended(ctx context.Context, uri string) bool {
	return f.severity(ctx, hostOf(uri)) == store.SeveritySuspend
}

// Suspended reports whether the server at uri's host is suspended: nothing
// is fetched from it, not even its media.
func (f *Federation) Suspended(ctx context.Context, uri string) bool { return f.suspended(ctx, uri) }
