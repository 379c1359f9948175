package server

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

func TestRemoveOrphans(t *testing.T) {
	in := newInstance(t)
	ctx := t.Context()
	alice := in.newUser("alice")
	put := func(key string, size int) {
		t.Helper()
		if err := in.srv.blobs.Put(ctx, key, "application/octet-stream", bytes.NewReader(make([]byte, size)), int64(size)); err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
	}

	// Files rows refer to: an upload and its preview, an avatar, a cached
	// remote file.
	upload := &store.Media{AccountID: alice.ID, Type: store.MediaImage, ContentType: "image/png",
		FileKey: "media/1/abc/original.png", PreviewKey: "media/1/abc/small.jpg", FileSize: 100}
	if err := in.store.CreateMedia(ctx, upload); err != nil {
		t.Fatal(err)
	}
	avatar := "accounts/" + alice.ID + "/avatar-abc.png"
	if _, err := in.store.UpdateProfile(ctx, alice.ID, store.ProfileUpdate{Avatar: &avatar}); err != nil {
		t.Fatal(err)
	}
	cached := &store.CachedFile{URL: "https://remote.test/a.png", Key: "cache/ab/abcdef.png", ContentType: "image/png", Size: 40}
	if err := in.store.PutCachedFile(ctx, cached); err != nil {
		t.Fatal(err)
	}
	kept := map[string]int{upload.FileKey: 100, upload.PreviewKey: 20, avatar: 30, cached.Key: 40,
		// Not where Roost puts files: not Roost's to remove.
		"elsewhere/readme.txt": 7}
	// Files nothing refers to: a crash before CreateMedia, a replaced
	// avatar, a cache entry forgotten, an upload never processed.
	orphans := map[string]int{"media/2/def/original.jpg": 1000, "media/2/def/small.jpg": 200,
		"accounts/" + alice.ID + "/avatar-old.png": 300, "cache/cd/cdef.png": 5, store.PendingBlobs + "3-xyz": 1}
	for key, size := range kept {
		put(key, size)
	}
	var orphanBytes int64
	for key, size := range orphans {
		put(key, size)
		orphanBytes += int64(size)
	}

	// Everything is new: too young to go.
	files, size, err := RemoveOrphans(ctx, in.store, in.srv.blobs, time.Hour)
	if err != nil || files != 0 || size != 0 {
		t.Fatalf("RemoveOrphans(an hour) = %d files, %d bytes, %v; want none", files, size, err)
	}
	for key := range orphans {
		wantBlobThere(t, in.srv.blobs, key, true)
	}

	files, size, err = RemoveOrphans(ctx, in.store, in.srv.blobs, 0)
	if err != nil {
		t.Fatal(err)
	}
	if files != len(orphans) || size != orphanBytes {
		t.Errorf("RemoveOrphans(0) = %d files, %d bytes; want %d, %d", files, size, len(orphans), orphanBytes)
	}
	for key := range orphans {
		wantBlobThere(t, in.srv.blobs, key, false)
	}
	for key := range kept {
		wantBlobThere(t, in.srv.blobs, key, true)
	}

	// Nothing is left to remove.
	files, size, err = RemoveOrphans(ctx, in.store, in.srv.blobs, 0)
	if err != nil || files != 0 || size != 0 {
		t.Errorf("RemoveOrphans again = %d files, %d bytes, %v; want none", files, size, err)
	}
}

// wantBlobThere checks whether a blob exists.
func wantBlobThere(t *testing.T, blobs store.Blobs, key string, there bool) {
	t.Helper()
	r, err := blobs.Get(t.Context(), key)
	switch {
	case err == nil:
		io.Copy(io.Discard, r)
		r.Close()
		if !there {
			t.Errorf("%s is still there", key)
		}
	case errors.Is(err, store.ErrNotFound):
		if there {
			t.Errorf("%s is gone", key)
		}
	default:
		t.Errorf("get %s: %v", key, err)
	}
}
