package store

import (
	"testing"
	"time"
)

func TestNewIDUniqueAndSorted(t *testing.T) {
	seen := map[string]bool{}
	// Remote posts often share a published second: they must not share IDs.
	past := time.Now().Add(-time.Hour).Truncate(time.Second)
	for range 5000 {
		id := NewID(past)
		if seen[id] {
			t.Fatalf("duplicate ID %s for a past time", id)
		}
		seen[id] = true
		if !IDTime(id).Equal(past.UTC()) {
			t.Fatalf("ID %s carries %v, want %v", id, IDTime(id), past)
		}
	}
	prev := ""
	for i := range 5000 {
		id := NewID(time.Now())
		if seen[id] {
			t.Fatalf("duplicate ID %s", id)
		}
		seen[id] = true
		if i > 0 && !(len(id) > len(prev) || len(id) == len(prev) && id > prev) {
			t.Fatalf("IDs made in order do not increase: %s after %s", id, prev)
		}
		prev = id
	}
	if !ValidID(prev) || ValidID("abc") || ValidID("") || ValidID("-5") || ValidID("99999999999999999999") {
		t.Fatal("ValidID accepts or refuses the wrong things")
	}
	if IDAt(past) > NewID(past) && len(IDAt(past)) == len(NewID(past)) {
		t.Fatal("IDAt is not a lower bound")
	}
}
