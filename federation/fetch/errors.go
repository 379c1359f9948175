package fetch

import (
	"errors"
	"fmt"
	"net/http"
)

// Errors returned (wrapped) by the Client; test for them with errors.Is.
var (
	// ErrForbiddenAddress: the host resolved to a loopback, private,
	// link-local or otherwise reserved address outside Config.AllowedPrivate.
	// No connection was made.
	ErrForbiddenAddress = errors.New("fetch: forbidden address")
	// ErrScheme: the URL (or a redirect target) is not https, or not http
	// when Config.AllowHTTP is set, or a redirect went from https to http.
	ErrScheme = errors.New("fetch: scheme not allowed")
	// ErrInvalidURL: the URL does not parse, carries userinfo or has no host.
	ErrInvalidURL = errors.New("fetch: invalid URL")
	// ErrTooLarge: the response body is longer than Config.MaxBody.
	ErrTooLarge = errors.New("fetch: response body too large")
	// ErrContentType: a JSON response was required and something else came.
	ErrContentType = errors.New("fetch: unexpected content type")
	// ErrTooManyRedirects: more than Config.MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("fetch: too many redirects")
	// ErrGone matches a *StatusError with code 410: the remote object or
	// actor was deleted, or the inbox is gone for good.
	ErrGone = errors.New("fetch: gone")
)

// StatusError is the error for a response with a non-2xx status.
type StatusError struct {
	Code int    // HTTP status code
	URL  string // the URL that answered (after redirects)
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("fetch %s: status %d %s", e.URL, e.Code, http.StatusText(e.Code))
}

// Is makes errors.Is(err, ErrGone) true for a 410.
func (e *StatusError) Is(target error) bool {
	return target == ErrGone && e.Code == http.StatusGone
}

// Gone reports whether the status was 410 Gone.
func (e *StatusError) Gone() bool { return e.Code == http.StatusGone }

// Retryable reports whether trying again later may succeed: timeouts, rate
// limits and server errors. Other client errors are permanent.
func (e *StatusError) Retryable() bool {
	return e.Code == http.StatusRequestTimeout || e.Code == http.StatusTooManyRequests || e.Code >= 500
}
