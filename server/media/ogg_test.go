package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// crcOgg is Ogg's CRC-32 computed a bit at a time, apart from oggCRC.
func crcOgg(b []byte) uint32 {
	var crc uint32
	for _, c := range b {
		crc ^= uint32(c) << 24
		for range 8 {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04c11db7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// oggPages lays out the packets of one logical stream as Ogg pages: the
// first packet alone on the first page, then the others in pages of at
// most segs segments, a nil packet starting a new page. Packets longer
// than 255*segs bytes span pages.
func oggPages(serial uint32, segs int, packets ...[]byte) [][]byte {
	type segment struct {
		data    []byte
		newPage bool
		cont    bool // the segment continues a packet of an earlier segment
	}
	var all []segment
	newPage := true
	for i, p := range packets {
		if p == nil {
			newPage = true
			continue
		}
		for off := 0; ; off += 255 {
			n := min(255, len(p)-off)
			all = append(all, segment{p[off : off+n], newPage, off > 0})
			newPage = false
			if n < 255 {
				break
			}
		}
		newPage = newPage || i == 0
	}
	var pages [][]byte
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && j-i < segs && !all[j].newPage {
			j++
		}
		flags := byte(0)
		if all[i].cont {
			flags |= 1
		}
		if len(pages) == 0 {
			flags |= 2
		}
		if j == len(all) {
			flags |= 4
		}
		h := []byte("OggS\x00")
		h = append(h, flags)
		h = binary.LittleEndian.AppendUint64(h, uint64(len(pages)))
		h = binary.LittleEndian.AppendUint32(h, serial)
		h = binary.LittleEndian.AppendUint32(h, uint32(len(pages)))
		h = append(h, 0, 0, 0, 0, byte(j-i))
		var body []byte
		for _, s := range all[i:j] {
			h = append(h, byte(len(s.data)))
			body = append(body, s.data...)
		}
		page := append(h, body...)
		binary.LittleEndian.PutUint32(page[22:], crcOgg(page))
		pages = append(pages, page)
		i = j
	}
	return pages
}

// vorbisCommentPacket builds a comment header with the magic, a vendor
// string, the comments and a framing bit.
func vorbisCommentPacket(magic string, comments ...string) []byte {
	b := append([]byte(magic), binary.LittleEndian.AppendUint32(nil, 5)...)
	b = append(b, "xiph!"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(comments)))
	for _, c := range comments {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(c)))
		b = append(b, c...)
	}
	return append(b, 1)
}

// oggVorbis builds an Ogg Vorbis-like file whose comment packet, with a
// location, a title and a long cover art comment, spans three pages: one
// segment a page, the first break between "TITLE=" and "secret".
func oggVorbis(serial uint32) []byte {
	filler := "COMMENT=" + strings.Repeat("c", 194) // 202 bytes
	picture := "METADATA_BLOCK_PICTURE=" + strings.Repeat("QUJD", 100)
	return bytes.Join(oggPages(serial, 1,
		append([]byte("\x01vorbis"), make([]byte, 23)...),
		vorbisCommentPacket("\x03vorbis", filler, "GPS=52.52,13.40", "TITLE=secret", "", "Z", picture),
		append([]byte("\x05vorbis"), make([]byte, 40)...),
		nil, []byte("audio data"), []byte("more audio")), nil)
}

// oggRead parses data as Ogg pages, checking every checksum, and returns
// the packets of each stream.
func oggRead(t *testing.T, data []byte) map[uint32][][]byte {
	t.Helper()
	packets := make(map[uint32][][]byte)
	open := make(map[uint32]bool)
	for pos := 0; pos < len(data); {
		if len(data)-pos < 27 || string(data[pos:pos+4]) != "OggS" {
			t.Fatalf("no page at %d", pos)
		}
		nseg := int(data[pos+26])
		n := 27 + nseg
		for _, l := range data[pos+27 : pos+27+nseg] {
			n += int(l)
		}
		page := append([]byte{}, data[pos:pos+n]...)
		want := binary.LittleEndian.Uint32(page[22:])
		clear(page[22:26])
		if got := crcOgg(page); got != want {
			t.Errorf("page at %d: checksum %#x, computed %#x", pos, want, got)
		}
		serial := binary.LittleEndian.Uint32(page[14:])
		body := page[27+nseg:]
		for _, l := range page[27 : 27+nseg] {
			if !open[serial] {
				packets[serial] = append(packets[serial], nil)
			}
			ps := packets[serial]
			ps[len(ps)-1] = append(ps[len(ps)-1], body[:l]...)
			body = body[l:]
			open[serial] = l == 255
		}
		pos += n
	}
	return packets
}

// parseComments splits a comment header after its magic; rest is what
// follows the comments.
func parseComments(t *testing.T, p []byte, magic string) (vendor string, comments []string, rest string) {
	t.Helper()
	if !bytes.HasPrefix(p, []byte(magic)) {
		t.Fatalf("comment packet starts %q", p[:min(len(p), 8)])
	}
	p = p[len(magic):]
	next := func() string {
		n := int(binary.LittleEndian.Uint32(p))
		s := string(p[4 : 4+n])
		p = p[4+n:]
		return s
	}
	vendor = next()
	count := int(binary.LittleEndian.Uint32(p))
	p = p[4:]
	for range count {
		comments = append(comments, next())
	}
	return vendor, comments, string(p)
}

func TestOggCRC(t *testing.T) {
	if got := oggCRC(0, []byte("123456789")); got != 0x89a1897f {
		t.Errorf("oggCRC = %#x, want 0x89a1897f (CRC-32/POSIX without its final XOR)", got)
	}
}

func TestStripOgg(t *testing.T) {
	opus := bytes.Join(oggPages(7, 1,
		[]byte("OpusHead\x01\x02\x38\x01\x80\xbb\x00\x00\x00\x00\x00"),
		append([]byte("OpusTags\x05\x00\x00\x00libop\x01\x00\x00\x00\x0d\x00\x00\x00ARTIST=secret"), "\x00binary"...),
		nil, []byte("audio")), nil)
	// Two streams multiplexed, their pages interleaved: Theora and Vorbis.
	theora := oggPages(3, 1,
		append([]byte("\x80theora"), make([]byte, 34)...),
		vorbisCommentPacket("\x81theora", "LOCATION=secret place"),
		append([]byte("\x82theora"), make([]byte, 10)...))
	vorbis := oggPages(4, 1,
		append([]byte("\x01vorbis"), make([]byte, 23)...),
		vorbisCommentPacket("\x03vorbis", "TITLE=secret"),
		append([]byte("\x05vorbis"), make([]byte, 40)...))
	muxed := bytes.Join([][]byte{theora[0], vorbis[0], theora[1], vorbis[1], vorbis[2], theora[2]}, nil)

	for _, tt := range []struct {
		name  string
		data  []byte
		magic map[uint32]string
		count map[uint32]int
	}{
		{"vorbis", oggVorbis(1), map[uint32]string{1: "\x03vorbis"}, map[uint32]int{1: 6}},
		{"opus", opus, map[uint32]string{7: "OpusTags"}, map[uint32]int{7: 1}},
		{"theora and vorbis", muxed, map[uint32]string{3: "\x81theora", 4: "\x03vorbis"}, map[uint32]int{3: 1, 4: 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, got := storedBytes(t, tt.data)
			if res.ContentType != "audio/ogg" || len(got) != len(tt.data) {
				t.Fatalf("got %s, %d bytes; want audio/ogg, %d bytes", res.ContentType, len(got), len(tt.data))
			}
			for _, secret := range []string{"secret", "52.52", "METADATA_BLOCK_PICTURE", "QUJD"} {
				if tt.name == "vorbis" && !bytes.Contains(tt.data, []byte(secret)) {
					t.Errorf("test file lacks %q", secret)
				}
				if bytes.Contains(got, []byte(secret)) {
					t.Errorf("stored file still contains %q", secret)
				}
			}
			before, after := oggRead(t, tt.data), oggRead(t, got)
			for serial, magic := range tt.magic {
				if len(after[serial]) != len(before[serial]) {
					t.Fatalf("stream %d: %d packets, had %d", serial, len(after[serial]), len(before[serial]))
				}
				vendor, comments, rest := parseComments(t, after[serial][1], magic)
				_, was, wasRest := parseComments(t, before[serial][1], magic)
				if vendor != "xiph!" && vendor != "libop" || len(comments) != tt.count[serial] || rest != wasRest {
					t.Errorf("stream %d: vendor %q, %d comments, then %q", serial, vendor, len(comments), rest)
				}
				for i, c := range comments {
					if len(c) != len(was[i]) || len(c) > 0 && !strings.Contains(c, "=") || strings.Trim(c, "X=") != "" {
						t.Errorf("stream %d: comment %q was %q", serial, c, was[i])
					}
				}
				for i, p := range after[serial] {
					if i != 1 && !bytes.Equal(p, before[serial][i]) {
						t.Errorf("stream %d: packet %d changed", serial, i)
					}
				}
			}
		})
	}
}

func TestStripOggRefuses(t *testing.T) {
	good := oggVorbis(1)
	pages := oggPages(1, 2,
		append([]byte("\x01vorbis"), make([]byte, 23)...),
		vorbisCommentPacket("\x03vorbis", "TITLE=secret"))
	badCount := bytes.Join(oggPages(1, 2,
		append([]byte("\x01vorbis"), make([]byte, 23)...),
		vorbisCommentPacket("\x03vorbis", "TITLE=secret")[:25]), nil) // a comment cut short
	badMagic := bytes.Join(oggPages(1, 2,
		append([]byte("\x01vorbis"), make([]byte, 23)...),
		vorbisCommentPacket("\x05vorbis", "TITLE=secret")), nil)
	notBOS := bytes.Clone(good)
	notBOS[5] = 0
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"truncated page", good[:40]},
		{"no comment header", pages[0]},
		{"comment header cut short", badCount},
		{"wrong magic", badMagic},
		{"first page not a beginning", notBOS},
		{"garbage after the first page", append(bytes.Clone(pages[0]), "OggX"+strings.Repeat("x", 40)...)},
		{"continuation without packet", append(bytes.Clone(pages[0]), func() []byte { p := bytes.Clone(pages[1]); p[5] |= 1; return p }()...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Process(bytes.NewReader(tt.data), int64(len(tt.data)), DefaultLimits, Options{})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}
