// Package sig signs and verifies HTTP requests with HTTP Signatures as the
// fediverse speaks them: draft-cavage-http-signatures-12 with RSA-SHA256 keys
// and a Digest header, the way Mastodon and GoToSocial send and expect them.
//
// [SignRequest] signs outgoing deliveries and fetches with
// github.com/go-fed/httpsig over "(request-target) host date" (GET) or
// "(request-target) host date digest" (POST), writing algorithm="rsa-sha256"
// as Mastodon does.
//
// [Verify] checks incoming requests with its own header parser
// ([ParseHeader]) and signing-string builder, and applies rules modelled on
// Mastodon's (app/lib/signed_request.rb): the signature must cover
// (request-target), host and date (or (created) with hs2019), and digest on
// POST; the Digest must match the body; the Date must be no more than
// [ClockSkew] in the future and no older than [Lifetime] plus [ClockSkew]
// (65 minutes), or [MaxAge] when the signature names its (expires); a signature whose
// (request-target) left out the query string is accepted as Mastodon does;
// and a failed check refetches the key once, for key rotation. RFC 9421
// (Signature-Input) is not handled yet and is reported as [ErrMalformed].
//
// Errors wrap one of [ErrNoSignature], [ErrMalformed], [ErrExpired],
// [ErrDigest] and [ErrBadSignature]; an inbox answers 400 to [ErrMalformed]
// and 401 to the others. Errors from the caller's key lookup are returned
// wrapped as they are, so a failed key fetch can be told apart.
//
// Nothing here does I/O: keys come from the caller's lookup function, and
// the body is passed in by the caller, who has read it (bounded) already.
package sig
