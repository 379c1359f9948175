package media

import (
	"image"
	"image/color"

	"golang.org/x/image/draw"
)

// orient returns img turned the way EXIF orientation o (2 to 8) says it
// should be shown. YCbCr (JPEG) and Gray images are turned plane by plane,
// keeping their type; others become RGBA.
func orient(img image.Image, o int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	switch m := img.(type) {
	case *image.YCbCr:
		ratio := m.SubsampleRatio
		if o >= 5 {
			switch ratio {
			case image.YCbCrSubsampleRatio422:
				ratio = image.YCbCrSubsampleRatio440
			case image.YCbCrSubsampleRatio440:
				ratio = image.YCbCrSubsampleRatio422
			case image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410:
				ratio = -1 // no transposed form
			}
		}
		if ratio < 0 || b.Min != (image.Point{}) {
			break
		}
		d := image.NewYCbCr(image.Rect(0, 0, dw, dh), ratio)
		cw, ch := chromaSize(m)
		turnPlane(d.Y, d.YStride, m.Y, m.YStride, w, h, 1, o)
		turnPlane(d.Cb, d.CStride, m.Cb, m.CStride, cw, ch, 1, o)
		turnPlane(d.Cr, d.CStride, m.Cr, m.CStride, cw, ch, 1, o)
		return d
	case *image.Gray:
		if b.Min != (image.Point{}) {
			break
		}
		d := image.NewGray(image.Rect(0, 0, dw, dh))
		turnPlane(d.Pix, d.Stride, m.Pix, m.Stride, w, h, 1, o)
		return d
	}
	// Anything else (CMYK JPEGs) is converted pixel by pixel, without a
	// second full-size copy.
	d := image.NewRGBA(image.Rect(0, 0, dw, dh))
	base, stepX, stepY := turnSteps(w, h, 4, d.Stride, o)
	for y := 0; y < h; y++ {
		i := base + y*stepY
		for x := 0; x < w; x++ {
			c := color.RGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.RGBA)
			d.Pix[i], d.Pix[i+1], d.Pix[i+2], d.Pix[i+3] = c.R, c.G, c.B, c.A
			i += stepX
		}
	}
	return d
}

// chromaSize is the size of m's Cb and Cr planes, as image.NewYCbCr makes them.
func chromaSize(m *image.YCbCr) (w, h int) {
	hs, vs := chromaShift(m.SubsampleRatio)
	r := m.Rect
	return (r.Max.X+1<<hs-1)>>hs - r.Min.X>>hs, (r.Max.Y+1<<vs-1)>>vs - r.Min.Y>>vs
}

// chromaShift gives the horizontal and vertical chroma subsampling as shifts.
func chromaShift(r image.YCbCrSubsampleRatio) (hs, vs uint) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 1, 0
	case image.YCbCrSubsampleRatio420:
		return 1, 1
	case image.YCbCrSubsampleRatio440:
		return 0, 1
	case image.YCbCrSubsampleRatio411:
		return 2, 0
	case image.YCbCrSubsampleRatio410:
		return 2, 1
	}
	return 0, 0
}

// turnPlane copies a w x h plane of n-byte pixels from src to dst applying
// EXIF orientation o.
func turnPlane(dst []byte, ds int, src []byte, ss, w, h, n, o int) {
	base, stepX, stepY := turnSteps(w, h, n, ds, o)
	for y := 0; y < h; y++ {
		row, d := src[y*ss:y*ss+w*n], base+y*stepY
		if n == 1 {
			for _, v := range row {
				dst[d] = v
				d += stepX
			}
			continue
		}
		for x := 0; x < len(row); x += n {
			copy(dst[d:d+n], row[x:x+n])
			d += stepX
		}
	}
}

// turnSteps says where EXIF orientation o moves the pixels of a w x h
// image of n-byte pixels: source pixel (x, y) lands at
// base + x*stepX + y*stepY in a destination with row stride ds.
func turnSteps(w, h, n, ds, o int) (base, stepX, stepY int) {
	switch o {
	case 2: // mirror horizontally
		base, stepX, stepY = (w-1)*n, -n, ds
	case 3: // rotate 180
		base, stepX, stepY = (w-1)*n+(h-1)*ds, -n, -ds
	case 4: // mirror vertically
		base, stepX, stepY = (h-1)*ds, n, -ds
	case 5: // transpose
		base, stepX, stepY = 0, ds, n
	case 6: // rotate 90 clockwise
		base, stepX, stepY = (h-1)*n, ds, -n
	case 7: // transverse
		base, stepX, stepY = (h-1)*n+(w-1)*ds, -ds, -n
	case 8: // rotate 90 counter-clockwise
		base, stepX, stepY = (w-1)*ds, -ds, n
	default:
		base, stepX, stepY = 0, n, ds
	}
	return base, stepX, stepY
}

// fitBox returns the size of a w x h image scaled down to fit in bw x bh,
// never up and never to zero.
func fitBox(w, h, bw, bh int) (int, int) {
	if w <= bw && h <= bh {
		return w, h
	}
	if w*bh > h*bw { // wider than the box
		return bw, max(1, (h*bw+w/2)/w)
	}
	return max(1, (w*bh+h/2)/h), bh
}

// coverCrop returns the centred part of r with the aspect ratio of fw x fh.
func coverCrop(r image.Rectangle, fw, fh int) image.Rectangle {
	w, h := r.Dx(), r.Dy()
	cw, ch := w, h
	if w*fh > h*fw {
		cw = max(1, (h*fw+fh/2)/fh)
	} else {
		ch = max(1, (w*fh+fw/2)/fw)
	}
	min := r.Min.Add(image.Pt((w-cw)/2, (h-ch)/2))
	return image.Rectangle{min, min.Add(image.Pt(cw, ch))}
}

// resize scales img to w x h (premultiplied RGBA). Large reductions are done
// mostly by an integer box filter, which averages every source pixel and is
// fast; the remaining factor, under 2, uses bilinear interpolation.
func resize(img image.Image, w, h int) *image.RGBA {
	b := img.Bounds()
	k := max(1, min(b.Dx()/w, b.Dy()/h))
	s := shrink(img, k)
	if s.Rect.Dx() == w && s.Rect.Dy() == h {
		return s
	}
	d := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(d, d.Rect, s, s.Rect, draw.Src, nil)
	return d
}

// shrink averages each k x k block of img into one pixel, dropping the
// fewer than k leftover columns and rows at the right and bottom edges.
func shrink(img image.Image, k int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx()/k, b.Dy()/k
	d := image.NewRGBA(image.Rect(0, 0, w, h))
	area := uint32(k * k)
	if m, ok := img.(*image.YCbCr); ok {
		hs, vs := chromaShift(m.SubsampleRatio)
		for oy := 0; oy < h; oy++ {
			for ox := 0; ox < w; ox++ {
				var sy, sb, sr uint32
				x0 := b.Min.X + ox*k
				for y := b.Min.Y + oy*k; y < b.Min.Y+oy*k+k; y++ {
					yi := (y-b.Min.Y)*m.YStride - b.Min.X
					ci := (y>>vs-b.Min.Y>>vs)*m.CStride - b.Min.X>>hs
					for x := x0; x < x0+k; x++ {
						sy += uint32(m.Y[yi+x])
						sb += uint32(m.Cb[ci+x>>hs])
						sr += uint32(m.Cr[ci+x>>hs])
					}
				}
				r, g, bl := color.YCbCrToRGB(uint8((sy+area/2)/area), uint8((sb+area/2)/area), uint8((sr+area/2)/area))
				p := d.Pix[oy*d.Stride+ox*4:]
				p[0], p[1], p[2], p[3] = r, g, bl, 0xff
			}
		}
		return d
	}
	var pix []byte
	var stride int
	premultiply := false
	switch m := img.(type) {
	case *image.RGBA:
		pix, stride = m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride
	case *image.NRGBA:
		pix, stride, premultiply = m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride, true
	}
	if pix != nil {
		for oy := 0; oy < h; oy++ {
			for ox := 0; ox < w; ox++ {
				var sr, sg, sb, sa uint32
				for y := oy * k; y < oy*k+k; y++ {
					row := pix[y*stride+ox*k*4 : y*stride+(ox*k+k)*4]
					for i := 0; i < len(row); i += 4 {
						r, g, bl, a := uint32(row[i]), uint32(row[i+1]), uint32(row[i+2]), uint32(row[i+3])
						if premultiply {
							r, g, bl = r*a/0xff, g*a/0xff, bl*a/0xff
						}
						sr += r
						sg += g
						sb += bl
						sa += a
					}
				}
				p := d.Pix[oy*d.Stride+ox*4:]
				p[0], p[1], p[2], p[3] = uint8(sr/area), uint8(sg/area), uint8(sb/area), uint8(sa/area)
			}
		}
		return d
	}
	at := func(x, y int) color.RGBA64 { return color.RGBA64Model.Convert(img.At(x, y)).(color.RGBA64) }
	if m, ok := img.(image.RGBA64Image); ok {
		at = m.RGBA64At
	}
	area64 := uint64(area) * 0x101
	for oy := 0; oy < h; oy++ {
		for ox := 0; ox < w; ox++ {
			var sr, sg, sb, sa uint64
			for y := b.Min.Y + oy*k; y < b.Min.Y+oy*k+k; y++ {
				for x := b.Min.X + ox*k; x < b.Min.X+ox*k+k; x++ {
					c := at(x, y)
					sr += uint64(c.R)
					sg += uint64(c.G)
					sb += uint64(c.B)
					sa += uint64(c.A)
				}
			}
			p := d.Pix[oy*d.Stride+ox*4:]
			p[0], p[1], p[2], p[3] = uint8(sr/area64), uint8(sg/area64), uint8(sb/area64), uint8(sa/area64)
		}
	}
	return d
}

// onWhite flattens premultiplied m onto a white background in place.
func onWhite(m *image.RGBA) {
	for i := 0; i+3 < len(m.Pix); i += 4 {
		if a := m.Pix[i+3]; a != 0xff {
			m.Pix[i] += 0xff - a
			m.Pix[i+1] += 0xff - a
			m.Pix[i+2] += 0xff - a
			m.Pix[i+3] = 0xff
		}
	}
}
