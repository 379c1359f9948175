package media

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// Hostile files found in review: each is refused or handled without
// panicking or holding memory in proportion to its tricks.
func TestHostileContainers(t *testing.T) {
	// Ogg with more one-byte comments than patches are allowed: refused
	// (it would otherwise hold one patch per comment in memory).
	comments := make([]string, maxOggPatches+10)
	for i := range comments {
		comments[i] = "a"
	}
	ogg := bytes.Join(oggPages(7, 255,
		append([]byte("\x01vorbis"), make([]byte, 23)...),
		vorbisCommentPacket("\x03vorbis", comments...),
		append([]byte("\x05vorbis"), make([]byte, 40)...),
		[]byte("audio")), nil)
	if _, err := Process(bytes.NewReader(ogg), int64(len(ogg)), DefaultLimits, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Ogg with %d comments: %v, want ErrInvalid", len(comments), err)
	}

	// A video track whose stts box has no room for entries: no panic, no
	// frame rate. The stts (header, version/flags, count, one entry) is cut
	// to its 8-byte header and the rest becomes a free box.
	movie := isoMovie("isom", 0, 1000, 5000, isoTrak(0, "vide", identity, 64, 48, 30, 1, 1))
	i := bytes.Index(movie, []byte("stts"))
	if i < 4 || movie[i-1] != 24 {
		t.Fatal("unexpected stts in the test movie")
	}
	movie[i-1] = 8
	copy(movie[i+4:], []byte{0, 0, 0, 16, 'f', 'r', 'e', 'e'})
	res, err := process(bytes.NewReader(movie), int64(len(movie)), DefaultLimits, Options{})
	if err != nil || res.FrameRate != "" || res.Width != 64 {
		t.Errorf("movie with an empty stts: %+v, %v", res, err)
	}
}

// One full decode at a time: while another holds the decoder, Process
// waits, and goes on as soon as it is free.
func TestOneDecodeAtATime(t *testing.T) {
	data := encodePNG(t, gradient(64, 48))
	decodeSem <- struct{}{} // another decode is running
	done := make(chan error, 1)
	go func() {
		_, err := Process(bytes.NewReader(data), int64(len(data)), DefaultLimits, Options{})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Process decoded beside another decode (err %v)", err)
	case <-time.After(100 * time.Millisecond):
	}
	<-decodeSem // that decode ends
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Process did not go on once the decoder was free")
	}
}
