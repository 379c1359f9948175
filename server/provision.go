package server

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"strings"

	"github.com/roost-social/roost/federation"
	"github.com/roost-social/roost/store"
)

// Provisioning used by the command line (roost accounts, roost token): the
// same rules as the API, in one place.

var usernameRe = regexp.MustCompile(`^[A-Za-z0-9_]{1,30}$`)

// GeneratePassword returns a random password for accounts created without
// one.
func GeneratePassword() string { return newSecret(18) }

// CreateAccount makes a local account with a user, an RSA-2048 key pair for
// federation and its ActivityPub addresses.
func (s *Server) CreateAccount(ctx context.Context, username, email, password, role string) (*store.Account, error) {
	if !usernameRe.MatchString(username) {
		return nil, fmt.Errorf("username %q: use 1 to 30 letters, digits or underscores", username)
	}
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		return nil, fmt.Errorf("e-mail %q is not an address", email)
	}
	if len(password) < 8 || len(password) > 72 {
		return nil, fmt.Errorf("password must be 8 to 72 characters")
	}
	switch role {
	case store.RoleOwner, store.RoleAdmin, store.RoleUser:
	default:
		return nil, fmt.Errorf("role %q: use owner, admin or user", role)
	}
	pub, priv, err := federation.NewKeyPair()
	if err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	base := s.cfg.BaseURL()
	uri := base + "/users/" + username
	a := &store.Account{
		Username:     username,
		DisplayName:  "",
		Discoverable: true,
		URI:          uri,
		URL:          base + "/@" + username,
		InboxURL:     uri + "/inbox",
		SharedInbox:  base + "/inbox",
		OutboxURL:    uri + "/outbox",
		FollowersURL: uri + "/followers",
		FollowingURL: uri + "/following",
		FeaturedURL:  uri + "/collections/featured",
		PublicKeyPEM: pub,
		PrivateKey:   priv,
		KeyID:        uri + "#main-key",
		Privacy:      store.VisibilityPublic,
		CreatedAt:    s.now(),
		UpdatedAt:    s.now(),
	}
	u := &store.User{Email: strings.ToLower(email), PasswordHash: hash, Role: role, CreatedAt: s.now()}
	if err := s.store.CreateLocalAccount(ctx, a, u); err != nil {
		return nil, fmt.Errorf("create account %s: %w", username, err)
	}
	return a, nil
}

// SetPassword changes the password of a local user.
func (s *Server) SetPassword(ctx context.Context, username, password string) error {
	if len(password) < 8 || len(password) > 72 {
		return fmt.Errorf("password must be 8 to 72 characters")
	}
	u, err := s.store.UserByUsername(ctx, username)
	if err != nil {
		return fmt.Errorf("find %s: %w", username, err)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.store.SetPassword(ctx, u.ID, hash)
}

// CreateCLIToken makes a bearer token for a local user, under an app named
// for the command line, and returns it.
func (s *Server) CreateCLIToken(ctx context.Context, username, scopes string) (string, error) {
	sc, ok := parseScopes(scopes)
	if !ok {
		return "", fmt.Errorf("scopes %q: unknown scope", scopes)
	}
	u, err := s.store.UserByUsername(ctx, username)
	if err != nil {
		return "", fmt.Errorf("find %s: %w", username, err)
	}
	app := &store.App{
		Name: "roost token", RedirectURIs: []string{oobRedirect}, Scopes: strings.Join(sc, " "),
		ClientID: newSecret(32), ClientSecret: newSecret(32),
	}
	if err := s.store.CreateApp(ctx, app); err != nil {
		return "", err
	}
	raw, _, err := s.CreateToken(ctx, app.ID, u.AccountID, app.Scopes)
	return raw, err
}
