package policy

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/arn"
	"github.com/rolecall/rolecall/internal/wildcard"
)

// Policy is a compiled policy document: immutable, safe for concurrent use.
type Policy struct {
	Name     string // how the policy is named in results: a policy name, ARN or file
	Type     Type
	Document *Document
	stmts    []cstmt
}

// Statements returns the number of statements.
func (p *Policy) Statements() int { return len(p.stmts) }

type cstmt struct {
	policy    *Policy
	index     int
	sid       string
	effect    Effect
	notAction bool
	actions   []actionPattern
	// Resource: absent in trust policies, where the role itself is the
	// resource and every statement applies to it.
	hasResource bool
	notResource bool
	resources   []arnPattern
	principal   *principalSet // nil: the statement names no principal
	notPrinc    bool
	conds       []condition
}

// actionPattern is one Action/NotAction entry, lower-cased once because IAM
// compares actions without regard to case.
type actionPattern struct {
	full    string // "ecs:submit*"
	service string // "ecs" (lower case); "" when the service part has wildcards
	name    string // "submit*"
	any     bool   // "*"
	wild    bool   // wildcards in name (or anywhere)
}

func compileAction(s string) actionPattern {
	low := strings.ToLower(s)
	ap := actionPattern{full: low, wild: wildcard.HasWildcard(low)}
	if low == "*" {
		ap.any = true
		return ap
	}
	i := strings.IndexByte(low, ':')
	if i < 0 || wildcard.HasWildcard(low[:i]) {
		return ap // matched as a whole, through the global list
	}
	ap.service, ap.name = low[:i], low[i+1:]
	return ap
}

func (ap *actionPattern) matches(action string) bool {
	if ap.any {
		return true
	}
	if !ap.wild {
		return strings.EqualFold(ap.full, action)
	}
	return wildcard.MatchFold(ap.full, action)
}

// arnPattern matches ARNs the way IAM matches Resource entries and ArnLike
// values: each of the first five colon-separated parts on its own (a wildcard
// never crosses a colon there) and the resource part as a whole. A pattern
// that is not shaped like an ARN is matched against the whole string.
type arnPattern struct {
	whole pattern
	segs  [6]pattern
	split bool
}

func compileARNPattern(s string, vars bool) (arnPattern, error) {
	ap := arnPattern{}
	var err error
	parts, ok := splitARNPattern(s, vars)
	if !ok || s == "*" {
		// Not shaped like an ARN: matched as a whole.
		ap.whole, err = compilePattern(s, true, vars)
		return ap, err
	}
	// An ARN pattern only ever matches ARNs, part by part, so the whole
	// pattern is not compiled; only its "*" shortcut is kept.
	ap.whole = pattern{raw: s}
	for i, part := range parts {
		if ap.segs[i], err = compilePattern(part, true, vars); err != nil {
			return ap, err
		}
	}
	ap.split = true
	return ap, nil
}

// splitARNPattern splits at the first five colons that are not inside a
// policy variable (${aws:username} has a colon of its own).
func splitARNPattern(s string, vars bool) ([6]string, bool) {
	var parts [6]string
	n, start := 0, 0
	for i := 0; i < len(s) && n < 5; i++ {
		if vars && s[i] == '$' && i+1 < len(s) && s[i+1] == '{' {
			if end := strings.IndexByte(s[i:], '}'); end > 0 {
				i += end
				continue
			}
		}
		if s[i] == ':' {
			parts[n] = s[start:i]
			n++
			start = i + 1
		}
	}
	if n < 5 {
		return parts, false
	}
	parts[5] = s[start:]
	return parts, true
}

// matches reports whether value matches, resolving variables from ctx. A
// variable without a value makes the pattern match nothing.
func (ap *arnPattern) matches(value string, ctx *Context) bool {
	if ap.whole.any {
		return true
	}
	parts, ok := arn.Split(value)
	return ap.matchesSplit(value, &parts, ok, ctx)
}

// matchesSplit is matches with value already split (ok reports whether it is
// an ARN), so that one request's resource is split once, not once per
// pattern.
func (ap *arnPattern) matchesSplit(value string, parts *[6]string, ok bool, ctx *Context) bool {
	if ap.whole.any {
		return true
	}
	if !ok {
		// A value that is not an ARN (such as "*") can only match a
		// pattern that is not one either.
		return !ap.split && ap.whole.matchResolved(value, ctx, false)
	}
	if !ap.split {
		// reference_policies_elements_condition_operators.md, ARN operators:
		// "Each of the six colon-delimited components of the ARN is checked
		// separately". A pattern without six components cannot match an ARN
		// component by component, and a whole-string glob would let a
		// wildcard span colons (arn.Match decides the same).
		return false
	}
	for i := range ap.segs {
		if !ap.segs[i].matchResolved(parts[i], ctx, false) {
			return false
		}
	}
	return true
}

// matchResolved resolves p's variables and matches s.
func (p *pattern) matchResolved(s string, ctx *Context, fold bool) bool {
	if p.any {
		return true
	}
	if p.simple {
		if !p.wild {
			if fold {
				return strings.EqualFold(p.raw, s)
			}
			return p.raw == s
		}
		if p.ques && !isASCII(s) {
			var none resolved
			return p.match(s, &none, fold)
		}
		if fold {
			return wildcard.MatchFold(p.raw, s)
		}
		return wildcard.Match(p.raw, s)
	}
	var vals resolved
	if !p.resolve(ctx, &vals) {
		return false
	}
	return p.match(s, &vals, fold)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	any       bool     // "*" or {"AWS": "*"}
	accounts  []string // 123456789012 or arn:aws:iam::123456789012:root
	users     []string // user and federated-user ARNs, assumed-role session ARNs
	roles     []roleRef
	services  []string // lower case
	federated []string
	canonical []string
}

type roleRef struct{ account, name, arn string }

// grant says how a resource-based policy's principal matched the caller,
// because IAM weighs the resulting Allow differently: a grant to the caller
// itself stands alone, a grant to the caller's role is still limited by a
// permissions boundary and session policies, and a grant to the caller's
// account only delegates to the account's identity policies.
type grant uint8

const (
	grantNone    grant = iota
	grantAccount       // the caller's account (root or 12-digit ID)
	grantRole          // the role behind the caller's session
	grantDirect        // the caller itself: user, session, service, federated, root
)

func compilePrincipal(pr *PrincipalElement) *principalSet {
	ps := &principalSet{}
	if pr.Wildcard {
		ps.any = true
		return ps
	}
	for _, e := range pr.Entries {
		for _, v := range e.Values.List {
			switch e.Type {
			case "AWS":
				switch {
				case v == "*":
					ps.any = true
				case arn.IsAccountID(v):
					ps.accounts = append(ps.accounts, v)
				default:
					a, err := arn.Parse(v)
					if err != nil {
						ps.users = append(ps.users, v) // unique IDs and the like: exact match only
						continue
					}
					switch arn.ClassifyPrincipal(v) {
					case arn.PrincipalRoot:
						ps.accounts = append(ps.accounts, a.AccountID)
					case arn.PrincipalRole:
						ps.roles = append(ps.roles, roleRef{account: a.AccountID, name: a.ResourceName(), arn: v})
					default:
						ps.users = append(ps.users, v)
					}
				}
			case "Service":
				ps.services = append(ps.services, strings.ToLower(v))
			case "Federated":
				ps.federated = append(ps.federated, v)
			case "CanonicalUser":
				ps.canonical = append(ps.canonical, v)
			}
		}
	}
	return ps
}

// match returns how the caller matches the set, the strongest way first.
func (ps *principalSet) match(p *Principal) grant {
	if ps.any {
		// reference_policies_elements_principal.md, "All principals": for
		// users and role principals of the resource's account "no other
		// permissions are required", and "permissions boundaries or session
		// policies do not limit permissions granted using the
		// aws:PrincipalArn condition key with a wildcard (*) in the Principal
		// element": "*" grants to the caller itself, sessions included.
		return grantDirect
	}
	if ps.namesExactly(p) {
		return grantDirect
	}
	if p.Kind == arn.PrincipalService || p.Kind == arn.PrincipalAnonymous {
		return grantNone
	}
	if p.Kind == arn.PrincipalAssumedRole && p.RoleARN != "" {
		for i := range ps.roles {
			if ps.roles[i].matchesRole(p.RoleARN) {
				return grantRole
			}
		}
	}
	for _, a := range ps.accounts {
		if a == p.Account {
			return grantAccount
		}
	}
	return grantNone
}

// namesExactly reports whether the set names the caller itself (not its role
// or its account): its user, session or federated-user ARN, the root user
// through its account, or a service by name.
func (ps *principalSet) namesExactly(p *Principal) bool {
	switch p.Kind {
	case arn.PrincipalService:
		for _, s := range ps.services {
			if strings.EqualFold(s, p.ARN) {
				return true
			}
		}
		return false
	case arn.PrincipalAnonymous:
		return false
	case arn.PrincipalRoot:
		for _, a := range ps.accounts {
			if a == p.Account {
				return true
			}
		}
		return false
	}
	for _, u := range ps.users {
		if u == p.ARN {
			return true
		}
	}
	for _, f := range ps.federated {
		if f == p.ARN {
			return true
		}
	}
	return false
}

// excludes reports whether a NotPrincipal element exempts the caller.
// reference_policies_elements_notprincipal.md: with the user and its account
// listed, "all principals except the user named Bob" are denied, so an
// account entry exempts the account (its root user), not every principal in
// it; with a session, its role and its account listed, the statement denies
// "all principals except the assumed-role user" named, so other sessions of
// the role are not exempt. Only the caller's own identity exempts it.
func (ps *principalSet) excludes(p *Principal) bool {
	if ps.any || ps.namesExactly(p) {
		return true
	}
	// A caller known only by its role ARN (PrincipalFromARN of a role) is
	// exempt when that role is listed.
	for i := range ps.roles {
		if ps.roles[i].arn == p.ARN {
			return true
		}
	}
	return false
}

// matchesRole compares a role ARN by account and name, because a session's
// ARN does not carry the role's path.
func (r *roleRef) matchesRole(roleARN string) bool {
	if r.arn == roleARN {
		return true
	}
	parts, ok := arn.Split(roleARN)
	if !ok || parts[4] != r.account {
		return false
	}
	res := parts[5]
	if i := strings.LastIndexByte(res, '/'); i >= 0 {
		res = res[i+1:]
	}
	return res == r.name
}

// Compile turns a parsed document into a Policy ready for evaluation. It
// rejects what evaluation cannot work with (unknown condition operators,
// values that are not numbers, dates or addresses where those are needed);
// the full set of IAM's rules is Validate's.
func Compile(doc *Document, typ Type, name string) (*Policy, error) {
	p := &Policy{Name: name, Type: typ, Document: doc, stmts: make([]cstmt, len(doc.Statements))}
	vars := doc.Version == Version2012
	for i := range doc.Statements {
		st := &doc.Statements[i]
		cs := &p.stmts[i]
		cs.policy, cs.index, cs.sid, cs.effect = p, i, st.Sid, st.Effect
		if cs.effect != Allow && cs.effect != Deny {
			return nil, stmtErr(i, "Effect", MsgSyntax, "Effect must be Allow or Deny")
		}
		acts := st.Action.List
		if st.NotAction.Set {
			cs.notAction, acts = true, st.NotAction.List
		}
		cs.actions = make([]actionPattern, 0, len(acts))
		for _, a := range acts {
			cs.actions = append(cs.actions, compileAction(a))
		}
		res := st.Resource
		if st.NotResource.Set {
			cs.notResource, res = true, st.NotResource
		}
		cs.hasResource = res.Set
		cs.resources = make([]arnPattern, 0, len(res.List))
		for _, r := range res.List {
			ap, err := compileARNPattern(r, vars)
			if err != nil {
				return nil, stmtErr(i, "Resource", MsgSyntax, errDetail(err))
			}
			cs.resources = append(cs.resources, ap)
		}
		if st.Principal != nil {
			cs.principal = compilePrincipal(st.Principal)
		} else if st.NotPrincipal != nil {
			cs.principal, cs.notPrinc = compilePrincipal(st.NotPrincipal), true
		}
		for _, b := range st.Condition {
			for _, k := range b.Keys {
				c, err := compileCondition(b.Operator, k.Key, k.Values.List, vars)
				if err != nil {
					e := stmtErr(i, "Condition."+b.Operator+"."+k.Key, MsgSyntax, errDetail(err))
					if ce, ok := err.(*Error); ok && ce.Message != "" {
						e.Message = ce.Message
					}
					return nil, e
				}
				cs.conds = append(cs.conds, c)
			}
		}
	}
	return p, nil
}

// CompileJSON parses, checks (with IAM's rules for typ) and compiles a
// document in one step.
func CompileJSON(data []byte, typ Type, name string) (*Policy, error) {
	doc, err := Check(data, CheckOptions{Type: typ})
	if err != nil {
		return nil, err
	}
	return Compile(doc, typ, name)
}

func stmtErr(i int, elem, msg, detail string) *Error {
	return &Error{Message: msg, Path: fmt.Sprintf("Statement[%d].%s", i, elem), Detail: detail}
}

func errDetail(err error) string {
	if e, ok := err.(*Error); ok {
		if e.Detail != "" {
			return e.Detail
		}
		return e.Message
	}
	return err.Error()
}
