package bleve_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/bleve"
	"github.com/roost-social/roost/store/storetest"
)

func TestIndex(t *testing.T) {
	storetest.RunIndex(t, func(t *testing.T) store.Index {
		return MustOpen(t, filepath.Join(t.TempDir(), "search.bleve"))
	})
}

// MustOpen opens an index at path, closed when the test ends.
func MustOpen(tb testing.TB, path string) *bleve.Index {
	tb.Helper()
	idx, err := bleve.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { idx.Close() })
	return idx
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "search.bleve")
	idx, err := bleve.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s := store.IndexedStatus{ID: "123456789", AccountID: "1", Text: "persisted words"}
	if err := idx.IndexStatus(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	idx = MustOpen(t, path)
	got, err := idx.SearchStatuses(t.Context(), store.SearchQuery{Text: "persisted", Limit: 5})
	if err != nil || len(got) != 1 || got[0] != s.ID {
		t.Fatalf("after reopening: %v, %v", got, err)
	}
}

func TestLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "search.bleve")
	MustOpen(t, path)
	idx, err := bleve.Open(path)
	if err == nil {
		idx.Close()
		t.Skip("this platform let a second Open through")
	}
	if !errors.Is(err, bleve.ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
}
