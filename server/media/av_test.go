package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

const location = "+52.5200+013.4050/"

// box builds an ISO BMFF box with a 32-bit size.
func box(typ string, payload ...[]byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, 0)
	b = append(b, typ...)
	for _, p := range payload {
		b = append(b, p...)
	}
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b
}

// largeBox builds a box with size 1 and a 64-bit largesize.
func largeBox(typ string, payload ...[]byte) []byte {
	b := append(binary.BigEndian.AppendUint32(nil, 1), typ...)
	b = binary.BigEndian.AppendUint64(b, 0)
	for _, p := range payload {
		b = append(b, p...)
	}
	binary.BigEndian.PutUint64(b[8:], uint64(len(b)))
	return b
}

// fullBox is the version and flags of a full box followed by fields.
func fullBox(version byte, fields ...[]byte) []byte {
	b := []byte{version, 0, 0, 0}
	for _, f := range fields {
		b = append(b, f...)
	}
	return b
}

// recordedAt is a non-zero creation and modification time.
var recordedAt = []byte{0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef}

// phoneMP4 builds a small MP4 laid out like a phone's: ftyp, moov with
// location in udta, Apple keys in meta and a track with its own udta, a
// top-level XMP uuid box and a 64-bit mdat whose offset stco points at.
func phoneMP4(brand string) []byte {
	xyz := box("\xa9xyz", []byte{0, byte(len(location)), 0x15, 0xc7}, []byte(location))
	keys := box("keys", fullBox(0, []byte{0, 0, 0, 1}), box("mdta", []byte("com.apple.quicktime.location.ISO6709")))
	ilst := box("ilst", box("\x00\x00\x00\x01", box("data", []byte{0, 0, 0, 1, 0, 0, 0, 0}, []byte(location))))
	meta := box("meta", fullBox(0), box("hdlr", fullBox(0, make([]byte, 4), []byte("mdta"), make([]byte, 13))), keys, ilst)
	stco := box("stco", fullBox(0, []byte{0, 0, 0, 1}, []byte{0, 0, 0, 0})) // offset set below
	trak := box("trak",
		box("tkhd", fullBox(0, recordedAt, make([]byte, 72))),
		largeBox("udta", box("\xa9nam", []byte("Home, sweet home"))),
		box("mdia", box("mdhd", fullBox(1, recordedAt, recordedAt, make([]byte, 12))),
			box("minf", box("stbl", stco))))
	moov := box("moov", box("mvhd", fullBox(0, recordedAt, make([]byte, 88))), box("udta", xyz), meta, trak)
	uuid := box("uuid", []byte("\xbe\x7a\xcf\xcb\x97\xa9\x42\xe8\x9c\x71\x99\x94\x91\xe3\xaf\xac"),
		[]byte("<x:xmpmeta>"+location+"</x:xmpmeta>"))
	ftyp := box("ftyp", []byte(brand), []byte{0, 0, 2, 0}, []byte("isomiso2"))
	free := box("free", []byte("old ©xyz "+location))
	mdat := largeBox("mdat", []byte("SAMPLES-SAMPLES-SAMPLES"))
	f := bytes.Join([][]byte{ftyp, moov, uuid, free, mdat}, nil)
	// Point stco at the samples.
	at := bytes.Index(f, []byte("stco")) + 12
	binary.BigEndian.PutUint32(f[at:], uint32(bytes.Index(f, []byte("SAMPLES"))))
	return f
}

// isoBox is a box found by isoTree.
type isoBox struct {
	depth     int
	typ       string
	off, size int64
}

// isoTree lists the boxes of data, descending into the containers on the
// way to stco. It is written apart from stripISO, and fails on anything
// that is not a well-formed box.
func isoTree(t *testing.T, data []byte) []isoBox {
	t.Helper()
	var out []isoBox
	var walk func(start, end int64, depth int)
	walk = func(start, end int64, depth int) {
		for pos := start; pos < end; {
			if end-pos < 8 {
				t.Fatalf("%d stray bytes at %d", end-pos, pos)
			}
			size, hdr := int64(binary.BigEndian.Uint32(data[pos:])), int64(8)
			switch size {
			case 0:
				size = end - pos
			case 1:
				size, hdr = int64(binary.BigEndian.Uint64(data[pos+8:])), 16
			}
			if size < hdr || pos+size > end {
				t.Fatalf("box at %d has size %d, parent ends at %d", pos, size, end)
			}
			typ := string(data[pos+4 : pos+8])
			out = append(out, isoBox{depth, typ, pos, size})
			if typ == "moov" || typ == "trak" || typ == "mdia" || typ == "minf" || typ == "stbl" {
				walk(pos+hdr, pos+size, depth+1)
			}
			pos += size
		}
	}
	walk(0, int64(len(data)), 0)
	return out
}

// storedBytes runs data through Process and returns the bytes Result.Stored gives.
func storedBytes(t *testing.T, data []byte) (*Result, []byte) {
	t.Helper()
	res := mustProcess(t, data, Options{})
	r, n := res.Stored(bytes.NewReader(data), int64(len(data)))
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(got)) != n {
		t.Fatalf("Stored said %d bytes, read %d", n, len(got))
	}
	checkPatches(t, res, int64(len(data)))
	return res, got
}

// checkPatches checks the invariants Result documents for Patches.
func checkPatches(t *testing.T, res *Result, size int64) {
	t.Helper()
	end := res.End
	if end == 0 {
		end = size
	}
	if res.Start < 0 || end > size || res.Start >= end {
		t.Fatalf("range [%d, %d) of a %d-byte file", res.Start, end, size)
	}
	prev := res.Start
	for _, p := range res.Patches {
		if p.Offset < prev || p.Offset+int64(len(p.Data)) > end || len(p.Data) == 0 {
			t.Fatalf("patch at %d+%d: not sorted, overlapping, empty or outside [%d, %d)", p.Offset, len(p.Data), res.Start, end)
		}
		prev = p.Offset + int64(len(p.Data))
	}
}

func TestStripMP4(t *testing.T) {
	for _, tt := range []struct{ brand, typ, contentType string }{
		{"isom", "video", "video/mp4"},
		{"qt  ", "video", "video/quicktime"},
		{"M4A ", "audio", "audio/mp4"},
	} {
		t.Run(tt.contentType, func(t *testing.T) {
			data := phoneMP4(tt.brand)
			before := isoTree(t, data)
			res, got := storedBytes(t, data)
			if res.Type != tt.typ || res.ContentType != tt.contentType || res.Original != nil {
				t.Fatalf("got %s %s", res.Type, res.ContentType)
			}
			if len(got) != len(data) {
				t.Fatalf("stored %d bytes of %d", len(got), len(data))
			}
			for _, secret := range []string{location, "52.52", "com.apple.quicktime.location", "xmpmeta", "Home", "\xa9xyz", "\xde\xad\xbe\xef"} {
				if bytes.Contains(got, []byte(secret)) {
					t.Errorf("stored file still contains %q", secret)
				}
			}
			after := isoTree(t, got)
			if len(after) != len(before) {
				t.Fatalf("%d boxes, had %d", len(after), len(before))
			}
			for i, b := range before {
				want := b
				if b.typ == "udta" || b.typ == "meta" || b.typ == "uuid" {
					want.typ = "free"
				}
				if after[i] != want {
					t.Errorf("box %d is %+v, want %+v", i, after[i], want)
				}
				if want.typ == "free" {
					hdr := int64(8)
					if binary.BigEndian.Uint32(got[b.off:]) == 1 {
						hdr = 16
					}
					if payload := got[b.off+hdr : b.off+b.size]; !bytes.Equal(payload, make([]byte, len(payload))) {
						t.Errorf("free box at %d keeps a payload", b.off)
					}
				}
			}
			// The samples stay where stco says they are.
			at := bytes.Index(got, []byte("stco")) + 12
			if off := binary.BigEndian.Uint32(got[at:]); !bytes.HasPrefix(got[off:], []byte("SAMPLES-SAMPLES-SAMPLES")) {
				t.Errorf("stco points at %q", got[off:min(int(off)+8, len(got))])
			}
		})
	}
}

// A blanked box of 16 MB costs patches sharing one small buffer, and the
// file is read lazily: neither Process nor Stored holds it in memory.
func TestStripMP4Streams(t *testing.T) {
	const payload = 16 << 20
	head := box("ftyp", []byte("isom\x00\x00\x02\x00isom"))
	head = append(head, binary.BigEndian.AppendUint32(nil, payload+8)...)
	head = append(head, "uuid"...)
	src := &sparseFile{head: head, size: int64(len(head)) + payload}
	var before, after runtimeMem
	before.read()
	res, err := Process(src, src.size, DefaultLimits, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, n := res.Stored(src, src.size)
	h := &headCheck{}
	if _, err := io.Copy(h, r); err != nil {
		t.Fatal(err)
	}
	after.read()
	if n != src.size || h.n != n {
		t.Errorf("stored %d (said %d) of %d bytes", h.n, n, src.size)
	}
	if !bytes.HasPrefix(h.head, []byte("\x00\x00\x00\x14ftypisom\x00\x00\x02\x00isom\x01\x00\x00\x08free")) {
		t.Errorf("stored file starts %q", h.head)
	}
	if d := after.total - before.total; d > 1<<20 {
		t.Errorf("allocated %d bytes for a %d-byte file", d, src.size)
	}
}

// sparseFile is head followed by 0xff bytes up to size, never held in memory.
type sparseFile struct {
	head []byte
	size int64
}

func (f *sparseFile) ReadAt(p []byte, off int64) (int, error) {
	if off >= f.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), f.size-off))
	k := 0
	if off < int64(len(f.head)) {
		k = copy(p[:n], f.head[off:])
	}
	for k < n {
		k += copy(p[k:n], ones[:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

var ones = [4096]byte(bytes.Repeat([]byte{0xff}, 4096))

// headCheck keeps the first bytes written to it and checks that the rest
// are zeros (what a blanked payload of 0xff bytes must become).
type headCheck struct {
	head []byte
	n    int64
}

func (h *headCheck) Write(p []byte) (int, error) {
	k := min(len(p), 64-len(h.head))
	h.head = append(h.head, p[:k]...)
	if i := bytes.IndexFunc(p[k:], func(r rune) bool { return r != 0 }); i >= 0 {
		return 0, fmt.Errorf("byte %d is not 0", h.n+int64(k+i))
	}
	h.n += int64(len(p))
	return len(p), nil
}

func TestStripAVRefuses(t *testing.T) {
	ftyp := box("ftyp", []byte("isom\x00\x00\x02\x00isom"))
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	beyond := cat(ftyp, box("moov", box("mvhd", fullBox(0, make([]byte, 96)))))
	binary.BigEndian.PutUint32(beyond[len(ftyp):], 1000) // moov claims more than the file
	childBeyond := cat(ftyp, box("moov", box("udta", []byte("x"))))
	binary.BigEndian.PutUint32(childBeyond[len(ftyp)+8:], 100) // udta claims more than moov
	largeBeyond := cat(ftyp, largeBox("mdat", []byte("x")))
	binary.BigEndian.PutUint64(largeBeyond[len(ftyp)+8:], 1<<62)
	largeSmall := cat(ftyp, largeBox("mdat", []byte("x")))
	binary.BigEndian.PutUint64(largeSmall[len(ftyp)+8:], 15)
	deep := box("udta")
	for range 9 {
		deep = box("moov", deep)
	}
	many := cat(ftyp, bytes.Repeat(box("free"), maxBoxes))
	id3 := []byte("ID3\x03\x00\x00\x00\x00\x01\x00") // 128-byte tag
	ape := cat([]byte("\xff\xfb\x90\x64"), make([]byte, 100), []byte("APETAGEX\xd0\x07\x00\x00\x00\x10\x00\x00"), make([]byte, 16))
	flacBlock := func(h byte, n int) []byte { return append([]byte{h, 0, byte(n >> 8), byte(n)}, make([]byte, n)...) }
	riff := func(body []byte) []byte {
		return cat([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)+4)), []byte("WAVE"), body)
	}

	tests := []struct {
		name string
		data []byte
		msg  string
	}{
		{"box beyond file", beyond, "video is truncated or corrupt"},
		{"box beyond parent", childBeyond, "video is truncated or corrupt"},
		{"largesize beyond file", largeBeyond, "video is truncated or corrupt"},
		{"largesize under header", largeSmall, "video is truncated or corrupt"},
		{"box under header", cat(ftyp, []byte("\x00\x00\x00\x04free")), "video is truncated or corrupt"},
		{"trailing garbage", cat(ftyp, []byte("GPS")), "video is truncated or corrupt"},
		{"too deep", cat(ftyp, deep), "video is truncated or corrupt"},
		{"too many boxes", many, "video is truncated or corrupt"},
		{"m4a truncated", box("ftyp", []byte("M4A \x00\x00\x02\x00isom"))[:18], "audio is truncated or corrupt"},
		{"id3 beyond file", cat(id3, []byte("\xff\xfb\x90\x64")), "audio is truncated or corrupt"},
		{"id3 not syncsafe", cat([]byte("ID3\x03\x00\x00\x00\x00\x00\x80"), make([]byte, 200)), "audio is truncated or corrupt"},
		{"id3 only", cat(id3, make([]byte, 128)), "audio is truncated or corrupt"},
		{"ape beyond file", ape, "audio is truncated or corrupt"},
		{"flac block beyond file", cat([]byte("fLaC"), flacBlock(0, 34), []byte{0x84, 0, 1, 0}), "audio is truncated or corrupt"},
		{"flac without streaminfo", cat([]byte("fLaC"), flacBlock(0x84, 8)), "audio is truncated or corrupt"},
		{"flac no last block", cat([]byte("fLaC"), flacBlock(0, 34)), "audio is truncated or corrupt"},
		{"wav chunk beyond riff", riff(cat([]byte("fmt \x10\x00\x00\x00"), make([]byte, 16), []byte("LIST\xff\x00\x00\x00INFO"))), "audio is truncated or corrupt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Process(bytes.NewReader(tt.data), int64(len(tt.data)), DefaultLimits, Options{})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to say %q", err, tt.msg)
			}
		})
	}
}

// mp3Frames is two silent MPEG-1 layer III frames (128 kbit/s, 44.1 kHz).
var mp3Frames = bytes.Repeat(append([]byte("\xff\xfb\x90\x64"), make([]byte, 413)...), 2)

// id3v2 builds an ID3v2 tag of the given minor version holding one TXXX
// frame with text, with a footer if footer is set (version 4 only).
func id3v2(version byte, text string, footer bool) []byte {
	frame := append([]byte("TXXX"), binary.BigEndian.AppendUint32(nil, uint32(len(text)+2))...)
	frame = append(frame, 0, 0, 3)
	frame = append(frame, text...)
	frame = append(frame, 0)
	n := len(frame)
	size := []byte{byte(n >> 21 & 0x7f), byte(n >> 14 & 0x7f), byte(n >> 7 & 0x7f), byte(n & 0x7f)}
	flags := byte(0)
	if footer {
		flags = 0x10
	}
	tag := append([]byte{'I', 'D', '3', version, 0, flags}, size...)
	tag = append(tag, frame...)
	if footer {
		tag = append(tag, '3', 'D', 'I', version, 0, flags)
		tag = append(tag, size...)
	}
	return tag
}

func id3v1(title string) []byte {
	t := make([]byte, 128)
	copy(t, "TAG")
	copy(t[3:33], title)
	return t
}

func apeTag(text string) []byte {
	item := binary.LittleEndian.AppendUint32(nil, uint32(len(text)))
	item = append(item, 0, 0, 0, 0)
	item = append(item, "Comment\x00"...)
	item = append(item, text...)
	hdr := func(flags uint32) []byte {
		h := append([]byte("APETAGEX"), binary.LittleEndian.AppendUint32(nil, 2000)...)
		h = binary.LittleEndian.AppendUint32(h, uint32(len(item)+32))
		h = binary.LittleEndian.AppendUint32(h, 1)
		h = binary.LittleEndian.AppendUint32(h, flags)
		return append(h, make([]byte, 8)...)
	}
	const hasHeader, isHeader = 1 << 31, 1 << 29
	return bytes.Join([][]byte{hdr(hasHeader | isHeader), item, hdr(hasHeader)}, nil)
}

func TestStripMP3(t *testing.T) {
	lyrics := "LYRICSBEGININD00002" + "10" + "LYR00010GPS-SECRET"
	lyrics += fmt.Sprintf("%06dLYRICS200", len(lyrics))
	tests := []struct {
		name        string
		data        []byte
		want        []byte
		contentType string
	}{
		{"id3v2 and id3v1", bytes.Join([][]byte{id3v2(3, "GPS-SECRET", false), mp3Frames, id3v1("GPS-SECRET")}, nil), mp3Frames, "audio/mpeg"},
		{"two id3v2, footer, ape, lyrics, id3v1", bytes.Join([][]byte{
			id3v2(4, "GPS-SECRET", true), id3v2(3, "GPS-SECRET", false), mp3Frames,
			apeTag("GPS-SECRET"), []byte(lyrics), id3v2(4, "GPS-SECRET", true), id3v1("GPS-SECRET"),
		}, nil), mp3Frames, "audio/mpeg"},
		{"untagged", mp3Frames, mp3Frames, "audio/mpeg"},
		{"aac behind id3", append(id3v2(4, "GPS-SECRET", false), "\xff\xf1\x50\x80\x02\x1f\xfcAAC"...), []byte("\xff\xf1\x50\x80\x02\x1f\xfcAAC"), "audio/aac"},
		{"aac with id3v1", append([]byte("\xff\xf1\x50\x80\x02\x1f\xfcAAC"), id3v1("GPS-SECRET")...), []byte("\xff\xf1\x50\x80\x02\x1f\xfcAAC"), "audio/aac"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, got := storedBytes(t, tt.data)
			if res.Type != "audio" || res.ContentType != tt.contentType {
				t.Errorf("got %s %s, want audio %s", res.Type, res.ContentType, tt.contentType)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("stored %d bytes starting %q, want %d starting %q", len(got), got[:min(8, len(got))], len(tt.want), tt.want[:8])
			}
		})
	}
}

// flacStream builds a FLAC file: STREAMINFO, the given blocks (the last one
// flagged) and a frame.
func flacStream(blocks ...[]byte) []byte {
	f := append([]byte("fLaC\x00\x00\x00\x22"), bytes.Repeat([]byte{0x12}, 34)...)
	for i, b := range blocks {
		typ := b[0]
		if i == len(blocks)-1 {
			typ |= 0x80
		}
		n := len(b) - 1
		f = append(f, typ, byte(n>>16), byte(n>>8), byte(n))
		f = append(f, b[1:]...)
	}
	return append(f, "\xff\xf8FRAME"...)
}

func TestStripFLAC(t *testing.T) {
	comment := append([]byte{4}, "\x05\x00\x00\x00xiph!\x01\x00\x00\x00\x13\x00\x00\x00LOCATION=GPS-SECRET"...)
	picture := append([]byte{6}, "\x00\x00\x00\x03\x00\x00\x00\x0aimage/jpeg...GPS-SECRET"...)
	seek := append([]byte{3}, make([]byte, 18)...)
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"plain", flacStream(comment, seek, picture)},
		{"behind id3", append(id3v2(3, "GPS-SECRET", false), flacStream(seek, comment)...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, got := storedBytes(t, tt.data)
			want := tt.data[res.Start:]
			if res.ContentType != "audio/flac" || !bytes.HasPrefix(got, []byte("fLaC")) || len(got) != len(want) {
				t.Fatalf("got %s, %d bytes starting %q; want audio/flac, %d bytes", res.ContentType, len(got), got[:4], len(want))
			}
			if bytes.Contains(got, []byte("GPS-SECRET")) || bytes.Contains(got, []byte("xiph")) {
				t.Error("stored file still has the comment or picture")
			}
			// Same blocks, the comment and picture now padding.
			for pos := 4; ; {
				typ, wantTyp := got[pos], want[pos]
				if wantTyp&0x7f == 4 || wantTyp&0x7f == 6 {
					wantTyp = wantTyp&0x80 | 1
				}
				if typ != wantTyp {
					t.Errorf("block at %d has type %#x, want %#x", pos, typ, wantTyp)
				}
				n := int(got[pos+1])<<16 | int(got[pos+2])<<8 | int(got[pos+3])
				if typ&0x7f == 1 && !bytes.Equal(got[pos+4:pos+4+n], make([]byte, n)) {
					t.Errorf("padding at %d is not zeroed", pos)
				}
				if typ&0x7f != 1 && !bytes.Equal(got[pos+4:pos+4+n], want[pos+4:pos+4+n]) {
					t.Errorf("block at %d changed", pos)
				}
				pos += 4 + n
				if typ&0x80 != 0 {
					if !bytes.Equal(got[pos:], []byte("\xff\xf8FRAME")) {
						t.Errorf("frames are %q", got[pos:])
					}
					break
				}
			}
		})
	}
}

func TestStripWAV(t *testing.T) {
	chunk := func(id string, data string) []byte {
		c := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
		c = append(c, data...)
		if len(data)%2 == 1 {
			c = append(c, 0)
		}
		return c
	}
	fmtChunk := chunk("fmt ", "\x01\x00\x01\x00\x44\xac\x00\x00\x88\x58\x01\x00\x02\x00\x10\x00")
	body := bytes.Join([][]byte{
		[]byte("WAVE"), fmtChunk,
		chunk("LIST", "INFOIART\x0b\x00\x00\x00GPS-SECRET\x00\x00"),
		chunk("data", "\x01\x02\x03\x04\x05\x06\x07"),
		chunk("id3 ", "ID3\x03\x00\x00\x00\x00\x00\x0bGPS-SECRET!"),
	}, nil)
	data := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	data = append(data, body...)
	riffEnd := len(data)
	data = append(data, id3v1("GPS-SECRET")...) // appended by a tagger, after the RIFF data

	res, got := storedBytes(t, data)
	if res.ContentType != "audio/wav" || len(got) != riffEnd {
		t.Fatalf("got %s, %d bytes; want audio/wav, %d bytes", res.ContentType, len(got), riffEnd)
	}
	if bytes.Contains(got, []byte("GPS-SECRET")) || bytes.Contains(got, []byte("LIST")) || bytes.Contains(got, []byte("id3 ")) {
		t.Error("stored file still has tags")
	}
	var ids []string
	for pos := 12; pos < len(got); {
		id, n := string(got[pos:pos+4]), int(binary.LittleEndian.Uint32(got[pos+4:]))
		ids = append(ids, id)
		if id == "JUNK" && !bytes.Equal(got[pos+8:pos+8+n], make([]byte, n)) {
			t.Errorf("JUNK at %d is not zeroed", pos)
		}
		if id != "JUNK" && !bytes.Equal(got[pos:pos+8+n], data[pos:pos+8+n]) {
			t.Errorf("%s chunk changed", id)
		}
		pos += 8 + n + n%2
	}
	if s := strings.Join(ids, ","); s != "fmt ,JUNK,data,JUNK" {
		t.Errorf("chunks %s", s)
	}
}

func TestProcessAPNG(t *testing.T) {
	apng := func(frames int) []byte {
		p := encodePNG(t, gradient(10, 10))
		var extra []byte
		for i := range frames {
			extra = append(extra, pngChunk("fcTL", binary.BigEndian.AppendUint32(make([]byte, 22), uint32(i)))...)
		}
		actl := binary.BigEndian.AppendUint32(nil, uint32(frames))
		actl = binary.BigEndian.AppendUint32(actl, 0)
		return insertPNGChunk(p, append(pngChunk("acTL", actl), extra...))
	}
	lim := Limits{ImagePixels: 100}
	data := apng(4)
	res, err := Process(bytes.NewReader(data), int64(len(data)), lim, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(res.Original, []byte("fcTL")) {
		t.Error("animation dropped")
	}
	data = apng(5)
	_, err = Process(bytes.NewReader(data), int64(len(data)), lim, Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "animation has too many frames: 5 frames of 10x10 pixels") {
		t.Errorf("err = %v, want too many frames", err)
	}
}

// Stored reads the patched range the same through Read, ReadAt and Seek,
// in any chunk size.
func TestStored(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	src := make([]byte, 10_000)
	for i := range src {
		src[i] = byte(r.IntN(256))
	}
	for round := range 50 {
		res := &Result{Start: int64(r.IntN(100)), End: int64(9_000 + r.IntN(1_001))}
		if round%5 == 0 {
			res.End = 0
		}
		end := res.End
		if end == 0 {
			end = int64(len(src))
		}
		want := append([]byte{}, src[res.Start:end]...)
		var p patcher
		for off := res.Start + int64(r.IntN(50)); off < end-200; off += int64(10 + r.IntN(500)) {
			n := int64(1 + r.IntN(150))
			if r.IntN(2) == 0 {
				p.zero(off, n)
				clear(want[off-res.Start : off-res.Start+n])
			} else {
				d := []byte(fmt.Sprint(off))
				p.write(off, d)
				n = int64(len(d))
				copy(want[off-res.Start:], d)
			}
			off += n
		}
		res.Patches = p.patches
		rd, n := res.Stored(bytes.NewReader(src), int64(len(src)))
		if n != int64(len(want)) {
			t.Fatalf("n = %d, want %d", n, len(want))
		}
		var got []byte
		buf := make([]byte, 1+r.IntN(700))
		for {
			k, err := rd.Read(buf)
			got = append(got, buf[:k]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("round %d: Read differs from the patched range", round)
		}
		ra := rd.(io.ReaderAt)
		for range 20 {
			off := r.IntN(len(want) + 10)
			part := make([]byte, r.IntN(300))
			k, err := ra.ReadAt(part, int64(off))
			if wantK := max(0, min(len(part), len(want)-off)); k != wantK || k < len(part) && err != io.EOF {
				t.Fatalf("ReadAt(%d bytes, %d) = %d, %v; want %d", len(part), off, k, err, wantK)
			}
			if k > 0 && !bytes.Equal(part[:k], want[off:off+k]) {
				t.Fatalf("ReadAt(%d bytes, %d) differs", len(part), off)
			}
		}
	}

	img := &Result{Original: []byte("img")}
	rd, n := img.Stored(nil, 99)
	if b, _ := io.ReadAll(rd); string(b) != "img" || n != 3 {
		t.Errorf("image Stored = %q, %d", b, n)
	}
}
