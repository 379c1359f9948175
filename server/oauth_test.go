package server

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

type registeredApp struct {
	ID           string   `json:"id"`
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	RedirectURI  string   `json:"redirect_uri"`
	RedirectURIs []string `json:"redirect_uris"`
	Scopes       []string `json:"scopes"`
	Name         string   `json:"name"`
}

func (in *instance) registerApp(t *testing.T, redirect, scopes string) registeredApp {
	t.Helper()
	var a registeredApp
	in.do("POST", "/api/v1/apps", "", map[string]any{
		"client_name": "Test App", "redirect_uris": redirect, "scopes": scopes, "website": "https://app.example",
	}).want(t, 200).decode(t, &a)
	if a.ClientID == "" || a.ClientSecret == "" {
		t.Fatalf("app without credentials: %+v", a)
	}
	return a
}

var consentRe = regexp.MustCompile(`name="consent_token" value="([^"]+)"`)

// signIn walks the browser part of the code flow: the sign-in form, then
// the consent form; it returns the final response (a redirect or a page).
func (in *instance) signIn(t *testing.T, q url.Values, login, password, decision string) *response {
	t.Helper()
	page := in.do("GET", "/oauth/authorize?"+q.Encode(), "", nil).want(t, 200)
	if !strings.Contains(string(page.body), `name="password"`) {
		t.Fatalf("authorize page has no password field: %s", page.body)
	}
	form := url.Values{}
	for k, v := range q {
		form[k] = v
	}
	form.Set("username", login)
	form.Set("password", password)
	consent := in.do("POST", "/oauth/authorize", "", form).want(t, 200)
	m := consentRe.FindSubmatch(consent.body)
	if m == nil {
		t.Fatalf("no consent form after sign-in: %s", consent.body)
	}
	form.Del("username")
	form.Del("password")
	form.Set("consent_token", string(m[1]))
	form.Set("decision", decision)
	return in.do("POST", "/oauth/authorize", "", form)
}

func pkce(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestOAuthCodeFlowWithPKCE(t *testing.T) {
	in := newInstance(t)
	alice := in.newUser("alice")
	app := in.registerApp(t, "tusky://oauth", "read write follow")
	if len(app.RedirectURIs) != 1 || app.RedirectURIs[0] != "tusky://oauth" || app.RedirectURI != "tusky://oauth" {
		t.Fatalf("redirect uris not echoed: %+v", app)
	}

	verifier := "a-verifier-that-is-long-enough-to-satisfy-rfc-7636-rules-0123456789"
	q := url.Values{
		"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {"tusky://oauth"},
		"scope": {"read write"}, "state": {"xyz"}, "code_challenge": {pkce(verifier)}, "code_challenge_method": {"S256"},
	}
	resp := in.signIn(t, q, "alice@example.com", "password-alice", "approve").want(t, http.StatusFound)
	loc, err := url.Parse(resp.header.Get("Location"))
	if err != nil || loc.Scheme != "tusky" || loc.Query().Get("state") != "xyz" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect to %q", resp.header.Get("Location"))
	}
	code := loc.Query().Get("code")

	exchange := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "client_id": {app.ClientID},
		"redirect_uri": {"tusky://oauth"}, "code_verifier": {"wrong-verifier-wrong-verifier-wrong-verifier-000"},
	}
	// A wrong verifier fails, and burns the code.
	in.do("POST", "/oauth/token", "", exchange).want(t, 400)

	resp = in.signIn(t, q, "alice", "password-alice", "approve").want(t, http.StatusFound)
	loc, _ = url.Parse(resp.header.Get("Location"))
	exchange.Set("code", loc.Query().Get("code"))
	exchange.Set("code_verifier", verifier)
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		Scope       string `json:"scope"`
		CreatedAt   int64  `json:"created_at"`
	}
	in.do("POST", "/oauth/token", "", exchange).want(t, 200).decode(t, &tok)
	if tok.TokenType != "Bearer" || tok.Scope != "read write" || tok.AccessToken == "" || tok.CreatedAt == 0 {
		t.Fatalf("token = %+v", tok)
	}
	var me struct {
		ID, Username string
	}
	in.do("GET", "/api/v1/accounts/verify_credentials", tok.AccessToken, nil).want(t, 200).decode(t, &me)
	if me.ID != alice.ID || me.Username != "alice" {
		t.Fatalf("verify_credentials = %+v", me)
	}

	// The code works once.
	r := in.do("POST", "/oauth/token", "", exchange).want(t, 400)
	if r.errorText(t) != "invalid_grant" {
		t.Fatalf("reused code: %s", r.body)
	}

	// Revoking the token locks it out.
	in.do("POST", "/oauth/revoke", "", url.Values{"client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "token": {tok.AccessToken}}).want(t, 200)
	in.do("GET", "/api/v1/accounts/verify_credentials", tok.AccessToken, nil).want(t, 401)
}

func TestOAuthConfidentialClientAndOOB(t *testing.T) {
	in := newInstance(t)
	in.newUser("alice")
	app := in.registerApp(t, oobRedirect, "read")
	q := url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {oobRedirect}}
	page := in.signIn(t, q, "alice", "password-alice", "approve").want(t, 200)
	m := regexp.MustCompile(`<code id="code">([^<]+)</code>`).FindSubmatch(page.body)
	if m == nil {
		t.Fatalf("out-of-band page shows no code: %s", page.body)
	}
	exchange := url.Values{"grant_type": {"authorization_code"}, "code": {string(m[1])}, "client_id": {app.ClientID}, "redirect_uri": {oobRedirect}}
	// Without PKCE the client must authenticate.
	in.do("POST", "/oauth/token", "", exchange).want(t, 401)
	exchange.Set("client_secret", app.ClientSecret)
	var tok struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
	}
	in.do("POST", "/oauth/token", "", exchange).want(t, 200).decode(t, &tok)
	if tok.Scope != "read" {
		t.Fatalf("default scope = %q, want read", tok.Scope)
	}
}

func TestOAuthRefusesUnregisteredRedirect(t *testing.T) {
	in := newInstance(t)
	app := in.registerApp(t, "https://app.example/callback", "read")
	q := url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {"https://evil.example/steal"}}
	r := in.do("GET", "/oauth/authorize?"+q.Encode(), "", nil).want(t, 400)
	if r.header.Get("Location") != "" || !strings.Contains(string(r.body), "redirect URI") {
		t.Fatalf("unregistered redirect: location %q body %s", r.header.Get("Location"), r.body)
	}
	// An unknown client is an error page too.
	q.Set("client_id", "nope")
	in.do("GET", "/oauth/authorize?"+q.Encode(), "", nil).want(t, 400)

	// A registered redirect with a bad scope goes back to the app with an error.
	q = url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {"https://app.example/callback"}, "scope": {"write"}, "state": {"s1"}}
	r = in.do("GET", "/oauth/authorize?"+q.Encode(), "", nil).want(t, http.StatusFound)
	loc, _ := url.Parse(r.header.Get("Location"))
	if loc.Host != "app.example" || loc.Query().Get("error") != "invalid_scope" || loc.Query().Get("state") != "s1" {
		t.Fatalf("scope error redirect = %s", r.header.Get("Location"))
	}
}

func TestOAuthDenyAndBadPassword(t *testing.T) {
	in := newInstance(t)
	in.newUser("alice")
	app := in.registerApp(t, "https://app.example/cb", "read write")
	q := url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {"https://app.example/cb"}, "scope": {"read"}}

	r := in.signIn(t, q, "alice", "password-alice", "deny").want(t, http.StatusFound)
	if !strings.Contains(r.header.Get("Location"), "error=access_denied") {
		t.Fatalf("deny redirect = %s", r.header.Get("Location"))
	}

	form := url.Values{}
	for k, v := range q {
		form[k] = v
	}
	form.Set("username", "alice")
	form.Set("password", "wrong password")
	r = in.do("POST", "/oauth/authorize", "", form).want(t, 401)
	if strings.Contains(string(r.body), "consent_token") || !strings.Contains(string(r.body), "Invalid") {
		t.Fatalf("bad password page: %s", r.body)
	}

	// A consent token cannot be replayed for a wider scope.
	form.Set("password", "password-alice")
	consent := in.do("POST", "/oauth/authorize", "", form).want(t, 200)
	m := consentRe.FindSubmatch(consent.body)
	form.Set("consent_token", string(m[1]))
	form.Set("decision", "approve")
	form.Set("scope", "read write")
	form.Del("password")
	in.do("POST", "/oauth/authorize", "", form).want(t, 403)
}

func TestSignInIsRateLimited(t *testing.T) {
	in := newInstance(t)
	in.newUser("alice")
	app := in.registerApp(t, oobRedirect, "read")
	form := url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {oobRedirect}, "username": {"alice"}, "password": {"guess"}}
	limited := false
	for i := 0; i < 15; i++ {
		r := in.do("POST", "/oauth/authorize", "", form)
		if r.status == http.StatusTooManyRequests {
			limited = true
			if r.header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			break
		}
	}
	if !limited {
		t.Fatal("15 wrong passwords in a row were never rate-limited")
	}
	// Even the right password is refused while limited.
	form.Set("password", "password-alice")
	in.do("POST", "/oauth/authorize", "", form).want(t, http.StatusTooManyRequests)
}

func TestClientCredentialsAndAppVerify(t *testing.T) {
	in := newInstance(t)
	app := in.registerApp(t, oobRedirect, "read write")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	in.do("POST", "/oauth/token", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "scope": {"read"},
	}).want(t, 200).decode(t, &tok)

	var verified map[string]any
	in.do("GET", "/api/v1/apps/verify_credentials", tok.AccessToken, nil).want(t, 200).decode(t, &verified)
	if verified["name"] != "Test App" || verified["client_secret"] != nil {
		t.Fatalf("apps/verify_credentials = %v", verified)
	}
	// An app token is not a user.
	in.do("GET", "/api/v1/timelines/home", tok.AccessToken, nil).want(t, 422)
	// Public endpoints still work with it.
	in.do("GET", "/api/v1/timelines/public", tok.AccessToken, nil).want(t, 200)
	// A scope beyond the app's registration is refused.
	in.do("POST", "/oauth/token", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "scope": {"follow"},
	}).want(t, 400)
	in.do("POST", "/oauth/token", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID}, "client_secret": {"bad"}}).want(t, 401)
	in.do("POST", "/oauth/token", "", url.Values{"grant_type": {"implicit"}}).want(t, 400)
}

func TestAppRegistrationEncodings(t *testing.T) {
	in := newInstance(t)
	// Form, JSON with an array, and query string all register.
	in.do("POST", "/api/v1/apps", "", url.Values{"client_name": {"Form"}, "redirect_uris": {"https://a.example/cb\nhttps://b.example/cb"}}).want(t, 200)
	var a registeredApp
	in.do("POST", "/api/v1/apps", "", map[string]any{"client_name": "JSON", "redirect_uris": []string{"https://a.example/cb", "myapp://cb"}, "scopes": "read:statuses write:statuses"}).want(t, 200).decode(t, &a)
	if len(a.RedirectURIs) != 2 || len(a.Scopes) != 2 || a.Scopes[0] != "read:statuses" {
		t.Fatalf("json app = %+v", a)
	}
	in.do("POST", "/api/v1/apps?client_name=Query&redirect_uris="+url.QueryEscape(oobRedirect), "", nil).want(t, 200)

	for _, bad := range []url.Values{
		{"redirect_uris": {"https://a.example/cb"}},
		{"client_name": {"x"}},
		{"client_name": {"x"}, "redirect_uris": {"not a uri"}},
		{"client_name": {"x"}, "redirect_uris": {"https://a.example/cb#frag"}},
		{"client_name": {"x"}, "redirect_uris": {oobRedirect}, "scopes": {"read fly"}},
	} {
		r := in.do("POST", "/api/v1/apps", "", bad).want(t, 422)
		r.errorText(t)
	}
}

func TestOAuthMetadata(t *testing.T) {
	in := newInstance(t)
	m := in.do("GET", "/.well-known/oauth-authorization-server", "", nil).want(t, 200).obj(t)
	if m["authorization_endpoint"] != "https://roost.test/oauth/authorize" || m["token_endpoint"] != "https://roost.test/oauth/token" {
		t.Fatalf("metadata = %v", m)
	}
	methods, _ := m["code_challenge_methods_supported"].([]any)
	if len(methods) != 1 || methods[0] != "S256" {
		t.Fatalf("code_challenge_methods_supported = %v", m["code_challenge_methods_supported"])
	}
}

func TestScopesAreEnforced(t *testing.T) {
	in := newInstance(t)
	reader := in.newUser("reader", "read")
	granular := in.newUser("granular", "read:statuses", "write:statuses")
	profile := in.newUser("prof", "profile")
	follower := in.newUser("follower", "follow")

	reader.post(in, "/api/v1/statuses", url.Values{"status": {"hi"}}).want(t, 403)
	reader.get(in, "/api/v1/timelines/home").want(t, 200)
	reader.get(in, "/api/v1/notifications").want(t, 200)

	granular.post(in, "/api/v1/statuses", url.Values{"status": {"hi"}}).want(t, 200)
	granular.get(in, "/api/v1/timelines/home").want(t, 200)
	granular.get(in, "/api/v1/notifications").want(t, 403)
	granular.get(in, "/api/v1/accounts/verify_credentials").want(t, 403)

	profile.get(in, "/api/v1/accounts/verify_credentials").want(t, 200)
	profile.get(in, "/api/v1/timelines/home").want(t, 403)

	follower.post(in, "/api/v1/accounts/"+reader.ID+"/follow", nil).want(t, 200)
	follower.get(in, "/api/v1/timelines/home").want(t, 403)

	in.do("GET", "/api/v1/timelines/home", "", nil).want(t, 401)
	in.do("GET", "/api/v1/timelines/home", "not-a-token", nil).want(t, 401)
	// A bad token is refused even where no token is needed.
	in.do("GET", "/api/v1/timelines/public", "not-a-token", nil).want(t, 401)
}

func TestScopesAllow(t *testing.T) {
	cases := []struct {
		granted, required string
		want              bool
	}{
		{"read", "read:statuses", true},
		{"read:statuses", "read:statuses", true},
		{"read:statuses", "read:accounts", false},
		{"write", "read:statuses", false},
		{"follow", "write:follows", true},
		{"follow", "write:statuses", false},
		{"profile", "read:accounts|profile", true},
		{"admin:read", "admin:read:accounts", true},
		{"read", "", true},
	}
	for _, c := range cases {
		if got := scopesAllow(c.granted, c.required); got != c.want {
			t.Errorf("scopesAllow(%q, %q) = %v", c.granted, c.required, got)
		}
	}
}
