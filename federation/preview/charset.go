package preview

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// encoding is how the bytes of a page are turned into UTF-8 text. Roost
// decodes only UTF-8 and windows-1252 (which the HTML standard uses for
// every ISO-8859-1 and ASCII label) itself, to keep golang.org/x/text out
// of the binary.
type encoding int

const (
	// encGuess: nothing declared; text that is not valid UTF-8 is read as
	// windows-1252, the web's historical default.
	encGuess encoding = iota
	// encUTF8: declared UTF-8; invalid bytes become U+FFFD.
	encUTF8
	// enc1252: declared windows-1252 or a label the standard maps to it;
	// the whole stream is transcoded before parsing.
	enc1252
	// encOther: some other charset; text that is not valid UTF-8 (that is,
	// anything but ASCII, in practice) is dropped rather than shown garbled.
	encOther
	// encUnparsable: UTF-16 and the like, which the tokenizer cannot read.
	encUnparsable
)

// prescanLen is how much of a page is searched for a <meta charset>, as in
// the HTML standard's prescan.
const prescanLen = 1024

// detectEncoding decides a page's encoding from its Content-Type header and,
// when that has no charset, from a byte order mark or a <meta> declaration in
// head (the first bytes of the page).
func detectEncoding(contentType string, head []byte) encoding {
	switch {
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		return encUTF8
	case bytes.HasPrefix(head, []byte("\xFE\xFF")), bytes.HasPrefix(head, []byte("\xFF\xFE")):
		return encUnparsable
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil && params["charset"] != "" {
		return encodingOf(params["charset"])
	}
	return encodingOf(metaCharset(head))
}

// metaCharset returns the charset declared by a <meta charset> or <meta
// http-equiv="Content-Type" content="…; charset=…"> in head, or "".
func metaCharset(head []byte) string {
	z := html.NewTokenizer(bytes.NewReader(head))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "meta" || !hasAttr {
				continue
			}
			var charset, content string
			var httpEquiv bool
			for more := true; more; {
				var k, v []byte
				k, v, more = z.TagAttr()
				switch string(k) {
				case "charset":
					charset = string(v)
				case "http-equiv":
					httpEquiv = strings.EqualFold(strings.TrimSpace(string(v)), "content-type")
				case "content":
					content = string(v)
				}
			}
			if charset != "" {
				return charset
			}
			if httpEquiv {
				if _, params, err := mime.ParseMediaType(content); err == nil && params["charset"] != "" {
					return params["charset"]
				}
			}
		}
	}
}

// encodingOf maps a charset label to an encoding.
func encodingOf(label string) encoding {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`)) {
	case "":
		return encGuess
	case "utf-8", "utf8", "unicode-1-1-utf-8":
		return encUTF8
	case "windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso_8859-1", "iso-ir-100",
		"latin1", "l1", "cp819", "ibm819", "csisolatin1", "us-ascii", "ascii", "ansi_x3.4-1968":
		return enc1252
	case "utf-16", "utf-16le", "utf-16be", "utf-32", "utf-32le", "utf-32be":
		return encUnparsable
	}
	return encOther
}

// cp1252High maps windows-1252 bytes 0x80–0x9F to runes; the other bytes
// are the Latin-1 code point of the same number. Undefined ones stay C1
// controls, which cleanText turns into spaces.
var cp1252High = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

func decode1252(b byte) rune {
	if b >= 0x80 && b <= 0x9F {
		return cp1252High[b-0x80]
	}
	return rune(b)
}

// from1252 decodes a windows-1252 string.
func from1252(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		b.WriteRune(decode1252(s[i]))
	}
	return b.String()
}

// reader1252 transcodes a windows-1252 stream to UTF-8.
type reader1252 struct {
	r       io.Reader
	in      []byte
	pending []byte
	err     error
}

func (d *reader1252) Read(p []byte) (int, error) {
	for len(d.pending) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		if d.in == nil {
			d.in = make([]byte, 4096)
		}
		n, err := d.r.Read(d.in)
		d.pending = d.pending[:0]
		for _, b := range d.in[:n] {
			d.pending = utf8.AppendRune(d.pending, decode1252(b))
		}
		d.err = err
	}
	n := copy(p, d.pending)
	d.pending = d.pending[n:]
	return n, nil
}

// toUTF8 makes s valid UTF-8 as the page's encoding says; ok is false when
// s cannot be decoded and must be dropped.
func (e encoding) toUTF8(s string) (string, bool) {
	if utf8.ValidString(s) {
		return s, true
	}
	switch e {
	case encGuess:
		return from1252(s), true
	case encUTF8, enc1252:
		return strings.ToValidUTF8(s, "\uFFFD"), true
	}
	return "", false
}
