package activity

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// The functions below read one JSON value each and never fail: a value of a
// shape they do not expect gives the zero value. They run on text that
// json.Valid has accepted (Decode and the UnmarshalJSON methods check it
// once, at the top), so they only scan, never validate; on invalid text
// they still terminate and never index out of range.

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the value starting at or after i.
func skipValue(b []byte, i int) int {
	i = skipSpace(b, i)
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = skipString(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	for j := i; j < len(b); j++ {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return j
		}
	}
	return len(b)
}

// eachMember calls fn with the raw (quoted) key and the value of every
// member of the object b, in order. It does nothing when b is not an object.
func eachMember(b []byte, fn func(key, val []byte)) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return
	}
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] == '}' {
			return
		}
		if b[i] == ',' {
			i++
			continue
		}
		if b[i] != '"' {
			return
		}
		ks := i
		i = skipString(b, i)
		key := b[ks:i]
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			return
		}
		vs := skipSpace(b, i+1)
		i = skipValue(b, vs)
		if i <= vs {
			return
		}
		fn(key, b[vs:i])
	}
}

// eachElement calls fn with every element of the array b. It does nothing
// when b is not an array.
func eachElement(b []byte, fn func(val []byte)) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return
	}
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] == ']' {
			return
		}
		if b[i] == ',' {
			i++
			continue
		}
		vs := i
		i = skipValue(b, vs)
		if i <= vs {
			return
		}
		fn(b[vs:i])
	}
}

// elements returns the elements of an array, or b itself when it is a
// single value; nothing for null.
func elements(b []byte) [][]byte {
	switch kind(b) {
	case '[':
		var out [][]byte
		eachElement(b, func(v []byte) { out = append(out, v) })
		return out
	case 0, 'n':
		return nil
	}
	return [][]byte{b}
}

// keyName returns the text of a quoted key; keys with escapes are rare and
// decoded properly.
func keyName(k []byte) string {
	if len(k) >= 2 && bytes.IndexByte(k, '\\') < 0 {
		return string(k[1 : len(k)-1])
	}
	return parseString(k)
}

// kind returns the first byte of a JSON value: '"', '{', '[', 'n', 't', 'f'
// or a digit or '-'. It is 0 for empty input.
func kind(b []byte) byte {
	i := skipSpace(b, 0)
	if i >= len(b) {
		return 0
	}
	return b[i]
}

// isNumber reports whether c starts a JSON number.
func isNumber(c byte) bool { return c == '-' || (c >= '0' && c <= '9') }

// parseString returns the text of a JSON string, or "" for anything else.
// Invalid UTF-8 becomes U+FFFD, as encoding/json does.
func parseString(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return ""
	}
	inner := b[1 : len(b)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	return unquote(inner)
}

// unquote decodes the inside of a JSON string as encoding/json does:
// escapes, surrogate pairs (a lone surrogate becomes U+FFFD) and invalid
// UTF-8 (each bad byte becomes U+FFFD). A malformed escape ends the string.
func unquote(s []byte) string {
	buf := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return string(buf)
			}
			e := s[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hex4(s, i)
				if !ok {
					return string(buf)
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2, ok := rune(-1), false
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2, ok = hex4(s, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return string(buf)
			}
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			buf = utf8.AppendRune(buf, r) // RuneError for a bad byte
			i += size
		}
	}
	return string(buf)
}

// hex4 reads the four hex digits of a \u escape at s[i:].
func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}

// str reads a string property. Numbers keep their literal text (some
// servers send names and values as numbers); other shapes are "".
func str(b []byte) string {
	switch c := kind(b); {
	case c == '"':
		return parseString(b)
	case isNumber(c):
		return string(bytes.TrimSpace(b))
	}
	return ""
}

// id reads a property whose value is an id: a string, an object whose id
// (or, for a Link, href) is taken, or an array whose first usable element
// is.
func id(b []byte) string {
	switch kind(b) {
	case '"':
		return parseString(b)
	case '{':
		var id, href string
		eachMember(b, func(k, v []byte) {
			switch keyName(k) {
			case "id":
				id = str(v)
			case "href":
				href = str(v)
			}
		})
		if id != "" {
			return id
		}
		return href
	case '[':
		var first string
		eachElement(b, func(v []byte) {
			if first == "" && kind(v) != '[' {
				first = id(v)
			}
		})
		return first
	}
	return ""
}

// ids reads a single-or-array list of ids (to, cc, alsoKnownAs, type).
// Empty strings, nested arrays and elements without an id are dropped; an
// empty list is nil.
func ids(b []byte) []string {
	var out []string
	for _, e := range elements(b) {
		if kind(e) == '[' {
			continue
		}
		if s := id(e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// boolean reads a boolean that may also come as "true"/"false" (any case),
// 1/0 or null.
func boolean(b []byte) bool {
	switch c := kind(b); {
	case c == 't':
		return true
	case c == '"':
		s := strings.TrimSpace(parseString(b))
		return strings.EqualFold(s, "true") || s == "1"
	case isNumber(c):
		f, ok := parseFloat(string(bytes.TrimSpace(b)))
		return ok && f != 0
	}
	return false
}

// integer reads a count or a size: a number (fractions truncated) or a
// numeric string; anything else, and numbers beyond ±2^53, are 0.
func integer(b []byte) int {
	var s string
	switch c := kind(b); {
	case c == '"':
		s = strings.TrimSpace(parseString(b))
	case isNumber(c):
		s = string(bytes.TrimSpace(b))
	default:
		return 0
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > 1<<53 || n < -(1<<53) {
			return 0
		}
		return int(n)
	}
	if f, ok := parseFloat(s); ok && math.Abs(f) <= 1<<53 {
		return int(f)
	}
	return 0
}

// parseFloat parses a finite number.
func parseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// point reads Mastodon's focalPoint: an array of two numbers (strings are
// tolerated; more elements are ignored). Anything else is nil.
func point(b []byte) *[2]float64 {
	var p [2]float64
	n, ok := 0, true
	eachElement(b, func(v []byte) {
		if n >= 2 || !ok {
			return
		}
		s := string(bytes.TrimSpace(v))
		if kind(v) == '"' {
			s = strings.TrimSpace(parseString(v))
		}
		p[n], ok = parseFloat(s)
		n++
	})
	if n < 2 || !ok {
		return nil
	}
	return &p
}

// langMap reads a language map (contentMap, nameMap, summaryMap): the
// string values of an object; empty maps are nil.
func langMap(b []byte) map[string]string {
	var m map[string]string
	eachMember(b, func(k, v []byte) {
		if kind(v) != '"' {
			return
		}
		if m == nil {
			m = make(map[string]string, 2)
		}
		m[keyName(k)] = parseString(v)
	})
	return m
}

// timestamp reads a timestamp string; see parseTime.
func timestamp(b []byte) time.Time {
	if kind(b) != '"' {
		return time.Time{}
	}
	return parseTime(parseString(b))
}

// timeLayouts are tried in order after normalisation. time.RFC3339 accepts a
// fraction of any length even though the layout has none.
var timeLayouts = []string{
	time.RFC3339,                // 2006-01-02T15:04:05Z, +02:00, .123456
	"2006-01-02T15:04:05Z0700",  // +0000 without a colon (Pixelfed)
	"2006-01-02T15:04:05Z07",    // +02
	"2006-01-02T15:04:05",       // no zone at all (Pleroma's closed): UTC
	"2006-01-02T15:04Z07:00",    // no seconds
	"2006-01-02T15:04",          // no seconds, no zone
	"2006-01-02",                // a date
	time.RFC1123Z, time.RFC1123, // HTTP dates, seen in old software
}

// parseTime reads the timestamp variations servers send and returns it in
// UTC, or the zero time when it cannot be read or lies outside years
// 1–9999 (which encoding/json could not write back).
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if len(s) < 10 || len(s) > 64 {
		return time.Time{}
	}
	if s[4] == '-' { // ISO 8601: accept a space or "t" before the time, "z"
		if len(s) > 10 && (s[10] == ' ' || s[10] == 't') {
			s = s[:10] + "T" + s[11:]
		}
		if strings.HasSuffix(s, "z") {
			s = s[:len(s)-1] + "Z"
		}
	}
	for _, layout := range timeLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		t = t.UTC()
		if y := t.Year(); y < 1 || y > 9999 {
			return time.Time{}
		}
		return t
	}
	return time.Time{}
}

// pick returns s, or when it is empty the non-empty value of m whose key
// sorts first.
func pick(s string, m map[string]string) string {
	if s != "" || len(m) == 0 {
		return s
	}
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if v != "" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return ""
	}
	slices.Sort(keys)
	return m[keys[0]]
}
