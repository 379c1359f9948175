package mastodon

import (
	"strconv"

	"github.com/roost-social/roost/store"
)

// Search is the result of GET /api/v2/search: each list present, [] when
// empty.
type Search struct {
	Accounts List[Account] `json:"accounts"`
	Statuses List[Status]  `json:"statuses"`
	Hashtags List[Tag]     `json:"hashtags"`
}

// TagNamed is the Tag entity of the hashtag name (lowercase, without '#'),
// with an empty history.
func (e *Env) TagNamed(name string) Tag {
	return Tag{Name: name, URL: e.tagURL(name), History: List[TagHistory]{}}
}

// TagWithHistory is the Tag entity of the hashtag name with its use per
// day (newest first, as store.Store.TagHistory returns it).
func (e *Env) TagWithHistory(name string, days []store.TagDay) Tag {
	t := e.TagNamed(name)
	for _, d := range days {
		t.History = append(t.History, TagHistory{
			Day:      strconv.FormatInt(d.Day.Unix(), 10),
			Uses:     strconv.Itoa(d.Uses),
			Accounts: strconv.Itoa(d.Accounts),
		})
	}
	return t
}
