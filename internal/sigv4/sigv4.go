package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
)

const (
	algorithm       = "AWS4-HMAC-SHA256"
	terminator      = "aws4_request"
	timeFormat      = "20060102T150405Z"
	unsignedPayload = "UNSIGNED-PAYLOAD"

	// MaxSkew is how far the signing time may be from the server's clock,
	// either way (for presigned requests: how far in the future, and how far
	// in the past when X-Amz-Expires is absent).
	MaxSkew = 15 * time.Minute
	// MaxPresignExpires is the largest X-Amz-Expires AWS accepts, in seconds.
	MaxPresignExpires = 604800

	paramAlgorithm     = "X-Amz-Algorithm"
	paramCredential    = "X-Amz-Credential"
	paramDate          = "X-Amz-Date"
	paramExpires       = "X-Amz-Expires"
	paramSignedHeaders = "X-Amz-SignedHeaders"
	paramSignature     = "X-Amz-Signature"
	paramSecurityToken = "X-Amz-Security-Token"
	paramContentSHA256 = "X-Amz-Content-Sha256"

	headerSecurityToken = "X-Amz-Security-Token"
	headerContentSHA256 = "X-Amz-Content-Sha256"
)

// Lookup returns the secret access key for an access key ID, given the
// session token the request carries ("" for long-term keys). It returns an
// *awserr.Error when the request must be refused: InvalidClientTokenID() for
// an unknown key or a token that does not belong to it, ExpiredToken() for
// expired temporary credentials. Anything else the caller needs (the
// principal, say) it captures itself. Verify calls it at most once per
// request, after the request has been parsed and its time checked.
type Lookup func(ctx context.Context, accessKeyID, sessionToken string) (secret string, err error)

// Verified describes a request whose signature checked out.
type Verified struct {
	AccessKeyID  string
	SessionToken string // "" for long-term credentials
	Region       string // credential scope region (any region is accepted)
	Service      string // credential scope service; the caller checks it
	Date         string // credential scope date, YYYYMMDD
	// SignedAt is the signing time (X-Amz-Date, or the Date header).
	SignedAt time.Time
	// Presigned is true for query-string (presigned URL) authentication.
	Presigned bool
	// SignedHeaders are the header names covered by the signature, lower-case,
	// as the client listed them.
	SignedHeaders []string
	// UnsignedPayload is true when the signature does not cover the body
	// (a presigned URL signed with UNSIGNED-PAYLOAD, as botocore presigns):
	// the caller must not trust the body of such a request.
	UnsignedPayload bool
}

// authRequest is what the Authorization header or the presigned query
// parameters say.
type authRequest struct {
	presigned     bool
	credential    string // AKID/date/region/service/terminator
	signedHeaders string
	signature     string
	amzDate       string // YYYYMMDD'T'HHMMSS'Z', as it goes in the string to sign
	signedAt      time.Time
	expires       time.Duration
	hasExpires    bool
	token         string
	tokenInHeader bool
	payloadHash   string // an explicit x-amz-content-sha256, or ""
}

// Verify checks the SigV4 signature of r, whose body the caller has already
// read into body (Verify never touches r.Body), at time now. It returns what
// the signature vouches for, or an *awserr.Error (4xx) saying why the request
// is refused; an error from lookup that is not an *awserr.Error is returned
// unchanged.
func Verify(ctx context.Context, r *http.Request, body []byte, now time.Time, lookup Lookup) (*Verified, error) {
	rawQuery := ""
	if r.URL != nil {
		rawQuery = r.URL.RawQuery
	}
	params := parseQuery(rawQuery)
	authz := r.Header["Authorization"]
	queryAuth := hasQueryAuth(params)

	var a authRequest
	var e *awserr.Error
	switch {
	case len(authz) > 0 && queryAuth:
		return nil, incomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, " +
			"Signature query string parameter or the Authorization header should be specified")
	case len(authz) > 0:
		a, e = fromHeader(r, strings.Join(authz, ", "))
	case queryAuth:
		a, e = fromQuery(r, params)
	default:
		return nil, errMissingAuth()
	}
	if e != nil {
		return nil, e
	}

	// Credential scope: AKID/YYYYMMDD/region/service/aws4_request.
	akid, date, region, service, term, ok := splitCredential(a.credential)
	if !ok {
		return nil, incomplete("Credential must have exactly 5 slash-delimited elements, "+
			"e.g. keyid/date/region/service/term, got '%s'", a.credential)
	}
	if date != a.amzDate[:8] {
		return nil, mismatch("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "+
			"'%s' != '%s', from '%s'.", date, a.amzDate[:8], a.amzDate)
	}
	if region == "" {
		return nil, mismatch("Credential should be scoped to a valid region, not '%s'. ", region)
	}
	if term != terminator {
		return nil, mismatch("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ", term)
	}

	// Time.
	if a.signedAt.After(now.Add(MaxSkew)) {
		return nil, errSignatureNotYetCurrent(a.signedAt, now)
	}
	if a.presigned && a.hasExpires {
		if now.After(a.signedAt.Add(a.expires)) {
			return nil, errRequestExpired()
		}
	} else if a.signedAt.Before(now.Add(-MaxSkew)) {
		return nil, errSignatureExpired(a.signedAt, now)
	}

	// Signed headers: host always, x-amz-security-token when it is a header,
	// and every named header must be there.
	names := strings.Split(a.signedHeaders, ";")
	for i, n := range names {
		names[i] = strings.ToLower(n)
	}
	if !slices.Contains(names, "host") {
		return nil, incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if a.tokenInHeader && !slices.Contains(names, "x-amz-security-token") {
		return nil, incomplete("'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.")
	}
	var scratch [1]string
	for _, n := range names {
		if len(headerValues(r, n, &scratch)) == 0 {
			return nil, incomplete("'%s' is named as a SignedHeader, but it does not exist in the HTTP request.", n)
		}
	}

	if akid == "" {
		return nil, InvalidClientTokenID()
	}
	secret, err := lookup(ctx, akid, a.token)
	if err != nil {
		if ae, ok := awserr.As(err); ok {
			return nil, ae
		}
		return nil, err
	}
	if secret == "" {
		return nil, InvalidClientTokenID()
	}

	// Payload hash candidates.
	var bodyHash [2 * sha256.Size]byte
	sum := sha256.Sum256(body)
	hex.Encode(bodyHash[:], sum[:])
	var payloads [2]string
	np := 0
	switch {
	case a.payloadHash == unsignedPayload:
		if !a.presigned {
			return nil, errSignatureMismatch()
		}
		payloads[0], np = unsignedPayload, 1
	case a.payloadHash != "":
		// The client says what it hashed: it must be this body.
		if !strings.EqualFold(a.payloadHash, string(bodyHash[:])) {
			return nil, errSignatureMismatch()
		}
		payloads[0], np = a.payloadHash, 1
	case a.presigned:
		// Go SDK presigners hash the (empty) body; botocore presigns with
		// UNSIGNED-PAYLOAD without saying so.
		payloads[0], payloads[1], np = string(bodyHash[:]), unsignedPayload, 2
	default:
		payloads[0], np = string(bodyHash[:]), 1
	}

	// Canonical URI candidates: the path as sent; and, if different, the path
	// normalized as botocore normalizes it before signing.
	escaped := "/"
	if r.URL != nil {
		if p := r.URL.EscapedPath(); p != "" {
			escaped = p
		}
	}
	paths := [2]string{escaped}
	npaths := 1
	if n := removeDotSegments(escaped); n != escaped {
		paths[1], npaths = n, 2
	}

	buf := getBuf()
	defer putBuf(buf)
	middle := buildMiddle((*buf)[:0], r, params, a.presigned, names, a.signedHeaders)
	*buf = middle

	key := signingKeys.signingKey(secret, date, region, service)
	scope := a.credential[len(akid)+1:]
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	crBuf := getBuf()
	defer putBuf(crBuf)
	for i := 0; i < npaths; i++ {
		for j := 0; j < np; j++ {
			cr := append((*crBuf)[:0], method...)
			cr = append(cr, '\n')
			cr = appendCanonicalURI(cr, paths[i])
			cr = append(cr, middle...)
			cr = append(cr, payloads[j]...)
			*crBuf = cr
			sig := computeSignature(&key, cr, a.amzDate, scope)
			if hmac.Equal(sig[:], []byte(a.signature)) {
				return &Verified{
					AccessKeyID:     akid,
					SessionToken:    a.token,
					Region:          region,
					Service:         service,
					Date:            date,
					SignedAt:        a.signedAt,
					Presigned:       a.presigned,
					SignedHeaders:   names,
					UnsignedPayload: payloads[j] == unsignedPayload,
				}, nil
			}
		}
	}
	return nil, errSignatureMismatch()
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

// putBuf returns a buffer to the pool unless an unusually large request grew
// it; those are left to the garbage collector.
func putBuf(b *[]byte) {
	if cap(*b) <= 64<<10 {
		bufPool.Put(b)
	}
}

// buildMiddle appends the part of the canonical request between the URI and
// the payload hash:
//
//	\n<canonical query>\n<name>:<value>\n...\n\n<signed headers>\n
func buildMiddle(dst []byte, r *http.Request, params []queryParam, presigned bool, names []string, signedHeaders string) []byte {
	dst = append(dst, '\n')
	dst = appendCanonicalQuery(dst, params, presigned)
	dst = append(dst, '\n')
	var scratch [1]string
	for _, n := range names {
		dst = append(dst, n...)
		dst = append(dst, ':')
		for i, v := range headerValues(r, n, &scratch) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendCanonicalValue(dst, v)
		}
		dst = append(dst, '\n')
	}
	dst = append(dst, '\n')
	dst = append(dst, signedHeaders...)
	dst = append(dst, '\n')
	return dst
}

// computeSignature returns the hex signature of a canonical request under
// the signing key: HMAC(kSigning, "AWS4-HMAC-SHA256\n" + amzDate + "\n" +
// scope + "\n" + hex(SHA-256(canonical request))).
func computeSignature(key *[sha256.Size]byte, canonicalRequest []byte, amzDate, scope string) [2 * sha256.Size]byte {
	crHash := sha256.Sum256(canonicalRequest)
	var sts [256]byte
	msg := append(sts[:0], algorithm+"\n"...)
	msg = append(msg, amzDate...)
	msg = append(msg, '\n')
	msg = append(msg, scope...)
	msg = append(msg, '\n')
	msg = hex.AppendEncode(msg, crHash[:])
	sig := hmacSHA256Key32(key, msg)
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sig[:])
	return out
}

// splitCredential splits AKID/date/region/service/terminator, requiring
// exactly five parts.
func splitCredential(c string) (akid, date, region, service, term string, ok bool) {
	var p [5]string
	for i := 0; i < 4; i++ {
		var found bool
		p[i], c, found = strings.Cut(c, "/")
		if !found {
			return "", "", "", "", "", false
		}
	}
	if strings.IndexByte(c, '/') >= 0 {
		return "", "", "", "", "", false
	}
	return p[0], p[1], p[2], p[3], c, true
}

func hasQueryAuth(params []queryParam) bool {
	for _, p := range params {
		switch p.key {
		case paramAlgorithm, paramCredential, paramSignature:
			return true
		}
	}
	return false
}

// fromHeader reads the Authorization header form:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex
//
// Parameters are separated by commas and/or whitespace, in any amount.
func fromHeader(r *http.Request, h string) (authRequest, *awserr.Error) {
	var a authRequest
	s := strings.TrimLeft(h, " \t")
	alg, rest := s, ""
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		alg, rest = s[:i], s[i+1:]
	}
	var haveCred, haveSigned, haveSig bool
	for rest != "" {
		var tok string
		if i := strings.IndexAny(rest, ", \t"); i >= 0 {
			tok, rest = rest[:i], rest[i+1:]
		} else {
			tok, rest = rest, ""
		}
		if tok == "" {
			continue
		}
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			return a, incomplete("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", tok, h)
		}
		var have *bool
		switch k {
		case "Credential":
			a.credential, have = v, &haveCred
		case "SignedHeaders":
			a.signedHeaders, have = v, &haveSigned
		case "Signature":
			a.signature, have = v, &haveSig
		default:
			continue
		}
		if *have {
			return a, incomplete("Authorization header has duplicate '%s' parameter: '%s'.", k, h)
		}
		*have = true
	}

	var dateOK bool
	a.amzDate, a.signedAt, dateOK = requestTime(r)
	if !haveCred || !haveSig || !haveSigned || !dateOK {
		var b strings.Builder
		if !haveCred {
			b.WriteString("Authorization header requires 'Credential' parameter. ")
		}
		if !haveSig {
			b.WriteString("Authorization header requires 'Signature' parameter. ")
		}
		if !haveSigned {
			b.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
		}
		if !dateOK {
			b.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
		}
		b.WriteString("Authorization=")
		return a, incomplete(b.String()+"%s", h)
	}
	if alg != algorithm {
		return a, incomplete("The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
	}

	if v := r.Header.Values(headerSecurityToken); len(v) > 0 {
		a.token, a.tokenInHeader = strings.Join(v, ","), true
	}
	a.payloadHash = r.Header.Get(headerContentSHA256)
	return a, nil
}

// requestTime returns the signing time of a header-signed request: the
// X-Amz-Date header, else the Date header (RFC 1123 and the other HTTP
// forms, or ISO 8601 basic).
func requestTime(r *http.Request) (string, time.Time, bool) {
	if v := r.Header.Get("X-Amz-Date"); v != "" {
		if t, ok := parseAmzDate(v); ok {
			return v, t, true
		}
	}
	if v := r.Header.Get("Date"); v != "" {
		if t, ok := parseAmzDate(v); ok {
			return v, t, true
		}
		if t, err := http.ParseTime(v); err == nil {
			t = t.UTC()
			return t.Format(timeFormat), t, true
		}
	}
	return "", time.Time{}, false
}

// parseAmzDate parses exactly YYYYMMDD'T'HHMMSS'Z'.
func parseAmzDate(v string) (time.Time, bool) {
	if len(v) != len(timeFormat) || v[8] != 'T' || v[15] != 'Z' {
		return time.Time{}, false
	}
	for i := 0; i < 15; i++ {
		if i != 8 && (v[i] < '0' || v[i] > '9') {
			return time.Time{}, false
		}
	}
	t, err := time.Parse(timeFormat, v)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// fromQuery reads the presigned (query-string) form.
func fromQuery(r *http.Request, params []queryParam) (authRequest, *awserr.Error) {
	a := authRequest{presigned: true}
	var alg, date, expires string
	var seen [8]bool
	for _, p := range params {
		var dst *string
		var idx int
		switch p.key {
		case paramAlgorithm:
			dst, idx = &alg, 0
		case paramCredential:
			dst, idx = &a.credential, 1
		case paramDate:
			dst, idx = &date, 2
		case paramSignedHeaders:
			dst, idx = &a.signedHeaders, 3
		case paramSignature:
			dst, idx = &a.signature, 4
		case paramExpires:
			dst, idx = &expires, 5
		case paramSecurityToken:
			dst, idx = &a.token, 6
		case paramContentSHA256:
			dst, idx = &a.payloadHash, 7
		default:
			continue
		}
		if seen[idx] {
			return a, incomplete("Duplicate query-string parameter '%s'. Re-examine the query-string parameters.", p.key)
		}
		seen[idx] = true
		*dst = p.value
	}
	if !seen[0] || !seen[1] || !seen[2] || !seen[3] || !seen[4] {
		return a, incomplete("AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', " +
			"'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'. Re-examine the query-string parameters.")
	}
	if alg != algorithm {
		return a, incomplete(`X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`)
	}
	t, ok := parseAmzDate(date)
	if !ok {
		return a, incomplete(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
	}
	a.amzDate, a.signedAt = date, t
	if seen[5] {
		n, err := strconv.ParseInt(expires, 10, 64)
		switch {
		case err != nil && !isAllDigits(expires):
			return a, incomplete("X-Amz-Expires should be a number")
		case err == nil && n < 0:
			return a, incomplete("X-Amz-Expires must be non-negative")
		case err != nil || n > MaxPresignExpires:
			return a, incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		a.expires, a.hasExpires = time.Duration(n)*time.Second, true
	}
	if v := r.Header.Values(headerSecurityToken); len(v) > 0 {
		if !seen[6] {
			a.token = strings.Join(v, ",")
		}
		a.tokenInHeader = true
	}
	if !seen[7] {
		a.payloadHash = r.Header.Get(headerContentSHA256)
	}
	return a, nil
}

func isAllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ScopeService returns the service named in the request's credential scope,
// cheaply and without verifying anything, so a router can pick the service
// before calling Verify. It reads the Authorization header's Credential, or,
// when there is no Authorization header, the X-Amz-Credential query
// parameter of a presigned URL. It returns "" when there is no well-formed
// five-part credential.
func ScopeService(r *http.Request) string {
	if h := r.Header["Authorization"]; len(h) > 0 {
		s := h[0]
		i := strings.Index(s, "Credential=")
		if i < 0 {
			return ""
		}
		s = s[i+len("Credential="):]
		if j := strings.IndexAny(s, ", \t"); j >= 0 {
			s = s[:j]
		}
		return serviceOf(s)
	}
	if r.URL == nil {
		return ""
	}
	raw := r.URL.RawQuery
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(seg, "=")
		if decodeComponent(k) == paramCredential {
			return serviceOf(decodeComponent(v))
		}
	}
	return ""
}

func serviceOf(credential string) string {
	_, _, _, service, _, _ := splitCredential(credential)
	return service
}
