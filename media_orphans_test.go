package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// `roost media remove --orphans` removes files no row refers to, and only
// those, and only once they are old enough not to be uploads in progress.
func TestMediaRemoveOrphans(t *testing.T) {
	p := startPeer(t)
	alice := p.newAccount("alice")
	var m apiMedia
	if code := alice.upload("POST", "/api/v1/media", "file", "photo.jpg", testJPEG(t, 64, 48), nil, &m); code != 200 {
		t.Fatalf("upload: status %d", code)
	}
	// The blob directory is DATA_DIR/media; upload keys start with media/.
	blobDir := filepath.Join(p.dir, "media")
	uploaded, _ := filepath.Glob(filepath.Join(blobDir, "media", m.ID, "*", "*"))
	if len(uploaded) != 2 {
		t.Fatalf("the upload's files are %v, want the original and its preview", uploaded)
	}

	old := time.Now().Add(-2 * time.Hour)
	stray := filepath.Join(blobDir, "media", "999", "x", "original.jpg")
	fresh := filepath.Join(blobDir, "media", "998", "y", "original.jpg")
	for _, f := range []string{stray, fresh} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("12345"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The stray file and the real upload are old; the fresh one may be an
	// upload whose row is not stored yet.
	for _, f := range append([]string{stray}, uploaded...) {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}

	var out bytes.Buffer
	if err := run(t.Context(), []string{"media", "remove", "--orphans"}, &out, io.Discard, p.getenv); err != nil {
		t.Fatalf("media remove --orphans: %v", err)
	}
	if !strings.Contains(out.String(), "removed 1 files nothing refers to, freed 5 B\n") {
		t.Fatalf("media remove --orphans said %q", out.String())
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Errorf("the stray file is still there (stat: %v)", err)
	}
	for _, f := range append([]string{fresh}, uploaded...) {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s is gone: %v", f, err)
		}
	}
	if code, _, _ := get(t, *m.URL); code != 200 {
		t.Errorf("the upload after the sweep: status %d", code)
	}
}
