// Package disk stores media blobs as files under one directory, the default
// store.Blobs of a single-machine Roost.
//
// Keys map to relative paths ("media/110/original.jpg" is
// DIR/media/110/original.jpg). Every access goes through an os.Root, so no
// key, and no symbolic link planted inside the directory, reaches a file
// outside it. Put writes a temporary file under DIR/~tmp, syncs it and
// renames it over the key, so a crash leaves the old blob or the new one,
// never part of one; "~" cannot appear in a key, so the temporary
// directory never collides with a blob.
package disk

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/roost-social/roost/store"
)

// tmpDir holds Put's files while they are written. "~" is outside the key
// alphabet, so no key names it or anything below it.
const tmpDir = "~tmp"

// staleTmp is how old a leftover temporary file (from a crash) must be for
// New to remove it; younger ones may belong to another process writing now.
const staleTmp = 24 * time.Hour

// Blobs is a store.Blobs on the local file system.
type Blobs struct {
	dir     string // absolute, as given
	realDir string // dir with symbolic links resolved
	baseURL string // without trailing slash
	root    *os.Root
}

var _ store.Blobs = (*Blobs)(nil)

// New opens (creating it 0o755 if missing) the blob directory dir. baseURL
// is where the directory is served ("https://example.com/system"): URL(key)
// is baseURL + "/" + key.
func New(dir, baseURL string) (*Blobs, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("disk: resolve %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Join(abs, tmpDir), 0o755); err != nil {
		return nil, fmt.Errorf("disk: create %s: %w", abs, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("disk: resolve %s: %w", abs, err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("disk: open %s: %w", abs, err)
	}
	b := &Blobs{dir: abs, realDir: real, baseURL: strings.TrimSuffix(baseURL, "/"), root: root}
	b.removeStaleTmp(time.Now())
	return b, nil
}

// Close releases the directory handle.
func (b *Blobs) Close() error { return b.root.Close() }

// removeStaleTmp removes what crashed Puts left behind. It is best effort:
// a leftover costs space, nothing else.
func (b *Blobs) removeStaleTmp(now time.Time) {
	entries, err := fs.ReadDir(b.root.FS(), tmpDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > staleTmp {
			b.root.Remove(tmpDir + "/" + e.Name())
		}
	}
}

// check refuses keys that are invalid or (defence in depth: ValidBlobKey
// already rules it out) would resolve outside the directory.
func (b *Blobs) check(key string) error {
	if err := store.ValidBlobKey(key); err != nil {
		return err
	}
	p := filepath.Join(b.dir, filepath.FromSlash(key))
	if !strings.HasPrefix(p, b.dir+string(filepath.Separator)) {
		return fmt.Errorf("%w %q: outside the blob directory", store.ErrBlobKey, key)
	}
	return nil
}

// Put stores r under key atomically; see store.Blobs.
func (b *Blobs) Put(ctx context.Context, key, contentType string, r io.Reader, size int64) (err error) {
	if err := b.check(key); err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	if dir := path.Dir(key); dir != "." {
		if err := b.root.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("put blob %s: %w", key, err)
		}
	}
	tmp := tmpDir + "/" + rand.Text()
	f, err := b.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				f.Close()
			}
			b.root.Remove(tmp)
		}
	}()

	if err := copyExact(ctx, f, r, size); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	closed = true
	if err := f.Close(); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	if err := b.root.Rename(tmp, key); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	// Make the rename itself durable; the blob is in place either way, so
	// a failure here is not the caller's problem.
	if d, err := b.root.Open(path.Dir(key)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// copyExact copies r to w, failing when ctx ends or, with size >= 0, when r
// yields other than size bytes.
func copyExact(ctx context.Context, w io.Writer, r io.Reader, size int64) error {
	src := io.Reader(ctxReader{ctx, r})
	if size >= 0 {
		src = io.LimitReader(src, size+1)
	}
	n, err := io.Copy(w, src)
	if err != nil {
		return err
	}
	if size >= 0 && n != size {
		if n > size {
			return fmt.Errorf("reader longer than the declared %d bytes", size)
		}
		return fmt.Errorf("reader gave %d bytes, declared %d", n, size)
	}
	return nil
}

// ctxReader fails reads once its context ends, so a cancelled request stops
// a long copy.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Get opens the blob's file; it is an *os.File. A key naming a directory
// (a prefix of other keys) is store.ErrNotFound.
func (b *Blobs) Get(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	if err := b.check(key); err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	f, err := b.root.Open(key)
	if err != nil {
		if missing(err) {
			return nil, fmt.Errorf("get blob %s: %w", key, store.ErrNotFound)
		}
		return nil, fmt.Errorf("get blob %s: %w", key, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("get blob %s: %w", key, err)
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("get blob %s: %w", key, store.ErrNotFound)
	}
	return f, nil
}

// missing reports whether err means there is no file at the path (also
// when a parent is a file: key "a/b" beside blob "a").
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// Delete removes the blob; a missing one, or a key naming a directory, is
// not an error.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	if err := b.check(key); err != nil {
		return fmt.Errorf("delete blob: %w", err)
	}
	info, err := b.root.Lstat(key)
	if err != nil {
		if missing(err) {
			return nil
		}
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	if info.IsDir() {
		return nil
	}
	// Parent directories stay: removing them would race with a Put
	// creating a file in them.
	if err := b.root.Remove(key); err != nil && !missing(err) {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// URL is baseURL + "/" + key.
func (b *Blobs) URL(key string) string {
	return b.baseURL + "/" + key
}

// Path returns the file holding the blob, for http.ServeFile and friends;
// store.ErrNotFound when there is none. It refuses a blob whose path leads
// outside the directory through a symbolic link.
func (b *Blobs) Path(key string) (string, error) {
	if err := b.check(key); err != nil {
		return "", fmt.Errorf("blob path: %w", err)
	}
	p := filepath.Join(b.dir, filepath.FromSlash(key))
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if missing(err) {
			return "", fmt.Errorf("blob path %s: %w", key, store.ErrNotFound)
		}
		return "", fmt.Errorf("blob path %s: %w", key, err)
	}
	if !strings.HasPrefix(real, b.realDir+string(filepath.Separator)) {
		return "", fmt.Errorf("blob path %s: %w: resolves outside the blob directory", key, store.ErrBlobKey)
	}
	info, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("blob path %s: %w", key, err)
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("blob path %s: %w", key, store.ErrNotFound)
	}
	return p, nil
}

// Usage returns the bytes the blobs take (file sizes, not disk blocks),
// leaving out unfinished Puts.
func (b *Blobs) Usage() (int64, error) {
	var total int64
	err := fs.WalkDir(b.root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if missing(err) { // removed while walking
				return nil
			}
			return err
		}
		if d.IsDir() && name == tmpDir {
			return fs.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if missing(err) {
				return nil
			}
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("blob usage: %w", err)
	}
	return total, nil
}

// List walks the files under the directory (not the temporary files of
// Puts under way); see store.Blobs. Files whose names are no valid keys
// (put there by hand) are no blobs and are left out.
func (b *Blobs) List(ctx context.Context, prefix string, fn func(key string, size int64, modified time.Time) error) error {
	// Walk only the deepest directory the prefix names in full: "media/1"
	// starts at media/ (it matches media/1/... and media/10/...).
	start := "."
	if i := strings.LastIndex(prefix, "/"); i > 0 && fs.ValidPath(prefix[:i]) {
		start = prefix[:i]
	}
	var stop error // fn's error, returned as it is
	err := fs.WalkDir(b.root.FS(), start, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if missing(err) { // removed while walking, or no such prefix
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if name == tmpDir {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(name, prefix) || store.ValidBlobKey(name) != nil {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if missing(err) {
				return nil
			}
			return err
		}
		if err := fn(name, info.Size(), info.ModTime()); err != nil {
			stop = err
			return fs.SkipAll
		}
		return nil
	})
	if stop != nil {
		return stop
	}
	if err != nil {
		return fmt.Errorf("list blobs %q: %w", prefix, err)
	}
	return nil
}
