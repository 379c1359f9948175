package federation

import (
	"testing"

	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/store"
)

// A note as a Pleroma-like server sends it: media of several kinds, a
// profile-field-like attachment and a link that are no media, and custom
// emoji, one of which the text does not use.
const noteWithMedia = `{
  "@context": "https://www.w3.org/ns/activitystreams",
  "id": "https://remote.example/objects/1",
  "type": "Note",
  "attributedTo": "https://remote.example/users/ann",
  "content": "<p>look :blobcat: and :party_parrot:</p>",
  "attachment": [
    {"type": "Document", "mediaType": "image/png", "url": "https://remote.example/media/a.png",
     "name": "a cat", "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj", "width": 640, "height": 480, "focalPoint": [0.5, -3]},
    {"type": "Document", "mediaType": "video/mp4", "url": [{"type": "Link", "href": "https://remote.example/media/v.mp4", "mediaType": "video/mp4"}],
     "summary": "a video's alt text, GoToSocial style"},
    {"type": "PropertyValue", "name": "not", "value": "media"},
    {"type": "Link", "href": "https://remote.example/page"},
    {"type": "Image", "url": "javascript:alert(1)"},
    {"type": "Audio", "mediaType": "audio/ogg", "url": "https://remote.example/media/s.ogg", "blurhash": "bad blurhash!"},
    {"type": "Image", "mediaType": "image/jpeg", "url": "https://remote.example/media/4.jpg"},
    {"type": "Image", "mediaType": "image/jpeg", "url": "https://remote.example/media/5.jpg"}
  ],
  "tag": [
    {"type": "Emoji", "name": ":blobcat:", "icon": {"type": "Image", "url": "https://remote.example/emoji/blobcat.png"}},
    {"type": "Emoji", "name": ":party_parrot:", "icon": {"type": "Image", "url": "https://remote.example/emoji/pp.gif"}},
    {"type": "Emoji", "name": ":unused:", "icon": {"type": "Image", "url": "https://remote.example/emoji/u.png"}},
    {"type": "Emoji", "name": ":bad code:", "icon": {"type": "Image", "url": "https://remote.example/emoji/b.png"}},
    {"type": "Emoji", "name": ":nourl:"}
  ]
}`

func TestRemoteMediaAndEmojis(t *testing.T) {
	obj, err := activity.Decode([]byte(noteWithMedia))
	if err != nil {
		t.Fatal(err)
	}
	media := remoteMedia(obj)
	if len(media) != maxRemoteMedia {
		t.Fatalf("%d attachments kept, want %d: %+v", len(media), maxRemoteMedia, media)
	}
	want := []struct {
		typ, url, desc, blurhash string
	}{
		{store.MediaImage, "https://remote.example/media/a.png", "a cat", "LEHV6nWB2yk8pyo0adR*.7kCMdnj"},
		{store.MediaVideo, "https://remote.example/media/v.mp4", "a video's alt text, GoToSocial style", ""},
		{store.MediaAudio, "https://remote.example/media/s.ogg", "", ""},
		{store.MediaImage, "https://remote.example/media/4.jpg", "", ""},
	}
	for i, w := range want {
		m := media[i]
		if m.Type != w.typ || m.RemoteURL != w.url || m.Description != w.desc || m.Blurhash != w.blurhash {
			t.Errorf("attachment %d: %+v, want %+v", i, m, w)
		}
	}
	if media[0].Width != 640 || media[0].Height != 480 || media[0].FocusX != 0.5 || media[0].FocusY != -1 {
		t.Errorf("size and focus %+v (the focal point is clamped to [-1, 1])", media[0])
	}

	emojis := emojisOf(obj.Emojis(), obj.Content)
	if len(emojis) != 2 || emojis[0] != (store.Emoji{Shortcode: "blobcat", URL: "https://remote.example/emoji/blobcat.png"}) ||
		emojis[1].Shortcode != "party_parrot" {
		t.Fatalf("emojis %+v", emojis)
	}
}

func TestSameMedia(t *testing.T) {
	a := []*store.Media{{RemoteURL: "https://x/1", Description: "one"}}
	if !sameMedia(a, []*store.Media{{RemoteURL: "https://x/1", Description: "one"}}) {
		t.Error("equal lists differ")
	}
	if sameMedia(a, []*store.Media{{RemoteURL: "https://x/1", Description: "two"}}) || sameMedia(a, nil) {
		t.Error("a changed description or a removed file is no change")
	}
}
