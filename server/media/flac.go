package media

import "io"

// maxFLACBlocks bounds the metadata blocks of a FLAC file.
const maxFLACBlocks = 10_000

// stripFLAC records patches turning the metadata blocks of the FLAC stream
// at start that players do not need (VORBIS_COMMENT, PICTURE, APPLICATION,
// which flac --keep-foreign-metadata fills with WAV chunks) into PADDING of
// the same length with a zeroed payload, keeping the last-block flag. It
// zeroes existing padding too. STREAMINFO, SEEKTABLE and CUESHEET stay.
func stripFLAC(src io.ReaderAt, start, end int64, p *patcher) error {
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
