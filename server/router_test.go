package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRouteTableBuilds builds the whole route table (httprouter panics on a
// conflict) and checks that every route answers something other than the
// router's own 404/405.
func TestRouteTableBuilds(t *testing.T) {
	in := newInstance(t)
	for _, rt := range in.srv.routes() {
		path := strings.NewReplacer(":id", "1", ":hashtag", "roost", ":version", "2.0").Replace(rt.path)
		req := httptest.NewRequest(rt.method, path, nil)
		if strings.HasPrefix(path, "/api/v1/streaming/") {
			// Streams last as long as their request: end it at once.
			ctx, cancel := context.WithCancel(req.Context())
			cancel()
			req = req.WithContext(ctx)
		}
		rec := httptest.NewRecorder()
		in.srv.ServeHTTP(rec, req)
		if rec.Code == http.StatusMethodNotAllowed {
			t.Errorf("%s %s: 405 from the router", rt.method, rt.path)
		}
		if rec.Code == http.StatusNotFound && strings.Contains(rec.Body.String(), `"Not found"`) {
			t.Errorf("%s %s: the router found no route", rt.method, rt.path)
		}
	}
}

func TestStaticBesideParameterDispatch(t *testing.T) {
	hit := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(name)) })
	}
	r := buildRouter([]route{
		{"GET", "/a/:id", hit("param")},
		{"GET", "/a/static", hit("static")},
		{"GET", "/a/:id/sub", hit("param-sub")},
		{"POST", "/a/clear", hit("post-static")},
		{"POST", "/a/:id/dismiss", hit("post-param")},
	})
	cases := map[string]string{
		"GET /a/1":          "param",
		"GET /a/static":     "static",
		"GET /a/1/sub":      "param-sub",
		"POST /a/clear":     "post-static",
		"POST /a/1/dismiss": "post-param",
	}
	for req, want := range cases {
		method, path, _ := strings.Cut(req, " ")
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		if rec.Body.String() != want {
			t.Errorf("%s served %q, want %q", req, rec.Body.String(), want)
		}
	}
	// POST /a/1 has no route: the folded static must not catch it.
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("POST", "/a/1", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("POST /a/1 = %d, want 404", rec.Code)
	}
}

func TestUnknownRouteIsJSON404(t *testing.T) {
	in := newInstance(t)
	r := in.do("GET", "/api/v1/nope", "", nil).want(t, 404)
	if r.errorText(t) == "" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("404 body %s", r.body)
	}
	in.do("DELETE", "/api/v1/instance", "", nil).want(t, 405)
}
