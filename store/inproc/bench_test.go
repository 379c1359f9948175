package inproc_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/inproc"
)

// BenchmarkFanout publishes to 1,000 subscribers of one stream, each read
// by its own goroutine as a streaming connection's would be; events/s is
// published events per second, each delivered 1,000 times.
func BenchmarkFanout(b *testing.B) {
	const subscribers = 1000
	p := inproc.NewPubSub()
	defer p.Close()
	var wg sync.WaitGroup
	var got sync.WaitGroup
	for range subscribers {
		ch, cancel, err := p.Subscribe(context.Background(), "public")
		if err != nil {
			b.Fatal(err)
		}
		defer cancel()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range ch {
				if e.Name == "last" {
					got.Done()
				}
			}
		}()
	}
	e := store.Event{Stream: "public", Name: "update", Payload: "109876543210987654"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.Publish(context.Background(), e); err != nil {
			b.Fatal(err)
		}
		// Keep readers within their buffer: a dropped subscriber
		// would make the figure meaningless.
		if i%32 == 31 {
			got.Add(subscribers)
			p.Publish(context.Background(), store.Event{Stream: "public", Name: "last"})
			got.Wait()
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.N)*subscribers/b.Elapsed().Seconds(), "deliveries/s")
	p.Close()
	wg.Wait()
}

// BenchmarkSubscription measures what one subscription (two streams, as
// a user connection has) holds in memory.
func BenchmarkSubscription(b *testing.B) {
	p := inproc.NewPubSub()
	defer p.Close()
	ctx := context.Background()
	cancels := make([]func(), 0, b.N)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, cancel, err := p.Subscribe(ctx, fmt.Sprint("user:", i), "public")
		if err != nil {
			b.Fatal(err)
		}
		cancels = append(cancels, cancel)
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "heap-B/sub")
	for _, c := range cancels {
		c()
	}
}
