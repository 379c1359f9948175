package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/sqlite"
)

// Benchmarks of the hot API paths against a database holding 100k
// statuses: go test -run XXX -bench . -benchmem ./server/
// (seeding takes a while once per run).

const seedStatuses = 100_000

var seeded struct {
	once  sync.Once
	dir   string
	token string
	err   error
}

// benchInstance serves a copy of a database seeded once per run: a viewer
// following 50 accounts that wrote 100k statuses between them.
func benchInstance(b *testing.B) (*instance, *user) {
	seeded.once.Do(func() { seeded.dir, seeded.token, seeded.err = seedBenchDB() })
	if seeded.err != nil {
		b.Fatal(seeded.err)
	}
	dir := b.TempDir()
	for _, name := range []string{"roost.db", "roost.db-wal"} {
		data, err := os.ReadFile(filepath.Join(seeded.dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	in := openInstance(b, filepath.Join(dir, "roost.db"), func(*Config) {})
	return in, &user{token: seeded.token}
}

func seedBenchDB() (dir, token string, err error) {
	dir, err = os.MkdirTemp("", "roost-bench-")
	if err != nil {
		return "", "", err
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "roost.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return "", "", err
	}
	defer st.Close()
	srv, err := New(Config{LocalDomain: "roost.test", WebDomain: "roost.test", HTTPS: true, Version: "bench",
		Secret: []byte("0123456789abcdef0123456789abcdef")}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return "", "", err
	}
	viewer, err := srv.CreateAccount(ctx, "viewer", "viewer@example.com", "password-viewer", store.RoleOwner)
	if err != nil {
		return "", "", err
	}
	if token, err = srv.CreateCLIToken(ctx, "viewer", "read write follow"); err != nil {
		return "", "", err
	}
	var authors []*store.Account
	for i := 0; i < 50; i++ {
		a := &store.Account{Username: fmt.Sprintf("author%d", i), URI: fmt.Sprintf("https://roost.test/users/author%d", i),
			URL: fmt.Sprintf("https://roost.test/@author%d", i), Privacy: store.VisibilityPublic}
		if err := st.CreateLocalAccount(ctx, a, &store.User{Email: fmt.Sprintf("a%d@example.com", i), PasswordHash: "x", Role: store.RoleUser}); err != nil {
			return "", "", err
		}
		if _, err := st.Follow(ctx, viewer.ID, a.ID, store.FollowOptions{ShowReblogs: true}); err != nil {
			return "", "", err
		}
		authors = append(authors, a)
	}
	start := time.Now().Add(-seedStatuses * time.Second)
	for i := 0; i < seedStatuses; i++ {
		a := authors[i%len(authors)]
		text := fmt.Sprintf("Status number %d with a link https://example.com/%d and #tag%d", i, i, i%20)
		_, err := st.CreateStatus(ctx, store.NewStatus{
			AccountID: a.ID, Content: "<p>" + text + "</p>", Text: text, Visibility: store.VisibilityPublic,
			Local: true, CreatedAt: start.Add(time.Duration(i) * time.Second), Tags: []string{fmt.Sprintf("tag%d", i%20)},
		})
		if err != nil {
			return "", "", err
		}
	}
	return dir, token, nil
}

func BenchmarkHomeTimeline(b *testing.B) {
	in, viewer := benchInstance(b)
	req := httptest.NewRequest("GET", "/api/v1/timelines/home", nil)
	req.Header.Set("Authorization", "Bearer "+viewer.token)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		in.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkHomeTimelineParallel(b *testing.B) {
	in, viewer := benchInstance(b)
	b.ReportAllocs()
	b.SetParallelism(8) // 16 concurrent requests on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest("GET", "/api/v1/timelines/home", nil)
		req.Header.Set("Authorization", "Bearer "+viewer.token)
		for pb.Next() {
			rec := httptest.NewRecorder()
			in.srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Errorf("status %d", rec.Code)
				return
			}
		}
	})
}

func BenchmarkCreateStatus(b *testing.B) {
	in, viewer := benchInstance(b)
	body := url.Values{"status": {"A benchmark status with a link https://example.com/page and a #hashtag"}}.Encode()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/api/v1/statuses", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+viewer.token)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		in.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
