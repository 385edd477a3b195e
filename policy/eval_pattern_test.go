package policy

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// globRegexp is an independent reference for IAM's wildcard matching: '*'
// is any run of characters, '?' exactly one character, ${aws:username} the
// variable's value taken literally, ${*} ${?} ${$} the characters
// themselves.
func globRegexp(pattern, username string, fold bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)")
	if fold {
		b.WriteString("(?i)")
	}
	b.WriteString("^")
	for i := 0; i < len(pattern); {
		switch {
		case strings.HasPrefix(pattern[i:], "${aws:username}"):
			b.WriteString(regexp.QuoteMeta(username))
			i += len("${aws:username}")
		case strings.HasPrefix(pattern[i:], "${*}"), strings.HasPrefix(pattern[i:], "${?}"), strings.HasPrefix(pattern[i:], "${$}"):
			b.WriteString(regexp.QuoteMeta(pattern[i+2 : i+3]))
			i += 4
		case pattern[i] == '*':
			b.WriteString(".*")
			i++
		case pattern[i] == '?':
			b.WriteString(".")
			i++
		default:
			_, n := utf8.DecodeRuneInString(pattern[i:])
			b.WriteString(regexp.QuoteMeta(pattern[i : i+n]))
			i += n
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func checkGlob(t *testing.T, pattern, username, s string) {
	t.Helper()
	if !utf8.ValidString(pattern) || !utf8.ValidString(s) || !utf8.ValidString(username) || username == "" {
		return
	}
	// Only the variable forms the reference knows; anything else that looks
	// like a variable is out of scope here.
	rest := strings.NewReplacer("${aws:username}", "", "${*}", "", "${?}", "", "${$}", "").Replace(pattern)
	if strings.Contains(rest, "${") {
		return
	}
	ctx := NewContext().Set("aws:username", username)
	p, err := compilePattern(pattern, true, true)
	if err != nil {
		t.Fatalf("compile %q: %v", pattern, err)
	}
	if got, want := p.matchResolved(s, ctx, false), globRegexp(pattern, username, false).MatchString(s); got != want {
		t.Errorf("StringLike %q (username %q) on %q: got %v, want %v", pattern, username, s, got, want)
	}
	// Without wildcards and with fold: StringEqualsIgnoreCase.
	if strings.ContainsAny(rest, "*?") {
		return
	}
	q, err := compilePattern(pattern, false, true)
	if err != nil {
		t.Fatalf("compile %q: %v", pattern, err)
	}
	if got, want := q.matchResolved(s, ctx, true), globRegexp(pattern, username, true).MatchString(s); got != want {
		t.Errorf("StringEqualsIgnoreCase %q (username %q) on %q: got %v, want %v", pattern, username, s, got, want)
	}
}

func TestPatternMatchesReference(t *testing.T) {
	cases := [][3]string{
		{"a*b?c", "u", "aXXbYc"},
		{"*é*", "u", "caféine"},
		{"caf?", "u", "café"},
		{"caf??", "u", "café"},
		{"*?é", "u", "ééé"},
		{"${aws:username}/*", "jörg", "jörg/x"},
		{"${aws:username}/?", "jörg", "jörg/ß"},
		{"*${aws:username}*", "ab", "xxabyy"},
		{"${*}?", "u", "*é"},
		{"ZÜRICH", "u", "zürich"},
		{"${aws:username}", "ZÜRICH", "zürich"},
		{"a${aws:username}", "K", "ak"},
		{"?", "u", "😀"},
		{"??", "u", "😀"},
		{"*a*a*a*b", "u", "aaaaaaaaaaaaaaaaaaaa"},
	}
	for _, c := range cases {
		checkGlob(t, c[0], c[1], c[2])
	}
}

func FuzzPatternMatchesReference(f *testing.F) {
	f.Add("a*b?c", "u", "aXXbYc")
	f.Add("*é?", "jörg", "jörgé!")
	f.Add("${aws:username}*?", "ß", "SSx")
	f.Add("${*}${?}${$}", "u", "*?$")
	f.Fuzz(func(t *testing.T, pattern, username, s string) {
		if len(pattern) > 64 || len(s) > 64 || len(username) > 16 {
			return
		}
		checkGlob(t, pattern, username, s)
	})
}
