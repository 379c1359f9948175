package server

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
)

func TestInstanceDocuments(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	in.postStatus(alice, "one")

	var v2 struct {
		Domain        string `json:"domain"`
		Version       string `json:"version"`
		Configuration struct {
			URLs struct {
				Streaming string `json:"streaming"`
			} `json:"urls"`
			Statuses struct {
				MaxCharacters            int `json:"max_characters"`
				CharactersReservedPerURL int `json:"characters_reserved_per_url"`
			} `json:"statuses"`
			Accounts struct {
				MaxPinnedStatuses int `json:"max_pinned_statuses"`
			} `json:"accounts"`
		} `json:"configuration"`
		APIVersions struct {
			Mastodon *int `json:"mastodon"`
		} `json:"api_versions"`
		Rules []any `json:"rules"`
	}
	in.do("GET", "/api/v2/instance", "", nil).want(t, 200).decode(t, &v2)
	if v2.Domain != "roost.test" || !strings.Contains(v2.Version, "(compatible; Roost 0.0.0-test)") || !strings.HasPrefix(v2.Version, "4.") {
		t.Fatalf("v2 domain %q version %q", v2.Domain, v2.Version)
	}
	c := v2.Configuration
	if c.URLs.Streaming != "wss://roost.test" || c.Statuses.MaxCharacters != 500 || c.Statuses.CharactersReservedPerURL != 23 || c.Accounts.MaxPinnedStatuses != 5 {
		t.Fatalf("v2 configuration = %+v", c)
	}
	if v2.APIVersions.Mastodon == nil || v2.Rules == nil {
		t.Fatalf("v2 api_versions %v rules %v", v2.APIVersions.Mastodon, v2.Rules)
	}

	var v1 struct {
		URI     string `json:"uri"`
		Version string `json:"version"`
		URLs    struct {
			StreamingAPI string `json:"streaming_api"`
		} `json:"urls"`
		Stats struct {
			UserCount   int `json:"user_count"`
			StatusCount int `json:"status_count"`
		} `json:"stats"`
		Configuration struct {
			Statuses struct {
				MaxCharacters            int `json:"max_characters"`
				CharactersReservedPerURL int `json:"characters_reserved_per_url"`
			} `json:"statuses"`
		} `json:"configuration"`
	}
	// With a token the answer is the same.
	in.do("GET", "/api/v1/instance", alice.token, nil).want(t, 200).decode(t, &v1)
	if v1.URI != "roost.test" || v1.Version != v2.Version || v1.URLs.StreamingAPI != "wss://roost.test" {
		t.Fatalf("v1 = %+v", v1)
	}
	if v1.Stats.UserCount != 1 || v1.Stats.StatusCount != 1 || v1.Configuration.Statuses.MaxCharacters != 500 || v1.Configuration.Statuses.CharactersReservedPerURL != 23 {
		t.Fatalf("v1 stats/configuration = %+v", v1)
	}
	// A bad token is refused even here, as Mastodon does.
	wantError(t, in.do("GET", "/api/v1/instance", "bogus", nil), 401)
}

// tokenWith makes another token for u, cheaper than another account.
func (in *instance) tokenWith(t *testing.T, u *user, scopes string) string {
	t.Helper()
	tok, err := in.srv.CreateCLIToken(context.Background(), u.Username, scopes)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestInstanceFollowsConfig(t *testing.T) {
	t.Parallel()
	in := newInstanceWith(t, func(c *Config) {
		c.HTTPS = false
		c.WebDomain = "web.roost.test:8080"
		c.MaxTootChars = 1000
	})
	// MAX_TOOT_CHARS is the limit that is enforced, not only announced.
	alice := in.newUser("alice")
	in.postStatus(alice, strings.Repeat("a", 1000))
	wantError(t, alice.post(in, "/api/v1/statuses", url.Values{"status": {strings.Repeat("a", 1001)}}), 422)
	if s := alice.get(in, "/api/v1/statuses/"+in.postStatus(alice, "addresses")).want(t, 200).asStatus(t); s.URI != "http://web.roost.test:8080/users/alice/statuses/"+s.ID {
		t.Fatalf("status uri over plain http = %q", s.URI)
	}
	v2 := in.do("GET", "/api/v2/instance", "", nil).want(t, 200).obj(t)
	cfg := v2["configuration"].(map[string]any)
	if s := cfg["urls"].(map[string]any)["streaming"]; s != "ws://web.roost.test:8080" {
		t.Fatalf("streaming over plain http = %v", s)
	}
	if m := cfg["statuses"].(map[string]any)["max_characters"]; m != float64(1000) {
		t.Fatalf("max_characters = %v", m)
	}
	if v2["domain"] != "roost.test" {
		t.Fatalf("domain = %v, want the account domain", v2["domain"])
	}
	v1 := in.do("GET", "/api/v1/instance", "", nil).want(t, 200).obj(t)
	if s := v1["urls"].(map[string]any)["streaming_api"]; s != "ws://web.roost.test:8080" {
		t.Fatalf("v1 streaming_api = %v", s)
	}
	links := in.do("GET", "/.well-known/nodeinfo", "", nil).want(t, 200).obj(t)["links"].([]any)
	if href := links[0].(map[string]any)["href"]; href != "http://web.roost.test:8080/nodeinfo/2.0" {
		t.Fatalf("nodeinfo href = %v", href)
	}
}

func TestNodeInfo(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	in.postStatus(alice, "one")
	in.postStatus(alice, "two")

	var wk struct {
		Links []struct {
			Rel  string `json:"rel"`
			Href string `json:"href"`
		} `json:"links"`
	}
	in.do("GET", "/.well-known/nodeinfo", "", nil).want(t, 200).decode(t, &wk)
	hrefs := map[string]string{}
	for _, l := range wk.Links {
		hrefs[l.Rel] = l.Href
	}
	if hrefs["http://nodeinfo.diaspora.software/ns/schema/2.0"] != "https://roost.test/nodeinfo/2.0" ||
		hrefs["http://nodeinfo.diaspora.software/ns/schema/2.1"] != "https://roost.test/nodeinfo/2.1" {
		t.Fatalf("nodeinfo links = %+v", wk.Links)
	}

	for _, v := range []string{"2.0", "2.1"} {
		r := in.do("GET", "/nodeinfo/"+v, "", nil).want(t, 200)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || !strings.Contains(ct, "schema/"+v) {
			t.Errorf("nodeinfo %s Content-Type %q", v, ct)
		}
		var ni struct {
			Version  string `json:"version"`
			Software struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"software"`
			Protocols []string `json:"protocols"`
			Usage     struct {
				Users struct {
					Total *int `json:"total"`
				} `json:"users"`
				LocalPosts int `json:"localPosts"`
			} `json:"usage"`
			OpenRegistrations *bool `json:"openRegistrations"`
			Metadata          struct {
				Upstream struct {
					Name string `json:"name"`
				} `json:"upstream"`
			} `json:"metadata"`
		}
		r.decode(t, &ni)
		if ni.Version != v || ni.Software.Name != "roost" || ni.Software.Version != "0.0.0-test" {
			t.Errorf("nodeinfo %s: version %q software %+v", v, ni.Version, ni.Software)
		}
		if len(ni.Protocols) != 1 || ni.Protocols[0] != "activitypub" || ni.OpenRegistrations == nil {
			t.Errorf("nodeinfo %s: protocols %v openRegistrations %v", v, ni.Protocols, ni.OpenRegistrations)
		}
		if ni.Usage.Users.Total == nil || *ni.Usage.Users.Total != 1 || ni.Usage.LocalPosts != 2 {
			t.Errorf("nodeinfo %s usage = %+v", v, ni.Usage)
		}
		// megalodon's detector reads metadata.upstream.name to pick the
		// Mastodon dialect for software it does not know.
		if ni.Metadata.Upstream.Name != "mastodon" {
			t.Errorf("nodeinfo %s metadata.upstream.name = %q", v, ni.Metadata.Upstream.Name)
		}
	}
	in.do("GET", "/nodeinfo/2.0.json", "", nil).want(t, 200)
	wantError(t, in.do("GET", "/nodeinfo/3.0", "", nil), 404)
}

func TestEmptyEndpoints(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	// Three tokens of one account: exactly the granular scopes needed, all
	// of read, and write only.
	general := in.newUser("general", "read")
	reader := &user{Account: general.Account, token: in.tokenWith(t, general, "read:mutes read:blocks read:lists read:filters read:follows")}
	writer := &user{Account: general.Account, token: in.tokenWith(t, general, "write")}

	for _, e := range []struct {
		path string
		u    *user
	}{
		{"/api/v1/mutes", reader},
		{"/api/v1/blocks", reader},
		{"/api/v1/domain_blocks", reader},
		{"/api/v1/lists", reader},
		{"/api/v1/filters", reader},
		{"/api/v2/filters", reader},
		{"/api/v1/followed_tags", reader},
		{"/api/v1/suggestions", general},
		{"/api/v2/suggestions", general},
		{"/api/v1/announcements", general},
		{"/api/v1/conversations", general},
	} {
		r := e.u.get(in, e.path).want(t, 200)
		if s := strings.TrimSpace(string(r.body)); s != "[]" {
			t.Errorf("%s = %s, want []", e.path, s)
		}
		if r := in.do("GET", e.path, "", nil); r.status != 401 {
			t.Errorf("%s without a token: %d, want 401", e.path, r.status)
		} else {
			wantError(t, r, 401)
		}
		if r := writer.get(in, e.path); r.status != 403 {
			t.Errorf("%s with a write-only token: %d, want 403", e.path, r.status)
		} else {
			wantError(t, r, 403)
		}
	}
	// These are public in Mastodon.
	for _, path := range []string{"/api/v1/trends", "/api/v1/trends/tags", "/api/v1/trends/statuses", "/api/v1/trends/links", "/api/v1/custom_emojis", "/api/v1/instance/rules", "/api/v1/instance/peers"} {
		for _, token := range []string{"", general.token} {
			r := in.do("GET", path, token, nil).want(t, 200)
			if s := strings.TrimSpace(string(r.body)); s != "[]" {
				t.Errorf("%s = %s, want []", path, s)
			}
		}
	}
}

func TestDefaultImages(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	for _, path := range []string{"/avatars/original/missing.png", "/headers/original/missing.png"} {
		r := in.do("GET", path, "", nil).want(t, 200)
		if ct := r.header.Get("Content-Type"); ct != "image/png" {
			t.Errorf("%s Content-Type %q", path, ct)
		}
		if !bytes.HasPrefix(r.body, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s is not a PNG: % x", path, r.body[:min(8, len(r.body))])
		}
	}
}

// Errors are JSON with the right status wherever they come from: the
// router, authentication, validation or the store.
func TestErrorsAreJSON(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice", "read")
	for _, c := range []struct {
		method, path, token string
		body                any
		status              int
	}{
		{"GET", "/api/v1/nothing-here", "", nil, 404},
		{"DELETE", "/api/v1/instance", "", nil, 405},
		{"GET", "/api/v1/timelines/home", "", nil, 401},
		{"GET", "/api/v1/timelines/home", "wrong", nil, 401},
		{"POST", "/api/v1/statuses", alice.token, url.Values{"status": {"x"}}, 403},
		{"GET", "/api/v1/statuses/1", "", nil, 404},
		{"GET", "/api/v1/accounts/lookup?acct=nobody", "", nil, 404},
		{"POST", "/api/v1/apps", "", url.Values{}, 422},
		{"POST", "/api/v1/apps", "", "[1]", 400},
		{"POST", "/api/v1/apps", "", "{", 400},
	} {
		r := in.do(c.method, c.path, c.token, c.body)
		if r.status != c.status {
			t.Errorf("%s %s: %d, want %d; %s", c.method, c.path, r.status, c.status, r.body)
			continue
		}
		wantError(t, r, c.status)
	}
}
