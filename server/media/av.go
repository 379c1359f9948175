package media

import (
	"errors"
	"fmt"
	"io"
)

// stripAV sets res.Start, res.End and res.Patches so that the stored file
// carries none of the metadata of the video or audio file src that the
// package comment lists. Nothing moves: tags at the ends of a file are cut
// off, tags inside it are overwritten with padding of the same size. For
// audio behind ID3v2 tags it also sets the content type of what they hide,
// and it sets the duration, size and frame rate the headers give.
func stripAV(src io.ReaderAt, size int64, res *Result) error {
	p := &patcher{}
	start, end := int64(0), size
	var err error
	switch res.ContentType {
	case "video/mp4", "video/quicktime", "audio/mp4":
		err = stripISO(src, size, p, res)
	case "video/webm":
		err = stripWebM(src, size, p, res)
	case "audio/ogg":
		err = stripOgg(src, size, p)
	case "audio/wav":
		end, err = stripWAV(src, size, p, res)
	case "audio/mpeg", "audio/aac", "audio/flac":
		start, err = skipID3v2(src, 0, size)
		if err == nil && start > 0 && start < size {
			head := make([]byte, min(size-start, sniffLen))
			if err = readAt(src, head, start); err != nil {
				return err
			}
			// Anything else under the tags (zero padding before the first
			// frame, say) is stored as MP3, as before.
			if ct, _, ext, serr := Sniff(head); serr == nil && (ct == "audio/mpeg" || ct == "audio/aac" || ct == "audio/flac") {
				res.ContentType, res.Ext = ct, ext
			}
		}
		if err == nil && res.ContentType == "audio/flac" {
			err = stripFLAC(src, start, size, p, res)
		}
		if err == nil {
			end, err = trimTrailers(src, start, size)
		}
		if err == nil && res.ContentType == "audio/mpeg" {
			err = mp3Duration(src, start, end, res)
		}
	}
	if errors.Is(err, errStructure) || err == nil && end <= start {
		return fmt.Errorf("%w: %s is truncated or corrupt", ErrInvalid, res.Type)
	}
	if err != nil {
		return err
	}
	res.Start = start
	if end < size {
		res.End = end
	}
	res.Patches = clip(p.patches, start, end)
	return nil
}

// clip cuts sorted patches to [start, end): a trailer cut off the end of a
// file may hold what the walk patched.
func clip(patches []Patch, start, end int64) []Patch {
	out := patches[:0]
	for _, pt := range patches {
		from, to := max(pt.Offset, start), min(pt.Offset+int64(len(pt.Data)), end)
		if from < to {
			out = append(out, Patch{Offset: from, Data: pt.Data[from-pt.Offset : to-pt.Offset]})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
