package sts

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/rolecall/rolecall/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/sts/token"
)

// GetSessionToken's limits.
const (
	defaultUserSession = 43200  // 12 hours
	maxUserSession     = 129600 // 36 hours
	maxRootSession     = 3600   // the account root: one hour
)

// GetSessionTokenInput is GetSessionToken's request.
type GetSessionTokenInput struct {
	DurationSeconds *int32 // nil: 12 hours (root: 1 hour)
	// SerialNumber and TokenCode are validated against STS's model and
	// otherwise ignored: rolecall has no MFA devices, so it can neither
	// check a code nor mark the session as MFA-authenticated
	// (aws:MultiFactorAuthPresent stays absent).
	SerialNumber, TokenCode string
}

// GetSessionToken returns temporary credentials that act as the calling IAM
// user (or account root) itself. It needs no permission (AWS: "You cannot
// use policies to control authentication operations"), but only long-term
// credentials may call it. Sessions of the root last at most an hour:
// longer requests get an hour, as AWS documents.
func (s *Service) GetSessionToken(ctx context.Context, caller iam.Caller, env *authz.Env, in GetSessionTokenInput) (*Credentials, error) {
	var v validation
	v.duration(in.DurationSeconds, minSession, maxUserSession)
	v.mfa(in.SerialNumber, in.TokenCode)
	if err := v.err(); err != nil {
		return nil, err
	}
	if caller.Temporary {
		return nil, awserr.AccessDenied("Cannot call GetSessionToken with session credentials")
	}
	root := arn.ClassifyPrincipal(caller.ARN) == arn.PrincipalRoot
	if !root && caller.UserName == "" {
		return nil, awserr.AccessDenied("Cannot call GetSessionToken with session credentials")
	}
	dur := int32(defaultUserSession)
	if in.DurationSeconds != nil {
		dur = *in.DurationSeconds
	}
	if root && dur > maxRootSession {
		dur = maxRootSession
	}
	now := s.now().UTC().Truncate(time.Second)
	c := token.Claims{
		Account:  caller.Account,
		Kind:     token.KindSession,
		UserARN:  caller.ARN,
		UserID:   caller.UserID,
		IssuedAt: now,
		Expires:  now.Add(time.Duration(dur) * time.Second),
	}
	creds, err := s.seal(&c)
	if err != nil {
		return nil, err
	}
	return &creds, nil
}

var accessKeyIDRE = regexp.MustCompile(`^[\w]*$`)

// GetAccessKeyInfo returns the account that owns an access key.
//
// AWS answers for any key it issued, because its key IDs encode the
// account. rolecall's do not: a long-term key (AKIA...) is looked up in
// IAM; a temporary key (ASIA...) is only known through its session token,
// so rolecall answers for the caller's own temporary key and otherwise
// refuses with InvalidParameterValue, as it does for long-term keys it does
// not hold. No permission is needed (the key ID reveals nothing else).
func (s *Service) GetAccessKeyInfo(ctx context.Context, caller iam.Caller, accessKeyID string) (string, error) {
	var v validation
	if accessKeyID == "" {
		v.addNull("accessKeyId", "Member must not be null")
	} else if v.length(accessKeyID, "accessKeyId", 16, 128) {
		v.pattern(accessKeyID, "accessKeyId", accessKeyIDRE, `[\w]*`)
	}
	if err := v.err(); err != nil {
		return "", err
	}
	if accessKeyID == caller.AccessKeyID && caller.Account != "" {
		return caller.Account, nil
	}
	if !strings.HasPrefix(accessKeyID, "ASIA") {
		k, err := s.IAM.LookupAccessKey(ctx, accessKeyID)
		if err == nil {
			return k.Account, nil
		}
		if _, ok := awserr.As(err); !ok {
			return "", ctxErr(ctx, err)
		}
	}
	return "", awserr.New(http.StatusBadRequest, "InvalidParameterValue", "The access key ID %s was not issued by this server or is not the caller's own temporary key.", accessKeyID)
}
