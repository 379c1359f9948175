package sqlite

import (
	"context"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/storetest"
)

// acceptableScan matches the scans a query plan may contain: constants and
// subqueries, the JSON lists, the thread CTEs, and the users and remote
// domains counted by InstanceUsage and listed by ListUsers, and the
// statuses counted by CountStatuses (search deploy's progress), the remote
// media cache summed by CachedSize (after a fetch and hourly), and the
// uploads waiting for processing (a partial index of just those).
var acceptableScan = regexp.MustCompile(`^SCAN (CONSTANT ROW|\(subquery-\d+\)|(json_each|up|down|users|u)\b|accounts USING COVERING INDEX accounts_domain|statuses USING COVERING INDEX statuses_account$|media_cache$|media_attachments USING INDEX media_attachments_processing$)`)

var param = regexp.MustCompile(`\?(\d+)`)

// TestQueryPlans runs the conformance suite, collects every statement the
// store prepared, and checks that none reads a whole table: without
// statistics (a fresh database), every query must still find an index.
func TestQueryPlans(t *testing.T) {
	var mu sync.Mutex
	queries := map[string]bool{}
	collect := func(c *conn) {
		mu.Lock()
		defer mu.Unlock()
		for q := range c.stmts {
			queries[q] = true
		}
	}
	storetest.RunStore(t, func(t *testing.T) store.Store {
		s, err := Open(t.Context(), filepath.Join(t.TempDir(), "roost.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		// Cleanups run last first: collect, then close.
		t.Cleanup(func() { s.Close() })
		t.Cleanup(func() {
			for range cap(s.readers) {
				c := <-s.readers
				collect(c)
				defer func() { s.readers <- c }()
			}
			c := <-s.writer
			collect(c)
			s.writer <- c
		})
		return s
	})
	if t.Failed() {
		return
	}

	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "plans.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := acquire(t.Context(), s.readers)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.readers <- c }()
	var sorted []string
	for q := range queries {
		sorted = append(sorted, q)
	}
	sort.Strings(sorted)
	if len(sorted) < 50 {
		t.Errorf("only %d statements collected", len(sorted))
	}
	for _, q := range sorted {
		switch strings.ToUpper(strings.Fields(q)[0]) {
		case "BEGIN", "COMMIT", "ROLLBACK":
			continue
		}
		// Every parameter is NULL: plans do not depend on values.
		n := 0
		for _, m := range param.FindAllStringSubmatch(q, -1) {
			k, _ := strconv.Atoi(m[1])
			n = max(n, k)
		}
		rs, err := c.sc.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, make([]any, n)...)
		if err != nil {
			t.Errorf("explain %s: %v", q, err)
			continue
		}
		var plan []string
		bad := false
		for rs.Next() {
			var id, parent, notused int
			var detail string
			if err := rs.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
			if strings.HasPrefix(detail, "SCAN ") && !acceptableScan.MatchString(detail) {
				bad = true
			}
		}
		rs.Close()
		if bad {
			t.Errorf("full scan in\n%s\nplan:\n  %s", q, strings.Join(plan, "\n  "))
		}
	}
}
