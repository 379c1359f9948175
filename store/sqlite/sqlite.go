// Package sqlite implements store.Store on one SQLite file with
// modernc.org/sqlite (pure Go, no cgo).
//
// There is exactly one writing connection: every write method is one
// BEGIN IMMEDIATE transaction on it, taken in turn, so writers never meet
// SQLITE_BUSY. Reads go to a small pool of read-only connections, which WAL
// mode lets run beside the writer. Every connection keeps its own prepared
// statements, keyed by SQL text; the SQL is built only from fixed fragments
// and lists are passed as one JSON parameter (json_each), so the set of
// statements stays small and each is compiled once per connection.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/roost-social/roost/store"
)

var _ store.Store = (*Store)(nil)

// readers is the number of read-only connections.
const readers = 4

// Store is the SQLite implementation of store.Store. It is safe for
// concurrent use.
type Store struct {
	logger *slog.Logger
	path   string

	wdb *sql.DB // one connection: the only writer
	rdb *sql.DB // read-only pool

	writer  chan *conn // holds the writer connection while it is free
	readers chan *conn // holds the free reader connections

	accounts *accountCache

	// Writes by other processes (a roost command run beside roost serve)
	// are noticed through the writer's data_version, which changes only
	// when another connection commits; the account cache is then dropped.
	dataVersion int64
	stopWatch   chan struct{}
	watchDone   chan struct{}
}

// externalWriteCheck is how often the writer looks for other processes'
// commits; the account cache can lag them by this much.
const externalWriteCheck = time.Second

func (s *Store) watchExternalWrites() {
	defer close(s.watchDone)
	t := time.NewTicker(externalWriteCheck)
	defer t.Stop()
	for {
		select {
		case <-s.stopWatch:
			return
		case <-t.C:
		}
		select {
		case c := <-s.writer:
			var v int64
			err := c.queryRow(`PRAGMA data_version`).Scan(&v)
			s.writer <- c
			if err == nil && v != s.dataVersion {
				s.dataVersion = v
				s.accounts.clearAll()
			}
		default: // busy writing: look again next time
		}
	}
}

// Open opens (creating it if needed) the database file at path, applies the
// pending migrations and returns the store. A database migrated by a newer
// Roost is refused with an error wrapping store.ErrSchemaTooNew.
func Open(ctx context.Context, path string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{logger: logger, path: path, accounts: newAccountCache()}
	if err := s.open(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) open(ctx context.Context) error {
	name := "file:" + escapePath(s.path)
	// journal_mode and synchronous are applied by the writer, which opens
	// first; WAL mode is a property of the file, so readers inherit it.
	// temp_store(MEMORY) keeps statement journals and sorts off the disk.
	wdsn := name + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_txlock=immediate"
	rdsn := name + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)&_pragma=query_only(1)"

	var err error
	if s.wdb, err = sql.Open("sqlite", wdsn); err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetMaxIdleConns(1)
	s.wdb.SetConnMaxLifetime(0)
	s.wdb.SetConnMaxIdleTime(0)
	wc, err := s.wdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	w := newConn(wc)
	if err := watchAccounts(w); err != nil {
		w.close()
		return fmt.Errorf("open database: %w", err)
	}
	s.writer = make(chan *conn, 1)
	s.writer <- w

	if err := s.Migrate(ctx); err != nil {
		return err
	}

	if s.rdb, err = sql.Open("sqlite", rdsn); err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	s.rdb.SetMaxOpenConns(readers)
	s.rdb.SetMaxIdleConns(readers)
	s.rdb.SetConnMaxLifetime(0)
	s.rdb.SetConnMaxIdleTime(0)
	pool := make(chan *conn, readers)
	for range readers {
		rc, err := s.rdb.Conn(ctx)
		if err != nil {
			for range len(pool) {
				(<-pool).close()
			}
			return fmt.Errorf("open database: %w", err)
		}
		r := newConn(rc)
		r.cache = s.accounts
		pool <- r
	}
	s.readers = pool
	w = <-s.writer
	err = w.queryRow(`PRAGMA data_version`).Scan(&s.dataVersion)
	s.writer <- w
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	s.stopWatch, s.watchDone = make(chan struct{}), make(chan struct{})
	go s.watchExternalWrites()
	return nil
}

// escapePath makes a file name safe inside a "file:" URI.
func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// Close waits for the running operations to end and closes the database.
func (s *Store) Close() error {
	var errs []error
	if s.stopWatch != nil {
		close(s.stopWatch)
		<-s.watchDone
		s.stopWatch = nil
	}
	if s.readers != nil {
		for range cap(s.readers) {
			if c := <-s.readers; c != nil {
				errs = append(errs, c.close())
			}
		}
		s.readers = nil
	}
	if s.writer != nil {
		c := <-s.writer
		// No PRAGMA optimize here: statistics from ANALYZE (sqlite_stat4)
		// make SQLite recompile a prepared statement whenever a bound
		// value changes. The queries are written, and tested
		// (TestQueryPlans), to find their indexes without statistics.
		errs = append(errs, unwatchAccounts(c))
		errs = append(errs, c.close())
		s.writer = nil
	}
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// conn is one database connection, owned by one goroutine at a time, with
// its prepared statements.
type conn struct {
	sc    *sql.Conn
	stmts map[string]*sql.Stmt
	// ctx is the context of the current use. It carries no cancellation:
	// statements are short, a transaction is better finished than torn,
	// and a cancellable context costs the driver and database/sql two
	// goroutines per query.
	ctx context.Context

	// Readers: the shared account cache, and its generation when the
	// current snapshot began.
	cache *accountCache
	gen   uint64
	// Writer: the accounts rows changed by the current transaction.
	touched []int64
}

func newConn(sc *sql.Conn) *conn {
	return &conn{sc: sc, stmts: make(map[string]*sql.Stmt)}
}

func (c *conn) close() error {
	for _, st := range c.stmts {
		st.Close()
	}
	return c.sc.Close()
}

func (c *conn) stmt(q string) (*sql.Stmt, error) {
	if st, ok := c.stmts[q]; ok {
		return st, nil
	}
	st, err := c.sc.PrepareContext(c.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", q, err)
	}
	c.stmts[q] = st
	return st, nil
}

func (c *conn) query(q string, args ...any) (*rows, error) {
	st, err := c.stmt(q)
	if err != nil {
		return nil, err
	}
	rs, err := st.QueryContext(c.ctx, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	return &rows{Rows: rs}, nil
}

func (c *conn) queryRow(q string, args ...any) row {
	rs, err := c.query(q, args...)
	return row{rs: rs, err: err}
}

func (c *conn) exec(q string, args ...any) (sql.Result, error) {
	st, err := c.stmt(q)
	if err != nil {
		return nil, err
	}
	res, err := st.ExecContext(c.ctx, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	return res, nil
}

// execN runs q and returns the number of rows it changed.
func (c *conn) execN(q string, args ...any) (int64, error) {
	res, err := c.exec(q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// rows is *sql.Rows with a faster Scan: values are taken as the driver
// gives them (database/sql converts int64 to int through strconv and
// reflection) and assigned by assign.
type rows struct {
	*sql.Rows
	vals []any
	ptrs []any
}

// Scan copies the current row into dest, which may hold *int64, *int,
// *bool, *string, *sql.NullInt64 and *sql.NullString.
func (r *rows) Scan(dest ...any) error {
	if len(r.vals) != len(dest) {
		r.vals = make([]any, len(dest))
		r.ptrs = make([]any, len(dest))
		for i := range r.vals {
			r.ptrs[i] = &r.vals[i]
		}
	}
	if err := r.Rows.Scan(r.ptrs...); err != nil {
		return err
	}
	for i, d := range dest {
		if err := assign(d, r.vals[i]); err != nil {
			return fmt.Errorf("scan column %d: %w", i, err)
		}
	}
	return nil
}

func assign(dest, src any) error {
	switch d := dest.(type) {
	case *int64:
		switch v := src.(type) {
		case int64:
			*d = v
			return nil
		case nil:
			*d = 0
			return nil
		}
	case *int:
		switch v := src.(type) {
		case int64:
			*d = int(v)
			return nil
		case nil:
			*d = 0
			return nil
		}
	case *bool:
		switch v := src.(type) {
		case int64:
			*d = v != 0
			return nil
		case nil:
			*d = false
			return nil
		}
	case *string:
		switch v := src.(type) {
		case string:
			*d = v
			return nil
		case []byte:
			*d = string(v)
			return nil
		case int64:
			*d = strconv.FormatInt(v, 10)
			return nil
		case nil:
			*d = ""
			return nil
		}
	case *float64:
		switch v := src.(type) {
		case float64:
			*d = v
			return nil
		case int64:
			*d = float64(v)
			return nil
		case nil:
			*d = 0
			return nil
		}
	case *sql.NullInt64:
		switch v := src.(type) {
		case int64:
			*d = sql.NullInt64{Int64: v, Valid: true}
			return nil
		case nil:
			*d = sql.NullInt64{}
			return nil
		}
	case *sql.NullString:
		switch v := src.(type) {
		case string:
			*d = sql.NullString{String: v, Valid: true}
			return nil
		case nil:
			*d = sql.NullString{}
			return nil
		}
	}
	return fmt.Errorf("cannot store %T in %T", src, dest)
}

// row is the first row of a query, like *sql.Row.
type row struct {
	rs  *rows
	err error
}

// Scan copies the first row into dest; sql.ErrNoRows when there is none.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rs.Close()
	if !r.rs.Next() {
		if err := r.rs.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.rs.Scan(dest...); err != nil {
		return err
	}
	return r.rs.Close()
}

type scanner interface {
	Scan(dest ...any) error
}

// acquire takes a connection from pool, waiting while ctx allows.
func acquire(ctx context.Context, pool chan *conn) (*conn, error) {
	if pool == nil {
		return nil, errors.New("database is closed")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case c := <-pool:
		c.ctx = context.WithoutCancel(ctx)
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// read runs fn on a reader connection inside one read transaction, so all
// its queries see the same snapshot.
func (s *Store) read(ctx context.Context, fn func(c *conn) error) (err error) {
	c, err := acquire(ctx, s.readers)
	if err != nil {
		return err
	}
	defer func() { s.readers <- c }()
	c.gen = s.accounts.generation()
	if _, err := c.exec("BEGIN"); err != nil {
		return err
	}
	defer func() {
		if _, rerr := c.exec("ROLLBACK"); rerr != nil && err == nil {
			err = rerr
		}
	}()
	return fn(c)
}

// readOne runs fn, which makes a single query, on a reader connection
// without a transaction.
func (s *Store) readOne(ctx context.Context, fn func(c *conn) error) error {
	c, err := acquire(ctx, s.readers)
	if err != nil {
		return err
	}
	defer func() { s.readers <- c }()
	c.gen = s.accounts.generation()
	return fn(c)
}

// write runs fn on the writer inside one immediate transaction, committed
// when fn returns nil and rolled back otherwise.
func (s *Store) write(ctx context.Context, fn func(c *conn) error) (err error) {
	c, err := acquire(ctx, s.writer)
	if err != nil {
		return err
	}
	defer func() { s.writer <- c }()
	c.touched = c.touched[:0]
	if _, err := c.exec("BEGIN IMMEDIATE"); err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			if _, rerr := c.exec("ROLLBACK"); rerr != nil {
				s.logger.Error("roll back", "err", rerr)
			}
		}
	}()
	if err := fn(c); err != nil {
		return err
	}
	if err := insertOutgoing(c, store.OutgoingFrom(ctx)); err != nil {
		return err
	}
	if _, err := c.exec("COMMIT"); err != nil {
		return err
	}
	committed = true
	if len(c.touched) > 0 {
		s.accounts.drop(c.touched)
	}
	return nil
}

// mapErr turns SQLite's constraint failures into the store's sentinels: a
// broken uniqueness rule is store.ErrConflict, a reference to a row that
// does not exist is store.ErrNotFound.
func mapErr(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	return err
}

// notFound turns sql.ErrNoRows into store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// IDs are stored as integers; the store's string IDs are parsed at the edge.

// parseID returns the integer form of id; ok is false for a string that is
// no ID, which can name nothing in the database.
func parseID(id string) (n int64, ok bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// nullID is id as a query parameter: NULL for "", and an error for a
// string that is no ID.
func nullID(id string) (any, error) {
	if id == "" {
		return nil, nil
	}
	if n, ok := parseID(id); ok {
		return n, nil
	}
	return nil, fmt.Errorf("invalid id %q: %w", id, store.ErrNotFound)
}

func formatID(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func formatNullID(n sql.NullInt64) string {
	if !n.Valid {
		return ""
	}
	return formatID(n.Int64)
}

// idList renders ids as a JSON array for json_each, skipping strings that
// are no IDs.
func idList(ids []string) string {
	b := make([]byte, 0, 2+20*len(ids))
	b = append(b, '[')
	for _, id := range ids {
		n, ok := parseID(id)
		if !ok {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, n, 10)
	}
	return string(append(b, ']'))
}

// intList renders ids as a JSON array for json_each.
func intList(ids []int64) string {
	b := make([]byte, 0, 2+20*len(ids))
	b = append(b, '[')
	for i, n := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, n, 10)
	}
	return string(append(b, ']'))
}

// Times are stored as Unix milliseconds and come back in UTC.

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(n int64) time.Time { return time.UnixMilli(n).UTC() }

func fromNullMS(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMS(n.Int64)
	return &t
}

func nullMS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ms(*t)
}

// now is the current time at the precision the store keeps.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// truncMS returns t at the precision the store keeps, or def when t is zero.
func truncMS(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return fromMS(ms(t))
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
