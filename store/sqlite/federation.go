package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/roost-social/roost/store"
)

// AccountByKeyID finds the account whose public key has this id.
func (s *Store) AccountByKeyID(ctx context.Context, keyID string) (*store.Account, error) {
	if keyID == "" {
		return nil, fmt.Errorf("get account by key: %w", store.ErrNotFound)
	}
	var a *store.Account
	err := s.readOne(ctx, func(c *conn) (err error) {
		a, err = scanAccount(c.queryRow(`SELECT `+accountColumns+` FROM accounts WHERE key_id = ?1 AND key_id <> ''`, keyID))
		return notFound(err)
	})
	if err != nil {
		return nil, fmt.Errorf("get account by key: %w", err)
	}
	return a, nil
}

// FollowByURI finds the follow or follow request made by a Follow
// activity.
func (s *Store) FollowByURI(ctx context.Context, uri string) (followerID, targetID string, err error) {
	if uri == "" {
		return "", "", fmt.Errorf("get follow by URI: %w", store.ErrNotFound)
	}
	var f, t int64
	err = s.read(ctx, func(c *conn) error {
		err := c.queryRow(`SELECT account_id, target_id FROM follows WHERE uri = ?1 AND uri <> ''
			UNION ALL SELECT account_id, target_id FROM follow_requests WHERE uri = ?1 AND uri <> ''
			LIMIT 1`, uri).Scan(&f, &t)
		return notFound(err)
	})
	if err != nil {
		return "", "", fmt.Errorf("get follow by URI: %w", err)
	}
	return formatID(f), formatID(t), nil
}

// FollowURI is the Follow activity id of a follow or follow request.
func (s *Store) FollowURI(ctx context.Context, followerID, targetID string) (string, error) {
	f, ok1 := parseID(followerID)
	t, ok2 := parseID(targetID)
	if !ok1 || !ok2 {
		return "", fmt.Errorf("get follow URI: %w", store.ErrNotFound)
	}
	var uri string
	err := s.read(ctx, func(c *conn) error {
		err := c.queryRow(`SELECT uri FROM follows WHERE account_id = ?1 AND target_id = ?2
			UNION ALL SELECT uri FROM follow_requests WHERE account_id = ?1 AND target_id = ?2
			LIMIT 1`, f, t).Scan(&uri)
		return notFound(err)
	})
	if err != nil {
		return "", fmt.Errorf("get follow URI: %w", err)
	}
	return uri, nil
}

// HasLocalFollowers reports whether a local account follows accountID.
func (s *Store) HasLocalFollowers(ctx context.Context, accountID string) (bool, error) {
	id, ok := parseID(accountID)
	if !ok {
		return false, nil
	}
	var n int
	err := s.readOne(ctx, func(c *conn) error {
		return c.queryRow(`SELECT EXISTS (SELECT 1 FROM follows f JOIN accounts a ON a.id = f.account_id
			WHERE f.target_id = ?1 AND a.domain = '')`, id).Scan(&n)
	})
	if err != nil {
		return false, fmt.Errorf("check local followers: %w", err)
	}
	return n == 1, nil
}

// Enqueue stores the deliveries attached to ctx.
func (s *Store) Enqueue(ctx context.Context) error {
	if len(store.OutgoingFrom(ctx)) == 0 {
		return nil
	}
	if err := s.write(ctx, func(c *conn) error { return nil }); err != nil {
		return fmt.Errorf("enqueue deliveries: %w", err)
	}
	return nil
}

// insertOutgoing writes one delivery row per distinct inbox of each
// outgoing activity; write calls it inside every write transaction.
func insertOutgoing(c *conn, out []store.Outgoing) error {
	t := ms(now())
	for _, o := range out {
		actor, ok := parseID(o.ActorID)
		if !ok {
			return fmt.Errorf("outgoing activity: bad actor id %q", o.ActorID)
		}
		seen := map[string]bool{}
		add := func(inbox string) error {
			if inbox == "" || seen[inbox] {
				return nil
			}
			seen[inbox] = true
			_, err := c.exec(`INSERT INTO deliveries (id, actor_id, inbox, payload, next_at, created_at)
				VALUES (?1, ?2, ?3, ?4, ?5, ?5)`, newID(), actor, inbox, string(o.Payload), t)
			return err
		}
		for _, in := range o.Inboxes {
			if err := add(in); err != nil {
				return err
			}
		}
		if o.FollowersOf == "" {
			continue
		}
		target, ok := parseID(o.FollowersOf)
		if !ok {
			return fmt.Errorf("outgoing activity: bad account id %q", o.FollowersOf)
		}
		rs, err := c.query(`SELECT DISTINCT CASE WHEN a.shared_inbox_url <> '' THEN a.shared_inbox_url ELSE a.inbox_url END
			FROM follows f JOIN accounts a ON a.id = f.account_id
			WHERE f.target_id = ?1 AND a.domain <> ''`, target)
		if err != nil {
			return err
		}
		var inboxes []string
		for rs.Next() {
			var in string
			if err := rs.Scan(&in); err != nil {
				rs.Close()
				return err
			}
			inboxes = append(inboxes, in)
		}
		if err := rs.Close(); err != nil {
			return err
		}
		for _, in := range inboxes {
			if err := add(in); err != nil {
				return err
			}
		}
	}
	return nil
}

// TakeDeliveries leases up to limit due deliveries, oldest due first.
func (s *Store) TakeDeliveries(ctx context.Context, at time.Time, limit int, lease time.Duration) ([]store.Delivery, error) {
	if limit <= 0 {
		limit = 1
	}
	var out []store.Delivery
	err := s.write(ctx, func(c *conn) error {
		rs, err := c.query(`UPDATE deliveries SET next_at = ?2
			WHERE id IN (SELECT id FROM deliveries WHERE next_at <= ?1 ORDER BY next_at LIMIT ?3)
			RETURNING id, actor_id, inbox, payload, attempts, next_at, created_at, last_error`,
			ms(at), ms(at.Add(lease)), limit)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var id, actor, next, created int64
			var d store.Delivery
			var payload string
			if err := rs.Scan(&id, &actor, &d.Inbox, &payload, &d.Attempts, &next, &created, &d.LastError); err != nil {
				return err
			}
			d.ID, d.ActorID, d.Payload = formatID(id), formatID(actor), []byte(payload)
			d.NextAt, d.CreatedAt = fromMS(next), fromMS(created)
			out = append(out, d)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("take deliveries: %w", err)
	}
	return out, nil
}

// DeliveryDone removes a delivery.
func (s *Store) DeliveryDone(ctx context.Context, id string) error {
	n, ok := parseID(id)
	if !ok {
		return nil
	}
	if err := s.write(ctx, func(c *conn) error {
		_, err := c.exec(`DELETE FROM deliveries WHERE id = ?1`, n)
		return err
	}); err != nil {
		return fmt.Errorf("finish delivery: %w", err)
	}
	return nil
}

// RetryDelivery counts a failed attempt and reschedules the delivery.
func (s *Store) RetryDelivery(ctx context.Context, id string, at time.Time, lastErr string) error {
	n, ok := parseID(id)
	if !ok {
		return fmt.Errorf("retry delivery: %w", store.ErrNotFound)
	}
	if len(lastErr) > 500 {
		lastErr = lastErr[:500]
	}
	if err := s.write(ctx, func(c *conn) error {
		_, err := c.exec(`UPDATE deliveries SET attempts = attempts + 1, next_at = ?2, last_error = ?3 WHERE id = ?1`, n, ms(at), lastErr)
		return err
	}); err != nil {
		return fmt.Errorf("retry delivery: %w", err)
	}
	return nil
}
