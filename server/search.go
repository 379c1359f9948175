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

// search is GET /api/v2/search (q, type, resolve, limit, offset, and for
// statuses account_id, min_id and max_id).
//
// A URL finds the account or status it names: one stored here, or with
// resolve=true the one fetched from it. Otherwise accounts are the one
// whose handle q is exactly (with resolve=true a remote handle is looked up
// through WebFinger), hashtags the tag q names, and statuses come from the
// full-text index (searchStatuses) for a signed-in user. Without resolve
// nothing leaves the server. Accounts and hashtags have one page of
// results: an offset gives none of them; following=true keeps only the
// accounts the viewer follows (onlyFollowed).
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
	if isWebURL(q) {
		if offset > 0 {
			return c.ok(out)
		}
		if !want("accounts") && !want("statuses") {
			return c.ok(out)
		}
		a, st, err := s.findURL(c, q, resolve)
		if err != nil {
			return err
		}
		if a != nil && want("accounts") {
			accts, err := s.onlyFollowed(c, []*store.Account{a})
			if err != nil {
				return err
			}
			out.Accounts = s.env.Accounts(accts)
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

	if want("statuses") {
		found, err := s.searchStatuses(c, q, offset, limit)
		if err != nil {
			return err
		}
		if out.Statuses, err = c.renderStatuses(found); err != nil {
			return err
		}
	}
	if offset > 0 {
		return c.ok(out)
	}
	if want("accounts") {
		accts, err := s.findAccounts(c, q, resolve)
		if err == nil {
			accts, err = s.onlyFollowed(c, accts)
		}
		if err != nil {
			return err
		}
		out.Accounts = s.env.Accounts(accts[:min(len(accts), limit)])
	}
	if want("hashtags") {
		if name, ok := s.tagQuery(q); ok {
			tags, err := c.renderTags([]string{name})
			if err != nil {
				return err
			}
			out.Hashtags = tags
		}
	}
	return c.ok(out)
}

// searchScanLimit bounds how many index hits one statuses search reads
// while skipping those the viewer may not see.
const searchScanLimit = 1000

// searchStatuses is the full-text part of a search: the statuses matching
// q (with Mastodon's operators, store.ParseSearchQuery) that the viewer may
// see (store.CanSee) and whose authors it has not hidden (hiddenAuthors),
// newest first, the first offset of them skipped. Anonymous viewers
// and app-only tokens find none, as in Mastodon; so does a server without
// an index. offset counts visible statuses, so the index is read from its
// start and hits the viewer may not see are skipped, up to searchScanLimit.
func (s *Server) searchStatuses(c *call, q string, offset, limit int) ([]*store.Status, error) {
	if s.index == nil || c.viewer == nil {
		return nil, nil
	}
	ctx := c.r.Context()
	sq := store.ParseSearchQuery(q)
	if sq.From != "" {
		id, err := s.searchAuthor(c, sq.From)
		if id == "" || err != nil {
			return nil, err
		}
		sq.AccountID = id
	}
	if a := c.p.str("account_id"); a != "" {
		if sq.AccountID != "" && sq.AccountID != a {
			return nil, nil
		}
		sq.AccountID = a
	}
	sq.MinID, sq.MaxID = c.p.str("min_id"), c.p.str("max_id")
	var found []*store.Status
	skip := max(offset, 0)
	batch := max(2*limit, 40)
	for sq.Offset = 0; sq.Offset < searchScanLimit; sq.Offset += batch {
		sq.Limit = batch
		ids, err := s.index.SearchStatuses(ctx, sq)
		if err != nil {
			return nil, err
		}
		list, err := s.store.StatusesByIDs(ctx, ids) // skips deleted ones
		if err != nil {
			return nil, err
		}
		hidden, err := s.hiddenAuthors(ctx, c.viewer.ID, list)
		if err != nil {
			return nil, err
		}
		for _, st := range list {
			if hidden[st.AccountID] {
				continue
			}
			ok, err := s.store.CanSee(ctx, c.viewer.ID, st)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			found = append(found, st)
			if len(found) == limit {
				return found, nil
			}
		}
		if len(ids) < batch {
			break
		}
	}
	return found, nil
}

// hiddenAuthors names the authors of list whose statuses search leaves
// out for viewerID, as Mastodon does: those the viewer blocks or mutes, or
// whose domain the viewer blocks, and those who block the viewer.
func (s *Server) hiddenAuthors(ctx context.Context, viewerID string, list []*store.Status) (map[string]bool, error) {
	seen := map[string]bool{}
	var ids []string
	for _, st := range list {
		if st.AccountID != viewerID && !seen[st.AccountID] {
			seen[st.AccountID] = true
			ids = append(ids, st.AccountID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rels, err := s.store.Relationships(ctx, viewerID, ids)
	if err != nil {
		return nil, err
	}
	hidden := map[string]bool{}
	for _, r := range rels {
		if r.Blocking || r.BlockedBy || r.Muting || r.DomainBlocking {
			hidden[r.ID] = true
		}
	}
	return hidden, nil
}

// searchAuthor resolves the handle of a from: operator ("me", "name",
// "name@domain") into an account ID among the accounts stored here; ""
// when there is none.
func (s *Server) searchAuthor(c *call, handle string) (string, error) {
	if strings.EqualFold(handle, "me") {
		return c.viewer.ID, nil
	}
	accts, err := s.findAccounts(c, handle, false)
	if err != nil || len(accts) == 0 {
		return "", err
	}
	return accts[0].ID, nil
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

// onlyFollowed applies the search parameter following=true (Mastodon's):
// of accts it keeps those the viewer follows; an anonymous viewer follows
// no one. Without the parameter accts are returned as they are.
func (s *Server) onlyFollowed(c *call, accts []*store.Account) ([]*store.Account, error) {
	if !c.p.boolean("following") || len(accts) == 0 {
		return accts, nil
	}
	if c.viewer == nil {
		return nil, nil
	}
	ids := make([]string, len(accts))
	for i, a := range accts {
		ids[i] = a.ID
	}
	rs, err := s.store.Relationships(c.r.Context(), c.viewer.ID, ids)
	if err != nil {
		return nil, err
	}
	following := make(map[string]bool, len(rs))
	for _, r := range rs {
		following[r.ID] = r.Following
	}
	var out []*store.Account
	for _, a := range accts {
		if following[a.ID] {
			out = append(out, a)
		}
	}
	return out, nil
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
