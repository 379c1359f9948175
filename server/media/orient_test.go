package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

var (
	red   = color.RGBA{255, 0, 0, 255}
	green = color.RGBA{0, 255, 0, 255}
	blue  = color.RGBA{0, 0, 255, 255}
	grey  = color.RGBA{128, 128, 128, 255}
)

// visual is how the image should look: 64x32, red top-left, green
// top-right and blue bottom-left corners (16x16 blocks, so JPEG's chroma
// subsampling keeps them clean).
func visual() *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 64; x++ {
			c := grey
			switch {
			case x < 16 && y < 16:
				c = red
			case x >= 48 && y < 16:
				c = green
			case x < 16 && y >= 16:
				c = blue
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

// stored returns the pixels a camera would store for visual v with EXIF
// orientation o, from the definitions in the EXIF standard: where the
// stored 0th row and 0th column appear in the visual image.
func stored(v *image.RGBA, o int) *image.RGBA {
	vw, vh := v.Rect.Dx(), v.Rect.Dy()
	rowAt := [9]string{1: "top", 2: "top", 3: "bottom", 4: "bottom", 5: "left", 6: "right", 7: "right", 8: "left"}[o]
	colAt := [9]string{1: "left", 2: "right", 3: "right", 4: "left", 5: "top", 6: "top", 7: "bottom", 8: "bottom"}[o]
	sw, sh := vw, vh
	if rowAt == "left" || rowAt == "right" {
		sw, sh = vh, vw
	}
	s := image.NewRGBA(image.Rect(0, 0, sw, sh))
	for r := 0; r < sh; r++ {
		for c := 0; c < sw; c++ {
			var x, y int
			switch rowAt {
			case "top":
				y = r
			case "bottom":
				y = vh - 1 - r
			case "left":
				x = r
			case "right":
				x = vw - 1 - r
			}
			switch colAt {
			case "left":
				x = c
			case "right":
				x = vw - 1 - c
			case "top":
				y = c
			case "bottom":
				y = vh - 1 - c
			}
			s.Set(c, r, v.At(x, y))
		}
	}
	return s
}

func TestOrientation(t *testing.T) {
	v := visual()
	corners := []struct {
		x, y int
		c    color.RGBA
	}{{4, 4, red}, {59, 4, green}, {4, 27, blue}, {59, 27, grey}}
	for o := 1; o <= 8; o++ {
		for _, bo := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
			data := withSegments(encodeJPEG(t, stored(v, o)), exifAPP1(o, "camera", bo))
			res := mustProcess(t, data, Options{})
			checkImageResult(t, res)
			if res.Width != 64 || res.Height != 32 {
				t.Errorf("orientation %d: %dx%d, want 64x32", o, res.Width, res.Height)
				continue
			}
			if o > 1 && bytes.Contains(res.Original, []byte("Exif")) {
				t.Errorf("orientation %d: EXIF kept", o)
			}
			img, err := jpeg.Decode(bytes.NewReader(res.Original))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range corners {
				if got := img.At(c.x, c.y); !near(got, c.c) {
					t.Errorf("orientation %d: pixel (%d,%d) is %v, want %v", o, c.x, c.y, got, c.c)
				}
			}
		}
	}
}

func near(a, b color.Color) bool {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	d := func(x, y uint32) bool { return x>>8 < y>>8+40 && y>>8 < x>>8+40 }
	return d(ar, br) && d(ag, bg) && d(ab, bb)
}

// Orientation works on every image type the JPEG decoder makes, including
// subsampling ratios with no transposed form.
func TestOrientTypes(t *testing.T) {
	v := visual()
	srcs := []image.Image{v, image.NewGray(image.Rect(0, 0, 7, 5))}
	for _, r := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	} {
		srcs = append(srcs, image.NewYCbCr(image.Rect(0, 0, 7, 5), r))
	}
	for _, src := range srcs {
		for o := 1; o <= 8; o++ {
			d := orient(src, o)
			w, h := src.Bounds().Dx(), src.Bounds().Dy()
			if o >= 5 {
				w, h = h, w
			}
			if d.Bounds() != image.Rect(0, 0, w, h) {
				t.Errorf("%T orientation %d: bounds %v", src, o, d.Bounds())
			}
		}
	}
}

func TestExifOrientationGarbage(t *testing.T) {
	for _, tiff := range []string{
		"", "II*", "II*\x00\xff\xff\xff\xff", "MM\x00*\x00\x00\x00\x08\x00\x05",
		"II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x09\x00", // orientation 9
		"XX*\x00\x08\x00\x00\x00",
	} {
		if o := exifOrientation([]byte(tiff)); o != 1 {
			t.Errorf("exifOrientation(%q) = %d, want 1", tiff, o)
		}
	}
	if o := exifOrientation([]byte("II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00")); o != 6 {
		t.Errorf("orientation = %d, want 6", o)
	}
}

// The generic (RGBA) and Gray paths are lossless, so they must match exactly.
func TestOrientExact(t *testing.T) {
	v := visual()
	for o := 1; o <= 8; o++ {
		s := stored(v, o)
		if got := orient(s, o).(*image.RGBA); !bytes.Equal(got.Pix, v.Pix) {
			t.Errorf("RGBA orientation %d: pixels differ", o)
		}
		g := image.NewGray(s.Rect)
		for i := range g.Pix {
			g.Pix[i] = s.Pix[i*4] // red channel
		}
		got := orient(g, o).(*image.Gray)
		for i := range got.Pix {
			if got.Pix[i] != v.Pix[i*4] {
				t.Errorf("Gray orientation %d: pixel %d is %d, want %d", o, i, got.Pix[i], v.Pix[i*4])
				break
			}
		}
	}
}
