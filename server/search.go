package server

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/roost-social/roost/federation/content"
	"github.com/roost-social/roost/server/mastodon"
	"github.com/roost-social/roost/store"
)

// resolveTimeout bounds the WebFinger and ActivityPub fetches one search
// with resolve=true may make.
const resolveTimeout = 15 * time.Second

// search is GET /api/v2/search (q, type, resolve, limit, offset).
//
// A URL finds the account or status it names: one stored here, or with
// resolve=true the one fetched from it. Otherwise accounts are the one
// whose handle q is exactly (with resolve=true a remote handle is looked up
// through WebFinger), and hashtags the tag q names. Statuses are found by
// URL only: full-text search over statuses (and fuzzy account names) comes
// with the search issue's index. Without resolve nothing leaves the server.
// There is one page of results: an offset gives none.
func (s *Server) search(c *call) error {
	q := strings.TrimSpace(c.p.str("q"))
	if q == "" {
		return badRequest("param is missing or the value is empty: q")
	}
	typ := c.p.str("type")
	want := func(t string) bool { return typ == "" || typ == t }
	resolve := c.p.boolean("resolve")
	offset, _ := strconv.Atoi(c.p.str("offset"))
	limit := c.p.limit(20, 40)
	out := mastodon.Search{}
	if offset > 0 {
		return c.ok(out)
	}

	if isWebURL(q) {
		if !want("accounts") && !want("statuses") {
			return c.ok(out)
		}
		a, st, err := s.findURL(c, q, resolve)
		if err != nil {
			return err
		}
		if a != nil && want("accounts") {
			out.Accounts = s.env.Accounts([]*store.Account{a})
		}
		if st != nil && want("statuses") {
			ok, err := s.store.CanSee(c.r.Context(), c.viewerID(), st)
			if err != nil {
				return err
			}
			if ok {
				if out.Statuses, err = c.renderStatuses([]*store.Status{st}); err != nil {
					return err
				}
			}
		}
		return c.ok(out)
	}

	if want("accounts") {
		accts, err := s.findAccounts(c, q, resolve)
		if err != nil {
			return err
		}
		out.Accounts = s.env.Accounts(accts[:min(len(accts), limit)])
	}
	if want("hashtags") {
		if name, ok := s.tagQuery(q); ok {
			out.Hashtags = mastodon.List[mastodon.Tag]{s.env.TagNamed(name)}
		}
	}
	return c.ok(out)
}

// findAccounts is the account search that GET /api/v2/search and
// GET /api/v1/accounts/search share: the account whose handle q is exactly
// ("name", "@name", "name@domain", "@name@domain"), among the accounts
// stored here or, with resolve, a remote one fetched through WebFinger
// (Federation.ResolveAcct). Nothing found is no accounts, not an error.
func (s *Server) findAccounts(c *call, q string, resolve bool) ([]*store.Account, error) {
	name, domain, ok := parseHandle(q)
	if !ok {
		return nil, nil
	}
	if strings.EqualFold(domain, s.cfg.LocalDomain) || strings.EqualFold(domain, s.cfg.WebDomain) {
		domain = ""
	}
	var a *store.Account
	var err error
	if resolve && domain != "" {
		ctx, cancel := context.WithTimeout(c.r.Context(), resolveTimeout)
		defer cancel()
		a, err = s.fed.ResolveAcct(ctx, name, domain)
	} else {
		a, err = s.store.AccountByUsername(c.r.Context(), name, strings.ToLower(domain))
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []*store.Account{a}, nil
}

// parseHandle splits "name", "@name", "name@domain" or "@name@domain".
func parseHandle(q string) (name, domain string, ok bool) {
	q = strings.TrimPrefix(strings.TrimSpace(q), "@")
	if q == "" || len(q) > 300 || strings.ContainsAny(q, " \t\r\n/#?") {
		return "", "", false
	}
	name, domain, _ = strings.Cut(q, "@")
	if name == "" || strings.Contains(domain, "@") {
		return "", "", false
	}
	return name, domain, true
}

// tagQuery returns the hashtag q names ("tag" or "#tag"), lowercased, if q
// is one as Mastodon's hashtag rules read it.
func (s *Server) tagQuery(q string) (string, bool) {
	name := strings.TrimPrefix(q, "#")
	if name == "" {
		return "", false
	}
	tags := content.Render("#"+name, content.Options{BaseURL: s.cfg.BaseURL(), LocalDomain: s.cfg.LocalDomain}).Tags
	if len(tags) != 1 || tags[0] != strings.ToLower(name) {
		return "", false
	}
	return tags[0], true
}

// findURL finds the account or status a URL names: a page or id of this
// server, one stored under that id, or with resolve the one the URL serves
// (Federation.ResolveURL). Nothing found is two nils.
func (s *Server) findURL(c *call, q string, resolve bool) (*store.Account, *store.Status, error) {
	ctx := c.r.Context()
	if a, st, err := s.localURL(ctx, q); a != nil || st != nil || err != nil {
		return a, st, err
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	a, st, err := s.fed.ResolveURL(ctx, q, resolve)
	if errors.Is(err, store.ErrNotFound) {
		if resolve {
			s.log.Debug("search: nothing found at a URL", "url", q, "err", err)
		}
		return nil, nil, nil
	}
	return a, st, err
}

// localURL reads this server's profile and status pages (/@name,
// /@name/ID) and ids (/users/name, /users/name/statuses/ID).
func (s *Server) localURL(ctx context.Context, q string) (*store.Account, *store.Status, error) {
	base := s.cfg.BaseURL()
	if !strings.HasPrefix(q, base+"/") {
		return nil, nil, nil
	}
	u, err := url.Parse(q)
	if err != nil {
		return nil, nil, nil
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	var name, id string
	switch {
	case len(parts) == 1 && strings.HasPrefix(parts[0], "@"):
		name = parts[0][1:]
	case len(parts) == 2 && strings.HasPrefix(parts[0], "@"):
		name, id = parts[0][1:], parts[1]
	case len(parts) == 2 && parts[0] == "users":
		name = parts[1]
	case len(parts) == 4 && parts[0] == "users" && parts[2] == "statuses":
		name, id = parts[1], parts[3]
	default:
		return nil, nil, nil
	}
	if !usernameRe.MatchString(name) {
		return nil, nil, nil
	}
	a, err := s.store.AccountByUsername(ctx, name, "")
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil || id == "" {
		return a, nil, err
	}
	if !store.ValidID(id) {
		return nil, nil, nil
	}
	st, err := s.store.StatusByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && st.AccountID != a.ID {
		return nil, nil, nil
	}
	return nil, st, err
}

// isWebURL reports whether q is an absolute http(s) URL with a host.
func isWebURL(q string) bool {
	if !strings.HasPrefix(q, "https://") && !strings.HasPrefix(q, "http://") {
		return false
	}
	u, err := url.Parse(q)
	return err == nil && u.Host != "" && !strings.ContainsAny(q, " \t\r\n")
}
