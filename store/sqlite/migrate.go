package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/roost-social/roost/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered file of migrations/, "0001_init.sql".
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var ms []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("read migration %s: name does not start with a version", base)
		}
		text, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", base, err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(text)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("read migrations: version %d twice", ms[i].version)
		}
	}
	return ms, nil
}

// Migrate applies the embedded migrations the database lacks, each in its
// own transaction, and records them in schema_migrations. It is idempotent
// and safe against another process migrating at the same time (the writer's
// transactions are immediate). A database that records a version newer than
// this binary knows is refused with an error wrapping store.ErrSchemaTooNew.
func (s *Store) Migrate(ctx context.Context) error {
	migs, err := migrations()
	if err != nil {
		return err
	}
	latest := 0
	if len(migs) > 0 {
		latest = migs[len(migs)-1].version
	}
	err = s.write(ctx, func(c *conn) error {
		_, err := c.sc.ExecContext(c.ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			applied_at INTEGER NOT NULL
		)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	// One pass checks the version even when there is nothing to apply.
	for i := 0; i <= len(migs); i++ {
		var applied *migration
		err := s.write(ctx, func(c *conn) error {
			v, err := schemaVersion(c)
			if err != nil {
				return err
			}
			if v > latest {
				return fmt.Errorf("%w: database has version %d, this binary knows up to %d", store.ErrSchemaTooNew, v, latest)
			}
			if i == len(migs) || v >= migs[i].version {
				return nil
			}
			m := &migs[i]
			if _, err := c.sc.ExecContext(c.ctx, m.sql); err != nil {
				return fmt.Errorf("apply %s: %w", m.name, err)
			}
			if _, err := c.exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)`, m.version, ms(now())); err != nil {
				return fmt.Errorf("record %s: %w", m.name, err)
			}
			applied = m
			return nil
		})
		if err != nil {
			return fmt.Errorf("migrate database: %w", err)
		}
		if applied != nil {
			s.logger.Info("applied migration", "version", applied.version, "name", applied.name)
		}
	}
	return nil
}

// SchemaVersion returns the highest migration applied to the database, 0
// for an empty one.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.readOne(ctx, func(c *conn) error {
		var err error
		v, err = schemaVersion(c)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

func schemaVersion(c *conn) (int, error) {
	var v sql.NullInt64
	err := c.sc.QueryRowContext(c.ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return 0, nil
		}
		return 0, err
	}
	return int(v.Int64), nil
}
