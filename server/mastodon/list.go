package mastodon

import (
	"bytes"
	"encoding/json"
)

// List is a JSON array that is never null: a nil List marshals as [], as
// Mastodon sends empty lists. Any []T can be assigned to a List[T]. Fields
// that Mastodon documents as nullable lists use a plain slice instead.
type List[T any] []T

// MarshalJSON writes l as an array, [] when l is nil or empty. HTML in it is
// left unescaped here; the encoder that writes the whole document decides.
func (l List[T]) MarshalJSON() ([]byte, error) {
	if len(l) == 0 {
		return []byte("[]"), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode([]T(l)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
