package mastodon

// The instance entities are filled by the server from its configuration and
// the store; only their shapes live here. Their zero values marshal with
// every documented key present ([] lists, null nullables).

// InstanceV2 is the body of GET /api/v2/instance.
type InstanceV2 struct {
	Domain        string                `json:"domain"`
	Title         string                `json:"title"`
	Version       string                `json:"version"` // "4.3.0 (compatible; Roost X.Y.Z)"
	SourceURL     string                `json:"source_url"`
	Description   string                `json:"description"`
	Usage         InstanceUsage         `json:"usage"`
	Thumbnail     InstanceThumbnail     `json:"thumbnail"`
	Icon          List[InstanceIcon]    `json:"icon"`
	Languages     List[string]          `json:"languages"`
	Configuration InstanceConfiguration `json:"configuration"`
	Registrations InstanceRegistrations `json:"registrations"`
	APIVersions   APIVersions           `json:"api_versions"`
	Contact       InstanceContact       `json:"contact"`
	Rules         List[Rule]            `json:"rules"`
}

// InstanceUsage is InstanceV2.usage.
type InstanceUsage struct {
	Users struct {
		ActiveMonth int `json:"active_month"`
	} `json:"users"`
}

// InstanceThumbnail is InstanceV2.thumbnail. Mastodon sends only url when no
// thumbnail was uploaded, hence the omitted blurhash and versions.
type InstanceThumbnail struct {
	URL      string                     `json:"url"`
	Blurhash string                     `json:"blurhash,omitempty"`
	Versions *InstanceThumbnailVersions `json:"versions,omitempty"`
}

// InstanceThumbnailVersions are the thumbnail for ordinary and high-DPI
// screens.
type InstanceThumbnailVersions struct {
	X1 string `json:"@1x,omitempty"`
	X2 string `json:"@2x,omitempty"`
}

// InstanceIcon is one size of the instance's icon.
type InstanceIcon struct {
	Src  string `json:"src"`
	Size string `json:"size"` // "36x36"
}

// InstanceConfiguration is InstanceV2.configuration.
type InstanceConfiguration struct {
	URLs struct {
		Streaming string  `json:"streaming"` // wss://...
		Status    *string `json:"status"`
	} `json:"urls"`
	Vapid struct {
		PublicKey string `json:"public_key"`
	} `json:"vapid"`
	Accounts struct {
		MaxFeaturedTags   int `json:"max_featured_tags"`
		MaxPinnedStatuses int `json:"max_pinned_statuses"`
	} `json:"accounts"`
	Statuses         StatusLimits `json:"statuses"`
	MediaAttachments MediaLimits  `json:"media_attachments"`
	Polls            PollLimits   `json:"polls"`
	Translation      struct {
		Enabled bool `json:"enabled"`
	} `json:"translation"`
}

// StatusLimits are the limits on composing statuses.
type StatusLimits struct {
	MaxCharacters            int `json:"max_characters"`
	MaxMediaAttachments      int `json:"max_media_attachments"`
	CharactersReservedPerURL int `json:"characters_reserved_per_url"`
}

// MediaLimits are the limits on uploads.
type MediaLimits struct {
	SupportedMIMETypes  List[string] `json:"supported_mime_types"`
	ImageSizeLimit      int          `json:"image_size_limit"`
	ImageMatrixLimit    int          `json:"image_matrix_limit"`
	VideoSizeLimit      int          `json:"video_size_limit"`
	VideoFrameRateLimit int          `json:"video_frame_rate_limit"`
	VideoMatrixLimit    int          `json:"video_matrix_limit"`
	DescriptionLimit    int          `json:"description_limit"` // Mastodon 4.4; clients count alt text against it
}

// PollLimits are the limits on polls.
type PollLimits struct {
	MaxOptions             int `json:"max_options"`
	MaxCharactersPerOption int `json:"max_characters_per_option"`
	MinExpiration          int `json:"min_expiration"` // seconds
	MaxExpiration          int `json:"max_expiration"` // seconds
}

// InstanceRegistrations is InstanceV2.registrations.
type InstanceRegistrations struct {
	Enabled          bool    `json:"enabled"`
	ApprovalRequired bool    `json:"approval_required"`
	Message          *string `json:"message"` // HTML, when registrations are closed
	URL              *string `json:"url"`     // external sign-up page
}

// APIVersions is InstanceV2.api_versions: the API revision implemented, for
// clients to test features by.
type APIVersions struct {
	Mastodon int `json:"mastodon"`
}

// InstanceContact is InstanceV2.contact.
type InstanceContact struct {
	Email   string   `json:"email"`
	Account *Account `json:"account"`
}

// Rule is one of the instance's rules.
type Rule struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	Hint string `json:"hint"`
}

// InstanceV1 is the body of the deprecated GET /api/v1/instance.
type InstanceV1 struct {
	URI              string `json:"uri"` // the domain, not a URI
	Title            string `json:"title"`
	ShortDescription string `json:"short_description"`
	Description      string `json:"description"`
	Email            string `json:"email"`
	Version          string `json:"version"`
	URLs             struct {
		StreamingAPI string `json:"streaming_api"`
	} `json:"urls"`
	Stats            InstanceStats           `json:"stats"`
	Thumbnail        *string                 `json:"thumbnail"`
	Languages        List[string]            `json:"languages"`
	Registrations    bool                    `json:"registrations"`
	ApprovalRequired bool                    `json:"approval_required"`
	InvitesEnabled   bool                    `json:"invites_enabled"`
	Configuration    InstanceV1Configuration `json:"configuration"`
	ContactAccount   *Account                `json:"contact_account"`
	Rules            List[Rule]              `json:"rules"`
}

// InstanceStats is InstanceV1.stats.
type InstanceStats struct {
	UserCount   int `json:"user_count"`
	StatusCount int `json:"status_count"`
	DomainCount int `json:"domain_count"`
}

// InstanceV1Configuration is InstanceV1.configuration.
type InstanceV1Configuration struct {
	Accounts struct {
		MaxFeaturedTags int `json:"max_featured_tags"`
	} `json:"accounts"`
	Statuses         StatusLimits `json:"statuses"`
	MediaAttachments MediaLimits  `json:"media_attachments"`
	Polls            PollLimits   `json:"polls"`
}
