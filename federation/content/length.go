package content

import "unicode/utf8"

// URLLength is what every URL counts for in Length, whatever its real length,
// as in Mastodon (configuration.statuses.characters_reserved_per_url).
const URLLength = 23

// Length returns the length of a status text as Mastodon's
// StatusLengthValidator counts it against the character limit: the text is
// stripped of surrounding ASCII whitespace, each http(s) URL counts as
// URLLength characters, a mention @user@domain counts as @user (resolved or
// not), and everything else counts one per Unicode code point, a CRLF line
// end as one. Blank text has length 0. A content warning is counted
// separately and added by the caller.
//
// Mastodon itself counts grapheme clusters rather than code points, so text
// with combining marks or emoji sequences counts higher here; Length never
// counts lower than Mastodon does.
func Length(text string) int {
	text = prepare(text)
	if isBlank(text) {
		return 0
	}
	n, pos := 0, 0
	for _, e := range extract(text, false) {
		n += utf8.RuneCountInString(text[pos:e.start])
		switch e.kind {
		case entityURL:
			n += URLLength
		case entityMention:
			n += 1 + len(e.username) // usernames are ASCII
		}
		pos = e.end
	}
	return n + utf8.RuneCountInString(text[pos:])
}
