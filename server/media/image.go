package media

import (
	"bytes"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

const (
	previewSize = 640 // previews fit in previewSize x previewSize
	hashSize    = 32  // blurhash is computed on an image fitting in hashSize x hashSize

	// maxFrameFactor bounds an animated GIF or APNG: frames x width x
	// height may be at most this many times Limits.ImagePixels. We only
	// decode the first frame, but every viewer's browser decodes them all,
	// and GIF's LZW and PNG's deflate can pack thousands of pixels in a byte.
	maxFrameFactor = 4
)

// decodeSem lets one full image decode run at a time in the process.
var decodeSem = make(chan struct{}, 1)

func processImage(data []byte, contentType string, lim Limits, opt Options) (*Result, error) {
	cfg, err := decodeConfig(contentType, data)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errCorrupt
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(lim.ImagePixels) {
		return nil, fmt.Errorf("%w: image is too large: %dx%d pixels (max %d)", ErrInvalid, cfg.Width, cfg.Height, lim.ImagePixels)
	}

	var stripped []byte
	orientation := 1
	switch contentType {
	case "image/jpeg":
		stripped, orientation, err = stripJPEG(data)
	case "image/png":
		var frames int
		stripped, frames, err = stripPNG(data)
		if err == nil && int64(frames)*int64(cfg.Width)*int64(cfg.Height) > maxFrameFactor*int64(lim.ImagePixels) {
			return nil, fmt.Errorf("%w: animation has too many frames: %d frames of %dx%d pixels", ErrInvalid, frames, cfg.Width, cfg.Height)
		}
	case "image/gif":
		var frames int
		stripped, frames, err = stripGIF(data)
		if err == nil && int64(frames)*int64(cfg.Width)*int64(cfg.Height) > maxFrameFactor*int64(lim.ImagePixels) {
			return nil, fmt.Errorf("%w: animated GIF is too large: %d frames of %dx%d pixels", ErrInvalid, frames, cfg.Width, cfg.Height)
		}
	case "image/webp":
		var animated bool
		stripped, animated, err = stripWebP(data)
		if err == nil && animated {
			return nil, fmt.Errorf("%w: animated WebP images are not supported", ErrInvalid)
		}
	}
	if err != nil {
		return nil, errCorrupt
	}

	res := &Result{Type: "image", ContentType: contentType, Original: stripped}
	var preview *image.RGBA
	err = func() error {
		decodeSem <- struct{}{}
		defer func() { <-decodeSem }()

		img, err := decode(contentType, data, cfg)
		if err != nil {
			return errCorrupt
		}
		changed := false
		if orientation > 1 {
			img, changed = orient(img, orientation), true
		}
		if opt.FitWidth > 0 && opt.FitHeight > 0 {
			b := img.Bounds()
			crop := coverCrop(b, opt.FitWidth, opt.FitHeight)
			w, h := crop.Dx(), crop.Dy()
			if w > opt.FitWidth || h > opt.FitHeight {
				w, h = opt.FitWidth, opt.FitHeight // crop has their aspect ratio
			}
			if crop != b || w != b.Dx() || h != b.Dy() {
				img, changed = resize(subImage(img, crop), w, h), true
			}
		}
		b := img.Bounds()
		res.Width, res.Height = b.Dx(), b.Dy()
		if changed {
			if res.Original, res.ContentType, res.Ext, err = encode(img); err != nil {
				return err
			}
		}
		res.PreviewWidth, res.PreviewHeight = fitBox(b.Dx(), b.Dy(), previewSize, previewSize)
		preview = resize(img, res.PreviewWidth, res.PreviewHeight)
		return nil
	}()
	if err != nil {
		return nil, err
	}

	onWhite(preview)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, preview, &jpeg.Options{Quality: 80}); err != nil {
		return nil, fmt.Errorf("encode preview: %w", err)
	}
	res.Preview = buf.Bytes()
	w, h := fitBox(res.PreviewWidth, res.PreviewHeight, hashSize, hashSize)
	res.Blurhash = blurhash(resize(preview, w, h), 4, 3)
	return res, nil
}

func decodeConfig(contentType string, data []byte) (image.Config, error) {
	r := bytes.NewReader(data)
	switch contentType {
	case "image/jpeg":
		return jpeg.DecodeConfig(r)
	case "image/png":
		return png.DecodeConfig(r)
	case "image/gif":
		return gif.DecodeConfig(r)
	case "image/webp":
		return webp.DecodeConfig(r)
	}
	return image.Config{}, errStructure
}

// decode decodes the image, or the first frame of an animation, at the size
// cfg gives.
func decode(contentType string, data []byte, cfg image.Config) (image.Image, error) {
	r := bytes.NewReader(data)
	var img image.Image
	var err error
	switch contentType {
	case "image/jpeg":
		img, err = jpeg.Decode(r)
	case "image/png":
		img, err = png.Decode(r)
	case "image/gif":
		img, err = gif.Decode(r)
	case "image/webp":
		img, err = webp.Decode(r)
	default:
		err = errStructure
	}
	if err != nil {
		return nil, err
	}
	// A GIF's first frame may cover only part of the logical screen.
	if screen := image.Rect(0, 0, cfg.Width, cfg.Height); img.Bounds() != screen {
		canvas := image.NewRGBA(screen)
		draw.Draw(canvas, img.Bounds(), img, img.Bounds().Min, draw.Src)
		img = canvas
	}
	return img, nil
}

func subImage(img image.Image, r image.Rectangle) image.Image {
	if m, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return m.SubImage(r)
	}
	return img // every decoder's image type has SubImage
}

// encode re-encodes a changed image: JPEG quality 90, or PNG if it has
// transparency.
func encode(img image.Image) (data []byte, contentType, ext string, err error) {
	var buf bytes.Buffer
	if m, ok := img.(interface{ Opaque() bool }); ok && m.Opaque() {
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
			return nil, "", "", fmt.Errorf("encode image: %w", err)
		}
		return buf.Bytes(), "image/jpeg", ".jpg", nil
	}
	if err := png.Encode(&buf, img); err != nil {
		return nil, "", "", fmt.Errorf("encode image: %w", err)
	}
	return buf.Bytes(), "image/png", ".png", nil
}
