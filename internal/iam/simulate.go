package iam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/policy"
)

// The IAM policy simulator (SimulateCustomPolicy, SimulatePrincipalPolicy,
// GetContextKeysForCustomPolicy, GetContextKeysForPrincipalPolicy), answered
// by the policy engine. Every action is paired with every resource (or "*"),
// and each pair is one EvaluationResult.

// Simulator decisions, as EvalDecision spells them.
const (
	DecisionAllowed      = "allowed"
	DecisionExplicitDeny = "explicitDeny"
	DecisionImplicitDeny = "implicitDeny"
)

// SourcePolicyType values of matched statements. AWS's documentation lists
// user | group | role | aws-managed | user-managed | resource | none, but the
// service answers "IAM Policy" for identity-based policies (recorded from
// AWS for a managed policy attached to a user, a group and a role).
const (
	sourceIdentity = "IAM Policy"
	sourceResource = "resource"
)

// ContextEntry is one ContextEntries member of a simulation.
type ContextEntry struct {
	Key    string
	Values []string
	Type   string // string, stringList, numeric, ... ("" when not sent)
}

var contextKeyTypes = []string{"string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip", "ipList", "binary", "binaryList", "date", "dateList"}

// SimulateInput is what both simulations take.
type SimulateInput struct {
	PolicyInputList   []string
	BoundaryInputList []string // PermissionsBoundaryPolicyInputList
	ActionNames       []string
	ResourceArns      []string
	ResourcePolicy    string
	ResourceOwner     string
	CallerArn         string
	ContextEntries    []ContextEntry
	ResourceHandling  string // accepted and ignored
	Page              Page
	PolicySourceArn   string // SimulatePrincipalPolicy only
}

// Position is a place in a policy document (1-based).
type Position struct{ Line, Column int }

// MatchedStatement is a statement that decided a simulated request.
type MatchedStatement struct {
	SourcePolicyID   string
	SourcePolicyType string
	Start, End       *Position // nil when the statement cannot be located
}

// EvaluationResult is the outcome for one action on one resource.
type EvaluationResult struct {
	Action   string
	Resource string // "*" when no ResourceArns were given
	Decision string
	Matched  []MatchedStatement
	Missing  []string // context keys relevant statements use that the request did not supply
	// AllowedByOrganizations is always true: rolecall has no SCPs.
	AllowedByOrganizations bool
	// AllowedByBoundary is set when a permissions boundary took part.
	AllowedByBoundary *bool
	// DecisionDetails is non-nil (and empty) when a resource was named.
	DecisionDetails map[string]string
	// ResourceSpecific holds the per-resource result when ResourceArns
	// were given.
	ResourceSpecific []ResourceResult
}

// ResourceResult is EvaluationResult's ResourceSpecificResults member.
type ResourceResult struct {
	Resource          string
	Decision          string
	Matched           []MatchedStatement
	Missing           []string
	AllowedByBoundary *bool
}

// simSource is one policy document taking part in a simulation.
type simSource struct {
	id, typ string // SourcePolicyId and SourcePolicyType in results
	doc     string
	p       *policy.Policy
	spans   []policy.Span
}

// simulation is a prepared simulation.
type simulation struct {
	sources   []*simSource
	identity  []*policy.Policy
	boundary  []*policy.Policy
	resource  *policy.Policy
	principal policy.Principal
	owner     string // ResourceOwner's account
	ctx       *policy.Context
}

// addSource compiles doc as typ and registers it.
func (sim *simulation) addSource(id, typ, doc string, ptype policy.Type) (*simSource, error) {
	check := ptype
	if check == policy.TypeBoundary {
		check = policy.TypeIdentity
	}
	d, err := policy.Check([]byte(doc), policy.CheckOptions{Type: check})
	if err == nil {
		var p *policy.Policy
		if p, err = policy.Compile(d, ptype, strconv.Itoa(len(sim.sources))); err == nil {
			src := &simSource{id: id, typ: typ, doc: doc, p: p, spans: policy.StatementSpans([]byte(doc))}
			sim.sources = append(sim.sources, src)
			return src, nil
		}
	}
	var pe *policy.Error
	if errors.As(err, &pe) {
		return nil, awserr.InvalidInput("%s", pe.Message)
	}
	return nil, awserr.InvalidInput("%s", err.Error())
}

// prepare checks the request and compiles the policies it passes.
func (s *Service) prepare(c Caller, in *SimulateInput) (*simulation, error) {
	if len(in.ActionNames) == 0 {
		return nil, awserr.ValidationError("1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null")
	}
	for i, a := range in.ActionNames {
		if len(a) < 3 || len(a) > 128 {
			bound := "greater than or equal to 3"
			if len(a) > 128 {
				bound = "less than or equal to 128"
			}
			return nil, constraint(fmt.Sprintf("actionNames.%d.member", i+1), "Member must have length "+bound)
		}
	}
	for i, r := range in.ResourceArns {
		if r == "" || len(r) > 2048 {
			return nil, constraint(fmt.Sprintf("resourceArns.%d.member", i+1), "Member must have length greater than or equal to 1")
		}
	}
	sim := &simulation{ctx: policy.NewContext()}
	for i, e := range in.ContextEntries {
		field := fmt.Sprintf("contextEntries.%d.member", i+1)
		if len(e.Key) < 5 || len(e.Key) > 256 {
			bound := "greater than or equal to 5"
			if len(e.Key) > 256 {
				bound = "less than or equal to 256"
			}
			return nil, constraint(field+".contextKeyName", "Member must have length "+bound)
		}
		if e.Type != "" && !slices.Contains(contextKeyTypes, e.Type) {
			return nil, constraint(field+".contextKeyType", "Member must satisfy enum value set: ["+strings.Join(contextKeyTypes, ", ")+"]")
		}
		sim.ctx.Add(e.Key, e.Values...)
	}
	for i, doc := range in.PolicyInputList {
		src, err := sim.addSource("PolicyInputList."+strconv.Itoa(i+1), sourceIdentity, doc, policy.TypeIdentity)
		if err != nil {
			return nil, err
		}
		sim.identity = append(sim.identity, src.p)
	}
	for i, doc := range in.BoundaryInputList {
		src, err := sim.addSource("PermissionsBoundaryPolicyInputList."+strconv.Itoa(i+1), sourceIdentity, doc, policy.TypeBoundary)
		if err != nil {
			return nil, err
		}
		sim.boundary = append(sim.boundary, src.p)
	}
	if in.ResourcePolicy != "" {
		src, err := sim.addSource("ResourcePolicy", sourceResource, in.ResourcePolicy, policy.TypeResource)
		if err != nil {
			return nil, err
		}
		sim.resource = src.p
	}
	if in.ResourceOwner != "" {
		a, err := arn.Parse(in.ResourceOwner)
		if err != nil || !accountIDRe.MatchString(a.AccountID) {
			return nil, awserr.InvalidInput("Invalid ResourceOwner: %s", in.ResourceOwner)
		}
		sim.owner = a.AccountID
	}
	// The simulated caller: an IAM user of the caller's account unless
	// CallerArn names one.
	sim.principal = policy.Principal{Kind: arn.PrincipalUser, Account: c.Account}
	if in.CallerArn != "" {
		p, err := policy.PrincipalFromARN(in.CallerArn)
		if err != nil || p.Kind != arn.PrincipalUser {
			return nil, awserr.InvalidInput("Invalid CallerArn: %s. CallerArn must be the ARN of an IAM user.", in.CallerArn)
		}
		sim.principal = p
	}
	return sim, nil
}

// SimulateCustomPolicy simulates the policies passed in the request.
func (s *Service) SimulateCustomPolicy(ctx context.Context, c Caller, in SimulateInput) ([]EvaluationResult, string, error) {
	if len(in.PolicyInputList) == 0 {
		return nil, "", awserr.ValidationError("1 validation error detected: Value null at 'policyInputList' failed to satisfy constraint: Member must not be null")
	}
	sim, err := s.prepare(c, &in)
	if err != nil {
		return nil, "", err
	}
	return sim.run(&in)
}

// SimulatePrincipalPolicy simulates the policies of a user (its inline and
// attached policies, those of its groups, and its permissions boundary), a
// group or a role, plus any passed in the request. A boundary passed in the
// request replaces the entity's own.
func (s *Service) SimulatePrincipalPolicy(ctx context.Context, c Caller, in SimulateInput) ([]EvaluationResult, string, error) {
	sim, err := s.prepare(c, &in)
	if err != nil {
		return nil, "", err
	}
	ent, err := s.principalPolicies(ctx, c, in.PolicySourceArn)
	if err != nil {
		return nil, "", err
	}
	if err := sim.addEntity(ent, len(in.BoundaryInputList) == 0); err != nil {
		return nil, "", err
	}
	if in.CallerArn == "" {
		// A user or role is simulated as itself (a role as a session of
		// it); a group as an unnamed member.
		if ent.kind == "user" || ent.kind == "role" {
			if p, err := policy.PrincipalFromARN(ent.arn); err == nil {
				sim.principal = p
			}
		}
	}
	return sim.run(&in)
}

// namedDoc is a policy document with the name it is reported under.
type namedDoc struct{ name, doc string }

// entityPolicies are the policies of the user, group or role a principal
// simulation is about.
type entityPolicies struct {
	kind     string // user, group, role
	arn      string
	identity []namedDoc
	boundary *namedDoc
}

// addEntity adds an entity's policies and, when useBoundary, its boundary.
func (sim *simulation) addEntity(ent *entityPolicies, useBoundary bool) error {
	for _, nd := range ent.identity {
		src, err := sim.addSource(nd.name, sourceIdentity, nd.doc, policy.TypeIdentity)
		if err != nil {
			// A stored policy that no longer compiles is left out rather
			// than failing the whole simulation.
			continue
		}
		sim.identity = append(sim.identity, src.p)
	}
	if useBoundary && ent.boundary != nil {
		src, err := sim.addSource(ent.boundary.name, sourceIdentity, ent.boundary.doc, policy.TypeBoundary)
		if err == nil {
			sim.boundary = append(sim.boundary, src.p)
		}
	}
	return nil
}

// principalPolicies loads the entity PolicySourceArn names with its
// policies.
func (s *Service) principalPolicies(ctx context.Context, c Caller, source string) (*entityPolicies, error) {
	if source == "" {
		return nil, awserr.ValidationError("1 validation error detected: Value null at 'policySourceArn' failed to satisfy constraint: Member must not be null")
	}
	a, err := arn.Parse(source)
	if err != nil || a.Service != "iam" {
		return nil, awserr.InvalidInput("Invalid ARN: %s", source)
	}
	kind, name := a.ResourceType(), a.ResourceName()
	if kind != "user" && kind != "group" && kind != "role" {
		return nil, awserr.InvalidInput("Invalid ARN: %s", source)
	}
	var ent *entityPolicies
	err = s.view(ctx, func(r store.Reader) error {
		var err error
		ent, err = s.loadEntityPolicies(r, c.Account, a.AccountID, kind, name, source)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ent, nil
}

// loadEntityPolicies reads, within one snapshot, the policies of the user,
// group or role named source (whose account, kind and name are given).
func (s *Service) loadEntityPolicies(r store.Reader, acct, entityAcct, kind, name, source string) (*entityPolicies, error) {
	ent := &entityPolicies{kind: kind, arn: source}
	if entityAcct != acct || name == "" {
		return nil, noSuch(kind, name)
	}
	var inline map[string]string
	var attached []string
	var boundary string
	switch kind {
	case "user":
		u, err := s.readUserShared(r, acct, name)
		if err != nil {
			return nil, err
		}
		if u.ARN != source {
			return nil, noSuch(kind, name)
		}
		inline, attached, boundary = u.InlinePolicies, u.AttachedPolicies, u.PermissionsBoundary
		ent.identity = append(ent.identity, inlineDocs(inline)...)
		if err := s.appendManaged(r, acct, attached, &ent.identity); err != nil {
			return nil, err
		}
		for _, gn := range u.Groups {
			// Authorization asks on every request: shared records spare
			// decoding (see recordCache).
			g, err := getShared[Group](s, r, groupKey(acct, gn))
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			ent.identity = append(ent.identity, inlineDocs(g.InlinePolicies)...)
			if err := s.appendManaged(r, acct, g.AttachedPolicies, &ent.identity); err != nil {
				return nil, err
			}
		}
	case "group":
		g, err := readGroup(r, acct, name)
		if err != nil {
			return nil, err
		}
		if g.ARN != source {
			return nil, noSuch(kind, name)
		}
		ent.identity = append(ent.identity, inlineDocs(g.InlinePolicies)...)
		if err := s.appendManaged(r, acct, g.AttachedPolicies, &ent.identity); err != nil {
			return nil, err
		}
	case "role":
		role, err := getShared[Role](s, r, roleKey(acct, name))
		if isNotFound(err) {
			return nil, noSuch(kind, name)
		}
		if err != nil {
			return nil, err
		}
		if role.ARN != source {
			return nil, noSuch(kind, name)
		}
		boundary = role.PermissionsBoundary
		ent.identity = append(ent.identity, inlineDocs(role.InlinePolicies)...)
		if err := s.appendManaged(r, acct, role.AttachedPolicies, &ent.identity); err != nil {
			return nil, err
		}
	}
	if boundary != "" {
		var docs []namedDoc
		if err := s.appendManaged(r, acct, []string{boundary}, &docs); err != nil {
			return nil, err
		}
		if len(docs) == 1 {
			ent.boundary = &docs[0]
		}
	}
	return ent, nil
}

// noSuch is the NoSuchEntity answer for a missing user, group or role; built
// only when needed, as formatting it is not free.
func noSuch(kind, name string) error {
	return awserr.NoSuchEntity("The %s with name %s cannot be found.", kind, name)
}

// inlineDocs returns inline policies in name order.
func inlineDocs(m map[string]string) []namedDoc {
	out := make([]namedDoc, 0, len(m))
	for name, doc := range m {
		out = append(out, namedDoc{name, doc})
	}
	slices.SortFunc(out, func(a, b namedDoc) int { return strings.Compare(a.name, b.name) })
	return out
}

// appendManaged appends the default versions of the managed policies arns
// (AWS managed or acct's own); policies that no longer exist are skipped.
func (s *Service) appendManaged(r store.Reader, acct string, arns []string, out *[]namedDoc) error {
	for _, a := range arns {
		name, doc, ok, err := s.managedDefaultDocument(r, acct, a)
		if err != nil {
			return err
		}
		if ok {
			*out = append(*out, namedDoc{name, doc})
		}
	}
	return nil
}

// managedDefaultDocument returns the name and default version document of a
// managed policy.
func (s *Service) managedDefaultDocument(r store.Reader, acct, policyARN string) (name, doc string, ok bool, err error) {
	ref, err := parsePolicyARN(policyARN)
	if err != nil {
		return "", "", false, nil
	}
	if ref.aws() {
		mp, ok := s.lookupAWSPolicy(ref)
		if !ok {
			return "", "", false, nil
		}
		return mp.Name, mp.Document, true, nil
	}
	// Authorization asks on every request: a shared record spares decoding.
	p, ok, err := s.findOwnPolicy(r, acct, ref, true)
	if err != nil || !ok {
		return "", "", false, err
	}
	for _, v := range p.Versions {
		if v.ID == p.DefaultVersionID {
			return p.Name, v.Document, true, nil
		}
	}
	return "", "", false, nil
}

// run evaluates every action on every resource and returns the page of
// results that in.Page asks for.
func (sim *simulation) run(in *SimulateInput) ([]EvaluationResult, string, error) {
	set := policy.Set{Identity: sim.identity, Resource: sim.resource}
	switch len(sim.boundary) {
	case 0:
	case 1:
		set.Boundary = sim.boundary[0]
	default:
		set.Boundary = policy.Combine("boundary", policy.TypeBoundary, sim.boundary...)
	}
	ev := policy.NewEvaluator(set)
	resources := in.ResourceArns
	named := len(resources) > 0
	if !named {
		resources = []string{"*"}
	}
	// The results are numbered, not materialized: a request may pair
	// thousands of actions with thousands of resources, and a page holds at
	// most 1000 of them.
	n := len(in.ActionNames) * len(resources)
	limit, err := in.Page.limit()
	if err != nil {
		return nil, "", err
	}
	start := 0
	if in.Page.Marker != "" {
		pos, err := decodeMarker("simulation", in.Page.Marker)
		if err != nil {
			return nil, "", err
		}
		if start, err = strconv.Atoi(pos); err != nil || start < 0 || start > n {
			return nil, "", invalidMarker()
		}
	}
	end, next := n, ""
	if start+limit < n {
		end, next = start+limit, encodeMarker("simulation", strconv.Itoa(start+limit))
	}
	out := make([]EvaluationResult, 0, end-start)
	var res policy.Result
	for i := start; i < end; i++ {
		action, resource := in.ActionNames[i/len(resources)], resources[i%len(resources)]
		req := policy.Request{Principal: sim.principal, Action: action, Resource: resource, Context: sim.ctx}
		if sim.owner != "" {
			if parts, ok := arn.Split(resource); !ok || parts[4] == "" {
				req.ResourceAccount = sim.owner
			}
		}
		ev.Evaluate(&req, &res)
		er := EvaluationResult{
			Action:                 action,
			Resource:               resource,
			Decision:               decisionName(res.Decision),
			Matched:                sim.matched(&res),
			Missing:                sim.missing(action, resource),
			AllowedByOrganizations: true,
			AllowedByBoundary:      sim.boundaryAllows(&res),
		}
		if named {
			er.DecisionDetails = map[string]string{}
			er.ResourceSpecific = []ResourceResult{{
				Resource:          resource,
				Decision:          er.Decision,
				Matched:           er.Matched,
				Missing:           er.Missing,
				AllowedByBoundary: er.AllowedByBoundary,
			}}
		}
		out = append(out, er)
	}
	return out, next, nil
}

func decisionName(d policy.Decision) string {
	switch d {
	case policy.Allowed:
		return DecisionAllowed
	case policy.ExplicitDeny:
		return DecisionExplicitDeny
	}
	return DecisionImplicitDeny
}

// matched reports the statements that decided: the Deny statements of an
// explicit deny, the Allow statements of identity and resource policies that
// granted an allowed request, nothing for an implicit deny.
func (sim *simulation) matched(res *policy.Result) []MatchedStatement {
	out := []MatchedStatement{}
	for _, m := range res.Matched {
		switch res.Decision {
		case policy.ExplicitDeny:
			if m.Effect != policy.Deny {
				continue
			}
		case policy.Allowed:
			if m.Effect != policy.Allow || m.PolicyType == policy.TypeBoundary {
				continue
			}
		default:
			continue
		}
		src := sim.source(m.Policy)
		if src == nil {
			continue
		}
		ms := MatchedStatement{SourcePolicyID: src.id, SourcePolicyType: src.typ}
		if m.Statement < len(src.spans) {
			sp := src.spans[m.Statement]
			// AWS reports the column just past each brace.
			ms.Start = &Position{Line: sp.StartLine, Column: sp.StartColumn + 1}
			ms.End = &Position{Line: sp.EndLine, Column: sp.EndColumn + 1}
		}
		out = append(out, ms)
	}
	return out
}

func (sim *simulation) source(name string) *simSource {
	i, err := strconv.Atoi(name)
	if err != nil || i < 0 || i >= len(sim.sources) {
		return nil
	}
	return sim.sources[i]
}

// missing lists the condition keys of the statements that cover action on
// resource (whatever their conditions say) that the request's context does
// not supply.
func (sim *simulation) missing(action, resource string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, src := range sim.sources {
		for i := 0; i < src.p.Statements(); i++ {
			if !src.p.StatementRelevant(i, action, resource, sim.ctx) {
				continue
			}
			for _, k := range src.p.StatementConditionKeys(i) {
				low := strings.ToLower(k)
				if seen[low] {
					continue
				}
				if _, ok := sim.ctx.Get(k); ok {
					continue
				}
				seen[low] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// boundaryAllows says whether the permissions boundary (when there is one)
// allows the request.
func (sim *simulation) boundaryAllows(res *policy.Result) *bool {
	if len(sim.boundary) == 0 {
		return nil
	}
	allow, deny := false, false
	for _, m := range res.Matched {
		if m.PolicyType != policy.TypeBoundary {
			continue
		}
		if m.Effect == policy.Deny {
			deny = true
		} else {
			allow = true
		}
	}
	v := allow && !deny
	return &v
}

// GetContextKeysForCustomPolicy lists the condition keys the policies use.
func (s *Service) GetContextKeysForCustomPolicy(ctx context.Context, c Caller, docs []string) ([]string, error) {
	if len(docs) == 0 {
		return nil, awserr.ValidationError("1 validation error detected: Value null at 'policyInputList' failed to satisfy constraint: Member must not be null")
	}
	sim := &simulation{}
	for i, doc := range docs {
		if _, err := sim.addSource("PolicyInputList."+strconv.Itoa(i+1), sourceIdentity, doc, policy.TypeIdentity); err != nil {
			return nil, err
		}
	}
	return sim.contextKeys(), nil
}

// GetContextKeysForPrincipalPolicy lists the condition keys used by the
// policies of a user (with its groups'), group or role, and by docs.
func (s *Service) GetContextKeysForPrincipalPolicy(ctx context.Context, c Caller, source string, docs []string) ([]string, error) {
	sim := &simulation{}
	for i, doc := range docs {
		if _, err := sim.addSource("PolicyInputList."+strconv.Itoa(i+1), sourceIdentity, doc, policy.TypeIdentity); err != nil {
			return nil, err
		}
	}
	ent, err := s.principalPolicies(ctx, c, source)
	if err != nil {
		return nil, err
	}
	if err := sim.addEntity(ent, true); err != nil {
		return nil, err
	}
	return sim.contextKeys(), nil
}

func (sim *simulation) contextKeys() []string {
	out := []string{}
	seen := map[string]bool{}
	for _, src := range sim.sources {
		for _, k := range src.p.ConditionKeys() {
			if low := strings.ToLower(k); !seen[low] {
				seen[low] = true
				out = append(out, k)
			}
		}
	}
	return out
}
