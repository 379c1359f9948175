package mastodon

import (
	"testing"

	"github.com/roost-social/roost/store"
)

// Remote files reach clients through the media cache: attachments, the
// avatars and headers of remote accounts (their stills as previews), custom
// emoji and link preview images; local files come from Blobs.
func TestRemoteFilesGoThroughTheCache(t *testing.T) {
	e := &Env{
		BaseURL:          "https://roost.example",
		BlobURL:          func(key string) string { return "https://files.example/" + key },
		RemoteURL:        func(u string) string { return "https://roost.example/cache?" + u },
		RemotePreviewURL: func(u string) string { return "https://roost.example/small?" + u },
	}
	remote := &store.Account{ID: "1", Username: "ann", Domain: "far.example",
		AvatarURL: "https://far.example/a.png", HeaderURL: "https://far.example/h.png",
		Emojis: []store.Emoji{{Shortcode: "blob", URL: "https://far.example/e.png"}}}
	acc := e.Account(remote)
	if acc.Avatar != "https://roost.example/cache?https://far.example/a.png" ||
		acc.AvatarStatic != "https://roost.example/small?https://far.example/a.png" ||
		acc.Header != "https://roost.example/cache?https://far.example/h.png" ||
		acc.HeaderStatic != "https://roost.example/small?https://far.example/h.png" {
		t.Errorf("remote account images: %s %s %s %s", acc.Avatar, acc.AvatarStatic, acc.Header, acc.HeaderStatic)
	}
	if len(acc.Emojis) != 1 || acc.Emojis[0].URL != "https://roost.example/cache?https://far.example/e.png" || acc.Emojis[0].Shortcode != "blob" {
		t.Errorf("account emojis %+v", acc.Emojis)
	}

	local := e.Account(&store.Account{ID: "2", Username: "me", AvatarURL: "accounts/2/avatar-x.jpg"})
	if local.Avatar != "https://files.example/accounts/2/avatar-x.jpg" || local.Header != "https://roost.example/headers/original/missing.png" {
		t.Errorf("local account images: %s %s", local.Avatar, local.Header)
	}

	st := e.Status(&store.Status{ID: "3", Account: remote, AccountID: "1",
		Emojis: []store.Emoji{{Shortcode: "party", URL: "https://far.example/p.gif"}},
		Media:  []*store.Media{{ID: "4", Type: store.MediaImage, RemoteURL: "https://cdn.example/i.jpg"}},
		Card:   &store.PreviewCard{URL: "https://page.example/", Title: "Page", ImageURL: "https://page.example/i.png"},
	}, nil, "")
	if len(st.Emojis) != 1 || st.Emojis[0].StaticURL != "https://roost.example/cache?https://far.example/p.gif" {
		t.Errorf("status emojis %+v", st.Emojis)
	}
	if m := st.MediaAttachments[0]; *m.URL != "https://roost.example/cache?https://cdn.example/i.jpg" ||
		*m.PreviewURL != "https://roost.example/small?https://cdn.example/i.jpg" || *m.RemoteURL != "https://cdn.example/i.jpg" {
		t.Errorf("remote attachment %+v", m)
	}
	if st.Card == nil || st.Card.Image == nil || *st.Card.Image != "https://roost.example/small?https://page.example/i.png" || st.Card.ProviderName != "page.example" {
		t.Errorf("card %+v", st.Card)
	}
}
