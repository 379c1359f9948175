package server

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// BenchmarkStreamingConnections opens 1,000 idle websocket connections to
// the user stream and reports the memory they hold, both ends together (the
// clients run in this process too, so the figure is an upper bound for the
// server's share), then the time to fan one post out to all of them.
func BenchmarkStreamingConnections(b *testing.B) {
	const conns = 1000
	in := openInstance(b, b.TempDir()+"/roost.db", func(*Config) {})
	u := in.newUser("alice")
	d := websocket.Dialer{ReadBufferSize: 256, WriteBufferSize: 256, WriteBufferPool: &sync.Pool{}}
	url := "ws" + strings.TrimPrefix(in.http.URL, "http") + "/api/v1/streaming?stream=user&access_token=" + u.token
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	clients := make([]*websocket.Conn, 0, conns)
	for range conns {
		c, _, err := d.Dial(url, nil)
		if err != nil {
			b.Fatal(err)
		}
		clients = append(clients, c)
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	for in.srv.streams.Load() != conns {
		time.Sleep(time.Millisecond)
	}
	// A running server collects often; idle goroutine stacks shrink over
	// a few cycles, as they would there.
	for range 4 {
		runtime.GC()
	}
	runtime.ReadMemStats(&after)
	used := (after.HeapInuse + after.StackInuse) - (before.HeapInuse + before.StackInuse)

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in.postStatus(u, "hello everyone")
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Go(func() {
				c.SetReadDeadline(time.Now().Add(30 * time.Second))
				if _, _, err := c.ReadMessage(); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
	b.ReportMetric(float64(used)/conns, "B/conn")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/conns, "heap-B/conn")
}
