package federation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/federation/content"
	"github.com/roost-social/roost/store"
)

// The social graph beyond follows: account blocks (Block, Undo Block),
// account moves (Move), reports (Flag) and pinned posts (Add and Remove on
// an actor's featured collection), both the local actions that send them
// and the inbox handling of what other servers send.

// maxReportComment bounds the comment a remote report may store.
const maxReportComment = 1000

// FollowAccount makes follower (local) follow target with o, as the API's
// follow does: a remote target gets a Follow activity, stored with the
// follow request, and the follow waits for its Accept. Following an account
// one blocks or is blocked by is store.ErrConflict.
func (f *Federation) FollowAccount(ctx context.Context, follower, target *store.Account, o store.FollowOptions) (*store.Relationship, error) {
	if !target.Local() {
		rels, err := f.Store.Relationships(ctx, follower.ID, []string{target.ID})
		if err != nil {
			return nil, err
		}
		// Changing the options of a follow or request sends nothing.
		if !rels[0].Following && !rels[0].Requested {
			o.URI, o.Pending = FollowURI(follower), true
			if ctx, err = f.Follow(ctx, follower, target, o.URI); err != nil {
				return nil, err
			}
		}
	}
	return f.Store.Follow(ctx, follower.ID, target.ID, o)
}

// UnfollowAccount ends follower's (local) follow of target or withdraws
// the request, with the Undo a remote target's server must hear of.
func (f *Federation) UnfollowAccount(ctx context.Context, follower, target *store.Account) (*store.Relationship, error) {
	if !target.Local() {
		var err error
		if ctx, err = f.Unfollow(ctx, follower, target); err != nil {
			return nil, err
		}
	}
	return f.Store.Unfollow(ctx, follower.ID, target.ID)
}

// BlockAccount makes blocker (local) block target. A remote target's server
// gets a Block, stored with the block; a block already made sends nothing
// again.
func (f *Federation) BlockAccount(ctx context.Context, blocker, target *store.Account) (*store.Relationship, error) {
	var uri string
	if !target.Local() {
		rels, err := f.Store.Relationships(ctx, blocker.ID, []string{target.ID})
		if err != nil {
			return nil, err
		}
		if rels[0].Blocking {
			return rels[0], nil
		}
		uri = blocker.URI + "#blocks/" + store.NewID(time.Now())
		if ctx, err = f.withDelivery(ctx, blocker, activity.Block(uri, blocker.URI, target.URI), []string{target.InboxURL}, ""); err != nil {
			return nil, err
		}
	}
	return f.Store.Block(ctx, blocker.ID, target.ID, uri)
}

// UnblockAccount lifts blocker's (local) block of target, with the Undo of
// the Block for a remote target.
func (f *Federation) UnblockAccount(ctx context.Context, blocker, target *store.Account) (*store.Relationship, error) {
	if !target.Local() {
		uri, err := f.Store.BlockURI(ctx, blocker.ID, target.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Not blocked: nothing to undo.
		case err != nil:
			return nil, err
		default:
			if uri == "" {
				uri = blocker.URI + "#blocks/" + target.ID
			}
			undo := activity.Undo(uri+"/undo", blocker.URI, activity.Block(uri, blocker.URI, target.URI))
			if ctx, err = f.withDelivery(ctx, blocker, undo, []string{target.InboxURL}, ""); err != nil {
				return nil, err
			}
		}
	}
	return f.Store.Unblock(ctx, blocker.ID, target.ID)
}

// Feature attaches the Add (pin) or Remove (unpin) of one of author's
// (local) statuses to its featured collection, for author's followers.
func (f *Federation) Feature(ctx context.Context, author *store.Account, s *store.Status, pin bool) (context.Context, error) {
	if !author.Local() || s.AccountID != author.ID || s.URI == "" {
		return ctx, nil
	}
	featured := firstNonEmpty(author.FeaturedURL, author.URI+"/collections/featured")
	id := author.URI + "#featured/" + store.NewID(time.Now())
	var act any = activity.Add(id, author.URI, s.URI, featured)
	if !pin {
		act = activity.Remove(id, author.URI, s.URI, featured)
	}
	return f.withDelivery(ctx, author, act, nil, author.ID)
}

// onBlock stores a remote actor's block of a local account.
func (f *Federation) onBlock(ctx context.Context, actor *store.Account, act *activity.Object) error {
	if !f.isLocalURI(act.Object.ID()) {
		return nil // a block of someone elsewhere (Lemmy's community bans) is not ours to keep
	}
	target, err := f.localTarget(ctx, act.Object.ID())
	if err != nil {
		return err
	}
	_, err = f.Store.Block(ctx, actor.ID, target.ID, act.ID)
	return err
}

// undoBlock lifts the block an embedded Block names.
func (f *Federation) undoBlock(ctx context.Context, actor *store.Account, block *activity.Object) error {
	target, err := f.Store.AccountByURI(ctx, block.Object.ID())
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = f.Store.Unblock(ctx, actor.ID, target.ID)
	return err
}

// undoBlockByURI lifts the block made by the Block activity uri, when it
// is actor's; handled is false when uri names no block of actor.
func (f *Federation) undoBlockByURI(ctx context.Context, actor *store.Account, uri string) (handled bool, err error) {
	blocker, target, err := f.Store.BlockByURI(ctx, uri)
	if err != nil || blocker != actor.ID {
		return false, nil
	}
	_, err = f.Store.Unblock(ctx, actor.ID, target)
	return true, err
}

// rejectBlockedFollow answers a Follow between accounts a block separates
// with a Reject, as Mastodon does; handled is false when no block does.
func (f *Federation) rejectBlockedFollow(ctx context.Context, actor, target *store.Account, act *activity.Object) (handled bool, err error) {
	rels, err := f.Store.Relationships(ctx, target.ID, []string{actor.ID})
	if err != nil {
		return false, err
	}
	if !rels[0].Blocking && !rels[0].BlockedBy {
		return false, nil
	}
	reject := activity.Reject(target.URI+"#rejects/follows/"+store.NewID(time.Now()), target.URI, followObject(act, actor.URI, target.URI))
	if ctx, err = f.withDelivery(ctx, target, reject, []string{actor.InboxURL}, ""); err != nil {
		return true, err
	}
	return true, f.Store.Enqueue(ctx)
}

// onMove handles an account's move to another: the new actor, fetched from
// its own server, must name the old one in alsoKnownAs. The old account is
// marked moved, and every local follower of it follows the new one instead
// (a remote new account gets their Follows; the old one their Undos).
func (f *Federation) onMove(ctx context.Context, actor *store.Account, act *activity.Object) error {
	if act.Object.ID() != actor.URI {
		return refuse(http.StatusForbidden, "an actor may only move itself", nil)
	}
	targetURI := act.Target.ID()
	if targetURI == "" || targetURI == actor.URI {
		return refuse(http.StatusUnprocessableEntity, "a Move needs a target other than the actor", nil)
	}
	doc, target, err := f.fetchActorDoc(ctx, targetURI)
	if err != nil {
		// The new account may not be reachable yet; Mastodon accepts the
		// Move and does nothing, and so does Roost.
		f.Log.Info("inbox: move target not fetched", "actor", actor.URI, "target", targetURI, "err", err)
		return nil
	}
	if !slices.Contains(doc.AlsoKnownAs, actor.URI) {
		return refuse(http.StatusUnprocessableEntity, "the account moved to does not name the actor in alsoKnownAs", nil)
	}
	if err := f.Store.MoveAccount(ctx, actor.ID, target.ID); err != nil {
		return err
	}
	return f.moveFollowers(ctx, actor, target)
}

// moveFollowers makes the local followers of old follow target instead,
// with the same options. One who cannot follow target (a block) keeps
// following old.
func (f *Federation) moveFollowers(ctx context.Context, old, target *store.Account) error {
	// Once begun, the move is finished even if the sender hangs up.
	ctx = context.WithoutCancel(ctx)
	var locals []*store.Account
	p := store.Page{Limit: 200}
	for {
		accts, cursors, err := f.Store.Followers(ctx, old.ID, p)
		if err != nil {
			return err
		}
		for _, a := range accts {
			if a.Local() {
				locals = append(locals, a)
			}
		}
		if len(cursors) == 0 {
			break
		}
		p.MaxID = cursors[len(cursors)-1]
	}
	for _, follower := range locals {
		rels, err := f.Store.Relationships(ctx, follower.ID, []string{old.ID})
		if err != nil {
			return err
		}
		o := store.FollowOptions{ShowReblogs: rels[0].ShowingReblogs, Notify: rels[0].Notifying}
		if _, err := f.FollowAccount(ctx, follower, target, o); err != nil {
			if errors.Is(err, store.ErrConflict) {
				f.Log.Info("move: follower cannot follow the new account", "follower", follower.ID, "target", target.URI, "err", err)
				continue
			}
			return fmt.Errorf("move follower %s: %w", follower.ID, err)
		}
		if _, err := f.UnfollowAccount(ctx, follower, old); err != nil {
			return fmt.Errorf("move follower %s: %w", follower.ID, err)
		}
	}
	return nil
}

// fetchActorDoc fetches a remote actor and stores it as FetchActor does,
// also returning the document for what the store does not keep
// (alsoKnownAs). The document must be served from its own id.
func (f *Federation) fetchActorDoc(ctx context.Context, uri string) (*activity.Object, *store.Account, error) {
	if f.isLocalURI(uri) {
		return nil, nil, fmt.Errorf("fetch actor %s: a local account has no aliases", uri)
	}
	doc, a, err := f.fetchActorDocument(ctx, uri)
	if err != nil {
		return nil, nil, err
	}
	if doc.ID != uri {
		return nil, nil, fmt.Errorf("%s did not serve itself as an actor", uri)
	}
	return doc, a, nil
}

// onFlag stores a report of a local account (and of some of its statuses)
// and notifies the moderators. The objects may name the account, its
// statuses, or both (Lemmy names only the post); what is not here is
// ignored, and a report naming nothing here is refused.
func (f *Federation) onFlag(ctx context.Context, actor *store.Account, act *activity.Object) error {
	var target *store.Account
	var statuses []*store.Status
	for _, id := range act.Objects.IDs() {
		if !f.isLocalURI(id) {
			continue
		}
		a, err := f.Store.AccountByURI(ctx, id)
		if err == nil {
			if target == nil {
				target = a
			}
			continue
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		st, err := f.Store.StatusByURI(ctx, id)
		if err == nil {
			statuses = append(statuses, st)
			continue
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if target == nil && len(statuses) > 0 {
		target = statuses[0].Account
	}
	if target == nil {
		// Reports of others' posts (Lemmy, GoToSocial forward them) are
		// none of ours: accepted and dropped, as Mastodon does.
		return nil
	}
	var ids []string
	for _, st := range statuses {
		if st.AccountID == target.ID && !slices.Contains(ids, st.ID) {
			ids = append(ids, st.ID)
		}
	}
	comment := firstNonEmpty(act.Content, act.Summary) // Lemmy writes the reason in summary
	comment = truncate(content.PlainText(content.Sanitize(comment)), maxReportComment)
	err := f.Store.CreateReport(ctx, &store.Report{
		AccountID: actor.ID, TargetAccountID: target.ID, StatusIDs: ids, Comment: comment, URI: act.ID,
	})
	if errors.Is(err, store.ErrConflict) {
		return nil // the same Flag again
	}
	return err
}

// onFeatured handles Add (pin) and Remove (unpin) of one of the actor's
// posts to or from its featured collection; other collections (a Lemmy
// community's, someone else's) are none of Roost's business.
func (f *Federation) onFeatured(ctx context.Context, actor *store.Account, act *activity.Object, pin bool) error {
	if actor.FeaturedURL == "" || act.Target.ID() != actor.FeaturedURL {
		f.Log.Debug("inbox: ignored "+act.Type+" to a collection other than the actor's featured", "actor", actor.URI, "target", act.Target.ID())
		return nil
	}
	uri := act.Object.ID()
	if uri == "" {
		return refuse(http.StatusUnprocessableEntity, act.Type+" without an object", nil)
	}
	st, err := f.Store.StatusByURI(ctx, uri)
	switch {
	case errors.Is(err, store.ErrNotFound) && !pin:
		return nil
	case errors.Is(err, store.ErrNotFound):
		if hostOf(uri) != hostOf(actor.URI) {
			return refuse(http.StatusForbidden, "the featured post is not on the actor's host", nil)
		}
		// A post not seen yet is trusted only as fetched from its own id.
		if st, err = f.fetchStatus(ctx, uri); err != nil {
			return refuse(http.StatusUnprocessableEntity, "the featured post could not be loaded", err)
		}
	case err != nil:
		return err
	}
	if st.AccountID != actor.ID || st.ReblogOfID != "" {
		return refuse(http.StatusForbidden, "an actor may only feature its own posts", nil)
	}
	if pin {
		return f.Store.Pin(ctx, actor.ID, st.ID)
	}
	return f.Store.Unpin(ctx, actor.ID, st.ID)
}
