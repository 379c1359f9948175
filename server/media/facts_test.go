package media

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// isoTrak builds a trak box: a tkhd of the given version with the matrix
// and 16.16 size, and mdia with an mdhd of the given timescale, a hdlr of
// the handler type, a QuickTime data handler in minf and an stts with the
// (count, delta) entries.
func isoTrak(version byte, handler string, matrix [9]int32, width, height uint32, timescale uint32, stts ...uint32) []byte {
	be := binary.BigEndian
	var times []byte // creation, modification, track_ID, reserved, duration
	if version == 1 {
		times = append(append(append([]byte{}, recordedAt...), recordedAt...), make([]byte, 16)...)
	} else {
		times = append(append([]byte{}, recordedAt...), make([]byte, 12)...)
	}
	rest := make([]byte, 16) // reserved, layer, alternate_group, volume, reserved
	for _, m := range matrix {
		rest = be.AppendUint32(rest, uint32(m))
	}
	rest = be.AppendUint32(be.AppendUint32(rest, width<<16), height<<16)
	var entries []byte
	entries = be.AppendUint32(entries, uint32(len(stts)/2))
	for _, v := range stts {
		entries = be.AppendUint32(entries, v)
	}
	mdhd := fullBox(0, recordedAt, be.AppendUint32(nil, timescale), make([]byte, 8))
	hdlr := func(typ string) []byte {
		return box("hdlr", fullBox(0, make([]byte, 4), []byte(typ), make([]byte, 13)))
	}
	return box("trak",
		box("tkhd", fullBox(version, times, rest)),
		box("mdia", box("mdhd", mdhd), hdlr(handler),
			box("minf", hdlr("alis"), box("stbl", box("stsd", fullBox(0, make([]byte, 4))), box("stts", fullBox(0, entries))))))
}

// isoMovie builds an MP4 whose mvhd (of the given version) has the
// timescale and duration, holding the tracks.
func isoMovie(brand string, version byte, timescale uint32, duration uint64, traks ...[]byte) []byte {
	be := binary.BigEndian
	var mvhd []byte
	if version == 1 {
		mvhd = fullBox(1, recordedAt, recordedAt, be.AppendUint32(nil, timescale), be.AppendUint64(nil, duration), make([]byte, 80))
	} else {
		mvhd = fullBox(0, recordedAt, be.AppendUint32(nil, timescale), be.AppendUint32(nil, uint32(duration)), make([]byte, 80))
	}
	moov := box("moov", append([][]byte{box("mvhd", mvhd)}, traks...)...)
	return bytes.Join([][]byte{box("ftyp", []byte(brand), []byte{0, 0, 2, 0}, []byte("isomiso2")), moov, box("mdat", []byte("frames"))}, nil)
}

var (
	identity = [9]int32{0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000}
	turn90   = [9]int32{0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000}
	turn270  = [9]int32{0, -0x10000, 0, 0x10000, 0, 0, 0, 0, 0x40000000}
)

func TestISOFacts(t *testing.T) {
	sound := isoTrak(0, "soun", identity, 0, 0, 44100, 100, 1024)
	tests := []struct {
		name          string
		data          []byte
		width, height int
		duration      float64
		frameRate     string
	}{
		{"landscape", isoMovie("isom", 0, 1000, 83450, sound, isoTrak(0, "vide", identity, 1920, 1080, 30000, 100, 1000)),
			1920, 1080, 83.45, "30/1"},
		{"portrait, 90°, version 1 headers", isoMovie("qt  ", 1, 600, 600*12, isoTrak(1, "vide", turn90, 1920, 1080, 30000, 359, 1001, 1, 0)),
			1080, 1920, 12, "30000/1001"},
		{"portrait, 270°", isoMovie("isom", 0, 90000, 45000, isoTrak(0, "vide", turn270, 640, 480, 90000, 10, 3000)),
			480, 640, 0.5, "30/1"},
		{"variable frame rate, second video track ignored", isoMovie("isom", 0, 1000, 2000,
			isoTrak(0, "vide", identity, 320, 240, 600, 2, 20, 1, 30, 1, 0), isoTrak(0, "vide", identity, 99, 99, 1, 1, 1)),
			320, 240, 2, "180/7"}, // 3 frames in 70 ticks of 1/600 s
		{"audio only", isoMovie("M4A ", 0, 44100, 44100*3, sound), 0, 0, 3, ""},
		{"unknown duration", isoMovie("isom", 0, 1000, 0xffffffff, sound), 0, 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, got := storedBytes(t, tt.data)
			if res.Width != tt.width || res.Height != tt.height || res.Duration != tt.duration || res.FrameRate != tt.frameRate {
				t.Errorf("got %dx%d, %v s, %q; want %dx%d, %v s, %q", res.Width, res.Height, res.Duration, res.FrameRate,
					tt.width, tt.height, tt.duration, tt.frameRate)
			}
			if bytes.Contains(got, recordedAt) {
				t.Error("recording times kept")
			}
		})
	}
}

func TestFrameRate(t *testing.T) {
	entries := func(v ...uint32) []byte {
		var b []byte
		for _, x := range v {
			b = binary.BigEndian.AppendUint32(b, x)
		}
		return b
	}
	for _, tt := range []struct {
		timescale uint32
		entries   []byte
		want      string
	}{
		{24000, entries(100, 1001), "24000/1001"},
		{600, entries(1, 25), "24/1"},
		{0, entries(1, 25), ""},
		{600, entries(0, 25, 5, 0), ""},
		{1 << 31, entries(0xffffffff, 0xffffffff, 0xffffffff, 0xfffffffe), ""}, // ticks overflow
		{90000, entries(1, 3000, 1, 6000), "20/1"},
	} {
		if got := frameRate(tt.timescale, tt.entries); got != tt.want {
			t.Errorf("frameRate(%d, %x) = %q, want %q", tt.timescale, tt.entries, got, tt.want)
		}
	}
}

func TestAudioDuration(t *testing.T) {
	// STREAMINFO: 44.1 kHz, stereo, 16 bits, 441000 samples.
	si := make([]byte, 34)
	copy(si[10:], []byte{0x0a, 0xc4, 0x42, 0xf0, 0x00, 0x06, 0xba, 0xa8})
	flac := append([]byte("fLaC\x80\x00\x00\x22"), si...)
	flac = append(flac, "\xff\xf8FRAME"...)

	riff := func(body []byte) []byte {
		return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)+4))...), append([]byte("WAVE"), body...)...)
	}
	// 8 kHz, mono, 16 bits: 16000 bytes a second; 4000 bytes of data.
	fmtChunk := []byte("fmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00")
	wav := riff(append(fmtChunk, append([]byte("data\xa0\x0f\x00\x00"), make([]byte, 4000)...)...))

	// An MPEG-1 layer III frame (128 kbit/s, 44.1 kHz, joint stereo) with
	// an Info header counting 100 frames of 1152 samples.
	frame := append([]byte("\xff\xfb\x90\x64"), make([]byte, 413)...)
	copy(frame[4+32:], "Info\x00\x00\x00\x01\x00\x00\x00\x64")
	monoXing := append([]byte("\xff\xfb\x90\xc4"), make([]byte, 413)...)
	copy(monoXing[4+17:], "Xing\x00\x00\x00\x03\x00\x00\x00\x64")

	for _, tt := range []struct {
		name string
		data []byte
		want float64
	}{
		{"flac", flac, 10},
		{"wav", wav, 0.25},
		{"mp3 info", append(id3v2(3, "x", false), append(frame, mp3Frames...)...), 100 * 1152 / 44100.0},
		{"mp3 xing mono", append(monoXing, mp3Frames...), 100 * 1152 / 44100.0},
		{"mp3 without", mp3Frames, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := storedBytes(t, tt.data)
			if res.Duration != tt.want || res.Width != 0 || res.FrameRate != "" {
				t.Errorf("got %v s, %dx%d, %q; want %v s", res.Duration, res.Width, res.Height, res.FrameRate, tt.want)
			}
		})
	}
}
