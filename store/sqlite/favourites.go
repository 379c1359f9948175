package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/roost-social/roost/store"
)

// Favourites, bookmarks and boosts act on the boosted status when given a
// boost, as Mastodon does. All of them are idempotent; an unknown status is
// store.ErrNotFound.

// Favourite marks the status as a favourite of the account, counts it and
// notifies the author.
func (s *Store) Favourite(ctx context.Context, accountID, statusID, uri string) error {
	err := s.write(ctx, func(c *conn) error {
		a, st, author, err := actorAndStatus(c, accountID, statusID, true)
		if err != nil {
			return err
		}
		n, err := c.execN(`INSERT OR IGNORE INTO favourites (id, account_id, status_id, created_at, uri)
			VALUES (?1, ?2, ?3, ?4, ?5)`, newID(), a, st, ms(now()), uri)
		if err != nil || n == 0 {
			return err
		}
		if _, err := c.exec(`UPDATE statuses SET favourites_count = favourites_count + 1 WHERE id = ?1`, st); err != nil {
			return err
		}
		return notify(c, author, a, store.NotifyFavourite, st)
	})
	if err != nil {
		return fmt.Errorf("favourite status: %w", err)
	}
	return nil
}

// Unfavourite undoes Favourite, with its count and notification.
func (s *Store) Unfavourite(ctx context.Context, accountID, statusID string) error {
	err := s.write(ctx, func(c *conn) error {
		a, st, author, err := actorAndStatus(c, accountID, statusID, true)
		if err != nil {
			return err
		}
		n, err := c.execN(`DELETE FROM favourites WHERE account_id = ?1 AND status_id = ?2`, a, st)
		if err != nil || n == 0 {
			return err
		}
		if _, err := c.exec(`UPDATE statuses SET favourites_count = max(0, favourites_count - 1) WHERE id = ?1`, st); err != nil {
			return err
		}
		return unnotify(c, a, store.NotifyFavourite, author, st)
	})
	if err != nil {
		return fmt.Errorf("unfavourite status: %w", err)
	}
	return nil
}

// Bookmark adds the status to the account's bookmarks.
func (s *Store) Bookmark(ctx context.Context, accountID, statusID string) error {
	return s.mark(ctx, "bookmark status", `INSERT OR IGNORE INTO bookmarks (id, account_id, status_id, created_at)
		VALUES (?3, ?1, ?2, ?4)`, accountID, statusID, true)
}

// Unbookmark removes the status from the account's bookmarks.
func (s *Store) Unbookmark(ctx context.Context, accountID, statusID string) error {
	return s.mark(ctx, "unbookmark status", `DELETE FROM bookmarks
		WHERE account_id = ?1 AND status_id = ?2`, accountID, statusID, true)
}

// Pin pins the status to the account's profile. The store does not check
// that the status is the account's own; AccountStatuses shows only those.
func (s *Store) Pin(ctx context.Context, accountID, statusID string) error {
	return s.mark(ctx, "pin status", `INSERT OR IGNORE INTO pins (id, account_id, status_id, created_at)
		VALUES (?3, ?1, ?2, ?4)`, accountID, statusID, false)
}

// Unpin unpins the status.
func (s *Store) Unpin(ctx context.Context, accountID, statusID string) error {
	return s.mark(ctx, "unpin status", `DELETE FROM pins
		WHERE account_id = ?1 AND status_id = ?2`, accountID, statusID, false)
}

// mark runs q, which takes the account and status, and for an INSERT a new
// row ID and the time.
func (s *Store) mark(ctx context.Context, what, q, accountID, statusID string, followBoost bool) error {
	err := s.write(ctx, func(c *conn) error {
		a, st, _, err := actorAndStatus(c, accountID, statusID, followBoost)
		if err != nil {
			return err
		}
		if strings.HasPrefix(q, "DELETE") {
			_, err = c.exec(q, a, st)
		} else {
			_, err = c.exec(q, a, st, newID(), ms(now()))
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// actorAndStatus checks that both exist and returns their IDs and the
// status's author; with followBoost a boost is replaced by the status it
// boosts.
func actorAndStatus(c *conn, accountID, statusID string, followBoost bool) (account, status, author int64, err error) {
	a, ok1 := parseID(accountID)
	st, ok2 := parseID(statusID)
	if !ok1 || !ok2 {
		return 0, 0, 0, store.ErrNotFound
	}
	var one int
	if err := c.queryRow(`SELECT 1 FROM accounts WHERE id = ?1`, a).Scan(&one); err != nil {
		return 0, 0, 0, notFound(err)
	}
	if followBoost {
		st, author, err = original(c, st)
	} else {
		err = notFound(c.queryRow(`SELECT account_id FROM statuses WHERE id = ?1`, st).Scan(&author))
	}
	return a, st, author, err
}

func newID() int64 {
	n, _ := parseID(store.NewID(now()))
	return n
}

// Reblog boosts the status (or, given a boost, the status it boosts) with
// the given visibility ("" is public), or returns the account's existing
// boost of it.
func (s *Store) Reblog(ctx context.Context, accountID, statusID, visibility string) (*store.Status, error) {
	var st *store.Status
	err := s.write(ctx, func(c *conn) (err error) {
		st, err = createStatus(c, store.NewStatus{AccountID: accountID, ReblogOfID: statusID, Visibility: visibility})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reblog status: %w", err)
	}
	return st, nil
}

// Unreblog deletes the account's boost of the status and returns the
// boost's ID, or "" when there was none.
func (s *Store) Unreblog(ctx context.Context, accountID, statusID string) (*store.Status, error) {
	var boost *store.Status
	err := s.write(ctx, func(c *conn) error {
		a, st, _, err := actorAndStatus(c, accountID, statusID, true)
		if err != nil {
			return err
		}
		rs, err := c.query(`SELECT id FROM statuses
			WHERE account_id = ?1 AND reblog_of_id = ?2 AND reblog_of_id IS NOT NULL`, a, st)
		if err != nil {
			return err
		}
		ids, _, err := scanIDs(rs, false)
		if err != nil || len(ids) == 0 {
			return err
		}
		if boost, err = loadStatus(c, ids[0]); err != nil {
			return err
		}
		return deleteStatus(c, ids[0])
	})
	if err != nil {
		return nil, fmt.Errorf("unreblog status: %w", err)
	}
	return boost, nil
}

// FavouritedBy returns who favourited the status, newest first, with the
// favourites' IDs as cursors.
func (s *Store) FavouritedBy(ctx context.Context, statusID string, p store.Page) ([]*store.Account, []string, error) {
	accounts, cursors, err := s.accountPage(ctx, `SELECT account_id, id FROM favourites
		WHERE status_id = ?1 AND id < ?2 AND id > ?3 ORDER BY id `, statusID, p)
	if err != nil {
		return nil, nil, fmt.Errorf("list favourited by: %w", err)
	}
	return accounts, cursors, nil
}

// RebloggedBy returns who boosted the status, newest first, with the
// boosts' IDs as cursors.
func (s *Store) RebloggedBy(ctx context.Context, statusID string, p store.Page) ([]*store.Account, []string, error) {
	accounts, cursors, err := s.accountPage(ctx, `SELECT account_id, id FROM statuses
		WHERE reblog_of_id = ?1 AND reblog_of_id IS NOT NULL AND id < ?2 AND id > ?3 ORDER BY id `, statusID, p)
	if err != nil {
		return nil, nil, fmt.Errorf("list reblogged by: %w", err)
	}
	return accounts, cursors, nil
}

// Favourites returns the account's favourites, newest favourite first, with
// the favourites' IDs as cursors.
func (s *Store) Favourites(ctx context.Context, accountID string, p store.Page) ([]*store.Status, []string, error) {
	list, cursors, err := s.statusPage(ctx, `SELECT status_id, id FROM favourites
		WHERE account_id = ?1 AND id < ?2 AND id > ?3 ORDER BY id `, accountID, p)
	if err != nil {
		return nil, nil, fmt.Errorf("list favourites: %w", err)
	}
	return list, cursors, nil
}

// Bookmarks returns the account's bookmarks, newest bookmark first, with
// the bookmarks' IDs as cursors.
func (s *Store) Bookmarks(ctx context.Context, accountID string, p store.Page) ([]*store.Status, []string, error) {
	list, cursors, err := s.statusPage(ctx, `SELECT status_id, id FROM bookmarks
		WHERE account_id = ?1 AND id < ?2 AND id > ?3 ORDER BY id `, accountID, p)
	if err != nil {
		return nil, nil, fmt.Errorf("list bookmarks: %w", err)
	}
	return list, cursors, nil
}

// FavouriteByURI finds the favourite made by the Like activity uri.
func (s *Store) FavouriteByURI(ctx context.Context, uri string) (accountID, statusID string, err error) {
	if uri == "" {
		return "", "", fmt.Errorf("get favourite by URI: %w", store.ErrNotFound)
	}
	var a, st int64
	err = s.readOne(ctx, func(c *conn) error {
		return notFound(c.queryRow(`SELECT account_id, status_id FROM favourites WHERE uri = ?1 AND uri <> ''`, uri).Scan(&a, &st))
	})
	if err != nil {
		return "", "", fmt.Errorf("get favourite by URI: %w", err)
	}
	return formatID(a), formatID(st), nil
}
