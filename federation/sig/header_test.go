package sig

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

type headerCase struct {
	Name      string   `json:"name"`
	Header    string   `json:"header"`
	OK        bool     `json:"ok"`
	KeyID     string   `json:"keyId"`
	Algorithm string   `json:"algorithm"`
	Headers   []string `json:"headers"`
	Created   int64    `json:"created"`
	Expires   int64    `json:"expires"`
}

func loadHeaderCases(t testing.TB) []headerCase {
	t.Helper()
	data, err := os.ReadFile("testdata/parseheader.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []headerCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f.Cases
}

func TestParseHeader(t *testing.T) {
	for _, tc := range loadHeaderCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			p, err := ParseHeader(tc.Header)
			if !tc.OK {
				if err == nil {
					t.Fatalf("ParseHeader(%q) = %+v, want an error", tc.Header, p)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseHeader(%q): %v", tc.Header, err)
			}
			if p.KeyID != tc.KeyID || p.Algorithm != tc.Algorithm || !slices.Equal(p.Headers, tc.Headers) {
				t.Errorf("got keyId %q algorithm %q headers %q, want %q %q %q",
					p.KeyID, p.Algorithm, p.Headers, tc.KeyID, tc.Algorithm, tc.Headers)
			}
			if string(p.Signature) != "sig" {
				t.Errorf("signature %q", p.Signature)
			}
			if tc.Created != 0 && !p.Created.Equal(time.Unix(tc.Created, 0)) {
				t.Errorf("created %v, want %d", p.Created, tc.Created)
			}
			if tc.Expires != 0 && !p.Expires.Equal(time.Unix(tc.Expires, 0)) {
				t.Errorf("expires %v, want %d", p.Expires, tc.Expires)
			}
			if tc.Created == 0 && (!p.Created.IsZero() || p.created != "") {
				t.Errorf("created %v set", p.Created)
			}
		})
	}
}

func TestParseHeaderCreatedVerbatim(t *testing.T) {
	// The (created) line repeats the parameter as sent.
	p, err := ParseHeader(`keyId="k",created="0001756126694",signature="c2ln"`)
	if err != nil {
		t.Fatal(err)
	}
	if p.created != "0001756126694" || p.Created.Unix() != 1756126694 {
		t.Errorf("created %q %v", p.created, p.Created)
	}
}

func TestParseHeaderLimits(t *testing.T) {
	sig := base64.StdEncoding.EncodeToString(make([]byte, 512))
	base := `keyId="https://a.example/k",signature="` + sig + `",headers="`
	pad := func(n int) string { return base + strings.Repeat(" ", n) + `date"` }

	if _, err := ParseHeader(pad(MaxHeaderLen - len(pad(0)))); err != nil {
		t.Errorf("header of exactly %d bytes refused: %v", MaxHeaderLen, err)
	}
	if _, err := ParseHeader(pad(MaxHeaderLen - len(pad(0)) + 1)); err == nil {
		t.Errorf("header of %d bytes accepted", MaxHeaderLen+1)
	}

	many := `keyId="k",signature="c2ln",headers="` + strings.Repeat("date ", maxCovered) + `"`
	if _, err := ParseHeader(many); err != nil {
		t.Errorf("%d headers refused: %v", maxCovered, err)
	}
	many = `keyId="k",signature="c2ln",headers="` + strings.Repeat("date ", maxCovered+1) + `"`
	if _, err := ParseHeader(many); err == nil {
		t.Errorf("%d headers accepted", maxCovered+1)
	}

	big := base64.StdEncoding.EncodeToString(make([]byte, maxSignatureLen+1))
	if _, err := ParseHeader(`keyId="k",signature="` + big + `"`); err == nil {
		t.Error("oversized signature accepted")
	}
}
