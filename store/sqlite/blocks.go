package sqlite

import (
	"context"
	"fmt"

	"github.com/roost-social/roost/store"
)

// A block separates two accounts both ways: whoever blocks and whoever is
// blocked see nothing of each other in timelines, threads and
// notifications, and neither can follow the other. Reads filter with
// unblocked and notBlockedBy; Block itself cleans what is already stored.

// blockedSet is a subquery of the accounts that the account whose ID is
// parameter p blocks or is blocked by. It does not depend on the row, so
// SQLite runs it once per statement.
func blockedSet(p string) string {
	return `(SELECT target_id FROM blocks WHERE account_id = ` + p + `
		UNION ALL SELECT account_id FROM blocks WHERE target_id = ` + p + `)`
}

// unblocked is the SQL condition that status s, and the status it boosts,
// are by none of blockedSet(p).
func unblocked(p string) string {
	set := blockedSet(p)
	return `(s.account_id NOT IN ` + set + ` AND (s.reblog_of_id IS NULL OR coalesce((
		SELECT o.account_id FROM statuses o WHERE o.id = s.reblog_of_id), 0) NOT IN ` + set + `))`
}

// blocked reports whether a blocks b or b blocks a.
func blocked(c *conn, a, b int64) (bool, error) {
	var yes bool
	err := c.queryRow(`SELECT EXISTS (SELECT 1 FROM blocks WHERE account_id = ?1 AND target_id = ?2)
		OR EXISTS (SELECT 1 FROM blocks WHERE account_id = ?2 AND target_id = ?1)`, a, b).Scan(&yes)
	return yes, err
}

// Block makes accountID block targetID; see store.Store.
func (s *Store) Block(ctx context.Context, accountID, targetID, uri string) (*store.Relationship, error) {
	var rel *store.Relationship
	err := s.write(ctx, func(c *conn) error {
		a, t, err := twoAccounts(c, accountID, targetID)
		if err != nil {
			return err
		}
		// A block made again keeps its row (and cursor); a new activity id
		// replaces the old one.
		if _, err := c.exec(`INSERT INTO blocks (id, account_id, target_id, uri, created_at)
			VALUES (?1, ?2, ?3, ?4, ?5)
			ON CONFLICT (account_id, target_id) DO UPDATE SET uri = excluded.uri WHERE excluded.uri <> ''`,
			newID(), a, t, uri, ms(now())); err != nil {
			return err
		}
		for _, pair := range [2][2]int64{{a, t}, {t, a}} {
			f, g := pair[0], pair[1]
			if err := unfollow(c, f, g); err != nil {
				return err
			}
			n, err := c.execN(`DELETE FROM follow_requests WHERE account_id = ?1 AND target_id = ?2`, f, g)
			if err != nil {
				return err
			}
			if n > 0 {
				if err := unnotify(c, f, store.NotifyFollowRequest, g, 0); err != nil {
					return err
				}
			}
			if err := unfeed(c, f, g); err != nil {
				return err
			}
		}
		rel, err = relationship(c, a, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("block account: %w", err)
	}
	return rel, nil
}

// unfeed removes author's statuses, and boosts of them, from reader's home
// timeline.
func unfeed(c *conn, reader, author int64) error {
	if _, err := c.exec(`DELETE FROM home_feed WHERE account_id = ?1 AND status_id IN (
		SELECT id FROM statuses WHERE account_id = ?2)`, reader, author); err != nil {
		return err
	}
	_, err := c.exec(`DELETE FROM home_feed WHERE account_id = ?1 AND status_id IN (
		SELECT b.id FROM statuses o JOIN statuses b ON b.reblog_of_id = o.id
		WHERE o.account_id = ?2 AND b.reblog_of_id IS NOT NULL)`, reader, author)
	return err
}

// Unblock lifts accountID's block of targetID; no block is no error.
func (s *Store) Unblock(ctx context.Context, accountID, targetID string) (*store.Relationship, error) {
	var rel *store.Relationship
	err := s.write(ctx, func(c *conn) error {
		a, t, err := twoAccounts(c, accountID, targetID)
		if err != nil {
			return err
		}
		if _, err := c.exec(`DELETE FROM blocks WHERE account_id = ?1 AND target_id = ?2`, a, t); err != nil {
			return err
		}
		rel, err = relationship(c, a, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unblock account: %w", err)
	}
	return rel, nil
}

// Blocks returns the accounts accountID blocks, newest block first, with
// the blocks' IDs as cursors.
func (s *Store) Blocks(ctx context.Context, accountID string, p store.Page) ([]*store.Account, []string, error) {
	accounts, cursors, err := s.accountPage(ctx, `SELECT target_id, id FROM blocks
		WHERE account_id = ?1 AND id < ?2 AND id > ?3 ORDER BY id `, accountID, p)
	if err != nil {
		return nil, nil, fmt.Errorf("list blocks: %w", err)
	}
	return accounts, cursors, nil
}

// BlockURI is the Block activity id of accountID's block of targetID.
func (s *Store) BlockURI(ctx context.Context, accountID, targetID string) (string, error) {
	a, ok1 := parseID(accountID)
	t, ok2 := parseID(targetID)
	if !ok1 || !ok2 {
		return "", fmt.Errorf("get block URI: %w", store.ErrNotFound)
	}
	var uri string
	err := s.readOne(ctx, func(c *conn) error {
		return notFound(c.queryRow(`SELECT uri FROM blocks WHERE account_id = ?1 AND target_id = ?2`, a, t).Scan(&uri))
	})
	if err != nil {
		return "", fmt.Errorf("get block URI: %w", err)
	}
	return uri, nil
}

// BlockByURI finds the block made by a Block activity.
func (s *Store) BlockByURI(ctx context.Context, uri string) (accountID, targetID string, err error) {
	if uri == "" {
		return "", "", fmt.Errorf("get block by URI: %w", store.ErrNotFound)
	}
	var a, t int64
	err = s.readOne(ctx, func(c *conn) error {
		return notFound(c.queryRow(`SELECT account_id, target_id FROM blocks WHERE uri = ?1 AND uri <> ''`, uri).Scan(&a, &t))
	})
	if err != nil {
		return "", "", fmt.Errorf("get block by URI: %w", err)
	}
	return formatID(a), formatID(t), nil
}

// MoveAccount records that accountID moved to targetID. Moving to oneself
// is store.ErrConflict.
func (s *Store) MoveAccount(ctx context.Context, accountID, targetID string) error {
	err := s.write(ctx, func(c *conn) error {
		a, t, err := twoAccounts(c, accountID, targetID)
		if err != nil {
			return err
		}
		_, err = c.exec(`UPDATE accounts SET moved_to_id = ?2 WHERE id = ?1`, a, t)
		return err
	})
	if err != nil {
		return fmt.Errorf("move account: %w", err)
	}
	return nil
}
