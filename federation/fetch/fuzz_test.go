package fetch

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseJRD feeds arbitrary bytes to the WebFinger (JRD), XRD and
// host-meta decoders and to what reads their results: none may panic.
func FuzzParseJRD(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{
		"testdata/webfinger/*", "testdata/host-meta/*", filepath.Join(fixtureDir, "*.json"),
	} {
		files, _ := filepath.Glob(pattern)
		seeds = append(seeds, files...)
	}
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `{"links":null}`, `{"links":[null]}`, `{"links":[{"rel":"self","type":"application/ld+json; profile=\"\"","href":"http://[::1"}]}`,
		`<XRD/>`, `<XRD><Link rel="lrdd" template="{uri}"/></XRD>`, `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><XRD>&a;</XRD>`,
		`<XRD><Subject>&unknown;</Subject></XRD>`, `<a><b><c>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if j, err := parseJRD(data); err == nil {
			_ = j.ActorURL()
			_ = lrddTemplate(j)
		}
		if j, err := parseXRD(data); err == nil {
			_ = j.ActorURL()
			_ = lrddTemplate(j)
		}
		for _, ct := range []string{"application/jrd+json", "application/xrd+xml", "text/html", ""} {
			if j, err := decodeJRD(data, ct); err == nil {
				_ = j.ActorURL()
			}
		}
		// The same bytes as a link type and an account handle.
		s := string(data)
		_ = (&JRD{Links: []Link{{Rel: "self", Type: s, Href: s}}}).ActorURL()
		_, _, _ = splitAcct(s)
	})
}
