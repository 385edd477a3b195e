package sigv4

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const upperHex = "0123456789ABCDEF"

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// appendEncoded appends s URI-encoded as SigV4 requires: every byte outside
// the RFC 3986 unreserved set becomes %XX (upper-case hex); '/' is kept when
// keepSlash is set (paths).
func appendEncoded(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (keepSlash && c == '/') {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
	}
	return dst
}

// decodeComponent percent-decodes a query name or value the way Go's
// url.QueryUnescape and the SDKs do ('+' is a space). A malformed escape is
// kept literally rather than rejected: the canonical form then encodes the
// '%', so a request that was not signed that way simply does not match.
func decodeComponent(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 < len(s) {
				hi, ok1 := unhex(s[i+1])
				lo, ok2 := unhex(s[i+2])
				if ok1 && ok2 {
					b = append(b, hi<<4|lo)
					i += 2
					continue
				}
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// isCanonicalComponent reports whether raw is already in SigV4 canonical
// encoding (so it can be used as is, without decoding and re-encoding).
func isCanonicalComponent(raw string) bool {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if isUnreserved(c) {
			continue
		}
		if c != '%' || i+2 >= len(raw) {
			return false
		}
		h, l := raw[i+1], raw[i+2]
		hi, ok1 := unhex(h)
		lo, ok2 := unhex(l)
		if !ok1 || !ok2 || ('a' <= h && h <= 'f') || ('a' <= l && l <= 'f') || isUnreserved(hi<<4|lo) {
			return false
		}
		i += 2
	}
	return true
}

type queryParam struct {
	key, value       string // decoded
	encKey, encValue string // SigV4 canonical encoding
}

// parseQuery splits a raw query string into its parameters, in order, each
// both decoded and canonically encoded. Empty segments ("a&&b") are skipped;
// a segment without '=' has an empty value, as url.ParseQuery has it.
func parseQuery(raw string) []queryParam {
	if raw == "" {
		return nil
	}
	params := make([]queryParam, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		if seg == "" {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		p := queryParam{key: decodeComponent(k), value: decodeComponent(v)}
		p.encKey = canonicalComponent(k, p.key)
		p.encValue = canonicalComponent(v, p.value)
		params = append(params, p)
	}
	return params
}

func canonicalComponent(raw, decoded string) string {
	if isCanonicalComponent(raw) {
		return raw
	}
	return string(appendEncoded(make([]byte, 0, len(decoded)+8), decoded, false))
}

// appendCanonicalQuery appends the canonical query string: every parameter
// (but X-Amz-Signature when presigned), sorted by encoded name then encoded
// value, joined with '&'. params is sorted in place.
func appendCanonicalQuery(dst []byte, params []queryParam, presigned bool) []byte {
	slices.SortFunc(params, func(a, b queryParam) int {
		if c := strings.Compare(a.encKey, b.encKey); c != 0 {
			return c
		}
		return strings.Compare(a.encValue, b.encValue)
	})
	first := true
	for _, p := range params {
		if presigned && p.key == paramSignature {
			continue
		}
		if !first {
			dst = append(dst, '&')
		}
		first = false
		dst = append(dst, p.encKey...)
		dst = append(dst, '=')
		dst = append(dst, p.encValue...)
	}
	return dst
}

// appendCanonicalURI appends the canonical URI of a non-S3 service: the path
// as sent (already percent-encoded once by the client) URI-encoded again,
// slashes kept. An empty path is "/".
func appendCanonicalURI(dst []byte, escapedPath string) []byte {
	if escapedPath == "" {
		return append(dst, '/')
	}
	return appendEncoded(dst, escapedPath, true)
}

// removeDotSegments normalizes a path the way botocore does before signing
// (RFC 3986 5.2.4 dot-segment removal, plus collapsing repeated slashes).
func removeDotSegments(p string) string {
	if p == "" {
		return "/"
	}
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") && p[0] == '/' {
		return p // nothing to normalize (the common case)
	}
	segs := strings.Split(p, "/")
	out := segs[:0]
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	var b strings.Builder
	if p[0] == '/' {
		b.WriteByte('/')
	}
	b.WriteString(strings.Join(out, "/"))
	if p[len(p)-1] == '/' && len(out) > 0 {
		b.WriteByte('/')
	}
	return b.String()
}

// appendCanonicalValue appends a header value trimmed, with runs of spaces
// collapsed to one, as the SigV4 canonical headers require.
func appendCanonicalValue(dst []byte, v string) []byte {
	v = strings.TrimSpace(v)
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}

// headerValues returns the values of the named (lower-case) header as the
// client sent them, using scratch for a synthesized single value. Host and
// Transfer-Encoding are not in r.Header on a server; Host comes from r.Host.
func headerValues(r *http.Request, name string, scratch *[1]string) []string {
	switch name {
	case "host":
		host := r.Host
		if host == "" && r.URL != nil {
			host = r.URL.Host
		}
		if host == "" {
			return nil
		}
		scratch[0] = host
		return scratch[:]
	case "content-length":
		if v := r.Header["Content-Length"]; len(v) > 0 {
			return v
		}
		if r.ContentLength > 0 {
			scratch[0] = strconv.FormatInt(r.ContentLength, 10)
			return scratch[:]
		}
		return nil
	case "transfer-encoding":
		if v := r.Header["Transfer-Encoding"]; len(v) > 0 {
			return v
		}
		if len(r.TransferEncoding) > 0 {
			scratch[0] = strings.Join(r.TransferEncoding, ", ")
			return scratch[:]
		}
		return nil
	}
	var kb [64]byte
	if key, ok := canonicalKey(kb[:0], name); ok {
		if v := r.Header[string(key)]; len(v) > 0 {
			return v
		}
	}
	// Keys that textproto did not canonicalize (unusual characters), and
	// long names.
	var out []string
	for k, v := range r.Header {
		if strings.EqualFold(k, name) {
			out = append(out, v...)
		}
	}
	return out
}

// canonicalKey appends the MIME canonical form of a header name ("x-amz-date"
// -> "X-Amz-Date"), as textproto stores it, without allocating. It reports
// false for names textproto would leave as they are.
func canonicalKey(dst []byte, name string) ([]byte, bool) {
	if name == "" || len(name) > cap(dst) {
		return dst, false
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isTokenChar(c) {
			return dst, false
		}
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
		upper = c == '-'
	}
	return dst, true
}

func isTokenChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
