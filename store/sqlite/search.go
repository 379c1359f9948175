package sqlite

import (
	"context"
	"fmt"

	"github.com/roost-social/roost/store"
)

// AllStatuses returns up to limit hydrated statuses with IDs above afterID,
// in ID order, for walking the whole table in pages.
func (s *Store) AllStatuses(ctx context.Context, afterID string, limit int) ([]*store.Status, error) {
	var after int64
	if afterID != "" {
		n, ok := parseID(afterID)
		if !ok {
			return nil, fmt.Errorf("list all statuses: bad ID %q", afterID)
		}
		after = n
	}
	if limit <= 0 {
		return nil, nil
	}
	var list []*store.Status
	err := s.read(ctx, func(c *conn) error {
		rows, err := queryStatuses(c, `SELECT `+statusColumns+` FROM statuses s
			WHERE s.id > ?1 ORDER BY s.id LIMIT ?2`, after, limit)
		if err != nil {
			return err
		}
		list, err = hydrate(c, rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list all statuses: %w", err)
	}
	return list, nil
}

// CountStatuses returns how many statuses are stored, boosts included.
func (s *Store) CountStatuses(ctx context.Context) (int, error) {
	var n int
	err := s.read(ctx, func(c *conn) error {
		return c.queryRow(`SELECT count(*) FROM statuses`).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("count statuses: %w", err)
	}
	return n, nil
}
