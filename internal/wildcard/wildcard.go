// Package wildcard implements the glob matching used throughout IAM policies:
// '*' matches any run of characters (including none) and '?' matches exactly
// one character. There are no character classes and no escapes; IAM spells a
// literal '*' or '?' with the policy variables ${*} and ${?}, which callers
// resolve before they get here.
//
// The matcher is iterative (no recursion, no allocation) and runs in
// O(len(pattern)*len(s)) in the worst case, which matters because patterns
// come from untrusted policy documents.
package wildcard

// Match reports whether s matches pattern, comparing bytes exactly.
func Match(pattern, s string) bool {
	return match(pattern, s, false)
}

// MatchFold reports whether s matches pattern, ignoring ASCII case. IAM action
// names are case-insensitive; resource ARNs are not.
func MatchFold(pattern, s string) bool {
	return match(pattern, s, true)
}

// HasWildcard reports whether pattern contains '*' or '?'.
func HasWildcard(pattern string) bool {
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '*' || pattern[i] == '?' {
			return true
		}
	}
	return false
}

func match(p, s string, fold bool) bool {
	// Classic greedy matcher with a single backtrack point: on mismatch we
	// return to the most recent '*' and let it swallow one more byte.
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		if pi < len(p) {
			c := p[pi]
			switch {
			case c == '*':
				star, mark = pi, si
				pi++
				continue
			case c == '?' || c == s[si] || (fold && lower(c) == lower(s[si])):
				pi++
				si++
				continue
			}
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		mark++
		si = mark
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}
