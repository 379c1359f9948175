package media

import "bytes"

// stripGIF copies a GIF block by block, dropping comment extensions and
// application extensions other than the looping ones (NETSCAPE2.0,
// ANIMEXTS1.0), and anything after the trailer. It returns the number of
// frames, which Process uses to bound the work of playing the animation.
func stripGIF(data []byte) (out []byte, frames int, err error) {
	if len(data) < 13 {
		return nil, 0, errStructure
	}
	i := 13 // header and logical screen descriptor
	if flags := data[10]; flags&0x80 != 0 {
		i += 3 << (flags&7 + 1) // global colour table
	}
	if i > len(data) {
		return nil, 0, errStructure
	}
	out = make([]byte, 0, len(data))
	out = append(out, data[:i]...)
	for {
		if i >= len(data) {
			return nil, 0, errStructure
		}
		start := i
		switch data[i] {
		case 0x3b: // trailer
			return append(out, 0x3b), frames, nil
		case 0x2c: // image descriptor, optional local colour table, LZW code size, data
			if i+10 > len(data) {
				return nil, 0, errStructure
			}
			i += 10
			if flags := data[i-1]; flags&0x80 != 0 {
				i += 3 << (flags&7 + 1)
			}
			i++ // LZW minimum code size
			if i, err = skipSubBlocks(data, i); err != nil {
				return nil, 0, err
			}
			frames++
			out = append(out, data[start:i]...)
		case 0x21: // extension
			if i+3 > len(data) {
				return nil, 0, errStructure
			}
			// Fixed-size headers come before the data sub-blocks, read the
			// way image/gif reads them (an application header may be empty).
			label, fixed := data[i+1], 0
			switch label {
			case 0x01: // plain text
				fixed = 13
			case 0xff: // application
				if i+2 < len(data) {
					fixed = 1 + int(data[i+2])
				}
			}
			if i, err = skipSubBlocks(data, i+2+fixed); err != nil {
				return nil, 0, err
			}
			keep := label != 0xfe // comment
			if label == 0xff {
				id := data[start+2:]
				keep = id[0] == 11 &&
					(bytes.HasPrefix(id[1:], []byte("NETSCAPE2.0")) || bytes.HasPrefix(id[1:], []byte("ANIMEXTS1.0")))
			}
			if keep {
				out = append(out, data[start:i]...)
			}
		default:
			return nil, 0, errStructure
		}
	}
}

// skipSubBlocks returns the index just past the data sub-blocks starting at i.
func skipSubBlocks(data []byte, i int) (int, error) {
	for {
		if i >= len(data) {
			return 0, errStructure
		}
		n := int(data[i])
		i += 1 + n
		if n == 0 {
			return i, nil
		}
	}
}
