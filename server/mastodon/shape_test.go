package mastodon

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/roost-social/roost/store"
)

// fixtureDir holds Mastodon's documented entity examples, outside this
// repository (see its SOURCES.md).
var fixtureDir = filepath.Join("..", "..", "..", "shared", "fixtures", "mastodon-api")

// notIn43 lists keys of the documented examples that Roost leaves out on
// purpose, per fixture file, by path ("a.b" for nested keys, "a[]" for the
// elements of a list). Each is a Mastodon feature newer than the 4.3 API
// Roost implements, or a fact about a file that only a codec probe
// (Mastodon's ffprobe) gives; add one only with its reason.
var notIn43 = map[string]map[string]string{
	"media-attachment-video.json": {
		"meta.audio_bitrate":    "codec probe",
		"meta.audio_channels":   "codec probe",
		"meta.audio_encode":     "codec probe",
		"meta.original.bitrate": "codec probe",
		"meta.small":            "video previews are a placeholder image (no frame grabbing)",
	},
	"media-attachment-audio.json": {
		"meta.audio_bitrate":    "codec probe",
		"meta.audio_channels":   "codec probe",
		"meta.audio_encode":     "codec probe",
		"meta.original.bitrate": "codec probe",
	},
	"account.json": {
		"avatar_description": "4.4: alt text for avatars",
		"header_description": "4.4: alt text for headers",
		"show_media":         "4.4: profile tab settings",
		"show_media_replies": "4.4: profile tab settings",
		"show_featured":      "4.4: profile tab settings",
		"feature_approval":   "4.5: collections (featuring accounts)",
	},
	"status.json": {
		"quotes_count":   "4.5: quote posts",
		"quote":          "4.5: quote posts",
		"quote_approval": "4.5: quote posts",
	},
	"instance-v2.json": {
		"thumbnail.description":                            "4.4: alt text of the thumbnail",
		"configuration.urls.about":                         "4.4",
		"configuration.urls.privacy_policy":                "4.4",
		"configuration.urls.terms_of_service":              "4.4: terms of service",
		"configuration.accounts.max_display_name_lenth":    "4.5 (sic): profile limits",
		"configuration.accounts.max_note_length":           "4.5: profile limits",
		"configuration.accounts.max_profile_fields":        "4.5: profile limits",
		"configuration.accounts.profile_field_name_limit":  "4.5: profile limits",
		"configuration.accounts.profile_field_value_limit": "4.5: profile limits",
		"configuration.timelines_access":                   "4.5: timeline access settings",
		"configuration.limited_federation":                 "4.4",
		"registrations.reason_required":                    "4.4",
		"registrations.min_age":                            "4.4: minimum age for sign-up",
		"rules[].translations":                             "4.4: translated rules",
	},
}

// TestShapeAgainstMastodonExamples checks that every key of Mastodon's
// documented examples is in our JSON, with a compatible type, at every depth
// both have. Where the example has null anything goes; where we have null
// (a nullable key, or a feature Roost lacks such as card) the example may
// have anything.
func TestShapeAgainstMastodonExamples(t *testing.T) {
	if _, err := os.Stat(fixtureDir); err != nil {
		t.Skip("../shared fixtures absent")
	}
	e := testEnv
	alice := testAlice()
	viewer := map[string]store.Interaction{"444444444444444444": {Favourited: true}}
	reply := testAliceReply()

	inst1 := InstanceV1{Rules: List[Rule]{{ID: "1", Text: "Be nice"}}, ContactAccount: new(e.Account(alice))}
	inst2 := InstanceV2{
		Thumbnail: InstanceThumbnail{URL: "https://roost.example/t.png", Blurhash: "LEHV6nWB2yk8", Versions: &InstanceThumbnailVersions{X1: "a", X2: "b"}},
		Icon:      List[InstanceIcon]{{Src: "https://roost.example/i.png", Size: "36x36"}},
		Languages: List[string]{"en"},
		Contact:   InstanceContact{Email: "admin@roost.example", Account: new(e.Account(alice))},
		Rules:     List[Rule]{{ID: "1", Text: "Be nice", Hint: "Really"}},
	}
	inst2.Configuration.MediaAttachments.SupportedMIMETypes = List[string]{"image/png"}
	inst1.Configuration.MediaAttachments.SupportedMIMETypes = List[string]{"image/png"}

	cases := map[string]any{
		"account.json":      e.Account(alice),
		"status.json":       e.Status(reply, viewer, alice.ID),
		"context.json":      e.Context([]*store.Status{testBobPost()}, []*store.Status{reply}, viewer, alice.ID),
		"relationship.json": RelationshipOf(&store.Relationship{ID: "1"}),
		"marker.json":       MarkerOf(store.Marker{LastReadID: "1", Version: 1}),
		"status-edit.json":  e.StatusEdits(reply, nil)[0],
		"notification-mention.json": e.Notification(&store.Notification{
			ID: "1", Type: store.NotifyMention, From: testBob(), Status: reply,
		}, viewer, alice.ID),
		"instance-v1.json": inst1,
		"instance-v2.json": inst2,
		"media-attachment-image.json": e.MediaAttachment(&store.Media{ID: "1", Type: store.MediaImage,
			FileKey: "media/1/original.jpg", PreviewKey: "media/1/small.jpg", Width: 640, Height: 480,
			PreviewWidth: 461, PreviewHeight: 346, Description: "alt", Blurhash: "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}"}),
		"media-attachment-video.json": e.MediaAttachment(&store.Media{ID: "2", Type: store.MediaVideo,
			FileKey: "media/2/original.mp4", Width: 640, Height: 360, Duration: 6.13, FrameRate: "30/1", Description: "v"}),
		"media-attachment-audio.json": e.MediaAttachment(&store.Media{ID: "3", Type: store.MediaAudio,
			FileKey: "media/3/original.mp3", Duration: 129.37, Description: "a"}),
		"preview-card-link.json": e.Card(&store.PreviewCard{URL: "https://example.com/a", Title: "A"}),
		"custom-emoji.json":      e.Emojis([]store.Emoji{{Shortcode: "blobaww", URL: "https://x.example/e.png"}})[0],
	}
	names := make([]string, 0, len(cases))
	for name := range cases {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(fixtureDir, name))
			if err != nil {
				t.Fatal(err)
			}
			var want, got any
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(marshal(t, cases[name]), &got); err != nil {
				t.Fatal(err)
			}
			var problems []string
			used := map[string]bool{}
			compareShape("", want, got, notIn43[name], used, &problems)
			for _, p := range problems {
				t.Error(p)
			}
			for p := range notIn43[name] {
				if !used[p] {
					t.Errorf("%s: allow-listed but not missing; drop it from notIn43", p)
				}
			}
		})
	}
}

// compareShape appends to problems every key of want missing from got and
// every value whose JSON type differs. Missing keys are not problems when
// allowed; used records the allowed keys that were missing.
func compareShape(path string, want, got any, allowed map[string]string, used map[string]bool, problems *[]string) {
	if want == nil || got == nil {
		return
	}
	if kind(want) != kind(got) {
		*problems = append(*problems, fmt.Sprintf("%s: Mastodon has %s, we have %s", orRoot(path), kind(want), kind(got)))
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			gv, ok := g[k]
			if !ok {
				if _, ok := allowed[p]; ok {
					used[p] = true
				} else {
					*problems = append(*problems, fmt.Sprintf("%s: missing", p))
				}
				continue
			}
			compareShape(p, w[k], gv, allowed, used, problems)
		}
	case []any:
		g := got.([]any)
		if len(g) == 0 {
			return // nothing of ours to compare the elements with
		}
		for _, wv := range w {
			compareShape(path+"[]", wv, g[0], allowed, used, problems)
		}
	}
}

func orRoot(path string) string {
	if path == "" {
		return "(top level)"
	}
	return path
}

func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}
