package mastodon

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/roost-social/roost/store"
)

func TestSearchShapeAgainstMastodonExample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(fixtureDir, "search.json"))
	if err != nil {
		t.Skip("../shared fixtures absent")
	}
	e := testEnv
	got := Search{
		Accounts: List[Account]{e.Account(testAlice()), e.Account(testBob())},
		Statuses: e.Statuses([]*store.Status{testBobPost(), testAliceReply()}, nil, ""),
		Hashtags: List[Tag]{e.TagNamed("cats")},
	}
	var want, ours any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(marshal(t, got), &ours); err != nil {
		t.Fatal(err)
	}
	var problems []string
	compareShape("", want, ours, nil, map[string]bool{}, &problems)
	for _, p := range problems {
		t.Error(p)
	}
}

func TestEmptySearchHasEveryList(t *testing.T) {
	compact := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	got := compact(Search{})
	if want := `{"accounts":[],"statuses":[],"hashtags":[]}`; got != want {
		t.Fatalf("empty search is %s, want %s", got, want)
	}
	tag := compact(testEnv.TagNamed("café"))
	if want := `{"name":"café","url":"https://roost.example/tags/caf%C3%A9","history":[]}`; tag != want {
		t.Fatalf("tag is %s, want %s", tag, want)
	}
}
