// Package storetest is the conformance suite every store.Store backend must
// pass: one body of tests, run against each backend, so the semantics written
// in package store's doc comments are checked in one place rather than
// re-asserted (or forgotten) per backend.
//
// A backend's test calls Run:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s, err := bolt.Open(filepath.Join(t.TempDir(), "rolecall.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// What the suite assumes beyond package store's doc comments, and therefore
// what every backend must also do:
//
//   - Revisions of keys written inside a transaction are not checked until
//     it commits (an optimistic backend cannot know them in advance).
//   - A transaction that writes nothing takes no revision and sends no event.
//   - A transaction sends one event per key it changed, carrying the key's
//     final state, all with the transaction's revision; their order within
//     the transaction is not checked.
//   - The empty key is rejected with an error.
//   - A Reader or Tx used after its function returned returns an error.
//   - Values are copied in and out: modifying a slice passed to Put, or
//     returned by Get, List or Watch, does not change what is stored.
//   - A watcher keeps up with at least 256 buffered events, and is dropped
//     before falling 30,000 events behind.
//   - A second Close returns ErrClosed.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

// waitTimeout bounds every wait for something asynchronous (a watch event, a
// closed channel). Generous because fsync under -race on a loaded CI machine
// can be slow; passing tests never wait for it.
const waitTimeout = 30 * time.Second

// Run runs the conformance suite. open must return a new, empty store each
// time it is called; the suite closes it. Subtests do not run in parallel.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

var tests = []struct {
	name string
	fn   func(*testing.T, store.Store)
}{
	{"GetMissing", testGetMissing},
	{"RevisionReader", testRevisionReader},
	{"PutGet", testPutGet},
	{"PutOverwrites", testPutOverwrites},
	{"ListOrder", testListOrder},
	{"ListPrefixBoundary", testListPrefixBoundary},
	{"ListPaging", testListPaging},
	{"ListStartAfterOutsidePrefix", testListStartAfterOutsidePrefix},
	{"CreateExists", testCreateExists},
	{"CompareAndSwap", testCompareAndSwap},
	{"CompareAndSwapConflict", testCompareAndSwapConflict},
	{"CompareAndSwapNotFound", testCompareAndSwapNotFound},
	{"Delete", testDelete},
	{"DeleteNotFound", testDeleteNotFound},
	{"ReadYourWrites", testReadYourWrites},
	{"ListSeesOwnWrites", testListSeesOwnWrites},
	{"Rollback", testRollback},
	{"RollbackKeepsErrorChain", testRollbackKeepsErrorChain},
	{"PanicRollsBack", testPanicRollsBack},
	{"RevisionsIncrease", testRevisionsIncrease},
	{"RevisionSharedByTransaction", testRevisionSharedByTransaction},
	{"ReadOnlyUpdateTakesNoRevision", testReadOnlyUpdateTakesNoRevision},
	{"ViewIsSnapshot", testViewIsSnapshot},
	{"WatchPutsAndDeletes", testWatchPutsAndDeletes},
	{"WatchTransaction", testWatchTransaction},
	{"WatchPrefix", testWatchPrefix},
	{"WatchOnlyAfterCall", testWatchOnlyAfterCall},
	{"WatchMany", testWatchMany},
	{"WatchCancel", testWatchCancel},
	{"WatchSlowWatcherDropped", testWatchSlowWatcherDropped},
	{"ConcurrentCompareAndSwap", testConcurrentCompareAndSwap},
	{"ConcurrentReadModifyWrite", testConcurrentReadModifyWrite},
	{"Closed", testClosed},
	{"CloseEndsWatches", testCloseEndsWatches},
	{"ContextCanceled", testContextCanceled},
	{"ContextCanceledDuringUpdate", testContextCanceledDuringUpdate},
	{"ContextWhileWaitingForWriter", testContextWhileWaitingForWriter},
	{"LargeValue", testLargeValue},
	{"UnicodeKeys", testUnicodeKeys},
	{"EmptyValue", testEmptyValue},
	{"EmptyKeyRejected", testEmptyKeyRejected},
	{"ValuesAreCopied", testValuesAreCopied},
	{"UseAfterReturn", testUseAfterReturn},
}

// --- helpers ---------------------------------------------------------------

func put(t *testing.T, s store.Store, kvs ...string) {
	t.Helper()
	if len(kvs)%2 != 0 {
		t.Fatal("put: odd number of arguments")
	}
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for i := 0; i < len(kvs); i += 2 {
			if err := tx.Put(kvs[i], []byte(kvs[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update(put %v): %v", kvs, err)
	}
}

func del(t *testing.T, s store.Store, key string) {
	t.Helper()
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Delete(key) }); err != nil {
		t.Fatalf("Update(delete %q): %v", key, err)
	}
}

func get(t *testing.T, s store.Store, key string) (store.KV, error) {
	t.Helper()
	var kv store.KV
	err := s.View(context.Background(), func(r store.Reader) error {
		var err error
		kv, err = r.Get(key)
		return err
	})
	return kv, err
}

func mustGet(t *testing.T, s store.Store, key string) store.KV {
	t.Helper()
	kv, err := get(t, s, key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return kv
}

func list(t *testing.T, s store.Store, prefix, startAfter string, limit int) []store.KV {
	t.Helper()
	var kvs []store.KV
	err := s.View(context.Background(), func(r store.Reader) error {
		var err error
		kvs, err = r.List(prefix, startAfter, limit)
		return err
	})
	if err != nil {
		t.Fatalf("List(%q, %q, %d): %v", prefix, startAfter, limit, err)
	}
	return kvs
}

func keysOf(kvs []store.KV) []string {
	out := make([]string, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, kv.Key)
	}
	return out
}

func wantKeys(t *testing.T, what string, got []store.KV, want ...string) {
	t.Helper()
	if g := keysOf(got); !slices.Equal(g, want) {
		t.Errorf("%s: keys %q, want %q", what, g, want)
	}
}

func revision(t *testing.T, s store.Store) int64 {
	t.Helper()
	rev, err := s.Revision(context.Background())
	if err != nil {
		t.Fatalf("Revision: %v", err)
	}
	return rev
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

func watch(t *testing.T, s store.Store, prefix string) <-chan store.Event {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := s.Watch(ctx, prefix)
	if err != nil {
		t.Fatalf("Watch(%q): %v", prefix, err)
	}
	return ch
}

// next returns the next event, failing if the channel closes or nothing
// arrives in time.
func next(t *testing.T, ch <-chan store.Event) store.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed, want an event")
		}
		return ev
	case <-time.After(waitTimeout):
		t.Fatal("no watch event")
	}
	panic("unreachable")
}

// waitClosed drains ch until it is closed and returns how many events it
// held.
func waitClosed(t *testing.T, ch <-chan store.Event) int {
	t.Helper()
	n := 0
	deadline := time.After(waitTimeout)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return n
			}
			n++
		case <-deadline:
			t.Fatalf("watch channel not closed after %d events", n)
		}
	}
}

func describe(ev store.Event) string {
	typ := map[store.EventType]string{store.EventPut: "put", store.EventDelete: "delete"}[ev.Type]
	if typ == "" {
		typ = fmt.Sprintf("type(%d)", ev.Type)
	}
	if ev.Type == store.EventDelete {
		return fmt.Sprintf("%s %s@%d", typ, ev.KV.Key, ev.KV.Revision)
	}
	return fmt.Sprintf("%s %s=%q@%d", typ, ev.KV.Key, ev.KV.Value, ev.KV.Revision)
}

func wantEvent(t *testing.T, ev store.Event, typ store.EventType, key, value string, rev int64) {
	t.Helper()
	want := store.Event{Type: typ, KV: store.KV{Key: key, Revision: rev}}
	if typ == store.EventPut {
		want.KV.Value = []byte(value)
	}
	if ev.Type != typ || ev.KV.Key != key || ev.KV.Revision != rev || !bytes.Equal(ev.KV.Value, want.KV.Value) ||
		(typ == store.EventDelete && ev.KV.Value != nil) {
		t.Errorf("event %s, want %s", describe(ev), describe(want))
	}
}

var errBoom = errors.New("storetest: boom")

// --- reads and writes ------------------------------------------------------

func testGetMissing(t *testing.T, s store.Store) {
	_, err := get(t, s, "nope")
	wantErr(t, "Get of a missing key", err, store.ErrNotFound)
	wantKeys(t, "List of an empty store", list(t, s, "", "", 0))
}

func testPutGet(t *testing.T, s store.Store) {
	before := revision(t, s)
	put(t, s, "accounts/1/roles/web", `{"name":"web"}`)
	kv := mustGet(t, s, "accounts/1/roles/web")
	if kv.Key != "accounts/1/roles/web" || string(kv.Value) != `{"name":"web"}` {
		t.Errorf("Get = %q %q", kv.Key, kv.Value)
	}
	if kv.Revision <= before {
		t.Errorf("revision %d, want > %d (before the write)", kv.Revision, before)
	}
	if rev := revision(t, s); rev != kv.Revision {
		t.Errorf("Revision() = %d, want %d (the write's)", rev, kv.Revision)
	}
}

func testPutOverwrites(t *testing.T, s store.Store) {
	put(t, s, "k", "one")
	first := mustGet(t, s, "k")
	put(t, s, "k", "two")
	second := mustGet(t, s, "k")
	if string(second.Value) != "two" {
		t.Errorf("value %q, want two", second.Value)
	}
	if second.Revision <= first.Revision {
		t.Errorf("revision after overwrite %d, want > %d", second.Revision, first.Revision)
	}
}

func testListOrder(t *testing.T, s store.Store) {
	// Byte order, not locale order or insertion order: uppercase before
	// lowercase, '/' (0x2f) before '0' (0x30), multi-byte UTF-8 last.
	want := []string{"A", "a", "a/", "a/0", "a0", "b", "z", "é", "日本"}
	shuffled := slices.Clone(want)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, k := range shuffled {
		put(t, s, k, "v:"+k)
	}
	got := list(t, s, "", "", 0)
	wantKeys(t, "List", got, want...)
	for _, kv := range got {
		if string(kv.Value) != "v:"+kv.Key {
			t.Errorf("List: %q has value %q", kv.Key, kv.Value)
		}
		if kv.Revision <= 0 {
			t.Errorf("List: %q has revision %d", kv.Key, kv.Revision)
		}
	}
}

func testListPrefixBoundary(t *testing.T, s store.Store) {
	put(t, s, "a/b", "1", "a/b/c", "2", "a/b/d/e", "3", "a/bc", "4", "a/a", "5", "a/c", "6", "b", "7")
	wantKeys(t, `List("a/b/")`, list(t, s, "a/b/", "", 0), "a/b/c", "a/b/d/e")
	// A prefix is bytes, not a path component: "a/b" also matches "a/bc".
	wantKeys(t, `List("a/b")`, list(t, s, "a/b", "", 0), "a/b", "a/b/c", "a/b/d/e", "a/bc")
	wantKeys(t, `List("a/")`, list(t, s, "a/", "", 0), "a/a", "a/b", "a/b/c", "a/b/d/e", "a/bc", "a/c")
	wantKeys(t, `List("a/b/c")`, list(t, s, "a/b/c", "", 0), "a/b/c")
	wantKeys(t, `List("x")`, list(t, s, "x", "", 0))
	wantKeys(t, `List("")`, list(t, s, "", "", 0), "a/a", "a/b", "a/b/c", "a/b/d/e", "a/bc", "a/c", "b")
}

func testListPaging(t *testing.T, s store.Store) {
	var all []string
	var kvs []string
	for i := range 25 {
		k := fmt.Sprintf("p/%03d", i)
		all = append(all, k)
		kvs = append(kvs, k, strconv.Itoa(i))
	}
	put(t, s, kvs...)
	put(t, s, "o", "before", "q", "after")

	for _, limit := range []int{1, 2, 7, 25, 100} {
		var got []string
		after := ""
		for pages := 0; ; pages++ {
			if pages > 30 {
				t.Fatalf("limit %d: paging does not end", limit)
			}
			page := list(t, s, "p/", after, limit)
			if len(page) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(page))
			}
			if len(page) == 0 {
				break
			}
			got = append(got, keysOf(page)...)
			after = page[len(page)-1].Key
		}
		if !slices.Equal(got, all) {
			t.Errorf("limit %d: paged keys %q, want %q", limit, got, all)
		}
	}
	for _, limit := range []int{0, -1} {
		wantKeys(t, fmt.Sprintf("limit %d", limit), list(t, s, "p/", "", limit), all...)
	}
	// startAfter is exclusive and need not exist.
	wantKeys(t, "startAfter existing", list(t, s, "p/", "p/022", 0), "p/023", "p/024")
	wantKeys(t, "startAfter missing", list(t, s, "p/", "p/0215", 0), "p/022", "p/023", "p/024")
	wantKeys(t, "startAfter last", list(t, s, "p/", "p/024", 0))
	wantKeys(t, "startAfter with limit", list(t, s, "p/", "p/010", 2), "p/011", "p/012")
}

func testListStartAfterOutsidePrefix(t *testing.T, s store.Store) {
	put(t, s, "m/1", "", "m/2", "", "a", "", "z", "")
	wantKeys(t, "startAfter before prefix", list(t, s, "m/", "a", 0), "m/1", "m/2")
	wantKeys(t, "startAfter after prefix", list(t, s, "m/", "n", 0))
	wantKeys(t, "startAfter equal to prefix", list(t, s, "m/", "m/", 0), "m/1", "m/2")
}

func testCreateExists(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Create("k", []byte("first")) }); err != nil {
		t.Fatalf("Create: %v", err)
	}
	rev := mustGet(t, s, "k").Revision
	err := s.Update(ctx, func(tx store.Tx) error { return tx.Create("k", []byte("second")) })
	wantErr(t, "Create of an existing key", err, store.ErrExists)
	if kv := mustGet(t, s, "k"); string(kv.Value) != "first" || kv.Revision != rev {
		t.Errorf("after failed Create: %q@%d, want first@%d", kv.Value, kv.Revision, rev)
	}
	// fn may handle ErrExists and carry on: the transaction is still usable.
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Create("k", []byte("x")); !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("Create: %v, want ErrExists", err)
		}
		return tx.Put("other", []byte("y"))
	})
	if err != nil {
		t.Fatalf("Update after handled ErrExists: %v", err)
	}
	mustGet(t, s, "other")
	del(t, s, "k")
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Create("k", []byte("again")) }); err != nil {
		t.Errorf("Create after Delete: %v", err)
	}
}

func testCompareAndSwap(t *testing.T, s store.Store) {
	put(t, s, "k", "v1")
	kv := mustGet(t, s, "k")
	if err := s.Update(context.Background(), func(tx store.Tx) error {
		return tx.CompareAndSwap("k", kv.Revision, []byte("v2"))
	}); err != nil {
		t.Fatalf("CompareAndSwap at the current revision: %v", err)
	}
	got := mustGet(t, s, "k")
	if string(got.Value) != "v2" || got.Revision <= kv.Revision {
		t.Errorf("after CompareAndSwap: %q@%d, want v2@>%d", got.Value, got.Revision, kv.Revision)
	}
}

func testCompareAndSwapConflict(t *testing.T, s store.Store) {
	put(t, s, "k", "v1")
	old := mustGet(t, s, "k")
	put(t, s, "k", "v2")
	cur := mustGet(t, s, "k")
	for _, rev := range []int64{old.Revision, cur.Revision + 1, 0, -1} {
		err := s.Update(context.Background(), func(tx store.Tx) error {
			return tx.CompareAndSwap("k", rev, []byte("v3"))
		})
		wantErr(t, fmt.Sprintf("CompareAndSwap at revision %d (current %d)", rev, cur.Revision), err, store.ErrConflict)
	}
	if got := mustGet(t, s, "k"); string(got.Value) != "v2" || got.Revision != cur.Revision {
		t.Errorf("after conflicts: %q@%d, want v2@%d", got.Value, got.Revision, cur.Revision)
	}
}

func testCompareAndSwapNotFound(t *testing.T, s store.Store) {
	err := s.Update(context.Background(), func(tx store.Tx) error {
		return tx.CompareAndSwap("missing", 1, []byte("v"))
	})
	wantErr(t, "CompareAndSwap of a missing key", err, store.ErrNotFound)
	put(t, s, "k", "v")
	rev := mustGet(t, s, "k").Revision
	del(t, s, "k")
	err = s.Update(context.Background(), func(tx store.Tx) error {
		return tx.CompareAndSwap("k", rev, []byte("v"))
	})
	wantErr(t, "CompareAndSwap of a deleted key", err, store.ErrNotFound)
	if _, err := get(t, s, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CompareAndSwap created the key: %v", err)
	}
}

func testDelete(t *testing.T, s store.Store) {
	put(t, s, "a/1", "x", "a/2", "y")
	before := revision(t, s)
	del(t, s, "a/1")
	if _, err := get(t, s, "a/1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
	wantKeys(t, "List after Delete", list(t, s, "a/", "", 0), "a/2")
	if rev := revision(t, s); rev <= before {
		t.Errorf("Delete did not advance the revision: %d, was %d", rev, before)
	}
}

func testDeleteNotFound(t *testing.T, s store.Store) {
	before := revision(t, s)
	err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Delete("missing") })
	wantErr(t, "Delete of a missing key", err, store.ErrNotFound)
	if rev := revision(t, s); rev != before {
		t.Errorf("failed Delete changed the revision: %d, was %d", rev, before)
	}
}

func testReadYourWrites(t *testing.T, s store.Store) {
	put(t, s, "old", "1", "gone", "2")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.Put("new", []byte("n")); err != nil {
			return err
		}
		if kv, err := tx.Get("new"); err != nil || string(kv.Value) != "n" {
			return fmt.Errorf("Get of own Put: %q, %v", kv.Value, err)
		}
		if err := tx.Put("old", []byte("changed")); err != nil {
			return err
		}
		if kv, err := tx.Get("old"); err != nil || string(kv.Value) != "changed" {
			return fmt.Errorf("Get of own overwrite: %q, %v", kv.Value, err)
		}
		if err := tx.Delete("gone"); err != nil {
			return err
		}
		if _, err := tx.Get("gone"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("Get of own Delete: %v, want ErrNotFound", err)
		}
		if err := tx.Delete("gone"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("second Delete: %v, want ErrNotFound", err)
		}
		if err := tx.Create("new", nil); !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("Create over own Put: %v, want ErrExists", err)
		}
		if err := tx.Create("gone", []byte("back")); err != nil {
			return fmt.Errorf("Create after own Delete: %v", err)
		}
		// CompareAndSwap against the revision this transaction reads.
		kv, err := tx.Get("new")
		if err != nil {
			return err
		}
		if err := tx.CompareAndSwap("new", kv.Revision, []byte("n2")); err != nil {
			return fmt.Errorf("CompareAndSwap at own revision: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"new": "n2", "old": "changed", "gone": "back"} {
		if kv := mustGet(t, s, k); string(kv.Value) != v {
			t.Errorf("after commit %q = %q, want %q", k, kv.Value, v)
		}
	}
}

func testListSeesOwnWrites(t *testing.T, s store.Store) {
	put(t, s, "l/b", "", "l/d", "", "l/f", "", "m", "")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for _, k := range []string{"l/a", "l/c", "l/e", "l/g"} {
			if err := tx.Put(k, []byte("new")); err != nil {
				return err
			}
		}
		if err := tx.Delete("l/d"); err != nil {
			return err
		}
		all, err := tx.List("l/", "", 0)
		if err != nil {
			return err
		}
		if got, want := keysOf(all), []string{"l/a", "l/b", "l/c", "l/e", "l/f", "l/g"}; !slices.Equal(got, want) {
			return fmt.Errorf("List in tx: %q, want %q", got, want)
		}
		page, err := tx.List("l/", "l/b", 2)
		if err != nil {
			return err
		}
		if got, want := keysOf(page), []string{"l/c", "l/e"}; !slices.Equal(got, want) {
			return fmt.Errorf("List page in tx: %q, want %q", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testRollback(t *testing.T, s store.Store) {
	put(t, s, "keep", "original", "doomed", "x")
	before := revision(t, s)
	ch := watch(t, s, "")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.Put("keep", []byte("changed")); err != nil {
			return err
		}
		if err := tx.Create("new", []byte("n")); err != nil {
			return err
		}
		if err := tx.Delete("doomed"); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Errorf("Update returned %v, want fn's error", err)
	}
	if kv := mustGet(t, s, "keep"); string(kv.Value) != "original" {
		t.Errorf("rolled-back Put kept: %q", kv.Value)
	}
	if _, err := get(t, s, "new"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rolled-back Create kept: %v", err)
	}
	mustGet(t, s, "doomed")
	if rev := revision(t, s); rev != before {
		t.Errorf("rollback changed the revision: %d, was %d", rev, before)
	}
	put(t, s, "marker", "m")
	if ev := next(t, ch); ev.KV.Key != "marker" {
		t.Errorf("rolled-back transaction produced event %s", describe(ev))
	}
}

func testRollbackKeepsErrorChain(t *testing.T, s store.Store) {
	wrapped := fmt.Errorf("while doing the thing: %w", errBoom)
	err := s.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.Put("k", []byte("v")); err != nil {
			return err
		}
		return wrapped
	})
	if !errors.Is(err, errBoom) {
		t.Errorf("Update returned %v, want it to wrap errBoom", err)
	}
	// A store error returned by fn keeps its class.
	err = s.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.Put("k2", []byte("v")); err != nil {
			return err
		}
		return tx.Delete("missing")
	})
	wantErr(t, "fn returning Delete's error", err, store.ErrNotFound)
	wantKeys(t, "List after rollbacks", list(t, s, "", "", 0))
}

func testPanicRollsBack(t *testing.T, s store.Store) {
	func() {
		defer func() {
			if r := recover(); r != errBoom { //nolint:errorlint // a panic value, not an error chain
				t.Errorf("recovered %v, want the panic to propagate", r)
			}
		}()
		_ = s.Update(context.Background(), func(tx store.Tx) error {
			if err := tx.Put("k", []byte("v")); err != nil {
				return err
			}
			panic(errBoom)
		})
	}()
	if _, err := get(t, s, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("write of a panicking Update kept: %v", err)
	}
	// The store is still usable: the writer lock was released.
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put("k", []byte("v")) }); err != nil {
		t.Errorf("Update after a panic: %v", err)
	}
}

// --- revisions -------------------------------------------------------------

func testRevisionsIncrease(t *testing.T, s store.Store) {
	last := revision(t, s)
	for i := range 10 {
		k := fmt.Sprintf("k%d", i%3)
		if i%4 == 3 {
			del(t, s, fmt.Sprintf("k%d", (i-1)%3))
		} else {
			put(t, s, k, strconv.Itoa(i))
		}
		rev := revision(t, s)
		if rev <= last {
			t.Fatalf("write %d: revision %d, want > %d", i, rev, last)
		}
		last = rev
	}
	for _, kv := range list(t, s, "", "", 0) {
		if kv.Revision > last {
			t.Errorf("%q has revision %d, beyond Revision() %d", kv.Key, kv.Revision, last)
		}
	}
}

func testRevisionSharedByTransaction(t *testing.T, s store.Store) {
	put(t, s, "x", "1", "y", "1")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for _, k := range []string{"a", "b", "c"} {
			if err := tx.Put(k, []byte(k)); err != nil {
				return err
			}
		}
		if err := tx.Create("d", nil); err != nil {
			return err
		}
		kv, err := tx.Get("x")
		if err != nil {
			return err
		}
		if err := tx.CompareAndSwap("x", kv.Revision, []byte("2")); err != nil {
			return err
		}
		return tx.Delete("y")
	})
	if err != nil {
		t.Fatal(err)
	}
	rev := revision(t, s)
	for _, kv := range list(t, s, "", "", 0) {
		if kv.Revision != rev {
			t.Errorf("%q has revision %d, want %d (the transaction's)", kv.Key, kv.Revision, rev)
		}
	}
}

func testReadOnlyUpdateTakesNoRevision(t *testing.T, s store.Store) {
	put(t, s, "k", "v")
	before := revision(t, s)
	ch := watch(t, s, "")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.Get("k")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(context.Background(), func(tx store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if rev := revision(t, s); rev != before {
		t.Errorf("read-only Update changed the revision: %d, was %d", rev, before)
	}
	put(t, s, "marker", "")
	if ev := next(t, ch); ev.KV.Key != "marker" {
		t.Errorf("read-only Update produced event %s", describe(ev))
	}
}

func testViewIsSnapshot(t *testing.T, s store.Store) {
	// A writer keeps two keys equal; a reader must never see them differ.
	put(t, s, "pair/a", "0", "pair/b", "0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; ctx.Err() == nil && i <= 200; i++ {
			v := []byte(strconv.Itoa(i))
			err := s.Update(ctx, func(tx store.Tx) error {
				if err := tx.Put("pair/a", v); err != nil {
					return err
				}
				return tx.Put("pair/b", v)
			})
			if err != nil && ctx.Err() == nil {
				t.Errorf("writer: %v", err)
				return
			}
		}
	}()
	for range 200 {
		err := s.View(context.Background(), func(r store.Reader) error {
			a, err := r.Get("pair/a")
			if err != nil {
				return err
			}
			runtime.Gosched() // give the writer a chance to commit mid-View
			b, err := r.Get("pair/b")
			if err != nil {
				return err
			}
			if !bytes.Equal(a.Value, b.Value) || a.Revision != b.Revision {
				return fmt.Errorf("torn read: a=%q@%d b=%q@%d", a.Value, a.Revision, b.Value, b.Revision)
			}
			l, err := r.List("pair/", "", 0)
			if err != nil {
				return err
			}
			if len(l) != 2 || !bytes.Equal(l[0].Value, a.Value) || !bytes.Equal(l[1].Value, a.Value) {
				return fmt.Errorf("List disagrees with Get in one View: %v vs %q", l, a.Value)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	wg.Wait()
}

// --- watch -----------------------------------------------------------------

func testWatchPutsAndDeletes(t *testing.T, s store.Store) {
	ch := watch(t, s, "")
	put(t, s, "k", "1")
	r1 := revision(t, s)
	put(t, s, "k", "2")
	r2 := revision(t, s)
	del(t, s, "k")
	r3 := revision(t, s)
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Create("j", []byte("c")) }); err != nil {
		t.Fatal(err)
	}
	r4 := revision(t, s)
	wantEvent(t, next(t, ch), store.EventPut, "k", "1", r1)
	wantEvent(t, next(t, ch), store.EventPut, "k", "2", r2)
	wantEvent(t, next(t, ch), store.EventDelete, "k", "", r3)
	wantEvent(t, next(t, ch), store.EventPut, "j", "c", r4)
}

func testWatchTransaction(t *testing.T, s store.Store) {
	put(t, s, "t/old", "o", "t/cas", "c")
	ch := watch(t, s, "t/")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		// Two writes to one key yield one event with the final value; a key
		// created and deleted within the transaction yields none.
		for _, op := range []func() error{
			func() error { return tx.Put("t/a", []byte("first")) },
			func() error { return tx.Put("t/a", []byte("final")) },
			func() error { return tx.Create("t/b", []byte("b")) },
			func() error { return tx.Delete("t/old") },
			func() error { return tx.Create("t/tmp", []byte("tmp")) },
			func() error { return tx.Delete("t/tmp") },
			func() error {
				kv, err := tx.Get("t/cas")
				if err != nil {
					return err
				}
				return tx.CompareAndSwap("t/cas", kv.Revision, []byte("c2"))
			},
		} {
			if err := op(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rev := revision(t, s)
	put(t, s, "t/zz-marker", "m")
	want := map[string]store.Event{
		"t/a":   {Type: store.EventPut, KV: store.KV{Key: "t/a", Value: []byte("final"), Revision: rev}},
		"t/b":   {Type: store.EventPut, KV: store.KV{Key: "t/b", Value: []byte("b"), Revision: rev}},
		"t/cas": {Type: store.EventPut, KV: store.KV{Key: "t/cas", Value: []byte("c2"), Revision: rev}},
		"t/old": {Type: store.EventDelete, KV: store.KV{Key: "t/old", Revision: rev}},
	}
	for range len(want) {
		ev := next(t, ch)
		w, ok := want[ev.KV.Key]
		if !ok {
			t.Fatalf("unexpected event %s", describe(ev))
		}
		delete(want, ev.KV.Key)
		wantEvent(t, ev, w.Type, w.KV.Key, string(w.KV.Value), w.KV.Revision)
	}
	if ev := next(t, ch); ev.KV.Key != "t/zz-marker" || ev.KV.Revision <= rev {
		t.Errorf("after the transaction's events: %s, want the marker", describe(ev))
	}
}

func testWatchPrefix(t *testing.T, s store.Store) {
	dir := watch(t, s, "a/b/")
	pre := watch(t, s, "a/b")
	put(t, s, "a/bc", "1")
	put(t, s, "a/a", "2")
	put(t, s, "a/b/x", "3")
	put(t, s, "a/b", "4")
	wantEvent(t, next(t, dir), store.EventPut, "a/b/x", "3", mustGet(t, s, "a/b/x").Revision)
	put(t, s, "a/b/y", "5")
	wantEvent(t, next(t, dir), store.EventPut, "a/b/y", "5", mustGet(t, s, "a/b/y").Revision)
	var got []string
	for range 4 {
		got = append(got, next(t, pre).KV.Key)
	}
	if want := []string{"a/bc", "a/b/x", "a/b", "a/b/y"}; !slices.Equal(got, want) {
		t.Errorf(`Watch("a/b") saw %q, want %q`, got, want)
	}
}

func testWatchOnlyAfterCall(t *testing.T, s store.Store) {
	put(t, s, "k", "before")
	del(t, s, "k")
	put(t, s, "j", "before")
	ch := watch(t, s, "")
	put(t, s, "k", "after")
	wantEvent(t, next(t, ch), store.EventPut, "k", "after", revision(t, s))
}

func testWatchMany(t *testing.T, s store.Store) {
	// Many watchers, many transactions: each sees all of them in revision
	// order, with no gaps or duplicates.
	const watchers, writes = 4, 50
	chans := make([]<-chan store.Event, watchers)
	for i := range chans {
		chans[i] = watch(t, s, "w/")
	}
	var revs []int64
	for i := range writes {
		put(t, s, fmt.Sprintf("w/%d", i%5), strconv.Itoa(i))
		put(t, s, "other", "x") // not under the prefix
		revs = append(revs, mustGet(t, s, fmt.Sprintf("w/%d", i%5)).Revision)
	}
	for w, ch := range chans {
		for i := range writes {
			ev := next(t, ch)
			if ev.Type != store.EventPut || ev.KV.Key != fmt.Sprintf("w/%d", i%5) ||
				string(ev.KV.Value) != strconv.Itoa(i) || ev.KV.Revision != revs[i] {
				t.Fatalf("watcher %d, event %d: %s, want put w/%d=%d@%d", w, i, describe(ev), i%5, i, revs[i])
			}
		}
	}
}

func testWatchCancel(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := s.Watch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	other := watch(t, s, "")
	put(t, s, "k", "1")
	r1 := revision(t, s)
	wantEvent(t, next(t, ch), store.EventPut, "k", "1", r1)
	cancel()
	waitClosed(t, ch)
	// Writers and other watchers carry on.
	put(t, s, "k", "2")
	r2 := revision(t, s)
	wantEvent(t, next(t, other), store.EventPut, "k", "1", r1)
	wantEvent(t, next(t, other), store.EventPut, "k", "2", r2)
}

func testWatchSlowWatcherDropped(t *testing.T, s store.Store) {
	// A watcher that never reads must be dropped (its channel closed) while
	// writers carry on at full speed.
	const txs, keysPerTx = 300, 100
	slow := watch(t, s, "")
	done := make(chan error, 1)
	go func() {
		for i := range txs {
			err := s.Update(context.Background(), func(tx store.Tx) error {
				for j := range keysPerTx {
					if err := tx.Put(fmt.Sprintf("s/%03d", j), []byte(strconv.Itoa(i))); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(4 * waitTimeout):
		t.Fatal("writers blocked by a watcher that does not read")
	}
	n := waitClosed(t, slow)
	if n >= txs*keysPerTx {
		t.Errorf("slow watcher got all %d events; want it dropped", n)
	}
	if n%keysPerTx != 0 {
		// Not required by the interface, but a watcher handed part of a
		// transaction would apply half of an atomic change.
		t.Logf("slow watcher got %d events, not a whole number of transactions", n)
	}
	// A new watcher works.
	fresh := watch(t, s, "")
	put(t, s, "after", "x")
	wantEvent(t, next(t, fresh), store.EventPut, "after", "x", revision(t, s))
}

// --- concurrency -----------------------------------------------------------

const (
	goroutines = 8
	increments = 50
)

func runConcurrent(t *testing.T, s store.Store, incr func(tx store.Tx) error) {
	t.Helper()
	put(t, s, "counter", "0")
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range increments {
				if err := s.Update(context.Background(), incr); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Update: %v", err)
	}
	if got := string(mustGet(t, s, "counter").Value); got != strconv.Itoa(goroutines*increments) {
		t.Errorf("counter = %s, want %d: updates were lost", got, goroutines*increments)
	}
}

func readCounter(tx store.Tx) (store.KV, int, error) {
	kv, err := tx.Get("counter")
	if err != nil {
		return kv, 0, err
	}
	n, err := strconv.Atoi(string(kv.Value))
	return kv, n, err
}

func testConcurrentCompareAndSwap(t *testing.T, s store.Store) {
	start := revision(t, s)
	runConcurrent(t, s, func(tx store.Tx) error {
		kv, n, err := readCounter(tx)
		if err != nil {
			return err
		}
		return tx.CompareAndSwap("counter", kv.Revision, []byte(strconv.Itoa(n+1)))
	})
	// Each increment is its own write transaction with its own revision.
	if rev := revision(t, s); rev < start+goroutines*increments {
		t.Errorf("revision advanced by %d over %d transactions", rev-start, goroutines*increments)
	}
}

func testConcurrentReadModifyWrite(t *testing.T, s store.Store) {
	// Plain Get then Put: serializability alone must prevent lost updates.
	runConcurrent(t, s, func(tx store.Tx) error {
		_, n, err := readCounter(tx)
		if err != nil {
			return err
		}
		return tx.Put("counter", []byte(strconv.Itoa(n+1)))
	})
}

// --- lifecycle and context -------------------------------------------------

func testClosed(t *testing.T, s store.Store) {
	put(t, s, "k", "v")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := context.Background()
	wantErr(t, "View after Close", s.View(ctx, func(store.Reader) error {
		t.Error("View ran fn after Close")
		return nil
	}), store.ErrClosed)
	wantErr(t, "Update after Close", s.Update(ctx, func(store.Tx) error {
		t.Error("Update ran fn after Close")
		return nil
	}), store.ErrClosed)
	_, err := s.Watch(ctx, "")
	wantErr(t, "Watch after Close", err, store.ErrClosed)
	_, err = s.Revision(ctx)
	wantErr(t, "Revision after Close", err, store.ErrClosed)
	wantErr(t, "second Close", s.Close(), store.ErrClosed)
}

func testCloseEndsWatches(t *testing.T, s store.Store) {
	a, b := watch(t, s, ""), watch(t, s, "x/")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, a)
	waitClosed(t, b)
}

func testContextCanceled(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	wantErr(t, "View", s.View(ctx, func(store.Reader) error {
		t.Error("View ran fn with a canceled context")
		return nil
	}), context.Canceled)
	wantErr(t, "Update", s.Update(ctx, func(tx store.Tx) error {
		t.Error("Update ran fn with a canceled context")
		return tx.Put("k", nil)
	}), context.Canceled)
	if _, err := get(t, s, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Update with a canceled context wrote: %v", err)
	}
	_, err := s.Revision(ctx)
	wantErr(t, "Revision", err, context.Canceled)
	ch, err := s.Watch(ctx, "")
	if err == nil {
		waitClosed(t, ch) // returning a channel that closes at once is fine too
	} else {
		wantErr(t, "Watch", err, context.Canceled)
	}
}

func testContextCanceledDuringUpdate(t *testing.T, s store.Store) {
	before := revision(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Put("a", []byte("1")); err != nil {
			return err
		}
		cancel()
		_ = tx.Put("b", []byte("2")) // may fail now; fn ignores it
		return nil
	})
	wantErr(t, "Update whose context ended in fn", err, context.Canceled)
	wantKeys(t, "List", list(t, s, "", "", 0))
	if rev := revision(t, s); rev != before {
		t.Errorf("revision %d, was %d", rev, before)
	}
}

func testContextWhileWaitingForWriter(t *testing.T, s store.Store) {
	// While one Update is in fn, another with a short deadline must return
	// (having either succeeded, for backends that run writers in parallel,
	// or given up with the context's error), not wait indefinitely.
	inFn, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.Update(context.Background(), func(tx store.Tx) error {
			if err := tx.Put("first", []byte("1")); err != nil {
				return err
			}
			close(inFn)
			<-release
			return nil
		})
	}()
	<-inFn
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	second := make(chan error, 1)
	go func() {
		second <- s.Update(ctx, func(tx store.Tx) error { return tx.Put("second", []byte("2")) })
	}()
	select {
	case err := <-second:
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("second Update: %v, want nil or DeadlineExceeded", err)
		}
	case <-time.After(waitTimeout):
		t.Error("second Update ignored its context while waiting for the first")
	}
	close(release)
	if err := <-first; err != nil {
		t.Errorf("first Update: %v", err)
	}
	mustGet(t, s, "first")
}

// --- values and keys -------------------------------------------------------

func testLargeValue(t *testing.T, s store.Store) {
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>8)
	}
	ch := watch(t, s, "big")
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Put("big", big) }); err != nil {
		t.Fatalf("Put of 1 MiB: %v", err)
	}
	if kv := mustGet(t, s, "big"); !bytes.Equal(kv.Value, big) {
		t.Errorf("1 MiB value read back as %d different bytes", len(kv.Value))
	}
	if ev := next(t, ch); !bytes.Equal(ev.KV.Value, big) {
		t.Errorf("1 MiB value watched as %d different bytes", len(ev.KV.Value))
	}
	if l := list(t, s, "", "", 0); len(l) != 1 || !bytes.Equal(l[0].Value, big) {
		t.Error("1 MiB value listed wrong")
	}
}

func testUnicodeKeys(t *testing.T, s store.Store) {
	keys := []string{
		"accounts/123456789012/roles/ecsTaskExecutionRole",
		"ключ/значение",
		"日本/東京/渋谷",
		"emoji/😀/🚀",
		"path/with spaces/and+plus=equals",
		"trailing/slash/",
		"/leading",
		"double//slash",
		"ctl\x01\x7f",
		"nul\x00inside",
	}
	var kvs []string
	for _, k := range keys {
		kvs = append(kvs, k, "v:"+k)
	}
	put(t, s, kvs...)
	for _, k := range keys {
		if kv := mustGet(t, s, k); kv.Key != k || string(kv.Value) != "v:"+k {
			t.Errorf("Get(%q) = %q %q", k, kv.Key, kv.Value)
		}
	}
	sorted := slices.Clone(keys)
	slices.Sort(sorted) // Go string order is byte order
	wantKeys(t, "List", list(t, s, "", "", 0), sorted...)
	wantKeys(t, "List(日本/)", list(t, s, "日本/", "", 0), "日本/東京/渋谷")
	wantKeys(t, "List(emoji/😀)", list(t, s, "emoji/😀", "", 0), "emoji/😀/🚀")
	wantKeys(t, "List(trailing/slash/)", list(t, s, "trailing/slash/", "", 0), "trailing/slash/")
	// A prefix that splits a multi-byte character is still a byte prefix.
	wantKeys(t, "List(split rune)", list(t, s, "日本"[:2], "", 0), "日本/東京/渋谷")
}

func testEmptyValue(t *testing.T, s store.Store) {
	ch := watch(t, s, "")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.Put("empty", []byte{}); err != nil {
			return err
		}
		return tx.Create("nil", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"empty", "nil"} {
		kv, err := get(t, s, k)
		if err != nil {
			t.Errorf("Get(%q): %v (an empty value is still a value)", k, err)
		} else if len(kv.Value) != 0 {
			t.Errorf("Get(%q) = %q, want empty", k, kv.Value)
		}
	}
	wantKeys(t, "List", list(t, s, "", "", 0), "empty", "nil")
	for range 2 {
		if ev := next(t, ch); ev.Type != store.EventPut || len(ev.KV.Value) != 0 {
			t.Errorf("event %s, want a put of an empty value", describe(ev))
		}
	}
}

func testEmptyKeyRejected(t *testing.T, s store.Store) {
	for name, op := range map[string]func(store.Tx) error{
		"Put":            func(tx store.Tx) error { return tx.Put("", []byte("v")) },
		"Create":         func(tx store.Tx) error { return tx.Create("", []byte("v")) },
		"CompareAndSwap": func(tx store.Tx) error { return tx.CompareAndSwap("", 1, []byte("v")) },
		"Delete":         func(tx store.Tx) error { return tx.Delete("") },
	} {
		if err := s.Update(context.Background(), op); err == nil {
			t.Errorf("%s of the empty key succeeded", name)
		}
	}
	if _, err := get(t, s, ""); err == nil {
		t.Error("Get of the empty key succeeded")
	}
	wantKeys(t, "List", list(t, s, "", "", 0))
}

func testValuesAreCopied(t *testing.T, s store.Store) {
	ch := watch(t, s, "")
	v := []byte("original")
	if err := s.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.Put("k", v); err != nil {
			return err
		}
		copy(v, "XXXXXXXX") // caller reuses its buffer before commit
		got, err := tx.Get("k")
		if err != nil {
			return err
		}
		copy(got.Value, "YYYYYYYY") // and scribbles on what it read
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	kv := mustGet(t, s, "k")
	if string(kv.Value) != "original" {
		t.Fatalf("stored %q, want original", kv.Value)
	}
	copy(kv.Value, "ZZZZZZZZ")
	l := list(t, s, "", "", 0)
	copy(l[0].Value, "ZZZZZZZZ")
	ev := next(t, ch)
	copy(ev.KV.Value, "WWWWWWWW")
	if kv := mustGet(t, s, "k"); string(kv.Value) != "original" {
		t.Errorf("stored value changed by a reader to %q", kv.Value)
	}
}

func testUseAfterReturn(t *testing.T, s store.Store) {
	put(t, s, "k", "v")
	var leakedTx store.Tx
	var leakedReader store.Reader
	if err := s.Update(context.Background(), func(tx store.Tx) error { leakedTx = tx; return tx.Put("a", nil) }); err != nil {
		t.Fatal(err)
	}
	if err := s.View(context.Background(), func(r store.Reader) error { leakedReader = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := leakedTx.Put("late", []byte("x")); err == nil {
		t.Error("Put on a finished transaction succeeded")
	}
	if _, err := leakedTx.Get("k"); err == nil {
		t.Error("Get on a finished transaction succeeded")
	}
	if _, err := leakedReader.Get("k"); err == nil {
		t.Error("Get on a finished View succeeded")
	}
	if _, err := leakedReader.List("", "", 0); err == nil {
		t.Error("List on a finished View succeeded")
	}
	if _, err := get(t, s, "late"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("late write visible: %v", err)
	}
}

// testRevisionReader: a backend that offers store.RevisionReader must report
// exactly the revision Get reports, and ErrNotFound for missing keys.
func testRevisionReader(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put("rr/a", []byte("1")) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put("rr/a", []byte("2")) }); err != nil {
		t.Fatal(err)
	}
	err := s.View(ctx, func(r store.Reader) error {
		rr, ok := r.(store.RevisionReader)
		if !ok {
			t.Skip("backend does not implement store.RevisionReader")
		}
		kv, err := r.Get("rr/a")
		if err != nil {
			return err
		}
		rev, err := rr.GetRevision("rr/a")
		if err != nil || rev != kv.Revision {
			t.Errorf("GetRevision = %d, %v; Get's revision %d", rev, err, kv.Revision)
		}
		if _, err := rr.GetRevision("rr/missing"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing key: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
