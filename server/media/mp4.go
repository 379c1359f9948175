package media

import (
	"encoding/binary"
	"io"
)

const (
	maxBoxDepth = 8      // moov/trak/mdia/minf is 4 deep
	maxBoxes    = 50_000 // a fragmented MP4 has two boxes per fragment
)

// isoWalker blanks the metadata of an ISO base media file (MP4, MOV, M4A) in
// place. Sample tables hold absolute offsets into mdat, so no byte may
// move: a metadata box keeps its size and becomes a "free" box with a zeroed
// payload, which every reader skips.
type isoWalker struct {
	src   io.ReaderAt
	p     *patcher
	boxes int
}

// isoBlank lists the boxes turned into free boxes wherever the walk meets
// them: udta (QuickTime ©xyz location, 3GPP loci, XMP_, camera make and
// model), meta (Apple's keys such as com.apple.quicktime.location.ISO6709,
// iTunes ilst) and uuid (XMP, vendor data). free and skip keep their type
// but lose their payload, which editors leave stale metadata in.
var isoBlank = map[string]bool{"udta": true, "meta": true, "uuid": true, "free": true, "skip": true}

// isoContainers are the boxes the walk descends into: the path from the top
// level to every udta and meta that players ignore. Sample tables (stbl)
// and media data are not walked.
var isoContainers = map[string]bool{"moov": true, "trak": true, "mdia": true, "minf": true}

// isoTimes are the headers whose creation and modification times (when the
// video was recorded) are zeroed, which means "unknown".
var isoTimes = map[string]bool{"mvhd": true, "tkhd": true, "mdhd": true}

// stripISO records patches that blank the metadata of the ISO base media
// file src of the given size. It returns errStructure when the boxes do not
// tile the file exactly.
func stripISO(src io.ReaderAt, size int64, p *patcher) error {
	w := &isoWalker{src: src, p: p}
	return w.walk(0, size, 0)
}

// walk handles the boxes filling [start, end).
func (w *isoWalker) walk(start, end int64, depth int) error {
	var h [16]byte
	for pos := start; pos < end; {
		if end-pos < 8 {
			// QuickTime allows a 32-bit zero terminator at the end of a
			// container; anything else is an unknown trailer.
			if err := readAt(w.src, h[:end-pos], pos); err != nil {
				return err
			}
			for _, b := range h[:end-pos] {
				if b != 0 {
					return errStructure
				}
			}
			return nil
		}
		if err := readAt(w.src, h[:8], pos); err != nil {
			return err
		}
		size, typ, hdr := int64(binary.BigEndian.Uint32(h[:4])), string(h[4:8]), int64(8)
		switch size {
		case 0: // to the end of the parent
			size = end - pos
		case 1: // 64-bit largesize follows the type
			if end-pos < 16 {
				return errStructure
			}
			if err := readAt(w.src, h[8:16], pos+8); err != nil {
				return err
			}
			large := binary.BigEndian.Uint64(h[8:16])
			if large > uint64(end-pos) {
				return errStructure
			}
			size, hdr = int64(large), 16
		}
		if size < hdr || size > end-pos {
			return errStructure
		}
		if w.boxes++; w.boxes > maxBoxes {
			return errStructure
		}
		switch {
		case isoBlank[typ]:
			if typ != "free" && typ != "skip" {
				w.p.write(pos+4, []byte("free"))
			}
			w.p.zero(pos+hdr, size-hdr)
		case isoContainers[typ]:
			if depth+1 >= maxBoxDepth {
				return errStructure
			}
			if err := w.walk(pos+hdr, pos+size, depth+1); err != nil {
				return err
			}
		case isoTimes[typ]:
			// A full box: version (1 byte), flags (3), then creation and
			// modification times, 32-bit in version 0, 64-bit in version 1.
			if size-hdr < 4 {
				return errStructure
			}
			if err := readAt(w.src, h[:1], pos+hdr); err != nil {
				return err
			}
			var n int64 // other versions are unknown: left alone
			switch h[0] {
			case 0:
				n = 8
			case 1:
				n = 16
			}
			if size-hdr < 4+n {
				return errStructure
			}
			w.p.zero(pos+hdr+4, n)
		}
		pos += size
	}
	return nil
}
