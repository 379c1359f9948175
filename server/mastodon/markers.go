package mastodon

import "github.com/roost-social/roost/store"

// Marker is a read position in a timeline. GET /api/v1/markers answers with
// a map from timeline name ("home", "notifications") to Marker; see Markers.
type Marker struct {
	LastReadID string `json:"last_read_id"`
	Version    int    `json:"version"`
	UpdatedAt  Time   `json:"updated_at"`
}

// MarkerOf converts m.
func MarkerOf(m store.Marker) Marker {
	return Marker{LastReadID: m.LastReadID, Version: m.Version, UpdatedAt: Time(m.UpdatedAt)}
}

// Markers converts ms to the map GET /api/v1/markers answers with, keyed by
// timeline; it is never nil, so no markers marshal as {}.
func Markers(ms []store.Marker) map[string]Marker {
	out := make(map[string]Marker, len(ms))
	for _, m := range ms {
		out[m.Timeline] = MarkerOf(m)
	}
	return out
}
