package api

import (
	"context"
	"math"
	"strings"

	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/sts"
	"github.com/rolecall/rolecall/internal/sts/token"
)

// registerSTS adds the STS operations beyond GetCallerIdentity. Each one
// authorizes itself in package sts (AssumeRole against the role's trust
// policy and the caller's policies; DecodeAuthorizationMessage against the
// caller's policies; GetSessionToken and GetAccessKeyInfo need no
// permission, as in AWS).
func (s *Server) registerSTS(m map[string]queryHandler) {
	m["AssumeRole"] = s.stsAssumeRole
	m["GetSessionToken"] = s.stsGetSessionToken
	m["GetAccessKeyInfo"] = s.stsGetAccessKeyInfo
	m["DecodeAuthorizationMessage"] = s.stsDecodeAuthorizationMessage
}

// sealer lets package sts seal with whatever s.Tokens is when it is called
// (Tokens is set after New).
type sealer struct{ s *Server }

func (t sealer) Seal(c token.Claims) (string, error) {
	if t.s.Tokens == nil {
		return "", errNoTokens
	}
	return t.s.Tokens.Seal(c)
}

type noTokensError struct{}

func (noTokensError) Error() string {
	return "api: Server.Tokens is not set; temporary credentials are unavailable"
}

var errNoTokens error = noTokensError{}

// newSTS is the STS domain service over the server's IAM, authorizer, key
// ring and clock.
func (s *Server) newSTS() *sts.Service {
	return &sts.Service{IAM: s.IAM, Authz: s.Authz, Tokens: sealer{s}, Now: s.now, Partition: s.partition()}
}

// hasPrefixParam reports whether any parameter starts with prefix (most
// AssumeRole calls have no list parameters to collect).
func hasPrefixParam(q *Query, prefix string) bool {
	for k := range q.Params {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// stsDuration reads DurationSeconds: nil when absent.
func stsDuration(q *Query) (*int32, error) {
	if _, ok := q.String("DurationSeconds"); !ok {
		return nil, nil
	}
	n, err := q.Int("DurationSeconds", 0)
	if err != nil {
		return nil, err
	}
	n = max(min(n, math.MaxInt32), math.MinInt32)
	d := int32(n)
	return &d, nil
}

func writeCredentials(x *XML, c *sts.Credentials) {
	x.Open("Credentials").
		Elem("AccessKeyId", c.AccessKeyID).
		Elem("SecretAccessKey", c.SecretAccessKey).
		Elem("SessionToken", c.SessionToken).
		Time("Expiration", c.Expiration).
		Close("Credentials")
}

func (s *Server) stsAssumeRole(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	ri := infoFrom(ctx)
	in := sts.AssumeRoleInput{
		RoleArn:           q.Get("RoleArn"),
		RoleSessionName:   q.Get("RoleSessionName"),
		Policy:            optional(q, "Policy"),
		TransitiveTagKeys: q.List("TransitiveTagKeys"),
		ExternalId:        optional(q, "ExternalId"),
		SourceIdentity:    optional(q, "SourceIdentity"),
		SerialNumber:      q.Get("SerialNumber"),
		TokenCode:         q.Get("TokenCode"),
		Parent:            ri.claims,
		Trusted:           s.Dev,
	}
	var err error
	if in.DurationSeconds, err = stsDuration(q); err != nil {
		return err
	}
	if hasPrefixParam(q, "PolicyArns.") {
		for _, m := range q.Struct("PolicyArns", "arn") {
			in.PolicyArns = append(in.PolicyArns, m["arn"])
		}
	}
	if hasPrefixParam(q, "Tags.") {
		for _, m := range q.Struct("Tags", "Key", "Value") {
			in.Tags = append(in.Tags, token.Tag{Key: m["Key"], Value: m["Value"]})
		}
	}
	out, err := s.STS.AssumeRole(ctx, c, &ri.env, in)
	if err != nil {
		return err
	}
	// The order of the API reference's example response.
	x.b.Grow(len(out.Credentials.SessionToken) + len(out.AssumedRoleARN) + 512)
	x.ElemIf("SourceIdentity", out.SourceIdentity)
	x.Open("AssumedRoleUser").Elem("Arn", out.AssumedRoleARN).Elem("AssumedRoleId", out.AssumedRoleID).Close("AssumedRoleUser")
	writeCredentials(x, &out.Credentials)
	if out.PackedPolicySize != nil {
		x.Int("PackedPolicySize", *out.PackedPolicySize)
	}
	return nil
}

func (s *Server) stsGetSessionToken(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	ri := infoFrom(ctx)
	in := sts.GetSessionTokenInput{SerialNumber: q.Get("SerialNumber"), TokenCode: q.Get("TokenCode")}
	var err error
	if in.DurationSeconds, err = stsDuration(q); err != nil {
		return err
	}
	creds, err := s.STS.GetSessionToken(ctx, c, &ri.env, in)
	if err != nil {
		return err
	}
	writeCredentials(x, creds)
	return nil
}

func (s *Server) stsGetAccessKeyInfo(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	acct, err := s.STS.GetAccessKeyInfo(ctx, c, q.Get("AccessKeyId"))
	if err != nil {
		return err
	}
	x.Elem("Account", acct)
	return nil
}

func (s *Server) stsDecodeAuthorizationMessage(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	msg, err := s.STS.DecodeAuthorizationMessage(ctx, c, &infoFrom(ctx).env, q.Get("EncodedMessage"))
	if err != nil {
		return err
	}
	x.Elem("DecodedMessage", msg)
	return nil
}
