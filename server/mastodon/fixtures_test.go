package mastodon

import (
	"time"

	"github.com/roost-social/roost/store"
)

// Hand-built store values with fixed times and IDs, shared by the golden,
// shape and benchmark tests.

var testEnv = &Env{BaseURL: "https://roost.example/"}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func atPtr(s string) *time.Time { t := at(s); return &t }

// alice is local, with defaults for everything that can default.
func testAlice() *store.Account {
	return &store.Account{
		ID:           "111111111111111111",
		Username:     "alice",
		DisplayName:  "Alice <3",
		Note:         "<p>Hello &amp; welcome</p>",
		NoteSource:   "Hello & welcome",
		Discoverable: true,
		Fields: []store.Field{
			{Name: "Website", Value: `<a href="https://alice.example" rel="me">alice.example</a>`, Source: "https://alice.example", VerifiedAt: atPtr("2024-03-01T10:20:30.456789Z")},
			{Name: "Pronouns", Value: "she/her"},
		},
		CreatedAt:      at("2024-01-15T13:14:15.678Z"),
		LastStatusAt:   atPtr("2024-06-02T23:59:59Z"),
		FollowersCount: 12,
		FollowingCount: 34,
		StatusesCount:  56,
		Privacy:        store.VisibilityUnlisted,
		Sensitive:      true,
		Language:       "en",
	}
}

// bob is remote, with his own images and addresses.
func testBob() *store.Account {
	return &store.Account{
		ID:          "222222222222222222",
		Username:    "bob",
		Domain:      "social.example",
		DisplayName: "Bob",
		Note:        "<p>remote person</p>",
		Locked:      true,
		Bot:         true,
		URI:         "https://social.example/users/bob",
		URL:         "https://social.example/@bob",
		AvatarURL:   "https://files.social.example/avatars/bob.png",
		HeaderURL:   "https://files.social.example/headers/bob.jpg",
		CreatedAt:   at("2023-05-05T05:05:05+02:00"),
	}
}

// testBobPost is a remote public status with nothing optional.
func testBobPost() *store.Status {
	bob := testBob()
	return &store.Status{
		ID:              "333333333333333333",
		URI:             "https://social.example/users/bob/statuses/1",
		URL:             "https://social.example/@bob/1",
		AccountID:       bob.ID,
		Content:         "<p>Hello from afar</p>",
		Visibility:      store.VisibilityPublic,
		CreatedAt:       at("2024-06-01T08:00:00.5Z"),
		RepliesCount:    1,
		ReblogsCount:    2,
		FavouritesCount: 3,
		Account:         bob,
	}
}

// testAliceReply is alice's local, edited reply to bob, with mentions and
// tags, posted with an app that has no website.
func testAliceReply() *store.Status {
	alice := testAlice()
	return &store.Status{
		ID:                 "444444444444444444",
		AccountID:          alice.ID,
		InReplyToID:        "333333333333333333",
		InReplyToAccountID: "222222222222222222",
		Content:            `<p><span class="h-card"><a href="https://social.example/@bob" class="u-url mention">@<span>bob</span></a></span> hi <a href="https://roost.example/tags/caf%C3%A9" class="mention hashtag" rel="tag">#<span>café</span></a></p>`,
		Text:               "@bob@social.example hi #café @carol",
		SpoilerText:        "cw",
		Sensitive:          true,
		Visibility:         store.VisibilityUnlisted,
		Language:           "en",
		Local:              true,
		AppID:              "7",
		CreatedAt:          at("2024-06-02T09:30:00Z"),
		EditedAt:           atPtr("2024-06-02T10:00:00.25Z"),
		Account:            alice,
		Mentions: []store.Mention{
			{AccountID: "222222222222222222", Username: "bob", Domain: "social.example", URL: "https://social.example/@bob"},
			{AccountID: "555555555555555555", Username: "carol"},
			{AccountID: "666666666666666666", Username: "dave", Domain: "elsewhere.example"},
		},
		Tags:        []string{"café", "roost"},
		Application: &store.App{ID: "7", Name: "Roost CLI"},
	}
}

// testAliceBoost is alice's boost of bob's post.
func testAliceBoost() *store.Status {
	alice := testAlice()
	return &store.Status{
		ID:         "777777777777777777",
		URI:        "https://roost.example/users/alice/statuses/777777777777777777/activity",
		AccountID:  alice.ID,
		ReblogOfID: "333333333333333333",
		Visibility: store.VisibilityPublic,
		Local:      true,
		CreatedAt:  at("2024-06-02T11:00:00Z"),
		Account:    alice,
		Reblog:     testBobPost(),
	}
}

func testAdmin() *store.User {
	return &store.User{ID: "1", AccountID: "111111111111111111", Email: "alice@roost.example", Role: store.RoleAdmin}
}
