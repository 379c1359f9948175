package content

import (
	"strings"
	"testing"
)

func TestLength(t *testing.T) {
	long := "https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"
	tests := []struct {
		name string
		in   string
		want int
	}{
		{"empty", "", 0},
		{"blank", " \n\t\u3000", 0},
		{"ascii", "Hello world", 11},
		{"stripped", "  Hello \n\n", 5},
		{"code points", "日本語 é", 5},
		{"emoji", "🐘", 1},
		{"emoji with skin tone counts two code points", "👍🏽", 2},
		{"crlf is one", "a\r\nb", 3},
		{"long url", long, 23},
		{"short url", "https://a.co", 23},
		{"url with text", "see " + long + ".", 4 + 23 + 1},
		{"two urls", "https://a.co https://b.co/x", 23 + 1 + 23},
		{"url without scheme counts in full", "example.com", 11},
		{"local mention", "@alice hi", 9},
		{"remote mention counts username only", "@alice@mastodon.social hi", 9},
		{"unknown remote mention too", "@zed@nowhere.example", 4},
		{"email counts in full", "foo@bar.com", 11},
		{"mention inside url", "https://example.com/@alice@example.com", 23},
		{"hashtag counts in full", "#café", 5},
		{"fixture status", "\"I lost my inheritance with one wrong digit on my sort code\"\n\n" + long, 60 + 2 + 23},
		{"five hundred", strings.Repeat("a", 500), 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Length(tt.in); got != tt.want {
				t.Errorf("Length(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}
