package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/roost-social/roost/store"
)

// CreateReport stores r and notifies the owners and admins; see
// store.Store.
func (s *Store) CreateReport(ctx context.Context, r *store.Report) error {
	reporter, ok1 := parseID(r.AccountID)
	target, ok2 := parseID(r.TargetAccountID)
	if !ok1 || !ok2 {
		return fmt.Errorf("create report: %w", store.ErrNotFound)
	}
	ids := make([]string, 0, len(r.StatusIDs))
	for _, id := range r.StatusIDs {
		if _, ok := parseID(id); ok {
			ids = append(ids, id)
		}
	}
	statusIDs, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("create report: %w", err)
	}
	created := now()
	id := newID()
	err = s.write(ctx, func(c *conn) error {
		for _, a := range []int64{reporter, target} {
			var one int
			if err := c.queryRow(`SELECT 1 FROM accounts WHERE id = ?1`, a).Scan(&one); err != nil {
				return notFound(err)
			}
		}
		if _, err := c.exec(`INSERT INTO reports (id, account_id, target_account_id, status_ids, comment, uri, created_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`, id, reporter, target, string(statusIDs), r.Comment, r.URI, ms(created)); err != nil {
			return err
		}
		rs, err := c.query(`SELECT account_id FROM users WHERE role IN ('owner', 'admin') AND account_id <> ?1`, reporter)
		if err != nil {
			return err
		}
		moderators, _, err := scanIDs(rs, false)
		if err != nil {
			return err
		}
		// Every moderator hears of it, even from an account they block.
		for _, m := range moderators {
			if _, err := c.exec(`INSERT INTO notifications (id, account_id, type, from_account_id, created_at)
				VALUES (?1, ?2, ?3, ?4, ?5)`, newID(), m, store.NotifyAdminReport, reporter, ms(created)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create report: %w", err)
	}
	r.ID = formatID(id)
	r.StatusIDs = ids
	r.CreatedAt = created
	return nil
}

// Reports returns every report, newest first.
func (s *Store) Reports(ctx context.Context) ([]*store.Report, error) {
	var out []*store.Report
	err := s.readOne(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT id, account_id, target_account_id, status_ids, comment, uri, created_at
			FROM reports WHERE id < ?1 ORDER BY id DESC`, int64(math.MaxInt64))
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var id, reporter, target, created int64
			var statusIDs string
			r := &store.Report{}
			if err := rs.Scan(&id, &reporter, &target, &statusIDs, &r.Comment, &r.URI, &created); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(statusIDs), &r.StatusIDs); err != nil {
				return fmt.Errorf("decode statuses of report %d: %w", id, err)
			}
			r.ID, r.AccountID, r.TargetAccountID = formatID(id), formatID(reporter), formatID(target)
			r.CreatedAt = fromMS(created)
			out = append(out, r)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return out, nil
}
