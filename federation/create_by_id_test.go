package federation_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/roost-social/roost/store"
)

// objectOf is the object a Create embeds, as its own document.
func objectOf(t *testing.T, create []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(create, &m); err != nil {
		t.Fatal(err)
	}
	obj, _ := m["object"].(map[string]any)
	obj["@context"] = asContext
	return mustJSON(t, obj)
}

// TestCreateNamingItsObjectByID: a Create whose object is only an id is
// fetched from that id when someone here follows the author, and dropped
// (202, nothing fetched) otherwise. The fetched post reaches the Stored hook
// (the search index) once, as a post embedded in its Create does.
func TestCreateNamingItsObjectByID(t *testing.T) {
	r := newRig(t)
	// Wrapped before any traffic: the hook is read by request handlers
	// and background fetches.
	fed := r.srv.Federation()
	index := fed.Hooks.Stored
	var mu sync.Mutex
	stored := map[string]int{}
	fed.Hooks.Stored = func(ctx context.Context, st *store.Status) {
		mu.Lock()
		stored[st.URI]++
		mu.Unlock()
		if index != nil {
			index(ctx, st)
		}
	}
	alice := r.newUser("alice", false)
	carol := r.remote.actor(r.remote.origin + "/users/carol")
	dave := r.remote.actor(r.remote.origin + "/users/dave")
	r.follow(alice, carol)

	noteID := r.remote.origin + "/notes/by-id-1"
	r.remote.serve(noteID, objectOf(t, note(carol, noteID, "<p>fetched by id</p>", nil)))
	r.expect(202, carol, mustJSON(t, map[string]any{
		"@context": asContext, "id": noteID + "/activity", "type": "Create", "actor": carol.uri, "object": noteID,
	}))
	s := r.remoteStatus(alice, noteID)
	if s.Content != "<p>fetched by id</p>" {
		t.Fatalf("stored %+v", s)
	}
	mu.Lock()
	n := stored[noteID]
	mu.Unlock()
	if n != 1 {
		t.Errorf("the Stored hook saw the post %d times, want once", n)
	}

	// Nobody follows dave: nothing is fetched.
	unfollowed := r.remote.origin + "/notes/by-id-2"
	r.remote.serve(unfollowed, objectOf(t, note(dave, unfollowed, "<p>unwanted</p>", nil)))
	r.expect(202, dave, mustJSON(t, map[string]any{
		"@context": asContext, "id": unfollowed + "/activity", "type": "Create", "actor": dave.uri, "object": unfollowed,
	}))
	if n := r.remote.fetches(unfollowed); n != 0 {
		t.Fatalf("a post of an unfollowed author was fetched %d times", n)
	}
	// An id on another host is refused.
	r.expect(403, carol, mustJSON(t, map[string]any{
		"@context": asContext, "id": noteID + "/activity2", "type": "Create", "actor": carol.uri, "object": r.other.origin + "/notes/x",
	}))
}
