package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Media between servers: a photo posted on one Roost reaches another as a
// Document, and the other serves it from its own cache; avatars go the
// same way; link previews arrive after the post.

type apiMedia struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	URL         *string `json:"url"`
	PreviewURL  *string `json:"preview_url"`
	RemoteURL   *string `json:"remote_url"`
	Description *string `json:"description"`
	Blurhash    *string `json:"blurhash"`
	Meta        struct {
		Original *struct{ Width, Height int } `json:"original"`
		Focus    *struct{ X, Y float64 }      `json:"focus"`
	} `json:"meta"`
}

type apiMediaStatus struct {
	ID    string     `json:"id"`
	URI   string     `json:"uri"`
	Media []apiMedia `json:"media_attachments"`
	Card  *struct {
		URL         string  `json:"url"`
		Title       string  `json:"title"`
		Description string  `json:"description"`
		Image       *string `json:"image"`
	} `json:"card"`
}

// testJPEG is a w×h JPEG with a gradient, so it is no trivial file.
func testJPEG(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload sends a multipart request as a with one file and form fields, and
// decodes a 200 or 202 answer into out.
func (a *account) upload(method, path, field, name string, data []byte, fields url.Values, out any) int {
	a.p.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(method, "http://"+a.p.domain+path, &body)
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && (resp.StatusCode == 200 || resp.StatusCode == 202) {
		if err := json.Unmarshal(b, out); err != nil {
			a.p.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

// get fetches a URL without a token and returns its status, type and body.
func get(t testing.TB, u string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func TestMediaFederates(t *testing.T) {
	a, b := startPeer(t), startPeer(t)
	alice, bob := a.newAccount("alice"), b.newAccount("bob")
	bob.followAndWait(bob.lookup(alice.handle()))

	photo := testJPEG(t, 320, 200)
	var m apiMedia
	if code := alice.upload("POST", "/api/v1/media", "file", "photo.jpg", photo,
		url.Values{"description": {"a gradient at dusk"}, "focus": {"0.5,-0.5"}}, &m); code != 200 {
		t.Fatalf("upload: %d", code)
	}
	var posted apiMediaStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"look"}, "media_ids[]": {m.ID}}, &posted)
	if len(posted.Media) != 1 || posted.Media[0].ID != m.ID {
		t.Fatalf("posted media %+v", posted.Media)
	}

	// The Note carries a Document with Mastodon's fields.
	req, _ := http.NewRequest("GET", posted.URI, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var note struct {
		Attachment []struct {
			Type, MediaType, URL, Name, Blurhash string
			FocalPoint                           []float64
			Width, Height                        int
		}
	}
	json.NewDecoder(resp.Body).Decode(&note)
	resp.Body.Close()
	if len(note.Attachment) != 1 {
		t.Fatalf("note attachments %+v", note.Attachment)
	}
	doc := note.Attachment[0]
	if doc.Type != "Document" || doc.MediaType != "image/jpeg" || doc.URL != *m.URL || doc.Name != "a gradient at dusk" ||
		doc.Blurhash == "" || doc.Width != 320 || doc.Height != 200 || len(doc.FocalPoint) != 2 || doc.FocalPoint[1] != -0.5 {
		t.Fatalf("document %+v (upload %+v)", doc, m)
	}

	// Bob's server shows it from its own cache, with the original address
	// as remote_url.
	var home []apiMediaStatus
	eventually(t, "the post at bob's server", func() bool {
		bob.must("GET", "/api/v1/timelines/home", nil, &home)
		return len(home) == 1
	})
	got := home[0].Media
	if len(got) != 1 || got[0].RemoteURL == nil || *got[0].RemoteURL != *m.URL || got[0].URL == nil ||
		!strings.HasPrefix(*got[0].URL, "http://"+b.domain+"/media/cache/") || got[0].Type != "image" ||
		got[0].Description == nil || *got[0].Description != "a gradient at dusk" || got[0].Blurhash == nil ||
		got[0].Meta.Original == nil || got[0].Meta.Original.Width != 320 {
		t.Fatalf("media at bob's server: %+v", got)
	}
	code, ct, body := get(t, *got[0].URL)
	if code != 200 || ct != "image/jpeg" {
		t.Fatalf("cached file: %d %s", code, ct)
	}
	if _, err := jpeg.Decode(bytes.NewReader(body)); err != nil {
		t.Fatalf("cached file is no JPEG: %v", err)
	}
	cached, _ := filepath.Glob(filepath.Join(b.dir, "media", "cache", "*", "*.jpg"))
	if len(cached) != 1 {
		t.Fatalf("bob's cache holds %v", cached)
	}

	// An edit of the description reaches bob's server.
	var edited apiMediaStatus
	alice.must("PUT", "/api/v1/statuses/"+posted.ID, url.Values{"status": {"look again"}, "media_ids[]": {m.ID},
		"media_attributes[][id]": {m.ID}, "media_attributes[][description]": {"a gradient at dawn"}}, &edited)
	eventually(t, "the edited description at bob's server", func() bool {
		bob.must("GET", "/api/v1/timelines/home", nil, &home)
		return len(home) == 1 && len(home[0].Media) == 1 && *home[0].Media[0].Description == "a gradient at dawn"
	})

	// Pruning the cache frees the file; the next look fetches it again.
	var out bytes.Buffer
	if err := run(t.Context(), []string{"media", "remove", "--days", "0"}, &out, io.Discard, b.getenv); err != nil {
		t.Fatalf("media remove: %v", err)
	}
	if !strings.Contains(out.String(), "removed 1 cached remote files, freed") {
		t.Fatalf("media remove said %q", out.String())
	}
	if left, _ := filepath.Glob(filepath.Join(b.dir, "media", "cache", "*", "*.jpg")); len(left) != 0 {
		t.Fatalf("cache still holds %v", left)
	}
	if code, _, _ := get(t, *home[0].Media[0].URL); code != 200 {
		t.Fatalf("refetch after prune: %d", code)
	}
}

func TestAvatarFederates(t *testing.T) {
	a, b := startPeer(t), startPeer(t)
	alice, bob := a.newAccount("alice"), b.newAccount("bob")
	remoteAlice := bob.lookup(alice.handle())
	bob.followAndWait(remoteAlice)

	var me struct{ Avatar string }
	if code := alice.upload("PATCH", "/api/v1/accounts/update_credentials", "avatar", "me.jpg", testJPEG(t, 600, 500), nil, &me); code != 200 {
		t.Fatalf("update_credentials: %d", code)
	}
	if !strings.HasPrefix(me.Avatar, "http://"+a.domain+"/system/accounts/") {
		t.Fatalf("avatar %q", me.Avatar)
	}
	var seen struct{ Avatar string }
	eventually(t, "the new avatar at bob's server", func() bool {
		bob.must("GET", "/api/v1/accounts/"+remoteAlice, nil, &seen)
		return strings.Contains(seen.Avatar, "/media/cache/")
	})
	code, _, body := get(t, seen.Avatar)
	if code != 200 {
		t.Fatalf("avatar through bob's cache: %d", code)
	}
	img, err := jpeg.Decode(bytes.NewReader(body))
	if err != nil || img.Bounds().Dx() != 400 || img.Bounds().Dy() != 400 {
		t.Fatalf("avatar: %v %v", err, img.Bounds())
	}
}

func TestLinkPreviewArrives(t *testing.T) {
	var fetches atomic.Int32
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>ignored</title>
<meta property="og:title" content="Roosting habits">
<meta property="og:description" content="Where birds sleep.">
<meta property="og:image" content="/bird.jpg">
<meta property="og:site_name" content="Bird Notes"></head><body>hi</body></html>`)
	}))
	defer page.Close()
	a := startPeerAt(t, "127.0.0.1:0", t.TempDir(), func(m *Main) { m.Server.SetCardDelay(time.Millisecond) })
	alice := a.newAccount("alice")

	// A streaming app sees the post, then the post again with its card.
	req, _ := http.NewRequest("GET", "http://"+a.domain+"/api/v1/streaming/user", nil)
	req.Header.Set("Authorization", "Bearer "+alice.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if e, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				events <- e
			}
		}
	}()

	// Mastodon's linkifier (and Roost's) links names, not addresses.
	link := strings.Replace(page.URL, "127.0.0.1", "localhost", 1) + "/article"
	var st apiMediaStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"read this " + link}}, &st)
	eventually(t, "the link preview", func() bool {
		alice.must("GET", "/api/v1/statuses/"+st.ID, nil, &st)
		return st.Card != nil
	})
	c := st.Card
	if c.URL != link || c.Title != "Roosting habits" || c.Description != "Where birds sleep." ||
		c.Image == nil || !strings.Contains(*c.Image, "/media/cache/") {
		t.Fatalf("card %+v", c)
	}
	var seen []string
	for len(seen) < 2 {
		select {
		case e := <-events:
			seen = append(seen, e)
		case <-time.After(5 * time.Second):
			t.Fatalf("stream events %v, want update then status.update", seen)
		}
	}
	if seen[0] != "update" || seen[1] != "status.update" {
		t.Fatalf("stream events %v, want update then status.update", seen)
	}

	// Another post of the same link gets the card kept for it, without a
	// second fetch of the page.
	var again apiMediaStatus
	alice.must("POST", "/api/v1/statuses", url.Values{"status": {"again " + link}}, &again)
	eventually(t, "the card of the second post", func() bool {
		alice.must("GET", "/api/v1/statuses/"+again.ID, nil, &again)
		return again.Card != nil
	})
	if n := fetches.Load(); n != 1 {
		t.Errorf("the page was fetched %d times", n)
	}
}

// s3Env is the configuration of a peer storing media in the real S3 server
// .ci/run starts, or nil when there is none.
func s3Env(t *testing.T, bucket string) []string {
	endpoint := os.Getenv("ROOST_TEST_S3_ENDPOINT")
	if endpoint == "" {
		t.Skip("ROOST_TEST_S3_ENDPOINT not set: S3 tests need a real S3 server (.ci/run starts MinIO)")
	}
	return []string{"S3_ENABLED", "true", "S3_ENDPOINT", endpoint, "S3_BUCKET", bucket, "S3_REGION", "us-east-1",
		"AWS_ACCESS_KEY_ID", os.Getenv("ROOST_TEST_S3_ACCESS_KEY"), "AWS_SECRET_ACCESS_KEY", os.Getenv("ROOST_TEST_S3_SECRET_KEY")}
}

func TestMediaOnS3(t *testing.T) {
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	a := startPeer(t, s3Env(t, "roost-a-"+suffix)...)
	b := startPeer(t, s3Env(t, "roost-b-"+suffix)...)
	alice, bob := a.newAccount("alice"), b.newAccount("bob")
	bob.followAndWait(bob.lookup(alice.handle()))

	var m apiMedia
	if code := alice.upload("POST", "/api/v2/media", "file", "p.jpg", testJPEG(t, 200, 100), url.Values{"description": {"on s3"}}, &m); code != 202 && code != 200 {
		t.Fatalf("upload: %d", code)
	}
	eventually(t, "processing", func() bool { return alice.call("GET", "/api/v1/media/"+m.ID, nil, &m) == 200 })
	bucketURL := os.Getenv("ROOST_TEST_S3_ENDPOINT") + "/roost-a-" + suffix + "/"
	if m.URL == nil || !strings.HasPrefix(*m.URL, bucketURL) || m.PreviewURL == nil || !strings.HasPrefix(*m.PreviewURL, bucketURL) {
		t.Fatalf("urls %v %v, want them in %s", m.URL, m.PreviewURL, bucketURL)
	}
	if code, ct, _ := get(t, *m.URL); code != 200 || ct != "image/jpeg" {
		t.Fatalf("the bucket serves %d %s", code, ct)
	}
	alice.must("POST", "/api/v1/statuses", url.Values{"media_ids[]": {m.ID}}, nil)

	// Bob's server caches the remote file in its own bucket and sends
	// clients there.
	var home []apiMediaStatus
	eventually(t, "the post at bob's server", func() bool {
		bob.must("GET", "/api/v1/timelines/home", nil, &home)
		return len(home) == 1 && len(home[0].Media) == 1
	})
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(*home[0].Media[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "/roost-b-"+suffix+"/cache/") {
		t.Fatalf("bob's cache answers %d → %q", resp.StatusCode, loc)
	}
	if code, ct, _ := get(t, loc); code != 200 || ct != "image/jpeg" {
		t.Fatalf("bob's bucket serves %d %s", code, ct)
	}
}
