package media

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
)

const (
	maxBoxDepth = 8      // moov/trak/mdia/minf is 4 deep
	maxBoxes    = 50_000 // a fragmented MP4 has two boxes per fragment
)

// isoWalker blanks the metadata of an ISO base media file (MP4, MOV, M4A) in
// place. Sample tables hold absolute offsets into mdat, so no byte may
// move: a metadata box keeps its size and becomes a "free" box with a zeroed
// payload, which every reader skips.
//
// On the way it reads what the API tells about the file: the duration from
// mvhd, and the display size and frame rate of the first video track.
type isoWalker struct {
	src   io.ReaderAt
	p     *patcher
	boxes int
	res   *Result
	trak  isoTrack // the track being walked
	video bool     // the first video track has been seen
}

// isoTrack is what the walk learns about one track.
type isoTrack struct {
	handler       string // mdia/hdlr handler_type: "vide", "soun", ...
	width, height int    // tkhd, rotation applied
	timescale     uint32 // mdhd
	frameRate     string // from stts, when the track is video
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
// file src of the given size, and sets res.Duration, and for video
// res.Width, res.Height and res.FrameRate, when the headers give them. It
// returns errStructure when the boxes do not tile the file exactly.
func stripISO(src io.ReaderAt, size int64, p *patcher, res *Result) error {
	w := &isoWalker{src: src, p: p, res: res}
	return w.walk(0, size, 0, "")
}

// walk handles the boxes filling [start, end), the payload of a parent box
// of type parent ("" at the top level).
func (w *isoWalker) walk(start, end int64, depth int, parent string) error {
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
			if typ == "trak" {
				w.trak = isoTrack{}
			}
			if err := w.walk(pos+hdr, pos+size, depth+1, typ); err != nil {
				return err
			}
			if t := w.trak; typ == "trak" && t.handler == "vide" && !w.video {
				w.video = true
				w.res.Width, w.res.Height, w.res.FrameRate = t.width, t.height, t.frameRate
			}
		case typ == "hdlr" && parent == "mdia":
			// QuickTime has a second hdlr in minf, for the data reference.
			if size-hdr >= 12 {
				if err := readAt(w.src, h[:12], pos+hdr); err != nil {
					return err
				}
				w.trak.handler = string(h[8:12])
			}
		case typ == "stbl" && parent == "minf":
			if w.trak.handler == "vide" && !w.video {
				if err := w.readSTTS(pos+hdr, pos+size); err != nil {
					return err
				}
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
			if err := w.readHeader(typ, h[0], pos+hdr, size-hdr); err != nil {
				return err
			}
		}
		pos += size
	}
	return nil
}

// readHeader reads the facts of an mvhd, tkhd or mdhd box of the given
// version whose payload of n bytes is at off. A header too short for them,
// or of an unknown version, tells nothing.
func (w *isoWalker) readHeader(typ string, version byte, off, n int64) error {
	// Where the fields are in each version, from the start of the payload.
	var need, at int64
	switch {
	case typ == "mvhd" && version == 0, typ == "mdhd" && version == 0:
		need, at = 20, 12 // timescale, duration (32 bits)
	case typ == "mvhd" && version == 1, typ == "mdhd" && version == 1:
		need, at = 32, 20 // timescale, duration (64 bits)
	case typ == "tkhd" && version == 0:
		need, at = 84, 40 // matrix, width, height
	case typ == "tkhd" && version == 1:
		need, at = 96, 52
	default:
		return nil
	}
	if n < need {
		return nil
	}
	var b [44]byte
	f := b[:need-at]
	if err := readAt(w.src, f, off+at); err != nil {
		return err
	}
	be := binary.BigEndian
	switch typ {
	case "mvhd":
		timescale, d := uint64(be.Uint32(f)), uint64(be.Uint32(f[4:]))
		if version == 1 {
			d = be.Uint64(f[4:])
			if d == 1<<64-1 {
				d = 0
			}
		} else if d == 1<<32-1 {
			d = 0 // unknown
		}
		if timescale > 0 {
			w.res.Duration = float64(d) / float64(timescale)
		}
	case "mdhd":
		w.trak.timescale = be.Uint32(f)
	case "tkhd":
		// The matrix is {a b u, c d v, x y w}; a portrait recording is
		// stored landscape with a matrix turning it by 90° or 270°
		// (a = d = 0), so the display size is the other way round.
		a, b, c, d := be.Uint32(f), be.Uint32(f[4:]), be.Uint32(f[12:]), be.Uint32(f[16:])
		width, height := int(be.Uint32(f[36:])>>16), int(be.Uint32(f[40:])>>16)
		if a == 0 && d == 0 && b != 0 && c != 0 {
			width, height = height, width
		}
		w.trak.width, w.trak.height = width, height
	}
	return nil
}

const (
	maxSTBLBoxes   = 64   // an stbl has about eight children
	maxSTTSEntries = 4096 // the frame rate is read from this many at most
)

// readSTTS sets the frame rate of the track being walked from the stts box
// among the children of the stbl filling [start, end). The sample table is
// not blanked, so a child it cannot make sense of just ends the search.
func (w *isoWalker) readSTTS(start, end int64) error {
	var h [8]byte
	for pos, i := start, 0; i < maxSTBLBoxes && end-pos >= 16; i++ {
		if err := readAt(w.src, h[:], pos); err != nil {
			return err
		}
		size := int64(binary.BigEndian.Uint32(h[:4]))
		if size < 8 || size > end-pos {
			return nil // 0 and 1 (64-bit sizes) are not used inside stbl
		}
		if string(h[4:8]) != "stts" {
			pos += size
			continue
		}
		// version and flags, entry_count, then (sample_count, sample_delta) pairs
		if size < 16 {
			return nil // too short for any entry: no frame rate
		}
		if err := readAt(w.src, h[:], pos+8); err != nil {
			return err
		}
		n := min(int64(binary.BigEndian.Uint32(h[4:])), maxSTTSEntries, (size-16)/8)
		entries := make([]byte, n*8)
		if err := readAt(w.src, entries, pos+16); err != nil {
			return err
		}
		w.trak.frameRate = frameRate(w.trak.timescale, entries)
		return nil
	}
	return nil
}

// frameRate returns the frame rate of a track of the given timescale from
// its stts entries, as a reduced fraction "30/1" or "30000/1001": the
// timescale over the delta when every frame lasts the same, else the
// average over the entries given. It returns "" when there is none.
func frameRate(timescale uint32, entries []byte) string {
	var frames, ticks uint64
	var first uint32
	same := true
	for i := 0; i+8 <= len(entries); i += 8 {
		count, delta := binary.BigEndian.Uint32(entries[i:]), binary.BigEndian.Uint32(entries[i+4:])
		if count == 0 || delta == 0 {
			continue // encoders give the last frame a delta of 0
		}
		if first == 0 {
			first = delta
		}
		same = same && delta == first
		hi, lo := bits.Mul64(uint64(count), uint64(delta))
		var carry uint64
		ticks, carry = bits.Add64(ticks, lo, 0)
		if hi != 0 || carry != 0 {
			return ""
		}
		frames += uint64(count) // at most maxSTTSEntries * 2^32
	}
	if frames == 0 || timescale == 0 {
		return ""
	}
	if same {
		return ratio(uint64(timescale), uint64(first))
	}
	hi, num := bits.Mul64(uint64(timescale), frames)
	if hi != 0 {
		return ""
	}
	return ratio(num, ticks)
}

// ratio formats num/den in lowest terms.
func ratio(num, den uint64) string {
	a, b := num, den
	for b != 0 {
		a, b = b, a%b
	}
	if a == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", num/a, den/a)
}
