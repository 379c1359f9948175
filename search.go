package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/roost-social/roost/server"
	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/bleve"
)

// searchDir is the full-text index's directory in ROOST_DATA_DIR.
const searchDir = "search.bleve"

// The handover of a rebuilt index from "roost search deploy" to a running
// server. Bleve lets one process at a time open an index directory, so
// deploy builds the new index in search.bleve.new, which no one else has
// open, and writes readyFile into it when complete. Without a server,
// deploy swaps the directories itself; with one, the server's watcher
// (startSwapWatch) sees readyFile and swaps them (liveIndex.swap).
const (
	// readyFile, in search.bleve.new, holds a status ID: statuses above
	// it may have been stored after deploy started reading the store, so
	// the server indexes them again into the new index after the swap.
	readyFile = "READY"
	// swapWatchEvery is how often the server looks for readyFile.
	swapWatchEvery = 2 * time.Second
	// readyMargin is how far before its start deploy sets the ID in
	// readyFile, for statuses whose ID was made just before they were
	// committed.
	readyMargin = time.Minute
)

// deployWait bounds how long deploy waits for a running server to switch
// to the new index.
var deployWait = 30 * time.Second

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
// It builds a new index beside the old one (search.bleve.new), reading the
// store as a running server may be using it, so an interrupted deploy
// leaves the old index as it was, and entries of statuses deleted
// meanwhile are gone. When no process holds the old index, deploy swaps
// the new one in by renaming; when a running server does, deploy marks the
// new index ready and waits (deployWait) for the server to swap it in.
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
	fresh := path + ".new"
	since := store.IDAt(time.Now().Add(-readyMargin))
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

	// Is a server using the old index? Taking its lock tells (within
	// bleve's lock wait of a second).
	old, err := bleve.Open(path)
	switch {
	case err == nil:
		old.Close()
		if err := swapDirs(path); err != nil {
			return fmt.Errorf("search deploy: %w", err)
		}
		fmt.Fprintf(stdout, "search index rebuilt: %d statuses\n", n)
		return nil
	case !errors.Is(err, bleve.ErrLocked):
		return fmt.Errorf("search deploy: %w", err)
	}

	// A running server holds it: hand the new index over. readyFile is
	// written whole (to a temporary name first), so the server never reads
	// half of it.
	tmp := filepath.Join(fresh, readyFile+".tmp")
	if err := os.WriteFile(tmp, []byte(since+"\n"), 0o640); err != nil {
		return fmt.Errorf("search deploy: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(fresh, readyFile)); err != nil {
		return fmt.Errorf("search deploy: %w", err)
	}
	fmt.Fprintf(stdout, "search index rebuilt: %d statuses; the running server will switch to it within a few seconds\n", n)
	deadline := time.Now().Add(deployWait)
	for {
		if _, err := os.Stat(fresh); errors.Is(err, os.ErrNotExist) {
			fmt.Fprintln(stdout, "the server switched to the new search index")
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("search deploy: the process holding %s did not switch to the new index within %s; it stays ready in %s for a roost serve to pick up", path, deployWait, fresh)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// swapDirs puts path+".new" in the place of path (which need not exist)
// and removes the old index. Neither may be open.
func swapDirs(path string) error {
	fresh, stale := path+".new", path+".old"
	if err := os.RemoveAll(stale); err != nil {
		return err
	}
	if err := os.Rename(path, stale); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(fresh, path); err != nil {
		os.Rename(stale, path) // put the old one back
		return err
	}
	os.Remove(filepath.Join(path, readyFile))
	return os.RemoveAll(stale)
}

// liveIndex is the server's store.Index: the Bleve index at path, which
// swap can replace while the server runs. Searches and writes hold the
// read lock, so a swap waits for those in flight and new ones wait for
// the swap.
type liveIndex struct {
	path string
	mu   sync.RWMutex
	idx  *bleve.Index // nil once closed, or when a swap could not reopen
}

var errIndexClosed = errors.New("search index is closed")

// use runs f on the current index under the read lock.
func (x *liveIndex) use(f func(*bleve.Index) error) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.idx == nil {
		return errIndexClosed
	}
	return f(x.idx)
}

func (x *liveIndex) IndexStatus(ctx context.Context, s store.IndexedStatus) error {
	return x.use(func(i *bleve.Index) error { return i.IndexStatus(ctx, s) })
}

// IndexStatuses batches (server.RebuildIndex uses it when there).
func (x *liveIndex) IndexStatuses(ctx context.Context, list []store.IndexedStatus) error {
	return x.use(func(i *bleve.Index) error { return i.IndexStatuses(ctx, list) })
}

func (x *liveIndex) RemoveStatus(ctx context.Context, id string) error {
	return x.use(func(i *bleve.Index) error { return i.RemoveStatus(ctx, id) })
}

func (x *liveIndex) SearchStatuses(ctx context.Context, q store.SearchQuery) (ids []string, err error) {
	err = x.use(func(i *bleve.Index) error {
		ids, err = i.SearchStatuses(ctx, q)
		return err
	})
	return ids, err
}

func (x *liveIndex) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.idx == nil {
		return nil
	}
	err := x.idx.Close()
	x.idx = nil
	return err
}

// swap switches to the index deploy left ready in path+".new", if there is
// one, and then indexes again into it the statuses stored since deploy
// began (readyFile), which the server indexed into the old index only. It
// reports whether it swapped.
func (x *liveIndex) swap(ctx context.Context, st store.Store) (bool, error) {
	fresh := x.path + ".new"
	b, err := os.ReadFile(filepath.Join(fresh, readyFile))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	since := strings.TrimSpace(string(b))

	x.mu.Lock()
	if x.idx == nil { // closed: the server is stopping
		x.mu.Unlock()
		return false, nil
	}
	if err := x.idx.Close(); err != nil {
		x.mu.Unlock()
		return false, err
	}
	x.idx = nil
	swapErr := swapDirs(x.path)
	// Reopen whatever is at path now: the new index, or the old one if
	// the swap failed.
	x.idx, err = bleve.Open(x.path)
	x.mu.Unlock()
	_, statErr := os.Stat(fresh)
	swapped := errors.Is(statErr, os.ErrNotExist) // even if removing .old failed
	if err = errors.Join(swapErr, err); err != nil || !swapped {
		return swapped, err
	}

	// Catch up: statuses above since. Deletions made meanwhile need
	// nothing: search skips statuses no longer stored.
	_, err = server.IndexStatusesAfter(ctx, st, x, since, nil)
	return true, err
}

// startSwapWatch starts the server's watcher for an index deploy built
// (liveIndex.swap), every swapWatchEvery until Close stops it.
func (m *Main) startSwapWatch(ctx context.Context) {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.stopSwapWatch = cancel
	m.swapWatchDone = make(chan struct{})
	go func() {
		defer close(m.swapWatchDone)
		t := time.NewTicker(swapWatchEvery)
		defer t.Stop()
		for {
			select {
			case <-wctx.Done():
				return
			case <-t.C:
			}
			swapped, err := m.Index.swap(wctx, m.Store)
			if err != nil {
				m.Logger.Error("switch to the new search index", "err", err)
			} else if swapped {
				m.Logger.Info("switched to the new search index built by roost search deploy")
			}
		}
	}()
}
