package disk_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/disk"
	"github.com/roost-social/roost/store/storetest"
)

func mustNew(t *testing.T, dir string) *disk.Blobs {
	t.Helper()
	b, err := disk.New(dir, "https://example.test/system/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestBlobs(t *testing.T) {
	storetest.RunBlobs(t, func(t *testing.T) store.Blobs {
		return mustNew(t, t.TempDir())
	})
}

// files lists the regular files under dir, slash-separated and relative.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type failAfter struct {
	n   int
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	n := min(len(p), f.n)
	f.n -= n
	return n, nil
}

func TestFailedPutLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	b := mustNew(t, dir)
	ctx := t.Context()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	b.Put(ctx, "a/short.bin", "", strings.NewReader("abc"), 10)
	b.Put(ctx, "a/long.bin", "", strings.NewReader("abcdef"), 2)
	b.Put(ctx, "a/broken.bin", "", &failAfter{100 << 10, errors.New("boom")}, -1)
	b.Put(cancelled, "a/cancelled.bin", "", strings.NewReader("abc"), 3)
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("after failed puts the directory holds %v, want nothing", got)
	}

	if err := b.Put(ctx, "a/ok.bin", "", strings.NewReader("abc"), 3); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir); len(got) != 1 || got[0] != "a/ok.bin" {
		t.Errorf("after one good put the directory holds %v, want [a/ok.bin]", got)
	}
	info, err := os.Stat(filepath.Join(dir, "a", "ok.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&^0o644 != 0 {
		t.Errorf("blob file mode %v, want at most 0644", perm)
	}
}

func TestNoEscape(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "blobs")
	outside := filepath.Join(parent, "outside")
	if err := os.Mkdir(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := mustNew(t, dir)
	ctx := t.Context()

	for _, key := range []string{"../outside/secret.txt", "../x", "a/../../x"} {
		if err := b.Put(ctx, key, "", strings.NewReader("x"), 1); err == nil {
			t.Errorf("Put(%q): no error", key)
		}
		if _, err := b.Path(key); err == nil {
			t.Errorf("Path(%q): no error", key)
		}
	}
	if _, err := os.Stat(filepath.Join(parent, "x")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file appeared outside the blob directory: %v", err)
	}

	// A symbolic link planted inside the directory (by an admin's mistake
	// or another program) leads nowhere outside it.
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if r, err := b.Get(ctx, "link/secret.txt"); err == nil {
		data, _ := io.ReadAll(r)
		r.Close()
		t.Errorf("Get through a symlink out of the directory read %q", data)
	}
	if err := b.Put(ctx, "link/new.txt", "", strings.NewReader("x"), 1); err == nil {
		t.Error("Put through a symlink out of the directory: no error")
	}
	if _, err := os.Stat(filepath.Join(outside, "new.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Put wrote through the symlink: %v", err)
	}
	if err := b.Delete(ctx, "link/secret.txt"); err == nil {
		t.Error("Delete through a symlink out of the directory: no error")
	}
	if _, err := os.Stat(filepath.Join(outside, "secret.txt")); err != nil {
		t.Errorf("Delete went through the symlink: %v", err)
	}
	if _, err := b.Path("link/secret.txt"); err == nil {
		t.Error("Path through a symlink out of the directory: no error")
	}
}

func TestPathAndURL(t *testing.T) {
	dir := t.TempDir()
	b := mustNew(t, dir)
	if err := b.Put(t.Context(), "media/1/original.jpg", "image/jpeg", bytes.NewReader([]byte("jpeg")), 4); err != nil {
		t.Fatal(err)
	}
	p, err := b.Path("media/1/original.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "media", "1", "original.jpg"); p != want {
		t.Errorf("Path = %q, want %q", p, want)
	}
	if data, err := os.ReadFile(p); err != nil || string(data) != "jpeg" {
		t.Errorf("reading Path: %q, %v", data, err)
	}
	if _, err := b.Path("media/2/original.jpg"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Path of a missing blob: %v, want ErrNotFound", err)
	}
	if _, err := b.Path("media/1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Path of a directory: %v, want ErrNotFound", err)
	}
	if u := b.URL("media/1/original.jpg"); u != "https://example.test/system/media/1/original.jpg" {
		t.Errorf("URL = %q", u)
	}
}

func TestUsage(t *testing.T) {
	dir := t.TempDir()
	b := mustNew(t, dir)
	ctx := t.Context()
	b.Put(ctx, "a/one", "", strings.NewReader("12345"), 5)
	b.Put(ctx, "b/c/two", "", strings.NewReader("123"), 3)
	b.Put(ctx, "a/one", "", strings.NewReader("1234567"), 7) // replaces
	b.Put(ctx, "failed", "", strings.NewReader("123"), 30)
	n, err := b.Usage()
	if err != nil {
		t.Fatal(err)
	}
	if n != 10 {
		t.Errorf("Usage = %d, want 10", n)
	}
}

func TestNewCreatesDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	mustNew(t, dir)
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		t.Fatalf("New did not create %s: %v", dir, err)
	}
	// A file where the directory should be is an error at once.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := disk.New(file, "https://example.test"); err == nil {
		t.Error("New on a file: no error")
	}
}
