package sqlite

import (
	"database/sql"

	"github.com/roost-social/roost/store"
)

// Statuses are read in a fixed number of queries whatever their number:
// the rows, the rows of the statuses they boost, then the accounts,
// mentions, tags and apps of all of them, each with one IN (json_each(?))
// query.

const statusColumns = `id, uri, url, account_id, in_reply_to_id, in_reply_to_account_id,
	reblog_of_id, content, text, spoiler_text, sensitive, visibility, language, local, app_id,
	created_at, edited_at, replies_count, reblogs_count, favourites_count`

// statusRow is a status as read, with its integer references.
type statusRow struct {
	s         *store.Status
	id        int64
	accountID int64
	reblogOf  int64
	appID     int64
}

func scanStatus(sc scanner) (statusRow, error) {
	var r statusRow
	st := &store.Status{}
	var reply, replyAccount, reblog, app, edited sql.NullInt64
	var created int64
	err := sc.Scan(&r.id, &st.URI, &st.URL, &r.accountID, &reply, &replyAccount, &reblog,
		&st.Content, &st.Text, &st.SpoilerText, &st.Sensitive, &st.Visibility, &st.Language,
		&st.Local, &app, &created, &edited, &st.RepliesCount, &st.ReblogsCount, &st.FavouritesCount)
	if err != nil {
		return r, err
	}
	st.ID = formatID(r.id)
	st.AccountID = formatID(r.accountID)
	st.InReplyToID = formatNullID(reply)
	st.InReplyToAccountID = formatNullID(replyAccount)
	st.ReblogOfID = formatNullID(reblog)
	st.AppID = formatNullID(app)
	st.CreatedAt = fromMS(created)
	st.EditedAt = fromNullMS(edited)
	r.s = st
	r.reblogOf = reblog.Int64
	r.appID = app.Int64
	return r, nil
}

func statusRows(c *conn, ids []int64, into map[int64]statusRow) error {
	rows, err := c.query(`SELECT `+statusColumns+` FROM statuses
		WHERE id IN (SELECT value FROM json_each(?1))`, intList(ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanStatus(rows)
		if err != nil {
			return err
		}
		into[r.id] = r
	}
	return rows.Err()
}

// loadStatuses returns the statuses with the given ids in that order,
// skipping missing ones, with Account, Reblog, Mentions, Tags and
// Application filled.
func loadStatuses(c *conn, ids []int64) ([]*store.Status, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	all := make(map[int64]statusRow, len(ids))
	if err := statusRows(c, ids, all); err != nil {
		return nil, err
	}
	var boosted []int64
	for _, r := range all {
		if r.reblogOf != 0 {
			if _, ok := all[r.reblogOf]; !ok {
				boosted = append(boosted, r.reblogOf)
			}
		}
	}
	if len(boosted) > 0 {
		if err := statusRows(c, boosted, all); err != nil {
			return nil, err
		}
	}

	statusIDs := make([]int64, 0, len(all))
	accountIDs := make([]int64, 0, len(all))
	var appIDs []int64
	seenAccount := make(map[int64]bool, len(all))
	seenApp := map[int64]bool{}
	for id, r := range all {
		statusIDs = append(statusIDs, id)
		if !seenAccount[r.accountID] {
			seenAccount[r.accountID] = true
			accountIDs = append(accountIDs, r.accountID)
		}
		if r.appID != 0 && !seenApp[r.appID] {
			seenApp[r.appID] = true
			appIDs = append(appIDs, r.appID)
		}
	}
	accounts, err := accountsByID(c, accountIDs)
	if err != nil {
		return nil, err
	}
	list := intList(statusIDs)

	rows, err := c.query(`SELECT m.status_id, a.id, a.username, a.domain, a.url
		FROM status_mentions m JOIN accounts a ON a.id = m.account_id
		WHERE m.status_id IN (SELECT value FROM json_each(?1))
		ORDER BY m.status_id, m.account_id`, list)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var sid, aid int64
		var m store.Mention
		if err := rows.Scan(&sid, &aid, &m.Username, &m.Domain, &m.URL); err != nil {
			rows.Close()
			return nil, err
		}
		m.AccountID = formatID(aid)
		st := all[sid].s
		st.Mentions = append(st.Mentions, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = c.query(`SELECT status_id, tag FROM status_tags
		WHERE status_id IN (SELECT value FROM json_each(?1))
		ORDER BY status_id, tag`, list)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var sid int64
		var tag string
		if err := rows.Scan(&sid, &tag); err != nil {
			rows.Close()
			return nil, err
		}
		st := all[sid].s
		st.Tags = append(st.Tags, tag)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	apps := map[int64]*store.App{}
	if len(appIDs) > 0 {
		rows, err := c.query(`SELECT `+appColumns+` FROM apps
			WHERE id IN (SELECT value FROM json_each(?1))`, intList(appIDs))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			a, err := scanApp(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			// Statuses show the app's name and website only.
			n, _ := parseID(a.ID)
			apps[n] = &store.App{ID: a.ID, Name: a.Name, Website: a.Website}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}

	for _, r := range all {
		r.s.Account = accounts[r.accountID]
		r.s.Application = apps[r.appID]
	}
	for _, r := range all {
		if r.reblogOf != 0 {
			if b, ok := all[r.reblogOf]; ok {
				r.s.Reblog = b.s
			}
		}
	}
	out := make([]*store.Status, 0, len(ids))
	for _, id := range ids {
		if r, ok := all[id]; ok && r.s.Account != nil {
			out = append(out, r.s)
		}
	}
	return out, nil
}

// loadStatus returns one hydrated status; store.ErrNotFound when missing.
func loadStatus(c *conn, id int64) (*store.Status, error) {
	list, err := loadStatuses(c, []int64{id})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, store.ErrNotFound
	}
	return list[0], nil
}

// scanIDs reads a query's first column of integer IDs, with an optional
// second column of cursors.
func scanIDs(rows *sql.Rows, withCursor bool) (ids []int64, cursors []string, err error) {
	defer rows.Close()
	for rows.Next() {
		var id, cursor int64
		if withCursor {
			err = rows.Scan(&id, &cursor)
		} else {
			err = rows.Scan(&id)
		}
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
		if withCursor {
			cursors = append(cursors, formatID(cursor))
		}
	}
	return ids, cursors, rows.Err()
}
