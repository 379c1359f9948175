package server

import (
	"strings"

	"github.com/roost-social/roost/store"
)

// homeTimeline is GET /api/v1/timelines/home.
func (s *Server) homeTimeline(c *call) error {
	ss, err := s.store.HomeTimeline(c.r.Context(), c.viewer.ID, c.page(20, 40))
	if err != nil {
		return err
	}
	return c.okStatuses(ss, statusCursors(ss))
}

// publicTimeline is GET /api/v1/timelines/public.
func (s *Server) publicTimeline(c *call) error {
	f := store.PublicFilter{Local: c.p.boolean("local"), Remote: c.p.boolean("remote"), OnlyMedia: c.p.boolean("only_media"), ViewerID: c.viewerID()}
	ss, err := s.store.PublicTimeline(c.r.Context(), f, c.page(20, 40))
	if err != nil {
		return err
	}
	return c.okStatuses(ss, statusCursors(ss))
}

// tagTimeline is GET /api/v1/timelines/tag/:hashtag.
func (s *Server) tagTimeline(c *call) error {
	tag := strings.ToLower(strings.TrimPrefix(c.param("hashtag"), "#"))
	ss, err := s.store.TagTimeline(c.r.Context(), c.viewerID(), tag, c.p.boolean("local"), c.page(20, 40))
	if err != nil {
		return err
	}
	return c.okStatuses(ss, statusCursors(ss))
}

// listTimeline is GET /api/v1/timelines/list/:id: lists come with their own
// issue, so every list is unknown for now.
func (s *Server) listTimeline(c *call) error { return errNotFound }

// bookmarks is GET /api/v1/bookmarks.
func (s *Server) bookmarks(c *call) error {
	ss, cursors, err := s.store.Bookmarks(c.r.Context(), c.viewer.ID, c.page(20, 40))
	if err != nil {
		return err
	}
	return c.okStatuses(ss, cursors)
}

// favourites is GET /api/v1/favourites.
func (s *Server) favourites(c *call) error {
	ss, cursors, err := s.store.Favourites(c.r.Context(), c.viewer.ID, c.page(20, 40))
	if err != nil {
		return err
	}
	return c.okStatuses(ss, cursors)
}
