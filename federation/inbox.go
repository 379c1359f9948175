package federation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/federation/content"
	"github.com/roost-social/roost/federation/sig"
	"github.com/roost-social/roost/store"
)

// InboxError is a refusal of an incoming activity, with the status the
// inbox answers; peers' mistakes are 4xx, never a 500.
type InboxError struct {
	Status int
	Msg    string
	Err    error
}

func (e *InboxError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *InboxError) Unwrap() error { return e.Err }

func refuse(status int, msg string, err error) error {
	return &InboxError{Status: status, Msg: msg, Err: err}
}

// Receive handles one POST to an inbox: the signature and digest are
// checked first, then the activity is decoded, checked against its signer
// and applied. A nil error means 202 Accepted.
func (f *Federation) Receive(ctx context.Context, r *http.Request, body []byte) error {
	// A suspended server is refused before its key is even looked up.
	if p, err := sig.ParseHeader(signatureHeader(r)); err == nil && f.suspended(ctx, p.KeyID) {
		return refuse(http.StatusForbidden, "this server does not federate with yours", ErrBlockedDomain)
	}
	// A body naming a Delete is decoded before the signature check, to
	// spot an unknown actor's farewell; any other only once it is signed.
	var act *activity.Object
	var decodeErr error
	if bytes.Contains(body, []byte("Delete")) {
		act, decodeErr = activity.Decode(body)
		if decodeErr == nil && f.unknownActorDeleted(ctx, act) {
			return nil
		}
	}
	signer, err := f.verifySigner(r, body)
	switch {
	case errors.Is(err, sig.ErrMalformed):
		return refuse(http.StatusBadRequest, "malformed signature", err)
	case err != nil:
		return refuse(http.StatusUnauthorized, "signature verification failed", err)
	}
	if act == nil && decodeErr == nil {
		act, decodeErr = activity.Decode(body)
	}
	if decodeErr != nil {
		return refuse(http.StatusBadRequest, "malformed activity", decodeErr)
	}
	if act.Actor.ID() != signer.URI {
		return refuse(http.StatusUnauthorized, "the activity's actor did not sign it", nil)
	}
	if signer.Local() {
		return refuse(http.StatusForbidden, "local actors do not post to the inbox", nil)
	}
	if f.deliverer != nil {
		// A server that writes to us is up: deliveries to it resume.
		f.deliverer.recovered(ctx, hostOf(signer.URI))
	}
	return f.apply(ctx, signer, act)
}

// unknownActorDeleted reports whether act is an actor's Delete of itself
// and the actor is unknown here. Its server tells every server it knew of
// the deletion, and the actor's key can no longer be fetched to check the
// signature; with nothing to delete, it is accepted and dropped, as
// Mastodon does, instead of costing a fetch and a refusal.
func (f *Federation) unknownActorDeleted(ctx context.Context, act *activity.Object) bool {
	if act.Type != "Delete" || act.Actor.ID() == "" || act.Object.ID() != act.Actor.ID() {
		return false
	}
	_, err := f.Store.AccountByURI(ctx, act.Actor.ID())
	return errors.Is(err, store.ErrNotFound)
}

// signatureHeader is the Signature header, or the Signature scheme of
// Authorization as some servers send it.
func signatureHeader(r *http.Request) string {
	if h := r.Header.Get("Signature"); h != "" {
		return h
	}
	if a, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Signature "); ok {
		return a
	}
	return ""
}

// apply dispatches an authenticated activity by type.
func (f *Federation) apply(ctx context.Context, actor *store.Account, act *activity.Object) error {
	switch act.Type {
	case "Follow":
		return f.onFollow(ctx, actor, act)
	case "Accept":
		return f.onAccept(ctx, actor, act, true)
	case "Reject":
		return f.onAccept(ctx, actor, act, false)
	case "Undo":
		return f.onUndo(ctx, actor, act)
	case "Create":
		return f.onCreate(ctx, actor, act)
	case "Update":
		return f.onUpdate(ctx, actor, act)
	case "Delete":
		return f.onDelete(ctx, actor, act)
	case "Like":
		return f.onLike(ctx, actor, act)
	case "Announce":
		return f.onAnnounce(ctx, actor, act)
	case "Block":
		return f.onBlock(ctx, actor, act) // social.go
	case "Move":
		return f.onMove(ctx, actor, act) // social.go
	case "Flag":
		return f.onFlag(ctx, actor, act) // social.go
	case "Add":
		return f.onFeatured(ctx, actor, act, true) // social.go
	case "Remove":
		return f.onFeatured(ctx, actor, act, false) // social.go
	}
	// Types Roost does not act on yet (EmojiReact, ...) are accepted and
	// dropped, as peers expect.
	f.Log.Debug("inbox: ignored activity", "type", act.Type, "actor", actor.URI)
	return nil
}

// localTarget is the local account an activity's object names.
func (f *Federation) localTarget(ctx context.Context, uri string) (*store.Account, error) {
	if !f.isLocalURI(uri) {
		return nil, refuse(http.StatusUnprocessableEntity, "the object is not a local actor", nil)
	}
	a, err := f.Store.AccountByURI(ctx, uri)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse(http.StatusNotFound, "no such actor", err)
	}
	return a, err
}

func (f *Federation) onFollow(ctx context.Context, actor *store.Account, act *activity.Object) error {
	target, err := f.localTarget(ctx, act.Object.ID())
	if err != nil {
		return err
	}
	if rejected, err := f.rejectBlockedFollow(ctx, actor, target, act); rejected || err != nil {
		return err // a block separates them (social.go)
	}
	if target.Locked || f.severity(ctx, actor.Domain) == store.SeveritySilence {
		if _, err = f.Store.Follow(ctx, actor.ID, target.ID, store.FollowOptions{ShowReblogs: true, URI: act.ID, Pending: true}); err == nil {
			f.hookNotify(ctx, target.ID)
		}
		return err
	}
	accept := activity.Accept(target.URI+"#accepts/follows/"+store.NewID(time.Now()), target.URI, followObject(act, actor.URI, target.URI))
	ctx, err = f.withDelivery(ctx, target, accept, []string{actor.InboxURL}, "")
	if err != nil {
		return err
	}
	if _, err = f.Store.Follow(ctx, actor.ID, target.ID, store.FollowOptions{ShowReblogs: true, URI: act.ID}); err == nil {
		f.hookNotify(ctx, target.ID)
	}
	return err
}

// followObject is the Follow an Accept or Reject refers to, embedded as
// Mastodon does so the peer can match it without its own records.
func followObject(act *activity.Object, actor, target string) *activity.Activity {
	return activity.Follow(act.ID, actor, target)
}

// onAccept handles Accept and Reject of one of our follow requests.
func (f *Federation) onAccept(ctx context.Context, actor *store.Account, act *activity.Object, accepted bool) error {
	obj := act.Object
	if obj.Object != nil && obj.Object.Type != "" && obj.Object.Type != "Follow" {
		return nil // of something else (GoToSocial's LikeRequest, ...): not ours to act on
	}
	var followerID string
	if obj.Object != nil && obj.Object.Type == "Follow" {
		if obj.Object.Object.ID() != actor.URI {
			return refuse(http.StatusForbidden, "only the followed actor may accept a follow", nil)
		}
		follower, err := f.Store.AccountByURI(ctx, obj.Object.Actor.ID())
		if err != nil {
			return refuse(http.StatusUnprocessableEntity, "unknown follower", err)
		}
		followerID = follower.ID
	} else {
		fid, tid, err := f.Store.FollowByURI(ctx, obj.ID())
		if err != nil || tid != actor.ID {
			return refuse(http.StatusUnprocessableEntity, "unknown follow", err)
		}
		followerID = fid
	}
	var err error
	if accepted {
		_, err = f.Store.AuthorizeFollowRequest(ctx, actor.ID, followerID)
		if errors.Is(err, store.ErrNotFound) {
			return nil // already accepted, or withdrawn meanwhile
		}
		f.StartBackfill(actor) // in the background, once per account (backfill.go)
	} else {
		_, err = f.Store.Unfollow(ctx, followerID, actor.ID)
	}
	return err
}

func (f *Federation) onUndo(ctx context.Context, actor *store.Account, act *activity.Object) error {
	obj := act.Object.Object
	if obj == nil {
		// Only the id of the undone activity: find what it named.
		if fid, tid, err := f.Store.FollowByURI(ctx, act.Object.ID()); err == nil && fid == actor.ID {
			_, err = f.Store.Unfollow(ctx, actor.ID, tid)
			return err
		}
		if st, err := f.Store.StatusByURI(ctx, act.Object.ID()); err == nil && st.AccountID == actor.ID && st.ReblogOfID != "" {
			return f.deleteStatus(ctx, st)
		}
		if handled, err := f.undoBlockByURI(ctx, actor, act.Object.ID()); handled {
			return err // social.go
		}
		if aid, sid, err := f.Store.FavouriteByURI(ctx, act.Object.ID()); err == nil && aid == actor.ID {
			return f.Store.Unfavourite(ctx, actor.ID, sid)
		}
		return nil
	}
	if obj.Actor.ID() != "" && obj.Actor.ID() != actor.URI {
		return refuse(http.StatusForbidden, "an actor may only undo its own activities", nil)
	}
	switch obj.Type {
	case "Follow":
		target, err := f.Store.AccountByURI(ctx, obj.Object.ID())
		if err != nil {
			return nil
		}
		_, err = f.Store.Unfollow(ctx, actor.ID, target.ID)
		return err
	case "Like":
		st, err := f.statusByRef(ctx, obj.Object.ID())
		if err != nil {
			return nil
		}
		return f.Store.Unfavourite(ctx, actor.ID, st.ID)
	case "Announce":
		st, err := f.Store.StatusByURI(ctx, obj.ID)
		if err != nil || st.AccountID != actor.ID || st.ReblogOfID == "" {
			return nil
		}
		return f.deleteStatus(ctx, st)
	case "Block":
		return f.undoBlock(ctx, actor, obj) // social.go
	}
	return nil
}

// postTypes are the objects Roost stores as statuses.
var postTypes = []string{"Note", "Article", "Page", "Question", "Video", "Audio", "Image", "Event"}

// convertedTypes are the post types shown as Mastodon shows them: a title
// and a link, without their summary as a content warning.
var convertedTypes = []string{"Article", "Page", "Video", "Audio", "Image", "Event"}

// notPosts are types that carry content but are no posts: Pleroma's chat
// messages are private one-to-one talk, the others are parts of posts.
var notPosts = []string{"ChatMessage", "Tombstone", "Mention", "Hashtag", "Emoji", "Link",
	"PropertyValue", "Key", "CryptographicKey", "QuoteAuthorization", "LikeAuthorization"}

// isPost reports whether obj is stored as a status: one of postTypes, or
// an object of a type Roost does not know that has content (BookWyrm's
// GeneratedNote, Review, Quotation), shown as a Note rather than lost.
func isPost(obj *activity.Object) bool {
	if slices.Contains(postTypes, obj.Type) {
		return true
	}
	return obj.Content != "" && !obj.IsActor() && !obj.IsActivity() && !obj.IsCollection() &&
		!slices.Contains(notPosts, obj.Type)
}

func (f *Federation) onCreate(ctx context.Context, actor *store.Account, act *activity.Object) error {
	obj := act.Object.Object
	if obj == nil {
		return f.onCreateByID(ctx, actor, act.Object.ID())
	}
	if !isPost(obj) {
		return nil
	}
	if err := checkOrigin(actor, obj); err != nil {
		return err
	}
	if st, choice, ok := f.pollVote(ctx, obj); ok {
		return f.onVote(ctx, actor, st, choice) // polls.go
	}
	if _, err := f.Store.StatusByURI(ctx, obj.ID); err == nil {
		return nil // already have it
	}
	ns, touchesLocal := f.statusFromNote(ctx, actor, obj)
	if relevant, err := f.relevant(ctx, actor, touchesLocal); err != nil || !relevant {
		return err
	}
	st, _, err := f.createRemoteStatus(ctx, *ns)
	if err == nil {
		f.hookStatus(ctx, st, false)
	}
	return err
}

// deleteStatus deletes a status and tells the hooks.
func (f *Federation) deleteStatus(ctx context.Context, st *store.Status) error {
	if err := f.Store.DeleteStatus(ctx, st.ID); err != nil {
		return err
	}
	f.hookDelete(ctx, st)
	return nil
}

// createRemoteStatus stores a remote status, or finds it stored already;
// created tells which. Every remote status is stored here, and a new one is
// reported to the Stored hook here, whichever way it came.
// A remote status's ID is made from its (past) time with a random sequence
// (store.NewID), so two posts of the same millisecond, as Mastodon's
// whole-second times often are, can draw the same ID: that conflict is
// retried with a new ID, as the store asks, instead of losing the post.
func (f *Federation) createRemoteStatus(ctx context.Context, ns store.NewStatus) (*store.Status, bool, error) {
	for attempt := 1; ; attempt++ {
		st, err := f.Store.CreateStatus(ctx, ns)
		if err == nil {
			f.hookStored(ctx, st)
			return st, true, nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return nil, false, err
		}
		if st, serr := f.Store.StatusByURI(ctx, ns.URI); serr == nil {
			return st, false, nil // stored meanwhile, and reported by whoever stored it
		}
		if attempt == 5 {
			return nil, false, err
		}
	}
}

// checkOrigin refuses an object that does not belong to the actor's host or
// is attributed to someone else.
func checkOrigin(actor *store.Account, obj *activity.Object) error {
	if hostOf(obj.ID) != hostOf(actor.URI) {
		return refuse(http.StatusForbidden, "the object's id is not on the actor's host", nil)
	}
	if author := obj.Author(); author != "" && author != actor.URI {
		return refuse(http.StatusForbidden, "the object is attributed to another actor", nil)
	}
	if obj.URL != "" && hostOf(obj.URL) != hostOf(actor.URI) {
		obj.URL = "" // a url elsewhere (or javascript:) is not trusted; the id stands in
	}
	return nil
}

// statusFromNote turns a remote post into a new status; touchesLocal is
// true when it replies to a local status or mentions a local account (see
// relevant).
func (f *Federation) statusFromNote(ctx context.Context, author *store.Account, obj *activity.Object) (ns *store.NewStatus, touchesLocal bool) {
	html := obj.Content
	converted := slices.Contains(convertedTypes, obj.Type)
	if converted {
		// Articles, pages and media: a title and a link, as Mastodon shows them.
		link := firstNonEmpty(obj.URL, obj.ID)
		html = "<p>" + content.EscapeText(obj.Name) + "</p><p><a href=\"" + content.EscapeText(link) + "\">" + content.EscapeText(link) + "</a></p>"
	}
	ns = &store.NewStatus{
		URI:         obj.ID,
		URL:         firstNonEmpty(obj.URL, obj.ID),
		AccountID:   author.ID,
		Content:     content.Sanitize(truncate(html, 100_000)),
		SpoilerText: truncate(content.PlainText(content.Sanitize(obj.Summary)), 1000),
		Sensitive:   obj.Sensitive || obj.Summary != "",
		Visibility:  obj.Visibility(author.FollowersURL),
		Language:    obj.Language(),
		CreatedAt:   pastOrNow(obj.Published),
	}
	if converted {
		// The summary of an article or a video is its abstract, not a
		// content warning (Mastodon drops it too).
		ns.SpoilerText, ns.Sensitive = "", obj.Sensitive
	}
	if obj.Type == "Question" {
		ns.Poll = pollFromQuestion(obj) // polls.go
	}
	ns.Media = remoteMedia(obj) // media.go
	emojiText := obj.Content + obj.Summary
	if ns.Poll != nil {
		for _, o := range ns.Poll.Options {
			emojiText += o.Title
		}
	}
	ns.Emojis = emojisOf(obj.Emojis(), emojiText)
	if parent := obj.InReplyTo.ID(); parent != "" {
		if p, err := f.statusByRef(ctx, parent); err == nil {
			ns.InReplyToID = p.ID
			touchesLocal = p.Local
		}
	}
	for _, m := range obj.Mentions() {
		a, err := f.Store.AccountByURI(ctx, m.Href)
		if err != nil {
			continue
		}
		if !slices.Contains(ns.MentionIDs, a.ID) {
			ns.MentionIDs = append(ns.MentionIDs, a.ID)
		}
		touchesLocal = touchesLocal || a.Local()
	}
	for _, t := range obj.Hashtags() {
		name := strings.ToLower(strings.TrimPrefix(t.Name, "#"))
		if name != "" && len(ns.Tags) < 32 && !slices.Contains(ns.Tags, name) {
			ns.Tags = append(ns.Tags, name)
		}
	}
	return ns, touchesLocal
}

// relevant reports whether someone here has a reason to see a new post of
// author's that the inbox was sent: a local follower of its author, or
// (touchesLocal, from statusFromNote) a local mention or a reply to a local
// status, unless author's server is silenced, which reaches only those who
// follow its people.
func (f *Federation) relevant(ctx context.Context, author *store.Account, touchesLocal bool) (bool, error) {
	if touchesLocal && f.severity(ctx, author.Domain) != store.SeveritySilence {
		return true, nil
	}
	return f.Store.HasLocalFollowers(ctx, author.ID)
}

func (f *Federation) onUpdate(ctx context.Context, actor *store.Account, act *activity.Object) error {
	obj := act.Object.Object
	if obj == nil {
		return nil
	}
	if obj.IsActor() {
		if obj.ID != actor.URI {
			return refuse(http.StatusForbidden, "an actor may only update itself", nil)
		}
		a, err := f.accountFromActor(obj)
		if err != nil {
			return refuse(http.StatusUnprocessableEntity, "bad actor", err)
		}
		if a.KeyID == "" {
			a.KeyID, a.PublicKeyPEM = actor.KeyID, actor.PublicKeyPEM
		}
		err = f.Store.UpsertRemoteAccount(ctx, a)
		if errors.Is(err, store.ErrConflict) {
			return refuse(http.StatusUnprocessableEntity, "another account of that server has this username", err)
		}
		return err
	}
	if !isPost(obj) {
		return nil
	}
	if err := checkOrigin(actor, obj); err != nil {
		return err
	}
	st, err := f.Store.StatusByURI(ctx, obj.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.AccountID != actor.ID {
		return refuse(http.StatusForbidden, "an actor may only edit its own posts", nil)
	}
	if st.ReblogOfID != "" {
		return refuse(http.StatusUnprocessableEntity, "a boost is no post to edit", nil)
	}
	ns, _ := f.statusFromNote(ctx, actor, obj)
	if done, err := f.updatePoll(ctx, st, ns); done || err != nil {
		return err // only the poll's tally changed (polls.go)
	}
	edited := pastOrNow(obj.Updated)
	if st.EditedAt != nil && !obj.Updated.IsZero() && !edited.After(*st.EditedAt) {
		return nil // this edit or a later one is here already (a retry, or out of order)
	}
	if ns.Content == st.Content && ns.SpoilerText == st.SpoilerText && ns.Sensitive == st.Sensitive &&
		sameMedia(ns.Media, st.Media) {
		return nil // nothing a reader sees changed: no new version in the history
	}
	updated, err := f.Store.UpdateStatus(ctx, st.ID, store.StatusUpdate{
		Content: ns.Content, SpoilerText: ns.SpoilerText, Sensitive: ns.Sensitive, Language: ns.Language,
		MentionIDs: ns.MentionIDs, Tags: ns.Tags, EditedAt: edited, Media: ns.Media, Emojis: ns.Emojis,
	})
	if err == nil {
		f.hookStored(ctx, updated)
		f.hookStatus(ctx, updated, true)
	}
	return err
}

func (f *Federation) onDelete(ctx context.Context, actor *store.Account, act *activity.Object) error {
	id := act.Object.ID()
	if id == actor.URI {
		return f.Store.DeleteAccount(ctx, actor.ID)
	}
	if hostOf(id) != hostOf(actor.URI) {
		return refuse(http.StatusForbidden, "the object is not on the actor's host", nil)
	}
	st, err := f.Store.StatusByURI(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.AccountID != actor.ID {
		return refuse(http.StatusForbidden, "an actor may only delete its own posts", nil)
	}
	return f.deleteStatus(ctx, st)
}

func (f *Federation) onLike(ctx context.Context, actor *store.Account, act *activity.Object) error {
	st, err := f.statusByRef(ctx, act.Object.ID())
	if errors.Is(err, store.ErrNotFound) {
		return nil // a like of something we do not hold
	}
	if err != nil {
		return err
	}
	if ok, err := f.Store.CanSee(ctx, actor.ID, st); err != nil || !ok {
		return err // a like of what the actor may not see: no count, no notification
	}
	if err := f.Store.Favourite(ctx, actor.ID, st.ID, act.ID); err != nil {
		return err
	}
	f.hookNotify(ctx, st.AccountID)
	return nil
}

func (f *Federation) onAnnounce(ctx context.Context, actor *store.Account, act *activity.Object) error {
	if hostOf(act.ID) != hostOf(actor.URI) {
		return refuse(http.StatusForbidden, "the boost's id is not on the actor's host", nil)
	}
	if _, err := f.Store.StatusByURI(ctx, act.ID); err == nil {
		return nil
	}
	if emb := act.Object.Object; emb != nil {
		if emb.IsActivity() {
			return nil // Lemmy and WordPress relay activities so: no post to boost
		}
		if len(emb.To)+len(emb.CC) > 0 && !emb.IsPublic() {
			return nil // not public by its own addressing: never boosted, not worth a fetch
		}
	}
	// A boost of a remote post matters only to the booster's local
	// followers; followed is asked at most once, when first needed.
	followed := false
	target, err := f.statusByRef(ctx, act.Object.ID())
	if errors.Is(err, store.ErrNotFound) {
		// Only then is the post fetched, and it is trusted only as
		// fetched from its own id.
		if followed, err = f.Store.HasLocalFollowers(ctx, actor.ID); err != nil || !followed {
			return err
		}
		target, err = f.fetchStatus(ctx, act.Object.ID())
	}
	if err != nil {
		return refuse(http.StatusUnprocessableEntity, "the boosted post could not be loaded", err)
	}
	if target.Visibility != store.VisibilityPublic && target.Visibility != store.VisibilityUnlisted {
		return nil
	}
	if !target.Local && !followed {
		if followed, err = f.Store.HasLocalFollowers(ctx, actor.ID); err != nil || !followed {
			return err
		}
	}
	published := pastOrNow(act.Published)
	vis := act.Visibility(actor.FollowersURL)
	if vis == store.VisibilityDirect {
		vis = store.VisibilityPrivate
	}
	boost, _, err := f.createRemoteStatus(ctx, store.NewStatus{
		URI: act.ID, URL: act.ID, AccountID: actor.ID, ReblogOfID: target.ID, Visibility: vis, CreatedAt: published,
	})
	if err == nil {
		f.hookStatus(ctx, boost, false)
	}
	return err
}

// fetchStatus fetches a post from its id and stores it, its author first.
func (f *Federation) fetchStatus(ctx context.Context, uri string) (*store.Status, error) {
	st, _, err := f.fetchNewStatus(ctx, uri)
	return st, err
}

// fetchNewStatus is fetchStatus that also tells whether the status was
// stored by this call (false when it was stored already).
func (f *Federation) fetchNewStatus(ctx context.Context, uri string) (st *store.Status, created bool, err error) {
	if f.Client == nil || f.isLocalURI(uri) {
		return nil, false, store.ErrNotFound
	}
	if f.suspended(ctx, uri) {
		return nil, false, ErrBlockedDomain
	}
	obj, err := f.fetchPost(ctx, uri)
	if err != nil {
		return nil, false, err
	}
	if obj.ID != uri {
		// A post's web address (Pixelfed's boosts name Mastodon posts so)
		// serves the post under its id: a post of the same host, taken
		// from that id, never from the page.
		if hostOf(obj.ID) != hostOf(uri) {
			return nil, false, fmt.Errorf("%s served a post of another host, %s", uri, obj.ID)
		}
		if st, err := f.Store.StatusByURI(ctx, obj.ID); err == nil {
			return st, false, nil
		}
		uri = obj.ID
		if obj, err = f.fetchPost(ctx, uri); err != nil {
			return nil, false, err
		}
		if obj.ID != uri {
			return nil, false, fmt.Errorf("%s did not serve itself as a post", uri)
		}
	}
	author, err := f.RemoteActor(ctx, obj.Author())
	if err != nil {
		return nil, false, err
	}
	if err := checkOrigin(author, obj); err != nil {
		return nil, false, err
	}
	ns, _ := f.statusFromNote(ctx, author, obj)
	return f.createRemoteStatus(ctx, *ns)
}

// fetchPost fetches the post at uri, which must be served from uri's host.
func (f *Federation) fetchPost(ctx context.Context, uri string) (*activity.Object, error) {
	body, final, err := f.Client.GetJSON(ctx, uri, "")
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", uri, err)
	}
	obj, err := activity.Decode(body)
	if err != nil {
		return nil, err
	}
	if hostOf(final) != hostOf(uri) || !isPost(obj) {
		return nil, fmt.Errorf("%s did not serve a post", uri)
	}
	return obj, nil
}

// statusByRef finds a stored status by its id or, for a local status, by
// its web address (BaseURL/@name/ID), which some servers (Pixelfed) use to
// name the posts they boost or like.
func (f *Federation) statusByRef(ctx context.Context, ref string) (*store.Status, error) {
	st, err := f.Store.StatusByURI(ctx, ref)
	if !errors.Is(err, store.ErrNotFound) || !strings.HasPrefix(ref, f.BaseURL+"/@") {
		return st, err
	}
	_, id, _ := strings.Cut(strings.TrimPrefix(ref, f.BaseURL+"/@"), "/")
	if !store.ValidID(id) {
		return nil, err
	}
	local, lerr := f.Store.StatusByID(ctx, id)
	if lerr != nil || !local.Local || local.URL != ref {
		return nil, err
	}
	return local, nil
}

// VerifyFetch checks the signature of a GET from another server (for
// AUTHORIZED_FETCH) and returns who signed it. Suspended servers are
// refused without looking up their key.
func (f *Federation) VerifyFetch(ctx context.Context, r *http.Request) (*store.Account, error) {
	p, err := sig.ParseHeader(signatureHeader(r))
	if err != nil {
		return nil, refuse(http.StatusUnauthorized, "a signature is required", err)
	}
	if f.suspended(ctx, p.KeyID) {
		return nil, refuse(http.StatusForbidden, "this server does not federate with yours", ErrBlockedDomain)
	}
	a, err := f.verifySigner(r, nil)
	if err != nil {
		return nil, refuse(http.StatusUnauthorized, "signature verification failed", err)
	}
	return a, nil
}

// onCreateByID handles a Create that names its object only by id: the
// post is fetched from its own id (so it is trusted as its server serves
// it) when someone here follows its author, as Mastodon does.
func (f *Federation) onCreateByID(ctx context.Context, actor *store.Account, id string) error {
	if id == "" {
		return refuse(http.StatusUnprocessableEntity, "Create without an object", nil)
	}
	if hostOf(id) != hostOf(actor.URI) {
		return refuse(http.StatusForbidden, "the object's id is not on the actor's host", nil)
	}
	if _, err := f.Store.StatusByURI(ctx, id); err == nil {
		return nil
	}
	followed, err := f.Store.HasLocalFollowers(ctx, actor.ID)
	if err != nil || !followed {
		return err
	}
	st, created, err := f.fetchNewStatus(ctx, id)
	switch {
	case err != nil:
		f.Log.Info("inbox: created object not fetched", "id", id, "err", err)
	case created:
		f.hookStatus(ctx, st, false) // as onCreate reports what it stored
	}
	return nil
}
