package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/roost-social/roost/federation/content"
	"github.com/roost-social/roost/server/mastodon"
	"github.com/roost-social/roost/server/media"
	"github.com/roost-social/roost/store"
)

// Mastodon's limits on profiles.
const (
	maxDisplayName = 30
	maxNote        = 500
	maxFields      = 4
	maxFieldName   = 255
	maxFieldValue  = 255
)

// accountParam loads the account named by the :id parameter.
func (c *call) accountParam() (*store.Account, error) {
	id := c.param("id")
	if !store.ValidID(id) {
		return nil, errNotFound
	}
	return c.s.store.AccountByID(c.r.Context(), id)
}

// verifyCredentials is GET /api/v1/accounts/verify_credentials.
func (s *Server) verifyCredentials(c *call) error {
	return s.okCredentials(c, c.viewer)
}

func (s *Server) okCredentials(c *call, a *store.Account) error {
	ctx := c.r.Context()
	u, err := s.store.UserByAccountID(ctx, a.ID)
	if err != nil {
		return err
	}
	reqs, _, err := s.store.FollowRequests(ctx, a.ID, store.Page{Limit: 200})
	if err != nil {
		return err
	}
	return c.ok(s.env.CredentialAccount(a, u, len(reqs)))
}

// updateCredentials is PATCH /api/v1/accounts/update_credentials.
func (s *Server) updateCredentials(c *call) error {
	p := c.p
	var up store.ProfileUpdate
	if v := p.optStr("display_name"); v != nil {
		if utf8.RuneCountInString(*v) > maxDisplayName {
			return unprocessable("Validation failed: Display name is too long (maximum is 30 characters)")
		}
		up.DisplayName = v
	}
	opts := content.Options{BaseURL: s.cfg.BaseURL(), LocalDomain: s.cfg.LocalDomain, Resolve: s.resolveMention(c)}
	if v := p.optStr("note"); v != nil {
		if utf8.RuneCountInString(*v) > maxNote {
			return unprocessable("Validation failed: Note is too long (maximum is 500 characters)")
		}
		html := content.Render(*v, opts).HTML
		up.Note, up.NoteSource = &html, v
	}
	if p.hasPrefix("fields_attributes[") {
		var fields []store.Field
		for _, f := range p.indexed("fields_attributes") {
			name, value := strings.TrimSpace(f["name"]), strings.TrimSpace(f["value"])
			if name == "" && value == "" {
				continue
			}
			if utf8.RuneCountInString(name) > maxFieldName || utf8.RuneCountInString(value) > maxFieldValue {
				return unprocessable("Validation failed: Profile field names and values are limited to 255 characters")
			}
			fields = append(fields, store.Field{Name: name, Source: value, Value: content.RenderField(value, opts)})
		}
		if len(fields) > maxFields {
			return unprocessable("Validation failed: Fields is too long (maximum is 4 fields)")
		}
		up.Fields = &fields
	}
	up.Locked = p.optBool("locked")
	up.Bot = p.optBool("bot")
	up.Discoverable = p.optBool("discoverable")
	if v := p.optStr("source[privacy]"); v != nil {
		switch *v {
		case store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate:
		default:
			return unprocessable("Validation failed: Default privacy is not included in the list")
		}
		up.Privacy = v
	}
	up.Sensitive = p.optBool("source[sensitive]")
	if v := p.optStr("source[language]"); v != nil {
		if *v != "" && !languageRe.MatchString(*v) {
			return unprocessable("Validation failed: Language is not a valid ISO 639 code")
		}
		up.Language = v
	}
	var written []string
	for _, img := range []struct {
		field string
		key   **string
	}{{"avatar", &up.Avatar}, {"header", &up.Header}} {
		if c.r.MultipartForm == nil || len(c.r.MultipartForm.File[img.field]) == 0 {
			continue
		}
		key, err := s.storeProfileImage(c, img.field)
		if err != nil {
			s.deleteBlobs(written...)
			return err
		}
		written = append(written, key)
		*img.key = &key
	}
	return s.saveProfile(c, up, written)
}

// saveProfile stores a profile change, removes the images it replaced (or
// the new ones, when it fails), tells followers' servers and answers with
// the account.
func (s *Server) saveProfile(c *call, up store.ProfileUpdate, written []string) error {
	a, err := s.store.UpdateProfile(c.r.Context(), c.viewer.ID, up)
	if err != nil {
		s.deleteBlobs(written...)
		return err
	}
	if up.Avatar != nil && c.viewer.AvatarURL != *up.Avatar {
		s.deleteBlobs(c.viewer.AvatarURL)
	}
	if up.Header != nil && c.viewer.HeaderURL != *up.Header {
		s.deleteBlobs(c.viewer.HeaderURL)
	}
	// Followers' servers hear of the change right after it is stored.
	ctx, err := s.fed.UpdateProfile(c.r.Context(), a)
	if err == nil {
		err = s.store.Enqueue(ctx)
	}
	if err != nil {
		return err
	}
	s.fed.Nudge()
	return s.okCredentials(c, a)
}

// hasPrefix reports whether any parameter name starts with prefix.
func (p params) hasPrefix(prefix string) bool {
	for k := range p {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// getAccount is GET /api/v1/accounts/:id; an account that moved names the
// account it moved to.
func (s *Server) getAccount(c *call) error {
	a, err := c.accountParam()
	if err != nil {
		return err
	}
	acc := s.env.Account(a)
	if a.MovedToID != "" {
		to, err := s.store.AccountByID(c.r.Context(), a.MovedToID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		s.env.MovedTo(&acc, to)
	}
	return c.ok(acc)
}

// lookupAccount is GET /api/v1/accounts/lookup?acct=name[@domain].
func (s *Server) lookupAccount(c *call) error {
	a, err := s.findByAcct(c, c.p.str("acct"))
	if err != nil {
		return err
	}
	return c.ok(s.env.Account(a))
}

// findByAcct finds a known account by "name", "@name", "name@domain".
func (s *Server) findByAcct(c *call, acct string) (*store.Account, error) {
	acct = strings.TrimPrefix(strings.TrimSpace(acct), "@")
	name, domain, _ := strings.Cut(acct, "@")
	if name == "" {
		return nil, errNotFound
	}
	if strings.EqualFold(domain, s.cfg.LocalDomain) || strings.EqualFold(domain, s.cfg.WebDomain) {
		domain = ""
	}
	if domain != "" {
		return s.fed.ResolveAcct(c.r.Context(), name, domain)
	}
	return s.store.AccountByUsername(c.r.Context(), name, "")
}

// searchAccounts is GET /api/v1/accounts/search: the account search of
// GET /api/v2/search (findAccounts), exact handles until full-text search
// arrives; only resolve=true looks remote handles up.
func (s *Server) searchAccounts(c *call) error {
	if offset, _ := strconv.Atoi(c.p.str("offset")); offset > 0 {
		return c.ok([]mastodon.Account{})
	}
	accts, err := s.findAccounts(c, c.p.str("q"), c.p.boolean("resolve"))
	if err == nil {
		accts, err = s.onlyFollowed(c, accts)
	}
	if err != nil {
		return err
	}
	return c.ok(s.env.Accounts(accts))
}

// familiarFollowers is GET /api/v1/accounts/familiar_followers.
func (s *Server) familiarFollowers(c *call) error {
	type entry struct {
		ID       string             `json:"id"`
		Accounts []mastodon.Account `json:"accounts"`
	}
	out := []entry{}
	for _, id := range c.p.strs("id") {
		out = append(out, entry{ID: id, Accounts: []mastodon.Account{}})
	}
	return c.ok(out)
}

// accountStatuses is GET /api/v1/accounts/:id/statuses.
func (s *Server) accountStatuses(c *call) error {
	a, err := c.accountParam()
	if err != nil {
		return err
	}
	f := store.AccountStatusesFilter{
		Pinned:         c.p.boolean("pinned"),
		ExcludeReplies: c.p.boolean("exclude_replies"),
		ExcludeReblogs: c.p.boolean("exclude_reblogs"),
		OnlyMedia:      c.p.boolean("only_media"),
		Tagged:         strings.ToLower(strings.TrimPrefix(c.p.str("tagged"), "#")),
	}
	ss, err := s.store.AccountStatuses(c.r.Context(), c.viewerID(), a.ID, f, c.page(20, 40))
	if err != nil {
		return err
	}
	return c.okStatuses(ss, statusCursors(ss))
}

func (s *Server) accountList(c *call, list func(id string, p store.Page) ([]*store.Account, []string, error)) error {
	a, err := c.accountParam()
	if err != nil {
		return err
	}
	accts, cursors, err := list(a.ID, c.page(40, 80))
	if err != nil {
		return err
	}
	c.setLink(cursors)
	return c.ok(s.env.Accounts(accts))
}

// accountFollowers is GET /api/v1/accounts/:id/followers.
func (s *Server) accountFollowers(c *call) error {
	return s.accountList(c, func(id string, p store.Page) ([]*store.Account, []string, error) {
		return s.store.Followers(c.r.Context(), id, p)
	})
}

// accountFollowing is GET /api/v1/accounts/:id/following.
func (s *Server) accountFollowing(c *call) error {
	return s.accountList(c, func(id string, p store.Page) ([]*store.Account, []string, error) {
		return s.store.Following(c.r.Context(), id, p)
	})
}

// relationships is GET /api/v1/accounts/relationships?id[]=1&id[]=2.
func (s *Server) relationships(c *call) error {
	var ids []string
	for _, id := range c.p.strs("id") {
		if store.ValidID(id) {
			ids = append(ids, id)
		}
	}
	if len(ids) > 100 {
		ids = ids[:100]
	}
	rs, err := s.store.Relationships(c.r.Context(), c.viewer.ID, ids)
	if err != nil {
		return err
	}
	return c.ok(mastodon.Relationships(rs))
}

// follow is POST /api/v1/accounts/:id/follow.
func (s *Server) follow(c *call) error {
	a, err := c.accountParam()
	if err != nil {
		return err
	}
	if a.ID == c.viewer.ID {
		return forbidden("This action is not allowed")
	}
	o := store.FollowOptions{ShowReblogs: true, Notify: c.p.boolean("notify")}
	if c.p.has("reblogs") {
		o.ShowReblogs = c.p.boolean("reblogs")
	}
	// A remote follow waits for the other server's Accept.
	r, err := s.fed.FollowAccount(c.r.Context(), c.viewer, a, o)
	if errors.Is(err, store.ErrConflict) {
		return forbidden("This action is not allowed") // a block separates them
	}
	if err != nil {
		return err
	}
	s.fed.Nudge()
	s.publishNotify(c.r.Context(), a.ID) // a follow or a follow request
	s.fed.StartBackfill(a)               // in the background: the profile and home fill with its recent posts
	return c.ok(mastodon.RelationshipOf(r))
}

// unfollow is POST /api/v1/accounts/:id/unfollow.
func (s *Server) unfollow(c *call) error {
	a, err := c.accountParam()
	if err != nil {
		return err
	}
	r, err := s.fed.UnfollowAccount(c.r.Context(), c.viewer, a)
	if err != nil {
		return err
	}
	s.fed.Nudge()
	return c.ok(mastodon.RelationshipOf(r))
}

// followRequests is GET /api/v1/follow_requests.
func (s *Server) followRequests(c *call) error {
	accts, cursors, err := s.store.FollowRequests(c.r.Context(), c.viewer.ID, c.page(40, 80))
	if err != nil {
		return err
	}
	c.setLink(cursors)
	return c.ok(s.env.Accounts(accts))
}

// authorizeFollowRequest is POST /api/v1/follow_requests/:id/authorize.
func (s *Server) authorizeFollowRequest(c *call) error {
	a, err := c.accountParam()
	if err != nil {
		return err
	}
	ctx, err := s.answerFollow(c, a, true)
	if err != nil {
		return err
	}
	r, err := s.store.AuthorizeFollowRequest(ctx, c.viewer.ID, a.ID)
	if err != nil {
		return err
	}
	s.fed.Nudge()
	return c.ok(mastodon.RelationshipOf(r))
}

// rejectFollowRequest is POST /api/v1/follow_requests/:id/reject.
func (s *Server) rejectFollowRequest(c *call) error {
	a, err := c.accountParam()
	if err != nil {
		return err
	}
	ctx, err := s.answerFollow(c, a, false)
	if err != nil {
		return err
	}
	r, err := s.store.RejectFollowRequest(ctx, c.viewer.ID, a.ID)
	if err != nil {
		return err
	}
	s.fed.Nudge()
	return c.ok(mastodon.RelationshipOf(r))
}

// answerFollow attaches the Accept or Reject a remote requester's server
// must hear of; local requesters need nothing.
func (s *Server) answerFollow(c *call, requester *store.Account, accept bool) (context.Context, error) {
	if requester.Local() {
		return c.r.Context(), nil
	}
	ctx, err := s.fed.AnswerFollow(c.r.Context(), c.viewer, requester, accept)
	if errors.Is(err, store.ErrNotFound) {
		return c.r.Context(), errNotFound
	}
	return ctx, err
}

// preferences is GET /api/v1/preferences.
func (s *Server) preferences(c *call) error {
	return c.ok(mastodon.PreferencesOf(c.viewer))
}

// profileImageSizes are the sizes avatars and headers are cropped to, as
// Mastodon crops them.
var profileImageSizes = map[string][2]int{"avatar": {400, 400}, "header": {1500, 500}}

// storeProfileImage processes the uploaded avatar or header of the viewer
// and stores it, returning its Blobs key.
func (s *Server) storeProfileImage(c *call, field string) (string, error) {
	if s.blobs == nil {
		return "", &apiError{status: http.StatusServiceUnavailable, msg: "Media storage is not configured"}
	}
	wh := profileImageSizes[field]
	res, err := c.imageField(field, media.Options{FitWidth: wh[0], FitHeight: wh[1]})
	if err != nil {
		return "", err
	}
	key := fmt.Sprintf("accounts/%s/%s-%s%s", c.viewer.ID, field, randomToken(), res.Ext)
	if err := s.blobs.Put(c.r.Context(), key, res.ContentType, bytes.NewReader(res.Original), int64(len(res.Original))); err != nil {
		return "", err
	}
	return key, nil
}

// deleteProfileImage is DELETE /api/v1/profile/avatar and /header.
func (s *Server) deleteProfileImage(field string) handlerFunc {
	return func(c *call) error {
		empty := ""
		up := store.ProfileUpdate{}
		if field == "avatar" {
			up.Avatar = &empty
		} else {
			up.Header = &empty
		}
		return s.saveProfile(c, up, nil)
	}
}
