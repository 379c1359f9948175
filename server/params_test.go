package server

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func jsonRequest(body string) *http.Request {
	r := httptest.NewRequest("POST", "/api/v1/statuses?from=query", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	return r
}

// statusOf is the HTTP status parseParams's error maps to.
func statusOf(t *testing.T, err error) int {
	t.Helper()
	var e *apiError
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an apiError", err)
	}
	return e.status
}

func TestParseParamsJSON(t *testing.T) {
	p, err := parseParams(jsonRequest(`{
		"status": "hi",
		"sensitive": true,
		"poll": {"options": ["a", "b"], "expires_in": 300},
		"media_ids": ["1", "2"],
		"source": {"privacy": "private", "sensitive": false, "nested": {"deep": "x"}},
		"fields_attributes": [{"name": "n0", "value": "v0"}, {"name": "n1", "value": "v1"}],
		"language": null,
		"ratio": 1.5
	}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"from":                        {"query"},
		"status":                      {"hi"},
		"sensitive":                   {"true"},
		"poll[options][]":             {"a", "b"},
		"poll[expires_in]":            {"300"},
		"media_ids[]":                 {"1", "2"},
		"source[privacy]":             {"private"},
		"source[sensitive]":           {"false"},
		"source[nested][deep]":        {"x"},
		"fields_attributes[0][name]":  {"n0"},
		"fields_attributes[0][value]": {"v0"},
		"fields_attributes[1][name]":  {"n1"},
		"fields_attributes[1][value]": {"v1"},
		"language":                    {""},
		"ratio":                       {"1.5"},
	}
	for k, v := range want {
		if !slices.Equal(p[k], v) {
			t.Errorf("%s = %q, want %q", k, p[k], v)
		}
	}
	if len(p) != len(want) {
		t.Errorf("extra parameters: %v", p)
	}
	if !p.boolean("sensitive") || p.boolean("source[sensitive]") || !slices.Equal(p.strs("media_ids"), []string{"1", "2"}) {
		t.Errorf("readers disagree with the flattening: %v", p)
	}
	fields := p.indexed("fields_attributes")
	if len(fields) != 2 || fields[0]["name"] != "n0" || fields[1]["value"] != "v1" {
		t.Errorf("indexed fields = %v", fields)
	}
	// A large integer keeps its digits (IDs sent as numbers by some apps).
	p, err = parseParams(jsonRequest(`{"in_reply_to_id": 109876543210987654}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.str("in_reply_to_id"); got != "109876543210987654" {
		t.Errorf("numeric id flattened to %q", got)
	}
}

func TestParseParamsRefusesBadBodies(t *testing.T) {
	for _, c := range []struct {
		name, body string
		status     int
	}{
		{"array", `[{"status": "hi"}]`, 400},
		{"string", `"status"`, 400},
		{"number", `42`, 400},
		{"null", `null`, 400},
		{"malformed", `{"status": "hi"`, 400},
		{"trailing garbage", `{"status": "hi"} x`, 400},
		{"NUL in value", `{"status": "a\u0000b"}`, 422},
		{"NUL in nested value", `{"source": {"note": "a\u0000b"}}`, 422},
		{"NUL in key", `{"sta\u0000tus": "x"}`, 422},
	} {
		_, err := parseParams(jsonRequest(c.body))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if got := statusOf(t, err); got != c.status {
			t.Errorf("%s: status %d, want %d", c.name, got, c.status)
		}
	}
	// An empty JSON body is no parameters, not an error.
	if _, err := parseParams(jsonRequest("  ")); err != nil {
		t.Errorf("empty JSON body: %v", err)
	}
	// Too large.
	_, err := parseParams(jsonRequest(`{"status": "` + strings.Repeat("a", maxBodyBytes) + `"}`))
	if err == nil || statusOf(t, err) != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %v", err)
	}
}

func TestParseParamsFormAndQuery(t *testing.T) {
	form := url.Values{"status": {"from form"}, "media_ids[]": {"1", "2"}, "fields_attributes[10][name]": {"ten"}, "fields_attributes[2][name]": {"two"}}
	r := httptest.NewRequest("POST", "/x?visibility=private&status=from+query", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	p, err := parseParams(r)
	if err != nil {
		t.Fatal(err)
	}
	if p.str("visibility") != "private" || !slices.Contains(p["status"], "from form") || !slices.Equal(p.strs("media_ids"), []string{"1", "2"}) {
		t.Errorf("form+query = %v", p)
	}
	// Indexes sort as numbers, not strings.
	if f := p.indexed("fields_attributes"); len(f) != 2 || f[0]["name"] != "two" || f[1]["name"] != "ten" {
		t.Errorf("indexed = %v", f)
	}

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("status", "from multipart")
	mw.WriteField("sensitive", "on")
	mw.Close()
	r = httptest.NewRequest("POST", "/x", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	if p, err = parseParams(r); err != nil {
		t.Fatal(err)
	}
	if p.str("status") != "from multipart" || !p.boolean("sensitive") {
		t.Errorf("multipart = %v", p)
	}

	for name, req := range map[string]*http.Request{
		"invalid UTF-8 in form":  formRequest("status=caf%E9"),
		"NUL in form":            formRequest("status=a%00b"),
		"invalid UTF-8 in query": httptest.NewRequest("GET", "/x?q=%FF", nil),
		"invalid UTF-8 in name":  formRequest("st%FFatus=x"),
	} {
		if _, err := parseParams(req); err == nil || statusOf(t, err) != 422 {
			t.Errorf("%s: %v, want a 422", name, err)
		}
	}
}

func formRequest(body string) *http.Request {
	r := httptest.NewRequest("POST", "/x", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestParamsReaders(t *testing.T) {
	p := params{"t": {"TRUE"}, "one": {"1"}, "on": {"on"}, "f": {"false"}, "zero": {"0"}, "empty": {""}, "limit": {"15"}}
	for _, k := range []string{"t", "one", "on"} {
		if !p.boolean(k) {
			t.Errorf("%s is not true", k)
		}
	}
	for _, k := range []string{"f", "zero", "empty", "missing"} {
		if p.boolean(k) {
			t.Errorf("%s is true", k)
		}
	}
	if p.optBool("missing") != nil || p.optBool("f") == nil || *p.optBool("f") {
		t.Error("optBool")
	}
	if p.optStr("missing") != nil || p.optStr("empty") == nil || *p.optStr("empty") != "" {
		t.Error("optStr")
	}
	for _, c := range []struct {
		v    string
		want int
	}{{"15", 15}, {"0", 20}, {"-3", 20}, {"abc", 20}, {"100", 40}, {"", 20}} {
		if got := (params{"limit": {c.v}}).limit(20, 40); got != c.want {
			t.Errorf("limit %q = %d, want %d", c.v, got, c.want)
		}
	}
}

// Over HTTP: a body the server cannot read is a 400 and stores nothing.
func TestBadJSONOverHTTP(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	alice := in.newUser("alice")
	for _, body := range []string{`["hi"]`, `{"status": `, `"hi"`} {
		wantError(t, alice.post(in, "/api/v1/statuses", body), 400)
		wantError(t, in.do("PATCH", "/api/v1/accounts/update_credentials", alice.token, body), 400)
	}
	if n := in.statusCount(t, alice); n != 0 {
		t.Fatalf("%d statuses stored from bad bodies", n)
	}
	// Nested JSON reaches the handlers flattened.
	a := in.do("PATCH", "/api/v1/accounts/update_credentials", alice.token, `{"source": {"privacy": "unlisted"}, "fields_attributes": [{"name": "a", "value": "b"}]}`).want(t, 200).asAccount(t)
	if a.Source.Privacy != "unlisted" || len(a.Fields) != 1 || a.Fields[0].Name != "a" {
		t.Fatalf("nested JSON update = %+v %+v", a, a.Source)
	}
}
