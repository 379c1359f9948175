package server

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/roost-social/roost/server/mastodon"
)

// historyDays is how many days of use a Tag entity's history shows.
const historyDays = 7

// tagParam is the tag named by the :name parameter, lowercased and without
// '#'; a name that is no hashtag is a 422.
func (c *call) tagParam() (string, error) {
	name := strings.TrimPrefix(c.param("name"), "#")
	if !validTagName(name) {
		return "", unprocessable("Validation failed: Name is invalid")
	}
	return strings.ToLower(name), nil
}

// validTagName reports whether name is a hashtag as Mastodon reads one:
// letters, digits, marks and underscores, with at least one character that
// is no digit.
func validTagName(name string) bool {
	if name == "" || len(name) > 256 {
		return false
	}
	nonDigit := false
	for _, r := range name {
		switch {
		case unicode.IsDigit(r):
		case unicode.IsLetter(r) || unicode.IsMark(r) || r == '_':
			nonDigit = true
		default:
			return false
		}
	}
	return nonDigit
}

// renderTags makes the Tag entities of names with their history and, for
// a user, whether the user follows each.
func (c *call) renderTags(names []string) ([]mastodon.Tag, error) {
	ctx := c.r.Context()
	history, err := c.s.store.TagHistory(ctx, names, c.s.now(), historyDays)
	if err != nil {
		return nil, err
	}
	var following map[string]bool
	if c.viewer != nil {
		if following, err = c.s.store.FollowsTags(ctx, c.viewer.ID, names); err != nil {
			return nil, err
		}
	}
	out := make([]mastodon.Tag, len(names))
	for i, name := range names {
		out[i] = c.s.env.TagWithHistory(name, history[name])
		if following != nil {
			f := following[name]
			out[i].Following = &f
		}
	}
	return out, nil
}

// okTag answers with the Tag entity of name.
func (c *call) okTag(name string) error {
	tags, err := c.renderTags([]string{name})
	if err != nil {
		return err
	}
	return c.ok(tags[0])
}

// getTag is GET /api/v1/tags/:name. Any valid name answers, used or not,
// as in Mastodon.
func (s *Server) getTag(c *call) error {
	name, err := c.tagParam()
	if err != nil {
		return err
	}
	return c.okTag(name)
}

// followTag is POST /api/v1/tags/:name/follow; an unknown tag can be
// followed.
func (s *Server) followTag(c *call) error {
	name, err := c.tagParam()
	if err != nil {
		return err
	}
	if err := s.store.FollowTag(c.r.Context(), c.viewer.ID, name); err != nil {
		return err
	}
	return c.okTag(name)
}

// unfollowTag is POST /api/v1/tags/:name/unfollow.
func (s *Server) unfollowTag(c *call) error {
	name, err := c.tagParam()
	if err != nil {
		return err
	}
	if err := s.store.UnfollowTag(c.r.Context(), c.viewer.ID, name); err != nil {
		return err
	}
	return c.okTag(name)
}

// followedTags is GET /api/v1/followed_tags, newest follow first, paged by
// the follows' IDs.
func (s *Server) followedTags(c *call) error {
	names, cursors, err := s.store.FollowedTags(c.r.Context(), c.viewer.ID, c.page(100, 200))
	if err != nil {
		return err
	}
	tags, err := c.renderTags(names)
	if err != nil {
		return err
	}
	c.setLink(cursors)
	return c.ok(mastodon.List[mastodon.Tag](tags))
}

// trendsEnabled reports whether trends are computed: Config.Trends, or
// when unset, unless the instance is in single-user mode (one user's tags
// trend nowhere).
func (s *Server) trendsEnabled() bool {
	if s.cfg.Trends != nil {
		return *s.cfg.Trends
	}
	return !s.cfg.SingleUserMode
}

// trendingTags is GET /api/v1/trends/tags (and /api/v1/trends): limit
// (default 10, at most 20) and offset.
func (s *Server) trendingTags(c *call) error {
	if !s.trendsEnabled() {
		return c.ok(mastodon.List[mastodon.Tag]{})
	}
	offset, _ := strconv.Atoi(c.p.str("offset"))
	names, err := s.store.TrendingTags(c.r.Context(), s.now(), c.p.limit(10, 20), max(offset, 0))
	if err != nil {
		return err
	}
	tags, err := c.renderTags(names)
	if err != nil {
		return err
	}
	return c.ok(mastodon.List[mastodon.Tag](tags))
}
