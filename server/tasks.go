package server

import "sync"

// tasks tracks goroutines that outlive the request that started them
// (remote media fetches, cache trims, link previews), so that Close can
// wait for them before the store and Blobs close.
type tasks struct {
	mu     sync.Mutex
	wg     sync.WaitGroup
	closed bool
}

// start runs fn in a goroutine unless the server is closing; false means
// it did not run.
func (t *tasks) start(fn func()) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		fn()
	}()
	return true
}

// close refuses new tasks and waits for those running.
func (t *tasks) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.wg.Wait()
}
