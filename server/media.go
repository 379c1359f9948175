package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roost-social/roost/server/media"
	"github.com/roost-social/roost/store"
)

// Uploads. POST /api/v1/media processes a file before answering; POST
// /api/v2/media answers 202 at once for images and processes them in the
// background (the raw upload is stored first, so a restart resumes the
// work), and clients poll GET /api/v1/media/:id, which says 206 until the
// file is ready. Files are stored in Blobs under media/ID/; a failure
// removes whatever was written.

// v2 uploads of images larger than these are processed in the background.
const (
	syncPixels = 1_000_000
	syncBytes  = 2 << 20
)

// maxUploadBytes bounds a multipart body: the largest file accepted plus
// room for the other fields.
var maxUploadBytes = media.DefaultLimits.VideoSize + 1<<20

// uploadKey is where the raw upload of an image waits for processing,
// never served (see store.PendingBlobs).
func uploadKey(id string) string { return store.PendingBlobs + id + "-" + randomToken() }

// randomToken is a part of every file's key that nobody can guess, so that
// the files of followers-only and direct posts (served without asking who
// looks, as Mastodon serves them) cannot be found by counting IDs.
func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// uploadMediaV1 is POST /api/v1/media.
func (s *Server) uploadMediaV1(c *call) error { return s.uploadMedia(c, false) }

// uploadMediaV2 is POST /api/v2/media.
func (s *Server) uploadMediaV2(c *call) error { return s.uploadMedia(c, true) }

func (s *Server) uploadMedia(c *call, async bool) error {
	if s.blobs == nil {
		return &apiError{status: http.StatusServiceUnavailable, msg: "Media storage is not configured"}
	}
	f, size, err := c.file("file")
	if err != nil {
		return err
	}
	defer f.Close()
	if size == 0 {
		return unprocessable("Validation failed: File can't be blank")
	}
	m := &store.Media{
		ID:          store.NewID(s.now()),
		AccountID:   c.viewer.ID,
		Description: strings.TrimSpace(c.p.str("description")),
	}
	if err := validDescription(m.Description); err != nil {
		return err
	}
	if err := c.focus(m); err != nil {
		return err
	}
	ctx := c.r.Context()
	if async {
		_, typ, pixels, err := checkUpload(f, size)
		if err != nil {
			return err
		}
		// Small images are done at once (200), as Mastodon does: bots and
		// simple clients post right after uploading. Large ones answer 202.
		if typ == store.MediaImage && (pixels > syncPixels || size > syncBytes) {
			m.Type, m.Processing, m.FileKey, m.FileSize = typ, true, uploadKey(m.ID), size
			if err := s.blobs.Put(ctx, m.FileKey, "application/octet-stream", io.NewSectionReader(f, 0, size), size); err != nil {
				return err
			}
			if err := s.store.CreateMedia(ctx, m); err != nil {
				s.deleteBlobs(m.FileKey)
				return err
			}
			s.nudgeMedia()
			return c.json(http.StatusAccepted, s.env.MediaAttachment(m))
		}
	}
	if err := s.processUpload(ctx, m, f, size, media.Options{}); err != nil {
		return err
	}
	if _, err := s.storeThumbnail(c, m); err != nil {
		s.deleteBlobs(m.FileKey, m.PreviewKey)
		return err
	}
	if err := s.store.CreateMedia(ctx, m); err != nil {
		s.deleteBlobs(m.FileKey, m.PreviewKey)
		return err
	}
	return c.ok(s.env.MediaAttachment(m))
}

// storeThumbnail stores the "thumbnail" an app sent with a video or audio
// file as m's preview (Mastodon ignores it for images, and so does Roost)
// and returns the key of the preview it replaces, for the caller to delete
// once m is stored (or to keep, deleting the new one, when that fails).
func (s *Server) storeThumbnail(c *call, m *store.Media) (replaced string, err error) {
	if c.r.MultipartForm == nil || len(c.r.MultipartForm.File["thumbnail"]) == 0 ||
		(m.Type != store.MediaVideo && m.Type != store.MediaAudio) {
		return "", nil
	}
	res, err := c.imageField("thumbnail", media.Options{})
	if err != nil {
		return "", err
	}
	key := "media/" + m.ID + "/" + randomToken() + "/thumbnail.jpg"
	if err := s.blobs.Put(c.r.Context(), key, "image/jpeg", bytes.NewReader(res.Preview), int64(len(res.Preview))); err != nil {
		return "", err
	}
	replaced = m.PreviewKey
	m.PreviewKey, m.PreviewWidth, m.PreviewHeight, m.Blurhash = key, res.PreviewWidth, res.PreviewHeight, res.Blurhash
	return replaced, nil
}

// imageField processes the image uploaded in a multipart field (a
// thumbnail, an avatar, a header): anything else is a 422 naming the field.
func (c *call) imageField(field string, opt media.Options) (*media.Result, error) {
	f, size, err := c.file(field)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, typ, _, err := checkUpload(f, size); err != nil {
		return nil, err
	} else if typ != store.MediaImage {
		return nil, unprocessable("Validation failed: " + strings.ToUpper(field[:1]) + field[1:] + " must be an image (JPEG, PNG, GIF or WebP)")
	}
	return media.Process(f, size, media.DefaultLimits, opt)
}

// file opens the uploaded file of a multipart field.
func (c *call) file(field string) (multipart.File, int64, error) {
	if c.r.MultipartForm == nil || len(c.r.MultipartForm.File[field]) == 0 {
		return nil, 0, unprocessable("Validation failed: File can't be blank")
	}
	fh := c.r.MultipartForm.File[field][0]
	f, err := fh.Open()
	if err != nil {
		return nil, 0, fmt.Errorf("open upload: %w", err)
	}
	return f, fh.Size, nil
}

// checkUpload does the cheap checks of an upload before it is accepted:
// its type from its bytes, its size, and for an image the pixel count from
// its header (which it returns).
func checkUpload(f io.ReaderAt, size int64) (contentType, typ string, pixels int, err error) {
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", "", 0, fmt.Errorf("read upload: %w", err)
	}
	contentType, typ, _, err = media.Sniff(head[:n])
	if err != nil {
		return "", "", 0, err
	}
	lim := media.DefaultLimits
	if typ == store.MediaImage {
		if size > lim.ImageSize {
			return "", "", 0, fmt.Errorf("%w: file is too large (maximum is %d MB)", media.ErrInvalid, lim.ImageSize>>20)
		}
		cfg, _, err := image.DecodeConfig(io.NewSectionReader(f, 0, size))
		if err != nil {
			return "", "", 0, fmt.Errorf("%w: image is truncated or corrupt", media.ErrInvalid)
		}
		pixels = cfg.Width * cfg.Height
		if pixels > lim.ImagePixels || cfg.Width <= 0 || cfg.Height <= 0 {
			return "", "", 0, fmt.Errorf("%w: image is too large: %dx%d pixels", media.ErrInvalid, cfg.Width, cfg.Height)
		}
	} else if size > lim.VideoSize {
		return "", "", 0, fmt.Errorf("%w: file is too large (maximum is %d MB)", media.ErrInvalid, lim.VideoSize>>20)
	}
	return contentType, typ, pixels, nil
}

// processUpload processes the file src of the given size and stores its
// files for m, filling m's type, keys and sizes. Nothing stays in Blobs
// when it fails.
func (s *Server) processUpload(ctx context.Context, m *store.Media, src io.ReaderAt, size int64, opt media.Options) (err error) {
	res, err := media.Process(src, size, media.DefaultLimits, opt)
	if err != nil {
		return err
	}
	prefix := "media/" + m.ID + "/" + randomToken() + "/"
	var written []string
	defer func() {
		if err != nil {
			s.deleteBlobs(written...)
		}
	}()
	original := prefix + "original" + res.Ext
	if res.Original != nil {
		err = s.blobs.Put(ctx, original, res.ContentType, bytes.NewReader(res.Original), int64(len(res.Original)))
		m.FileSize = int64(len(res.Original))
	} else {
		r, n := res.Stored(src, size)
		err = s.blobs.Put(ctx, original, res.ContentType, r, n)
		m.FileSize = n
	}
	if err != nil {
		return err
	}
	written = append(written, original)
	var preview string
	if res.Preview != nil {
		preview = prefix + "small.jpg"
		if err = s.blobs.Put(ctx, preview, "image/jpeg", bytes.NewReader(res.Preview), int64(len(res.Preview))); err != nil {
			return err
		}
		written = append(written, preview)
	}
	m.Type, m.ContentType, m.FileKey, m.PreviewKey = res.Type, res.ContentType, original, preview
	m.Width, m.Height, m.PreviewWidth, m.PreviewHeight = res.Width, res.Height, res.PreviewWidth, res.PreviewHeight
	m.Duration, m.FrameRate = res.Duration, res.FrameRate
	m.Blurhash, m.Processing, m.Error = res.Blurhash, false, ""
	return nil
}

// deleteBlobs removes files in the background of a failure; a file left
// behind is an orphan, never a broken attachment, so errors are logged.
func (s *Server) deleteBlobs(keys ...string) {
	for _, k := range keys {
		if k == "" {
			continue
		}
		if err := s.blobs.Delete(context.Background(), k); err != nil {
			s.log.Warn("delete media file", "key", k, "err", err)
		}
	}
}

const maxDescription = 1500

func validDescription(d string) error {
	if len([]rune(d)) > maxDescription {
		return unprocessable(fmt.Sprintf("Validation failed: Description is too long (maximum is %d characters)", maxDescription))
	}
	return nil
}

// focus reads the "focus" parameter ("x,y", each in [-1, 1]) into m.
func (c *call) focus(m *store.Media) error {
	if v := c.p.str("focus"); v != "" {
		return setFocus(m, v)
	}
	return nil
}

// setFocus parses a focal point "x,y" (each in [-1, 1]) into m.
func setFocus(m *store.Media, v string) error {
	xs, ys, ok := strings.Cut(v, ",")
	x, errX := strconv.ParseFloat(strings.TrimSpace(xs), 64)
	y, errY := strconv.ParseFloat(strings.TrimSpace(ys), 64)
	if !ok || errX != nil || errY != nil || x < -1 || x > 1 || y < -1 || y > 1 {
		return unprocessable("Validation failed: Focus must be two numbers between -1 and 1, as \"x,y\"")
	}
	m.FocusX, m.FocusY = x, y
	return nil
}

// ownMedia loads an upload of the viewer; others' uploads are not found.
func (c *call) ownMedia(id string) (*store.Media, error) {
	m, err := c.s.store.GetMedia(c.r.Context(), id)
	if err != nil {
		return nil, err
	}
	if m.AccountID != c.viewer.ID {
		return nil, errNotFound
	}
	return m, nil
}

// unattachedMedia is ownMedia for GET and PUT, which, as in Mastodon, see
// only uploads not yet posted: a posted file changes through an edit of its
// status, which keeps the history.
func (c *call) unattachedMedia(id string) (*store.Media, error) {
	m, err := c.ownMedia(id)
	if err == nil && m.StatusID != "" {
		err = errNotFound
	}
	return m, err
}

// getMedia is GET /api/v1/media/:id: 206 while processing, 200 when done,
// 422 with the reason when processing failed.
func (s *Server) getMedia(c *call) error {
	m, err := c.unattachedMedia(c.param("id"))
	if err != nil {
		return err
	}
	switch {
	case m.Error != "":
		return unprocessable("Validation failed: " + m.Error)
	case m.Processing:
		return c.json(http.StatusPartialContent, s.env.MediaAttachment(m))
	}
	return c.ok(s.env.MediaAttachment(m))
}

// updateMedia is PUT /api/v1/media/:id: description, focus and the
// thumbnail of video and audio, of an upload not yet posted.
func (s *Server) updateMedia(c *call) error {
	m, err := c.unattachedMedia(c.param("id"))
	if err != nil {
		return err
	}
	if c.p.has("description") {
		m.Description = strings.TrimSpace(c.p.str("description"))
		if err := validDescription(m.Description); err != nil {
			return err
		}
	}
	if err := c.focus(m); err != nil {
		return err
	}
	before := m.PreviewKey
	replaced, err := s.storeThumbnail(c, m)
	if err != nil {
		return err
	}
	if err := s.store.UpdateMedia(c.r.Context(), m); err != nil {
		if m.PreviewKey != before {
			s.deleteBlobs(m.PreviewKey)
		}
		return err
	}
	s.deleteBlobs(replaced)
	if m.Processing {
		return c.json(http.StatusPartialContent, s.env.MediaAttachment(m))
	}
	return c.ok(s.env.MediaAttachment(m))
}

// deleteMedia is DELETE /api/v1/media/:id, for an upload not attached to
// a status.
func (s *Server) deleteMedia(c *call) error {
	m, err := c.ownMedia(c.param("id"))
	if err != nil {
		return err
	}
	// The files of the upload as deleted: processing may have finished
	// since m was read.
	gone, err := s.store.DeleteMedia(c.r.Context(), m.ID)
	if err != nil {
		if errors.Is(err, store.ErrConflict) {
			return unprocessable("Validation failed: Media attachment is attached to a status")
		}
		return err
	}
	s.deleteBlobs(gone.FileKey, gone.PreviewKey)
	return c.ok(struct{}{})
}

// attachable loads the uploads a status names in media_ids, in order, with
// Mastodon's checks; prev is the status being edited (its own media may
// stay).
func (c *call) attachable(ids []string, prev *store.Status) ([]*store.Media, error) {
	if len(ids) > 4 {
		return nil, unprocessable("Validation failed: You can attach at most 4 files")
	}
	out := make([]*store.Media, 0, len(ids))
	for _, id := range ids {
		if slices.ContainsFunc(out, func(m *store.Media) bool { return m.ID == id }) {
			continue // named twice: attached once
		}
		m, err := c.s.store.GetMedia(c.r.Context(), id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && m.AccountID != c.viewer.ID) {
			return nil, unprocessable("Validation failed: Media attachment " + id + " does not exist")
		}
		if err != nil {
			return nil, err
		}
		switch {
		case m.StatusID != "" && (prev == nil || m.StatusID != prev.ID):
			return nil, unprocessable("Validation failed: Media attachment " + id + " is attached to another post")
		case m.Processing:
			return nil, unprocessable("Validation failed: Cannot attach files that have not finished processing. Try again in a moment!")
		case m.Error != "":
			return nil, unprocessable("Validation failed: Media attachment " + id + " could not be processed")
		}
		out = append(out, m)
	}
	// As in Mastodon: a video or audio file stands alone.
	if len(out) > 1 && slices.ContainsFunc(out, func(m *store.Media) bool {
		return m.Type == store.MediaVideo || m.Type == store.MediaAudio || m.Type == store.MediaGIFV
	}) {
		return nil, unprocessable("Validation failed: Cannot attach a video to a post that already contains images")
	}
	return out, nil
}

// mediaAttributes applies the media_attributes[] of a status edit
// (description and focus of attachments it keeps) to list, which the edit
// then stores (store.StatusUpdate.Described) in its new version only.
func (c *call) mediaAttributes(list []*store.Media) error {
	for _, attr := range c.p.indexed("media_attributes") {
		for _, m := range list {
			if m.ID != attr["id"] {
				continue
			}
			if d, ok := attr["description"]; ok {
				m.Description = strings.TrimSpace(d)
				if err := validDescription(m.Description); err != nil {
					return err
				}
			}
			if f := attr["focus"]; f != "" {
				if err := setFocus(m, f); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func mediaIDs(list []*store.Media) []string {
	ids := make([]string, len(list))
	for i, m := range list {
		ids[i] = m.ID
	}
	return ids
}

// Background processing of v2 uploads: one worker, woken by nudgeMedia,
// takes every pending upload from the store (so nothing depends on the
// wake-up surviving a restart).

func (s *Server) nudgeMedia() {
	select {
	case s.mediaWake <- struct{}{}:
	default:
	}
}

func (s *Server) runMediaWorker(ctx context.Context) {
	defer close(s.mediaDone)
	for {
		pending, err := s.store.PendingMedia(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("list pending media", "err", err)
		}
		for _, m := range pending {
			if ctx.Err() != nil {
				return
			}
			s.processPending(ctx, m)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.mediaWake:
		case <-time.After(time.Minute):
		}
	}
}

// processPending processes one stored upload and records the outcome: the
// files, or the reason it failed (and the raw upload goes either way).
func (s *Server) processPending(ctx context.Context, m *store.Media) {
	raw := m.FileKey
	err := s.processStored(ctx, m, raw)
	if ctx.Err() != nil {
		return // shutting down: the upload stays pending for the next start
	}
	switch {
	case err == nil:
	case errors.Is(err, media.ErrInvalid):
		m.Processing, m.Error, m.FileKey = false, strings.TrimPrefix(err.Error(), media.ErrInvalid.Error()+": "), ""
	case errors.Is(err, store.ErrNotFound):
		s.log.Error("process media: the upload is gone", "id", m.ID, "key", raw)
		m.Processing, m.Error, m.FileKey = false, "the upload was lost", ""
	default:
		// Storage trouble: the upload stays pending and is tried again
		// (the sweep gives up on it after a day).
		s.log.Warn("process media, will retry", "id", m.ID, "err", err)
		return
	}
	if err := s.store.FinishMedia(ctx, m); err != nil {
		// Deleted by its owner meanwhile (ErrNotFound): its new files go
		// with it. Any other failure leaves it pending for the next run.
		if errors.Is(err, store.ErrNotFound) {
			s.deleteBlobs(m.FileKey, m.PreviewKey, raw)
		} else {
			s.log.Error("store processed media", "id", m.ID, "err", err)
			s.deleteBlobs(m.FileKey, m.PreviewKey)
		}
		return
	}
	s.deleteBlobs(raw)
}

func (s *Server) processStored(ctx context.Context, m *store.Media, key string) error {
	src, size, closeBlob, err := s.openBlob(ctx, key, media.DefaultLimits.VideoSize)
	if err != nil {
		return err
	}
	defer closeBlob()
	return s.processUpload(ctx, m, src, size, media.Options{})
}

// openBlob opens a blob for reading at any offset, as media.Process reads:
// directly when the store's reader allows it (a file), else read into
// memory up to limit bytes. size is the blob's length.
func (s *Server) openBlob(ctx context.Context, key string, limit int64) (src io.ReaderAt, size int64, closeBlob func() error, err error) {
	r, err := s.blobs.Get(ctx, key)
	if err != nil {
		return nil, 0, nil, err
	}
	if size, err = r.Seek(0, io.SeekEnd); err != nil {
		r.Close()
		return nil, 0, nil, err
	}
	if ra, ok := r.(io.ReaderAt); ok {
		return ra, size, r.Close, nil
	}
	defer r.Close()
	if size > limit {
		return nil, 0, nil, fmt.Errorf("%w: file is too large", media.ErrInvalid)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, 0, nil, err
	}
	b, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return nil, 0, nil, err
	}
	return bytes.NewReader(b), int64(len(b)), func() error { return nil }, nil
}
