package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

// ebmlSized builds a Matroska element whose size field is sizeLen bytes
// long (0: unknown size, 8 bytes of ones).
func ebmlSized(id uint32, sizeLen int, payload ...[]byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, id)
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	body := bytes.Join(payload, nil)
	if sizeLen == 0 {
		b = append(b, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	} else {
		size := binary.BigEndian.AppendUint64(nil, uint64(len(body)))[8-sizeLen:]
		size[0] |= 0x80 >> (sizeLen - 1)
		b = append(b, size...)
	}
	return append(b, body...)
}

// ebml builds an element with a size field of 2 bytes.
func ebml(id uint32, payload ...[]byte) []byte { return ebmlSized(id, 2, payload...) }

func ebmlUint(id uint32, v uint64) []byte {
	return ebml(id, binary.BigEndian.AppendUint64(nil, v)[5:])
}

// webmFile builds a WebM file with a segment of unknown size, holding Info
// (duration, date, title), two tracks, Tags and Attachments with size
// fields of the given lengths, and a cluster of each kind of size.
func webmFile(tagsSizeLen, attachmentsSizeLen int) []byte {
	info := ebml(infoID,
		ebmlUint(timestampScaleID, 1_000_000),
		ebml(durationID, binary.BigEndian.AppendUint64(nil, math.Float64bits(12345))),
		ebml(dateUTCID, []byte("\x06\x5a\x1b\x2c\x3d\x4e\x5f\x60")),
		ebml(titleID, []byte("secret title")),
		ebml(0x4d80, []byte("Lavf")))
	tracks := ebml(tracksID,
		ebml(trackEntryID, ebmlUint(trackTypeID, 2)),
		ebml(trackEntryID, ebmlUint(0xd7, 2), ebmlUint(trackTypeID, 1), ebml(videoID, ebmlUint(pixelWidthID, 1280), ebmlUint(pixelHeightID, 720))),
		ebml(trackEntryID, ebmlUint(trackTypeID, 1), ebml(videoID, ebmlUint(pixelWidthID, 9), ebmlUint(pixelHeightID, 9))))
	tags := ebmlSized(tagsID, tagsSizeLen, ebml(0x7373, ebml(0x67c8, ebml(0x45a3, []byte("LOCATION")), ebml(0x4487, []byte("secret +52.52+013.40")))))
	attachments := ebmlSized(attachmentsID, attachmentsSizeLen, ebml(0x61a7, ebml(0x466e, []byte("cover.jpg")), ebml(0x465c, []byte("secret picture"))))
	cluster := ebml(clusterID, ebmlUint(0xe7, 0), ebml(0xa3, []byte("\x81\x00\x00\x80frame")))
	live := ebmlSized(clusterID, 0, ebmlUint(0xe7, 40), ebml(0xa3, []byte("\x81\x00\x00\x80frame")))
	segment := ebmlSized(segmentID, 0, ebml(0x114d9b74), info, tracks, tags, cluster, live, attachments, ebml(0x1c53bb6b))
	return append(ebml(ebmlHeaderID, ebml(0x4282, []byte("webm"))), segment...)
}

// webmTop lists the IDs of the elements inside the segment of a file made
// by webmFile, checking that they tile it, and that Void payloads are zero.
func webmTop(t *testing.T, data []byte) []uint32 {
	t.Helper()
	vint := func(b []byte) (v uint64, n int) {
		for n = 1; b[0]&(0x80>>(n-1)) == 0; n++ {
		}
		v = uint64(b[0] & (0xff >> n))
		for _, c := range b[1:n] {
			v = v<<8 | uint64(c)
		}
		return v, n
	}
	var ids []uint32
	pos := bytes.Index(data, []byte("\x18\x53\x80\x67")) + 4 + 8
	for pos < len(data) {
		_, idLen := vint(data[pos:])
		id := uint32(0)
		for _, c := range data[pos : pos+idLen] {
			id = id<<8 | uint32(c)
		}
		size, sizeLen := vint(data[pos+idLen:])
		if id == clusterID && sizeLen == 8 && size == 1<<56-1 {
			// the live cluster: its children are two small elements
			size = uint64(len(ebmlUint(0xe7, 40)) + len(ebml(0xa3, []byte("\x81\x00\x00\x80frame"))))
		}
		end := pos + idLen + sizeLen + int(size)
		if end > len(data) {
			t.Fatalf("element %#x at %d ends at %d, past the end", id, pos, end)
		}
		if id == voidID && !bytes.Equal(data[pos+idLen+sizeLen:end], make([]byte, int(size))) {
			t.Errorf("void at %d is not zeroed", pos)
		}
		ids = append(ids, id)
		pos = end
	}
	return ids
}

func TestStripWebM(t *testing.T) {
	for _, tt := range []struct {
		name                  string
		tagsSize, attachments int
	}{
		{"short sizes", 1, 2},
		{"sizes of 5 and 6 bytes", 5, 6},
		{"sizes of 8 bytes", 8, 7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := webmFile(tt.tagsSize, tt.attachments)
			res, got := storedBytes(t, data)
			if res.Type != "video" || len(got) != len(data) {
				t.Fatalf("got %s, %d bytes; want video, %d", res.Type, len(got), len(data))
			}
			if bytes.Contains(got, []byte("secret")) || bytes.Contains(got, []byte("\x06\x5a\x1b\x2c")) {
				t.Error("stored file keeps tags, attachments, title or date")
			}
			if res.Width != 1280 || res.Height != 720 || res.Duration != 12.345 {
				t.Errorf("got %dx%d, %v s; want 1280x720, 12.345 s", res.Width, res.Height, res.Duration)
			}
			want := []uint32{0x114d9b74, infoID, tracksID, voidID, clusterID, clusterID, voidID, 0x1c53bb6b}
			if ids := webmTop(t, got); !equalIDs(ids, want) {
				t.Errorf("segment holds %x, want %x", ids, want)
			}
			info := bytes.Index(got, []byte("\x15\x49\xa9\x66"))
			if !bytes.Contains(got[info:info+80], []byte("Lavf")) {
				t.Error("muxing app lost")
			}
		})
	}
}

func equalIDs(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestStripWebMRefuses(t *testing.T) {
	good := webmFile(1, 1)
	unknownTags := append(ebml(ebmlHeaderID), ebmlSized(segmentID, 2, ebmlSized(tagsID, 0))...)
	beyond := append(ebml(ebmlHeaderID), ebmlSized(segmentID, 2, ebml(infoID))...)
	beyond[len(beyond)-1] = 9 // Info claims more than the segment holds
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"truncated", good[:len(good)-3]},
		{"no segment", append(ebml(ebmlHeaderID), ebml(infoID)...)},
		{"tags of unknown size", unknownTags},
		{"child beyond parent", beyond},
		{"zero ID byte", append(bytes.Clone(good[:len(good)-3]), 0, 0, 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Process(bytes.NewReader(tt.data), int64(len(tt.data)), DefaultLimits, Options{})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}
