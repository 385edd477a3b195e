package credentials

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// t0 is the tests' "now": 2026-11-22T12:00:00Z.
var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Secrets used in test entries; none of them may ever appear in an audit file.
const (
	testAccessKey = "ASIAQEXAMPLEACCESSKEY"
	testSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
	testToken     = "IQoJb3JpZ2luX2VjEEM/SESSIONTOKEN=="
	testTaskARN   = "arn:aws:ecs:us-east-1:123456789012:task/default/7e9894e088ad416eb5cab92afExample"
	testRoleARN   = "arn:aws:iam::123456789012:role/SSMTaskRole"
	testCluster   = "default"
	testInstance  = "arn:aws:ecs:us-east-1:123456789012:container-instance/default/0123456789abcdef"
)

func testEntry(exp time.Time) Entry {
	return Entry{
		TaskARN:  testTaskARN,
		RoleARN:  testRoleARN,
		RoleType: TaskRole,
		Credentials: Credentials{
			AccessKeyID:     testAccessKey,
			SecretAccessKey: testSecret,
			SessionToken:    testToken,
			Expiration:      exp,
		},
		Cluster:              testCluster,
		ContainerInstanceARN: testInstance,
	}
}

type env struct {
	t        testing.TB
	cache    *Cache
	clock    *fakeClock
	dir      string
	auditLog *AuditLog
	handler  *Handler
}

// newEnv builds a handler with an audit log in a temp dir and a fake clock.
// mod may adjust the options before the handler is built.
func newEnv(t testing.TB, mod func(*Options)) *env {
	t.Helper()
	e := &env{t: t, cache: NewCache(), clock: newClock(t0), dir: t.TempDir()}
	al, err := OpenAuditLog(AuditLogOptions{Path: filepath.Join(e.dir, "audit.log"), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { al.Close() })
	e.auditLog = al
	o := Options{Cache: e.cache, Audit: al, Now: e.clock.Now, Rate: rate.Inf, Cluster: testCluster, ContainerInstanceARN: testInstance}
	if mod != nil {
		mod(&o)
	}
	h, err := NewHandler(o)
	if err != nil {
		t.Fatal(err)
	}
	e.handler = h
	return e
}

func (e *env) add(entry Entry) string {
	id := NewCredentialID()
	if err := e.cache.Set(id, entry); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// do serves one request in process.
func (e *env) do(method, target, remote string, hdr http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	if remote != "" {
		req.RemoteAddr = remote
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return rec
}

func (e *env) server() *httptest.Server {
	srv := httptest.NewServer(e.handler)
	e.t.Cleanup(srv.Close)
	return srv
}

// auditFiles returns the contents of every file in the audit directory.
func (e *env) auditFiles() map[string]string {
	e.t.Helper()
	out := map[string]string{}
	ents, err := os.ReadDir(e.dir)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, de := range ents {
		b, err := os.ReadFile(filepath.Join(e.dir, de.Name()))
		if err != nil {
			e.t.Fatal(err)
		}
		out[de.Name()] = string(b)
	}
	return out
}
