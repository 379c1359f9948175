package federation

import (
	"context"
	"errors"

	"github.com/roost-social/roost/store"
)

// ResolveURL finds what an http(s) URL names, for search: the account or
// status stored with that id, else, when fetch is set, the document at the
// URL. A profile or status page URL may serve a document with another id;
// that id is looked up in turn, and what is stored comes from the id itself
// (an actor through FetchActor, a post through fetchStatus), never from the
// page. Exactly one of the results is set; nothing found is
// store.ErrNotFound (joined with the reason a fetch failed).
func (f *Federation) ResolveURL(ctx context.Context, uri string, fetch bool) (*store.Account, *store.Status, error) {
	if a, st, err := f.knownURI(ctx, uri); a != nil || st != nil || err != nil {
		return a, st, err
	}
	if !fetch || f.Client == nil || f.isLocalURI(uri) {
		return nil, nil, store.ErrNotFound
	}
	doc, _, err := f.fetchDoc(ctx, uri)
	if err != nil {
		return nil, nil, errors.Join(store.ErrNotFound, err)
	}
	id := doc.ID
	if id == "" {
		return nil, nil, store.ErrNotFound
	}
	if id != uri {
		if a, st, err := f.knownURI(ctx, id); a != nil || st != nil || err != nil {
			return a, st, err
		}
	}
	switch {
	case doc.IsActor():
		a, err := f.RemoteActor(ctx, id)
		if err != nil {
			return nil, nil, errors.Join(store.ErrNotFound, err)
		}
		return a, nil, nil
	case isPost(doc):
		st, err := f.fetchStatus(ctx, id)
		if err != nil {
			return nil, nil, errors.Join(store.ErrNotFound, err)
		}
		return nil, st, nil
	}
	return nil, nil, store.ErrNotFound
}

// knownURI finds the stored account or status whose id is uri; neither is
// three nils.
func (f *Federation) knownURI(ctx context.Context, uri string) (*store.Account, *store.Status, error) {
	a, err := f.Store.AccountByURI(ctx, uri)
	if err == nil {
		return a, nil, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	st, err := f.Store.StatusByURI(ctx, uri)
	if err == nil {
		return nil, st, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	return nil, nil, nil
}
