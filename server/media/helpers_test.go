package media

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

// Tiny WebP files: the feature-detection images used by Modernizr and others.
var (
	webpLossy    = mustBase64("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA")
	webpLossless = mustBase64("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	webpAlpha    = mustBase64("UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA==")
	webpAnimated = mustBase64("UklGRlIAAABXRUJQVlA4WAoAAAASAAAAAAAAAAAAQU5JTQYAAAD/////AABBTk1GJgAAAAAAAAAAAAAAAAAAAGQAAABWUDhMDQAAAC8AAAAQBxAREYiI/gcA")
)

func mustBase64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// gradient returns a w x h opaque image with smooth content.
func gradient(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p := m.Pix[y*m.Stride+x*4:]
			p[0], p[1], p[2], p[3] = uint8(x*255/max(1, w-1)), uint8(y*255/max(1, h-1)), 128, 255
		}
	}
	return m
}

func encodeJPEG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func encodeGIF(tb testing.TB, frames int, w, h int) []byte {
	tb.Helper()
	g := &gif.GIF{LoopCount: 0}
	pal := color.Palette{color.White, color.Black, color.RGBA{255, 0, 0, 255}}
	for i := 0; i < frames; i++ {
		m := image.NewPaletted(image.Rect(0, 0, w, h), pal)
		m.SetColorIndex(i%w, 0, 2)
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 10)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// withSegments inserts JPEG segments right after SOI.
func withSegments(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// segment builds a JPEG marker segment.
func segment(marker byte, payload []byte) []byte {
	s := []byte{0xff, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// exifAPP1 builds an APP1 Exif segment whose IFD0 holds an orientation (if
// o > 0) and an ImageDescription string, in the given byte order.
func exifAPP1(o int, desc string, bo binary.AppendByteOrder) []byte {
	var t []byte
	if bo == binary.LittleEndian {
		t = []byte("II*\x00")
	} else {
		t = []byte("MM\x00*")
	}
	t = bo.AppendUint32(t, 8)
	n := 1
	if o > 0 {
		n = 2
	}
	t = bo.AppendUint16(t, uint16(n))
	strOff := 8 + 2 + 12*n + 4
	// 0x010E ImageDescription, ASCII, stored past the IFD.
	t = bo.AppendUint16(t, 0x010e)
	t = bo.AppendUint16(t, 2)
	t = bo.AppendUint32(t, uint32(len(desc)+1))
	t = bo.AppendUint32(t, uint32(strOff))
	if o > 0 {
		t = bo.AppendUint16(t, 0x0112)
		t = bo.AppendUint16(t, 3)
		t = bo.AppendUint32(t, 1)
		t = bo.AppendUint16(t, uint16(o))
		t = bo.AppendUint16(t, 0)
	}
	t = bo.AppendUint32(t, 0) // no next IFD
	t = append(t, desc...)
	t = append(t, 0)
	return segment(0xe1, append([]byte("Exif\x00\x00"), t...))
}

// pngChunk builds a PNG chunk with a valid CRC.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// insertPNGChunk inserts a chunk right after IHDR.
func insertPNGChunk(p []byte, chunk []byte) []byte {
	const at = 8 + 25
	out := append([]byte{}, p[:at]...)
	out = append(out, chunk...)
	return append(out, p[at:]...)
}

func mustProcess(tb testing.TB, data []byte, opt Options) *Result {
	tb.Helper()
	res, err := Process(bytes.NewReader(data), int64(len(data)), DefaultLimits, opt)
	if err != nil {
		tb.Fatalf("Process: %v", err)
	}
	return res
}

// checkImageResult checks that an image result's Original and Preview decode
// with the sizes it reports.
func checkImageResult(tb testing.TB, res *Result) {
	tb.Helper()
	cfg, err := decodeConfig(res.ContentType, res.Original)
	if err != nil {
		tb.Fatalf("Original (%s) does not decode: %v", res.ContentType, err)
	}
	if cfg.Width != res.Width || cfg.Height != res.Height {
		tb.Fatalf("Original is %dx%d, result says %dx%d", cfg.Width, cfg.Height, res.Width, res.Height)
	}
	if _, err := decode(res.ContentType, res.Original, cfg); err != nil {
		tb.Fatalf("Original does not decode: %v", err)
	}
	p, err := jpeg.Decode(bytes.NewReader(res.Preview))
	if err != nil {
		tb.Fatalf("Preview does not decode: %v", err)
	}
	if p.Bounds().Dx() != res.PreviewWidth || p.Bounds().Dy() != res.PreviewHeight {
		tb.Fatalf("Preview is %v, result says %dx%d", p.Bounds(), res.PreviewWidth, res.PreviewHeight)
	}
	if res.PreviewWidth > previewSize || res.PreviewHeight > previewSize {
		tb.Fatalf("Preview %dx%d does not fit %d", res.PreviewWidth, res.PreviewHeight, previewSize)
	}
	if len(res.Blurhash) != 28 {
		tb.Fatalf("Blurhash %q has length %d, want 28", res.Blurhash, len(res.Blurhash))
	}
}
