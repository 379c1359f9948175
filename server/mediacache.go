package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/julienschmidt/httprouter"
	"github.com/roost-social/roost/server/media"
	"github.com/roost-social/roost/store"
)

// Serving media. Local files are under /system/KEY (when Blobs are on the
// local disk; with S3 clients fetch them from the bucket). Remote files
// (attachments, avatars, headers, link preview images) are served from
// /media/cache/MAC/URL: URL is the remote address in base64url and MAC an
// HMAC of it, so only addresses this server handed out are fetched — it is
// no open proxy. A remote file is fetched through the guarded client the
// first time somebody asks, kept in Blobs under cache/, and evicted oldest
// first when the cache outgrows its budget or by `roost media remove`.

// mediaHeaders are sent with every media file: the type is ours, never
// sniffed, and a file cannot run script even if it were HTML.
func mediaHeaders(h http.Header, contentType string) {
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "Content-Range, Content-Length, Accept-Ranges")
	if !servableType(contentType) {
		h.Set("Content-Disposition", "attachment")
	}
}

// blobTypes are the types of the files Roost stores, by extension.
var blobTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
	".webp": "image/webp", ".mp4": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime",
	".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".wav": "audio/wav", ".flac": "audio/flac", ".m4a": "audio/mp4", ".aac": "audio/aac",
}

// servableType reports whether a type is shown inline (images, video and
// audio, never SVG or HTML).
func servableType(t string) bool {
	for _, v := range blobTypes {
		if v == t {
			return true
		}
	}
	return false
}

// serveSystem is GET /system/*key: a local file from Blobs.
func (s *Server) serveSystem(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(httprouter.ParamsFromContext(r.Context()).ByName("key"), "/")
	if s.blobs == nil || store.ValidBlobKey(key) != nil || strings.HasPrefix(key, store.PendingBlobs) {
		writeError(w, errNotFound)
		return
	}
	ct, ok := blobTypes[path.Ext(key)]
	if !ok {
		ct = "application/octet-stream"
	}
	s.serveBlob(w, r, key, ct)
}

// serveBlob sends a file from Blobs with range support.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, key, contentType string) {
	f, err := s.blobs.Get(r.Context(), key)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, errNotFound)
		return
	}
	if err != nil {
		s.log.Error("open media file", "key", key, "err", err)
		writeError(w, errInternal)
		return
	}
	defer f.Close()
	mediaHeaders(w.Header(), contentType)
	http.ServeContent(w, r, "", time.Time{}, f)
}

// mediaPreflight answers the CORS preflight of web clients that fetch
// media with a Range header.
func mediaPreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Range")
	h.Set("Access-Control-Expose-Headers", "Content-Range, Content-Length, Accept-Ranges")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// servePlaceholder is the preview of video without one.
func (s *Server) servePlaceholder(w http.ResponseWriter, r *http.Request) {
	servePoster(w, videoPoster())
}

// serveAudioPlaceholder is the preview of audio without a thumbnail.
func (s *Server) serveAudioPlaceholder(w http.ResponseWriter, r *http.Request) {
	servePoster(w, audioPoster())
}

func servePoster(w http.ResponseWriter, png []byte) {
	mediaHeaders(w.Header(), "image/png")
	w.Header().Set("Cache-Control", "public, max-age=604800")
	_, _ = w.Write(png)
}

// posterSize is the size of the drawn previews: 16:9, as players expect.
const posterW, posterH = 640, 360

// videoPoster is the preview of a video without a thumbnail: a dark frame
// with a play sign, drawn once.
var videoPoster = sync.OnceValue(func() []byte {
	img := newPoster()
	// A triangle pointing right, centred: its half height shrinks from
	// 60 px at the left edge to 0 at the tip.
	const left, tip, half = posterW/2 - 40, posterW/2 + 60, 60
	for x := left; x < tip; x++ {
		hh := half * (tip - x) / (tip - left)
		for y := posterH/2 - hh; y <= posterH/2+hh; y++ {
			img.SetColorIndex(x, y, 1)
		}
	}
	return encodePoster(img)
})

// audioPoster is the preview of audio without a thumbnail: a dark frame
// with the bars of a level meter, drawn once.
var audioPoster = sync.OnceValue(func() []byte {
	img := newPoster()
	heights := []int{40, 90, 140, 70, 120, 50, 100, 30}
	const bar, gap = 16, 12
	left := posterW/2 - (len(heights)*(bar+gap)-gap)/2
	for i, bh := range heights {
		for x := left + i*(bar+gap); x < left+i*(bar+gap)+bar; x++ {
			for y := posterH/2 - bh/2; y < posterH/2+bh/2; y++ {
				img.SetColorIndex(x, y, 1)
			}
		}
	}
	return encodePoster(img)
})

func newPoster() *image.Paletted {
	return image.NewPaletted(image.Rect(0, 0, posterW, posterH), color.Palette{color.RGBA{0x2b, 0x2d, 0x31, 0xff}, color.White})
}

func encodePoster(img image.Image) []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// cacheURL is the address clients fetch the remote file remote at.
func (s *Server) cacheURL(remote string) string {
	return s.cfg.BaseURL() + "/media/cache/" + s.cacheMAC(remote) + "/" + base64.RawURLEncoding.EncodeToString([]byte(remote))
}

func (s *Server) cacheMAC(remote string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("media-cache\x00" + remote))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// cachePreviewURL is the address of the small preview of a remote image.
func (s *Server) cachePreviewURL(remote string) string { return s.cacheURL(remote) + "/small" }

// serveCached is GET /media/cache/:mac/:url.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request) {
	s.serveCachedVariant(w, r, false)
}

// serveCachedPreview is GET /media/cache/:mac/:url/small: the preview of a
// remote image, or the file itself when it has none.
func (s *Server) serveCachedPreview(w http.ResponseWriter, r *http.Request) {
	s.serveCachedVariant(w, r, true)
}

func (s *Server) serveCachedVariant(w http.ResponseWriter, r *http.Request, small bool) {
	ps := httprouter.ParamsFromContext(r.Context())
	raw, err := base64.RawURLEncoding.DecodeString(ps.ByName("url"))
	remote := string(raw)
	if err != nil || s.blobs == nil || !hmac.Equal([]byte(ps.ByName("mac")), []byte(s.cacheMAC(remote))) {
		writeError(w, errNotFound)
		return
	}
	var f *store.CachedFile
	if small {
		f, err = s.cachedPreview(r.Context(), remote)
		if errors.Is(err, errNoPreview) || (err == nil && f.Key == "") {
			f, err = s.cachedFile(r.Context(), remote)
		}
	} else {
		f, err = s.cachedFile(r.Context(), remote)
	}
	if err != nil {
		s.log.Debug("remote media", "url", remote, "err", err)
		writeError(w, &apiError{status: http.StatusNotFound, msg: "The remote file is not available"})
		return
	}
	if u := s.blobs.URL(f.Key); !strings.HasPrefix(u, s.cfg.BaseURL()+"/system/") {
		http.Redirect(w, r, u, http.StatusFound) // on S3: the bucket serves it
		return
	}
	s.serveBlob(w, r, f.Key, f.ContentType)
}

// mediaCache fetches remote files once however many ask at the same time,
// a few at a time, and at most cachePerHost at once from one server, so
// that one slow or hostile server cannot hold every slot.
type mediaCache struct {
	mu       sync.Mutex
	inflight map[string]*cacheFlight
	hosts    map[string]*hostSlots
	slots    chan struct{}
	trimMu   sync.Mutex
	size     int64 // total of the cached files, once sized (under mu)
	sized    bool
}

// hostSlots are the fetch slots of one server, with the number of fetches
// holding or waiting for one (the entry goes when that drops to 0).
type hostSlots struct {
	ch    chan struct{}
	users int
}

const (
	cacheSlots        = 8
	cachePerHost      = 2
	cacheStallTimeout = 20 * time.Second
)

// acquire waits for a slot of host and one of the whole cache; release
// gives both back.
func (mc *mediaCache) acquire(ctx context.Context, host string) (release func(), err error) {
	mc.mu.Lock()
	if mc.hosts == nil {
		mc.hosts = map[string]*hostSlots{}
	}
	hs := mc.hosts[host]
	if hs == nil {
		hs = &hostSlots{ch: make(chan struct{}, cachePerHost)}
		mc.hosts[host] = hs
	}
	hs.users++
	mc.mu.Unlock()
	leave := func() {
		mc.mu.Lock()
		if hs.users--; hs.users == 0 {
			delete(mc.hosts, host)
		}
		mc.mu.Unlock()
	}
	select {
	case hs.ch <- struct{}{}:
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
	select {
	case mc.slots <- struct{}{}:
		return func() { <-mc.slots; <-hs.ch; leave() }, nil
	case <-ctx.Done():
		<-hs.ch
		leave()
		return nil, ctx.Err()
	}
}

// progressReader pushes back a stall timer at every read that brings
// bytes.
type progressReader struct {
	rc   io.ReadCloser
	t    *time.Timer
	idle time.Duration
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.rc.Read(b)
	if n > 0 {
		p.t.Reset(p.idle)
	}
	return n, err
}

func (p *progressReader) Close() error { return p.rc.Close() }

func hostOf(u string) string {
	if parsed, err := url.Parse(u); err == nil {
		return strings.ToLower(parsed.Host)
	}
	return ""
}

type cacheFlight struct {
	done chan struct{}
	f    *store.CachedFile
	err  error
}

// cachedFile returns the cache entry of remote, fetching the file first
// when it is not cached.
func (s *Server) cachedFile(ctx context.Context, remote string) (*store.CachedFile, error) {
	return s.cacheEntry(ctx, remote, func(ctx context.Context) (*store.CachedFile, error) {
		return s.fetchRemoteMedia(ctx, remote)
	})
}

// smallSuffix marks the cache entry of a remote image's preview: its URL
// is the image's with this suffix (no real URL ends so).
const smallSuffix = "#roost-small"

// cachedPreview returns the cache entry of the small preview of a remote
// image, making it (and fetching the image) first when needed. Files that
// are no image have none: errNoPreview, and the original serves.
func (s *Server) cachedPreview(ctx context.Context, remote string) (*store.CachedFile, error) {
	return s.cacheEntry(ctx, remote+smallSuffix, func(ctx context.Context) (*store.CachedFile, error) {
		orig, err := s.cachedFile(ctx, remote)
		if err != nil {
			return nil, err
		}
		return s.makePreview(ctx, remote, orig)
	})
}

// errNoPreview says a cached file is served as its own preview.
var errNoPreview = errors.New("no preview")

// previewSlots bounds the previews made at once (each may read a 16 MB
// image; decoding is one at a time anyway).
var previewSlots = make(chan struct{}, 2)

// makePreview stores the preview of a cached remote image. An image that
// cannot have one (too large, undecodable) gets a cache entry without a
// file, so the work is not tried again at every request; its original
// serves instead.
func (s *Server) makePreview(ctx context.Context, remote string, orig *store.CachedFile) (*store.CachedFile, error) {
	if !strings.HasPrefix(orig.ContentType, "image/") {
		return nil, errNoPreview
	}
	none := &store.CachedFile{URL: remote + smallSuffix}
	if orig.Size > media.DefaultLimits.ImageSize {
		return none, s.store.PutCachedFile(ctx, none)
	}
	select {
	case previewSlots <- struct{}{}:
		defer func() { <-previewSlots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	src, size, closeBlob, err := s.openBlob(ctx, orig.Key, media.DefaultLimits.ImageSize)
	if err != nil {
		return nil, err
	}
	defer closeBlob()
	res, err := media.Process(src, size, media.DefaultLimits, media.Options{})
	if errors.Is(err, media.ErrInvalid) || (err == nil && res.Preview == nil) {
		return none, s.store.PutCachedFile(ctx, none)
	}
	if err != nil {
		return nil, err
	}
	key := strings.TrimSuffix(orig.Key, path.Ext(orig.Key)) + "-small.jpg"
	if err := s.blobs.Put(ctx, key, "image/jpeg", bytes.NewReader(res.Preview), int64(len(res.Preview))); err != nil {
		return nil, err
	}
	f := &store.CachedFile{URL: remote + smallSuffix, Key: key, ContentType: "image/jpeg", Size: int64(len(res.Preview))}
	if err := s.store.PutCachedFile(ctx, f); err != nil {
		s.deleteBlobs(key)
		return nil, err
	}
	s.mediaCache.addSize(f.Size)
	return f, nil
}

// cacheEntry returns the cache entry named url, made by fill when missing;
// concurrent askers of one entry share one fill, which runs detached from
// their requests (a client that gives up does not waste it for the next)
// and ends at Close.
func (s *Server) cacheEntry(ctx context.Context, url string, fill func(context.Context) (*store.CachedFile, error)) (*store.CachedFile, error) {
	if f, err := s.store.CachedFile(ctx, url); err == nil {
		return f, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	mc := &s.mediaCache
	mc.mu.Lock()
	fl := mc.inflight[url]
	if fl == nil {
		fl = &cacheFlight{done: make(chan struct{})}
		if mc.inflight == nil {
			mc.inflight = map[string]*cacheFlight{}
		}
		mc.inflight[url] = fl
		started := s.bg.start(func() {
			fctx, cancel := context.WithTimeout(s.bgCtx, 2*time.Minute)
			fl.f, fl.err = fill(fctx)
			cancel()
			mc.mu.Lock()
			delete(mc.inflight, url)
			mc.mu.Unlock()
			close(fl.done)
		})
		if !started {
			delete(mc.inflight, url)
			mc.mu.Unlock()
			return nil, errors.New("the server is closing")
		}
	}
	mc.mu.Unlock()
	select {
	case <-fl.done:
		return fl.f, fl.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fetchRemoteMedia downloads remote into the cache. Only images, video and
// audio (by their bytes) are kept.
func (s *Server) fetchRemoteMedia(ctx context.Context, remote string) (*store.CachedFile, error) {
	if s.mediaClient == nil {
		return nil, errors.New("no outgoing requests")
	}
	if s.fed.Suspended(ctx, remote) {
		return nil, errors.New("the server is suspended")
	}
	release, err := s.mediaCache.acquire(ctx, hostOf(remote))
	if err != nil {
		return nil, err
	}
	defer release()
	// A server that stalls loses its slot: the transfer must keep moving.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stall := time.AfterFunc(cacheStallTimeout, cancel)
	defer stall.Stop()
	resp, err := s.mediaClient.Get(ctx, remote, "image/*, video/*, audio/*;q=0.9, */*;q=0.1")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	resp.Body = &progressReader{rc: resp.Body, t: stall, idle: cacheStallTimeout}
	tmp, err := os.CreateTemp("", "roost-media-*")
	if err != nil {
		return nil, err
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	size, err := io.Copy(tmp, resp.Body)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", remote, err)
	}
	head := make([]byte, 512)
	n, _ := tmp.ReadAt(head, 0)
	ct, _, ext, err := media.Sniff(head[:n])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", remote, err)
	}
	sum := sha256.Sum256([]byte(remote))
	name := hex.EncodeToString(sum[:16])
	key := "cache/" + name[:2] + "/" + name + ext
	if err := s.blobs.Put(ctx, key, ct, io.NewSectionReader(tmp, 0, size), size); err != nil {
		return nil, err
	}
	f := &store.CachedFile{URL: remote, Key: key, ContentType: ct, Size: size}
	if err := s.store.PutCachedFile(ctx, f); err != nil {
		s.deleteBlobs(key)
		return nil, err
	}
	if s.mediaCache.addSize(size); s.mediaCache.over(s.cfg.MediaCacheSize) {
		s.bg.start(func() { s.trimMediaCache(s.bgCtx) })
	}
	return f, nil
}

// trimMediaCache evicts the oldest cached files while the cache is over
// its budget, down to 90% of it.
func (s *Server) trimMediaCache(ctx context.Context) {
	mc := &s.mediaCache
	if s.cfg.MediaCacheSize <= 0 {
		return
	}
	mc.trimMu.Lock()
	defer mc.trimMu.Unlock()
	size, ok := mc.knownSize()
	if !ok {
		// Summed once (and again after each hourly sweep, which forgets
		// the total so that other processes' changes count), not at
		// every fetch.
		var err error
		if size, err = s.store.CachedSize(ctx); err != nil {
			return
		}
		mc.setSize(size)
	}
	if size <= s.cfg.MediaCacheSize {
		return
	}
	target := s.cfg.MediaCacheSize / 10 * 9
	for size > target {
		list, err := s.store.CachedFiles(ctx, time.Now().Add(time.Hour), 100)
		if err != nil || len(list) == 0 {
			return
		}
		for _, f := range list {
			if size <= target {
				break
			}
			if err := dropCachedFile(ctx, s.store, s.blobs, f); err != nil {
				s.log.Warn("evict cached media", "url", f.URL, "err", err)
				return
			}
			size = mc.addSize(-f.Size)
		}
	}
}

// The cache's total size, kept as files come and go once it is known.

func (mc *mediaCache) knownSize() (int64, bool) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	return mc.size, mc.sized
}

func (mc *mediaCache) setSize(n int64) {
	mc.mu.Lock()
	mc.size, mc.sized = n, true
	mc.mu.Unlock()
}

func (mc *mediaCache) forgetSize() {
	mc.mu.Lock()
	mc.sized = false
	mc.mu.Unlock()
}

// addSize counts a file added (or, negative, removed) and returns the
// total.
func (mc *mediaCache) addSize(n int64) int64 {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	mc.size += n
	return mc.size
}

// over reports whether the cache exceeds budget; true while its size is
// unknown, so that the first trim learns it.
func (mc *mediaCache) over(budget int64) bool {
	size, ok := mc.knownSize()
	return budget > 0 && (!ok || size > budget)
}

func dropCachedFile(ctx context.Context, st store.Store, blobs store.Blobs, f *store.CachedFile) error {
	if err := st.DeleteCachedFile(ctx, f.URL); err != nil {
		return err
	}
	if f.Key == "" { // a preview that could not be made: no file
		return nil
	}
	return blobs.Delete(ctx, f.Key)
}

// PruneMediaCache removes the remote files cached before before (they are
// fetched again if somebody looks) and reports how many files and bytes
// went; `roost media remove` calls it.
func PruneMediaCache(ctx context.Context, st store.Store, blobs store.Blobs, before time.Time) (files int, bytes int64, err error) {
	for {
		list, err := st.CachedFiles(ctx, before, 500)
		if err != nil {
			return files, bytes, err
		}
		if len(list) == 0 {
			return files, bytes, nil
		}
		for _, f := range list {
			if err := dropCachedFile(ctx, st, blobs, f); err != nil {
				return files, bytes, err
			}
			files++
			bytes += f.Size
		}
	}
}

// blobPrefixes are where Roost puts files: uploads (and their thumbnails),
// uploads waiting for processing, avatars and headers, and the remote media
// cache. RemoveOrphans looks nowhere else, so that whatever else shares an
// S3 bucket is safe from it; a new place for files must be added here.
var blobPrefixes = []string{"media/", store.PendingBlobs, "accounts/", "cache/"}

// RemoveOrphans deletes blobs that no database row refers to and that are
// older than minAge (files being written right now are younger), and
// reports how many files and bytes went; `roost media remove --orphans`
// calls it. Orphans come from crashes between writing a file and storing
// its row, and from failures of the best-effort deletes that follow a
// change (an avatar replaced, an upload processed).
//
// It reads every key the store knows into memory first, then lists Blobs
// under blobPrefixes: a set of strings is small for a single-user instance
// (some 100 bytes a file), and no listing order is needed. A row made
// after the keys were read refers to a file written just before, which
// minAge spares; so minAge must exceed the time from writing a file to
// storing its row (an hour is plenty; 0 is for tests of a quiet instance).
func RemoveOrphans(ctx context.Context, st store.Store, blobs store.Blobs, minAge time.Duration) (files int, bytes int64, err error) {
	known := map[string]struct{}{}
	err = st.BlobKeys(ctx, func(key string) error {
		known[key] = struct{}{}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("remove orphans: %w", err)
	}
	cutoff := time.Now().Add(-minAge)
	for _, prefix := range blobPrefixes {
		err := blobs.List(ctx, prefix, func(key string, size int64, modified time.Time) error {
			if _, ok := known[key]; ok || modified.After(cutoff) {
				return nil
			}
			if err := blobs.Delete(ctx, key); err != nil {
				return err
			}
			files++
			bytes += size
			return nil
		})
		if err != nil {
			return files, bytes, fmt.Errorf("remove orphans: %w", err)
		}
	}
	return files, bytes, nil
}

// sweepUploads removes uploads never attached to a status (or left over
// from a deleted one) a day after they were made, with their files.
func (s *Server) sweepUploads(ctx context.Context) {
	for {
		list, err := s.store.UnattachedMedia(ctx, s.now().Add(-24*time.Hour), 100)
		if err != nil || len(list) == 0 {
			return
		}
		for _, m := range list {
			gone, err := s.store.DeleteMedia(ctx, m.ID)
			if err != nil {
				s.log.Warn("sweep upload", "id", m.ID, "err", err)
				return
			}
			s.deleteBlobs(gone.FileKey, gone.PreviewKey)
		}
	}
}

// runMediaSweeper keeps uploads and the remote cache tidy, hourly.
func (s *Server) runMediaSweeper(ctx context.Context) {
	defer close(s.sweepDone)
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	// Not at start-up: the first sweep comes an hour in, so starting
	// stays quick whatever the data.
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.sweepUploads(ctx)
		s.mediaCache.forgetSize()
		s.trimMediaCache(ctx)
	}
}
