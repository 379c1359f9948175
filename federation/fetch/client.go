package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"
)

// Defaults for the zero values of Config.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBody      = 1 << 20
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "Roost"

	// DefaultAccept is the Accept header GetJSON sends when given none.
	DefaultAccept = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

	// postDrainLimit bounds how much of a delivery's response is read (and
	// discarded) so the connection can be reused.
	postDrainLimit = 64 << 10
)

// Config configures a Client. The zero value is usable: https only, no
// private addresses, 10 s, 1 MiB, 5 redirects, unsigned.
type Config struct {
	// UserAgent is sent with every request, e.g.
	// "Roost/0.1.0 (+https://example.com/)".
	UserAgent string
	// AllowedPrivate lists reserved ranges that may be reached anyway
	// (ALLOWED_PRIVATE_ADDRESSES), e.g. 127.0.0.0/8 for local testing.
	AllowedPrivate []netip.Prefix
	// Timeout bounds a whole request: connecting, redirects, headers and
	// reading the body. Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxBody bounds a response body. Zero means DefaultMaxBody.
	MaxBody int64
	// MaxRedirects is how many redirects are followed. Zero means
	// DefaultMaxRedirects; negative means none.
	MaxRedirects int
	// AllowHTTP permits http:// URLs (LOCAL_HTTPS=false). Otherwise only
	// https is fetched. A redirect from https to http is refused either way.
	AllowHTTP bool
	// Sign, if set, signs every outgoing request (HTTP Signatures) just
	// before it is sent, again for each redirect hop. body is nil for GETs.
	Sign func(r *http.Request, body []byte) error
}

// Client fetches from and delivers to other servers through the address
// guard. It is safe for concurrent use; make one and share it.
type Client struct {
	userAgent    string
	allowed      []netip.Prefix
	maxBody      int64
	maxRedirects int
	allowHTTP    bool
	sign         func(*http.Request, []byte) error

	transport *http.Transport
	http      *http.Client
}

// New returns a Client configured by c.
func New(c Config) *Client {
	cl := &Client{
		userAgent:    c.UserAgent,
		maxBody:      c.MaxBody,
		maxRedirects: c.MaxRedirects,
		allowHTTP:    c.AllowHTTP,
		sign:         c.Sign,
	}
	if cl.userAgent == "" {
		cl.userAgent = DefaultUserAgent
	}
	if cl.maxBody <= 0 {
		cl.maxBody = DefaultMaxBody
	}
	switch {
	case cl.maxRedirects == 0:
		cl.maxRedirects = DefaultMaxRedirects
	case cl.maxRedirects < 0:
		cl.maxRedirects = 0
	}
	for _, p := range c.AllowedPrivate {
		if p.IsValid() {
			cl.allowed = append(cl.allowed, p.Masked())
		}
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}

	dialer := &net.Dialer{
		Timeout:   timeout,
		KeepAlive: 30 * time.Second,
		Control:   cl.control,
	}
	cl.transport = &http.Transport{
		Proxy:                  nil, // never HTTP(S)_PROXY: the guard must see the real peer
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    8,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	cl.http = &http.Client{Transport: cl.transport, Timeout: timeout}
	return cl
}

// CloseIdleConnections closes pooled keep-alive connections (at shutdown).
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// GetJSON fetches an ActivityPub document (or any JSON) with a signed GET.
// accept defaults to DefaultAccept. The response must be 2xx (else a
// *StatusError) with a JSON content type (application/activity+json,
// application/ld+json, application/json or application/jrd+json; else
// ErrContentType), and at most MaxBody long (else ErrTooLarge). finalURL is
// the URL after redirects, which the caller uses for origin checks.
func (c *Client) GetJSON(ctx context.Context, rawURL string, accept string) (body []byte, finalURL string, err error) {
	if accept == "" {
		accept = DefaultAccept
	}
	resp, err := c.get(ctx, rawURL, accept)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	finalURL = resp.Request.URL.String()
	if !isJSON(resp.Header.Get("Content-Type")) {
		return nil, "", fmt.Errorf("%w: %q from %s", ErrContentType, resp.Header.Get("Content-Type"), finalURL)
	}
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", finalURL, err)
	}
	return body, finalURL, nil
}

// Get performs a signed GET and returns the response for the caller to read
// and close (media). A non-2xx status is a *StatusError, with the body
// already closed. The body returns ErrTooLarge after MaxBody bytes, and a
// declared Content-Length over MaxBody fails at once with ErrTooLarge.
// resp.Request.URL is the URL after redirects.
func (c *Client) Get(ctx context.Context, rawURL string, accept string) (*http.Response, error) {
	if accept == "" {
		accept = "*/*"
	}
	return c.get(ctx, rawURL, accept)
}

func (c *Client) get(ctx context.Context, rawURL, accept string) (*http.Response, error) {
	resp, err := c.do(ctx, http.MethodGet, rawURL, accept, "", nil)
	if err != nil {
		return nil, err
	}
	final := resp.Request.URL.String()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		drain(resp.Body)
		return nil, &StatusError{Code: resp.StatusCode, URL: final}
	}
	if resp.ContentLength > c.maxBody {
		resp.Body.Close()
		return nil, fmt.Errorf("get %s: %w: Content-Length %d > %d", final, ErrTooLarge, resp.ContentLength, c.maxBody)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: c.maxBody}
	return resp, nil
}

// Post delivers body with a signed POST. contentType defaults to
// application/activity+json. The response body is read up to a small limit
// and discarded. A 2xx status returns a nil error; any other status returns a
// *StatusError (errors.Is(err, ErrGone) for 410). A redirect that would turn
// the POST into a GET is not followed; it comes back as a *StatusError.
func (c *Client) Post(ctx context.Context, rawURL string, contentType string, body []byte) (status int, err error) {
	if contentType == "" {
		contentType = "application/activity+json"
	}
	if body == nil {
		body = []byte{}
	}
	resp, err := c.do(ctx, http.MethodPost, rawURL, "", contentType, body)
	if err != nil {
		return 0, err
	}
	drain(resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, &StatusError{Code: resp.StatusCode, URL: resp.Request.URL.String()}
	}
	return resp.StatusCode, nil
}

// do builds, signs and sends one request, following redirects under the
// guard. body is nil for GETs.
func (c *Client) do(ctx context.Context, method, rawURL, accept, contentType string, body []byte) (*http.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	if err := c.checkURL(u); err != nil {
		return nil, err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.sign != nil {
		if err := c.sign(req, body); err != nil {
			return nil, fmt.Errorf("sign %s %s: %w", method, u.Redacted(), err)
		}
	}

	// A per-call copy of the http.Client (sharing the transport) so the
	// redirect check can re-sign with this call's body.
	hc := *c.http
	hc.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if len(via) > c.maxRedirects {
			return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, c.maxRedirects)
		}
		if next.Method != method {
			// 301/302/303 turn a POST into a bodiless GET; a 2xx from that
			// would be mistaken for a delivery.
			return http.ErrUseLastResponse
		}
		if err := c.checkURL(next.URL); err != nil {
			return err
		}
		if via[len(via)-1].URL.Scheme == "https" && next.URL.Scheme != "https" {
			return fmt.Errorf("%w: redirect from https to %s", ErrScheme, next.URL.Redacted())
		}
		if c.sign != nil {
			if err := c.sign(next, body); err != nil {
				return fmt.Errorf("sign %s %s: %w", next.Method, next.URL.Redacted(), err)
			}
		}
		return nil
	}
	return hc.Do(req)
}

// isJSON reports whether a Content-Type is one of the JSON types ActivityPub
// and WebFinger documents come as; parameters are ignored.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json", "application/ld+json", "application/json", "application/jrd+json":
		return true
	}
	return false
}

// drain reads a little of an unwanted body so the connection can be reused,
// then closes it.
func drain(rc io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, postDrainLimit))
	_ = rc.Close()
}

// limitedBody passes at most left bytes through and then fails with
// ErrTooLarge if the underlying body has more: a long body is an error,
// never a silently truncated document.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
	err  error
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if l.left <= 0 {
		// The limit is reached: one more byte means the body is too long.
		var one [1]byte
		n, err := l.rc.Read(one[:])
		if n > 0 {
			l.err = ErrTooLarge
			return 0, l.err
		}
		if err != nil {
			l.err = err
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	if err != nil {
		l.err = err
	}
	return n, err
}

func (l *limitedBody) Close() error { return l.rc.Close() }
