package mastodon

import (
	"strconv"
	"time"

	"github.com/roost-social/roost/store"
)

// Account is Mastodon's Account entity: a local or remote profile.
type Account struct {
	ID              string            `json:"id"`
	Username        string            `json:"username"`
	Acct            string            `json:"acct"` // "name" for local accounts, "name@domain" for remote ones
	DisplayName     string            `json:"display_name"`
	Locked          bool              `json:"locked"`
	Bot             bool              `json:"bot"`
	Discoverable    bool              `json:"discoverable"`
	Indexable       bool              `json:"indexable"`
	Group           bool              `json:"group"`
	CreatedAt       Time              `json:"created_at"` // midnight UTC of the creation day, as Mastodon ≥ 3.4
	Note            string            `json:"note"`       // HTML
	URL             string            `json:"url"`
	URI             string            `json:"uri"`
	Avatar          string            `json:"avatar"`
	AvatarStatic    string            `json:"avatar_static"`
	Header          string            `json:"header"`
	HeaderStatic    string            `json:"header_static"`
	FollowersCount  int               `json:"followers_count"`
	FollowingCount  int               `json:"following_count"`
	StatusesCount   int               `json:"statuses_count"`
	LastStatusAt    *Date             `json:"last_status_at"`
	HideCollections bool              `json:"hide_collections"`
	Noindex         *bool             `json:"noindex"` // false for local accounts, null for remote ones
	Emojis          List[Emoji]       `json:"emojis"`
	Roles           List[AccountRole] `json:"roles"`
	Fields          List[Field]       `json:"fields"`
	// Moved is the account this one moved to; the key is left out when it
	// has not moved, as Mastodon does. Callers fill it (see MovedTo).
	Moved *Account `json:"moved,omitempty"`
}

// MovedTo sets acc's moved to the account moved to. Mastodon does not nest
// further: the moved-to account's own move is left out.
func (e *Env) MovedTo(acc *Account, to *store.Account) {
	if to == nil {
		return
	}
	m := e.Account(to)
	acc.Moved = &m
}

// Field is a profile metadata row.
type Field struct {
	Name       string `json:"name"`
	Value      string `json:"value"` // HTML, or the typed text inside Source
	VerifiedAt *Time  `json:"verified_at"`
}

// Emoji is Mastodon's CustomEmoji entity.
type Emoji struct {
	Shortcode       string  `json:"shortcode"`
	URL             string  `json:"url"`
	StaticURL       string  `json:"static_url"`
	VisibleInPicker bool    `json:"visible_in_picker"`
	Category        *string `json:"category"`
}

// AccountRole is a role shown on a profile (Account.roles).
type AccountRole struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Color string `json:"color"`
}

// CredentialAccount is the Account a user sees of themself
// (verify_credentials, update_credentials): an Account with source and role.
type CredentialAccount struct {
	Account
	Source Source `json:"source"`
	Role   Role   `json:"role"`
}

// Source holds what the owner typed and their posting defaults.
type Source struct {
	Privacy             string      `json:"privacy"`
	Sensitive           bool        `json:"sensitive"`
	Language            string      `json:"language"` // "" when unset
	Note                string      `json:"note"`     // plain text
	Fields              List[Field] `json:"fields"`   // values as typed, not HTML
	FollowRequestsCount int         `json:"follow_requests_count"`
}

// Role is Mastodon's Role entity, the role of the user a token belongs to.
type Role struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Color       string `json:"color"`
	Permissions string `json:"permissions"` // decimal bit set of Mastodon's permission flags
	Highlighted bool   `json:"highlighted"`
}

// Mastodon's permission flags (UserRole::FLAGS) that Roost's roles map to.
const (
	permAdministrator = 1 << 0
	permInviteUsers   = 1 << 16
	// permStaff is every flag from view_audit_log (1<<2) to delete_user_data
	// (1<<19): all of Mastodon's moderation and administration rights except
	// administrator and view_devops.
	permStaff = 1<<20 - 1<<2
)

// Roles as Mastodon's default ones present them: "everyone" (-99), Admin (2)
// and Owner (3).
var (
	roleUser  = Role{ID: "-99", Name: "", Permissions: strconv.Itoa(permInviteUsers)}
	roleAdmin = Role{ID: "2", Name: "Admin", Permissions: strconv.Itoa(permStaff), Highlighted: true}
	roleOwner = Role{ID: "3", Name: "Owner", Permissions: strconv.Itoa(permAdministrator), Highlighted: true}
)

// RoleOf returns the Role entity of a user's role (store.RoleOwner, ...);
// unknown roles and nil users get the everyone role.
func RoleOf(u *store.User) Role {
	if u == nil {
		return roleUser
	}
	switch u.Role {
	case store.RoleOwner:
		return roleOwner
	case store.RoleAdmin:
		return roleAdmin
	}
	return roleUser
}

// Account converts a. A nil a gives an Account with empty fields, so that a
// status whose author failed to load still converts.
func (e *Env) Account(a *store.Account) Account {
	if a == nil {
		return Account{}
	}
	avatar, avatarStatic := e.profileImage(a, a.AvatarURL, "/avatars/original/missing.png")
	header, headerStatic := e.profileImage(a, a.HeaderURL, "/headers/original/missing.png")
	c := a.CreatedAt.UTC()
	acc := Account{
		ID:             a.ID,
		Username:       a.Username,
		Acct:           a.Acct(),
		DisplayName:    a.DisplayName,
		Locked:         a.Locked,
		Bot:            a.Bot,
		Discoverable:   a.Discoverable,
		CreatedAt:      Time(time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, time.UTC)),
		Note:           a.Note,
		URL:            e.accountURL(a),
		URI:            e.accountURI(a),
		Avatar:         avatar,
		AvatarStatic:   avatarStatic,
		Header:         header,
		HeaderStatic:   headerStatic,
		FollowersCount: a.FollowersCount,
		FollowingCount: a.FollowingCount,
		StatusesCount:  a.StatusesCount,
		LastStatusAt:   datePtr(a.LastStatusAt),
		Emojis:         e.Emojis(a.Emojis),
	}
	if a.Local() {
		acc.Noindex = new(bool)
	}
	if len(a.Fields) > 0 {
		acc.Fields = make(List[Field], len(a.Fields))
		for i, f := range a.Fields {
			acc.Fields[i] = Field{Name: f.Name, Value: f.Value, VerifiedAt: timePtr(f.VerifiedAt)}
		}
	}
	return acc
}

// profileImage is the address of an avatar or header and of its still
// version: a local account's upload (a Blobs key), a remote account's image
// through the media cache (its still a small preview, which also spares
// apps a large original), or the default image at BaseURL + missing.
func (e *Env) profileImage(a *store.Account, image, missing string) (url, static string) {
	switch {
	case image == "":
		return e.base() + missing, e.base() + missing
	case a.Local():
		return e.blobURL(image), e.blobURL(image)
	}
	return e.remoteURL(image), e.remotePreviewURL(image)
}

// Accounts converts as in order; the result is never nil.
func (e *Env) Accounts(as []*store.Account) []Account {
	out := make([]Account, len(as))
	for i, a := range as {
		out[i] = e.Account(a)
	}
	return out
}

// CredentialAccount converts the account of user u for u themself;
// followRequests is the number of pending follow requests to them. u may be
// nil (the everyone role is reported).
func (e *Env) CredentialAccount(a *store.Account, u *store.User, followRequests int) CredentialAccount {
	ca := CredentialAccount{Account: e.Account(a), Role: RoleOf(u)}
	if a == nil {
		return ca
	}
	ca.Source = Source{
		Privacy:             privacyOf(a),
		Sensitive:           a.Sensitive,
		Language:            a.Language,
		Note:                a.NoteSource,
		FollowRequestsCount: followRequests,
	}
	if len(a.Fields) > 0 {
		ca.Source.Fields = make(List[Field], len(a.Fields))
		for i, f := range a.Fields {
			v := f.Source
			if v == "" {
				v = f.Value
			}
			ca.Source.Fields[i] = Field{Name: f.Name, Value: v, VerifiedAt: timePtr(f.VerifiedAt)}
		}
	}
	return ca
}

// privacyOf is a's default visibility, public when unset.
func privacyOf(a *store.Account) string {
	if a.Privacy == "" {
		return store.VisibilityPublic
	}
	return a.Privacy
}
