package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/storetest"
)

// testConfig returns the configuration of a fresh bucket on the S3 server
// named by ROOST_TEST_S3_ENDPOINT, or skips the test.
func testConfig(t *testing.T) Config {
	t.Helper()
	endpoint := os.Getenv("ROOST_TEST_S3_ENDPOINT")
	if endpoint == "" {
		t.Skip("ROOST_TEST_S3_ENDPOINT not set: S3 tests need a real S3 server (.ci/run starts MinIO)")
	}
	region := os.Getenv("ROOST_TEST_S3_REGION")
	if region == "" {
		region = "us-east-1"
	}
	return Config{
		Endpoint:  endpoint,
		Bucket:    "roost-test-" + strings.ToLower(rand.Text()[:12]),
		Region:    region,
		AccessKey: os.Getenv("ROOST_TEST_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("ROOST_TEST_S3_SECRET_KEY"),
	}
}

// mustNew creates the bucket of c and removes it, with its objects, when the
// test ends.
func mustNew(t *testing.T, c Config) *Blobs {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	b, err := New(ctx, c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { removeBucket(t, b) })
	return b
}

func removeBucket(t *testing.T, b *Blobs) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	objects := b.client.ListObjects(ctx, b.bucket, minio.ListObjectsOptions{Recursive: true})
	for res := range b.client.RemoveObjects(ctx, b.bucket, objects, minio.RemoveObjectsOptions{}) {
		t.Errorf("remove test object %s: %v", res.ObjectName, res.Err)
	}
	if err := b.client.RemoveBucket(ctx, b.bucket); err != nil {
		t.Errorf("remove test bucket %s: %v", b.bucket, err)
	}
}

func TestBlobs(t *testing.T) {
	b := mustNew(t, testConfig(t))
	storetest.RunBlobs(t, func(t *testing.T) store.Blobs { return b })
}

// TestPublicRead fetches an object the way a client does: anonymously,
// over plain HTTP, at URL(key).
func TestPublicRead(t *testing.T) {
	b := mustNew(t, testConfig(t))
	ctx := t.Context()
	key := "media/1/original.png"
	data := []byte("\x89PNG\r\n\x1a\n not really a png")
	if err := b.Put(ctx, key, "image/png", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}

	get := func(u string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}

	resp, body := get(b.URL(key))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", b.URL(key), resp.Status, body)
	}
	if !bytes.Equal(body, data) {
		t.Errorf("GET %s: body %q, want %q", b.URL(key), body, data)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("Content-Type = %q, want image/png", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != cacheControl {
		t.Errorf("Cache-Control = %q, want %q", cc, cacheControl)
	}

	// Anyone may read an object, nobody may list the bucket.
	if resp, body := get(strings.TrimSuffix(b.URL(key), key)); resp.StatusCode == http.StatusOK {
		t.Errorf("anonymous listing of the bucket: %s %.200s", resp.Status, body)
	}
	if resp, _ := get(b.URL("media/2/missing.png")); resp.StatusCode == http.StatusOK {
		t.Errorf("GET of a missing object: %s", resp.Status)
	}
}

func TestExistingBucket(t *testing.T) {
	c := testConfig(t)
	b := mustNew(t, c)
	if err := b.Put(t.Context(), "kept", "text/plain", strings.NewReader("kept"), 4); err != nil {
		t.Fatal(err)
	}
	// A second process with the same configuration finds the bucket.
	again, err := New(t.Context(), c)
	if err != nil {
		t.Fatalf("New on an existing bucket: %v", err)
	}
	r, err := again.Get(t.Context(), "kept")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if data, _ := io.ReadAll(r); string(data) != "kept" {
		t.Errorf("read %q through the second Blobs", data)
	}
}

func TestWrongCredentials(t *testing.T) {
	for _, tt := range []struct{ name, access, secret string }{
		{"WrongSecret", "", "wrong-secret-key"},
		{"UnknownAccessKey", "no-such-access-key", "wrong-secret-key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig(t)
			if tt.access != "" {
				c.AccessKey = tt.access
			}
			c.SecretKey = tt.secret
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			b, err := New(ctx, c)
			if err == nil {
				removeBucket(t, b)
				t.Fatal("New with wrong credentials: no error")
			}
			if !strings.Contains(err.Error(), "credentials refused") {
				t.Errorf("New with wrong credentials: %v, want it to say the credentials were refused", err)
			}
		})
	}
}

// The tests below need no server.

func TestUnreachable(t *testing.T) {
	// Port 1 on loopback: nothing listens there.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, err := New(ctx, Config{Endpoint: "http://127.0.0.1:1", Bucket: "media", Region: "us-east-1", AccessKey: "a", SecretKey: "b"})
	if err == nil {
		t.Fatal("New with an unreachable endpoint: no error")
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error %q does not name the endpoint", err)
	}
}

func TestURL(t *testing.T) {
	const key = "media/110/original.jpg"
	tests := []struct {
		c    Config
		want string
	}{
		{Config{Endpoint: "https://s3.eu-central-1.amazonaws.com", Bucket: "media"}, "https://s3.eu-central-1.amazonaws.com/media/" + key},
		{Config{Endpoint: "s3.example.com", Bucket: "media"}, "https://s3.example.com/media/" + key},
		{Config{Endpoint: "http://127.0.0.1:9000/", Bucket: "media"}, "http://127.0.0.1:9000/media/" + key},
		{Config{Endpoint: "http://127.0.0.1:9000", Bucket: "media", AliasHost: "files.example.com"}, "https://files.example.com/" + key},
		{Config{Endpoint: "http://127.0.0.1:9000", Bucket: "media", AliasHost: "files.example.com/"}, "https://files.example.com/" + key},
		{Config{Endpoint: "http://127.0.0.1:9000", Bucket: "media", AliasHost: "http://localhost:9000/media"}, "http://localhost:9000/media/" + key},
	}
	for _, tt := range tests {
		b, err := newBlobs(tt.c)
		if err != nil {
			t.Errorf("%+v: %v", tt.c, err)
			continue
		}
		if got := b.URL(key); got != tt.want {
			t.Errorf("%+v: URL = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestBadConfig(t *testing.T) {
	for _, c := range []Config{
		{Endpoint: "https://s3.example.com"},
		{Bucket: "media"},
		{Endpoint: "https://s3.example.com/some/path", Bucket: "media"},
		{Endpoint: "ftp://s3.example.com", Bucket: "media"},
		{Endpoint: "https://", Bucket: "media"},
	} {
		if _, err := newBlobs(c); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

func TestExactReader(t *testing.T) {
	read := func(data string, size int64, oneByte bool) (string, error) {
		var r io.Reader = strings.NewReader(data)
		if oneByte {
			r = iotest.OneByteReader(r)
		}
		got, err := io.ReadAll(&exactReader{r: r, left: size})
		return string(got), err
	}
	for _, oneByte := range []bool{false, true} {
		if got, err := read("hello", 5, oneByte); err != nil || got != "hello" {
			t.Errorf("exact: %q, %v", got, err)
		}
		if _, err := read("hello", 4, oneByte); !errors.Is(err, errTooLong) {
			t.Errorf("long: %v, want errTooLong", err)
		}
		if _, err := read("hello", 6, oneByte); !errors.Is(err, errTooShort) {
			t.Errorf("short: %v, want errTooShort", err)
		}
	}
	// io.ReadFull must not see a complete read when the reader is longer.
	buf := make([]byte, 4)
	if _, err := io.ReadFull(&exactReader{r: strings.NewReader("hello"), left: 4}, buf); !errors.Is(err, errTooLong) {
		t.Errorf("ReadFull of a long reader: %v, want errTooLong", err)
	}
	// An error of the underlying reader comes through.
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("hel"), iotest.ErrReader(boom))
	if _, err := io.ReadAll(&exactReader{r: r, left: 5}); !errors.Is(err, boom) {
		t.Errorf("failing reader: %v, want boom", err)
	}
}

// TestSeekAfterReplace checks that a reader never mixes two versions: once
// the object is replaced, reading on in the open response still gives the
// old bytes, and a seek (a new range request) fails.
func TestSeekAfterReplace(t *testing.T) {
	b := mustNew(t, testConfig(t))
	ctx := t.Context()
	old, replacement := bytes.Repeat([]byte("o"), 100<<10), bytes.Repeat([]byte("n"), 100<<10)
	if err := b.Put(ctx, "v.bin", "", bytes.NewReader(old), int64(len(old))); err != nil {
		t.Fatal(err)
	}
	r1, err := b.Get(ctx, "v.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := b.Get(ctx, "v.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if err := b.Put(ctx, "v.bin", "", bytes.NewReader(replacement), int64(len(replacement))); err != nil {
		t.Fatal(err)
	}

	data, err := io.ReadAll(r1)
	if err != nil || !bytes.Equal(data, old) {
		t.Errorf("reading on after the replace: %d bytes, %v; want the old blob whole", len(data), err)
	}
	if _, err := r2.Seek(50<<10, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if data, err := io.ReadAll(r2); err == nil {
		t.Errorf("reading after a seek past a replace: %d bytes, no error", len(data))
	} else if bytes.ContainsRune(data, 'n') {
		t.Errorf("reading after a seek past a replace mixed the versions")
	}
}

// TestServeContent serves an object the way a media handler without a
// redirect would, with a range request.
func TestServeContent(t *testing.T) {
	b := mustNew(t, testConfig(t))
	ctx := t.Context()
	data := make([]byte, 10000)
	rand.Read(data)
	if err := b.Put(ctx, "clip.mp4", "video/mp4", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	r, err := b.Get(ctx, "clip.mp4")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	req := httptest.NewRequest(http.MethodGet, "/clip.mp4", nil)
	req.Header.Set("Range", "bytes=1000-1999")
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "video/mp4")
	http.ServeContent(rec, req, "clip.mp4", time.Time{}, r)
	if rec.Code != http.StatusPartialContent {
		t.Fatalf("status %d, want 206", rec.Code)
	}
	if !bytes.Equal(rec.Body.Bytes(), data[1000:2000]) {
		t.Errorf("range body: %d bytes, not bytes 1000-1999", rec.Body.Len())
	}
	if cr := rec.Header().Get("Content-Range"); cr != "bytes 1000-1999/10000" {
		t.Errorf("Content-Range = %q", cr)
	}
}

// TestPendingIsPrivate checks that uploads waiting for processing cannot
// be fetched anonymously from a bucket Roost created.
func TestPendingIsPrivate(t *testing.T) {
	b := mustNew(t, testConfig(t))
	ctx := t.Context()
	for key, want := range map[string]int{store.PendingBlobs + "1/upload": http.StatusForbidden, "media/1/original.jpg": http.StatusOK} {
		if err := b.Put(ctx, key, "image/jpeg", strings.NewReader("jpeg"), 4); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(b.URL(key))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("anonymous GET %s: %d, want %d", key, resp.StatusCode, want)
		}
	}
}
