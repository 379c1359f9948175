package server

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/roost-social/roost/federation/content"
	"github.com/roost-social/roost/server/mastodon"
	"github.com/roost-social/roost/store"
)

const (
	maxPins         = 5
	maxSpoilerChars = 1000 // counted in the status limit too, as Mastodon does
)

var languageRe = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)

// renderStatuses converts statuses for the viewer, with their interactions.
func (c *call) renderStatuses(ss []*store.Status) ([]mastodon.Status, error) {
	var in map[string]store.Interaction
	if c.viewer != nil && len(ss) > 0 {
		ids := make([]string, 0, len(ss)*2)
		for _, s := range ss {
			ids = append(ids, s.ID)
			if s.ReblogOfID != "" {
				ids = append(ids, s.ReblogOfID)
			}
		}
		var err error
		if in, err = c.s.store.Interactions(c.r.Context(), c.viewer.ID, ids); err != nil {
			return nil, err
		}
	}
	out := c.s.env.Statuses(ss, in, c.viewerID())
	if err := c.ownVotes(out, ss); err != nil { // polls.go
		return nil, err
	}
	return out, nil
}

func (c *call) renderStatus(s *store.Status) (mastodon.Status, error) {
	out, err := c.renderStatuses([]*store.Status{s})
	if err != nil {
		return mastodon.Status{}, err
	}
	return out[0], nil
}

// okStatuses answers with a status list and its Link header.
func (c *call) okStatuses(ss []*store.Status, cursors []string) error {
	out, err := c.renderStatuses(ss)
	if err != nil {
		return err
	}
	c.setLink(cursors)
	return c.ok(out)
}

func (c *call) okStatus(s *store.Status) error {
	out, err := c.renderStatus(s)
	if err != nil {
		return err
	}
	return c.ok(out)
}

// visibleStatus loads the status named by the :id parameter if the viewer
// may see it; anything else is a 404, so hidden statuses do not leak.
func (c *call) visibleStatus() (*store.Status, error) {
	id := c.param("id")
	if !store.ValidID(id) {
		return nil, errNotFound
	}
	st, err := c.s.store.StatusByID(c.r.Context(), id)
	if err != nil {
		return nil, err
	}
	ok, err := c.s.store.CanSee(c.r.Context(), c.viewerID(), st)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNotFound
	}
	return st, nil
}

// actionTarget is the status an action (favourite, boost, ...) applies to:
// acting on a boost acts on the boosted status, as Mastodon does.
func (c *call) actionTarget() (*store.Status, error) {
	st, err := c.visibleStatus()
	if err != nil {
		return nil, err
	}
	if st.Reblog != nil {
		return st.Reblog, nil
	}
	return st, nil
}

// ownStatus loads one of the viewer's own statuses (not boosts).
func (c *call) ownStatus() (*store.Status, error) {
	id := c.param("id")
	if !store.ValidID(id) {
		return nil, errNotFound
	}
	st, err := c.s.store.StatusByID(c.r.Context(), id)
	if err != nil {
		return nil, err
	}
	if st.AccountID != c.viewer.ID || st.ReblogOfID != "" {
		return nil, errNotFound
	}
	return st, nil
}

// composed is a validated and rendered status text.
type composed struct {
	text, html, spoiler, language string
	sensitive                     bool
	mentionIDs, tags              []string
	mentions                      []store.Mention
	media                         []*store.Media
}

// compose validates the text fields of a new or edited status and renders
// them; prev supplies defaults for an edit.
func (c *call) compose(prev *store.Status) (*composed, error) {
	p := c.p
	out := &composed{
		text:     p.str("status"),
		spoiler:  p.str("spoiler_text"),
		language: strings.TrimSpace(p.str("language")),
	}
	if prev != nil && out.language == "" {
		out.language = prev.Language
	}
	if out.language == "" {
		out.language = c.viewer.Language
	}
	if out.language != "" && !languageRe.MatchString(out.language) {
		return nil, unprocessable("Validation failed: Language is not a valid ISO 639 code")
	}
	media, err := c.attachable(p.strs("media_ids"), prev) // media.go
	if err != nil {
		return nil, err
	}
	if prev != nil {
		if err := c.mediaAttributes(media); err != nil {
			return nil, err
		}
	}
	out.media = media
	if strings.TrimSpace(out.text) == "" && len(media) == 0 {
		return nil, unprocessable("Validation failed: Text can't be blank")
	}
	if n := content.Length(out.text) + len([]rune(out.spoiler)); n > c.s.cfg.MaxTootChars {
		return nil, unprocessable(fmt.Sprintf("Validation failed: Text character limit of %d exceeded", c.s.cfg.MaxTootChars))
	}
	if len([]rune(out.spoiler)) > maxSpoilerChars {
		return nil, unprocessable("Validation failed: Spoiler text is too long")
	}
	// A content warning always makes a status sensitive. Without
	// "sensitive", a new status takes the author's default
	// (source[sensitive]) as Mastodon's PostStatusService does, while an edit
	// replaces the whole status as its UpdateStatusService does: no carrying
	// over of the old flag.
	out.sensitive = p.boolean("sensitive") || out.spoiler != ""
	if prev == nil && !p.has("sensitive") {
		out.sensitive = out.sensitive || c.viewer.Sensitive
	}
	r := content.Render(out.text, content.Options{
		BaseURL:     c.s.cfg.BaseURL(),
		LocalDomain: c.s.cfg.LocalDomain,
		Resolve:     c.s.resolveMention(c),
	})
	out.html, out.tags = r.HTML, r.Tags
	for _, m := range r.Mentions {
		out.mentionIDs = append(out.mentionIDs, m.ID)
		out.mentions = append(out.mentions, store.Mention{AccountID: m.ID, Username: m.Username, Domain: m.Domain, URL: m.URL})
	}
	return out, nil
}

// resolveMention finds the accounts @mentions name. Local accounts only,
// until federation resolves remote ones.
func (s *Server) resolveMention(c *call) func(username, domain string) (content.Target, bool) {
	return func(username, domain string) (content.Target, bool) {
		if domain != "" && !strings.EqualFold(domain, s.cfg.LocalDomain) && !strings.EqualFold(domain, s.cfg.WebDomain) {
			a, err := s.fed.ResolveAcct(c.r.Context(), username, domain)
			if err != nil {
				return content.Target{}, false
			}
			return content.Target{ID: a.ID, Username: a.Username, Domain: a.Domain, URL: a.URL}, true
		}
		a, err := s.store.AccountByUsername(c.r.Context(), username, "")
		if err != nil {
			return content.Target{}, false
		}
		return content.Target{ID: a.ID, Username: a.Username, URL: s.env.Account(a).URL}, true
	}
}

// createStatus is POST /api/v1/statuses.
func (s *Server) createStatus(c *call) error {
	ctx := c.r.Context()
	if c.p.str("scheduled_at") != "" {
		return unprocessable("Validation failed: Scheduled posts are not supported by this server yet")
	}
	visibility := c.p.str("visibility")
	if visibility == "" {
		visibility = c.viewer.Privacy
	}
	if visibility == "" {
		visibility = store.VisibilityPublic
	}
	switch visibility {
	case store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate, store.VisibilityDirect:
	default:
		return unprocessable("Validation failed: Visibility is not included in the list")
	}
	cp, err := c.compose(nil)
	if err != nil {
		return err
	}
	poll, err := c.newPoll(s.now()) // polls.go
	if err != nil {
		return err
	}
	if poll != nil && len(cp.media) > 0 {
		return unprocessable("Validation failed: A post cannot have both media and a poll")
	}
	ns := store.NewStatus{
		AccountID:   c.viewer.ID,
		Content:     cp.html,
		Text:        cp.text,
		SpoilerText: cp.spoiler,
		Sensitive:   cp.sensitive,
		Visibility:  visibility,
		Language:    cp.language,
		Local:       true,
		AppID:       c.token.AppID,
		MentionIDs:  cp.mentionIDs,
		Tags:        cp.tags,
		MediaIDs:    mediaIDs(cp.media),
	}
	if key := c.r.Header.Get("Idempotency-Key"); key != "" {
		if len(key) > 256 || !validText(key) {
			return unprocessable("Validation failed: Idempotency-Key is invalid")
		}
		ns.IdempotencyKey = key
	}
	if reply := c.p.str("in_reply_to_id"); reply != "" {
		parent, err := c.s.store.StatusByID(ctx, reply)
		if err == nil {
			var ok bool
			if ok, err = c.s.store.CanSee(ctx, c.viewer.ID, parent); err == nil && !ok {
				err = store.ErrNotFound
			}
		}
		if errors.Is(err, store.ErrNotFound) || !store.ValidID(reply) {
			return unprocessable("Validation failed: The post you are replying to does not exist or is not visible to you")
		}
		if err != nil {
			return err
		}
		if parent.ReblogOfID != "" {
			return unprocessable("Validation failed: A boost cannot be replied to")
		}
		ns.InReplyToID = parent.ID
	}
	// The status's ID and URI are chosen here so that its Create can be
	// stored with it, in the same transaction.
	created := s.now()
	ns.ID, ns.CreatedAt = store.NewID(created), created
	ns.URI, ns.URL = c.viewer.URI+"/statuses/"+ns.ID, c.viewer.URL+"/"+ns.ID
	if poll != nil {
		poll.ID, poll.Local, ns.Poll = ns.ID, true, poll
	}
	ctx, err = s.fed.Post(ctx, c.viewer, &store.Status{
		ID: ns.ID, URI: ns.URI, URL: ns.URL, AccountID: ns.AccountID, InReplyToID: ns.InReplyToID,
		Content: ns.Content, Text: ns.Text, SpoilerText: ns.SpoilerText, Sensitive: ns.Sensitive,
		Visibility: ns.Visibility, Language: ns.Language, Local: true, CreatedAt: created,
		Mentions: cp.mentions, Tags: ns.Tags, Poll: ns.Poll, Media: cp.media,
	}, false)
	if err != nil {
		return err
	}
	st, err := s.store.CreateStatus(ctx, ns)
	if err != nil {
		return err
	}
	s.indexStatus(ctx, st)
	s.fed.Nudge()
	s.publishPosted(ctx, st) // streaming.go
	s.queueCard(st)          // cards.go
	return c.okStatus(st)
}

// getStatus is GET /api/v1/statuses/:id.
func (s *Server) getStatus(c *call) error {
	st, err := c.visibleStatus()
	if err != nil {
		return err
	}
	return c.okStatus(st)
}

// editStatus is PUT /api/v1/statuses/:id.
func (s *Server) editStatus(c *call) error {
	st, err := c.ownStatus()
	if err != nil {
		return err
	}
	cp, err := c.compose(st)
	if err != nil {
		return err
	}
	if c.pollParamsSent() && !c.samePoll(st.Poll) { // polls.go
		return unprocessable("Validation failed: Polls cannot be changed by editing on this server yet")
	}
	edited := s.now()
	next := *st
	next.Content, next.Text, next.SpoilerText, next.Sensitive = cp.html, cp.text, cp.spoiler, cp.sensitive
	next.Language, next.Mentions, next.Tags, next.EditedAt = cp.language, cp.mentions, cp.tags, &edited
	next.Media = cp.media
	ctx, err := s.fed.Post(c.r.Context(), c.viewer, &next, true)
	if err != nil {
		return err
	}
	updated, err := s.store.UpdateStatus(ctx, st.ID, store.StatusUpdate{
		Content: cp.html, Text: cp.text, SpoilerText: cp.spoiler, Sensitive: cp.sensitive,
		Language: cp.language, MentionIDs: cp.mentionIDs, Tags: cp.tags, EditedAt: edited,
		MediaIDs: mediaIDs(cp.media), Described: cp.media,
	})
	if err != nil {
		return err
	}
	s.indexStatus(ctx, updated)
	s.fed.Nudge()
	s.publishStatus(ctx, updated, true)
	s.queueCard(updated)
	return c.okStatus(updated)
}

// deleteStatus is DELETE /api/v1/statuses/:id; it answers with the status
// and its source text, for delete-and-redraft. One's own boost can be
// deleted by its ID too, as in Mastodon.
func (s *Server) deleteStatus(c *call) error {
	st, err := c.ownStatus()
	if errors.Is(err, errNotFound) {
		if st, err = c.visibleStatus(); err == nil && (st.AccountID != c.viewer.ID || st.ReblogOfID == "") {
			err = errNotFound
		}
	}
	if err != nil {
		return err
	}
	out, err := c.renderStatus(st)
	if err != nil {
		return err
	}
	ctx, err := s.fed.DeleteStatus(c.r.Context(), c.viewer, st)
	if err != nil {
		return err
	}
	if err := s.store.DeleteStatus(ctx, st.ID); err != nil {
		return err
	}
	s.unindexStatus(ctx, st)
	s.fed.Nudge()
	s.publishDelete(ctx, st)
	if c.p.boolean("delete_media") {
		// Not a redraft: the files go now rather than with the sweep.
		for _, m := range st.Media {
			if gone, err := s.store.DeleteMedia(ctx, m.ID); err == nil {
				s.deleteBlobs(gone.FileKey, gone.PreviewKey)
			}
		}
	}
	text := st.Text
	if text == "" {
		text = content.PlainText(st.Content)
	}
	out.Text = &text
	return c.ok(out)
}

// statusContext is GET /api/v1/statuses/:id/context.
func (s *Server) statusContext(c *call) error {
	st, err := c.visibleStatus()
	if err != nil {
		return err
	}
	s.fed.StartThread(st) // in the background: a later call shows the missing ancestors and replies
	const limit = 4096
	anc, err := s.store.Ancestors(c.r.Context(), c.viewerID(), st.ID, 40)
	if err != nil {
		return err
	}
	desc, err := s.store.Descendants(c.r.Context(), c.viewerID(), st.ID, limit)
	if err != nil {
		return err
	}
	all, err := c.renderStatuses(append(append([]*store.Status{}, anc...), desc...))
	if err != nil {
		return err
	}
	return c.ok(mastodon.Context{Ancestors: all[:len(anc)], Descendants: all[len(anc):]})
}

// statusHistory is GET /api/v1/statuses/:id/history.
func (s *Server) statusHistory(c *call) error {
	st, err := c.visibleStatus()
	if err != nil {
		return err
	}
	edits, err := s.store.StatusEdits(c.r.Context(), st.ID)
	if err != nil {
		return err
	}
	return c.ok(s.env.StatusEdits(st, edits))
}

// statusSource is GET /api/v1/statuses/:id/source.
func (s *Server) statusSource(c *call) error {
	st, err := c.ownStatus()
	if err != nil {
		return err
	}
	return c.ok(mastodon.StatusSourceOf(st))
}

// statusAccounts answers favourited_by and reblogged_by.
func (s *Server) statusAccounts(c *call, list func(id string, p store.Page) ([]*store.Account, []string, error)) error {
	st, err := c.actionTarget()
	if err != nil {
		return err
	}
	accts, cursors, err := list(st.ID, c.page(40, 80))
	if err != nil {
		return err
	}
	c.setLink(cursors)
	return c.ok(s.env.Accounts(accts))
}

func (s *Server) favouritedBy(c *call) error {
	return s.statusAccounts(c, func(id string, p store.Page) ([]*store.Account, []string, error) {
		return s.store.FavouritedBy(c.r.Context(), id, p)
	})
}

func (s *Server) rebloggedBy(c *call) error {
	return s.statusAccounts(c, func(id string, p store.Page) ([]*store.Account, []string, error) {
		return s.store.RebloggedBy(c.r.Context(), id, p)
	})
}

// toggle runs a viewer action on the target status and answers with the
// status as it is afterwards.
func (s *Server) toggle(c *call, act func(accountID, statusID string) error) error {
	return s.toggleStatus(c, func(st *store.Status) error { return act(c.viewer.ID, st.ID) })
}

// toggleStatus is toggle for actions that need the whole status (to tell
// its author's server).
func (s *Server) toggleStatus(c *call, act func(st *store.Status) error) error {
	st, err := c.actionTarget()
	if err != nil {
		return err
	}
	if err := act(st); err != nil {
		return err
	}
	s.fed.Nudge()
	st, err = s.store.StatusByID(c.r.Context(), st.ID)
	if err != nil {
		return err
	}
	return c.okStatus(st)
}

func (s *Server) favourite(c *call) error { return s.like(c, false) }

func (s *Server) unfavourite(c *call) error { return s.like(c, true) }

// like favourites or unfavourites, telling a remote author's server.
func (s *Server) like(c *call, undo bool) error {
	return s.toggleStatus(c, func(st *store.Status) error {
		ctx, err := s.fed.Like(c.r.Context(), c.viewer, st, undo)
		if err != nil {
			return err
		}
		if undo {
			return s.store.Unfavourite(ctx, c.viewer.ID, st.ID)
		}
		if err := s.store.Favourite(ctx, c.viewer.ID, st.ID, ""); err != nil {
			return err
		}
		s.publishNotify(ctx, st.AccountID)
		return nil
	})
}

func (s *Server) bookmark(c *call) error {
	return s.toggle(c, func(a, id string) error { return s.store.Bookmark(c.r.Context(), a, id) })
}

func (s *Server) unbookmark(c *call) error {
	return s.toggle(c, func(a, id string) error { return s.store.Unbookmark(c.r.Context(), a, id) })
}

// unpin is POST /api/v1/statuses/:id/unpin; followers' servers get the
// Remove of a status that was pinned.
func (s *Server) unpin(c *call) error {
	return s.toggleStatus(c, func(st *store.Status) error {
		ctx := c.r.Context()
		in, err := s.store.Interactions(ctx, c.viewer.ID, []string{st.ID})
		if err != nil {
			return err
		}
		if in[st.ID].Pinned {
			if ctx, err = s.fed.Feature(ctx, c.viewer, st, false); err != nil {
				return err
			}
		}
		return s.store.Unpin(ctx, c.viewer.ID, st.ID)
	})
}

// pin is POST /api/v1/statuses/:id/pin: only one's own statuses, not
// direct ones (Mastodon 4 allows followers-only pins), at most five.
func (s *Server) pin(c *call) error {
	return s.toggle(c, func(a, id string) error {
		st, err := s.store.StatusByID(c.r.Context(), id)
		if err != nil {
			return err
		}
		if st.AccountID != a {
			return unprocessable("Validation failed: Someone else's post cannot be pinned")
		}
		if st.Visibility == store.VisibilityDirect {
			return unprocessable("Validation failed: Direct messages cannot be pinned")
		}
		pinned, err := s.store.AccountStatuses(c.r.Context(), a, a, store.AccountStatusesFilter{Pinned: true}, store.Page{Limit: maxPins + 1})
		if err != nil {
			return err
		}
		already := false
		for _, p := range pinned {
			already = already || p.ID == id
		}
		if !already && len(pinned) >= maxPins {
			return unprocessable(fmt.Sprintf("Validation failed: You have already pinned the maximum number of toots (%d)", maxPins))
		}
		// Followers' servers get the Add of a new pin, with the pin.
		ctx := c.r.Context()
		if !already {
			if ctx, err = s.fed.Feature(ctx, c.viewer, st, true); err != nil {
				return err
			}
		}
		return s.store.Pin(ctx, a, id)
	})
}

// reblog is POST /api/v1/statuses/:id/reblog; it answers with the boost.
func (s *Server) reblog(c *call) error {
	st, err := c.actionTarget()
	if err != nil {
		return err
	}
	if st.Visibility == store.VisibilityDirect || (st.Visibility == store.VisibilityPrivate && st.AccountID != c.viewer.ID) {
		return &apiError{status: http.StatusForbidden, msg: "This action is not allowed"}
	}
	vis := c.p.str("visibility")
	switch vis {
	case "":
		vis = store.VisibilityPublic
		if st.Visibility == store.VisibilityPrivate {
			vis = store.VisibilityPrivate
		}
	case store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate:
	default:
		return unprocessable("Validation failed: Visibility is not included in the list")
	}
	boost, err := s.store.Reblog(c.r.Context(), c.viewer.ID, st.ID, vis)
	if err != nil {
		return err
	}
	// The store names the boost, so its Announce is queued right after it.
	ctx, err := s.fed.Boost(c.r.Context(), c.viewer, boost)
	if err == nil {
		err = s.store.Enqueue(ctx)
	}
	if err != nil {
		return err
	}
	s.fed.Nudge()
	s.publishPosted(ctx, boost)
	return c.okStatus(boost)
}

// unreblog is POST /api/v1/statuses/:id/unreblog; it answers with the
// boosted status.
func (s *Server) unreblog(c *call) error {
	return s.toggleStatus(c, func(st *store.Status) error {
		boost, err := s.store.Unreblog(c.r.Context(), c.viewer.ID, st.ID)
		if err != nil || boost == nil {
			return err
		}
		if boost.Reblog == nil {
			boost.Reblog = st
		}
		ctx, err := s.fed.Unboost(c.r.Context(), c.viewer, boost)
		if err != nil {
			return err
		}
		if err := s.store.Enqueue(ctx); err != nil {
			return err
		}
		s.publishDelete(ctx, boost)
		return nil
	})
}

// getStatuses is GET /api/v1/statuses?id[]=...: the visible ones among the
// asked, in the order asked.
func (s *Server) getStatuses(c *call) error {
	var ids []string
	for _, id := range c.p.strs("id") {
		if store.ValidID(id) && len(ids) < 40 {
			ids = append(ids, id)
		}
	}
	ss, err := s.store.StatusesByIDs(c.r.Context(), ids)
	if err != nil {
		return err
	}
	visible := ss[:0]
	for _, st := range ss {
		ok, err := s.store.CanSee(c.r.Context(), c.viewerID(), st)
		if err != nil {
			return err
		}
		if ok {
			visible = append(visible, st)
		}
	}
	out, err := c.renderStatuses(visible)
	if err != nil {
		return err
	}
	return c.ok(out)
}
