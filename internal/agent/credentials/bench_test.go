package credentials

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// BenchmarkLookup: one cache lookup among 10,000 entries. Target ≤ 1 µs/op,
// 0 allocs/op.
func BenchmarkLookup(b *testing.B) {
	c := NewCache()
	ids := make([]string, 10000)
	for i := range ids {
		ids[i] = NewCredentialID()
		c.Set(ids[i], testEntry(t0.Add(time.Hour)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := c.Get(ids[i%len(ids)]); !ok {
			b.Fatal("miss")
		}
	}
}

// BenchmarkLookupParallel: the same from all CPUs at once.
func BenchmarkLookupParallel(b *testing.B) {
	c := NewCache()
	ids := make([]string, 10000)
	for i := range ids {
		ids[i] = NewCredentialID()
		c.Set(ids[i], testEntry(t0.Add(time.Hour)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok := c.Get(ids[i%len(ids)]); !ok {
				b.Fatal("miss")
			}
			i++
		}
	})
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkHandler: a full GET /v2/credentials/{id} through the Handler,
// rate limiter on (raised so it never throttles), audit line written to a temp
// file, response JSON encoded.
func BenchmarkHandler(b *testing.B) {
	e := newEnv(b, func(o *Options) { o.Rate = rate.Limit(1e9); o.Burst = 1 << 30 })
	id := e.add(testEntry(t0.Add(6 * time.Hour)))
	req := &http.Request{Method: "GET", URL: &url.URL{Path: V2Path + "/" + id}, Header: http.Header{"User-Agent": {"aws-sdk-go-v2/1.30"}},
		RemoteAddr: "172.17.0.5:52444"}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.handler.ServeHTTP(w, req)
	}
}

// BenchmarkHandlerHTTP: the same over a real loopback HTTP connection.
func BenchmarkHandlerHTTP(b *testing.B) {
	e := newEnv(b, func(o *Options) { o.Rate = rate.Inf })
	id := e.add(testEntry(t0.Add(6 * time.Hour)))
	srv := httptest.NewServer(e.handler)
	defer srv.Close()
	client := srv.Client()
	u := srv.URL + V2Path + "/" + id
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := client.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		var buf [512]byte
		for {
			if _, err := resp.Body.Read(buf[:]); err != nil {
				break
			}
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.StatusCode)
		}
	}
}
