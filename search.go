package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/roost-social/roost/server"
	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/bleve"
)

// searchDir is the full-text index's directory in ROOST_DATA_DIR.
const searchDir = "search.bleve"

// searchIndex is the index for server.Config: nil (no full-text search)
// when none was opened, rather than a typed nil.
func (m *Main) searchIndex() store.Index {
	if m.Index == nil {
		return nil
	}
	return m.Index
}

// cmdSearch is "roost search deploy": rebuild the full-text index from the
// store.
//
// Bleve lets one process at a time open an index, and a running server
// holds it for as long as it runs, so deploy must run with the server
// stopped; it finds out by taking the index's lock and says so. It builds
// a new index beside the old one (search.bleve.new) and swaps it in by
// renaming once complete, so an interrupted deploy leaves the old index
// as it was, and entries of statuses deleted meanwhile are gone.
func cmdSearch(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "deploy" {
		return usageError("usage: roost search deploy")
	}
	m, pos, err := openMain(ctx, "search deploy", args[1:], stderr, getenv, nil)
	if err != nil {
		return err
	}
	defer m.Close()
	if len(pos) > 0 {
		return usageError("usage: roost search deploy")
	}
	path := filepath.Join(m.Config.DataDir, searchDir)
	// Hold the current index's lock for the whole rebuild, so that a
	// server cannot start on it meanwhile.
	old, err := bleve.Open(path)
	if errors.Is(err, bleve.ErrLocked) {
		return fmt.Errorf("search deploy: the index %s is open in another process: stop roost serve first", path)
	}
	if err != nil {
		return fmt.Errorf("search deploy: %w", err)
	}
	defer func() {
		if old != nil {
			old.Close()
		}
	}()

	fresh := path + ".new"
	if err := os.RemoveAll(fresh); err != nil {
		return fmt.Errorf("search deploy: %w", err)
	}
	idx, err := bleve.Open(fresh)
	if err != nil {
		return fmt.Errorf("search deploy: %w", err)
	}
	n, err := server.RebuildIndex(ctx, m.Store, idx, stderr)
	if cerr := idx.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.RemoveAll(fresh)
		return fmt.Errorf("search deploy: %w", err)
	}
	old.Close()
	old = nil
	stale := path + ".old"
	if err := os.RemoveAll(stale); err != nil {
		return fmt.Errorf("search deploy: %w", err)
	}
	if err := os.Rename(path, stale); err != nil {
		return fmt.Errorf("search deploy: %w", err)
	}
	if err := os.Rename(fresh, path); err != nil {
		return fmt.Errorf("search deploy: %w", err)
	}
	if err := os.RemoveAll(stale); err != nil {
		return fmt.Errorf("search deploy: %w", err)
	}
	fmt.Fprintf(stdout, "search index rebuilt: %d statuses\n", n)
	return nil
}
