package media

import "encoding/binary"

// pngKeep lists the chunks that affect how a PNG or APNG looks. cICP, mDCv
// and cLLi are the colour-space chunks of the third edition of the spec.
var pngKeep = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true, "tRNS": true,
	"gAMA": true, "cHRM": true, "sRGB": true, "iCCP": true, "sBIT": true,
	"pHYs": true, "bKGD": true, "acTL": true, "fcTL": true, "fdAT": true,
	"cICP": true, "mDCv": true, "cLLi": true,
}

// stripPNG copies the chunks in pngKeep whole (so their CRCs stay valid) and
// drops the rest: text, eXIf, tIME, private chunks and anything after IEND.
// It returns the number of APNG frames (fcTL chunks), which Process uses to
// bound the work of playing the animation.
func stripPNG(data []byte) (out []byte, frames int, err error) {
	const sig = "\x89PNG\r\n\x1a\n"
	if len(data) < len(sig) || string(data[:len(sig)]) != sig {
		return nil, 0, errStructure
	}
	out = make([]byte, 0, len(data))
	out = append(out, sig...)
	for i := len(sig); ; {
		if i+12 > len(data) {
			return nil, 0, errStructure
		}
		n := uint64(binary.BigEndian.Uint32(data[i:]))
		if n > uint64(len(data)-i-12) {
			return nil, 0, errStructure
		}
		end := i + 12 + int(n)
		typ := string(data[i+4 : i+8])
		if typ == "fcTL" {
			frames++
		}
		if pngKeep[typ] {
			out = append(out, data[i:end]...)
		}
		i = end
		if typ == "IEND" {
			return out, frames, nil
		}
	}
}
