// Package store defines the storage rolecall keeps its state in: a small,
// ordered key-value interface with serializable read-write transactions,
// designed so that the embedded default (bbolt) and a distributed backend
// (etcd, whose STM gives the same guarantees) can both implement it. Every
// backend must pass the conformance suite in package storetest.
//
// Keys are '/'-separated paths such as "accounts/123456789012/roles/web";
// values are opaque bytes (rolecall stores JSON). Revisions are store-wide and
// strictly increasing: each committed write transaction gets the next one,
// and every key it wrote carries it.
package store

import (
	"context"
	"errors"
)

// Errors returned by stores. Callers test them with errors.Is.
var (
	// ErrNotFound: the key does not exist.
	ErrNotFound = errors.New("store: key not found")
	// ErrExists: Create found the key already present.
	ErrExists = errors.New("store: key already exists")
	// ErrConflict: a compare-and-swap saw a different revision than expected.
	ErrConflict = errors.New("store: revision conflict")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store: closed")
)

// KV is one stored key with its value and the revision that last wrote it.
type KV struct {
	Key      string
	Value    []byte
	Revision int64
}

// Reader reads a consistent snapshot.
type Reader interface {
	// Get returns the key, or ErrNotFound.
	Get(key string) (KV, error)
	// List returns keys with the given prefix in ascending byte order,
	// starting strictly after startAfter (if not empty), at most limit of
	// them (limit <= 0: all).
	List(prefix, startAfter string, limit int) ([]KV, error)
}

// RevisionReader is an optional Reader method for caches: the revision of a
// key without copying its value. Callers check for it with a type
// assertion and fall back to Get.
type RevisionReader interface {
	// GetRevision returns the key's revision, or ErrNotFound.
	GetRevision(key string) (int64, error)
}

// Tx is a read-write transaction. Its reads see its own writes.
type Tx interface {
	Reader
	// Create writes key only if it does not exist (ErrExists otherwise).
	Create(key string, value []byte) error
	// Put writes key whether or not it exists.
	Put(key string, value []byte) error
	// CompareAndSwap replaces key only if its current revision is rev
	// (ErrConflict otherwise, ErrNotFound if absent).
	CompareAndSwap(key string, rev int64, value []byte) error
	// Delete removes key (ErrNotFound if absent).
	Delete(key string) error
}

// EventType says what happened to a key.
type EventType uint8

const (
	EventPut EventType = iota + 1
	EventDelete
)

// Event is one change seen by a watcher. For EventDelete, KV.Value is nil and
// KV.Revision is the revision of the deleting transaction.
type Event struct {
	Type EventType
	KV   KV
}

// Store is a transactional key-value store.
type Store interface {
	// View runs fn on a consistent snapshot.
	View(ctx context.Context, fn func(Reader) error) error
	// Update runs fn in a serializable read-write transaction. If fn returns
	// an error, nothing it wrote is kept and Update returns that error. When
	// Update returns nil, every write is durable: it survives a crash of the
	// process or the machine. Backends that detect conflicts optimistically
	// may run fn more than once, so fn must have no side effects outside tx.
	Update(ctx context.Context, fn func(Tx) error) error
	// Watch reports changes to keys under prefix committed after the call,
	// in revision order, until ctx is done; then the channel is closed. A
	// watcher that falls too far behind is dropped (its channel closed) so
	// it can never stall writers; it should re-read and watch again.
	Watch(ctx context.Context, prefix string) (<-chan Event, error)
	// Revision returns the revision of the last committed write.
	Revision(ctx context.Context) (int64, error)
	// Close releases the store. Operations after Close return ErrClosed.
	Close() error
}
