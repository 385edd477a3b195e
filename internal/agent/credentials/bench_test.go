package credentials

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
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

// newDiscardWriter gives each request a fresh header map on the heap, as
// net/http does; not inlined, so that escape analysis cannot keep the map on
// one benchmark's stack and not the other's.
//
//go:noinline
func newDiscardWriter() *discardWriter { return &discardWriter{h: make(http.Header)} }

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

// BenchmarkHandlerToken: as BenchmarkHandler, as benchserve serves it under
// wrk: the entry has an authorization token (hashed and compared on every
// request) and every request gets a fresh response header map, as net/http
// gives it.
func BenchmarkHandlerToken(b *testing.B) {
	e := newEnv(b, func(o *Options) { o.Rate = rate.Limit(1e9); o.Burst = 1 << 30 })
	entry := testEntry(t0.Add(6 * time.Hour))
	entry.AuthorizationToken = NewCredentialID()
	id := e.add(entry)
	req := &http.Request{Method: "GET", URL: &url.URL{Path: V2Path + "/" + id},
		Header:     http.Header{"User-Agent": {"aws-sdk-go-v2/1.30"}, "Authorization": {entry.AuthorizationToken}},
		RemoteAddr: "172.17.0.5:52444"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := newDiscardWriter()
		e.handler.ServeHTTP(w, req)
	}
}

// BenchmarkBareHandler: what BenchmarkHandlerToken's handler is compared with
// under wrk (benchserve's bare handler: a fixed body and the same headers).
func BenchmarkBareHandler(b *testing.B) {
	body := []byte(`{"RoleArn":"` + testRoleARN + `","AccessKeyId":"` + testAccessKey + `","SecretAccessKey":"` + testSecret +
		`","Token":"` + testToken + `","Expiration":"2026-11-22T18:00:00Z"}`)
	length := strconv.Itoa(len(body))
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", length)
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
	req := &http.Request{Method: "GET", URL: &url.URL{Path: V2Path + "/x"}, Header: http.Header{}, RemoteAddr: "172.17.0.5:52444"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := newDiscardWriter()
		bare.ServeHTTP(w, req)
	}
}

// BenchmarkHandlerParallel: BenchmarkHandlerToken from all CPUs at once (the
// audit log's mutex and the limiter's are shared).
func BenchmarkHandlerParallel(b *testing.B) {
	e := newEnv(b, func(o *Options) { o.Rate = rate.Limit(1e9); o.Burst = 1 << 30 })
	entry := testEntry(t0.Add(6 * time.Hour))
	entry.AuthorizationToken = NewCredentialID()
	id := e.add(entry)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := &http.Request{Method: "GET", URL: &url.URL{Path: V2Path + "/" + id},
			Header:     http.Header{"User-Agent": {"aws-sdk-go-v2/1.30"}, "Authorization": {entry.AuthorizationToken}},
			RemoteAddr: "172.17.0.5:52444"}
		for pb.Next() {
			w := newDiscardWriter()
			e.handler.ServeHTTP(w, req)
		}
	})
}

// BenchmarkAuditLog: one audit line built and written (write(2), no fsync).
func BenchmarkAuditLog(b *testing.B) {
	e := newEnv(b, nil)
	ev := AuditEvent{Time: t0, Status: 200, RemoteAddr: "172.17.0.5:52444", Path: V2Path, UserAgent: "aws-sdk-go-v2/1.30",
		TaskARN: testTaskARN, EventType: EventGetCredentials, Cluster: testCluster, ContainerInstanceARN: testInstance}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.auditLog.Audit(ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendAuditLine: building one line, the time formatted each time.
func BenchmarkAppendAuditLine(b *testing.B) {
	ev := AuditEvent{Time: t0, Status: 200, RemoteAddr: "172.17.0.5:52444", Path: V2Path, UserAgent: "aws-sdk-go-v2/1.30",
		TaskARN: testTaskARN, EventType: EventGetCredentials, Cluster: testCluster, ContainerInstanceARN: testInstance}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = AppendAuditLine(buf[:0], ev)
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

// BenchmarkLimiterAllow: one rate-limit decision for a known caller.
func BenchmarkLimiterAllow(b *testing.B) {
	l := newLimiters(rate.Limit(1e9), 1<<30, DefaultMaxCallers, DefaultCallerIdle)
	k := limiterKey{ip: callerIP("172.17.0.5:52444"), route: routeV2}
	now := t0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now = now.Add(time.Microsecond)
		if !l.allow(k, now) {
			b.Fatal("throttled")
		}
	}
}

// BenchmarkCallerIP: the caller's address parsed out of RemoteAddr.
func BenchmarkCallerIP(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = callerIP("172.17.0.5:52444")
	}
}
