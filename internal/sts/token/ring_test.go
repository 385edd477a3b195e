package token

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/store/bolt"
	"github.com/rolecall/rolecall/internal/store/memory"
)

// backends are the stores the ring is tested against: the in-memory store
// and the embedded bolt store rolecall runs on by default.
func backends(t *testing.T) map[string]func(t *testing.T) store.Store {
	return map[string]func(t *testing.T) store.Store{
		"memory": func(t *testing.T) store.Store {
			st := memory.New()
			t.Cleanup(func() { st.Close() })
			return st
		},
		"bolt": func(t *testing.T) store.Store {
			st, err := bolt.Open(filepath.Join(t.TempDir(), "rolecall.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
	}
}

func ids(r *Ring) []uint32 {
	var out []uint32
	for _, k := range r.Keys() {
		out = append(out, k.ID)
	}
	return out
}

func sealAt(t *testing.T, r sealer, issued time.Time, d time.Duration) string {
	t.Helper()
	c := typicalClaims()
	c.IssuedAt, c.Expires = issued, issued.Add(d)
	return mustSeal(t, r, c)
}

func keyIDOf(t *testing.T, tok string) uint32 {
	t.Helper()
	_, id, ok := parse(tok)
	if !ok {
		t.Fatal("unparsable token")
	}
	return id
}

func TestLoadRingCreatesOnceAndPersists(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := open(t)
			r1, err := LoadRing(ctx, st, t0)
			if err != nil {
				t.Fatal(err)
			}
			keys := r1.Keys()
			if len(keys) != 1 || !keys[0].ActiveFrom.Equal(t0) || !keys[0].RetiredAt.IsZero() || r1.Revision() == 0 {
				t.Fatalf("new ring: %+v rev %d", keys, r1.Revision())
			}
			r2, err := LoadRing(ctx, st, t0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if ids(r2)[0] != ids(r1)[0] || r2.Revision() != r1.Revision() {
				t.Fatal("second LoadRing did not read the first ring")
			}
			tok := mustSeal(t, r1, typicalClaims())
			if _, err := r2.Open(tok, t0); err != nil {
				t.Fatal(err)
			}
			// The stored document holds the key material, base64 in JSON.
			var kv store.KV
			st.View(ctx, func(r store.Reader) error { kv, err = r.Get(RingKey); return err })
			var sr storedRing
			if err := json.Unmarshal(kv.Value, &sr); err != nil || len(sr.Keys) != 1 || len(sr.Keys[0].Secret) != 32 {
				t.Fatalf("stored ring %s: %v", kv.Value, err)
			}
		})
	}
}

// TestLoadRingConcurrent: replicas starting together agree on one key.
func TestLoadRingConcurrent(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			const n = 16
			rings := make([]*Ring, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { rings[i], errs[i] = LoadRing(context.Background(), st, t0) })
			}
			wg.Wait()
			for i := range n {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				if got, want := ids(rings[i]), ids(rings[0]); len(got) != 1 || got[0] != want[0] {
					t.Fatalf("ring %d has keys %v, ring 0 %v", i, got, want)
				}
			}
			tok := mustSeal(t, rings[3], typicalClaims())
			if _, err := rings[11].Open(tok, t0); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// racingStore reports the ring missing to the first View, as if another
// replica created it just after: LoadRing's Create then fails with
// ErrExists and it must read the winner's ring.
type racingStore struct {
	store.Store
	once sync.Once
}

func (s *racingStore) View(ctx context.Context, fn func(store.Reader) error) error {
	lie := false
	s.once.Do(func() { lie = true })
	if lie {
		return store.ErrNotFound
	}
	return s.Store.View(ctx, fn)
}

func TestLoadRingLosesCreateRace(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	winner, err := LoadRing(ctx, st, t0)
	if err != nil {
		t.Fatal(err)
	}
	loser, err := LoadRing(ctx, &racingStore{Store: st}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if ids(loser)[0] != ids(winner)[0] {
		t.Fatal("loser did not adopt the winner's key")
	}
}

func TestLoadRingRefusesCorruptRing(t *testing.T) {
	ctx := context.Background()
	key := storedKey{ID: 1, Secret: make([]byte, 32), ActiveFrom: t0}
	later := key
	later.ID, later.ActiveFrom = 2, t0.Add(time.Hour)
	for name, val := range map[string]any{
		"not JSON":      "garbage",
		"version 2":     storedRing{Version: 2, Keys: []storedKey{key}},
		"no keys":       storedRing{Version: 1},
		"short secret":  storedRing{Version: 1, Keys: []storedKey{{ID: 1, Secret: make([]byte, 16), ActiveFrom: t0}}},
		"duplicate ID":  storedRing{Version: 1, Keys: []storedKey{key, {ID: 1, Secret: make([]byte, 32), ActiveFrom: t0.Add(time.Hour)}}},
		"out of order":  storedRing{Version: 1, Keys: []storedKey{later, key}},
		"same activity": storedRing{Version: 1, Keys: []storedKey{key, {ID: 2, Secret: make([]byte, 32), ActiveFrom: t0}}},
	} {
		t.Run(name, func(t *testing.T) {
			st := memory.New()
			defer st.Close()
			b, _ := json.Marshal(val)
			if s, ok := val.(string); ok {
				b = []byte(s)
			}
			st.Update(ctx, func(tx store.Tx) error { return tx.Put(RingKey, b) })
			if _, err := LoadRing(ctx, st, t0); err == nil {
				t.Fatal("LoadRing accepted a corrupt ring")
			}
			if _, err := Rotate(ctx, st, t0); err == nil {
				t.Fatal("Rotate rewrote a corrupt ring")
			}
		})
	}
}

// TestRotation walks one key's life: sealing, replaced (a new key seals
// from ActivationDelay after Rotate), still opening until RetireAfter past
// its replacement, then refused and finally pruned.
func TestRotation(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := open(t)
			r0, err := LoadRing(ctx, st, t0)
			if err != nil {
				t.Fatal(err)
			}
			oldID := ids(r0)[0]
			oldTok := sealAt(t, r0, t0, MaxSessionDuration)

			t1 := t0.Add(24 * time.Hour)
			r1, err := Rotate(ctx, st, t1)
			if err != nil {
				t.Fatal(err)
			}
			if r1.Revision() <= r0.Revision() {
				t.Fatal("revision did not advance")
			}
			keys := r1.Keys()
			if len(keys) != 2 || keys[0].ID != oldID {
				t.Fatalf("after rotate: %+v", keys)
			}
			newID, switchAt := keys[1].ID, t1.Add(ActivationDelay)
			if !keys[1].ActiveFrom.Equal(switchAt) || !keys[0].RetiredAt.Equal(switchAt) || !keys[1].RetiredAt.IsZero() {
				t.Fatalf("activation times: %+v", keys)
			}
			// Until the new key activates the old one still seals.
			if got := keyIDOf(t, sealAt(t, r1, switchAt.Add(-time.Second), time.Hour)); got != oldID {
				t.Fatalf("sealed with %08x before activation, want old %08x", got, oldID)
			}
			newTok := sealAt(t, r1, switchAt, MaxSessionDuration)
			if got := keyIDOf(t, newTok); got != newID {
				t.Fatalf("sealed with %08x after activation, want new %08x", got, newID)
			}
			// The old ring opens the new key's tokens only if it has the key.
			if _, err := r0.Open(newTok, switchAt); err == nil {
				t.Fatal("old ring opened a token of a key it does not hold")
			}
			// Old tokens open with the new ring until they expire...
			if _, err := r1.Open(oldTok, t1); err != nil {
				t.Fatal(err)
			}
			// ...are ExpiredToken while the old key is kept...
			retire := switchAt.Add(RetireAfter)
			_, err = r1.Open(oldTok, retire.Add(-time.Second))
			wantCode(t, err, "ExpiredToken")
			// ...and unknown once it is retired, even before it is pruned.
			_, err = r1.Open(oldTok, retire)
			wantCode(t, err, "InvalidClientTokenId")
			if _, err := r1.Open(newTok, retire.Add(-2*time.Hour)); err != nil {
				t.Fatal(err)
			}

			// A rotation before the retirement keeps the old key.
			r2, err := Rotate(ctx, st, retire.Add(-time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(r2); len(got) != 3 || got[0] != oldID {
				t.Fatalf("keys %v, want the old key kept", got)
			}
			// One at or after it prunes it.
			r3, err := Rotate(ctx, st, retire)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(r3); len(got) != 3 || got[0] != newID {
				t.Fatalf("keys %v, want the old key pruned", got)
			}
			if _, err := r3.Open(newTok, retire.Add(-2*time.Hour)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRotateKeepsKeysOrdered(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	if _, err := LoadRing(ctx, st, t0); err != nil {
		t.Fatal(err)
	}
	var r *Ring
	var err error
	for range 5 { // faster than ActivationDelay, and with a clock going back
		if r, err = Rotate(ctx, st, t0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	keys := r.Keys()
	if len(keys) != 6 {
		t.Fatalf("%d keys", len(keys))
	}
	for i := 1; i < len(keys); i++ {
		if !keys[i].ActiveFrom.After(keys[i-1].ActiveFrom) || !keys[i-1].RetiredAt.Equal(keys[i].ActiveFrom) {
			t.Fatalf("keys not ordered: %+v", keys)
		}
	}
}

func TestRotateCreatesMissingRing(t *testing.T) {
	st := memory.New()
	defer st.Close()
	r, err := Rotate(context.Background(), st, t0)
	if err != nil {
		t.Fatal(err)
	}
	if k := r.Keys(); len(k) != 1 || !k[0].ActiveFrom.Equal(t0) {
		t.Fatalf("keys %+v", k)
	}
}

// TestRotateIfDue: replicas rotating on their own timers rotate once.
func TestRotateIfDue(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	r0, err := LoadRing(ctx, st, t0)
	if err != nil {
		t.Fatal(err)
	}
	const day = 24 * time.Hour
	r, err := RotateIfDue(ctx, st, t0.Add(day-time.Second), day)
	if err != nil || r.Revision() != r0.Revision() {
		t.Fatalf("rotated too early: %v", err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := RotateIfDue(ctx, st, t0.Add(day), day); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	r, err = LoadRing(ctx, st, t0.Add(day))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.Keys()); n != 2 {
		t.Fatalf("%d keys after concurrent RotateIfDue, want 2", n)
	}
}

func TestSealingKeyBeforeAllKeys(t *testing.T) {
	r := newRing(t)
	if got := r.SealingKey(t0.Add(-time.Hour)); got != ids(r)[0] {
		t.Fatalf("SealingKey = %08x", got)
	}
	// Claims issued before the ring existed still seal (clock skew).
	if _, err := r.Open(sealAt(t, r, t0.Add(-time.Minute), time.Hour), t0); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRingContextAndClosedStore(t *testing.T) {
	st := memory.New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LoadRing(ctx, st, t0); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	st.Close()
	if _, err := LoadRing(context.Background(), st, t0); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
	if _, err := Rotate(context.Background(), st, t0); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}
