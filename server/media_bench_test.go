package server

import (
	"bytes"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkUploadJPEG12MP uploads a 12-megapixel photo through POST
// /api/v1/media (multipart parsing, processing, storing both files) and
// reports the peak heap in use while it runs:
// go test -run XXX -bench UploadJPEG12MP -benchmem ./server/
func BenchmarkUploadJPEG12MP(b *testing.B) {
	img := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range 3000 {
		for x := range 4000 {
			img.Y[y*img.YStride+x] = uint8((x+y)/28) + uint8(rng.IntN(24))
		}
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = uint8(100+i%56), uint8(140-i%40)
	}
	var photo bytes.Buffer
	if err := jpeg.Encode(&photo, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	in := openInstance(b, filepath.Join(b.TempDir(), "roost.db"), func(*Config) {})
	u := in.newUser("alice")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("description", "a 12-megapixel photo")
	fw, _ := mw.CreateFormFile("file", "photo.jpg")
	fw.Write(photo.Bytes())
	mw.Close()

	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()
	runtime.GC()
	b.SetBytes(int64(photo.Len()))
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("POST", in.http.URL+"/api/v1/media", bytes.NewReader(body.Bytes()))
		req.Header.Set("Authorization", "Bearer "+u.token)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := in.client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("upload: %d", resp.StatusCode)
		}
	}
	b.StopTimer()
	close(stop)
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
