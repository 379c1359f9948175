package sig

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ParsePublicKeyPEM reads the first PEM block of s, as found in an actor's
// publicKey.publicKeyPem: "PUBLIC KEY" (PKIX, what Mastodon publishes) or
// "RSA PUBLIC KEY" (PKCS #1, what Mobilizon publishes). Because some servers
// label one encoding with the other's name, both are tried whatever the
// label says. The key is an *rsa.PublicKey or an ed25519.PublicKey; other
// key types are refused, since [Verify] could not use them.
func ParsePublicKeyPEM(s string) (crypto.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("parse public key: no PEM block")
	}
	switch block.Type {
	case "PUBLIC KEY", "RSA PUBLIC KEY":
	default:
		return nil, fmt.Errorf("parse public key: PEM block of type %q", block.Type)
	}
	if k, err := x509.ParsePKIXPublicKey(block.Bytes); err == nil {
		switch k := k.(type) {
		case *rsa.PublicKey, ed25519.PublicKey:
			return k, nil
		default:
			return nil, fmt.Errorf("parse public key: unsupported key type %T", k)
		}
	}
	k, err := x509.ParsePKCS1PublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse public key: neither PKIX nor PKCS #1: %w", err)
	}
	return k, nil
}

// ParsePrivateKeyPEM reads the first PEM block of s: "PRIVATE KEY" (PKCS #8)
// or "RSA PRIVATE KEY" (PKCS #1), trying both encodings whatever the label
// says. The key is an *rsa.PrivateKey or an ed25519.PrivateKey.
func ParsePrivateKeyPEM(s string) (crypto.PrivateKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("parse private key: no PEM block")
	}
	switch block.Type {
	case "PRIVATE KEY", "RSA PRIVATE KEY":
	default:
		return nil, fmt.Errorf("parse private key: PEM block of type %q", block.Type)
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		switch k := k.(type) {
		case *rsa.PrivateKey, ed25519.PrivateKey:
			return k, nil
		default:
			return nil, fmt.Errorf("parse private key: unsupported key type %T", k)
		}
	}
	k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse private key: neither PKCS #8 nor PKCS #1: %w", err)
	}
	return k, nil
}
