package store

import (
	"strings"
	"time"
	"unicode"
)

// ParseSearchQuery reads a search as Mastodon 4.2 does: words, "quoted
// phrases", -word and -"phrase" to exclude, and the operators from:handle,
// has:media|poll|link, is:reply|sensitive, language:xx and
// before:/after:/during:YYYY-MM-DD (days in UTC; after: means after that
// day, during: within it). An unknown operator or an unreadable value is read
// as plain words, so nothing typed is lost.
func ParseSearchQuery(s string) SearchQuery {
	var q SearchQuery
	var words []string
	for _, tok := range splitSearch(s) {
		if tok.quoted {
			if tok.text == "" {
				continue
			}
			if tok.negated {
				q.Exclude = append(q.Exclude, tok.text)
			} else {
				q.Phrases = append(q.Phrases, tok.text)
			}
			continue
		}
		if tok.negated {
			if tok.text != "" {
				q.Exclude = append(q.Exclude, tok.text)
			}
			continue
		}
		if op, val, ok := strings.Cut(tok.text, ":"); ok && val != "" && q.operator(strings.ToLower(op), val) {
			continue
		}
		words = append(words, tok.text)
	}
	q.Text = strings.Join(words, " ")
	return q
}

// operator applies op:val to q and reports whether it was one it knows.
func (q *SearchQuery) operator(op, val string) bool {
	lower := strings.ToLower(val)
	switch op {
	case "from":
		q.From = strings.TrimPrefix(val, "@")
		return q.From != ""
	case "has":
		switch lower {
		case "media":
			q.HasMedia = true
		case "poll":
			q.HasPoll = true
		case "link":
			q.HasLink = true
		default:
			return false
		}
		return true
	case "is":
		switch lower {
		case "reply":
			q.IsReply = true
		case "sensitive":
			q.Sensitive = true
		default:
			return false
		}
		return true
	case "language":
		q.Language = lower
		return true
	case "before", "after", "during":
		day, err := time.Parse(time.DateOnly, val)
		if err != nil {
			return false
		}
		next := day.AddDate(0, 0, 1)
		switch op {
		case "before":
			q.Before = day
		case "after":
			q.After = next
		case "during":
			q.After, q.Before = day, next
		}
		return true
	}
	return false
}

type searchToken struct {
	text    string
	quoted  bool
	negated bool
}

// splitSearch cuts s at spaces outside double quotes; a leading '-' negates a
// word or a quoted phrase. An unclosed quote runs to the end.
func splitSearch(s string) []searchToken {
	var toks []searchToken
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		var t searchToken
		if rs[i] == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) {
			t.negated = true
			i++
		}
		if rs[i] == '"' || rs[i] == '“' {
			t.quoted = true
			j := i + 1
			for j < len(rs) && rs[j] != '"' && rs[j] != '”' {
				j++
			}
			t.text = strings.TrimSpace(string(rs[i+1 : j]))
			i = j + 1
		} else {
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) {
				j++
			}
			t.text = string(rs[i:j])
			i = j
		}
		toks = append(toks, t)
	}
	return toks
}
