package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/roost-social/roost/store"
)

// maxAttachments is how many files one status carries, as in Mastodon.
const maxAttachments = 4

const mediaColumns = `id, account_id, status_id, type, content_type, file_key, preview_key,
	file_size, remote_url, description, blurhash, width, height, preview_width, preview_height,
	focus_x, focus_y, processing, error, created_at, updated_at, duration, frame_rate`

func scanMedia(sc scanner) (*store.Media, int64, error) {
	var m store.Media
	var id, account, created, updated int64
	var status sql.NullInt64
	err := sc.Scan(&id, &account, &status, &m.Type, &m.ContentType, &m.FileKey, &m.PreviewKey,
		&m.FileSize, &m.RemoteURL, &m.Description, &m.Blurhash, &m.Width, &m.Height,
		&m.PreviewWidth, &m.PreviewHeight, &m.FocusX, &m.FocusY, &m.Processing, &m.Error, &created, &updated,
		&m.Duration, &m.FrameRate)
	if err != nil {
		return nil, 0, err
	}
	m.ID = formatID(id)
	m.AccountID = formatID(account)
	m.StatusID = formatNullID(status)
	m.CreatedAt = fromMS(created)
	m.UpdatedAt = fromMS(updated)
	return &m, status.Int64, nil
}

func queryMedia(c *conn, q string, args ...any) ([]*store.Media, error) {
	rs, err := c.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []*store.Media
	for rs.Next() {
		m, _, err := scanMedia(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rs.Err()
}

// insertMedia stores m, attached to status (0: unattached) at position.
func insertMedia(c *conn, m *store.Media, status int64, position int) error {
	t := now()
	m.CreatedAt = truncMS(m.CreatedAt, t)
	m.UpdatedAt = m.CreatedAt
	if m.ID == "" {
		m.ID = store.NewID(m.CreatedAt)
	}
	id, ok := parseID(m.ID)
	if !ok {
		return fmt.Errorf("invalid id %q", m.ID)
	}
	account, ok := parseID(m.AccountID)
	if !ok {
		return fmt.Errorf("account: %w", store.ErrNotFound)
	}
	var statusArg any
	if status != 0 {
		statusArg = status
		m.StatusID = formatID(status)
	}
	if m.Type == "" {
		m.Type = store.MediaUnknown
	}
	_, err := c.exec(`INSERT INTO media_attachments (`+mediaColumns+`, position)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
		?22, ?23, ?24)`,
		id, account, statusArg, m.Type, m.ContentType, m.FileKey, m.PreviewKey, m.FileSize, m.RemoteURL,
		m.Description, m.Blurhash, m.Width, m.Height, m.PreviewWidth, m.PreviewHeight, m.FocusX, m.FocusY,
		m.Processing, m.Error, ms(m.CreatedAt), ms(m.UpdatedAt), m.Duration, m.FrameRate, position)
	return err
}

// CreateMedia stores a new unattached upload.
func (s *Store) CreateMedia(ctx context.Context, m *store.Media) error {
	m.StatusID = ""
	if err := s.write(ctx, func(c *conn) error { return insertMedia(c, m, 0, 0) }); err != nil {
		return fmt.Errorf("create media: %w", err)
	}
	return nil
}

// GetMedia returns one attachment or store.ErrNotFound.
func (s *Store) GetMedia(ctx context.Context, id string) (*store.Media, error) {
	n, ok := parseID(id)
	if !ok {
		return nil, fmt.Errorf("get media: %w", store.ErrNotFound)
	}
	var m *store.Media
	err := s.readOne(ctx, func(c *conn) (err error) {
		m, _, err = scanMedia(c.queryRow(`SELECT `+mediaColumns+` FROM media_attachments WHERE id = ?1`, n))
		return notFound(err)
	})
	if err != nil {
		return nil, fmt.Errorf("get media: %w", err)
	}
	return m, nil
}

// UpdateMedia stores m's description, focus and, when m has one, its
// preview (an empty PreviewKey keeps the stored one, so that a change made
// while an upload processes does not undo what processing stored).
func (s *Store) UpdateMedia(ctx context.Context, m *store.Media) error {
	n, ok := parseID(m.ID)
	if !ok {
		return fmt.Errorf("update media: %w", store.ErrNotFound)
	}
	m.UpdatedAt = now()
	err := s.write(ctx, func(c *conn) error {
		k, err := c.execN(`UPDATE media_attachments SET description = ?2, focus_x = ?3, focus_y = ?4,
			updated_at = ?5,
			preview_key = CASE WHEN ?6 = '' THEN preview_key ELSE ?6 END,
			preview_width = CASE WHEN ?6 = '' THEN preview_width ELSE ?7 END,
			preview_height = CASE WHEN ?6 = '' THEN preview_height ELSE ?8 END,
			blurhash = CASE WHEN ?6 = '' THEN blurhash ELSE ?9 END
			WHERE id = ?1`, n, m.Description, m.FocusX, m.FocusY, ms(m.UpdatedAt), m.PreviewKey,
			m.PreviewWidth, m.PreviewHeight, m.Blurhash)
		if err == nil && k == 0 {
			err = store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("update media: %w", err)
	}
	return nil
}

// FinishMedia records the outcome of processing an upload still
// processing.
func (s *Store) FinishMedia(ctx context.Context, m *store.Media) error {
	n, ok := parseID(m.ID)
	if !ok {
		return fmt.Errorf("finish media: %w", store.ErrNotFound)
	}
	m.UpdatedAt = now()
	err := s.write(ctx, func(c *conn) error {
		k, err := c.execN(`UPDATE media_attachments SET type = ?2, content_type = ?3, file_key = ?4,
			preview_key = ?5, file_size = ?6, blurhash = ?7, width = ?8, height = ?9, preview_width = ?10,
			preview_height = ?11, processing = ?12, error = ?13, updated_at = ?14, duration = ?15, frame_rate = ?16
			WHERE id = ?1 AND processing = 1`,
			n, m.Type, m.ContentType, m.FileKey, m.PreviewKey, m.FileSize, m.Blurhash, m.Width, m.Height,
			m.PreviewWidth, m.PreviewHeight, m.Processing, m.Error, ms(m.UpdatedAt), m.Duration, m.FrameRate)
		if err == nil && k == 0 {
			err = store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("finish media: %w", err)
	}
	return nil
}

// DeleteMedia removes an unattached upload and returns it.
func (s *Store) DeleteMedia(ctx context.Context, id string) (*store.Media, error) {
	n, ok := parseID(id)
	if !ok {
		return nil, fmt.Errorf("delete media: %w", store.ErrNotFound)
	}
	var m *store.Media
	err := s.write(ctx, func(c *conn) error {
		var err error
		m, _, err = scanMedia(c.queryRow(`SELECT `+mediaColumns+` FROM media_attachments WHERE id = ?1`, n))
		if err != nil {
			return notFound(err)
		}
		if m.StatusID != "" {
			return store.ErrConflict
		}
		_, err = c.exec(`DELETE FROM media_attachments WHERE id = ?1`, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("delete media: %w", err)
	}
	return m, nil
}

// PendingMedia lists uploads waiting for processing, oldest first.
func (s *Store) PendingMedia(ctx context.Context) ([]*store.Media, error) {
	var out []*store.Media
	err := s.read(ctx, func(c *conn) (err error) {
		out, err = queryMedia(c, `SELECT `+mediaColumns+` FROM media_attachments WHERE processing = 1 ORDER BY id`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pending media: %w", err)
	}
	return out, nil
}

// AccountFiles lists the Blobs keys of a local account's uploads.
func (s *Store) AccountFiles(ctx context.Context, accountID string) ([]string, error) {
	n, ok := parseID(accountID)
	if !ok {
		return nil, fmt.Errorf("account files: %w", store.ErrNotFound)
	}
	var keys []string
	err := s.read(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT file_key, preview_key FROM media_attachments WHERE account_id = ?1 AND remote_url = ''
			UNION ALL SELECT avatar_url, header_url FROM accounts WHERE id = ?1 AND domain = ''`, n)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var a, b string
			if err := rs.Scan(&a, &b); err != nil {
				return err
			}
			for _, k := range []string{a, b} {
				if k != "" {
					keys = append(keys, k)
				}
			}
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("account files: %w", err)
	}
	return keys, nil
}

// UnattachedMedia lists uploads created before before that no status
// carries, oldest first.
func (s *Store) UnattachedMedia(ctx context.Context, before time.Time, limit int) ([]*store.Media, error) {
	var out []*store.Media
	err := s.read(ctx, func(c *conn) (err error) {
		out, err = queryMedia(c, `SELECT `+mediaColumns+` FROM media_attachments
			WHERE status_id IS NULL AND created_at < ?1 ORDER BY created_at LIMIT ?2`, ms(before), limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unattached media: %w", err)
	}
	return out, nil
}

// blobKeysPage is how many rows BlobKeys reads at a time.
const blobKeysPage = 500

// BlobKeys calls fn for every Blobs key a row refers to. It reads the
// tables a page at a time, each page in its own short read (a long one
// would hold a reader and keep the WAL from being checkpointed), so it is
// no snapshot: a row stored meanwhile may be missed, which the caller's
// minimum age covers (see server.RemoveOrphans). fn runs between reads.
func (s *Store) BlobKeys(ctx context.Context, fn func(key string) error) error {
	var stop error // fn's error, returned as it is
	emit := func(keys []string) error {
		for _, k := range keys {
			if k == "" {
				continue
			}
			if err := fn(k); err != nil {
				stop = err
				return err
			}
		}
		return nil
	}
	err := s.blobKeys(ctx, emit)
	if stop != nil {
		return stop
	}
	if err != nil {
		return fmt.Errorf("blob keys: %w", err)
	}
	return nil
}

func (s *Store) blobKeys(ctx context.Context, emit func([]string) error) error {
	// Uploads (remote attachments have no keys until the cache has them).
	var afterMedia int64
	err := s.keyPages(ctx, `SELECT id, file_key, preview_key FROM media_attachments
		WHERE id > ?1 ORDER BY id LIMIT ?2`, func() any { return afterMedia }, func(sc scanner) ([]string, error) {
		var file, preview string
		err := sc.Scan(&afterMedia, &file, &preview)
		return []string{file, preview}, err
	}, emit)
	if err != nil {
		return err
	}

	// The media of edit history: JSON arrays of store.Media (no JSON tags,
	// so the fields go by their Go names).
	var afterEdit int64
	err = s.keyPages(ctx, `SELECT id, media FROM status_edits
		WHERE id > ?1 AND media != '' ORDER BY id LIMIT ?2`, func() any { return afterEdit }, func(sc scanner) ([]string, error) {
		var data string
		if err := sc.Scan(&afterEdit, &data); err != nil {
			return nil, err
		}
		var list []struct{ FileKey, PreviewKey string }
		if err := json.Unmarshal([]byte(data), &list); err != nil {
			return nil, fmt.Errorf("media of status edit %d: %w", afterEdit, err)
		}
		keys := make([]string, 0, 2*len(list))
		for _, m := range list {
			keys = append(keys, m.FileKey, m.PreviewKey)
		}
		return keys, nil
	}, emit)
	if err != nil {
		return err
	}

	// The remote media cache (an entry without a file has no key).
	var afterURL string
	err = s.keyPages(ctx, `SELECT url, key FROM media_cache
		WHERE url > ?1 ORDER BY url LIMIT ?2`, func() any { return afterURL }, func(sc scanner) ([]string, error) {
		var key string
		err := sc.Scan(&afterURL, &key)
		return []string{key}, err
	}, emit)
	if err != nil {
		return err
	}

	// Local accounts' avatars and headers (a remote account's are
	// addresses): few enough for one read.
	var keys []string
	err = s.read(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT avatar_url, header_url FROM accounts WHERE domain = ''`)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var avatar, header string
			if err := rs.Scan(&avatar, &header); err != nil {
				return err
			}
			keys = append(keys, avatar, header)
		}
		return rs.Err()
	})
	if err != nil {
		return err
	}
	return emit(keys)
}

// keyPages runs q (?1: the position after, ?2: the page size) page by
// page; row scans one row, moving the position, and returns its keys.
func (s *Store) keyPages(ctx context.Context, q string, after func() any, row func(scanner) ([]string, error), emit func([]string) error) error {
	for {
		var keys []string
		n := 0
		err := s.read(ctx, func(c *conn) error {
			rs, err := c.query(q, after(), blobKeysPage)
			if err != nil {
				return err
			}
			defer rs.Close()
			for rs.Next() {
				k, err := row(rs)
				if err != nil {
					return err
				}
				keys = append(keys, k...)
				n++
			}
			return rs.Err()
		})
		if err != nil {
			return err
		}
		if err := emit(keys); err != nil {
			return err
		}
		if n < blobKeysPage {
			return nil
		}
	}
}

// attachMedia makes the uploads ids the attachments of status, in order,
// detaching any other local upload it had. Each upload must be author's,
// processed, and free or already this status's.
func attachMedia(c *conn, status, author int64, ids []string) error {
	if len(ids) > maxAttachments {
		return fmt.Errorf("%w: at most %d attachments", store.ErrInvalidMedia, maxAttachments)
	}
	keep := make([]int64, 0, len(ids))
	for _, id := range ids {
		n, ok := parseID(id)
		if !ok {
			return fmt.Errorf("%w: %q is no media", store.ErrInvalidMedia, id)
		}
		if !slices.Contains(keep, n) {
			keep = append(keep, n)
		}
	}
	// Uploads the edit removes stay with the status, out of sight
	// (position -1), for the versions of its history that showed them;
	// they go when the status goes.
	if _, err := c.exec(`UPDATE media_attachments SET position = -1
		WHERE status_id = ?1 AND remote_url = '' AND id NOT IN (SELECT value FROM json_each(?2))`,
		status, intList(keep)); err != nil {
		return err
	}
	for i, n := range keep {
		var owner int64
		var attached sql.NullInt64
		var processing bool
		var failed string
		err := c.queryRow(`SELECT account_id, status_id, processing, error FROM media_attachments WHERE id = ?1`, n).
			Scan(&owner, &attached, &processing, &failed)
		switch {
		case errors.Is(err, sql.ErrNoRows) || (err == nil && owner != author):
			return fmt.Errorf("%w: media %d not found", store.ErrInvalidMedia, n)
		case err != nil:
			return err
		case attached.Valid && attached.Int64 != status:
			return fmt.Errorf("%w: media %d is attached to another status", store.ErrInvalidMedia, n)
		case processing:
			return fmt.Errorf("%w: media %d has not finished processing", store.ErrInvalidMedia, n)
		case failed != "":
			return fmt.Errorf("%w: media %d could not be processed", store.ErrInvalidMedia, n)
		}
		if _, err := c.exec(`UPDATE media_attachments SET status_id = ?2, position = ?3 WHERE id = ?1`, n, status, i); err != nil {
			return err
		}
	}
	_, err := c.exec(`UPDATE statuses SET media_count = ?2 WHERE id = ?1`, status, len(keep))
	return err
}

// replaceRemoteMedia makes list the attachments of a remote status.
func replaceRemoteMedia(c *conn, status, author int64, list []*store.Media) error {
	if _, err := c.exec(`DELETE FROM media_attachments WHERE status_id = ?1`, status); err != nil {
		return err
	}
	for i, m := range list {
		m.AccountID = formatID(author)
		m.ID = ""
		if err := insertMedia(c, m, status, i); err != nil {
			return err
		}
	}
	_, err := c.exec(`UPDATE statuses SET media_count = ?2 WHERE id = ?1`, status, len(list))
	return err
}

// mediaSnapshot is the attachments of a status as the edit history keeps
// them: a JSON array, "" when there are none.
func mediaSnapshot(c *conn, status int64) (string, error) {
	list, err := queryMedia(c, `SELECT `+mediaColumns+` FROM media_attachments
		WHERE status_id = ?1 AND position >= 0 ORDER BY position`, status)
	if err != nil || len(list) == 0 {
		return "", err
	}
	b, err := json.Marshal(list)
	return string(b), err
}

// hydrateMedia returns the attachments of the statuses that have some.
func hydrateMedia(c *conn, all map[int64]statusRow) (map[int64][]*store.Media, error) {
	var ids []int64
	for id, r := range all {
		if r.mediaCount > 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rs, err := c.query(`SELECT `+mediaColumns+` FROM media_attachments
		WHERE status_id IN (SELECT value FROM json_each(?1)) AND position >= 0 ORDER BY status_id, position`, intList(ids))
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := make(map[int64][]*store.Media, len(ids))
	for rs.Next() {
		m, status, err := scanMedia(rs)
		if err != nil {
			return nil, err
		}
		out[status] = append(out[status], m)
	}
	return out, rs.Err()
}

// CachedFile returns the cache entry of a remote URL.
func (s *Store) CachedFile(ctx context.Context, url string) (*store.CachedFile, error) {
	f := &store.CachedFile{URL: url}
	err := s.readOne(ctx, func(c *conn) error {
		var fetched int64
		err := c.queryRow(`SELECT key, content_type, size, fetched_at FROM media_cache WHERE url = ?1`, url).
			Scan(&f.Key, &f.ContentType, &f.Size, &fetched)
		f.FetchedAt = fromMS(fetched)
		return notFound(err)
	})
	if err != nil {
		return nil, fmt.Errorf("cached file: %w", err)
	}
	return f, nil
}

// PutCachedFile records or replaces a cache entry.
func (s *Store) PutCachedFile(ctx context.Context, f *store.CachedFile) error {
	f.FetchedAt = truncMS(f.FetchedAt, now())
	err := s.write(ctx, func(c *conn) error {
		_, err := c.exec(`INSERT INTO media_cache (url, key, content_type, size, fetched_at)
			VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (url) DO UPDATE SET key = ?2, content_type = ?3,
			size = ?4, fetched_at = ?5`, f.URL, f.Key, f.ContentType, f.Size, ms(f.FetchedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("put cached file: %w", err)
	}
	return nil
}

// DeleteCachedFile forgets a cache entry.
func (s *Store) DeleteCachedFile(ctx context.Context, url string) error {
	err := s.write(ctx, func(c *conn) error {
		_, err := c.exec(`DELETE FROM media_cache WHERE url = ?1`, url)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete cached file: %w", err)
	}
	return nil
}

// CachedFiles lists entries fetched before before, oldest first.
func (s *Store) CachedFiles(ctx context.Context, before time.Time, limit int) ([]*store.CachedFile, error) {
	var out []*store.CachedFile
	err := s.read(ctx, func(c *conn) error {
		rs, err := c.query(`SELECT url, key, content_type, size, fetched_at FROM media_cache
			WHERE fetched_at < ?1 ORDER BY fetched_at LIMIT ?2`, ms(before), limit)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			f := &store.CachedFile{}
			var fetched int64
			if err := rs.Scan(&f.URL, &f.Key, &f.ContentType, &f.Size, &fetched); err != nil {
				return err
			}
			f.FetchedAt = fromMS(fetched)
			out = append(out, f)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("cached files: %w", err)
	}
	return out, nil
}

// CachedSize is the total size of the remote media cache.
func (s *Store) CachedSize(ctx context.Context) (int64, error) {
	var n int64
	err := s.readOne(ctx, func(c *conn) error {
		return c.queryRow(`SELECT coalesce(sum(size), 0) FROM media_cache`).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("cached size: %w", err)
	}
	return n, nil
}

// cardJSON is how a PreviewCard is kept in preview_cards.data.
type cardJSON struct {
	Title        string     `json:"title,omitempty"`
	Description  string     `json:"description,omitempty"`
	Type         string     `json:"type,omitempty"`
	AuthorName   string     `json:"author_name,omitempty"`
	AuthorURL    string     `json:"author_url,omitempty"`
	ProviderName string     `json:"provider_name,omitempty"`
	ProviderURL  string     `json:"provider_url,omitempty"`
	ImageURL     string     `json:"image_url,omitempty"`
	Width        int        `json:"width,omitempty"`
	Height       int        `json:"height,omitempty"`
	Blurhash     string     `json:"blurhash,omitempty"`
	Language     string     `json:"language,omitempty"`
	PublishedAt  *time.Time `json:"published_at,omitempty"`
}

func decodeCard(url, data string, fetched int64) (*store.PreviewCard, error) {
	var j cardJSON
	if err := json.Unmarshal([]byte(data), &j); err != nil {
		return nil, fmt.Errorf("decode card of %s: %w", url, err)
	}
	return &store.PreviewCard{URL: url, Title: j.Title, Description: j.Description, Type: j.Type,
		AuthorName: j.AuthorName, AuthorURL: j.AuthorURL, ProviderName: j.ProviderName,
		ProviderURL: j.ProviderURL, ImageURL: j.ImageURL, Width: j.Width, Height: j.Height,
		Blurhash: j.Blurhash, Language: j.Language, PublishedAt: j.PublishedAt, FetchedAt: fromMS(fetched)}, nil
}

// PreviewCard returns the stored card of url.
func (s *Store) PreviewCard(ctx context.Context, url string) (*store.PreviewCard, error) {
	var card *store.PreviewCard
	err := s.readOne(ctx, func(c *conn) error {
		var data string
		var fetched int64
		if err := c.queryRow(`SELECT data, fetched_at FROM preview_cards WHERE url = ?1`, url).Scan(&data, &fetched); err != nil {
			return notFound(err)
		}
		var err error
		card, err = decodeCard(url, data, fetched)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("preview card: %w", err)
	}
	return card, nil
}

// SetStatusCard stores card and links it to a status.
func (s *Store) SetStatusCard(ctx context.Context, statusID string, card *store.PreviewCard) error {
	n, ok := parseID(statusID)
	if !ok {
		return fmt.Errorf("set status card: %w", store.ErrNotFound)
	}
	data, err := json.Marshal(cardJSON{Title: card.Title, Description: card.Description, Type: card.Type,
		AuthorName: card.AuthorName, AuthorURL: card.AuthorURL, ProviderName: card.ProviderName,
		ProviderURL: card.ProviderURL, ImageURL: card.ImageURL, Width: card.Width, Height: card.Height,
		Blurhash: card.Blurhash, Language: card.Language, PublishedAt: card.PublishedAt})
	if err != nil {
		return fmt.Errorf("set status card: %w", err)
	}
	card.FetchedAt = truncMS(card.FetchedAt, now())
	err = s.write(ctx, func(c *conn) error {
		if _, err := c.exec(`INSERT INTO preview_cards (url, data, fetched_at) VALUES (?1, ?2, ?3)
			ON CONFLICT (url) DO UPDATE SET data = ?2, fetched_at = ?3`, card.URL, string(data), ms(card.FetchedAt)); err != nil {
			return err
		}
		k, err := c.execN(`UPDATE statuses SET card_url = ?2 WHERE id = ?1`, n, card.URL)
		if err == nil && k == 0 {
			err = store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("set status card: %w", err)
	}
	return nil
}

// hydrateCards returns the cards of the statuses that have one, by status.
func hydrateCards(c *conn, all map[int64]statusRow) (map[int64]*store.PreviewCard, error) {
	var urls []string
	for _, r := range all {
		if r.cardURL != "" {
			urls = append(urls, r.cardURL)
		}
	}
	if len(urls) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(urls)
	if err != nil {
		return nil, err
	}
	rs, err := c.query(`SELECT url, data, fetched_at FROM preview_cards
		WHERE url IN (SELECT value FROM json_each(?1))`, string(list))
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	byURL := map[string]*store.PreviewCard{}
	for rs.Next() {
		var url, data string
		var fetched int64
		if err := rs.Scan(&url, &data, &fetched); err != nil {
			return nil, err
		}
		card, err := decodeCard(url, data, fetched)
		if err != nil {
			return nil, err
		}
		byURL[url] = card
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	out := make(map[int64]*store.PreviewCard, len(byURL))
	for id, r := range all {
		if card := byURL[r.cardURL]; card != nil {
			out[id] = card
		}
	}
	return out, nil
}

// encodeEmojis renders emoji as stored: "" for none, else a JSON array.
func encodeEmojis(list []store.Emoji) string {
	if len(list) == 0 {
		return ""
	}
	b, err := json.Marshal(list)
	if err != nil {
		return ""
	}
	return string(b)
}

func decodeEmojis(s string) ([]store.Emoji, error) {
	if s == "" {
		return nil, nil
	}
	var list []store.Emoji
	err := json.Unmarshal([]byte(s), &list)
	return list, err
}
