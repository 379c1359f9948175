package store

import (
	"errors"
	"strings"
	"testing"
)

func TestValidBlobKey(t *testing.T) {
	good := []string{
		"a",
		"media/110/original.jpg",
		"cache/remote-media/x_y-z.webp",
		"..a/b..", // dots inside a segment are fine
		"a/.hidden",
		strings.Repeat("a", MaxBlobKey),
	}
	for _, k := range good {
		if err := ValidBlobKey(k); err != nil {
			t.Errorf("ValidBlobKey(%q) = %v, want nil", k, err)
		}
	}
	bad := []string{
		"",
		"/",
		"/abs",
		"a/",
		"a//b",
		"./a",
		"a/./b",
		"../x",
		"a/..",
		"A.jpg",
		"a b",
		`a\b`,
		"a%2fb",
		"a\x00b",
		"é.jpg",
		strings.Repeat("a", MaxBlobKey+1),
	}
	for _, k := range bad {
		err := ValidBlobKey(k)
		if !errors.Is(err, ErrBlobKey) {
			t.Errorf("ValidBlobKey(%q) = %v, want ErrBlobKey", k, err)
		}
	}
}
