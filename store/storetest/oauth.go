package storetest

import (
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

var oauthTests = []storeTest{
	{"Apps", testApps},
	{"Tokens", testTokens},
	{"AuthCodes", testAuthCodes},
}

// MustCreateApp registers an OAuth client named name.
func MustCreateApp(tb testing.TB, s store.Store, name string) *store.App {
	tb.Helper()
	a := &store.App{
		Name:         name,
		Website:      "https://" + name + ".test",
		RedirectURIs: []string{"urn:ietf:wg:oauth:2.0:oob", "https://" + name + ".test/callback"},
		Scopes:       "read write",
		ClientID:     "client-" + name,
		ClientSecret: "secret-" + name,
	}
	if err := s.CreateApp(tb.Context(), a); err != nil {
		tb.Fatalf("create app %s: %v", name, err)
	}
	return a
}

func testApps(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := MustCreateApp(t, s, "tusky")
	if !store.ValidID(a.ID) {
		t.Fatalf("app ID not assigned: %q", a.ID)
	}
	got, err := s.AppByClientID(ctx, "client-tusky")
	ok(t, err, "app by client ID")
	equal(t, got.ID, a.ID, "ID")
	equal(t, got.Name, "tusky", "name")
	equal(t, got.Website, "https://tusky.test", "website")
	equal(t, got.Scopes, "read write", "scopes")
	equal(t, got.ClientSecret, "secret-tusky", "client secret")
	equalSlice(t, got.RedirectURIs, a.RedirectURIs, "redirect URIs")
	utcMillis(t, got.CreatedAt, "CreatedAt")

	_, err = s.AppByClientID(ctx, "nope")
	isErr(t, err, store.ErrNotFound, "unknown client ID")
	err = s.CreateApp(ctx, &store.App{Name: "again", ClientID: "client-tusky"})
	isErr(t, err, store.ErrConflict, "client ID taken")
}

func testTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	app := MustCreateApp(t, s, "tusky")
	alice := MustCreateLocal(t, s, "alice")

	tok := &store.Token{Hash: "h1", AppID: app.ID, AccountID: alice.ID, Scopes: "read"}
	ok(t, s.CreateToken(ctx, tok), "create token")
	if !store.ValidID(tok.ID) {
		t.Fatalf("token ID not assigned: %q", tok.ID)
	}
	got, err := s.TokenByHash(ctx, "h1")
	ok(t, err, "token by hash")
	equal(t, got.ID, tok.ID, "ID")
	equal(t, got.AccountID, alice.ID, "account")
	equal(t, got.AppID, app.ID, "app")
	equal(t, got.Scopes, "read", "scopes")
	utcMillis(t, got.CreatedAt, "CreatedAt")
	if got.App == nil || got.App.Name != "tusky" || got.App.ClientID != "client-tusky" {
		t.Errorf("token's App = %+v", got.App)
	}

	// client_credentials tokens have no account; CLI tokens no app.
	ok(t, s.CreateToken(ctx, &store.Token{Hash: "h2", AppID: app.ID, Scopes: "read"}), "app token")
	got, err = s.TokenByHash(ctx, "h2")
	ok(t, err, "app token by hash")
	equal(t, got.AccountID, "", "account of an app token")
	ok(t, s.CreateToken(ctx, &store.Token{Hash: "h3", AccountID: alice.ID}), "token without app")
	got, err = s.TokenByHash(ctx, "h3")
	ok(t, err, "token without app by hash")
	if got.App != nil || got.AppID != "" {
		t.Errorf("token without app has App %+v, AppID %q", got.App, got.AppID)
	}

	isErr(t, s.CreateToken(ctx, &store.Token{Hash: "h1", AccountID: alice.ID}), store.ErrConflict, "hash taken")

	ok(t, s.RevokeToken(ctx, "h1"), "revoke token")
	_, err = s.TokenByHash(ctx, "h1")
	isErr(t, err, store.ErrNotFound, "revoked token")
	ok(t, s.RevokeToken(ctx, "h1"), "revoke token again")
	ok(t, s.RevokeToken(ctx, "never"), "revoke unknown token")
	_, err = s.TokenByHash(ctx, "h2")
	ok(t, err, "other tokens survive a revocation")
}

func testAuthCodes(t *testing.T, s store.Store) {
	ctx := t.Context()
	app := MustCreateApp(t, s, "tusky")
	alice := MustCreateLocal(t, s, "alice")
	now := time.Now()
	code := &store.AuthCode{
		Hash:                "code1",
		AppID:               app.ID,
		AccountID:           alice.ID,
		RedirectURI:         "https://tusky.test/callback",
		Scopes:              "read write",
		CodeChallenge:       "challenge",
		CodeChallengeMethod: "S256",
		ExpiresAt:           now.Add(10 * time.Minute),
	}
	ok(t, s.CreateAuthCode(ctx, code), "create code")
	ok(t, s.CreateAuthCode(ctx, &store.AuthCode{Hash: "code2", AppID: app.ID, AccountID: alice.ID, ExpiresAt: now.Add(time.Minute)}), "create code 2")
	ok(t, s.CreateAuthCode(ctx, &store.AuthCode{Hash: "code3", AppID: app.ID, AccountID: alice.ID, ExpiresAt: now.Add(time.Minute)}), "create code 3")

	got, err := s.ConsumeAuthCode(ctx, "code1", now)
	ok(t, err, "consume code")
	equal(t, got.AppID, app.ID, "app")
	equal(t, got.AccountID, alice.ID, "account")
	equal(t, got.RedirectURI, code.RedirectURI, "redirect URI")
	equal(t, got.Scopes, "read write", "scopes")
	equal(t, got.CodeChallenge, "challenge", "code challenge")
	equal(t, got.CodeChallengeMethod, "S256", "code challenge method")
	if !got.ExpiresAt.Equal(now.Add(10*time.Minute).Truncate(time.Millisecond)) || got.ExpiresAt.Location() != time.UTC {
		t.Errorf("ExpiresAt = %v, want %v in UTC", got.ExpiresAt, now.Add(10*time.Minute))
	}

	_, err = s.ConsumeAuthCode(ctx, "code1", now)
	isErr(t, err, store.ErrNotFound, "code used twice")
	_, err = s.ConsumeAuthCode(ctx, "code2", now.Add(2*time.Minute))
	isErr(t, err, store.ErrNotFound, "expired code")
	_, err = s.ConsumeAuthCode(ctx, "code3", code.ExpiresAt.Add(-9*time.Minute))
	isErr(t, err, store.ErrNotFound, "code at its expiry time")
	_, err = s.ConsumeAuthCode(ctx, "never", now)
	isErr(t, err, store.ErrNotFound, "unknown code")
}
