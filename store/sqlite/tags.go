package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/roost-social/roost/store"
)

// Hashtags: follows of tags (tag_follows), and the daily use of tags read
// from status_tags. A status's ID carries its creation time in its high
// bits (store.NewID), so a time range is an ID range on status_tags's keys
// and no date column is needed.

// dayMS is the length of a UTC day in milliseconds.
const dayMS = 24 * 60 * 60 * 1000

// idAtMS is the smallest status ID created at Unix millisecond t.
func idAtMS(t int64) int64 { return t << 16 }

// FollowTag makes accountID follow tag.
func (s *Store) FollowTag(ctx context.Context, accountID, tag string) error {
	a, ok := parseID(accountID)
	tag = normalTag(tag)
	if !ok || tag == "" {
		return fmt.Errorf("follow tag: %w", store.ErrNotFound)
	}
	err := s.write(ctx, func(c *conn) error {
		t := now()
		id, _ := parseID(store.NewID(t))
		_, err := c.exec(`INSERT OR IGNORE INTO tag_follows (id, account_id, tag, created_at)
			VALUES (?1, ?2, ?3, ?4)`, id, a, tag, ms(t))
		return err
	})
	if err != nil {
		return fmt.Errorf("follow tag: %w", err)
	}
	return nil
}

// UnfollowTag ends accountID's follow of tag.
func (s *Store) UnfollowTag(ctx context.Context, accountID, tag string) error {
	a, ok := parseID(accountID)
	if !ok {
		return nil
	}
	err := s.write(ctx, func(c *conn) error {
		_, err := c.exec(`DELETE FROM tag_follows WHERE account_id = ?1 AND tag = ?2`, a, normalTag(tag))
		return err
	})
	if err != nil {
		return fmt.Errorf("unfollow tag: %w", err)
	}
	return nil
}

// FollowedTags returns the tags accountID follows, newest first.
func (s *Store) FollowedTags(ctx context.Context, accountID string, p store.Page) ([]string, []string, error) {
	a, ok := parseID(accountID)
	if !ok {
		return nil, nil, nil
	}
	pg := newPage(p)
	var tags, cursors []string
	err := s.readOne(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT tag, id FROM tag_follows
			WHERE account_id = ?1 AND id < ?2 AND id > ?3 ORDER BY id `+pg.order(), a, pg.max, pg.min, pg.limit)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var tag, cursor string
			if err := rs.Scan(&tag, &cursor); err != nil {
				return err
			}
			tags = append(tags, tag)
			cursors = append(cursors, cursor)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list followed tags: %w", err)
	}
	if pg.asc {
		slices.Reverse(tags)
		slices.Reverse(cursors)
	}
	return tags, cursors, nil
}

// FollowsTags reports which of tags accountID follows.
func (s *Store) FollowsTags(ctx context.Context, accountID string, tags []string) (map[string]bool, error) {
	out := map[string]bool{}
	a, ok := parseID(accountID)
	if !ok || len(tags) == 0 {
		return out, nil
	}
	list, err := tagList(tags)
	if err != nil {
		return nil, fmt.Errorf("check followed tags: %w", err)
	}
	err = s.readOne(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT tag FROM tag_follows
			WHERE account_id = ?1 AND tag IN (SELECT value FROM json_each(?2))`, a, list)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var tag string
			if err := rs.Scan(&tag); err != nil {
				return err
			}
			out[tag] = true
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("check followed tags: %w", err)
	}
	return out, nil
}

// TagHistory counts each tag's uses per UTC day. It reads the tag's
// status_tags rows of the period (an index range on (tag, status_id)) and
// their statuses by primary key.
func (s *Store) TagHistory(ctx context.Context, tags []string, now time.Time, days int) (map[string][]store.TagDay, error) {
	out := make(map[string][]store.TagDay, len(tags))
	if days <= 0 {
		return out, nil
	}
	today := now.UTC().Truncate(24 * time.Hour).UnixMilli()
	first := today - int64(days-1)*dayMS
	err := s.read(ctx, func(c *conn) error {
		for _, tag := range tags {
			tag = normalTag(tag)
			if _, done := out[tag]; done || tag == "" {
				continue
			}
			h := make([]store.TagDay, days)
			for i := range h {
				h[i].Day = fromMS(today - int64(i)*dayMS)
			}
			rs, err := c.query(`SELECT (t.status_id >> 16) / ?3 AS day, count(*), count(DISTINCT s.account_id)
				FROM status_tags t JOIN statuses s ON s.id = t.status_id
				WHERE t.tag = ?1 AND t.status_id >= ?2
				AND s.visibility IN ('public', 'unlisted') AND s.reblog_of_id IS NULL
				GROUP BY day`, tag, idAtMS(first), int64(dayMS))
			if err != nil {
				return err
			}
			for rs.Next() {
				var day int64
				var uses, accounts int
				if err := rs.Scan(&day, &uses, &accounts); err != nil {
					rs.Close()
					return err
				}
				if i := (today - day*dayMS) / dayMS; i >= 0 && i < int64(days) {
					h[i].Uses, h[i].Accounts = uses, accounts
				}
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
			out[tag] = h
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tag history: %w", err)
	}
	return out, nil
}

// TrendingTags ranks the tags of the last two UTC days. It reads the
// status_tags rows of those days (a range of their primary key) and their
// statuses by primary key; the '+' in GROUP BY keeps SQLite from walking
// the whole (tag, status_id) index to get the rows grouped.
func (s *Store) TrendingTags(ctx context.Context, now time.Time, limit, offset int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	today := now.UTC().Truncate(24 * time.Hour).UnixMilli()
	var tags []string
	err := s.readOne(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT t.tag,
				count(DISTINCT CASE WHEN t.status_id >= ?2 THEN s.account_id END) +
				count(DISTINCT CASE WHEN t.status_id < ?2 THEN s.account_id END) AS score
			FROM status_tags t JOIN statuses s ON s.id = t.status_id
			WHERE t.status_id >= ?1 AND s.visibility = 'public' AND s.reblog_of_id IS NULL
			GROUP BY +t.tag HAVING count(DISTINCT s.account_id) >= 2
			ORDER BY score DESC, t.tag LIMIT ?3 OFFSET ?4`,
			idAtMS(today-dayMS), idAtMS(today), limit, max(offset, 0))
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var tag string
			var score int
			if err := rs.Scan(&tag, &score); err != nil {
				return err
			}
			tags = append(tags, tag)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("trending tags: %w", err)
	}
	return tags, nil
}

// feedTagFollowers puts a new public status in the home timelines of the
// local accounts that follow one of its tags, except those the author
// blocks or that block the author.
func feedTagFollowers(c *conn, id, authorID int64) error {
	_, err := c.exec(`INSERT OR IGNORE INTO home_feed (account_id, status_id)
		SELECT DISTINCT f.account_id, ?1 FROM status_tags t
		JOIN tag_follows f ON f.tag = t.tag
		JOIN accounts a ON a.id = f.account_id
		WHERE t.status_id = ?1 AND a.domain = ''
		AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = f.account_id AND b.target_id = ?2)
		AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = ?2 AND b.target_id = f.account_id)`, id, authorID)
	return err
}

// normalTag is a tag name as stored: lowercase, without '#'.
func normalTag(tag string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(tag), "#"))
}

// tagList renders tags, normalised, as a JSON array for json_each.
func tagList(tags []string) (string, error) {
	norm := make([]string, len(tags))
	for i, t := range tags {
		norm[i] = normalTag(t)
	}
	b, err := json.Marshal(norm)
	return string(b), err
}
