package content

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file finds URLs, mentions and hashtags in plain text the way
// Mastodon's Extractor does (twitter-text's URL rules with Mastodon's
// overrides from config/initializers/twitter_regex.rb, Account::MENTION_RE and
// Tag::HASHTAG_RE). The regular expressions are written out as small
// scanners, as Go's regexp has neither look-behind nor the backtracking the
// Ruby patterns rely on; the comments give the pattern each one follows.

// entityKind says what an entity is.
type entityKind uint8

const (
	entityURL entityKind = iota + 1
	entityMention
	entityHashtag
)

// entity is one URL, mention or hashtag found in a text, as byte offsets
// [start, end) into it.
type entity struct {
	kind       entityKind
	start, end int
	// url is the link for entityURL.
	url string
	// username and domain are the parts of an entityMention; domain is "" for
	// a bare @user.
	username, domain string
	// tag is the hashtag name as typed, without '#', for entityHashtag.
	tag string
}

// extract returns the entities of text in order, dropping any that overlap an
// earlier one (twitter-text's remove_overlapping_entities: the entity that
// starts first wins). Hashtags are only looked for when withTags is set, as
// the length count ignores them.
func extract(text string, withTags bool) []entity {
	var ents []entity
	if strings.Contains(text, "://") {
		ents = extractURLs(text, ents)
	}
	if strings.IndexByte(text, '@') >= 0 {
		ents = extractMentions(text, ents)
	}
	if withTags && (strings.IndexByte(text, '#') >= 0 || strings.Contains(text, "＃")) {
		ents = extractHashtags(text, ents)
	}
	if len(ents) < 2 {
		return ents
	}
	slices.SortFunc(ents, func(a, b entity) int { return a.start - b.start })
	kept := ents[:0]
	end := 0
	for _, e := range ents {
		if e.start < end {
			continue
		}
		kept = append(kept, e)
		end = e.end
	}
	return kept
}

// isWord reports whether r is in Ruby's Unicode [[:word:]] class: letters,
// marks, decimal digits and connector punctuation such as '_'.
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Pc, r)
}

// isAlpha reports whether r is in Ruby's Unicode [[:alpha:]] class (the
// Alphabetic property).
func isAlpha(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_Alphabetic, r)
}

// isAlnum reports whether r is in Ruby's Unicode [[:alnum:]] class.
func isAlnum(r rune) bool {
	return isAlpha(r) || unicode.Is(unicode.Nd, r)
}

// lastRune returns the rune that ends text[:i], or -1 at the start.
func lastRune(text string, i int) rune {
	if i == 0 {
		return -1
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return r
}

// ---- URLs ----

// extractURLs appends the http and https URLs of text to ents. URLs without a
// scheme are not linked, as Mastodon passes extract_url_without_protocol:
// false.
func extractURLs(text string, ents []entity) []entity {
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], "://")
		if j < 0 {
			break
		}
		colon := i + j
		start := -1
		switch {
		case colon >= 5 && strings.EqualFold(text[colon-5:colon], "https"):
			start = colon - 5
		case colon >= 4 && strings.EqualFold(text[colon-4:colon], "http"):
			start = colon - 4
		}
		if start < 0 || !urlMayFollow(lastRune(text, start)) {
			i = colon + 3
			continue
		}
		end := matchURLRest(text, colon+3)
		if end < 0 {
			i = colon + 3
			continue
		}
		ents = append(ents, entity{kind: entityURL, start: start, end: end, url: text[start:end]})
		i = end
	}
	return ents
}

// urlMayFollow reports whether a URL may start right after r
// (twitter-text's valid_url_preceding_chars); r is -1 at the start of text.
func urlMayFollow(r rune) bool {
	switch {
	case r < 0:
		return true
	case r < utf8.RuneSelf:
		return !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r == '@' || r == '$' || r == '#')
	default:
		return r != '＠' && r != '＃' && !isInvalidChar(r)
	}
}

// isInvalidChar reports twitter-text's INVALID_CHARACTERS: byte order marks,
// non-characters and the bidirectional embedding controls.
func isInvalidChar(r rune) bool {
	return r == 0xFFFE || r == 0xFEFF || r == 0xFFFF || 0x202A <= r && r <= 0x202E
}

// matchURLRest matches the domain, port, path and query of a URL whose
// "scheme://" ends at i. It returns the end of the URL, or -1 when there is no
// valid domain.
func matchURLRest(text string, i int) int {
	d := matchDomain(text[i:])
	if d < 0 {
		return -1
	}
	end := i + d
	// Port.
	if end+1 < len(text) && text[end] == ':' && isDigit(text[end+1]) {
		end += 2
		for end < len(text) && isDigit(text[end]) {
			end++
		}
	}
	// Path: '/' then path chars with at most one nested level of balanced
	// parentheses, ending on a char that is not trailing punctuation.
	if end < len(text) && text[end] == '/' {
		end = matchPath(text, end+1)
	}
	// Query: '?' then query chars, ending on a query-ending char.
	if end < len(text) && text[end] == '?' {
		last := -1
		for p := end + 1; p < len(text); {
			r, n := utf8.DecodeRuneInString(text[p:])
			if !isQueryChar(r) {
				break
			}
			p += n
			if isQueryEndChar(r) {
				last = p
			}
		}
		if last > 0 {
			end = last
		}
	}
	return end
}

// isDigit reports whether b is an ASCII digit.
func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// isDomainChar reports twitter-text's DOMAIN_VALID_CHARS: anything but ASCII
// punctuation, spaces, control and invalid characters.
func isDomainChar(r rune) bool {
	if r < utf8.RuneSelf {
		return '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	return r != utf8.RuneError && !unicode.IsSpace(r) && !unicode.IsControl(r) && !isInvalidChar(r)
}

// matchDomain returns the length of the host name at the start of s, or -1.
// A host is dot-separated labels ending in a top-level domain of letters
// (or xn-- punycode) that is not followed by a letter, digit or '@'. Unlike
// twitter-text, any such top-level domain is accepted, not only those on its
// list, and "localhost" is accepted for local testing.
func matchDomain(s string) int {
	// tlds holds the offsets right after each "label." — the places a
	// top-level domain may start.
	var tlds [8]int
	tldStarts := tlds[:0]
	p := 0
	for {
		q, lastValid := p, -1
		for q < len(s) {
			r, n := utf8.DecodeRuneInString(s[q:])
			if r == '-' || r == '_' {
				q += n
				continue
			}
			if !isDomainChar(r) {
				break
			}
			q += n
			lastValid = q
		}
		if lastValid != q || q == p || q >= len(s) || s[q] != '.' {
			break
		}
		p = q + 1
		tldStarts = append(tldStarts, p)
	}
	// The regexp's greedy subdomain* tries the longest host first.
	for k := len(tldStarts) - 1; k >= 0; k-- {
		if n := matchTLD(s[tldStarts[k]:]); n > 0 {
			return tldStarts[k] + n
		}
	}
	if len(s) >= 9 && strings.EqualFold(s[:9], "localhost") && tldMayEnd(s[9:]) {
		return 9
	}
	return -1
}

// matchTLD returns the length of the top-level domain at the start of s, or 0.
func matchTLD(s string) int {
	n := 0
	if len(s) > 4 && strings.EqualFold(s[:4], "xn--") {
		n = 4
		for n < len(s) && (isDigit(s[n]) || s[n] == '-' || 'a' <= s[n]|0x20 && s[n]|0x20 <= 'z') {
			n++
		}
		if n == 4 {
			return 0
		}
	} else {
		runes := 0
		for n < len(s) {
			r, size := utf8.DecodeRuneInString(s[n:])
			if !(unicode.IsLetter(r) || runes > 0 && unicode.IsMark(r)) {
				break
			}
			n += size
			runes++
		}
		if runes < 2 {
			return 0
		}
	}
	if !tldMayEnd(s[n:]) {
		return 0
	}
	return n
}

// tldMayEnd reports whether a top-level domain may end before rest: at the
// end of text or before anything but a letter, digit or '@'.
func tldMayEnd(rest string) bool {
	if rest == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return !isAlnum(r) && r != '@' && r != '＠'
}

// isPathChar is Mastodon's valid_general_url_path_chars.
func isPathChar(r rune) bool {
	switch r {
	case '<', '>', '(', ')', '?':
		return false
	}
	return r != utf8.RuneError && !unicode.Is(unicode.White_Space, r)
}

// isPathEndChar is Mastodon's valid_url_path_ending_chars, less the balanced
// parentheses handled by matchParens: what a URL path may end on, so that
// trailing punctuation is left out of the link.
func isPathEndChar(r rune) bool {
	switch r {
	case '!', '*', '"', '\'', '「', '」', ';', ':', '=', ',', '.', '$', '%', '[', ']', '~', '&', '|', '@':
		return false
	}
	return isPathChar(r)
}

// matchPath returns the end of the URL path whose characters start at i,
// just after its first '/'.
func matchPath(text string, i int) int {
	end := i
	for p := i; p < len(text); {
		r, n := utf8.DecodeRuneInString(text[p:])
		if r == '(' {
			m := matchParens(text, p)
			if m < 0 {
				break
			}
			p, end = m, m
			continue
		}
		if !isPathChar(r) {
			break
		}
		p += n
		if isPathEndChar(r) {
			end = p
		}
	}
	return end
}

// matchParens matches Mastodon's valid_url_balanced_parens at text[i] == '(':
// parentheses around path chars, with at most one nested pair. It returns the
// offset after the closing parenthesis, or -1.
func matchParens(text string, i int) int {
	p := i + 1
	run := func() int { // skips path chars, returns how many
		c := 0
		for p < len(text) {
			r, n := utf8.DecodeRuneInString(text[p:])
			if !isPathChar(r) {
				break
			}
			p += n
			c++
		}
		return c
	}
	outer := run()
	if p >= len(text) {
		return -1
	}
	switch text[p] {
	case ')':
		if outer == 0 {
			return -1
		}
		return p + 1
	case '(':
		p++
		if run() == 0 || p >= len(text) || text[p] != ')' {
			return -1
		}
		p++
		run()
		if p >= len(text) || text[p] != ')' {
			return -1
		}
		return p + 1
	}
	return -1
}

// isQueryChar is Mastodon's valid_url_query_chars.
func isQueryChar(r rune) bool {
	if r < utf8.RuneSelf {
		return '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' ||
			strings.ContainsRune("!?*'();:&=+$/%#[]-_.,~|@^", r)
	}
	return isUChar(r)
}

// isQueryEndChar is Mastodon's valid_url_query_ending_chars.
func isQueryEndChar(r rune) bool {
	if r < utf8.RuneSelf {
		return '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' ||
			strings.ContainsRune("_&=#/-", r)
	}
	return isUChar(r)
}

// isUChar reports the non-ASCII characters Mastodon's UCHARS admits in a
// query string.
func isUChar(r rune) bool {
	switch {
	case r < 0xA0, r == utf8.RuneError:
		return false
	case 0xD800 <= r && r <= 0xF8FF:
		return r >= 0xE000 // private use yes, surrogates no
	case 0xFDD0 <= r && r <= 0xFDEF, 0xFFF0 <= r && r <= 0xFFFF:
		return false
	case r&0xFFFE == 0xFFFE:
		return false
	case 0xE0000 <= r && r <= 0xE0FFF:
		return false
	}
	return true
}

// ---- Mentions ----

// extractMentions appends the mentions of text to ents, following
// Account::MENTION_RE:
//
//	(?<![=/[:word:]])@(([a-z0-9_]+([.-]+[a-z0-9_]+)*)(?:@[[:word:]]+([.-]+[[:word:]]+)*)?)
//
// and rejecting, like twitter-text, a match followed by another '@', a Latin
// accented letter or "://". Unlike Mastodon, a domain may carry a ":port", so
// that instances on localhost:3000 can mention each other.
func extractMentions(text string, ents []entity) []entity {
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], '@')
		if j < 0 {
			break
		}
		at := i + j
		i = at + 1
		if prev := lastRune(text, at); prev == '=' || prev == '/' || prev >= 0 && isWord(prev) {
			continue
		}
		userEnd := matchUsername(text, at+1)
		if userEnd < 0 {
			continue
		}
		end, domain := userEnd, ""
		if userEnd < len(text) && text[userEnd] == '@' {
			if d := matchMentionDomain(text, userEnd+1); d > 0 {
				end = d
				domain = text[userEnd+1 : d]
			}
		}
		i = end // Ruby's scan goes on after the match, even a rejected one
		if mentionMayNotEnd(text[end:]) {
			continue
		}
		ents = append(ents, entity{kind: entityMention, start: at, end: end, username: text[at+1 : userEnd], domain: domain})
	}
	return ents
}

// isUsernameChar reports the characters of Mastodon's USERNAME_RE words.
func isUsernameChar(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// matchUsername matches [a-z0-9_]+([.-]+[a-z0-9_]+)* at i and returns its end,
// or -1.
func matchUsername(text string, i int) int {
	p := i
	for p < len(text) && isUsernameChar(text[p]) {
		p++
	}
	if p == i {
		return -1
	}
	end := p
	for {
		q := end
		for q < len(text) && (text[q] == '.' || text[q] == '-') {
			q++
		}
		if q == end || q >= len(text) || !isUsernameChar(text[q]) {
			return end
		}
		for q < len(text) && isUsernameChar(text[q]) {
			q++
		}
		end = q
	}
}

// matchMentionDomain matches [[:word:]]+([.-]+[[:word:]]+)*(:[0-9]+)? at i
// and returns its end, or -1.
func matchMentionDomain(text string, i int) int {
	word := func(p int) int {
		q := p
		for q < len(text) {
			r, n := utf8.DecodeRuneInString(text[q:])
			if !isWord(r) {
				break
			}
			q += n
		}
		return q
	}
	end := word(i)
	if end == i {
		return -1
	}
	for {
		q := end
		for q < len(text) && (text[q] == '.' || text[q] == '-') {
			q++
		}
		if q == end {
			break
		}
		w := word(q)
		if w == q {
			break
		}
		end = w
	}
	if end+1 < len(text) && text[end] == ':' && isDigit(text[end+1]) {
		end += 2
		for end < len(text) && isDigit(text[end]) {
			end++
		}
	}
	return end
}

// mentionMayNotEnd is twitter-text's end_mention_match: a mention may not be
// followed by another at sign, a Latin accented letter or "://".
func mentionMayNotEnd(rest string) bool {
	if rest == "" {
		return false
	}
	if strings.HasPrefix(rest, "://") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return r == '@' || r == '＠' || isLatinAccent(r)
}

// isLatinAccent is twitter-text's latin_accents class.
func isLatinAccent(r rune) bool {
	switch {
	case 0xC0 <= r && r <= 0xD6, 0xD8 <= r && r <= 0xF6, 0xF8 <= r && r <= 0x24F:
		return true
	case 0x300 <= r && r <= 0x36F, 0x1E00 <= r && r <= 0x1EFF:
		return true
	}
	switch r {
	case 0x253, 0x254, 0x256, 0x257, 0x259, 0x25B, 0x263, 0x268, 0x26F, 0x272, 0x289, 0x28B, 0x2BB:
		return true
	}
	return false
}

// ---- Hashtags ----

// isTagSeparator reports Mastodon's HASHTAG_SEPARATORS, allowed inside (not at
// either end of) a hashtag: '_', middle dot, katakana middle dot and ZWNJ.
func isTagSeparator(r rune) bool {
	return r == '_' || r == '\u00B7' || r == '\u30FB' || r == '\u200C'
}

// extractHashtags appends the hashtags of text to ents. Names follow
// Mastodon's HASHTAG_NAME_PAT. A '#' (or full-width '＃') starts a tag at the
// start of text or after anything but a word character, '/' or ')' — the
// rule of Mastodon 4.0–4.2, which also links "(#tag)"; Mastodon 4.3 and later
// want whitespace before the '#'.
func extractHashtags(text string, ents []entity) []entity {
	for i := 0; i < len(text); {
		var hash, name int
		j := strings.IndexAny(text[i:], "#＃")
		if j < 0 {
			break
		}
		hash = i + j
		if text[hash] == '#' {
			name = hash + 1
		} else {
			name = hash + len("＃")
		}
		i = name
		if prev := lastRune(text, hash); prev == '/' || prev == ')' || prev >= 0 && isWord(prev) {
			continue
		}
		end := matchTagName(text, name)
		if end < 0 {
			continue
		}
		tag := text[name:end]
		// "#foohttps://…": the scheme is not part of the tag.
		if strings.HasPrefix(text[end:], "://") {
			cut := -1
			if strings.HasSuffix(tag, "https") {
				cut = len(tag) - 5
			} else if strings.HasSuffix(tag, "http") {
				cut = len(tag) - 4
			}
			if cut > 0 {
				if matchTagName(tag[:cut], 0) != cut {
					continue
				}
				tag, end = tag[:cut], name+cut
			}
		}
		ents = append(ents, entity{kind: entityHashtag, start: hash, end: end, tag: tag})
		i = end
	}
	return ents
}

// matchTagName matches Mastodon's HASHTAG_NAME_PAT at i and returns its end,
// or -1. The pattern is
//
//	FIRST: [[:word:]][[:word:]SEP]*[[:alpha:]SEP][[:word:]SEP]*[[:word:]]
//	LAST:  [[:word:]]*[[:alpha:]][[:word:]]*
//
// tried in that order: a name of word characters and separators that starts
// and ends with a word character and has a letter or separator inside, or
// else a run of word characters with a letter in it.
func matchTagName(text string, i int) int {
	if end := matchFirstSequence(text, i); end > 0 {
		return end
	}
	p, alpha := i, false
	for p < len(text) {
		r, n := utf8.DecodeRuneInString(text[p:])
		if !isWord(r) {
			break
		}
		alpha = alpha || isAlpha(r)
		p += n
	}
	if alpha {
		return p
	}
	return -1
}

// matchFirstSequence matches the FIRST alternative of matchTagName. Its
// greedy stars make the match end on the last word rune of the run of word
// and separator runes, provided a letter or separator comes strictly between
// the first rune and that last word rune.
func matchFirstSequence(text string, i int) int {
	if i >= len(text) {
		return -1
	}
	if r, _ := utf8.DecodeRuneInString(text[i:]); !isWord(r) {
		return -1
	}
	firstInner, lastWordIdx, lastWordEnd := -1, -1, -1
	for p, k := i, 0; p < len(text); k++ {
		r, n := utf8.DecodeRuneInString(text[p:])
		w, sep := isWord(r), isTagSeparator(r)
		if !w && !sep {
			break
		}
		p += n
		if w {
			lastWordIdx, lastWordEnd = k, p
		}
		if k > 0 && firstInner < 0 && (sep || isAlpha(r)) {
			firstInner = k
		}
	}
	if firstInner > 0 && firstInner < lastWordIdx {
		return lastWordEnd
	}
	return -1
}
