package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"
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
