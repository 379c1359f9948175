package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"io"
	"strings"
	"testing"
)

// FuzzProcess feeds process (Process without its recover, so panics
// surface) arbitrary files. Errors must be ErrInvalid, a processed image
// must have a decodable Original and Preview, and the patches of video and
// audio must keep Result's promises and read back through Stored.
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
	f.Add(phoneMP4("isom"))
	f.Add(phoneMP4("M4A "))
	f.Add(bytes.Join([][]byte{id3v2(4, "GPS", true), mp3Frames[:40], apeTag("x"), id3v1("GPS")}, nil))
	f.Add(append(id3v2(3, "GPS", false), flacStream(append([]byte{4}, "comment"...))...))
	f.Add([]byte("RIFF\x1c\x00\x00\x00WAVEfmt \x02\x00\x00\x00\x01\x00LIST\x03\x00\x00\x00GPS\x00data\xff\xff\xff\xff\x01"))
	f.Add(isoMovie("isom", 1, 600, 6000, isoTrak(1, "vide", turn90, 64, 48, 600, 3, 20, 1, 0)))
	f.Add(oggVorbis(1))
	f.Add(bytes.Join(oggPages(7, 3, []byte("OpusHead\x01\x02"), vorbisCommentPacket("OpusTags", "A=b", "="), []byte("x")), nil))
	f.Add(webmFile(1, 6))
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
				continue
			}
			checkPatches(t, res, int64(len(data)))
			r, n := res.Stored(bytes.NewReader(data), int64(len(data)))
			got, err := io.ReadAll(r)
			if err != nil || int64(len(got)) != n {
				t.Fatalf("Stored said %d bytes, read %d, %v", n, len(got), err)
			}
			if strings.HasPrefix(res.ContentType, "video/") && n != int64(len(data)) {
				t.Fatalf("stored %d bytes of a %d-byte video", n, len(data))
			}
		}
	})
}
