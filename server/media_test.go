package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/textproto"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roost-social/roost/federation/fetch"
	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/disk"
)

// Media as apps see it: uploads through the API, the files they are
// served at, statuses and profiles that use them, and the cache of remote
// files. Every image is made here in code.

// mediaJSON is Mastodon's MediaAttachment, as far as the tests read it.
type mediaJSON struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	URL         *string `json:"url"`
	PreviewURL  *string `json:"preview_url"`
	RemoteURL   *string `json:"remote_url"`
	Description *string `json:"description"`
	Blurhash    *string `json:"blurhash"`
	Meta        struct {
		Original *mediaSizeJSON `json:"original"`
		Small    *mediaSizeJSON `json:"small"`
		Focus    *struct {
			X float64 `json:"x"`
			Y float64 `json:"y"`
		} `json:"focus"`
	} `json:"meta"`
}

type mediaSizeJSON struct {
	Width  int     `json:"width"`
	Height int     `json:"height"`
	Size   string  `json:"size"`
	Aspect float64 `json:"aspect"`
}

// mediaStatusJSON is a status with its attachments.
type mediaStatusJSON struct {
	ID               string      `json:"id"`
	Content          string      `json:"content"`
	MediaAttachments []mediaJSON `json:"media_attachments"`
}

func (r *response) asMedia(t *testing.T) mediaJSON {
	t.Helper()
	var m mediaJSON
	r.decode(t, &m)
	return m
}

func (r *response) asMediaStatus(t *testing.T) mediaStatusJSON {
	t.Helper()
	var s mediaStatusJSON
	r.decode(t, &s)
	return s
}

func attachmentIDs(ms []mediaJSON) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

// filePart is one file of a multipart body; contentType "" is guessed from
// the name.
type filePart struct {
	field, name, contentType string
	data                     []byte
}

// sendMultipart sends fields and files as multipart/form-data.
func (in *instance) sendMultipart(t *testing.T, method, path, token string, fields map[string]string, files ...filePart) *response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		ct := f.contentType
		if ct == "" {
			ct = mime.TypeByExtension(filepath.Ext(f.name))
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.field, f.name))
		h.Set("Content-Type", ct)
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, in.http.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return in.send(req)
}

// upload posts one file (field fileField) with fields to path.
func upload(t *testing.T, in *instance, token, path string, fields map[string]string, fileField, filename string, data []byte) *response {
	t.Helper()
	return in.sendMultipart(t, "POST", path, token, fields, filePart{field: fileField, name: filename, data: data})
}

// uploadImage uploads a small PNG through /api/v1/media as u and returns
// the attachment's ID.
func (in *instance) uploadImage(t *testing.T, u *user) string {
	t.Helper()
	m := upload(t, in, u.token, "/api/v1/media", nil, "file", "small.png", pngBytes(t, gradientImage(64, 48))).want(t, 200).asMedia(t)
	if m.ID == "" {
		t.Fatalf("upload without an id")
	}
	return m.ID
}

// systemFile fetches an address Blobs handed out (https://roost.test/system/…)
// from the test server; header is name, value pairs.
func (in *instance) systemFile(t *testing.T, u string, header ...string) *response {
	t.Helper()
	rest, ok := strings.CutPrefix(u, "https://roost.test/")
	if !ok {
		t.Fatalf("%q is not an address of this server", u)
	}
	req, err := http.NewRequest("GET", in.http.URL+"/"+rest, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return in.send(req)
}

// blobKey is the Blobs key of a /system/ address.
func blobKey(t *testing.T, u string) string {
	t.Helper()
	k, ok := strings.CutPrefix(u, "https://roost.test/system/")
	if !ok {
		t.Fatalf("%q is not under /system/", u)
	}
	return k
}

// blobFiles lists every file in the instance's blob directory (temporary
// files included), as slash-separated paths relative to it. known is a key
// that exists, from which the directory is found.
func (in *instance) blobFiles(t *testing.T, known string) []string {
	t.Helper()
	b, ok := in.srv.blobs.(*disk.Blobs)
	if !ok {
		t.Fatalf("blobs are %T, not on disk", in.srv.blobs)
	}
	p, err := b.Path(known)
	if err != nil {
		t.Fatal(err)
	}
	root := strings.TrimSuffix(p, filepath.FromSlash(known))
	var files []string
	err = filepath.WalkDir(root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, err := filepath.Rel(root, name)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

// Images.

// gradientImage is an opaque w x h image with smooth content.
func gradientImage(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p := m.Pix[y*m.Stride+x*4:]
			p[0], p[1], p[2], p[3] = uint8(x*255/max(1, w-1)), uint8(y*255/max(1, h-1)), 96, 255
		}
	}
	return m
}

func jpegBytes(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pngBytes(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gifBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	m := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.White, color.Black})
	m.SetColorIndex(0, 0, 1)
	var buf bytes.Buffer
	if err := gif.Encode(&buf, m, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withExif inserts, right after the SOI marker of a JPEG, an APP1 Exif
// segment holding an orientation and an ImageDescription of desc.
func withExif(jpg []byte, orientation uint16, desc string) []byte {
	be := binary.BigEndian
	tiff := []byte("MM\x00*")
	tiff = be.AppendUint32(tiff, 8) // IFD0 right after the header
	tiff = be.AppendUint16(tiff, 2)
	// 0x010E ImageDescription, ASCII, past the IFD.
	tiff = be.AppendUint16(tiff, 0x010e)
	tiff = be.AppendUint16(tiff, 2)
	tiff = be.AppendUint32(tiff, uint32(len(desc)+1))
	tiff = be.AppendUint32(tiff, 8+2+2*12+4)
	// 0x0112 Orientation, SHORT, inline.
	tiff = be.AppendUint16(tiff, 0x0112)
	tiff = be.AppendUint16(tiff, 3)
	tiff = be.AppendUint32(tiff, 1)
	tiff = be.AppendUint16(tiff, orientation)
	tiff = be.AppendUint16(tiff, 0)
	tiff = be.AppendUint32(tiff, 0) // no next IFD
	tiff = append(tiff, desc...)
	tiff = append(tiff, 0)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xff, 0xe1}
	seg = be.AppendUint16(seg, uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// pngChunkBytes is a PNG chunk with a valid CRC.
func pngChunkBytes(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// pngClaiming is a PNG whose header says w x h pixels (8-bit RGB) and whose
// data is a few bytes: a decompression bomb as far as the header goes.
func pngClaiming(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunkBytes("IHDR", ihdr)...)
	out = append(out, pngChunkBytes("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, pngChunkBytes("IEND", nil)...)
}

// mp4Bytes is a minimal MP4: an ftyp box and an mdat of n bytes.
func mp4Bytes(n int) []byte {
	b := []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
	b = binary.BigEndian.AppendUint32(b, uint32(8+n))
	b = append(b, "mdat"...)
	for i := 0; i < n; i++ {
		b = append(b, byte(i*7))
	}
	return b
}

// decodeImage decodes a served file, checking its format.
func decodeImage(t *testing.T, body []byte, format string) image.Image {
	t.Helper()
	m, f, err := image.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("served file does not decode: %v", err)
	}
	if f != format {
		t.Fatalf("served file is %s, want %s", f, format)
	}
	return m
}

// wantMediaHeaders checks the headers every served media file carries.
func wantMediaHeaders(t *testing.T, r *response, contentType string) {
	t.Helper()
	if got := r.header.Get("Content-Type"); got != contentType {
		t.Errorf("Content-Type %q, want %q", got, contentType)
	}
	if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", got)
	}
	if got := r.header.Get("Content-Security-Policy"); !strings.Contains(got, "sandbox") {
		t.Errorf("Content-Security-Policy %q has no sandbox", got)
	}
	if got := r.header.Get("Cache-Control"); !strings.Contains(got, "max-age=") {
		t.Errorf("Cache-Control %q has no max-age", got)
	}
}

// waitProcessed polls GET /api/v1/media/:id while it says 206 and returns
// the last response.
func (in *instance) waitProcessed(t *testing.T, u *user, id string) *response {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := u.get(in, "/api/v1/media/"+id)
		if r.status != http.StatusPartialContent || time.Now().After(deadline) {
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMediaUploadV1(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")

	// An 800x600 photo taken with the camera turned: EXIF orientation 6
	// says to turn it clockwise, so it is 600x800 upright.
	const secret = "GPS-SECRET-123"
	photo := withExif(jpegBytes(t, gradientImage(800, 600)), 6, secret)
	if !bytes.Contains(photo, []byte(secret)) {
		t.Fatal("fixture lacks its marker")
	}
	r := upload(t, in, alice.token, "/api/v1/media", map[string]string{"description": "A gradient", "focus": "0.5,-0.25"}, "file", "photo.jpg", photo)
	m := r.want(t, 200).asMedia(t)
	if m.ID == "" || m.Type != "image" {
		t.Fatalf("id %q, type %q", m.ID, m.Type)
	}
	if m.URL == nil || m.PreviewURL == nil || !strings.HasPrefix(*m.URL, "https://roost.test/system/") || !strings.HasPrefix(*m.PreviewURL, "https://roost.test/system/") {
		t.Fatalf("url %v, preview_url %v", m.URL, m.PreviewURL)
	}
	if m.Description == nil || *m.Description != "A gradient" {
		t.Errorf("description %v", m.Description)
	}
	if m.Blurhash == nil || *m.Blurhash == "" {
		t.Errorf("blurhash %v", m.Blurhash)
	}
	if o := m.Meta.Original; o == nil || o.Width != 600 || o.Height != 800 || o.Size != "600x800" || o.Aspect != 0.75 {
		t.Errorf("meta.original %+v, want 600x800, aspect 0.75", o)
	}
	if s := m.Meta.Small; s == nil || s.Width <= 0 || s.Height <= 0 || s.Width > 640 || s.Height > 640 {
		t.Errorf("meta.small %+v, want within 640x640", s)
	}
	if f := m.Meta.Focus; f == nil || f.X != 0.5 || f.Y != -0.25 {
		t.Errorf("meta.focus %+v, want {0.5 -0.25}", f)
	}

	file := in.systemFile(t, *m.URL).want(t, 200)
	wantMediaHeaders(t, file, "image/jpeg")
	if b := decodeImage(t, file.body, "jpeg").Bounds(); b.Dx() != 600 || b.Dy() != 800 {
		t.Errorf("served image is %v, want 600x800", b)
	}
	if bytes.Contains(file.body, []byte(secret)) || bytes.Contains(file.body, []byte("Exif\x00")) {
		t.Errorf("served file keeps the EXIF data")
	}

	preview := in.systemFile(t, *m.PreviewURL).want(t, 200)
	wantMediaHeaders(t, preview, "image/jpeg")
	b := decodeImage(t, preview.body, "jpeg").Bounds()
	if s := m.Meta.Small; s != nil && (b.Dx() != s.Width || b.Dy() != s.Height) {
		t.Errorf("preview is %v, meta.small says %dx%d", b, s.Width, s.Height)
	}
	if bytes.Contains(preview.body, []byte(secret)) {
		t.Errorf("preview keeps the EXIF data")
	}

	// GET /api/v1/media/:id says the same once done.
	if got := alice.get(in, "/api/v1/media/"+m.ID).want(t, 200).asMedia(t); got.URL == nil || *got.URL != *m.URL {
		t.Errorf("GET media url %v, want %s", got.URL, *m.URL)
	}
}

func TestMediaUploadV2Async(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")

	img := pngBytes(t, gradientImage(1200, 900))
	r := upload(t, in, alice.token, "/api/v2/media", map[string]string{"description": "later"}, "file", "big.png", img).want(t, 202)
	m := r.asMedia(t)
	if m.ID == "" || m.Type != "image" || m.URL != nil {
		t.Fatalf("202 entity: id %q, type %q, url %v (want null)", m.ID, m.Type, m.URL)
	}
	if m.Description == nil || *m.Description != "later" {
		t.Errorf("description %v", m.Description)
	}
	done := in.waitProcessed(t, alice, m.ID).want(t, 200).asMedia(t)
	if done.URL == nil || done.PreviewURL == nil {
		t.Fatalf("processed upload: url %v, preview_url %v", done.URL, done.PreviewURL)
	}
	if o := done.Meta.Original; o == nil || o.Width != 1200 || o.Height != 900 {
		t.Errorf("meta.original %+v", o)
	}
	file := in.systemFile(t, *done.URL).want(t, 200)
	wantMediaHeaders(t, file, "image/png")
	if b := decodeImage(t, file.body, "png").Bounds(); b.Dx() != 1200 || b.Dy() != 900 {
		t.Errorf("served image is %v", b)
	}
	// The raw upload waiting for processing is gone.
	for _, f := range in.blobFiles(t, blobKey(t, *done.URL)) {
		if strings.HasPrefix(f, store.PendingBlobs) {
			t.Errorf("raw upload still stored: %s", f)
		}
	}

	// A GIF through v2 ends up served as a GIF.
	g := upload(t, in, alice.token, "/api/v2/media", nil, "file", "dot.gif", gifBytes(t, 30, 20))
	if g.status != 200 && g.status != 202 {
		t.Fatalf("GIF upload: %d %s", g.status, g.body)
	}
	gm := in.waitProcessed(t, alice, g.asMedia(t).ID).want(t, 200).asMedia(t)
	wantMediaHeaders(t, in.systemFile(t, *gm.URL).want(t, 200), "image/gif")
}

func TestMediaUploadRefused(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")

	// Only the bytes count: a PNG called photo.jpg, sent as image/jpeg, is a PNG.
	pngData := pngBytes(t, gradientImage(40, 30))
	r := in.sendMultipart(t, "POST", "/api/v1/media", alice.token, nil,
		filePart{field: "file", name: "photo.jpg", contentType: "image/jpeg", data: pngData})
	ok := r.want(t, 200).asMedia(t)
	if ok.URL == nil || !strings.HasSuffix(*ok.URL, ".png") {
		t.Fatalf("sniffed upload url %v, want a .png", ok.URL)
	}
	served := in.systemFile(t, *ok.URL).want(t, 200)
	wantMediaHeaders(t, served, "image/png")
	decodeImage(t, served.body, "png")

	full := jpegBytes(t, gradientImage(300, 200))
	for _, tt := range []struct {
		name, filename string
		data           []byte
		mention        string
	}{
		{"html", "x.jpg", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), ""},
		{"svg", "logo.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>`), "SVG"},
		{"truncated", "half.jpg", full[:len(full)/2], ""},
		{"bomb", "bomb.png", pngClaiming(100000, 100000), "too large"},
		{"empty", "empty.png", nil, ""},
		{"text", "notes.jpg", []byte("just some text, not an image"), ""},
	} {
		for _, path := range []string{"/api/v1/media", "/api/v2/media"} {
			start := time.Now()
			r := upload(t, in, alice.token, path, nil, "file", tt.filename, tt.data)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("%s via %s took %v", tt.name, path, took)
			}
			if r.status == http.StatusAccepted && tt.name == "truncated" {
				// v2 checks only the header before answering; the
				// failure shows when the client polls.
				id := r.asMedia(t).ID
				r = in.waitProcessed(t, alice, id)
			}
			msg := wantError(t, r, 422)
			if tt.mention != "" && !strings.Contains(msg, tt.mention) {
				t.Errorf("%s via %s: error %q does not mention %q", tt.name, path, msg, tt.mention)
			}
		}
	}
	// No file at all.
	for _, path := range []string{"/api/v1/media", "/api/v2/media"} {
		r := in.sendMultipart(t, "POST", path, alice.token, map[string]string{"description": "no file"})
		wantError(t, r, 422)
		r = alice.post(in, path, url.Values{"description": {"form, no file"}})
		wantError(t, r, 422)
	}

	// Nothing but the accepted upload's files is left in the media
	// directory: no half-written or raw files.
	want := []string{blobKey(t, *ok.URL), blobKey(t, *ok.PreviewURL)}
	slices.Sort(want)
	if got := in.blobFiles(t, want[0]); !slices.Equal(got, want) {
		t.Errorf("media directory holds %v, want only %v", got, want)
	}
}

func TestMediaUploadVideoRange(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")

	video := mp4Bytes(2000)
	m := upload(t, in, alice.token, "/api/v2/media", nil, "file", "clip.mp4", video).want(t, 200).asMedia(t)
	if m.Type != "video" || m.URL == nil || !strings.HasSuffix(*m.URL, ".mp4") {
		t.Fatalf("video: type %q, url %v", m.Type, m.URL)
	}
	if m.PreviewURL == nil || *m.PreviewURL != "https://roost.test/media/placeholder.png" {
		t.Errorf("preview_url %v, want the placeholder", m.PreviewURL)
	}
	if m.Meta.Focus != nil {
		t.Errorf("a video has a focus: %+v", m.Meta.Focus)
	}
	whole := in.systemFile(t, *m.URL).want(t, 200)
	wantMediaHeaders(t, whole, "video/mp4")
	if !bytes.Equal(whole.body, video) {
		t.Errorf("served %d bytes, not the %d uploaded", len(whole.body), len(video))
	}
	part := in.systemFile(t, *m.URL, "Range", "bytes=0-9").want(t, 206)
	if !bytes.Equal(part.body, video[:10]) {
		t.Errorf("range body %q, want %q", part.body, video[:10])
	}
	if got, want := part.header.Get("Content-Range"), fmt.Sprintf("bytes 0-9/%d", len(video)); got != want {
		t.Errorf("Content-Range %q, want %q", got, want)
	}
	if got := part.header.Get("Content-Type"); got != "video/mp4" {
		t.Errorf("range Content-Type %q", got)
	}

	ph := in.systemFile(t, *m.PreviewURL).want(t, 200)
	if got := ph.header.Get("Content-Type"); got != "image/png" {
		t.Errorf("placeholder Content-Type %q", got)
	}
	decodeImage(t, ph.body, "png")
}

func TestMediaUploadUpdateDelete(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	m := upload(t, in, alice.token, "/api/v1/media", map[string]string{"description": "before"}, "file", "a.png", pngBytes(t, gradientImage(64, 48))).want(t, 200).asMedia(t)

	got := in.do("PUT", "/api/v1/media/"+m.ID, alice.token, url.Values{"description": {"after"}, "focus": {"-0.5,0.75"}}).want(t, 200).asMedia(t)
	if got.Description == nil || *got.Description != "after" || got.Meta.Focus == nil || got.Meta.Focus.X != -0.5 || got.Meta.Focus.Y != 0.75 {
		t.Errorf("PUT answered description %v, focus %+v", got.Description, got.Meta.Focus)
	}
	got = alice.get(in, "/api/v1/media/"+m.ID).want(t, 200).asMedia(t)
	if got.Description == nil || *got.Description != "after" || got.Meta.Focus == nil || got.Meta.Focus.X != -0.5 || got.Meta.Focus.Y != 0.75 {
		t.Errorf("GET after PUT: description %v, focus %+v", got.Description, got.Meta.Focus)
	}
	// JSON works as well as a form; a focus out of range is refused.
	got = in.do("PUT", "/api/v1/media/"+m.ID, alice.token, map[string]any{"description": "json"}).want(t, 200).asMedia(t)
	if got.Description == nil || *got.Description != "json" {
		t.Errorf("JSON PUT: description %v", got.Description)
	}
	wantError(t, in.do("PUT", "/api/v1/media/"+m.ID, alice.token, url.Values{"focus": {"2,0"}}), 422)

	// Somebody else's upload does not exist for them.
	wantError(t, bob.get(in, "/api/v1/media/"+m.ID), 404)
	wantError(t, in.do("PUT", "/api/v1/media/"+m.ID, bob.token, url.Values{"description": {"mine now"}}), 404)
	wantError(t, in.do("DELETE", "/api/v1/media/"+m.ID, bob.token, nil), 404)
	if got := alice.get(in, "/api/v1/media/"+m.ID).want(t, 200).asMedia(t); *got.Description != "json" {
		t.Errorf("bob changed the description to %q", *got.Description)
	}
	wantError(t, in.do("GET", "/api/v1/media/"+m.ID, "", nil), 401)

	in.do("DELETE", "/api/v1/media/"+m.ID, alice.token, nil).want(t, 200)
	wantError(t, alice.get(in, "/api/v1/media/"+m.ID), 404)
	wantError(t, in.systemFile(t, *m.URL), 404)
	wantError(t, in.systemFile(t, *m.PreviewURL), 404)
	wantError(t, in.do("DELETE", "/api/v1/media/"+m.ID, alice.token, nil), 404)
}

func TestMediaDescribeWhileProcessing(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	// Apps let people type the description while the upload processes.
	p := upload(t, in, alice.token, "/api/v2/media", nil, "file", "big.png", pngBytes(t, gradientImage(2000, 1500))).want(t, 202).asMedia(t)
	r := in.do("PUT", "/api/v1/media/"+p.ID, alice.token, url.Values{"description": {"typed while uploading"}, "focus": {"0.5,0.5"}})
	if r.status == 200 {
		t.Skip("processing finished before the description was sent")
	}
	r.want(t, 206)
	m := in.waitProcessed(t, alice, p.ID).want(t, 200).asMedia(t)
	if m.Description == nil || *m.Description != "typed while uploading" {
		t.Errorf("description after processing %v, want the one sent while processing", m.Description)
	}
	if f := m.Meta.Focus; f == nil || f.X != 0.5 || f.Y != 0.5 {
		t.Errorf("focus after processing %+v", f)
	}
}

func TestMediaDeleteWhileProcessing(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	p := upload(t, in, alice.token, "/api/v2/media", nil, "file", "big.png", pngBytes(t, gradientImage(2000, 1500))).want(t, 202).asMedia(t)
	in.do("DELETE", "/api/v1/media/"+p.ID, alice.token, nil).want(t, 200)
	// The worker takes uploads in order: once a later one is done, so is
	// whatever it did with the deleted one.
	later := upload(t, in, alice.token, "/api/v2/media", nil, "file", "later.png", pngBytes(t, gradientImage(1100, 1000))).want(t, 202).asMedia(t)
	done := in.waitProcessed(t, alice, later.ID).want(t, 200).asMedia(t)
	wantError(t, in.do("GET", "/system/media/"+p.ID+"/original.png", "", nil), 404)
	want := []string{blobKey(t, *done.URL), blobKey(t, *done.PreviewURL)}
	slices.Sort(want)
	if got := in.blobFiles(t, want[0]); !slices.Equal(got, want) {
		t.Errorf("media directory holds %v, want only %v", got, want)
	}
}

func TestMediaStatuses(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice, bob := in.newUser("alice"), in.newUser("bob")
	m1, m2, m3, m4 := in.uploadImage(t, alice), in.uploadImage(t, alice), in.uploadImage(t, alice), in.uploadImage(t, alice)

	// Form encoding, in the order given, with empty text.
	s1 := alice.post(in, "/api/v1/statuses", url.Values{"status": {""}, "media_ids[]": {m2, m1}}).want(t, 200).asMediaStatus(t)
	wantIDs(t, "form media_attachments", attachmentIDs(s1.MediaAttachments), m2, m1)
	for _, a := range s1.MediaAttachments {
		if a.URL == nil || a.Type != "image" {
			t.Errorf("attachment %+v", a)
		}
	}
	// JSON encoding, without any text.
	s2 := alice.post(in, "/api/v1/statuses", map[string]any{"media_ids": []string{m3, m4}}).want(t, 200).asMediaStatus(t)
	wantIDs(t, "JSON media_attachments", attachmentIDs(s2.MediaAttachments), m3, m4)
	got := alice.get(in, "/api/v1/statuses/"+s1.ID).want(t, 200).asMediaStatus(t)
	wantIDs(t, "GET media_attachments", attachmentIDs(got.MediaAttachments), m2, m1)
	// No text and no media is still blank.
	wantError(t, alice.post(in, "/api/v1/statuses", url.Values{"status": {"  "}}), 422)

	// Refusals: another's upload, five files, a file already attached.
	bobs := in.uploadImage(t, bob)
	wantError(t, alice.post(in, "/api/v1/statuses", url.Values{"status": {"x"}, "media_ids[]": {bobs}}), 422)
	wantError(t, alice.post(in, "/api/v1/statuses", url.Values{"status": {"x"}, "media_ids[]": {"999999999"}}), 422)
	var five []string
	for range 5 {
		five = append(five, in.uploadImage(t, alice))
	}
	wantError(t, alice.post(in, "/api/v1/statuses", url.Values{"status": {"x"}, "media_ids[]": five}), 422)
	msg := wantError(t, alice.post(in, "/api/v1/statuses", url.Values{"status": {"again"}, "media_ids[]": {m1}}), 422)
	if !strings.Contains(msg, "attached") {
		t.Errorf("reusing an attached file: %q", msg)
	}
	// An attached upload cannot be deleted on its own.
	wantError(t, in.do("DELETE", "/api/v1/media/"+m1, alice.token, nil), 422)
	in.systemFile(t, *s1.MediaAttachments[0].URL).want(t, 200)

	// An upload still processing cannot be attached. Processing may win
	// the race; then there is nothing to check.
	p := upload(t, in, alice.token, "/api/v2/media", nil, "file", "big.png", pngBytes(t, gradientImage(1600, 1200))).want(t, 202).asMedia(t)
	r := alice.post(in, "/api/v1/statuses", url.Values{"status": {"too soon"}, "media_ids[]": {p.ID}})
	if r.status == 200 {
		t.Logf("processing finished before the status was posted")
	} else {
		if msg := wantError(t, r, 422); !strings.Contains(msg, "processing") {
			t.Errorf("attaching a processing upload: %q", msg)
		}
		in.waitProcessed(t, alice, p.ID).want(t, 200)
		alice.post(in, "/api/v1/statuses", url.Values{"status": {"now"}, "media_ids[]": {p.ID}}).want(t, 200)
	}

	// only_media lists the statuses with media and not the text-only one.
	text := in.postStatus(alice, "just words")
	for _, path := range []string{"/api/v1/timelines/public?only_media=true&limit=40", "/api/v1/accounts/" + alice.ID + "/statuses?only_media=true&limit=40"} {
		ids := statusIDs(in.do("GET", path, "", nil).want(t, 200).asStatuses(t))
		if !slices.Contains(ids, s1.ID) || !slices.Contains(ids, s2.ID) || slices.Contains(ids, text) {
			t.Errorf("%s: %v, want %s and %s but not %s", path, ids, s1.ID, s2.ID, text)
		}
	}
	all := statusIDs(in.do("GET", "/api/v1/timelines/public?limit=40", "", nil).want(t, 200).asStatuses(t))
	if !slices.Contains(all, text) {
		t.Errorf("public timeline without only_media lacks %s: %v", text, all)
	}
}

func TestMediaStatusEdit(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	a, b := in.uploadImage(t, alice), in.uploadImage(t, alice)
	st := alice.post(in, "/api/v1/statuses", url.Values{"status": {"two pictures"}, "media_ids[]": {a, b}}).want(t, 200).asMediaStatus(t)

	edit := url.Values{
		"status":                          {"one picture"},
		"media_ids[]":                     {a},
		"media_attributes[][id]":          {a},
		"media_attributes[][description]": {"a better description"},
	}
	ed := in.do("PUT", "/api/v1/statuses/"+st.ID, alice.token, edit).want(t, 200).asMediaStatus(t)
	check := func(what string, s mediaStatusJSON) {
		t.Helper()
		wantIDs(t, what, attachmentIDs(s.MediaAttachments), a)
		if d := s.MediaAttachments[0].Description; d == nil || *d != "a better description" {
			t.Errorf("%s: description %v", what, d)
		}
	}
	check("edit answer", ed)
	check("status after edit", alice.get(in, "/api/v1/statuses/"+st.ID).want(t, 200).asMediaStatus(t))

	var history []struct {
		Content          string      `json:"content"`
		MediaAttachments []mediaJSON `json:"media_attachments"`
	}
	alice.get(in, "/api/v1/statuses/"+st.ID+"/history").want(t, 200).decode(t, &history)
	if len(history) != 2 {
		t.Fatalf("history has %d entries, want 2", len(history))
	}
	for i, h := range history {
		if len(h.MediaAttachments) == 0 {
			t.Errorf("history[%d] has no media_attachments", i)
		}
	}
	last := history[len(history)-1]
	wantIDs(t, "latest history entry", attachmentIDs(last.MediaAttachments), a)

	// JSON edit with an array of attributes changes focus too.
	ed = in.do("PUT", "/api/v1/statuses/"+st.ID, alice.token, map[string]any{
		"status":           "focused",
		"media_ids":        []string{a},
		"media_attributes": []map[string]string{{"id": a, "focus": "0.1,0.2"}},
	}).want(t, 200).asMediaStatus(t)
	if f := ed.MediaAttachments[0].Meta.Focus; f == nil || f.X != 0.1 || f.Y != 0.2 {
		t.Errorf("focus after JSON edit %+v", f)
	}
	if d := ed.MediaAttachments[0].Description; d == nil || *d != "a better description" {
		t.Errorf("JSON edit without description changed it to %v", d)
	}

	// Two attachments described at once, as JSON.
	c, d := in.uploadImage(t, alice), in.uploadImage(t, alice)
	two := alice.post(in, "/api/v1/statuses", url.Values{"status": {"pair"}, "media_ids[]": {c, d}}).want(t, 200).asMediaStatus(t)
	ed = in.do("PUT", "/api/v1/statuses/"+two.ID, alice.token, map[string]any{
		"status":           "pair, described",
		"media_ids":        []string{d, c},
		"media_attributes": []map[string]string{{"id": c, "description": "see"}, {"id": d, "description": "dee"}},
	}).want(t, 200).asMediaStatus(t)
	wantIDs(t, "reordered media", attachmentIDs(ed.MediaAttachments), d, c)
	wantDescriptions(t, ed.MediaAttachments, "dee", "see")
}

// wantDescriptions checks the descriptions of attachments, in order.
func wantDescriptions(t *testing.T, ms []mediaJSON, want ...string) {
	t.Helper()
	got := make([]string, len(ms))
	for i, m := range ms {
		if m.Description != nil {
			got[i] = *m.Description
		} else {
			got[i] = "<null>"
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("descriptions %q, want %q", got, want)
	}
}

func TestMediaStatusEditFormAttributes(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	a, b := in.uploadImage(t, alice), in.uploadImage(t, alice)
	st := alice.post(in, "/api/v1/statuses", url.Values{"status": {"two"}, "media_ids[]": {a, b}}).want(t, 200).asMediaStatus(t)
	// Rails pairs the n-th [][id] with the n-th [][description].
	ed := in.do("PUT", "/api/v1/statuses/"+st.ID, alice.token, url.Values{
		"status":                          {"two, described"},
		"media_ids[]":                     {a, b},
		"media_attributes[][id]":          {a, b},
		"media_attributes[][description]": {"first", "second"},
	}).want(t, 200).asMediaStatus(t)
	wantDescriptions(t, ed.MediaAttachments, "first", "second")
}

func TestMediaRedraft(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	a, b := in.uploadImage(t, alice), in.uploadImage(t, alice)
	st := alice.post(in, "/api/v1/statuses", url.Values{"status": {"first draft"}, "media_ids[]": {a, b}}).want(t, 200).asMediaStatus(t)

	del := in.do("DELETE", "/api/v1/statuses/"+st.ID, alice.token, nil).want(t, 200).asMediaStatus(t)
	wantIDs(t, "deleted status media", attachmentIDs(del.MediaAttachments), a, b)
	wantError(t, alice.get(in, "/api/v1/statuses/"+st.ID), 404)

	again := alice.post(in, "/api/v1/statuses", url.Values{"status": {"second draft"}, "media_ids[]": {a, b}}).want(t, 200).asMediaStatus(t)
	wantIDs(t, "redrafted media", attachmentIDs(again.MediaAttachments), a, b)
	for _, m := range again.MediaAttachments {
		in.systemFile(t, *m.URL).want(t, 200)
		in.systemFile(t, *m.PreviewURL).want(t, 200)
	}
}

func TestAvatarHeaderUpload(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")

	r := in.sendMultipart(t, "PATCH", "/api/v1/accounts/update_credentials", alice.token, map[string]string{"display_name": "Alice"},
		filePart{field: "avatar", name: "me.jpg", data: jpegBytes(t, gradientImage(800, 600))},
		filePart{field: "header", name: "wide.png", data: pngBytes(t, gradientImage(3000, 1000))})
	acct := r.want(t, 200).asAccount(t)
	if acct.DisplayName != "Alice" {
		t.Errorf("display_name %q", acct.DisplayName)
	}
	prefix := "https://roost.test/system/accounts/"
	if !strings.HasPrefix(acct.Avatar, prefix) || !strings.HasPrefix(acct.Header, prefix) {
		t.Fatalf("avatar %q, header %q, want under %s", acct.Avatar, acct.Header, prefix)
	}
	av := in.systemFile(t, acct.Avatar).want(t, 200)
	wantMediaHeaders(t, av, "image/jpeg")
	if b := decodeImage(t, av.body, "jpeg").Bounds(); b.Dx() != 400 || b.Dy() != 400 {
		t.Errorf("avatar is %v, want 400x400", b)
	}
	// An opaque header, scaled down, may come back as a JPEG; what it is
	// served as must match its bytes.
	hd := in.systemFile(t, acct.Header).want(t, 200)
	format := strings.TrimPrefix(hd.header.Get("Content-Type"), "image/")
	if b := decodeImage(t, hd.body, format).Bounds(); b.Dx() != 1500 || b.Dy() != 500 {
		t.Errorf("header is %v, want 1500x500", b)
	}
	if c := in.credentials(t, alice); c.Avatar != acct.Avatar || c.Header != acct.Header {
		t.Errorf("verify_credentials: avatar %q, header %q", c.Avatar, c.Header)
	}
	if a := in.do("GET", "/api/v1/accounts/"+alice.ID, "", nil).want(t, 200).asAccount(t); a.Avatar != acct.Avatar {
		t.Errorf("public account avatar %q", a.Avatar)
	}

	// Other servers see the same files in the actor document.
	req, err := http.NewRequest("GET", in.http.URL+"/users/alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/activity+json")
	var actor struct {
		Icon  *struct{ URL string } `json:"icon"`
		Image *struct{ URL string } `json:"image"`
	}
	in.send(req).want(t, 200).decode(t, &actor)
	if actor.Icon == nil || actor.Icon.URL != acct.Avatar {
		t.Errorf("actor icon %+v, want %s", actor.Icon, acct.Avatar)
	}
	if actor.Image == nil || actor.Image.URL != acct.Header {
		t.Errorf("actor image %+v, want %s", actor.Image, acct.Header)
	}

	// A new avatar replaces the old one, whose file goes.
	second := in.sendMultipart(t, "PATCH", "/api/v1/accounts/update_credentials", alice.token, nil,
		filePart{field: "avatar", name: "me2.png", data: pngBytes(t, gradientImage(500, 500))}).want(t, 200).asAccount(t)
	if second.Avatar == acct.Avatar || !strings.HasPrefix(second.Avatar, prefix) {
		t.Fatalf("second avatar %q (first %q)", second.Avatar, acct.Avatar)
	}
	if second.Header != acct.Header {
		t.Errorf("header changed to %q with only an avatar sent", second.Header)
	}
	in.systemFile(t, second.Avatar).want(t, 200)
	wantError(t, in.systemFile(t, acct.Avatar), 404)

	// A video is no avatar; the current one stays.
	wantError(t, in.sendMultipart(t, "PATCH", "/api/v1/accounts/update_credentials", alice.token, nil,
		filePart{field: "avatar", name: "clip.mp4", data: mp4Bytes(100)}), 422)
	if c := in.credentials(t, alice); c.Avatar != second.Avatar {
		t.Errorf("refused avatar changed it to %q", c.Avatar)
	}

	// Deleting the avatar brings back the default and removes the file.
	del := in.do("DELETE", "/api/v1/profile/avatar", alice.token, nil).want(t, 200).asAccount(t)
	if del.Avatar != "https://roost.test/avatars/original/missing.png" {
		t.Errorf("avatar after DELETE %q", del.Avatar)
	}
	if del.Header != acct.Header {
		t.Errorf("header after deleting the avatar %q", del.Header)
	}
	if c := in.credentials(t, alice); c.Avatar != del.Avatar {
		t.Errorf("verify_credentials avatar %q", c.Avatar)
	}
	wantError(t, in.systemFile(t, second.Avatar), 404)
	in.do("DELETE", "/api/v1/profile/header", alice.token, nil).want(t, 200)
	wantError(t, in.systemFile(t, acct.Header), 404)
}

func TestSystemPaths(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	ctx := context.Background()
	// A raw upload waiting for processing is never served, even if present.
	raw := []byte("\x89PNG\r\n\x1a\nraw")
	if err := in.srv.blobs.Put(ctx, store.PendingBlobs+"123-abc", "application/octet-stream", bytes.NewReader(raw), int64(len(raw))); err != nil {
		t.Fatal(err)
	}
	if err := in.srv.blobs.Put(ctx, "media/123/original.png", "image/png", bytes.NewReader(raw), int64(len(raw))); err != nil {
		t.Fatal(err)
	}
	in.do("GET", "/system/media/123/original.png", "", nil).want(t, 200)

	for _, path := range []string{
		"/system/../secret",
		"/system/%2e%2e/roost.db",
		"/system/" + store.PendingBlobs + "123-abc",
		"/system/media/123/ORIGINAL.png",
		"/system/MEDIA/123/original.png",
		"/system/",
		"/system/media/456/original.png",
		"/system/media//123/original.png",
	} {
		req, err := http.NewRequest("GET", in.http.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := in.send(req)
		if r.status != 404 {
			t.Errorf("%s: status %d, want 404; body %q", path, r.status, r.body)
			continue
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: 404 with Content-Type %q", path, ct)
		}
		if bytes.Contains(r.body, []byte("raw")) {
			t.Errorf("%s served the file", path)
		}
	}
}

func TestUploadTooLarge(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")

	// A 17 MB "PNG": a valid header, then padding, streamed.
	const size = 17 << 20
	head := pngClaiming(4000, 4000)
	for _, path := range []string{"/api/v1/media", "/api/v2/media"} {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		done := make(chan error, 1)
		go func() {
			err := func() error {
				w, err := mw.CreateFormFile("file", "huge.png")
				if err != nil {
					return err
				}
				if _, err := w.Write(head); err != nil {
					return err
				}
				chunk := make([]byte, 64<<10)
				for n := len(head); n < size; n += len(chunk) {
					if _, err := w.Write(chunk[:min(len(chunk), size-n)]); err != nil {
						return err
					}
				}
				return mw.Close()
			}()
			pw.CloseWithError(err)
			done <- err
		}()
		req, err := http.NewRequest("POST", in.http.URL+path, pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+alice.token)
		r := in.send(req)
		<-done
		if msg := wantError(t, r, 422); !strings.Contains(msg, "too large") {
			t.Errorf("%s: error %q does not say too large", path, msg)
		}
	}
}

// origin is a fake remote server for the media cache, counting requests
// per path.
type origin struct {
	*httptest.Server
	mu    sync.Mutex
	hits  map[string]int
	files map[string][]byte // path -> PNG body
	delay time.Duration
}

func newOrigin(t *testing.T, files map[string][]byte) *origin {
	o := &origin{hits: map[string]int{}, files: files}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.hits[r.URL.Path]++
		delay := o.delay
		o.mu.Unlock()
		time.Sleep(delay)
		if r.URL.Path == "/page.html" {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body>not an image</body></html>")
			return
		}
		b, ok := o.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(b)
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *origin) count(path string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hits[path]
}

func newCachingInstance(t *testing.T, budget int64) *instance {
	return newInstanceWith(t, func(c *Config) {
		c.Fetch = &fetch.Config{AllowHTTP: true, AllowedPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
		c.MediaCacheSize = budget
	})
}

// cacheAddress is the test server's address of the cache URL of remote.
func (in *instance) cacheAddress(remote string) string {
	return strings.Replace(in.srv.cacheURL(remote), "https://roost.test", in.http.URL, 1)
}

func TestMediaCacheRemote(t *testing.T) {
	t.Parallel()
	img := pngBytes(t, gradientImage(50, 40))
	o := newOrigin(t, map[string][]byte{"/img.png": img})
	o.delay = 100 * time.Millisecond
	in := newCachingInstance(t, 0)
	remote := o.URL + "/img.png"
	addr := in.cacheAddress(remote)
	if !strings.Contains(addr, "/media/cache/") {
		t.Fatalf("cache address %s", addr)
	}

	// Five clients at once: one fetch from the origin.
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := in.client.Get(addr)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			switch {
			case err != nil:
				errs <- err
			case resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(b, img):
				errs <- fmt.Errorf("status %d, type %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(b))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := o.count("/img.png"); n != 1 {
		t.Errorf("origin hit %d times by 5 concurrent clients, want 1", n)
	}
	o.mu.Lock()
	o.delay = 0
	o.mu.Unlock()

	r := in.do("GET", strings.TrimPrefix(addr, in.http.URL), "", nil).want(t, 200)
	wantMediaHeaders(t, r, "image/png")
	if !bytes.Equal(r.body, img) {
		t.Errorf("second GET served %d bytes", len(r.body))
	}
	if n := o.count("/img.png"); n != 1 {
		t.Errorf("a cached file was fetched again: %d hits", n)
	}

	// A MAC that is not ours: not served, origin not asked.
	path := strings.TrimPrefix(addr, in.http.URL)
	mac := strings.Split(path, "/")[3]
	bad := []byte(mac)
	if bad[0] == 'A' {
		bad[0] = 'B'
	} else {
		bad[0] = 'A'
	}
	wantError(t, in.do("GET", strings.Replace(path, mac, string(bad), 1), "", nil), 404)
	other := in.cacheAddress(o.URL + "/other.png")
	otherPath := strings.TrimPrefix(other, in.http.URL)
	otherMAC := strings.Split(otherPath, "/")[3]
	wantError(t, in.do("GET", strings.Replace(otherPath, otherMAC, mac, 1), "", nil), 404)
	if n := o.count("/other.png"); n != 0 {
		t.Errorf("origin asked for a URL with a borrowed MAC")
	}

	// A page is not an image: not served.
	page := strings.TrimPrefix(in.cacheAddress(o.URL+"/page.html"), in.http.URL)
	r = in.do("GET", page, "", nil)
	wantError(t, r, 404)
	if bytes.Contains(r.body, []byte("<html>")) {
		t.Errorf("HTML served: %s", r.body)
	}
	if _, err := in.store.CachedFile(context.Background(), o.URL+"/page.html"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("HTML cached: %v", err)
	}

	// Pruning forgets the file; the next look fetches it again.
	files, size, err := PruneMediaCache(context.Background(), in.store, in.srv.blobs, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if files != 1 || size != int64(len(img)) {
		t.Errorf("pruned %d files, %d bytes; want 1, %d", files, size, len(img))
	}
	in.do("GET", path, "", nil).want(t, 200)
	if n := o.count("/img.png"); n != 2 {
		t.Errorf("origin hit %d times after pruning, want 2", n)
	}
}

func TestMediaCacheBudget(t *testing.T) {
	t.Parallel()
	// Three files of 1500 bytes in a 4000-byte budget: the third makes
	// 4500, and evicting the oldest brings it to 3000, under 90%.
	pad := func(b []byte) []byte {
		if len(b) > 1500 {
			t.Fatalf("fixture is %d bytes", len(b))
		}
		return append(b, make([]byte, 1500-len(b))...)
	}
	files := map[string][]byte{
		"/a.png": pad(pngBytes(t, gradientImage(8, 8))),
		"/b.png": pad(pngBytes(t, gradientImage(9, 9))),
		"/c.png": pad(pngBytes(t, gradientImage(10, 10))),
	}
	o := newOrigin(t, files)
	in := newCachingInstance(t, 4000)
	ctx := context.Background()
	for _, p := range []string{"/a.png", "/b.png", "/c.png"} {
		r := in.do("GET", strings.TrimPrefix(in.cacheAddress(o.URL+p), in.http.URL), "", nil).want(t, 200)
		if !bytes.Equal(r.body, files[p]) {
			t.Fatalf("%s: served %d bytes", p, len(r.body))
		}
		time.Sleep(10 * time.Millisecond) // distinct fetch times
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := in.store.CachedFile(ctx, o.URL+"/a.png")
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the oldest file was not evicted")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, p := range []string{"/b.png", "/c.png"} {
		if _, err := in.store.CachedFile(ctx, o.URL+p); err != nil {
			t.Errorf("%s evicted too: %v", p, err)
		}
	}
	// The evicted file is fetched again when asked for.
	in.do("GET", strings.TrimPrefix(in.cacheAddress(o.URL+"/a.png"), in.http.URL), "", nil).want(t, 200)
	if n := o.count("/a.png"); n != 2 {
		t.Errorf("evicted file fetched %d times, want 2", n)
	}
}
