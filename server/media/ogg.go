package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// maxOggPages bounds the pages walked to reach the end of every stream's
// comment header. Cover art in the comments can take hundreds of pages;
// the walk reads each of those in full, since its checksum must be redone.
const maxOggPages = 4096

// maxOggPatches bounds the patches that blank Ogg comments (one per
// comment, about 32 bytes each): millions of one-byte comments are refused
// rather than held in memory.
const maxOggPatches = 100_000

// oggCodecs tells the codecs whose second packet is a Vorbis comment
// header by the start of their first packet, and gives the bytes the
// comment header starts with.
var oggCodecs = []struct{ ident, comments string }{
	{"\x01vorbis", "\x03vorbis"},
	{"OpusHead", "OpusTags"},
	{"\x80theora", "\x81theora"},
	{"Speex   ", ""},
}

// oggStream is one logical stream of an Ogg file, as far as the walk goes.
type oggStream struct {
	packets  int    // packets ended so far
	open     bool   // the last segment seen continues on the next page
	ident    []byte // the first bytes of the first packet
	comments *vorbisComments
}

// stripOgg records patches blanking the comments (tags, cover art in
// METADATA_BLOCK_PICTURE) of every logical stream at the start of the Ogg
// file src, and the checksums of the pages they change. It walks the pages
// from the start until each stream's comment header has ended. Each
// comment keeps its length and becomes "X=XXX…" ("=" when one byte long),
// so the packet keeps its layout and nothing moves; the vendor string
// stays. Streams of other codecs (FLAC, say) are left alone.
func stripOgg(src io.ReaderAt, size int64, p *patcher) error {
	streams := make(map[uint32]*oggStream)
	pending := 0 // streams whose comment header has not ended
	var h [27 + 255]byte
	var body []byte
	for pos, pages := int64(0), 0; ; pages++ {
		if pages > 0 && pending == 0 {
			return nil
		}
		if pages >= maxOggPages || size-pos < 27 {
			return errStructure
		}
		if err := readAt(src, h[:27], pos); err != nil {
			return err
		}
		// capture pattern, version, header type, granule position (8),
		// serial number (4), sequence number (4), checksum (4), segments
		if string(h[:4]) != "OggS" || h[4] != 0 {
			return errStructure
		}
		flags, serial, nseg := h[5], binary.LittleEndian.Uint32(h[14:]), int64(h[26])
		if size-pos-27 < nseg {
			return errStructure
		}
		lacing := h[27 : 27+nseg]
		if err := readAt(src, lacing, pos+27); err != nil {
			return err
		}
		bodyOff, n := pos+27+nseg, int64(0)
		for _, l := range lacing {
			n += int64(l)
		}
		if n > size-bodyOff {
			return errStructure
		}
		s := streams[serial]
		switch {
		case flags&2 != 0: // beginning of stream
			if s != nil {
				return errStructure
			}
			s = &oggStream{}
			streams[serial] = s
			pending++
		case s == nil:
			return errStructure
		}
		if flags&1 != 0 != s.open { // continued packet
			return errStructure
		}
		if s.packets >= 2 {
			for _, l := range lacing {
				s.open = l == 255
			}
			pos = bodyOff + n
			continue
		}

		// A page with header packets: read it, blank what it holds of the
		// comments, and redo its checksum.
		if int64(cap(body)) < n {
			body = make([]byte, n)
		}
		body = body[:n]
		if err := readAt(src, body, bodyOff); err != nil {
			return err
		}
		crcAt := len(p.patches)
		p.write(pos+22, nil) // the checksum, known once the body is
		seg := int64(0)
		for _, l := range lacing {
			data := body[seg : seg+int64(l)]
			switch s.packets {
			case 0:
				s.ident = append(s.ident, data[:min(len(data), 8-len(s.ident))]...)
			case 1:
				if s.comments != nil {
					segOff := bodyOff + seg
					err := s.comments.feed(data, func(i, k int, c byte) {
						for j := range k {
							data[i+j] = c
						}
						p.fill(segOff+int64(i), int64(k), c)
					})
					if err != nil {
						return err
					}
					if len(p.patches) > maxOggPatches {
						return fmt.Errorf("%w: too many comments", errStructure)
					}
				}
			}
			seg += int64(l)
			if s.open = l == 255; s.open {
				continue
			}
			switch s.packets {
			case 0:
				s.comments = commentsFor(s.ident)
			case 1:
				if s.comments != nil && s.comments.state != commentsRest {
					return errStructure
				}
				pending--
			}
			if s.packets++; s.packets == 2 {
				s.open = lacing[len(lacing)-1] == 255 // the packets after the comments
				break
			}
		}
		if len(p.patches) == crcAt+1 {
			p.patches = p.patches[:crcAt] // nothing changed
		} else {
			clear(h[22:26])
			crc := oggCRC(oggCRC(0, h[:27+nseg]), body)
			p.patches[crcAt].Data = binary.LittleEndian.AppendUint32(nil, crc)
		}
		pos = bodyOff + n
	}
}

// commentsFor returns the parser of the comment header of a stream whose
// first packet starts with ident, or nil for a codec without one.
func commentsFor(ident []byte) *vorbisComments {
	for _, c := range oggCodecs {
		if bytes.HasPrefix(ident, []byte(c.ident)) {
			v := &vorbisComments{magic: c.comments}
			if c.comments == "" {
				v.state = commentsVendorLen
			}
			return v
		}
	}
	return nil
}

// The parts of a Vorbis comment header, in order: the codec's magic bytes,
// the vendor string's length (32 bits, little-endian) and the string, the
// number of comments, each comment's length and bytes, and whatever follows
// (Vorbis' framing bit, Opus' binary data).
const (
	commentsMagic = iota
	commentsVendorLen
	commentsVendor
	commentsCount
	commentsLen
	commentsBody
	commentsRest
)

// vorbisComments blanks the comments of a Vorbis comment header fed to it
// a piece at a time, as the pages hold it.
type vorbisComments struct {
	magic  string
	state  int
	field  [4]byte // a length being read
	got    int     // bytes of field (or of magic) read
	skip   uint32  // vendor bytes left
	left   uint32  // comments left after the current one
	pos    uint32  // bytes of the current comment seen
	length uint32  // of the current comment
}

// feed reads the next bytes b of the header, calling blank(i, n, c) for
// each run of comment bytes b[i:i+n] to be overwritten with c.
func (v *vorbisComments) feed(b []byte, blank func(i, n int, c byte)) error {
	for i := 0; i < len(b); {
		switch v.state {
		case commentsMagic:
			if b[i] != v.magic[v.got] {
				return errStructure
			}
			i, v.got = i+1, v.got+1
			if v.got == len(v.magic) {
				v.state, v.got = commentsVendorLen, 0
			}
		case commentsVendorLen, commentsCount, commentsLen:
			v.field[v.got] = b[i]
			i, v.got = i+1, v.got+1
			if v.got < 4 {
				continue
			}
			n := binary.LittleEndian.Uint32(v.field[:])
			v.got = 0
			switch v.state {
			case commentsVendorLen:
				v.state, v.skip = commentsVendor, n
			case commentsCount:
				v.state, v.left = commentsLen, n
			case commentsLen:
				v.state, v.left, v.pos, v.length = commentsBody, v.left-1, 0, n
			}
		case commentsVendor:
			k := min(v.skip, uint32(min(len(b)-i, 1<<31)))
			i, v.skip = i+int(k), v.skip-k
		case commentsBody:
			// "X=XXX…", or "=" for a comment of one byte: still a
			// comment, since it has an '='.
			c, k := byte('X'), min(v.length-v.pos, uint32(min(len(b)-i, 1<<31)))
			switch {
			case v.pos == 1 || v.length == 1:
				c, k = '=', 1
			case v.pos == 0:
				k = 1
			}
			blank(i, int(k), c)
			i, v.pos = i+int(k), v.pos+k
		case commentsRest:
			return nil
		}
		// Fields of length 0 end at once.
		if v.state == commentsVendor && v.skip == 0 {
			v.state = commentsCount
		}
		if v.state == commentsBody && v.pos == v.length {
			v.state = commentsLen
		}
		if v.state == commentsLen && v.left == 0 && v.got == 0 {
			v.state = commentsRest
		}
	}
	return nil
}

// oggCRCTable is the table of Ogg's CRC-32: polynomial 0x04c11db7, most
// significant bit first, initial value 0, no final XOR.
var oggCRCTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

// oggCRC adds b to the checksum crc.
func oggCRC(crc uint32, b []byte) uint32 {
	for _, c := range b {
		crc = crc<<8 ^ oggCRCTable[byte(crc>>24)^c]
	}
	return crc
}
