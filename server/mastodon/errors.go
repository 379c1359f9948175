package mastodon

// Error is the body of every error response: {"error": "..."}, with a
// longer error_description only where OAuth errors have one.
type Error struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}
