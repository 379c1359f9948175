package server

import "net/http"

// routes is Roost's one route table. Each row says who may call it: public
// (a token is optional), app(scope) (any token holding scope) or
// asUser(scope) (a user's token holding scope). Scopes separated by '|' are
// alternatives.
func (s *Server) routes() []route {
	type row struct {
		method, path string
		a            access
		h            handlerFunc
	}
	const (
		readAccounts  = "read:accounts"
		writeAccounts = "write:accounts"
		readStatuses  = "read:statuses"
		writeStatuses = "write:statuses"
		writeMedia    = "write:media"
		readFollows   = "read:follows"
		writeFollows  = "write:follows"
		readNotifs    = "read:notifications"
		writeNotifs   = "write:notifications"
	)
	empty := s.emptyList
	rows := []row{
		// Instance and discovery.
		{"GET", "/api/v1/instance", public, s.instanceV1},
		{"GET", "/api/v2/instance", public, s.instanceV2},
		{"GET", "/api/v1/instance/peers", public, s.instancePeers},
		{"GET", "/api/v1/instance/activity", public, s.instanceActivity},
		{"GET", "/api/v1/instance/rules", public, s.instanceRules},
		{"GET", "/api/v1/instance/extended_description", public, s.extendedDescription},
		{"GET", "/api/v1/instance/domain_blocks", public, empty},
		{"GET", "/api/v1/custom_emojis", public, empty},
		{"GET", "/.well-known/nodeinfo", public, s.nodeinfoLinks},
		{"GET", "/nodeinfo/:version", public, s.nodeinfo},
		{"GET", "/.well-known/oauth-authorization-server", public, s.oauthMetadata},
		{"GET", "/health", public, s.health},

		// ActivityPub and WebFinger (HTML for browsers on the same URLs).
		{"GET", "/.well-known/webfinger", public, s.webfinger},
		{"GET", "/.well-known/host-meta", public, s.hostMeta},
		{"GET", "/users/:name", public, s.actor},
		{"GET", "/@:name", public, s.actor},
		{"GET", "/users/:name/outbox", public, s.outbox},
		{"GET", "/users/:name/followers", public, s.followersCollection},
		{"GET", "/users/:name/following", public, s.followingCollection},
		{"GET", "/users/:name/collections/featured", public, s.featured},
		{"GET", "/users/:name/statuses/:id", public, s.statusObject},
		{"GET", "/users/:name/statuses/:id/activity", public, s.statusActivity},
		{"GET", "/users/:name/statuses/:id/replies", public, s.statusReplies},
		{"GET", "/@:name/:id", public, s.statusObject},
		{"GET", "/actor", public, s.instanceActor},

		// OAuth.
		{"POST", "/api/v1/apps", public, s.createApp},
		{"GET", "/api/v1/apps/verify_credentials", app(""), s.verifyApp},
		{"GET", "/oauth/authorize", public, s.authorizeForm},
		{"POST", "/oauth/authorize", public, s.authorize},
		{"POST", "/oauth/token", public, s.token},
		{"POST", "/oauth/revoke", public, s.revoke},

		// Accounts.
		{"GET", "/api/v1/accounts/verify_credentials", asUser(readAccounts + "|profile"), s.verifyCredentials},
		{"PATCH", "/api/v1/accounts/update_credentials", uploader(writeAccounts), s.updateCredentials},
		{"GET", "/api/v1/accounts/relationships", asUser(readFollows), s.relationships},
		{"GET", "/api/v1/accounts/lookup", public, s.lookupAccount},
		{"GET", "/api/v1/accounts/search", asUser(readAccounts), s.searchAccounts},
		{"GET", "/api/v1/accounts/familiar_followers", asUser(readFollows), s.familiarFollowers},
		{"GET", "/api/v1/accounts/:id", public, s.getAccount},
		{"GET", "/api/v1/accounts/:id/statuses", public, s.accountStatuses},
		{"GET", "/api/v1/accounts/:id/followers", public, s.accountFollowers},
		{"GET", "/api/v1/accounts/:id/following", public, s.accountFollowing},
		{"GET", "/api/v1/accounts/:id/featured_tags", public, empty},
		{"GET", "/api/v1/accounts/:id/lists", asUser("read:lists"), empty},
		{"POST", "/api/v1/accounts/:id/follow", asUser(writeFollows), s.follow},
		{"POST", "/api/v1/accounts/:id/unfollow", asUser(writeFollows), s.unfollow},
		{"POST", "/api/v1/accounts/:id/block", asUser("write:blocks"), s.block},
		{"POST", "/api/v1/accounts/:id/unblock", asUser("write:blocks"), s.unblock},
		{"GET", "/api/v1/blocks", asUser("read:blocks"), s.blocks},
		{"GET", "/api/v1/follow_requests", asUser(readFollows), s.followRequests},
		{"POST", "/api/v1/follow_requests/:id/authorize", asUser(writeFollows), s.authorizeFollowRequest},
		{"POST", "/api/v1/follow_requests/:id/reject", asUser(writeFollows), s.rejectFollowRequest},
		{"GET", "/api/v1/preferences", asUser(readAccounts), s.preferences},

		// Statuses.
		{"POST", "/api/v1/statuses", asUser(writeStatuses), s.createStatus},
		{"POST", "/api/v1/media", uploader(writeMedia), s.uploadMediaV1},
		{"POST", "/api/v2/media", uploader(writeMedia), s.uploadMediaV2},
		{"GET", "/api/v1/media/:id", asUser(writeMedia), s.getMedia},
		{"PUT", "/api/v1/media/:id", asUser(writeMedia), s.updateMedia},
		{"DELETE", "/api/v1/media/:id", asUser(writeMedia), s.deleteMedia},
		{"DELETE", "/api/v1/profile/avatar", asUser(writeAccounts), s.deleteProfileImage("avatar")},
		{"DELETE", "/api/v1/profile/header", asUser(writeAccounts), s.deleteProfileImage("header")},
		{"GET", "/api/v1/statuses", public, s.getStatuses},
		{"GET", "/api/v1/statuses/:id", public, s.getStatus},
		{"PUT", "/api/v1/statuses/:id", asUser(writeStatuses), s.editStatus},
		{"DELETE", "/api/v1/statuses/:id", asUser(writeStatuses), s.deleteStatus},
		{"GET", "/api/v1/statuses/:id/context", public, s.statusContext},
		{"GET", "/api/v1/statuses/:id/history", public, s.statusHistory},
		{"GET", "/api/v1/statuses/:id/source", asUser(readStatuses), s.statusSource},
		{"GET", "/api/v1/statuses/:id/favourited_by", public, s.favouritedBy},
		{"GET", "/api/v1/statuses/:id/reblogged_by", public, s.rebloggedBy},
		{"POST", "/api/v1/statuses/:id/favourite", asUser("write:favourites"), s.favourite},
		{"POST", "/api/v1/statuses/:id/unfavourite", asUser("write:favourites"), s.unfavourite},
		{"POST", "/api/v1/statuses/:id/reblog", asUser(writeStatuses), s.reblog},
		{"POST", "/api/v1/statuses/:id/unreblog", asUser(writeStatuses), s.unreblog},
		{"POST", "/api/v1/statuses/:id/bookmark", asUser("write:bookmarks"), s.bookmark},
		{"POST", "/api/v1/statuses/:id/unbookmark", asUser("write:bookmarks"), s.unbookmark},
		{"POST", "/api/v1/statuses/:id/pin", asUser(writeAccounts), s.pin},
		{"POST", "/api/v1/statuses/:id/unpin", asUser(writeAccounts), s.unpin},
		{"GET", "/api/v1/polls/:id", public, s.getPoll},
		{"POST", "/api/v1/polls/:id/votes", asUser(writeStatuses), s.vote},

		// Timelines and lists of statuses.
		{"GET", "/api/v1/timelines/home", asUser(readStatuses), s.homeTimeline},
		{"GET", "/api/v1/timelines/public", public, s.publicTimeline},
		{"GET", "/api/v1/timelines/tag/:hashtag", public, s.tagTimeline},
		{"GET", "/api/v1/timelines/list/:id", asUser("read:lists"), s.listTimeline},
		{"GET", "/api/v1/bookmarks", asUser("read:bookmarks"), s.bookmarks},
		{"GET", "/api/v1/favourites", asUser("read:favourites"), s.favourites},

		// Notifications.
		{"GET", "/api/v1/notifications", asUser(readNotifs), s.notifications},
		{"GET", "/api/v1/notifications/unread_count", asUser(readNotifs), s.unreadCount},
		{"POST", "/api/v1/notifications/clear", asUser(writeNotifs), s.clearNotifications},
		{"GET", "/api/v1/notifications/:id", asUser(readNotifs), s.getNotification},
		{"POST", "/api/v1/notifications/:id/dismiss", asUser(writeNotifs), s.dismissNotification},

		// Markers.
		{"GET", "/api/v1/markers", asUser(readStatuses), s.getMarkers},
		{"POST", "/api/v1/markers", asUser("write:statuses"), s.setMarkers},

		// Search.
		{"GET", "/api/v2/search", asUser("read:search"), s.search},

		// Hashtags and trends.
		{"GET", "/api/v1/tags/:name", public, s.getTag},
		{"POST", "/api/v1/tags/:name/follow", asUser(writeFollows), s.followTag},
		{"POST", "/api/v1/tags/:name/unfollow", asUser(writeFollows), s.unfollowTag},
		{"GET", "/api/v1/followed_tags", asUser(readFollows), s.followedTags},
		{"GET", "/api/v1/trends", public, s.trendingTags},
		{"GET", "/api/v1/trends/tags", public, s.trendingTags},

		// Capabilities that later issues fill: they exist and answer empty.
		{"GET", "/api/v1/mutes", asUser("read:mutes"), empty},
		{"GET", "/api/v1/domain_blocks", asUser("read:blocks"), empty},
		{"GET", "/api/v1/lists", asUser("read:lists"), empty},
		{"GET", "/api/v1/filters", asUser("read:filters"), empty},
		{"GET", "/api/v2/filters", asUser("read:filters"), empty},
		{"GET", "/api/v1/trends/statuses", public, empty},
		{"GET", "/api/v1/trends/links", public, empty},
		{"GET", "/api/v1/suggestions", asUser("read"), empty},
		{"GET", "/api/v2/suggestions", asUser("read"), empty},
		{"GET", "/api/v1/announcements", asUser("read"), empty}, // per user in Mastodon, never anonymous
		{"GET", "/api/v1/endorsements", asUser(readAccounts), empty},
		{"GET", "/api/v1/conversations", asUser(readStatuses), empty},
		{"GET", "/api/v1/scheduled_statuses", asUser(readStatuses), empty},
		{"GET", "/api/v1/featured_tags", asUser(readAccounts), empty},
		{"GET", "/api/v1/featured_tags/suggestions", asUser(readAccounts), empty},

		// Streaming as server-sent events (streaming.go); the websocket
		// is below.
		{"GET", "/api/v1/streaming/health", public, s.streamingHealth},
		{"GET", "/api/v1/streaming/user", public, s.streamingSSE("user")},
		{"GET", "/api/v1/streaming/user/notification", public, s.streamingSSE("user:notification")},
		{"GET", "/api/v1/streaming/public", public, s.streamingSSE("public")},
		{"GET", "/api/v1/streaming/public/local", public, s.streamingSSE("public:local")},
		{"GET", "/api/v1/streaming/public/remote", public, s.streamingSSE("public:remote")},
		{"GET", "/api/v1/streaming/public/media", public, s.streamingSSE("public:media")},
		{"GET", "/api/v1/streaming/public/local/media", public, s.streamingSSE("public:local:media")},
		{"GET", "/api/v1/streaming/public/remote/media", public, s.streamingSSE("public:remote:media")},
		{"GET", "/api/v1/streaming/hashtag", public, s.streamingSSE("hashtag")},
		{"GET", "/api/v1/streaming/hashtag/local", public, s.streamingSSE("hashtag:local")},
		{"GET", "/api/v1/streaming/list", public, s.streamingSSE("list")},
		{"GET", "/api/v1/streaming/direct", public, s.streamingSSE("direct")},
	}
	out := make([]route, 0, len(rows)+8)
	for _, r := range rows {
		out = append(out, route{r.method, r.path, s.wrap(r.a, r.h)})
	}
	out = append(out,
		route{http.MethodGet, "/avatars/original/missing.png", http.HandlerFunc(s.serveDefaultImage)},
		route{http.MethodHead, "/avatars/original/missing.png", http.HandlerFunc(s.serveDefaultImage)},
		route{http.MethodHead, "/headers/original/missing.png", http.HandlerFunc(s.serveDefaultImage)},
		route{http.MethodHead, "/media/placeholder.png", http.HandlerFunc(s.servePlaceholder)},
		route{http.MethodGet, "/media/audio.png", http.HandlerFunc(s.serveAudioPlaceholder)},
		route{http.MethodHead, "/media/audio.png", http.HandlerFunc(s.serveAudioPlaceholder)},
		route{http.MethodOptions, "/system/*key", http.HandlerFunc(mediaPreflight)},
		route{http.MethodOptions, "/media/cache/:mac/:url", http.HandlerFunc(mediaPreflight)},
		route{http.MethodOptions, "/media/cache/:mac/:url/small", http.HandlerFunc(mediaPreflight)},
		route{http.MethodGet, "/system/*key", http.HandlerFunc(s.serveSystem)},
		route{http.MethodHead, "/system/*key", http.HandlerFunc(s.serveSystem)},
		route{http.MethodGet, "/media/cache/:mac/:url", http.HandlerFunc(s.serveCached)},
		route{http.MethodHead, "/media/cache/:mac/:url", http.HandlerFunc(s.serveCached)},
		route{http.MethodGet, "/media/cache/:mac/:url/small", http.HandlerFunc(s.serveCachedPreview)},
		route{http.MethodHead, "/media/cache/:mac/:url/small", http.HandlerFunc(s.serveCachedPreview)},
		route{http.MethodGet, "/media/placeholder.png", http.HandlerFunc(s.servePlaceholder)},
		route{http.MethodGet, "/headers/original/missing.png", http.HandlerFunc(s.serveDefaultImage)},
		route{http.MethodPost, "/inbox", http.HandlerFunc(s.inbox)},
		route{http.MethodPost, "/users/:name/inbox", http.HandlerFunc(s.inbox)},
		route{http.MethodPost, "/actor/inbox", http.HandlerFunc(s.inbox)},
		route{http.MethodGet, "/api/v1/streaming", websocketProtocolToken(s.wrap(public, s.streamingWebsocket))},
		route{http.MethodGet, "/api/v1/streaming/", websocketProtocolToken(s.wrap(public, s.streamingWebsocket))},
	)
	return out
}

// emptyList answers endpoints whose capability has not been built yet with
// an empty list, so apps that call them at start keep working.
func (s *Server) emptyList(c *call) error { return c.ok([]struct{}{}) }
