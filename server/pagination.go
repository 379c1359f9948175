package server

import (
	"net/url"

	"github.com/roost-social/roost/store"
)

// page reads max_id, since_id, min_id and limit as Mastodon does.
func (c *call) page(def, max int) store.Page {
	return store.Page{
		MaxID:   c.p.str("max_id"),
		SinceID: c.p.str("since_id"),
		MinID:   c.p.str("min_id"),
		Limit:   c.p.limit(def, max),
	}
}

// setLink writes the Link header of a newest-first list whose cursors run
// from newest to oldest: rel="next" for older items, rel="prev" for newer.
// An empty list has no Link header, as in Mastodon.
func (c *call) setLink(cursors []string) {
	if len(cursors) == 0 {
		return
	}
	link := func(key, id string) string {
		q := url.Values{}
		for k, vs := range c.r.URL.Query() {
			switch k {
			case "max_id", "min_id", "since_id", "access_token":
				continue
			}
			q[k] = vs
		}
		q.Set(key, id)
		return "<" + c.s.cfg.BaseURL() + c.r.URL.Path + "?" + q.Encode() + ">"
	}
	c.w.Header().Set("Link", link("max_id", cursors[len(cursors)-1])+`; rel="next", `+link("min_id", cursors[0])+`; rel="prev"`)
}

// statusCursors are the IDs of a status list, for setLink.
func statusCursors(ss []*store.Status) []string {
	ids := make([]string, len(ss))
	for i, s := range ss {
		ids[i] = s.ID
	}
	return ids
}
