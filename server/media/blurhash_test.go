package media

import (
	"image"
	"image/color"
	"strings"
	"testing"
)

func solid(c color.RGBA, w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(m.Pix); i += 4 {
		m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return m
}

func TestBlurhashSolid(t *testing.T) {
	// The well-known hash of a black image.
	if got, want := blurhash(solid(color.RGBA{A: 255}, 32, 24), 4, 3), "L00000fQfQfQfQfQfQfQfQfQfQfQ"; got != want {
		t.Errorf("black: %q, want %q", got, want)
	}
	// White, worked by hand from Algorithm.md. The basis sums cos(pi*i*x/w)
	// over x < w, which is w for i = 0, 1 for odd i and 0 for even i, so
	// even a flat image has AC: 2/(w*h) * (w or 1) * (h or 1). For 20x10:
	// (1,0) = (3,0) = 0.1, (0,1) = 0.2, (1,1) = (3,1) = 0.01, others 0.
	// Max AC 0.2 quantises to 32 ("W"), maxValue 33/166; 0.1 -> 15 in each
	// channel -> 5715 -> "-;", 0.2 -> 18 -> "~q", 0.01 -> 11 -> "of", 0 -> "fQ".
	if got, want := blurhash(solid(color.RGBA{255, 255, 255, 255}, 20, 10), 4, 3), "LWTSUA-;fQ-;~qoffQoffQfQfQfQ"; got != want {
		t.Errorf("white: %q, want %q", got, want)
	}
	for _, c := range []color.RGBA{{255, 255, 255, 255}, {200, 30, 90, 255}, {1, 2, 3, 255}} {
		h := blurhash(solid(c, 20, 10), 4, 3)
		if len(h) != 28 {
			t.Errorf("%v: length %d, want 28", c, len(h))
		}
		// The DC component (characters 2 to 5) is the colour, in base 83.
		dc := 0
		for _, ch := range h[2:6] {
			dc = dc*83 + strings.IndexRune(base83Chars, ch)
		}
		if got := (color.RGBA{uint8(dc >> 16), uint8(dc >> 8), uint8(dc), 255}); got != c {
			t.Errorf("DC decodes to %v, want %v", got, c)
		}
	}
}

func TestBlurhashShape(t *testing.T) {
	for _, tt := range []struct{ x, y int }{{1, 1}, {4, 3}, {9, 9}} {
		h := blurhash(gradient(40, 30), tt.x, tt.y)
		if want := 6 + 2*(tt.x*tt.y-1); len(h) != want {
			t.Errorf("%dx%d: length %d, want %d", tt.x, tt.y, len(h), want)
		}
		if got := strings.IndexByte(base83Chars, h[0]); got != tt.x-1+(tt.y-1)*9 {
			t.Errorf("%dx%d: size flag %d", tt.x, tt.y, got)
		}
	}
	// Deterministic, and horizontal detail shows in the first AC component.
	a, b := blurhash(gradient(40, 30), 4, 3), blurhash(gradient(40, 30), 4, 3)
	if a != b {
		t.Errorf("not deterministic: %q, %q", a, b)
	}
	if a[6:8] == "fQ" {
		t.Errorf("gradient hash %q has no horizontal component", a)
	}
}

func TestBlurhashInResult(t *testing.T) {
	data := encodeJPEG(t, gradient(800, 600))
	a, b := mustProcess(t, data, Options{}), mustProcess(t, data, Options{})
	if a.Blurhash != b.Blurhash || len(a.Blurhash) != 28 {
		t.Errorf("blurhash %q, %q", a.Blurhash, b.Blurhash)
	}
}
