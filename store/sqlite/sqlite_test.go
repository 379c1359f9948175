package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/sqlite"
	"github.com/roost-social/roost/store/storetest"
)

// MustOpen opens a store on a fresh file in a temporary directory and
// closes it when the test ends.
func MustOpen(tb testing.TB) *sqlite.Store {
	tb.Helper()
	return mustOpenPath(tb, filepath.Join(tb.TempDir(), "roost.db"))
}

func mustOpenPath(tb testing.TB, path string) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.RunStore(t, func(t *testing.T) store.Store { return MustOpen(t) })
}

func TestMigrations(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "roost.db")
	s := mustOpenPath(t, path)
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v < 1 {
		t.Fatalf("schema version %d after Open, want >= 1", v)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	if v2, _ := s.SchemaVersion(ctx); v2 != v {
		t.Errorf("schema version %d after a second Migrate, want %d", v2, v)
	}

	db := rawDB(t, path)
	var n, applied int
	if err := db.QueryRow(`SELECT count(*), min(applied_at) FROM schema_migrations`).Scan(&n, &applied); err != nil {
		t.Fatal(err)
	}
	if n != v || applied <= 0 {
		t.Errorf("schema_migrations has %d rows (applied at %d), want %d", n, applied, v)
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal mode %q, want wal", mode)
	}
}

// rawDB opens the file beside the store, as another process would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "roost.db")
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice := storetest.MustCreateLocal(t, s, "alice")
	st := storetest.MustPost(t, s, alice, "persistent")
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	s = mustOpenPath(t, path)
	got, err := s.StatusByID(ctx, st.ID)
	if err != nil {
		t.Fatalf("status after reopen: %v", err)
	}
	if got.Text != "persistent" || got.Account == nil || got.Account.Username != "alice" {
		t.Errorf("status after reopen = %+v", got)
	}
	if a := storetest.MustAccount(t, s, alice.ID); a.StatusesCount != 1 {
		t.Errorf("statuses count after reopen = %d", a.StatusesCount)
	}
}

func TestSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "roost.db")
	s, err := sqlite.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawDB(t, path)
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err = sqlite.Open(t.Context(), path, nil)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a database from the future")
	}
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("Open error %v, want ErrSchemaTooNew", err)
	}
}

// TestConcurrentWrites writes from many goroutines at once, reading
// meanwhile: with one writer every write succeeds, and the counters add up.
func TestConcurrentWrites(t *testing.T) {
	ctx := t.Context()
	s := MustOpen(t)
	alice := storetest.MustCreateLocal(t, s, "alice")
	target := storetest.MustPost(t, s, alice, "target")
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*3)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &store.Account{Username: fmt.Sprint("user", w), URI: fmt.Sprint("https://example.test/users/user", w)}
			if err := s.CreateLocalAccount(ctx, a, &store.User{Email: fmt.Sprint("user", w, "@example.test")}); err != nil {
				errs <- err
				return
			}
			if err := s.Favourite(ctx, a.ID, target.ID, ""); err != nil {
				errs <- err
			}
			for i := range each {
				if _, err := s.CreateStatus(ctx, store.NewStatus{AccountID: a.ID, Text: fmt.Sprint(i), Local: true}); err != nil {
					errs <- err
				}
				if _, err := s.HomeTimeline(ctx, a.ID, store.Page{}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	list, err := s.PublicTimeline(ctx, store.PublicFilter{}, store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != workers*each+1 {
		t.Errorf("public timeline has %d statuses, want %d", len(list), workers*each+1)
	}
	if st := storetest.MustStatus(t, s, target.ID); st.FavouritesCount != workers {
		t.Errorf("favourites count %d, want %d", st.FavouritesCount, workers)
	}
}

func TestContextCancelled(t *testing.T) {
	s := MustOpen(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.AccountByID(ctx, "1"); !errors.Is(err, context.Canceled) {
		t.Errorf("read with a cancelled context: %v", err)
	}
	if _, err := s.CreateStatus(ctx, store.NewStatus{AccountID: "1"}); !errors.Is(err, context.Canceled) {
		t.Errorf("write with a cancelled context: %v", err)
	}
}
