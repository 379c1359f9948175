package server

import (
	"bytes"
	"context"
	"image/jpeg"
	"image/png"
	"net/url"
	"strings"
	"testing"

	"github.com/roost-social/roost/store"
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

// The status page a browser opens shows the photo, with its alt text.
func TestStatusPageShowsMedia(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	m := &store.Media{AccountID: alice.ID, Type: store.MediaImage, ContentType: "image/png",
		FileKey: "media/1/x/original.png", PreviewKey: "media/1/x/small.jpg", PreviewWidth: 64, PreviewHeight: 48,
		Description: `a "quoted" <view>`}
	if err := in.store.CreateMedia(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	var st struct{ ID string }
	alice.do(in, "POST", "/api/v1/statuses", url.Values{"status": {"look"}, "media_ids[]": {m.ID}}).want(t, 200).decode(t, &st)
	page := string(in.do("GET", "/@alice/"+st.ID, "", nil).want(t, 200).body)
	want := `<img src="https://roost.test/system/media/1/x/small.jpg" alt="a &#34;quoted&#34; &lt;view&gt;" loading="lazy" width="64" height="48">`
	if !strings.Contains(page, want) || !strings.Contains(page, `href="https://roost.test/system/media/1/x/original.png"`) {
		t.Fatalf("status page lacks the photo:\n%s", page)
	}
	if strings.Contains(page, "<details>") {
		t.Errorf("a post without warning hides its media:\n%s", page)
	}

	// Behind a content warning or marked sensitive, media stay folded.
	for _, form := range []url.Values{{"status": {"cw"}, "spoiler_text": {"spiders"}}, {"status": {"sens"}, "sensitive": {"true"}}} {
		m := &store.Media{AccountID: alice.ID, Type: store.MediaImage, ContentType: "image/png", FileKey: "media/2/y/original.png"}
		if err := in.store.CreateMedia(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		form.Set("media_ids[]", m.ID)
		alice.do(in, "POST", "/api/v1/statuses", form).want(t, 200).decode(t, &st)
		page := string(in.do("GET", "/@alice/"+st.ID, "", nil).want(t, 200).body)
		details, img := strings.Index(page, "<details>"), strings.Index(page, "<img src=\"https://roost.test/system/media/2/")
		if details < 0 || img < details || strings.Index(page, "</details>") < img {
			t.Errorf("%s: media not inside <details>:\n%s", form.Get("status"), page)
		}
	}
}

// A remote image that cannot be previewed serves itself as its preview,
// and the failure is remembered rather than redone at every request.
func TestMediaCachePreviewOfBrokenImage(t *testing.T) {
	t.Parallel()
	broken := pngBytes(t, gradientImage(800, 600))
	broken = broken[:len(broken)/2] // truncated: its header still says PNG
	o := newOrigin(t, map[string][]byte{"/broken.png": broken})
	in := newCachingInstance(t, 0)
	remote := o.URL + "/broken.png"
	small := (in.cacheAddress(remote) + "/small")[len(in.http.URL):]
	for range 2 {
		if r := in.do("GET", small, "", nil).want(t, 200); !bytes.Equal(r.body, broken) {
			t.Fatalf("preview of a broken image: %d bytes", len(r.body))
		}
	}
	f, err := in.store.CachedFile(context.Background(), remote+smallSuffix)
	if err != nil || f.Key != "" {
		t.Fatalf("remembered failure: %+v, %v", f, err)
	}
}

// Video and audio without a thumbnail have drawn previews, one for each.
func TestPosters(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	var bodies [][]byte
	for _, p := range []string{"/media/placeholder.png", "/media/audio.png"} {
		r := in.do("GET", p, "", nil).want(t, 200)
		img, err := png.Decode(bytes.NewReader(r.body))
		if err != nil || img.Bounds().Dx() != 640 || img.Bounds().Dy() != 360 || r.header.Get("Content-Type") != "image/png" {
			t.Fatalf("%s: %v %v %q", p, err, img, r.header.Get("Content-Type"))
		}
		bodies = append(bodies, r.body)
	}
	if bytes.Equal(bodies[0], bodies[1]) {
		t.Error("video and audio share one poster")
	}
}
