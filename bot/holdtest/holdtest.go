// Package holdtest keeps calls to the fake Bot API servers (telegramtest,
// zalotest) unanswered on demand: a request the platform has received and
// not yet answered, as when the bot is killed in the middle of one, or one
// slow call while others go on.
package holdtest

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// Holds are the calls a server holds. The zero value holds nothing and is
// ready to use. Methods are matched without case.
type Holds struct {
	mu      sync.Mutex
	all     map[string]bool // methods held (Hold)
	next    map[string]int  // calls of a method still to hold (HoldNext)
	release chan struct{}   // closed by Release
	changed chan struct{}   // closed and replaced when a call is held
	holding int             // calls held now
}

// initLocked makes the zero value usable.
func (h *Holds) initLocked() {
	if h.release == nil {
		h.all, h.next = map[string]bool{}, map[string]int{}
		h.release, h.changed = make(chan struct{}), make(chan struct{})
	}
}

// Hold keeps every later call of method unanswered until Release.
func (h *Holds) Hold(method string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.initLocked()
	h.all[strings.ToLower(method)] = true
}

// HoldNext keeps the next n calls of method unanswered until Release;
// later calls are answered.
func (h *Holds) HoldNext(method string, n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.initLocked()
	h.next[strings.ToLower(method)] += n
}

// Release lets the held calls go on and stops holding.
func (h *Holds) Release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.initLocked()
	clear(h.all)
	clear(h.next)
	close(h.release)
	h.release = make(chan struct{})
}

// Holding is how many calls are held now.
func (h *Holds) Holding() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.holding
}

// WaitHolding waits until n calls are held; it fails the test after
// timeout, naming the server (who).
func (h *Holds) WaitHolding(tb testing.TB, who string, n int, timeout time.Duration) {
	tb.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		h.mu.Lock()
		h.initLocked()
		changed, holding := h.changed, h.holding
		h.mu.Unlock()
		if holding >= n {
			return
		}
		select {
		case <-changed:
		case <-timer.C:
			tb.Fatalf("%s: waited %v for %d call(s) held, got %d", who, timeout, n, holding)
			return
		}
	}
}

// Wait waits, when a call of method is to be held, until Release or done
// (the server closing). A server calls it before answering, outside its
// own lock.
func (h *Holds) Wait(method string, done <-chan struct{}) {
	h.mu.Lock()
	h.initLocked()
	key := strings.ToLower(method)
	held, release := h.all[key], h.release
	if !held && h.next[key] > 0 {
		h.next[key]--
		held = true
	}
	if held {
		h.holding++
		close(h.changed)
		h.changed = make(chan struct{})
	}
	h.mu.Unlock()
	if !held {
		return
	}
	select {
	case <-release:
	case <-done:
	}
	h.mu.Lock()
	h.holding--
	h.mu.Unlock()
}
