package media

import (
	"bytes"
	"encoding/binary"
	"errors"
)

var errStructure = errors.New("malformed container")

// stripJPEG rewrites a JPEG segment by segment, keeping what decoding and
// colour need (APP0 JFIF without its thumbnail, APP2 ICC profile, APP14
// Adobe, tables, frames and scans) and dropping the other APPn segments
// (EXIF, XMP, IPTC, MPF), comments and anything after EOI, such as the extra
// images phones append. It also returns the EXIF orientation, 1 if absent.
// The image data is copied byte for byte.
func stripJPEG(data []byte) (out []byte, orientation int, err error) {
	if len(data) < 2 || data[0] != 0xff || data[1] != 0xd8 {
		return nil, 0, errStructure
	}
	out = make([]byte, 0, len(data))
	out = append(out, 0xff, 0xd8)
	orientation = 0
	i := 2
	for i < len(data) {
		if data[i] != 0xff {
			return nil, 0, errStructure
		}
		for i+1 < len(data) && data[i+1] == 0xff { // fill bytes
			i++
		}
		if i+1 >= len(data) {
			break
		}
		m := data[i+1]
		if m == 0xd9 { // EOI
			out = append(out, 0xff, 0xd9)
			break
		}
		if m == 0x01 || m >= 0xd0 && m <= 0xd7 { // TEM, RSTn: no length
			out = append(out, 0xff, m)
			i += 2
			continue
		}
		if i+4 > len(data) {
			return nil, 0, errStructure
		}
		end := i + 2 + int(binary.BigEndian.Uint16(data[i+2:]))
		if end < i+4 || end > len(data) {
			return nil, 0, errStructure
		}
		seg, payload := data[i:end], data[i+4:end]
		i = end
		switch {
		case m == 0xe1: // EXIF or XMP
			if orientation == 0 && bytes.HasPrefix(payload, []byte("Exif\x00\x00")) {
				orientation = exifOrientation(payload[6:])
			}
		case m == 0xe0:
			if bytes.HasPrefix(payload, []byte("JFIF\x00")) && len(payload) >= 14 {
				// Keep density, drop the embedded thumbnail.
				out = append(out, 0xff, 0xe0, 0, 16)
				out = append(out, payload[:12]...)
				out = append(out, 0, 0)
			}
		case m == 0xe2:
			if bytes.HasPrefix(payload, []byte("ICC_PROFILE\x00")) {
				out = append(out, seg...)
			}
		case m == 0xee: // Adobe: colour transform flag
			out = append(out, seg...)
		case m >= 0xe0 && m <= 0xef, m == 0xfe: // other APPn, COM
		case m == 0xda: // SOS: copy the entropy-coded data up to the next marker
			out = append(out, seg...)
			j := i
			for j+1 < len(data) && !(data[j] == 0xff && data[j+1] != 0 && (data[j+1] < 0xd0 || data[j+1] > 0xd7)) {
				j++
			}
			if j+1 >= len(data) {
				j = len(data)
			}
			out = append(out, data[i:j]...)
			i = j
		default:
			out = append(out, seg...)
		}
	}
	if orientation == 0 {
		orientation = 1
	}
	return out, orientation, nil
}

// exifOrientation reads tag 0x0112 from IFD0 of a TIFF header, returning 1
// when it is absent, out of range or anything about the header is off.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := uint64(bo.Uint32(t[4:]))
	if off+2 > uint64(len(t)) {
		return 1
	}
	n := uint64(bo.Uint16(t[off:]))
	for e := off + 2; e+12 <= uint64(len(t)) && n > 0; e, n = e+12, n-1 {
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		var v uint32
		switch bo.Uint16(t[e+2:]) { // type
		case 3: // SHORT
			v = uint32(bo.Uint16(t[e+8:]))
		case 4: // LONG, seen from some writers
			v = bo.Uint32(t[e+8:])
		}
		if v >= 1 && v <= 8 {
			return int(v)
		}
		return 1
	}
	return 1
}
