package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/roost-social/roost/store"
)

const accountColumns = `id, username, domain, display_name, note, note_source, fields,
	locked, bot, discoverable, uri, url, inbox_url, shared_inbox_url, outbox_url,
	followers_url, following_url, featured_url, public_key_pem, private_key,
	avatar_url, header_url, created_at, updated_at, last_status_at,
	followers_count, following_count, statuses_count, privacy, sensitive, language, key_id, moved_to_id, emojis`

func scanAccount(sc scanner) (*store.Account, error) {
	var a store.Account
	var id, created, updated int64
	var fields string
	var lastStatus, movedTo sql.NullInt64
	var emojis string
	err := sc.Scan(&id, &a.Username, &a.Domain, &a.DisplayName, &a.Note, &a.NoteSource, &fields,
		&a.Locked, &a.Bot, &a.Discoverable, &a.URI, &a.URL, &a.InboxURL, &a.SharedInbox, &a.OutboxURL,
		&a.FollowersURL, &a.FollowingURL, &a.FeaturedURL, &a.PublicKeyPEM, &a.PrivateKey,
		&a.AvatarURL, &a.HeaderURL, &created, &updated, &lastStatus,
		&a.FollowersCount, &a.FollowingCount, &a.StatusesCount, &a.Privacy, &a.Sensitive, &a.Language, &a.KeyID, &movedTo, &emojis)
	if err != nil {
		return nil, err
	}
	if a.Emojis, err = decodeEmojis(emojis); err != nil {
		return nil, fmt.Errorf("decode emojis of account %d: %w", id, err)
	}
	a.ID = formatID(id)
	a.MovedToID = formatNullID(movedTo)
	a.CreatedAt = fromMS(created)
	a.UpdatedAt = fromMS(updated)
	a.LastStatusAt = fromNullMS(lastStatus)
	if fields != "" && fields != "[]" {
		if err := json.Unmarshal([]byte(fields), &a.Fields); err != nil {
			return nil, fmt.Errorf("decode fields of account %d: %w", id, err)
		}
	}
	return &a, nil
}

func encodeFields(f []store.Field) (string, error) {
	if len(f) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("encode fields: %w", err)
	}
	return string(b), nil
}

// accountByID reads one account; store.ErrNotFound when missing.
func accountByID(c *conn, id string) (*store.Account, error) {
	n, ok := parseID(id)
	if !ok {
		return nil, store.ErrNotFound
	}
	if c.cache != nil {
		m, err := accountsByID(c, []int64{n})
		if err != nil {
			return nil, err
		}
		if a := m[n]; a != nil {
			return a, nil
		}
		return nil, store.ErrNotFound
	}
	a, err := scanAccount(c.queryRow(`SELECT `+accountColumns+` FROM accounts WHERE id = ?1`, n))
	return a, notFound(err)
}

// accountsByID reads the accounts with the given ids, keyed by id. Readers
// take them from the account cache when they can.
func accountsByID(c *conn, ids []int64) (map[int64]*store.Account, error) {
	m := make(map[int64]*store.Account, len(ids))
	if len(ids) == 0 {
		return m, nil
	}
	if c.cache != nil {
		if ids = c.cache.get(ids, m); len(ids) == 0 {
			return m, nil
		}
	}
	rs, err := c.query(`SELECT `+accountColumns+` FROM accounts
		WHERE id IN (SELECT value FROM json_each(?1))`, intList(ids))
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	for rs.Next() {
		a, err := scanAccount(rs)
		if err != nil {
			return nil, err
		}
		n, _ := parseID(a.ID)
		m[n] = a
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	if c.cache != nil {
		c.cache.put(c.gen, m, ids)
	}
	return m, nil
}

// accountsInOrder reads the accounts with the given ids, in that order,
// along with the matching cursors; missing accounts are skipped.
func accountsInOrder(c *conn, ids []int64, cursors []string) ([]*store.Account, []string, error) {
	m, err := accountsByID(c, ids)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*store.Account, 0, len(ids))
	outCursors := make([]string, 0, len(ids))
	for i, id := range ids {
		if a := m[id]; a != nil {
			out = append(out, a)
			outCursors = append(outCursors, cursors[i])
		}
	}
	return out, outCursors, nil
}

const insertAccount = `INSERT INTO accounts (id, username, domain, display_name, note, note_source, fields,
	locked, bot, discoverable, uri, url, inbox_url, shared_inbox_url, outbox_url,
	followers_url, following_url, featured_url, public_key_pem, private_key,
	avatar_url, header_url, created_at, updated_at, privacy, sensitive, language, key_id, emojis)
	VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
	?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)`

func accountArgs(id int64, a *store.Account, fields string) []any {
	return []any{id, a.Username, a.Domain, a.DisplayName, a.Note, a.NoteSource, fields,
		a.Locked, a.Bot, a.Discoverable, a.URI, a.URL, a.InboxURL, a.SharedInbox, a.OutboxURL,
		a.FollowersURL, a.FollowingURL, a.FeaturedURL, a.PublicKeyPEM, a.PrivateKey,
		a.AvatarURL, a.HeaderURL, ms(a.CreatedAt), ms(a.UpdatedAt), a.Privacy, a.Sensitive, a.Language, a.KeyID,
		encodeEmojis(a.Emojis)}
}

// CreateLocalAccount stores a local account and its user in one
// transaction. Empty IDs are assigned, a.Domain is forced to "", and both
// structs are updated with what was stored. A username taken on this
// instance (in any letter case) or an e-mail in use is store.ErrConflict.
// A nil u makes an account nobody signs in to (the instance actor).
func (s *Store) CreateLocalAccount(ctx context.Context, a *store.Account, u *store.User) error {
	t := now()
	a.Domain = ""
	a.CreatedAt = truncMS(a.CreatedAt, t)
	a.UpdatedAt = truncMS(a.UpdatedAt, a.CreatedAt)
	if a.ID == "" {
		a.ID = store.NewID(a.CreatedAt)
	}
	if a.Privacy == "" {
		a.Privacy = store.VisibilityPublic
	}
	aid, ok := parseID(a.ID)
	if !ok {
		return fmt.Errorf("create account: invalid id %q", a.ID)
	}
	var uid int64
	if u != nil {
		u.CreatedAt = truncMS(u.CreatedAt, t)
		if u.ID == "" {
			u.ID = store.NewID(u.CreatedAt)
		}
		if uid, ok = parseID(u.ID); !ok {
			return fmt.Errorf("create account: invalid user id %q", u.ID)
		}
		u.AccountID = a.ID
		if u.Role == "" {
			u.Role = store.RoleUser
		}
	}
	fields, err := encodeFields(a.Fields)
	if err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	var stored *store.Account
	err = s.write(ctx, func(c *conn) error {
		if _, err := c.exec(insertAccount, accountArgs(aid, a, fields)...); err != nil {
			return err
		}
		if u == nil {
			stored, err = accountByID(c, a.ID)
			return err
		}
		if _, err := c.exec(`INSERT INTO users (id, account_id, email, password_hash, role, created_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6)`, uid, aid, u.Email, u.PasswordHash, u.Role, ms(u.CreatedAt)); err != nil {
			return err
		}
		stored, err = accountByID(c, a.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	*a = *stored
	if u != nil {
		u.Account = a
	}
	return nil
}

// UpsertRemoteAccount inserts a remote account, or updates the one with the
// same URI (keeping its ID, creation time and counters). a is updated with
// what was stored. Another account with the same username@domain is
// store.ErrConflict.
func (s *Store) UpsertRemoteAccount(ctx context.Context, a *store.Account) error {
	if a.Domain == "" {
		return errors.New("upsert remote account: no domain")
	}
	if a.URI == "" {
		return errors.New("upsert remote account: no URI")
	}
	fields, err := encodeFields(a.Fields)
	if err != nil {
		return fmt.Errorf("upsert remote account: %w", err)
	}
	t := now()
	var stored *store.Account
	err = s.write(ctx, func(c *conn) error {
		var id int64
		err := c.queryRow(`SELECT id FROM accounts WHERE uri = ?1 AND uri <> ''`, a.URI).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			b := *a
			b.CreatedAt = truncMS(a.CreatedAt, t)
			b.UpdatedAt = truncMS(a.UpdatedAt, t)
			if b.ID == "" {
				b.ID = store.NewID(b.CreatedAt)
			}
			var ok bool
			if id, ok = parseID(b.ID); !ok {
				return fmt.Errorf("invalid id %q", b.ID)
			}
			if _, err := c.exec(insertAccount, accountArgs(id, &b, fields)...); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			_, err := c.exec(`UPDATE accounts SET username = ?2, domain = ?3, display_name = ?4,
				note = ?5, fields = ?6, locked = ?7, bot = ?8, discoverable = ?9, url = ?10,
				inbox_url = ?11, shared_inbox_url = ?12, outbox_url = ?13, followers_url = ?14,
				following_url = ?15, featured_url = ?16, public_key_pem = ?17, avatar_url = ?18,
				header_url = ?19, updated_at = ?20, key_id = ?21, emojis = ?22
				WHERE id = ?1`,
				id, a.Username, a.Domain, a.DisplayName, a.Note, fields, a.Locked, a.Bot, a.Discoverable, a.URL,
				a.InboxURL, a.SharedInbox, a.OutboxURL, a.FollowersURL, a.FollowingURL, a.FeaturedURL,
				a.PublicKeyPEM, a.AvatarURL, a.HeaderURL, ms(truncMS(a.UpdatedAt, t)), a.KeyID, encodeEmojis(a.Emojis))
			if err != nil {
				return err
			}
		}
		stored, err = accountByID(c, formatID(id))
		return err
	})
	if err != nil {
		return fmt.Errorf("upsert remote account: %w", err)
	}
	*a = *stored
	return nil
}

// AccountByID returns the account; store.ErrNotFound when there is none.
func (s *Store) AccountByID(ctx context.Context, id string) (*store.Account, error) {
	var a *store.Account
	err := s.readOne(ctx, func(c *conn) (err error) {
		a, err = accountByID(c, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get account: %w", err)
	}
	return a, nil
}

// AccountByUsername finds username@domain, ignoring letter case; domain ""
// is a local account.
func (s *Store) AccountByUsername(ctx context.Context, username, domain string) (*store.Account, error) {
	var a *store.Account
	err := s.readOne(ctx, func(c *conn) (err error) {
		a, err = scanAccount(c.queryRow(`SELECT `+accountColumns+` FROM accounts
			WHERE username = ?1 AND domain = ?2`, username, domain))
		return notFound(err)
	})
	if err != nil {
		return nil, fmt.Errorf("get account by username: %w", err)
	}
	return a, nil
}

// AccountByURI finds an account by its ActivityPub id.
func (s *Store) AccountByURI(ctx context.Context, uri string) (*store.Account, error) {
	if uri == "" {
		return nil, fmt.Errorf("get account by URI: %w", store.ErrNotFound)
	}
	var a *store.Account
	err := s.readOne(ctx, func(c *conn) (err error) {
		a, err = scanAccount(c.queryRow(`SELECT `+accountColumns+` FROM accounts WHERE uri = ?1 AND uri <> ''`, uri))
		return notFound(err)
	})
	if err != nil {
		return nil, fmt.Errorf("get account by URI: %w", err)
	}
	return a, nil
}

// AccountsByIDs returns the accounts in the order of ids, skipping unknown
// ones.
func (s *Store) AccountsByIDs(ctx context.Context, ids []string) ([]*store.Account, error) {
	var m map[int64]*store.Account
	nums := make([]int64, 0, len(ids))
	for _, id := range ids {
		if n, ok := parseID(id); ok {
			nums = append(nums, n)
		}
	}
	err := s.readOne(ctx, func(c *conn) (err error) {
		m, err = accountsByID(c, nums)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get accounts: %w", err)
	}
	out := make([]*store.Account, 0, len(nums))
	for _, n := range nums {
		if a := m[n]; a != nil {
			out = append(out, a)
		}
	}
	return out, nil
}

// UpdateProfile applies the non-nil fields of p and returns the account.
func (s *Store) UpdateProfile(ctx context.Context, accountID string, p store.ProfileUpdate) (*store.Account, error) {
	id, ok := parseID(accountID)
	if !ok {
		return nil, fmt.Errorf("update profile: %w", store.ErrNotFound)
	}
	var fields any
	if p.Fields != nil {
		f, err := encodeFields(*p.Fields)
		if err != nil {
			return nil, fmt.Errorf("update profile: %w", err)
		}
		fields = f
	}
	var a *store.Account
	err := s.write(ctx, func(c *conn) error {
		n, err := c.execN(`UPDATE accounts SET
			display_name = coalesce(?2, display_name),
			note = coalesce(?3, note),
			note_source = coalesce(?4, note_source),
			fields = coalesce(?5, fields),
			locked = coalesce(?6, locked),
			bot = coalesce(?7, bot),
			discoverable = coalesce(?8, discoverable),
			privacy = coalesce(?9, privacy),
			sensitive = coalesce(?10, sensitive),
			language = coalesce(?11, language),
			updated_at = ?12,
			avatar_url = coalesce(?13, avatar_url),
			header_url = coalesce(?14, header_url)
			WHERE id = ?1 AND domain = ''`,
			id, ptr(p.DisplayName), ptr(p.Note), ptr(p.NoteSource), fields, ptr(p.Locked), ptr(p.Bot),
			ptr(p.Discoverable), ptr(p.Privacy), ptr(p.Sensitive), ptr(p.Language), ms(now()),
			ptr(p.Avatar), ptr(p.Header))
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		a, err = accountByID(c, accountID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update profile: %w", err)
	}
	return a, nil
}

// ptr is *p as a query parameter, NULL for nil.
func ptr[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// DeleteAccount removes the account with everything it owns: its user,
// statuses (and their boosts by others), favourites, bookmarks, pins,
// follows both ways, follow requests, tokens, notifications and markers.
// The counters of other accounts and statuses are corrected first.
func (s *Store) DeleteAccount(ctx context.Context, accountID string) error {
	id, ok := parseID(accountID)
	if !ok {
		return fmt.Errorf("delete account: %w", store.ErrNotFound)
	}
	err := s.write(ctx, func(c *conn) error {
		var one int
		if err := c.queryRow(`SELECT 1 FROM accounts WHERE id = ?1`, id).Scan(&one); err != nil {
			return notFound(err)
		}
		for _, q := range deleteAccountSteps {
			if _, err := c.exec(q, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	return nil
}

// deleteAccountSteps correct the counters the account's rows feed, then
// delete it; foreign keys cascade to the rest.
var deleteAccountSteps = []string{
	// Others' boosts of the account's statuses go with them.
	`UPDATE accounts SET statuses_count = max(0, statuses_count - (
		SELECT count(*) FROM statuses b
		WHERE b.account_id = accounts.id AND b.reblog_of_id IS NOT NULL
		  AND b.reblog_of_id IN (SELECT id FROM statuses WHERE account_id = ?1)))
	WHERE id IN (
		SELECT b.account_id FROM statuses o JOIN statuses b ON b.reblog_of_id = o.id
		WHERE o.account_id = ?1 AND b.reblog_of_id IS NOT NULL AND b.account_id <> ?1)`,
	`DELETE FROM statuses WHERE reblog_of_id IS NOT NULL
		AND reblog_of_id IN (SELECT id FROM statuses WHERE account_id = ?1) AND account_id <> ?1`,
	// Replies to others.
	`UPDATE statuses SET replies_count = max(0, replies_count - (
		SELECT count(*) FROM statuses r WHERE r.in_reply_to_id = statuses.id AND r.account_id = ?1))
	WHERE id IN (SELECT in_reply_to_id FROM statuses WHERE account_id = ?1 AND in_reply_to_id IS NOT NULL)
	  AND account_id <> ?1`,
	// Boosts of others' statuses.
	`UPDATE statuses SET reblogs_count = max(0, reblogs_count - 1)
	WHERE id IN (SELECT reblog_of_id FROM statuses WHERE account_id = ?1 AND reblog_of_id IS NOT NULL)
	  AND account_id <> ?1`,
	// Favourites.
	`UPDATE statuses SET favourites_count = max(0, favourites_count - 1)
	WHERE id IN (SELECT status_id FROM favourites WHERE account_id = ?1) AND account_id <> ?1`,
	// Follows both ways.
	`UPDATE accounts SET followers_count = max(0, followers_count - 1)
	WHERE id IN (SELECT target_id FROM follows WHERE account_id = ?1)`,
	`UPDATE accounts SET following_count = max(0, following_count - 1)
	WHERE id IN (SELECT account_id FROM follows WHERE target_id = ?1)`,
	`DELETE FROM accounts WHERE id = ?1`,
}

const userColumns = `u.id, u.account_id, u.email, u.password_hash, u.role, u.created_at`

// userQuery reads users with their accounts.
const userQuery = `SELECT ` + userColumns + `, a.id, a.username, a.domain, a.display_name, a.note,
	a.note_source, a.fields, a.locked, a.bot, a.discoverable, a.uri, a.url, a.inbox_url,
	a.shared_inbox_url, a.outbox_url, a.followers_url, a.following_url, a.featured_url,
	a.public_key_pem, a.private_key, a.avatar_url, a.header_url, a.created_at, a.updated_at,
	a.last_status_at, a.followers_count, a.following_count, a.statuses_count, a.privacy,
	a.sensitive, a.language, a.key_id, a.moved_to_id, a.emojis
	FROM users u JOIN accounts a ON a.id = u.account_id `

// userScanner splits one row of userQuery between the user and its
// account.
type userScanner struct {
	sc scanner
	u  *store.User
}

func (us *userScanner) Scan(dest ...any) error {
	var id, accountID, created int64
	all := append([]any{&id, &accountID, &us.u.Email, &us.u.PasswordHash, &us.u.Role, &created}, dest...)
	if err := us.sc.Scan(all...); err != nil {
		return err
	}
	us.u.ID = formatID(id)
	us.u.AccountID = formatID(accountID)
	us.u.CreatedAt = fromMS(created)
	return nil
}

func scanUser(sc scanner) (*store.User, error) {
	u := &store.User{}
	a, err := scanAccount(&userScanner{sc: sc, u: u})
	if err != nil {
		return nil, err
	}
	u.Account = a
	return u, nil
}

func (s *Store) userWhere(ctx context.Context, where string, arg any) (*store.User, error) {
	var u *store.User
	err := s.readOne(ctx, func(c *conn) (err error) {
		u, err = scanUser(c.queryRow(userQuery+where, arg))
		return notFound(err)
	})
	return u, err
}

// UserByEmail finds a user by e-mail, ignoring letter case.
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	u, err := s.userWhere(ctx, `WHERE u.email = ?1`, email)
	if err != nil {
		return nil, fmt.Errorf("get user by email: %w", err)
	}
	return u, nil
}

// UserByUsername finds the user of a local account, ignoring letter case.
func (s *Store) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	u, err := s.userWhere(ctx, `WHERE a.username = ?1 AND a.domain = ''`, username)
	if err != nil {
		return nil, fmt.Errorf("get user by username: %w", err)
	}
	return u, nil
}

// UserByAccountID finds the user of an account.
func (s *Store) UserByAccountID(ctx context.Context, accountID string) (*store.User, error) {
	id, ok := parseID(accountID)
	if !ok {
		return nil, fmt.Errorf("get user by account: %w", store.ErrNotFound)
	}
	u, err := s.userWhere(ctx, `WHERE u.account_id = ?1`, id)
	if err != nil {
		return nil, fmt.Errorf("get user by account: %w", err)
	}
	return u, nil
}

// SetPassword replaces a user's password hash.
func (s *Store) SetPassword(ctx context.Context, userID, hash string) error {
	id, ok := parseID(userID)
	if !ok {
		return fmt.Errorf("set password: %w", store.ErrNotFound)
	}
	err := s.write(ctx, func(c *conn) error {
		n, err := c.execN(`UPDATE users SET password_hash = ?2 WHERE id = ?1`, id, hash)
		if err == nil && n == 0 {
			err = store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// ListUsers returns every user, oldest first.
func (s *Store) ListUsers(ctx context.Context) ([]*store.User, error) {
	var users []*store.User
	err := s.readOne(ctx, func(c *conn) error {
		rs, err := c.query(userQuery + `ORDER BY u.id`)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			u, err := scanUser(rs)
			if err != nil {
				return err
			}
			users = append(users, u)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// InstanceUsage counts users, active local accounts (by the time of their
// last status or boost), local statuses (boosts excluded) and known remote
// domains.
func (s *Store) InstanceUsage(ctx context.Context) (store.Usage, error) {
	var u store.Usage
	t := time.Now()
	err := s.readOne(ctx, func(c *conn) error {
		return c.queryRow(`SELECT
			(SELECT count(*) FROM users),
			(SELECT count(*) FROM accounts WHERE domain = '' AND last_status_at >= ?1),
			(SELECT count(*) FROM accounts WHERE domain = '' AND last_status_at >= ?2),
			(SELECT count(*) FROM statuses WHERE local = 1 AND reblog_of_id IS NULL),
			(SELECT count(DISTINCT domain) FROM accounts WHERE domain <> '')`,
			ms(t.AddDate(0, 0, -30)), ms(t.AddDate(0, 0, -180))).
			Scan(&u.Users, &u.ActiveMonth, &u.ActiveHalfYear, &u.LocalStatuses, &u.Domains)
	})
	if err != nil {
		return store.Usage{}, fmt.Errorf("count usage: %w", err)
	}
	return u, nil
}
