// Package fetch is the one HTTP client Roost uses to talk to other servers:
// fetching actors and objects, delivering activities, WebFinger and host-meta
// lookups, and (later) remote media.
//
// Every request goes through the same guard. URLs must be https (or http when
// [Config.AllowHTTP] is set, for local federation testing), without userinfo.
// Connections are checked at dial time, after DNS resolution, so a name that
// resolves (or re-resolves, as in DNS rebinding) to a loopback, private,
// link-local or otherwise reserved address is refused before any packet is
// sent, on the first request and on every redirect hop alike. Proxies from the
// environment are ignored so the check cannot be routed around. Operators
// allow private ranges explicitly with [Config.AllowedPrivate]
// (ALLOWED_PRIVATE_ADDRESSES).
//
// Responses are bounded in time ([Config.Timeout], for the whole exchange
// including the body) and size ([Config.MaxBody]); a body over the limit is an
// [ErrTooLarge] error, never silently truncated.
package fetch
