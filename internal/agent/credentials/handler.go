package credentials

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Paths served by the Handler. AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is
// V2Path + "/" + credential ID; the legacy form is V1Path + "?id=" + ID.
const (
	V1Path = "/v1/credentials"
	V2Path = "/v2/credentials"
)

// Error codes in the {"code","message","HTTPErrorCode"} body. The first five
// are the ECS agent's own; the rest are rolecall's where the agent has none.
const (
	CodeNoIDInRequest            = "NoIdInRequest"
	CodeInvalidIDInRequest       = "InvalidIdInRequest"
	CodeCredentialsUninitialized = "CredentialsUninitialized"
	CodeInternalServerError      = "InternalServerError"
	CodeUnauthorized             = "Unauthorized"
	CodeTooManyRequests          = "TooManyRequests"
	CodeMethodNotAllowed         = "MethodNotAllowed"
	CodeNotFound                 = "NotFound"
)

// Defaults, as the ECS agent's task metadata endpoint (steady-state 40 req/s,
// burst 60) and the refresh threshold of the task IAM role design.
const (
	DefaultRate           = 40
	DefaultBurst          = 60
	DefaultMinRemaining   = 15 * time.Minute
	DefaultRefreshTimeout = 4 * time.Second
	DefaultMaxCallers     = 4096
	DefaultCallerIdle     = time.Minute
)

// Refresher fetches fresh credentials for a credential ID whose cached ones are
// missing or expire within MinRemaining (in rolecall, from the ECS control
// plane, which asks STS). The returned credentials replace the cached ones
// unless the cache meanwhile received later ones.
type Refresher interface {
	Refresh(ctx context.Context, id string) (Credentials, error)
}

// RefresherFunc adapts a function to Refresher.
type RefresherFunc func(ctx context.Context, id string) (Credentials, error)

// Refresh calls f.
func (f RefresherFunc) Refresh(ctx context.Context, id string) (Credentials, error) {
	return f(ctx, id)
}

// Options configure a Handler. Cache and Audit are required.
type Options struct {
	Cache *Cache
	// Audit receives one event per credentials request, before the response
	// is written. If it fails, the request is refused with 500.
	Audit Auditor
	// Refresher is asked for new credentials when the cached ones are missing
	// or expire within MinRemaining. Nil: no refresh, such entries get 503.
	Refresher Refresher
	// MinRemaining is the least validity served credentials must have.
	// Default (zero) 15 minutes; negative: serve until they expire.
	MinRemaining time.Duration
	// RefreshTimeout bounds one Refresh call. Default 4 s (the AWS SDKs give
	// the whole request about 5 s).
	RefreshTimeout time.Duration
	// Rate and Burst limit requests per caller IP and endpoint. Defaults 40/s
	// and 60; rate.Inf disables the limit.
	Rate  rate.Limit
	Burst int
	// MaxCallers bounds the limiter table (default 4096); CallerIdle is how
	// long an idle caller's bucket is kept (default 1 minute, never less than
	// the time its bucket takes to refill).
	MaxCallers int
	CallerIdle time.Duration
	// Cluster and ContainerInstanceARN fill the audit line when the request
	// resolved to no entry.
	Cluster              string
	ContainerInstanceARN string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives operational messages (refresh failures, audit
	// failures). They carry the task ARN, never the credential ID. Default:
	// discard.
	Logger *slog.Logger
}

// Handler serves task role credentials:
//
//	GET /v2/credentials/{id}
//	GET /v1/credentials?id={id}
//
// It is safe for concurrent use.
type Handler struct {
	cache          *Cache
	audit          Auditor
	refresher      Refresher
	minRemaining   time.Duration
	refreshTimeout time.Duration
	limits         *limiters
	cluster        string
	instanceARN    string
	now            func() time.Time
	log            *slog.Logger

	flightMu sync.Mutex
	flights  map[string]*flight
	// warned: when a failed refresh was last logged, per task, so that a
	// task asking for stale credentials 40 times a second logs once a
	// minute.
	warned map[string]time.Time
}

// refreshWarnEvery is how often a task's failing refreshes are logged.
const refreshWarnEvery = time.Minute

// flight is one in-progress refresh shared by concurrent requests for an ID.
type flight struct {
	done chan struct{}
	err  error
}

// NewHandler returns a Handler. It fails if Cache or Audit is missing.
func NewHandler(o Options) (*Handler, error) {
	if o.Cache == nil {
		return nil, errors.New("credentials: Options.Cache is required")
	}
	if o.Audit == nil {
		return nil, errors.New("credentials: Options.Audit is required (credentials are never served unaudited)")
	}
	if o.MinRemaining == 0 {
		o.MinRemaining = DefaultMinRemaining
	} else if o.MinRemaining < 0 {
		o.MinRemaining = 0 // serve until expiry
	}
	if o.RefreshTimeout <= 0 {
		o.RefreshTimeout = DefaultRefreshTimeout
	}
	if o.Rate == 0 {
		o.Rate = DefaultRate
	}
	if o.Burst <= 0 {
		o.Burst = DefaultBurst
	}
	if o.MaxCallers <= 0 {
		o.MaxCallers = DefaultMaxCallers
	}
	if o.CallerIdle <= 0 {
		o.CallerIdle = DefaultCallerIdle
	}
	if o.Rate != rate.Inf && o.Rate > 0 {
		if refill := time.Duration(float64(o.Burst) / float64(o.Rate) * float64(time.Second)); o.CallerIdle < refill+time.Second {
			o.CallerIdle = refill + time.Second
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{
		cache:          o.Cache,
		audit:          o.Audit,
		refresher:      o.Refresher,
		minRemaining:   o.MinRemaining,
		refreshTimeout: o.RefreshTimeout,
		limits:         newLimiters(o.Rate, o.Burst, o.MaxCallers, o.CallerIdle),
		cluster:        o.Cluster,
		instanceARN:    o.ContainerInstanceARN,
		now:            o.Now,
		log:            o.Logger,
		flights:        make(map[string]*flight),
		warned:         make(map[string]time.Time),
	}, nil
}

// apiError is the ECS agent's error body. HTTPErrorCode repeats the status.
type apiError struct {
	Code          string `json:"code"`
	Message       string `json:"message"`
	HTTPErrorCode int    `json:"HTTPErrorCode"`
}

// credentialsResponse is what the AWS SDKs' container credential providers
// read; the field order is the ECS agent's.
type credentialsResponse struct {
	RoleArn         string `json:"RoleArn"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
	Expiration      string `json:"Expiration"`
}

// ExpirationFormat is how Expiration is written: UTC, whole seconds, "Z".
const ExpirationFormat = "2006-01-02T15:04:05Z"

// parseRequest finds the route and the credential ID of a request.
func parseRequest(r *http.Request) (route, string) {
	p := r.URL.Path
	switch {
	case p == V2Path:
		return routeV2, ""
	case strings.HasPrefix(p, V2Path+"/"):
		return routeV2, p[len(V2Path)+1:]
	case p == V1Path || p == V1Path+"/":
		return routeV1, r.URL.Query().Get("id")
	default:
		return routeOther, ""
	}
}

func (rt route) auditPath() string {
	if rt == routeV1 {
		return V1Path
	}
	return V2Path
}

func (rt route) prefix() string {
	if rt == routeV1 {
		return "CredentialsV1Request: "
	}
	return "CredentialsV2Request: "
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := h.now()
	rt, id := parseRequest(r)
	ev := AuditEvent{
		Time:                 now,
		RemoteAddr:           r.RemoteAddr,
		Path:                 rt.auditPath(),
		UserAgent:            headerValue(r.Header, "User-Agent"),
		EventType:            EventGetCredentialsInvalidRoleType,
		Cluster:              h.cluster,
		ContainerInstanceARN: h.instanceARN,
	}

	// The lookup comes first so that the limit is the task's (ratelimit.go).
	var rec *record
	found := false
	if rt != routeOther && id != "" {
		rec, found = h.cache.get(id)
	}
	shared := limiterKey{ip: callerIP(r.RemoteAddr), route: rt}
	var allowed bool
	if found {
		allowed = !h.limits.exhausted(shared, now) && h.limits.allow(limiterKey{ip: shared.ip, route: rt, task: rec.entry.TaskARN}, now)
	} else {
		allowed = h.limits.allow(shared, now)
	}
	if !allowed {
		w.Header().Set("Retry-After", "1")
		e := apiError{CodeTooManyRequests, "You have reached maximum request limit.", http.StatusTooManyRequests}
		if rt == routeOther {
			writeJSON(w, e.HTTPErrorCode, e)
			return
		}
		h.respondError(w, &ev, e)
		return
	}
	if rt == routeOther {
		writeJSON(w, http.StatusNotFound, apiError{CodeNotFound, "Not found. Credentials are served at " + V2Path + "/{id}", http.StatusNotFound})
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.respondError(w, &ev, apiError{CodeMethodNotAllowed, rt.prefix() + "Method " + strconv.Quote(r.Method) + " not allowed; use GET", http.StatusMethodNotAllowed})
		return
	}
	if id == "" {
		h.respondError(w, &ev, apiError{CodeNoIDInRequest, rt.prefix() + "No Credential ID in the request", http.StatusBadRequest})
		return
	}
	if !found {
		h.respondError(w, &ev, apiError{CodeInvalidIDInRequest, rt.prefix() + "Credentials not found", http.StatusBadRequest})
		return
	}
	ev.TaskARN = rec.entry.TaskARN
	ev.EventType = eventType(rec.entry.RoleType)
	if rec.entry.Cluster != "" {
		ev.Cluster = rec.entry.Cluster
	}
	if rec.entry.ContainerInstanceARN != "" {
		ev.ContainerInstanceARN = rec.entry.ContainerInstanceARN
	}

	if e, bad := authorize(r, rec, rt); bad {
		// A wrong token is a guess too: it draws on the caller's bucket.
		h.limits.allow(shared, now)
		if e.HTTPErrorCode == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", "ContainerCredentials")
		}
		h.respondError(w, &ev, e)
		return
	}

	if !h.fresh(&rec.entry.Credentials, now) {
		var ok bool
		rec, ok = h.refresh(r.Context(), id, rec)
		if !ok {
			h.respondError(w, &ev, apiError{CodeInvalidIDInRequest, rt.prefix() + "Credentials not found", http.StatusBadRequest})
			return
		}
		// The entry may have been replaced (Set) meanwhile, token included.
		if e, bad := authorize(r, rec, rt); bad {
			h.respondError(w, &ev, e)
			return
		}
		if !h.fresh(&rec.entry.Credentials, h.now()) {
			h.respondError(w, &ev, apiError{CodeCredentialsUninitialized, rt.prefix() + "Credentials uninitialized for ID", http.StatusServiceUnavailable})
			return
		}
	}

	if rec.body == nil { // cannot happen with string fields; kept for the agent's error shape
		h.respondError(w, &ev, apiError{CodeInternalServerError, "Internal server error", http.StatusInternalServerError})
		return
	}
	ev.Status = http.StatusOK
	if err := h.audit.Audit(ev); err != nil {
		h.auditFailed(w, &ev, err)
		return
	}
	// The body was rendered when the credentials were cached (record.render).
	v := new([3]string)
	v[0], v[1], v[2] = "no-store", "application/json", rec.contentLength
	setHeaders(w.Header(), v[:])
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(rec.body)
}

// setHeaders sets Cache-Control (if v has three values), Content-Type and
// Content-Length to the last values of v, assigned straight into the map under
// their canonical keys: Header.Set would canonicalize each key again and
// allocate one slice per value; here one array holds them all, owned by this
// response (nothing shared between responses, so no one can change another
// response's headers by writing into a value slice).
func setHeaders(hdr http.Header, v []string) {
	if len(v) == 3 {
		hdr["Cache-Control"] = v[0:1:1]
		v = v[1:]
	}
	hdr["Content-Type"] = v[0:1:1]
	hdr["Content-Length"] = v[1:2:2]
}

// credentialsJSONSize is the length of the response body when no field needs
// escaping, used to size the rendering buffer.
func credentialsJSONSize(roleARN string, c *Credentials) int {
	return len(`{"RoleArn":"","AccessKeyId":"","SecretAccessKey":"","Token":"","Expiration":""}`) +
		len(roleARN) + len(c.AccessKeyID) + len(c.SecretAccessKey) + len(c.SessionToken) + len("2006-01-02T15:04:05Z")
}

// appendCredentialsJSON appends the credentials response to b, byte for byte
// what json.Marshal(credentialsResponse{...}) gives, without reflection: the
// fields are written directly when they need no escaping (ARNs, keys and STS
// tokens never do), and through json.Marshal otherwise.
func appendCredentialsJSON(b []byte, roleARN string, c *Credentials) ([]byte, error) {
	if !plainJSON(roleARN) || !plainJSON(c.AccessKeyID) || !plainJSON(c.SecretAccessKey) || !plainJSON(c.SessionToken) {
		body, err := json.Marshal(credentialsResponse{
			RoleArn:         roleARN,
			AccessKeyID:     c.AccessKeyID,
			SecretAccessKey: c.SecretAccessKey,
			Token:           c.SessionToken,
			Expiration:      c.Expiration.UTC().Format(ExpirationFormat),
		})
		return append(b, body...), err
	}
	b = append(b, `{"RoleArn":"`...)
	b = append(b, roleARN...)
	b = append(b, `","AccessKeyId":"`...)
	b = append(b, c.AccessKeyID...)
	b = append(b, `","SecretAccessKey":"`...)
	b = append(b, c.SecretAccessKey...)
	b = append(b, `","Token":"`...)
	b = append(b, c.SessionToken...)
	b = append(b, `","Expiration":"`...)
	b = c.Expiration.UTC().AppendFormat(b, ExpirationFormat)
	return append(b, `"}`...), nil
}

// plainJSON reports whether json.Marshal writes s unchanged between quotes:
// printable ASCII without '"', '\\' and the HTML characters it escapes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// authorize checks the request's Authorization header against the entry's
// token, if it has one: missing → 401, different → 403.
func authorize(r *http.Request, rec *record, rt route) (apiError, bool) {
	if !rec.hasToken {
		return apiError{}, false
	}
	got := headerValue(r.Header, "Authorization")
	if got == "" {
		return apiError{CodeUnauthorized, rt.prefix() + "Authorization header is required for this credential ID", http.StatusUnauthorized}, true
	}
	sum := hashToken(got)
	if subtle.ConstantTimeCompare(sum[:], rec.tokenHash[:]) != 1 {
		return apiError{CodeUnauthorized, rt.prefix() + "Authorization token does not match", http.StatusForbidden}, true
	}
	return apiError{}, false
}

// hashToken is sha256.Sum256([]byte(token)) without the conversion's heap
// allocation for tokens up to 128 bytes (a UUID is 36), which the compiler only
// avoids for strings of at most 32 bytes.
func hashToken(token string) [sha256.Size]byte {
	var buf [128]byte
	if len(token) <= len(buf) {
		n := copy(buf[:], token)
		return sha256.Sum256(buf[:n])
	}
	return sha256.Sum256([]byte(token))
}

// headerValue is h.Get(key) for a key already in canonical form (net/http
// stores request headers under canonical keys), without canonicalizing it
// again.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// fresh reports whether c can be served at now: initialized and valid for at
// least minRemaining.
func (h *Handler) fresh(c *Credentials, now time.Time) bool {
	return c.initialized() && c.Expiration.Sub(now) >= h.minRemaining
}

// refresh asks the Refresher for new credentials (one call per ID at a time,
// shared by concurrent requests) and returns the record as cached afterwards.
// ok is false when the ID vanished meanwhile (task stopped).
func (h *Handler) refresh(ctx context.Context, id string, rec *record) (*record, bool) {
	if h.refresher == nil {
		return rec, true
	}
	h.flightMu.Lock()
	f, joined := h.flights[id]
	if !joined {
		f = &flight{done: make(chan struct{})}
		h.flights[id] = f
	}
	h.flightMu.Unlock()

	if !joined {
		// Detached from this request: its cancellation must not fail the
		// other requests waiting on the same refresh.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.refreshTimeout)
		creds, err := h.refresher.Refresh(rctx, id)
		cancel()
		if err == nil {
			err = h.cache.update(id, creds, true)
		}
		f.err = err
		h.flightMu.Lock()
		delete(h.flights, id)
		logIt := err != nil && !errors.Is(err, ErrNotFound) && h.shouldWarn(rec.entry.TaskARN, h.now())
		h.flightMu.Unlock()
		close(f.done)
		if logIt {
			h.log.Warn("credentials refresh failed (logged once a minute per task)", "task", rec.entry.TaskARN, "role", rec.entry.RoleARN, "err", err)
		}
	} else {
		select {
		case <-f.done:
		case <-ctx.Done():
		}
	}
	return h.cache.get(id)
}

// shouldWarn reports whether a failed refresh of task's credentials is to
// be logged at now, and notes it. Caller holds h.flightMu.
func (h *Handler) shouldWarn(task string, now time.Time) bool {
	if last, ok := h.warned[task]; ok && now.Sub(last) < refreshWarnEvery {
		return false
	}
	if len(h.warned) >= 1024 {
		for k, at := range h.warned {
			if now.Sub(at) >= refreshWarnEvery {
				delete(h.warned, k)
			}
		}
	}
	h.warned[task] = now
	return true
}

func eventType(t RoleType) string {
	switch t {
	case TaskRole:
		return EventGetCredentials
	case ExecutionRole:
		return EventGetCredentialsExecutionRole
	default:
		return EventGetCredentialsInvalidRoleType
	}
}

// respondError audits the failed request and writes the error body; if the
// audit fails the answer becomes 500.
func (h *Handler) respondError(w http.ResponseWriter, ev *AuditEvent, e apiError) {
	ev.Status = e.HTTPErrorCode
	if err := h.audit.Audit(*ev); err != nil {
		h.auditFailed(w, ev, err)
		return
	}
	writeJSON(w, e.HTTPErrorCode, e)
}

// auditFailed refuses a request that could not be audited.
func (h *Handler) auditFailed(w http.ResponseWriter, ev *AuditEvent, err error) {
	h.log.Error("credentials request refused: audit log write failed", "task", ev.TaskARN, "status", ev.Status, "err", err)
	w.Header().Del("Retry-After")
	w.Header().Del("WWW-Authenticate")
	w.Header().Del("Allow")
	writeJSON(w, http.StatusInternalServerError, apiError{CodeInternalServerError, "Internal server error", http.StatusInternalServerError})
}

func writeJSON(w http.ResponseWriter, status int, v apiError) {
	body, _ := json.Marshal(v)
	writeBody(w, status, body)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	v := new([2]string)
	v[0], v[1] = "application/json", strconv.Itoa(len(body))
	setHeaders(w.Header(), v[:])
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
