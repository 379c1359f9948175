package inproc_test

import (
	"testing"

	"github.com/roost-social/roost/store"
	"github.com/roost-social/roost/store/inproc"
	"github.com/roost-social/roost/store/storetest"
)

func TestPubSub(t *testing.T) {
	storetest.RunPubSub(t, func(t *testing.T) store.PubSub {
		p := inproc.NewPubSub()
		t.Cleanup(func() { p.Close() })
		return p
	})
}
