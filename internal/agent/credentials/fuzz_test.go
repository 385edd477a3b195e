package credentials

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzRequestPath feeds arbitrary paths, queries and methods to the handler:
// it must never panic, answer only 2xx or 4xx, always with a JSON body, and
// never leak credentials for a path that does not name the ID exactly.
func FuzzRequestPath(f *testing.F) {
	const id = "12345678-90ab-4def-9234-567890abcdef"
	for _, s := range []struct{ method, path, query string }{
		{"GET", V2Path + "/" + id, ""},
		{"GET", V1Path, "id=" + id},
		{"GET", V2Path + "/", ""},
		{"GET", V2Path, ""},
		{"GET", V1Path, "id="},
		{"GET", V1Path, "id=%zz&id=" + id},
		{"POST", V2Path + "/" + id, ""},
		{"GET", "/v2/credentials//" + id, ""},
		{"GET", "/v2/credentials/" + id + "/..", ""},
		{"GET", "/", ""},
		{"GET", "", ""},
		{"", "\x00", ";;;"},
	} {
		f.Add(s.method, s.path, s.query)
	}
	// A finite rate, so that the limiter's keys are exercised, with a burst
	// the fuzzer does not exhaust (the clock does not move), so that every
	// other path stays reachable.
	e := newEnv(f, func(o *Options) { o.Rate = 1; o.Burst = 1 << 30 })
	if err := e.cache.Set(id, testEntry(t0.Add(time.Hour))); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path, query string) {
		req := &http.Request{
			Method:     method,
			URL:        &url.URL{Path: path, RawQuery: query},
			Header:     http.Header{},
			RemoteAddr: "172.17.0.9:4242",
			Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		}
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if c := rec.Code; (c < 200 || c > 299) && (c < 400 || c > 499) {
			t.Fatalf("%q %q %q: status %d", method, path, query, c)
		}
		if rec.Header().Get("Content-Type") != "application/json" || rec.Body.Len() == 0 {
			t.Fatalf("%q %q %q: no JSON body", method, path, query)
		}
		if rec.Code == 200 {
			exact := path == V2Path+"/"+id || ((path == V1Path || path == V1Path+"/") && req.URL.Query().Get("id") == id)
			if !exact || !strings.Contains(rec.Body.String(), testSecret) {
				t.Fatalf("%q %q %q: unexpected 200", method, path, query)
			}
		}
	})
}

// FuzzCredentialsJSON: the hand-written response body is byte for byte what
// json.Marshal gives.
func FuzzCredentialsJSON(f *testing.F) {
	f.Add("arn:aws:iam::123456789012:role/app", "ASIAEXAMPLE", "secret/+=", "IQoJb3JpZ2luX2Vj", int64(1800000000))
	f.Add("a\"b", "<k>", "s\\e&c", "t\x00\u2028\xff", int64(-62135596800))
	f.Add("", "", "", "", int64(253402300799))
	f.Fuzz(func(t *testing.T, role, key, secret, token string, exp int64) {
		c := Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: token, Expiration: time.Unix(exp, 0)}
		want, err := json.Marshal(credentialsResponse{RoleArn: role, AccessKeyID: key, SecretAccessKey: secret, Token: token,
			Expiration: c.Expiration.UTC().Format(ExpirationFormat)})
		if err != nil {
			t.Skip()
		}
		got, err := appendCredentialsJSON([]byte("x"), role, &c)
		if err != nil || string(got) != "x"+string(want) {
			t.Fatalf("got %s\nwant %s (%v)", got, want, err)
		}
	})
}

// FuzzAuditFields: appendToken and appendQuoted, which copy clean prefixes
// whole, write what the plain byte-by-byte definitions below write.
func FuzzAuditFields(f *testing.F) {
	for _, s := range []string{"", "arn:aws:ecs:us-east-1:1:task/c/abc", "a b\"c\x7f\x80é", "aws-sdk/1 \"x\"\n\\", "\xff\xfe", strings.Repeat("x", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendToken([]byte("p"), s)), "p"+refToken(s); got != want {
			t.Fatalf("appendToken(%q) = %q, want %q", s, got, want)
		}
		if got, want := string(appendQuoted([]byte("p"), s)), "p"+refQuoted(s); got != want {
			t.Fatalf("appendQuoted(%q) = %q, want %q", s, got, want)
		}
	})
}

func refToken(s string) string {
	if s == "" {
		return "-"
	}
	if len(s) > maxAuditField {
		s = s[:maxAuditField]
	}
	b := []byte(s)
	for i, c := range b {
		if c <= ' ' || c == '"' || c == 0x7f || c >= 0x80 {
			b[i] = '_'
		}
	}
	return string(b)
}

func refQuoted(s string) string {
	if s == "" {
		s = "-"
	}
	if len(s) > maxAuditField {
		s = s[:maxAuditField]
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteByte(s[i])
		case r < ' ' || r == 0x7f || (r == utf8.RuneError && size == 1):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}
