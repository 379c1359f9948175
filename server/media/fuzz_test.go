package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"testing"
)

// FuzzProcess feeds process (Process without its recover, so panics
// surface) arbitrary files. Errors must be ErrInvalid, and a processed image
// must have a decodable Original and Preview.
func FuzzProcess(f *testing.F) {
	small := gradient(12, 9)
	f.Add(encodeJPEG(f, small))
	f.Add(withSegments(encodeJPEG(f, small), exifAPP1(6, "gps", binary.BigEndian), segment(0xfe, []byte("c"))))
	f.Add(withSegments(encodeJPEG(f, image.NewGray(image.Rect(0, 0, 5, 3))), exifAPP1(5, "", binary.LittleEndian)))
	f.Add(insertPNGChunk(encodePNG(f, small), pngChunk("tEXt", []byte("a\x00b"))))
	f.Add(encodePNG(f, image.NewPaletted(image.Rect(0, 0, 3, 3), color.Palette{color.Transparent, color.Black})))
	f.Add(encodePNG(f, image.NewNRGBA64(image.Rect(0, 0, 3, 2))))
	f.Add(encodeGIF(f, 2, 4, 3))
	f.Add(webpLossy)
	f.Add(webpLossless)
	f.Add(webpAlpha)
	f.Add(webpAnimated)
	f.Add([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"))
	f.Add([]byte("<svg/>"))
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x08Exif\x00\x00"))
	f.Add([]byte("garbage"))
	lim := Limits{ImageSize: 1 << 20, ImagePixels: 1 << 18, VideoSize: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opt := range []Options{{}, {FitWidth: 8, FitHeight: 5}} {
			res, err := process(bytes.NewReader(data), int64(len(data)), lim, opt)
			if err != nil {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v does not wrap ErrInvalid", err)
				}
				continue
			}
			if res.Type == "image" {
				checkImageResult(t, res)
			}
		}
	})
}
