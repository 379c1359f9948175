package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// env builds a getenv from pairs, for driving run without the real
// environment.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// roost runs one CLI command in-process and returns what it printed.
func roost(t *testing.T, getenv func(string) string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut, getenv)
	return out.String() + errOut.String(), err
}

// startServer runs "roost serve" in-process on a free port and returns its
// base URL; the server stops when the test ends.
func startServer(t *testing.T, getenv func(string) string) string {
	t.Helper()
	m, _, err := openMain(context.Background(), "serve", []string{"--port", "0"}, io.Discard, getenv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	return m.URL()
}

func TestVersion(t *testing.T) {
	out, err := roost(t, env(), "version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "roost "+Version) {
		t.Fatalf("version printed %q", out)
	}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	_, err := roost(t, env(), "frobnicate")
	var u usageError
	if err == nil || !errorsAs(err, &u) {
		t.Fatalf("want a usage error, got %v", err)
	}
}

func errorsAs(err error, u *usageError) bool {
	v, ok := err.(usageError)
	if ok {
		*u = v
	}
	return ok
}

// TestOwnerSignsInAndPosts is the README's first-run story: create the
// owner from the command line, get a token, serve, post and read the home
// timeline over HTTP.
func TestOwnerSignsInAndPosts(t *testing.T) {
	dir := t.TempDir()
	getenv := env("ROOST_DATA_DIR", dir, "LOCAL_DOMAIN", "roost.test", "LOCAL_HTTPS", "false")

	out, err := roost(t, getenv, "accounts", "create", "alice", "--email", "alice@example.com", "--role", "owner")
	if err != nil {
		t.Fatalf("accounts create: %v\n%s", err, out)
	}
	if !strings.Contains(out, "@alice@roost.test") || !strings.Contains(out, "password: ") {
		t.Fatalf("accounts create printed %q", out)
	}
	if _, err := roost(t, getenv, "accounts", "create", "Alice", "--email", "other@example.com"); err == nil {
		t.Fatal("a second alice (case differs) was created")
	}
	out, err = roost(t, getenv, "accounts", "list")
	if err != nil || !strings.Contains(out, "alice") || !strings.Contains(out, "owner") {
		t.Fatalf("accounts list: %v %q", err, out)
	}
	out, err = roost(t, getenv, "token", "create", "alice", "--scopes", "read write")
	if err != nil {
		t.Fatalf("token create: %v %q", err, out)
	}
	token := strings.TrimSpace(out)

	base := startServer(t, getenv)
	call := func(method, path string, form url.Values) (int, []byte) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, body := call("POST", "/api/v1/statuses", url.Values{"status": {"hello from the command line"}})
	if code != 200 {
		t.Fatalf("post: %d %s", code, body)
	}
	code, body = call("GET", "/api/v1/timelines/home", nil)
	if code != 200 {
		t.Fatalf("home: %d %s", code, body)
	}
	var home []struct {
		Content string `json:"content"`
		URI     string `json:"uri"`
	}
	if err := json.Unmarshal(body, &home); err != nil {
		t.Fatal(err)
	}
	if len(home) != 1 || home[0].Content != "<p>hello from the command line</p>" {
		t.Fatalf("home timeline = %s", body)
	}
	if !strings.HasPrefix(home[0].URI, "http://roost.test/users/alice/statuses/") {
		t.Fatalf("status uri = %q", home[0].URI)
	}

	out, err = roost(t, getenv, "accounts", "set-password", "alice", "--password", "correct horse battery")
	if err != nil || !strings.Contains(out, "changed") {
		t.Fatalf("set-password: %v %q", err, out)
	}
}

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "roost.env")
	os.WriteFile(envFile, []byte("# a comment\nexport LOCAL_DOMAIN=file.example\nMAX_TOOT_CHARS=\"1000\"\nPORT=4000 # trailing\n"), 0o600)

	var c Config
	c.EnvFile = envFile
	port := "5000"
	if err := c.Load(map[string]*string{"port": &port}, env("LOCAL_DOMAIN", "env.example")); err != nil {
		t.Fatal(err)
	}
	if c.LocalDomain != "env.example" {
		t.Errorf("environment should beat the env file: LocalDomain = %q", c.LocalDomain)
	}
	if c.MaxTootChars != 1000 {
		t.Errorf("env file value not read: MaxTootChars = %d", c.MaxTootChars)
	}
	if c.Port != 5000 {
		t.Errorf("flag should beat the env file: Port = %d", c.Port)
	}
	if c.WebDomain != "env.example" || !c.LocalHTTPS || c.BaseURL() != "https://env.example" {
		t.Errorf("defaults: WebDomain %q LocalHTTPS %v BaseURL %q", c.WebDomain, c.LocalHTTPS, c.BaseURL())
	}

	var bad Config
	if err := bad.Load(nil, env("LOCAL_HTTPS", "maybe")); err == nil || !strings.Contains(err.Error(), "LOCAL_HTTPS") {
		t.Errorf("a bad boolean should name its variable, got %v", err)
	}
	var missing Config
	missing.EnvFile = filepath.Join(dir, "nope.env")
	if err := missing.Load(nil, env()); err == nil {
		t.Error("a named env file that does not exist should be an error")
	}
}

func TestConfigTrends(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  string // "nil", "true" or "false"
	}{{"", "nil"}, {"true", "true"}, {"0", "false"}} {
		var c Config
		c.EnvFile = filepath.Join(t.TempDir(), "empty.env")
		os.WriteFile(c.EnvFile, nil, 0o600)
		if err := c.Load(nil, env("TRENDS", tc.value)); err != nil {
			t.Fatalf("TRENDS=%q: %v", tc.value, err)
		}
		got := "nil"
		if b := c.trends(); b != nil {
			got = strconv.FormatBool(*b)
		}
		if got != tc.want {
			t.Errorf("TRENDS=%q: trends() = %s, want %s", tc.value, got, tc.want)
		}
	}
	var bad Config
	bad.EnvFile = filepath.Join(t.TempDir(), "empty.env")
	os.WriteFile(bad.EnvFile, nil, 0o600)
	if err := bad.Load(nil, env("TRENDS", "sometimes")); err == nil || !strings.Contains(err.Error(), "TRENDS") {
		t.Errorf("a bad TRENDS should name its variable, got %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServeStartsQuicklyAndStops(t *testing.T) {
	getenv := env("ROOST_DATA_DIR", t.TempDir(), "LOCAL_HTTPS", "false")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	out := &syncBuffer{}
	go func() {
		done <- run(ctx, []string{"serve", "--port", "0", "--bind", "127.0.0.1"}, io.Discard, out, getenv)
	}()
	// serve logs its URL once listening; wait for it (bounded).
	var base string
	for i := 0; i < 200 && base == ""; i++ {
		time.Sleep(10 * time.Millisecond)
		for _, f := range strings.Fields(out.String()) {
			if u, ok := strings.CutPrefix(f, "url="); ok {
				base = u
			}
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("serve never said where it listens: %s", out.String())
	}
	resp, err := http.Get(base + "/api/v1/instance")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("instance: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on cancel")
	}
}
