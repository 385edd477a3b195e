package arn

import "github.com/rolecall/rolecall/internal/wildcard"

// Match reports whether value matches pattern the way IAM matches a
// Resource element or an ArnEquals/ArnLike condition.
//
// Matching is case-sensitive and supports '*' (any run of characters) and
// '?' (exactly one character). When value is an ARN, the pattern is split
// into six fields the same way and each field is matched separately. For the
// first five fields a wildcard therefore never crosses a colon: the pattern
// "arn:aws:svc:*:111122223333:x/*" does not match a value whose region field
// is "us-east-2" but whose account is different, even though a plain string
// glob would let the first '*' swallow "us-east-2:999999999999:...". The
// resource field is matched as a whole, so there wildcards do span '/' and
// ':' ("bucket/*" matches "bucket/a/b").
//
// Special cases:
//   - A pattern consisting only of '*' matches everything.
//   - If value is not an ARN (see [Split]), the whole strings are compared
//     with a plain glob, which is how IAM treats non-ARN values.
//   - If value is an ARN but the pattern has fewer than six colon-separated
//     fields, Match returns false: such a pattern cannot match field by
//     field, and falling back to a whole-string glob would let a wildcard
//     span colons, which is exactly what ARN matching forbids. IAM rejects
//     such patterns when a policy is stored, so only hand-written callers
//     see this case.
//
// Match does not allocate; it runs once per Resource entry per request.
func Match(pattern, value string) bool {
	if allStars(pattern) {
		return true
	}
	v, ok := Split(value)
	if !ok {
		return wildcard.Match(pattern, value)
	}
	p, ok := split6(pattern)
	if !ok {
		return false
	}
	for i := range p {
		if !wildcard.Match(p[i], v[i]) {
			return false
		}
	}
	return true
}

// allStars reports whether p is non-empty and consists only of '*'.
func allStars(p string) bool {
	if p == "" {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] != '*' {
			return false
		}
	}
	return true
}
