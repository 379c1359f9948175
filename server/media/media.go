// Package media checks and prepares uploaded media files for storage.
//
// Process runs one upload through a fixed pipeline:
//
//  1. Sniff the type from the first bytes; names and declared content types
//     are never consulted.
//  2. Refuse files over the size limit for their kind before reading them.
//  3. For video and audio, find the metadata by reading the container's
//     headers only, and describe the file to store as a byte range of the
//     upload with patches over it (Result.Stored); nothing is loaded into
//     memory and no byte moves, because MP4 sample tables point into the
//     file by absolute offset. ISO media (MP4, MOV, M4A): udta, meta, uuid
//     boxes (location, camera, XMP) become free boxes of the same size with
//     a zeroed payload, free and skip payloads are zeroed, and the recording
//     times in mvhd, tkhd and mdhd are zeroed. MP3 and AAC: ID3v2 tags at the
//     start and ID3v1, APEv2, Lyrics3v2 and footed ID3v2 tags at the end are
//     cut off. FLAC: VORBIS_COMMENT, PICTURE and APPLICATION blocks become
//     PADDING. WAV: every chunk but the sound's (fmt, data, fact, cue, ...)
//     becomes JUNK, and bytes after the RIFF data are cut off. Ogg (Vorbis,
//     Opus, Theora, Speex): every comment (tags, cover art) is overwritten
//     with "X=XXX…" of the same length, and the checksums of the pages it
//     spans are redone. WebM and Matroska: Tags and Attachments, and the
//     date and title in Info, become Void elements of the same length. A
//     container whose structure cannot be walked is refused rather than
//     stored with unknown metadata. The same walk reads the duration, and
//     for video the display size and frame rate, where the headers give
//     them. Video and audio stop here.
//  4. For images, read the header only (image.DecodeConfig) and refuse
//     dimensions over the pixel limit, so a decompression bomb costs nothing.
//  5. Strip metadata by rewriting the container losslessly (JPEG segments,
//     PNG chunks, GIF blocks, WebP RIFF chunks) and read the JPEG EXIF
//     orientation. Animations (GIF, APNG) with too many frames are refused.
//  6. Decode the image (the first frame of an animation), apply the
//     orientation and the optional cover-crop fit, re-encoding only when
//     pixels changed, then make a JPEG preview and a blurhash.
//
// Known limits of step 3: Ogg streams of other codecs (FLAC in Ogg keeps
// its comment and picture blocks) and the links of a chained Ogg file after
// the first are stored unchanged, since the walk stops once the first
// comment headers have ended. Timed metadata tracks inside MP4 (their
// samples live in mdat among the sound and pictures), Matroska tags nested
// elsewhere than the Segment's top level, and metadata inside the codec
// streams (H.264 SEI messages, say) are kept too.
//
// Memory: step 6 is the only step whose cost grows with the pixel count,
// and it runs for at most one upload at a time in the whole process (a
// package-level semaphore), so a burst of uploads queues instead of decoding
// many large images at once. At the default pixel limit one decode holds
// about 50 MB for a baseline 4:2:0 JPEG, 250 MB for a progressive one (the
// decoder keeps every DCT coefficient), 133 MB for an 8-bit RGBA PNG and
// 265 MB for a 16-bit one; turning a JPEG adds another 50 MB. Outside the
// semaphore each call holds only its upload and its stripped copy (each at
// most 16 MB) and buffers of preview size; video and audio cost a patch
// list and a 64 KB buffer of zeros whatever their size. Go's garbage
// collector frees a finished decode lazily, so small machines should also
// set GOMEMLIMIT.
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
	// ContentType and Ext describe the stored file, for example
	// "image/jpeg" and ".jpg".
	ContentType string
	Ext         string
	// Width and Height are those of the stored image, after orientation and
	// fitting. For video they are the display size of the first video
	// track as the container declares it (a portrait phone video, stored
	// turned, is taller than wide); 0 when unknown and for audio.
	Width, Height int
	// Duration is the length of video and audio in seconds as the
	// container's headers declare it; 0 when unknown and for images.
	Duration float64
	// FrameRate is the frame rate of video as a fraction in lowest terms,
	// "30/1" or "30000/1001" (an average when frames last differently);
	// "" when unknown and for audio and images.
	FrameRate string
	// Original is the file to store for images: the metadata-stripped,
	// oriented bytes. It is nil for video and audio, which are stored from
	// the source as Start, End and Patches say; Stored gives either.
	Original []byte
	// For video and audio (Original nil): the stored file is the source
	// from Start to End with each patch written over it (patches lie inside
	// [Start, End), sorted, not overlapping). Zero End means the source's
	// size.
	Start, End int64
	Patches    []Patch
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
	if err := readAt(src, head, 0); err != nil {
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
		res := &Result{Type: mediaType, ContentType: contentType, Ext: ext}
		if err := stripAV(src, size, res); err != nil {
			return nil, err
		}
		return res, nil
	}
	if size > lim.ImageSize {
		return nil, fmt.Errorf("%w: image is too large (max %s)", ErrInvalid, megabytes(lim.ImageSize))
	}
	data := make([]byte, size)
	if err := readAt(src, data, 0); err != nil {
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

// readAt fills buf from src at off; io.ReaderAt may return io.EOF along
// with a full buffer. Callers read only inside the declared size, so a
// short read is the reader's fault, never the upload's.
func readAt(src io.ReaderAt, buf []byte, off int64) error {
	n, err := src.ReadAt(buf, off)
	if n == len(buf) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("read upload: %w", err)
}
