package mastodon

import (
	"encoding/json"
	"io"
	"testing"

	"github.com/roost-social/roost/store"
)

// BenchmarkTimeline converts and encodes a 20-status home timeline page (a
// third boosts, a third replies with mentions and tags), as the API does.
func BenchmarkTimeline(b *testing.B) {
	ss := make([]*store.Status, 20)
	in := map[string]store.Interaction{}
	for i := range ss {
		switch i % 3 {
		case 0:
			ss[i] = testAliceBoost()
		case 1:
			ss[i] = testAliceReply()
		default:
			ss[i] = testBobPost()
		}
		in[ss[i].ID] = store.Interaction{Favourited: true}
	}
	enc := json.NewEncoder(io.Discard)
	enc.SetEscapeHTML(false)
	b.ReportAllocs()
	for b.Loop() {
		if err := enc.Encode(testEnv.Statuses(ss, in, "111111111111111111")); err != nil {
			b.Fatal(err)
		}
	}
}
