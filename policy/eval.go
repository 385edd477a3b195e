package policy

import (
	"strings"

	"github.com/rolecall/rolecall/arn"
)

// Set is every policy that bears on a request.
type Set struct {
	Identity []*Policy // identity-based policies of the caller (user, its groups, or role)
	Resource *Policy   // the resource's policy; for sts:AssumeRole, the role's trust policy
	Boundary *Policy   // the caller's permissions boundary, if any
	Session  []*Policy // session policies passed when the session was created
	// SCPs and RCPs hold one slice per level of the organization (root,
	// each OU, the account): every level must allow.
	SCPs [][]*Policy
	RCPs [][]*Policy
}

// Decision is the outcome of an evaluation.
type Decision uint8

const (
	ImplicitDeny Decision = iota
	Allow_
	ExplicitDeny
)

// Allowed is the Decision for an allowed request. (Allow is the Effect.)
const Allowed = Allow_

func (d Decision) String() string {
	switch d {
	case Allow_:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// Reason says which policy type decided, in the terms of AWS's AccessDenied
// messages.
type Reason uint8

const (
	ReasonNone Reason = iota
	// Allow reasons.
	ReasonIdentityAllows // identity-based policies allow (and boundary, session, SCPs do not stop it)
	ReasonResourceAllows // the resource policy grants the caller directly
	// Implicit deny reasons.
	ReasonNoIdentityAllow
	ReasonNoBoundaryAllow
	ReasonNoSessionAllow
	ReasonNoSCPAllow
	ReasonNoRCPAllow
	ReasonNoResourceAllow
	// Explicit deny reasons.
	ReasonDenySCP
	ReasonDenyRCP
	ReasonDenyResource
	ReasonDenyIdentity
	ReasonDenyBoundary
	ReasonDenySession
)

var reasonText = [...]string{
	ReasonNone:            "",
	ReasonIdentityAllows:  "allowed by an identity-based policy",
	ReasonResourceAllows:  "allowed by a resource-based policy",
	ReasonNoIdentityAllow: "no identity-based policy allows",
	ReasonNoBoundaryAllow: "no permissions boundary allows",
	ReasonNoSessionAllow:  "no session policy allows",
	ReasonNoSCPAllow:      "no service control policy allows",
	ReasonNoRCPAllow:      "no resource control policy allows",
	ReasonNoResourceAllow: "no resource-based policy allows",
	ReasonDenySCP:         "explicit deny in a service control policy",
	ReasonDenyRCP:         "explicit deny in a resource control policy",
	ReasonDenyResource:    "explicit deny in a resource-based policy",
	ReasonDenyIdentity:    "explicit deny in an identity-based policy",
	ReasonDenyBoundary:    "explicit deny in a permissions boundary",
	ReasonDenySession:     "explicit deny in a session policy",
}

func (r Reason) String() string {
	if int(r) < len(reasonText) {
		return reasonText[r]
	}
	return ""
}

// Match is a statement that applied to the request.
type Match struct {
	Policy     string
	PolicyType Type
	Statement  int // index in the policy's Statement array
	Sid        string
	Effect     Effect
}

// Result is the outcome of Evaluate. Reuse one Result across calls to keep
// evaluation free of allocations.
type Result struct {
	Decision Decision
	Reason   Reason
	// Matched lists every statement that applied, in evaluation order:
	// SCPs, RCPs, the resource policy, identity policies, the boundary, then
	// session policies.
	Matched []Match
}

// Evaluator evaluates requests against one Set. It is immutable and safe for
// concurrent use.
type Evaluator struct {
	scps     []group
	rcps     []group
	resource group
	identity group
	boundary group
	session  group
	trust    bool // the resource policy is a trust policy: it must always allow
}

// group indexes the statements of one policy type by action so that a request
// only looks at statements that can possibly apply: those naming its exact
// action, those with a wildcard in its service, and the few that must always
// be checked (NotAction, "*", wildcards in the service part).
type group struct {
	present bool
	typ     Type
	bySvc   map[string]*bucket
	global  []entry
}

type bucket struct {
	exact map[string][]entry
	wild  []entry
}

type entry struct {
	s   *cstmt
	seq int32
}

func newGroup(typ Type, ps ...*Policy) group {
	g := group{typ: typ, bySvc: map[string]*bucket{}}
	seq := int32(0)
	for _, p := range ps {
		if p == nil {
			continue
		}
		g.present = true
		for i := range p.stmts {
			g.add(&p.stmts[i], seq)
			seq++
		}
	}
	return g
}

func (g *group) add(s *cstmt, seq int32) {
	e := entry{s: s, seq: seq}
	global := s.notAction
	for _, a := range s.actions {
		if a.service == "" {
			global = true
		}
	}
	if global {
		g.global = append(g.global, e)
		return
	}
	// One statement goes to each service's bucket once: into the wildcard
	// list if any of its patterns for that service has a wildcard, otherwise
	// under each exact action name.
	wildSvc := map[string]bool{}
	for _, a := range s.actions {
		if a.wild {
			wildSvc[a.service] = true
		}
	}
	done := map[string]bool{}
	for _, a := range s.actions {
		b := g.bySvc[a.service]
		if b == nil {
			b = &bucket{exact: map[string][]entry{}}
			g.bySvc[a.service] = b
		}
		if wildSvc[a.service] {
			if !done[a.service] {
				b.wild = append(b.wild, e)
				done[a.service] = true
			}
			continue
		}
		if !done[a.full] {
			b.exact[a.name] = append(b.exact[a.name], e)
			done[a.full] = true
		}
	}
}

// NewEvaluator indexes a Set for evaluation.
func NewEvaluator(s Set) *Evaluator {
	e := &Evaluator{
		resource: newGroup(TypeResource, s.Resource),
		identity: newGroup(TypeIdentity, s.Identity...),
		boundary: newGroup(TypeBoundary, s.Boundary),
		session:  newGroup(TypeSession, s.Session...),
		trust:    s.Resource != nil && s.Resource.Type == TypeTrust,
	}
	if e.trust {
		e.resource.typ = TypeTrust
	}
	for _, lvl := range s.SCPs {
		g := newGroup(TypeSCP, lvl...)
		g.present = true // a level with no policy allows nothing
		e.scps = append(e.scps, g)
	}
	for _, lvl := range s.RCPs {
		g := newGroup(TypeRCP, lvl...)
		g.present = true
		e.rcps = append(e.rcps, g)
	}
	return e
}

// outcome is what one group concluded.
type outcome struct {
	allow bool
	deny  bool
	grant grant // for resource policies: the strongest way an Allow named the caller
}

// Evaluate decides req and writes the decision, the reason and the statements
// that applied to res.
func (e *Evaluator) Evaluate(req *Request, res *Result) Decision {
	res.Matched = res.Matched[:0]
	res.Decision, res.Reason = ImplicitDeny, ReasonNone

	// Lower-case "service:action" once, on the stack.
	var buf [128]byte
	action := req.Action
	var svc, name string
	if len(action) <= len(buf) {
		n := copy(buf[:], action)
		lowerASCII(buf[:n])
		low := buf[:n]
		if i := indexByte(low, ':'); i >= 0 {
			svc, name = string(low[:i]), string(low[i+1:])
		}
	} else {
		low := strings.ToLower(action)
		if i := strings.IndexByte(low, ':'); i >= 0 {
			svc, name = low[:i], low[i+1:]
		}
	}
	q := query{req: req, svc: svc, name: name, res: res}
	q.parts, q.isARN = arn.Split(req.Resource)

	p := &req.Principal
	service := p.Kind == arn.PrincipalService
	var scpOut, rcpOut []outcome
	var scpArr, rcpArr [8]outcome
	scpOut, rcpOut = scpArr[:0], rcpArr[:0]
	deny := ReasonNone
	// SCPs "apply to principals of the account where the SCPs are attached"
	// (reference_policies_evaluation-logic.md): not to service principals or
	// anonymous callers, which belong to no account.
	if !service && p.Kind != arn.PrincipalAnonymous {
		for i := range e.scps {
			o := e.scps[i].eval(&q)
			scpOut = append(scpOut, o)
			if o.deny && deny == ReasonNone {
				deny = ReasonDenySCP
			}
		}
	}
	for i := range e.rcps {
		o := e.rcps[i].eval(&q)
		rcpOut = append(rcpOut, o)
		if o.deny && deny == ReasonNone {
			deny = ReasonDenyRCP
		}
	}
	resO := e.resource.eval(&q)
	if resO.deny && deny == ReasonNone {
		deny = ReasonDenyResource
	}
	var idO, bO, sO outcome
	if !service {
		idO = e.identity.eval(&q)
		bO = e.boundary.eval(&q)
		if p.IsSession() {
			sO = e.session.eval(&q)
		}
	}
	switch {
	case deny != ReasonNone:
	case idO.deny:
		deny = ReasonDenyIdentity
	case bO.deny:
		deny = ReasonDenyBoundary
	case sO.deny:
		deny = ReasonDenySession
	}
	if deny != ReasonNone {
		return res.set(ExplicitDeny, deny)
	}
	for _, o := range scpOut {
		if !o.allow {
			return res.set(ImplicitDeny, ReasonNoSCPAllow)
		}
	}
	for _, o := range rcpOut {
		if !o.allow {
			return res.set(ImplicitDeny, ReasonNoRCPAllow)
		}
	}

	resAcct := req.ResourceAccount
	if resAcct == "" && q.isARN {
		resAcct = q.parts[4]
	}
	cross := p.Account != "" && resAcct != "" && resAcct != p.Account && !service

	// A resource policy that names the caller (or its role) grants access by
	// itself within one account; naming only the account delegates to the
	// account's identity policies.
	if e.resource.present && resO.allow && !cross {
		switch resO.grant {
		case grantDirect:
			return res.set(Allowed, ReasonResourceAllows)
		case grantRole:
			if e.boundary.present && !bO.allow {
				return res.set(ImplicitDeny, ReasonNoBoundaryAllow)
			}
			if e.session.present && p.IsSession() && !sO.allow {
				return res.set(ImplicitDeny, ReasonNoSessionAllow)
			}
			return res.set(Allowed, ReasonResourceAllows)
		}
	}
	if service || p.Kind == arn.PrincipalAnonymous {
		return res.set(ImplicitDeny, ReasonNoResourceAllow)
	}
	// A trust policy must always allow the caller, and across accounts both
	// sides must allow.
	if (e.trust || cross) && !resO.allow {
		return res.set(ImplicitDeny, ReasonNoResourceAllow)
	}
	// reference_policies_evaluation-logic.md: "all requests are implicitly
	// denied with the exception of the AWS account root user, which has full
	// access". Across accounts that is the evaluation in the root user's own
	// (trusted) account; the resource's account was checked above
	// (reference_policies_evaluation-logic-cross-account.md).
	identityAllows := idO.allow || p.Kind == arn.PrincipalRoot
	if !identityAllows {
		return res.set(ImplicitDeny, ReasonNoIdentityAllow)
	}
	if e.boundary.present && !bO.allow {
		return res.set(ImplicitDeny, ReasonNoBoundaryAllow)
	}
	// reference_policies_evaluation-logic.md, "Session policies": "If there
	// is no session policy, the code checks whether the principal is a role
	// session. If the principal is a role session, then the request is
	// Allowed. Otherwise, the request is implicitly denied": a federated user
	// session (GetFederationToken) gets identity permissions only through a
	// session policy.
	if p.IsSession() && (e.session.present || p.Kind == arn.PrincipalFederatedUser) && !sO.allow {
		return res.set(ImplicitDeny, ReasonNoSessionAllow)
	}
	return res.set(Allowed, ReasonIdentityAllows)
}

func (r *Result) set(d Decision, why Reason) Decision {
	r.Decision, r.Reason = d, why
	return d
}

type query struct {
	req       *Request
	svc, name string // the action, lower-cased and split
	parts     [6]string
	isARN     bool // parts holds the request's resource ARN
	res       *Result
}

// eval runs the candidate statements of g in statement order.
func (g *group) eval(q *query) outcome {
	var o outcome
	if !g.present {
		return o
	}
	var exact, wild []entry
	if b := g.bySvc[q.svc]; b != nil {
		exact = b.exact[q.name]
		wild = b.wild
	}
	global := g.global
	for len(exact)+len(wild)+len(global) > 0 {
		// Three-way merge by seq keeps statement order without sorting.
		var en entry
		checkAction := true
		switch {
		case len(exact) > 0 && (len(wild) == 0 || exact[0].seq < wild[0].seq) && (len(global) == 0 || exact[0].seq < global[0].seq):
			en, exact, checkAction = exact[0], exact[1:], false
		case len(wild) > 0 && (len(global) == 0 || wild[0].seq < global[0].seq):
			en, wild = wild[0], wild[1:]
		default:
			en, global = global[0], global[1:]
		}
		s := en.s
		if checkAction && !s.matchesAction(q.req.Action) {
			continue
		}
		gr, ok := s.applies(q)
		if !ok {
			continue
		}
		q.res.Matched = append(q.res.Matched, Match{Policy: s.policy.Name, PolicyType: g.typ, Statement: s.index, Sid: s.sid, Effect: s.effect})
		if s.effect == Deny {
			o.deny = true
		} else {
			o.allow = true
			if gr > o.grant {
				o.grant = gr
			}
		}
	}
	return o
}

func (s *cstmt) matchesAction(action string) bool {
	for i := range s.actions {
		if s.actions[i].matches(action) {
			return !s.notAction
		}
	}
	return s.notAction
}

// applies checks resource, principal and conditions (the action is already
// known to match) and says how the principal matched.
func (s *cstmt) applies(q *query) (grant, bool) {
	req := q.req
	if s.hasResource {
		hit := false
		for i := range s.resources {
			if s.resources[i].matchesSplit(req.Resource, &q.parts, q.isARN, req.Context) {
				hit = true
				break
			}
		}
		if hit == s.notResource {
			return grantNone, false
		}
	}
	gr := grantDirect
	if s.principal != nil {
		if s.notPrinc {
			// Everyone but the named principals, anonymous users included
			// (reference_policies_elements_notprincipal.md, "NotPrincipal
			// With Allow"): granted as Principal "*" grants.
			if s.principal.excludes(&req.Principal) {
				return grantNone, false
			}
		} else if gr = s.principal.match(&req.Principal); gr == grantNone {
			return grantNone, false
		}
	}
	for i := range s.conds {
		if !s.conds[i].eval(req.Context) {
			return grantNone, false
		}
	}
	return gr, true
}

func lowerASCII(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
}

func indexByte(b []byte, c byte) int {
	for i := range b {
		if b[i] == c {
			return i
		}
	}
	return -1
}
