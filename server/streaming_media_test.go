package server

import (
	"context"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

func TestStreamingPublicMedia(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	bob := in.newUser("bob")
	media := in.sseStream(t, "", "/api/v1/streaming/public/media")
	localMedia := in.sseStream(t, "", "/api/v1/streaming/public/local/media")
	remoteMedia := in.sseStream(t, "", "/api/v1/streaming/public/remote/media")

	in.postStatus(bob, "words only")
	m := &store.Media{AccountID: bob.ID, Type: store.MediaImage, ContentType: "image/png", FileKey: "media/1/original.png"}
	if err := in.store.CreateMedia(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	var st struct{ ID string }
	bob.do(in, "POST", "/api/v1/statuses", map[string]any{"status": "a picture", "media_ids": []string{m.ID}}).want(t, 200).decode(t, &st)
	for name, c := range map[string]*sseClient{"public:media": media, "public:local:media": localMedia} {
		if e := c.next(); e.Event != "update" || e.id(t) != st.ID {
			t.Fatalf("%s: %+v (want the picture %s)", name, e, st.ID)
		}
	}
	select {
	case e := <-remoteMedia.events:
		t.Fatalf("a local post on public:remote:media: %+v", e)
	case <-time.After(50 * time.Millisecond):
	}
}
