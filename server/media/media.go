// Package media checks and prepares uploaded media files for storage.
//
// Process runs one upload through a fixed pipeline:
//
//  1. Sniff the type from the first bytes; names and declared content types
//     are never consulted.
//  2. Refuse files over the size limit for their kind before reading them.
//     Video and audio stop here: they are stored unchanged.
//  3. For images, read the header only (image.DecodeConfig) and refuse
//     dimensions over the pixel limit, so a decompression bomb costs nothing.
//  4. Strip metadata by rewriting the container losslessly (JPEG segments,
//     PNG chunks, GIF blocks, WebP RIFF chunks) and read the JPEG EXIF
//     orientation.
//  5. Decode the image (the first frame of an animation), apply the
//     orientation and the optional cover-crop fit, re-encoding only when
//     pixels changed, then make a JPEG preview and a blurhash.
//
// Memory: step 5 is the only step whose cost grows with the pixel count,
// and it runs for at most one upload at a time in the whole process (a
// package-level semaphore), so a burst of uploads queues instead of decoding
// many large images at once. At the default pixel limit one decode holds
// about 50 MB for a baseline 4:2:0 JPEG, 250 MB for a progressive one (the
// decoder keeps every DCT coefficient), 133 MB for an 8-bit RGBA PNG and
// 265 MB for a 16-bit one; turning a JPEG adds another 50 MB. Outside the
// semaphore each call holds only its upload and its stripped copy (each at
// most 16 MB) and buffers of preview size. Go's garbage collector frees a finished decode lazily, so
// small machines should also set GOMEMLIMIT.
package media

import (
	"errors"
	"fmt"
	"io"
)

// Limits bound what Process accepts. A zero field means the DefaultLimits value.
type Limits struct {
	ImageSize   int64 // bytes
	ImagePixels int   // width*height of the largest image accepted
	VideoSize   int64 // bytes, video and audio
}

// DefaultLimits follows Mastodon's configuration.media_attachments: images up
// to 16 MiB and 33,177,600 pixels (image_matrix_limit), video and audio up to
// 99 MiB.
var DefaultLimits = Limits{ImageSize: 16 << 20, ImagePixels: 33_177_600, VideoSize: 99 << 20}

// Options ask for more than the default processing.
type Options struct {
	// FitWidth and FitHeight, when both set (400x400 for avatars, 1500x500
	// for headers), centre-crop the image to that aspect ratio and scale it
	// down to at most that size; it is never scaled up. The result is
	// re-encoded unless the image already had that shape and fitted, in which
	// case the stripped original (and any animation) is kept.
	FitWidth, FitHeight int
}

// Result is a processed upload.
type Result struct {
	// Type is Mastodon's media type: "image", "video" or "audio". An
	// animated GIF is an "image" and stays a GIF; Process never makes gifv.
	Type string
	// ContentType and Ext describe Original (for video and audio, the
	// source), for example "image/jpeg" and ".jpg".
	ContentType string
	Ext         string
	// Width and Height are those of the stored image, after orientation and
	// fitting; 0 for video and audio.
	Width, Height int
	// Original is the file to store: for images the metadata-stripped,
	// oriented bytes; nil for video and audio, meaning "store the source
	// bytes unchanged".
	Original []byte
	// Preview is a JPEG thumbnail fitting in 640x640 (never scaled up),
	// transparency flattened onto white; nil for video and audio.
	Preview                     []byte
	PreviewWidth, PreviewHeight int
	// Blurhash is a 4x3-component blurhash of the image; empty for video and audio.
	Blurhash string
}

// ErrInvalid is wrapped by every error that is the upload's fault, so callers
// can answer 422; the rest of the message is meant for the user. Any other
// error comes from reading src.
var ErrInvalid = errors.New("invalid media")

var errCorrupt = fmt.Errorf("%w: image is truncated or corrupt", ErrInvalid)

// sniffLen is how much of the file Sniff sees.
const sniffLen = 512

// Process reads an upload of the given size from src and returns what to
// store. See the package comment for the pipeline. It is safe for concurrent
// use; image decoding is serialised across all callers.
func Process(src io.ReaderAt, size int64, lim Limits, opt Options) (res *Result, err error) {
	// The decoders are fuzzed and so is process, so this should never fire;
	// it is here so that one bad upload cannot take the server down.
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, errCorrupt
		}
	}()
	return process(src, size, lim, opt)
}

func process(src io.ReaderAt, size int64, lim Limits, opt Options) (*Result, error) {
	lim = lim.orDefault()
	if size <= 0 {
		return nil, fmt.Errorf("%w: file is empty", ErrInvalid)
	}
	head := make([]byte, min(size, sniffLen))
	if err := readAt(src, head); err != nil {
		return nil, err
	}
	contentType, mediaType, ext, err := Sniff(head)
	if err != nil {
		return nil, err
	}
	if mediaType != "image" {
		if size > lim.VideoSize {
			return nil, fmt.Errorf("%w: %s is too large (max %s)", ErrInvalid, mediaType, megabytes(lim.VideoSize))
		}
		return &Result{Type: mediaType, ContentType: contentType, Ext: ext}, nil
	}
	if size > lim.ImageSize {
		return nil, fmt.Errorf("%w: image is too large (max %s)", ErrInvalid, megabytes(lim.ImageSize))
	}
	data := make([]byte, size)
	if err := readAt(src, data); err != nil {
		return nil, err
	}
	res, err := processImage(data, contentType, lim, opt)
	if err != nil {
		return nil, err
	}
	if res.Ext == "" {
		res.Ext = ext
	}
	return res, nil
}

func (l Limits) orDefault() Limits {
	if l.ImageSize == 0 {
		l.ImageSize = DefaultLimits.ImageSize
	}
	if l.ImagePixels == 0 {
		l.ImagePixels = DefaultLimits.ImagePixels
	}
	if l.VideoSize == 0 {
		l.VideoSize = DefaultLimits.VideoSize
	}
	return l
}

func megabytes(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// readAt fills buf from the start of src; io.ReaderAt may return io.EOF
// along with a full buffer.
func readAt(src io.ReaderAt, buf []byte) error {
	n, err := src.ReadAt(buf, 0)
	if n == len(buf) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("read upload: %w", err)
}
