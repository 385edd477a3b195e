// Package memory is an in-memory store.Store for unit tests of other
// packages: same semantics as the embedded bolt backend (it passes the same
// conformance suite, storetest), no files, no fsync.
//
// Durability does not apply: everything is lost when the process exits or the
// store is closed. The promise in store.Store.Update that a nil return means
// "survives a crash" is therefore not kept, and nothing else is different.
// Never use it to hold state a user cares about.
package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/store/internal/fanout"
)

// errEmptyKey is returned for the empty key, which no backend can store
// (bbolt and etcd both reject it).
var errEmptyKey = errors.New("store: empty key")

// errTxDone is returned when a Reader or Tx is used after the function it was
// passed to has returned.
var errTxDone = fmt.Errorf("%w: transaction already finished", store.ErrClosed)

type entry struct {
	value []byte
	rev   int64
}

// Store is an in-memory store.Store. Create one with New.
type Store struct {
	hub *fanout.Hub

	// wsem admits one Update at a time. A channel rather than a mutex so a
	// writer waiting behind another can give up when its context ends.
	wsem    chan struct{}
	closing chan struct{}

	// mu guards the committed state. Views hold it for reading for their
	// whole duration, so they see a snapshot; an Update holds it for writing
	// only while applying its buffered writes, so a long-running Update does
	// not block readers.
	mu     sync.RWMutex
	closed bool
	keys   []string // sorted
	data   map[string]entry
	rev    int64
}

// Option configures a Store.
type Option func(*Store)

// WithWatchBuffer sets how many events a watcher may fall behind before it
// is dropped (default fanout.DefaultBuffer).
func WithWatchBuffer(n int) Option {
	return func(s *Store) { s.hub = fanout.New(n) }
}

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{
		hub:     fanout.New(0),
		wsem:    make(chan struct{}, 1),
		closing: make(chan struct{}),
		data:    make(map[string]entry),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

var _ store.Store = (*Store)(nil)

// View runs fn with a read lock held, so fn sees one consistent snapshot.
// fn must not call View or Update on the same store: a writer waiting for
// the lock would deadlock with it.
func (s *Store) View(ctx context.Context, fn func(store.Reader) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.ErrClosed
	}
	r := &reader{s: s, ctx: ctx}
	defer func() { r.done = true }()
	return fn(r)
}

// Update runs fn once (writers are serialized, so there is never a conflict
// to retry). fn's writes are buffered and applied atomically when it returns
// nil and ctx is not done; otherwise they are discarded. A panic in fn
// discards its writes and propagates.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s.wsem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closing:
		return store.ErrClosed
	}
	defer func() { <-s.wsem }()

	s.mu.RLock()
	closed, rev := s.closed, s.rev
	s.mu.RUnlock()
	if closed {
		return store.ErrClosed
	}
	// The committed state cannot change while we hold wsem, so fn's reads
	// (committed state overlaid with its own writes) are serializable.
	t := &tx{reader: reader{s: s, ctx: ctx, inTx: true}, rev: rev + 1, writes: make(map[string]*write)}
	err := func() error {
		defer func() { t.done = true }()
		return fn(t)
	}()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	events := t.events()
	if len(events) == 0 {
		return nil // a read-only transaction is not a write: no revision
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return store.ErrClosed
	}
	for _, ev := range events {
		if ev.Type == store.EventDelete {
			s.deleteLocked(ev.KV.Key)
		} else {
			s.putLocked(ev.KV.Key, entry{value: ev.KV.Value, rev: t.rev})
		}
	}
	s.rev = t.rev
	s.mu.Unlock()

	// Still holding wsem: the next transaction cannot publish before this
	// one, so watchers see revision order.
	s.hub.Publish(events)
	return nil
}

func (s *Store) putLocked(key string, e entry) {
	if _, ok := s.data[key]; !ok {
		i, _ := slices.BinarySearch(s.keys, key)
		s.keys = slices.Insert(s.keys, i, key)
	}
	s.data[key] = e
}

func (s *Store) deleteLocked(key string) {
	if _, ok := s.data[key]; !ok {
		return
	}
	delete(s.data, key)
	if i, ok := slices.BinarySearch(s.keys, key); ok {
		s.keys = slices.Delete(s.keys, i, i+1)
	}
}

// Watch reports changes under prefix committed after the call. See
// store.Store.Watch; events come from the same in-process fan-out as the
// bolt backend.
func (s *Store) Watch(ctx context.Context, prefix string) (<-chan store.Event, error) {
	return s.hub.Subscribe(ctx, prefix)
}

// Revision returns the revision of the last committed write (0 for a new
// store).
func (s *Store) Revision(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, store.ErrClosed
	}
	return s.rev, nil
}

// Close drops the data and closes every watcher. It waits for a running
// Update to finish; Updates waiting to start return store.ErrClosed. A second
// Close returns store.ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return store.ErrClosed
	}
	s.closed = true
	close(s.closing)
	s.mu.Unlock()
	s.hub.Close()
	s.wsem <- struct{}{} // wait for the running writer; never released
	s.mu.Lock()
	s.keys, s.data = nil, nil
	s.mu.Unlock()
	return nil
}

// reader reads the committed state. View holds s.mu for reading around its
// whole use; Update's reads take it per call (safe because no other writer
// can commit while the Update holds wsem).
type reader struct {
	s    *Store
	ctx  context.Context
	done bool
	// inTx is set inside Update, where each read takes the read lock
	// itself because no lock is held around fn.
	inTx bool
}

func (r *reader) check(key string, needKey bool) error {
	if r.done {
		return errTxDone
	}
	if needKey && key == "" {
		return errEmptyKey
	}
	return r.ctx.Err()
}

func (r *reader) lock() func() {
	if !r.inTx {
		return func() {}
	}
	r.s.mu.RLock()
	return r.s.mu.RUnlock
}

func (r *reader) getCommitted(key string) (entry, bool) {
	defer r.lock()()
	e, ok := r.s.data[key]
	return e, ok
}

func (r *reader) Get(key string) (store.KV, error) {
	if err := r.check(key, true); err != nil {
		return store.KV{}, err
	}
	e, ok := r.getCommitted(key)
	if !ok {
		return store.KV{}, fmt.Errorf("%w: %q", store.ErrNotFound, key)
	}
	return store.KV{Key: key, Value: clone(e.value), Revision: e.rev}, nil
}

// scan calls fn for committed keys with prefix, after startAfter, in order,
// until fn returns false.
func (r *reader) scan(prefix, startAfter string, fn func(key string, e entry) bool) {
	defer r.lock()()
	from := max(prefix, startAfter)
	i, _ := slices.BinarySearch(r.s.keys, from)
	for ; i < len(r.s.keys); i++ {
		k := r.s.keys[i]
		if !strings.HasPrefix(k, prefix) {
			return
		}
		if k == startAfter {
			continue
		}
		if !fn(k, r.s.data[k]) {
			return
		}
	}
}

func (r *reader) List(prefix, startAfter string, limit int) ([]store.KV, error) {
	if err := r.check("", false); err != nil {
		return nil, err
	}
	var out []store.KV
	r.scan(prefix, startAfter, func(k string, e entry) bool {
		out = append(out, store.KV{Key: k, Value: clone(e.value), Revision: e.rev})
		return limit <= 0 || len(out) < limit
	})
	return out, nil
}

// write is the final state of a key written in a transaction.
type write struct {
	deleted bool
	value   []byte
	existed bool // the key existed before the transaction
}

type tx struct {
	reader
	rev    int64
	writes map[string]*write
}

func (t *tx) Get(key string) (store.KV, error) {
	if err := t.check(key, true); err != nil {
		return store.KV{}, err
	}
	if w, ok := t.writes[key]; ok {
		if w.deleted {
			return store.KV{}, fmt.Errorf("%w: %q", store.ErrNotFound, key)
		}
		return store.KV{Key: key, Value: clone(w.value), Revision: t.rev}, nil
	}
	return t.reader.Get(key)
}

// List merges the committed keys with the transaction's own writes.
func (t *tx) List(prefix, startAfter string, limit int) ([]store.KV, error) {
	if err := t.check("", false); err != nil {
		return nil, err
	}
	var pending []string
	for k := range t.writes {
		if strings.HasPrefix(k, prefix) && k > startAfter {
			pending = append(pending, k)
		}
	}
	sort.Strings(pending)
	var out []store.KV
	full := func() bool { return limit > 0 && len(out) >= limit }
	// emitPending emits this transaction's writes that sort before key (all
	// of them if key is ""), and reports whether there is room for more.
	emitPending := func(key string) bool {
		for len(pending) > 0 && (key == "" || pending[0] < key) && !full() {
			k := pending[0]
			pending = pending[1:]
			if w := t.writes[k]; !w.deleted {
				out = append(out, store.KV{Key: k, Value: clone(w.value), Revision: t.rev})
			}
		}
		return !full()
	}
	t.scan(prefix, startAfter, func(k string, e entry) bool {
		if !emitPending(k) {
			return false
		}
		if _, ok := t.writes[k]; ok {
			return true // emitted (or hidden) from pending instead
		}
		out = append(out, store.KV{Key: k, Value: clone(e.value), Revision: e.rev})
		return !full()
	})
	emitPending("")
	return out, nil
}

// exists reports whether key exists as this transaction sees it.
func (t *tx) exists(key string) (exists, existedBefore bool) {
	if w, ok := t.writes[key]; ok {
		return !w.deleted, w.existed
	}
	_, ok := t.getCommitted(key)
	return ok, ok
}

func (t *tx) set(key string, value []byte, deleted bool) {
	_, before := t.exists(key)
	v := clone(value)
	if !deleted && v == nil {
		v = []byte{}
	}
	t.writes[key] = &write{deleted: deleted, value: v, existed: before}
}

func (t *tx) Create(key string, value []byte) error {
	if err := t.check(key, true); err != nil {
		return err
	}
	if ok, _ := t.exists(key); ok {
		return fmt.Errorf("%w: %q", store.ErrExists, key)
	}
	t.set(key, value, false)
	return nil
}

func (t *tx) Put(key string, value []byte) error {
	if err := t.check(key, true); err != nil {
		return err
	}
	t.set(key, value, false)
	return nil
}

func (t *tx) CompareAndSwap(key string, rev int64, value []byte) error {
	cur, err := t.Get(key)
	if err != nil {
		return err
	}
	if cur.Revision != rev {
		return fmt.Errorf("%w: %q is at revision %d, not %d", store.ErrConflict, key, cur.Revision, rev)
	}
	t.set(key, value, false)
	return nil
}

func (t *tx) Delete(key string) error {
	if err := t.check(key, true); err != nil {
		return err
	}
	if ok, _ := t.exists(key); !ok {
		return fmt.Errorf("%w: %q", store.ErrNotFound, key)
	}
	t.set(key, nil, true)
	return nil
}

// events turns the write set into one event per changed key, in key order. A
// key created and deleted within the transaction never existed as far as
// anyone outside can tell, so it yields no event.
func (t *tx) events() []store.Event {
	keys := make([]string, 0, len(t.writes))
	for k, w := range t.writes {
		if w.deleted && !w.existed {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	events := make([]store.Event, 0, len(keys))
	for _, k := range keys {
		w := t.writes[k]
		if w.deleted {
			events = append(events, store.Event{Type: store.EventDelete, KV: store.KV{Key: k, Revision: t.rev}})
		} else {
			events = append(events, store.Event{Type: store.EventPut, KV: store.KV{Key: k, Value: w.value, Revision: t.rev}})
		}
	}
	return events
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}
