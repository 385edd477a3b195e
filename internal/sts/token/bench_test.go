package token

import (
	"math/rand/v2"
	"testing"
)

// Run: go test -run '^$' -bench . -benchmem ./internal/sts/token/

func benchClaims() map[string]Claims {
	return map[string]Claims{
		"typical": typicalClaims(),
		"full":    fullClaims(),
		"big":     bigClaims(rand.New(rand.NewPCG(7, 8)), 20, 40),
	}
}

func BenchmarkSeal(b *testing.B) {
	r := newRing(b)
	for _, name := range []string{"typical", "full", "big"} {
		c := benchClaims()[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Seal(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	r := newRing(b)
	for _, name := range []string{"typical", "full", "big"} {
		tok := mustSeal(b, r, benchClaims()[name])
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tok)))
			for b.Loop() {
				if _, err := r.Open(tok, t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("tampered", func(b *testing.B) {
		tok := mustSeal(b, r, typicalClaims())
		raw, _ := b64.DecodeString(tok)
		raw[len(raw)/2] ^= 1
		bad := b64.EncodeToString(raw)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Open(bad, t0); err == nil {
				b.Fatal("opened")
			}
		}
	})
}

// BenchmarkOpenParallel is Open from every P at once: the ring is shared.
func BenchmarkOpenParallel(b *testing.B) {
	r := newRing(b)
	tok := mustSeal(b, r, typicalClaims())
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Open(tok, t0); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
