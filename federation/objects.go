package federation

import (
	"context"
	"errors"
	"fmt"

	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/store"
)

// Fetching and storing remote objects outside the inbox, for backfills,
// threads and search: every document through the guarded client, every
// object trusted only as served from its own id or embedded in a document
// from its origin, every post stored the way the inbox stores posts.

// known reports whether the status uri names (by its id, or a local one
// by its web address) is stored.
func (f *Federation) known(ctx context.Context, uri string) bool {
	if uri == "" {
		return false
	}
	_, err := f.statusByRef(ctx, uri)
	return err == nil
}

// fetchDoc fetches an ActivityStreams document through the guarded client
// (signed by the instance actor) and returns it with the URL that answered,
// which origin checks use. Suspended servers are not asked.
func (f *Federation) fetchDoc(ctx context.Context, uri string) (*activity.Object, string, error) {
	if f.Client == nil {
		return nil, "", errors.New("federation is not set up to fetch")
	}
	if f.suspended(ctx, uri) {
		return nil, "", fmt.Errorf("fetch %s: %w", uri, ErrBlockedDomain)
	}
	body, final, err := f.Client.GetJSON(ctx, uri, "")
	if err != nil {
		return nil, "", err
	}
	doc, err := activity.Decode(body)
	if err != nil {
		return nil, "", fmt.Errorf("decode %s: %w", uri, err)
	}
	return doc, final, nil
}

// fetchObject fetches the object whose id is uri. It is trusted only as
// served from its own id: the document must name itself by uri and come
// from uri's host (after redirects).
func (f *Federation) fetchObject(ctx context.Context, uri string) (*activity.Object, error) {
	if f.isLocalURI(uri) {
		return nil, fmt.Errorf("fetch %s: a local address", uri)
	}
	doc, final, err := f.fetchDoc(ctx, uri)
	if err != nil {
		return nil, err
	}
	if doc.ID != uri || hostOf(final) != hostOf(uri) {
		return nil, fmt.Errorf("%s did not serve itself", uri)
	}
	return doc, nil
}

// trustedObject returns the object r refers to, trusted as Mastodon trusts
// collection items: an embedded object whose id is on origin (the host that
// served the document holding it) as it is, anything else only as fetched
// from its own id.
func (f *Federation) trustedObject(ctx context.Context, r activity.Ref, origin string) (*activity.Object, error) {
	if o := r.Object; o != nil && o.ID != "" && hostOf(o.ID) == origin {
		return o, nil
	}
	id := r.ID()
	if id == "" {
		return nil, errors.New("an embedded object without an id")
	}
	return f.fetchObject(ctx, id)
}

// eachItem calls fn with the items of a collection (an embedded one, or one
// fetched by id from host), then those of its first page and of the pages
// after that, at most pages pages beyond the collection itself. Embedded
// pages are trusted as part of the document that holds them; fetched pages
// must come from host, so every item comes from host. fn returns false to
// stop.
func (f *Federation) eachItem(ctx context.Context, col activity.Ref, host string, pages int, fn func(item activity.Ref) bool) error {
	seen := map[string]bool{}
	fetch := func(id string) (*activity.Object, error) {
		if seen[id] {
			return nil, nil // a loop of pages
		}
		seen[id] = true
		doc, final, err := f.fetchDoc(ctx, id)
		if err != nil {
			return nil, err
		}
		if hostOf(final) != host {
			return nil, fmt.Errorf("collection %s was served by %s", id, hostOf(final))
		}
		return doc, nil
	}
	doc := col.Object
	if doc == nil {
		if col.ID() == "" {
			return nil
		}
		var err error
		if doc, err = fetch(col.ID()); err != nil || doc == nil {
			return err
		}
	}
	for root := true; ; root = false {
		for _, it := range doc.CollectionItems() {
			if !fn(it) {
				return nil
			}
		}
		next := doc.Next
		if root && !doc.First.IsZero() {
			next = doc.First
		}
		if next.IsZero() || pages <= 0 || ctx.Err() != nil {
			return ctx.Err()
		}
		pages--
		if o := next.Object; o != nil && (len(o.CollectionItems()) > 0 || o.ID == "" || !o.Next.IsZero()) {
			doc = o
			continue
		}
		var err error
		if doc, err = fetch(next.ID()); err != nil || doc == nil {
			return err
		}
	}
}

// storePost stores a post that is trusted as it is (fetched from its own
// id, or embedded in a document from its origin) the way the inbox stores
// posts: its author known (fetched when not; author may be nil), the
// origin checked, the status made by statusFromNote, whether or not anyone
// here follows the author. It returns the stored status and whether it is
// new; a post already stored is returned as it is.
func (f *Federation) storePost(ctx context.Context, author *store.Account, obj *activity.Object) (*store.Status, bool, error) {
	if !isPost(obj) {
		return nil, false, fmt.Errorf("%s is a %s, not a post", obj.ID, obj.Type)
	}
	if st, err := f.Store.StatusByURI(ctx, obj.ID); err == nil || f.isLocalURI(obj.ID) {
		return st, false, err
	}
	if author == nil || author.URI != obj.Author() {
		var err error
		if author, err = f.RemoteActor(ctx, obj.Author()); err != nil {
			return nil, false, err
		}
	}
	if err := checkOrigin(author, obj); err != nil {
		return nil, false, err
	}
	ns, _ := f.statusFromNote(ctx, author, obj)
	return f.createRemoteStatus(ctx, *ns)
}
