// Package storetest holds the conformance suites of the store interfaces,
// run against every implementation (store/sqlite, store/postgres, ...), and
// small helpers for tests that need data in a store.
//
// A backend's test calls RunStore with a function opening a fresh, empty
// store:
//
//	func TestStore(t *testing.T) {
//		storetest.RunStore(t, func(t *testing.T) store.Store {
//			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "roost.db"), nil)
//			...
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

// RunStore runs the store.Store conformance suite. open returns a fresh,
// empty store for each subtest and arranges for it to be closed.
func RunStore(t *testing.T, open func(t *testing.T) store.Store) {
	groups := []struct {
		name  string
		tests []storeTest
	}{
		{"Accounts", accountTests},
		{"OAuth", oauthTests},
		{"Statuses", statusTests},
		{"Interactions", interactionTests},
		{"Visibility", visibilityTests},
		{"Timelines", timelineTests},
		{"Follows", followTests},
		{"Notifications", notificationTests},
		{"Blocks", blockTests},
		{"Reports", reportTests},
		{"Polls", pollTests},
		{"Tags", tagTests},
		{"Media", mediaTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tt := range g.tests {
				t.Run(tt.name, func(t *testing.T) {
					tt.run(t, open(t))
				})
			}
		})
	}
}

type storeTest struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// Domain is the host of the accounts the helpers create.
const Domain = "example.test"

// MustCreateLocal creates a local account and its user named name, with
// addresses under https://example.test and e-mail name@example.test.
func MustCreateLocal(tb testing.TB, s store.Store, name string) *store.Account {
	tb.Helper()
	a := &store.Account{
		Username:     name,
		DisplayName:  strings.ToUpper(name[:1]) + name[1:],
		URI:          "https://" + Domain + "/users/" + name,
		URL:          "https://" + Domain + "/@" + name,
		InboxURL:     "https://" + Domain + "/users/" + name + "/inbox",
		SharedInbox:  "https://" + Domain + "/inbox",
		OutboxURL:    "https://" + Domain + "/users/" + name + "/outbox",
		FollowersURL: "https://" + Domain + "/users/" + name + "/followers",
		FollowingURL: "https://" + Domain + "/users/" + name + "/following",
		PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\n" + name + "\n-----END PUBLIC KEY-----\n",
		PrivateKey:   "-----BEGIN PRIVATE KEY-----\n" + name + "\n-----END PRIVATE KEY-----\n",
	}
	u := &store.User{Email: name + "@" + Domain, PasswordHash: "hash-" + name, Role: store.RoleUser}
	if err := s.CreateLocalAccount(tb.Context(), a, u); err != nil {
		tb.Fatalf("create local account %s: %v", name, err)
	}
	return a
}

// MustCreateLocked creates a local account that approves its followers.
func MustCreateLocked(tb testing.TB, s store.Store, name string) *store.Account {
	tb.Helper()
	a := MustCreateLocal(tb, s, name)
	locked := true
	a, err := s.UpdateProfile(tb.Context(), a.ID, store.ProfileUpdate{Locked: &locked})
	if err != nil {
		tb.Fatalf("lock account %s: %v", name, err)
	}
	return a
}

// MustCreateRemote creates the remote account name@domain.
func MustCreateRemote(tb testing.TB, s store.Store, name, domain string) *store.Account {
	tb.Helper()
	a := &store.Account{
		Username:     name,
		Domain:       domain,
		DisplayName:  name + " at " + domain,
		URI:          "https://" + domain + "/users/" + name,
		URL:          "https://" + domain + "/@" + name,
		InboxURL:     "https://" + domain + "/users/" + name + "/inbox",
		SharedInbox:  "https://" + domain + "/inbox",
		PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\n" + name + "\n-----END PUBLIC KEY-----\n",
	}
	if err := s.UpsertRemoteAccount(tb.Context(), a); err != nil {
		tb.Fatalf("create remote account %s@%s: %v", name, domain, err)
	}
	return a
}

// MustPost creates a public status of account with text (its content is
// text in a paragraph); the account's locality decides the status's.
func MustPost(tb testing.TB, s store.Store, account *store.Account, text string) *store.Status {
	tb.Helper()
	return MustCreateStatus(tb, s, store.NewStatus{AccountID: account.ID, Text: text, Local: account.Local()})
}

// MustCreateStatus creates a status; an empty Content becomes the text in a
// paragraph, an empty Visibility public. Remote statuses get a URI.
func MustCreateStatus(tb testing.TB, s store.Store, n store.NewStatus) *store.Status {
	tb.Helper()
	if n.Content == "" && n.ReblogOfID == "" {
		n.Content = "<p>" + n.Text + "</p>"
	}
	if n.Visibility == "" {
		n.Visibility = store.VisibilityPublic
	}
	if !n.Local && n.URI == "" {
		n.URI = fmt.Sprintf("https://remote.test/statuses/%d", remoteSeq.Add(1))
	}
	st, err := s.CreateStatus(tb.Context(), n)
	if err != nil {
		tb.Fatalf("create status %q: %v", n.Text, err)
	}
	return st
}

var remoteSeq atomic.Int64

// MustReply creates a public reply of account to parent.
func MustReply(tb testing.TB, s store.Store, account *store.Account, parent *store.Status, text string) *store.Status {
	tb.Helper()
	return MustCreateStatus(tb, s, store.NewStatus{AccountID: account.ID, Text: text, Local: account.Local(), InReplyToID: parent.ID})
}

// MustFollow makes follower follow target (showing boosts, no
// notifications) and returns the relationship.
func MustFollow(tb testing.TB, s store.Store, follower, target *store.Account) *store.Relationship {
	tb.Helper()
	rel, err := s.Follow(tb.Context(), follower.ID, target.ID, store.FollowOptions{ShowReblogs: true})
	if err != nil {
		tb.Fatalf("follow %s -> %s: %v", follower.Username, target.Username, err)
	}
	return rel
}

// MustAccount re-reads an account, for its counters.
func MustAccount(tb testing.TB, s store.Store, id string) *store.Account {
	tb.Helper()
	a, err := s.AccountByID(tb.Context(), id)
	if err != nil {
		tb.Fatalf("get account %s: %v", id, err)
	}
	return a
}

// MustStatus re-reads a status, for its counters.
func MustStatus(tb testing.TB, s store.Store, id string) *store.Status {
	tb.Helper()
	st, err := s.StatusByID(tb.Context(), id)
	if err != nil {
		tb.Fatalf("get status %s: %v", id, err)
	}
	return st
}

// StatusIDs returns the IDs of statuses, in order.
func StatusIDs(list []*store.Status) []string {
	ids := make([]string, len(list))
	for i, st := range list {
		ids[i] = st.ID
	}
	return ids
}

// AccountIDs returns the IDs of accounts, in order.
func AccountIDs(list []*store.Account) []string {
	ids := make([]string, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}
	return ids
}

// Notifications returns an account's notifications as "type from status"
// strings (status "-" when none), newest first.
func Notifications(tb testing.TB, s store.Store, account *store.Account) []string {
	tb.Helper()
	list, err := s.Notifications(tb.Context(), account.ID, store.NotificationFilter{}, store.Page{Limit: 40})
	if err != nil {
		tb.Fatalf("list notifications of %s: %v", account.Username, err)
	}
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = notificationString(n.Type, n.FromAccountID, n.StatusID)
	}
	return out
}

func notificationString(typ, from, status string) string {
	if status == "" {
		status = "-"
	}
	return typ + " " + from + " " + status
}

// --- assertions ---

func ok(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

func isErr(tb testing.TB, err, want error, what string) {
	tb.Helper()
	if !errors.Is(err, want) {
		tb.Fatalf("%s: error %v, want %v", what, err, want)
	}
}

func equal[T comparable](tb testing.TB, got, want T, what string) {
	tb.Helper()
	if got != want {
		tb.Errorf("%s = %v, want %v", what, got, want)
	}
}

func equalSlice[T comparable](tb testing.TB, got, want []T, what string) {
	tb.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		tb.Errorf("%s = %v, want %v", what, got, want)
	}
}

func sameSet[T interface {
	comparable
	~string
}](tb testing.TB, got, want []T, what string) {
	tb.Helper()
	g := slices.Clone(got)
	w := slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	equalSlice(tb, g, w, what)
}

// counts checks an account's followers, following and statuses counts.
func counts(tb testing.TB, s store.Store, a *store.Account, followers, following, statuses int) {
	tb.Helper()
	got := MustAccount(tb, s, a.ID)
	if got.FollowersCount != followers || got.FollowingCount != following || got.StatusesCount != statuses {
		tb.Errorf("%s: followers/following/statuses = %d/%d/%d, want %d/%d/%d", a.Username,
			got.FollowersCount, got.FollowingCount, got.StatusesCount, followers, following, statuses)
	}
}

// statusCounts checks a status's replies, reblogs and favourites counts.
func statusCounts(tb testing.TB, s store.Store, st *store.Status, replies, reblogs, favourites int) {
	tb.Helper()
	got := MustStatus(tb, s, st.ID)
	if got.RepliesCount != replies || got.ReblogsCount != reblogs || got.FavouritesCount != favourites {
		tb.Errorf("status %q: replies/reblogs/favourites = %d/%d/%d, want %d/%d/%d", st.Text,
			got.RepliesCount, got.ReblogsCount, got.FavouritesCount, replies, reblogs, favourites)
	}
}

// utcMillis checks that a time the store returned is in UTC, at millisecond
// precision, and within a minute of now.
func utcMillis(tb testing.TB, t time.Time, what string) {
	tb.Helper()
	if t.Location() != time.UTC {
		tb.Errorf("%s is in %v, want UTC", what, t.Location())
	}
	if t.Nanosecond()%int(time.Millisecond) != 0 {
		tb.Errorf("%s = %v has more than millisecond precision", what, t)
	}
	if d := time.Since(t); d < -time.Minute || d > time.Minute {
		tb.Errorf("%s = %v, not about now", what, t)
	}
}
