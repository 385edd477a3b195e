// Package sts is rolecall's Security Token Service: AssumeRole (and the
// internal AssumeRoleForService that ECS, instance profiles and activations
// use), GetSessionToken, GetAccessKeyInfo and DecodeAuthorizationMessage.
//
// It decides and mints; it knows nothing of HTTP. Sessions are sealed into
// self-contained session tokens (package token), so a server replica
// authenticates a request made with temporary credentials without a store
// lookup. Errors are *awserr.Error values with AWS's codes, messages and
// statuses; secrets (secret access keys, session tokens) never appear in
// them.
package sts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/sts/token"
)

// Sealer seals session claims into a session token (a *token.Watcher or
// *token.Ring).
type Sealer interface {
	Seal(token.Claims) (string, error)
}

// Service is STS. Fill the exported fields before the first call; it is then
// safe for concurrent use.
type Service struct {
	IAM       *iam.Service
	Authz     *authz.Authorizer
	Tokens    Sealer
	Now       func() time.Time // time.Now when nil
	Partition string           // "aws" when empty

	// MessageKey encrypts authorization messages
	// (EncodeAuthorizationMessage); when nil, a random key is drawn on first
	// use, so only this process can decode its messages. Replicas that must
	// decode each other's messages share a key.
	MessageKey []byte

	msgOnce sync.Once
	msgKey  []byte

	// lastUse throttles RoleLastUsed writes: role ARN → Unix second of the
	// last recorded use.
	lastUse sync.Map
}

// Credentials are temporary security credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// String never shows the secret or the token.
func (c Credentials) String() string {
	return fmt.Sprintf("{AccessKeyID:%s Expiration:%s}", c.AccessKeyID, c.Expiration.Format(time.RFC3339))
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) partition() string {
	if s.Partition != "" {
		return s.Partition
	}
	if s.IAM != nil && s.IAM.Partition != "" {
		return s.IAM.Partition
	}
	return "aws"
}

// seal mints credentials for c: a fresh ASIA access key ID and secret, and
// the sealed token. A token over token.MaxTokenLen is PackedPolicyTooLarge.
func (s *Service) seal(c *token.Claims) (Credentials, error) {
	if s.Tokens == nil {
		return Credentials{}, errors.New("sts: no session token key ring")
	}
	c.AccessKeyID = token.NewAccessKeyID()
	c.SecretAccessKey = token.NewSecret()
	tok, err := s.Tokens.Seal(*c)
	if err != nil {
		if errors.Is(err, token.ErrTooLarge) {
			if len(c.Tags) > 0 && c.SessionPolicy == "" && len(c.SessionPolicyARNs) == 0 {
				return Credentials{}, packedTooLarge("Packed size of session tags consumes %d%% of allotted space.", overflowPercent(c))
			}
			return Credentials{}, packedTooLarge("Packed policy consumes %d%% of allotted space, please use smaller policy for this call.", overflowPercent(c))
		}
		return Credentials{}, err
	}
	return Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: tok, Expiration: c.Expires}, nil
}

func packedTooLarge(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "PackedPolicyTooLarge", format, args...)
}

// packedBudget is the room a session token has for session policies and
// tags: the token's maximum length less what a session without them takes
// (about 500 characters).
const packedBudget = token.MaxTokenLen - 512

// packedSize estimates the share (percent) of packedBudget that the claims'
// session policies and tags take once sealed. Claims are JSON, compressed
// when long (roughly halving policies), then base64 (4/3): the estimate is
// what AWS's PackedPolicySize reports, a percentage of the allotted space,
// rounded up.
func packedSize(c *token.Claims) int {
	n := len(c.SessionPolicy)
	for _, a := range c.SessionPolicyARNs {
		n += len(a) + 3
	}
	for _, t := range c.Tags {
		n += len(t.Key) + len(t.Value) + 8
	}
	for _, k := range c.TransitiveTagKeys {
		n += len(k) + 3
	}
	n = n * 4 / 3
	p := (100*n + packedBudget - 1) / packedBudget
	if p < 1 && n > 0 {
		p = 1
	}
	return p
}

// overflowPercent is what a PackedPolicyTooLarge message reports: over 100.
func overflowPercent(c *token.Claims) int {
	if p := packedSize(c); p > 100 {
		return p
	}
	return 101
}

// Validation in AWS's words ("1 validation error detected: Value 'x' at
// 'roleSessionName' failed to satisfy constraint: ...").

type validation struct{ errs []string }

func (v *validation) add(value, field, constraint string) {
	v.errs = append(v.errs, "Value '"+value+"' at '"+field+"' failed to satisfy constraint: "+constraint)
}

func (v *validation) addNull(field, constraint string) {
	v.errs = append(v.errs, "Value null at '"+field+"' failed to satisfy constraint: "+constraint)
}

func (v *validation) err() error {
	switch len(v.errs) {
	case 0:
		return nil
	case 1:
		return awserr.ValidationError("1 validation error detected: %s", v.errs[0])
	}
	return awserr.ValidationError("%d validation errors detected: %s", len(v.errs), strings.Join(v.errs, "; "))
}

// length checks a string's length in characters.
func (v *validation) length(value, field string, min, max int) bool {
	n := utf8.RuneCountInString(value)
	switch {
	case n < min:
		v.add(value, field, "Member must have length greater than or equal to "+strconv.Itoa(min))
		return false
	case n > max:
		v.add(value, field, "Member must have length less than or equal to "+strconv.Itoa(max))
		return false
	}
	return true
}

func (v *validation) pattern(value, field string, re *regexp.Regexp, text string) {
	if !re.MatchString(value) {
		v.add(value, field, "Member must satisfy regular expression pattern: "+text)
	}
}

// sessionName checks [\w+=,.@-]* (role session names, source identities)
// without a regexp: it is on every AssumeRole's path.
func (v *validation) sessionName(value, field string) {
	for i := 0; i < len(value); i++ {
		c := value[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_+=,.@-", c) >= 0) {
			v.add(value, field, "Member must satisfy regular expression pattern: "+sessionNamePattern)
			return
		}
	}
}

// STS's patterns, as its API model gives them.
var (
	sessionNamePattern = `[\w+=,.@-]*`
	externalIDPattern  = `[\w+=,.@:\/-]*`
	externalIDRE       = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
	serialPattern      = `[\w+=/:,.@-]*`
	serialRE           = regexp.MustCompile(`^[\w+=/:,.@-]*$`)
	tokenCodePattern   = `[\d]*`
	tokenCodeRE        = regexp.MustCompile(`^[\d]*$`)
	tagKeyPattern      = `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	tagKeyRE           = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValuePattern    = `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`
	tagValueRE         = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	// textPattern: the characters STS accepts in ARNs and policies.
	textPattern = `[\u0009\u000A\u000D\u0020-\u00FF]+`
)

// textOK reports whether s has only characters of textPattern (as IAM
// limits policy documents: tab, LF, CR, U+0020..U+00FF).
func textOK(s string) bool {
	for _, r := range s {
		if !(r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xFF)) {
			return false
		}
	}
	return true
}

// durationSeconds validates an optional DurationSeconds against STS's model
// range.
func (v *validation) duration(d *int32, min, max int32) {
	if d == nil {
		return
	}
	switch {
	case *d < min:
		v.add(strconv.Itoa(int(*d)), "durationSeconds", "Member must have value greater than or equal to "+strconv.Itoa(int(min)))
	case *d > max:
		v.add(strconv.Itoa(int(*d)), "durationSeconds", "Member must have value less than or equal to "+strconv.Itoa(int(max)))
	}
}

// mfa validates SerialNumber and TokenCode, which rolecall accepts and
// ignores (it has no MFA devices; see GetSessionToken).
func (v *validation) mfa(serial, code string) {
	if serial != "" && v.length(serial, "serialNumber", 9, 256) {
		v.pattern(serial, "serialNumber", serialRE, serialPattern)
	}
	if code != "" && v.length(code, "tokenCode", 6, 6) {
		v.pattern(code, "tokenCode", tokenCodeRE, tokenCodePattern)
	}
}

// ctxErr passes cancellation through and maps anything else the store says
// to an internal error.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
