package media

import (
	"encoding/binary"
	"io"
	"math"
)

// Matroska (WebM) element IDs, with their marker bits.
const (
	ebmlHeaderID     = 0x1a45dfa3
	segmentID        = 0x18538067
	clusterID        = 0x1f43b675
	infoID           = 0x1549a966
	tracksID         = 0x1654ae6b
	tagsID           = 0x1254c367
	attachmentsID    = 0x1941a469
	voidID           = 0xec
	timestampScaleID = 0x2ad7b1
	durationID       = 0x4489
	dateUTCID        = 0x4461
	titleID          = 0x7ba9
	trackEntryID     = 0xae
	trackTypeID      = 0x83
	videoID          = 0xe0
	pixelWidthID     = 0xb0
	pixelHeightID    = 0xba
)

// maxEBMLElements bounds the elements of a Matroska file the walk reads.
// Most are the blocks of clusters whose size is unknown (browsers'
// MediaRecorder writes those); other clusters are skipped whole.
const maxEBMLElements = 1 << 20

// ebmlWalker blanks the metadata of a Matroska or WebM file in place: the
// Tags (titles, comments, encoder settings, GPS from some cameras) and
// Attachments (cover art, fonts, any file) of each Segment, and the
// recording date and title in Info, become Void elements of the same
// length, which every reader skips. Nothing moves, so the offsets in
// SeekHead and Cues stay right.
//
// On the way it reads the duration (Info) and the pixel size of the first
// video track (Tracks).
type ebmlWalker struct {
	src      io.ReaderAt
	p        *patcher
	res      *Result
	elements int
	video    bool // the first video track has been seen
}

// ebmlElement is the header of an element.
type ebmlElement struct {
	id             uint32
	idLen, sizeLen int64
	size           int64 // of the payload; -1 when unknown
	pos            int64 // where the element starts
	payload        int64 // where its payload starts
	endPos         int64 // where it ends; -1 when unknown
}

// stripWebM records patches blanking the metadata of the Matroska file
// src of the given size, and sets res.Duration, res.Width and res.Height
// when the headers give them. It returns errStructure when the elements do
// not tile the file.
func stripWebM(src io.ReaderAt, size int64, p *patcher, res *Result) error {
	w := &ebmlWalker{src: src, p: p, res: res}
	segments := 0
	for pos := int64(0); pos < size; {
		e, err := w.element(pos, size)
		if err != nil {
			return err
		}
		if pos == 0 && e.id != ebmlHeaderID {
			return errStructure
		}
		if e.size < 0 {
			if e.id != segmentID {
				return errStructure
			}
			e.endPos = size // a live recording: the segment runs to the end
		}
		if e.id == segmentID {
			segments++
			if err := w.segment(e.payload, e.endPos); err != nil {
				return err
			}
		}
		pos = e.endPos
	}
	if segments == 0 {
		return errStructure
	}
	return nil
}

// element reads the header of the element at pos, whose parent ends at end.
func (w *ebmlWalker) element(pos, end int64) (ebmlElement, error) {
	var b [12]byte // an ID of 4 bytes at most, a size of 8
	if w.elements++; w.elements > maxEBMLElements || end-pos < 2 {
		return ebmlElement{}, errStructure
	}
	h := b[:min(end-pos, int64(len(b)))]
	if err := readAt(w.src, h, pos); err != nil {
		return ebmlElement{}, err
	}
	e := ebmlElement{pos: pos}
	// The number of leading zero bits of the first byte, plus one, is the
	// length of an ID (up to 4) or a size (up to 8).
	e.idLen = int64(vintLen(h[0]))
	if e.idLen > 4 || e.idLen >= int64(len(h)) {
		return ebmlElement{}, errStructure
	}
	for _, c := range h[:e.idLen] {
		e.id = e.id<<8 | uint32(c)
	}
	s := h[e.idLen:]
	e.sizeLen = int64(vintLen(s[0]))
	if e.sizeLen > 8 || e.sizeLen > int64(len(s)) {
		return ebmlElement{}, errStructure
	}
	marker := uint64(1) << (7 * e.sizeLen)
	v := uint64(s[0]) &^ (0xff00 >> e.sizeLen)
	for _, c := range s[1:e.sizeLen] {
		v = v<<8 | uint64(c)
	}
	e.payload = pos + e.idLen + e.sizeLen
	if v == marker-1 { // all ones
		e.size, e.endPos = -1, -1
		return e, nil
	}
	if v > uint64(end-e.payload) {
		return ebmlElement{}, errStructure
	}
	e.size = int64(v)
	e.endPos = e.payload + e.size
	return e, nil
}

// vintLen returns the length of the variable-length integer starting with
// c, 9 when c is 0 (which no valid one starts with).
func vintLen(c byte) int {
	n := 1
	for mask := byte(0x80); mask != 0 && c&mask == 0; mask >>= 1 {
		n++
	}
	return n
}

// segment handles the top-level elements of a Segment in [start, end).
func (w *ebmlWalker) segment(start, end int64) error {
	for pos := start; pos < end; {
		e, err := w.element(pos, end)
		if err != nil {
			return err
		}
		if e.size < 0 {
			if e.id != clusterID {
				return errStructure
			}
			if e.endPos, err = w.clusterEnd(e.payload, end); err != nil {
				return err
			}
		}
		switch e.id {
		case tagsID, attachmentsID:
			w.void(e)
		case infoID:
			err = w.info(e.payload, e.endPos)
		case tracksID:
			err = w.children(e.payload, e.endPos, func(t ebmlElement) error {
				if t.id == trackEntryID && !w.video {
					return w.trackEntry(t.payload, t.endPos)
				}
				return nil
			})
		}
		if err != nil {
			return err
		}
		pos = e.endPos
	}
	return nil
}

// clusterEnd returns where a Cluster of unknown size whose payload starts
// at start ends: at the next element with a top-level ID (all four bytes
// long; no child of a Cluster has one), or at end.
func (w *ebmlWalker) clusterEnd(start, end int64) (int64, error) {
	pos := start
	for pos < end {
		e, err := w.element(pos, end)
		if err != nil {
			return 0, err
		}
		if e.idLen == 4 {
			break
		}
		if e.size < 0 {
			return 0, errStructure
		}
		pos = e.endPos
	}
	return pos, nil
}

// children calls f with each child of the element whose payload is
// [start, end); the children must all have a known size.
func (w *ebmlWalker) children(start, end int64, f func(ebmlElement) error) error {
	for pos := start; pos < end; {
		e, err := w.element(pos, end)
		if err != nil {
			return err
		}
		if e.size < 0 {
			return errStructure
		}
		if err := f(e); err != nil {
			return err
		}
		pos = e.endPos
	}
	return nil
}

// info reads the duration from the Info element [start, end) and blanks
// its recording date and title.
func (w *ebmlWalker) info(start, end int64) error {
	scale, duration := uint64(1_000_000), 0.0 // nanoseconds a tick, ticks
	err := w.children(start, end, func(e ebmlElement) error {
		var b [8]byte
		switch e.id {
		case dateUTCID, titleID:
			w.void(e)
		case timestampScaleID:
			if e.size <= 8 {
				if err := readAt(w.src, b[8-e.size:], e.payload); err != nil {
					return err
				}
				scale = binary.BigEndian.Uint64(b[:])
			}
		case durationID:
			switch e.size {
			case 4:
				if err := readAt(w.src, b[:4], e.payload); err != nil {
					return err
				}
				duration = float64(math.Float32frombits(binary.BigEndian.Uint32(b[:])))
			case 8:
				if err := readAt(w.src, b[:], e.payload); err != nil {
					return err
				}
				duration = math.Float64frombits(binary.BigEndian.Uint64(b[:]))
			}
		}
		return nil
	})
	if d := duration * float64(scale) / 1e9; d > 0 && !math.IsInf(d, 0) {
		w.res.Duration = d // NaN fails d > 0
	}
	return err
}

// trackEntry sets the result's size from a TrackEntry [start, end) when it
// is the first video track.
func (w *ebmlWalker) trackEntry(start, end int64) error {
	var video bool
	var width, height uint64
	err := w.children(start, end, func(e ebmlElement) error {
		switch e.id {
		case trackTypeID:
			n, err := w.uint(e)
			video = n == 1
			return err
		case videoID:
			return w.children(e.payload, e.endPos, func(v ebmlElement) error {
				var err error
				switch v.id {
				case pixelWidthID:
					width, err = w.uint(v)
				case pixelHeightID:
					height, err = w.uint(v)
				}
				return err
			})
		}
		return nil
	})
	if video && err == nil {
		w.video = true
		if width < 1<<20 && height < 1<<20 {
			w.res.Width, w.res.Height = int(width), int(height)
		}
	}
	return err
}

// uint reads an unsigned integer element, 0 when longer than 8 bytes.
func (w *ebmlWalker) uint(e ebmlElement) (uint64, error) {
	var b [8]byte
	if e.size > 8 {
		return 0, nil
	}
	if err := readAt(w.src, b[8-e.size:], e.payload); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(b[:]), nil
}

// void records patches turning the element e into a Void element of
// the same total length with a zeroed payload: a one-byte ID, so the size
// field grows by what the ID shrinks (a size field may carry leading zero
// bits up to 8 bytes), and past 8 bytes the payload grows instead.
func (w *ebmlWalker) void(e ebmlElement) {
	total := e.idLen + e.sizeLen + e.size
	sizeLen := min(e.sizeLen+e.idLen-1, 8)
	n := total - 1 - sizeLen
	h := make([]byte, 1+sizeLen)
	h[0] = voidID
	for i := int64(0); i < sizeLen; i++ {
		h[sizeLen-i] = byte(uint64(n) >> (8 * i))
	}
	h[1] |= 0x80 >> (sizeLen - 1)
	w.p.write(e.pos, h)
	w.p.zero(e.pos+1+sizeLen, n)
}
