package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"testing"
)

func TestProcessFormats(t *testing.T) {
	tests := []struct {
		name        string
		data        []byte
		contentType string
		ext         string
		w, h        int
	}{
		{"jpeg", encodeJPEG(t, gradient(300, 200)), "image/jpeg", ".jpg", 300, 200},
		{"png", encodePNG(t, gradient(20, 30)), "image/png", ".png", 20, 30},
		{"gif animated", encodeGIF(t, 3, 10, 8), "image/gif", ".gif", 10, 8},
		{"webp lossy", webpLossy, "image/webp", ".webp", 1, 1},
		{"webp lossless", webpLossless, "image/webp", ".webp", 1, 1},
		{"webp alpha", webpAlpha, "image/webp", ".webp", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustProcess(t, tt.data, Options{})
			if res.Type != "image" || res.ContentType != tt.contentType || res.Ext != tt.ext {
				t.Errorf("got %s %s %s, want image %s %s", res.Type, res.ContentType, res.Ext, tt.contentType, tt.ext)
			}
			if res.Width != tt.w || res.Height != tt.h {
				t.Errorf("size %dx%d, want %dx%d", res.Width, res.Height, tt.w, tt.h)
			}
			checkImageResult(t, res)
		})
	}
}

func TestProcessGIFStaysAnimated(t *testing.T) {
	data := encodeGIF(t, 3, 10, 8)
	// Add a comment and an XMP application extension before the first frame.
	i := bytes.IndexByte(data, 0x2c) // first image descriptor; colour table has no 0x2c
	comment := []byte("\x21\xfe\x0bsecret note\x00")
	xmp := []byte("\x21\xff\x0bXMP DataXMP\x05GPS!!\x00")
	data = append(append(append(append([]byte{}, data[:i]...), comment...), xmp...), data[i:]...)
	res := mustProcess(t, data, Options{})
	if bytes.Contains(res.Original, []byte("secret")) || bytes.Contains(res.Original, []byte("GPS")) {
		t.Error("comment or XMP kept")
	}
	g, err := gif.DecodeAll(bytes.NewReader(res.Original))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != 3 || g.LoopCount != 0 {
		t.Errorf("got %d frames, loop count %d; want 3 frames looping forever", len(g.Image), g.LoopCount)
	}
}

func TestProcessVideoAudio(t *testing.T) {
	mp4 := append([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), make([]byte, 1000)...)
	res := mustProcess(t, mp4, Options{})
	if res.Type != "video" || res.ContentType != "video/mp4" || res.Original != nil || res.Preview != nil || res.Width != 0 {
		t.Errorf("got %+v", res)
	}
	ogg := oggVorbis(1)
	res = mustProcess(t, ogg, Options{})
	if res.Type != "audio" || res.Ext != ".ogg" || res.Original != nil {
		t.Errorf("got %+v", res)
	}
}

// A PNG under any name or declared type is processed as a PNG.
func TestProcessSniffsNotNames(t *testing.T) {
	res := mustProcess(t, encodePNG(t, gradient(4, 4)), Options{})
	if res.ContentType != "image/png" || res.Ext != ".png" {
		t.Errorf("got %s %s", res.ContentType, res.Ext)
	}
}

func TestProcessRefuses(t *testing.T) {
	jpg := encodeJPEG(t, gradient(64, 64))
	pngData := encodePNG(t, gradient(64, 64))

	// A PNG whose IHDR claims 100000x100000 pixels, with a valid CRC.
	ihdr := binary.BigEndian.AppendUint32(nil, 100000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 100000)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	bomb := []byte("\x89PNG\r\n\x1a\n")
	bomb = append(bomb, pngChunk("IHDR", ihdr)...)
	bomb = append(bomb, pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	bomb = append(bomb, pngChunk("IEND", nil)...)

	tests := []struct {
		name string
		data []byte
		size int64 // if not 0, the size to claim
		lim  Limits
		msg  string
	}{
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), 0, DefaultLimits, "SVG images are not supported"},
		{"html", []byte("<html><script>alert(1)</script></html>"), 0, DefaultLimits, "file type not supported"},
		{"truncated jpeg", jpg[:len(jpg)/2], 0, DefaultLimits, "image is truncated or corrupt"},
		{"truncated png", pngData[:len(pngData)-20], 0, DefaultLimits, "image is truncated or corrupt"},
		{"png header only", pngData[:20], 0, DefaultLimits, "image is truncated or corrupt"},
		{"bomb", bomb, 0, DefaultLimits, "image is too large: 100000x100000 pixels (max 33177600)"},
		{"image over size", jpg, 17 << 20, DefaultLimits, "image is too large (max 16 MB)"},
		{"video over size", []byte("\x1a\x45\xdf\xa3"), 100 << 20, DefaultLimits, "video is too large (max 99 MB)"},
		{"audio over size", []byte("fLaC"), 100 << 20, DefaultLimits, "audio is too large (max 99 MB)"},
		{"over pixel limit", jpg, 0, Limits{ImagePixels: 64*64 - 1}, "image is too large: 64x64 pixels (max 4095)"},
		{"empty", nil, 0, DefaultLimits, "file is empty"},
		{"animated webp", webpAnimated, 0, DefaultLimits, "animated WebP images are not supported"},
		{"gif with too many frames", encodeGIF(t, 5, 10, 10), 0, Limits{ImagePixels: 100}, "animated GIF is too large: 5 frames of 10x10 pixels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := tt.size
			var src io.ReaderAt = bytes.NewReader(tt.data)
			if size == 0 {
				size = int64(len(tt.data))
			} else {
				src = failReader{t} // the size limit must be checked before reading it all
				if len(tt.data) > 0 {
					src = headReader{tt.data, t}
				}
			}
			var before, after runtimeMem
			before.read()
			_, err := Process(src, size, tt.lim, Options{})
			after.read()
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to say %q", err, tt.msg)
			}
			if d := after.total - before.total; d > 1<<20 {
				t.Errorf("refusing allocated %d bytes", d)
			}
		})
	}
}

// headReader serves the first bytes of a file and fails the test if more is read.
type headReader struct {
	head []byte
	t    *testing.T
}

func (r headReader) ReadAt(p []byte, off int64) (int, error) {
	if len(p) > sniffLen {
		r.t.Errorf("read %d bytes of an oversized file", len(p))
	}
	copy(p, r.head)
	return len(p), nil
}

type failReader struct{ t *testing.T }

func (r failReader) ReadAt(p []byte, off int64) (int, error) {
	r.t.Error("read")
	return 0, io.EOF
}

func TestProcessShortRead(t *testing.T) {
	data := encodeJPEG(t, gradient(8, 8))
	_, err := Process(bytes.NewReader(data), int64(len(data))+10, DefaultLimits, Options{})
	if err == nil || errors.Is(err, ErrInvalid) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want a read error", err)
	}
}

func TestStripJPEG(t *testing.T) {
	jpg := encodeJPEG(t, gradient(32, 16))
	icc := segment(0xe2, []byte("ICC_PROFILE\x00\x01\x01fake profile"))
	jfif := segment(0xe0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x01\x02THUMB!")) // 1x2 thumbnail
	for _, bo := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		data := withSegments(jpg, jfif,
			exifAPP1(1, "GPS 51.5007N 0.1246W", bo),
			segment(0xe1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>Home address</x:xmpmeta>")),
			segment(0xed, []byte("Photoshop 3.0\x008BIM IPTC byline")),
			icc,
			segment(0xfe, []byte("comment: taken at home")))
		data = append(data, []byte("trailing MPF image with Exif GPS")...)
		res := mustProcess(t, data, Options{})
		for _, secret := range []string{"GPS", "Home address", "IPTC", "taken at home", "Exif", "THUMB"} {
			if bytes.Contains(res.Original, []byte(secret)) {
				t.Errorf("%v: output still contains %q", bo, secret)
			}
		}
		if !bytes.Contains(res.Original, icc) {
			t.Errorf("%v: ICC profile dropped", bo)
		}
		if !bytes.Contains(res.Original, []byte("JFIF")) {
			t.Errorf("%v: JFIF dropped", bo)
		}
		if len(res.Original) != len(jpg)+len(icc) {
			// Go's encoder writes no APPn, so the output is the input plus ICC and a 18-byte JFIF.
			if len(res.Original) != len(jpg)+len(icc)+18 {
				t.Errorf("%v: output %d bytes, input without metadata %d", bo, len(res.Original), len(jpg)+len(icc)+18)
			}
		}
		checkImageResult(t, res)
	}
}

func TestStripPNG(t *testing.T) {
	p := encodePNG(t, gradient(16, 16))
	p = insertPNGChunk(p, pngChunk("tEXt", []byte("Comment\x00GPS 51.5N")))
	p = insertPNGChunk(p, pngChunk("eXIf", []byte("MM\x00*secret exif")))
	p = insertPNGChunk(p, pngChunk("tIME", []byte{7, 0xe8, 1, 1, 0, 0, 0}))
	p = insertPNGChunk(p, pngChunk("gAMA", []byte{0, 0, 0xb1, 0x8f}))
	res := mustProcess(t, p, Options{})
	for _, secret := range []string{"tEXt", "GPS", "eXIf", "secret", "tIME"} {
		if bytes.Contains(res.Original, []byte(secret)) {
			t.Errorf("output still contains %q", secret)
		}
	}
	if !bytes.Contains(res.Original, []byte("gAMA")) {
		t.Error("gAMA dropped")
	}
	if _, err := png.Decode(bytes.NewReader(res.Original)); err != nil {
		t.Fatal(err) // also checks every CRC
	}
}

func TestStripWebP(t *testing.T) {
	// VP8X with EXIF and XMP flags, the lossy frame, then EXIF and XMP chunks.
	vp8 := webpLossy[12:]
	chunk := func(fourcc string, data []byte) []byte {
		c := append([]byte(fourcc), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
		c = append(c, data...)
		if len(data)%2 == 1 {
			c = append(c, 0)
		}
		return c
	}
	body := []byte("WEBP")
	body = append(body, chunk("VP8X", []byte{0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0})...)
	body = append(body, vp8...)
	body = append(body, chunk("EXIF", []byte("MM\x00*GPS secret"))...)
	body = append(body, chunk("XMP ", []byte("<x:xmpmeta>home</x:xmpmeta>"))...)
	data := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	data = append(data, body...)

	res := mustProcess(t, data, Options{})
	for _, secret := range []string{"EXIF", "XMP", "GPS", "home"} {
		if bytes.Contains(res.Original, []byte(secret)) {
			t.Errorf("output still contains %q", secret)
		}
	}
	if got := res.Original[20]; got != 0 {
		t.Errorf("VP8X flags = %#x, want 0", got)
	}
	if got := binary.LittleEndian.Uint32(res.Original[4:]); int(got) != len(res.Original)-8 {
		t.Errorf("RIFF size %d, want %d", got, len(res.Original)-8)
	}
	checkImageResult(t, res)
}

func TestFit(t *testing.T) {
	tests := []struct {
		name       string
		img        image.Image
		fw, fh     int
		w, h       int
		contentTyp string
	}{
		{"avatar from landscape", gradient(1000, 600), 400, 400, 400, 400, "image/jpeg"},
		{"avatar from small", gradient(300, 200), 400, 400, 200, 200, "image/jpeg"},
		{"header", gradient(1600, 1000), 1500, 500, 1500, 500, "image/jpeg"},
		{"transparent avatar", image.NewNRGBA(image.Rect(0, 0, 800, 500)), 400, 400, 400, 400, "image/png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := encodePNG(t, tt.img)
			if tt.contentTyp == "image/jpeg" {
				data = encodeJPEG(t, tt.img)
			}
			res := mustProcess(t, data, Options{FitWidth: tt.fw, FitHeight: tt.fh})
			if res.Width != tt.w || res.Height != tt.h || res.ContentType != tt.contentTyp {
				t.Errorf("got %dx%d %s, want %dx%d %s", res.Width, res.Height, res.ContentType, tt.w, tt.h, tt.contentTyp)
			}
			checkImageResult(t, res)
		})
	}

	// An animated GIF avatar that already fits is kept, animation and all.
	g := encodeGIF(t, 3, 100, 100)
	res := mustProcess(t, g, Options{FitWidth: 400, FitHeight: 400})
	if res.ContentType != "image/gif" || !bytes.Equal(res.Original, g) {
		t.Errorf("fitting GIF avatar was re-encoded as %s", res.ContentType)
	}
}

func TestPreview(t *testing.T) {
	tests := []struct {
		w, h, pw, ph int
	}{
		{1300, 650, 640, 320},
		{650, 1300, 320, 640},
		{640, 640, 640, 640},
		{100, 50, 100, 50},
		{3000, 3, 640, 1},
	}
	for _, tt := range tests {
		res := mustProcess(t, encodeJPEG(t, gradient(tt.w, tt.h)), Options{})
		if res.PreviewWidth != tt.pw || res.PreviewHeight != tt.ph {
			t.Errorf("%dx%d: preview %dx%d, want %dx%d", tt.w, tt.h, res.PreviewWidth, res.PreviewHeight, tt.pw, tt.ph)
		}
		checkImageResult(t, res)
	}

	// Transparency is flattened onto white.
	m := image.NewNRGBA(image.Rect(0, 0, 10, 10))
	res := mustProcess(t, encodePNG(t, m), Options{})
	p, _ := jpeg.Decode(bytes.NewReader(res.Preview))
	if r, g, b, _ := p.At(5, 5).RGBA(); r>>8 < 250 || g>>8 < 250 || b>>8 < 250 {
		t.Errorf("transparent pixel previewed as %v, want white", p.At(5, 5))
	}
}

// The preview of a big image averages all its pixels: a fine black and
// white checkerboard must come out grey, not black or white.
func TestPreviewAverages(t *testing.T) {
	m := image.NewGray(image.Rect(0, 0, 2000, 1400))
	for i := range m.Pix {
		if (i%2000+i/2000)%2 == 0 {
			m.Pix[i] = 255
		}
	}
	res := mustProcess(t, encodePNG(t, m), Options{})
	p, _ := jpeg.Decode(bytes.NewReader(res.Preview))
	for _, pt := range []image.Point{{10, 10}, {320, 200}, {600, 400}} {
		g := color.GrayModel.Convert(p.At(pt.X, pt.Y)).(color.Gray).Y
		if g < 100 || g > 155 {
			t.Errorf("preview at %v is %d, want grey", pt, g)
		}
	}
}

// Concurrent calls queue on the decode semaphore and share no other state.
func TestProcessConcurrent(t *testing.T) {
	data := encodeJPEG(t, gradient(200, 100))
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := Process(bytes.NewReader(data), int64(len(data)), DefaultLimits, Options{FitWidth: 50, FitHeight: 50})
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
