package media

import (
	"encoding/binary"
	"io"
)

// maxFLACBlocks bounds the metadata blocks of a FLAC file.
const maxFLACBlocks = 10_000

// stripFLAC records patches turning the metadata blocks of the FLAC stream
// at start that players do not need (VORBIS_COMMENT, PICTURE, APPLICATION,
// which flac --keep-foreign-metadata fills with WAV chunks) into PADDING of
// the same length with a zeroed payload, keeping the last-block flag. It
// zeroes existing padding too. STREAMINFO, SEEKTABLE and CUESHEET stay. It
// sets res.Duration from STREAMINFO when that gives the number of samples.
func stripFLAC(src io.ReaderAt, start, end int64, p *patcher, res *Result) error {
	const (
		streamInfo = 0
		padding    = 1
		invalid    = 127
	)
	var h [4]byte
	pos := start + 4 // "fLaC"
	for blocks := 0; ; blocks++ {
		if blocks >= maxFLACBlocks || end-pos < 4 {
			return errStructure
		}
		if err := readAt(src, h[:], pos); err != nil {
			return err
		}
		last, typ := h[0]&0x80, h[0]&0x7f
		n := int64(h[1])<<16 | int64(h[2])<<8 | int64(h[3])
		if typ == invalid || n > end-pos-4 || blocks == 0 && typ != streamInfo {
			return errStructure
		}
		switch typ {
		case streamInfo:
			// Bytes 10 to 17: sample rate (20 bits), channels (3), bits
			// per sample (5), total samples (36; 0 when unknown).
			if n >= 18 {
				var si [8]byte
				if err := readAt(src, si[:], pos+4+10); err != nil {
					return err
				}
				rate := int64(si[0])<<12 | int64(si[1])<<4 | int64(si[2])>>4
				samples := int64(si[3]&0x0f)<<32 | int64(binary.BigEndian.Uint32(si[4:]))
				if rate > 0 {
					res.Duration = float64(samples) / float64(rate)
				}
			}
		case padding:
			p.zero(pos+4, n)
		case 2, 4, 6: // APPLICATION, VORBIS_COMMENT, PICTURE
			p.write(pos, []byte{last | padding})
			p.zero(pos+4, n)
		}
		pos += 4 + n
		if last != 0 {
			return nil
		}
	}
}
