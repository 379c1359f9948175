// Package server is Roost's HTTP side: the Mastodon client API, OAuth, the
// well-known documents and HTML pages, all in one route table (routes.go).
// Handlers talk to the store directly; entities are shaped by server/mastodon.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/julienschmidt/httprouter"
	"github.com/roost-social/roost/federation"
	"github.com/roost-social/roost/federation/fetch"
	"github.com/roost-social/roost/server/mastodon"
	"github.com/roost-social/roost/server/media"
	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/templates"
)

// Config is what the server needs to know about the instance.
type Config struct {
	LocalDomain    string // in handles: name@LocalDomain
	WebDomain      string // where the server is reached
	HTTPS          bool   // ids and links use https
	MaxTootChars   int
	SingleUserMode bool
	// Trends switches GET /api/v1/trends/tags on or off (TRENDS); nil
	// means on unless SingleUserMode.
	Trends       *bool
	Version      string // Roost's own version, e.g. "0.1.0"
	Title        string // instance title; LocalDomain when empty
	ContactEmail string
	// Secret signs session cookies and consent forms (SECRET_KEY_BASE);
	// processes sharing a database must share it.
	Secret []byte
	// Fetch configures outgoing requests to other servers; nil makes a
	// server that never contacts another (the read side still works).
	Fetch *fetch.Config
	// AuthorizedFetch makes ActivityPub GETs need a valid signature from a
	// server that is not suspended (AUTHORIZED_FETCH).
	AuthorizedFetch bool
	// Index is the full-text search over statuses; nil leaves statuses
	// findable by URL only.
	Index store.Index
	// PubSub carries streaming events (store/inproc in one process); nil
	// leaves streaming without events: its connections are refused.
	PubSub store.PubSub
	// Blobs keeps media files (store/disk or store/s3); nil refuses
	// uploads.
	Blobs store.Blobs
	// MediaCacheSize is the budget in bytes of the remote media cache; 0
	// means no budget (only `roost media remove` prunes it).
	MediaCacheSize int64
}

// BaseURL is the scheme and web domain, without a trailing slash.
func (c Config) BaseURL() string {
	if c.HTTPS {
		return "https://" + c.WebDomain
	}
	return "http://" + c.WebDomain
}

// Server serves every HTTP route of Roost.
type Server struct {
	cfg     Config
	store   store.Store
	index   store.Index // nil when there is no full-text search
	fed     *federation.Federation
	log     *slog.Logger
	env     *mastodon.Env
	tmpl    *template.Template
	handler http.Handler
	started time.Time
	signIn  *limiter
	tokens  tokenCache
	usage   usageCache
	secret  []byte
	now     func() time.Time

	pubsub             store.PubSub
	streamCache        statusCache
	streamPing         time.Duration // streaming.go; tests shorten these
	streamWriteTimeout time.Duration
	streams            atomic.Int64 // open streaming connections
	// Websocket connections outlive their handlers; Close ends them through
	// streamsCtx and waits for them on streamsWG before the store goes.
	streamsCtx    context.Context
	stopStreams   context.CancelFunc
	streamsWG     sync.WaitGroup
	streamsMu     sync.Mutex // orders streamsWG.Add before Close's Wait
	streamsClosed bool
	iq            *indexQueue // federation's index work; searchindex.go

	// Media (media.go, mediacache.go).
	blobs       store.Blobs
	mediaClient *fetch.Client // remote media, larger bodies than documents
	mediaCache  mediaCache
	mediaWake   chan struct{}
	bgCtx       context.Context // ends at Close
	stopMedia   context.CancelFunc
	startOnce   sync.Once
	mediaDone   chan struct{}
	sweepDone   chan struct{}
	cards       cardQueue // link previews; cards.go
	bg          tasks     // goroutines that outlive their requests; tasks.go
}

// New builds the server; templates and the route table are checked here so
// a broken one fails at start-up.
func New(cfg Config, st store.Store, logger *slog.Logger) (*Server, error) {
	if cfg.Title == "" {
		cfg.Title = cfg.LocalDomain
	}
	if len(cfg.Secret) < 32 {
		return nil, fmt.Errorf("secret must be at least 32 bytes")
	}
	if cfg.MaxTootChars <= 0 {
		cfg.MaxTootChars = 500
	}
	tmpl, err := templates.Parse()
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	s := &Server{
		cfg:     cfg,
		store:   st,
		index:   cfg.Index,
		fed:     federation.New(st, logger, cfg.BaseURL(), cfg.LocalDomain, cfg.Fetch),
		log:     logger,
		env:     &mastodon.Env{BaseURL: cfg.BaseURL()},
		tmpl:    tmpl,
		started: time.Now(),
		signIn:  newLimiter(10, 5*time.Minute),
		secret:  cfg.Secret,
		now:     time.Now,

		pubsub:             cfg.PubSub,
		streamPing:         streamPing,
		streamWriteTimeout: streamWriteTimeout,

		blobs:     cfg.Blobs,
		mediaWake: make(chan struct{}, 1),
	}
	s.mediaCache.slots = make(chan struct{}, cacheSlots)
	if cfg.Fetch != nil {
		mc := *cfg.Fetch
		mc.MaxBody = media.DefaultLimits.VideoSize
		mc.Timeout = 2 * time.Minute
		s.mediaClient = fetch.New(mc)
	}
	if s.blobs != nil {
		s.env.BlobURL = s.blobs.URL
		s.fed.BlobURL = s.blobs.URL
	}
	s.env.RemoteURL, s.env.RemotePreviewURL = s.cacheURL, s.cachePreviewURL
	s.fed.Hooks = federation.Hooks{
		Status: func(ctx context.Context, st *store.Status, edited bool) {
			s.publishStatus(ctx, st, edited)
			s.queueCard(st)
		},
		Delete: func(ctx context.Context, st *store.Status) {
			s.queueUnindex(ctx, st)
			s.publishDelete(ctx, st)
		},
		Notify: s.publishNotify,
		Stored: s.queueIndex,
	}
	if s.index != nil {
		s.startIndexQueue() // searchindex.go
	}
	s.streamsCtx, s.stopStreams = context.WithCancel(context.Background())
	s.handler = buildRouter(s.routes())
	s.bgCtx, s.stopMedia = context.WithCancel(context.Background())
	s.cards.start(s, s.bgCtx)
	return s, nil
}

// Start runs the background work of a serving process: processing of
// uploads (resuming those a previous run left) and the hourly sweep of
// unattached uploads and of the remote media cache. CLI commands that only
// open the server skip it.
func (s *Server) Start() {
	s.startOnce.Do(func() {
		if s.blobs == nil {
			return
		}
		s.mediaDone, s.sweepDone = make(chan struct{}), make(chan struct{})
		go s.runMediaWorker(s.bgCtx)
		go s.runMediaSweeper(s.bgCtx)
	})
}

// Close ends the streaming connections that outlive their handlers and
// waits for them; call it after the HTTP server has shut down and before
// the store closes.
func (s *Server) Close() {
	s.streamsMu.Lock()
	s.streamsClosed = true
	s.streamsMu.Unlock()
	s.stopStreams()
	s.streamsWG.Wait()
	s.startOnce.Do(func() {}) // no Start after Close
	s.stopMedia()
	if s.mediaDone != nil {
		<-s.mediaDone
		<-s.sweepDone
	}
	s.bg.close()
	s.stopIndexQueue()
}

// startStream counts a connection that outlives its handler; false means
// the server is closing and the connection must not start.
func (s *Server) startStream() bool {
	s.streamsMu.Lock()
	defer s.streamsMu.Unlock()
	if s.streamsClosed {
		return false
	}
	s.streamsWG.Add(1)
	return true
}

// Federation is the server's ActivityPub side, whose delivery workers the
// caller runs.
func (s *Server) Federation() *federation.Federation { return s.fed }

// ServeHTTP answers one request; a panic becomes a JSON 500 and a log line.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			writeError(w, errInternal)
		}
	}()
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/oauth/") {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key")
			h.Set("Access-Control-Expose-Headers", "Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, X-Request-Id, Idempotency-Key")
			h.Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", "Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, X-Request-Id, Idempotency-Key")
	}
	s.handler.ServeHTTP(w, r)
}

// call is one request on its way through a handler: the request, its
// decoded parameters and who is asking.
type call struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	ps     httprouter.Params
	p      params
	token  *store.Token
	viewer *store.Account // nil when anonymous or an app-only token
}

func (c *call) param(name string) string { return c.ps.ByName(name) }

// viewerID is the asking account's ID, or "" when anonymous.
func (c *call) viewerID() string {
	if c.viewer == nil {
		return ""
	}
	return c.viewer.ID
}

// json writes v with the given status. HTML is left unescaped ("<p>", not
// "\u003cp\u003e"), as Mastodon sends it and server/mastodon asks.
func (c *call) json(status int, v any) error {
	c.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	c.w.WriteHeader(status)
	return jsonEncode(c.w, v)
}

func (c *call) ok(v any) error { return c.json(http.StatusOK, v) }

// handlerFunc is a handler that reports failure by returning an error.
type handlerFunc func(c *call) error

// access says who may call a route.
type access struct {
	scope    string // required OAuth scope; "" for public routes
	needUser bool   // an app-only (client_credentials) token is not enough
	upload   bool   // the body may carry a file (up to maxUploadBytes)
}

// public routes need no token, but act for the viewer when one is sent; an
// invalid token is still a 401.
var public = access{}

func asUser(scope string) access { return access{scope: scope, needUser: true} }
func app(scope string) access    { return access{scope: scope} }

// uploader is asUser for routes that take files: the token is checked
// before the body is read.
func uploader(scope string) access { return access{scope: scope, needUser: true, upload: true} }

// wrap turns a handlerFunc into an http.Handler that decodes parameters,
// authenticates and maps errors.
func (s *Server) wrap(a access, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{s: s, w: w, r: r, ps: httprouter.ParamsFromContext(r.Context())}
		err := s.serveCall(c, a, h)
		if err == nil || errors.Is(err, errHandled) {
			return
		}
		e, known := toAPIError(err)
		if !known {
			s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		writeError(w, e)
	})
}

func (s *Server) serveCall(c *call, a access, h handlerFunc) error {
	if a.upload {
		// Who uploads is known (from the header or the query) before a
		// large body is read, and a slow uplink gets the time it needs.
		c.p = params(c.r.URL.Query())
		if err := s.authenticate(c, a); err != nil {
			return err
		}
		_ = http.NewResponseController(c.w).SetReadDeadline(time.Now().Add(uploadReadTimeout))
		p, err := parseParamsUpTo(c.r, maxUploadBytes)
		if err != nil {
			return err
		}
		c.p = p
		return h(c)
	}
	p, err := parseParams(c.r)
	if err != nil {
		return err
	}
	c.p = p
	if err := s.authenticate(c, a); err != nil {
		return err
	}
	return h(c)
}

// uploadReadTimeout bounds reading an upload's body: 99 MB at about 1.5
// Mbit/s.
const uploadReadTimeout = 10 * time.Minute

func jsonEncode(w http.ResponseWriter, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
