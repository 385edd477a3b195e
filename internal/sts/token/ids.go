package token

import (
	"crypto/rand"
	"strings"
)

// accessKeyAlphabet is what AWS access key IDs are made of after their
// prefix (base32: A-Z, 2-7), as in package iam.
const accessKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// secretAlphabet is what AWS secret access keys are made of.
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// NewAccessKeyID returns a temporary access key ID: ASIA followed by 16
// characters of [A-Z2-7] from crypto/rand (20 in all).
func NewAccessKeyID() string {
	return "ASIA" + randomString(16, accessKeyAlphabet)
}

// NewSecret returns a 40-character secret access key from crypto/rand
// (240 bits).
func NewSecret() string {
	return randomString(40, secretAlphabet)
}

// ValidAccessKeyID reports whether id looks like a temporary access key ID
// (ASIA + 16 characters of [A-Z2-7]).
func ValidAccessKeyID(id string) bool {
	if len(id) != 20 || !strings.HasPrefix(id, "ASIA") {
		return false
	}
	for i := 4; i < len(id); i++ {
		if strings.IndexByte(accessKeyAlphabet, id[i]) < 0 {
			return false
		}
	}
	return true
}

// randomString draws n characters uniformly from alphabet, whose length
// must divide 256.
func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics rather than return an error)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
