package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/roost-social/roost/server/media"
	"github.com/roost-social/roost/store"
)

// mediaReason is the user-facing part of a media error: what follows
// "invalid media: ", capitalised.
func mediaReason(err error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, "invalid media: "); ok {
		msg = after
	}
	if msg == "" {
		return "Invalid media"
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// apiError is an error with the status and message a client sees. Anything
// else returned by a handler is logged and answered with a bare 500, so
// internal error text never reaches a client.
type apiError struct {
	status int
	msg    string
	desc   string
}

func (e *apiError) Error() string { return e.msg }

var (
	errNotFound     = &apiError{status: http.StatusNotFound, msg: "Record not found"}
	errNoRoute      = &apiError{status: http.StatusNotFound, msg: "Not found"}
	errUnauthorized = &apiError{status: http.StatusUnauthorized, msg: "The access token is invalid"}
	errNoUser       = &apiError{status: http.StatusUnprocessableEntity, msg: "This method requires an authenticated user"}
	errRateLimited  = &apiError{status: http.StatusTooManyRequests, msg: "Too many requests"}
	errInternal     = &apiError{status: http.StatusInternalServerError, msg: "Internal server error"}
)

// unprocessable is Mastodon's 422 for input that fails validation.
func unprocessable(msg string) error {
	return &apiError{status: http.StatusUnprocessableEntity, msg: msg}
}

// badRequest is a 400 for a request that cannot be understood.
func badRequest(msg string) error {
	return &apiError{status: http.StatusBadRequest, msg: msg}
}

// forbidden is a 403: who asks is known but may not do this.
func forbidden(msg string) error {
	return &apiError{status: http.StatusForbidden, msg: msg}
}

// toAPIError maps domain errors to what a client sees; ok is false for
// errors that are internal.
func toAPIError(err error) (e *apiError, ok bool) {
	switch {
	case errors.As(err, &e):
		return e, true
	case errors.Is(err, store.ErrNotFound):
		return errNotFound, true
	case errors.Is(err, media.ErrInvalid), errors.Is(err, store.ErrInvalidMedia):
		return unprocessable("Validation failed: " + mediaReason(err)).(*apiError), true
	case errors.Is(err, store.ErrConflict):
		return unprocessable("Validation failed: already taken").(*apiError), true
	}
	return errInternal, false
}

func writeError(w http.ResponseWriter, err error) {
	e, _ := toAPIError(err)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="Doorkeeper", error="invalid_token", error_description="`+e.msg+`"`)
	}
	w.WriteHeader(e.status)
	body := struct {
		Error       string `json:"error"`
		Description string `json:"error_description,omitempty"`
	}{e.msg, e.desc}
	_ = json.NewEncoder(w).Encode(body)
}
