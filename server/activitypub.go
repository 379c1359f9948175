package server

import (
	"encoding/xml"
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/julienschmidt/httprouter"
	"github.com/roost-social/roost/federation"
	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/store"
)

// The HTTP side of ActivityPub: WebFinger, host-meta, actor documents,
// collections and status objects, with content negotiation between
// ActivityStreams JSON for servers and HTML for browsers on the same URLs.

const (
	activityJSON = "application/activity+json"
	pageSize     = 20
)

// wantsActivity reports whether the client asked for ActivityStreams.
func wantsActivity(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/activity+json") || strings.Contains(a, "application/ld+json")
}

// activityDoc writes an ActivityStreams document, to a signed request
// from a server in good standing when AUTHORIZED_FETCH is on.
func (c *call) activityDoc(v any) error {
	if c.s.cfg.AuthorizedFetch {
		if _, err := c.s.fed.VerifyFetch(c.r.Context(), c.r); err != nil {
			var ie *federation.InboxError
			if errors.As(err, &ie) {
				return &apiError{status: ie.Status, msg: ie.Msg}
			}
			return err
		}
	}
	return c.publicActivityDoc(v)
}

// publicActivityDoc writes an ActivityStreams document to anyone (the
// instance actor, which other servers must fetch to check our signatures).
func (c *call) publicActivityDoc(v any) error {
	b, err := activity.Marshal(v)
	if err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("Content-Type", activityJSON+"; charset=utf-8")
	h.Set("Vary", "Accept")
	h.Set("Access-Control-Allow-Origin", "*")
	c.w.WriteHeader(http.StatusOK)
	_, err = c.w.Write(b)
	return err
}

// localAccount loads the local account named by :name.
func (c *call) localAccount() (*store.Account, error) {
	name := c.param("name")
	if !usernameRe.MatchString(name) {
		return nil, errNotFound
	}
	return c.s.store.AccountByUsername(c.r.Context(), name, "")
}

// webfinger is /.well-known/webfinger?resource=acct:name@domain (or the
// actor's URL).
func (s *Server) webfinger(c *call) error {
	res := c.p.str("resource")
	if res == "" {
		return badRequest("resource parameter is missing")
	}
	var name string
	switch {
	case strings.HasPrefix(res, "acct:"):
		user, domain, ok := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(res, "acct:"), "@"), "@")
		if !ok || !(strings.EqualFold(domain, s.cfg.LocalDomain) || strings.EqualFold(domain, s.cfg.WebDomain)) {
			return errNotFound
		}
		name = user
	case strings.HasPrefix(res, s.cfg.BaseURL()+"/users/"):
		name = strings.TrimPrefix(res, s.cfg.BaseURL()+"/users/")
	case strings.HasPrefix(res, s.cfg.BaseURL()+"/@"):
		name = strings.TrimPrefix(res, s.cfg.BaseURL()+"/@")
	default:
		return errNotFound
	}
	if !usernameRe.MatchString(name) {
		return errNotFound
	}
	a, err := s.store.AccountByUsername(c.r.Context(), name, "")
	if err != nil {
		return err
	}
	doc := map[string]any{
		"subject": "acct:" + a.Username + "@" + s.cfg.LocalDomain,
		"aliases": []string{a.URL, a.URI},
		"links": []map[string]string{
			{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": a.URL},
			{"rel": "self", "type": activityJSON, "href": a.URI},
			{"rel": "http://ostatus.org/schema/1.0/subscribe", "template": s.cfg.BaseURL() + "/authorize_interaction?uri={uri}"},
		},
	}
	c.w.Header().Set("Content-Type", "application/jrd+json; charset=utf-8")
	c.w.Header().Set("Access-Control-Allow-Origin", "*")
	c.w.WriteHeader(http.StatusOK)
	return jsonEncode(c.w, doc)
}

// hostMeta is /.well-known/host-meta, pointing at WebFinger.
func (s *Server) hostMeta(c *call) error {
	type link struct {
		Rel      string `xml:"rel,attr"`
		Template string `xml:"template,attr"`
	}
	doc := struct {
		XMLName xml.Name `xml:"http://docs.oasis-open.org/ns/xri/xrd-1.0 XRD"`
		Link    link     `xml:"Link"`
	}{Link: link{Rel: "lrdd", Template: s.cfg.BaseURL() + "/.well-known/webfinger?resource={uri}"}}
	c.w.Header().Set("Content-Type", "application/xrd+xml; charset=utf-8")
	c.w.WriteHeader(http.StatusOK)
	if _, err := c.w.Write([]byte(xml.Header)); err != nil {
		return err
	}
	return xml.NewEncoder(c.w).Encode(doc)
}

// actor is /users/:name and /@:name: the actor document for servers, the
// profile page for browsers.
func (s *Server) actor(c *call) error {
	a, err := c.localAccount()
	if err != nil {
		return err
	}
	if wantsActivity(c.r) {
		return c.activityDoc(s.fed.Actor(a))
	}
	if strings.HasPrefix(c.r.URL.Path, "/users/") {
		http.Redirect(c.w, c.r, s.env.Account(a).URL, http.StatusFound)
		return nil
	}
	ss, err := s.store.AccountStatuses(c.r.Context(), "", a.ID, store.AccountStatusesFilter{ExcludeReplies: true}, store.Page{Limit: pageSize})
	if err != nil {
		return err
	}
	return s.htmlPage(c, "profile.html", a, ss)
}

// statusObject is /users/:name/statuses/:id and /@:name/:id.
func (s *Server) statusObject(c *call) error {
	st, err := s.publicStatus(c)
	if err != nil {
		return err
	}
	if wantsActivity(c.r) {
		obj, err := s.fed.Object(c.r.Context(), st)
		if err != nil {
			return err
		}
		return c.activityDoc(obj)
	}
	if strings.HasPrefix(c.r.URL.Path, "/users/") {
		http.Redirect(c.w, c.r, firstNonEmpty(st.URL, s.env.Account(st.Account).URL+"/"+st.ID), http.StatusFound)
		return nil
	}
	return s.htmlPage(c, "status.html", st.Account, []*store.Status{st})
}

// statusActivity is /users/:name/statuses/:id/activity.
func (s *Server) statusActivity(c *call) error {
	st, err := s.publicStatus(c)
	if err != nil {
		return err
	}
	act, err := s.fed.Activity(c.r.Context(), st)
	if err != nil {
		return err
	}
	return c.activityDoc(act)
}

// publicStatus loads the status at :name/:id if anonymous viewers may see
// it (public or unlisted): signed fetches of followers-only statuses come
// with the federation issue's authorized fetch.
func (s *Server) publicStatus(c *call) (*store.Status, error) {
	a, err := c.localAccount()
	if err != nil {
		return nil, err
	}
	id := c.param("id")
	if !store.ValidID(id) {
		return nil, errNotFound
	}
	st, err := s.store.StatusByID(c.r.Context(), id)
	if err != nil {
		return nil, err
	}
	if st.AccountID != a.ID || (st.Visibility != store.VisibilityPublic && st.Visibility != store.VisibilityUnlisted) {
		return nil, errNotFound
	}
	return st, nil
}

// collectionPage reads ?page= and ?max_id= of a paged collection.
func (c *call) collectionPage() (paged bool, p store.Page) {
	q := c.r.URL.Query()
	return q.Get("page") != "", store.Page{MaxID: q.Get("max_id"), MinID: q.Get("min_id"), Limit: pageSize}
}

// outbox is /users/:name/outbox: public and unlisted posts and boosts.
func (s *Server) outbox(c *call) error {
	a, err := c.localAccount()
	if err != nil {
		return err
	}
	id := a.URI + "/outbox"
	paged, p := c.collectionPage()
	if !paged {
		return c.activityDoc(activity.OrderedCollection(id, a.StatusesCount, id+"?page=true"))
	}
	ss, err := s.store.AccountStatuses(c.r.Context(), "", a.ID, store.AccountStatusesFilter{}, p)
	if err != nil {
		return err
	}
	items := make([]any, 0, len(ss))
	for _, st := range ss {
		act, err := s.fed.Activity(c.r.Context(), st)
		if err != nil {
			return err
		}
		items = append(items, act)
	}
	return c.activityDoc(pageOf(c, id, statusCursors(ss), items))
}

// pageOf builds a collection page with next/prev links by ID cursor.
func pageOf(c *call, id string, cursors []string, items []any) *activity.Collection {
	self := id + "?" + c.r.URL.RawQuery
	var next, prev string
	if len(cursors) > 0 {
		next = id + "?" + url.Values{"page": {"true"}, "max_id": {cursors[len(cursors)-1]}}.Encode()
		prev = id + "?" + url.Values{"page": {"true"}, "min_id": {cursors[0]}}.Encode()
	}
	return activity.OrderedCollectionPage(self, id, next, prev, items)
}

// accountCollection serves followers and following: the count always, the
// items page by page.
func (s *Server) accountCollection(c *call, name string, count func(*store.Account) int,
	list func(id string, p store.Page) ([]*store.Account, []string, error)) error {
	a, err := c.localAccount()
	if err != nil {
		return err
	}
	id := a.URI + "/" + name
	paged, p := c.collectionPage()
	if !paged {
		return c.activityDoc(activity.OrderedCollection(id, count(a), id+"?page=1"))
	}
	accts, cursors, err := list(a.ID, p)
	if err != nil {
		return err
	}
	items := make([]any, 0, len(accts))
	for _, x := range accts {
		items = append(items, x.URI)
	}
	return c.activityDoc(pageOf(c, id, cursors, items))
}

func (s *Server) followersCollection(c *call) error {
	return s.accountCollection(c, "followers", func(a *store.Account) int { return a.FollowersCount },
		func(id string, p store.Page) ([]*store.Account, []string, error) {
			return s.store.Followers(c.r.Context(), id, p)
		})
}

func (s *Server) followingCollection(c *call) error {
	return s.accountCollection(c, "following", func(a *store.Account) int { return a.FollowingCount },
		func(id string, p store.Page) ([]*store.Account, []string, error) {
			return s.store.Following(c.r.Context(), id, p)
		})
}

// featured is /users/:name/collections/featured: the pinned statuses.
func (s *Server) featured(c *call) error {
	a, err := c.localAccount()
	if err != nil {
		return err
	}
	ss, err := s.store.AccountStatuses(c.r.Context(), "", a.ID, store.AccountStatusesFilter{Pinned: true}, store.Page{Limit: maxPins})
	if err != nil {
		return err
	}
	items := make([]any, 0, len(ss))
	for _, st := range ss {
		n, err := s.fed.Object(c.r.Context(), st) // a Note, or a Question
		if err != nil {
			return err
		}
		items = append(items, n)
	}
	col := activity.OrderedCollection(a.URI+"/collections/featured", len(items), "")
	col.OrderedItems = items
	return c.activityDoc(col)
}

// htmlPage renders a profile or status page for browsers.
func (s *Server) htmlPage(c *call, name string, a *store.Account, ss []*store.Status) error {
	type attachment struct {
		Type, URL, Preview, Description string
		Width, Height                   int // of the preview
	}
	type post struct {
		URL, Published, SpoilerText string
		Content                     template.HTML
		Boost, Sensitive            bool
		Media                       []attachment
	}
	page := struct {
		Title, Instance, DisplayName, Handle, URL, Avatar string
		Note                                              template.HTML
		Followers, Following, Statuses                    string
		Posts                                             []post
	}{
		Instance: s.cfg.Title, DisplayName: a.DisplayName, Handle: "@" + a.Username + "@" + s.cfg.LocalDomain,
		URL: s.env.Account(a).URL, Avatar: s.env.Account(a).Avatar,
		// Notes and contents are HTML that Roost rendered (escaped, then
		// linkified) or sanitised on arrival.
		Note:      template.HTML(a.Note),
		Followers: strconv.Itoa(a.FollowersCount), Following: strconv.Itoa(a.FollowingCount), Statuses: strconv.Itoa(a.StatusesCount),
	}
	if page.DisplayName == "" {
		page.DisplayName = a.Username
	}
	page.Title = page.DisplayName + " (" + page.Handle + ")"
	for _, st := range ss {
		shown := st
		if st.Reblog != nil {
			shown = st.Reblog
		}
		p := post{
			URL: firstNonEmpty(shown.URL, shown.URI), Published: shown.CreatedAt.UTC().Format("2 Jan 2006 15:04"),
			SpoilerText: shown.SpoilerText, Content: template.HTML(shown.Content), Boost: st.Reblog != nil,
			Sensitive: shown.Sensitive,
		}
		for _, m := range s.env.MediaAttachments(shown.Media) {
			a := attachment{Type: m.Type, URL: deref(m.URL), Preview: deref(m.PreviewURL), Description: deref(m.Description)}
			if a.Preview == "" {
				a.Preview = a.URL
			}
			if sm := m.Meta.Small; sm != nil {
				a.Width, a.Height = sm.Width, sm.Height
			}
			p.Media = append(p.Media, a)
		}
		page.Posts = append(page.Posts, p)
	}
	c.w.Header().Set("Vary", "Accept")
	s.render(c, http.StatusOK, name, page)
	return errHandled
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// maxInboxBody bounds what a peer may post to an inbox.
const maxInboxBody = 1 << 20

// inbox is POST /inbox and /users/:name/inbox: signed activities from other
// servers, answered 202 once applied.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	if name := httprouter.ParamsFromContext(r.Context()).ByName("name"); name != "" {
		if _, err := s.store.AccountByUsername(r.Context(), name, ""); err != nil {
			writeError(w, errNotFound)
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxInboxBody+1))
	if err != nil {
		writeError(w, badRequest("Could not read the request body"))
		return
	}
	if len(body) > maxInboxBody {
		writeError(w, &apiError{status: http.StatusRequestEntityTooLarge, msg: "Activity too large"})
		return
	}
	if err := s.fed.Receive(r.Context(), r, body); err != nil {
		var ie *federation.InboxError
		if errors.As(err, &ie) {
			s.log.Info("inbox refused an activity", "status", ie.Status, "err", err)
			writeError(w, &apiError{status: ie.Status, msg: ie.Msg})
			return
		}
		s.log.Error("inbox failed", "err", err)
		writeError(w, errInternal)
		return
	}
	s.fed.Nudge()
	w.WriteHeader(http.StatusAccepted)
}

// instanceActor is /actor, the instance's own actor that signs fetches.
func (s *Server) instanceActor(c *call) error {
	doc, err := s.fed.InstanceActor(c.r.Context())
	if err != nil {
		return err
	}
	return c.publicActivityDoc(doc)
}

// maxRepliesServed bounds the replies page of a status.
const maxRepliesServed = 100

// statusReplies is /users/:name/statuses/:id/replies: the ids of the
// public and unlisted direct replies, so other servers can fetch whole
// threads.
func (s *Server) statusReplies(c *call) error {
	st, err := s.publicStatus(c)
	if err != nil {
		return err
	}
	id := st.URI + "/replies"
	if c.r.URL.Query().Get("page") == "" {
		col := &activity.Collection{ID: id, Type: "Collection", First: id + "?page=true"}
		return c.activityDoc(col)
	}
	desc, err := s.store.Descendants(c.r.Context(), "", st.ID, maxRepliesServed*4)
	if err != nil {
		return err
	}
	items := []any{}
	for _, d := range desc {
		if d.InReplyToID == st.ID && len(items) < maxRepliesServed {
			items = append(items, d.URI)
		}
	}
	page := &activity.Collection{ID: id + "?page=true", Type: "CollectionPage", PartOf: id, Items: items}
	return c.activityDoc(page)
}
