package token

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

// RingKey is the store key holding the key ring. Deleting it revokes every
// outstanding session token: the next LoadRing (every Watcher does one when
// it sees the deletion) creates a fresh ring.
const RingKey = "sts/keyring"

const (
	// RetireAfter is how long a key still opens tokens after it stopped
	// being the sealing key: the longest session plus an hour for clock
	// skew between replicas and for a replica that has not yet seen a
	// rotation.
	RetireAfter = MaxSessionDuration + time.Hour
	// ActivationDelay is how long after Rotate the new key starts sealing.
	// Until then every replica already has it for opening (a Watcher sees
	// the rotation within milliseconds), so a token sealed by one replica
	// opens on all of them.
	ActivationDelay = time.Minute
)

// storedRing is the JSON under RingKey.
type storedRing struct {
	Version int         `json:"version"`
	Keys    []storedKey `json:"keys"` // ascending ActiveFrom
}

type storedKey struct {
	ID         uint32    `json:"id"`
	Secret     []byte    `json:"secret"` // 32 bytes, base64 in JSON
	Created    time.Time `json:"created"`
	ActiveFrom time.Time `json:"activeFrom"`
}

const ringVersion = 1

// Ring is a set of AES-256-GCM keys: the one sealing now and the ones it
// replaced within RetireAfter, which still open. A Ring is immutable and safe
// for concurrent use; rotation produces a new Ring (see Watcher).
type Ring struct {
	rev  int64
	keys []ringKey // ascending activeFrom
}

type ringKey struct {
	id         uint32
	aead       cipher.AEAD
	created    time.Time
	activeFrom time.Time
	retiredAt  time.Time // the next key's activeFrom; zero for the newest
}

// KeyInfo describes one key of a Ring, without its material.
type KeyInfo struct {
	ID         uint32
	Created    time.Time
	ActiveFrom time.Time // when it starts sealing
	RetiredAt  time.Time // when it stops sealing (zero: newest key)
}

// Revision is the store revision the ring was read at.
func (r *Ring) Revision() int64 { return r.rev }

// Keys describes the ring's keys, oldest first.
func (r *Ring) Keys() []KeyInfo {
	out := make([]KeyInfo, len(r.keys))
	for i, k := range r.keys {
		out[i] = KeyInfo{ID: k.id, Created: k.created, ActiveFrom: k.activeFrom, RetiredAt: k.retiredAt}
	}
	return out
}

// SealingKey returns the ID of the key that seals claims issued at t: the
// newest key active at t (the oldest key if t precedes them all).
func (r *Ring) SealingKey(t time.Time) uint32 { return r.sealKey(t).id }

func (r *Ring) sealKey(t time.Time) *ringKey {
	for i := len(r.keys) - 1; i > 0; i-- {
		if !t.Before(r.keys[i].activeFrom) {
			return &r.keys[i]
		}
	}
	return &r.keys[0]
}

func (r *Ring) key(id uint32) *ringKey {
	for i := range r.keys {
		if r.keys[i].id == id {
			return &r.keys[i]
		}
	}
	return nil
}

// Seal validates c and seals it with the key active at c.IssuedAt. Its
// errors are the issuer's (invalid claims, ErrTooLarge), never the client's.
func (r *Ring) Seal(c Claims) (string, error) {
	if err := c.validate(); err != nil {
		return "", err
	}
	return seal(r.sealKey(c.IssuedAt), &c)
}

// Open authenticates and decrypts token. Every failure is an *awserr.Error:
// ExpiredToken when now is at or past the claims' expiry, and
// InvalidClientTokenId for anything else (malformed, tampered with, sealed
// with a key this ring does not hold or retired more than RetireAfter before
// now). It never panics and its errors never contain the token.
func (r *Ring) Open(token string, now time.Time) (Claims, error) {
	raw, id, ok := parse(token)
	if !ok {
		return Claims{}, InvalidClientTokenID()
	}
	k := r.key(id)
	if k == nil || (!k.retiredAt.IsZero() && !now.Before(k.retiredAt.Add(RetireAfter))) {
		return Claims{}, InvalidClientTokenID()
	}
	body := raw[headerLen:]
	plain, err := k.aead.Open(body[:0], nil, body, raw[:headerLen])
	if err != nil {
		return Claims{}, InvalidClientTokenID()
	}
	c, ok := decodeClaims(plain)
	if !ok {
		return Claims{}, InvalidClientTokenID()
	}
	if !now.Before(c.Expires) {
		return Claims{}, ExpiredToken()
	}
	return c, nil
}

// newKey returns a fresh key with an ID not in taken.
func newKey(now, activeFrom time.Time, taken []storedKey) storedKey {
	k := storedKey{Secret: make([]byte, 32), Created: now.UTC(), ActiveFrom: activeFrom.UTC()}
	rand.Read(k.Secret)
	var id [4]byte
	for {
		rand.Read(id[:])
		k.ID = binary.BigEndian.Uint32(id[:])
		if !slices.ContainsFunc(taken, func(o storedKey) bool { return o.ID == k.ID }) {
			return k
		}
	}
}

// parseRing builds a Ring from the stored JSON.
func parseRing(data []byte, rev int64) (*Ring, error) {
	var sr storedRing
	if err := json.Unmarshal(data, &sr); err != nil {
		return nil, fmt.Errorf("token: key ring %s: %w", RingKey, err)
	}
	if sr.Version != ringVersion {
		return nil, fmt.Errorf("token: key ring %s: unsupported version %d", RingKey, sr.Version)
	}
	if len(sr.Keys) == 0 {
		return nil, fmt.Errorf("token: key ring %s has no keys", RingKey)
	}
	r := &Ring{rev: rev, keys: make([]ringKey, len(sr.Keys))}
	for i, sk := range sr.Keys {
		if len(sk.Secret) != 32 {
			return nil, fmt.Errorf("token: key ring %s: key %08x is not 32 bytes", RingKey, sk.ID)
		}
		if i > 0 && !sk.ActiveFrom.After(sr.Keys[i-1].ActiveFrom) {
			return nil, fmt.Errorf("token: key ring %s: keys out of order", RingKey)
		}
		if slices.ContainsFunc(sr.Keys[:i], func(o storedKey) bool { return o.ID == sk.ID }) {
			return nil, fmt.Errorf("token: key ring %s: duplicate key %08x", RingKey, sk.ID)
		}
		block, err := aes.NewCipher(sk.Secret)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, err
		}
		r.keys[i] = ringKey{id: sk.ID, aead: aead, created: sk.Created, activeFrom: sk.ActiveFrom}
		if i > 0 {
			r.keys[i-1].retiredAt = sk.ActiveFrom
		}
	}
	return r, nil
}

// readRing reads the ring from the store (store.ErrNotFound if absent).
func readRing(ctx context.Context, st store.Store) (*Ring, error) {
	var kv store.KV
	err := st.View(ctx, func(r store.Reader) error {
		var err error
		kv, err = r.Get(RingKey)
		return err
	})
	if err != nil {
		return nil, err
	}
	return parseRing(kv.Value, kv.Revision)
}

// LoadRing reads the key ring from st, creating it with one key, active from
// now, if it does not exist. Replicas starting at the same time agree: only
// one Create succeeds and the others read what it wrote.
func LoadRing(ctx context.Context, st store.Store, now time.Time) (*Ring, error) {
	for range 3 {
		r, err := readRing(ctx, st)
		if !errors.Is(err, store.ErrNotFound) {
			return r, err
		}
		val, err := json.Marshal(storedRing{Version: ringVersion, Keys: []storedKey{newKey(now, now, nil)}})
		if err != nil {
			return nil, err
		}
		err = st.Update(ctx, func(tx store.Tx) error { return tx.Create(RingKey, val) })
		if err != nil && !errors.Is(err, store.ErrExists) {
			return nil, fmt.Errorf("token: creating key ring: %w", err)
		}
		// Read back what is there now: ours, or the one that won.
	}
	return nil, fmt.Errorf("token: key ring %s keeps disappearing", RingKey)
}

// Rotate adds a key that starts sealing ActivationDelay after now, and drops
// keys that stopped sealing more than RetireAfter before now. It returns the
// ring as stored afterwards.
func Rotate(ctx context.Context, st store.Store, now time.Time) (*Ring, error) {
	return rotate(ctx, st, now, -1)
}

// RotateIfDue is Rotate, unless the newest key became (or will become)
// active less than maxAge before now, in which case the ring is returned as
// it is. Replicas that each rotate on a timer call it so that the ring is
// rotated once per maxAge, not once per replica.
func RotateIfDue(ctx context.Context, st store.Store, now time.Time, maxAge time.Duration) (*Ring, error) {
	return rotate(ctx, st, now, maxAge)
}

func rotate(ctx context.Context, st store.Store, now time.Time, maxAge time.Duration) (*Ring, error) {
	err := st.Update(ctx, func(tx store.Tx) error {
		kv, err := tx.Get(RingKey)
		if errors.Is(err, store.ErrNotFound) {
			val, err := json.Marshal(storedRing{Version: ringVersion, Keys: []storedKey{newKey(now, now, nil)}})
			if err != nil {
				return err
			}
			return tx.Create(RingKey, val)
		}
		if err != nil {
			return err
		}
		if _, err := parseRing(kv.Value, kv.Revision); err != nil {
			return err // refuse to rewrite a ring we cannot read
		}
		var sr storedRing
		if err := json.Unmarshal(kv.Value, &sr); err != nil {
			return err
		}
		newest := sr.Keys[len(sr.Keys)-1]
		if maxAge >= 0 && now.Sub(newest.ActiveFrom) < maxAge {
			return nil
		}
		// Prune: key i stopped sealing at keys[i+1].ActiveFrom.
		drop := 0
		for drop < len(sr.Keys)-1 && !now.Before(sr.Keys[drop+1].ActiveFrom.Add(RetireAfter)) {
			drop++
		}
		sr.Keys = slices.Clone(sr.Keys[drop:])
		activeFrom := now.Add(ActivationDelay)
		if last := sr.Keys[len(sr.Keys)-1].ActiveFrom; !activeFrom.After(last) {
			activeFrom = last.Add(time.Second)
		}
		sr.Keys = append(sr.Keys, newKey(now, activeFrom, sr.Keys))
		val, err := json.Marshal(sr)
		if err != nil {
			return err
		}
		return tx.CompareAndSwap(RingKey, kv.Revision, val)
	})
	if err != nil {
		return nil, fmt.Errorf("token: rotating key ring: %w", err)
	}
	return readRing(ctx, st)
}
