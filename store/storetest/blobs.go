package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

// RunBlobs runs the store.Blobs conformance suite. open returns the Blobs
// to test; it may be the same one for every subtest (an S3 bucket), since
// each subtest writes only keys under its own prefix, which carries a
// random run id so that runs sharing a bucket do not meet.
func RunBlobs(t *testing.T, open func(t *testing.T) store.Blobs) {
	run := strings.ToLower(rand.Text()[:10])
	tests := []struct {
		name string
		fn   func(t *testing.T, b store.Blobs, prefix string)
	}{
		{"RoundTrip", testBlobRoundTrip},
		{"Empty", testBlobEmpty},
		{"Overwrite", testBlobOverwrite},
		{"UnknownSize", testBlobUnknownSize},
		{"ShortReader", testBlobShortReader},
		{"LongReader", testBlobLongReader},
		{"ReaderError", testBlobReaderError},
		{"CancelledContext", testBlobCancelled},
		{"GetMissing", testBlobGetMissing},
		{"Delete", testBlobDelete},
		{"Seek", testBlobSeek},
		{"InvalidKeys", testBlobInvalidKeys},
		{"URL", testBlobURL},
		{"ConcurrentKeys", testBlobConcurrentKeys},
		{"ConcurrentSameKey", testBlobConcurrentSameKey},
		{"Large", testBlobLarge},
		{"List", testBlobList},
		{"ListStops", testBlobListStops},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t), "storetest/"+run+"/"+strings.ToLower(tt.name)+"/")
		})
	}
}

// readerOnly hides every method but Read (bytes.Reader seeks and has a
// length, which an implementation might use instead of reading).
type readerOnly struct{ r io.Reader }

func (r readerOnly) Read(p []byte) (int, error) { return r.r.Read(p) }

// failingReader yields data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

var errBlobReader = errors.New("storetest: reader failed on purpose")

func blobData(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func mustPutBlob(tb testing.TB, b store.Blobs, key string, data []byte) {
	tb.Helper()
	err := b.Put(context.Background(), key, "application/octet-stream", readerOnly{bytes.NewReader(data)}, int64(len(data)))
	ok(tb, err, "put "+key)
}

func readBlob(tb testing.TB, b store.Blobs, key string) []byte {
	tb.Helper()
	r, err := b.Get(context.Background(), key)
	ok(tb, err, "get "+key)
	defer r.Close()
	data, err := io.ReadAll(r)
	ok(tb, err, "read "+key)
	return data
}

func wantBlob(tb testing.TB, b store.Blobs, key string, want []byte) {
	tb.Helper()
	got := readBlob(tb, b, key)
	if !bytes.Equal(got, want) {
		tb.Fatalf("blob %s: got %d bytes %.40q, want %d bytes %.40q", key, len(got), got, len(want), want)
	}
}

func wantNoBlob(tb testing.TB, b store.Blobs, key string) {
	tb.Helper()
	r, err := b.Get(context.Background(), key)
	if err == nil {
		data, _ := io.ReadAll(r)
		r.Close()
		tb.Fatalf("blob %s exists (%d bytes %.40q), want ErrNotFound", key, len(data), data)
	}
	isErr(tb, err, store.ErrNotFound, "get "+key)
}

func testBlobRoundTrip(t *testing.T, b store.Blobs, prefix string) {
	key := prefix + "media/110/original.jpg"
	data := []byte("\xff\xd8\xff\xe0 not really a jpeg\x00\x01\x02")
	ok(t, b.Put(t.Context(), key, "image/jpeg", bytes.NewReader(data), int64(len(data))), "put")
	wantBlob(t, b, key, data)
	// Twice: Get does not consume the blob.
	wantBlob(t, b, key, data)
}

func testBlobEmpty(t *testing.T, b store.Blobs, prefix string) {
	key := prefix + "empty.txt"
	ok(t, b.Put(t.Context(), key, "text/plain", readerOnly{strings.NewReader("")}, 0), "put known size")
	wantBlob(t, b, key, []byte{})
	key = prefix + "empty-unknown.txt"
	ok(t, b.Put(t.Context(), key, "text/plain", readerOnly{strings.NewReader("")}, -1), "put unknown size")
	wantBlob(t, b, key, []byte{})
}

func testBlobOverwrite(t *testing.T, b store.Blobs, prefix string) {
	key := prefix + "a.png"
	mustPutBlob(t, b, key, []byte("first version, rather long"))
	mustPutBlob(t, b, key, []byte("second"))
	wantBlob(t, b, key, []byte("second"))
}

func testBlobUnknownSize(t *testing.T, b store.Blobs, prefix string) {
	// Small, and larger than a buffer an implementation might fill first.
	for _, n := range []int{5, 2<<20 + 17} {
		key := fmt.Sprintf("%s%d.bin", prefix, n)
		data := blobData(n)
		ok(t, b.Put(t.Context(), key, "application/octet-stream", readerOnly{bytes.NewReader(data)}, -1), "put")
		wantBlob(t, b, key, data)
	}
}

func testBlobShortReader(t *testing.T, b store.Blobs, prefix string) {
	for _, n := range []int{100, 2 << 20} {
		data := blobData(n)
		key := fmt.Sprintf("%snew-%d.bin", prefix, n)
		err := b.Put(t.Context(), key, "application/octet-stream", readerOnly{bytes.NewReader(data[:n/2])}, int64(n))
		if err == nil {
			t.Fatalf("put %d of %d declared bytes: no error", n/2, n)
		}
		wantNoBlob(t, b, key)

		key = fmt.Sprintf("%sold-%d.bin", prefix, n)
		mustPutBlob(t, b, key, []byte("old"))
		err = b.Put(t.Context(), key, "application/octet-stream", readerOnly{bytes.NewReader(data[:n-1])}, int64(n))
		if err == nil {
			t.Fatalf("overwrite with %d of %d declared bytes: no error", n-1, n)
		}
		wantBlob(t, b, key, []byte("old"))
	}
}

func testBlobLongReader(t *testing.T, b store.Blobs, prefix string) {
	for _, n := range []int{100, 2 << 20} {
		data := blobData(n)
		for i, r := range []io.Reader{bytes.NewReader(data), readerOnly{bytes.NewReader(data)}} {
			key := fmt.Sprintf("%snew-%d-%d.bin", prefix, n, i)
			err := b.Put(t.Context(), key, "application/octet-stream", r, int64(n-1))
			if err == nil {
				t.Fatalf("put %d bytes declared as %d (%T): no error", n, n-1, r)
			}
			wantNoBlob(t, b, key)
		}

		key := fmt.Sprintf("%sold-%d.bin", prefix, n)
		mustPutBlob(t, b, key, []byte("old"))
		err := b.Put(t.Context(), key, "application/octet-stream", readerOnly{bytes.NewReader(data)}, int64(n/2))
		if err == nil {
			t.Fatalf("overwrite with %d bytes declared as %d: no error", n, n/2)
		}
		wantBlob(t, b, key, []byte("old"))
	}
}

func testBlobReaderError(t *testing.T, b store.Blobs, prefix string) {
	for _, size := range []int64{-1, 8192} {
		key := fmt.Sprintf("%snew%d.bin", prefix, size)
		err := b.Put(t.Context(), key, "application/octet-stream", &failingReader{blobData(4096), errBlobReader}, size)
		if err == nil {
			t.Fatalf("put (size %d) from a failing reader: no error", size)
		}
		wantNoBlob(t, b, key)

		key = fmt.Sprintf("%sold%d.bin", prefix, size)
		mustPutBlob(t, b, key, []byte("old"))
		err = b.Put(t.Context(), key, "application/octet-stream", &failingReader{blobData(4096), errBlobReader}, size)
		if err == nil {
			t.Fatalf("overwrite (size %d) from a failing reader: no error", size)
		}
		wantBlob(t, b, key, []byte("old"))
	}
}

// cancellingReader cancels its context after handing out the first half
// of data.
type cancellingReader struct {
	data   []byte
	half   int
	cancel context.CancelFunc
}

func (r *cancellingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	if len(r.data) <= r.half {
		r.cancel()
	}
	n := copy(p, r.data[:min(len(r.data), 1024)])
	r.data = r.data[n:]
	return n, nil
}

func testBlobCancelled(t *testing.T, b store.Blobs, prefix string) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	key := prefix + "before.bin"
	if err := b.Put(ctx, key, "application/octet-stream", strings.NewReader("data"), 4); err == nil {
		t.Fatal("put with a cancelled context: no error")
	}
	wantNoBlob(t, b, key)

	for _, size := range []int64{-1, 64 << 10} {
		ctx, cancel := context.WithCancel(t.Context())
		key := fmt.Sprintf("%smidway%d.bin", prefix, size)
		r := &cancellingReader{data: blobData(64 << 10), half: 32 << 10, cancel: cancel}
		if err := b.Put(ctx, key, "application/octet-stream", r, size); err == nil {
			t.Fatalf("put (size %d) cancelled midway: no error", size)
		}
		cancel()
		wantNoBlob(t, b, key)
	}
}

func testBlobGetMissing(t *testing.T, b store.Blobs, prefix string) {
	wantNoBlob(t, b, prefix+"nothing.jpg")
	wantNoBlob(t, b, prefix+"no/such/dir/x.jpg")
	// A prefix of a stored key is no blob.
	mustPutBlob(t, b, prefix+"dir/file.jpg", []byte("x"))
	wantNoBlob(t, b, prefix+"dir")
	// Nor is a key below a blob.
	wantNoBlob(t, b, prefix+"dir/file.jpg/below")
}

func testBlobDelete(t *testing.T, b store.Blobs, prefix string) {
	ok(t, b.Delete(t.Context(), prefix+"missing.jpg"), "delete missing blob")
	ok(t, b.Delete(t.Context(), prefix+"no/such/dir.jpg"), "delete missing blob in missing dir")
	key := prefix + "x/y.jpg"
	mustPutBlob(t, b, key, []byte("bye"))
	mustPutBlob(t, b, prefix+"x/z.jpg", []byte("stay"))
	ok(t, b.Delete(t.Context(), key), "delete")
	wantNoBlob(t, b, key)
	ok(t, b.Delete(t.Context(), key), "delete again")
	wantBlob(t, b, prefix+"x/z.jpg", []byte("stay"))
	// A prefix of other keys names no blob: deleting it is deleting
	// nothing.
	ok(t, b.Delete(t.Context(), prefix+"x"), "delete a key prefix")
	wantBlob(t, b, prefix+"x/z.jpg", []byte("stay"))
	// Put after Delete works.
	mustPutBlob(t, b, key, []byte("back"))
	wantBlob(t, b, key, []byte("back"))
}

func testBlobSeek(t *testing.T, b store.Blobs, prefix string) {
	key := prefix + "video.mp4"
	data := blobData(1000)
	mustPutBlob(t, b, key, data)
	r, err := b.Get(t.Context(), key)
	ok(t, err, "get")
	defer r.Close()

	end, err := r.Seek(0, io.SeekEnd)
	ok(t, err, "seek to end")
	equal(t, end, int64(1000), "Seek(0, io.SeekEnd)")

	pos, err := r.Seek(500, io.SeekStart)
	ok(t, err, "seek to 500")
	equal(t, pos, int64(500), "Seek(500, io.SeekStart)")
	rest, err := io.ReadAll(r)
	ok(t, err, "read from 500")
	if !bytes.Equal(rest, data[500:]) {
		t.Fatalf("read from 500: %d bytes, want the last 500", len(rest))
	}

	pos, err = r.Seek(-10, io.SeekEnd)
	ok(t, err, "seek to end-10")
	equal(t, pos, int64(990), "Seek(-10, io.SeekEnd)")
	last := make([]byte, 10)
	_, err = io.ReadFull(r, last)
	ok(t, err, "read last 10")
	if !bytes.Equal(last, data[990:]) {
		t.Fatal("read after Seek(-10, io.SeekEnd): wrong bytes")
	}

	_, err = r.Seek(100, io.SeekStart)
	ok(t, err, "seek to 100")
	pos, err = r.Seek(50, io.SeekCurrent)
	ok(t, err, "seek 50 further")
	equal(t, pos, int64(150), "Seek(50, io.SeekCurrent) from 100")
	chunk := make([]byte, 50)
	_, err = io.ReadFull(r, chunk)
	ok(t, err, "read 50 at 150")
	if !bytes.Equal(chunk, data[150:200]) {
		t.Fatal("read after Seek(50, io.SeekCurrent): wrong bytes")
	}

	_, err = r.Seek(0, io.SeekStart)
	ok(t, err, "seek to start")
	all, err := io.ReadAll(r)
	ok(t, err, "read all again")
	if !bytes.Equal(all, data) {
		t.Fatalf("read after Seek(0, io.SeekStart): %d bytes, want the whole blob", len(all))
	}
}

func testBlobInvalidKeys(t *testing.T, b store.Blobs, prefix string) {
	bad := []string{
		"../x", "/abs", "a//b", "a/./b", "A.jpg", "", "a/", prefix + "../x",
		prefix + "x/../../y", prefix + "sp ace", prefix + `back\slash`,
		prefix + strings.Repeat("k", store.MaxBlobKey),
	}
	for _, key := range bad {
		if err := b.Put(t.Context(), key, "text/plain", strings.NewReader("x"), 1); err == nil {
			t.Errorf("Put(%q): no error", key)
		}
		if r, err := b.Get(t.Context(), key); err == nil {
			r.Close()
			t.Errorf("Get(%q): no error", key)
		}
		if err := b.Delete(t.Context(), key); err == nil {
			t.Errorf("Delete(%q): no error", key)
		}
	}
}

func testBlobURL(t *testing.T, b store.Blobs, prefix string) {
	key := prefix + "media/1/original.webp"
	u := b.URL(key)
	if !strings.HasSuffix(u, "/"+key) {
		t.Errorf("URL(%q) = %q, want it to end with /%s", key, u, key)
	}
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		t.Errorf("URL(%q) = %q, want an absolute http(s) URL", key, u)
	}
}

func testBlobConcurrentKeys(t *testing.T, b store.Blobs, prefix string) {
	const n = 8
	blobs := make([][]byte, n)
	for i := range blobs {
		blobs[i] = blobData(32<<10 + i)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("%s%d.bin", prefix, i)
			if err := b.Put(t.Context(), key, "application/octet-stream", readerOnly{bytes.NewReader(blobs[i])}, int64(len(blobs[i]))); err != nil {
				t.Errorf("put %s: %v", key, err)
			}
		})
	}
	wg.Wait()
	for i := range n {
		wantBlob(t, b, fmt.Sprintf("%s%d.bin", prefix, i), blobs[i])
	}
}

func testBlobConcurrentSameKey(t *testing.T, b store.Blobs, prefix string) {
	const writers, readers, rounds = 6, 3, 4
	key := prefix + "contested.bin"
	versions := make([][]byte, writers)
	for i := range versions {
		// Different lengths and contents, so a mixture shows.
		versions[i] = bytes.Repeat([]byte{byte('a' + i)}, 48<<10+i*1000)
	}
	isVersion := func(data []byte) bool {
		for _, v := range versions {
			if bytes.Equal(data, v) {
				return true
			}
		}
		return false
	}

	var wg sync.WaitGroup
	done := make(chan struct{})
	for i := range writers {
		wg.Go(func() {
			for range rounds {
				err := b.Put(t.Context(), key, "application/octet-stream", readerOnly{bytes.NewReader(versions[i])}, int64(len(versions[i])))
				if err != nil {
					t.Errorf("put version %d: %v", i, err)
					return
				}
			}
		})
	}
	var rg sync.WaitGroup
	for range readers {
		rg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				r, err := b.Get(t.Context(), key)
				if errors.Is(err, store.ErrNotFound) {
					continue // before the first Put
				}
				if err != nil {
					t.Errorf("get while writing: %v", err)
					return
				}
				data, err := io.ReadAll(r)
				r.Close()
				if err != nil {
					t.Errorf("read while writing: %v", err)
					return
				}
				if !isVersion(data) {
					t.Errorf("read while writing: %d bytes that are none of the written versions", len(data))
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	rg.Wait()
	if !isVersion(readBlob(t, b, key)) {
		t.Fatal("after concurrent puts the blob is none of the written versions")
	}
	// Sequential puts: the last one wins.
	mustPutBlob(t, b, key, versions[1])
	mustPutBlob(t, b, key, versions[0])
	wantBlob(t, b, key, versions[0])
}

func testBlobLarge(t *testing.T, b store.Blobs, prefix string) {
	data := blobData(5 << 20)
	for _, size := range []int64{int64(len(data)), -1} {
		key := fmt.Sprintf("%slarge%d.bin", prefix, size)
		ok(t, b.Put(t.Context(), key, "video/mp4", readerOnly{bytes.NewReader(data)}, size), "put 5 MB")
		wantBlob(t, b, key, data)
		r, err := b.Get(t.Context(), key)
		ok(t, err, "get 5 MB")
		end, err := r.Seek(0, io.SeekEnd)
		r.Close()
		ok(t, err, "seek to end")
		equal(t, end, int64(len(data)), "size of 5 MB blob")
	}
}

// listBlobs returns what List(prefix) reports, key to size, failing on a
// key listed twice or a modification time far from now.
func listBlobs(tb testing.TB, b store.Blobs, prefix string) map[string]int64 {
	tb.Helper()
	got := map[string]int64{}
	err := b.List(tb.Context(), prefix, func(key string, size int64, modified time.Time) error {
		if _, dup := got[key]; dup {
			tb.Errorf("List(%q) reported %s twice", prefix, key)
		}
		got[key] = size
		if !strings.HasPrefix(prefix, "storetest/") || !strings.HasPrefix(key, prefix) {
			return nil // not this test's blob: its time is none of our business
		}
		// Generous: an S3 service's clock is not ours.
		if d := time.Since(modified); d < -10*time.Minute || d > 10*time.Minute {
			tb.Errorf("List(%q): %s modified at %v, %v from now", prefix, key, modified, d)
		}
		return nil
	})
	ok(tb, err, fmt.Sprintf("list %q", prefix))
	return got
}

func testBlobList(t *testing.T, b store.Blobs, prefix string) {
	want := map[string]int64{
		prefix + "a.jpg":             3,
		prefix + "x/1.jpg":           10,
		prefix + "x/deep/down/2.png": 2 << 10,
		prefix + "x1/3.bin":          0,
	}
	for key, size := range want {
		mustPutBlob(t, b, key, blobData(int(size)))
	}
	mustPutBlob(t, b, prefix+"gone.jpg", []byte("soon deleted"))
	ok(t, b.Delete(t.Context(), prefix+"gone.jpg"), "delete")

	same := func(got, want map[string]int64, what string) {
		t.Helper()
		for key, size := range want {
			if n, found := got[key]; !found {
				t.Errorf("%s: %s missing", what, key)
			} else if n != size {
				t.Errorf("%s: %s has size %d, want %d", what, key, n, size)
			}
		}
		for key := range got {
			if _, found := want[key]; !found {
				t.Errorf("%s: %s listed, not put", what, key)
			}
		}
	}
	same(listBlobs(t, b, prefix), want, "List(prefix)")
	same(listBlobs(t, b, prefix+"x/"), map[string]int64{
		prefix + "x/1.jpg":           10,
		prefix + "x/deep/down/2.png": 2 << 10,
	}, "List(prefix + \"x/\")")
	// A prefix is a prefix of the key, not of a directory.
	same(listBlobs(t, b, prefix+"x"), map[string]int64{
		prefix + "x/1.jpg":           10,
		prefix + "x/deep/down/2.png": 2 << 10,
		prefix + "x1/3.bin":          0,
	}, "List(prefix + \"x\")")
	same(listBlobs(t, b, prefix+"nothing/"), map[string]int64{}, "List of an unused prefix")
	same(listBlobs(t, b, prefix+"a.jpg/"), map[string]int64{}, "List below a blob")

	all := listBlobs(t, b, "")
	for key, size := range want {
		if n, found := all[key]; !found || n != size {
			t.Errorf("List(\"\"): %s has size %d (listed: %v), want %d", key, n, found, size)
		}
	}
	if _, found := all[prefix+"gone.jpg"]; found {
		t.Error("List(\"\") reports a deleted blob")
	}
}

var errStopList = errors.New("storetest: enough")

func testBlobListStops(t *testing.T, b store.Blobs, prefix string) {
	for i := range 5 {
		mustPutBlob(t, b, fmt.Sprintf("%s%d.bin", prefix, i), []byte("x"))
	}
	calls := 0
	err := b.List(t.Context(), prefix, func(key string, size int64, modified time.Time) error {
		calls++
		return errStopList
	})
	isErr(t, err, errStopList, "List with fn failing")
	equal(t, calls, 1, "calls of fn after it failed")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls = 0
	err = b.List(ctx, prefix, func(key string, size int64, modified time.Time) error {
		calls++
		return nil
	})
	if err == nil && calls == 5 {
		t.Error("List with a cancelled context listed everything without error")
	}
}
