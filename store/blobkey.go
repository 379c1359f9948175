package store

import (
	"errors"
	"fmt"
	"strings"
)

// MaxBlobKey is the longest blob key, in bytes.
const MaxBlobKey = 512

// ErrBlobKey is wrapped by ValidBlobKey's errors.
var ErrBlobKey = errors.New("invalid blob key")

// ValidBlobKey reports whether key may name a blob: slash-separated
// segments of [a-z0-9._-], none empty, "." or "..", no leading or trailing
// slash, at most MaxBlobKey bytes. Such a key is a relative path on every
// file system and an S3 object name that needs no escaping.
func ValidBlobKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty", ErrBlobKey)
	}
	if len(key) > MaxBlobKey {
		return fmt.Errorf("%w: longer than %d bytes", ErrBlobKey, MaxBlobKey)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%w %q: empty, \".\" or \"..\" segment", ErrBlobKey, key)
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
				return fmt.Errorf("%w %q: character %q", ErrBlobKey, key, c)
			}
		}
	}
	return nil
}
