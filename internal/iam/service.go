package iam

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Service is the IAM domain. It is safe for concurrent use.
type Service struct {
	Store     store.Store
	Partition string           // "aws"
	Now       func() time.Time // injectable clock
	Quotas    Quotas
	cache     recordCache
}

// New returns a Service over st.
func New(st store.Store) *Service {
	return &Service{Store: st, Partition: "aws", Quotas: DefaultQuotas, Now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }}
}

// Caller is the principal making a request, as far as the domain needs to
// know it.
type Caller struct {
	Account string
	// ARN names the caller as AWS does (GetCallerIdentity's Arn): the root
	// ARN, a user ARN, or an assumed-role session ARN.
	ARN string
	// UserID is GetCallerIdentity's UserId: the account ID for the root,
	// AIDA... for a user, AROA...:session for a role session.
	UserID      string
	AccessKeyID string
	// UserName is set for IAM users (also when they use temporary
	// credentials from GetSessionToken).
	UserName string
	// RoleARN and SessionName are set for role sessions.
	RoleARN     string
	SessionName string
	// Temporary is set when the caller signed with temporary credentials.
	Temporary bool
}

// Store keys. Names are lower-cased in keys because IAM names are unique
// without regard to case; records keep the name as given.
func roleKey(acct, name string) string   { return "iam/" + acct + "/role/" + strings.ToLower(name) }
func rolePrefix(acct string) string      { return "iam/" + acct + "/role/" }
func policyKey(acct, name string) string { return "iam/" + acct + "/policy/" + strings.ToLower(name) }
func policyPrefix(acct string) string    { return "iam/" + acct + "/policy/" }
func profileKey(acct, name string) string {
	return "iam/" + acct + "/instance-profile/" + strings.ToLower(name)
}
func profilePrefix(acct string) string  { return "iam/" + acct + "/instance-profile/" }
func userKey(acct, name string) string  { return "iam/" + acct + "/user/" + strings.ToLower(name) }
func userPrefix(acct string) string     { return "iam/" + acct + "/user/" }
func groupKey(acct, name string) string { return "iam/" + acct + "/group/" + strings.ToLower(name) }
func groupPrefix(acct string) string    { return "iam/" + acct + "/group/" }
func awsPolicyKey(acct, name string) string {
	return "iam/" + acct + "/aws-policy-usage/" + name
}
func accessKeyKey(id string) string { return "iam/access-key/" + id }
func accountKey(id string) string   { return "iam/account/" + id }

// get, put, create and list are the store's JSON record helpers for IAM.
func get[T any](r store.Reader, key string) (*T, int64, error) {
	return store.GetJSON[T](r, key, "iam")
}
func put(tx store.Tx, key string, v any) error    { return store.PutJSON(tx, key, v) }
func create(tx store.Tx, key string, v any) error { return store.CreateJSON(tx, key, v) }
func list[T any](r store.Reader, prefix string) ([]*T, error) {
	return store.ListJSON[T](r, prefix, "iam")
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// update runs fn in a transaction and maps unexpected store failures to
// ServiceFailure, so a caller never sees a bare internal error.
func (s *Service) update(ctx context.Context, fn func(tx store.Tx) error) error {
	return mapErr(s.Store.Update(ctx, fn))
}

func (s *Service) view(ctx context.Context, fn func(r store.Reader) error) error {
	return mapErr(s.Store.View(ctx, fn))
}

func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := awserr.As(err); ok {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return awserr.ServiceFailure("An internal error occurred: %v", err)
}

// idAlphabet is what IAM unique IDs are made of after their prefix.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// NewID returns an IAM unique ID such as AROA + 17 characters (21 in all),
// or AKIA + 16 for access keys, from crypto/rand.
func NewID(prefix string) string {
	n := 21 - len(prefix)
	if prefix == "AKIA" || prefix == "ASIA" {
		n = 16
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return prefix + string(b)
}

// NewSecret returns a 40-character secret access key.
func NewSecret() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, 40)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func (s *Service) arn(acct, typ, path, name string) string {
	return "arn:" + s.Partition + ":iam::" + acct + ":" + typ + path + name
}

// recordCache keeps decoded records by key and revision, so read-only paths
// (GetRole, ListRoles, ...) skip JSON decoding of records that have not
// changed. Records handed out from it are shared between requests: only
// paths that never modify what they read may use it.
type recordCache struct {
	mu sync.RWMutex
	m  map[string]cachedRecord
}

type cachedRecord struct {
	rev int64
	v   any
}

// maxCachedRecords bounds the cache; past it the cache starts over, which
// costs one decode per record and keeps deleted records from piling up.
const maxCachedRecords = 200_000

// decodeShared decodes kv into a *T, or returns the copy decoded earlier
// from the same revision.
func decodeShared[T any](c *recordCache, kv store.KV) (*T, error) {
	c.mu.RLock()
	e, ok := c.m[kv.Key]
	c.mu.RUnlock()
	if ok && e.rev == kv.Revision {
		if v, ok := e.v.(*T); ok {
			return v, nil
		}
	}
	v, err := store.DecodeJSON[T](kv, "iam")
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedRecords {
		c.m = make(map[string]cachedRecord)
	}
	c.m[kv.Key] = cachedRecord{rev: kv.Revision, v: v}
	c.mu.Unlock()
	return v, nil
}

// getShared is get for read-only paths: see recordCache. When the store can
// tell a key's revision without copying its value, a cached record costs no
// copy at all.
func getShared[T any](s *Service, r store.Reader, key string) (*T, error) {
	if rr, ok := r.(store.RevisionReader); ok {
		rev, err := rr.GetRevision(key)
		if err != nil {
			return nil, err
		}
		s.cache.mu.RLock()
		e, hit := s.cache.m[key]
		s.cache.mu.RUnlock()
		if hit && e.rev == rev {
			if v, ok := e.v.(*T); ok {
				return v, nil
			}
		}
	}
	kv, err := r.Get(key)
	if err != nil {
		return nil, err
	}
	return decodeShared[T](&s.cache, kv)
}
