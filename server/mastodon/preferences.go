package mastodon

import "github.com/roost-social/roost/store"

// Preferences is the body of GET /api/v1/preferences.
type Preferences struct {
	PostingDefaultVisibility string  `json:"posting:default:visibility"`
	PostingDefaultSensitive  bool    `json:"posting:default:sensitive"`
	PostingDefaultLanguage   *string `json:"posting:default:language"` // null when unset
	ReadingExpandMedia       string  `json:"reading:expand:media"`     // default, show_all or hide_all
	ReadingExpandSpoilers    bool    `json:"reading:expand:spoilers"`
}

// PreferencesOf returns a's preferences. Roost keeps only the posting
// defaults; the reading ones are Mastodon's defaults.
func PreferencesOf(a *store.Account) Preferences {
	return Preferences{
		PostingDefaultVisibility: privacyOf(a),
		PostingDefaultSensitive:  a.Sensitive,
		PostingDefaultLanguage:   str(a.Language),
		ReadingExpandMedia:       "default",
	}
}
