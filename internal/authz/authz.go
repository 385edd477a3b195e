// Package authz decides whether a caller may make an API call, with the
// policy engine and the policies stored in IAM: the caller's identity-based
// policies (a user's own and its groups', or a role's), its permissions
// boundary, the session policies carried by temporary credentials, and, where
// the call concerns a resource that has one, the resource's policy (a role's
// trust policy for sts:AssumeRole).
//
// Compiled policy sets are cached by content, so steady traffic evaluates
// without parsing; a policy change changes the content and so the cache key.
package authz

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/policy"
)

// Authorizer evaluates calls. It is safe for concurrent use.
type Authorizer struct {
	IAM *iam.Service

	mu    sync.Mutex
	cache map[[32]byte]*policy.Evaluator
}

// New returns an Authorizer over svc.
func New(svc *iam.Service) *Authorizer {
	return &Authorizer{IAM: svc, cache: make(map[[32]byte]*policy.Evaluator)}
}

// Env is what the request itself tells about the call, for the global
// condition keys.
type Env struct {
	SourceIP        string
	Secure          bool
	Region          string
	UserAgent       string
	Now             time.Time
	TokenIssueTime  time.Time
	SessionPolicies []iam.PolicyDoc // carried by temporary credentials
	SessionTags     []iam.Tag
	SourceIdentity  string
}

// Identity is the caller's side of an evaluation.
type Identity struct {
	Principal policy.Principal
	Docs      []iam.PolicyDoc // identity-based policies
	Boundary  *iam.PolicyDoc
	Session   []iam.PolicyDoc
	Tags      []iam.Tag // principal tags (entity tags, overridden by session tags)
	Root      bool
}

// LoadIdentity gathers the caller's policies.
func (a *Authorizer) LoadIdentity(ctx context.Context, c iam.Caller, env *Env) (*Identity, error) {
	p, err := policy.PrincipalFromARN(c.ARN)
	if err != nil {
		return nil, awserr.AccessDenied("Unknown caller %s", c.ARN)
	}
	id := &Identity{Principal: p, Session: env.SessionPolicies}
	switch {
	case p.Kind == arn.PrincipalRoot:
		id.Root = true
		return id, nil
	case c.RoleARN != "":
		p.RoleARN = c.RoleARN
		id.Principal = p
		role, err := arn.Parse(c.RoleARN)
		if err != nil {
			return nil, awserr.AccessDenied("Unknown role %s", c.RoleARN)
		}
		pp, err := a.IAM.RolePolicies(ctx, c.Account, role.ResourceName())
		if err != nil {
			return nil, err
		}
		id.Docs, id.Boundary, id.Tags = pp.Identity, pp.Boundary, pp.Tags
	case c.UserName != "":
		pp, err := a.IAM.UserPolicies(ctx, c.Account, c.UserName)
		if err != nil {
			return nil, err
		}
		id.Docs, id.Boundary, id.Tags = pp.Identity, pp.Boundary, pp.Tags
	}
	// Session tags take precedence over the entity's tags with the same key.
	for _, t := range env.SessionTags {
		replaced := false
		for i := range id.Tags {
			if strings.EqualFold(id.Tags[i].Key, t.Key) {
				id.Tags[i], replaced = t, true
			}
		}
		if !replaced {
			id.Tags = append(id.Tags, t)
		}
	}
	return id, nil
}

// Call is one authorization question.
type Call struct {
	Action   string // "iam:CreateRole"
	Resource string // ARN, or "*"
	// ResourceAccount owns the resource; "" means the caller's account.
	ResourceAccount string
	// ResourcePolicy is the resource's policy, e.g. a role's trust policy
	// (TypeTrust) for sts:AssumeRole.
	ResourcePolicy *iam.PolicyDoc
	ResourceType   policy.Type
	// Keys adds the call's own condition keys (iam:PassedToService,
	// aws:RequestTag/..., sts:ExternalId, ...).
	Keys func(*policy.Context)
}

// Decide evaluates call for the caller whose identity is id.
func (a *Authorizer) Decide(c iam.Caller, id *Identity, env *Env, call *Call) (policy.Result, error) {
	var res policy.Result
	ev, err := a.evaluator(id, call)
	if err != nil {
		return res, err
	}
	ctx := policy.NewContext()
	g := policy.GlobalKeys{
		Principal:       id.Principal,
		UserID:          c.UserID,
		SourceIP:        env.SourceIP,
		Now:             env.Now,
		SecureTransport: &env.Secure,
		RequestedRegion: env.Region,
		TokenIssueTime:  env.TokenIssueTime,
		UserAgent:       env.UserAgent,
		SourceIdentity:  env.SourceIdentity,
		ResourceAccount: call.ResourceAccount,
	}
	if g.ResourceAccount == "" {
		g.ResourceAccount = c.Account
	}
	if len(id.Tags) > 0 {
		g.PrincipalTags = make(map[string]string, len(id.Tags))
		for _, t := range id.Tags {
			g.PrincipalTags[t.Key] = t.Value
		}
	}
	ctx.SetGlobal(g)
	if call.Keys != nil {
		call.Keys(ctx)
	}
	req := &policy.Request{Principal: id.Principal, Action: call.Action, Resource: call.Resource, ResourceAccount: g.ResourceAccount, Context: ctx}
	ev.Evaluate(req, &res)
	return res, nil
}

// Authorize is Decide for an API call: nil when allowed, otherwise AWS's
// AccessDenied with the caller, action, resource and reason.
func (a *Authorizer) Authorize(c iam.Caller, id *Identity, env *Env, call *Call) error {
	if id.Root && call.ResourcePolicy == nil {
		// The root user is allowed everything in its own account (SCPs
		// aside, which rolecall accounts do not have).
		return nil
	}
	res, err := a.Decide(c, id, env, call)
	if err != nil {
		return err
	}
	if res.Decision == policy.Allowed {
		return nil
	}
	return awserr.AccessDenied("%s", policy.DenialMessage(&id.Principal, call.Action, call.Resource, res.Reason))
}

// maxCached bounds the evaluator cache; past it the cache starts over.
const maxCached = 10000

// evaluator compiles (or finds) the evaluator for id and the call's
// resource policy.
func (a *Authorizer) evaluator(id *Identity, call *Call) (*policy.Evaluator, error) {
	h := sha256.New()
	write := func(tag byte, docs ...iam.PolicyDoc) {
		for _, d := range docs {
			var n [9]byte
			n[0] = tag
			binary.BigEndian.PutUint64(n[1:], uint64(len(d.Name)+len(d.Document)))
			h.Write(n[:])
			h.Write([]byte(d.Name))
			h.Write([]byte{0})
			h.Write([]byte(d.Document))
		}
	}
	write('i', id.Docs...)
	if id.Boundary != nil {
		write('b', *id.Boundary)
	}
	write('s', id.Session...)
	if call.ResourcePolicy != nil {
		write(byte('r'+call.ResourceType), *call.ResourcePolicy)
	}
	var key [32]byte
	copy(key[:], h.Sum(nil))
	a.mu.Lock()
	ev := a.cache[key]
	a.mu.Unlock()
	if ev != nil {
		return ev, nil
	}
	var set policy.Set
	compile := func(d iam.PolicyDoc, typ policy.Type) (*policy.Policy, error) {
		doc, err := policy.Parse([]byte(d.Document))
		if err != nil {
			return nil, err
		}
		return policy.Compile(doc, typ, d.Name)
	}
	for _, d := range id.Docs {
		p, err := compile(d, policy.TypeIdentity)
		if err != nil {
			continue // a stored document IAM accepted; skip rather than fail the call
		}
		set.Identity = append(set.Identity, p)
	}
	if id.Boundary != nil {
		if p, err := compile(*id.Boundary, policy.TypeBoundary); err == nil {
			set.Boundary = p
		}
	}
	for _, d := range id.Session {
		if p, err := compile(d, policy.TypeSession); err == nil {
			set.Session = append(set.Session, p)
		}
	}
	if call.ResourcePolicy != nil {
		p, err := compile(*call.ResourcePolicy, call.ResourceType)
		if err != nil {
			return nil, awserr.ServiceFailure("the resource policy does not compile: %v", err)
		}
		set.Resource = p
	}
	ev = policy.NewEvaluator(set)
	a.mu.Lock()
	if len(a.cache) >= maxCached {
		a.cache = make(map[[32]byte]*policy.Evaluator)
	}
	a.cache[key] = ev
	a.mu.Unlock()
	return ev, nil
}
