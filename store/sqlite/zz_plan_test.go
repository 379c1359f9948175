package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

func TestZZPlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "x.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	qs := []string{
		`SELECT ` + statusColumns + ` FROM statuses WHERE id IN (SELECT value FROM json_each('[1,2]'))`,
		`SELECT m.status_id, a.id FROM status_mentions m JOIN accounts a ON a.id = m.account_id WHERE m.status_id IN (SELECT value FROM json_each('[1,2]')) ORDER BY m.status_id, m.account_id`,
		`SELECT status_id, tag FROM status_tags WHERE status_id IN (SELECT value FROM json_each('[1]')) ORDER BY status_id, tag`,
		`SELECT status_id, status_id FROM home_feed WHERE account_id = 1 AND status_id < 5 AND status_id > 0 ORDER BY status_id DESC LIMIT 20`,
		`SELECT id, id FROM statuses WHERE 1 = 0 AND visibility = 'public' AND reblog_of_id IS NULL AND id < 10 AND id > 0 ORDER BY id DESC LIMIT 20`,
		`SELECT id, id FROM statuses WHERE 0 = 0 AND visibility = 'public' AND reblog_of_id IS NULL AND local = 1 AND id < 10 AND id > 0 ORDER BY id DESC LIMIT 20`,
		`SELECT t.status_id, t.status_id FROM status_tags t JOIN statuses s ON s.id = t.status_id WHERE t.tag = 'x' AND s.visibility = 'public' AND s.reblog_of_id IS NULL AND 0 = 0 AND t.status_id < 5 AND t.status_id > 0 ORDER BY t.status_id DESC LIMIT 20`,
		`SELECT s.id FROM statuses s WHERE s.account_id = 1 AND ` + visibleTo("2") + ` AND s.id < 5 AND s.id > 0 ORDER BY s.id DESC LIMIT 20`,
		`SELECT account_id, id FROM favourites WHERE status_id = 1 AND id < 2 AND id > 0 ORDER BY id DESC LIMIT 20`,
		`SELECT status_id, id FROM favourites WHERE account_id = 1 AND id < 2 AND id > 0 ORDER BY id DESC LIMIT 20`,
		`SELECT account_id, id FROM statuses WHERE reblog_of_id = 1 AND reblog_of_id IS NOT NULL AND id < 2 AND id > 0 ORDER BY id DESC LIMIT 20`,
		`SELECT 2, reblog_of_id FROM statuses WHERE account_id = 1 AND reblog_of_id IS NOT NULL AND reblog_of_id IN (SELECT value FROM json_each('[1]'))`,
		`SELECT target_id, id FROM follows WHERE account_id = 1 AND id < 2 AND id > 0 ORDER BY id DESC LIMIT 20`,
		`SELECT id FROM notifications WHERE account_id = 1 AND (0 = 0 OR type IN (SELECT value FROM json_each('[]'))) AND type NOT IN (SELECT value FROM json_each('[]')) AND (0 = 0 OR from_account_id = 0) AND id < 5 AND id > 0 ORDER BY id DESC LIMIT 20`,
		`SELECT count(*) FROM statuses WHERE local = 1 AND reblog_of_id IS NULL`,
		`SELECT id, id FROM statuses WHERE 0 = 0 AND visibility = 'public' AND reblog_of_id IS NULL AND local = 0 AND id < 10 AND id > 0 ORDER BY id DESC LIMIT 20`,
		`WITH RECURSIVE up (id, depth) AS (
				SELECT in_reply_to_id, 1 FROM statuses WHERE id = 1 AND in_reply_to_id IS NOT NULL
				UNION ALL
				SELECT s.in_reply_to_id, up.depth + 1 FROM statuses s JOIN up ON s.id = up.id
				WHERE s.in_reply_to_id IS NOT NULL AND up.depth < 10
			)
			SELECT s.id FROM up CROSS JOIN statuses s ON s.id = up.id ORDER BY up.depth DESC`,
		`WITH RECURSIVE down (id, path, depth) AS (
				SELECT id, printf('%020d', id), 1 FROM statuses
				WHERE in_reply_to_id = 1 AND in_reply_to_id IS NOT NULL
				UNION ALL
				SELECT s.id, down.path || '/' || printf('%020d', s.id), down.depth + 1
				FROM statuses s JOIN down ON s.in_reply_to_id = down.id
				WHERE s.in_reply_to_id IS NOT NULL AND down.depth < 10
			)
			SELECT s.id FROM down CROSS JOIN statuses s ON s.id = down.id ORDER BY down.path LIMIT 10`,
		`SELECT id FROM statuses WHERE reblog_of_id = 1 AND reblog_of_id IS NOT NULL`,
		`DELETE FROM home_feed WHERE account_id = 1 AND status_id IN (SELECT id FROM statuses WHERE account_id = 2 AND visibility <> 'direct')`,
	}
	c := <-s.readers
	defer func() { s.readers <- c }()
	c.ctx = ctx
	for _, q := range qs {
		rows, err := c.sc.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q)
		if err != nil {
			t.Fatal(q, err)
		}
		fmt.Println("==", q[:min(len(q), 100)])
		for rows.Next() {
			var a, b, cc int
			var d string
			rows.Scan(&a, &b, &cc, &d)
			fmt.Println("   ", d)
		}
		rows.Close()
	}
}
