package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkProcessJPEG12MP processes a 4000x3000 photo-like JPEG, plain and
// with EXIF orientation 6 (rotated, so decoded, turned and re-encoded). It
// reports the peak heap in use during the run as peak-heap-MB.
func BenchmarkProcessJPEG12MP(b *testing.B) {
	m := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	r := rand.New(rand.NewPCG(1, 2))
	for y := 0; y < 3000; y++ {
		for x := 0; x < 4000; x++ {
			m.Y[y*m.YStride+x] = uint8((x/16+y/12)%200 + r.IntN(16))
		}
	}
	for i := range m.Cb {
		m.Cb[i] = uint8(96 + i%64 + r.IntN(8))
		m.Cr[i] = uint8(160 - i/m.CStride%64 + r.IntN(8))
	}
	plain := encodeJPEG(b, m)
	m = nil
	rotated := withSegments(plain, exifAPP1(6, "GPS", binary.BigEndian))
	b.Logf("JPEG is %d bytes", len(plain))
	for _, bc := range []struct {
		name string
		data []byte
	}{{"plain", plain}, {"orientation6", rotated}} {
		b.Run(bc.name, func(b *testing.B) {
			peak := watchHeap()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res, err := Process(bytes.NewReader(bc.data), int64(len(bc.data)), DefaultLimits, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if res.Width*res.Height != 12_000_000 {
					b.Fatalf("%dx%d", res.Width, res.Height)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
		})
	}
}

// watchHeap samples the heap every millisecond until the returned function
// is called, which returns the largest value seen.
func watchHeap() func() uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		return peak.Load()
	}
}
