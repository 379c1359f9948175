package mastodon

import (
	"slices"

	"github.com/roost-social/roost/store"
)

// Status is Mastodon's Status entity: a post, or a boost when Reblog is set.
type Status struct {
	ID                 string  `json:"id"`
	CreatedAt          Time    `json:"created_at"`
	InReplyToID        *string `json:"in_reply_to_id"`
	InReplyToAccountID *string `json:"in_reply_to_account_id"`
	Sensitive          bool    `json:"sensitive"`
	SpoilerText        string  `json:"spoiler_text"`
	Visibility         string  `json:"visibility"` // public, unlisted, private or direct
	Language           *string `json:"language"`
	URI                string  `json:"uri"`
	URL                *string `json:"url"`
	RepliesCount       int     `json:"replies_count"`
	ReblogsCount       int     `json:"reblogs_count"`
	FavouritesCount    int     `json:"favourites_count"`
	EditedAt           *Time   `json:"edited_at"`

	// What the viewer has done with the status; false for anonymous viewers
	// (Mastodon leaves these out for them; clients read both as false).
	Favourited bool `json:"favourited"`
	Reblogged  bool `json:"reblogged"`
	Muted      bool `json:"muted"`
	Bookmarked bool `json:"bookmarked"`
	// Pinned is set only on the viewer's own statuses that can be pinned
	// (not boosts, not direct), as Mastodon does.
	Pinned   *bool              `json:"pinned,omitempty"`
	Filtered List[FilterResult] `json:"filtered"`

	Content string `json:"content"` // HTML; "" for a boost
	// Text is the source text, sent only where Mastodon sends it (the
	// response to DELETE /api/v1/statuses/:id); converters leave it nil.
	Text *string `json:"text,omitempty"`

	Reblog           *Status               `json:"reblog"`
	Application      *Application          `json:"application"` // local statuses only
	Account          Account               `json:"account"`
	MediaAttachments List[MediaAttachment] `json:"media_attachments"`
	Mentions         List[StatusMention]   `json:"mentions"`
	Tags             List[Tag]             `json:"tags"`
	Emojis           List[Emoji]           `json:"emojis"`
	Card             *PreviewCard          `json:"card"`
	Poll             *Poll                 `json:"poll"`
}

// StatusMention is an account mentioned in a status (Status::Mention).
type StatusMention struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	URL      string `json:"url"`
	Acct     string `json:"acct"`
}

// Tag is a hashtag, in statuses and from the tag endpoints.
type Tag struct {
	Name    string           `json:"name"`
	URL     string           `json:"url"`
	History List[TagHistory] `json:"history"`
	// Following is whether the viewer follows the tag; only the tag
	// endpoints with a user set it.
	Following *bool `json:"following,omitempty"`
}

// TagHistory is a day of a tag's use; Mastodon sends the numbers as strings.
type TagHistory struct {
	Day      string `json:"day"` // Unix seconds of the day's midnight
	Uses     string `json:"uses"`
	Accounts string `json:"accounts"`
}

// Application is the app a status was posted with.
type Application struct {
	Name    string  `json:"name"`
	Website *string `json:"website"`
}

// StatusEdit is one version in a status's history
// (GET /api/v1/statuses/:id/history).
type StatusEdit struct {
	Content          string                `json:"content"`
	SpoilerText      string                `json:"spoiler_text"`
	Sensitive        bool                  `json:"sensitive"`
	CreatedAt        Time                  `json:"created_at"`
	Account          Account               `json:"account"`
	Poll             *StatusEditPoll       `json:"poll"`
	MediaAttachments List[MediaAttachment] `json:"media_attachments"`
	Emojis           List[Emoji]           `json:"emojis"`
}

// StatusEditPoll is the poll of a StatusEdit: its options' titles only.
type StatusEditPoll struct {
	Options List[StatusEditPollOption] `json:"options"`
}

// StatusEditPollOption is one option of a StatusEditPoll.
type StatusEditPollOption struct {
	Title string `json:"title"`
}

// StatusSource is a status's text as typed (GET /api/v1/statuses/:id/source).
type StatusSource struct {
	ID          string `json:"id"`
	Text        string `json:"text"`
	SpoilerText string `json:"spoiler_text"`
}

// Context is the thread around a status: ancestors oldest first,
// descendants in thread order.
type Context struct {
	Ancestors   List[Status] `json:"ancestors"`
	Descendants List[Status] `json:"descendants"`
}

// Status converts s for a viewer. in holds the viewer's interactions keyed by
// status ID (nil for an anonymous viewer) and viewerID is the viewer's
// account ID ("" when anonymous); pinned is reported only when the viewer
// wrote s. A boost converts with its hydrated Reblog as reblog (null if the
// store did not fill Reblog) and content "".
func (e *Env) Status(s *store.Status, in map[string]store.Interaction, viewerID string) Status {
	acc := s.Account
	if acc == nil {
		acc = &store.Account{ID: s.AccountID}
	}
	it := in[s.ID]
	st := Status{
		ID:                 s.ID,
		CreatedAt:          Time(s.CreatedAt),
		InReplyToID:        str(s.InReplyToID),
		InReplyToAccountID: str(s.InReplyToAccountID),
		Sensitive:          s.Sensitive,
		SpoilerText:        s.SpoilerText,
		Visibility:         s.Visibility,
		Language:           str(s.Language),
		URI:                s.URI,
		URL:                str(s.URL),
		RepliesCount:       s.RepliesCount,
		ReblogsCount:       s.ReblogsCount,
		FavouritesCount:    s.FavouritesCount,
		EditedAt:           timePtr(s.EditedAt),
		Favourited:         it.Favourited,
		Reblogged:          it.Reblogged,
		Muted:              it.Muted,
		Bookmarked:         it.Bookmarked,
		Content:            s.Content,
		Account:            e.Account(acc),
	}
	if st.Visibility == "" {
		st.Visibility = store.VisibilityPublic
	}
	// Local statuses get their addresses from their author's when the store
	// left them empty, as store.NewStatus documents; a boost's page is its
	// activity, as in Mastodon.
	if s.Local && acc.Username != "" {
		if st.URI == "" {
			st.URI = e.accountURI(acc) + "/statuses/" + s.ID
			if s.ReblogOfID != "" {
				st.URI += "/activity"
			}
		}
		if st.URL == nil {
			u := e.accountURL(acc) + "/" + s.ID
			if s.ReblogOfID != "" {
				u = st.URI
			}
			st.URL = &u
		}
	}
	if viewerID != "" && viewerID == s.AccountID && s.ReblogOfID == "" &&
		st.Visibility != store.VisibilityDirect {
		pinned := it.Pinned
		st.Pinned = &pinned
	}
	if s.ReblogOfID != "" {
		st.Content = ""
		if s.Reblog != nil {
			r := e.Status(s.Reblog, in, viewerID)
			st.Reblog = &r
		}
	}
	if s.Local && s.Application != nil {
		st.Application = &Application{Name: s.Application.Name, Website: str(s.Application.Website)}
	}
	if len(s.Mentions) > 0 {
		st.Mentions = make(List[StatusMention], len(s.Mentions))
		for i, m := range s.Mentions {
			st.Mentions[i] = e.mention(m)
		}
	}
	if len(s.Tags) > 0 {
		st.Tags = make(List[Tag], len(s.Tags))
		for i, name := range s.Tags {
			st.Tags[i] = Tag{Name: name, URL: e.tagURL(name)}
		}
	}
	if s.Poll != nil && s.ReblogOfID == "" {
		st.Poll = e.Poll(s.Poll, viewerID, s.AccountID)
	}
	if s.ReblogOfID == "" {
		st.MediaAttachments = e.MediaAttachments(s.Media)
		st.Card = e.Card(s.Card)
		st.Emojis = e.Emojis(s.Emojis)
	}
	return st
}

// mention converts m. A mention without a URL gets the local profile address,
// or for a remote account the Mastodon-style https://domain/@username.
func (e *Env) mention(m store.Mention) StatusMention {
	sm := StatusMention{ID: m.AccountID, Username: m.Username, URL: m.URL, Acct: m.Username}
	if m.Domain != "" {
		sm.Acct = m.Username + "@" + m.Domain
	}
	if sm.URL == "" {
		if m.Domain == "" {
			sm.URL = e.base() + "/@" + m.Username
		} else {
			sm.URL = "https://" + m.Domain + "/@" + m.Username
		}
	}
	return sm
}

// Statuses converts ss in order for one viewer, as Status does; the result
// is never nil.
func (e *Env) Statuses(ss []*store.Status, in map[string]store.Interaction, viewerID string) []Status {
	out := make([]Status, len(ss))
	for i, s := range ss {
		out[i] = e.Status(s, in, viewerID)
	}
	return out
}

// Context converts a thread for one viewer, as Status does.
func (e *Env) Context(ancestors, descendants []*store.Status, in map[string]store.Interaction, viewerID string) Context {
	return Context{
		Ancestors:   e.Statuses(ancestors, in, viewerID),
		Descendants: e.Statuses(descendants, in, viewerID),
	}
}

// StatusEdits converts the history of s, oldest version first, ending with
// the current one as Mastodon does. edits are the earlier versions as the
// store keeps them, in any order; the current version is built from s
// (dated s.EditedAt, or s.CreatedAt if never edited) unless the newest edit
// already is it. A status never edited has a history of one.
func (e *Env) StatusEdits(s *store.Status, edits []store.StatusEdit) []StatusEdit {
	acc := s.Account
	if acc == nil {
		acc = &store.Account{ID: s.AccountID}
	}
	account := e.Account(acc)
	sorted := slices.Clone(edits)
	slices.SortStableFunc(sorted, func(a, b store.StatusEdit) int { return a.CreatedAt.Compare(b.CreatedAt) })

	current := s.CreatedAt
	if s.EditedAt != nil {
		current = *s.EditedAt
	}
	out := make([]StatusEdit, 0, len(sorted)+1)
	for _, ed := range sorted {
		out = append(out, StatusEdit{
			Content:          ed.Content,
			SpoilerText:      ed.SpoilerText,
			Sensitive:        ed.Sensitive,
			CreatedAt:        Time(ed.CreatedAt),
			Account:          account,
			MediaAttachments: e.MediaAttachments(ed.Media),
		})
	}
	if n := len(sorted); n == 0 || !sorted[n-1].CreatedAt.Equal(current) {
		out = append(out, StatusEdit{
			Content:          s.Content,
			SpoilerText:      s.SpoilerText,
			Sensitive:        s.Sensitive,
			CreatedAt:        Time(current),
			Account:          account,
			MediaAttachments: e.MediaAttachments(s.Media),
		})
	}
	emojis := e.Emojis(s.Emojis)
	for i := range out {
		out[i].Emojis = emojis
	}
	// A poll cannot be changed by an edit, so every version has it.
	if s.Poll != nil {
		opts := make(List[StatusEditPollOption], len(s.Poll.Options))
		for i, o := range s.Poll.Options {
			opts[i].Title = o.Title
		}
		for i := range out {
			out[i].Poll = &StatusEditPoll{Options: opts}
		}
	}
	return out
}

// StatusSourceOf returns the source of s (what its author typed).
func StatusSourceOf(s *store.Status) StatusSource {
	return StatusSource{ID: s.ID, Text: s.Text, SpoilerText: s.SpoilerText}
}
