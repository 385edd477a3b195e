package sigv4

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"strings"
	"sync"
)

// keyCacheSize bounds the derived-key cache. A signing key is per (access
// key, day, region, service), so steady traffic needs about one entry per
// active credential per region and service.
const keyCacheSize = 1024

// cacheSalt makes the cache's secret digests useless outside this process.
var cacheSalt = func() [32]byte {
	var s [32]byte
	if _, err := rand.Read(s[:]); err != nil {
		panic("sigv4: no randomness for the key-cache salt: " + err.Error())
	}
	return s
}()

// keyID identifies a derived signing key. The secret appears only as a salted
// SHA-256 digest, never in plain form.
type keyID struct {
	secret  [sha256.Size]byte
	date    string
	region  string
	service string
}

type keyCache struct {
	mu sync.Mutex
	m  map[keyID][sha256.Size]byte
}

var signingKeys = &keyCache{m: make(map[keyID][sha256.Size]byte, 64)}

func secretDigest(secret string) [sha256.Size]byte {
	var buf [128]byte
	b := append(buf[:0], cacheSalt[:]...)
	b = append(b, secret...) // stays on the stack for usual secret lengths
	d := sha256.Sum256(b)
	clear(b)
	return d
}

// signingKey returns HMAC-chain-derived kSigning for the scope, from the cache
// when it is there.
func (c *keyCache) signingKey(secret, date, region, service string) [sha256.Size]byte {
	id := keyID{secret: secretDigest(secret), date: date, region: region, service: service}
	c.mu.Lock()
	k, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return k
	}
	k = deriveKey(secret, date, region, service)
	// The strings may point into a large request header; keep copies.
	id.date, id.region, id.service = strings.Clone(date), strings.Clone(region), strings.Clone(service)
	c.mu.Lock()
	if len(c.m) >= keyCacheSize {
		// Drop a quarter, chosen by map iteration order (random enough to
		// keep hot keys likely to survive and cold ones likely to go).
		n := keyCacheSize / 4
		for key := range c.m {
			delete(c.m, key)
			if n--; n <= 0 {
				break
			}
		}
	}
	c.m[id] = k
	c.mu.Unlock()
	return k
}

func (c *keyCache) reset() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}

func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// hmacSHA256Key32 is HMAC-SHA256 (RFC 2104) for a 32-byte key, computed on
// the stack: SHA-256((K^opad) || SHA-256((K^ipad) || msg)). It is the hot
// path's HMAC; the key derivation on a cache miss uses crypto/hmac.
func hmacSHA256Key32(key *[sha256.Size]byte, msg []byte) [sha256.Size]byte {
	const block = 64
	var inner [block + 256]byte
	in := inner[:block]
	for i := range in {
		in[i] = 0x36
	}
	for i, k := range key {
		in[i] ^= k
	}
	in = append(in, msg...)
	ih := sha256.Sum256(in)
	var outer [block + sha256.Size]byte
	for i := 0; i < block; i++ {
		outer[i] = 0x5c
	}
	for i, k := range key {
		outer[i] ^= k
	}
	copy(outer[block:], ih[:])
	return sha256.Sum256(outer[:])
}

func hmacSHA256(key []byte, data string) [sha256.Size]byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// deriveKey is the SigV4 key derivation:
// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveKey(secret, date, region, service string) [sha256.Size]byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k[:], region)
	k = hmacSHA256(k[:], service)
	return hmacSHA256(k[:], terminator)
}
