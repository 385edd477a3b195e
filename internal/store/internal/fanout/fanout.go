// Package fanout delivers committed changes to in-process watchers. The
// embedded backends (bolt, memory) share it; a distributed backend uses its
// own watch mechanism instead.
//
// The contract a backend must keep: call Publish once per committed write
// transaction, in commit order, before Update returns, and never from two
// goroutines at once (holding the backend's writer lock is enough). Then every
// watcher sees every transaction committed after it subscribed, in revision
// order, and nothing committed before.
package fanout

import (
	"context"
	"strings"
	"sync"

	"github.com/rolecall/rolecall/internal/store"
)

// DefaultBuffer is how many events a watcher may fall behind before it is
// dropped. Large enough that a reader doing ordinary work keeps up with bursts
// of multi-key transactions, small enough that a stuck reader costs little
// memory (values are held until delivered or dropped).
const DefaultBuffer = 1024

// Hub is a set of watchers. The zero value is not usable; call New.
type Hub struct {
	buffer int

	mu       sync.Mutex
	closed   bool
	watchers map[*watcher]struct{}
}

type watcher struct {
	prefix string
	ch     chan store.Event
	stop   func() bool // unregisters the context.AfterFunc
}

// New returns a hub whose watchers may fall buffer events behind (buffer <= 0:
// DefaultBuffer).
func New(buffer int) *Hub {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	return &Hub{buffer: buffer, watchers: make(map[*watcher]struct{})}
}

// Subscribe registers a watcher for keys under prefix. Its channel is closed
// when ctx is done, when it falls behind by more than the buffer, or when the
// hub is closed. It returns store.ErrClosed if the hub is closed and ctx's
// error if ctx is already done.
func (h *Hub) Subscribe(ctx context.Context, prefix string) (<-chan store.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w := &watcher{prefix: prefix, ch: make(chan store.Event, h.buffer)}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, store.ErrClosed
	}
	h.watchers[w] = struct{}{}
	// Registered under mu so that remove (which takes mu) cannot run before
	// w.stop is set. AfterFunc runs the function at once in its own goroutine
	// if ctx is already done, which is handled the same way.
	w.stop = context.AfterFunc(ctx, func() { h.remove(w) })
	h.mu.Unlock()
	return w.ch, nil
}

// remove closes w's channel if it is still registered. Closing only under mu,
// and only while registered, is what makes a send on a closed channel
// impossible.
func (h *Hub) remove(w *watcher) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropLocked(w)
}

func (h *Hub) dropLocked(w *watcher) {
	if _, ok := h.watchers[w]; !ok {
		return
	}
	delete(h.watchers, w)
	close(w.ch)
	if w.stop != nil {
		w.stop()
	}
}

// Publish delivers the events of one committed transaction to every watcher
// whose prefix matches. It never blocks: a watcher whose buffer cannot take
// all of its events is dropped (its channel closed) rather than handed a
// partial transaction, because a watcher that silently missed events would
// serve stale state forever, while one that sees its channel closed knows to
// re-read and watch again.
//
// Each watcher gets its own copy of every value, so one consumer modifying
// an event cannot corrupt what another sees.
func (h *Hub) Publish(events []store.Event) {
	if len(events) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for w := range h.watchers {
		n := 0
		for i := range events {
			if strings.HasPrefix(events[i].KV.Key, w.prefix) {
				n++
			}
		}
		if n == 0 {
			continue
		}
		if cap(w.ch)-len(w.ch) < n {
			h.dropLocked(w)
			continue
		}
		for _, ev := range events {
			if !strings.HasPrefix(ev.KV.Key, w.prefix) {
				continue
			}
			if ev.KV.Value != nil {
				ev.KV.Value = append([]byte{}, ev.KV.Value...)
			}
			// Cannot block: room for all n events was checked above and
			// only this goroutine (under mu) sends.
			w.ch <- ev
		}
	}
}

// Close closes every watcher's channel; later Subscribe calls return
// store.ErrClosed and later Publish calls do nothing.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for w := range h.watchers {
		h.dropLocked(w)
	}
}
