package server

import (
	"github.com/roost-social/roost/server/mastodon"
)

// block is POST /api/v1/accounts/:id/block; a remote account's server is
// told with a Block activity.
func (s *Server) block(c *call) error {
	a, err := c.accountParam()
	if err != nil {
		return err
	}
	if a.ID == c.viewer.ID {
		return forbidden("This action is not allowed")
	}
	r, err := s.fed.BlockAccount(c.r.Context(), c.viewer, a)
	if err != nil {
		return err
	}
	s.fed.Nudge()
	return c.ok(mastodon.RelationshipOf(r))
}

// unblock is POST /api/v1/accounts/:id/unblock; a remote account's server
// is told with the Undo of the Block.
func (s *Server) unblock(c *call) error {
	a, err := c.accountParam()
	if err != nil {
		return err
	}
	if a.ID == c.viewer.ID {
		return forbidden("This action is not allowed")
	}
	r, err := s.fed.UnblockAccount(c.r.Context(), c.viewer, a)
	if err != nil {
		return err
	}
	s.fed.Nudge()
	return c.ok(mastodon.RelationshipOf(r))
}

// blocks is GET /api/v1/blocks: the accounts the viewer blocks, newest
// block first, paginated by the blocks' IDs.
func (s *Server) blocks(c *call) error {
	accts, cursors, err := s.store.Blocks(c.r.Context(), c.viewer.ID, c.page(40, 80))
	if err != nil {
		return err
	}
	c.setLink(cursors)
	return c.ok(s.env.Accounts(accts))
}
