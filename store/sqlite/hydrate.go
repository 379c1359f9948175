package sqlite

import (
	"database/sql"
	"slices"
	"strings"

	"github.com/roost-social/roost/store"
)

// Statuses are read in a fixed number of queries whatever their number:
// the rows, the rows of the statuses they boost, then the accounts (of the
// authors and the mentioned, mostly from the account cache) and the apps
// of all of them, each with one IN (json_each(?)) query, and the polls of
// those that have one (statuses.has_poll), their media (media_count) and
// link previews (card_url) with one more each. Mentions and tags
// come with the rows (copies of status_mentions and status_tags).

// statusColumns are the columns scanStatus reads, of a statuses table
// named s.
const statusColumns = `s.id, s.uri, s.url, s.account_id, s.in_reply_to_id, s.in_reply_to_account_id,
	s.reblog_of_id, s.content, s.text, s.spoiler_text, s.sensitive, s.visibility, s.language,
	s.local, s.app_id, s.created_at, s.edited_at, s.replies_count, s.reblogs_count,
	s.favourites_count, s.mention_ids, s.tags, s.has_poll, s.media_count, s.card_url, s.emojis`

// statusRow is a status as read, with its integer references.
type statusRow struct {
	s          *store.Status
	id         int64
	accountID  int64
	reblogOf   int64
	appID      int64
	mentions   []int64
	hasPoll    bool
	mediaCount int
	cardURL    string
}

func scanStatus(sc scanner) (statusRow, error) {
	var r statusRow
	st := &store.Status{}
	var reply, replyAccount, reblog, app, edited sql.NullInt64
	var created int64
	var mentions, tags, emojis string
	err := sc.Scan(&r.id, &st.URI, &st.URL, &r.accountID, &reply, &replyAccount, &reblog,
		&st.Content, &st.Text, &st.SpoilerText, &st.Sensitive, &st.Visibility, &st.Language,
		&st.Local, &app, &created, &edited, &st.RepliesCount, &st.ReblogsCount, &st.FavouritesCount,
		&mentions, &tags, &r.hasPoll, &r.mediaCount, &r.cardURL, &emojis)
	if err != nil {
		return r, err
	}
	if st.Emojis, err = decodeEmojis(emojis); err != nil {
		return r, err
	}
	for _, m := range strings.Fields(mentions) {
		if n, ok := parseID(m); ok {
			r.mentions = append(r.mentions, n)
		}
	}
	if tags != "" {
		st.Tags = strings.Fields(tags)
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

// queryStatuses runs q, which selects statusColumns, and returns the rows
// in order.
func queryStatuses(c *conn, q string, args ...any) ([]statusRow, error) {
	rs, err := c.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var list []statusRow
	for rs.Next() {
		r, err := scanStatus(rs)
		if err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rs.Err()
}

const statusesByID = `SELECT ` + statusColumns + ` FROM statuses s
	WHERE s.id IN (SELECT value FROM json_each(?1))`

// loadStatuses returns the statuses with the given ids in that order,
// skipping missing ones, with Account, Reblog, Mentions, Tags and
// Application filled.
func loadStatuses(c *conn, ids []int64) ([]*store.Status, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := queryStatuses(c, statusesByID, intList(ids))
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]statusRow, len(found))
	for _, r := range found {
		byID[r.id] = r
	}
	list := make([]statusRow, 0, len(ids))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			list = append(list, r)
		}
	}
	return hydrate(c, list)
}

// hydrate fills the Account, Reblog, Mentions, Tags and Application of
// statuses read with statusColumns and returns them in the same order.
func hydrate(c *conn, list []statusRow) ([]*store.Status, error) {
	if len(list) == 0 {
		return nil, nil
	}
	all := make(map[int64]statusRow, len(list))
	for _, r := range list {
		all[r.id] = r
	}
	var boosted []int64
	for _, r := range list {
		if r.reblogOf != 0 {
			if _, ok := all[r.reblogOf]; !ok {
				boosted = append(boosted, r.reblogOf)
			}
		}
	}
	if len(boosted) > 0 {
		more, err := queryStatuses(c, statusesByID, intList(boosted))
		if err != nil {
			return nil, err
		}
		for _, r := range more {
			all[r.id] = r
		}
	}

	accountIDs := make([]int64, 0, len(all))
	var appIDs []int64
	seenAccount := make(map[int64]bool, len(all))
	addAccount := func(id int64) {
		if !seenAccount[id] {
			seenAccount[id] = true
			accountIDs = append(accountIDs, id)
		}
	}
	for _, r := range all {
		addAccount(r.accountID)
		for _, m := range r.mentions {
			addAccount(m)
		}
		if r.appID != 0 && !slices.Contains(appIDs, r.appID) {
			appIDs = append(appIDs, r.appID)
		}
	}
	accounts, err := accountsByID(c, accountIDs)
	if err != nil {
		return nil, err
	}

	apps := map[int64]*store.App{}
	if len(appIDs) > 0 {
		rs, err := c.query(`SELECT id, name, website FROM apps
			WHERE id IN (SELECT value FROM json_each(?1))`, intList(appIDs))
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var id int64
			// Statuses show the app's name and website only.
			a := &store.App{}
			if err := rs.Scan(&id, &a.Name, &a.Website); err != nil {
				rs.Close()
				return nil, err
			}
			a.ID = formatID(id)
			apps[id] = a
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, err
		}
	}

	polls, err := hydratePolls(c, all)
	if err != nil {
		return nil, err
	}
	media, err := hydrateMedia(c, all)
	if err != nil {
		return nil, err
	}
	cards, err := hydrateCards(c, all)
	if err != nil {
		return nil, err
	}

	for _, r := range all {
		r.s.Account = accounts[r.accountID]
		r.s.Poll = polls[r.id]
		r.s.Media = media[r.id]
		r.s.Card = cards[r.id]
		r.s.Application = apps[r.appID]
		for _, m := range r.mentions {
			// A mentioned account that is gone is no mention.
			if a := accounts[m]; a != nil {
				r.s.Mentions = append(r.s.Mentions, store.Mention{AccountID: a.ID, Username: a.Username, Domain: a.Domain, URL: a.URL})
			}
		}
		if r.reblogOf != 0 {
			if b, ok := all[r.reblogOf]; ok {
				r.s.Reblog = b.s
			}
		}
	}
	out := make([]*store.Status, 0, len(list))
	for _, r := range list {
		if r.s.Account != nil {
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
func scanIDs(rs *rows, withCursor bool) (ids []int64, cursors []string, err error) {
	defer rs.Close()
	for rs.Next() {
		var id, cursor int64
		if withCursor {
			err = rs.Scan(&id, &cursor)
		} else {
			err = rs.Scan(&id)
		}
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
		if withCursor {
			cursors = append(cursors, formatID(cursor))
		}
	}
	return ids, cursors, rs.Err()
}
