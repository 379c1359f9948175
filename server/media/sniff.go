package media

import (
	"bytes"
	"fmt"
)

// Sniff returns the content type, Mastodon media type ("image", "video" or
// "audio") and file extension of a file from its first bytes (512 are
// plenty), or an error wrapping ErrInvalid. Only the bytes count: a PNG
// named photo.jpg is a PNG.
func Sniff(head []byte) (contentType, mediaType, ext string, err error) {
	h := head
	switch {
	case bytes.HasPrefix(h, []byte("\xff\xd8\xff")):
		return "image/jpeg", "image", ".jpg", nil
	case bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", "image", ".png", nil
	case bytes.HasPrefix(h, []byte("GIF87a")), bytes.HasPrefix(h, []byte("GIF89a")):
		return "image/gif", "image", ".gif", nil
	case len(h) >= 12 && string(h[:4]) == "RIFF" && string(h[8:12]) == "WEBP":
		return "image/webp", "image", ".webp", nil
	case len(h) >= 12 && string(h[:4]) == "RIFF" && string(h[8:12]) == "WAVE":
		return "audio/wav", "audio", ".wav", nil
	case len(h) >= 12 && string(h[4:8]) == "ftyp":
		return sniffISO(string(h[8:12]))
	case bytes.HasPrefix(h, []byte("\x1a\x45\xdf\xa3")):
		return "video/webm", "video", ".webm", nil
	case bytes.HasPrefix(h, []byte("OggS")):
		return "audio/ogg", "audio", ".ogg", nil
	case bytes.HasPrefix(h, []byte("fLaC")):
		return "audio/flac", "audio", ".flac", nil
	case bytes.HasPrefix(h, []byte("ID3")):
		return "audio/mpeg", "audio", ".mp3", nil
	}
	if text := skipBOMAndSpace(h); len(text) > 0 && text[0] == '<' {
		if bytes.Contains(bytes.ToLower(text), []byte("<svg")) {
			return "", "", "", fmt.Errorf("%w: SVG images are not supported", ErrInvalid)
		}
		return "", "", "", fmt.Errorf("%w: file type not supported", ErrInvalid)
	}
	if len(h) >= 3 && h[0] == 0xff && h[1]&0xe0 == 0xe0 {
		// An MPEG audio frame header: sync, version (01 reserved),
		// layer (00 means AAC in ADTS), bitrate (1111 bad), rate (11 reserved).
		version, layer := h[1]>>3&3, h[1]>>1&3
		bitrate, rate := h[2]>>4, h[2]>>2&3
		switch {
		case version != 1 && layer != 0 && bitrate != 15 && rate != 3:
			return "audio/mpeg", "audio", ".mp3", nil
		case layer == 0 && h[1]&0xf6 == 0xf0:
			return "audio/aac", "audio", ".aac", nil
		}
	}
	return "", "", "", fmt.Errorf("%w: file type not supported", ErrInvalid)
}

// sniffISO tells apart ISO base media files (MP4 and friends) by their
// major brand.
func sniffISO(brand string) (contentType, mediaType, ext string, err error) {
	switch brand {
	case "qt  ":
		return "video/quicktime", "video", ".mov", nil
	case "M4A ", "M4B ":
		return "audio/mp4", "audio", ".m4a", nil
	case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis":
		return "", "", "", fmt.Errorf("%w: HEIC and AVIF images are not supported", ErrInvalid)
	}
	return "video/mp4", "video", ".mp4", nil
}

func skipBOMAndSpace(b []byte) []byte {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		b = b[3:]
	case bytes.HasPrefix(b, []byte("\xff\xfe")), bytes.HasPrefix(b, []byte("\xfe\xff")):
		// UTF-16: keep the ASCII bytes, which is enough to spot a '<'.
		b = bytes.ReplaceAll(b[2:], []byte{0}, nil)
	}
	return bytes.TrimLeft(b, " \t\r\n\f")
}
