// Package catalog answers questions about AWS itself rather than about any
// account: which actions exist, how IAM classifies them, which resource
// types and condition keys they take, and what the AWS managed policies say.
//
// rolecall needs these facts in several places. Policy validation has to
// reject "ecs:RegisterContainerInstanse" the way IAM does, wildcard actions
// such as "ecs:Submit*" have to expand to the same set AWS would grant,
// condition keys need their declared types so a policy comparing
// aws:CurrentTime with StringEquals can be flagged, and attaching
// "arn:aws:iam::aws:policy/AmazonECS_FullAccess" must produce AWS's real
// document. Rather than calling AWS, the facts are embedded: they are
// generated from public AWS data by internal/gen/catalog (see NOTICE for
// provenance), so rolecall works offline and behaves the same on every run.
//
// The package does no I/O beyond reading its embedded files. Those are
// decoded lazily on first use, once, and never change afterwards, so every
// function is safe for concurrent use. Values handed out share their slices
// with the catalog: treat them as read-only.
package catalog

//go:generate go run ../internal/gen/catalog -catalog ../../shared/data/iam-catalog.json -policies ../../shared/data/aws-managed-policies.json -globals ../../shared/reference/aws-docs/reference_policies_condition-keys.md -out data

import (
	"strings"

	"github.com/rolecall/rolecall/internal/wildcard"
)

// AccessLevel is IAM's classification of what an action does. Access Advisor
// and policy summaries group actions by it, and it is how "read-only"
// policies are judged.
type AccessLevel string

// The five access levels AWS uses. Tagging and permissions management are
// kinds of write that AWS reports separately because they change who can do
// what, not just data.
const (
	AccessList                  AccessLevel = "List"
	AccessRead                  AccessLevel = "Read"
	AccessWrite                 AccessLevel = "Write"
	AccessPermissionsManagement AccessLevel = "Permissions management"
	AccessTagging               AccessLevel = "Tagging"
)

// ResourceTypeRef is one resource type an action can act on. Policy
// evaluation needs Required to know whether a Resource element may name this
// type at all, and the condition keys to know which keys are in the request
// context when it does.
type ResourceTypeRef struct {
	Name             string
	Required         bool
	ConditionKeys    []string
	DependentActions []string
}

// Action is one IAM action as AWS defines it. Names keep AWS's canonical case
// because that is what rolecall must echo back in errors, CloudTrail events
// and Access Advisor reports, even though IAM matches actions ignoring case.
type Action struct {
	Service          string // service prefix, lowercase, e.g. "ecs"
	Name             string // canonical action name, e.g. "RegisterContainerInstance"
	AccessLevel      AccessLevel
	ResourceTypes    []ResourceTypeRef
	ConditionKeys    []string
	DependentActions []string
}

// FullName returns the action as policies spell it, e.g.
// "ecs:RegisterContainerInstance".
func (a Action) FullName() string { return a.Service + ":" + a.Name }

// ResourceType is a kind of resource a service defines. Its ARN formats let
// rolecall tell which type a Resource ARN refers to.
type ResourceType struct {
	Name          string
	ARNFormats    []string // e.g. "arn:${Partition}:ecs:${Region}:${Account}:cluster/${ClusterName}"
	ConditionKeys []string
}

// ConditionKeyType is a condition key's declared value type, spelled as
// AWS's reference does: "String", "ARN", "Numeric", "Date", "Bool",
// "IPAddress", "Binary", or one of those prefixed with "ArrayOf" for keys
// that carry a set of values.
type ConditionKeyType string

// ConditionKey describes a condition key. The type decides which condition
// operators make sense with it; MultiValued keys need ForAnyValue or
// ForAllValues to behave as authors expect; Global keys (aws:*) may appear
// in any request, whatever the service.
type ConditionKey struct {
	Name        string // canonical name; templated keys keep their placeholder, e.g. "aws:RequestTag/${TagKey}"
	Type        ConditionKeyType
	MultiValued bool
	Global      bool
}

// Service is everything the catalog knows about one AWS service.
type Service struct {
	Prefix        string // as used in actions, e.g. "ecs"
	Name          string // e.g. "Amazon Elastic Container Service"
	Actions       []Action
	ResourceTypes []ResourceType
	ConditionKeys []ConditionKey
}

// LookupService finds a service by its action prefix. Case is ignored
// because IAM ignores it when matching actions.
func LookupService(prefix string) (*Service, bool) {
	c := load()
	s, ok := lookupFold(c.services, prefix)
	return s, ok
}

// LookupAction finds an action by its full name ("ecs:RegisterContainerInstance"),
// ignoring case as IAM does, and returns it with its canonical spelling.
// Wildcards are not expanded; use ExpandActions for that.
func LookupAction(action string) (Action, bool) {
	c := load()
	if a, ok := lookupFold(c.actions, action); ok {
		return *a, true
	}
	return Action{}, false
}

// ExpandActions returns the canonical full names of every action matching an
// IAM action pattern, sorted, or nil if none match. '*' matches any run of
// characters and '?' exactly one, ignoring case, over the whole
// "service:Action" string, which is how IAM reads an Action element.
func ExpandActions(pattern string) []string {
	c := load()
	if pattern == "" {
		return nil
	}
	if pattern == "*" {
		return append([]string(nil), c.allNames...)
	}
	// A pattern with exactly one colon must line it up with the single colon
	// in every action name, so service and action can be matched apart and
	// most services skipped without looking at their actions.
	if i := strings.IndexByte(pattern, ':'); i >= 0 && strings.IndexByte(pattern[i+1:], ':') < 0 {
		svcPat, actPat := pattern[:i], pattern[i+1:]
		if !wildcard.HasWildcard(svcPat) {
			s, ok := lookupFold(c.services, svcPat)
			if !ok {
				return nil
			}
			return matchService(nil, s, c, actPat)
		}
		var out []string
		for _, s := range c.byName {
			if wildcard.MatchFold(svcPat, s.Prefix) {
				out = matchService(out, s, c, actPat)
			}
		}
		return out
	}
	var out []string
	for _, name := range c.allNames {
		if wildcard.MatchFold(pattern, name) {
			out = append(out, name)
		}
	}
	return out
}

// matchService appends s's actions matching actPat. A service's actions are
// sorted, and c.byName visits services in full-name order, so the result
// stays sorted without a final sort.
func matchService(out []string, s *Service, c *data, actPat string) []string {
	names := c.fullNames[s]
	if actPat == "*" {
		return append(out, names...)
	}
	for i := range s.Actions {
		if wildcard.MatchFold(actPat, s.Actions[i].Name) {
			out = append(out, names[i])
		}
	}
	return out
}

// LookupConditionKey describes a condition key, global (aws:*) or service
// specific, ignoring case. Keys whose name embeds a tag key or other
// variable ("aws:RequestTag/Team", "ecs:ResourceTag/env",
// "s3:ExistingObjectTag/k") resolve to the catalog's templated definition,
// whose Name keeps the placeholder ("aws:RequestTag/${TagKey}"), because
// that definition is what carries the type.
func LookupConditionKey(key string) (ConditionKey, bool) {
	c := load()
	if k, ok := lookupFold(c.keys, key); ok {
		return k, true
	}
	for i := range c.templates {
		t := &c.templates[i]
		if len(key) > len(t.prefix) && strings.EqualFold(key[:len(t.prefix)], t.prefix) &&
			wildcard.MatchFold(t.pattern, key) {
			return t.key, true
		}
	}
	return ConditionKey{}, false
}

// Services returns every service, sorted by prefix. The slice is the
// caller's; the services are shared.
func Services() []*Service {
	c := load()
	return append([]*Service(nil), c.list...)
}

// lookupFold indexes a lowercase-keyed map without allocating: the key is
// lowered into a stack buffer, and indexing a map with string(bytes) does
// not copy. Only ASCII is folded, matching IAM and internal/wildcard.
func lookupFold[V any](m map[string]V, s string) (V, bool) {
	var buf [256]byte
	if len(s) > len(buf) {
		v, ok := m[lowerASCII(s)]
		return v, ok
	}
	b := buf[:len(s)]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	v, ok := m[string(b)]
	return v, ok
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
