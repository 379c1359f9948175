package server

import (
	"testing"
	"time"
)

func TestProbeMediaDeleteWhileProcessing(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	keep := in.uploadImage(t, alice)
	km := alice.get(in, "/api/v1/media/"+keep).asMedia(t)
	p := upload(t, in, alice.token, "/api/v2/media", nil, "file", "big.png", pngBytes(t, gradientImage(2000, 1500))).want(t, 202).asMedia(t)
	r := in.do("DELETE", "/api/v1/media/"+p.ID, alice.token, nil)
	t.Logf("DELETE status %d", r.status)
	time.Sleep(4 * time.Second)
	t.Logf("files: %v", in.blobFiles(t, blobKey(t, *km.URL)))
	t.Logf("GET %d", alice.get(in, "/api/v1/media/"+p.ID).status)
}
