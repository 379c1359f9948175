package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
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
