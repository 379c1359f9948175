// Package store holds Roost's domain types and the interfaces that storage
// technologies implement: Store (relational data), Index (full-text search),
// Queue (background work), PubSub (live events) and Blobs (media files).
//
// Nothing here imports a driver or speaks SQL; store/sqlite, store/postgres and
// the others implement these interfaces, and store/storetest holds one
// conformance suite per interface that every implementation must pass.
package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors every implementation returns (wrapped or bare); callers test
// them with errors.Is.
var (
	// ErrNotFound means the thing asked for does not exist, or is not visible
	// to whoever asked.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness rule was broken (a taken username, a
	// second follow of the same account, ...).
	ErrConflict = errors.New("conflict")
	// ErrInvalidMedia means media_ids named an upload that is not the
	// author's, is still processing, or belongs to another status.
	ErrInvalidMedia = errors.New("invalid media")
	// ErrSchemaTooNew means the database was migrated by a newer Roost.
	ErrSchemaTooNew = errors.New("database schema is newer than this binary")
)

// Visibility of a status, with Mastodon's names.
const (
	VisibilityPublic   = "public"
	VisibilityUnlisted = "unlisted"
	VisibilityPrivate  = "private"
	VisibilityDirect   = "direct"
)

// Roles of local users.
const (
	RoleOwner = "owner"
	RoleAdmin = "admin"
	RoleUser  = "user"
)

// Notification types, with Mastodon's names.
const (
	NotifyMention       = "mention"
	NotifyStatus        = "status"
	NotifyReblog        = "reblog"
	NotifyFollow        = "follow"
	NotifyFollowRequest = "follow_request"
	NotifyFavourite     = "favourite"
	NotifyPoll          = "poll"
	NotifyUpdate        = "update"
)

// Field is one profile metadata row ("Website" → "https://...").
type Field struct {
	Name       string     `json:"name"`
	Value      string     `json:"value"` // HTML for display
	Source     string     `json:"source,omitempty"`
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
}

// Account is a local or remote actor. Domain is "" for local accounts.
type Account struct {
	ID           string
	Username     string
	Domain       string
	DisplayName  string
	Note         string // HTML
	NoteSource   string // what the owner typed (local accounts only)
	Fields       []Field
	Locked       bool
	Bot          bool
	Discoverable bool

	// ActivityPub addresses; for local accounts they are derived from the
	// instance URL when empty.
	URI          string
	URL          string
	InboxURL     string
	SharedInbox  string
	OutboxURL    string
	FollowersURL string
	FollowingURL string
	FeaturedURL  string
	PublicKeyPEM string
	KeyID        string // the id of PublicKeyPEM (actor URI + "#main-key" for local accounts)
	PrivateKey   string // PEM; local accounts only
	// AvatarURL and HeaderURL are, for a remote account, the addresses of
	// its images; for a local account, the Blobs keys of its uploads. ""
	// means the default image.
	AvatarURL string
	HeaderURL string

	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastStatusAt *time.Time

	FollowersCount int
	FollowingCount int
	StatusesCount  int

	// Posting defaults of local accounts (Mastodon's "source").
	Privacy   string
	Sensitive bool
	Language  string

	// MovedToID is the account this one moved to (ActivityPub Move), ""
	// when it has not moved.
	MovedToID string
	// Emojis are the custom emoji of a remote account's name, note and
	// fields.
	Emojis []Emoji
}

// Local reports whether the account lives on this instance.
func (a *Account) Local() bool { return a.Domain == "" }

// Acct is the handle as Mastodon shows it: "name" for local accounts,
// "name@domain" for remote ones.
func (a *Account) Acct() string {
	if a.Domain == "" {
		return a.Username
	}
	return a.Username + "@" + a.Domain
}

// User is the login of a local account.
type User struct {
	ID           string
	AccountID    string
	Email        string
	PasswordHash string
	Role         string
	CreatedAt    time.Time
	Account      *Account
}

// App is an OAuth client registered through POST /api/v1/apps.
type App struct {
	ID           string
	Name         string
	Website      string
	RedirectURIs []string
	Scopes       string
	ClientID     string
	ClientSecret string
	CreatedAt    time.Time
}

// Token is an OAuth access token. Only a hash of the bearer string is stored;
// AccountID is "" for client_credentials tokens.
type Token struct {
	ID        string
	Hash      string
	AppID     string
	AccountID string
	Scopes    string
	CreatedAt time.Time
	App       *App
}

// AuthCode is a single-use authorization code of the code grant.
type AuthCode struct {
	Hash                string
	AppID               string
	AccountID           string
	RedirectURI         string
	Scopes              string
	CodeChallenge       string
	CodeChallengeMethod string
	ExpiresAt           time.Time
}

// Mention names an account a status mentions.
type Mention struct {
	AccountID string
	Username  string
	Domain    string
	URL       string
}

// Status is a post, or a boost when ReblogOfID is set. Read methods fill
// Account, Reblog, Mentions, Tags and Application.
type Status struct {
	ID                 string
	URI                string
	URL                string
	AccountID          string
	InReplyToID        string
	InReplyToAccountID string
	ReblogOfID         string
	Content            string // HTML
	Text               string // source text (local statuses)
	SpoilerText        string
	Sensitive          bool
	Visibility         string
	Language           string
	Local              bool
	AppID              string
	CreatedAt          time.Time
	EditedAt           *time.Time

	RepliesCount    int
	ReblogsCount    int
	FavouritesCount int

	Account     *Account
	Reblog      *Status
	Mentions    []Mention
	Tags        []string
	Application *App
	Poll        *Poll // nil when the status has no poll
	Media       []*Media
	Card        *PreviewCard // nil until a link preview is found
	Emojis      []Emoji
}

// Interaction is what one viewer has done with one status.
type Interaction struct {
	Favourited bool
	Reblogged  bool
	Bookmarked bool
	Muted      bool
	Pinned     bool
}

// StatusEdit is one version in a status's edit history.
type StatusEdit struct {
	StatusID    string
	Content     string
	Text        string
	SpoilerText string
	Sensitive   bool
	CreatedAt   time.Time
	Media       []*Media // the attachments of this version
}

// NewStatus is what CreateStatus stores. Mentions and Tags come from
// rendering the text.
type NewStatus struct {
	ID             string // optional; assigned when empty
	URI            string // local statuses: account URI + "/statuses/" + ID when empty
	URL            string // local statuses: account URL + "/" + ID when empty
	AccountID      string
	InReplyToID    string
	ReblogOfID     string
	Content        string
	Text           string
	SpoilerText    string
	Sensitive      bool
	Visibility     string
	Language       string
	Local          bool
	AppID          string
	CreatedAt      time.Time // zero means now
	MentionIDs     []string  // accounts mentioned
	Tags           []string  // lowercase hashtag names without '#'
	IdempotencyKey string    // repeated keys of one account return the first status
	// Poll is stored with the status (its ID is the status's); the
	// counts are the remote tally for remote polls, ignored for local ones.
	Poll *Poll
	// MediaIDs are uploads of the author to attach, in order: each must
	// be the author's, finished processing, and not attached to another
	// status (else ErrInvalidMedia).
	MediaIDs []string
	// Media are remote attachments (RemoteURL set) to store with the
	// status.
	Media []*Media
	// Emojis are the custom emoji of a remote status.
	Emojis []Emoji
}

// StatusUpdate replaces a status's text; the previous version is kept in the
// edit history.
type StatusUpdate struct {
	Content     string
	Text        string
	SpoilerText string
	Sensitive   bool
	Language    string
	MentionIDs  []string
	Tags        []string
	EditedAt    time.Time
	// MediaIDs (local statuses) or Media (remote ones) replace the
	// attachments; uploads no longer attached become unattached.
	MediaIDs []string
	Media    []*Media
	// Described are local attachments (by ID) whose description and focus
	// the edit changes, recorded in the new version only.
	Described []*Media
	Emojis    []Emoji
}

// Notification is shown to AccountID because FromAccountID did something.
type Notification struct {
	ID            string
	AccountID     string
	Type          string
	FromAccountID string
	StatusID      string
	CreatedAt     time.Time

	From   *Account
	Status *Status
}

// Relationship is how one account relates to another (Mastodon's entity).
type Relationship struct {
	ID                  string
	Following           bool
	ShowingReblogs      bool
	Notifying           bool
	FollowedBy          bool
	Blocking            bool
	BlockedBy           bool
	Muting              bool
	MutingNotifications bool
	Requested           bool
	RequestedBy         bool
	DomainBlocking      bool
	Endorsed            bool
	Note                string
}

// FollowOptions are the switches of a follow.
type FollowOptions struct {
	ShowReblogs bool
	Notify      bool
	// URI is the id of the Follow activity, kept so that Accept, Reject and
	// Undo can refer to it.
	URI string
	// Pending makes a follow request even when the target is not locked:
	// a follow of a remote account waits for its Accept.
	Pending bool
}

// Marker is a read position in a timeline ("home" or "notifications").
type Marker struct {
	Timeline   string
	LastReadID string
	Version    int
	UpdatedAt  time.Time
}

// Page selects a slice of a newest-first list by ID, as Mastodon's max_id,
// since_id and min_id do. Results are always returned newest first.
type Page struct {
	MaxID   string // only items older than this
	SinceID string // only items newer than this (the newest ones)
	MinID   string // only items newer than this (the ones right after it)
	Limit   int
}

// AccountStatusesFilter narrows an account's statuses.
type AccountStatusesFilter struct {
	Pinned         bool
	ExcludeReplies bool
	ExcludeReblogs bool
	OnlyMedia      bool
	Tagged         string
}

// PublicFilter narrows the public timeline.
type PublicFilter struct {
	Local     bool
	Remote    bool
	OnlyMedia bool
	// ViewerID ("" for anonymous) hides the statuses of accounts the
	// viewer blocks or that block the viewer.
	ViewerID string
}

// NotificationFilter narrows notifications.
type NotificationFilter struct {
	Types        []string
	ExcludeTypes []string
	FromID       string
}

// ProfileUpdate changes a local account; nil fields are left alone.
type ProfileUpdate struct {
	DisplayName  *string
	Note         *string // HTML
	NoteSource   *string
	Fields       *[]Field
	Locked       *bool
	Bot          *bool
	Discoverable *bool
	Privacy      *string
	Sensitive    *bool
	Language     *string
	// Avatar and Header are Blobs keys of new profile images ("" removes
	// the image).
	Avatar *string
	Header *string
}

// Usage counts what the instance holds, for NodeInfo and the instance API.
type Usage struct {
	Users          int
	ActiveMonth    int
	ActiveHalfYear int
	LocalStatuses  int
	Domains        int
}

// Store is Roost's relational data. Methods are shaped by use case; each one
// is a single transaction. Read methods that return statuses fill their
// Account, Reblog, Mentions, Tags and Application.
type Store interface {
	Close() error
	MediaStore

	// Accounts and users.
	CreateLocalAccount(ctx context.Context, a *Account, u *User) error
	UpsertRemoteAccount(ctx context.Context, a *Account) error
	AccountByID(ctx context.Context, id string) (*Account, error)
	AccountByUsername(ctx context.Context, username, domain string) (*Account, error)
	AccountByURI(ctx context.Context, uri string) (*Account, error)
	AccountsByIDs(ctx context.Context, ids []string) ([]*Account, error)
	UpdateProfile(ctx context.Context, accountID string, p ProfileUpdate) (*Account, error)
	DeleteAccount(ctx context.Context, accountID string) error
	UserByEmail(ctx context.Context, email string) (*User, error)
	UserByUsername(ctx context.Context, username string) (*User, error)
	UserByAccountID(ctx context.Context, accountID string) (*User, error)
	SetPassword(ctx context.Context, userID, hash string) error
	ListUsers(ctx context.Context) ([]*User, error)
	InstanceUsage(ctx context.Context) (Usage, error)

	// OAuth.
	CreateApp(ctx context.Context, a *App) error
	AppByClientID(ctx context.Context, clientID string) (*App, error)
	CreateToken(ctx context.Context, t *Token) error
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	RevokeToken(ctx context.Context, hash string) error
	CreateAuthCode(ctx context.Context, c *AuthCode) error
	// ConsumeAuthCode returns the code and deletes it, so a code works once;
	// an expired or unknown code is ErrNotFound.
	ConsumeAuthCode(ctx context.Context, hash string, now time.Time) (*AuthCode, error)

	// Statuses.
	CreateStatus(ctx context.Context, s NewStatus) (*Status, error)
	StatusByID(ctx context.Context, id string) (*Status, error)
	StatusByURI(ctx context.Context, uri string) (*Status, error)
	StatusesByIDs(ctx context.Context, ids []string) ([]*Status, error)
	UpdateStatus(ctx context.Context, id string, u StatusUpdate) (*Status, error)
	DeleteStatus(ctx context.Context, id string) error
	StatusEdits(ctx context.Context, id string) ([]StatusEdit, error)
	// Ancestors returns the thread above a status, oldest first; Descendants
	// the replies below it in thread order.
	// Both return only what viewerID may see ("" is an anonymous viewer).
	Ancestors(ctx context.Context, viewerID, id string, limit int) ([]*Status, error)
	Descendants(ctx context.Context, viewerID, id string, limit int) ([]*Status, error)
	// CanSee reports whether viewerID ("" for anonymous) may see the status:
	// public and unlisted to anyone, private to the author's accepted
	// followers, direct to the mentioned accounts; always to the author;
	// never to an account the author blocks.
	CanSee(ctx context.Context, viewerID string, s *Status) (bool, error)
	Interactions(ctx context.Context, viewerID string, statusIDs []string) (map[string]Interaction, error)

	// Favourite is idempotent; uri is the id of the Like activity of a
	// remote favourite ("" for local ones).
	Favourite(ctx context.Context, accountID, statusID, uri string) error
	// FavouriteByURI finds the favourite made by the Like activity uri.
	FavouriteByURI(ctx context.Context, uri string) (accountID, statusID string, err error)
	Unfavourite(ctx context.Context, accountID, statusID string) error
	Bookmark(ctx context.Context, accountID, statusID string) error
	Unbookmark(ctx context.Context, accountID, statusID string) error
	Pin(ctx context.Context, accountID, statusID string) error
	Unpin(ctx context.Context, accountID, statusID string) error
	// Reblog returns the boost, creating it unless the account already has one.
	Reblog(ctx context.Context, accountID, statusID, visibility string) (*Status, error)
	// Unreblog deletes the account's boost of the status and returns it as
	// it was (its URI and visibility address the Undo); nil when there was
	// none.
	Unreblog(ctx context.Context, accountID, statusID string) (*Status, error)
	FavouritedBy(ctx context.Context, statusID string, p Page) ([]*Account, []string, error)
	RebloggedBy(ctx context.Context, statusID string, p Page) ([]*Account, []string, error)

	// Timelines. The []string results beside accounts are the cursor IDs for
	// pagination (the follow or favourite row), newest first.
	HomeTimeline(ctx context.Context, accountID string, p Page) ([]*Status, error)
	PublicTimeline(ctx context.Context, f PublicFilter, p Page) ([]*Status, error)
	// TagTimeline, like the other timelines, leaves out what viewerID ("" for
	// anonymous) blocks or is blocked by.
	TagTimeline(ctx context.Context, viewerID, tag string, local bool, p Page) ([]*Status, error)
	// AccountStatuses returns what viewerID ("" for anonymous) may see.
	AccountStatuses(ctx context.Context, viewerID, accountID string, f AccountStatusesFilter, p Page) ([]*Status, error)
	Favourites(ctx context.Context, accountID string, p Page) ([]*Status, []string, error)
	Bookmarks(ctx context.Context, accountID string, p Page) ([]*Status, []string, error)

	// Social graph.
	// Follow makes a follow, or a follow request when the target is locked;
	// it returns the resulting relationship.
	Follow(ctx context.Context, followerID, targetID string, o FollowOptions) (*Relationship, error)
	Unfollow(ctx context.Context, followerID, targetID string) (*Relationship, error)
	Relationships(ctx context.Context, accountID string, targetIDs []string) ([]*Relationship, error)
	Followers(ctx context.Context, accountID string, p Page) ([]*Account, []string, error)
	Following(ctx context.Context, accountID string, p Page) ([]*Account, []string, error)
	FollowRequests(ctx context.Context, accountID string, p Page) ([]*Account, []string, error)
	AuthorizeFollowRequest(ctx context.Context, accountID, requesterID string) (*Relationship, error)
	RejectFollowRequest(ctx context.Context, accountID, requesterID string) (*Relationship, error)

	// Notifications.
	Notifications(ctx context.Context, accountID string, f NotificationFilter, p Page) ([]*Notification, error)
	NotificationByID(ctx context.Context, accountID, id string) (*Notification, error)
	DismissNotification(ctx context.Context, accountID, id string) error
	ClearNotifications(ctx context.Context, accountID string) error
	UnreadNotifications(ctx context.Context, accountID string, limit int) (int, error)

	// Markers.
	Markers(ctx context.Context, accountID string, timelines []string) ([]Marker, error)
	SetMarker(ctx context.Context, accountID, timeline, lastReadID string) (Marker, error)

	// Federation.
	// AccountByKeyID finds the account whose public key has this id.
	AccountByKeyID(ctx context.Context, keyID string) (*Account, error)
	// FollowByURI finds the follow or follow request made by the Follow
	// activity uri.
	FollowByURI(ctx context.Context, uri string) (followerID, targetID string, err error)
	// FollowURI is the Follow activity id of a follow or follow request
	// ("" when it was made without one).
	FollowURI(ctx context.Context, followerID, targetID string) (string, error)
	// HasLocalFollowers reports whether any local account follows the account.
	HasLocalFollowers(ctx context.Context, accountID string) (bool, error)
	// Enqueue stores the deliveries attached to ctx (see WithOutgoing) on
	// their own, for changes that write nothing else.
	Enqueue(ctx context.Context) error
	// TakeDeliveries leases up to limit deliveries due at now: they are not
	// taken again until lease has passed, unless retried or done first.
	TakeDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Delivery, error)
	// DeliveryDone removes a delivery (sent, or given up).
	DeliveryDone(ctx context.Context, id string) error
	// RetryDelivery counts a failed attempt and reschedules the delivery.
	RetryDelivery(ctx context.Context, id string, at time.Time, lastErr string) error
	// SetInReplyTo attaches a status stored without a parent (it arrived
	// before the post it answers) to that parent, counting the reply.
	// A status that already has a parent is left alone.
	SetInReplyTo(ctx context.Context, id, parentID string) error
	// HostFailing records that deliveries to host fail, from at unless it
	// was failing already, and returns since when it has been failing.
	HostFailing(ctx context.Context, host string, at time.Time) (time.Time, error)
	// HostRecovered forgets host's failures (it answered, or wrote to us).
	HostRecovered(ctx context.Context, host string) error
	// FailingHosts lists the failing hosts and since when.
	FailingHosts(ctx context.Context) (map[string]time.Time, error)

	// Instance-level domain blocks.
	BlockDomain(ctx context.Context, domain, severity string) error
	UnblockDomain(ctx context.Context, domain string) error
	// DomainBlockOf returns the block of the first of domains (in the order
	// given) that has one, in one look-up; ErrNotFound when none has.
	DomainBlockOf(ctx context.Context, domains ...string) (*DomainBlock, error)
	DomainBlocks(ctx context.Context) ([]DomainBlock, error)
	// PurgeDomain deletes every account of domain with all it owns (and
	// queued deliveries to it) and returns how many accounts went.
	PurgeDomain(ctx context.Context, domain string) (int, error)

	// Polls.
	// Vote records accountID's choices (option indexes) in the poll pollID
	// and returns the poll with its new counts. Errors: ErrNotFound (no
	// such poll), ErrPollExpired, ErrPollSelfVote, ErrPollChoice (an index
	// the poll lacks, or several choices on a single-choice poll) and
	// ErrConflict (a second vote on a single-choice poll, an option chosen
	// twice); a failed vote records nothing.
	Vote(ctx context.Context, accountID, pollID string, choices []int) (*Poll, error)
	// PollVotes returns the options accountID chose, ascending, for each
	// of pollIDs it voted in.
	PollVotes(ctx context.Context, accountID string, pollIDs []string) (map[string][]int, error)
	// PollVoters returns the accounts that voted in a poll.
	PollVoters(ctx context.Context, pollID string) ([]*Account, error)
	// UpdatePoll replaces a remote poll's tally, end and kind with what its
	// server sent (p's Options with their counts, VotersCount, ExpiresAt,
	// Multiple). When the option titles change, the votes cast here are
	// dropped, as Mastodon does.
	UpdatePoll(ctx context.Context, pollID string, p Poll) (*Poll, error)
	// EndPolls takes up to limit polls whose end has come by now and that
	// were not reported before, notifies (type "poll") their local voters
	// and their author if local, and returns them; each poll is reported
	// once.
	EndPolls(ctx context.Context, now time.Time, limit int) ([]EndedPoll, error)

	// Blocks, moves, reports.
	// Block makes accountID block targetID (uri is the Block activity's id,
	// "" when none): follows and follow requests between them end both ways
	// (with their counters), the blocked account's statuses and boosts of
	// them leave the blocker's home timeline and the blocker's leave the
	// blocked account's. From then on timelines, threads and notifications
	// of either leave out the other, neither can follow the other (Follow is
	// ErrConflict) and the blocked account's favourites, boosts and
	// mentions notify nobody. Blocking again is no error; blocking oneself
	// is ErrConflict. It returns how accountID relates to targetID.
	Block(ctx context.Context, accountID, targetID, uri string) (*Relationship, error)
	// Unblock lifts a block; no block is no error.
	Unblock(ctx context.Context, accountID, targetID string) (*Relationship, error)
	// Blocks returns the accounts accountID blocks, newest block first,
	// with the blocks' IDs as cursors.
	Blocks(ctx context.Context, accountID string, p Page) ([]*Account, []string, error)
	// BlockURI is the Block activity id of a block ("" when made without
	// one); no such block is ErrNotFound.
	BlockURI(ctx context.Context, accountID, targetID string) (string, error)
	// BlockByURI finds the block made by the Block activity uri.
	BlockByURI(ctx context.Context, uri string) (accountID, targetID string, err error)
	// MoveAccount records that accountID moved to targetID (MovedToID);
	// moving its followers is the caller's work, one follow at a time.
	MoveAccount(ctx context.Context, accountID, targetID string) error
	// CreateReport stores a report and, in the same transaction, notifies
	// every owner and admin (NotifyAdminReport, from the reporter). r's ID
	// and CreatedAt are set. A URI already stored is ErrConflict; an
	// unknown reporter or target is ErrNotFound.
	CreateReport(ctx context.Context, r *Report) error
	// Reports returns every report, newest first.
	Reports(ctx context.Context) ([]*Report, error)

	// Search.
	// AllStatuses walks every stored status, boosts included, in ID order:
	// up to limit hydrated statuses with IDs above afterID ("" to start).
	// Rebuilding the search index uses it.
	AllStatuses(ctx context.Context, afterID string, limit int) ([]*Status, error)
	// CountStatuses returns how many statuses are stored, boosts included.
	CountStatuses(ctx context.Context) (int, error)

	// Hashtags. Tag names are lowercase, without '#'; a tag need not have
	// been used to be followed.
	// FollowTag makes accountID follow tag: from then on its new public
	// statuses (local or remote, not boosts) land in accountID's home
	// timeline unless their author blocks or is blocked by accountID.
	// Older statuses are not added. Following again is no error; an
	// unknown account is ErrNotFound.
	FollowTag(ctx context.Context, accountID, tag string) error
	// UnfollowTag ends the follow; no follow is no error. Statuses already
	// in the home timeline stay there.
	UnfollowTag(ctx context.Context, accountID, tag string) error
	// FollowedTags returns the tags accountID follows, newest follow first,
	// with the follows' IDs as cursors.
	FollowedTags(ctx context.Context, accountID string, p Page) ([]string, []string, error)
	// FollowsTags reports which of tags accountID follows (only true
	// entries are present).
	FollowsTags(ctx context.Context, accountID string, tags []string) (map[string]bool, error)
	// TagHistory returns, for each of tags, its use on each of the days UTC
	// days ending with the day of now, newest first (days with no use
	// included, with zero counts). Public and unlisted statuses count;
	// boosts do not.
	TagHistory(ctx context.Context, tags []string, now time.Time, days int) (map[string][]TagDay, error)
	// TrendingTags ranks the tags of public statuses of the day of now and
	// the day before by the distinct accounts that used them on each day
	// (today's accounts plus yesterday's), leaving out tags fewer than two
	// accounts used over the two days; ties go to the name. It returns up
	// to limit names after skipping offset.
	TrendingTags(ctx context.Context, now time.Time, limit, offset int) ([]string, error)
}

// TagDay is one UTC day of a tag's use.
type TagDay struct {
	Day      time.Time // midnight UTC
	Uses     int       // statuses carrying the tag
	Accounts int       // distinct accounts among their authors
}

// NotifyAdminReport tells owners and admins of a new report.
const NotifyAdminReport = "admin.report"

// Report is a complaint about an account (and some of its statuses), made
// here or received as an ActivityPub Flag.
type Report struct {
	ID              string
	AccountID       string // who reports
	TargetAccountID string // who is reported
	StatusIDs       []string
	Comment         string // plain text
	URI             string // the Flag activity's id, "" for local reports
	CreatedAt       time.Time
}
