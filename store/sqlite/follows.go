package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/roost-social/roost/store"
)

// Follow makes followerID follow targetID, or asks to when the target is
// locked or o.Pending is set (a follow request, Relationship.Requested). Following again
// updates the options of the follow or request. Following oneself, or an
// account one blocks or is blocked by, is store.ErrConflict; an unknown
// account is store.ErrNotFound.
func (s *Store) Follow(ctx context.Context, followerID, targetID string, o store.FollowOptions) (*store.Relationship, error) {
	var rel *store.Relationship
	err := s.write(ctx, func(c *conn) error {
		f, t, err := twoAccounts(c, followerID, targetID)
		if err != nil {
			return err
		}
		if b, err := blocked(c, f, t); err != nil || b {
			if err == nil {
				err = fmt.Errorf("%w: a block separates the accounts", store.ErrConflict)
			}
			return err
		}
		var locked bool
		if err := c.queryRow(`SELECT locked FROM accounts WHERE id = ?1`, t).Scan(&locked); err != nil {
			return notFound(err)
		}
		var showReblogs bool
		err = c.queryRow(`SELECT show_reblogs FROM follows WHERE account_id = ?1 AND target_id = ?2`, f, t).Scan(&showReblogs)
		switch {
		case err == nil:
			if _, err := c.exec(`UPDATE follows SET show_reblogs = ?3, notify = ?4
				WHERE account_id = ?1 AND target_id = ?2`, f, t, o.ShowReblogs, o.Notify); err != nil {
				return err
			}
			if showReblogs != o.ShowReblogs {
				if err := feedBoosts(c, f, t, o.ShowReblogs); err != nil {
					return err
				}
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		default:
			n, err := c.execN(`UPDATE follow_requests SET show_reblogs = ?3, notify = ?4
				WHERE account_id = ?1 AND target_id = ?2`, f, t, o.ShowReblogs, o.Notify)
			if err != nil {
				return err
			}
			switch {
			case n > 0:
			case locked || o.Pending:
				if _, err := c.exec(`INSERT INTO follow_requests (id, account_id, target_id, show_reblogs, notify, created_at, uri)
					VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`, newID(), f, t, o.ShowReblogs, o.Notify, ms(now()), o.URI); err != nil {
					return err
				}
				if err := notify(c, t, f, store.NotifyFollowRequest, 0); err != nil {
					return err
				}
			default:
				if err := follow(c, f, t, o); err != nil {
					return err
				}
				if err := notify(c, t, f, store.NotifyFollow, 0); err != nil {
					return err
				}
			}
		}
		rel, err = relationship(c, f, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("follow account: %w", err)
	}
	return rel, nil
}

func twoAccounts(c *conn, aID, bID string) (a, b int64, err error) {
	a, ok1 := parseID(aID)
	b, ok2 := parseID(bID)
	if !ok1 || !ok2 {
		return 0, 0, store.ErrNotFound
	}
	if a == b {
		return 0, 0, store.ErrConflict
	}
	var n int
	if err := c.queryRow(`SELECT count(*) FROM accounts WHERE id IN (?1, ?2)`, a, b).Scan(&n); err != nil {
		return 0, 0, err
	}
	if n != 2 {
		return 0, 0, store.ErrNotFound
	}
	return a, b, nil
}

// follow makes an accepted follow, with counters and the follower's home
// timeline.
func follow(c *conn, f, t int64, o store.FollowOptions) error {
	n, err := c.execN(`INSERT OR IGNORE INTO follows (id, account_id, target_id, show_reblogs, notify, created_at, uri)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`, newID(), f, t, o.ShowReblogs, o.Notify, ms(now()), o.URI)
	if err != nil || n == 0 {
		return err
	}
	if _, err := c.exec(`UPDATE accounts SET following_count = following_count + 1 WHERE id = ?1`, f); err != nil {
		return err
	}
	if _, err := c.exec(`UPDATE accounts SET followers_count = followers_count + 1 WHERE id = ?1`, t); err != nil {
		return err
	}
	// Direct statuses that mention the follower are there already.
	_, err = c.exec(`INSERT OR IGNORE INTO home_feed (account_id, status_id)
		SELECT ?1, s.id FROM statuses s
		WHERE s.account_id = ?2 AND s.visibility <> 'direct' AND (?3 = 1 OR s.reblog_of_id IS NULL)
		  AND EXISTS (SELECT 1 FROM accounts WHERE id = ?1 AND domain = '')`, f, t, o.ShowReblogs)
	return err
}

// feedBoosts adds the target's boosts to the follower's home timeline, or
// removes them.
func feedBoosts(c *conn, f, t int64, show bool) error {
	var err error
	if show {
		_, err = c.exec(`INSERT OR IGNORE INTO home_feed (account_id, status_id)
			SELECT ?1, s.id FROM statuses s
			WHERE s.account_id = ?2 AND s.reblog_of_id IS NOT NULL AND s.visibility <> 'direct'
			  AND EXISTS (SELECT 1 FROM accounts WHERE id = ?1 AND domain = '')`, f, t)
	} else {
		_, err = c.exec(`DELETE FROM home_feed WHERE account_id = ?1 AND status_id IN (
			SELECT id FROM statuses WHERE account_id = ?2 AND reblog_of_id IS NOT NULL)`, f, t)
	}
	return err
}

// Unfollow ends a follow or withdraws a follow request; neither is no
// error.
func (s *Store) Unfollow(ctx context.Context, followerID, targetID string) (*store.Relationship, error) {
	var rel *store.Relationship
	err := s.write(ctx, func(c *conn) error {
		f, t, err := twoAccounts(c, followerID, targetID)
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
			rel = &store.Relationship{ID: targetID}
			return nil
		}
		if err != nil {
			return err
		}
		if err := unfollow(c, f, t); err != nil {
			return err
		}
		n, err := c.execN(`DELETE FROM follow_requests WHERE account_id = ?1 AND target_id = ?2`, f, t)
		if err != nil {
			return err
		}
		if n > 0 {
			if err := unnotify(c, f, store.NotifyFollowRequest, t, 0); err != nil {
				return err
			}
		}
		rel, err = relationship(c, f, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unfollow account: %w", err)
	}
	return rel, nil
}

// unfollow removes an accepted follow with its counters, notification and
// the target's statuses in the follower's home timeline.
func unfollow(c *conn, f, t int64) error {
	n, err := c.execN(`DELETE FROM follows WHERE account_id = ?1 AND target_id = ?2`, f, t)
	if err != nil || n == 0 {
		return err
	}
	if _, err := c.exec(`UPDATE accounts SET following_count = max(0, following_count - 1) WHERE id = ?1`, f); err != nil {
		return err
	}
	if _, err := c.exec(`UPDATE accounts SET followers_count = max(0, followers_count - 1) WHERE id = ?1`, t); err != nil {
		return err
	}
	if err := unnotify(c, f, store.NotifyFollow, t, 0); err != nil {
		return err
	}
	// Direct statuses stay: the follower sees them as mentioned.
	_, err = c.exec(`DELETE FROM home_feed WHERE account_id = ?1 AND status_id IN (
		SELECT id FROM statuses WHERE account_id = ?2 AND visibility <> 'direct')`, f, t)
	return err
}

// relationship is how a relates to b.
func relationship(c *conn, a, b int64) (*store.Relationship, error) {
	rels, err := relationships(c, a, []string{formatID(b)})
	if err != nil {
		return nil, err
	}
	return rels[0], nil
}

func relationships(c *conn, a int64, targetIDs []string) ([]*store.Relationship, error) {
	out := make([]*store.Relationship, len(targetIDs))
	byID := make(map[int64][]*store.Relationship, len(targetIDs))
	for i, id := range targetIDs {
		out[i] = &store.Relationship{ID: id}
		if n, ok := parseID(id); ok {
			byID[n] = append(byID[n], out[i])
		}
	}
	if a == 0 || len(byID) == 0 {
		return out, nil
	}
	rs, err := c.query(`
		SELECT 1, target_id, show_reblogs, notify FROM follows
		WHERE account_id = ?1 AND target_id IN (SELECT value FROM json_each(?2))
		UNION ALL
		SELECT 2, target_id, show_reblogs, notify FROM follow_requests
		WHERE account_id = ?1 AND target_id IN (SELECT value FROM json_each(?2))
		UNION ALL
		SELECT 3, account_id, 0, 0 FROM follows
		WHERE target_id = ?1 AND account_id IN (SELECT value FROM json_each(?2))
		UNION ALL
		SELECT 4, account_id, 0, 0 FROM follow_requests
		WHERE target_id = ?1 AND account_id IN (SELECT value FROM json_each(?2))
		UNION ALL
		SELECT 5, target_id, 0, 0 FROM blocks
		WHERE account_id = ?1 AND target_id IN (SELECT value FROM json_each(?2))
		UNION ALL
		SELECT 6, account_id, 0, 0 FROM blocks
		WHERE target_id = ?1 AND account_id IN (SELECT value FROM json_each(?2))`, a, idList(targetIDs))
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	for rs.Next() {
		var kind, id int64
		var showReblogs, notify bool
		if err := rs.Scan(&kind, &id, &showReblogs, &notify); err != nil {
			return nil, err
		}
		for _, r := range byID[id] {
			switch kind {
			case 1:
				r.Following, r.ShowingReblogs, r.Notifying = true, showReblogs, notify
			case 2:
				r.Requested, r.ShowingReblogs, r.Notifying = true, showReblogs, notify
			case 3:
				r.FollowedBy = true
			case 4:
				r.RequestedBy = true
			case 5:
				r.Blocking = true
			case 6:
				r.BlockedBy = true
			}
		}
	}
	return out, rs.Err()
}

// Relationships returns how accountID relates to each of targetIDs, in
// their order; an unknown target gets a Relationship with only its ID.
func (s *Store) Relationships(ctx context.Context, accountID string, targetIDs []string) ([]*store.Relationship, error) {
	a, _ := parseID(accountID)
	var rels []*store.Relationship
	err := s.readOne(ctx, func(c *conn) (err error) {
		rels, err = relationships(c, a, targetIDs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list relationships: %w", err)
	}
	return rels, nil
}

// Followers returns the accounts that follow accountID, newest follow
// first, with the follows' IDs as cursors.
func (s *Store) Followers(ctx context.Context, accountID string, p store.Page) ([]*store.Account, []string, error) {
	accounts, cursors, err := s.accountPage(ctx, `SELECT account_id, id FROM follows
		WHERE target_id = ?1 AND id < ?2 AND id > ?3 ORDER BY id `, accountID, p)
	if err != nil {
		return nil, nil, fmt.Errorf("list followers: %w", err)
	}
	return accounts, cursors, nil
}

// Following returns the accounts accountID follows, newest follow first,
// with the follows' IDs as cursors.
func (s *Store) Following(ctx context.Context, accountID string, p store.Page) ([]*store.Account, []string, error) {
	accounts, cursors, err := s.accountPage(ctx, `SELECT target_id, id FROM follows
		WHERE account_id = ?1 AND id < ?2 AND id > ?3 ORDER BY id `, accountID, p)
	if err != nil {
		return nil, nil, fmt.Errorf("list following: %w", err)
	}
	return accounts, cursors, nil
}

// FollowRequests returns the accounts asking to follow accountID, newest
// first, with the requests' IDs as cursors.
func (s *Store) FollowRequests(ctx context.Context, accountID string, p store.Page) ([]*store.Account, []string, error) {
	accounts, cursors, err := s.accountPage(ctx, `SELECT account_id, id FROM follow_requests
		WHERE target_id = ?1 AND id < ?2 AND id > ?3 ORDER BY id `, accountID, p)
	if err != nil {
		return nil, nil, fmt.Errorf("list follow requests: %w", err)
	}
	return accounts, cursors, nil
}

// AuthorizeFollowRequest turns requesterID's request into a follow of
// accountID (no notification, as in Mastodon) and returns how accountID
// relates to the requester. No such request is store.ErrNotFound.
func (s *Store) AuthorizeFollowRequest(ctx context.Context, accountID, requesterID string) (*store.Relationship, error) {
	var rel *store.Relationship
	err := s.write(ctx, func(c *conn) error {
		a, r, err := takeRequest(c, accountID, requesterID)
		if err != nil {
			return err
		}
		if err := follow(c, r.requester, a, r.options); err != nil {
			return err
		}
		rel, err = relationship(c, a, r.requester)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("authorize follow request: %w", err)
	}
	return rel, nil
}

// RejectFollowRequest deletes requesterID's request to follow accountID.
// No such request is store.ErrNotFound.
func (s *Store) RejectFollowRequest(ctx context.Context, accountID, requesterID string) (*store.Relationship, error) {
	var rel *store.Relationship
	err := s.write(ctx, func(c *conn) error {
		a, r, err := takeRequest(c, accountID, requesterID)
		if err != nil {
			return err
		}
		rel, err = relationship(c, a, r.requester)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reject follow request: %w", err)
	}
	return rel, nil
}

type request struct {
	requester int64
	options   store.FollowOptions
}

// takeRequest deletes a follow request with its notification and returns
// it.
func takeRequest(c *conn, accountID, requesterID string) (int64, request, error) {
	a, ok1 := parseID(accountID)
	r, ok2 := parseID(requesterID)
	if !ok1 || !ok2 {
		return 0, request{}, store.ErrNotFound
	}
	req := request{requester: r}
	err := c.queryRow(`DELETE FROM follow_requests WHERE account_id = ?1 AND target_id = ?2
		RETURNING show_reblogs, notify, uri`, r, a).Scan(&req.options.ShowReblogs, &req.options.Notify, &req.options.URI)
	if err != nil {
		return 0, request{}, notFound(err)
	}
	return a, req, unnotify(c, r, store.NotifyFollowRequest, a, 0)
}
