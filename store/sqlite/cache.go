package sqlite

import (
	"errors"
	"slices"
	"sync"

	"modernc.org/sqlite"

	"github.com/roost-social/roost/store"
)

// accountCacheSize bounds the accounts kept decoded in memory (a few MB).
const accountCacheSize = 2048

// accountCache keeps decoded accounts for the readers: every status read
// needs its author, and the same few accounts come back all the time.
//
// The writer's connection reports, through SQLite's pre-update hook, every
// accounts row it changes; once the transaction commits those entries are
// dropped. A reader may only add what it read in a snapshot that began
// after the last drop (gen is unchanged), so an old version of an account
// can never be cached after its change was committed.
type accountCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[int64]*store.Account
}

func newAccountCache() *accountCache {
	return &accountCache{m: make(map[int64]*store.Account)}
}

// generation is taken by a reader before its snapshot begins.
func (ac *accountCache) generation() uint64 {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	return ac.gen
}

// get puts copies of the cached accounts among ids into out and returns the
// ids it does not have.
func (ac *accountCache) get(ids []int64, out map[int64]*store.Account) (missing []int64) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	for _, id := range ids {
		if a, ok := ac.m[id]; ok {
			out[id] = cloneAccount(a)
		} else {
			missing = append(missing, id)
		}
	}
	return missing
}

// put caches accounts read in a snapshot that began at generation gen.
func (ac *accountCache) put(gen uint64, accounts map[int64]*store.Account, ids []int64) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if gen != ac.gen {
		return
	}
	if len(ac.m)+len(ids) > accountCacheSize {
		clear(ac.m)
	}
	for _, id := range ids {
		if a, ok := accounts[id]; ok {
			ac.m[id] = cloneAccount(a)
		}
	}
}

// drop forgets the accounts whose rows a committed transaction changed.
func (ac *accountCache) drop(ids []int64) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	ac.gen++
	for _, id := range ids {
		delete(ac.m, id)
	}
}

// clearAll forgets every account: another process changed the database.
func (ac *accountCache) clearAll() {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	ac.gen++
	clear(ac.m)
}

// cloneAccount copies a so that callers may change what they get.
func cloneAccount(a *store.Account) *store.Account {
	b := *a
	b.Fields = slices.Clone(a.Fields)
	if a.LastStatusAt != nil {
		t := *a.LastStatusAt
		b.LastStatusAt = &t
	}
	return &b
}

var errNoHooks = errors.New("the SQLite driver offers no update hooks")

// watchAccounts makes the writer connection record the accounts rows it
// changes in c.touched.
func watchAccounts(c *conn) error {
	return c.sc.Raw(func(dc any) error {
		h, ok := dc.(sqlite.HookRegisterer)
		if !ok {
			return errNoHooks
		}
		h.RegisterPreUpdateHook(func(d sqlite.SQLitePreUpdateData) {
			if d.TableName == "accounts" {
				c.touched = append(c.touched, d.OldRowID, d.NewRowID)
			}
		})
		return nil
	})
}

// unwatchAccounts removes the hook of watchAccounts.
func unwatchAccounts(c *conn) error {
	return c.sc.Raw(func(dc any) error {
		if h, ok := dc.(sqlite.HookRegisterer); ok {
			h.RegisterPreUpdateHook(nil)
		}
		return nil
	})
}
