package token

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store/memory"
)

// t0 is the tests' clock.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newRing(t testing.TB) *Ring {
	t.Helper()
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	r, err := LoadRing(context.Background(), st, t0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// typicalClaims is an ECS task role session: no session policy, no tags.
func typicalClaims() Claims {
	return Claims{
		Account:         "123456789012",
		AccessKeyID:     "ASIAQWERTYUIOPASDFGH",
		SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		Kind:            KindAssumedRole,
		RoleARN:         "arn:aws:iam::123456789012:role/ecs/ecsTaskExecutionRole",
		RoleID:          "AROAQWERTYUIOPASDFGHJ",
		RoleName:        "ecsTaskExecutionRole",
		SessionName:     "4b1e3c5a0f0b4c0e9d7a6b5c4d3e2f1a",
		IssuedAt:        t0,
		Expires:         t0.Add(time.Hour),
	}
}

// fullClaims sets every field.
func fullClaims() Claims {
	c := typicalClaims()
	c.Version = ClaimsVersion
	c.UserARN = "arn:aws:iam::123456789012:user/alice"
	c.UserID = "AIDAQWERTYUIOPASDFGHJ"
	c.SessionPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	c.SessionPolicyARNs = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/p"}
	c.Tags = []Tag{{"Project", "Unicorn"}, {"Team", "Automation"}, {"Empty", ""}}
	c.TransitiveTagKeys = []string{"Project"}
	c.SourceIdentity = "alice@example.com"
	c.ChainedFrom = "arn:aws:iam::123456789012:role/parent"
	c.MFA = true
	return c
}

// bigClaims has a 2,048-character session policy and 50 tags of the given
// key and value lengths, made of random characters (which compress worst).
func bigClaims(rng *rand.Rand, keyLen, valueLen int) Claims {
	c := fullClaims()
	c.SessionPolicy = policyOfLen(2048)
	c.Tags = nil
	c.TransitiveTagKeys = nil
	for i := range 50 {
		k := fmt.Sprintf("%02d", i) + randText(rng, keyLen-2)
		c.Tags = append(c.Tags, Tag{k, randText(rng, valueLen)})
		if i%5 == 0 {
			c.TransitiveTagKeys = append(c.TransitiveTagKeys, k)
		}
	}
	return c
}

func randText(rng *rand.Rand, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _.:/=+-@"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// variedPolicyOfLen is policyOfLen with random actions and resource names,
// which compress far less.
func variedPolicyOfLen(rng *rand.Rand, n int) string {
	var sb strings.Builder
	sb.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for {
		st := fmt.Sprintf(`{"Sid":"%s","Effect":"Allow","Action":["%s:%s"],"Resource":"arn:aws:s3:::%s/%s/*"},`,
			"S"+fmt.Sprint(rng.IntN(1e6)), []string{"s3", "ec2", "ecs", "logs"}[rng.IntN(4)],
			"Get"+strings.Map(alnum, randText(rng, 10)), strings.ToLower(strings.Map(alnum, randText(rng, 16))), strings.Map(alnum, randText(rng, 12)))
		if sb.Len()+len(st)+2 > n {
			break
		}
		sb.WriteString(st)
	}
	s := strings.TrimSuffix(sb.String(), ",") + "]}"
	return s[:len(s)-2] + strings.Repeat(" ", n-len(s)) + "]}"
}

func alnum(r rune) rune {
	if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
		return r
	}
	return 'x'
}

// policyOfLen returns a plausible policy document exactly n characters long.
func policyOfLen(n int) string {
	var sb strings.Builder
	sb.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for i := 0; ; i++ {
		st := fmt.Sprintf(`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::my-example-bucket-%d/folder-%d/*"},`, i, i*7)
		if sb.Len()+len(st)+2 > n {
			break
		}
		sb.WriteString(st)
	}
	s := strings.TrimSuffix(sb.String(), ",") + "]}"
	return s[:len(s)-2] + strings.Repeat(" ", n-len(s)) + "]}"
}

// sealer is a *Ring or a *Watcher.
type sealer interface{ Seal(Claims) (string, error) }

func mustSeal(t testing.TB, r sealer, c Claims) string {
	t.Helper()
	tok, err := r.Seal(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// wantCode checks that err is exactly AWS's error with that code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	var want *awserr.Error
	switch code {
	case "InvalidClientTokenId":
		want = &awserr.Error{Code: code, Message: "The security token included in the request is invalid.", Status: http.StatusForbidden, Sender: true}
	case "ExpiredToken":
		want = &awserr.Error{Code: code, Message: "The security token included in the request is expired", Status: http.StatusForbidden, Sender: true}
	default:
		t.Fatalf("unknown code %s", code)
	}
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("err = %v (%T), want *awserr.Error %s", err, err, code)
	}
	if *e != *want {
		t.Fatalf("err = %+v, want %+v", *e, *want)
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	r := newRing(t)
	for name, c := range map[string]Claims{
		"typical": typicalClaims(),
		"full":    fullClaims(),
		"big":     bigClaims(rand.New(rand.NewPCG(1, 2)), 20, 40),
		"federated": {
			Account: "123456789012", AccessKeyID: NewAccessKeyID(), SecretAccessKey: NewSecret(),
			Kind: KindFederatedUser, SessionName: "bob", UserARN: "arn:aws:iam::123456789012:user/alice",
			UserID: "AIDAQWERTYUIOPASDFGHJ", IssuedAt: t0, Expires: t0.Add(MaxSessionDuration),
		},
		"root session": {
			Account: "123456789012", AccessKeyID: NewAccessKeyID(), SecretAccessKey: NewSecret(),
			Kind: KindSession, UserARN: "arn:aws:iam::123456789012:root", UserID: "123456789012",
			IssuedAt: t0, Expires: t0.Add(time.Hour), MFA: true,
		},
	} {
		t.Run(name, func(t *testing.T) {
			tok := mustSeal(t, r, c)
			got, err := r.Open(tok, t0)
			if err != nil {
				t.Fatal(err)
			}
			want := c
			want.Version = ClaimsVersion
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
			}
			if got.IssuedAt.Location() != time.UTC {
				t.Errorf("IssuedAt location %v, want UTC", got.IssuedAt.Location())
			}
		})
	}
}

func TestSealNormalizesTimes(t *testing.T) {
	r := newRing(t)
	c := typicalClaims()
	loc := time.FixedZone("X", 5*3600)
	c.IssuedAt = t0.Add(900 * time.Millisecond).In(loc)
	c.Expires = t0.Add(time.Hour + 999*time.Millisecond).In(loc)
	got, err := r.Open(mustSeal(t, r, c), t0)
	if err != nil {
		t.Fatal(err)
	}
	if !got.IssuedAt.Equal(t0) || !got.Expires.Equal(t0.Add(time.Hour)) || got.Expires.Location() != time.UTC {
		t.Fatalf("times %v %v, want second precision in UTC", got.IssuedAt, got.Expires)
	}
}

func TestSealEachTokenDiffers(t *testing.T) {
	r := newRing(t)
	a, b := mustSeal(t, r, typicalClaims()), mustSeal(t, r, typicalClaims())
	if a == b {
		t.Fatal("two seals of the same claims are equal: nonce not random")
	}
}

func TestSealRefusesInvalidClaims(t *testing.T) {
	r := newRing(t)
	for name, mod := range map[string]func(*Claims){
		"newer version":    func(c *Claims) { c.Version = ClaimsVersion + 1 },
		"negative version": func(c *Claims) { c.Version = -1 },
		"no account":       func(c *Claims) { c.Account = "" },
		"AKIA key":         func(c *Claims) { c.AccessKeyID = "AKIAQWERTYUIOPASDFGH" },
		"short key":        func(c *Claims) { c.AccessKeyID = "ASIAQWERTY" },
		"lowercase key":    func(c *Claims) { c.AccessKeyID = "ASIAqwertyuiopasdfgh" },
		"no secret":        func(c *Claims) { c.SecretAccessKey = "" },
		"no kind":          func(c *Claims) { c.Kind = "" },
		"bad kind":         func(c *Claims) { c.Kind = "user" },
		"no issue time":    func(c *Claims) { c.IssuedAt = time.Time{} },
		"no expiry":        func(c *Claims) { c.Expires = time.Time{} },
		"expires at issue": func(c *Claims) { c.Expires = c.IssuedAt.Add(500 * time.Millisecond) },
		"expires before":   func(c *Claims) { c.Expires = c.IssuedAt.Add(-time.Hour) },
		"over 36 hours":    func(c *Claims) { c.Expires = c.IssuedAt.Add(MaxSessionDuration + time.Second) },
	} {
		t.Run(name, func(t *testing.T) {
			c := typicalClaims()
			mod(&c)
			if tok, err := r.Seal(c); err == nil {
				t.Fatalf("Seal succeeded: %d chars", len(tok))
			}
		})
	}
}

func TestOpenExpired(t *testing.T) {
	r := newRing(t)
	c := typicalClaims()
	tok := mustSeal(t, r, c)
	if _, err := r.Open(tok, c.Expires.Add(-time.Nanosecond)); err != nil {
		t.Fatalf("just before expiry: %v", err)
	}
	for _, now := range []time.Time{c.Expires, c.Expires.Add(time.Nanosecond), c.Expires.Add(24 * time.Hour)} {
		_, err := r.Open(tok, now)
		wantCode(t, err, "ExpiredToken")
	}
}

// TestOpenExpiredTamperedIsInvalid: expiry is only reported for tokens that
// authenticate; garbage is never "expired".
func TestOpenExpiredTamperedIsInvalid(t *testing.T) {
	r := newRing(t)
	tok := mustSeal(t, r, typicalClaims())
	raw, _ := b64.DecodeString(tok)
	raw[len(raw)-1] ^= 1
	_, err := r.Open(b64.EncodeToString(raw), t0.Add(48*time.Hour))
	wantCode(t, err, "InvalidClientTokenId")
}

// TestTamperEveryByte flips bits in every byte of the raw token, naming the
// region each byte belongs to.
func TestTamperEveryByte(t *testing.T) {
	r := newRing(t)
	for _, c := range []Claims{typicalClaims(), bigClaims(rand.New(rand.NewPCG(3, 4)), 20, 40)} {
		tok := mustSeal(t, r, c)
		raw, err := b64.DecodeString(tok)
		if err != nil {
			t.Fatal(err)
		}
		region := func(i int) string {
			switch {
			case i < 2:
				return "magic"
			case i < 3:
				return "version"
			case i < headerLen:
				return "key ID"
			case i < headerLen+nonceLen:
				return "nonce"
			case i < len(raw)-tagLen:
				return "ciphertext"
			default:
				return "tag"
			}
		}
		seen := map[string]bool{}
		for i := range raw {
			// Every byte of a typical token; in long ones every byte outside
			// the ciphertext and a sample of it (the race detector is slow).
			if len(raw) > 1000 && region(i) == "ciphertext" && i%29 != 0 {
				continue
			}
			for _, mask := range []byte{0x01, 0x80, 0xff} {
				bad := append([]byte(nil), raw...)
				bad[i] ^= mask
				_, err := r.Open(b64.EncodeToString(bad), t0)
				if e, ok := awserr.As(err); !ok || e.Code != "InvalidClientTokenId" {
					t.Fatalf("byte %d (%s) ^ %#x: err = %v", i, region(i), mask, err)
				}
			}
			seen[region(i)] = true
		}
		if len(seen) != 6 {
			t.Fatalf("regions covered: %v", seen)
		}
	}
}

// TestTamperEveryCharacter changes every character of the token string,
// including the last, whose low bits are padding: Strict decoding refuses a
// changed padding bit instead of decoding the same bytes.
func TestTamperEveryCharacter(t *testing.T) {
	r := newRing(t)
	tok := mustSeal(t, r, typicalClaims())
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(tok) {
		for _, ch := range []byte(alphabet) {
			if ch == tok[i] {
				continue
			}
			bad := tok[:i] + string(ch) + tok[i+1:]
			_, err := r.Open(bad, t0)
			wantCode(t, err, "InvalidClientTokenId")
		}
	}
}

func TestOpenTruncatedAndExtended(t *testing.T) {
	r := newRing(t)
	tok := mustSeal(t, r, fullClaims())
	for n := range len(tok) {
		_, err := r.Open(tok[:n], t0)
		wantCode(t, err, "InvalidClientTokenId")
	}
	raw, _ := b64.DecodeString(tok)
	for n := range len(raw) {
		_, err := r.Open(b64.EncodeToString(raw[:n]), t0)
		wantCode(t, err, "InvalidClientTokenId")
	}
	for _, extra := range []string{"A", "AA", "AAA", "AAAA", "x"} {
		_, err := r.Open(tok+extra, t0)
		wantCode(t, err, "InvalidClientTokenId")
	}
}

func TestOpenBadEncoding(t *testing.T) {
	r := newRing(t)
	tok := mustSeal(t, r, typicalClaims())
	raw, _ := b64.DecodeString(tok)
	mid := len(tok) / 2
	for name, bad := range map[string]string{
		"empty":          "",
		"garbage":        "not a token",
		"AWS-style":      "FwoGZXIvYXdzEBYaDHhBTkN0ZGVzZXJ2ZXIiLAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
		"std alphabet":   strings.NewReplacer("-", "+", "_", "/").Replace(tok) + "+/",
		"padded":         base64.URLEncoding.EncodeToString(raw),
		"padding added":  tok + "==",
		"newline inside": tok[:mid] + "\n" + tok[mid:],
		"CRLF at end":    tok + "\r\n",
		"space inside":   tok[:mid] + " " + tok[mid:],
		"non-ASCII":      tok[:mid] + "é" + tok[mid+2:],
		"NUL":            tok[:mid] + "\x00" + tok[mid+1:],
		"too long":       strings.Repeat("A", MaxTokenLen+1),
		"huge":           strings.Repeat("UkMB", 1<<20),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := r.Open(bad, t0)
			wantCode(t, err, "InvalidClientTokenId")
		})
	}
}

// deflate compresses b as encodeClaims does.
func deflate(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	err = w.Close()
	return buf.Bytes(), err
}

func TestOpenUnknownKey(t *testing.T) {
	r1, r2 := newRing(t), newRing(t)
	tok := mustSeal(t, r1, typicalClaims())
	_, err := r2.Open(tok, t0)
	wantCode(t, err, "InvalidClientTokenId")

	// The right key ID but another ring's key: authentication fails.
	raw, _ := b64.DecodeString(mustSeal(t, r2, typicalClaims()))
	var hdr [headerLen]byte
	putHeader(&hdr, r1.keys[0].id)
	copy(raw, hdr[:])
	_, err = r1.Open(b64.EncodeToString(raw), t0)
	wantCode(t, err, "InvalidClientTokenId")
}

// TestOpenAuthenticatedButUnusable covers plaintexts only a key holder could
// produce: unknown encoding, bad JSON, unknown claims version, a deflate
// stream that is corrupt or inflates beyond the limit.
func TestOpenAuthenticatedButUnusable(t *testing.T) {
	r := newRing(t)
	k := &r.keys[0]
	sealRaw := func(plain []byte) string {
		var hdr [headerLen]byte
		putHeader(&hdr, k.id)
		return b64.EncodeToString(k.aead.Seal(hdr[:], nil, plain, hdr[:]))
	}
	valid := []byte(`{"v":1,"a":"123456789012","ex":99999999999}`)
	zvalid, _ := deflate(valid)
	bomb, _ := deflate(make([]byte, maxPlaintext+1))
	withLen := func(n int, stream []byte) []byte {
		return append(binary.AppendUvarint([]byte{encDeflate}, uint64(n)), stream...)
	}
	for name, plain := range map[string][]byte{
		"empty":          {},
		"encoding 7":     append([]byte{7}, `{"v":1,"ex":1}`...),
		"not JSON":       append([]byte{encJSON}, "nope"...),
		"JSON array":     append([]byte{encJSON}, "[]"...),
		"version 0":      append([]byte{encJSON}, `{"v":0,"ex":99999999999}`...),
		"version 2":      append([]byte{encJSON}, `{"v":2,"ex":99999999999}`...),
		"no expiry":      append([]byte{encJSON}, `{"v":1}`...),
		"no length":      {encDeflate},
		"bad length":     {encDeflate, 0xff, 0xff},
		"bad deflate":    withLen(3, []byte{0xff, 0xfe, 0xfd}),
		"deflate bomb":   withLen(maxPlaintext+1, bomb),
		"length too big": withLen(len(valid)+1, zvalid),
		"length short":   withLen(len(valid)-1, zvalid),
		"deflate trunc":  withLen(len(valid), zvalid[:len(zvalid)/2]),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := r.Open(sealRaw(plain), t0)
			wantCode(t, err, "InvalidClientTokenId")
		})
	}
	// Controls: the same paths with valid plaintexts open.
	for _, plain := range [][]byte{append([]byte{encJSON}, valid...), withLen(len(valid), zvalid)} {
		if c, err := r.Open(sealRaw(plain), t0); err != nil || c.Account != "123456789012" {
			t.Fatal(c, err)
		}
	}
}

func TestErrorsDoNotLeak(t *testing.T) {
	r := newRing(t)
	c := typicalClaims()
	tok := mustSeal(t, r, c)
	for _, in := range []string{tok, tok[:len(tok)-3] + "AAA", tok + "A"} {
		for _, now := range []time.Time{t0, c.Expires} {
			_, err := r.Open(in, now)
			if err == nil {
				continue
			}
			msg := err.Error()
			for _, secret := range []string{in, in[:40], in[len(in)-40:], c.SecretAccessKey, c.AccessKeyID} {
				if strings.Contains(msg, secret) {
					t.Fatalf("error %q contains %q", msg, secret)
				}
			}
		}
	}
}

func TestNewAccessKeyIDAndSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id, secret := NewAccessKeyID(), NewSecret()
		if !ValidAccessKeyID(id) {
			t.Fatalf("invalid access key ID %q", id)
		}
		if len(secret) != 40 || strings.Trim(secret, secretAlphabet) != "" {
			t.Fatalf("bad secret %q", secret)
		}
		if seen[id] || seen[secret] {
			t.Fatal("duplicate")
		}
		seen[id], seen[secret] = true, true
	}
	for _, bad := range []string{"", "ASIA", "AKIAQWERTYUIOPASDFGH", "ASIAQWERTYUIOPASDFG1", "ASIAQWERTYUIOPASDFGHJ", "ASIAQWERTYUIOPASDFGh"} {
		if ValidAccessKeyID(bad) {
			t.Errorf("ValidAccessKeyID(%q) = true", bad)
		}
	}
}

// TestSizes measures token sizes; run with -v to see them.
func TestSizes(t *testing.T) {
	r := newRing(t)
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []struct {
		name string
		c    Claims
		max  int // 0: must be ErrTooLarge
	}{
		{"typical role session", typicalClaims(), 600},
		{"all fields, short policy, 3 tags", fullClaims(), 1200},
		{"2048-char policy, no tags", func() Claims { c := fullClaims(); c.SessionPolicy = policyOfLen(2048); c.Tags = nil; return c }(), 2000},
		{"2048-char varied policy, no tags", func() Claims {
			c := fullClaims()
			c.SessionPolicy = variedPolicyOfLen(rng, 2048)
			c.Tags = nil
			return c
		}(), 2200},
		{"2048-char policy, 50 tags 20/40 chars", bigClaims(rng, 20, 40), MaxTokenLen},
		{"2048-char varied policy, 50 tags 20/40", func() Claims {
			c := bigClaims(rng, 20, 40)
			c.SessionPolicy = variedPolicyOfLen(rng, 2048)
			return c
		}(), MaxTokenLen},
		{"2048-char policy, 50 tags 32/64 chars", bigClaims(rng, 32, 64), MaxTokenLen},
		{"2048-char policy, 50 tags 128/256 chars", bigClaims(rng, 128, 256), 0},
	}
	for _, tc := range cases {
		js, _ := encodeClaims(&tc.c)
		tok, err := r.Seal(tc.c)
		if tc.max == 0 {
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("%s: err = %v, want ErrTooLarge", tc.name, err)
			}
			t.Logf("%-42s plaintext %5d B -> ErrTooLarge (%v)", tc.name, len(js), err)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		t.Logf("%-42s plaintext %5d B (enc %d) -> token %5d chars", tc.name, len(js), js[0], len(tok))
		if len(tok) > tc.max {
			t.Errorf("%s: %d chars, want at most %d", tc.name, len(tok), tc.max)
		}
	}
}

func TestClaimsNeverPrintTheSecret(t *testing.T) {
	c := fullClaims()
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("session", "claims", c)
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %s", c, c, c), fmt.Sprint(&c), logged.String()} {
		if strings.Contains(out, c.SecretAccessKey) {
			t.Fatalf("secret printed: %s", out)
		}
		if !strings.Contains(out, c.AccessKeyID) {
			t.Fatalf("access key ID missing: %s", out)
		}
	}
}
