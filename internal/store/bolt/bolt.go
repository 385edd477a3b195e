// Package bolt is rolecall's embedded, default store.Store: one file on local
// disk, managed by bbolt (go.etcd.io/bbolt), a copy-on-write B+tree with
// serializable transactions and a single writer.
//
// # Layout
//
// The file holds two buckets. "kv" maps each key to its value prefixed with
// the 8-byte big-endian revision of the transaction that last wrote it, so a
// Get returns value and revision from one lookup and a CompareAndSwap needs
// no second index. "meta" holds "version" (the layout version, so a future
// layout can refuse or migrate an old file instead of misreading it) and
// "revision" (the store-wide revision of the last committed write, 8 bytes
// big-endian). A record too short to hold its revision is reported as an
// error, never a panic: the file may have been damaged or written by
// something else.
//
// # Durability
//
// Every commit is fsynced before Update returns (bbolt's default; NoSync is
// never set), so a nil from Update means the write survives a crash of the
// process or of the machine. That costs one or two fsyncs per Update, which
// is what bounds write throughput (see BenchmarkUpdate); batch related writes
// into one Update rather than turning durability off.
//
// # Concurrency
//
// bbolt admits one writer at a time, so Update runs fn exactly once: there is
// no optimistic conflict to retry. Callers must still write fn as store.Store
// asks (no side effects outside tx), because other backends (etcd) may run it
// more than once. Writers wait for each other in a queue that respects their
// context. Views run concurrently with each other and with the writer, each
// on its own snapshot. A Reader or Tx must not be used from more than one
// goroutine, nor after fn returns (it then returns an error wrapping
// store.ErrClosed). fn must not call Update on the same store (it would wait
// for itself); a View inside an Update can deadlock bbolt when the file has
// to grow, so avoid that too.
//
// # Watch
//
// Watchers are served in-process: after each commit, and before Update
// returns, the transaction's changes are handed to every matching watcher
// through a buffered channel. Publishing happens while the writer lock is
// still held, so watchers see transactions in revision order. A watcher
// whose buffer is full is dropped (its channel closed) instead of blocking
// the writer. Only changes made through this Store value are seen; the file
// is locked against other processes anyway.
package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/store/internal/fanout"
)

var (
	bucketKV   = []byte("kv")
	bucketMeta = []byte("meta")
	keyVersion = []byte("version")
	keyRev     = []byte("revision")
)

// layoutVersion is the on-disk layout described in the package comment.
const layoutVersion = 1

// revLen is the size of the revision prefix on every stored value.
const revLen = 8

var (
	// errEmptyKey: bbolt (and etcd) cannot store the empty key.
	errEmptyKey = errors.New("store: empty key")
	// errTxDone: a Reader or Tx was used after its function returned.
	errTxDone = fmt.Errorf("%w: transaction already finished", store.ErrClosed)
)

// Store is a store.Store backed by one bbolt file. Create it with Open.
type Store struct {
	db  *bbolt.DB
	hub *fanout.Hub

	// wsem admits one Update at a time. bbolt serializes writers itself, but
	// its lock cannot be abandoned when a context ends, and publishing to
	// watchers must happen before the next writer commits; both need a lock
	// of our own around the whole Update.
	wsem    chan struct{}
	closing chan struct{} // closed by Close, wakes writers waiting for wsem
	closed  atomic.Bool
}

var _ store.Store = (*Store)(nil)

type options struct {
	watchBuffer int
	lockTimeout time.Duration
}

// Option configures Open.
type Option func(*options)

// WithWatchBuffer sets how many events a watcher may fall behind before it
// is dropped (default fanout.DefaultBuffer, 1024). A single transaction that
// changes more keys under a watcher's prefix than this always drops it.
func WithWatchBuffer(n int) Option { return func(o *options) { o.watchBuffer = n } }

// WithLockTimeout bounds how long Open waits for the file lock held by
// another process (default 5s; 0 means wait forever). Without a bound, a
// second rolecall started on the same file would hang with no explanation.
func WithLockTimeout(d time.Duration) Option { return func(o *options) { o.lockTimeout = d } }

// Open opens the store at path, creating the file (mode 0600) and its parent
// directory (mode 0700) if needed: the file holds credentials' metadata and
// must not be readable by other users. It fails if the file was written with
// a layout this version does not know, or if another process holds it past
// the lock timeout.
func Open(path string, opts ...Option) (*Store, error) {
	o := options{lockTimeout: 5 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store/bolt: %w", err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout: o.lockTimeout,
		// NoSync stays false: durability is the point of this backend.
		NoSync: false,
	})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("store/bolt: %s is locked by another process: %w", path, err)
		}
		return nil, fmt.Errorf("store/bolt: open %s: %w", path, err)
	}
	if err := db.Update(initialize); err != nil {
		db.Close()
		return nil, fmt.Errorf("store/bolt: %s: %w", path, err)
	}
	return &Store{
		db:      db,
		hub:     fanout.New(o.watchBuffer),
		wsem:    make(chan struct{}, 1),
		closing: make(chan struct{}),
	}, nil
}

// initialize creates the buckets of a new file and checks the layout version
// and revision of an existing one.
func initialize(tx *bbolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketKV); err != nil {
		return err
	}
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	switch v := meta.Get(keyVersion); {
	case v == nil:
		if err := meta.Put(keyVersion, u64(layoutVersion)); err != nil {
			return err
		}
	case len(v) != 8:
		return fmt.Errorf("corrupt layout version (%d bytes)", len(v))
	case binary.BigEndian.Uint64(v) != layoutVersion:
		return fmt.Errorf("unsupported layout version %d (this build reads %d)", binary.BigEndian.Uint64(v), layoutVersion)
	}
	_, err = readRevision(tx)
	return err
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func readRevision(tx *bbolt.Tx) (int64, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, errors.New("meta bucket missing")
	}
	v := meta.Get(keyRev)
	if v == nil {
		return 0, nil // nothing committed yet
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("corrupt revision record (%d bytes)", len(v))
	}
	return int64(binary.BigEndian.Uint64(v)), nil
}

// mapErr turns bbolt's errors into store's where one applies.
func mapErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bolterrors.ErrDatabaseNotOpen):
		return fmt.Errorf("%w (%s: %v)", store.ErrClosed, op, err)
	default:
		return fmt.Errorf("store/bolt: %s: %w", op, err)
	}
}

// View runs fn on a read-only bbolt transaction: a snapshot that writers
// committing meanwhile do not change.
func (s *Store) View(ctx context.Context, fn func(store.Reader) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return store.ErrClosed
	}
	btx, err := s.db.Begin(false)
	if err != nil {
		return mapErr("view", err)
	}
	defer btx.Rollback()
	r := &reader{ctx: ctx, b: btx.Bucket(bucketKV)}
	defer func() { r.done = true }()
	return fn(r)
}

// Update runs fn once in bbolt's single write transaction; see the package
// comment. fn's writes are kept only if it returns nil, no write failed
// inside bbolt, and ctx is still live at commit; then they are fsynced and
// published to watchers before Update returns. A transaction that changed
// nothing commits nothing and takes no revision. A panic in fn rolls back
// and propagates.
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
	if s.closed.Load() {
		return store.ErrClosed
	}

	btx, err := s.db.Begin(true)
	if err != nil {
		return mapErr("update", err)
	}
	committed := false
	defer func() {
		if !committed {
			btx.Rollback()
		}
	}()
	cur, err := readRevision(btx)
	if err != nil {
		return fmt.Errorf("store/bolt: %w", err)
	}
	t := &tx{
		reader: reader{ctx: ctx, b: btx.Bucket(bucketKV)},
		rev:    cur + 1,
		writes: make(map[string]*write),
	}
	err = func() error {
		defer func() { t.done = true }()
		return fn(t)
	}()
	switch {
	case err != nil:
		return err
	case t.err != nil:
		// A write failed inside bbolt (say, a key too large) and fn carried
		// on; committing the rest would keep a partial transaction.
		return t.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	events := t.events()
	if len(events) == 0 {
		return nil
	}
	if err := btx.Bucket(bucketMeta).Put(keyRev, u64(uint64(t.rev))); err != nil {
		return mapErr("update", err)
	}
	committed = true // Commit closes the transaction even when it fails
	if err := btx.Commit(); err != nil {
		return mapErr("commit", err)
	}
	s.hub.Publish(events)
	return nil
}

// Watch reports changes under prefix committed through this Store after the
// call; see store.Store.Watch and the package comment.
func (s *Store) Watch(ctx context.Context, prefix string) (<-chan store.Event, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	return s.hub.Subscribe(ctx, prefix)
}

// Revision returns the revision of the last committed write, read from the
// file (0 for a new store), so it agrees with what a View started now sees.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if s.closed.Load() {
		return 0, store.ErrClosed
	}
	var rev int64
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		rev, err = readRevision(tx)
		return err
	})
	if err != nil {
		return 0, mapErr("revision", err)
	}
	return rev, nil
}

// Close closes every watcher, lets a running Update finish (Updates still
// waiting return store.ErrClosed), waits for open Views, and closes the file.
// A second Close returns store.ErrClosed.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return store.ErrClosed
	}
	close(s.closing)
	s.hub.Close()
	s.wsem <- struct{}{} // the running writer, if any, finishes first; never released
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store/bolt: close: %w", err)
	}
	return nil
}

// reader reads through a bbolt bucket of either kind of transaction. Values
// are copied out: bbolt's slices point into the memory map and are only
// valid until the transaction ends.
type reader struct {
	ctx  context.Context
	b    *bbolt.Bucket
	done bool
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

// decode splits a stored record into a copy of the value and its revision.
// The copy is never nil, so an empty value reads back as empty, not absent.
func decode(key, v []byte) (store.KV, error) {
	if len(v) < revLen {
		return store.KV{}, fmt.Errorf("store/bolt: corrupt record for key %q (%d bytes, need at least %d)", key, len(v), revLen)
	}
	return store.KV{
		Key:      string(key),
		Value:    append([]byte{}, v[revLen:]...),
		Revision: int64(binary.BigEndian.Uint64(v[:revLen])),
	}, nil
}

func (r *reader) Get(key string) (store.KV, error) {
	if err := r.check(key, true); err != nil {
		return store.KV{}, err
	}
	v := r.b.Get([]byte(key))
	if v == nil {
		return store.KV{}, fmt.Errorf("%w: %q", store.ErrNotFound, key)
	}
	return decode([]byte(key), v)
}

// GetRevision is Get without copying the value (store.RevisionReader).
func (r *reader) GetRevision(key string) (int64, error) {
	if err := r.check(key, true); err != nil {
		return 0, err
	}
	v := r.b.Get([]byte(key))
	if v == nil {
		return 0, fmt.Errorf("%w: %q", store.ErrNotFound, key)
	}
	if len(v) < revLen {
		return 0, fmt.Errorf("store/bolt: corrupt record for key %q (%d bytes, need at least %d)", key, len(v), revLen)
	}
	return int64(binary.BigEndian.Uint64(v[:revLen])), nil
}

// List seeks to the later of prefix and startAfter and walks the cursor
// while keys keep the prefix: O(log n + limit), whatever the store's size.
func (r *reader) List(prefix, startAfter string, limit int) ([]store.KV, error) {
	if err := r.check("", false); err != nil {
		return nil, err
	}
	p := []byte(prefix)
	after := []byte(startAfter)
	var out []store.KV
	c := r.b.Cursor()
	for k, v := c.Seek([]byte(max(prefix, startAfter))); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if bytes.Equal(k, after) {
			continue
		}
		kv, err := decode(k, v)
		if err != nil {
			return nil, err
		}
		out = append(out, kv)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

// write is the final state of a key a transaction wrote, kept to build the
// watch events after commit.
type write struct {
	deleted bool
	value   []byte // shares the record buffer handed to bbolt
	existed bool   // the key existed before the transaction
}

// tx writes straight into bbolt's write transaction, so reads see the
// transaction's own writes for free. Every record is stamped with the
// revision the transaction will commit as; it is known in advance because
// there is only one writer.
type tx struct {
	reader
	rev    int64
	writes map[string]*write
	err    error // first failure inside bbolt; forces a rollback
}

// fail records an unexpected bbolt error so Update rolls back even if fn
// ignores it.
func (t *tx) fail(op string, err error) error {
	err = mapErr(op, err)
	if t.err == nil {
		t.err = err
	}
	return err
}

// lookup reports whether key currently exists, failing on a corrupt record.
func (t *tx) lookup(key []byte) (store.KV, bool, error) {
	v := t.b.Get(key)
	if v == nil {
		return store.KV{}, false, nil
	}
	kv, err := decode(key, v)
	return kv, err == nil, err
}

func (t *tx) note(key string, w write) {
	if prev, ok := t.writes[key]; ok {
		w.existed = prev.existed
	}
	t.writes[key] = &w
}

func (t *tx) put(key []byte, value []byte, existed bool) error {
	rec := make([]byte, revLen+len(value))
	binary.BigEndian.PutUint64(rec, uint64(t.rev))
	copy(rec[revLen:], value)
	if err := t.b.Put(key, rec); err != nil {
		return t.fail("put", err)
	}
	t.note(string(key), write{value: rec[revLen:], existed: existed})
	return nil
}

func (t *tx) Create(key string, value []byte) error {
	if err := t.check(key, true); err != nil {
		return err
	}
	k := []byte(key)
	_, ok, err := t.lookup(k)
	if err != nil {
		return err
	}
	if ok {
		return fmt.Errorf("%w: %q", store.ErrExists, key)
	}
	return t.put(k, value, false)
}

func (t *tx) Put(key string, value []byte) error {
	if err := t.check(key, true); err != nil {
		return err
	}
	k := []byte(key)
	// Whether the key existed only matters for the first write to it;
	// Put over a corrupt record replaces it, which is the way to repair one.
	existed := t.b.Get(k) != nil
	return t.put(k, value, existed)
}

func (t *tx) CompareAndSwap(key string, rev int64, value []byte) error {
	if err := t.check(key, true); err != nil {
		return err
	}
	k := []byte(key)
	cur, ok, err := t.lookup(k)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %q", store.ErrNotFound, key)
	}
	if cur.Revision != rev {
		return fmt.Errorf("%w: %q is at revision %d, not %d", store.ErrConflict, key, cur.Revision, rev)
	}
	return t.put(k, value, true)
}

func (t *tx) Delete(key string) error {
	if err := t.check(key, true); err != nil {
		return err
	}
	k := []byte(key)
	if t.b.Get(k) == nil {
		return fmt.Errorf("%w: %q", store.ErrNotFound, key)
	}
	if err := t.b.Delete(k); err != nil {
		return t.fail("delete", err)
	}
	t.note(key, write{deleted: true, existed: true})
	return nil
}

// events turns the write set into one event per changed key, in key order. A
// key created and deleted within the transaction never existed as far as
// anyone outside can tell, so it yields no event (and, alone, no revision).
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
		kv := store.KV{Key: k, Revision: t.rev}
		typ := store.EventDelete
		if !w.deleted {
			typ, kv.Value = store.EventPut, w.value
		}
		events = append(events, store.Event{Type: typ, KV: kv})
	}
	return events
}
