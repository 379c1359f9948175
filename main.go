// Command roost is a Mastodon-compatible fediverse server in one binary.
//
// Main wires the pieces (store, server, listeners) and the CLI subcommands
// drive it; see DESIGN.md §3 for the command-line contract.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/roost-social/roost/federation/fetch"
	"github.com/roost-social/roost/server"
	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/bleve"
	"github.com/roost-social/roost/store/disk"
	"github.com/roost-social/roost/store/inproc"
	"github.com/roost-social/roost/store/redis"
	"github.com/roost-social/roost/store/s3"
	"github.com/roost-social/roost/store/sqlite"
)

// Version is Roost's own version; release builds set it with -ldflags.
var Version = "0.1.0"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "roost:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a mistake on the command line.
type usageError string

func (e usageError) Error() string { return string(e) }

const usage = `usage: roost COMMAND [flags]

commands:
  serve                                   run the server
  accounts create NAME --email E [--password P] [--role owner|admin|user]
  accounts list | delete NAME | set-password NAME [--password P]
  token create NAME [--scopes "read write follow push"]
  domains block DOMAIN [--severity silence|suspend] | unblock DOMAIN | purge DOMAIN | list
  db migrate                              apply database migrations
  search deploy                           rebuild the full-text index (a running server switches to it)
  media remove [--days N] [--orphans]     prune cached remote media older than N days (default 7);
                                          --orphans then also removes files nothing refers to
  version                                 print the version

Every command takes the configuration flags; "roost serve -h" lists them.`

// run is the whole program, with its surroundings passed in so tests can
// drive it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return usageError(usage)
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "roost %s (compatible with Mastodon %s)\n", Version, server.MastodonVersion)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	case "serve":
		return cmdServe(ctx, args, stdout, stderr, getenv)
	case "accounts":
		return cmdAccounts(ctx, args, stdout, stderr, getenv)
	case "token":
		return cmdToken(ctx, args, stdout, stderr, getenv)
	case "db":
		if len(args) == 0 || args[0] != "migrate" {
			return usageError("usage: roost db migrate")
		}
		m, _, err := openMain(ctx, "db migrate", args[1:], stderr, getenv, nil)
		if err != nil {
			return err
		}
		defer m.Close()
		fmt.Fprintln(stdout, "database is up to date")
		return nil
	case "domains":
		return cmdDomains(ctx, args, stdout, stderr, getenv)
	case "search":
		return cmdSearch(ctx, args, stdout, stderr, getenv)
	case "media":
		return cmdMedia(ctx, args, stdout, stderr, getenv)
	case "export", "import":
		return fmt.Errorf("%s: not available in this version of Roost yet", cmd)
	}
	return usageError(fmt.Sprintf("unknown command %q\n\n%s", cmd, usage))
}

// parseFlags parses fs over args allowing flags after positional arguments
// ("accounts create alice --email a@b"), and returns the positionals.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// openMain parses the configuration flags (plus any extra flags the command
// registers through extra) and opens the data directory and store.
func openMain(ctx context.Context, name string, args []string, stderr io.Writer, getenv func(string) string, extra func(*flag.FlagSet)) (*Main, []string, error) {
	m := &Main{}
	fs := flag.NewFlagSet("roost "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	flags := m.Config.registerFlags(fs)
	if extra != nil {
		extra(fs)
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, nil, usageError(err.Error())
	}
	if err := m.Config.Load(flags, getenv); err != nil {
		return nil, nil, err
	}
	m.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	m.Search = name == "serve"
	m.Streaming = name == "serve"
	if err := m.Open(ctx, getenv); err != nil {
		return nil, nil, err
	}
	return m, pos, nil
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	m, pos, err := openMain(ctx, "serve", args, stderr, getenv, nil)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		m.Close()
		return usageError("usage: roost serve [flags]")
	}
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	m.Logger.Info("roost is serving", "url", m.URL(), "instance", m.Config.BaseURL(), "version", Version)
	<-ctx.Done()
	m.Logger.Info("shutting down")
	return m.Close()
}

// Main is one running Roost: its configuration and the pieces it wired.
type Main struct {
	Config Config
	Logger *slog.Logger

	Store  store.Store
	Server *server.Server
	// Search, set before Open, opens the full-text index
	// (DataDir/search.bleve) for the server. Only serve does: one process
	// at a time may hold the index, and other commands leave it to the
	// running server.
	Search bool
	// Index is the full-text index the server uses; it swaps in the index
	// a "roost search deploy" built while the server runs (search.go).
	Index *liveIndex
	// PubSub carries streaming events between the handlers that make them
	// and the streaming connections.
	PubSub store.PubSub
	// Streaming, set before Open, makes PubSub cross processes through
	// Redis when REDIS_URL or REDIS_HOST is set. Only serve does: other
	// commands keep working while Redis is down.
	Streaming bool
	// Listener, when set before Run, is served instead of BIND:PORT (tests
	// open it first to learn the port their LOCAL_DOMAIN must carry).
	Listener net.Listener
	// Blobs keeps media: DataDir/media, or the S3 bucket.
	Blobs store.Blobs

	listener net.Listener
	http     *http.Server
	done     chan error

	stopWorkers context.CancelFunc
	workersDone chan struct{}

	stopSwapWatch context.CancelFunc
	swapWatchDone chan struct{}
}

// Open prepares the data directory and the store (and migrates it). CLI
// commands stop here; Run goes on to serve. When it fails, what it opened
// is closed again.
func (m *Main) Open(ctx context.Context, getenv func(string) string) (err error) {
	if m.Logger == nil {
		m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if m.Config.DatabaseURL != "" || m.Config.DBHost != "" {
		return errors.New("PostgreSQL is not supported by this version of Roost yet; unset DATABASE_URL/DB_HOST to use the embedded SQLite")
	}
	if err := os.MkdirAll(m.Config.DataDir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	st, err := sqlite.Open(ctx, filepath.Join(m.Config.DataDir, "roost.db"), m.Logger)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	m.Store = st
	secret, err := loadSecret(m.Config.DataDir, getenv("SECRET_KEY_BASE"))
	if err != nil {
		return err
	}
	if m.Search {
		idx, err := bleve.Open(filepath.Join(m.Config.DataDir, searchDir))
		if errors.Is(err, bleve.ErrLocked) {
			err = fmt.Errorf("%w (is another roost serve or roost search deploy running on %s?)", err, m.Config.DataDir)
		}
		if err != nil {
			return err
		}
		m.Index = &liveIndex{path: filepath.Join(m.Config.DataDir, searchDir), idx: idx}
	}
	if m.Blobs, err = m.openBlobs(ctx); err != nil {
		return err
	}
	if u := m.Config.redisURL(); u != "" && m.Streaming {
		ps, err := redis.NewPubSub(ctx, u)
		if err != nil {
			return fmt.Errorf("open Redis pub/sub (REDIS_URL or REDIS_HOST): %w", err)
		}
		m.PubSub = ps
	} else {
		m.PubSub = inproc.NewPubSub()
	}
	m.Server, err = server.New(server.Config{
		LocalDomain:     m.Config.LocalDomain,
		WebDomain:       m.Config.WebDomain,
		HTTPS:           m.Config.LocalHTTPS,
		MaxTootChars:    m.Config.MaxTootChars,
		SingleUserMode:  m.Config.SingleUserMode,
		Trends:          m.Config.trends(),
		Version:         Version,
		Secret:          secret,
		AuthorizedFetch: m.Config.AuthorizedFetch,
		PubSub:          m.PubSub,
		Index:           m.searchIndex(),
		Blobs:           m.Blobs,
		MediaCacheSize:  int64(m.Config.MediaCacheMB) << 20,
		Fetch: &fetch.Config{
			UserAgent:      "Roost/" + Version + " (+" + m.Config.BaseURL() + "/)",
			AllowedPrivate: m.Config.privatePrefixes(),
			AllowHTTP:      !m.Config.LocalHTTPS,
		},
	}, st, m.Logger)
	return err
}

// openBlobs opens the media store: the S3 bucket when S3_ENABLED, else
// DataDir/media served under /system.
func (m *Main) openBlobs(ctx context.Context) (store.Blobs, error) {
	c := m.Config
	if c.S3Enabled {
		b, err := s3.New(ctx, s3.Config{Endpoint: c.S3Endpoint, Bucket: c.S3Bucket, Region: c.S3Region,
			AccessKey: c.S3AccessKey, SecretKey: c.S3SecretKey, AliasHost: c.S3AliasHost})
		if err != nil {
			return nil, fmt.Errorf("open S3 media storage: %w", err)
		}
		return b, nil
	}
	b, err := disk.New(filepath.Join(c.DataDir, "media"), c.BaseURL()+"/system")
	if err != nil {
		return nil, fmt.Errorf("open media directory: %w", err)
	}
	return b, nil
}

// closeBlobs releases a media store that holds something open.
func closeBlobs(b store.Blobs) {
	if c, ok := b.(io.Closer); ok {
		c.Close()
	}
}

// loadSecret returns SECRET_KEY_BASE, or the secret kept in the data
// directory, making one on first start.
func loadSecret(dir, env string) ([]byte, error) {
	if env != "" {
		if len(env) < 32 {
			return nil, errors.New("SECRET_KEY_BASE must be at least 32 characters")
		}
		return []byte(env), nil
	}
	path := filepath.Join(dir, "secret_key")
	b, err := os.ReadFile(path)
	if err == nil && len(b) >= 32 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write secret: %w", err)
	}
	return []byte(secret), nil
}

// Run starts serving HTTP and returns once the listener is open.
func (m *Main) Run(ctx context.Context) error {
	ln := m.Listener
	if ln == nil {
		var err error
		addr := net.JoinHostPort(m.Config.Bind, strconv.Itoa(m.Config.Port))
		if ln, err = net.Listen("tcp", addr); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
	}
	m.listener = ln
	m.http = &http.Server{
		Handler:           m.Server,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// Closing PubSub ends every streaming connection, which Shutdown
	// would otherwise wait for (server-sent events) or not know of
	// (websockets).
	if ps := m.PubSub; ps != nil {
		m.http.RegisterOnShutdown(func() { ps.Close() })
	}
	m.done = make(chan error, 1)
	go func() { m.done <- m.http.Serve(ln) }()

	m.Server.Start() // media processing and sweeping

	// Delivery workers: they resume whatever an earlier run left queued.
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.stopWorkers = cancel
	m.workersDone = make(chan struct{})
	d := m.Server.Federation().NewDeliverer(8)
	go func() {
		defer close(m.workersDone)
		// Polls: tally Updates and ends (federation/polls.go).
		polls := make(chan struct{})
		go func() {
			defer close(polls)
			m.Server.Federation().RunPolls(dctx)
		}()
		d.Run(dctx)
		<-polls
	}()
	if m.Index != nil {
		m.startSwapWatch(ctx)
	}
	return nil
}

// URL is where this process listens (useful with PORT=0).
func (m *Main) URL() string {
	if m.listener == nil {
		return ""
	}
	return "http://" + m.listener.Addr().String()
}

// Close stops serving, letting requests in flight finish, then closes the
// store. It is safe to call on a Main that never ran.
func (m *Main) Close() error {
	var errs []error
	if m.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down http: %w", err))
		}
		if err := <-m.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		m.http = nil
	}
	if m.stopWorkers != nil {
		// Deliveries in flight finish; the rest stay queued for next time.
		m.stopWorkers()
		<-m.workersDone
		m.stopWorkers = nil
	}
	if m.Server != nil {
		m.Server.Close()              // websocket streams end before the store closes
		m.Server.Federation().Close() // and so do background fetches
	}
	if m.PubSub != nil {
		// Run closes it on shutdown; commands that only Open close it here.
		m.PubSub.Close()
		m.PubSub = nil
	}
	if m.stopSwapWatch != nil {
		m.stopSwapWatch() // a swap in progress finishes first
		<-m.swapWatchDone
		m.stopSwapWatch = nil
	}
	if m.Index != nil {
		if err := m.Index.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close search index: %w", err))
		}
		m.Index = nil
	}
	if m.Store != nil {
		if err := m.Store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
		m.Store = nil
	}
	if m.Blobs != nil {
		closeBlobs(m.Blobs)
		m.Blobs = nil
	}
	return errors.Join(errs...)
}

func cmdAccounts(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return usageError("usage: roost accounts create|list|delete|set-password ...")
	}
	sub, args := args[0], args[1:]
	var email, password, role string
	extra := func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "e-mail address (create)")
		fs.StringVar(&password, "password", "", "password; generated and printed when omitted")
		fs.StringVar(&role, "role", store.RoleUser, "owner, admin or user (create)")
	}
	m, pos, err := openMain(ctx, "accounts "+sub, args, stderr, getenv, extra)
	if err != nil {
		return err
	}
	defer m.Close()
	switch sub {
	case "create":
		if len(pos) != 1 || email == "" {
			return usageError("usage: roost accounts create NAME --email E [--password P] [--role owner|admin|user]")
		}
		generated := password == ""
		if generated {
			password = server.GeneratePassword()
		}
		acct, err := m.Server.CreateAccount(ctx, pos[0], email, password, role)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created @%s@%s (id %s, role %s)\n", acct.Username, m.Config.LocalDomain, acct.ID, role)
		if generated {
			fmt.Fprintf(stdout, "password: %s\n", password)
		}
		return nil
	case "list":
		users, err := m.Store.ListUsers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tEMAIL\tROLE\tCREATED")
		for _, u := range users {
			name := ""
			if u.Account != nil {
				name = u.Account.Username
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, u.Email, u.Role, u.CreatedAt.Format("2006-01-02"))
		}
		return tw.Flush()
	case "delete":
		if len(pos) != 1 {
			return usageError("usage: roost accounts delete NAME")
		}
		u, err := m.Store.UserByUsername(ctx, pos[0])
		if err != nil {
			return fmt.Errorf("find %s: %w", pos[0], err)
		}
		files, err := m.Store.AccountFiles(ctx, u.AccountID)
		if err != nil {
			return err
		}
		if err := m.Store.DeleteAccount(ctx, u.AccountID); err != nil {
			return err
		}
		for _, k := range files {
			if err := m.Blobs.Delete(ctx, k); err != nil {
				fmt.Fprintf(stderr, "roost: delete file %s: %v\n", k, err)
			}
		}
		fmt.Fprintf(stdout, "deleted @%s and %d files\n", pos[0], len(files))
		return nil
	case "set-password":
		if len(pos) != 1 {
			return usageError("usage: roost accounts set-password NAME [--password P]")
		}
		generated := password == ""
		if generated {
			password = server.GeneratePassword()
		}
		if err := m.Server.SetPassword(ctx, pos[0], password); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password of @%s changed\n", pos[0])
		if generated {
			fmt.Fprintf(stdout, "password: %s\n", password)
		}
		return nil
	}
	return usageError(fmt.Sprintf("unknown accounts command %q", sub))
}

func cmdToken(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError(`usage: roost token create NAME [--scopes "read write follow push"]`)
	}
	var scopes string
	m, pos, err := openMain(ctx, "token create", args[1:], stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&scopes, "scopes", "read write follow push", "scopes of the token")
	})
	if err != nil {
		return err
	}
	defer m.Close()
	if len(pos) != 1 {
		return usageError(`usage: roost token create NAME [--scopes "read write follow push"]`)
	}
	tok, err := m.Server.CreateCLIToken(ctx, pos[0], scopes)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

func cmdDomains(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	const use = "usage: roost domains block DOMAIN [--severity silence|suspend] | unblock DOMAIN | purge DOMAIN | list"
	if len(args) == 0 {
		return usageError(use)
	}
	sub, args := args[0], args[1:]
	severity := store.SeveritySuspend
	m, pos, err := openMain(ctx, "domains "+sub, args, stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&severity, "severity", store.SeveritySuspend, "silence or suspend (block)")
	})
	if err != nil {
		return err
	}
	defer m.Close()
	if sub == "list" {
		blocks, err := m.Store.DomainBlocks(ctx)
		if err != nil {
			return err
		}
		for _, b := range blocks {
			fmt.Fprintf(stdout, "%s\t%s\n", b.Domain, b.Severity)
		}
		return nil
	}
	if len(pos) != 1 || strings.ContainsAny(pos[0], "/@ ") {
		return usageError(use)
	}
	domain := strings.ToLower(pos[0])
	purge := func() error {
		n, err := m.Store.PurgeDomain(ctx, domain)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "purged %d accounts of %s\n", n, domain)
		return nil
	}
	switch sub {
	case "block":
		if severity != store.SeveritySilence && severity != store.SeveritySuspend {
			return usageError("--severity must be silence or suspend")
		}
		if err := m.Store.BlockDomain(ctx, domain, severity); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "blocked %s (%s)\n", domain, severity)
		if severity == store.SeveritySuspend {
			return purge()
		}
		return nil
	case "unblock":
		if err := m.Store.UnblockDomain(ctx, domain); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "unblocked %s\n", domain)
		return nil
	case "purge":
		return purge()
	}
	return usageError(use)
}

// cmdMedia is "roost media remove [--days N] [--orphans]". With --orphans
// the orphan sweep runs after the age-based prune, not instead of it: both
// print what they freed.
func cmdMedia(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	const mediaUsage = "usage: roost media remove [--days N] [--orphans]"
	if len(args) == 0 || args[0] != "remove" {
		return usageError(mediaUsage)
	}
	var days int
	var orphans bool
	m, pos, err := openMain(ctx, "media remove", args[1:], stderr, getenv, func(fs *flag.FlagSet) {
		fs.IntVar(&days, "days", 7, "remove remote files cached more than this many days ago (0: all)")
		fs.BoolVar(&orphans, "orphans", false, "also remove files (older than an hour) that nothing in the database refers to")
	})
	if err != nil {
		return err
	}
	defer m.Close()
	if len(pos) > 0 || days < 0 {
		return usageError(mediaUsage)
	}
	files, size, err := server.PruneMediaCache(ctx, m.Store, m.Blobs, time.Now().Add(-time.Duration(days)*24*time.Hour))
	fmt.Fprintf(stdout, "removed %d cached remote files, freed %s\n", files, humanBytes(size))
	if err != nil || !orphans {
		return err
	}
	// An hour spares files being written with their rows still to come.
	files, size, err = server.RemoveOrphans(ctx, m.Store, m.Blobs, time.Hour)
	fmt.Fprintf(stdout, "removed %d files nothing refers to, freed %s\n", files, humanBytes(size))
	return err
}

// humanBytes formats a size as "12.3 MB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for v := n / unit; v >= unit; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMGTPE"[exp])
}
