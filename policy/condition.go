package policy

import (
	"encoding/base64"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

type opFamily uint8

const (
	famString opFamily = iota
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

type opCmp uint8

const (
	cmpEq opCmp = iota
	cmpLike
	cmpLt
	cmpLte
	cmpGt
	cmpGte
)

type setQualifier uint8

const (
	setNone setQualifier = iota
	setForAll
	setForAny
)

// operator is a parsed condition operator name such as
// "ForAnyValue:StringNotLikeIfExists".
type operator struct {
	family     opFamily
	cmp        opCmp
	negated    bool // the NOT of the base operator (StringNotEquals, NotIpAddress, ...)
	ignoreCase bool
	ifExists   bool
	set        setQualifier
}

var baseOperators = map[string]operator{
	"StringEquals":              {family: famString, cmp: cmpEq},
	"StringNotEquals":           {family: famString, cmp: cmpEq, negated: true},
	"StringEqualsIgnoreCase":    {family: famString, cmp: cmpEq, ignoreCase: true},
	"StringNotEqualsIgnoreCase": {family: famString, cmp: cmpEq, ignoreCase: true, negated: true},
	"StringLike":                {family: famString, cmp: cmpLike},
	"StringNotLike":             {family: famString, cmp: cmpLike, negated: true},
	"NumericEquals":             {family: famNumeric, cmp: cmpEq},
	"NumericNotEquals":          {family: famNumeric, cmp: cmpEq, negated: true},
	"NumericLessThan":           {family: famNumeric, cmp: cmpLt},
	"NumericLessThanEquals":     {family: famNumeric, cmp: cmpLte},
	"NumericGreaterThan":        {family: famNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals":  {family: famNumeric, cmp: cmpGte},
	"DateEquals":                {family: famDate, cmp: cmpEq},
	"DateNotEquals":             {family: famDate, cmp: cmpEq, negated: true},
	"DateLessThan":              {family: famDate, cmp: cmpLt},
	"DateLessThanEquals":        {family: famDate, cmp: cmpLte},
	"DateGreaterThan":           {family: famDate, cmp: cmpGt},
	"DateGreaterThanEquals":     {family: famDate, cmp: cmpGte},
	"Bool":                      {family: famBool, cmp: cmpEq},
	"BinaryEquals":              {family: famBinary, cmp: cmpEq},
	"IpAddress":                 {family: famIP, cmp: cmpEq},
	"NotIpAddress":              {family: famIP, cmp: cmpEq, negated: true},
	"ArnEquals":                 {family: famARN, cmp: cmpLike},
	"ArnLike":                   {family: famARN, cmp: cmpLike},
	"ArnNotEquals":              {family: famARN, cmp: cmpLike, negated: true},
	"ArnNotLike":                {family: famARN, cmp: cmpLike, negated: true},
	"Null":                      {family: famNull},
}

// parseOperator understands the ForAllValues:/ForAnyValue: prefixes and the
// IfExists suffix around the base operators. Names are case-sensitive, as IAM
// has them.
func parseOperator(name string) (operator, bool) {
	set := setNone
	rest := name
	if r, ok := strings.CutPrefix(rest, "ForAllValues:"); ok {
		set, rest = setForAll, r
	} else if r, ok := strings.CutPrefix(rest, "ForAnyValue:"); ok {
		set, rest = setForAny, r
	}
	ifExists := false
	if r, ok := strings.CutSuffix(rest, "IfExists"); ok {
		ifExists, rest = true, r
	}
	op, ok := baseOperators[rest]
	if !ok || (op.family == famNull && (ifExists || set != setNone)) {
		return operator{}, false
	}
	op.ifExists, op.set = ifExists, set
	return op, true
}

// condition is one key of one operator block, with its values compiled for
// the operator's type.
type condition struct {
	op       operator
	opName   string
	key      string // lower case
	rawKey   string
	patterns []pattern // famString
	arns     []arnPattern
	nums     []float64
	times    []time.Time
	prefixes []netip.Prefix
	strs     []string // famBool ("true"/"false"), famBinary (decoded bytes), famNull
}

func compileCondition(opName, key string, values []string, vars bool) (condition, error) {
	op, ok := parseOperator(opName)
	if !ok {
		return condition{}, &Error{Message: MsgSyntax, Detail: "unknown condition operator " + quote(opName)}
	}
	c := condition{op: op, opName: opName, key: strings.ToLower(key), rawKey: key}
	for _, v := range values {
		switch op.family {
		case famString:
			p, err := compilePattern(v, op.cmp == cmpLike, vars)
			if err != nil {
				return c, err
			}
			c.patterns = append(c.patterns, p)
		case famARN:
			ap, err := compileARNPattern(v, vars)
			if err != nil {
				return c, err
			}
			c.arns = append(c.arns, ap)
		case famNumeric:
			// IAM accepts values of the wrong type (Access Analyzer only
			// warns); such a value simply never matches.
			if f, ok := parseNumber(v); ok {
				c.nums = append(c.nums, f)
			}
		case famDate:
			if t, ok := parseDate(v); ok {
				c.times = append(c.times, t)
			}
		case famIP:
			if pfx, ok := parseIPPrefix(v); ok {
				c.prefixes = append(c.prefixes, pfx)
			}
		case famBool, famNull:
			c.strs = append(c.strs, strings.ToLower(v))
		case famBinary:
			if b, err := base64.StdEncoding.DecodeString(v); err == nil {
				c.strs = append(c.strs, string(b))
			}
		}
	}
	return c, nil
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// Date layouts IAM accepts: ISO 8601 with or without time, offset or
// fraction, and epoch seconds.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	// W3C's "Year and month" form (reference_policies_elements_condition_operators.md
	// asks for "one of the W3C implementations of the ISO 8601 date
	// formats"). A bare year is read as epoch seconds instead.
	"2006-01",
}

func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if s[0] >= '0' && s[0] <= '9' && !strings.ContainsAny(s, "-:T") {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n > 253402300799 || n < -62135596800 {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseIPPrefix(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		// An IPv4-mapped IPv6 range (::ffff:203.0.113.0/120) stands for
		// the IPv4 range it maps, as request addresses are unmapped before
		// matching; otherwise it could never match anything.
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// eval evaluates the condition against ctx, with IAM's rules for missing keys,
// IfExists, negation and the set qualifiers.
func (c *condition) eval(ctx *Context) bool {
	vals, present := ctx.lookup(c.key)
	if c.op.family == famNull {
		// "true": the key must be absent; "false": present. An empty set
		// counts as absent.
		absent := !present || len(vals) == 0
		for _, want := range c.strs {
			if (want == "true") == absent {
				return true
			}
		}
		return false
	}
	if c.op.set != setNone && nullSet(vals) {
		// reference_policies_multi-value-conditions.md: with no key, or key
		// values that "resolve to a null data set, such as an empty string",
		// ForAllValues is true and ForAnyValue false. IfExists still makes a
		// missing key true (reference_policies_elements_condition_operators.md,
		// "...IfExists": "If the key is not present, evaluate the condition
		// element as true").
		if c.op.set == setForAll {
			return true
		}
		return c.op.ifExists && !present
	}
	switch c.op.set {
	case setForAll:
		for _, v := range vals {
			if c.matchAny(v, ctx) == c.op.negated {
				return false
			}
		}
		return true
	case setForAny:
		for _, v := range vals {
			if c.matchAny(v, ctx) != c.op.negated {
				return true
			}
		}
		return false
	}
	if !present || len(vals) == 0 {
		// Missing key: no match, so a negated operator is satisfied.
		return c.op.ifExists || c.op.negated
	}
	// A single-valued operator on a key with several values matches when any
	// value does; its negation when none does.
	for _, v := range vals {
		if c.matchAny(v, ctx) {
			return !c.op.negated
		}
	}
	return c.op.negated
}

// nullSet reports whether request values form what AWS calls a null data
// set: no values at all, or only empty strings
// (reference_policies_elements_condition.md, "The request context": an empty
// string in the request context is null).
func nullSet(vals []string) bool {
	for _, v := range vals {
		if v != "" {
			return false
		}
	}
	return true
}

// matchAny reports whether the request value v matches any policy value under
// the positive form of the operator.
func (c *condition) matchAny(v string, ctx *Context) bool {
	switch c.op.family {
	case famString:
		for i := range c.patterns {
			if c.patterns[i].matchResolved(v, ctx, c.op.ignoreCase) {
				return true
			}
		}
	case famARN:
		for i := range c.arns {
			if c.arns[i].matches(v, ctx) {
				return true
			}
		}
	case famNumeric:
		f, ok := parseNumber(v)
		if !ok {
			return false
		}
		for _, want := range c.nums {
			if compare(cmpFloat(f, want), c.op.cmp) {
				return true
			}
		}
	case famDate:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, want := range c.times {
			if compare(t.Compare(want), c.op.cmp) {
				return true
			}
		}
	case famIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			// Callers sometimes pass a CIDR-shaped address; take its address.
			p, perr := netip.ParsePrefix(v)
			if perr != nil {
				return false
			}
			a = p.Addr()
		}
		a = a.Unmap()
		for _, p := range c.prefixes {
			if p.Contains(a) {
				return true
			}
		}
	case famBool:
		for _, want := range c.strs {
			if strings.EqualFold(v, want) {
				return true
			}
		}
	case famBinary:
		for _, want := range c.strs {
			if binaryEqual(v, want) {
				return true
			}
		}
	}
	return false
}

// binaryEqual compares base64 text v with decoded bytes want without
// allocating: decode v in chunks into a stack buffer.
func binaryEqual(v, want string) bool {
	if base64.StdEncoding.DecodedLen(len(v)) < len(want) {
		return false
	}
	var buf [768]byte
	if len(v) > 1024 {
		b, err := base64.StdEncoding.DecodeString(v)
		return err == nil && string(b) == want
	}
	n, err := base64.StdEncoding.Decode(buf[:], []byte(v))
	return err == nil && string(buf[:n]) == want
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(c int, op opCmp) bool {
	switch op {
	case cmpEq, cmpLike:
		return c == 0
	case cmpLt:
		return c < 0
	case cmpLte:
		return c <= 0
	case cmpGt:
		return c > 0
	case cmpGte:
		return c >= 0
	}
	return false
}
