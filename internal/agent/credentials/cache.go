package credentials

import (
	"crypto/sha256"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/uuid"
)

// RoleType says which of a task's two roles a credential ID serves. It picks
// the audit event type: GetCredentials for the task role and
// GetCredentialsExecutionRole for the execution role.
type RoleType uint8

const (
	// TaskRole is the role the task's own containers act as (taskRoleArn).
	TaskRole RoleType = iota + 1
	// ExecutionRole is the role the agent acts as on the task's behalf
	// (executionRoleArn): image pulls, log delivery, secrets.
	ExecutionRole
)

// String returns "TaskRole", "ExecutionRole" or "InvalidRoleType".
func (t RoleType) String() string {
	switch t {
	case TaskRole:
		return "TaskRole"
	case ExecutionRole:
		return "ExecutionRole"
	default:
		return "InvalidRoleType"
	}
}

// Credentials are temporary role credentials as STS issues them.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// initialized reports whether the credentials can be served at all. A task can
// be registered before its first credentials arrive (the agent's state
// reconciliation after a restart); such an entry answers 503.
func (c *Credentials) initialized() bool {
	return c.AccessKeyID != "" && c.SecretAccessKey != "" && !c.Expiration.IsZero()
}

// Entry is what the cache holds for one credential ID.
type Entry struct {
	TaskARN              string
	RoleARN              string
	RoleType             RoleType
	Credentials          Credentials
	Cluster              string
	ContainerInstanceARN string
	// AuthorizationToken, when not empty, must be sent verbatim in the
	// request's Authorization header (AWS_CONTAINER_CREDENTIALS_FULL_URI with
	// AWS_CONTAINER_AUTHORIZATION_TOKEN). Only its SHA-256 is kept.
	AuthorizationToken string
}

// ErrNotFound is returned by Update for a credential ID the cache does not hold.
var ErrNotFound = errors.New("credentials: credential ID not found")

// ErrEmptyID is returned by Set for an empty credential ID.
var ErrEmptyID = errors.New("credentials: empty credential ID")

// record is the stored form of an Entry: the token is replaced by its hash so
// that the cache never holds it and comparisons are length-independent.
//
// body is the 200 response, rendered when the credentials are stored rather
// than on every request: it depends only on the role ARN and the credentials,
// which a record never changes (Update makes a new record). It holds the same
// secrets as entry.Credentials, for exactly as long. Handlers share it
// read-only; contentLength is its Content-Length header value. body is nil if
// rendering failed (it cannot with string fields); the handler then answers
// 500 as before.
type record struct {
	entry         Entry
	hasToken      bool
	tokenHash     [sha256.Size]byte
	body          []byte
	contentLength string
}

// render fills body and contentLength from entry.
func (r *record) render() {
	body, err := appendCredentialsJSON(make([]byte, 0, credentialsJSONSize(r.entry.RoleARN, &r.entry.Credentials)), r.entry.RoleARN, &r.entry.Credentials)
	if err != nil {
		r.body, r.contentLength = nil, ""
		return
	}
	r.body = body
	r.contentLength = strconv.Itoa(len(body))
}

// Cache maps credential IDs to entries. It is safe for concurrent use; Get
// neither allocates nor blocks other readers. The zero value is not usable:
// call NewCache.
type Cache struct {
	mu sync.RWMutex
	m  map[string]*record
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{m: make(map[string]*record)}
}

// Set stores e under id, replacing whatever was there (the control plane
// assigning a task its role, or re-sending it after an agent restart).
func (c *Cache) Set(id string, e Entry) error {
	if id == "" {
		return ErrEmptyID
	}
	r := &record{entry: e}
	if e.AuthorizationToken != "" {
		r.hasToken = true
		r.tokenHash = sha256.Sum256([]byte(e.AuthorizationToken))
		r.entry.AuthorizationToken = ""
	}
	r.render()
	c.mu.Lock()
	c.m[id] = r
	c.mu.Unlock()
	return nil
}

// Update replaces the credentials of an existing entry: the control plane
// pushes refreshed credentials under the same ID. It returns ErrNotFound if the
// ID is unknown (for example because the task stopped meanwhile).
func (c *Cache) Update(id string, creds Credentials) error {
	return c.update(id, creds, false)
}

// update swaps the credentials; with onlyLater it keeps the stored ones when
// they expire no earlier than creds (a refresh racing a control-plane push
// must not replace newer credentials with older ones).
func (c *Cache) update(id string, creds Credentials, onlyLater bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.m[id]
	if !ok {
		return ErrNotFound
	}
	if onlyLater && old.entry.Credentials.initialized() && !creds.Expiration.After(old.entry.Credentials.Expiration) {
		return nil
	}
	// Copy on write: readers holding the old record keep a consistent view.
	r := *old
	r.entry.Credentials = creds
	r.render()
	c.m[id] = &r
	return nil
}

// Remove forgets id (the task stopped). Later requests for it get 400
// InvalidIdInRequest. Removing an unknown ID is not an error.
func (c *Cache) Remove(id string) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}

// Get returns the entry stored under id. The returned Entry never carries the
// authorization token (only its hash is stored).
func (c *Cache) Get(id string) (Entry, bool) {
	r, ok := c.get(id)
	if !ok {
		return Entry{}, false
	}
	return r.entry, true
}

func (c *Cache) get(id string) (*record, bool) {
	c.mu.RLock()
	r, ok := c.m[id]
	c.mu.RUnlock()
	return r, ok
}

// Len returns the number of entries.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// NewCredentialID returns a fresh credential ID: a random (version 4) UUID
// such as 12345678-90ab-4def-9234-567890abcdef, 122 bits from crypto/rand.
// The ID is the only thing standing between a container and another task's
// credentials, so it must be unguessable; see the package documentation.
func NewCredentialID() string { return uuid.New() }
