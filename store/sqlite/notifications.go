package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/roost-social/roost/store"
)

// The store makes notifications itself, in the transaction of what caused
// them, for local recipients only and never for one's own actions. A
// reblog or favourite notification points at the boosted or favourited
// status; undoing the action removes it, as do unfollowing (follow,
// follow_request) and answering a request (follow_request).

const notificationColumns = `id, account_id, type, from_account_id, status_id, created_at`

// loadNotifications reads the notifications with the given ids, in that
// order, with From and Status filled.
func loadNotifications(c *conn, ids []int64) ([]*store.Notification, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rs, err := c.query(`SELECT `+notificationColumns+` FROM notifications
		WHERE id IN (SELECT value FROM json_each(?1))`, intList(ids))
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*store.Notification, len(ids))
	var from, statuses []int64
	fromStatus := map[*store.Notification]int64{}
	fromAccount := map[*store.Notification]int64{}
	for rs.Next() {
		var n store.Notification
		var id, account, fromID, created int64
		var status sql.NullInt64
		if err := rs.Scan(&id, &account, &n.Type, &fromID, &status, &created); err != nil {
			rs.Close()
			return nil, err
		}
		n.ID = formatID(id)
		n.AccountID = formatID(account)
		n.FromAccountID = formatID(fromID)
		n.StatusID = formatNullID(status)
		n.CreatedAt = fromMS(created)
		byID[id] = &n
		from = append(from, fromID)
		fromAccount[&n] = fromID
		if status.Valid {
			statuses = append(statuses, status.Int64)
			fromStatus[&n] = status.Int64
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	accounts, err := accountsByID(c, from)
	if err != nil {
		return nil, err
	}
	list, err := loadStatuses(c, statuses)
	if err != nil {
		return nil, err
	}
	sts := make(map[int64]*store.Status, len(list))
	for _, st := range list {
		n, _ := parseID(st.ID)
		sts[n] = st
	}
	out := make([]*store.Notification, 0, len(ids))
	for _, id := range ids {
		n := byID[id]
		if n == nil {
			continue
		}
		n.From = accounts[fromAccount[n]]
		if sid, ok := fromStatus[n]; ok {
			n.Status = sts[sid]
		}
		out = append(out, n)
	}
	return out, nil
}

// Notifications returns the account's notifications, newest first, of the
// f.Types (all when empty) but not f.ExcludeTypes, from f.FromID if set;
// none from an account it blocks or is blocked by, except reports.
func (s *Store) Notifications(ctx context.Context, accountID string, f store.NotificationFilter, p store.Page) ([]*store.Notification, error) {
	a, ok := parseID(accountID)
	if !ok {
		return nil, nil
	}
	types, err := json.Marshal(f.Types)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	exclude, err := json.Marshal(f.ExcludeTypes)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	var fromID int64
	if f.FromID != "" {
		if fromID, ok = parseID(f.FromID); !ok {
			return nil, nil
		}
	}
	pg := newPage(p)
	var list []*store.Notification
	err = s.read(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT id, id FROM notifications
			WHERE account_id = ?1
			  AND (?5 = 0 OR type IN (SELECT value FROM json_each(?6)))
			  AND type NOT IN (SELECT value FROM json_each(?7))
			  AND (?8 = 0 OR from_account_id = ?8)
			  AND (type = 'admin.report' OR from_account_id NOT IN `+blockedSet("?1")+`)
			  AND id < ?2 AND id > ?3 ORDER BY id `+pg.order(),
			a, pg.max, pg.min, pg.limit, len(f.Types), nullJSON(types), nullJSON(exclude), fromID)
		if err != nil {
			return err
		}
		ids, _, err := scanIDs(rs, true)
		if err != nil {
			return err
		}
		pg.fix(ids, nil)
		list, err = loadNotifications(c, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	return list, nil
}

// nullJSON turns a marshalled nil slice into an empty JSON array.
func nullJSON(b []byte) string {
	if string(b) == "null" {
		return "[]"
	}
	return string(b)
}

// NotificationByID returns one of the account's notifications; another
// account's is store.ErrNotFound.
func (s *Store) NotificationByID(ctx context.Context, accountID, id string) (*store.Notification, error) {
	a, ok1 := parseID(accountID)
	n, ok2 := parseID(id)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("get notification: %w", store.ErrNotFound)
	}
	var list []*store.Notification
	err := s.read(ctx, func(c *conn) error {
		var one int
		if err := c.queryRow(`SELECT 1 FROM notifications WHERE id = ?1 AND account_id = ?2`, n, a).Scan(&one); err != nil {
			return notFound(err)
		}
		var err error
		list, err = loadNotifications(c, []int64{n})
		return err
	})
	if err == nil && len(list) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get notification: %w", err)
	}
	return list[0], nil
}

// DismissNotification deletes one of the account's notifications; another
// account's is store.ErrNotFound.
func (s *Store) DismissNotification(ctx context.Context, accountID, id string) error {
	a, ok1 := parseID(accountID)
	n, ok2 := parseID(id)
	if !ok1 || !ok2 {
		return fmt.Errorf("dismiss notification: %w", store.ErrNotFound)
	}
	err := s.write(ctx, func(c *conn) error {
		k, err := c.execN(`DELETE FROM notifications WHERE id = ?1 AND account_id = ?2`, n, a)
		if err == nil && k == 0 {
			err = store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("dismiss notification: %w", err)
	}
	return nil
}

// ClearNotifications deletes all the account's notifications.
func (s *Store) ClearNotifications(ctx context.Context, accountID string) error {
	a, _ := parseID(accountID)
	err := s.write(ctx, func(c *conn) error {
		_, err := c.exec(`DELETE FROM notifications WHERE account_id = ?1`, a)
		return err
	})
	if err != nil {
		return fmt.Errorf("clear notifications: %w", err)
	}
	return nil
}

// defaultUnreadLimit is UnreadNotifications' limit when the caller gives
// none (Mastodon's default).
const defaultUnreadLimit = 100

// UnreadNotifications counts the account's notifications newer than its
// "notifications" marker, up to limit (limit <= 0: 100), leaving out
// those Notifications leaves out.
func (s *Store) UnreadNotifications(ctx context.Context, accountID string, limit int) (int, error) {
	a, _ := parseID(accountID)
	if limit <= 0 {
		limit = defaultUnreadLimit
	}
	var n int
	err := s.readOne(ctx, func(c *conn) error {
		return c.queryRow(`SELECT count(*) FROM (
			SELECT 1 FROM notifications WHERE account_id = ?1 AND id > coalesce((
				SELECT CAST(last_read_id AS INTEGER) FROM markers
				WHERE account_id = ?1 AND timeline = 'notifications'), 0)
			  AND (type = 'admin.report' OR from_account_id NOT IN `+blockedSet("?1")+`)
			LIMIT ?2)`, a, limit).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return n, nil
}

// Markers returns the account's markers of the given timelines (all of
// them when timelines is empty) that exist.
func (s *Store) Markers(ctx context.Context, accountID string, timelines []string) ([]store.Marker, error) {
	a, _ := parseID(accountID)
	names, err := json.Marshal(timelines)
	if err != nil {
		return nil, fmt.Errorf("list markers: %w", err)
	}
	var out []store.Marker
	err = s.readOne(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT timeline, last_read_id, version, updated_at FROM markers
			WHERE account_id = ?1 AND (?2 = 0 OR timeline IN (SELECT value FROM json_each(?3)))
			ORDER BY timeline`, a, len(timelines), nullJSON(names))
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var m store.Marker
			var updated int64
			if err := rs.Scan(&m.Timeline, &m.LastReadID, &m.Version, &updated); err != nil {
				return err
			}
			m.UpdatedAt = fromMS(updated)
			out = append(out, m)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list markers: %w", err)
	}
	return out, nil
}

// SetMarker moves the account's read position in a timeline. The version
// starts at 1 and grows by one with each change; setting the same position
// again changes nothing.
func (s *Store) SetMarker(ctx context.Context, accountID, timeline, lastReadID string) (store.Marker, error) {
	a, ok := parseID(accountID)
	if !ok {
		return store.Marker{}, fmt.Errorf("set marker: %w", store.ErrNotFound)
	}
	m := store.Marker{Timeline: timeline}
	err := s.write(ctx, func(c *conn) error {
		var updated int64
		err := c.queryRow(`INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at)
			VALUES (?1, ?2, ?3, 1, ?4)
			ON CONFLICT (account_id, timeline) DO UPDATE SET
				last_read_id = excluded.last_read_id, version = version + 1, updated_at = excluded.updated_at
				WHERE last_read_id <> excluded.last_read_id
			RETURNING last_read_id, version, updated_at`, a, timeline, lastReadID, ms(now())).
			Scan(&m.LastReadID, &m.Version, &updated)
		if err == sql.ErrNoRows {
			// Unchanged: the upsert returns nothing.
			err = c.queryRow(`SELECT last_read_id, version, updated_at FROM markers
				WHERE account_id = ?1 AND timeline = ?2`, a, timeline).Scan(&m.LastReadID, &m.Version, &updated)
		}
		if err != nil {
			return mapErr(err)
		}
		m.UpdatedAt = fromMS(updated)
		return nil
	})
	if err != nil {
		return store.Marker{}, fmt.Errorf("set marker: %w", err)
	}
	return m, nil
}
