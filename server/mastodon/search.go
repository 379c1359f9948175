package mastodon

// Search is the result of GET /api/v2/search: each list present, [] when
// empty.
type Search struct {
	Accounts List[Account] `json:"accounts"`
	Statuses List[Status]  `json:"statuses"`
	Hashtags List[Tag]     `json:"hashtags"`
}

// TagNamed is the Tag entity of the hashtag name (lowercase, without '#'),
// with an empty history: Roost does not count uses per day yet.
func (e *Env) TagNamed(name string) Tag {
	return Tag{Name: name, URL: e.tagURL(name), History: List[TagHistory]{}}
}
