package storetest

import (
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

var accountTests = []storeTest{
	{"CreateLocalAccount", testCreateLocalAccount},
	{"UsernameAndEmailConflict", testAccountConflicts},
	{"AccountLookups", testAccountLookups},
	{"UpsertRemoteAccount", testUpsertRemoteAccount},
	{"AccountsByIDs", testAccountsByIDs},
	{"UpdateProfile", testUpdateProfile},
	{"Users", testUsers},
	{"InstanceUsage", testInstanceUsage},
	{"DeleteAccount", testDeleteAccount},
}

func testCreateLocalAccount(t *testing.T, s store.Store) {
	ctx := t.Context()
	verified := time.Date(2024, 5, 6, 7, 8, 9, 123_000_000, time.UTC)
	a := &store.Account{
		Username:    "alice",
		Domain:      "ignored.test",
		DisplayName: "Alice",
		Note:        "<p>hi</p>",
		NoteSource:  "hi",
		Fields: []store.Field{
			{Name: "Website", Value: `<a href="https://alice.test">alice.test</a>`, Source: "https://alice.test", VerifiedAt: &verified},
			{Name: "Pronouns", Value: "she/her"},
		},
		Bot:          true,
		Discoverable: true,
		URI:          "https://example.test/users/alice",
		URL:          "https://example.test/@alice",
		PrivateKey:   "secret",
		Language:     "en",
		// Counters are the store's business.
		FollowersCount: 99,
	}
	u := &store.User{Email: "alice@example.test", PasswordHash: "h", Role: store.RoleOwner}
	ok(t, s.CreateLocalAccount(ctx, a, u), "create account")

	if !store.ValidID(a.ID) || !store.ValidID(u.ID) {
		t.Fatalf("IDs not assigned: account %q, user %q", a.ID, u.ID)
	}
	equal(t, a.Domain, "", "domain of a local account")
	equal(t, u.AccountID, a.ID, "user's account ID")
	equal(t, a.Privacy, store.VisibilityPublic, "default privacy")
	utcMillis(t, a.CreatedAt, "account CreatedAt")
	utcMillis(t, u.CreatedAt, "user CreatedAt")

	got := MustAccount(t, s, a.ID)
	equal(t, got.Username, "alice", "username")
	equal(t, got.Domain, "", "domain")
	equal(t, got.DisplayName, "Alice", "display name")
	equal(t, got.Note, "<p>hi</p>", "note")
	equal(t, got.NoteSource, "hi", "note source")
	equal(t, got.Bot, true, "bot")
	equal(t, got.Discoverable, true, "discoverable")
	equal(t, got.Locked, false, "locked")
	equal(t, got.URI, a.URI, "URI")
	equal(t, got.URL, a.URL, "URL")
	equal(t, got.PrivateKey, "secret", "private key")
	equal(t, got.Language, "en", "language")
	equal(t, got.FollowersCount, 0, "followers count of a new account")
	equal(t, got.StatusesCount, 0, "statuses count of a new account")
	if got.LastStatusAt != nil {
		t.Errorf("LastStatusAt = %v, want nil", got.LastStatusAt)
	}
	if !got.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, a.CreatedAt)
	}
	if len(got.Fields) != 2 {
		t.Fatalf("fields = %+v, want 2", got.Fields)
	}
	equal(t, got.Fields[0].Name, "Website", "field name")
	equal(t, got.Fields[0].Source, "https://alice.test", "field source")
	if got.Fields[0].VerifiedAt == nil || !got.Fields[0].VerifiedAt.Equal(verified) {
		t.Errorf("field verified at = %v, want %v", got.Fields[0].VerifiedAt, verified)
	}
	equal(t, got.Fields[1].Value, "she/her", "second field value")

	// A given ID and time are kept.
	at := time.Date(2023, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	b := &store.Account{ID: store.NewID(at), Username: "bob", CreatedAt: at, URI: "https://example.test/users/bob"}
	id := b.ID
	ok(t, s.CreateLocalAccount(ctx, b, &store.User{Email: "bob@example.test"}), "create account with ID")
	equal(t, b.ID, id, "given ID")
	got = MustAccount(t, s, id)
	if !got.CreatedAt.Equal(at) {
		t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, at)
	}
	user, err := s.UserByAccountID(ctx, id)
	ok(t, err, "user by account")
	equal(t, user.Role, store.RoleUser, "default role")
}

func testAccountConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	MustCreateLocal(t, s, "alice")
	err := s.CreateLocalAccount(ctx, &store.Account{Username: "ALICE", URI: "https://example.test/users/ALICE"},
		&store.User{Email: "other@example.test"})
	isErr(t, err, store.ErrConflict, "username taken in another case")
	err = s.CreateLocalAccount(ctx, &store.Account{Username: "carol", URI: "https://example.test/users/carol"},
		&store.User{Email: "Alice@Example.test"})
	isErr(t, err, store.ErrConflict, "e-mail taken")
	// Nothing of the failed attempts was kept.
	_, err = s.AccountByUsername(ctx, "carol", "")
	isErr(t, err, store.ErrNotFound, "account of a failed creation")

	// The same name elsewhere is another account.
	MustCreateRemote(t, s, "alice", "remote.test")
	MustCreateRemote(t, s, "alice", "other.test")
	err = s.UpsertRemoteAccount(ctx, &store.Account{Username: "Alice", Domain: "remote.test", URI: "https://remote.test/u/alice2"})
	isErr(t, err, store.ErrConflict, "remote username@domain taken")
}

func testAccountLookups(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	remote := MustCreateRemote(t, s, "Alice", "Remote.test")

	for _, name := range []string{"alice", "ALICE", "Alice"} {
		a, err := s.AccountByUsername(ctx, name, "")
		ok(t, err, "account by username "+name)
		equal(t, a.ID, alice.ID, "account by username "+name)
	}
	a, err := s.AccountByUsername(ctx, "alice", "remote.test")
	ok(t, err, "remote account by username")
	equal(t, a.ID, remote.ID, "remote account by username")
	equal(t, a.Acct(), "Alice@Remote.test", "acct keeps the stored case")
	_, err = s.AccountByUsername(ctx, "bob", "")
	isErr(t, err, store.ErrNotFound, "unknown username")
	_, err = s.AccountByUsername(ctx, "alice", "nowhere.test")
	isErr(t, err, store.ErrNotFound, "unknown domain")

	a, err = s.AccountByURI(ctx, alice.URI)
	ok(t, err, "account by URI")
	equal(t, a.ID, alice.ID, "account by URI")
	_, err = s.AccountByURI(ctx, "https://nowhere.test/u/x")
	isErr(t, err, store.ErrNotFound, "unknown URI")

	a, err = s.AccountByID(ctx, remote.ID)
	ok(t, err, "account by ID")
	equal(t, a.Local(), false, "remote account is not local")
	for _, id := range []string{"", "0", "abc", "12345", "-1"} {
		_, err = s.AccountByID(ctx, id)
		isErr(t, err, store.ErrNotFound, "account by ID "+id)
	}
}

func testUpsertRemoteAccount(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := MustCreateRemote(t, s, "bob", "remote.test")
	if !store.ValidID(a.ID) {
		t.Fatalf("ID not assigned: %q", a.ID)
	}
	utcMillis(t, a.CreatedAt, "CreatedAt")
	local := MustCreateLocal(t, s, "alice")
	MustFollow(t, s, local, a)

	// A second upsert by URI updates the same account.
	b := &store.Account{
		Username:    "bob",
		Domain:      "remote.test",
		DisplayName: "Bob, renamed",
		Locked:      true,
		URI:         a.URI,
		InboxURL:    "https://remote.test/new-inbox",
		Fields:      []store.Field{{Name: "a", Value: "b"}},
	}
	ok(t, s.UpsertRemoteAccount(ctx, b), "update remote account")
	equal(t, b.ID, a.ID, "ID after update")
	got := MustAccount(t, s, a.ID)
	equal(t, got.DisplayName, "Bob, renamed", "display name")
	equal(t, got.Locked, true, "locked")
	equal(t, got.InboxURL, "https://remote.test/new-inbox", "inbox")
	equal(t, len(got.Fields), 1, "fields")
	equal(t, got.FollowersCount, 1, "followers count kept")
	if !got.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("CreatedAt changed: %v, was %v", got.CreatedAt, a.CreatedAt)
	}
}

func testAccountsByIDs(t *testing.T, s store.Store) {
	a := MustCreateLocal(t, s, "alice")
	b := MustCreateLocal(t, s, "bob")
	c := MustCreateRemote(t, s, "carol", "remote.test")
	list, err := s.AccountsByIDs(t.Context(), []string{c.ID, "999", a.ID, "x", b.ID})
	ok(t, err, "accounts by IDs")
	equalSlice(t, AccountIDs(list), []string{c.ID, a.ID, b.ID}, "accounts in the asked order")
	list, err = s.AccountsByIDs(t.Context(), nil)
	ok(t, err, "no accounts")
	equal(t, len(list), 0, "accounts for no IDs")
}

func testUpdateProfile(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := MustCreateLocal(t, s, "alice")
	time.Sleep(2 * time.Millisecond)
	name, note, locked := "Alice A.", "<p>new</p>", true
	fields := []store.Field{{Name: "Site", Value: "x"}}
	got, err := s.UpdateProfile(ctx, a.ID, store.ProfileUpdate{DisplayName: &name, Note: &note, Locked: &locked, Fields: &fields})
	ok(t, err, "update profile")
	equal(t, got.DisplayName, name, "display name")
	equal(t, got.Note, note, "note")
	equal(t, got.Locked, true, "locked")
	equal(t, len(got.Fields), 1, "fields")
	equal(t, got.URI, a.URI, "untouched URI")
	equal(t, got.Bot, false, "untouched bot")
	if !got.UpdatedAt.After(a.UpdatedAt) {
		t.Errorf("UpdatedAt %v not after %v", got.UpdatedAt, a.UpdatedAt)
	}
	utcMillis(t, got.UpdatedAt, "UpdatedAt")

	// Nil fields are left alone, and fields can be cleared.
	privacy, empty := store.VisibilityPrivate, []store.Field{}
	got, err = s.UpdateProfile(ctx, a.ID, store.ProfileUpdate{Privacy: &privacy, Fields: &empty})
	ok(t, err, "update privacy")
	equal(t, got.Privacy, store.VisibilityPrivate, "privacy")
	equal(t, got.DisplayName, name, "display name kept")
	equal(t, got.Locked, true, "locked kept")
	equal(t, len(got.Fields), 0, "fields cleared")
	equal(t, MustAccount(t, s, a.ID).Privacy, store.VisibilityPrivate, "privacy stored")

	_, err = s.UpdateProfile(ctx, "999", store.ProfileUpdate{DisplayName: &name})
	isErr(t, err, store.ErrNotFound, "update unknown account")
}

func testUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")

	u, err := s.UserByEmail(ctx, "ALICE@example.test")
	ok(t, err, "user by e-mail")
	equal(t, u.AccountID, alice.ID, "user by e-mail")
	equal(t, u.PasswordHash, "hash-alice", "password hash")
	if u.Account == nil || u.Account.Username != "alice" {
		t.Fatalf("user's Account = %+v", u.Account)
	}
	utcMillis(t, u.CreatedAt, "user CreatedAt")

	u, err = s.UserByUsername(ctx, "Bob")
	ok(t, err, "user by username")
	equal(t, u.AccountID, bob.ID, "user by username")
	equal(t, u.Email, "bob@example.test", "e-mail")

	u, err = s.UserByAccountID(ctx, alice.ID)
	ok(t, err, "user by account")
	equal(t, u.Email, "alice@example.test", "user by account")

	MustCreateRemote(t, s, "carol", "remote.test")
	_, err = s.UserByUsername(ctx, "carol")
	isErr(t, err, store.ErrNotFound, "user of a remote account")
	_, err = s.UserByEmail(ctx, "nobody@example.test")
	isErr(t, err, store.ErrNotFound, "unknown e-mail")
	_, err = s.UserByAccountID(ctx, "999")
	isErr(t, err, store.ErrNotFound, "unknown account")

	ok(t, s.SetPassword(ctx, u.ID, "new-hash"), "set password")
	u, err = s.UserByEmail(ctx, "alice@example.test")
	ok(t, err, "user after password change")
	equal(t, u.PasswordHash, "new-hash", "password hash")
	isErr(t, s.SetPassword(ctx, "999", "x"), store.ErrNotFound, "set password of unknown user")

	users, err := s.ListUsers(ctx)
	ok(t, err, "list users")
	if len(users) != 2 || users[0].Account.Username != "alice" || users[1].Account.Username != "bob" {
		t.Errorf("users = %v, want alice and bob", users)
	}
}

func testInstanceUsage(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, err := s.InstanceUsage(ctx)
	ok(t, err, "usage of an empty store")
	equal(t, u, store.Usage{}, "usage of an empty store")

	alice := MustCreateLocal(t, s, "alice")
	MustCreateLocal(t, s, "bob")
	carol := MustCreateLocal(t, s, "carol")
	r1 := MustCreateRemote(t, s, "dave", "one.test")
	MustCreateRemote(t, s, "erin", "two.test")
	MustCreateRemote(t, s, "frank", "two.test")

	MustPost(t, s, alice, "one")
	MustPost(t, s, alice, "two")
	old := time.Now().AddDate(0, -3, 0)
	MustCreateStatus(t, s, store.NewStatus{AccountID: carol.ID, Text: "old", Local: true, CreatedAt: old})
	MustPost(t, s, r1, "remote")
	_, err = s.Reblog(ctx, alice.ID, MustPost(t, s, r1, "boosted").ID, "")
	ok(t, err, "reblog")

	u, err = s.InstanceUsage(ctx)
	ok(t, err, "usage")
	equal(t, u.Users, 3, "users")
	equal(t, u.ActiveMonth, 1, "active this month")
	equal(t, u.ActiveHalfYear, 2, "active this half year")
	equal(t, u.LocalStatuses, 3, "local statuses")
	equal(t, u.Domains, 2, "remote domains")
}

func testDeleteAccount(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateLocal(t, s, "carol")

	MustFollow(t, s, alice, bob)
	MustFollow(t, s, carol, alice)
	MustFollow(t, s, bob, carol)

	bobPost := MustPost(t, s, bob, "bob's post")
	alicePost := MustPost(t, s, alice, "alice's post")
	aliceReply := MustReply(t, s, alice, bobPost, "alice replies to bob")
	carolReply := MustReply(t, s, carol, alicePost, "carol replies to alice")
	ok(t, s.Favourite(ctx, alice.ID, bobPost.ID, ""), "alice favourites bob")
	ok(t, s.Favourite(ctx, bob.ID, alicePost.ID, ""), "bob favourites alice")
	_, err := s.Reblog(ctx, alice.ID, bobPost.ID, "")
	ok(t, err, "alice boosts bob")
	carolBoost, err := s.Reblog(ctx, carol.ID, alicePost.ID, "")
	ok(t, err, "carol boosts alice")
	mention := MustCreateStatus(t, s, store.NewStatus{AccountID: alice.ID, Text: "@bob", Local: true, MentionIDs: []string{bob.ID}})
	ok(t, s.CreateToken(ctx, &store.Token{Hash: "alice-token", AccountID: alice.ID}), "token")
	_, err = s.SetMarker(ctx, alice.ID, "home", bobPost.ID)
	ok(t, err, "marker")

	counts(t, s, bob, 1, 1, 1)
	counts(t, s, carol, 1, 1, 2)
	statusCounts(t, s, bobPost, 1, 1, 1)

	ok(t, s.DeleteAccount(ctx, alice.ID), "delete account")

	_, err = s.AccountByID(ctx, alice.ID)
	isErr(t, err, store.ErrNotFound, "deleted account")
	_, err = s.UserByAccountID(ctx, alice.ID)
	isErr(t, err, store.ErrNotFound, "user of deleted account")
	_, err = s.UserByEmail(ctx, "alice@example.test")
	isErr(t, err, store.ErrNotFound, "user of deleted account by e-mail")
	_, err = s.TokenByHash(ctx, "alice-token")
	isErr(t, err, store.ErrNotFound, "token of deleted account")
	for _, st := range []*store.Status{alicePost, aliceReply, carolBoost, mention} {
		_, err = s.StatusByID(ctx, st.ID)
		isErr(t, err, store.ErrNotFound, "status "+st.Text+" of deleted account")
	}
	// Others' statuses stay, with their counters corrected.
	statusCounts(t, s, bobPost, 0, 0, 0)
	reply := MustStatus(t, s, carolReply.ID)
	equal(t, reply.InReplyToID, alicePost.ID, "reply keeps its dangling parent")
	counts(t, s, bob, 0, 1, 1)   // lost a follower
	counts(t, s, carol, 1, 0, 1) // lost a followed account and a boost
	equalSlice(t, Notifications(t, s, bob), []string{}, "bob's notifications from alice")
	list, err := s.HomeTimeline(ctx, carol.ID, store.Page{})
	ok(t, err, "carol's home")
	equalSlice(t, StatusIDs(list), []string{carolReply.ID}, "carol's home")
	favs, _, err := s.Favourites(ctx, bob.ID, store.Page{})
	ok(t, err, "bob's favourites")
	equal(t, len(favs), 0, "bob's favourites of alice's statuses")

	// The username is free again.
	MustCreateLocal(t, s, "alice")
	isErr(t, s.DeleteAccount(ctx, "999"), store.ErrNotFound, "delete unknown account")
}
