package mastodon

import (
	"strings"

	"github.com/roost-social/roost/store"
)

// App is an OAuth client as POST /api/v1/apps (with its secret) and
// GET /api/v1/apps/verify_credentials (without) answer.
type App struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Website *string      `json:"website"`
	Scopes  List[string] `json:"scopes"`
	// RedirectURI is the registered URIs joined by "\n", as Mastodon sends
	// it; deprecated since 4.3 in favour of RedirectURIs.
	RedirectURI  string       `json:"redirect_uri"`
	RedirectURIs List[string] `json:"redirect_uris"`
	ClientID     string       `json:"client_id"`
	// ClientSecret and ClientSecretExpiresAt (always 0: secrets do not
	// expire) are sent only when the app is created.
	ClientSecret          string `json:"client_secret,omitempty"`
	ClientSecretExpiresAt *int64 `json:"client_secret_expires_at,omitempty"`
	VAPIDKey              string `json:"vapid_key"` // deprecated; Env.VAPIDKey
}

// App converts a; withSecret adds the client secret, for the response to
// its registration only.
func (e *Env) App(a *store.App, withSecret bool) App {
	out := App{
		ID:           a.ID,
		Name:         a.Name,
		Website:      str(a.Website),
		Scopes:       strings.Fields(a.Scopes),
		RedirectURI:  strings.Join(a.RedirectURIs, "\n"),
		RedirectURIs: a.RedirectURIs,
		ClientID:     a.ClientID,
		VAPIDKey:     e.VAPIDKey,
	}
	if withSecret {
		out.ClientSecret = a.ClientSecret
		out.ClientSecretExpiresAt = new(int64)
	}
	return out
}

// Token is an OAuth access token as POST /oauth/token answers.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"` // always "Bearer"
	Scope       string `json:"scope"`      // space-separated
	CreatedAt   int64  `json:"created_at"` // Unix seconds
}

// TokenOf converts t, whose bearer string (the store keeps only its hash) is
// accessToken.
func TokenOf(accessToken string, t *store.Token) Token {
	return Token{
		AccessToken: accessToken,
		TokenType:   "Bearer",
		Scope:       t.Scopes,
		CreatedAt:   t.CreatedAt.Unix(),
	}
}
