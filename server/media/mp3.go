package media

import (
	"encoding/binary"
	"io"
)

// maxTags bounds the tags skipped at either end of an audio file.
const maxTags = 16

// skipID3v2 returns the offset just past the ID3v2 tags starting at start
// (start itself if there are none). Taggers sometimes prepend a new tag
// without removing the old one, so it skips them all.
func skipID3v2(src io.ReaderAt, start, size int64) (int64, error) {
	var h [10]byte
	for range maxTags {
		if size-start < int64(len(h)) {
			return start, nil
		}
		if err := readAt(src, h[:], start); err != nil {
			return 0, err
		}
		if string(h[:3]) != "ID3" {
			return start, nil
		}
		n, ok := syncsafe(h[6:10])
		if !ok || h[3] == 0xff || h[4] == 0xff {
			return 0, errStructure
		}
		n += 10
		if h[3] == 4 && h[5]&0x10 != 0 { // ID3v2.4 footer
			n += 10
		}
		if n > size-start {
			return 0, errStructure
		}
		start += n
	}
	return 0, errStructure
}

// trimTrailers returns where the audio in [start, end) ends once the tags
// appended to it are cut off: ID3v1 ("TAG", 128 bytes) and the Enhanced
// TAG+ before it, APEv2 (footer "APETAGEX"), Lyrics3v2 ("LYRICS200") and
// ID3v2.4 with a footer ("3DI"), in any order. A trailer that claims more
// bytes than there are is an error: it cannot be removed.
func trimTrailers(src io.ReaderAt, start, end int64) (int64, error) {
	var b [32]byte
	// at reports whether the len(s) bytes at off (if inside the range) are s.
	at := func(off int64, s string) (bool, error) {
		if off < start || end-off < int64(len(s)) {
			return false, nil
		}
		if err := readAt(src, b[:len(s)], off); err != nil {
			return false, err
		}
		return string(b[:len(s)]) == s, nil
	}
	for range maxTags {
		if ok, err := at(end-128, "TAG"); err != nil {
			return 0, err
		} else if ok {
			end -= 128
			if ok, err := at(end-227, "TAG+"); err != nil {
				return 0, err
			} else if ok {
				end -= 227
			}
			continue
		}
		if ok, err := at(end-32, "APETAGEX"); err != nil {
			return 0, err
		} else if ok {
			if err := readAt(src, b[:32], end-32); err != nil {
				return 0, err
			}
			n := int64(binary.LittleEndian.Uint32(b[12:])) // items and footer
			if binary.LittleEndian.Uint32(b[20:])&(1<<31) != 0 {
				n += 32 // header
			}
			if n < 32 || n > end-start {
				return 0, errStructure
			}
			end -= n
			continue
		}
		if ok, err := at(end-9, "LYRICS200"); err != nil {
			return 0, err
		} else if ok {
			// Six decimal digits give the size from LYRICSBEGIN to them.
			if end-start < 15 {
				return 0, errStructure
			}
			if err := readAt(src, b[:6], end-15); err != nil {
				return 0, err
			}
			n := int64(0)
			for _, c := range b[:6] {
				if c < '0' || c > '9' {
					return 0, errStructure
				}
				n = n*10 + int64(c-'0')
			}
			n += 15
			if ok, err := at(end-n, "LYRICSBEGIN"); err != nil {
				return 0, err
			} else if !ok {
				return 0, errStructure
			}
			end -= n
			continue
		}
		if ok, err := at(end-10, "3DI"); err != nil {
			return 0, err
		} else if ok {
			if err := readAt(src, b[:10], end-10); err != nil {
				return 0, err
			}
			n, ok := syncsafe(b[6:10])
			if n += 20; !ok || n > end-start {
				return 0, errStructure
			}
			end -= n
			continue
		}
		return end, nil
	}
	return 0, errStructure
}

// syncsafe decodes a 28-bit ID3v2 size, seven bits a byte.
func syncsafe(b []byte) (int64, bool) {
	var n int64
	for _, c := range b {
		if c&0x80 != 0 {
			return 0, false
		}
		n = n<<7 | int64(c)
	}
	return n, true
}

// mp3Duration sets res.Duration from the Xing or Info header that LAME and
// most encoders put in the first frame of an MP3 at start: it counts the
// frames. Without one, finding the length would mean reading every frame
// header, so it stays unknown.
func mp3Duration(src io.ReaderAt, start, end int64, res *Result) error {
	var b [48]byte
	if end-start < int64(len(b)) {
		return nil
	}
	if err := readAt(src, b[:], start); err != nil {
		return err
	}
	if b[0] != 0xff || b[1]&0xe0 != 0xe0 {
		return nil
	}
	version, layer, rateIndex := b[1]>>3&3, b[1]>>1&3, b[2]>>2&3
	if version == 1 || layer != 1 || rateIndex == 3 { // layer III only
		return nil
	}
	rate := [3]int64{44100, 48000, 32000}[rateIndex]
	// Samples a frame and the size of the side information after the
	// header, which the Xing header follows.
	mono := b[3]>>6 == 3
	samples, side := int64(1152), 32 // MPEG-1
	switch {
	case version == 3 && mono:
		side = 17
	case version != 3: // MPEG-2 and 2.5
		samples, side = 576, 17
		if mono {
			side = 9
		}
		rate /= 2
		if version == 0 {
			rate /= 2
		}
	}
	x := b[4+side:]
	if tag := string(x[:4]); tag != "Xing" && tag != "Info" || binary.BigEndian.Uint32(x[4:])&1 == 0 {
		return nil
	}
	res.Duration = float64(int64(binary.BigEndian.Uint32(x[8:]))*samples) / float64(rate)
	return nil
}
