package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

// RunIndex runs the store.Index conformance suite. open returns a fresh,
// empty index for each subtest and arranges for it to be closed.
func RunIndex(t *testing.T, open func(t *testing.T) store.Index) {
	for _, tt := range indexTests {
		t.Run(tt.name, func(t *testing.T) {
			idx := open(t)
			fixture := indexFixture()
			for _, s := range fixture {
				if err := idx.IndexStatus(t.Context(), s); err != nil {
					t.Fatalf("IndexStatus(%s): %v", s.ID, err)
				}
			}
			tt.run(t, idx, fixture)
		})
	}
}

// indexDay is the day the fixture's statuses were posted on, one hour
// apart from midnight UTC.
var indexDay = time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC)

// indexFixture returns six statuses, oldest first; ids[i] is the ID of the
// i-th.
func indexFixture() []store.IndexedStatus {
	at := func(days, hours int) time.Time {
		return indexDay.AddDate(0, 0, days).Add(time.Duration(hours) * time.Hour)
	}
	mk := func(t time.Time, account, text string) store.IndexedStatus {
		return store.IndexedStatus{
			ID: store.NewID(t), AccountID: account, Text: text, Visibility: store.VisibilityPublic,
			Language: "en", CreatedAt: t,
		}
	}
	list := []store.IndexedStatus{
		mk(at(-1, 10), "100", "The quick brown fox jumps over the lazy dog"),
		mk(at(0, 1), "100", "A lazy afternoon with a brown dog and a cat"),
		mk(at(0, 2), "200", "Quick thoughts on Go: the fox is not a gopher"),
		mk(at(0, 3), "200", "Ein schneller brauner Fuchs"),
		mk(at(1, 4), "300", "Poll: which dog is best?"),
		mk(at(2, 5), "300", "Reading https://example.com/dogs about dog breeds"),
	}
	list[1].HasMedia = true
	list[2].IsReply = true
	list[3].Language = "de"
	list[3].Sensitive = true
	list[4].HasPoll = true
	list[5].HasLink = true
	list[5].Visibility = store.VisibilityPrivate
	return list
}

type indexTest struct {
	name string
	run  func(t *testing.T, idx store.Index, f []store.IndexedStatus)
}

// wantSearch runs q (with a limit of 40 unless set) and compares the IDs
// found with the fixture's statuses at the indexes want, newest first.
func wantSearch(t *testing.T, idx store.Index, f []store.IndexedStatus, q store.SearchQuery, want ...int) {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 40
	}
	got, err := idx.SearchStatuses(t.Context(), q)
	if err != nil {
		t.Fatalf("SearchStatuses(%+v): %v", q, err)
	}
	wantIDs := []string{}
	for _, i := range want {
		wantIDs = append(wantIDs, f[i].ID)
	}
	if got == nil {
		got = []string{}
	}
	if !slices.Equal(got, wantIDs) {
		t.Errorf("SearchStatuses(%+v) = %v, want %v (fixture %v)", q, got, wantIDs, want)
	}
}

func parsed(s string) store.SearchQuery { return store.ParseSearchQuery(s) }

var indexTests = []indexTest{
	{"WordsNewestFirst", func(t *testing.T, idx store.Index, f []store.IndexedStatus) {
		wantSearch(t, idx, f, parsed("dog"), 5, 4, 1, 0)
		wantSearch(t, idx, f, parsed("DOG lazy"), 1, 0)
		wantSearch(t, idx, f, parsed("quick"), 2, 0)
		wantSearch(t, idx, f, parsed("nothingmatches"))
	}},
	{"EmptyFindsNothing", func(t *testing.T, idx store.Index, f []store.IndexedStatus) {
		wantSearch(t, idx, f, parsed(""))
		wantSearch(t, idx, f, parsed("   "))
	}},
	{"Phrase", func(t *testing.T, idx store.Index, f []store.IndexedStatus) {
		wantSearch(t, idx, f, parsed(`"lazy dog"`), 0)
		wantSearch(t, idx, f, parsed(`"brown dog"`), 1)
		wantSearch(t, idx, f, parsed(`"dog lazy"`))
		wantSearch(t, idx, f, parsed(`"the fox is" quick`), 2)
	}},
	{"Negation", func(t *testing.T, idx store.Index, f []store.IndexedStatus) {
		wantSearch(t, idx, f, parsed("dog -lazy"), 5, 4)
		wantSearch(t, idx, f, parsed(`dog -"lazy dog"`), 5, 4, 1)
		wantSearch(t, idx, f, parsed("fox -gopher"), 0)
	}},
	{"From", func(t *testing.T, idx store.Index, f []store.IndexedStatus) {
		wantSearch(t, idx, f, store.SearchQuery{Text: "dog", AccountID: "100"}, 1, 0)
		wantSearch(t, idx, f, store.SearchQuery{AccountID: "300"}, 5, 4)
	}},
	{"Has", func(t *testing.T, idx store.Index, f []store.IndexedStatus) {
		wantSearch(t, idx, f, parsed("has:media"), 1)
		wantSearch(t, idx, f, parsed("dog has:poll"), 4)
		wantSearch(t, idx, f, parsed("has:link"), 5)
		wantSearch(t, idx, f, parsed("fox has:link"))
	}},
	{"Is", func(t *testing.T, idx store.Index, f []store.IndexedStatus) {
		wantSearch(t, idx, f, parsed("is:reply"), 2)
		wantSearch(t, idx, f, parsed("is:sensitive"), 3)
	}},
	{"Language", func(t *testing.T, idx store.Index, f []store.IndexedStatus) {
		wantSearch(t, idx, f, parsed("language:de"), 3)
		wantSearch(t, idx, f, parsed("fox language:EN"), 2, 0)
	}},
	{"Dates", func(t *testing.T, idx store.Index, f []store.IndexedStatus) {
		wantSearch(t, idx, f, parsed("during:2024-03-10"), 3, 2, 1)
		wantSearch(t, idx, f, parsed("dog before:2024-03-10"), 0)
		wantSearch(t, idx, f, parsed("dog after:2024-03-10"), 5, 4)
		wantSearch(t, idx, f, parsed("dog after:2024-03-09 before:2024-03-12"), 4, 1)
	}},
	{"Pages", func(t *testing.T, idx store.Index, f []store.IndexedStatus) {
		wantSearch(t, idx, f, store.SearchQuery{Text: "dog", Limit: 2}, 5, 4)
		wantSearch(t, idx, f, store.SearchQuery{Text: "dog", Limit: 2, Offset: 2}, 1, 0)
		wantSearch(t, idx, f, store.SearchQuery{Text: "dog", Limit: 2, Offset: 4})
		wantSearch(t, idx, f, store.SearchQuery{Text: "dog", MaxID: f[4].ID}, 1, 0)
		wantSearch(t, idx, f, store.SearchQuery{Text: "dog", MinID: f[1].ID}, 5, 4)
		wantSearch(t, idx, f, store.SearchQuery{Text: "dog", MinID: f[0].ID, MaxID: f[5].ID}, 4, 1)
	}},
	{"Remove", func(t *testing.T, idx store.Index, f []store.IndexedStatus) {
		if err := idx.RemoveStatus(t.Context(), f[1].ID); err != nil {
			t.Fatal(err)
		}
		if err := idx.RemoveStatus(t.Context(), f[1].ID); err != nil {
			t.Fatalf("removing twice: %v", err)
		}
		wantSearch(t, idx, f, parsed("lazy"), 0)
		wantSearch(t, idx, f, parsed("has:media"))
	}},
	{"Reindex", func(t *testing.T, idx store.Index, f []store.IndexedStatus) {
		edited := f[0]
		edited.Text = "A slow green turtle"
		edited.Sensitive = true
		if err := idx.IndexStatus(t.Context(), edited); err != nil {
			t.Fatal(err)
		}
		wantSearch(t, idx, f, parsed("fox"), 2)
		wantSearch(t, idx, f, parsed("turtle"), 0)
		wantSearch(t, idx, f, parsed("is:sensitive"), 3, 0)
	}},
}
