package federation

import (
	"context"

	"github.com/roost-social/roost/store"
)

// Hooks tell the code that owns the Federation what the inbox changed, once
// the store holds it, so that it can tell live readers (streaming): this
// package never imports server. Nil hooks are skipped; hooks must not block.
type Hooks struct {
	// Status reports a status that arrived (edited false) or was edited.
	Status func(ctx context.Context, st *store.Status, edited bool)
	// Delete reports a status as it was before it was deleted.
	Delete func(ctx context.Context, st *store.Status)
	// Notify names local accounts that may have new notifications.
	Notify func(ctx context.Context, accountIDs ...string)
	// Stored reports every status stored or edited here, whichever way it
	// came (inbox, a fetch for a thread or a search, backfill), for the
	// search index; boosts included, which the hook may skip.
	Stored func(ctx context.Context, st *store.Status)
}

// hookStatus tells live readers of a status that arrived or was edited.
// The Stored hook is not called here but where the status is stored
// (createRemoteStatus, onUpdate), so that every stored status reaches it
// once, whether or not anyone is told of it live.
func (f *Federation) hookStatus(ctx context.Context, st *store.Status, edited bool) {
	if f.Hooks.Status != nil && st != nil {
		f.Hooks.Status(ctx, st, edited)
	}
	if !edited && st != nil {
		f.hookNotify(ctx, StatusNotified(st)...)
	}
}

func (f *Federation) hookStored(ctx context.Context, st *store.Status) {
	if f.Hooks.Stored != nil && st != nil {
		f.Hooks.Stored(ctx, st)
	}
}

func (f *Federation) hookDelete(ctx context.Context, st *store.Status) {
	if f.Hooks.Delete != nil && st != nil {
		f.Hooks.Delete(ctx, st)
	}
}

func (f *Federation) hookNotify(ctx context.Context, ids ...string) {
	if f.Hooks.Notify != nil && len(ids) > 0 {
		f.Hooks.Notify(ctx, ids...)
	}
}

// StatusNotified names the accounts a new status may notify: the mentioned,
// the author replied to and the author of a boosted status (not the
// author's own account).
func StatusNotified(st *store.Status) []string {
	var ids []string
	add := func(id string) {
		if id != "" && id != st.AccountID {
			ids = append(ids, id)
		}
	}
	for _, m := range st.Mentions {
		add(m.AccountID)
	}
	add(st.InReplyToAccountID)
	if st.Reblog != nil {
		add(st.Reblog.AccountID)
	}
	return ids
}
