package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/roost-social/roost/store"
)

// HostFailing records that deliveries to host fail.
func (s *Store) HostFailing(ctx context.Context, host string, at time.Time) (time.Time, error) {
	var since int64
	err := s.write(ctx, func(c *conn) error {
		return c.queryRow(`INSERT INTO failing_hosts (host, since) VALUES (?1, ?2)
			ON CONFLICT (host) DO UPDATE SET since = since RETURNING since`, strings.ToLower(host), ms(at)).Scan(&since)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("record failing host: %w", err)
	}
	return fromMS(since), nil
}

// HostRecovered forgets host's failures.
func (s *Store) HostRecovered(ctx context.Context, host string) error {
	err := s.write(ctx, func(c *conn) error {
		_, err := c.exec(`DELETE FROM failing_hosts WHERE host = ?1`, strings.ToLower(host))
		return err
	})
	if err != nil {
		return fmt.Errorf("record recovered host: %w", err)
	}
	return nil
}

// FailingHosts lists the failing hosts and since when.
func (s *Store) FailingHosts(ctx context.Context) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	err := s.read(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT host, since FROM failing_hosts`)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var h string
			var since int64
			if err := rs.Scan(&h, &since); err != nil {
				return err
			}
			out[h] = fromMS(since)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list failing hosts: %w", err)
	}
	return out, nil
}

// SetInReplyTo attaches a parentless status to its parent.
func (s *Store) SetInReplyTo(ctx context.Context, id, parentID string) error {
	child, ok1 := parseID(id)
	parent, ok2 := parseID(parentID)
	if !ok1 || !ok2 || child == parent {
		return fmt.Errorf("set reply parent: %w", store.ErrNotFound)
	}
	err := s.write(ctx, func(c *conn) error {
		n, err := c.execN(`UPDATE statuses SET in_reply_to_id = ?2,
			in_reply_to_account_id = (SELECT account_id FROM statuses WHERE id = ?2)
			WHERE id = ?1 AND in_reply_to_id IS NULL AND reblog_of_id IS NULL
			  AND EXISTS (SELECT 1 FROM statuses WHERE id = ?2)`, child, parent)
		if err != nil || n == 0 {
			return err
		}
		_, err = c.exec(`UPDATE statuses SET replies_count = replies_count + 1 WHERE id = ?1`, parent)
		return err
	})
	if err != nil {
		return fmt.Errorf("set reply parent: %w", err)
	}
	return nil
}
