package media

import (
	"bytes"
	"io"
	"sort"
)

// Patch is bytes written over the source of a video or audio file at Offset
// (from the start of the source, not of Result.Start). Patches that zero a
// long payload share one buffer, so Data must not be modified.
type Patch struct {
	Offset int64
	Data   []byte
}

// Stored returns the bytes to store for src of the given size, and their
// length: Original for images, and for video and audio the source from Start
// to End with the patches written over it, read lazily from src. The reader
// also implements io.ReaderAt and io.Seeker (it is an *io.SectionReader), so
// an upload to object storage can retry or read parts in parallel.
func (r *Result) Stored(src io.ReaderAt, size int64) (io.Reader, int64) {
	if r.Original != nil {
		return bytes.NewReader(r.Original), int64(len(r.Original))
	}
	end := r.End
	if end <= 0 || end > size {
		end = size
	}
	start := min(max(r.Start, 0), max(end, 0))
	n := max(end-start, 0)
	if len(r.Patches) == 0 {
		return io.NewSectionReader(src, start, n), n
	}
	return io.NewSectionReader(&patchedReader{src: src, start: start, end: start + n, patches: r.Patches}, 0, n), n
}

// patchedReader reads src from start to end with patches written over it;
// offsets given to ReadAt count from start.
type patchedReader struct {
	src        io.ReaderAt
	start, end int64
	patches    []Patch // sorted by Offset, not overlapping
}

func (r *patchedReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, io.ErrUnexpectedEOF
	}
	if off >= r.end-r.start {
		return 0, io.EOF
	}
	base := r.start + off
	want := p[:min(int64(len(p)), r.end-base)]
	n, err := r.src.ReadAt(want, base)
	if n < 0 || n > len(want) {
		n = 0 // a broken ReaderAt; overlay nothing
	}
	// The first patch that ends past base, then every one that starts
	// before the end of what was read.
	stop := base + int64(n)
	i := sort.Search(len(r.patches), func(i int) bool {
		return r.patches[i].Offset+int64(len(r.patches[i].Data)) > base
	})
	for ; i < len(r.patches) && r.patches[i].Offset < stop; i++ {
		pt := r.patches[i]
		from, to := max(pt.Offset, base), min(pt.Offset+int64(len(pt.Data)), stop)
		if from < to {
			copy(want[from-base:to-base], pt.Data[from-pt.Offset:to-pt.Offset])
		}
	}
	if n == len(want) && len(want) < len(p) && err == nil {
		err = io.EOF
	}
	return n, err
}

// fillChunk is the most a single filling patch covers; longer runs take
// several patches sharing one buffer, so blanking 99 MB holds 64 KB.
const fillChunk = 64 << 10

// patcher collects the patches of one file in order.
type patcher struct {
	patches []Patch
	fills   map[byte][]byte // runs of one byte, shared by the patches
}

// write records data to be written at off.
func (p *patcher) write(off int64, data []byte) {
	p.patches = append(p.patches, Patch{Offset: off, Data: data})
}

// zero records n zero bytes to be written at off.
func (p *patcher) zero(off, n int64) { p.fill(off, n, 0) }

// fill records n bytes c to be written at off.
func (p *patcher) fill(off, n int64, c byte) {
	for n > 0 {
		k := min(n, fillChunk)
		buf := p.fills[c]
		if int64(len(buf)) < k {
			buf = bytes.Repeat([]byte{c}, int(k))
			if p.fills == nil {
				p.fills = make(map[byte][]byte)
			}
			p.fills[c] = buf
		}
		p.write(off, buf[:k])
		off, n = off+k, n-k
	}
}
