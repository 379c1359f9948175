package federation

import (
	"context"
	"fmt"
	"time"

	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/store"
)

// What local actions send. Each function returns ctx with the deliveries
// attached (store.WithOutgoing); the caller passes that ctx to the store
// write that makes the change, so the change and its deliveries commit
// together or not at all.

// withDelivery attaches one activity by actor to ctx, for the given inboxes
// and (when followersOf is set) that account's remote followers.
func (f *Federation) withDelivery(ctx context.Context, actor *store.Account, act any, inboxes []string, followersOf string) (context.Context, error) {
	payload, err := activity.Marshal(act)
	if err != nil {
		return ctx, fmt.Errorf("encode activity: %w", err)
	}
	var remote []string
	for _, in := range inboxes {
		if in != "" && !f.isLocalURI(in) {
			remote = append(remote, in)
		}
	}
	if len(remote) == 0 && followersOf == "" {
		return ctx, nil
	}
	return store.WithOutgoing(ctx, store.Outgoing{ActorID: actor.ID, Payload: payload, Inboxes: remote, FollowersOf: followersOf}), nil
}

// inboxOf is where one actor receives: its shared inbox when it has one.
func inboxOf(a *store.Account) string {
	if a == nil || a.Local() {
		return ""
	}
	return firstNonEmpty(a.SharedInbox, a.InboxURL)
}

// mentionInboxes are the inboxes of a status's remote mentions.
func (f *Federation) mentionInboxes(ctx context.Context, s *store.Status) ([]string, error) {
	var ids []string
	for _, m := range s.Mentions {
		if m.Domain != "" {
			ids = append(ids, m.AccountID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	accts, err := f.Store.AccountsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range accts {
		out = append(out, inboxOf(a))
	}
	return out, nil
}

// Post attaches the Create of a new local status (or the Update of an
// edited one, when update is set). s must carry its final ID, URI and
// Mentions.
func (f *Federation) Post(ctx context.Context, author *store.Account, s *store.Status, update bool) (context.Context, error) {
	s.Account = author
	doc, n, err := f.document(ctx, s) // a Note, or a Question (polls.go)
	if err != nil {
		return ctx, err
	}
	inboxes, err := f.mentionInboxes(ctx, s)
	if err != nil {
		return ctx, err
	}
	if s.InReplyToID != "" {
		if p, err := f.Store.StatusByID(ctx, s.InReplyToID); err == nil && s.Visibility != store.VisibilityDirect {
			inboxes = append(inboxes, inboxOf(p.Account))
		}
	}
	followers := author.ID
	if s.Visibility == store.VisibilityDirect {
		followers = ""
	}
	var act *activity.Activity
	if update {
		edited := time.Now()
		if s.EditedAt != nil {
			edited = *s.EditedAt
		}
		act = activity.Update(author.URI, doc, edited, n.To, n.CC)
	} else {
		act = activity.Create(author.URI, doc, s.CreatedAt, n.To, n.CC)
	}
	return f.withDelivery(ctx, author, act, inboxes, followers)
}

// DeleteStatus attaches the Delete (with a Tombstone) of a local status, or
// the Undo of a local boost.
func (f *Federation) DeleteStatus(ctx context.Context, author *store.Account, s *store.Status) (context.Context, error) {
	if s.ReblogOfID != "" && s.Reblog != nil {
		return f.Unboost(ctx, author, s)
	}
	inboxes, err := f.mentionInboxes(ctx, s)
	if err != nil {
		return ctx, err
	}
	return f.withDelivery(ctx, author, activity.Delete(author.URI, s.URI), inboxes, author.ID)
}

// Boost attaches the Announce of a new boost.
func (f *Federation) Boost(ctx context.Context, author *store.Account, boost *store.Status) (context.Context, error) {
	boost.Account = author
	return f.withDelivery(ctx, author, f.announce(boost), []string{inboxOf(boost.Reblog.Account)}, author.ID)
}

// Unboost attaches the Undo of a boost.
func (f *Federation) Unboost(ctx context.Context, author *store.Account, boost *store.Status) (context.Context, error) {
	boost.Account = author
	undo := activity.Undo(boost.URI+"#undo", author.URI, f.announce(boost))
	return f.withDelivery(ctx, author, undo, []string{inboxOf(boost.Reblog.Account)}, author.ID)
}

// Like attaches the Like (or its Undo) of a remote status.
func (f *Federation) Like(ctx context.Context, actor *store.Account, s *store.Status, undo bool) (context.Context, error) {
	if s.Local || s.Account == nil {
		return ctx, nil
	}
	id := actor.URI + "#likes/" + s.ID
	var act any = activity.Like(id, actor.URI, s.URI)
	if undo {
		act = activity.Undo(id+"/undo", actor.URI, act)
	}
	return f.withDelivery(ctx, actor, act, []string{inboxOf(s.Account)}, "")
}

// FollowURI is the id of a new Follow by follower.
func FollowURI(follower *store.Account) string {
	return follower.URI + "#follows/" + store.NewID(time.Now())
}

// Follow attaches the Follow of a remote account, whose id is uri.
func (f *Federation) Follow(ctx context.Context, follower, target *store.Account, uri string) (context.Context, error) {
	return f.withDelivery(ctx, follower, activity.Follow(uri, follower.URI, target.URI), []string{target.InboxURL}, "")
}

// Unfollow attaches the Undo of a follow of a remote account.
func (f *Federation) Unfollow(ctx context.Context, follower, target *store.Account) (context.Context, error) {
	uri, err := f.Store.FollowURI(ctx, follower.ID, target.ID)
	if err != nil || uri == "" {
		uri = follower.URI + "#follows/" + target.ID
	}
	undo := activity.Undo(uri+"/undo", follower.URI, activity.Follow(uri, follower.URI, target.URI))
	return f.withDelivery(ctx, follower, undo, []string{target.InboxURL}, "")
}

// AnswerFollow attaches the Accept or Reject of a remote follow request.
func (f *Federation) AnswerFollow(ctx context.Context, target, follower *store.Account, accept bool) (context.Context, error) {
	uri, err := f.Store.FollowURI(ctx, follower.ID, target.ID)
	if err != nil {
		return ctx, err
	}
	follow := activity.Follow(uri, follower.URI, target.URI)
	id := target.URI + "#follows/answer/" + store.NewID(time.Now())
	var act any = activity.Accept(id, target.URI, follow)
	if !accept {
		act = activity.Reject(id, target.URI, follow)
	}
	return f.withDelivery(ctx, target, act, []string{follower.InboxURL}, "")
}

// UpdateProfile attaches the Update of a local actor, to its followers.
func (f *Federation) UpdateProfile(ctx context.Context, a *store.Account) (context.Context, error) {
	return f.withDelivery(ctx, a, activity.UpdateActor(f.Actor(a), time.Now()), nil, a.ID)
}
