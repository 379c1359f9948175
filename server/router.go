package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/julienschmidt/httprouter"
)

// httprouter cannot hold a static segment beside a parameter at the same
// position (/api/v1/accounts/verify_credentials beside /api/v1/accounts/:id).
// Rather than leave httprouter, buildRouter rewrites each such static route
// onto the parameter's pattern and dispatches on the parameter's value: one
// small, generic step, checked by a test that builds the whole route table.

// route is one row of the route table.
type route struct {
	method  string
	path    string
	handler http.Handler
}

// guarded is the handler registered for a parameter pattern that some static
// routes were folded into.
type guarded struct {
	param    string                  // the parameter whose value selects
	statics  map[string]http.Handler // value → the static route's handler
	fallback http.Handler            // the parameter route itself, if any
}

func (g *guarded) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	params := httprouter.ParamsFromContext(r.Context())
	if h, ok := g.statics[params.ByName(g.param)]; ok {
		h.ServeHTTP(w, r)
		return
	}
	if g.fallback == nil {
		writeError(w, errNoRoute)
		return
	}
	g.fallback.ServeHTTP(w, r)
}

// buildRouter registers routes on a new httprouter, folding static segments
// that collide with a parameter into a guarded dispatch. It panics on a
// table it cannot express, so a broken table fails at start-up.
func buildRouter(routes []route) *httprouter.Router {
	// paramAt[method][prefix] = parameter name that follows prefix.
	paramAt := map[string]map[string]string{}
	for _, rt := range routes {
		segs := strings.Split(rt.path, "/")
		for i, s := range segs {
			if strings.HasPrefix(s, ":") {
				m := paramAt[rt.method]
				if m == nil {
					m = map[string]string{}
					paramAt[rt.method] = m
				}
				prefix := strings.Join(segs[:i], "/")
				if old, ok := m[prefix]; ok && old != s {
					panic(fmt.Sprintf("route %s %s: parameter %s differs from %s at the same place", rt.method, rt.path, s, old))
				}
				m[prefix] = s
			}
		}
	}

	type key struct{ method, path string }
	handlers := map[key]*guarded{}
	plain := map[key]http.Handler{}
	var order []key
	for _, rt := range routes {
		segs := strings.Split(rt.path, "/")
		folded := false
		for i, s := range segs {
			if strings.HasPrefix(s, ":") || s == "" {
				continue
			}
			param, ok := paramAt[rt.method][strings.Join(segs[:i], "/")]
			if !ok {
				continue
			}
			if folded {
				panic(fmt.Sprintf("route %s %s: two static segments collide with parameters", rt.method, rt.path))
			}
			segs[i] = param
			folded = true
			k := key{rt.method, strings.Join(segs, "/")}
			g := handlers[k]
			if g == nil {
				g = &guarded{param: param[1:], statics: map[string]http.Handler{}}
				handlers[k] = g
				order = append(order, k)
			}
			if _, dup := g.statics[s]; dup {
				panic(fmt.Sprintf("route %s %s registered twice", rt.method, rt.path))
			}
			g.statics[s] = rt.handler
		}
		if !folded {
			k := key{rt.method, rt.path}
			if _, dup := plain[k]; dup {
				panic(fmt.Sprintf("route %s %s registered twice", rt.method, rt.path))
			}
			plain[k] = rt.handler
			order = append(order, k)
		}
	}

	r := httprouter.New()
	r.RedirectTrailingSlash = false
	r.HandleMethodNotAllowed = true
	r.NotFound = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeError(w, errNoRoute) })
	r.MethodNotAllowed = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{status: http.StatusMethodNotAllowed, msg: "Method not allowed"})
	})
	seen := map[key]bool{}
	for _, k := range order {
		if seen[k] {
			continue
		}
		seen[k] = true
		if g := handlers[k]; g != nil {
			g.fallback = plain[k]
			r.Handler(k.method, k.path, g)
			continue
		}
		r.Handler(k.method, k.path, plain[k])
	}
	return r
}
