package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/roost-social/roost/store"
)

const appColumns = `id, name, website, redirect_uris, scopes, client_id, client_secret, created_at`

func scanApp(sc scanner) (*store.App, error) {
	var a store.App
	var id, created int64
	var uris string
	if err := sc.Scan(&id, &a.Name, &a.Website, &uris, &a.Scopes, &a.ClientID, &a.ClientSecret, &created); err != nil {
		return nil, err
	}
	a.ID = formatID(id)
	a.CreatedAt = fromMS(created)
	if uris != "" {
		a.RedirectURIs = strings.Split(uris, "\n")
	}
	return &a, nil
}

// CreateApp stores an OAuth client. The ID, and the client ID and secret
// when empty, are assigned; a is updated with what was stored.
func (s *Store) CreateApp(ctx context.Context, a *store.App) error {
	a.CreatedAt = truncMS(a.CreatedAt, now())
	if a.ID == "" {
		a.ID = store.NewID(a.CreatedAt)
	}
	id, ok := parseID(a.ID)
	if !ok {
		return fmt.Errorf("create app: invalid id %q", a.ID)
	}
	if a.ClientID == "" {
		a.ClientID = rand.Text()
	}
	if a.ClientSecret == "" {
		a.ClientSecret = rand.Text()
	}
	err := s.write(ctx, func(c *conn) error {
		_, err := c.exec(`INSERT INTO apps (`+appColumns+`) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
			id, a.Name, a.Website, strings.Join(a.RedirectURIs, "\n"), a.Scopes, a.ClientID, a.ClientSecret, ms(a.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("create app: %w", err)
	}
	return nil
}

// AppByClientID finds an OAuth client.
func (s *Store) AppByClientID(ctx context.Context, clientID string) (*store.App, error) {
	var a *store.App
	err := s.readOne(ctx, func(c *conn) (err error) {
		a, err = scanApp(c.queryRow(`SELECT `+appColumns+` FROM apps WHERE client_id = ?1`, clientID))
		return notFound(err)
	})
	if err != nil {
		return nil, fmt.Errorf("get app: %w", err)
	}
	return a, nil
}

// CreateToken stores an access token (its hash). The ID is assigned when
// empty; AppID and AccountID may be "".
func (s *Store) CreateToken(ctx context.Context, t *store.Token) error {
	t.CreatedAt = truncMS(t.CreatedAt, now())
	if t.ID == "" {
		t.ID = store.NewID(t.CreatedAt)
	}
	id, ok := parseID(t.ID)
	if !ok {
		return fmt.Errorf("create token: invalid id %q", t.ID)
	}
	appID, err := nullID(t.AppID)
	if err != nil {
		return fmt.Errorf("create token: app: %w", err)
	}
	accountID, err := nullID(t.AccountID)
	if err != nil {
		return fmt.Errorf("create token: account: %w", err)
	}
	err = s.write(ctx, func(c *conn) error {
		_, err := c.exec(`INSERT INTO tokens (id, hash, app_id, account_id, scopes, created_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
			id, t.Hash, appID, accountID, t.Scopes, ms(t.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

// TokenByHash finds a token with its App (nil for a token without one).
func (s *Store) TokenByHash(ctx context.Context, hash string) (*store.Token, error) {
	var t store.Token
	err := s.readOne(ctx, func(c *conn) error {
		var id, created int64
		var appID, accountID, aID, aCreated sql.NullInt64
		var name, website, uris, scopes, clientID, secret sql.NullString
		err := c.queryRow(`SELECT t.id, t.hash, t.app_id, t.account_id, t.scopes, t.created_at,
			a.id, a.name, a.website, a.redirect_uris, a.scopes, a.client_id, a.client_secret, a.created_at
			FROM tokens t LEFT JOIN apps a ON a.id = t.app_id WHERE t.hash = ?1`, hash).
			Scan(&id, &t.Hash, &appID, &accountID, &t.Scopes, &created,
				&aID, &name, &website, &uris, &scopes, &clientID, &secret, &aCreated)
		if err != nil {
			return notFound(err)
		}
		t.ID = formatID(id)
		t.AppID = formatNullID(appID)
		t.AccountID = formatNullID(accountID)
		t.CreatedAt = fromMS(created)
		if aID.Valid {
			t.App = &store.App{ID: formatID(aID.Int64), Name: name.String, Website: website.String,
				Scopes: scopes.String, ClientID: clientID.String, ClientSecret: secret.String,
				CreatedAt: fromMS(aCreated.Int64)}
			if uris.String != "" {
				t.App.RedirectURIs = strings.Split(uris.String, "\n")
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get token: %w", err)
	}
	return &t, nil
}

// RevokeToken deletes a token; an unknown hash is no error.
func (s *Store) RevokeToken(ctx context.Context, hash string) error {
	err := s.write(ctx, func(c *conn) error {
		_, err := c.exec(`DELETE FROM tokens WHERE hash = ?1`, hash)
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// CreateAuthCode stores an authorization code (its hash).
func (s *Store) CreateAuthCode(ctx context.Context, ac *store.AuthCode) error {
	appID, ok1 := parseID(ac.AppID)
	accountID, ok2 := parseID(ac.AccountID)
	if !ok1 || !ok2 {
		return fmt.Errorf("create auth code: %w", store.ErrNotFound)
	}
	ac.ExpiresAt = truncMS(ac.ExpiresAt, time.Time{})
	err := s.write(ctx, func(c *conn) error {
		_, err := c.exec(`INSERT INTO auth_codes (hash, app_id, account_id, redirect_uri, scopes,
			code_challenge, code_challenge_method, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
			ac.Hash, appID, accountID, ac.RedirectURI, ac.Scopes, ac.CodeChallenge, ac.CodeChallengeMethod, ms(ac.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("create auth code: %w", err)
	}
	return nil
}

// ConsumeAuthCode returns the code and deletes it, so it works once. A code
// that is unknown, used or expired (ExpiresAt <= now) is store.ErrNotFound;
// an expired one is deleted too.
func (s *Store) ConsumeAuthCode(ctx context.Context, hash string, now time.Time) (*store.AuthCode, error) {
	var ac store.AuthCode
	err := s.write(ctx, func(c *conn) error {
		var appID, accountID, expires int64
		err := c.queryRow(`DELETE FROM auth_codes WHERE hash = ?1 RETURNING hash, app_id, account_id,
			redirect_uri, scopes, code_challenge, code_challenge_method, expires_at`, hash).
			Scan(&ac.Hash, &appID, &accountID, &ac.RedirectURI, &ac.Scopes, &ac.CodeChallenge,
				&ac.CodeChallengeMethod, &expires)
		if err != nil {
			return notFound(err)
		}
		ac.AppID = formatID(appID)
		ac.AccountID = formatID(accountID)
		ac.ExpiresAt = fromMS(expires)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("consume auth code: %w", err)
	}
	if !ac.ExpiresAt.After(now) {
		return nil, fmt.Errorf("consume auth code: expired: %w", store.ErrNotFound)
	}
	return &ac, nil
}
