package media

import "encoding/binary"

// stripWebP copies a WebP RIFF container chunk by chunk, dropping the EXIF
// and XMP chunks, clearing their flags in VP8X, fixing the RIFF size and
// dropping anything after the RIFF data. It reports whether the VP8X header
// marks the image as animated.
func stripWebP(data []byte) (out []byte, animated bool, err error) {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return nil, false, errStructure
	}
	end := uint64(binary.LittleEndian.Uint32(data[4:])) + 8
	if end > uint64(len(data)) || end < 12 {
		return nil, false, errStructure
	}
	data = data[:end]
	out = make([]byte, 0, len(data))
	out = append(out, data[:12]...)
	for i := 12; i < len(data); {
		if i+8 > len(data) {
			return nil, false, errStructure
		}
		fourcc := string(data[i : i+4])
		n := uint64(binary.LittleEndian.Uint32(data[i+4:]))
		n += n & 1 // padding
		if n > uint64(len(data)-i-8) {
			if n-1 != uint64(len(data)-i-8) { // tolerate a missing final pad byte
				return nil, false, errStructure
			}
			n--
		}
		chunk := data[i : i+8+int(n)]
		i += len(chunk)
		switch fourcc {
		case "EXIF", "XMP ":
			continue
		case "VP8X":
			if len(chunk) < 9 {
				return nil, false, errStructure
			}
			const animationBit, xmpBit, exifBit = 1 << 1, 1 << 2, 1 << 3
			animated = chunk[8]&animationBit != 0
			out = append(out, chunk...)
			out[len(out)-len(chunk)+8] &^= xmpBit | exifBit
			continue
		}
		out = append(out, chunk...)
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, animated, nil
}
