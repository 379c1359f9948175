// Package s3 stores media blobs in an S3 bucket (Amazon S3, MinIO, or any
// S3-compatible service) through minio-go, for Roost processes that share
// their media.
//
// Objects are named by their keys unchanged and are publicly readable:
// clients fetch them straight from the bucket (or from S3_ALIAS_HOST in
// front of it), never through Roost.
package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/roost-social/roost/store"
)

// Config says where the bucket is; the comments name the environment
// variables that set each field.
type Config struct {
	// Endpoint is the service's URL (S3_ENDPOINT), e.g.
	// "https://s3.eu-central-1.amazonaws.com" or "http://127.0.0.1:9000".
	// The scheme decides TLS; without one it is https.
	Endpoint  string
	Bucket    string // S3_BUCKET
	Region    string // S3_REGION; "" lets the client ask the service
	AccessKey string // AWS_ACCESS_KEY_ID
	SecretKey string // AWS_SECRET_ACCESS_KEY
	// AliasHost (S3_ALIAS_HOST) is the host clients fetch media from
	// (a CDN or proxy in front of the bucket): URL(key) is
	// https://AliasHost/key. It may carry its own scheme
	// ("http://localhost:9000/bucket") for local testing.
	AliasHost string
}

// cacheControl is sent with every object: a key never changes meaning
// (new content gets a new key), so clients and CDNs may keep it for good.
const cacheControl = "public, max-age=31536000, immutable"

// partSize bounds the memory of an upload of unknown size (minio-go would
// otherwise buffer parts of over 500 MiB); 16 MiB parts still allow objects
// of 160 GiB.
const partSize = 16 << 20

// smallUnknown is how much of an upload of unknown size Put reads before
// deciding: a blob that fits is sent in one request, a bigger one as a
// multipart stream.
const smallUnknown = 1 << 20

// Blobs is a store.Blobs on an S3 bucket.
type Blobs struct {
	client  *minio.Client
	bucket  string
	baseURL string // URL(key) is baseURL + "/" + key
}

var _ store.Blobs = (*Blobs)(nil)

// New connects to the service and checks the bucket. A bucket that does
// not exist is created, with a policy letting anyone read its objects (and
// nothing else), so that clients can load media. It fails when the service
// cannot be reached or refuses the credentials.
func New(ctx context.Context, c Config) (*Blobs, error) {
	b, err := newBlobs(c)
	if err != nil {
		return nil, err
	}
	where := fmt.Sprintf("bucket %q at %s", c.Bucket, b.client.EndpointURL())
	exists, err := b.client.BucketExists(ctx, c.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3: check %s: %w", where, describe(err))
	}
	if exists {
		return b, nil
	}
	err = b.client.MakeBucket(ctx, c.Bucket, minio.MakeBucketOptions{Region: c.Region})
	if err != nil {
		// Another process sharing the configuration may have won the race.
		if code := minio.ToErrorResponse(err).Code; code != "BucketAlreadyOwnedByYou" {
			return nil, fmt.Errorf("s3: create %s: %w", where, describe(err))
		}
	}
	if err := b.client.SetBucketPolicy(ctx, c.Bucket, publicReadPolicy(c.Bucket)); err != nil {
		return nil, fmt.Errorf("s3: make %s publicly readable: %w", where, describe(err))
	}
	return b, nil
}

// newBlobs builds the client without touching the network.
func newBlobs(c Config) (*Blobs, error) {
	if c.Bucket == "" {
		return nil, errors.New("s3: no bucket (S3_BUCKET) configured")
	}
	if c.Endpoint == "" {
		return nil, errors.New("s3: no endpoint (S3_ENDPOINT) configured")
	}
	endpoint := c.Endpoint
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("s3: endpoint %q: %w", c.Endpoint, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("s3: endpoint %q: want http(s)://host[:port]", c.Endpoint)
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""),
		Secure:       u.Scheme == "https",
		Region:       c.Region,
		BucketLookup: minio.BucketLookupPath, // MinIO and custom endpoints have no per-bucket host names
	})
	if err != nil {
		return nil, fmt.Errorf("s3: endpoint %q: %w", c.Endpoint, err)
	}
	var base string
	switch alias := strings.TrimSuffix(c.AliasHost, "/"); {
	case alias == "":
		base = u.Scheme + "://" + u.Host + "/" + c.Bucket
	case strings.Contains(alias, "://"):
		base = alias
	default:
		base = "https://" + alias
	}
	return &Blobs{client: client, bucket: c.Bucket, baseURL: base}, nil
}

// describe adds a hint to the errors an administrator meets first.
func describe(err error) error {
	switch minio.ToErrorResponse(err).Code {
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken":
		return fmt.Errorf("credentials refused (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): %w", err)
	}
	return err
}

// publicReadPolicy lets anonymous clients get objects, and nothing more
// (not even list them), except those under pending/: uploads waiting for
// processing, still with their metadata.
func publicReadPolicy(bucket string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},` +
		`"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::` + bucket + `/*"]},` +
		`{"Effect":"Deny","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],` +
		`"Resource":["arn:aws:s3:::` + bucket + `/` + store.PendingBlobs + `*"]}]}`
}

// Put uploads r as the object key. S3 makes an object visible only when its
// upload completes, so a failed Put leaves the previous object, or none.
func (b *Blobs) Put(ctx context.Context, key, contentType string, r io.Reader, size int64) error {
	if err := store.ValidBlobKey(key); err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	opts := minio.PutObjectOptions{ContentType: contentType, CacheControl: cacheControl}
	if size < 0 {
		// Most media is small: read a little to find out, and send a small
		// blob in one request rather than as a multipart upload.
		var buf bytes.Buffer
		n, err := io.CopyN(&buf, r, smallUnknown)
		switch {
		case err == io.EOF:
			r, size = bytes.NewReader(buf.Bytes()), n
		case err != nil:
			return fmt.Errorf("put blob %s: %w", key, err)
		default:
			r = io.MultiReader(&buf, r)
			opts.PartSize = partSize
		}
	}
	if size == 0 {
		// The client may send an empty body without reading r at all.
		if err := (&exactReader{r: r}).atEOF(); err != nil {
			return fmt.Errorf("put blob %s: %w", key, err)
		}
	}
	if size >= 0 {
		r = &exactReader{r: r, left: size}
	}
	if _, err := b.client.PutObject(ctx, b.bucket, key, r, size, opts); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	return nil
}

var (
	errTooLong  = errors.New("reader longer than the declared size")
	errTooShort = errors.New("reader shorter than the declared size")
)

// exactReader passes on exactly left bytes and fails, instead of handing
// out the last of them, when the underlying reader has more: the upload
// then breaks off before it completes, where a plain limit would store a
// truncated object. It also turns an early EOF into an error, so no
// consumer can mistake it for the end of the blob. It hides every method
// but Read, so the client cannot read around it.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if e.left == 0 {
		if err == nil {
			err = e.atEOF()
		}
		if err != nil && err != io.EOF {
			return 0, err // not n: io.ReadFull would drop the error
		}
		return n, nil
	}
	if err == io.EOF {
		return n, errTooShort
	}
	return n, err
}

// atEOF reports whether the underlying reader is finished.
func (e *exactReader) atEOF() error {
	var one [1]byte
	for range 100 {
		n, err := e.r.Read(one[:])
		if n > 0 {
			return errTooLong
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// Get opens the object with one GET, so that a missing object is
// store.ErrNotFound at once, and streams that response as long as it is
// read in order. A Seek elsewhere makes a range request bound to the
// object's ETag: if the object was replaced meanwhile, it fails rather than
// mix two versions. Reads use ctx.
func (b *Blobs) Get(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	if err := store.ValidBlobKey(key); err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	// Not minio.Object: it makes a HEAD and then a GET bound to the HEAD's
	// ETag, which fails when the object is replaced between the two, and
	// its Stat, once read from, shrinks the size it stops reading at.
	core := minio.Core{Client: b.client}
	body, info, _, err := core.GetObject(ctx, b.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", key, notFound(err))
	}
	return &object{ctx: ctx, core: core, bucket: b.bucket, key: key, etag: info.ETag, size: info.Size, body: body}, nil
}

// object reads an object through GETs, the first made by Get, more after
// seeks.
type object struct {
	ctx         context.Context
	core        minio.Core
	bucket, key string
	etag        string
	size        int64
	body        io.ReadCloser // positioned at pos; nil after a seek
	pos         int64
}

func (o *object) Read(p []byte) (int, error) {
	if o.pos >= o.size {
		return 0, io.EOF
	}
	if o.body == nil {
		opts := minio.GetObjectOptions{}
		if err := opts.SetMatchETag(o.etag); err != nil {
			return 0, fmt.Errorf("read blob %s: %w", o.key, err)
		}
		if o.pos > 0 { // SetRange(0, 0) would ask for the first byte only
			if err := opts.SetRange(o.pos, 0); err != nil {
				return 0, fmt.Errorf("read blob %s: %w", o.key, err)
			}
		}
		body, _, _, err := o.core.GetObject(o.ctx, o.bucket, o.key, opts)
		if err != nil {
			return 0, fmt.Errorf("read blob %s at %d: %w", o.key, o.pos, notFound(err))
		}
		o.body = body
	}
	n, err := o.body.Read(p)
	o.pos += int64(n)
	if err == io.EOF && o.pos < o.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (o *object) Seek(offset int64, whence int) (int64, error) {
	abs := offset
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		abs += o.pos
	case io.SeekEnd:
		abs += o.size
	default:
		return 0, fmt.Errorf("seek blob %s: invalid whence %d", o.key, whence)
	}
	if abs < 0 {
		return 0, fmt.Errorf("seek blob %s: negative position %d", o.key, abs)
	}
	if abs != o.pos && o.body != nil {
		o.body.Close()
		o.body = nil
	}
	o.pos = abs
	return abs, nil
}

func (o *object) Close() error {
	if o.body != nil {
		err := o.body.Close()
		o.body = nil
		return err
	}
	return nil
}

// notFound wraps store.ErrNotFound around the service's "no such key".
func notFound(err error) error {
	if minio.ToErrorResponse(err).Code == "NoSuchKey" {
		return fmt.Errorf("%w (%v)", store.ErrNotFound, err)
	}
	return err
}

// Delete removes the object; S3 does not mind a missing one.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	if err := store.ValidBlobKey(key); err != nil {
		return fmt.Errorf("delete blob: %w", err)
	}
	if err := b.client.RemoveObject(ctx, b.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// URL is https://AliasHost/key when AliasHost is set, else the object's
// path-style address on the endpoint.
func (b *Blobs) URL(key string) string {
	return b.baseURL + "/" + key
}

// List lists the objects under prefix, a page of them per request; see
// store.Blobs. Objects whose names are no valid keys (folder markers, or
// whatever else shares the bucket) are left out.
func (b *Blobs) List(ctx context.Context, prefix string, fn func(key string, size int64, modified time.Time) error) error {
	// Ending ctx is how an iteration broken off early stops the client's
	// listing.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for obj := range b.client.ListObjectsIter(ctx, b.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("list blobs %q: %w", prefix, describe(obj.Err))
		}
		if store.ValidBlobKey(obj.Key) != nil {
			continue
		}
		if err := fn(obj.Key, obj.Size, obj.LastModified); err != nil {
			return err
		}
	}
	// The client may end the listing quietly when ctx ends.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("list blobs %q: %w", prefix, err)
	}
	return nil
}
