package sqlite

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/roost-social/roost/store"
)

// Page limits.
const (
	defaultLimit = 20
	maxLimit     = 200
)

// page is a store.Page as query parameters. Every paged query has the form
// "... AND x.id < ?max AND x.id > ?min ORDER BY x.id <order> LIMIT ?limit",
// so there are only two variants of each (newest first, or oldest first for
// min_id, reversed afterwards).
type page struct {
	max, min int64
	asc      bool
	limit    int
}

func newPage(p store.Page) page {
	pg := page{max: math.MaxInt64, limit: p.Limit}
	if n, ok := parseID(p.MaxID); ok {
		pg.max = n
	}
	if n, ok := parseID(p.MinID); ok {
		pg.min, pg.asc = n, true
	} else if n, ok := parseID(p.SinceID); ok {
		pg.min = n
	}
	if pg.limit <= 0 {
		pg.limit = defaultLimit
	}
	if pg.limit > maxLimit {
		pg.limit = maxLimit
	}
	return pg
}

// order completes a query ending in "ORDER BY x.id ".
func (pg page) order() string {
	if pg.asc {
		return "ASC LIMIT ?4"
	}
	return "DESC LIMIT ?4"
}

// fix puts results read oldest first back to newest first.
func (pg page) fix(ids []int64, cursors []string) {
	if pg.asc {
		slices.Reverse(ids)
		slices.Reverse(cursors)
	}
}

// pageIDs runs q, which selects an ID and a cursor with the parameters
// ?1 = key, ?2 = max, ?3 = min, ?4 = limit, and ends in "ORDER BY x ".
func pageIDs(c *conn, q string, key int64, pg page) ([]int64, []string, error) {
	rs, err := c.query(q+pg.order(), key, pg.max, pg.min, pg.limit)
	if err != nil {
		return nil, nil, err
	}
	ids, cursors, err := scanIDs(rs, true)
	if err != nil {
		return nil, nil, err
	}
	pg.fix(ids, cursors)
	return ids, cursors, nil
}

// accountPage reads a page of accounts with pageIDs.
func (s *Store) accountPage(ctx context.Context, q, key string, p store.Page) ([]*store.Account, []string, error) {
	k, ok := parseID(key)
	if !ok {
		return nil, nil, nil
	}
	pg := newPage(p)
	var accounts []*store.Account
	var cursors []string
	err := s.read(ctx, func(c *conn) error {
		ids, cs, err := pageIDs(c, q, k, pg)
		if err != nil {
			return err
		}
		accounts, cursors, err = accountsInOrder(c, ids, cs)
		return err
	})
	return accounts, cursors, err
}

// statusPage reads a page of statuses with pageIDs.
func (s *Store) statusPage(ctx context.Context, q, key string, p store.Page) ([]*store.Status, []string, error) {
	k, ok := parseID(key)
	if !ok {
		return nil, nil, nil
	}
	pg := newPage(p)
	var list []*store.Status
	var cursors []string
	err := s.read(ctx, func(c *conn) error {
		ids, cs, err := pageIDs(c, q, k, pg)
		if err != nil {
			return err
		}
		list, err = loadStatuses(c, ids)
		if err != nil {
			return err
		}
		// A status can only be missing if deleted under us; keep the
		// cursors parallel anyway.
		if len(list) != len(ids) {
			byID := make(map[string]int, len(ids))
			for i, id := range ids {
				byID[formatID(id)] = i
			}
			kept := make([]string, 0, len(list))
			for _, st := range list {
				kept = append(kept, cs[byID[st.ID]])
			}
			cs = kept
		}
		cursors = cs
		return nil
	})
	return list, cursors, err
}

// HomeTimeline returns the statuses of the account's home: its own and
// those of the accounts it follows (boosts included, unless the follow
// hides them), private ones included, and the direct statuses that mention
// it; never those of an account it blocks or is blocked by (nor boosts of
// them). Home timelines are kept for local accounts only.
func (s *Store) HomeTimeline(ctx context.Context, accountID string, p store.Page) ([]*store.Status, error) {
	a, ok := parseID(accountID)
	if !ok {
		return nil, nil
	}
	list, err := s.timeline(ctx, `SELECT `+statusColumns+`
		FROM home_feed h CROSS JOIN statuses s ON s.id = h.status_id
		WHERE h.account_id = ?1 AND `+unblocked("?1")+` AND h.status_id < ?2 AND h.status_id > ?3 ORDER BY h.status_id `, a, p)
	if err != nil {
		return nil, fmt.Errorf("list home timeline: %w", err)
	}
	return list, nil
}

// PublicTimeline returns public statuses, boosts excluded: local ones only
// with f.Local, else remote ones only with f.Remote; none of accounts
// f.ViewerID blocks or is blocked by.
func (s *Store) PublicTimeline(ctx context.Context, f store.PublicFilter, p store.Page) ([]*store.Status, error) {
	var q strings.Builder
	// ?1 is unused but keeps the parameter numbers of pageIDs.
	q.WriteString(`SELECT ` + statusColumns + ` FROM statuses s
		WHERE ?1 = 0 AND s.visibility = 'public' AND s.reblog_of_id IS NULL`)
	switch {
	case f.Local:
		q.WriteString(` AND s.local = 1`)
	case f.Remote:
		q.WriteString(` AND s.local = 0`)
	}
	if f.OnlyMedia {
		q.WriteString(` AND s.media_count > 0`)
	}
	q.WriteString(` AND ` + unblocked("?5") + ` AND s.id < ?2 AND s.id > ?3 ORDER BY s.id `)
	list, err := s.timeline(ctx, q.String(), 0, p, viewer(f.ViewerID))
	if err != nil {
		return nil, fmt.Errorf("list public timeline: %w", err)
	}
	return list, nil
}

// TagTimeline returns the public statuses with the tag (any letter case),
// only local ones with local, none of accounts viewerID blocks or is
// blocked by.
func (s *Store) TagTimeline(ctx context.Context, viewerID, tag string, local bool, p store.Page) ([]*store.Status, error) {
	q := `SELECT ` + statusColumns + ` FROM status_tags t CROSS JOIN statuses s ON s.id = t.status_id
		WHERE t.tag = ?5 AND s.visibility = 'public' AND s.reblog_of_id IS NULL AND ?1 = 0 AND ` + unblocked("?6")
	if local {
		q += ` AND s.local = 1`
	}
	q += ` AND t.status_id < ?2 AND t.status_id > ?3 ORDER BY t.status_id `
	list, err := s.timeline(ctx, q, 0, p, strings.ToLower(strings.TrimPrefix(tag, "#")), viewer(viewerID))
	if err != nil {
		return nil, fmt.Errorf("list tag timeline: %w", err)
	}
	return list, nil
}

// timeline reads a page of statuses with q, which selects statusColumns
// with the parameters of pageIDs, and extra parameters from ?5 on.
func (s *Store) timeline(ctx context.Context, q string, key int64, p store.Page, extra ...any) ([]*store.Status, error) {
	pg := newPage(p)
	var list []*store.Status
	err := s.read(ctx, func(c *conn) error {
		args := append([]any{key, pg.max, pg.min, pg.limit}, extra...)
		found, err := queryStatuses(c, q+pg.order(), args...)
		if err != nil {
			return err
		}
		if pg.asc {
			slices.Reverse(found)
		}
		list, err = hydrate(c, found)
		return err
	})
	return list, err
}

// AccountStatuses returns the account's statuses and boosts that viewerID
// may see, narrowed by f, leaving out what viewerID blocks or is blocked
// by. ExcludeReplies keeps the account's replies to
// itself (threads); Pinned returns only the statuses the account pinned.
func (s *Store) AccountStatuses(ctx context.Context, viewerID, accountID string, f store.AccountStatusesFilter, p store.Page) ([]*store.Status, error) {
	a, ok := parseID(accountID)
	if !ok {
		return nil, nil
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + statusColumns + ` FROM statuses s WHERE s.account_id = ?1 AND ` + visibleTo("?5") +
		` AND ` + unblocked("?5"))
	if f.Pinned {
		q.WriteString(` AND EXISTS (SELECT 1 FROM pins p WHERE p.account_id = ?1 AND p.status_id = s.id)`)
	}
	if f.ExcludeReplies {
		q.WriteString(` AND (s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = ?1)`)
	}
	if f.ExcludeReblogs {
		q.WriteString(` AND s.reblog_of_id IS NULL`)
	}
	if f.OnlyMedia {
		q.WriteString(` AND s.media_count > 0`)
	}
	extra := []any{viewer(viewerID)}
	if f.Tagged != "" {
		q.WriteString(` AND EXISTS (SELECT 1 FROM status_tags t WHERE t.status_id = s.id AND t.tag = ?6)`)
		extra = append(extra, strings.ToLower(strings.TrimPrefix(f.Tagged, "#")))
	}
	q.WriteString(` AND s.id < ?2 AND s.id > ?3 ORDER BY s.id `)
	list, err := s.timeline(ctx, q.String(), a, p, extra...)
	if err != nil {
		return nil, fmt.Errorf("list account statuses: %w", err)
	}
	return list, nil
}
