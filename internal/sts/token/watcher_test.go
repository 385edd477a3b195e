package token

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/store/memory"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// eventually waits (up to 10s) for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func clockAt(t time.Time) func() time.Time { return func() time.Time { return t } }

func startWatcher(t *testing.T, st store.Store, clock func() time.Time) *Watcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := Watch(ctx, st, clock, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		<-w.Done()
	})
	return w
}

// TestWatcherPicksUpRotation: two replicas; one rotates, the other sees the
// new key before it activates, so tokens sealed by either open on both.
func TestWatcherPicksUpRotation(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			a := startWatcher(t, st, clockAt(t0))
			b := startWatcher(t, st, clockAt(t0))
			if ids(a.Ring())[0] != ids(b.Ring())[0] {
				t.Fatal("replicas disagree on the first key")
			}
			tBefore := sealAt(t, a, t0, time.Hour)

			if err := a.Rotate(context.Background()); err != nil {
				t.Fatal(err)
			}
			rev := a.Ring().Revision()
			eventually(t, "replica b to see the rotation", func() bool { return b.Ring().Revision() == rev })
			if got, want := ids(b.Ring()), ids(a.Ring()); len(got) != 2 || got[1] != want[1] {
				t.Fatalf("b has %v, a has %v", got, want)
			}
			after := t0.Add(ActivationDelay)
			tAfter := sealAt(t, a, after, time.Hour)
			if keyIDOf(t, tAfter) != ids(a.Ring())[1] {
				t.Fatal("not sealed with the new key")
			}
			for _, tok := range []string{tBefore, tAfter} {
				if _, err := b.Open(tok, after); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestWatcherReload: an explicit Reload picks up a rotation at once.
func TestWatcherReload(t *testing.T) {
	st := memory.New()
	defer st.Close()
	w := startWatcher(t, st, clockAt(t0))
	r, err := Rotate(context.Background(), st, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.Ring().Revision() < r.Revision() || len(w.Ring().Keys()) != 2 {
		t.Fatalf("after Reload: rev %d keys %d", w.Ring().Revision(), len(w.Ring().Keys()))
	}
}

// TestWatcherNeverGoesBack: an older ring is never installed over a newer.
func TestWatcherNeverGoesBack(t *testing.T) {
	st := memory.New()
	defer st.Close()
	w := startWatcher(t, st, clockAt(t0))
	old := w.Ring()
	if err := w.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	cur := w.Ring()
	w.install(old)
	if w.Ring() != cur {
		t.Fatal("older ring installed")
	}
}

// TestWatcherKeyDeleted: deleting the ring revokes every token; all
// replicas converge on one fresh ring.
func TestWatcherKeyDeleted(t *testing.T) {
	st := memory.New()
	defer st.Close()
	a := startWatcher(t, st, clockAt(t0))
	b := startWatcher(t, st, clockAt(t0))
	tok := sealAt(t, a, t0, time.Hour)
	oldID := ids(a.Ring())[0]
	if err := st.Update(context.Background(), func(tx store.Tx) error { return tx.Delete(RingKey) }); err != nil {
		t.Fatal(err)
	}
	eventually(t, "both replicas to replace the deleted ring", func() bool {
		ka, kb := ids(a.Ring()), ids(b.Ring())
		return ka[0] != oldID && kb[0] != oldID && ka[0] == kb[0]
	})
	_, err := b.Open(tok, t0)
	wantCode(t, err, "InvalidClientTokenId")
}

// TestWatcherIgnoresSiblingKeysAndBadUpdates.
func TestWatcherIgnoresSiblingKeysAndBadUpdates(t *testing.T) {
	st := memory.New()
	defer st.Close()
	w := startWatcher(t, st, clockAt(t0))
	cur := w.Ring()
	ctx := context.Background()
	put := func(k, v string) {
		if err := st.Update(ctx, func(tx store.Tx) error { return tx.Put(k, []byte(v)) }); err != nil {
			t.Fatal(err)
		}
	}
	put(RingKey+"-backup", "not a ring")
	put(RingKey, "not a ring either")
	// A rotation after the bad write is still picked up.
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.Delete(RingKey) }); err != nil {
		t.Fatal(err)
	}
	r, err := Rotate(ctx, st, t0)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the watcher to install the new ring", func() bool { return w.Ring().Revision() >= r.Revision() })
	if w.Ring() == cur {
		t.Fatal("ring not replaced")
	}
}

// flakyStore lets a test drop watchers, hold re-watches back, and make
// Watch fail.
type flakyStore struct {
	store.Store
	mu       sync.Mutex
	cancels  []context.CancelFunc
	gate     chan struct{} // when non-nil, Watch waits for it to close
	failures atomic.Int32  // Watch fails this many more times
	watches  atomic.Int32
	waiting  atomic.Int32 // calls waiting for the gate
}

func (s *flakyStore) Watch(ctx context.Context, prefix string) (<-chan store.Event, error) {
	s.mu.Lock()
	gate := s.gate
	s.mu.Unlock()
	if gate != nil {
		s.waiting.Add(1)
		defer s.waiting.Add(-1)
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	s.watches.Add(1)
	if s.failures.Add(-1) >= 0 {
		return nil, errors.New("flaky: watch failed")
	}
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancels = append(s.cancels, cancel)
	s.mu.Unlock()
	return s.Store.Watch(ctx, prefix)
}

// drop closes every watch channel handed out so far, as a store does to a
// watcher that fell behind.
func (s *flakyStore) drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.cancels {
		c()
	}
	s.cancels = nil
}

// TestWatcherRewatchesAfterDrop: a rotation made while the watcher was
// dropped (so no event reaches it) is picked up by the re-read after it
// watches again, even when the first re-watches fail.
func TestWatcherRewatchesAfterDrop(t *testing.T) {
	mem := memory.New()
	defer mem.Close()
	st := &flakyStore{Store: mem}
	w := startWatcher(t, st, clockAt(t0))

	gate := make(chan struct{})
	st.mu.Lock()
	st.gate = gate
	st.mu.Unlock()
	st.failures.Store(2)
	st.drop()
	eventually(t, "the watcher to notice the drop", func() bool { return st.waiting.Load() == 1 })
	r, err := Rotate(context.Background(), mem, t0)
	if err != nil {
		t.Fatal(err)
	}
	if w.Ring().Revision() >= r.Revision() {
		t.Fatal("watcher saw a rotation while dropped")
	}
	close(gate)
	eventually(t, "the re-read after re-watching", func() bool { return w.Ring().Revision() >= r.Revision() })
	if n := st.watches.Load(); n < 4 { // the first watch, two failures, the re-watch
		t.Fatalf("%d watches", n)
	}
	// And the new subscription works.
	r, err = Rotate(context.Background(), mem, t0)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the next rotation", func() bool { return w.Ring().Revision() >= r.Revision() })
}

func TestWatcherStops(t *testing.T) {
	t.Run("context", func(t *testing.T) {
		st := memory.New()
		defer st.Close()
		ctx, cancel := context.WithCancel(context.Background())
		w, err := Watch(ctx, st, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		<-w.Done()
		if w.Ring() == nil {
			t.Fatal("no ring after stop")
		}
	})
	t.Run("store closed", func(t *testing.T) {
		st := memory.New()
		w, err := Watch(context.Background(), st, nil, quiet)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		<-w.Done()
	})
	t.Run("closed before start", func(t *testing.T) {
		st := memory.New()
		st.Close()
		if _, err := Watch(context.Background(), st, nil, quiet); err == nil {
			t.Fatal("Watch on a closed store succeeded")
		}
	})
}

// TestWatcherConcurrentUse: Open, Seal, Reload and Rotate from many
// goroutines (run with -race).
func TestWatcherConcurrentUse(t *testing.T) {
	st := memory.New()
	defer st.Close()
	w := startWatcher(t, st, clockAt(t0))
	tok := sealAt(t, w, t0, time.Hour)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 50 {
				if _, err := w.Open(tok, t0); err != nil {
					t.Error(err)
					return
				}
				if _, err := w.Seal(typicalClaims()); err != nil {
					t.Error(err)
					return
				}
				if i == 0 {
					if err := w.Rotate(context.Background()); err != nil {
						t.Error(err)
					}
				}
				if i == 1 {
					if err := w.Reload(context.Background()); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
}
