// Package token seals and opens STS session tokens: self-contained,
// encrypted and authenticated strings that carry everything a server
// replica needs to authenticate and authorize a request made with temporary
// credentials, so that verifying one needs no store lookup.
//
// # What a token holds
//
// A token seals a Claims value: who the session is (assumed role, federated
// user or GetSessionToken user), when it was issued and expires, its session
// policies and tags, and the temporary secret access key itself. Because the
// secret travels sealed inside the token, SigV4 verification of a request
// signed with temporary credentials finds the secret in the
// X-Amz-Security-Token it was sent with, and nowhere else.
//
// # Format
//
// A token is the unpadded base64url encoding (RFC 4648 §5) of
//
//	"RC" | version (1 byte, 0x01) | key ID (4 bytes, big endian) |
//	nonce (12 bytes) | AES-256-GCM ciphertext | GCM tag (16 bytes)
//
// The first seven bytes (magic, version, key ID) are the GCM additional
// data, so they are authenticated without being encrypted. The plaintext is
// one encoding byte followed either by the claims as compact JSON (short
// names, Unix-second times), or by the JSON's length (uvarint) and the JSON
// compressed with DEFLATE. Only claims of 1,536 bytes or more (long session
// policies, many tags) are compressed, and only when that makes them
// smaller: inflating costs more than the rest of Open, and shorter claims
// give tokens of at most about 2 KB anyway.
//
// The nonce is random (crypto/cipher.NewGCMWithRandomNonce, which is also
// what FIPS 140-only mode allows). NIST allows 2^32 messages per key with
// random nonces; rotated daily, a key would have to seal 50,000 tokens a
// second to get there.
//
// base64url without padding keeps the token free of '+', '/' and '=', so it
// needs no escaping in query strings (presigned URLs), headers, or shell
// variables. AWS's own tokens are opaque; clients only copy them.
//
// # Keys
//
// Keys live in the store under RingKey (see Ring, LoadRing, Rotate and
// Watcher). Anyone who can read the store can mint tokens, so the data
// directory must be protected like the root-credentials file (bolt creates
// its file 0600 in a 0700 directory). A later version could keep the ring
// wrapped by an external KMS and unwrap it at LoadRing.
package token

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
)

// Kind says which STS operation issued a session.
type Kind string

const (
	// KindAssumedRole: AssumeRole, AssumeRoleWithWebIdentity,
	// AssumeRoleWithSAML. RoleARN, RoleID, RoleName and SessionName are set.
	KindAssumedRole Kind = "assumed-role"
	// KindFederatedUser: GetFederationToken. UserARN and UserID name the IAM
	// user who called it; SessionName is the federated user's name.
	KindFederatedUser Kind = "federated-user"
	// KindSession: GetSessionToken. UserARN and UserID name the IAM user (or
	// the account root) who called it.
	KindSession Kind = "session"
)

func (k Kind) valid() bool {
	return k == KindAssumedRole || k == KindFederatedUser || k == KindSession
}

// Tag is a session tag.
type Tag struct {
	Key   string
	Value string
}

// ClaimsVersion is the claims schema version Seal writes. Adding an optional
// field does not change it (JSON decoding ignores unknown fields, and a
// missing field decodes to its zero value); changing the meaning of an
// existing field does, and Open refuses tokens of a newer version.
const ClaimsVersion = 1

// Claims is what a session token carries. Times have second precision:
// Seal drops anything finer, and Open returns them in UTC.
type Claims struct {
	// Version is the claims schema version; Seal sets it to ClaimsVersion
	// when zero.
	Version int
	// Account is the 12-digit account the session belongs to.
	Account string
	// AccessKeyID is the temporary access key ID (ASIA + 16 characters).
	AccessKeyID string
	// SecretAccessKey is the temporary secret access key (40 characters).
	SecretAccessKey string
	// Kind is the operation that issued the session.
	Kind Kind

	// RoleARN is the assumed role's ARN, with its path
	// (arn:aws:iam::123456789012:role/path/name); RoleID its unique ID
	// (AROA...); RoleName its name. KindAssumedRole only.
	RoleARN  string
	RoleID   string
	RoleName string
	// SessionName is the role session name (KindAssumedRole) or the
	// federated user name (KindFederatedUser).
	SessionName string

	// UserARN and UserID name the IAM user (or root: arn:aws:iam::acct:root
	// and the account ID) who called GetSessionToken or GetFederationToken.
	UserARN string
	UserID  string

	// IssuedAt is when the session was issued (aws:TokenIssueTime); Expires
	// when it stops being accepted.
	IssuedAt time.Time
	Expires  time.Time

	// SessionPolicy is the inline session policy, as JSON text; empty when
	// none was passed.
	SessionPolicy string
	// SessionPolicyARNs are the managed session policies (PolicyArns).
	SessionPolicyARNs []string
	// Tags are the session tags, including those inherited as transitive
	// from a parent session; TransitiveTagKeys names the transitive ones.
	Tags              []Tag
	TransitiveTagKeys []string
	// SourceIdentity is the sts:SourceIdentity, set once and kept through
	// role chaining.
	SourceIdentity string
	// ChainedFrom is the role ARN of the parent session when this session
	// was obtained by role chaining (a role session assuming a role), so the
	// one-hour limit on chained sessions and transitive tags can be enforced.
	ChainedFrom string
	// MFA is true when the session was authenticated with MFA
	// (aws:MultiFactorAuthPresent).
	MFA bool
}

// String formats the claims with the secret access key redacted, so that
// logging a Claims by mistake does not leak it.
func (c Claims) String() string {
	type noMethods Claims
	p := noMethods(c)
	if p.SecretAccessKey != "" {
		p.SecretAccessKey = "REDACTED"
	}
	return fmt.Sprintf("%+v", p)
}

// LogValue is the claims for log/slog: who and until when, never the secret.
func (c Claims) LogValue() slog.Value {
	principal := c.RoleARN
	if c.Kind != KindAssumedRole {
		principal = c.UserARN
	}
	return slog.GroupValue(
		slog.String("kind", string(c.Kind)),
		slog.String("account", c.Account),
		slog.String("access_key_id", c.AccessKeyID),
		slog.String("principal", principal),
		slog.String("session_name", c.SessionName),
		slog.Time("expires", c.Expires),
	)
}

// wireClaims is Claims as sealed: short JSON names, Unix-second times and
// tags as [key, value] pairs keep tokens compact.
type wireClaims struct {
	V   int         `json:"v"`
	A   string      `json:"a"`
	K   string      `json:"k"`
	S   string      `json:"s"`
	T   Kind        `json:"t"`
	RA  string      `json:"ra,omitempty"`
	RI  string      `json:"ri,omitempty"`
	RN  string      `json:"rn,omitempty"`
	SN  string      `json:"sn,omitempty"`
	UA  string      `json:"ua,omitempty"`
	UI  string      `json:"ui,omitempty"`
	IA  int64       `json:"ia"`
	EX  int64       `json:"ex"`
	SP  string      `json:"sp,omitempty"`
	SPA []string    `json:"spa,omitempty"`
	TG  [][2]string `json:"tg,omitempty"`
	TT  []string    `json:"tt,omitempty"`
	SI  string      `json:"si,omitempty"`
	CF  string      `json:"cf,omitempty"`
	M   bool        `json:"m,omitempty"`
}

func (c *Claims) wire() wireClaims {
	w := wireClaims{
		V: c.Version, A: c.Account, K: c.AccessKeyID, S: c.SecretAccessKey, T: c.Kind,
		RA: c.RoleARN, RI: c.RoleID, RN: c.RoleName, SN: c.SessionName,
		UA: c.UserARN, UI: c.UserID,
		IA: c.IssuedAt.Unix(), EX: c.Expires.Unix(),
		SP: c.SessionPolicy, SPA: c.SessionPolicyARNs, TT: c.TransitiveTagKeys,
		SI: c.SourceIdentity, CF: c.ChainedFrom, M: c.MFA,
	}
	if len(c.Tags) > 0 {
		w.TG = make([][2]string, len(c.Tags))
		for i, t := range c.Tags {
			w.TG[i] = [2]string{t.Key, t.Value}
		}
	}
	return w
}

func (w *wireClaims) claims() Claims {
	c := Claims{
		Version: w.V, Account: w.A, AccessKeyID: w.K, SecretAccessKey: w.S, Kind: w.T,
		RoleARN: w.RA, RoleID: w.RI, RoleName: w.RN, SessionName: w.SN,
		UserARN: w.UA, UserID: w.UI,
		IssuedAt: time.Unix(w.IA, 0).UTC(), Expires: time.Unix(w.EX, 0).UTC(),
		SessionPolicy: w.SP, SessionPolicyARNs: w.SPA, TransitiveTagKeys: w.TT,
		SourceIdentity: w.SI, ChainedFrom: w.CF, MFA: w.M,
	}
	if len(w.TG) > 0 {
		c.Tags = make([]Tag, len(w.TG))
		for i, t := range w.TG {
			c.Tags[i] = Tag{Key: t[0], Value: t[1]}
		}
	}
	return c
}

// Limits.
const (
	// MaxSessionDuration is the longest session any STS operation issues
	// (GetSessionToken and GetFederationToken: 36 hours). Seal refuses
	// claims that live longer, which is what lets RetireAfter bound how
	// long a replaced key must be kept.
	MaxSessionDuration = 36 * time.Hour
	// MaxTokenLen is the longest token Seal produces and Open accepts, in
	// characters (7.5 KiB). Seal returns ErrTooLarge beyond it: the STS layer
	// answers PackedPolicyTooLarge. It leaves 512 bytes of the common 8 KiB
	// limit on one request header line or request line (nginx's default
	// large_client_header_buffers, for one) for the header name or the rest
	// of a presigned URL.
	MaxTokenLen = 7680
)

// ErrTooLarge is returned (wrapped) by Seal when the claims do not fit in
// MaxTokenLen characters.
var ErrTooLarge = errors.New("token: sealed claims exceed the maximum token size")

// Format constants.
const (
	formatVersion = 0x01
	keyIDLen      = 4
	headerLen     = 2 + 1 + keyIDLen // "RC", version, key ID
	nonceLen      = 12
	tagLen        = 16
	overhead      = headerLen + nonceLen + tagLen

	encJSON    = 0x00
	encDeflate = 0x01

	// compressAbove: claims JSON at least this long is compressed when that
	// makes it smaller. A typical role session is ~300 bytes and one with
	// every field set ~750 (tokens of 460 and 1,050 characters); inflating
	// would add several microseconds to an Open that otherwise takes 1-4.
	compressAbove = 1536
	// maxPlaintext bounds what Open will inflate. Only authenticated
	// plaintexts are inflated, so this is a second line of defence.
	maxPlaintext = 64 << 10
)

// b64 is the token encoding. Strict rejects non-zero padding bits, so that
// no two strings open to the same token; parse also refuses CR and LF,
// which the decoder would otherwise skip.
var b64 = base64.RawURLEncoding.Strict()

// minTokenLen is the length of the shortest string that can be a token: the
// overhead plus the encoding byte.
var minTokenLen = b64.EncodedLen(overhead + 1)

// Errors.

// InvalidClientTokenID returns AWS's error for a session token that is
// malformed, tampered with, or sealed with a key this server does not hold.
// Its message never contains the token.
func InvalidClientTokenID() *awserr.Error {
	return awserr.New(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
}

// ExpiredToken returns AWS's error for a session token past its expiry.
func ExpiredToken() *awserr.Error {
	return awserr.New(http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired")
}

// validate checks what Seal needs; its errors are programming errors of the
// issuer, never shown to clients as they are.
func (c *Claims) validate() error {
	switch {
	case c.Version < 0 || c.Version > ClaimsVersion:
		return fmt.Errorf("token: unsupported claims version %d", c.Version)
	case c.Account == "":
		return errors.New("token: claims without account")
	case !ValidAccessKeyID(c.AccessKeyID):
		return errors.New("token: access key ID is not ASIA + 16 characters")
	case c.SecretAccessKey == "":
		return errors.New("token: claims without secret access key")
	case !c.Kind.valid():
		return fmt.Errorf("token: unknown session kind %q", c.Kind)
	case c.IssuedAt.IsZero() || c.Expires.IsZero():
		return errors.New("token: claims need IssuedAt and Expires")
	case c.Expires.Unix() <= c.IssuedAt.Unix():
		return errors.New("token: claims expire before they are issued")
	case c.Expires.Unix()-c.IssuedAt.Unix() > int64(MaxSessionDuration/time.Second):
		return fmt.Errorf("token: session longer than %v", MaxSessionDuration)
	}
	return nil
}

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.DefaultCompression)
	return w
}}

var flateReaders = sync.Pool{New: func() any {
	return flate.NewReader(bytes.NewReader(nil))
}}

// encodeClaims returns the plaintext: encJSON + JSON, or encDeflate +
// uvarint(JSON length) + DEFLATE(JSON).
func encodeClaims(c *Claims) ([]byte, error) {
	w := c.wire()
	if w.V == 0 {
		w.V = ClaimsVersion
	}
	js, err := json.Marshal(&w)
	if err != nil {
		return nil, fmt.Errorf("token: encoding claims: %w", err)
	}
	if len(js) >= compressAbove {
		var buf bytes.Buffer
		buf.Grow(len(js)/2 + 1 + binary.MaxVarintLen64)
		buf.WriteByte(encDeflate)
		buf.Write(binary.AppendUvarint(nil, uint64(len(js))))
		fw := flateWriters.Get().(*flate.Writer)
		fw.Reset(&buf)
		_, err := fw.Write(js)
		if err == nil {
			err = fw.Close()
		}
		flateWriters.Put(fw)
		if err != nil {
			return nil, fmt.Errorf("token: compressing claims: %w", err)
		}
		if buf.Len() < 1+len(js) {
			return buf.Bytes(), nil
		}
	}
	out := make([]byte, 1+len(js))
	out[0] = encJSON
	copy(out[1:], js)
	return out, nil
}

// decodeClaims parses an authenticated plaintext.
func decodeClaims(plain []byte) (Claims, bool) {
	if len(plain) < 1 {
		return Claims{}, false
	}
	body := plain[1:]
	switch plain[0] {
	case encJSON:
	case encDeflate:
		n, k := binary.Uvarint(body)
		if k <= 0 || n > maxPlaintext {
			return Claims{}, false
		}
		fr := flateReaders.Get().(io.ReadCloser)
		defer flateReaders.Put(fr)
		if err := fr.(flate.Resetter).Reset(bytes.NewReader(body[k:]), nil); err != nil {
			return Claims{}, false
		}
		body = make([]byte, n)
		if _, err := io.ReadFull(fr, body); err != nil {
			return Claims{}, false
		}
	default:
		return Claims{}, false
	}
	// One copy into a string; fastDecode's strings share it.
	js := string(body)
	var w wireClaims
	if !fastDecode(js, &w) {
		w = wireClaims{}
		if err := json.Unmarshal(body, &w); err != nil {
			return Claims{}, false
		}
	}
	if w.V < 1 || w.V > ClaimsVersion || w.EX == 0 {
		return Claims{}, false
	}
	return w.claims(), true
}

// seal encrypts claims with k.
func seal(k *ringKey, c *Claims) (string, error) {
	plain, err := encodeClaims(c)
	if err != nil {
		return "", err
	}
	var hdr [headerLen]byte
	putHeader(&hdr, k.id)
	raw := make([]byte, headerLen, overhead+len(plain))
	copy(raw, hdr[:])
	raw = k.aead.Seal(raw, nil, plain, hdr[:])
	if n := b64.EncodedLen(len(raw)); n > MaxTokenLen {
		return "", fmt.Errorf("%w (%d characters, at most %d)", ErrTooLarge, n, MaxTokenLen)
	}
	return b64.EncodeToString(raw), nil
}

func putHeader(h *[headerLen]byte, id uint32) {
	h[0], h[1], h[2] = 'R', 'C', formatVersion
	binary.BigEndian.PutUint32(h[3:], id)
}

// parse decodes a token string and checks its header, returning the raw
// bytes and the key ID. It never looks at keys.
func parse(token string) (raw []byte, id uint32, ok bool) {
	if len(token) < minTokenLen || len(token) > MaxTokenLen {
		return nil, 0, false
	}
	raw, err := b64.DecodeString(token)
	// The decoder skips CR and LF; a token containing them decodes to fewer
	// bytes than its length implies.
	if err != nil || len(raw) < overhead+1 || b64.EncodedLen(len(raw)) != len(token) {
		return nil, 0, false
	}
	if raw[0] != 'R' || raw[1] != 'C' || raw[2] != formatVersion {
		return nil, 0, false
	}
	return raw, binary.BigEndian.Uint32(raw[3:headerLen]), true
}
