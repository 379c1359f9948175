package media

import (
	"image"
	"math"
	"strings"
)

// blurhash encodes m (premultiplied RGBA, opaque) with cx x cy components,
// following https://github.com/woltapp/blurhash/blob/master/Algorithm.md.
// The cost is cx*cy passes over m, so callers pass a small image.
func blurhash(m *image.RGBA, cx, cy int) string {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	// Linear light values, and the cosines of each row and column once.
	lin := make([][3]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p := m.Pix[y*m.Stride+x*4:]
			lin[y*w+x] = [3]float64{srgbToLinear[p[0]], srgbToLinear[p[1]], srgbToLinear[p[2]]}
		}
	}
	cosX := cosines(cx, w)
	cosY := cosines(cy, h)
	factors := make([][3]float64, 0, cx*cy)
	for j := 0; j < cy; j++ {
		for i := 0; i < cx; i++ {
			norm := 2.0
			if i == 0 && j == 0 {
				norm = 1
			}
			var f [3]float64
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					basis := cosX[i*w+x] * cosY[j*h+y]
					c := lin[y*w+x]
					f[0] += basis * c[0]
					f[1] += basis * c[1]
					f[2] += basis * c[2]
				}
			}
			scale := norm / float64(w*h)
			factors = append(factors, [3]float64{f[0] * scale, f[1] * scale, f[2] * scale})
		}
	}

	var sb strings.Builder
	sb.WriteString(base83(cx-1+(cy-1)*9, 1))
	maxValue := 1.0
	if ac := factors[1:]; len(ac) > 0 {
		actualMax := 0.0
		for _, f := range ac {
			actualMax = max(actualMax, math.Abs(f[0]), math.Abs(f[1]), math.Abs(f[2]))
		}
		quantised := int(max(0, min(82, math.Floor(actualMax*166-0.5))))
		maxValue = float64(quantised+1) / 166
		sb.WriteString(base83(quantised, 1))
	} else {
		sb.WriteString(base83(0, 1))
	}
	dc := factors[0]
	sb.WriteString(base83(linearToSRGB(dc[0])<<16|linearToSRGB(dc[1])<<8|linearToSRGB(dc[2]), 4))
	for _, f := range factors[1:] {
		q := func(v float64) int {
			return int(max(0, min(18, math.Floor(signPow(v/maxValue, 0.5)*9+9.5))))
		}
		sb.WriteString(base83(q(f[0])*19*19+q(f[1])*19+q(f[2]), 2))
	}
	return sb.String()
}

// cosines returns cos(pi*i*x/n) for each component i < c and x < n, at [i*n+x].
func cosines(c, n int) []float64 {
	v := make([]float64, c*n)
	for i := 0; i < c; i++ {
		for x := 0; x < n; x++ {
			v[i*n+x] = math.Cos(math.Pi * float64(i) * float64(x) / float64(n))
		}
	}
	return v
}

var srgbToLinear = func() (t [256]float64) {
	for i := range t {
		v := float64(i) / 255
		if v <= 0.04045 {
			t[i] = v / 12.92
		} else {
			t[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return t
}()

func linearToSRGB(v float64) int {
	v = max(0, min(1, v))
	if v <= 0.0031308 {
		return int(v*12.92*255 + 0.5)
	}
	return int((1.055*math.Pow(v, 1/2.4)-0.055)*255 + 0.5)
}

func signPow(v, exp float64) float64 {
	return math.Copysign(math.Pow(math.Abs(v), exp), v)
}

const base83Chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"

func base83(v, length int) string {
	b := make([]byte, length)
	for i := length - 1; i >= 0; i-- {
		b[i] = base83Chars[v%83]
		v /= 83
	}
	return string(b)
}
