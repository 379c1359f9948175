package server

import (
	"bytes"
	"image/jpeg"
	"testing"
)

// Remote images get a small preview (preview_url, avatar_static, card
// images) made once from the cached original; other files serve as their
// own preview.
func TestMediaCachePreview(t *testing.T) {
	t.Parallel()
	big := pngBytes(t, gradientImage(1600, 1200))
	video := []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free")
	o := newOrigin(t, map[string][]byte{"/big.png": big, "/v.mp4": video})
	in := newCachingInstance(t, 0)

	small := in.cacheAddress(o.URL+"/big.png") + "/small"
	for range 2 {
		r := in.do("GET", small[len(in.http.URL):], "", nil).want(t, 200)
		if ct := r.header.Get("Content-Type"); ct != "image/jpeg" {
			t.Fatalf("preview type %q", ct)
		}
		img, err := jpeg.Decode(bytes.NewReader(r.body))
		if err != nil || img.Bounds().Dx() != 640 || img.Bounds().Dy() != 480 {
			t.Fatalf("preview %v %v", err, img.Bounds())
		}
	}
	if n := o.count("/big.png"); n != 1 {
		t.Errorf("origin hit %d times", n)
	}
	if r := in.do("GET", in.cacheAddress(o.URL + "/big.png")[len(in.http.URL):], "", nil).want(t, 200); !bytes.Equal(r.body, big) {
		t.Error("the original is no longer served whole")
	}

	r := in.do("GET", (in.cacheAddress(o.URL+"/v.mp4") + "/small")[len(in.http.URL):], "", nil).want(t, 200)
	if r.header.Get("Content-Type") != "video/mp4" || !bytes.Equal(r.body, video) {
		t.Errorf("a video's preview: %q, %d bytes", r.header.Get("Content-Type"), len(r.body))
	}
}
