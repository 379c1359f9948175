package sig

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"strings"
	"testing"
)

func pemString(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func TestParseKeysPEM(t *testing.T) {
	k := testKeys()
	pkix, _ := x509.MarshalPKIXPublicKey(&k.a.PublicKey)
	pkcs1 := x509.MarshalPKCS1PublicKey(&k.a.PublicKey)
	edPKIX, _ := x509.MarshalPKIXPublicKey(k.ed.Public())
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecPKIX, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)

	for _, tc := range []struct {
		name string
		pem  string
		ok   bool
	}{
		{"PKIX", pemString("PUBLIC KEY", pkix), true},
		{"PKIX without trailing newline", strings.TrimSpace(pemString("PUBLIC KEY", pkix)), true},
		{"PKIX with two trailing newlines and CRLF", strings.ReplaceAll(pemString("PUBLIC KEY", pkix), "\n", "\r\n") + "\n", true},
		{"PKCS1", pemString("RSA PUBLIC KEY", pkcs1), true},
		{"PKCS1 labelled PUBLIC KEY", pemString("PUBLIC KEY", pkcs1), true},
		{"PKIX labelled RSA PUBLIC KEY", pemString("RSA PUBLIC KEY", pkix), true},
		{"Ed25519", pemString("PUBLIC KEY", edPKIX), true},
		{"ECDSA refused", pemString("PUBLIC KEY", ecPKIX), false},
		{"certificate refused", pemString("CERTIFICATE", pkix), false},
		{"garbage", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", false},
		{"no PEM", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", false},
		{"empty", "", false},
	} {
		_, err := ParsePublicKeyPEM(tc.pem)
		if (err == nil) != tc.ok {
			t.Errorf("ParsePublicKeyPEM %s: %v", tc.name, err)
		}
	}

	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k.a)
	edPKCS8, _ := x509.MarshalPKCS8PrivateKey(k.ed)
	ecPKCS8, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecSEC1, _ := x509.MarshalECPrivateKey(ec)
	for _, tc := range []struct {
		name string
		pem  string
		ok   bool
	}{
		{"PKCS8", pemString("PRIVATE KEY", pkcs8), true},
		{"PKCS1", pemString("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.a)), true},
		{"PKCS1 labelled PRIVATE KEY", pemString("PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.a)), true},
		{"Ed25519 PKCS8", pemString("PRIVATE KEY", edPKCS8), true},
		{"ECDSA PKCS8 refused", pemString("PRIVATE KEY", ecPKCS8), false},
		{"EC PRIVATE KEY refused", pemString("EC PRIVATE KEY", ecSEC1), false},
		{"public key refused", pemString("PUBLIC KEY", pkix), false},
		{"empty", "", false},
	} {
		_, err := ParsePrivateKeyPEM(tc.pem)
		if (err == nil) != tc.ok {
			t.Errorf("ParsePrivateKeyPEM %s: %v", tc.name, err)
		}
	}

	// What comes out signs and verifies.
	priv, err := ParsePrivateKeyPEM(pemString("PRIVATE KEY", pkcs8))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKeyPEM(pemString("RSA PUBLIC KEY", pkcs1))
	if err != nil {
		t.Fatal(err)
	}
	if !priv.(*rsa.PrivateKey).PublicKey.Equal(pub) {
		t.Error("parsed keys do not match")
	}
	edPub, _ := ParsePublicKeyPEM(pemString("PUBLIC KEY", edPKIX))
	if !k.ed.Public().(ed25519.PublicKey).Equal(edPub) {
		t.Error("parsed Ed25519 key does not match")
	}
}

// TestParseFixtureKeys reads the published test keys of the shared
// signature vectors: the Mastodon spec's PKCS #1 private key, the RFC 9421
// PKCS #1 public key, RSA-PSS (refused: Verify cannot use it), P-256
// (refused) and Ed25519 keys.
func TestParseFixtureKeys(t *testing.T) {
	dir := sharedSignatures(t)
	var rfc struct {
		Keys map[string]struct {
			PublicKeyPem  string `json:"publicKeyPem"`
			PrivateKeyPem string `json:"privateKeyPem"`
		} `json:"keys"`
	}
	data, err := os.ReadFile(dir + "/rfc9421-appendix-b-vectors.json")
	if err != nil {
		t.Skipf("RFC 9421 key file: %v", err)
	}
	if err := json.Unmarshal(data, &rfc); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]bool{ // public ok, private ok
		"test-key-rsa":      {true, true},
		"test-key-rsa-pss":  {true, false}, // SPKI is plain rsaEncryption; the PKCS #8 uses the PSS OID
		"test-key-ecc-p256": {false, false},
		"test-key-ed25519":  {true, true},
	}
	for name, k := range rfc.Keys {
		w, ok := want[name]
		if !ok {
			continue
		}
		if _, err := ParsePublicKeyPEM(k.PublicKeyPem); (err == nil) != w[0] {
			t.Errorf("%s public: %v", name, err)
		}
		if k.PrivateKeyPem == "" {
			continue
		}
		if _, err := ParsePrivateKeyPEM(k.PrivateKeyPem); (err == nil) != w[1] {
			t.Errorf("%s private: %v", name, err)
		}
	}
}
