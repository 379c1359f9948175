package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

// bigMultipart is a multipart body with a file of size bytes.
func bigMultipart(size int) (body []byte, contentType string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", "big.bin")
	fw.Write(bytes.Repeat([]byte{0xAB}, size))
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

func TestLargeBodiesNeedAnUploadRoute(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	body, ct := bigMultipart(8 << 20)

	// No token: an upload route answers before the body is sent. The
	// body stops after 2 MB until the answer comes, so a server that read
	// it all would never answer.
	pr, pw := io.Pipe()
	answered := make(chan struct{})
	go func() {
		pw.Write(body[:2<<20])
		<-answered
		pw.CloseWithError(errors.New("not sent"))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", in.http.URL+"/api/v2/media", pr)
	req.Header.Set("Content-Type", ct)
	resp, err := in.client.Do(req)
	close(answered)
	if err != nil {
		t.Fatalf("anonymous upload: %v (the server waited for the whole body)", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("anonymous upload: %d", resp.StatusCode)
	}

	// Any other route takes no more than 1 MiB, token or not.
	alice := in.newUser("alice")
	req, _ = http.NewRequest("POST", in.http.URL+"/api/v1/statuses", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+alice.token)
	if r := in.send(req); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("8 MB multipart status: %d %s", r.status, r.body)
	}
}

func TestDeleteStatusWithDeleteMedia(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	ctx := context.Background()
	upload := func(name string) *store.Media {
		m := &store.Media{AccountID: alice.ID, Type: store.MediaImage, ContentType: "image/png", FileKey: "media/" + name + "/original.png"}
		if err := in.srv.blobs.Put(ctx, m.FileKey, "image/png", bytes.NewReader([]byte("png")), 3); err != nil {
			t.Fatal(err)
		}
		if err := in.store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	kept, dropped := upload("kept"), upload("dropped")
	var st struct{ ID string }
	alice.do(in, "POST", "/api/v1/statuses", url.Values{"media_ids[]": {kept.ID}}).want(t, 200).decode(t, &st)
	alice.do(in, "DELETE", "/api/v1/statuses/"+st.ID, nil).want(t, 200)
	if _, err := in.store.GetMedia(ctx, kept.ID); err != nil {
		t.Fatalf("a plain delete keeps the upload for a redraft: %v", err)
	}
	alice.do(in, "POST", "/api/v1/statuses", url.Values{"media_ids[]": {dropped.ID}}).want(t, 200).decode(t, &st)
	alice.do(in, "DELETE", "/api/v1/statuses/"+st.ID+"?delete_media=true", nil).want(t, 200)
	if _, err := in.store.GetMedia(ctx, dropped.ID); err == nil {
		t.Fatal("delete_media=true kept the upload")
	}
	in.do("GET", "/system/"+dropped.FileKey, "", nil).want(t, 404)
	in.do("GET", "/system/"+kept.FileKey, "", nil).want(t, 200)
}

// What apps do beyond the basics: thumbnails for video and audio, small
// images answered at once by v2, posted files changed only by editing,
// video alone in a post, preflights for web clients.
func TestMediaAppConventions(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")

	// A video with the thumbnail the app picked: it is the preview.
	thumb := pngBytes(t, gradientImage(320, 180))
	v := in.sendMultipart(t, "POST", "/api/v2/media", alice.token, nil,
		filePart{field: "file", name: "clip.mp4", data: mp4Bytes(64)},
		filePart{field: "thumbnail", name: "t.png", data: thumb}).want(t, 200).asMedia(t)
	if v.Type != "video" || v.PreviewURL == nil || !strings.HasSuffix(*v.PreviewURL, "/thumbnail.jpg") || v.Blurhash == nil ||
		v.Meta.Small == nil || v.Meta.Small.Width != 320 {
		t.Fatalf("video with a thumbnail: %+v", v)
	}
	// A new thumbnail replaces it (and its file).
	v2 := in.sendMultipart(t, "PUT", "/api/v1/media/"+v.ID, alice.token, nil,
		filePart{field: "thumbnail", name: "t2.png", data: pngBytes(t, gradientImage(160, 90))}).want(t, 200).asMedia(t)
	if v2.PreviewURL == nil || *v2.PreviewURL == *v.PreviewURL {
		t.Fatalf("new thumbnail: %v", v2.PreviewURL)
	}
	in.systemFile(t, *v.PreviewURL).want(t, 404)
	in.systemFile(t, *v2.PreviewURL).want(t, 200)

	// Audio without a thumbnail gets the drawn audio preview.
	wav := []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00")
	a := upload(t, in, alice.token, "/api/v2/media", nil, "file", "a.wav", wav).want(t, 200).asMedia(t)
	if a.Type != "audio" || a.PreviewURL == nil || !strings.HasSuffix(*a.PreviewURL, "/media/audio.png") {
		t.Fatalf("audio: %+v", a)
	}

	// Small images: v2 answers 200 with the file ready to post.
	img := upload(t, in, alice.token, "/api/v2/media", nil, "file", "small.png", pngBytes(t, gradientImage(200, 100))).want(t, 200).asMedia(t)
	if img.URL == nil {
		t.Fatalf("small v2 upload: %+v", img)
	}

	// A video stands alone in a post.
	wantError(t, alice.post(in, "/api/v1/statuses", url.Values{"media_ids[]": {img.ID, v.ID}}), 422)
	var st struct{ ID string }
	alice.post(in, "/api/v1/statuses", url.Values{"media_ids[]": {img.ID}}).want(t, 200).decode(t, &st)

	// Posted media change through an edit of the post, not here.
	wantError(t, in.do("GET", "/api/v1/media/"+img.ID, alice.token, nil), 404)
	wantError(t, in.do("PUT", "/api/v1/media/"+img.ID, alice.token, url.Values{"description": {"sneaky"}}), 404)

	// Web clients fetching media with a Range header preflight first.
	req, _ := http.NewRequest("OPTIONS", in.http.URL+"/system/"+blobKey(t, *img.URL), nil)
	req.Header.Set("Origin", "https://elk.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "range")
	r := in.send(req)
	if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "Range") {
		t.Fatalf("preflight: %d %v", r.status, r.header)
	}
	for _, p := range []string{"/avatars/original/missing.png", "/media/placeholder.png"} {
		in.do("HEAD", p, "", nil).want(t, 200)
	}
}

// Each version in a post's history shows the media it had, with the
// descriptions it had.
func TestMediaEditHistory(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	m1 := upload(t, in, alice.token, "/api/v1/media", map[string]string{"description": "first"}, "file", "a.png", pngBytes(t, gradientImage(40, 30))).want(t, 200).asMedia(t)
	m2 := in.uploadImage(t, alice)
	var st struct{ ID string }
	alice.post(in, "/api/v1/statuses", map[string]any{"status": "v1", "media_ids": []string{m1.ID}}).want(t, 200).decode(t, &st)
	alice.do(in, "PUT", "/api/v1/statuses/"+st.ID, map[string]any{"status": "v2", "media_ids": []string{m1.ID, m2},
		"media_attributes": []map[string]string{{"id": m1.ID, "description": "first, edited"}}}).want(t, 200)
	alice.do(in, "PUT", "/api/v1/statuses/"+st.ID, map[string]any{"status": "v3"}).want(t, 200)

	var history []struct {
		Content string
		Media   []struct {
			ID          string
			Description *string
		} `json:"media_attachments"`
	}
	in.do("GET", "/api/v1/statuses/"+st.ID+"/history", "", nil).want(t, 200).decode(t, &history)
	describe := func(i int) []string {
		var out []string
		for _, m := range history[i].Media {
			d := ""
			if m.Description != nil {
				d = *m.Description
			}
			out = append(out, m.ID+":"+d)
		}
		return out
	}
	if len(history) != 3 {
		t.Fatalf("%d versions", len(history))
	}
	for i, want := range [][]string{{m1.ID + ":first"}, {m1.ID + ":first, edited", m2 + ":"}, nil} {
		if got := describe(i); !slices.Equal(got, want) {
			t.Errorf("version %d (%s): media %v, want %v", i, history[i].Content, got, want)
		}
	}
}
