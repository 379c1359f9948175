package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/roost-social/roost/store"
)

// Polls live in their own table keyed by the status ID; statuses.has_poll
// tells hydrate which statuses have one. Options and their tallies are JSON
// arrays on the poll row, so a poll is read with its counts in one lookup;
// poll_votes holds who chose what, for own_votes, the once-per-voter rules
// and the end-of-poll notifications.

// maxPollOptions bounds what the store keeps of a (remote) poll.
const maxPollOptions = 64

// insertPoll stores the poll of the new status id. For local polls the
// counts start at zero whatever p says.
func insertPoll(c *conn, id int64, p *store.Poll, local bool) error {
	titles, tallies, votes := pollArrays(p, local)
	voters := p.VotersCount
	if local {
		voters = 0
	}
	if _, err := c.exec(`INSERT INTO polls (status_id, options, tallies, multiple, hide_totals,
		expires_at, votes_count, voters_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
		id, titles, tallies, p.Multiple, p.HideTotals, nullMS(p.ExpiresAt), votes, max(voters, 0)); err != nil {
		return err
	}
	_, err := c.exec(`UPDATE statuses SET has_poll = 1 WHERE id = ?1`, id)
	return err
}

// pollArrays renders p's options as the JSON arrays of titles and tallies,
// and sums the votes; zero counts when reset.
func pollArrays(p *store.Poll, reset bool) (titles, tallies string, votes int) {
	opts := p.Options
	if len(opts) > maxPollOptions {
		opts = opts[:maxPollOptions]
	}
	ts := make([]string, len(opts))
	ns := make([]int, len(opts))
	for i, o := range opts {
		ts[i] = o.Title
		if !reset {
			ns[i] = max(o.VotesCount, 0)
			votes += ns[i]
		}
	}
	tb, _ := json.Marshal(ts)
	nb, _ := json.Marshal(ns)
	return string(tb), string(nb), votes
}

const pollColumns = `p.status_id, p.options, p.tallies, p.multiple, p.hide_totals, p.expires_at,
	p.votes_count, p.voters_count, s.local`

func scanPoll(sc scanner) (int64, *store.Poll, error) {
	var id int64
	var titles, tallies string
	var expires sql.NullInt64
	p := &store.Poll{}
	if err := sc.Scan(&id, &titles, &tallies, &p.Multiple, &p.HideTotals, &expires,
		&p.VotesCount, &p.VotersCount, &p.Local); err != nil {
		return 0, nil, err
	}
	var ts []string
	var ns []int
	if err := json.Unmarshal([]byte(titles), &ts); err != nil {
		return 0, nil, fmt.Errorf("poll %d options: %w", id, err)
	}
	if err := json.Unmarshal([]byte(tallies), &ns); err != nil {
		return 0, nil, fmt.Errorf("poll %d tallies: %w", id, err)
	}
	p.Options = make([]store.PollOption, len(ts))
	for i, t := range ts {
		p.Options[i].Title = t
		if i < len(ns) {
			p.Options[i].VotesCount = ns[i]
		}
	}
	p.ID = formatID(id)
	p.ExpiresAt = fromNullMS(expires)
	return id, p, nil
}

// loadPolls reads the polls of the statuses ids (those without one are
// absent from the map).
func loadPolls(c *conn, ids []int64) (map[int64]*store.Poll, error) {
	m := make(map[int64]*store.Poll, len(ids))
	if len(ids) == 0 {
		return m, nil
	}
	rs, err := c.query(`SELECT `+pollColumns+` FROM polls p CROSS JOIN statuses s ON s.id = p.status_id
		WHERE p.status_id IN (SELECT value FROM json_each(?1))`, intList(ids))
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	for rs.Next() {
		id, p, err := scanPoll(rs)
		if err != nil {
			return nil, err
		}
		m[id] = p
	}
	return m, rs.Err()
}

func loadPoll(c *conn, id int64) (*store.Poll, error) {
	m, err := loadPolls(c, []int64{id})
	if err != nil {
		return nil, err
	}
	p, ok := m[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return p, nil
}

// Vote records an account's choices in a poll; see store.Store.
func (s *Store) Vote(ctx context.Context, accountID, pollID string, choices []int) (*store.Poll, error) {
	a, ok1 := parseID(accountID)
	id, ok2 := parseID(pollID)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("vote: %w", store.ErrNotFound)
	}
	var poll *store.Poll
	err := s.write(ctx, func(c *conn) error {
		p, err := loadPoll(c, id)
		if err != nil {
			return err
		}
		var author int64
		if err := c.queryRow(`SELECT account_id FROM statuses WHERE id = ?1`, id).Scan(&author); err != nil {
			return notFound(err)
		}
		switch {
		case author == a:
			return store.ErrPollSelfVote
		case p.Expired(now()):
			return store.ErrPollExpired
		case len(choices) == 0 || (!p.Multiple && len(choices) > 1):
			return store.ErrPollChoice
		}
		for _, ch := range choices {
			if ch < 0 || ch >= len(p.Options) {
				return store.ErrPollChoice
			}
		}
		rs, err := c.query(`SELECT choice FROM poll_votes WHERE poll_id = ?1 AND account_id = ?2`, id, a)
		if err != nil {
			return err
		}
		prior, _, err := scanIDs(rs, false)
		if err != nil {
			return err
		}
		if !p.Multiple && len(prior) > 0 {
			return store.ErrConflict
		}
		t := ms(now())
		for i, ch := range choices {
			if slices.Contains(prior, int64(ch)) || slices.Contains(choices[:i], ch) {
				return store.ErrConflict
			}
			if _, err := c.exec(`INSERT INTO poll_votes (poll_id, account_id, choice, created_at)
				VALUES (?1, ?2, ?3, ?4)`, id, a, ch, t); err != nil {
				return err
			}
			p.Options[ch].VotesCount++
		}
		p.VotesCount += len(choices)
		if len(prior) == 0 {
			p.VotersCount++
		}
		_, tallies, _ := pollArrays(p, false)
		if _, err := c.exec(`UPDATE polls SET tallies = ?2, votes_count = ?3, voters_count = ?4
			WHERE status_id = ?1`, id, tallies, p.VotesCount, p.VotersCount); err != nil {
			return err
		}
		poll = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	return poll, nil
}

// PollVotes returns the options accountID chose in each of pollIDs.
func (s *Store) PollVotes(ctx context.Context, accountID string, pollIDs []string) (map[string][]int, error) {
	m := map[string][]int{}
	a, ok := parseID(accountID)
	if !ok || len(pollIDs) == 0 {
		return m, nil
	}
	err := s.readOne(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT poll_id, choice FROM poll_votes
			WHERE account_id = ?1 AND poll_id IN (SELECT value FROM json_each(?2))
			ORDER BY poll_id, choice`, a, idList(pollIDs))
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			var ch int
			if err := rs.Scan(&id, &ch); err != nil {
				return err
			}
			key := formatID(id)
			m[key] = append(m[key], ch)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list poll votes: %w", err)
	}
	return m, nil
}

// PollVoters returns the accounts that voted in a poll.
func (s *Store) PollVoters(ctx context.Context, pollID string) ([]*store.Account, error) {
	id, ok := parseID(pollID)
	if !ok {
		return nil, nil
	}
	var list []*store.Account
	err := s.read(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT DISTINCT account_id FROM poll_votes WHERE poll_id = ?1`, id)
		if err != nil {
			return err
		}
		ids, _, err := scanIDs(rs, false)
		if err != nil {
			return err
		}
		accts, err := accountsByID(c, ids)
		if err != nil {
			return err
		}
		for _, v := range ids {
			if a := accts[v]; a != nil {
				list = append(list, a)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list poll voters: %w", err)
	}
	return list, nil
}

// UpdatePoll replaces a remote poll's tally (or gives a status its first
// poll).
func (s *Store) UpdatePoll(ctx context.Context, pollID string, p store.Poll) (*store.Poll, error) {
	id, ok := parseID(pollID)
	if !ok {
		return nil, fmt.Errorf("update poll: %w", store.ErrNotFound)
	}
	var poll *store.Poll
	err := s.write(ctx, func(c *conn) error {
		var local bool
		if err := c.queryRow(`SELECT local FROM statuses WHERE id = ?1`, id).Scan(&local); err != nil {
			return notFound(err)
		}
		old, err := loadPoll(c, id)
		if err == store.ErrNotFound {
			if err := insertPoll(c, id, &p, local); err != nil {
				return err
			}
			poll, err = loadPoll(c, id)
			return err
		}
		if err != nil {
			return err
		}
		titles, tallies, votes := pollArrays(&p, false)
		if !sameTitles(old.Options, p.Options) {
			if _, err := c.exec(`DELETE FROM poll_votes WHERE poll_id = ?1`, id); err != nil {
				return err
			}
		}
		// A poll whose end moved into the future is reported again when
		// it comes.
		if _, err := c.exec(`UPDATE polls SET options = ?2, tallies = ?3, multiple = ?4, expires_at = ?5,
			votes_count = ?6, voters_count = ?7,
			ended = CASE WHEN ?5 IS NOT NULL AND ?5 > ?8 THEN 0 ELSE ended END
			WHERE status_id = ?1`, id, titles, tallies, p.Multiple, nullMS(p.ExpiresAt), votes,
			max(p.VotersCount, 0), ms(now())); err != nil {
			return err
		}
		poll, err = loadPoll(c, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update poll: %w", err)
	}
	return poll, nil
}

func sameTitles(a, b []store.PollOption) bool {
	if len(b) > maxPollOptions {
		b = b[:maxPollOptions]
	}
	return slices.EqualFunc(a, b, func(x, y store.PollOption) bool { return x.Title == y.Title })
}

// EndPolls reports the polls whose end has come, once each, notifying
// their local voters and local author.
func (s *Store) EndPolls(ctx context.Context, at time.Time, limit int) ([]store.EndedPoll, error) {
	if limit <= 0 {
		limit = 100
	}
	var ended []store.EndedPoll
	err := s.write(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT p.status_id, s.account_id, s.local
			FROM polls p CROSS JOIN statuses s ON s.id = p.status_id
			WHERE p.ended = 0 AND p.expires_at IS NOT NULL AND p.expires_at <= ?1
			ORDER BY p.expires_at LIMIT ?2`, ms(at), limit)
		if err != nil {
			return err
		}
		type due struct {
			id, author int64
			local      bool
		}
		var list []due
		for rs.Next() {
			var d due
			if err := rs.Scan(&d.id, &d.author, &d.local); err != nil {
				rs.Close()
				return err
			}
			list = append(list, d)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
		for _, d := range list {
			if _, err := c.exec(`UPDATE polls SET ended = 1 WHERE status_id = ?1`, d.id); err != nil {
				return err
			}
			rs, err := c.query(`SELECT DISTINCT v.account_id FROM poll_votes v CROSS JOIN accounts a ON a.id = v.account_id
				WHERE v.poll_id = ?1 AND a.domain = ''`, d.id)
			if err != nil {
				return err
			}
			recipients, _, err := scanIDs(rs, false)
			if err != nil {
				return err
			}
			if d.local {
				recipients = append(recipients, d.author)
			}
			for _, r := range recipients {
				if err := notifyPollEnded(c, r, d.author, d.id); err != nil {
					return err
				}
			}
			ended = append(ended, store.EndedPoll{StatusID: formatID(d.id), Local: d.local})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("end polls: %w", err)
	}
	return ended, nil
}

// notifyPollEnded tells a local account that the poll of statusID, by
// author, has ended. Unlike notify it also tells the author.
func notifyPollEnded(c *conn, recipient, author, statusID int64) error {
	id, _ := parseID(store.NewID(time.Now()))
	_, err := c.exec(`INSERT INTO notifications (id, account_id, type, from_account_id, status_id, created_at)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND domain = '')`,
		id, recipient, store.NotifyPoll, author, statusID, ms(now()))
	return err
}

// hydratePolls loads the polls of the statuses read that have one.
func hydratePolls(c *conn, all map[int64]statusRow) (map[int64]*store.Poll, error) {
	var ids []int64
	for id, r := range all {
		if r.hasPoll {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return loadPolls(c, ids)
}
