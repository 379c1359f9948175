package federation

import (
	"context"
	"crypto"
	"errors"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/roost-social/roost/federation/fetch"
	"github.com/roost-social/roost/federation/sig"
	"github.com/roost-social/roost/store"
)

// Delivery: workers take due rows from the store's durable delivery table,
// sign and POST them; success deletes the row, failure reschedules it with
// growing backoff. A row taken is leased, so if the process dies mid-way
// it is taken again once the lease runs out: nothing queued is lost.

const (
	maxAttempts   = 16
	deliveryLease = 2 * time.Minute
	pollInterval  = time.Second
	// UnavailableAfter is how long a host may fail before deliveries to it
	// are dropped rather than retried, until it answers or writes again.
	UnavailableAfter = 7 * 24 * time.Hour
)

// Backoff is the wait before attempt n+1 after n failures: Mastodon's
// schedule, from seconds to most of a day, about 2.5 days over 16 tries.
func Backoff(n int) time.Duration {
	secs := n*n*n*n + 15 + rand.IntN(30)*(n+1)
	return time.Duration(secs) * time.Second
}

// Deliverer runs the delivery workers.
type Deliverer struct {
	f       *Federation
	workers int
	nudge   chan struct{}

	mu      sync.Mutex
	keys    map[string]crypto.PrivateKey // account ID → signing key
	failing map[string]time.Time         // host → failing since
}

// NewDeliverer returns a Deliverer with n workers.
func (f *Federation) NewDeliverer(n int) *Deliverer {
	if n < 1 {
		n = 1
	}
	d := &Deliverer{f: f, workers: n, nudge: make(chan struct{}, 1), keys: map[string]crypto.PrivateKey{}, failing: map[string]time.Time{}}
	f.deliverer = d
	return d
}

// Nudge wakes the workers after new deliveries were stored.
func (d *Deliverer) Nudge() {
	select {
	case d.nudge <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then waits for requests in flight.
func (d *Deliverer) Run(ctx context.Context) {
	if hosts, err := d.f.Store.FailingHosts(ctx); err == nil {
		d.mu.Lock()
		for h, since := range hosts {
			d.failing[h] = since
		}
		d.mu.Unlock()
	}
	jobs := make(chan store.Delivery)
	var wg sync.WaitGroup
	for range d.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				d.deliver(context.WithoutCancel(ctx), job)
			}
		}()
	}
	defer func() {
		close(jobs)
		wg.Wait()
	}()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-d.nudge:
		}
		for {
			due, err := d.f.Store.TakeDeliveries(ctx, time.Now(), d.workers*4, deliveryLease)
			if err != nil {
				if ctx.Err() == nil {
					d.f.Log.Error("take deliveries", "err", err)
				}
				break
			}
			for _, job := range due {
				select {
				case jobs <- job:
				case <-ctx.Done():
					return // the rest stay leased and come back after the lease
				}
			}
			if len(due) < d.workers*4 {
				break
			}
		}
		timer.Reset(pollInterval)
	}
}

// deliver makes one attempt at one delivery.
func (d *Deliverer) deliver(ctx context.Context, job store.Delivery) {
	log := d.f.Log.With("inbox", job.Inbox, "attempt", job.Attempts+1)
	if d.f.suspended(ctx, job.Inbox) {
		log.Info("delivery to a blocked domain dropped")
		_ = d.f.Store.DeliveryDone(ctx, job.ID)
		return
	}
	host := hostOf(job.Inbox)
	d.mu.Lock()
	since, failing := d.failing[host]
	d.mu.Unlock()
	if failing && time.Since(since) > UnavailableAfter {
		log.Info("delivery to an unavailable host dropped", "failing_since", since)
		_ = d.f.Store.DeliveryDone(ctx, job.ID)
		return
	}
	key, keyID, err := d.signer(ctx, job.ActorID)
	if err != nil {
		log.Error("delivery without a signer; dropped", "err", err)
		_ = d.f.Store.DeliveryDone(ctx, job.ID)
		return
	}
	reqCtx, cancel := context.WithTimeout(withSigner(ctx, keyID, key), 30*time.Second)
	_, err = d.f.Client.Post(reqCtx, job.Inbox, "application/activity+json", job.Payload)
	cancel()
	if err == nil {
		if err := d.f.Store.DeliveryDone(ctx, job.ID); err != nil {
			log.Error("finish delivery", "err", err)
		}
		if failing {
			d.recovered(ctx, host)
		}
		return
	}
	var se *fetch.StatusError
	permanent := errors.As(err, &se) && !se.Retryable() || errors.Is(err, fetch.ErrForbiddenAddress) || errors.Is(err, fetch.ErrScheme) || errors.Is(err, fetch.ErrInvalidURL)
	if permanent || job.Attempts+1 >= maxAttempts {
		log.Warn("delivery failed for good; dropped", "err", err)
		_ = d.f.Store.DeliveryDone(ctx, job.ID)
		return
	}
	if !failing {
		if since, err := d.f.Store.HostFailing(ctx, host, time.Now()); err == nil {
			d.mu.Lock()
			d.failing[host] = since
			d.mu.Unlock()
		}
	}
	log.Info("delivery failed; will retry", "err", err)
	backoff := Backoff
	if d.f.RetryBackoff != nil {
		backoff = d.f.RetryBackoff
	}
	if err := d.f.Store.RetryDelivery(ctx, job.ID, time.Now().Add(backoff(job.Attempts+1)), err.Error()); err != nil {
		log.Error("reschedule delivery", "err", err)
	}
}

// recovered forgets a host's failures.
func (d *Deliverer) recovered(ctx context.Context, host string) {
	d.mu.Lock()
	_, failing := d.failing[host]
	delete(d.failing, host)
	d.mu.Unlock()
	if failing {
		if err := d.f.Store.HostRecovered(ctx, host); err != nil {
			d.f.Log.Error("record recovered host", "host", host, "err", err)
		}
	}
}

// signer returns the private key and key id of a local account.
func (d *Deliverer) signer(ctx context.Context, accountID string) (crypto.PrivateKey, string, error) {
	a, err := d.f.Store.AccountByID(ctx, accountID)
	if err != nil {
		return nil, "", err
	}
	d.mu.Lock()
	key, ok := d.keys[accountID]
	d.mu.Unlock()
	if !ok {
		if key, err = sig.ParsePrivateKeyPEM(a.PrivateKey); err != nil {
			return nil, "", err
		}
		d.mu.Lock()
		d.keys[accountID] = key
		d.mu.Unlock()
	}
	return key, a.URI + "#main-key", nil
}

type signerKey struct{}

type signerValue struct {
	keyID string
	key   crypto.PrivateKey
}

func withSigner(ctx context.Context, keyID string, key crypto.PrivateKey) context.Context {
	return context.WithValue(ctx, signerKey{}, signerValue{keyID, key})
}

// signRequest is the fetch client's signing hook: requests are signed by
// the account a delivery belongs to, others by the instance actor.
func (f *Federation) signRequest(r *http.Request, body []byte) error {
	v, ok := r.Context().Value(signerKey{}).(signerValue)
	if !ok {
		a, key, err := f.instanceActor(r.Context())
		if err != nil {
			return err
		}
		v = signerValue{a.URI + "#main-key", key}
	}
	return sig.SignRequest(r, body, v.keyID, v.key, time.Now())
}
