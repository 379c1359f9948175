package media

import (
	"encoding/binary"
	"io"
)

// maxWAVChunks bounds the chunks of a WAV file.
const maxWAVChunks = 10_000

// wavKeep lists the WAV chunks that describe or hold the sound. Every other
// chunk (LIST INFO with artist and comments, id3 and ID3 tags, bext with
// the originator and date, iXML, _PMX XMP) becomes a JUNK chunk of the same
// size with a zeroed payload.
var wavKeep = map[string]bool{
	"fmt ": true, "data": true, "fact": true, "cue ": true, "smpl": true,
	"inst": true, "plst": true, "slnt": true,
}

// stripWAV records patches blanking the chunks of a RIFF WAVE file that are
// not in wavKeep, and returns where the RIFF data ends: bytes after it (an
// appended ID3 tag, say) are not stored. It sets res.Duration from the
// size of the data chunk and the byte rate in the fmt chunk.
func stripWAV(src io.ReaderAt, size int64, p *patcher, res *Result) (end int64, err error) {
	var h [12]byte
	if size < 12 {
		return 0, errStructure
	}
	if err := readAt(src, h[:12], 0); err != nil {
		return 0, err
	}
	end = 8 + int64(binary.LittleEndian.Uint32(h[4:]))
	if n := binary.LittleEndian.Uint32(h[4:]); n == 0 || n == 0xffffffff || end > size {
		end = size // written by a streaming encoder, or cut short
	}
	pos := int64(12)
	var byteRate, dataSize int64
	for chunks := 0; pos < end; chunks++ {
		if chunks >= maxWAVChunks {
			return 0, errStructure
		}
		if end-pos < 8 {
			p.zero(pos, end-pos) // padding the writer left inside the RIFF size
			break
		}
		if err := readAt(src, h[:8], pos); err != nil {
			return 0, err
		}
		id, n := string(h[:4]), int64(binary.LittleEndian.Uint32(h[4:8]))
		room := end - pos - 8
		if n+n&1 > room {
			switch {
			case id == "data":
				n = room // an unknown or too large size: the sound runs to the end
			case n == room: // the last chunk's pad byte is missing
			default:
				return 0, errStructure
			}
		}
		switch {
		case id == "fmt " && n >= 12:
			// format, channels, sample rate, then the average bytes a second
			if err := readAt(src, h[:4], pos+8+8); err != nil {
				return 0, err
			}
			byteRate = int64(binary.LittleEndian.Uint32(h[:4]))
		case id == "data":
			dataSize += n
		}
		if !wavKeep[id] {
			if id != "JUNK" {
				p.write(pos, []byte("JUNK"))
			}
			p.zero(pos+8, n)
		}
		pos += 8 + n + n&1
	}
	if byteRate > 0 {
		res.Duration = float64(dataSize) / float64(byteRate)
	}
	return end, nil
}
