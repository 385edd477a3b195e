// Package api is rolecall's HTTP front end: one endpoint for every AWS API
// rolecall serves. A request travels decode → authenticate → authorize →
// domain operation → encode; this package owns decoding, routing and
// encoding, and keeps the domain packages free of HTTP.
package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/sigv4"
	"github.com/rolecall/rolecall/internal/sts"
	"github.com/rolecall/rolecall/internal/uuid"
)

// maxBodyBytes bounds a request body. IAM's largest documents are 10 KB of
// inline policies; a megabyte leaves ample room and stops abuse.
const maxBodyBytes = 1 << 20

// Server serves the AWS APIs.
type Server struct {
	Log     *slog.Logger
	IAM     *iam.Service
	Account string // the default account
	Region  string
	// Authz decides every call; Tokens opens session tokens. Dev accepts
	// any access key as the default account's root without checking
	// signatures (for drop-in use in tests, like moto or LocalStack).
	Authz  *authz.Authorizer
	Tokens Tokens
	Dev    bool
	Now    func() time.Time
	// STS is the Security Token Service domain, built by New over IAM,
	// Authz, Tokens and Now (read when called, so Tokens may be set after
	// New). The ECS control plane and instance profiles use its
	// AssumeRoleForService.
	STS *sts.Service
	// ECS is the ECS control plane domain, built by New over the IAM
	// service's store, in Region.
	ECS *ecs.Service

	iamOps  map[string]queryHandler
	stsOps  map[string]queryHandler
	jsonOps map[string]jsonOp
	// jsonKnown holds "service.Action" of the JSON operations, for metrics.
	jsonKnown map[string]bool
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
}

// queryHandler serves one Query-protocol action, writing its result
// elements (inside <ActionResult>) to x.
type queryHandler func(ctx context.Context, c iam.Caller, q *Query, x *XML) error

// New builds a Server.
func New(log *slog.Logger, iamSvc *iam.Service, account, region string) *Server {
	s := &Server{Log: log, IAM: iamSvc, Account: account, Region: region, Authz: authz.New(iamSvc)}
	s.iamOps = s.iamHandlers()
	s.stsOps = s.stsHandlers()
	s.STS = s.newSTS()
	s.ECS = ecs.New(iamSvc.Store, iamSvc.Partition, region)
	s.registerECS()
	s.registry = prometheus.NewRegistry()
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rolecall_api_requests_total",
		Help: "API requests by service, action and AWS error code (empty on success).",
	}, []string{"service", "action", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "rolecall_api_request_duration_seconds",
		Help:    "API request latency by service and action.",
		Buckets: prometheus.ExponentialBuckets(0.00005, 4, 10),
	}, []string{"service", "action"})
	s.registry.MustRegister(s.requests, s.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return s
}

// Handler returns the HTTP handler: /healthz, /metrics and the AWS APIs.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("POST "+AccountsPath, s.serveCreateAccount)
	mux.HandleFunc("/", s.serveAWS)
	return mux
}

// call is the state of one API request.
type call struct {
	requestID string
	service   string
	action    string
	start     time.Time
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// serveAWS is the way every API request travels: read, authenticate,
// decode, route; the service handlers then authorize and operate.
func (s *Server) serveAWS(w http.ResponseWriter, r *http.Request) {
	c := &call{requestID: newRequestID(), start: time.Now()}
	w.Header().Set("x-amzn-RequestId", c.requestID)
	body, err := readBody(w, r)
	if err != nil {
		s.writeQueryError(w, c, iamXMLNS, err)
		return
	}
	c.service = sigv4.ScopeService(r)
	target := r.Header.Get("X-Amz-Target")
	ri, err := s.authenticate(r.Context(), r, body)
	if err != nil {
		c.action = "unauthenticated"
		if target != "" {
			s.writeJSONError(w, c, err)
			return
		}
		s.writeQueryError(w, c, xmlnsFor(c.service), err)
		return
	}
	if target != "" {
		s.serveJSON(w, context.WithValue(r.Context(), requestInfoKey{}, ri), c, target, body)
		return
	}
	q, err := decodeQuery(r, body)
	if err != nil {
		s.writeQueryError(w, c, xmlnsFor(c.service), err)
		return
	}
	c.action = q.Action
	if c.service == "" {
		c.service = serviceOf(q)
	}
	ctx := context.WithValue(r.Context(), requestInfoKey{}, ri)
	switch c.service {
	case "iam":
		s.serveQuery(w, ctx, c, q, iamXMLNS, s.iamOps, s.authorizeIAM)
	case "sts":
		// STS actions authorize themselves (stsHandlers).
		s.serveQuery(w, ctx, c, q, stsXMLNS, s.stsOps, refuseSessionCredentials)
	default:
		// Signed for another service: say which one the request is for, as
		// AWS does, when the API version tells.
		if intended := serviceOf(q); intended != "" {
			s.writeQueryError(w, c, xmlnsFor(intended), sigv4.WrongService(intended))
			return
		}
		s.writeQueryError(w, c, iamXMLNS, invalidAction(q))
	}
}

// serveQuery serves one action of a Query-protocol service: check (the
// service's authorization) decides first, then the action's handler writes
// the result.
func (s *Server) serveQuery(w http.ResponseWriter, ctx context.Context, c *call, q *Query, xmlns string,
	ops map[string]queryHandler, check func(context.Context, *requestInfo, *Query) error) {
	h, ok := ops[q.Action]
	if !ok {
		s.writeQueryError(w, c, xmlns, invalidAction(q))
		return
	}
	ri := infoFrom(ctx)
	if err := check(ctx, ri, q); err != nil {
		s.writeQueryError(w, c, xmlns, err)
		return
	}
	var x XML
	x.b.Grow(2048) // typical results fit: one allocation
	if err := h(ctx, ri.caller, q, &x); err != nil {
		s.writeQueryError(w, c, xmlns, err)
		return
	}
	s.writeQuery(w, c, xmlns, &x)
}

func invalidAction(q *Query) error {
	return awserr.New(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", q.Action, q.Version)
}

// xmlnsFor is the namespace of a Query-protocol response: STS's for STS,
// IAM's otherwise (also before a request's service is known).
func xmlnsFor(service string) string {
	if service == "sts" {
		return stsXMLNS
	}
	return iamXMLNS
}

// readBody reads the request body, at most maxBodyBytes of it.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return nil, awserr.New(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request body must be at most %d bytes", maxBodyBytes)
	}
	return body, nil
}

// decodeQuery reads a Query-protocol request: a form-encoded POST body, or
// the URL's query string.
func decodeQuery(r *http.Request, body []byte) (*Query, error) {
	params := r.URL.Query()
	if r.Method == http.MethodPost && len(body) > 0 {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, awserr.New(http.StatusBadRequest, "MalformedQueryString", "The request body is not a valid form encoding")
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	q := &Query{Params: params}
	q.Action, _ = q.String("Action")
	q.Version, _ = q.String("Version")
	if q.Action == "" {
		return nil, awserr.New(http.StatusBadRequest, "MissingAction", "Missing Action")
	}
	return q, nil
}

// serviceOf routes an unsigned request (or one whose scope names no service)
// by its API version. Signed requests are routed by their credential scope.
func serviceOf(q *Query) string {
	switch q.Version {
	case "2010-05-08":
		return "iam"
	case "2011-06-15":
		return "sts"
	}
	return ""
}

// newRequestID is a request ID in AWS's format (a version 4 UUID).
func newRequestID() string { return uuid.New() }

// writeQuery writes a successful Query-protocol response.
func (s *Server) writeQuery(w http.ResponseWriter, c *call, xmlns string, result *XML) {
	var x XML
	x.b.Grow(result.b.Len() + 2*len(c.action) + len(xmlns) + 160) // one allocation
	x.b.WriteString(`<` + c.action + `Response xmlns="` + xmlns + `">`)
	if result.b.Len() > 0 || result.emptyResult {
		x.Open(c.action + "Result")
		x.b.Write(result.Bytes())
		x.Close(c.action + "Result")
	}
	x.Open("ResponseMetadata").Elem("RequestId", c.requestID).Close("ResponseMetadata")
	x.Close(c.action + "Response")
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(x.Bytes())
	s.record(c, http.StatusOK, "")
}

// writeQueryError writes AWS's Query-protocol error envelope. Errors that are
// not *awserr.Error are internal: logged, and answered with a generic 500
// that reveals nothing.
func (s *Server) writeQueryError(w http.ResponseWriter, c *call, xmlns string, err error) {
	e, ok := awserr.As(err)
	if !ok {
		if err == context.Canceled {
			e = awserr.New(499, "RequestCanceled", "The request was canceled")
		} else {
			s.Log.Error("internal error", "request_id", c.requestID, "service", c.service, "action", c.action, "err", err)
			e = awserr.ServiceFailure("An internal error occurred. Request ID: %s", c.requestID)
		}
	}
	var x XML
	x.b.WriteString(`<ErrorResponse xmlns="` + xmlns + `">`)
	x.Open("Error")
	if e.Sender {
		x.Elem("Type", "Sender")
	} else {
		x.Elem("Type", "Receiver")
	}
	x.Elem("Code", e.Code).Elem("Message", e.Message).Close("Error")
	x.Elem("RequestId", c.requestID)
	x.Close("ErrorResponse")
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	_, _ = w.Write(x.Bytes())
	s.record(c, e.Status, e.Code)
}

func (s *Server) record(c *call, status int, code string) {
	d := time.Since(c.start)
	svc, action := c.service, c.action
	if svc == "" {
		svc = "unknown"
	}
	if !s.knownAction(svc, action) {
		action = "unknown" // keep label cardinality bounded
	}
	s.requests.WithLabelValues(svc, action, code).Inc()
	s.latency.WithLabelValues(svc, action).Observe(d.Seconds())
	if s.Log.Enabled(context.Background(), slog.LevelInfo) {
		s.Log.Info("request", "request_id", c.requestID, "service", svc, "action", c.action, "status", status, "code", code, "duration", d)
	}
}

func (s *Server) knownAction(svc, action string) bool {
	switch svc {
	case "iam":
		_, ok := s.iamOps[action]
		return ok
	case "sts":
		_, ok := s.stsOps[action]
		return ok
	}
	return s.jsonKnown[svc+"."+action]
}
