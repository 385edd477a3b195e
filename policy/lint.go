package policy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// This file and the other lint_*.go files implement the checks IAM Access
// Analyzer runs on a policy (its ValidatePolicy API), reported with Access
// Analyzer's issue codes and finding types. They run after Check, so they
// only report what IAM itself lets through: things that are almost
// certainly mistakes (an action that does not exist), that grant more than
// the author probably meant (iam:PassRole on every role), or that could
// simply be written better (an action already covered by a wildcard).
//
// Every check must cope with any document Parse returns, not only with those
// Check accepts: Lint is exported and fuzzed.

func init() {
	lintChecks = append(lintChecks, lintDocument, lintStatements)
}

// Quotas Access Analyzer measures a policy against, in characters without
// whitespace.
const (
	lintQuotaIdentity = 6144 // managed policies and permissions boundaries
	lintQuotaTrust    = 2048 // a role's trust policy, by default
	lintQuotaSCP      = 5120 // an Organizations service control policy
)

// linter collects the findings of one Lint call. It holds no state beyond
// the call, so Lint stays safe for concurrent use.
type linter struct {
	doc  *Document
	typ  Type
	vars bool // policy variables are substituted: Version 2012-10-17
	fs   []Finding
	// suggestions bounds the "did you mean" searches, which scan a whole
	// service or the service list, so that a policy made of thousands of
	// misspelt actions stays cheap to lint.
	suggestions int
	// budget bounds the catalog entries matched against actions whose
	// service part is a wildcard, which may each scan every service.
	budget int
}

func newLinter(doc *Document, typ Type) *linter {
	return &linter{doc: doc, typ: typ, vars: doc.Version == Version2012, suggestions: 16, budget: 1 << 21}
}

func (l *linter) add(sev Severity, code, path, msg string) {
	l.fs = append(l.fs, Finding{Severity: sev, IssueCode: code, Message: msg, Path: path})
}

func lintStmtPath(i int) string { return "Statement[" + strconv.Itoa(i) + "]" }

func lintElemPath(i int, elem string, j int) string {
	return lintStmtPath(i) + "." + elem + "[" + strconv.Itoa(j) + "]"
}

// namedValues is one of a statement's Action, NotAction, Resource and
// NotResource elements, with its name.
type namedValues struct {
	name string
	v    Values
}

// namedPrincipal is a statement's Principal or NotPrincipal element, with
// its name.
type namedPrincipal struct {
	name string
	pr   *PrincipalElement
}

func (st *Statement) actionElements() [2]namedValues {
	return [2]namedValues{{"Action", st.Action}, {"NotAction", st.NotAction}}
}

func (st *Statement) resourceElements() [2]namedValues {
	return [2]namedValues{{"Resource", st.Resource}, {"NotResource", st.NotResource}}
}

func (st *Statement) principalElements() [2]namedPrincipal {
	return [2]namedPrincipal{{"Principal", st.Principal}, {"NotPrincipal", st.NotPrincipal}}
}

func lintCondPath(i int, op, key string) string {
	p := lintStmtPath(i) + ".Condition." + op
	if key != "" {
		p += "." + key
	}
	return p
}

// lintDocument runs the checks that look at the document as a whole.
func lintDocument(doc *Document, typ Type) []Finding {
	l := newLinter(doc, typ)
	if !doc.HasVersion {
		l.add(SeverityWarning, "MISSING_VERSION", "Version", `The policy has no Version element, so it is read with the 2008-10-17 language: policy variables such as ${aws:username} are plain text. Add "Version": "2012-10-17".`)
	}
	l.checkSize()
	l.checkSids()
	l.checkRedundantStatements()
	return l.fs
}

// lintStatements runs the per-statement checks, statement by statement and
// in element order within a statement, so findings read top to bottom.
func lintStatements(doc *Document, typ Type) []Finding {
	l := newLinter(doc, typ)
	for i := range doc.Statements {
		st := &doc.Statements[i]
		l.checkStatementShape(st, i)
		l.checkPrincipals(st, i)
		l.checkActions(st, i)
		l.checkResources(st, i)
		l.checkConditions(st, i)
		l.checkVariables(st, i)
		l.checkPermissions(st, i)
		if typ == TypeSCP {
			l.checkSCP(st, i)
		}
		if typ == TypeTrust {
			l.checkTrust(st, i)
		}
	}
	return l.fs
}

// checkSize compares the document's length without whitespace with the
// quota for its type.
func (l *linter) checkSize() {
	var quota int
	var code, what string
	sev := SeverityWarning
	switch l.typ {
	case TypeIdentity, TypeBoundary:
		quota, code, what = lintQuotaIdentity, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "managed policies"
	case TypeTrust:
		quota, code, what = lintQuotaTrust, "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", "role trust policies (the default quota; it can be raised)"
	case TypeSCP:
		quota, code, what = lintQuotaSCP, "POLICY_SIZE_EXCEEDS_SCP_QUOTA", "service control policies"
		sev = SeverityError
	default:
		return
	}
	if n := lintPolicySize(l.doc); n > quota {
		l.add(sev, code, "", fmt.Sprintf("The policy is %d characters long without whitespace, more than the %d allowed for %s. Split it into several policies.", n, quota, what))
	}
}

// lintPolicySize counts the characters of the document as JSON, leaving out
// whitespace as IAM does when it applies its size quotas.
func lintPolicySize(doc *Document) int {
	n := 2                                            // {}
	field := func(name string) { n += len(name) + 3 } // "name":
	str := func(s string) {
		n += 2
		for _, r := range s {
			switch {
			case r == '"' || r == '\\':
				n += 2
			case r < 0x20:
				n += 6
			case !unicode.IsSpace(r):
				n++
			}
		}
	}
	values := func(v Values) {
		if v.Single && len(v.List) == 1 {
			str(v.List[0])
			return
		}
		n += 2 + max(len(v.List)-1, 0)
		for _, s := range v.List {
			str(s)
		}
	}
	fields := 0
	if doc.HasVersion {
		field("Version")
		str(doc.Version)
		fields++
	}
	if doc.HasID {
		field("Id")
		str(doc.ID)
		fields++
	}
	field("Statement")
	n += fields
	if !doc.SingleStatement || len(doc.Statements) != 1 {
		n += 2 + max(len(doc.Statements)-1, 0)
	}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		n += 2
		k := 0
		next := func(name string) {
			if k > 0 {
				n++
			}
			k++
			field(name)
		}
		if st.HasSid {
			next("Sid")
			str(st.Sid)
		}
		if st.HasEffect {
			next("Effect")
			str(string(st.Effect))
		}
		for _, p := range st.principalElements() {
			if p.pr == nil {
				continue
			}
			next(p.name)
			if p.pr.Wildcard {
				str("*")
				continue
			}
			n += 2 + max(len(p.pr.Entries)-1, 0)
			for _, e := range p.pr.Entries {
				field(e.Type)
				values(e.Values)
			}
		}
		for _, e := range [...]namedValues{{"Action", st.Action}, {"NotAction", st.NotAction}, {"Resource", st.Resource}, {"NotResource", st.NotResource}} {
			if e.v.Set {
				next(e.name)
				values(e.v)
			}
		}
		if st.HasCondition {
			next("Condition")
			n += 2 + max(len(st.Condition)-1, 0)
			for _, b := range st.Condition {
				str(b.Operator)
				n += 3 + max(len(b.Keys)-1, 0) // :{}
				for _, k := range b.Keys {
					str(k.Key)
					n++
					values(k.Values)
				}
			}
		}
	}
	return n
}

// checkSids looks at statement IDs across the document.
func (l *linter) checkSids() {
	// IAM stores identity policies and insists on unique, alphanumeric
	// Sids; resource policies belong to other services, most of which allow
	// more.
	iamStored := l.typ == TypeIdentity || l.typ == TypeBoundary || l.typ == TypeSession
	seen := make(map[string]int, len(l.doc.Statements))
	for i := range l.doc.Statements {
		st := &l.doc.Statements[i]
		if !st.HasSid {
			continue
		}
		path := lintStmtPath(i) + ".Sid"
		if st.Sid == "" {
			l.add(SeveritySuggestion, "EMPTY_SID_VALUE", path, `The Sid is an empty string. Give the statement a name, or remove the Sid element.`)
			continue
		}
		if iamStored && !lintAlnum(st.Sid) {
			l.add(SeverityError, "UNSUPPORTED_SID", path, fmt.Sprintf("The Sid %s has characters other than A-Z, a-z and 0-9, which IAM does not allow in the Sid of this policy type.", quote(st.Sid)))
		}
		low := strings.ToLower(st.Sid)
		j, dup := seen[low]
		if !dup {
			seen[low] = i
			continue
		}
		switch {
		case l.doc.Statements[j].Sid != st.Sid:
			l.add(SeverityWarning, "UNIQUE_SIDS_RECOMMENDED", path, fmt.Sprintf("The Sid %s differs only in case from the Sid of %s. Use statement IDs that are unique in the policy.", quote(st.Sid), lintStmtPath(j)))
		case l.typ == TypeResource || l.typ == TypeRCP:
			l.add(SeverityWarning, "UNIQUE_SIDS_RECOMMENDED", path, fmt.Sprintf("The Sid %s is also used by %s. Use statement IDs that are unique in the policy.", quote(st.Sid), lintStmtPath(j)))
		default:
			l.add(SeverityError, "UNIQUE_SIDS_REQUIRED", path, fmt.Sprintf("The Sid %s is also used by %s; this policy type needs unique statement IDs.", quote(st.Sid), lintStmtPath(j)))
		}
	}
}

func lintAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// checkRedundantStatements finds statements that say exactly what an
// earlier one says, apart from the Sid and the order of list elements.
func (l *linter) checkRedundantStatements() {
	if len(l.doc.Statements) < 2 {
		return
	}
	seen := make(map[string]int, len(l.doc.Statements))
	for i := range l.doc.Statements {
		k := lintStatementKey(&l.doc.Statements[i])
		if j, ok := seen[k]; ok {
			l.add(SeveritySuggestion, "REDUNDANT_STATEMENT", lintStmtPath(i), fmt.Sprintf("The statement grants exactly what %s grants. Remove one of them.", lintStmtPath(j)))
			continue
		}
		seen[k] = i
	}
}

// lintStatementKey is a canonical text for a statement's meaning: element
// lists sorted (actions and condition keys ignoring case, as IAM compares
// them), the Sid left out.
func lintStatementKey(st *Statement) string {
	var b strings.Builder
	list := func(tag string, v Values, fold bool) {
		if !v.Set {
			return
		}
		items := make([]string, len(v.List))
		for i, s := range v.List {
			if fold {
				s = strings.ToLower(s)
			}
			items[i] = s
		}
		sort.Strings(items)
		b.WriteString(tag)
		b.WriteByte('[')
		for _, s := range items {
			b.WriteString(strconv.Quote(s))
		}
		b.WriteByte(']')
	}
	principal := func(tag string, p *PrincipalElement) {
		if p == nil {
			return
		}
		b.WriteString(tag)
		if p.Wildcard {
			b.WriteString("*")
			return
		}
		entries := make([]PrincipalEntry, len(p.Entries))
		copy(entries, p.Entries)
		sort.Slice(entries, func(a, c int) bool { return entries[a].Type < entries[c].Type })
		for _, e := range entries {
			list(e.Type, e.Values, false)
		}
	}
	b.WriteString(string(st.Effect))
	principal("P", st.Principal)
	principal("NP", st.NotPrincipal)
	list("A", st.Action, true)
	list("NA", st.NotAction, true)
	list("R", st.Resource, false)
	list("NR", st.NotResource, false)
	if st.HasCondition {
		blocks := make([]string, 0, len(st.Condition))
		for _, blk := range st.Condition {
			keys := make([]string, 0, len(blk.Keys))
			for _, k := range blk.Keys {
				var kb strings.Builder
				kb.WriteString(strconv.Quote(strings.ToLower(k.Key)))
				vals := append([]string(nil), k.Values.List...)
				sort.Strings(vals)
				for _, v := range vals {
					kb.WriteString(strconv.Quote(v))
				}
				keys = append(keys, kb.String())
			}
			sort.Strings(keys)
			blocks = append(blocks, strconv.Quote(blk.Operator)+"{"+strings.Join(keys, ",")+"}")
		}
		sort.Strings(blocks)
		b.WriteString("C{")
		b.WriteString(strings.Join(blocks, ","))
		b.WriteString("}")
	}
	return b.String()
}

// checkStatementShape reports elements present but empty: a statement
// with an empty Action or Resource list, or an empty Condition object,
// has no effect (or not the one intended).
func (l *linter) checkStatementShape(st *Statement, i int) {
	for _, e := range []struct {
		name string
		v    Values
		code string
	}{
		{"Action", st.Action, "EMPTY_ARRAY_ACTION"},
		{"NotAction", st.NotAction, "EMPTY_ARRAY_ACTION"},
		{"Resource", st.Resource, "EMPTY_ARRAY_RESOURCE"},
		{"NotResource", st.NotResource, "EMPTY_ARRAY_RESOURCE"},
	} {
		if e.v.Set && len(e.v.List) == 0 {
			l.add(SeveritySuggestion, e.code, lintStmtPath(i)+"."+e.name, fmt.Sprintf("The %s element is an empty array, so the statement has no effect. List what it applies to.", e.name))
		}
	}
	if st.HasCondition && len(st.Condition) == 0 {
		l.add(SeveritySuggestion, "EMPTY_OBJECT_CONDITION", lintStmtPath(i)+".Condition", "The Condition element is an empty object and does nothing. Remove it or add conditions.")
	}
}
