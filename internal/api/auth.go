package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/sigv4"
	"github.com/rolecall/rolecall/internal/sts/token"
)

// Tokens opens and seals session tokens (a *token.Watcher in production).
type Tokens interface {
	Open(tok string, now time.Time) (token.Claims, error)
	Seal(c token.Claims) (string, error)
}

// requestInfo is what authentication learned about a request; handlers find
// it in the context.
type requestInfo struct {
	caller iam.Caller
	env    authz.Env
	claims *token.Claims // temporary credentials, if any
}

type requestInfoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return ri
}

// authenticate verifies the request's SigV4 signature and works out who is
// calling. In dev mode any access key is the default account's root, and
// signatures are parsed but not checked.
func (s *Server) authenticate(ctx context.Context, r *http.Request, body []byte) (*requestInfo, error) {
	now := s.now()
	ri := &requestInfo{env: authz.Env{
		SourceIP:  sourceIP(r),
		Secure:    r.TLS != nil,
		UserAgent: r.UserAgent(),
		Now:       now,
	}}
	if s.Dev {
		if sigv4.ScopeService(r) == "" {
			return nil, awserr.New(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
		}
		ri.caller = s.rootCaller(s.Account)
		ri.env.Region = scopeRegion(r)
		return ri, nil
	}
	var key *iam.AccessKey
	lookup := func(ctx context.Context, akid, tok string) (string, error) {
		if tok != "" || strings.HasPrefix(akid, "ASIA") {
			if s.Tokens == nil || tok == "" {
				return "", sigv4.InvalidClientTokenID()
			}
			c, err := s.Tokens.Open(tok, now)
			if err != nil {
				return "", err
			}
			if c.AccessKeyID != akid {
				return "", sigv4.InvalidClientTokenID()
			}
			ri.claims = &c
			return c.SecretAccessKey, nil
		}
		k, err := s.IAM.LookupAccessKey(ctx, akid)
		if err != nil {
			if _, ok := awserr.As(err); ok {
				return "", sigv4.InvalidClientTokenID()
			}
			return "", err
		}
		if k.Status != "Active" {
			return "", sigv4.InvalidClientTokenID()
		}
		key = k
		return k.Secret, nil
	}
	v, err := sigv4.Verify(ctx, r, body, now, lookup)
	if err != nil {
		return nil, err
	}
	ri.env.Region = v.Region
	switch {
	case ri.claims != nil:
		c := ri.claims
		if c.Kind == token.KindSession && !c.MFA && v.Service == "iam" {
			// GetSessionToken credentials cannot call IAM without MFA
			// (API_GetSessionToken); IAM answers as for an unknown token.
			return nil, awserr.New(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid")
		}
		ri.caller = callerFromClaims(c)
		ri.env.TokenIssueTime = c.IssuedAt
		ri.env.SourceIdentity = c.SourceIdentity
		for _, t := range c.Tags {
			ri.env.SessionTags = append(ri.env.SessionTags, iam.Tag{Key: t.Key, Value: t.Value})
		}
		if c.SessionPolicy != "" {
			ri.env.SessionPolicies = append(ri.env.SessionPolicies, iam.PolicyDoc{Name: "session policy", Document: c.SessionPolicy})
		}
		for _, pa := range c.SessionPolicyARNs {
			doc, ok, err := s.IAM.ManagedPolicyDocument(ctx, c.Account, pa)
			if err != nil {
				return nil, err
			}
			if ok {
				ri.env.SessionPolicies = append(ri.env.SessionPolicies, iam.PolicyDoc{Name: pa, Document: doc.Document})
			}
		}
	}
	if key != nil {
		s.noteKeyUse(key, v.Service, v.Region, now)
	}
	switch {
	case ri.claims != nil:
	case key.UserName == "":
		ri.caller = s.rootCaller(key.Account)
		ri.caller.AccessKeyID = key.ID
	default:
		u, err := s.IAM.GetUser(ctx, iam.Caller{Account: key.Account}, key.UserName)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil, err
			}
			return nil, sigv4.InvalidClientTokenID()
		}
		ri.caller = iam.Caller{Account: key.Account, ARN: u.ARN, UserID: u.ID, UserName: u.Name, AccessKeyID: key.ID}
	}
	return ri, nil
}

func (s *Server) rootCaller(acct string) iam.Caller {
	return iam.Caller{Account: acct, ARN: "arn:" + s.partition() + ":iam::" + acct + ":root", UserID: acct}
}

func (s *Server) partition() string {
	if s.IAM != nil && s.IAM.Partition != "" {
		return s.IAM.Partition
	}
	return "aws"
}

// callerFromClaims describes the holder of temporary credentials.
func callerFromClaims(c *token.Claims) iam.Caller {
	caller := iam.Caller{Account: c.Account, AccessKeyID: c.AccessKeyID, Temporary: true}
	switch c.Kind {
	case token.KindAssumedRole:
		caller.ARN = "arn:aws:sts::" + c.Account + ":assumed-role/" + c.RoleName + "/" + c.SessionName
		caller.UserID = c.RoleID + ":" + c.SessionName
		caller.RoleARN = c.RoleARN
		caller.SessionName = c.SessionName
	case token.KindFederatedUser:
		caller.ARN = "arn:aws:sts::" + c.Account + ":federated-user/" + c.SessionName
		caller.UserID = c.Account + ":" + c.SessionName
	default: // GetSessionToken: the user (or root) itself
		caller.ARN = c.UserARN
		caller.UserID = c.UserID
		if i := strings.LastIndexByte(c.UserARN, '/'); i >= 0 && strings.Contains(c.UserARN, ":user/") {
			caller.UserName = c.UserARN[i+1:]
		}
	}
	return caller
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// scopeRegion reads the region of the credential scope without verifying
// anything (dev mode).
func scopeRegion(r *http.Request) string {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		if i := strings.Index(auth, "Credential="); i >= 0 {
			cred = auth[i+len("Credential="):]
		}
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	parts := strings.SplitN(cred, "/", 5)
	if len(parts) >= 3 {
		return parts[2]
	}
	return ""
}

// keyUseInterval is how stale an access key's last-used record may get.
// AWS itself updates it only every few hours; writing on every request would
// cost an fsync per call.
const keyUseInterval = 15 * time.Minute

// noteKeyUse records an access key's use (GetAccessKeyLastUsed) in the
// background when the stored record is older than keyUseInterval.
func (s *Server) noteKeyUse(k *iam.AccessKey, service, region string, now time.Time) {
	if now.Sub(k.LastUsed) < keyUseInterval && k.LastUsedService == service {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.IAM.RecordAccessKeyUse(ctx, k.ID, service, region, now.UTC().Truncate(time.Second)); err != nil {
			s.Log.Debug("recording access key use", "access_key_id", k.ID, "err", err)
		}
	}()
}
