package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/roost-social/roost/server/mastodon"
	"github.com/roost-social/roost/store"
	"golang.org/x/crypto/bcrypt"
)

// OAuth 2 as Mastodon serves it: apps register with POST /api/v1/apps, users
// approve them at /oauth/authorize (sign-in page, then a consent step), and
// apps trade the code for a token at /oauth/token, with PKCE (S256) when the
// app sends a challenge. The "out of band" redirect shows the code on a page.

const (
	oobRedirect   = "urn:ietf:wg:oauth:2.0:oob"
	codeLifetime  = 10 * time.Minute
	formLifetime  = 30 * time.Minute
	sessionCookie = "roost_session"
	sessionTTL    = 7 * 24 * time.Hour
)

// createApp is POST /api/v1/apps.
func (s *Server) createApp(c *call) error {
	name := strings.TrimSpace(c.p.str("client_name"))
	if name == "" {
		return unprocessable("Validation failed: Application name can't be blank")
	}
	if len([]rune(name)) > 60 {
		return unprocessable("Validation failed: Application name is too long (maximum is 60 characters)")
	}
	var uris []string
	for _, v := range c.p.strs("redirect_uris") {
		for _, u := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == ' ' || r == '\r' }) {
			uris = append(uris, u)
		}
	}
	if len(uris) == 0 {
		return unprocessable("Validation failed: Redirect URI can't be blank")
	}
	for _, u := range uris {
		if !validRedirectURI(u) {
			return unprocessable("Validation failed: Redirect URI must be an absolute URI.")
		}
	}
	scopes, ok := parseScopes(c.p.str("scopes"))
	if !ok {
		return unprocessable("Validation failed: Scopes are invalid")
	}
	website := strings.TrimSpace(c.p.str("website"))
	if website != "" {
		if u, err := url.Parse(website); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return unprocessable("Validation failed: Website is invalid")
		}
	}
	a := &store.App{
		Name:         name,
		Website:      website,
		RedirectURIs: uris,
		Scopes:       strings.Join(scopes, " "),
		ClientID:     newSecret(32),
		ClientSecret: newSecret(32),
	}
	if err := s.store.CreateApp(c.r.Context(), a); err != nil {
		return err
	}
	return c.ok(s.env.App(a, true))
}

// validRedirectURI accepts absolute URIs without fragments, custom schemes
// included (tusky://oauth), and the out-of-band URN.
func validRedirectURI(s string) bool {
	if s == oobRedirect {
		return true
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Fragment != "" || strings.ContainsAny(s, " \t") {
		return false
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		return u.Host != ""
	}
	return u.Opaque != "" || u.Host != "" || u.Path != ""
}

// verifyApp is GET /api/v1/apps/verify_credentials.
func (s *Server) verifyApp(c *call) error {
	a := c.token.App
	if a == nil {
		return errUnauthorized
	}
	return c.ok(s.env.App(a, false))
}

// authRequest is the validated query of an authorization request.
type authRequest struct {
	app                 *store.App
	redirectURI         string
	scopes              []string
	state               string
	codeChallenge       string
	codeChallengeMethod string
}

// authPage is what the sign-in, consent and code templates show.
type authPage struct {
	Title, Instance, AppName, Website, ClientID, RedirectURI, Scope, State  string
	CodeChallenge, CodeChallengeMethod, Username, Error, ConsentToken, Code string
	Scopes                                                                  []string
}

// parseAuthRequest checks client_id and redirect_uri first: when either is
// wrong the user sees an error page and is never redirected. Other errors
// are redirected back to the app, as RFC 6749 §4.1.2.1 says.
func (s *Server) parseAuthRequest(c *call) (*authRequest, error) {
	ctx := c.r.Context()
	app, err := s.store.AppByClientID(ctx, c.p.str("client_id"))
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.authErrorPage(c, http.StatusBadRequest, "Client authentication failed", "The application is unknown.")
	}
	if err != nil {
		return nil, err
	}
	ar := &authRequest{app: app, state: c.p.str("state")}
	ar.redirectURI = c.p.str("redirect_uri")
	if ar.redirectURI == "" && len(app.RedirectURIs) == 1 {
		ar.redirectURI = app.RedirectURIs[0]
	}
	if !slices.Contains(app.RedirectURIs, ar.redirectURI) {
		return nil, s.authErrorPage(c, http.StatusBadRequest, "Invalid redirect URI",
			"The redirect URI is not one registered for this application.")
	}
	if rt := c.p.str("response_type"); rt != "code" {
		return nil, s.redirectError(c, ar, "unsupported_response_type", "The authorization server does not support this response type.")
	}
	scopes, ok := parseScopes(c.p.str("scope"))
	if !ok || !subsetScopes(scopes, strings.Fields(app.Scopes)) {
		return nil, s.redirectError(c, ar, "invalid_scope", "The requested scope is invalid, unknown, or malformed.")
	}
	ar.scopes = scopes
	ar.codeChallenge = c.p.str("code_challenge")
	ar.codeChallengeMethod = c.p.str("code_challenge_method")
	if ar.codeChallenge != "" {
		if ar.codeChallengeMethod == "" || ar.codeChallengeMethod == "plain" {
			return nil, s.redirectError(c, ar, "invalid_request", "Only the S256 code challenge method is supported.")
		}
		if ar.codeChallengeMethod != "S256" || len(ar.codeChallenge) < 43 || len(ar.codeChallenge) > 128 {
			return nil, s.redirectError(c, ar, "invalid_request", "The code challenge is invalid.")
		}
	}
	return ar, nil
}

// errHandled means the handler already wrote the response.
var errHandled = errors.New("response written")

func (s *Server) authErrorPage(c *call, status int, heading, msg string) error {
	s.render(c, status, "error.html", map[string]string{"Title": heading, "Heading": heading, "Message": msg})
	return errHandled
}

func (s *Server) redirectError(c *call, ar *authRequest, code, desc string) error {
	if ar.redirectURI == oobRedirect {
		return s.authErrorPage(c, http.StatusBadRequest, "Authorization failed", desc)
	}
	q := url.Values{"error": {code}, "error_description": {desc}}
	if ar.state != "" {
		q.Set("state", ar.state)
	}
	http.Redirect(c.w, c.r, appendQuery(ar.redirectURI, q), http.StatusFound)
	return errHandled
}

func appendQuery(uri string, q url.Values) string {
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + q.Encode()
}

func (s *Server) render(c *call, status int, name string, data any) {
	h := c.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	// Images and media may come from the S3 bucket's host (over http only
	// when the instance itself is on http, for local testing).
	files := "'self' https:"
	if !s.cfg.HTTPS {
		files += " http:"
	}
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src "+files+" data:; media-src "+files+
		"; form-action 'self' *; frame-ancestors 'none'; base-uri 'none'")
	c.w.WriteHeader(status)
	if err := s.tmpl.ExecuteTemplate(c.w, name, data); err != nil {
		s.log.Error("render template", "name", name, "err", err)
	}
}

func (s *Server) page(ar *authRequest) authPage {
	return authPage{
		Title: "Sign in · " + s.cfg.Title, Instance: s.cfg.Title, AppName: ar.app.Name, Website: ar.app.Website,
		ClientID: ar.app.ClientID, RedirectURI: ar.redirectURI, Scope: strings.Join(ar.scopes, " "),
		State: ar.state, CodeChallenge: ar.codeChallenge, CodeChallengeMethod: ar.codeChallengeMethod,
		Scopes: ar.scopes,
	}
}

// authorizeForm is GET /oauth/authorize: the sign-in page, or the consent
// step when the browser already holds a session.
func (s *Server) authorizeForm(c *call) error {
	ar, err := s.parseAuthRequest(c)
	if err != nil {
		return err
	}
	if !c.p.boolean("force_login") {
		if acct := s.sessionAccount(c); acct != nil {
			return s.showConsent(c, ar, acct)
		}
	}
	s.render(c, http.StatusOK, "authorize.html", s.page(ar))
	return errHandled
}

func (s *Server) sessionAccount(c *call) *store.Account {
	ck, err := c.r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	fields, ok := s.verifyToken("session", ck.Value)
	if !ok || len(fields) != 1 {
		return nil
	}
	acct, err := s.store.AccountByID(c.r.Context(), fields[0])
	if err != nil {
		return nil
	}
	return acct
}

func (s *Server) showConsent(c *call, ar *authRequest, acct *store.Account) error {
	pg := s.page(ar)
	pg.Title = "Authorize · " + s.cfg.Title
	pg.Username = acct.Username
	pg.ConsentToken = s.signToken("consent", formLifetime, acct.ID, ar.app.ClientID, ar.redirectURI, pg.Scope, ar.codeChallenge)
	s.render(c, http.StatusOK, "consent.html", pg)
	return errHandled
}

// authorize is POST /oauth/authorize: either the sign-in form (username and
// password) or the consent form (consent_token and decision).
func (s *Server) authorize(c *call) error {
	ar, err := s.parseAuthRequest(c)
	if err != nil {
		return err
	}
	if tok := c.p.str("consent_token"); tok != "" {
		fields, ok := s.verifyToken("consent", tok)
		if !ok || len(fields) != 5 || fields[1] != ar.app.ClientID || fields[2] != ar.redirectURI ||
			fields[3] != strings.Join(ar.scopes, " ") || fields[4] != ar.codeChallenge {
			return s.authErrorPage(c, http.StatusForbidden, "Authorization failed", "This form has expired or was altered. Start again from the app.")
		}
		if c.p.str("decision") != "approve" {
			return s.redirectError(c, ar, "access_denied", "The resource owner or authorization server denied the request.")
		}
		return s.issueCode(c, ar, fields[0])
	}

	login := strings.TrimSpace(c.p.str("username"))
	if ok, reset := s.signIn.allow(clientIP(c.r), s.now()); !ok {
		c.w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(reset).Seconds())+1))
		pg := s.page(ar)
		pg.Username, pg.Error = login, "Too many sign-in attempts. Wait a few minutes and try again."
		s.render(c, http.StatusTooManyRequests, "authorize.html", pg)
		return errHandled
	}
	u, err := s.checkPassword(c.r.Context(), login, c.p.str("password"))
	if err != nil {
		pg := s.page(ar)
		pg.Username, pg.Error = login, "Invalid e-mail address or password."
		s.render(c, http.StatusUnauthorized, "authorize.html", pg)
		return errHandled
	}
	http.SetCookie(c.w, &http.Cookie{
		Name: sessionCookie, Value: s.signToken("session", sessionTTL, u.AccountID), Path: "/oauth/",
		MaxAge: int(sessionTTL.Seconds()), HttpOnly: true, Secure: s.cfg.HTTPS, SameSite: http.SameSiteLaxMode,
	})
	acct, err := s.store.AccountByID(c.r.Context(), u.AccountID)
	if err != nil {
		return err
	}
	return s.showConsent(c, ar, acct)
}

// checkPassword finds the user by e-mail or username and checks the
// password; every failure looks the same to the caller.
func (s *Server) checkPassword(ctx context.Context, login, password string) (*store.User, error) {
	var u *store.User
	var err error
	if strings.Contains(login, "@") {
		u, err = s.store.UserByEmail(ctx, login)
	} else {
		u, err = s.store.UserByUsername(ctx, login)
	}
	if err != nil {
		// Spend the same time as a real check so timing does not reveal
		// which accounts exist.
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return nil, store.ErrNotFound
	}
	if err := bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)); err != nil {
		return nil, store.ErrNotFound
	}
	return u, nil
}

// dummyHash is made on first use, not at start-up: bcrypt takes tens of
// milliseconds, and start-up should take less.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost)
	return h
})

// passwordCost is bcrypt's work factor; tests lower it to stay fast.
var passwordCost = bcrypt.DefaultCost

// HashPassword is how passwords are stored (bcrypt, Mastodon's choice).
func HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), passwordCost)
	return string(h), err
}

func (s *Server) issueCode(c *call, ar *authRequest, accountID string) error {
	code := newSecret(32)
	err := s.store.CreateAuthCode(c.r.Context(), &store.AuthCode{
		Hash: hashSecret(code), AppID: ar.app.ID, AccountID: accountID, RedirectURI: ar.redirectURI,
		Scopes: strings.Join(ar.scopes, " "), CodeChallenge: ar.codeChallenge,
		CodeChallengeMethod: ar.codeChallengeMethod, ExpiresAt: s.now().Add(codeLifetime),
	})
	if err != nil {
		return err
	}
	if ar.redirectURI == oobRedirect {
		pg := s.page(ar)
		pg.Title, pg.Code = "Authorization code · "+s.cfg.Title, code
		s.render(c, http.StatusOK, "code.html", pg)
		return errHandled
	}
	q := url.Values{"code": {code}}
	if ar.state != "" {
		q.Set("state", ar.state)
	}
	http.Redirect(c.w, c.r, appendQuery(ar.redirectURI, q), http.StatusFound)
	return errHandled
}

// oauthError is the token endpoint's error shape (RFC 6749 §5.2).
func oauthError(status int, code, desc string) error {
	return &apiError{status: status, msg: code, desc: desc}
}

// clientApp authenticates the client of a token or revoke request, by
// client_secret_post or client_secret_basic. A public PKCE client may omit
// the secret when allowPublic is set.
func (s *Server) clientApp(c *call, allowPublic bool) (*store.App, error) {
	id, secret := c.p.str("client_id"), c.p.str("client_secret")
	if u, p, ok := c.r.BasicAuth(); ok {
		id, secret = u, p
	}
	app, err := s.store.AppByClientID(c.r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, oauthError(http.StatusUnauthorized, "invalid_client", "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
	}
	if err != nil {
		return nil, err
	}
	if secret == "" && allowPublic {
		return app, nil
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(app.ClientSecret)) != 1 {
		return nil, oauthError(http.StatusUnauthorized, "invalid_client", "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
	}
	return app, nil
}

// token is POST /oauth/token.
func (s *Server) token(c *call) error {
	ctx := c.r.Context()
	var accountID, scopes string
	var app *store.App
	var err error
	switch c.p.str("grant_type") {
	case "authorization_code":
		verifier := c.p.str("code_verifier")
		if app, err = s.clientApp(c, verifier != ""); err != nil {
			return err
		}
		code, err := s.store.ConsumeAuthCode(ctx, hashSecret(c.p.str("code")), s.now())
		if errors.Is(err, store.ErrNotFound) {
			return oauthError(http.StatusBadRequest, "invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.")
		}
		if err != nil {
			return err
		}
		if code.AppID != app.ID || code.RedirectURI != c.p.str("redirect_uri") {
			return oauthError(http.StatusBadRequest, "invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.")
		}
		if code.CodeChallenge != "" {
			sum := sha256.Sum256([]byte(verifier))
			if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(code.CodeChallenge)) != 1 {
				return oauthError(http.StatusBadRequest, "invalid_grant", "The code verifier does not match the code challenge.")
			}
		} else if verifier != "" {
			return oauthError(http.StatusBadRequest, "invalid_grant", "The code was not issued with a code challenge.")
		}
		accountID, scopes = code.AccountID, code.Scopes
	case "client_credentials":
		if app, err = s.clientApp(c, false); err != nil {
			return err
		}
		sc, ok := parseScopes(c.p.str("scope"))
		if !ok || !subsetScopes(sc, strings.Fields(app.Scopes)) {
			return oauthError(http.StatusBadRequest, "invalid_scope", "The requested scope is invalid, unknown, or malformed.")
		}
		scopes = strings.Join(sc, " ")
	case "password":
		if app, err = s.clientApp(c, false); err != nil {
			return err
		}
		if ok, _ := s.signIn.allow(clientIP(c.r), s.now()); !ok {
			return errRateLimited
		}
		sc, ok := parseScopes(c.p.str("scope"))
		if !ok || !subsetScopes(sc, strings.Fields(app.Scopes)) {
			return oauthError(http.StatusBadRequest, "invalid_scope", "The requested scope is invalid, unknown, or malformed.")
		}
		u, err := s.checkPassword(ctx, c.p.str("username"), c.p.str("password"))
		if err != nil {
			return oauthError(http.StatusBadRequest, "invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.")
		}
		accountID, scopes = u.AccountID, strings.Join(sc, " ")
	case "":
		return oauthError(http.StatusBadRequest, "invalid_request", "The request is missing a required parameter: grant_type.")
	default:
		return oauthError(http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
	}
	raw, t, err := s.CreateToken(ctx, app.ID, accountID, scopes)
	if err != nil {
		return err
	}
	c.w.Header().Set("Cache-Control", "no-store")
	return c.ok(mastodon.TokenOf(raw, t))
}

// CreateToken stores a new access token and returns its bearer string,
// which exists nowhere else afterwards.
func (s *Server) CreateToken(ctx context.Context, appID, accountID, scopes string) (string, *store.Token, error) {
	raw := newSecret(32)
	t := &store.Token{Hash: hashSecret(raw), AppID: appID, AccountID: accountID, Scopes: scopes, CreatedAt: s.now()}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return raw, t, nil
}

// revoke is POST /oauth/revoke; revoking an unknown token succeeds, as RFC
// 7009 asks, but a token of another app is left alone.
func (s *Server) revoke(c *call) error {
	app, err := s.clientApp(c, false)
	if err != nil {
		return err
	}
	hash := hashSecret(c.p.str("token"))
	t, err := s.store.TokenByHash(c.r.Context(), hash)
	if err == nil && t.AppID == app.ID {
		if err := s.store.RevokeToken(c.r.Context(), hash); err != nil {
			return err
		}
		s.tokens.forget(hash)
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return c.ok(struct{}{})
}

// oauthMetadata is /.well-known/oauth-authorization-server (RFC 8414).
func (s *Server) oauthMetadata(c *call) error {
	base := s.cfg.BaseURL()
	return c.ok(map[string]any{
		"issuer":                                base + "/",
		"service_documentation":                 "https://docs.joinmastodon.org/",
		"authorization_endpoint":                base + "/oauth/authorize",
		"token_endpoint":                        base + "/oauth/token",
		"revocation_endpoint":                   base + "/oauth/revoke",
		"app_registration_endpoint":             base + "/api/v1/apps",
		"scopes_supported":                      append(append([]string{}, topScopes...), granularScopes...),
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "password", "client_credentials"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}
