// Package federation is Roost's ActivityPub side: building the documents
// other servers fetch (actors, notes, collections), and — as the federation
// issue lands — receiving activities in the inbox and delivering ours.
// Vocabulary lives in federation/activity, signatures in federation/sig,
// the guarded HTTP client in federation/fetch, text in federation/content.
// This package never imports server.
package federation

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/roost-social/roost/federation/fetch"
	"github.com/roost-social/roost/federation/sig"

	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/store"
)

// Federation holds what the protocol code needs.
type Federation struct {
	Store       store.Store
	Log         *slog.Logger
	BaseURL     string // https://example.com
	LocalDomain string
	// Client makes every outgoing request (nil: no outgoing requests, as
	// in tests of the read side); its requests are signed by signRequest.
	Client *fetch.Client
	// RetryBackoff replaces Backoff (tests make it short).
	RetryBackoff func(attempts int) time.Duration
	// Hooks hear what the inbox stored (hooks.go).
	Hooks Hooks
	// BlobURL is the address of a local file (an attachment, avatar or
	// header) from its Blobs key; nil leaves local files out of documents.
	BlobURL func(key string) string

	deliverer *Deliverer
	instance  struct {
		sync.Mutex
		account *store.Account
		key     crypto.PrivateKey
	}
	// polls holds the local polls whose new tally is to be sent (polls.go).
	polls pollQueue

	// bg runs the background fetches (backfill.go, thread.go); Close
	// stops it.
	bg runner
}

// New returns a Federation for the instance at baseURL. With fc set,
// outgoing requests go through a guarded client built from it, signed by
// the account they act for (or the instance actor).
func New(st store.Store, logger *slog.Logger, baseURL, localDomain string, fc *fetch.Config) *Federation {
	f := &Federation{Store: st, Log: logger, BaseURL: strings.TrimSuffix(baseURL, "/"), LocalDomain: localDomain}
	if fc != nil {
		c := *fc
		c.Sign = f.signRequest
		f.Client = fetch.New(c)
	}
	return f
}

// Nudge tells the delivery workers that new deliveries were stored.
func (f *Federation) Nudge() {
	if f.deliverer != nil {
		f.deliverer.Nudge()
	}
}

// InstanceActorName is the username of the instance actor, which signs
// fetches made for nobody in particular; the dot keeps it apart from every
// username a person can have.
const InstanceActorName = "instance.actor"

// instanceActor returns the instance actor and its key, making it on first
// use.
func (f *Federation) instanceActor(ctx context.Context) (*store.Account, crypto.PrivateKey, error) {
	f.instance.Lock()
	defer f.instance.Unlock()
	if f.instance.account != nil {
		return f.instance.account, f.instance.key, nil
	}
	a, err := f.Store.AccountByUsername(ctx, InstanceActorName, "")
	if errors.Is(err, store.ErrNotFound) {
		pub, priv, kerr := NewKeyPair()
		if kerr != nil {
			return nil, nil, kerr
		}
		uri := f.BaseURL + "/actor"
		a = &store.Account{
			Username: InstanceActorName, URI: uri, URL: f.BaseURL + "/about", InboxURL: uri + "/inbox",
			SharedInbox: f.BaseURL + "/inbox", OutboxURL: uri + "/outbox", Locked: true, Bot: true,
			PublicKeyPEM: pub, PrivateKey: priv, KeyID: uri + "#main-key",
		}
		err = f.Store.CreateLocalAccount(ctx, a, nil)
		if errors.Is(err, store.ErrConflict) {
			a, err = f.Store.AccountByUsername(ctx, InstanceActorName, "")
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("instance actor: %w", err)
	}
	key, err := sig.ParsePrivateKeyPEM(a.PrivateKey)
	if err != nil {
		return nil, nil, fmt.Errorf("instance actor key: %w", err)
	}
	f.instance.account, f.instance.key = a, key
	return a, key, nil
}

// InstanceActor is the instance actor's document (served at /actor).
func (f *Federation) InstanceActor(ctx context.Context) (*activity.Actor, error) {
	a, _, err := f.instanceActor(ctx)
	if err != nil {
		return nil, err
	}
	doc := activity.ActorFrom(f.withImageURLs(a), f.BaseURL)
	doc.Type = "Application"
	doc.PreferredUsername = f.LocalDomain
	return doc, nil
}

// Actor is the actor document of a local account.
func (f *Federation) Actor(a *store.Account) *activity.Actor {
	return activity.ActorFrom(f.withImageURLs(a), f.BaseURL)
}

// Note is the Note of a status, with its parent's URI and its mentions
// loaded from the store.
func (f *Federation) Note(ctx context.Context, s *store.Status) (*activity.Note, error) {
	author := s.Account
	if author == nil {
		a, err := f.Store.AccountByID(ctx, s.AccountID)
		if err != nil {
			return nil, fmt.Errorf("load author: %w", err)
		}
		author = a
	}
	var parentURI string
	if s.InReplyToID != "" {
		p, err := f.Store.StatusByID(ctx, s.InReplyToID)
		if err == nil {
			parentURI = p.URI
		}
	}
	var ids []string
	for _, m := range s.Mentions {
		ids = append(ids, m.AccountID)
	}
	var mentions []*store.Account
	if len(ids) > 0 {
		ms, err := f.Store.AccountsByIDs(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("load mentions: %w", err)
		}
		mentions = ms
	}
	n := activity.NoteFrom(s, author, parentURI, followersOf(author), mentions)
	n.Attachment = append(n.Attachment, f.documents(s.Media)...)
	return n, nil
}

// Object is what a status's ActivityPub id serves: its Note, or for a boost
// the Announce.
func (f *Federation) Object(ctx context.Context, s *store.Status) (any, error) {
	if s.ReblogOfID != "" && s.Reblog != nil {
		return f.announce(s), nil
	}
	doc, _, err := f.document(ctx, s) // a Note, or a Question (polls.go)
	return doc, err
}

// Activity is what a status's /activity address serves: the Create of a
// post, or the Announce of a boost.
func (f *Federation) Activity(ctx context.Context, s *store.Status) (any, error) {
	if s.ReblogOfID != "" && s.Reblog != nil {
		return f.announce(s), nil
	}
	doc, n, err := f.document(ctx, s)
	if err != nil {
		return nil, err
	}
	return activity.Create(n.AttributedTo, doc, s.CreatedAt, n.To, n.CC), nil
}

func (f *Federation) announce(s *store.Status) *activity.Activity {
	to, cc := activity.Addressing(s.Visibility, followersOf(s.Account), []string{s.Reblog.Account.URI})
	return activity.Announce(s.URI, s.Account.URI, s.Reblog.URI, s.CreatedAt, to, cc)
}

func followersOf(a *store.Account) string {
	if a == nil {
		return ""
	}
	if a.FollowersURL != "" {
		return a.FollowersURL
	}
	return a.URI + "/followers"
}
