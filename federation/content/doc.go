// Package content turns what people write into the HTML the Mastodon API and
// ActivityPub carry, and back.
//
// Local statuses are plain text: [Render] escapes them and links URLs,
// mentions and hashtags exactly as Mastodon 4.x's TextFormatter does, so
// clients that style Mastodon's markup (the h-card spans, the invisible and
// ellipsis parts of long links) show Roost statuses the same way. [Length]
// counts a status as Mastodon's StatusLengthValidator does, so the 500
// character limit means the same thing on both. [RenderField] formats profile
// field values.
//
// Remote content is HTML written by other servers: [Sanitize] reduces it to
// the small set of elements Mastodon keeps, and [PlainText] turns it back into
// text for search and for delete-and-redraft.
//
// Nothing here touches storage or the network: mentions are resolved through
// the caller's [Options.Resolve].
package content
