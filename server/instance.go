package server

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/roost-social/roost/server/mastodon"
	"github.com/roost-social/roost/server/media"
	"github.com/roost-social/roost/static"
	"github.com/roost-social/roost/store"
)

// MastodonVersion is the Mastodon release whose client API Roost follows;
// apps pick features by it. It is honest: Roost implements version 1 of the
// versioned API (no grouped notifications), so it names a 4.2 release.
const MastodonVersion = "4.2.0"

// apiVersion is api_versions.mastodon in the instance document.
const apiVersion = 1

func (s *Server) versionString() string {
	return MastodonVersion + " (compatible; Roost " + s.cfg.Version + ")"
}

// streamingURL is where apps open the streaming API: ws:// over plain http.
func (s *Server) streamingURL() string {
	if s.cfg.HTTPS {
		return "wss://" + s.cfg.WebDomain
	}
	return "ws://" + s.cfg.WebDomain
}

func (s *Server) statusLimits() mastodon.StatusLimits {
	return mastodon.StatusLimits{MaxCharacters: s.cfg.MaxTootChars, MaxMediaAttachments: 4, CharactersReservedPerURL: 23}
}

// mediaLimits are the limits on uploads (server/media enforces them).
func mediaLimits() mastodon.MediaLimits {
	return mastodon.MediaLimits{
		SupportedMIMETypes: []string{"image/jpeg", "image/png", "image/gif", "image/webp",
			"video/mp4", "video/webm", "video/quicktime", "audio/mpeg", "audio/mp3", "audio/ogg",
			"audio/wav", "audio/wave", "audio/flac", "audio/mp4", "audio/x-m4a", "audio/aac"},
		ImageSizeLimit:      int(media.DefaultLimits.ImageSize),
		ImageMatrixLimit:    media.DefaultLimits.ImagePixels,
		VideoSizeLimit:      int(media.DefaultLimits.VideoSize),
		VideoFrameRateLimit: 120,
		VideoMatrixLimit:    8294400,
		DescriptionLimit:    maxDescription,
	}
}

func pollLimits() mastodon.PollLimits {
	return mastodon.PollLimits{MaxOptions: 4, MaxCharactersPerOption: 50, MinExpiration: 300, MaxExpiration: 2629746}
}

// rules are the instance's rules; a single-user server starts with none.
func rules() []mastodon.Rule { return []mastodon.Rule{} }

// contact finds the owner for the instance's contact fields.
func (c *call) contact() (*mastodon.Account, string) {
	users, err := c.s.store.ListUsers(c.r.Context())
	if err != nil {
		return nil, c.s.cfg.ContactEmail
	}
	for _, u := range users {
		if u.Role == store.RoleOwner && u.Account != nil {
			a := c.s.env.Account(u.Account)
			email := c.s.cfg.ContactEmail
			if email == "" {
				email = u.Email
			}
			return &a, email
		}
	}
	return nil, c.s.cfg.ContactEmail
}

func (s *Server) description() string {
	return "A Roost server: a small, self-hosted home on the fediverse."
}

// instanceV2 is GET /api/v2/instance.
func (s *Server) instanceV2(c *call) error {
	usage, err := s.usage.get(c.r.Context(), s.store, s.now())
	if err != nil {
		return err
	}
	acct, email := c.contact()
	in := mastodon.InstanceV2{
		Domain:      s.cfg.LocalDomain,
		Title:       s.cfg.Title,
		Version:     s.versionString(),
		SourceURL:   "https://github.com/roost-social/roost",
		Description: s.description(),
		Thumbnail:   mastodon.InstanceThumbnail{URL: s.cfg.BaseURL() + "/headers/original/missing.png"},
		Icon:        []mastodon.InstanceIcon{},
		Languages:   []string{"en"},
		APIVersions: mastodon.APIVersions{Mastodon: apiVersion},
		Contact:     mastodon.InstanceContact{Email: email, Account: acct},
		Rules:       rules(),
	}
	in.Usage.Users.ActiveMonth = usage.ActiveMonth
	cfg := &in.Configuration
	cfg.URLs.Streaming = s.streamingURL()
	cfg.Accounts.MaxFeaturedTags = 10
	cfg.Accounts.MaxPinnedStatuses = maxPins
	cfg.Statuses = s.statusLimits()
	cfg.MediaAttachments = mediaLimits()
	cfg.Polls = pollLimits()
	msg := "This server is for its owner; ask them for an account."
	in.Registrations.Message = &msg
	return c.ok(in)
}

// instanceV1 is GET /api/v1/instance, still read by many apps.
func (s *Server) instanceV1(c *call) error {
	usage, err := s.usage.get(c.r.Context(), s.store, s.now())
	if err != nil {
		return err
	}
	acct, email := c.contact()
	thumb := s.cfg.BaseURL() + "/headers/original/missing.png"
	in := mastodon.InstanceV1{
		URI:              s.cfg.LocalDomain,
		Title:            s.cfg.Title,
		ShortDescription: s.description(),
		Description:      s.description(),
		Email:            email,
		Version:          s.versionString(),
		Stats:            mastodon.InstanceStats{UserCount: usage.Users, StatusCount: usage.LocalStatuses, DomainCount: usage.Domains},
		Thumbnail:        &thumb,
		Languages:        []string{"en"},
		ContactAccount:   acct,
		Rules:            rules(),
	}
	in.URLs.StreamingAPI = s.streamingURL()
	in.Configuration.Accounts.MaxFeaturedTags = 10
	in.Configuration.Statuses = s.statusLimits()
	in.Configuration.MediaAttachments = mediaLimits()
	in.Configuration.Polls = pollLimits()
	return c.ok(in)
}

// instancePeers is GET /api/v1/instance/peers: the domains Roost knows.
func (s *Server) instancePeers(c *call) error { return c.ok([]string{}) }

// instanceActivity is GET /api/v1/instance/activity (weekly counts); Roost
// does not keep them yet.
func (s *Server) instanceActivity(c *call) error { return c.ok([]struct{}{}) }

// instanceRules is GET /api/v1/instance/rules.
func (s *Server) instanceRules(c *call) error { return c.ok(rules()) }

// extendedDescription is GET /api/v1/instance/extended_description.
func (s *Server) extendedDescription(c *call) error {
	return c.ok(map[string]any{"updated_at": s.started.UTC().Format("2006-01-02T15:04:05.000Z"), "content": "<p>" + s.description() + "</p>"})
}

// health answers load balancers and `roost serve` watchers.
func (s *Server) health(c *call) error {
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := c.w.Write([]byte("OK"))
	return err
}

// nodeinfoLinks is /.well-known/nodeinfo.
func (s *Server) nodeinfoLinks(c *call) error {
	base := s.cfg.BaseURL()
	type link struct {
		Rel  string `json:"rel"`
		Href string `json:"href"`
	}
	return c.ok(map[string][]link{"links": {
		{"http://nodeinfo.diaspora.software/ns/schema/2.0", base + "/nodeinfo/2.0"},
		{"http://nodeinfo.diaspora.software/ns/schema/2.1", base + "/nodeinfo/2.1"},
	}})
}

// nodeinfo is /nodeinfo/2.0 and /nodeinfo/2.1. Software name is "roost";
// metadata.upstream names Mastodon, which is how clients that choose their
// API dialect from NodeInfo (megalodon, used by Whalebird) recognise a
// Mastodon-compatible server whose software name they do not know.
func (s *Server) nodeinfo(c *call) error {
	version := strings.TrimSuffix(c.param("version"), ".json")
	if version != "2.0" && version != "2.1" {
		return errNotFound
	}
	usage, err := s.usage.get(c.r.Context(), s.store, s.now())
	if err != nil {
		return err
	}
	software := map[string]any{"name": "roost", "version": s.cfg.Version}
	if version == "2.1" {
		software["repository"] = "https://github.com/roost-social/roost"
		software["homepage"] = "https://github.com/roost-social/roost"
	}
	doc := map[string]any{
		"version":           version,
		"software":          software,
		"protocols":         []string{"activitypub"},
		"services":          map[string][]string{"inbound": {}, "outbound": {}},
		"openRegistrations": false,
		"usage": map[string]any{
			"users": map[string]int{
				"total":          usage.Users,
				"activeMonth":    usage.ActiveMonth,
				"activeHalfyear": usage.ActiveHalfYear,
			},
			"localPosts": usage.LocalStatuses,
		},
		"metadata": map[string]any{
			"nodeName":        s.cfg.Title,
			"nodeDescription": s.description(),
			"upstream":        map[string]string{"name": "mastodon", "version": MastodonVersion},
			"features":        []string{"mastodon_api", "mastodon_api_streaming"},
			"singleUser":      s.cfg.SingleUserMode,
		},
	}
	c.w.Header().Set("Content-Type", `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/`+version+`#"`)
	c.w.WriteHeader(http.StatusOK)
	return jsonEncode(c.w, doc)
}

// serveDefaultImage serves the placeholder avatar and header.
func (s *Server) serveDefaultImage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "public, max-age=604800, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(static.MissingPNG)
}

// usageCache keeps the instance's usage counts for a minute: apps read the
// instance document at every launch and crawlers poll NodeInfo, while the
// counts scan whole tables and change slowly.
type usageCache struct {
	mu      sync.Mutex
	u       store.Usage
	expires time.Time
}

const usageTTL = time.Minute

func (uc *usageCache) get(ctx context.Context, st store.Store, now time.Time) (store.Usage, error) {
	uc.mu.Lock()
	defer uc.mu.Unlock()
	if now.Before(uc.expires) {
		return uc.u, nil
	}
	u, err := st.InstanceUsage(ctx)
	if err != nil {
		return store.Usage{}, err
	}
	uc.u, uc.expires = u, now.Add(usageTTL)
	return u, nil
}
