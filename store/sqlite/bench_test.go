package sqlite

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

// The benchmarks run on a database seeded once per test binary with
// seedStatuses statuses by seedAccounts accounts. The viewer follows
// seedViewerFollows of them; the other local accounts follow a few each,
// so the home timelines hold what fan-out would have put there.
const (
	seedAccounts      = 1000
	seedLocal         = 200 // the first seedLocal accounts are local
	seedStatuses      = 100_000
	seedViewerFollows = 200
	seedOtherFollows  = 20
)

var seed struct {
	once   sync.Once
	dir    string
	path   string
	viewer string // a local account following seedViewerFollows accounts
	poster string // a local account with seedOtherFollows local followers
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if seed.dir != "" {
		os.RemoveAll(seed.dir)
	}
	os.Exit(code)
}

// seededStore opens a private copy of the seed database.
func seededStore(b *testing.B) *Store {
	b.Helper()
	seed.once.Do(func() {
		start := time.Now()
		seed.err = makeSeed()
		b.Logf("seeded %d statuses in %v", seedStatuses, time.Since(start).Round(time.Millisecond))
	})
	if seed.err != nil {
		b.Fatalf("seed: %v", seed.err)
	}
	path := filepath.Join(b.TempDir(), "roost.db")
	if err := copyFile(seed.path, path); err != nil {
		b.Fatal(err)
	}
	s, err := Open(context.Background(), path, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// makeSeed builds the seed database in one transaction through the writer,
// with plain inserts rather than 100k CreateStatus calls.
func makeSeed() error {
	dir, err := os.MkdirTemp("", "roost-bench-")
	if err != nil {
		return err
	}
	seed.dir = dir
	seed.path = filepath.Join(dir, "seed.db")
	ctx := context.Background()
	s, err := Open(ctx, seed.path, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Now().Add(-30 * 24 * time.Hour)

	accounts := make([]int64, seedAccounts)
	err = s.write(ctx, func(c *conn) error {
		for i := range accounts {
			at := base.Add(time.Duration(i) * time.Millisecond)
			id, _ := parseID(store.NewID(at))
			accounts[i] = id
			domain := ""
			host := "example.test"
			if i >= seedLocal {
				domain = fmt.Sprintf("host%d.test", i%50)
				host = domain
			}
			name := fmt.Sprintf("user%d", i)
			a := &store.Account{
				Username: name, Domain: domain, DisplayName: "User " + name,
				Note: "<p>Hello, I am " + name + "</p>", URI: "https://" + host + "/users/" + name,
				URL: "https://" + host + "/@" + name, InboxURL: "https://" + host + "/users/" + name + "/inbox",
				PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n",
				Fields:       []store.Field{{Name: "Website", Value: "https://" + host}},
				CreatedAt:    at, UpdatedAt: at, Privacy: "public",
			}
			fields, _ := encodeFields(a.Fields)
			if _, err := c.exec(insertAccount, accountArgs(id, a, fields)...); err != nil {
				return err
			}
		}

		follow := func(f, t int64) error {
			n, err := c.execN(`INSERT OR IGNORE INTO follows (id, account_id, target_id, show_reblogs, notify, created_at)
				VALUES (?1, ?2, ?3, 1, 0, ?4)`, newID(), f, t, ms(base))
			if err != nil || n == 0 {
				return err
			}
			_, err = c.exec(`UPDATE accounts SET following_count = following_count + 1 WHERE id = ?1`, f)
			if err == nil {
				_, err = c.exec(`UPDATE accounts SET followers_count = followers_count + 1 WHERE id = ?1`, t)
			}
			return err
		}
		for i := 1; i <= seedViewerFollows; i++ {
			if err := follow(accounts[0], accounts[i*seedAccounts/seedViewerFollows-1]); err != nil {
				return err
			}
		}
		for i := 1; i < seedLocal; i++ {
			for range seedOtherFollows {
				if t := accounts[rng.IntN(seedAccounts)]; t != accounts[i] {
					if err := follow(accounts[i], t); err != nil {
						return err
					}
				}
			}
			// Account 1 is followed by locals 2..21.
			if i >= 2 && i < 2+seedOtherFollows {
				if err := follow(accounts[i], accounts[1]); err != nil {
					return err
				}
			}
		}

		statuses := make([]int64, 0, seedStatuses)
		authors := make([]int64, 0, seedStatuses)
		visibilities := []string{"public", "public", "public", "public", "public", "public", "public", "unlisted", "private", "direct"}
		step := 30 * 24 * time.Hour / seedStatuses
		for i := range seedStatuses {
			at := base.Add(time.Duration(i) * step)
			id, _ := parseID(store.NewID(at))
			ai := rng.IntN(seedAccounts)
			author := accounts[ai]
			visibility := visibilities[rng.IntN(len(visibilities))]
			var replyTo, replyAccount, reblogOf any
			switch r := rng.IntN(10); {
			case r == 0 && len(statuses) > 0: // a boost
				j := rng.IntN(len(statuses))
				reblogOf, visibility = statuses[j], "public"
				if _, err := c.exec(`UPDATE statuses SET reblogs_count = reblogs_count + 1 WHERE id = ?1`, statuses[j]); err != nil {
					return err
				}
			case r <= 2 && len(statuses) > 0: // a reply
				j := len(statuses) - 1 - rng.IntN(min(len(statuses), 500))
				replyTo, replyAccount = statuses[j], authors[j]
				if _, err := c.exec(`UPDATE statuses SET replies_count = replies_count + 1 WHERE id = ?1`, statuses[j]); err != nil {
					return err
				}
			}
			text := fmt.Sprintf("Status number %d, with some text to make it look like a real post about #topic%d.", i, i%100)
			var tag string
			var mentioned int64
			if reblogOf == nil {
				if rng.IntN(3) == 0 {
					tag = fmt.Sprintf("topic%d", i%100)
				}
				if visibility == "direct" || rng.IntN(4) == 0 {
					mentioned = accounts[rng.IntN(seedAccounts)]
				}
			}
			mentionIDs := ""
			if mentioned != 0 {
				mentionIDs = formatID(mentioned)
			}
			_, err := c.exec(`INSERT OR IGNORE INTO statuses (id, uri, url, account_id, in_reply_to_id,
				in_reply_to_account_id, reblog_of_id, content, text, visibility, local, created_at,
				favourites_count, mention_ids, tags)
				VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)`,
				id, fmt.Sprintf("https://seed.test/statuses/%d", id), fmt.Sprintf("https://seed.test/@x/%d", id),
				author, replyTo, replyAccount, reblogOf, "<p>"+text+"</p>", text, visibility, ai < seedLocal,
				ms(at), rng.IntN(5), mentionIDs, tag)
			if err != nil {
				return err
			}
			statuses = append(statuses, id)
			authors = append(authors, author)
			if tag != "" {
				if _, err := c.exec(`INSERT OR IGNORE INTO status_tags (status_id, tag) VALUES (?1, ?2)`, id, tag); err != nil {
					return err
				}
			}
			if mentioned != 0 {
				if _, err := c.exec(`INSERT OR IGNORE INTO status_mentions (status_id, account_id) VALUES (?1, ?2)`,
					id, mentioned); err != nil {
					return err
				}
			}
		}
		for _, q := range []string{
			`UPDATE accounts SET statuses_count = (SELECT count(*) FROM statuses WHERE account_id = accounts.id),
				last_status_at = (SELECT max(created_at) FROM statuses WHERE account_id = accounts.id)`,
			// Fan-out, as CreateStatus does it: own statuses, followed
			// accounts' non-direct ones, direct ones to the mentioned.
			`INSERT OR IGNORE INTO home_feed (account_id, status_id)
				SELECT s.account_id, s.id FROM statuses s JOIN accounts a ON a.id = s.account_id WHERE a.domain = ''`,
			`INSERT OR IGNORE INTO home_feed (account_id, status_id)
				SELECT f.account_id, s.id FROM follows f JOIN accounts a ON a.id = f.account_id
				JOIN statuses s ON s.account_id = f.target_id
				WHERE a.domain = '' AND s.visibility <> 'direct'`,
			`INSERT OR IGNORE INTO home_feed (account_id, status_id)
				SELECT m.account_id, m.status_id FROM status_mentions m JOIN accounts a ON a.id = m.account_id
				JOIN statuses s ON s.id = m.status_id WHERE a.domain = '' AND s.visibility = 'direct'`,
		} {
			if _, err := c.exec(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	seed.viewer = formatID(accounts[0])
	seed.poster = formatID(accounts[1])
	return nil
}

// measure runs the benchmark loop body and reports, beside the wall time
// that other load on the machine inflates, the process's CPU time per
// operation.
func measure(b *testing.B, body func()) {
	b.Helper()
	b.ReportAllocs()
	start := cpuTime()
	n := 0
	for b.Loop() {
		body()
		n++
	}
	if used := cpuTime() - start; used > 0 && n > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(n), "cpu-ns/op")
	}
}

func BenchmarkHomeTimeline(b *testing.B) {
	s := seededStore(b)
	ctx := context.Background()
	list, err := s.HomeTimeline(ctx, seed.viewer, store.Page{})
	if err != nil || len(list) != 20 {
		b.Fatalf("home timeline: %d statuses, %v", len(list), err)
	}
	b.Run("first page", func(b *testing.B) {
		measure(b, func() {
			if _, err := s.HomeTimeline(ctx, seed.viewer, store.Page{Limit: 20}); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("deep page", func(b *testing.B) {
		// A page a few thousand statuses down.
		maxID := store.IDAt(time.Now().Add(-15 * 24 * time.Hour))
		measure(b, func() {
			if _, err := s.HomeTimeline(ctx, seed.viewer, store.Page{MaxID: maxID, Limit: 20}); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		b.Cleanup(func() {
			if used := cpuTime() - start; used > 0 {
				b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.HomeTimeline(ctx, seed.viewer, store.Page{Limit: 20}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkAccountStatuses(b *testing.B) {
	s := seededStore(b)
	ctx := context.Background()
	measure(b, func() {
		if _, err := s.AccountStatuses(ctx, seed.viewer, seed.poster, store.AccountStatusesFilter{}, store.Page{Limit: 20}); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkPublicTimeline(b *testing.B) {
	s := seededStore(b)
	ctx := context.Background()
	measure(b, func() {
		if _, err := s.PublicTimeline(ctx, store.PublicFilter{Local: true}, store.Page{Limit: 20}); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkCreateStatus(b *testing.B) {
	s := seededStore(b)
	ctx := context.Background()
	mention := formatID(0)
	if a, err := s.AccountByUsername(ctx, "user5", ""); err == nil {
		mention = a.ID
	}
	b.Run("no followers", func(b *testing.B) {
		// The viewer follows many but has no followers.
		i := 0
		measure(b, func() {
			i++
			if _, err := s.CreateStatus(ctx, store.NewStatus{AccountID: seed.viewer, Local: true,
				Text: fmt.Sprint("benchmark ", i), Content: fmt.Sprint("<p>benchmark ", i, "</p>"),
				Visibility: store.VisibilityPublic}); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("local followers, mention, tag", func(b *testing.B) {
		i := 0
		measure(b, func() {
			i++
			if _, err := s.CreateStatus(ctx, store.NewStatus{AccountID: seed.poster, Local: true,
				Text: fmt.Sprint("benchmark @user5 #bench ", i), Content: fmt.Sprint("<p>benchmark ", i, "</p>"),
				Visibility: store.VisibilityPublic, MentionIDs: []string{mention}, Tags: []string{"bench"}}); err != nil {
				b.Fatal(err)
			}
		})
	})
}

func BenchmarkInstanceUsage(b *testing.B) {
	s := seededStore(b)
	ctx := context.Background()
	measure(b, func() {
		if _, err := s.InstanceUsage(ctx); err != nil {
			b.Fatal(err)
		}
	})
}
