package server

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseParams feeds arbitrary bodies in each encoding to the parameter
// decoder: it must never panic, and whatever it accepts is valid UTF-8
// without NUL bytes; what it refuses is a client error, never a 500.
func FuzzParseParams(f *testing.F) {
	f.Add("application/json", `{"status":"hi","media_ids":["1","2"],"poll":{"options":["a","b"],"expires_in":300}}`)
	f.Add("application/json", `{"fields_attributes":[{"name":"a","value":"b"}],"source":{"privacy":"private"}}`)
	f.Add("application/json", `[1,2,3]`)
	f.Add("application/json", `{"a":{"b":{"c":[[1],[2,{"d":null}]]}}}`)
	f.Add("application/x-www-form-urlencoded", "status=hi&media_ids[]=1&media_ids[]=2&fields_attributes[0][name]=x")
	f.Add("application/x-www-form-urlencoded", "status=%00")
	f.Add("application/x-www-form-urlencoded", "status=%ff%fe")
	f.Add("multipart/form-data; boundary=X", "--X\r\nContent-Disposition: form-data; name=\"status\"\r\n\r\nhi\r\n--X--\r\n")
	f.Fuzz(func(t *testing.T, ctype, body string) {
		req := httptest.NewRequest("POST", "/api/v1/statuses?q=1", strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		p, err := parseParams(req)
		if err != nil {
			var e *apiError
			if !errors.As(err, &e) || e.status < 400 || e.status >= 500 {
				t.Fatalf("refusal is not a client error: %v", err)
			}
			return
		}
		for k, vs := range p {
			if !utf8.ValidString(k) || strings.ContainsRune(k, 0) {
				t.Fatalf("accepted bad key %q", k)
			}
			for _, v := range vs {
				if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
					t.Fatalf("accepted bad value %q", v)
				}
			}
		}
		_ = p.indexed("fields_attributes")
		_ = p.strs("media_ids")
		_ = p.limit(20, 40)
	})
}
