package mastodon

// Roost has no filters yet: Status.filtered is always []. The types fix the
// shape for when it does.

// FilterResult is a filter that matched a status.
type FilterResult struct {
	Filter         Filter   `json:"filter"`
	KeywordMatches []string `json:"keyword_matches"` // null when no keyword matched
	StatusMatches  []string `json:"status_matches"`  // null when no status matched
}

// Filter is a v2 filter.
type Filter struct {
	ID           string              `json:"id"`
	Title        string              `json:"title"`
	Context      List[string]        `json:"context"` // home, notifications, public, thread, account
	ExpiresAt    *Time               `json:"expires_at"`
	FilterAction string              `json:"filter_action"` // warn, hide or blur
	Keywords     List[FilterKeyword] `json:"keywords"`
	Statuses     List[FilterStatus]  `json:"statuses"`
}

// FilterKeyword is a keyword a filter matches.
type FilterKeyword struct {
	ID        string `json:"id"`
	Keyword   string `json:"keyword"`
	WholeWord bool   `json:"whole_word"`
}

// FilterStatus is a status a filter matches.
type FilterStatus struct {
	ID       string `json:"id"`
	StatusID string `json:"status_id"`
}
