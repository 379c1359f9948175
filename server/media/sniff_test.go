package media

import (
	"errors"
	"strings"
	"testing"
)

func TestSniff(t *testing.T) {
	ftyp := func(brand string) []byte {
		return []byte("\x00\x00\x00\x18ftyp" + brand + "\x00\x00\x02\x00isomiso2")
	}
	tests := []struct {
		name               string
		head               []byte
		contentType, media string
		ext                string
	}{
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "image/jpeg", "image", ".jpg"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), "image/png", "image", ".png"},
		{"gif87a", []byte("GIF87a\x01\x00\x01\x00"), "image/gif", "image", ".gif"},
		{"gif89a", []byte("GIF89a\x01\x00\x01\x00"), "image/gif", "image", ".gif"},
		{"webp", webpLossy, "image/webp", "image", ".webp"},
		{"mp4", ftyp("isom"), "video/mp4", "video", ".mp4"},
		{"mp4 mp42", ftyp("mp42"), "video/mp4", "video", ".mp4"},
		{"quicktime", ftyp("qt  "), "video/quicktime", "video", ".mov"},
		{"m4a", ftyp("M4A "), "audio/mp4", "audio", ".m4a"},
		{"webm", []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01"), "video/webm", "video", ".webm"},
		{"mp3 id3", []byte("ID3\x04\x00\x00\x00\x00\x00\x00"), "audio/mpeg", "audio", ".mp3"},
		{"mp3 frame", []byte("\xff\xfb\x90\x64\x00"), "audio/mpeg", "audio", ".mp3"},
		{"mp3 mpeg2 frame", []byte("\xff\xf3\x48\xc4\x00"), "audio/mpeg", "audio", ".mp3"},
		{"aac adts", []byte("\xff\xf1\x50\x80\x02\x1f\xfc"), "audio/aac", "audio", ".aac"},
		{"ogg", []byte("OggS\x00\x02\x00\x00"), "audio/ogg", "audio", ".ogg"},
		{"wav", []byte("RIFF\x24\x08\x00\x00WAVEfmt "), "audio/wav", "audio", ".wav"},
		{"flac", []byte("fLaC\x00\x00\x00\x22"), "audio/flac", "audio", ".flac"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, mt, ext, err := Sniff(tt.head)
			if err != nil {
				t.Fatal(err)
			}
			if ct != tt.contentType || mt != tt.media || ext != tt.ext {
				t.Errorf("Sniff = %q, %q, %q; want %q, %q, %q", ct, mt, ext, tt.contentType, tt.media, tt.ext)
			}
		})
	}
}

func TestSniffRefuses(t *testing.T) {
	tests := []struct {
		name string
		head string
		msg  string
	}{
		{"svg", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, "SVG images are not supported"},
		{"svg with prolog", "\xef\xbb\xbf  \n<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<SVG>", "SVG images are not supported"},
		{"svg utf-16", "\xff\xfe<\x00s\x00v\x00g\x00>\x00", "SVG images are not supported"},
		{"html", "<!DOCTYPE html><html><body>hi</body></html>", "file type not supported"},
		{"xml", "  <?xml version=\"1.0\"?><feed/>", "file type not supported"},
		{"text", "hello world", "file type not supported"},
		{"empty", "", "file type not supported"},
		{"pdf", "%PDF-1.7\n", "file type not supported"},
		{"heic", "\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC and AVIF images are not supported"},
		{"avif", "\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1", "HEIC and AVIF images are not supported"},
		{"zip", "PK\x03\x04", "file type not supported"},
		{"riff other", "RIFF\x00\x00\x00\x00AVI LIST", "file type not supported"},
		{"bad mpeg frame", "\xff\xff\xff\xff", "file type not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := Sniff([]byte(tt.head))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to say %q", err, tt.msg)
			}
		})
	}
}
