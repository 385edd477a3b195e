package policy

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/arn"
)

// Context holds the condition keys of a request. Keys are case-insensitive,
// as in IAM; values are strings (numbers, dates and booleans in their text
// form) and a key may have several values (aws:TagKeys, aws:CalledVia).
//
// A Context is built once per request and then only read; reading does not
// allocate.
type Context struct {
	m map[string][]string
}

// NewContext returns an empty context.
func NewContext() *Context { return &Context{m: make(map[string][]string, 16)} }

// Set replaces the values of key. Set with no values records the key as
// present with an empty set, which ForAllValues and ForAnyValue treat
// differently from a missing key.
func (c *Context) Set(key string, values ...string) *Context {
	if c.m == nil {
		c.m = make(map[string][]string, 16)
	}
	c.m[strings.ToLower(key)] = values
	return c
}

// Add appends values to key.
func (c *Context) Add(key string, values ...string) *Context {
	k := strings.ToLower(key)
	if c.m == nil {
		c.m = make(map[string][]string, 16)
	}
	c.m[k] = append(c.m[k], values...)
	return c
}

// Delete removes key.
func (c *Context) Delete(key string) { delete(c.m, strings.ToLower(key)) }

// Get returns the values of key.
func (c *Context) Get(key string) ([]string, bool) { return c.lookup(strings.ToLower(key)) }

// Keys returns the keys present, lower-cased and sorted.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	ks := make([]string, 0, len(c.m))
	for k := range c.m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// lookup takes an already lower-cased key: compiled policies lower-case their
// keys once so evaluation never has to.
func (c *Context) lookup(lowerKey string) ([]string, bool) {
	if c == nil || c.m == nil {
		return nil, false
	}
	v, ok := c.m[lowerKey]
	return v, ok
}

// PrincipalKind is what kind of caller a request comes from.
type PrincipalKind = arn.PrincipalKind

// Principal is the caller of a request.
type Principal struct {
	// ARN names the caller as AWS does in error messages and in
	// aws:PrincipalArn for users: a user ARN, an assumed-role session ARN
	// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), an account root ARN, or
	// a service principal name such as ecs-tasks.amazonaws.com.
	ARN  string
	Kind PrincipalKind
	// Account is the 12-digit account the caller belongs to; empty for
	// service principals and anonymous callers.
	Account string
	// RoleARN is the ARN of the role behind an assumed-role session
	// (with its path when known). It is what a resource policy naming the
	// role matches, and the value of aws:PrincipalArn.
	RoleARN string
}

// IsSession reports whether the caller holds temporary credentials of a role
// or a federated user: only then do session policies apply.
func (p Principal) IsSession() bool {
	return p.Kind == arn.PrincipalAssumedRole || p.Kind == arn.PrincipalFederatedUser
}

// PrincipalFromARN builds a Principal from the caller's ARN. A role ARN
// (arn:aws:iam::A:role/R) stands for a session of that role; a name ending in
// .amazonaws.com is a service principal; "*" or "" is anonymous.
func PrincipalFromARN(s string) (Principal, error) {
	p := Principal{ARN: s, Kind: arn.ClassifyPrincipal(s)}
	if s == "" {
		p.Kind = arn.PrincipalAnonymous
	}
	if p.Kind == arn.PrincipalAccount {
		p.Kind, p.Account, p.ARN = arn.PrincipalRoot, s, arn.Root("aws", s).String()
		return p, nil
	}
	switch p.Kind {
	case arn.PrincipalService, arn.PrincipalAnonymous:
		return p, nil
	case arn.PrincipalUnknown:
		return p, &Error{Message: "Invalid principal", Detail: "cannot tell what kind of principal " + quote(s) + " is; use a user, role, assumed-role or root ARN, a service principal or *"}
	}
	a, err := arn.Parse(s)
	if err != nil {
		return p, &Error{Message: "Invalid principal", Detail: err.Error()}
	}
	p.Account = a.AccountID
	switch p.Kind {
	case arn.PrincipalRole:
		p.RoleARN = s
		p.Kind = arn.PrincipalAssumedRole
	case arn.PrincipalAssumedRole:
		if role, _, ok := arn.RoleFromAssumedRole(a); ok {
			p.RoleARN = arn.IAM(a.Partition, a.AccountID, "role", "/", role).String()
		}
	}
	return p, nil
}

// principalType is the value of aws:PrincipalType.
func principalType(k PrincipalKind) string {
	switch k {
	case arn.PrincipalRoot:
		return "Account"
	case arn.PrincipalUser:
		return "User"
	case arn.PrincipalAssumedRole, arn.PrincipalRole:
		return "AssumedRole"
	case arn.PrincipalFederatedUser:
		return "FederatedUser"
	case arn.PrincipalAnonymous:
		return "Anonymous"
	}
	return ""
}

// GlobalKeys are the request facts from which AWS fills its global condition
// keys (aws:*). Zero fields are left out, as AWS leaves out keys that do not
// apply (aws:username exists only for IAM users, aws:TokenIssueTime only for
// temporary credentials, and so on).
type GlobalKeys struct {
	Principal            Principal
	UserID               string            // aws:userid: AIDA... for users, AROA...:session for role sessions, the account ID for root
	PrincipalTags        map[string]string // aws:PrincipalTag/*
	PrincipalOrgID       string
	SourceIP             string
	SourceVPC            string
	Now                  time.Time // aws:CurrentTime and aws:EpochTime
	SecureTransport      *bool
	RequestedRegion      string
	TokenIssueTime       time.Time
	MultiFactorAuthAge   *int64
	MultiFactorAuth      *bool
	RequestTags          map[string]string // aws:RequestTag/* and aws:TagKeys
	ResourceTags         map[string]string // aws:ResourceTag/*
	ResourceAccount      string
	PrincipalServiceName string
	SourceIdentity       string
	SourceArn            string
	SourceAccount        string
	CalledVia            []string
	ViaAWSService        *bool
	UserAgent            string
	Referer              string
}

// SetGlobal fills the aws:* keys AWS derives from the request.
func (c *Context) SetGlobal(g GlobalKeys) *Context {
	p := g.Principal
	set := func(k, v string) {
		if v != "" {
			c.Set(k, v)
		}
	}
	switch p.Kind {
	case arn.PrincipalAssumedRole:
		set("aws:PrincipalArn", firstNonEmpty(p.RoleARN, p.ARN))
	case arn.PrincipalService, arn.PrincipalAnonymous:
	default:
		set("aws:PrincipalArn", p.ARN)
	}
	set("aws:PrincipalAccount", p.Account)
	switch p.Kind {
	case arn.PrincipalAnonymous:
		// reference_policies_condition-keys.md, aws:PrincipalAccount: "For
		// anonymous requests, the request context returns anonymous."
		set("aws:PrincipalAccount", "anonymous")
	case arn.PrincipalService:
		// aws:PrincipalIsAWSService "is present in the request context for
		// all signed API requests": true for a service principal acting
		// directly, false otherwise; anonymous requests do not include it.
		c.Set("aws:PrincipalIsAWSService", "true")
	default:
		c.Set("aws:PrincipalIsAWSService", "false")
	}
	set("aws:PrincipalType", principalType(p.Kind))
	set("aws:userid", g.UserID)
	if p.Kind == arn.PrincipalUser {
		if a, err := arn.Parse(p.ARN); err == nil {
			set("aws:username", a.ResourceName())
		}
	}
	if p.Kind == arn.PrincipalService {
		set("aws:PrincipalServiceName", p.ARN)
	}
	set("aws:PrincipalServiceName", g.PrincipalServiceName)
	set("aws:PrincipalOrgID", g.PrincipalOrgID)
	for k, v := range g.PrincipalTags {
		c.Set("aws:PrincipalTag/"+k, v)
	}
	set("aws:SourceIp", g.SourceIP)
	set("aws:SourceVpc", g.SourceVPC)
	if !g.Now.IsZero() {
		c.Set("aws:CurrentTime", g.Now.UTC().Format(time.RFC3339))
		c.Set("aws:EpochTime", strconv.FormatInt(g.Now.Unix(), 10))
	}
	if g.SecureTransport != nil {
		c.Set("aws:SecureTransport", strconv.FormatBool(*g.SecureTransport))
	}
	set("aws:RequestedRegion", g.RequestedRegion)
	if !g.TokenIssueTime.IsZero() {
		c.Set("aws:TokenIssueTime", g.TokenIssueTime.UTC().Format(time.RFC3339))
	}
	if g.MultiFactorAuth != nil {
		c.Set("aws:MultiFactorAuthPresent", strconv.FormatBool(*g.MultiFactorAuth))
	}
	if g.MultiFactorAuthAge != nil {
		c.Set("aws:MultiFactorAuthAge", strconv.FormatInt(*g.MultiFactorAuthAge, 10))
	}
	if g.RequestTags != nil {
		keys := make([]string, 0, len(g.RequestTags))
		for k, v := range g.RequestTags {
			c.Set("aws:RequestTag/"+k, v)
			keys = append(keys, k)
		}
		sort.Strings(keys)
		c.Set("aws:TagKeys", keys...)
	}
	for k, v := range g.ResourceTags {
		c.Set("aws:ResourceTag/"+k, v)
	}
	set("aws:ResourceAccount", g.ResourceAccount)
	set("aws:SourceIdentity", g.SourceIdentity)
	set("aws:SourceArn", g.SourceArn)
	set("aws:SourceAccount", g.SourceAccount)
	if len(g.CalledVia) > 0 {
		c.Set("aws:CalledVia", g.CalledVia...)
		c.Set("aws:CalledViaFirst", g.CalledVia[0])
		c.Set("aws:CalledViaLast", g.CalledVia[len(g.CalledVia)-1])
	}
	if g.ViaAWSService != nil {
		c.Set("aws:ViaAWSService", strconv.FormatBool(*g.ViaAWSService))
	}
	set("aws:UserAgent", g.UserAgent)
	set("aws:Referer", g.Referer)
	return c
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Request is one authorization question: may Principal perform Action on
// Resource, given Context?
type Request struct {
	Principal Principal
	Action    string // "service:Action", any case
	Resource  string // an ARN, or "*" for actions without a resource
	// ResourceAccount owns the resource. Empty means: the account in the
	// resource ARN, or the principal's own account when the ARN has none
	// (S3 buckets).
	ResourceAccount string
	Context         *Context
}
