package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Mastodon apps send parameters three ways: in the query string, as a form
// (urlencoded or multipart) and as JSON. params folds all three into one
// url.Values with Rails-style keys, so a handler reads "source[privacy]",
// "media_ids[]" or "fields_attributes[0][name]" the same way whatever the
// encoding. Values holding NUL bytes or invalid UTF-8 are refused up front.

const maxBodyBytes = 1 << 20 // 1 MiB: statuses and profiles are far smaller

type params url.Values

func parseParams(r *http.Request) (params, error) { return parseParamsUpTo(r, maxBodyBytes) }

// parseParamsUpTo parses the parameters of a request whose multipart body
// may be up to limit bytes (an upload's); other bodies stay within
// maxBodyBytes.
func parseParamsUpTo(r *http.Request, limit int64) (params, error) {
	v := url.Values{}
	for k, vs := range r.URL.Query() {
		v[k] = append(v[k], vs...)
	}
	if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch ct {
		case "application/json":
			body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
			if err != nil {
				return nil, badRequest("Could not read the request body")
			}
			if len(body) > maxBodyBytes {
				return nil, &apiError{status: http.StatusRequestEntityTooLarge, msg: "Request body too large"}
			}
			if len(strings.TrimSpace(string(body))) > 0 {
				// Numbers stay as written: IDs sent as JSON numbers have
				// more digits than a float64 keeps.
				dec := json.NewDecoder(bytes.NewReader(body))
				dec.UseNumber()
				var doc any
				if err := dec.Decode(&doc); err != nil {
					return nil, badRequest("Invalid JSON in the request body")
				}
				if _, err := dec.Token(); err != io.EOF {
					return nil, badRequest("Invalid JSON in the request body")
				}
				obj, ok := doc.(map[string]any)
				if !ok {
					return nil, badRequest("The JSON body must be an object")
				}
				flattenJSON(v, "", obj)
			}
		case "application/x-www-form-urlencoded":
			r.Body = http.MaxBytesReader(nil, r.Body, maxBodyBytes)
			if err := r.ParseForm(); err != nil {
				return nil, badRequest("Could not parse the form")
			}
			for k, vs := range r.PostForm {
				v[k] = append(v[k], vs...)
			}
		case "multipart/form-data":
			// Files beyond the first MiB go to temporary files, which
			// net/http removes after the handler; the whole body is bounded
			// by the largest upload accepted.
			r.Body = http.MaxBytesReader(nil, r.Body, limit)
			if err := r.ParseMultipartForm(maxBodyBytes); err != nil {
				var tooBig *http.MaxBytesError
				switch {
				case errors.As(err, &tooBig) && limit > maxBodyBytes:
					return nil, unprocessable(fmt.Sprintf("Validation failed: File is too large (maximum is %d MB)", limit>>20))
				case errors.As(err, &tooBig):
					return nil, &apiError{status: http.StatusRequestEntityTooLarge, msg: "Request body too large"}
				case errors.Is(err, os.ErrDeadlineExceeded):
					return nil, &apiError{status: http.StatusRequestTimeout, msg: "The upload took too long"}
				}
				return nil, badRequest("Could not parse the form")
			}
			for k, vs := range r.MultipartForm.Value {
				v[k] = append(v[k], vs...)
			}
		}
	}
	for k, vs := range v {
		if !validText(k) {
			return nil, unprocessable("Validation failed: parameter names must be valid UTF-8 without NUL bytes")
		}
		for _, s := range vs {
			if !validText(s) {
				return nil, unprocessable(fmt.Sprintf("Validation failed: %s contains NUL bytes or invalid UTF-8", k))
			}
		}
	}
	return params(v), nil
}

func validText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// flattenJSON writes a JSON object as Rails-style form keys: {"a":{"b":1}}
// becomes a[b]=1, {"ids":["1","2"]} becomes ids[]=1&ids[]=2, and an array of
// objects is indexed: f[0][name]=x.
func flattenJSON(v url.Values, prefix string, doc any) {
	key := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "[" + k + "]"
	}
	switch d := doc.(type) {
	case map[string]any:
		for k, x := range d {
			flattenJSON(v, key(k), x)
		}
	case []any:
		for i, x := range d {
			switch x.(type) {
			case map[string]any, []any:
				flattenJSON(v, prefix+"["+strconv.Itoa(i)+"]", x)
			default:
				flattenJSON(v, prefix+"[]", x)
			}
		}
	case string:
		v.Add(prefix, d)
	case bool:
		v.Add(prefix, strconv.FormatBool(d))
	case json.Number:
		v.Add(prefix, d.String())
	case float64:
		v.Add(prefix, strconv.FormatFloat(d, 'f', -1, 64))
	case nil:
		v.Add(prefix, "")
	}
}

// has reports whether the parameter was sent at all.
func (p params) has(k string) bool {
	_, ok := p[k]
	return ok
}

// str returns the first value of k, or "".
func (p params) str(k string) string {
	if vs := p[k]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// strs returns the values of an array parameter, sent as k[] or k.
func (p params) strs(k string) []string {
	if vs, ok := p[k+"[]"]; ok {
		return vs
	}
	return p[k]
}

// boolean reads a Rails-style boolean: "true", "1", "on", "yes" are true.
func (p params) boolean(k string) bool {
	switch strings.ToLower(p.str(k)) {
	case "true", "1", "on", "yes", "t":
		return true
	}
	return false
}

// optBool returns nil when k was not sent.
func (p params) optBool(k string) *bool {
	if !p.has(k) {
		return nil
	}
	b := p.boolean(k)
	return &b
}

// optStr returns nil when k was not sent.
func (p params) optStr(k string) *string {
	if !p.has(k) {
		return nil
	}
	s := p.str(k)
	return &s
}

// limit reads "limit", defaulting to def and capped at max.
func (p params) limit(def, max int) int {
	n, err := strconv.Atoi(p.str("limit"))
	if err != nil || n <= 0 {
		return def
	}
	if n > max {
		return max
	}
	return n
}

// indexed collects parameters shaped like name[0][key] or name[key][field]
// (Rails hashes of hashes, as fields_attributes are sent) into ordered maps.
func (p params) indexed(name string) []map[string]string {
	type entry struct {
		idx  string
		vals map[string]string
	}
	var order []string
	byIdx := map[string]map[string]string{}
	// name[][field] (Rails arrays of hashes, as forms send
	// media_attributes): the i-th value of each field belongs to the i-th
	// element.
	var unindexed []map[string]string
	for k, vs := range p {
		rest, ok := strings.CutPrefix(k, name+"[")
		if !ok || len(vs) == 0 {
			continue
		}
		idx, field, ok := strings.Cut(rest, "][")
		if !ok || !strings.HasSuffix(field, "]") {
			continue
		}
		field = strings.TrimSuffix(field, "]")
		if idx == "" {
			for i, v := range vs {
				if i == len(unindexed) {
					unindexed = append(unindexed, map[string]string{})
				}
				unindexed[i][field] = v
			}
			continue
		}
		m := byIdx[idx]
		if m == nil {
			m = map[string]string{}
			byIdx[idx] = m
			order = append(order, idx)
		}
		m[field] = vs[0]
	}
	// Numeric indexes in numeric order; others after, by name.
	sortIndexes(order)
	out := make([]map[string]string, 0, len(order)+len(unindexed))
	for _, idx := range order {
		out = append(out, byIdx[idx])
	}
	return append(out, unindexed...)
}

func sortIndexes(s []string) {
	less := func(a, b string) bool {
		na, ea := strconv.Atoi(a)
		nb, eb := strconv.Atoi(b)
		switch {
		case ea == nil && eb == nil:
			return na < nb
		case ea == nil:
			return true
		case eb == nil:
			return false
		}
		return a < b
	}
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && less(s[j], s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
