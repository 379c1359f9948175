package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Config is everything an operator can set. Every setting has a flag and an
// environment variable (Mastodon's name where Mastodon has one); flags win
// over the environment, which wins over .env.production, which wins over the
// defaults.
type Config struct {
	LocalDomain string
	WebDomain   string
	LocalHTTPS  bool
	Bind        string
	Port        int
	DataDir     string

	DatabaseURL string
	DBHost      string
	DBPort      string
	DBName      string
	DBUser      string
	DBPass      string

	RedisURL      string
	RedisHost     string
	RedisPort     string
	RedisPassword string

	S3Enabled   bool
	S3Bucket    string
	S3Endpoint  string
	S3Region    string
	S3AccessKey string
	S3SecretKey string
	S3AliasHost string
	// MediaCacheMB is the budget of the remote media cache in MiB (0: no
	// budget).
	MediaCacheMB int

	SMTPServer   string
	SMTPPort     string
	SMTPLogin    string
	SMTPPassword string
	SMTPFrom     string

	AllowedPrivateAddresses string
	SingleUserMode          bool
	Trends                  string // "", "true" or "false"; see trends
	AuthorizedFetch         bool
	LimitedFederation       bool
	MaxTootChars            int

	EnvFile string
}

// setting ties one Config field to its environment variable and flag.
type setting struct {
	env, flag, def, usage string
	str                   *string
	boolean               *bool
	integer               *int
}

func (c *Config) settings() []setting {
	s := func(env, fl, def, usage string, p *string) setting {
		return setting{env: env, flag: fl, def: def, usage: usage, str: p}
	}
	b := func(env, fl, def, usage string, p *bool) setting {
		return setting{env: env, flag: fl, def: def, usage: usage, boolean: p}
	}
	i := func(env, fl, def, usage string, p *int) setting {
		return setting{env: env, flag: fl, def: def, usage: usage, integer: p}
	}
	return []setting{
		s("LOCAL_DOMAIN", "local-domain", "localhost:3000", "the domain in handles and ids (may carry a port)", &c.LocalDomain),
		s("WEB_DOMAIN", "web-domain", "", "where the server is reached, if not LOCAL_DOMAIN", &c.WebDomain),
		b("LOCAL_HTTPS", "local-https", "true", "false: ids and fetches use http (local testing only)", &c.LocalHTTPS),
		s("BIND", "bind", "127.0.0.1", "listen address", &c.Bind),
		i("PORT", "port", "3000", "listen port (0 picks a free one)", &c.Port),
		s("ROOST_DATA_DIR", "data-dir", "./data", "SQLite file, search index and local media", &c.DataDir),
		s("DATABASE_URL", "database-url", "", "PostgreSQL URL instead of SQLite", &c.DatabaseURL),
		s("DB_HOST", "db-host", "", "PostgreSQL host", &c.DBHost),
		s("DB_PORT", "db-port", "", "PostgreSQL port", &c.DBPort),
		s("DB_NAME", "db-name", "", "PostgreSQL database", &c.DBName),
		s("DB_USER", "db-user", "", "PostgreSQL user", &c.DBUser),
		s("DB_PASS", "db-pass", "", "PostgreSQL password", &c.DBPass),
		s("REDIS_URL", "redis-url", "", "Redis URL for queue and pub/sub", &c.RedisURL),
		s("REDIS_HOST", "redis-host", "", "Redis host", &c.RedisHost),
		s("REDIS_PORT", "redis-port", "", "Redis port", &c.RedisPort),
		s("REDIS_PASSWORD", "redis-password", "", "Redis password", &c.RedisPassword),
		b("S3_ENABLED", "s3-enabled", "false", "store media on S3", &c.S3Enabled),
		s("S3_BUCKET", "s3-bucket", "", "S3 bucket", &c.S3Bucket),
		s("S3_ENDPOINT", "s3-endpoint", "", "S3 endpoint URL", &c.S3Endpoint),
		s("S3_REGION", "s3-region", "", "S3 region", &c.S3Region),
		s("AWS_ACCESS_KEY_ID", "s3-access-key", "", "S3 access key", &c.S3AccessKey),
		s("AWS_SECRET_ACCESS_KEY", "s3-secret-key", "", "S3 secret key", &c.S3SecretKey),
		s("S3_ALIAS_HOST", "s3-alias-host", "", "host that serves the bucket publicly", &c.S3AliasHost),
		i("ROOST_MEDIA_CACHE_MB", "media-cache-mb", "1024", "budget of the remote media cache in MiB (0: unlimited)", &c.MediaCacheMB),
		s("SMTP_SERVER", "smtp-server", "", "SMTP server", &c.SMTPServer),
		s("SMTP_PORT", "smtp-port", "", "SMTP port", &c.SMTPPort),
		s("SMTP_LOGIN", "smtp-login", "", "SMTP login", &c.SMTPLogin),
		s("SMTP_PASSWORD", "smtp-password", "", "SMTP password", &c.SMTPPassword),
		s("SMTP_FROM_ADDRESS", "smtp-from-address", "", "sender of e-mail", &c.SMTPFrom),
		s("ALLOWED_PRIVATE_ADDRESSES", "allowed-private-addresses", "", "CIDRs outgoing fetches may reach, comma-separated", &c.AllowedPrivateAddresses),
		b("SINGLE_USER_MODE", "single-user-mode", "false", "the landing page is the single user's profile", &c.SingleUserMode),
		s("TRENDS", "trends", "", "true or false: trending hashtags (default: on unless SINGLE_USER_MODE)", &c.Trends),
		b("AUTHORIZED_FETCH", "authorized-fetch", "false", "ActivityPub GETs must be signed", &c.AuthorizedFetch),
		b("LIMITED_FEDERATION_MODE", "limited-federation-mode", "false", "federate only with allowed domains", &c.LimitedFederation),
		i("MAX_TOOT_CHARS", "max-toot-chars", "500", "status length limit", &c.MaxTootChars),
	}
}

// registerFlags adds one flag per setting, and --env-file, to fs. The flags'
// values are applied by Load after the environment.
func (c *Config) registerFlags(fs *flag.FlagSet) map[string]*string {
	set := map[string]*string{}
	for _, st := range c.settings() {
		set[st.flag] = fs.String(st.flag, "", st.usage+" ($"+st.env+", default "+strconv.Quote(st.def)+")")
	}
	fs.StringVar(&c.EnvFile, "env-file", "", "read settings from this file instead of .env.production")
	return set
}

// Load fills c from defaults, the env file, the environment and the flags
// (in rising precedence). getenv is os.Getenv outside tests.
func (c *Config) Load(flags map[string]*string, getenv func(string) string) error {
	file := map[string]string{}
	path, explicit := c.EnvFile, c.EnvFile != ""
	if !explicit {
		path = ".env.production"
	}
	if f, err := os.Open(path); err == nil {
		file, err = parseEnvFile(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	} else if explicit || !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("open env file: %w", err)
	}
	for _, st := range c.settings() {
		v := st.def
		if fv, ok := file[st.env]; ok {
			v = fv
		}
		if ev := getenv(st.env); ev != "" {
			v = ev
		}
		if fl := flags[st.flag]; fl != nil && *fl != "" {
			v = *fl
		}
		if err := st.assign(v); err != nil {
			return err
		}
	}
	return c.validate()
}

func (st setting) assign(v string) error {
	switch {
	case st.str != nil:
		*st.str = v
	case st.boolean != nil:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("%s: %q is not true or false", st.env, v)
		}
		*st.boolean = b
	case st.integer != nil:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("%s: %q is not a number", st.env, v)
		}
		*st.integer = n
	}
	return nil
}

func (c *Config) validate() error {
	if c.WebDomain == "" {
		c.WebDomain = c.LocalDomain
	}
	if c.LocalDomain == "" || strings.ContainsAny(c.LocalDomain, "/ @") {
		return fmt.Errorf("LOCAL_DOMAIN: %q is not a domain", c.LocalDomain)
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("PORT: %d is out of range", c.Port)
	}
	if c.MaxTootChars < 1 {
		return fmt.Errorf("MAX_TOOT_CHARS: must be positive")
	}
	if c.MediaCacheMB < 0 {
		return fmt.Errorf("ROOST_MEDIA_CACHE_MB: must not be negative")
	}
	if c.S3Enabled && (c.S3Bucket == "" || c.S3Endpoint == "") {
		return fmt.Errorf("S3_ENABLED: S3_BUCKET and S3_ENDPOINT must be set too")
	}
	if c.Trends != "" {
		if _, err := strconv.ParseBool(strings.TrimSpace(c.Trends)); err != nil {
			return fmt.Errorf("TRENDS: %q is not true or false", c.Trends)
		}
	}
	for _, cidr := range c.privateAllowList() {
		if _, _, err := net.ParseCIDR(cidr); err != nil {
			return fmt.Errorf("ALLOWED_PRIVATE_ADDRESSES: %w", err)
		}
	}
	return nil
}

// trends is TRENDS for server.Config: nil when unset (the server then
// turns trends on unless SINGLE_USER_MODE); validate has checked it.
func (c *Config) trends() *bool {
	if strings.TrimSpace(c.Trends) == "" {
		return nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(c.Trends))
	if err != nil {
		return nil
	}
	return &b
}

// redisURL is REDIS_URL, or the URL REDIS_HOST, REDIS_PORT (default 6379)
// and REDIS_PASSWORD make; "" when Redis is not configured.
func (c *Config) redisURL() string {
	if c.RedisURL != "" {
		return c.RedisURL
	}
	if c.RedisHost == "" {
		return ""
	}
	port := c.RedisPort
	if port == "" {
		port = "6379"
	}
	u := url.URL{Scheme: "redis", Host: net.JoinHostPort(c.RedisHost, port), Path: "/0"}
	if c.RedisPassword != "" {
		u.User = url.UserPassword("", c.RedisPassword)
	}
	return u.String()
}

// privatePrefixes are ALLOWED_PRIVATE_ADDRESSES, parsed (validate has
// checked them).
func (c *Config) privatePrefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, cidr := range c.privateAllowList() {
		if p, err := netip.ParsePrefix(cidr); err == nil {
			out = append(out, p.Masked())
		}
	}
	return out
}

func (c *Config) privateAllowList() []string {
	var out []string
	for _, f := range strings.FieldsFunc(c.AllowedPrivateAddresses, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, f)
	}
	return out
}

// BaseURL is where the instance is reached: scheme and WEB_DOMAIN.
func (c *Config) BaseURL() string {
	if c.LocalHTTPS {
		return "https://" + c.WebDomain
	}
	return "http://" + c.WebDomain
}

// parseEnvFile reads KEY=VALUE lines as dotenv files write them: blank lines
// and # comments skipped, an optional "export " prefix, values optionally
// in single or double quotes.
func parseEnvFile(f *os.File) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want KEY=VALUE", n)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		} else if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		out[k] = v
	}
	return out, sc.Err()
}
