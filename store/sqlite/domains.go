package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/roost-social/roost/store"
)

// BlockDomain blocks domain (or changes the severity of its block).
func (s *Store) BlockDomain(ctx context.Context, domain, severity string) error {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if domain == "" || (severity != store.SeveritySilence && severity != store.SeveritySuspend) {
		return fmt.Errorf("block domain: bad domain or severity")
	}
	err := s.write(ctx, func(c *conn) error {
		_, err := c.exec(`INSERT INTO domain_blocks (domain, severity, created_at) VALUES (?1, ?2, ?3)
			ON CONFLICT (domain) DO UPDATE SET severity = excluded.severity`, domain, severity, ms(now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("block domain: %w", err)
	}
	return nil
}

// UnblockDomain lifts the block of domain; no block is no error.
func (s *Store) UnblockDomain(ctx context.Context, domain string) error {
	err := s.write(ctx, func(c *conn) error {
		_, err := c.exec(`DELETE FROM domain_blocks WHERE domain = ?1`, strings.ToLower(domain))
		return err
	})
	if err != nil {
		return fmt.Errorf("unblock domain: %w", err)
	}
	return nil
}

// DomainBlockOf returns the block of the first of domains that has one;
// store.ErrNotFound when none has.
func (s *Store) DomainBlockOf(ctx context.Context, domains ...string) (*store.DomainBlock, error) {
	names := make([]string, len(domains))
	for i, d := range domains {
		names[i] = strings.ToLower(d)
	}
	list, err := json.Marshal(names)
	if err != nil {
		return nil, fmt.Errorf("get domain block: %w", err)
	}
	found := map[string]store.DomainBlock{}
	err = s.read(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT domain, severity, created_at FROM domain_blocks
			WHERE domain IN (SELECT value FROM json_each(?1))`, string(list))
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var b store.DomainBlock
			var created int64
			if err := rs.Scan(&b.Domain, &b.Severity, &created); err != nil {
				return err
			}
			b.CreatedAt = fromMS(created)
			found[b.Domain] = b
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("get domain block: %w", err)
	}
	for _, d := range names {
		if b, ok := found[d]; ok {
			return &b, nil
		}
	}
	return nil, fmt.Errorf("get domain block: %w", store.ErrNotFound)
}

// DomainBlocks lists every block, by domain.
func (s *Store) DomainBlocks(ctx context.Context) ([]store.DomainBlock, error) {
	var out []store.DomainBlock
	err := s.read(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT domain, severity, created_at FROM domain_blocks ORDER BY domain`)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var b store.DomainBlock
			var created int64
			if err := rs.Scan(&b.Domain, &b.Severity, &created); err != nil {
				return err
			}
			b.CreatedAt = fromMS(created)
			out = append(out, b)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list domain blocks: %w", err)
	}
	return out, nil
}

// PurgeDomain deletes every account of domain, one transaction each so a
// large purge does not hold the writer for long, then the deliveries
// queued for the domain's inboxes.
func (s *Store) PurgeDomain(ctx context.Context, domain string) (int, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if domain == "" {
		return 0, fmt.Errorf("purge domain: no domain")
	}
	var ids []int64
	err := s.read(ctx, func(c *conn) error {
		// The domain itself, on any port, and its subdomains.
		rs, err := c.query(`SELECT id FROM accounts WHERE domain <> '' AND
			(domain = ?1 OR domain LIKE ?1 || ':%' OR domain LIKE '%.' || ?1 OR domain LIKE '%.' || ?1 || ':%')`, domain)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			if err := rs.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rs.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("purge domain: %w", err)
	}
	for i, id := range ids {
		if err := s.DeleteAccount(ctx, formatID(id)); err != nil {
			return i, fmt.Errorf("purge domain: %w", err)
		}
	}
	err = s.write(ctx, func(c *conn) error {
		_, err := c.exec(`DELETE FROM deliveries WHERE inbox LIKE 'https://' || ?1 || '/%' OR inbox LIKE 'http://' || ?1 || '/%'
			OR inbox LIKE 'https://' || ?1 || ':%' OR inbox LIKE 'http://' || ?1 || ':%'
			OR inbox LIKE 'https://%.' || ?1 || '/%' OR inbox LIKE 'http://%.' || ?1 || '/%'`, domain)
		return err
	})
	if err != nil {
		return len(ids), fmt.Errorf("purge domain: %w", err)
	}
	return len(ids), nil
}
