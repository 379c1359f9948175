package server

import (
	"slices"

	"github.com/roost-social/roost/server/mastodon"
	"github.com/roost-social/roost/store"
)

var notificationTypes = []string{
	store.NotifyMention, store.NotifyStatus, store.NotifyReblog, store.NotifyFollow,
	store.NotifyFollowRequest, store.NotifyFavourite, store.NotifyPoll, store.NotifyUpdate,
	"admin.sign_up", "admin.report", "severed_relationships", "moderation_warning",
}

func (c *call) renderNotifications(ns []*store.Notification) ([]mastodon.Notification, error) {
	var ss []*store.Status
	for _, n := range ns {
		if n.Status != nil {
			ss = append(ss, n.Status)
		}
	}
	var in map[string]store.Interaction
	if len(ss) > 0 {
		ids := statusCursors(ss)
		var err error
		if in, err = c.s.store.Interactions(c.r.Context(), c.viewer.ID, ids); err != nil {
			return nil, err
		}
	}
	out := make([]mastodon.Notification, 0, len(ns))
	for _, n := range ns {
		out = append(out, c.s.env.Notification(n, in, c.viewer.ID))
	}
	if err := c.notificationVotes(out, ss); err != nil { // polls.go
		return nil, err
	}
	return out, nil
}

// notifications is GET /api/v1/notifications.
func (s *Server) notifications(c *call) error {
	f := store.NotificationFilter{Types: c.p.strs("types"), ExcludeTypes: c.p.strs("exclude_types"), FromID: c.p.str("account_id")}
	for _, t := range append(slices.Clone(f.Types), f.ExcludeTypes...) {
		if !slices.Contains(notificationTypes, t) {
			return unprocessable("Validation failed: unknown notification type " + t)
		}
	}
	ns, err := s.store.Notifications(c.r.Context(), c.viewer.ID, f, c.page(40, 80))
	if err != nil {
		return err
	}
	out, err := c.renderNotifications(ns)
	if err != nil {
		return err
	}
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	c.setLink(ids)
	return c.ok(out)
}

// getNotification is GET /api/v1/notifications/:id.
func (s *Server) getNotification(c *call) error {
	if !store.ValidID(c.param("id")) {
		return errNotFound
	}
	n, err := s.store.NotificationByID(c.r.Context(), c.viewer.ID, c.param("id"))
	if err != nil {
		return err
	}
	out, err := c.renderNotifications([]*store.Notification{n})
	if err != nil {
		return err
	}
	return c.ok(out[0])
}

// dismissNotification is POST /api/v1/notifications/:id/dismiss.
func (s *Server) dismissNotification(c *call) error {
	if !store.ValidID(c.param("id")) {
		return errNotFound
	}
	if err := s.store.DismissNotification(c.r.Context(), c.viewer.ID, c.param("id")); err != nil {
		return err
	}
	return c.ok(struct{}{})
}

// clearNotifications is POST /api/v1/notifications/clear.
func (s *Server) clearNotifications(c *call) error {
	if err := s.store.ClearNotifications(c.r.Context(), c.viewer.ID); err != nil {
		return err
	}
	return c.ok(struct{}{})
}

// unreadCount is GET /api/v1/notifications/unread_count.
func (s *Server) unreadCount(c *call) error {
	n, err := s.store.UnreadNotifications(c.r.Context(), c.viewer.ID, c.p.limit(100, 1000))
	if err != nil {
		return err
	}
	return c.ok(map[string]int{"count": n})
}

// getMarkers is GET /api/v1/markers?timeline[]=home&timeline[]=notifications.
func (s *Server) getMarkers(c *call) error {
	tls := c.p.strs("timeline")
	ms, err := s.store.Markers(c.r.Context(), c.viewer.ID, tls)
	if err != nil {
		return err
	}
	return c.ok(mastodon.Markers(ms))
}

// setMarkers is POST /api/v1/markers with home[last_read_id] and/or
// notifications[last_read_id].
func (s *Server) setMarkers(c *call) error {
	out := map[string]mastodon.Marker{}
	for _, tl := range []string{"home", "notifications"} {
		id := c.p.str(tl + "[last_read_id]")
		if !c.p.has(tl + "[last_read_id]") {
			continue
		}
		if !store.ValidID(id) {
			return unprocessable("Validation failed: last_read_id is not an ID")
		}
		m, err := s.store.SetMarker(c.r.Context(), c.viewer.ID, tl, id)
		if err != nil {
			return err
		}
		out[tl] = mastodon.MarkerOf(m)
	}
	if len(out) == 0 {
		return unprocessable("Validation failed: give home[last_read_id] or notifications[last_read_id]")
	}
	return c.ok(out)
}
