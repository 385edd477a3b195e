package credentials

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/smithy-go"
	"golang.org/x/time/rate"
)

func TestSuccessJSONShape(t *testing.T) {
	e := newEnv(t, nil)
	id := e.add(testEntry(t0.Add(6*time.Hour + 123*time.Millisecond)))
	srv := e.server()
	want := `{"RoleArn":"` + testRoleARN + `","AccessKeyId":"` + testAccessKey + `","SecretAccessKey":"` + testSecret +
		`","Token":"` + testToken + `","Expiration":"2026-11-22T18:00:00Z"}`
	for _, path := range []string{V2Path + "/" + id, V1Path + "?id=" + id} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", path, resp.StatusCode, body)
		}
		if got := string(body); got != want {
			t.Errorf("%s: body\n got %s\nwant %s", path, got, want)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
	}
}

func TestHead(t *testing.T) {
	e := newEnv(t, nil)
	id := e.add(testEntry(t0.Add(time.Hour)))
	srv := e.server()
	resp, err := http.Head(srv.URL + V2Path + "/" + id)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("HEAD: %d", resp.StatusCode)
	}
}

func TestNegativeMinRemainingServesUntilExpiry(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.MinRemaining = -1 })
	id := e.add(testEntry(t0.Add(time.Second)))
	if rec := e.do("GET", V2Path+"/"+id, "", nil); rec.Code != 200 {
		t.Fatalf("1s left: %d", rec.Code)
	}
	e.clock.Advance(2 * time.Second)
	if rec := e.do("GET", V2Path+"/"+id, "", nil); rec.Code != 503 {
		t.Fatalf("expired: %d", rec.Code)
	}
}

func TestExpirationIsUTC(t *testing.T) {
	e := newEnv(t, nil)
	loc := time.FixedZone("X", 5*3600)
	id := e.add(testEntry(t0.Add(6 * time.Hour).In(loc)))
	rec := e.do("GET", V2Path+"/"+id, "", nil)
	var got map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["Expiration"] != "2026-11-22T18:00:00Z" {
		t.Errorf("Expiration %q", got["Expiration"])
	}
}

// The real AWS SDK's container credential provider reads the handler.
func TestSDKEndpointCreds(t *testing.T) {
	e := newEnv(t, nil)
	exp := t0.Add(6 * time.Hour)
	id := e.add(testEntry(exp))
	srv := e.server()

	p := endpointcreds.New(srv.URL + V2Path + "/" + id)
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != testAccessKey || creds.SecretAccessKey != testSecret || creds.SessionToken != testToken {
		t.Errorf("creds %+v", creds)
	}
	if !creds.CanExpire || !creds.Expires.Equal(exp) {
		t.Errorf("expiry %v %v", creds.CanExpire, creds.Expires)
	}

	// Unknown ID: the SDK surfaces the agent's code and message.
	_, err = endpointcreds.New(srv.URL + V2Path + "/" + NewCredentialID()).Retrieve(context.Background())
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != CodeInvalidIDInRequest || apiErr.ErrorMessage() != "CredentialsV2Request: Credentials not found" {
		t.Errorf("unknown id: %v", err)
	}
}

func TestSDKAuthorizationToken(t *testing.T) {
	e := newEnv(t, nil)
	entry := testEntry(t0.Add(6 * time.Hour))
	entry.AuthorizationToken = "Zm9vYmFyLXRhc2stdG9rZW4="
	id := e.add(entry)
	srv := e.server()
	full := srv.URL + V2Path + "/" + id

	creds, err := endpointcreds.New(full, func(o *endpointcreds.Options) {
		o.AuthorizationToken = entry.AuthorizationToken
	}).Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != testAccessKey {
		t.Fatalf("with token: %v %+v", err, creds)
	}

	for _, tc := range []struct {
		token  string
		status int
	}{{"", 401}, {"wrong", 403}, {entry.AuthorizationToken + "x", 403}} {
		_, err := endpointcreds.New(full, func(o *endpointcreds.Options) { o.AuthorizationToken = tc.token }).Retrieve(context.Background())
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != CodeUnauthorized {
			t.Errorf("token %q: %v", tc.token, err)
		}
		rec := e.do("GET", V2Path+"/"+id, "", http.Header{"Authorization": {tc.token}})
		if rec.Code != tc.status {
			t.Errorf("token %q: status %d want %d", tc.token, rec.Code, tc.status)
		}
		checkError(t, rec.Body.Bytes(), CodeUnauthorized, tc.status)
	}
	// Refreshed credentials keep the token requirement.
	if err := e.cache.Update(id, Credentials{AccessKeyID: "ASIANEWKEY", SecretAccessKey: "newsecret", SessionToken: "newtoken", Expiration: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if rec := e.do("GET", V2Path+"/"+id, "", nil); rec.Code != 401 {
		t.Errorf("after Update without token: %d", rec.Code)
	}
	if rec := e.do("GET", V2Path+"/"+id, "", http.Header{"Authorization": {entry.AuthorizationToken}}); rec.Code != 200 ||
		!strings.Contains(rec.Body.String(), "ASIANEWKEY") {
		t.Errorf("after Update with token: %d %s", rec.Code, rec.Body)
	}
	// The cache never hands the token back.
	if got, _ := e.cache.Get(id); got.AuthorizationToken != "" {
		t.Error("Get returned the authorization token")
	}
}

func checkError(t *testing.T, body []byte, code string, status int) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	if len(m) != 3 || m["code"] != code || m["HTTPErrorCode"] != float64(status) {
		t.Errorf("error body %s, want code %s HTTPErrorCode %d", body, code, status)
	}
	if _, ok := m["message"].(string); !ok {
		t.Errorf("error body %s has no message", body)
	}
	return m
}

func TestErrorShapes(t *testing.T) {
	e := newEnv(t, nil)
	uninit := e.add(Entry{TaskARN: testTaskARN, RoleARN: testRoleARN, RoleType: TaskRole})
	good := e.add(testEntry(t0.Add(time.Hour)))
	for _, tc := range []struct {
		name, method, target string
		status               int
		code, message        string
	}{
		{"v2 no id", "GET", V2Path + "/", 400, CodeNoIDInRequest, "CredentialsV2Request: No Credential ID in the request"},
		{"v2 bare", "GET", V2Path, 400, CodeNoIDInRequest, "CredentialsV2Request: No Credential ID in the request"},
		{"v1 no id", "GET", V1Path, 400, CodeNoIDInRequest, "CredentialsV1Request: No Credential ID in the request"},
		{"v1 empty id", "GET", V1Path + "?id=", 400, CodeNoIDInRequest, "CredentialsV1Request: No Credential ID in the request"},
		{"v2 unknown", "GET", V2Path + "/" + NewCredentialID(), 400, CodeInvalidIDInRequest, "CredentialsV2Request: Credentials not found"},
		{"v1 unknown", "GET", V1Path + "?id=nope", 400, CodeInvalidIDInRequest, "CredentialsV1Request: Credentials not found"},
		{"v2 extra segment", "GET", V2Path + "/" + good + "/x", 400, CodeInvalidIDInRequest, "CredentialsV2Request: Credentials not found"},
		{"v2 uninitialized", "GET", V2Path + "/" + uninit, 503, CodeCredentialsUninitialized, "CredentialsV2Request: Credentials uninitialized for ID"},
		{"v1 uninitialized", "GET", V1Path + "?id=" + uninit, 503, CodeCredentialsUninitialized, "CredentialsV1Request: Credentials uninitialized for ID"},
		{"post", "POST", V2Path + "/" + good, 405, CodeMethodNotAllowed, `CredentialsV2Request: Method "POST" not allowed; use GET`},
		{"other path", "GET", "/v3/credentials/" + good, 404, CodeNotFound, "Not found. Credentials are served at /v2/credentials/{id}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.do(tc.method, tc.target, "", nil)
			if rec.Code != tc.status {
				t.Fatalf("status %d want %d: %s", rec.Code, tc.status, rec.Body)
			}
			m := checkError(t, rec.Body.Bytes(), tc.code, tc.status)
			if m["message"] != tc.message {
				t.Errorf("message %q want %q", m["message"], tc.message)
			}
			if rec.Header().Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type %q", rec.Header().Get("Content-Type"))
			}
			if tc.status == 405 && rec.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow %q", rec.Header().Get("Allow"))
			}
		})
	}
}

type failingAuditor struct{ calls atomic.Int32 }

func (f *failingAuditor) Audit(AuditEvent) error {
	f.calls.Add(1)
	return errors.New("disk full")
}

// No unaudited secret access: when the audit log cannot be written the request
// is refused with 500, success and error answers alike.
func TestAuditFailureRefuses(t *testing.T) {
	fa := &failingAuditor{}
	e := newEnv(t, func(o *Options) { o.Audit = fa })
	id := e.add(testEntry(t0.Add(time.Hour)))
	for _, target := range []string{V2Path + "/" + id, V1Path + "?id=" + id, V2Path + "/unknown", V2Path + "/"} {
		rec := e.do("GET", target, "", nil)
		if rec.Code != 500 {
			t.Fatalf("%s: status %d", target, rec.Code)
		}
		m := checkError(t, rec.Body.Bytes(), CodeInternalServerError, 500)
		if m["message"] != "Internal server error" {
			t.Errorf("message %q", m["message"])
		}
		if strings.Contains(rec.Body.String(), testSecret) {
			t.Fatal("secret served without audit")
		}
	}
	if fa.calls.Load() != 4 {
		t.Errorf("audit calls %d", fa.calls.Load())
	}

	// A closed (unwritable) audit log refuses too.
	e2 := newEnv(t, nil)
	id2 := e2.add(testEntry(t0.Add(time.Hour)))
	e2.auditLog.Close()
	if rec := e2.do("GET", V2Path+"/"+id2, "", nil); rec.Code != 500 || strings.Contains(rec.Body.String(), testSecret) {
		t.Fatalf("closed audit log: %d %s", rec.Code, rec.Body)
	}
}

func TestNewHandlerRequiresCacheAndAudit(t *testing.T) {
	if _, err := NewHandler(Options{Audit: &failingAuditor{}}); err == nil {
		t.Error("no cache accepted")
	}
	if _, err := NewHandler(Options{Cache: NewCache()}); err == nil {
		t.Error("no auditor accepted")
	}
}

type countingRefresher struct {
	calls atomic.Int32
	fn    func(ctx context.Context, id string) (Credentials, error)
}

func (r *countingRefresher) Refresh(ctx context.Context, id string) (Credentials, error) {
	r.calls.Add(1)
	return r.fn(ctx, id)
}

func TestRefreshBeforeExpiry(t *testing.T) {
	newCreds := Credentials{AccessKeyID: "ASIANEWKEY", SecretAccessKey: "newsecret", SessionToken: "newtoken", Expiration: t0.Add(6 * time.Hour)}
	ref := &countingRefresher{fn: func(ctx context.Context, id string) (Credentials, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("refresh context has no deadline")
		}
		return newCreds, nil
	}}
	e := newEnv(t, func(o *Options) { o.Refresher = ref })

	// 1 h left: served as is, no refresh.
	far := e.add(testEntry(t0.Add(time.Hour)))
	if rec := e.do("GET", V2Path+"/"+far, "", nil); rec.Code != 200 || ref.calls.Load() != 0 {
		t.Fatalf("far: %d calls %d", rec.Code, ref.calls.Load())
	}

	// 10 min left: refreshed first, the new credentials served and cached.
	near := e.add(testEntry(t0.Add(10 * time.Minute)))
	rec := e.do("GET", V2Path+"/"+near, "", nil)
	if rec.Code != 200 || ref.calls.Load() != 1 || !strings.Contains(rec.Body.String(), `"AccessKeyId":"ASIANEWKEY"`) ||
		!strings.Contains(rec.Body.String(), `"Expiration":"2026-11-22T18:00:00Z"`) {
		t.Fatalf("near: %d calls %d %s", rec.Code, ref.calls.Load(), rec.Body)
	}
	if got, _ := e.cache.Get(near); got.Credentials != newCreds {
		t.Errorf("cache not updated: %+v", got.Credentials)
	}
	// Now fresh: no second refresh.
	e.do("GET", V2Path+"/"+near, "", nil)
	if ref.calls.Load() != 1 {
		t.Errorf("calls %d", ref.calls.Load())
	}

	// The clock moves on: 5h50m later the same entry is near expiry again.
	e.clock.Advance(5*time.Hour + 50*time.Minute)
	newCreds.Expiration = e.clock.Now().Add(6 * time.Hour)
	if rec := e.do("GET", V2Path+"/"+near, "", nil); rec.Code != 200 || ref.calls.Load() != 2 {
		t.Fatalf("later: %d calls %d", rec.Code, ref.calls.Load())
	}

	// Uninitialized entries are refreshed too.
	un := e.add(Entry{TaskARN: testTaskARN, RoleARN: testRoleARN, RoleType: ExecutionRole})
	if rec := e.do("GET", V2Path+"/"+un, "", nil); rec.Code != 200 {
		t.Fatalf("uninitialized: %d %s", rec.Code, rec.Body)
	}
}

func TestRefreshFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		ref  Refresher
	}{
		{"no refresher", nil},
		{"refresher fails", RefresherFunc(func(context.Context, string) (Credentials, error) {
			return Credentials{}, errors.New("control plane unreachable")
		})},
		{"still short", RefresherFunc(func(context.Context, string) (Credentials, error) {
			return Credentials{AccessKeyID: "A", SecretAccessKey: "S", SessionToken: "T", Expiration: t0.Add(14 * time.Minute)}, nil
		})},
		{"times out", RefresherFunc(func(ctx context.Context, _ string) (Credentials, error) {
			<-ctx.Done()
			return Credentials{}, ctx.Err()
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) { o.Refresher = tc.ref; o.RefreshTimeout = 20 * time.Millisecond })
			id := e.add(testEntry(t0.Add(14*time.Minute + 59*time.Second)))
			rec := e.do("GET", V2Path+"/"+id, "", nil)
			if rec.Code != 503 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			checkError(t, rec.Body.Bytes(), CodeCredentialsUninitialized, 503)
			expired := e.add(testEntry(t0.Add(-time.Minute)))
			if rec := e.do("GET", V2Path+"/"+expired, "", nil); rec.Code != 503 {
				t.Fatalf("expired: status %d", rec.Code)
			}
		})
	}
}

// Exactly 15 minutes left is enough; the threshold is configurable.
func TestMinRemainingBoundary(t *testing.T) {
	e := newEnv(t, nil)
	id := e.add(testEntry(t0.Add(15 * time.Minute)))
	if rec := e.do("GET", V2Path+"/"+id, "", nil); rec.Code != 200 {
		t.Fatalf("15m: %d", rec.Code)
	}
	e2 := newEnv(t, func(o *Options) { o.MinRemaining = 5 * time.Minute })
	id2 := e2.add(testEntry(t0.Add(10 * time.Minute)))
	if rec := e2.do("GET", V2Path+"/"+id2, "", nil); rec.Code != 200 {
		t.Fatalf("custom threshold: %d", rec.Code)
	}
}

// Concurrent requests for one expiring ID share a single refresh.
func TestRefreshSingleFlight(t *testing.T) {
	release := make(chan struct{})
	ref := &countingRefresher{fn: func(ctx context.Context, id string) (Credentials, error) {
		<-release
		return Credentials{AccessKeyID: "A", SecretAccessKey: "S", SessionToken: "T", Expiration: t0.Add(time.Hour)}, nil
	}}
	e := newEnv(t, func(o *Options) { o.Refresher = ref; o.RefreshTimeout = 10 * time.Second })
	id := e.add(testEntry(t0.Add(time.Minute)))
	var wg sync.WaitGroup
	codes := make([]int, 20)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = e.do("GET", V2Path+"/"+id, "", nil).Code
		}()
	}
	// Let the requests pile up on the flight, then release it.
	deadline := time.Now().Add(5 * time.Second)
	for ref.calls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	for i, c := range codes {
		if c != 200 {
			t.Errorf("request %d: %d", i, c)
		}
	}
	if n := ref.calls.Load(); n < 1 || n > 2 { // a straggler arriving after the flight may start one more
		t.Errorf("refresh calls %d", n)
	}
}

// A refresh that returns credentials older than what the control plane pushed
// meanwhile does not overwrite them.
func TestRefreshKeepsNewerPush(t *testing.T) {
	var e *env
	var id string
	pushed := Credentials{AccessKeyID: "PUSHED", SecretAccessKey: "S", SessionToken: "T", Expiration: t0.Add(6 * time.Hour)}
	ref := RefresherFunc(func(context.Context, string) (Credentials, error) {
		if err := e.cache.Update(id, pushed); err != nil {
			t.Error(err)
		}
		return Credentials{AccessKeyID: "OLDER", SecretAccessKey: "S", SessionToken: "T", Expiration: t0.Add(time.Hour)}, nil
	})
	e = newEnv(t, func(o *Options) { o.Refresher = ref })
	id = e.add(testEntry(t0.Add(time.Minute)))
	rec := e.do("GET", V2Path+"/"+id, "", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"AccessKeyId":"PUSHED"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// Remove (task stopped) makes the ID unknown, also during a refresh.
func TestRemove(t *testing.T) {
	e := newEnv(t, nil)
	id := e.add(testEntry(t0.Add(time.Hour)))
	if rec := e.do("GET", V2Path+"/"+id, "", nil); rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	e.cache.Remove(id)
	rec := e.do("GET", V2Path+"/"+id, "", nil)
	if rec.Code != 400 {
		t.Fatal(rec.Code)
	}
	checkError(t, rec.Body.Bytes(), CodeInvalidIDInRequest, 400)
	if err := e.cache.Update(id, Credentials{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update after Remove: %v", err)
	}

	var e2 *env
	var id2 string
	e2 = newEnv(t, func(o *Options) {
		o.Refresher = RefresherFunc(func(context.Context, string) (Credentials, error) {
			e2.cache.Remove(id2)
			return Credentials{AccessKeyID: "A", SecretAccessKey: "S", Expiration: t0.Add(time.Hour)}, nil
		})
	})
	id2 = e2.add(testEntry(t0.Add(time.Minute)))
	if rec := e2.do("GET", V2Path+"/"+id2, "", nil); rec.Code != 400 {
		t.Fatalf("removed during refresh: %d", rec.Code)
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Rate = 0 }) // defaults: 40/s, burst 60
	id := e.add(testEntry(t0.Add(time.Hour)))
	const caller = "172.17.0.5:52444"
	for i := 0; i < DefaultBurst; i++ {
		if rec := e.do("GET", V2Path+"/"+id, caller, nil); rec.Code != 200 {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	rec := e.do("GET", V2Path+"/"+id, caller, nil)
	if rec.Code != 429 {
		t.Fatalf("after burst: %d", rec.Code)
	}
	checkError(t, rec.Body.Bytes(), CodeTooManyRequests, 429)
	if rec.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// Another task's ID from the same caller has its own bucket (tasks of
	// the process runtime all call from 127.0.0.1: one must not starve
	// another).
	other := testEntry(t0.Add(time.Hour))
	other.TaskARN = "arn:aws:ecs:us-west-2:012345678910:task/default/other"
	otherID := e.add(other)
	if rec := e.do("GET", V2Path+"/"+otherID, "172.17.0.5:1", nil); rec.Code != 200 {
		t.Errorf("other task, same caller: %d", rec.Code)
	}
	// Guessed IDs share the caller's own bucket: each guess does not get a
	// fresh one.
	for i := 0; i < DefaultBurst; i++ {
		if rec := e.do("GET", V2Path+"/"+NewCredentialID(), "172.17.0.5:1", nil); rec.Code != 400 {
			t.Fatalf("guess %d: %d", i, rec.Code)
		}
	}
	if rec := e.do("GET", V2Path+"/"+NewCredentialID(), "172.17.0.5:1", nil); rec.Code != 429 {
		t.Errorf("guessing past the burst: %d", rec.Code)
	}
	// While the caller's bucket is empty, real IDs get 429 too: a 429 must
	// not tell a guesser that an ID does not exist.
	if rec := e.do("GET", V2Path+"/"+otherID, "172.17.0.5:1", nil); rec.Code != 429 {
		t.Errorf("a real ID after the guesses: %d", rec.Code)
	}
	// Another caller, and the v1 endpoint, have their own buckets.
	if rec := e.do("GET", V2Path+"/"+id, "172.17.0.6:1", nil); rec.Code != 200 {
		t.Errorf("other caller: %d", rec.Code)
	}
	if rec := e.do("GET", V1Path+"?id="+id, caller, nil); rec.Code != 200 {
		t.Errorf("v1 same caller: %d", rec.Code)
	}
	// Recovery: one second refills 40 tokens.
	e.clock.Advance(time.Second)
	for i := 0; i < DefaultRate; i++ {
		if rec := e.do("GET", V2Path+"/"+id, caller, nil); rec.Code != 200 {
			t.Fatalf("after 1s, request %d: %d", i, rec.Code)
		}
	}
	if rec := e.do("GET", V2Path+"/"+id, caller, nil); rec.Code != 429 {
		t.Fatalf("after 40 more: %d", rec.Code)
	}
	// Throttled requests are audited with 429 and without the ID.
	files := e.auditFiles()
	if !strings.Contains(files["audit.log"], ` 429 172.17.0.5:52444 "/v2/credentials" `) {
		t.Errorf("no 429 audit line:\n%s", files["audit.log"])
	}
}

func TestRateLimitOverHTTP(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Rate = 1; o.Burst = 3 })
	id := e.add(testEntry(t0.Add(time.Hour)))
	srv := e.server()
	var codes []int
	for i := 0; i < 5; i++ {
		resp, err := http.Get(srv.URL + V2Path + "/" + id)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if fmt.Sprint(codes) != "[200 200 200 429 429]" {
		t.Errorf("codes %v", codes)
	}
}

func TestLimiterTableBounded(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Rate = 40; o.MaxCallers = 16; o.CallerIdle = time.Minute })
	for i := 0; i < 1000; i++ {
		e.do("GET", V2Path+"/x", fmt.Sprintf("10.0.%d.%d:1234", i/256, i%256), nil)
		if n := e.handler.limits.len(); n > 16 {
			t.Fatalf("table grew to %d", n)
		}
	}
	// Idle callers are swept.
	e.clock.Advance(2 * time.Minute)
	e.do("GET", V2Path+"/x", "10.9.9.9:1", nil)
	if n := e.handler.limits.len(); n != 1 {
		t.Errorf("after idle sweep: %d entries", n)
	}
}

func TestCallerIP(t *testing.T) {
	for in, want := range map[string]string{
		"172.17.0.5:80":        "172.17.0.5",
		"[::ffff:10.0.0.1]:80": "10.0.0.1",
		"[fd00::1]:1":          "fd00::1",
		"10.1.1.1":             "10.1.1.1",
		"garbage":              "invalid IP",
	} {
		if got := callerIP(in).String(); got != want {
			t.Errorf("%s: %s want %s", in, got, want)
		}
	}
}

// Concurrent cache writes, refreshes and HTTP reads, for -race.
func TestConcurrentAccess(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.Refresher = RefresherFunc(func(context.Context, string) (Credentials, error) {
			return Credentials{AccessKeyID: "A", SecretAccessKey: "S", SessionToken: "T", Expiration: t0.Add(time.Hour)}, nil
		})
	})
	srv := e.server()
	ids := make([]string, 8)
	for i := range ids {
		ids[i] = e.add(testEntry(t0.Add(time.Duration(i) * 5 * time.Minute)))
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := ids[i%len(ids)]
				switch i % 4 {
				case 0:
					e.cache.Update(id, Credentials{AccessKeyID: "U", SecretAccessKey: "S", Expiration: t0.Add(time.Duration(i%3) * 10 * time.Minute)})
				case 1:
					e.cache.Remove(id)
				case 2:
					e.cache.Set(id, testEntry(t0.Add(time.Hour)))
				case 3:
					e.cache.Get(id)
				}
			}
		}()
	}
	client := srv.Client()
	for r := 0; r < 8; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				resp, err := client.Get(srv.URL + V2Path + "/" + ids[(r+i)%len(ids)])
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if c := resp.StatusCode; c != 200 && c != 400 && c != 503 {
					t.Errorf("status %d", c)
				}
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewCredentialID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 10000; i++ {
		id := NewCredentialID()
		if !uuidV4.MatchString(id) {
			t.Fatalf("%q is not a v4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("duplicate %s", id)
		}
		seen[id] = true
	}
}

func TestCacheSetEmptyID(t *testing.T) {
	c := NewCache()
	if err := c.Set("", Entry{}); !errors.Is(err, ErrEmptyID) {
		t.Error(err)
	}
	if c.Len() != 0 {
		t.Error("stored empty id")
	}
}

func TestRoleTypeString(t *testing.T) {
	if TaskRole.String() != "TaskRole" || ExecutionRole.String() != "ExecutionRole" || RoleType(0).String() != "InvalidRoleType" {
		t.Error("RoleType.String")
	}
}

var _ = rate.Inf

// An entry replaced during a refresh is authorized again against its own token.
func TestTokenRecheckedAfterRefresh(t *testing.T) {
	var e *env
	var id string
	e = newEnv(t, func(o *Options) {
		o.Refresher = RefresherFunc(func(context.Context, string) (Credentials, error) {
			replaced := testEntry(t0.Add(time.Hour))
			replaced.AuthorizationToken = "new-token"
			e.cache.Set(id, replaced)
			return Credentials{}, errors.New("superseded")
		})
	})
	id = e.add(testEntry(t0.Add(time.Minute)))
	if rec := e.do("GET", V2Path+"/"+id, "", nil); rec.Code != 401 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

// The response body is rendered when credentials are stored: after Update and
// after Set it is the new credentials' body, byte for byte json.Marshal's
// (also for values that need escaping).
func TestServedBodyFollowsUpdates(t *testing.T) {
	e := newEnv(t, nil)
	id := e.add(testEntry(t0.Add(time.Hour)))
	get := func() string {
		t.Helper()
		rec := e.do("GET", V2Path+"/"+id, "", nil)
		if rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(rec.Body.Len()) {
			t.Errorf("Content-Length %q for %d bytes", cl, rec.Body.Len())
		}
		return rec.Body.String()
	}
	marshal := func(role string, c Credentials) string {
		b, err := json.Marshal(credentialsResponse{RoleArn: role, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
			Token: c.SessionToken, Expiration: c.Expiration.UTC().Format(ExpirationFormat)})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got, want := get(), marshal(testRoleARN, testEntry(t0.Add(time.Hour)).Credentials); got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	updated := Credentials{AccessKeyID: "ASIAUPDATED", SecretAccessKey: "s<e>c&r\"et", SessionToken: "tok\u2028en", Expiration: t0.Add(2 * time.Hour)}
	if err := e.cache.Update(id, updated); err != nil {
		t.Fatal(err)
	}
	if got, want := get(), marshal(testRoleARN, updated); got != want {
		t.Fatalf("after Update: got %s\nwant %s", got, want)
	}
	replaced := testEntry(t0.Add(3 * time.Hour))
	replaced.RoleARN = "arn:aws:iam::123456789012:role/Other"
	if err := e.cache.Set(id, replaced); err != nil {
		t.Fatal(err)
	}
	if got, want := get(), marshal(replaced.RoleARN, replaced.Credentials); got != want {
		t.Fatalf("after Set: got %s\nwant %s", got, want)
	}
}

// Each response owns its header values: changing one response's headers in
// place after the fact does not change the next response's.
func TestResponseHeadersNotShared(t *testing.T) {
	e := newEnv(t, nil)
	id := e.add(testEntry(t0.Add(time.Hour)))
	first := e.do("GET", V2Path+"/"+id, "", nil)
	for _, k := range []string{"Content-Type", "Content-Length", "Cache-Control"} {
		first.Header()[k][0] = "changed"
	}
	second := e.do("GET", V2Path+"/"+id, "", nil)
	if second.Header().Get("Content-Type") != "application/json" || second.Header().Get("Cache-Control") != "no-store" ||
		second.Header().Get("Content-Length") != strconv.Itoa(second.Body.Len()) {
		t.Fatalf("headers %v", second.Header())
	}
}

// Wrong tokens are guesses too: they draw on the caller's bucket, and once
// it is empty the right token gets 429 as well.
func TestRateLimitWrongTokens(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Rate = 0 })
	entry := testEntry(t0.Add(time.Hour))
	entry.AuthorizationToken = "right-token"
	id := e.add(entry)
	const caller = "127.0.0.1:40000"
	for i := 0; i < DefaultBurst; i++ {
		if rec := e.do("GET", V2Path+"/"+id, caller, http.Header{"Authorization": {"guess-" + strconv.Itoa(i)}}); rec.Code != 403 {
			t.Fatalf("guess %d: %d", i, rec.Code)
		}
	}
	if rec := e.do("GET", V2Path+"/"+id, caller, http.Header{"Authorization": {"right-token"}}); rec.Code != 429 {
		t.Fatalf("the right token after %d wrong ones: %d", DefaultBurst, rec.Code)
	}
	e.clock.Advance(time.Second)
	if rec := e.do("GET", V2Path+"/"+id, caller, http.Header{"Authorization": {"right-token"}}); rec.Code != 200 {
		t.Fatalf("a second later: %d", rec.Code)
	}
}

// A task that keeps asking for credentials the agent cannot refresh (it
// lost the control plane) gets 503 each time, but the failure is logged
// once a minute per task, not 40 times a second.
func TestRefreshFailureLoggedOncePerMinute(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		o.Refresher = RefresherFunc(func(context.Context, string) (Credentials, error) {
			return Credentials{}, errors.New("the control plane is away")
		})
	})
	id := e.add(testEntry(t0.Add(10 * time.Minute))) // under the 15-minute floor
	count := func() int { return strings.Count(logs.String(), "credentials refresh failed") }
	for i := 0; i < 10; i++ {
		if rec := e.do("GET", V2Path+"/"+id, "", nil); rec.Code != 503 {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	if n := count(); n != 1 {
		t.Fatalf("logged %d times:\n%s", n, logs.String())
	}
	e.clock.Advance(time.Minute)
	e.do("GET", V2Path+"/"+id, "", nil)
	if n := count(); n != 2 {
		t.Fatalf("after a minute, logged %d times", n)
	}
}
