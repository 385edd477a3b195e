package policy

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/catalog"
	"github.com/rolecall/rolecall/internal/wildcard"
)

// lintAction is one entry of an Action or NotAction element, resolved against
// the catalog.
type lintAction struct {
	j              int
	raw            string
	svcPat, actPat string
	all            bool             // "*", "**", ...: every action
	svcWild        bool             // the service part has a wildcard
	wild           bool             // the entry has a wildcard anywhere
	svc            *catalog.Service // the one service a non-svcWild entry names
	set            []uint64         // the svc actions it matches, as a bit set over svc.Actions
	n              int              // how many actions of svc it matches
	valid          bool             // matches at least one action
}

// lintMaxRedundancyWork bounds the wildcard matches the redundancy check may
// spend on one element, so that a pathological policy stays fast to lint.
const lintMaxRedundancyWork = 1 << 21

// checkActions validates each action against the catalog and then looks
// for entries already covered by another entry of the same element.
func (l *linter) checkActions(st *Statement, i int) {
	elem, v := "Action", st.Action
	if st.NotAction.Set && !st.Action.Set {
		elem, v = "NotAction", st.NotAction
	}
	if len(v.List) == 0 {
		return
	}
	entries := make([]lintAction, 0, len(v.List))
	for j, a := range v.List {
		e := lintAction{j: j, raw: a, wild: wildcard.HasWildcard(a)}
		path := lintElemPath(i, elem, j)
		if strings.Contains(a, "${") {
			continue // reported by checkVariables
		}
		if a != "" && strings.Trim(a, "*") == "" {
			e.all, e.svcWild, e.valid = true, true, true
			entries = append(entries, e)
			continue
		}
		svcPat, actPat, ok := strings.Cut(a, ":")
		if !ok || svcPat == "" || strings.IndexByte(actPat, ':') >= 0 {
			continue // IAM rejects these; nothing more to say
		}
		e.svcPat, e.actPat = svcPat, actPat
		if wildcard.HasWildcard(svcPat) {
			e.svcWild = true
			if strings.Trim(a, "*:") != "" {
				l.add(SeveritySuggestion, "WILDCARD_IN_SERVICE_NAME", path, fmt.Sprintf("The service part of %s has a wildcard, which may match other services, today's or future ones, with similar names. Name the services.", quote(a)))
			}
			if e.valid = l.anyServiceAction(svcPat, actPat); !e.valid {
				l.add(SeverityError, "INVALID_ACTION", path, fmt.Sprintf("%s matches no action of any service.", quote(a)))
			}
			entries = append(entries, e)
			continue
		}
		svc, ok := catalog.LookupService(svcPat)
		if !ok {
			msg := fmt.Sprintf("The service %s in action %s does not exist.", quote(svcPat), quote(a))
			if s := l.suggestService(svcPat); s != "" {
				msg += fmt.Sprintf(" Did you mean %s?", quote(s))
			}
			l.add(SeverityError, "INVALID_SERVICE_IN_ACTION", path, msg)
			continue
		}
		e.svc = svc
		e.set = make([]uint64, (len(svc.Actions)+63)/64)
		if !wildcard.HasWildcard(actPat) {
			if act, ok := catalog.LookupAction(a); ok {
				if k, found := slices.BinarySearchFunc(svc.Actions, act.Name, func(x catalog.Action, name string) int { return strings.Compare(x.Name, name) }); found {
					e.set[k/64] |= 1 << (k % 64)
					e.n = 1
				}
			}
		} else {
			for k := range svc.Actions {
				if wildcard.MatchFold(actPat, svc.Actions[k].Name) {
					e.set[k/64] |= 1 << (k % 64)
					e.n++
				}
			}
		}
		e.valid = e.n > 0
		if !e.valid {
			var msg string
			if e.wild {
				msg = fmt.Sprintf("%s matches no %s action.", quote(a), svc.Prefix)
			} else {
				msg = fmt.Sprintf("The action %s does not exist in %s.", quote(a), svc.Name)
				if s := l.suggestAction(svc, actPat); s != "" {
					msg += fmt.Sprintf(" Did you mean %s?", quote(s))
				}
			}
			l.add(SeverityError, "INVALID_ACTION", path, msg)
		}
		entries = append(entries, e)
	}
	l.checkRedundantActions(entries, i, elem)
}

// anyServiceAction reports whether some action of a service whose prefix
// matches svcPat has a name matching actPat. It gives up (answering yes,
// so that nothing is reported) once the call's matching budget is spent.
func (l *linter) anyServiceAction(svcPat, actPat string) bool {
	for _, s := range catalog.Services() {
		if !wildcard.MatchFold(svcPat, s.Prefix) {
			continue
		}
		if strings.Trim(actPat, "*") == "" {
			if len(s.Actions) > 0 {
				return true
			}
			continue
		}
		if l.budget -= len(s.Actions); l.budget < 0 {
			return true
		}
		for k := range s.Actions {
			if wildcard.MatchFold(actPat, s.Actions[k].Name) {
				return true
			}
		}
	}
	return false
}

// checkRedundantActions reports entries whose actions are all matched by a
// single other entry. When two entries match the same actions, the literal
// one (or else the later one) is the one reported, so that removing every
// reported entry keeps the policy's meaning.
func (l *linter) checkRedundantActions(entries []lintAction, i int, elem string) {
	if len(entries) < 2 {
		return
	}
	work := 0
	// covers reports whether every action b matches is matched by a.
	covers := func(a, b *lintAction) bool {
		switch {
		case a.all:
			return true
		case b.all:
			return false
		case b.svcWild:
			return a.svcWild && lintGlobCovers(a.raw, b.raw, true)
		case a.svcWild:
			if !wildcard.MatchFold(a.svcPat, b.svc.Prefix) {
				return false
			}
			if strings.Trim(a.actPat, "*") == "" {
				return true
			}
			for w, word := range b.set {
				for word != 0 {
					k := w*64 + bits.TrailingZeros64(word)
					word &= word - 1
					work++
					if !wildcard.MatchFold(a.actPat, b.svc.Actions[k].Name) {
						return false
					}
				}
			}
			return true
		case a.svc != b.svc:
			return false
		}
		for w := range b.set {
			if b.set[w]&^a.set[w] != 0 {
				return false
			}
		}
		return true
	}
	// Exact duplicates first: they are common, and cheap to find. The
	// messages are collected per entry and reported in element order.
	msgs := make([]string, len(entries))
	dup := make([]bool, len(entries))
	first := make(map[string]int, len(entries))
	for x := range entries {
		b := &entries[x]
		if !b.valid {
			continue
		}
		low := strings.ToLower(b.raw)
		if y, ok := first[low]; ok {
			dup[x] = true
			msgs[x] = fmt.Sprintf("%s is redundant: %s[%d] is the same action. Remove it.", quote(b.raw), elem, entries[y].j)
			continue
		}
		first[low] = x
	}
	for x := range entries {
		b := &entries[x]
		if !b.valid || dup[x] || work > lintMaxRedundancyWork {
			continue
		}
		for y := range entries {
			a := &entries[y]
			if x == y || !a.valid || dup[y] || !covers(a, b) {
				continue
			}
			if covers(b, a) {
				// Same actions both ways: report only one of the two.
				if b.wild && !a.wild || b.wild == a.wild && b.j < a.j {
					continue
				}
			}
			msgs[x] = fmt.Sprintf("%s is redundant: %s (%s[%d]) already matches every action it matches. Remove it.", quote(b.raw), quote(a.raw), elem, a.j)
			break
		}
	}
	for x, msg := range msgs {
		if msg != "" {
			l.add(SeveritySuggestion, "REDUNDANT_ACTION", lintElemPath(i, elem, entries[x].j), msg)
		}
	}
}

// lintGlobCovers reports whether every string matching pattern p also matches
// pattern q. It matches q against p's text with p's '*' only absorbed by a
// '*' in q and p's '?' by a '?' or '*' in q, which is sufficient (and for
// the patterns found in policies, nearly always necessary).
func lintGlobCovers(q, p string, fold bool) bool {
	qi, pi := 0, 0
	star, mark := -1, 0
	for pi < len(p) {
		if qi < len(q) {
			c, d := q[qi], p[pi]
			switch {
			case c == '*':
				star, mark = qi, pi
				qi++
				continue
			case c == '?' && d != '*',
				d != '*' && d != '?' && eqByte(c, d, fold):
				qi++
				pi++
				continue
			}
		}
		if star < 0 {
			return false
		}
		qi = star + 1
		mark++
		pi = mark
	}
	for qi < len(q) && q[qi] == '*' {
		qi++
	}
	return qi == len(q)
}

// suggestService finds the service prefix closest to a misspelt one.
func (l *linter) suggestService(prefix string) string {
	if l.suggestions <= 0 || len(prefix) > 64 {
		return ""
	}
	l.suggestions--
	best, bestD := "", max(2, len(prefix)/3)+1
	low := strings.ToLower(prefix)
	for _, s := range catalog.Services() {
		if d := lintEditDistance(low, s.Prefix, bestD); d < bestD {
			best, bestD = s.Prefix, d
		}
	}
	return best
}

// suggestAction finds the action of svc closest to a misspelt name.
func (l *linter) suggestAction(svc *catalog.Service, name string) string {
	if l.suggestions <= 0 || len(name) > 128 {
		return ""
	}
	l.suggestions--
	best, bestD := "", max(2, len(name)/4)+1
	low := strings.ToLower(name)
	for k := range svc.Actions {
		if d := lintEditDistance(low, strings.ToLower(svc.Actions[k].Name), bestD); d < bestD {
			best, bestD = svc.Prefix+":"+svc.Actions[k].Name, d
		}
	}
	return best
}

// lintEditDistance is the Levenshtein distance of a and b, or some value >=
// limit once it is known to be at least limit.
func lintEditDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// lintReach describes how a statement grants one sensitive action.
type lintReach int

const (
	lintReachNone      lintReach = iota
	lintReachLiteral             // the Action element names it
	lintReachWildcard            // a wildcard in the Action element matches it
	lintReachNotAction           // the NotAction element leaves it out
)

// lintReaches reports how st's Action or NotAction element reaches the
// action named, and the Action entry that does.
func lintReaches(st *Statement, action string) (lintReach, int) {
	if st.NotAction.Set && !st.Action.Set {
		for _, a := range st.NotAction.List {
			if wildcard.MatchFold(a, action) {
				return lintReachNone, -1
			}
		}
		return lintReachNotAction, -1
	}
	g, at := lintReachNone, -1
	for j, a := range st.Action.List {
		if strings.EqualFold(a, action) {
			return lintReachLiteral, j
		}
		if g == lintReachNone && wildcard.HasWildcard(a) && wildcard.MatchFold(a, action) {
			g, at = lintReachWildcard, j
		}
	}
	return g, at
}

// lintRoleGrant says which checks a sensitive IAM action gets.
type lintRoleGrant struct {
	action   string
	sev      Severity
	prefix   string   // issue code prefix: PASS_ROLE or CREATE_SLR
	limitKey string   // the condition key that narrows the grant
	probes   []string // role resource names a broad Resource entry matches
	what     string   // what the action lets a principal do, for messages
}

var lintRoleGrants = []lintRoleGrant{
	{
		action: "iam:PassRole", sev: SeveritySecurityWarning, prefix: "PASS_ROLE", limitKey: "iam:PassedToService",
		probes: []string{"role/a", "role/zz/y-Probe"},
		what:   "pass any role to a service, which can then act with that role's permissions",
	},
	{
		action: "iam:CreateServiceLinkedRole", sev: SeverityWarning, prefix: "CREATE_SLR", limitKey: "iam:AWSServiceName",
		probes: []string{"role/aws-service-role/a.amazonaws.com/A", "role/aws-service-role/zz.amazonaws.com/y-Probe"},
		what:   "create service-linked roles for services it was not meant to",
	},
}

// checkPermissions looks for Allow statements that grant iam:PassRole or
// iam:CreateServiceLinkedRole on every role.
func (l *linter) checkPermissions(st *Statement, i int) {
	if st.Effect != Allow {
		return
	}
	switch l.typ {
	case TypeIdentity, TypeBoundary, TypeSession:
	default:
		return
	}
	for _, rg := range lintRoleGrants {
		g, at := lintReaches(st, rg.action)
		if g == lintReachNone {
			continue
		}
		actDesc := rg.action
		switch g {
		case lintReachWildcard:
			actDesc = fmt.Sprintf("%s (matched by %s)", rg.action, quote(st.Action.List[at]))
		case lintReachNotAction:
			actDesc = rg.action + " (not excluded by NotAction)"
		}
		if st.NotResource.Set && !st.Resource.Set {
			for _, r := range st.NotResource.List {
				if lintBroadRole(r, rg.probes) {
					return // no role is left
				}
			}
			code := map[lintReach]string{lintReachLiteral: "_WITH_NOT_RESOURCE", lintReachWildcard: "_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", lintReachNotAction: "_WITH_NOT_ACTION_AND_NOT_RESOURCE"}[g]
			l.add(rg.sev, rg.prefix+code, lintStmtPath(i)+".NotResource", fmt.Sprintf("The statement allows %s on every resource not listed in NotResource, which lets a principal %s. List the allowed role ARNs in Resource instead.", actDesc, rg.what))
			continue
		}
		k := -1
		for j, r := range st.Resource.List {
			if lintBroadRole(r, rg.probes) {
				k = j
				break
			}
		}
		if k < 0 || lintLimits(st, rg.limitKey) {
			continue
		}
		code := map[lintReach]string{lintReachLiteral: "_WITH_STAR_IN_RESOURCE", lintReachWildcard: "_WITH_STAR_IN_ACTION_AND_RESOURCE", lintReachNotAction: "_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"}[g]
		l.add(rg.sev, rg.prefix+code, lintElemPath(i, "Resource", k), fmt.Sprintf("The statement allows %s on %s, which lets a principal %s. Name the roles in Resource, or add a condition on %s.", actDesc, quote(st.Resource.List[k]), rg.what, rg.limitKey))
	}
}

// lintBroadRole reports whether the Resource entry r matches every role
// (or service-linked role) name: it matches each probe resource name, in
// any account.
func lintBroadRole(r string, probes []string) bool {
	if r != "" && strings.Trim(r, "*") == "" {
		return true
	}
	p, ok := lintSplitARN(r)
	if !ok || !wildcard.Match(p[2], "iam") || !wildcard.Match(p[3], "") {
		return false
	}
	for _, probe := range probes {
		if !wildcard.Match(p[5], probe) {
			return false
		}
	}
	return true
}

// lintSplitARN cuts an ARN or ARN pattern at its first five colons.
func lintSplitARN(s string) (parts [6]string, ok bool) {
	rest := s
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return parts, false
		}
		parts[i], rest = rest[:j], rest[j+1:]
	}
	parts[5] = rest
	return parts, true
}

// lintLimits reports whether st tests key with an operator that
// narrows what is allowed (not a negated one).
func lintLimits(st *Statement, key string) bool {
	for _, b := range st.Condition {
		op, ok := parseOperator(b.Operator)
		if !ok || op.negated || op.family == famNull {
			continue
		}
		for _, k := range b.Keys {
			if strings.EqualFold(k.Key, key) && len(k.Values.List) > 0 {
				return true
			}
		}
	}
	return false
}
