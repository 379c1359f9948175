package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/roost-social/roost/store"
)

// idempotencyWindow is how long a repeated Idempotency-Key returns the
// status it first made.
const idempotencyWindow = time.Hour

// CreateStatus stores a status with its mentions and tags, updates the
// counters, fills the home timelines of the local accounts that see it (and,
// for a public status, of those that follow one of its tags) and makes the
// notifications (mentions; "status" for followers who asked), all in one
// transaction. It returns the hydrated status. A NewStatus with
// ReblogOfID is a boost and behaves as Reblog. A repeated IdempotencyKey of
// the same account within an hour returns the first status. A URI already
// stored is store.ErrConflict.
func (s *Store) CreateStatus(ctx context.Context, n store.NewStatus) (*store.Status, error) {
	var st *store.Status
	err := s.write(ctx, func(c *conn) (err error) {
		st, err = createStatus(c, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create status: %w", err)
	}
	return st, nil
}

func createStatus(c *conn, n store.NewStatus) (*store.Status, error) {
	t := now()
	authorID, ok := parseID(n.AccountID)
	if !ok {
		return nil, store.ErrNotFound
	}
	var authorURI, authorURL, authorDomain string
	err := c.queryRow(`SELECT uri, url, domain FROM accounts WHERE id = ?1`, authorID).
		Scan(&authorURI, &authorURL, &authorDomain)
	if err != nil {
		return nil, fmt.Errorf("author: %w", notFound(err))
	}
	authorLocal := authorDomain == ""

	if n.IdempotencyKey != "" {
		var id int64
		err := c.queryRow(`SELECT status_id FROM idempotency_keys
			WHERE account_id = ?1 AND key = ?2 AND created_at > ?3`,
			authorID, n.IdempotencyKey, ms(t.Add(-idempotencyWindow))).Scan(&id)
		if err == nil {
			return loadStatus(c, id)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}

	var reblogOf, reblogAuthor int64
	if n.ReblogOfID != "" {
		var ok bool
		if reblogOf, ok = parseID(n.ReblogOfID); !ok {
			return nil, store.ErrNotFound
		}
		if reblogOf, reblogAuthor, err = original(c, reblogOf); err != nil {
			return nil, err
		}
		var existing int64
		err := c.queryRow(`SELECT id FROM statuses
			WHERE account_id = ?1 AND reblog_of_id = ?2 AND reblog_of_id IS NOT NULL`, authorID, reblogOf).Scan(&existing)
		if err == nil {
			return loadStatus(c, existing)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}

	created := truncMS(n.CreatedAt, t)
	if n.ID == "" {
		n.ID = store.NewID(created)
	}
	id, ok := parseID(n.ID)
	if !ok {
		return nil, fmt.Errorf("invalid id %q", n.ID)
	}
	if n.Visibility == "" {
		n.Visibility = store.VisibilityPublic
	}
	local := n.Local || (reblogOf != 0 && authorLocal)
	if local && n.URI == "" {
		if reblogOf != 0 {
			n.URI = authorURI + "/statuses/" + n.ID + "/activity"
			n.URL = n.URI
		} else {
			n.URI = authorURI + "/statuses/" + n.ID
			if n.URL == "" {
				n.URL = authorURL + "/" + n.ID
			}
		}
	}

	var replyTo, replyAccount any
	if n.InReplyToID != "" && reblogOf == 0 {
		if replyTo, err = nullID(n.InReplyToID); err != nil {
			return nil, fmt.Errorf("parent: %w", err)
		}
		var pa int64
		err := c.queryRow(`SELECT account_id FROM statuses WHERE id = ?1`, replyTo).Scan(&pa)
		switch {
		case err == nil:
			replyAccount = pa
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
	}
	var reblogArg any
	if reblogOf != 0 {
		reblogArg = reblogOf
	}

	appID, err := nullID(n.AppID)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	_, err = c.exec(`INSERT INTO statuses (id, uri, url, account_id, in_reply_to_id,
		in_reply_to_account_id, reblog_of_id, content, text, spoiler_text, sensitive, visibility,
		language, local, app_id, created_at, emojis)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)`,
		id, n.URI, n.URL, authorID, replyTo, replyAccount, reblogArg, n.Content, n.Text,
		n.SpoilerText, n.Sensitive, n.Visibility, n.Language, local, appID, ms(created), encodeEmojis(n.Emojis))
	if err != nil {
		return nil, err
	}
	if reblogOf == 0 {
		if err := setMentionsAndTags(c, id, n.MentionIDs, n.Tags); err != nil {
			return nil, err
		}
		if n.Poll != nil {
			if err := insertPoll(c, id, n.Poll, local); err != nil {
				return nil, err
			}
		}
		if len(n.MediaIDs) > 0 {
			if err := attachMedia(c, id, authorID, n.MediaIDs); err != nil {
				return nil, err
			}
		}
		if len(n.Media) > 0 {
			if err := replaceRemoteMedia(c, id, authorID, n.Media); err != nil {
				return nil, err
			}
		}
	}

	// Counters.
	if _, err := c.exec(`UPDATE accounts SET statuses_count = statuses_count + 1,
		last_status_at = max(coalesce(last_status_at, 0), ?2) WHERE id = ?1`, authorID, ms(created)); err != nil {
		return nil, err
	}
	if replyAccount != nil {
		if _, err := c.exec(`UPDATE statuses SET replies_count = replies_count + 1 WHERE id = ?1`, replyTo); err != nil {
			return nil, err
		}
	}
	if reblogOf != 0 {
		if _, err := c.exec(`UPDATE statuses SET reblogs_count = reblogs_count + 1 WHERE id = ?1`, reblogOf); err != nil {
			return nil, err
		}
	}

	// Home timelines.
	if authorLocal {
		if _, err := c.exec(`INSERT OR IGNORE INTO home_feed (account_id, status_id) VALUES (?1, ?2)`, authorID, id); err != nil {
			return nil, err
		}
	}
	switch {
	case n.Visibility == store.VisibilityDirect && reblogOf == 0:
		if err := feedMentioned(c, id); err != nil {
			return nil, err
		}
	case n.Visibility != store.VisibilityDirect:
		_, err := c.exec(`INSERT OR IGNORE INTO home_feed (account_id, status_id)
			SELECT f.account_id, ?2 FROM follows f JOIN accounts a ON a.id = f.account_id
			WHERE f.target_id = ?1 AND a.domain = '' AND (?3 = 0 OR f.show_reblogs = 1)`,
			authorID, id, reblogOf != 0)
		if err != nil {
			return nil, err
		}
	}

	if reblogOf == 0 && n.Visibility == store.VisibilityPublic && len(n.Tags) > 0 {
		if err := feedTagFollowers(c, id, authorID); err != nil {
			return nil, err
		}
	}

	// Notifications.
	switch {
	case reblogOf != 0:
		if err := notify(c, reblogAuthor, authorID, store.NotifyReblog, reblogOf); err != nil {
			return nil, err
		}
	default:
		rs, err := c.query(`SELECT account_id FROM status_mentions WHERE status_id = ?1`, id)
		if err != nil {
			return nil, err
		}
		mentioned, _, err := scanIDs(rs, false)
		if err != nil {
			return nil, err
		}
		for _, m := range mentioned {
			if err := notify(c, m, authorID, store.NotifyMention, id); err != nil {
				return nil, err
			}
		}
		if replyTo == nil && n.Visibility != store.VisibilityDirect {
			rs, err := c.query(`SELECT f.account_id FROM follows f JOIN accounts a ON a.id = f.account_id
				WHERE f.target_id = ?1 AND f.notify = 1 AND a.domain = ''`, authorID)
			if err != nil {
				return nil, err
			}
			subscribers, _, err := scanIDs(rs, false)
			if err != nil {
				return nil, err
			}
			for _, f := range subscribers {
				if err := notify(c, f, authorID, store.NotifyStatus, id); err != nil {
					return nil, err
				}
			}
		}
	}

	if n.IdempotencyKey != "" {
		if _, err := c.exec(`INSERT OR REPLACE INTO idempotency_keys (account_id, key, status_id, created_at)
			VALUES (?1, ?2, ?3, ?4)`, authorID, n.IdempotencyKey, id, ms(t)); err != nil {
			return nil, err
		}
	}
	return loadStatus(c, id)
}

// original returns the status a boost boosts (or the status itself when it
// is no boost) with its author; store.ErrNotFound when missing.
func original(c *conn, id int64) (orig, author int64, err error) {
	var reblogOf sql.NullInt64
	err = c.queryRow(`SELECT s.reblog_of_id, coalesce(o.account_id, s.account_id)
		FROM statuses s LEFT JOIN statuses o ON o.id = s.reblog_of_id WHERE s.id = ?1`, id).
		Scan(&reblogOf, &author)
	if err != nil {
		return 0, 0, notFound(err)
	}
	if reblogOf.Valid {
		return reblogOf.Int64, author, nil
	}
	return id, author, nil
}

// setMentionsAndTags stores a status's mentions (of known accounts) and its
// tags, lowercased.
func setMentionsAndTags(c *conn, id int64, mentionIDs, tags []string) error {
	if len(mentionIDs) > 0 {
		if _, err := c.exec(`INSERT OR IGNORE INTO status_mentions (status_id, account_id)
			SELECT ?1, id FROM accounts WHERE id IN (SELECT value FROM json_each(?2))`, id, idList(mentionIDs)); err != nil {
			return err
		}
	}
	if len(tags) > 0 {
		lower := make([]string, 0, len(tags))
		for _, t := range tags {
			if t = strings.ToLower(strings.TrimPrefix(t, "#")); t != "" {
				lower = append(lower, t)
			}
		}
		b, err := json.Marshal(lower)
		if err != nil {
			return err
		}
		if _, err := c.exec(`INSERT OR IGNORE INTO status_tags (status_id, tag)
			SELECT ?1, value FROM json_each(?2)`, id, string(b)); err != nil {
			return err
		}
	}
	// The copies hydrate reads.
	_, err := c.exec(`UPDATE statuses SET
		mention_ids = coalesce((SELECT group_concat(account_id, ' ') FROM (
			SELECT account_id FROM status_mentions WHERE status_id = ?1 ORDER BY account_id)), ''),
		tags = coalesce((SELECT group_concat(tag, ' ') FROM (
			SELECT tag FROM status_tags WHERE status_id = ?1 ORDER BY tag)), '')
		WHERE id = ?1`, id)
	return err
}

// feedMentioned puts a direct status in the home timelines of the local
// accounts it mentions.
func feedMentioned(c *conn, id int64) error {
	_, err := c.exec(`INSERT OR IGNORE INTO home_feed (account_id, status_id)
		SELECT m.account_id, m.status_id FROM status_mentions m JOIN accounts a ON a.id = m.account_id
		WHERE m.status_id = ?1 AND a.domain = ''`, id)
	return err
}

// notify tells recipient, if local, not from itself and not separated
// from it by a block, that from did typ (with statusID, or 0).
func notify(c *conn, recipient, from int64, typ string, statusID int64) error {
	if recipient == from {
		return nil
	}
	var status any
	if statusID != 0 {
		status = statusID
	}
	id, _ := parseID(store.NewID(time.Now()))
	_, err := c.exec(`INSERT INTO notifications (id, account_id, type, from_account_id, status_id, created_at)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND domain = '')
		  AND NOT EXISTS (SELECT 1 FROM blocks WHERE account_id = ?2 AND target_id = ?4)
		  AND NOT EXISTS (SELECT 1 FROM blocks WHERE account_id = ?4 AND target_id = ?2)`,
		id, recipient, typ, from, status, ms(now()))
	return err
}

// unnotify removes the notification of typ that from made for statusID
// (0: any status).
func unnotify(c *conn, from int64, typ string, recipient, statusID int64) error {
	_, err := c.exec(`DELETE FROM notifications
		WHERE account_id = ?1 AND type = ?2 AND from_account_id = ?3 AND (?4 = 0 OR status_id = ?4)`,
		recipient, typ, from, statusID)
	return err
}

// StatusByID returns a hydrated status; store.ErrNotFound when missing.
func (s *Store) StatusByID(ctx context.Context, id string) (*store.Status, error) {
	n, ok := parseID(id)
	if !ok {
		return nil, fmt.Errorf("get status: %w", store.ErrNotFound)
	}
	var st *store.Status
	err := s.read(ctx, func(c *conn) (err error) {
		st, err = loadStatus(c, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get status: %w", err)
	}
	return st, nil
}

// StatusByURI returns a hydrated status by its ActivityPub id.
func (s *Store) StatusByURI(ctx context.Context, uri string) (*store.Status, error) {
	if uri == "" {
		return nil, fmt.Errorf("get status by URI: %w", store.ErrNotFound)
	}
	var st *store.Status
	err := s.read(ctx, func(c *conn) error {
		var id int64
		if err := c.queryRow(`SELECT id FROM statuses WHERE uri = ?1 AND uri <> ''`, uri).Scan(&id); err != nil {
			return notFound(err)
		}
		var err error
		st, err = loadStatus(c, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get status by URI: %w", err)
	}
	return st, nil
}

// StatusesByIDs returns hydrated statuses in the order of ids, skipping
// unknown ones.
func (s *Store) StatusesByIDs(ctx context.Context, ids []string) ([]*store.Status, error) {
	nums := make([]int64, 0, len(ids))
	for _, id := range ids {
		if n, ok := parseID(id); ok {
			nums = append(nums, n)
		}
	}
	var list []*store.Status
	err := s.read(ctx, func(c *conn) (err error) {
		list, err = loadStatuses(c, nums)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get statuses: %w", err)
	}
	return list, nil
}

// UpdateStatus replaces a status's text, mentions and tags and keeps the
// versions in the edit history (the first edit also records the original).
// An empty Language keeps the old one. Local accounts that boosted the
// status get an "update" notification.
func (s *Store) UpdateStatus(ctx context.Context, id string, u store.StatusUpdate) (*store.Status, error) {
	n, ok := parseID(id)
	if !ok {
		return nil, fmt.Errorf("update status: %w", store.ErrNotFound)
	}
	var st *store.Status
	err := s.write(ctx, func(c *conn) error {
		var author, created int64
		var visibility string
		var local bool
		err := c.queryRow(`SELECT account_id, visibility, created_at, local FROM statuses
			WHERE id = ?1 AND reblog_of_id IS NULL`, n).Scan(&author, &visibility, &created, &local)
		if err != nil {
			return notFound(err)
		}
		// The original version, before the first edit, with its media.
		before, err := mediaSnapshot(c, n)
		if err != nil {
			return err
		}
		if _, err := c.exec(`INSERT INTO status_edits (status_id, content, text, spoiler_text, sensitive, created_at, media)
			SELECT id, content, text, spoiler_text, sensitive, created_at, ?2 FROM statuses
			WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM status_edits WHERE status_id = ?1)`, n, before); err != nil {
			return err
		}
		edited := truncMS(u.EditedAt, now())
		if _, err := c.exec(`UPDATE statuses SET content = ?2, text = ?3, spoiler_text = ?4,
			sensitive = ?5, language = coalesce(nullif(?6, ''), language), edited_at = ?7, emojis = ?8 WHERE id = ?1`,
			n, u.Content, u.Text, u.SpoilerText, u.Sensitive, u.Language, ms(edited), encodeEmojis(u.Emojis)); err != nil {
			return err
		}
		res, err := c.exec(`INSERT INTO status_edits (status_id, content, text, spoiler_text, sensitive, created_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6)`, n, u.Content, u.Text, u.SpoilerText, u.Sensitive, ms(edited))
		if err != nil {
			return err
		}
		editRow, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := c.exec(`DELETE FROM status_mentions WHERE status_id = ?1`, n); err != nil {
			return err
		}
		if _, err := c.exec(`DELETE FROM status_tags WHERE status_id = ?1`, n); err != nil {
			return err
		}
		if err := setMentionsAndTags(c, n, u.MentionIDs, u.Tags); err != nil {
			return err
		}
		if local {
			err = attachMedia(c, n, author, u.MediaIDs)
		} else {
			err = replaceRemoteMedia(c, n, author, u.Media)
		}
		if err != nil {
			return err
		}
		for _, m := range u.Described {
			if _, err := c.exec(`UPDATE media_attachments SET description = ?3, focus_x = ?4, focus_y = ?5
				WHERE id = ?1 AND status_id = ?2`, m.ID, n, m.Description, m.FocusX, m.FocusY); err != nil {
				return err
			}
		}
		after, err := mediaSnapshot(c, n)
		if err != nil {
			return err
		}
		if _, err := c.exec(`UPDATE status_edits SET media = ?2 WHERE id = ?1`, editRow, after); err != nil {
			return err
		}
		if visibility == store.VisibilityDirect {
			// Who sees a direct status at home follows its mentions.
			if _, err := c.exec(`DELETE FROM home_feed WHERE status_id = ?1 AND account_id <> ?2
				AND account_id NOT IN (SELECT account_id FROM status_mentions WHERE status_id = ?1)`, n, author); err != nil {
				return err
			}
			if err := feedMentioned(c, n); err != nil {
				return err
			}
		}
		rs, err := c.query(`SELECT DISTINCT account_id FROM statuses
			WHERE reblog_of_id = ?1 AND reblog_of_id IS NOT NULL`, n)
		if err != nil {
			return err
		}
		boosters, _, err := scanIDs(rs, false)
		if err != nil {
			return err
		}
		for _, b := range boosters {
			if err := notify(c, b, author, store.NotifyUpdate, n); err != nil {
				return err
			}
		}
		st, err = loadStatus(c, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update status: %w", err)
	}
	return st, nil
}

// DeleteStatus removes a status with its boosts and everything attached to
// them, and corrects the counters. Replies stay, pointing at nothing.
func (s *Store) DeleteStatus(ctx context.Context, id string) error {
	n, ok := parseID(id)
	if !ok {
		return fmt.Errorf("delete status: %w", store.ErrNotFound)
	}
	err := s.write(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT id FROM statuses WHERE reblog_of_id = ?1 AND reblog_of_id IS NOT NULL`, n)
		if err != nil {
			return err
		}
		boosts, _, err := scanIDs(rs, false)
		if err != nil {
			return err
		}
		if err := deleteStatus(c, n); err != nil {
			return err
		}
		for _, b := range boosts {
			if err := deleteStatus(c, b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete status: %w", err)
	}
	return nil
}

// deleteStatus removes one status row (its dependent rows cascade) after
// correcting the counters it feeds.
func deleteStatus(c *conn, id int64) error {
	var author int64
	var replyTo, reblogOf sql.NullInt64
	err := c.queryRow(`SELECT account_id, in_reply_to_id, reblog_of_id FROM statuses WHERE id = ?1`, id).
		Scan(&author, &replyTo, &reblogOf)
	if err != nil {
		return notFound(err)
	}
	if _, err := c.exec(`UPDATE accounts SET statuses_count = max(0, statuses_count - 1) WHERE id = ?1`, author); err != nil {
		return err
	}
	if replyTo.Valid {
		if _, err := c.exec(`UPDATE statuses SET replies_count = max(0, replies_count - 1) WHERE id = ?1`, replyTo.Int64); err != nil {
			return err
		}
	}
	if reblogOf.Valid {
		if _, err := c.exec(`UPDATE statuses SET reblogs_count = max(0, reblogs_count - 1) WHERE id = ?1`, reblogOf.Int64); err != nil {
			return err
		}
		// The boost notification points at the boosted status.
		if _, err := c.exec(`DELETE FROM notifications
			WHERE type = 'reblog' AND from_account_id = ?1 AND status_id = ?2`, author, reblogOf.Int64); err != nil {
			return err
		}
	}
	// Remote attachments go with their status; local uploads are only
	// detached (delete-and-redraft attaches them again; the sweep removes
	// them after a day).
	if _, err := c.exec(`DELETE FROM media_attachments WHERE status_id = ?1 AND remote_url <> ''`, id); err != nil {
		return err
	}
	_, err = c.exec(`DELETE FROM statuses WHERE id = ?1`, id)
	return err
}

// StatusEdits returns a status's versions, oldest first, the current one
// last; a status never edited has one version.
func (s *Store) StatusEdits(ctx context.Context, id string) ([]store.StatusEdit, error) {
	n, ok := parseID(id)
	if !ok {
		return nil, fmt.Errorf("list status edits: %w", store.ErrNotFound)
	}
	var edits []store.StatusEdit
	err := s.read(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT content, text, spoiler_text, sensitive, created_at, media
			FROM status_edits WHERE status_id = ?1 ORDER BY id`, n)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			e := store.StatusEdit{StatusID: id}
			var created int64
			var media string
			if err := rs.Scan(&e.Content, &e.Text, &e.SpoilerText, &e.Sensitive, &created, &media); err != nil {
				return err
			}
			e.CreatedAt = fromMS(created)
			if media != "" {
				if err := json.Unmarshal([]byte(media), &e.Media); err != nil {
					return fmt.Errorf("decode media of an edit: %w", err)
				}
			}
			edits = append(edits, e)
		}
		if err := rs.Err(); err != nil {
			return err
		}
		if len(edits) > 0 {
			return nil
		}
		e := store.StatusEdit{StatusID: id}
		var created int64
		err = c.queryRow(`SELECT content, text, spoiler_text, sensitive, created_at FROM statuses WHERE id = ?1`, n).
			Scan(&e.Content, &e.Text, &e.SpoilerText, &e.Sensitive, &created)
		if err != nil {
			return notFound(err)
		}
		e.CreatedAt = fromMS(created)
		if e.Media, err = queryMedia(c, `SELECT `+mediaColumns+` FROM media_attachments
			WHERE status_id = ?1 AND position >= 0 ORDER BY position`, n); err != nil {
			return err
		}
		edits = append(edits, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list status edits: %w", err)
	}
	return edits, nil
}

// visibleTo is the SQL condition that the account whose ID is parameter p
// (0 for anonymous) may see status s, by the rules of CanSee.
func visibleTo(p string) string {
	return `(s.visibility IN ('public', 'unlisted') OR s.account_id = ` + p + `
		OR (s.visibility = 'private' AND EXISTS (
			SELECT 1 FROM follows f WHERE f.account_id = ` + p + ` AND f.target_id = s.account_id))
		OR (s.visibility = 'direct' AND EXISTS (
			SELECT 1 FROM status_mentions m WHERE m.status_id = s.id AND m.account_id = ` + p + `)))`
}

// viewer is viewerID as a query parameter: 0 for anonymous.
func viewer(viewerID string) int64 {
	n, _ := parseID(viewerID)
	return n
}

// threadLimit is the depth or size of a thread when the caller gives none
// (Mastodon's limit for signed-in users).
const threadLimit = 4096

// Ancestors returns the statuses above id that viewerID may see (and
// neither blocks nor is blocked by the author of), oldest first, walking up at most limit levels (limit <= 0: 4096).
func (s *Store) Ancestors(ctx context.Context, viewerID, id string, limit int) ([]*store.Status, error) {
	n, ok := parseID(id)
	if !ok {
		return nil, fmt.Errorf("list ancestors: %w", store.ErrNotFound)
	}
	if limit <= 0 {
		limit = threadLimit
	}
	var list []*store.Status
	err := s.read(ctx, func(c *conn) error {
		rs, err := c.query(`WITH RECURSIVE up (id, depth) AS (
				SELECT in_reply_to_id, 1 FROM statuses WHERE id = ?1 AND in_reply_to_id IS NOT NULL
				UNION ALL
				SELECT s.in_reply_to_id, up.depth + 1 FROM statuses s JOIN up ON s.id = up.id
				WHERE s.in_reply_to_id IS NOT NULL AND up.depth < ?2
			)
			SELECT s.id FROM up CROSS JOIN statuses s ON s.id = up.id
			WHERE `+visibleTo("?3")+` AND `+unblocked("?3")+` ORDER BY up.depth DESC`, n, limit, viewer(viewerID))
		list, err = statusesOf(c, rs, err)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list ancestors: %w", err)
	}
	return list, nil
}

// statusesOf loads the statuses whose IDs a query returned, in its order.
func statusesOf(c *conn, rs *rows, err error) ([]*store.Status, error) {
	if err != nil {
		return nil, err
	}
	ids, _, err := scanIDs(rs, false)
	if err != nil {
		return nil, err
	}
	return loadStatuses(c, ids)
}

// Descendants returns the replies below id that viewerID may see (and
// neither blocks nor is blocked by the author of), in thread order (depth first, siblings oldest first), at most limit of them
// (limit <= 0: 4096).
func (s *Store) Descendants(ctx context.Context, viewerID, id string, limit int) ([]*store.Status, error) {
	n, ok := parseID(id)
	if !ok {
		return nil, fmt.Errorf("list descendants: %w", store.ErrNotFound)
	}
	if limit <= 0 {
		limit = threadLimit
	}
	var list []*store.Status
	err := s.read(ctx, func(c *conn) error {
		// path sorts depth first: each level appends the zero-padded ID.
		rs, err := c.query(`WITH RECURSIVE down (id, path, depth) AS (
				SELECT id, printf('%020d', id), 1 FROM statuses
				WHERE in_reply_to_id = ?1 AND in_reply_to_id IS NOT NULL
				UNION ALL
				SELECT s.id, down.path || '/' || printf('%020d', s.id), down.depth + 1
				FROM statuses s JOIN down ON s.in_reply_to_id = down.id
				WHERE s.in_reply_to_id IS NOT NULL AND down.depth < ?2
			)
			SELECT s.id FROM down CROSS JOIN statuses s ON s.id = down.id
			WHERE `+visibleTo("?3")+` AND `+unblocked("?3")+` ORDER BY down.path LIMIT ?2`, n, limit, viewer(viewerID))
		list, err = statusesOf(c, rs, err)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list descendants: %w", err)
	}
	return list, nil
}

// CanSee reports whether viewerID ("" for anonymous) may see st: public
// and unlisted statuses anyone, private ones the author's accepted
// followers, direct ones the mentioned accounts, and the author always;
// but nobody the author blocks.
func (s *Store) CanSee(ctx context.Context, viewerID string, st *store.Status) (bool, error) {
	public := st.Visibility == store.VisibilityPublic || st.Visibility == store.VisibilityUnlisted
	switch {
	case viewerID == "":
		return public, nil
	case viewerID == st.AccountID:
		return true, nil
	}
	v, ok1 := parseID(viewerID)
	a, ok2 := parseID(st.AccountID)
	id, ok3 := parseID(st.ID)
	if !ok1 || !ok2 || !ok3 {
		return public, nil
	}
	const notBlocked = `NOT EXISTS (SELECT 1 FROM blocks WHERE account_id = ?2 AND target_id = ?1)`
	var q string
	var args []any
	switch st.Visibility {
	case store.VisibilityPublic, store.VisibilityUnlisted:
		q, args = `SELECT `+notBlocked, []any{v, a}
	case store.VisibilityPrivate:
		q, args = `SELECT `+notBlocked+` AND EXISTS (SELECT 1 FROM follows WHERE account_id = ?1 AND target_id = ?2)`, []any{v, a}
	case store.VisibilityDirect:
		q, args = `SELECT `+notBlocked+` AND EXISTS (SELECT 1 FROM status_mentions WHERE status_id = ?3 AND account_id = ?1)`, []any{v, a, id}
	default:
		return false, nil
	}
	var yes bool
	err := s.readOne(ctx, func(c *conn) error {
		return c.queryRow(q, args...).Scan(&yes)
	})
	if err != nil {
		return false, fmt.Errorf("check visibility: %w", err)
	}
	return yes, nil
}

// Interactions returns, for every valid ID of statusIDs, what viewerID did
// with it. Muted is always false (there are no mutes yet).
func (s *Store) Interactions(ctx context.Context, viewerID string, statusIDs []string) (map[string]store.Interaction, error) {
	m := make(map[string]store.Interaction, len(statusIDs))
	keys := make(map[int64]string, len(statusIDs))
	for _, id := range statusIDs {
		if n, ok := parseID(id); ok {
			m[id] = store.Interaction{}
			keys[n] = id
		}
	}
	v, ok := parseID(viewerID)
	if !ok || len(m) == 0 {
		return m, nil
	}
	err := s.readOne(ctx, func(c *conn) error {
		rs, err := c.query(`
			SELECT 1, status_id FROM favourites
			WHERE account_id = ?1 AND status_id IN (SELECT value FROM json_each(?2))
			UNION ALL
			SELECT 2, reblog_of_id FROM statuses
			WHERE account_id = ?1 AND reblog_of_id IS NOT NULL AND reblog_of_id IN (SELECT value FROM json_each(?2))
			UNION ALL
			SELECT 3, status_id FROM bookmarks
			WHERE account_id = ?1 AND status_id IN (SELECT value FROM json_each(?2))
			UNION ALL
			SELECT 4, status_id FROM pins
			WHERE account_id = ?1 AND status_id IN (SELECT value FROM json_each(?2))`, v, idList(statusIDs))
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var kind, sid int64
			if err := rs.Scan(&kind, &sid); err != nil {
				return err
			}
			key := keys[sid]
			in := m[key]
			switch kind {
			case 1:
				in.Favourited = true
			case 2:
				in.Reblogged = true
			case 3:
				in.Bookmarked = true
			case 4:
				in.Pinned = true
			}
			m[key] = in
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list interactions: %w", err)
	}
	return m, nil
}
