package token

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

// Watcher holds the current Ring of a store and replaces it whenever RingKey
// changes, so that every replica picks up a rotation made by any of them.
// Its methods are safe for concurrent use.
type Watcher struct {
	st    store.Store
	clock func() time.Time
	log   *slog.Logger
	cur   atomic.Pointer[Ring]
	done  chan struct{}
}

// Watch loads the ring (creating it if needed, as LoadRing does) and keeps
// it current until ctx is done. clock defaults to time.Now and log to
// slog.Default(). If the store drops the watch (a watcher that fell behind)
// it watches again and re-reads; if a change cannot be read, the Watcher
// keeps the ring it has and logs the error.
func Watch(ctx context.Context, st store.Store, clock func() time.Time, log *slog.Logger) (*Watcher, error) {
	if clock == nil {
		clock = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	w := &Watcher{st: st, clock: clock, log: log, done: make(chan struct{})}
	// Subscribe before reading, so no change between the two is missed.
	sub, cancel := context.WithCancel(ctx)
	events, err := st.Watch(sub, RingKey)
	if err != nil {
		cancel()
		return nil, err
	}
	r, err := LoadRing(ctx, st, clock())
	if err != nil {
		cancel()
		return nil, err
	}
	w.cur.Store(r)
	go w.run(ctx, events, cancel)
	return w, nil
}

// Ring returns the current ring.
func (w *Watcher) Ring() *Ring { return w.cur.Load() }

// Seal seals c with the current ring.
func (w *Watcher) Seal(c Claims) (string, error) { return w.Ring().Seal(c) }

// Open opens token with the current ring.
func (w *Watcher) Open(token string, now time.Time) (Claims, error) {
	return w.Ring().Open(token, now)
}

// Done is closed when the Watcher has stopped watching (its context ended,
// or the store was closed). Ring keeps returning the last ring.
func (w *Watcher) Done() <-chan struct{} { return w.done }

// Reload re-reads the ring from the store now.
func (w *Watcher) Reload(ctx context.Context) error {
	r, err := LoadRing(ctx, w.st, w.clock())
	if err != nil {
		return err
	}
	w.install(r)
	return nil
}

// Rotate rotates the ring in the store (see Rotate) and installs the result
// without waiting for the watch to report it.
func (w *Watcher) Rotate(ctx context.Context) error {
	r, err := Rotate(ctx, w.st, w.clock())
	if err != nil {
		return err
	}
	w.install(r)
	return nil
}

// install makes r current unless a ring at least as recent is.
func (w *Watcher) install(r *Ring) {
	for {
		old := w.cur.Load()
		if old != nil && old.rev >= r.rev {
			return
		}
		if w.cur.CompareAndSwap(old, r) {
			return
		}
	}
}

const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// run applies events until the subscription ends, then subscribes again;
// cancel ends the current subscription.
func (w *Watcher) run(ctx context.Context, events <-chan store.Event, cancel context.CancelFunc) {
	defer close(w.done)
	backoff := minBackoff
	for {
		for ev := range events {
			w.apply(ctx, ev)
		}
		cancel()
		// The channel closed: ctx ended, or the store dropped us. Watch
		// again, then re-read what we may have missed.
		for {
			if ctx.Err() != nil {
				return
			}
			var err error
			var sub context.Context
			sub, cancel = context.WithCancel(ctx)
			events, err = w.st.Watch(sub, RingKey)
			if err == nil {
				if err = w.Reload(ctx); err == nil {
					backoff = minBackoff
					break
				}
			}
			cancel()
			if errors.Is(err, store.ErrClosed) || ctx.Err() != nil {
				return
			}
			w.log.Warn("sts key ring: re-watching", "err", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, maxBackoff)
		}
	}
}

// apply installs the ring an event reports.
func (w *Watcher) apply(ctx context.Context, ev store.Event) {
	if ev.KV.Key != RingKey {
		return // a longer key under the same prefix
	}
	if ev.Type == store.EventPut {
		r, err := parseRing(ev.KV.Value, ev.KV.Revision)
		if err != nil {
			w.log.Error("sts key ring: ignoring unreadable update", "revision", ev.KV.Revision, "err", err)
			return
		}
		w.install(r)
		return
	}
	// Deleted: every replica recreates it (one Create wins) and installs
	// the result, so all outstanding tokens are revoked.
	if err := w.Reload(ctx); err != nil && ctx.Err() == nil {
		w.log.Error("sts key ring: reload after deletion", "err", err)
	}
}
