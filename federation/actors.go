package federation

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/roost-social/roost/federation/activity"
	"github.com/roost-social/roost/federation/content"
	"github.com/roost-social/roost/federation/sig"
	"github.com/roost-social/roost/store"
)

// Limits on what a remote actor may put into our database.
const (
	maxRemoteName   = 100
	maxRemoteNote   = 10_000
	maxRemoteFields = 16
	staleAfter      = 24 * time.Hour
)

// NewKeyPair makes the RSA-2048 key pair of a new local account, as PEM.
func NewKeyPair() (publicPEM, privatePEM string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", fmt.Errorf("generate key: %w", err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", fmt.Errorf("encode private key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", fmt.Errorf("encode public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv})), nil
}

// keyOwner finds the public key named keyID for signature checks, with the
// account that owns it: from the store, or (when unknown or refresh is set,
// after a failed check) by fetching the key's owner. The account is the
// stored one, so that a signature check needs no second query for its
// signer.
func (f *Federation) keyOwner(ctx context.Context, keyID string, refresh bool) (*store.Account, crypto.PublicKey, error) {
	if !refresh {
		a, err := f.Store.AccountByKeyID(ctx, keyID)
		if err == nil && a.PublicKeyPEM != "" {
			if k, err := sig.ParsePublicKeyPEM(a.PublicKeyPEM); err == nil {
				return a, k, nil
			}
			// A stored key that does not parse is fetched again: failing
			// here would lock its owner out for good.
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, nil, err
		}
	}
	a, err := f.fetchKeyOwner(ctx, keyID)
	if err != nil {
		return nil, nil, err
	}
	k, err := sig.ParsePublicKeyPEM(a.PublicKeyPEM)
	if err != nil {
		return nil, nil, err
	}
	return a, k, nil
}

// verifySigner checks the signature of r (with body, nil for a GET) and
// returns the account whose key made it, as keyOwner found it.
func (f *Federation) verifySigner(r *http.Request, body []byte) (*store.Account, error) {
	var signer *store.Account
	// sig.Verify succeeds only with the key of its last lookup: the
	// account recorded last is the signer's.
	_, err := sig.Verify(r, body, func(ctx context.Context, keyID string, refresh bool) (crypto.PublicKey, error) {
		a, k, err := f.keyOwner(ctx, keyID, refresh)
		signer = a
		return k, err
	}, time.Now())
	if err != nil {
		return nil, err
	}
	return signer, nil
}

// fetchKeyOwner fetches the actor a key id belongs to: the key id may name
// the actor document itself (with a #fragment) or a separate key document
// whose owner is the actor. The key is trusted only as the owner serves it.
func (f *Federation) fetchKeyOwner(ctx context.Context, keyID string) (*store.Account, error) {
	if f.Client == nil {
		return nil, errors.New("fetch key: federation is not set up to fetch")
	}
	if f.suspended(ctx, keyID) {
		return nil, fmt.Errorf("fetch key %s: %w", keyID, ErrBlockedDomain)
	}
	body, final, err := f.Client.GetJSON(ctx, keyID, "")
	if err != nil {
		return nil, fmt.Errorf("fetch key %s: %w", keyID, err)
	}
	doc, err := activity.Decode(body)
	if err != nil {
		return nil, fmt.Errorf("decode key %s: %w", keyID, err)
	}
	actorURI := doc.ID
	var a *store.Account
	if doc.IsActor() {
		// The key id names the actor's own document (#main-key): it is
		// at hand, and fetching it again would only double the requests.
		a, err = f.saveActor(ctx, doc, final)
	} else {
		var k struct {
			Owner string `json:"owner"`
		}
		if err := json.Unmarshal(doc.Raw, &k); err != nil || k.Owner == "" {
			return nil, fmt.Errorf("key %s: neither an actor nor a key with an owner", keyID)
		}
		actorURI = k.Owner
		a, err = f.FetchActor(ctx, actorURI)
	}
	if err != nil {
		return nil, err
	}
	if a.KeyID != keyID {
		return nil, fmt.Errorf("key %s: its owner %s does not publish it", keyID, actorURI)
	}
	return a, nil
}

// RemoteActor returns the account for an actor URI, fetching it when it is
// unknown or stale.
func (f *Federation) RemoteActor(ctx context.Context, uri string) (*store.Account, error) {
	a, err := f.Store.AccountByURI(ctx, uri)
	if err == nil && (a.Local() || time.Since(a.UpdatedAt) < staleAfter) {
		return a, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	fresh, ferr := f.FetchActor(ctx, uri)
	if ferr != nil && a != nil {
		return a, nil // stale beats nothing while its server is down
	}
	return fresh, ferr
}

// FetchActor fetches an actor document and stores it as a remote account.
// The document must be served from its own id's host.
func (f *Federation) FetchActor(ctx context.Context, uri string) (*store.Account, error) {
	if f.Client == nil {
		return nil, errors.New("fetch actor: federation is not set up to fetch")
	}
	if f.isLocalURI(uri) {
		return f.Store.AccountByURI(ctx, uri)
	}
	_, a, err := f.fetchActorDocument(ctx, uri)
	return a, err
}

// fetchActorDocument fetches a remote actor, stores it and returns both
// the document (for properties the account does not keep, such as
// alsoKnownAs) and the account.
func (f *Federation) fetchActorDocument(ctx context.Context, uri string) (*activity.Object, *store.Account, error) {
	if f.Client == nil {
		return nil, nil, errors.New("fetch actor: federation is not set up to fetch")
	}
	if f.suspended(ctx, uri) {
		return nil, nil, fmt.Errorf("fetch actor %s: %w", uri, ErrBlockedDomain)
	}
	body, final, err := f.Client.GetJSON(ctx, uri, "")
	if err != nil {
		return nil, nil, fmt.Errorf("fetch actor %s: %w", uri, err)
	}
	doc, err := activity.Decode(body)
	if err != nil {
		return nil, nil, fmt.Errorf("decode actor %s: %w", uri, err)
	}
	a, err := f.saveActor(ctx, doc, final)
	return doc, a, err
}

// saveActor stores an actor document fetched from final as a remote
// account; it must have been served from its own id's host.
func (f *Federation) saveActor(ctx context.Context, doc *activity.Object, final string) (*store.Account, error) {
	if !doc.IsActor() {
		return nil, fmt.Errorf("%s is a %s, not an actor", final, doc.Type)
	}
	if hostOf(doc.ID) != hostOf(final) {
		return nil, fmt.Errorf("actor %s was served by %s", doc.ID, hostOf(final))
	}
	a, err := f.accountFromActor(doc)
	if err != nil {
		return nil, err
	}
	if err := f.Store.UpsertRemoteAccount(ctx, a); err != nil {
		return nil, fmt.Errorf("store actor %s: %w", doc.ID, err)
	}
	return a, nil
}

// accountFromActor turns an actor document into a remote account, with
// every piece of remote text sanitised and bounded.
func (f *Federation) accountFromActor(doc *activity.Object) (*store.Account, error) {
	host := hostOf(doc.ID)
	if host == "" || doc.PreferredUsername == "" {
		return nil, fmt.Errorf("actor %s has no preferredUsername", doc.ID)
	}
	username := doc.PreferredUsername
	if utf8.RuneCountInString(username) > 100 || strings.ContainsAny(username, "@/ \n") {
		return nil, fmt.Errorf("actor %s: bad preferredUsername", doc.ID)
	}
	a := &store.Account{
		Username:     username,
		Domain:       host,
		DisplayName:  truncate(content.PlainText(content.Sanitize(doc.Name)), maxRemoteName),
		Note:         content.Sanitize(truncate(doc.Summary, maxRemoteNote)),
		Locked:       doc.ManuallyApprovesFollowers,
		Bot:          doc.Type == "Service" || doc.Type == "Application",
		Discoverable: doc.Discoverable,
		URI:          doc.ID,
		URL:          firstNonEmpty(webURL(doc.URL), doc.ID),
		InboxURL:     doc.Inbox,
		SharedInbox:  doc.SharedInbox,
		OutboxURL:    doc.Outbox,
		FollowersURL: doc.Followers.ID(),
		FollowingURL: doc.Following.ID(),
		FeaturedURL:  doc.Featured.ID(),
		AvatarURL:    webURL(doc.IconURL()),
		HeaderURL:    webURL(doc.ImageURL()),
		CreatedAt:    pastOrNow(doc.Published),
		UpdatedAt:    time.Now(),
	}
	for _, k := range doc.PublicKeys {
		// Only a key under the actor's own host is its: another host's key
		// id would make the signatures of that id's real owner look like
		// this actor's. A key that does not parse would refuse them all.
		if k.PublicKeyPem == "" || k.Owner != "" && k.Owner != doc.ID || !sameHost(k.ID, doc.ID) {
			continue
		}
		if _, err := sig.ParsePublicKeyPEM(k.PublicKeyPem); err == nil {
			a.KeyID, a.PublicKeyPEM = k.ID, k.PublicKeyPem
			break
		}
	}
	for _, at := range doc.Attachment {
		if at.Type != "PropertyValue" || len(a.Fields) >= maxRemoteFields {
			continue
		}
		a.Fields = append(a.Fields, store.Field{
			Name:  truncate(content.PlainText(content.Sanitize(at.Name)), 255),
			Value: content.Sanitize(truncate(at.Value, 2048)),
		})
	}
	emojiText := doc.Name + doc.Summary
	for _, f := range a.Fields {
		emojiText += f.Name + f.Value
	}
	a.Emojis = emojisOf(doc.Emojis(), emojiText) // media.go
	if a.InboxURL == "" || !sameHost(a.InboxURL, doc.ID) && !sameHost(a.SharedInbox, doc.ID) {
		// An inbox elsewhere is allowed (some relays do it) but there must
		// be one to deliver to.
		if a.InboxURL == "" {
			return nil, fmt.Errorf("actor %s has no inbox", doc.ID)
		}
	}
	return a, nil
}

func (f *Federation) isLocalURI(uri string) bool {
	return strings.HasPrefix(uri, f.BaseURL+"/")
}

func hostOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return strings.ToLower(u.Host)
}

func sameHost(a, b string) bool { return hostOf(a) != "" && hostOf(a) == hostOf(b) }

// webURL is u when it is an http(s) URL, else "": remote addresses shown to
// clients as links or images must not be javascript: or data: ones.
func webURL(u string) string {
	if hostOf(u) == "" {
		return ""
	}
	return u
}

// pastOrNow is t when it is a usable time in the past, else now: a missing
// time, one in the future, or one before 1970 (whose ID would be negative)
// is not.
func pastOrNow(t time.Time) time.Time {
	now := time.Now()
	if t.Unix() <= 0 || t.After(now.Add(time.Minute)) {
		return now
	}
	return t
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// ResolveAcct finds the account of a handle "user@host": known accounts
// from the store (refreshed when stale), others through WebFinger.
func (f *Federation) ResolveAcct(ctx context.Context, username, domain string) (*store.Account, error) {
	domain = strings.ToLower(domain)
	a, err := f.Store.AccountByUsername(ctx, username, domain)
	if err == nil && time.Since(a.UpdatedAt) < staleAfter {
		return a, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if f.Client == nil {
		if a != nil {
			return a, nil
		}
		return nil, store.ErrNotFound
	}
	if f.severity(ctx, domain) == store.SeveritySuspend {
		return nil, fmt.Errorf("resolve %s@%s: %w", username, domain, errors.Join(store.ErrNotFound, ErrBlockedDomain))
	}
	jrd, werr := f.Client.WebFinger(ctx, username+"@"+domain)
	if werr != nil || jrd.ActorURL() == "" {
		if a != nil {
			return a, nil
		}
		return nil, fmt.Errorf("webfinger %s@%s: %w", username, domain, errors.Join(store.ErrNotFound, werr))
	}
	fresh, ferr := f.FetchActor(ctx, jrd.ActorURL())
	if ferr != nil {
		if a != nil {
			return a, nil
		}
		return nil, fmt.Errorf("resolve %s@%s: %w", username, domain, errors.Join(store.ErrNotFound, ferr))
	}
	return fresh, nil
}
