package policy

import (
	"strings"
	"unicode/utf8"

	"github.com/rolecall/rolecall/arn"
)

// Helpers for the IAM policy simulator (SimulatePrincipalPolicy,
// SimulateCustomPolicy, GetContextKeysFor*Policy): which condition keys a
// policy uses, which statements are relevant to an action and resource
// whatever their conditions, and where each statement sits in its source.

// ConditionKeys returns the condition keys the policy's statements use, in
// order of first appearance and spelled as the document spells them; a key
// used again in another case is listed once.
func (p *Policy) ConditionKeys() []string {
	var out []string
	seen := map[string]bool{}
	for i := range p.stmts {
		for _, k := range p.StatementConditionKeys(i) {
			if low := strings.ToLower(k); !seen[low] {
				seen[low] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// StatementConditionKeys returns the condition keys of statement i (as
// numbered by Match.Statement for this policy), deduplicated as
// ConditionKeys does.
func (p *Policy) StatementConditionKeys(i int) []string {
	if i < 0 || i >= len(p.stmts) {
		return nil
	}
	st := p.stmts[i].source()
	if st == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, b := range st.Condition {
		for _, k := range b.Keys {
			if low := strings.ToLower(k.Key); !seen[low] {
				seen[low] = true
				out = append(out, k.Key)
			}
		}
	}
	return out
}

// source returns the parsed statement a compiled one came from.
func (s *cstmt) source() *Statement {
	if s.policy == nil || s.policy.Document == nil || s.index >= len(s.policy.Document.Statements) {
		return nil
	}
	return &s.policy.Document.Statements[s.index]
}

// StatementRelevant reports whether statement i's Action and Resource
// elements cover action on resource, leaving its principal and conditions
// aside: the statement would apply if its conditions held. Policy variables
// in Resource resolve from ctx (which may be nil).
func (p *Policy) StatementRelevant(i int, action, resource string, ctx *Context) bool {
	if i < 0 || i >= len(p.stmts) {
		return false
	}
	s := &p.stmts[i]
	if !s.matchesAction(action) {
		return false
	}
	if !s.hasResource {
		return true
	}
	parts, isARN := arn.Split(resource)
	hit := false
	for j := range s.resources {
		if s.resources[j].matchesSplit(resource, &parts, isARN, ctx) {
			hit = true
			break
		}
	}
	return hit != s.notResource
}

// Combine returns one policy made of the statements of ps, in order, for
// evaluating several documents as one (such as several permissions
// boundaries, which together must allow). Matches against the result still
// name the policy and statement index each statement came from.
func Combine(name string, typ Type, ps ...*Policy) *Policy {
	c := &Policy{Name: name, Type: typ}
	for _, p := range ps {
		if p != nil {
			c.stmts = append(c.stmts, p.stmts...)
		}
	}
	return c
}

// Span is where a statement sits in its document: the lines and columns
// (1-based, in characters) of its opening and closing braces.
type Span struct {
	StartLine, StartColumn int
	EndLine, EndColumn     int
}

// StatementSpans locates the statements of a policy document in its source,
// in document order (a Statement written as a single object has one span).
// It returns nil when the document is not JSON or has no Statement.
func StatementSpans(src []byte) []Span {
	p := &parser{src: src}
	root, err := p.decode()
	if err != nil || root.kind != kObject {
		return nil
	}
	st, _ := root.field("Statement")
	if st == nil {
		return nil
	}
	nodes := []*node{st}
	if st.kind == kArray {
		nodes = st.vals
	}
	spans := make([]Span, 0, len(nodes))
	for _, n := range nodes {
		sc := newScanner(src)
		sc.pos = int(n.off)
		if _, err := sc.value(); err != nil {
			return nil
		}
		var sp Span
		sp.StartLine, sp.StartColumn = charLineCol(src, int(n.off))
		sp.EndLine, sp.EndColumn = charLineCol(src, sc.pos-1)
		spans = append(spans, sp)
	}
	return spans
}

// charLineCol is the 1-based line and column of byte offset off, counting
// columns in characters.
func charLineCol(src []byte, off int) (int, int) {
	line, col := 1, 1
	for i := 0; i < off && i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += size
	}
	return line, col
}
