package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/wildcard"
)

// A pattern is a string from a policy (a Resource entry, a condition value)
// compiled once into tokens: literal runs, '*' and '?' wildcards, and policy
// variables such as ${aws:username} that are looked up in the request context
// at evaluation time. Matching walks the tokens directly, so substituting a
// variable never builds a string.
type pattern struct {
	raw    string
	toks   []token
	simple bool // no variables: raw can be handed straight to a matcher
	wild   bool // contains '*' or '?'
	any    bool // "*" with wildcards on: matches everything
	// ques: a simple pattern with '?', tokenized as well because the
	// byte-wise matcher in wildcard takes one byte for '?' and a character
	// may take several.
	ques bool
}

type tokKind uint8

const (
	tLit  tokKind = iota // literal text (also what ${*}, ${?} and ${$} stand for)
	tStar                // '*'
	tQues                // '?'
	tVar                 // ${key} or ${key, 'default'}
)

type token struct {
	kind   tokKind
	text   string // literal text, or the variable's lower-cased key
	def    string // default value of a variable
	hasDef bool
	slot   uint8 // a variable's index in resolved
}

// maxVars bounds the variables in one pattern so resolution can use a fixed
// array on the stack; IAM's own limit on policy size keeps real patterns far
// below it.
const maxVars = 8

// compilePattern tokenizes s. wildcards says whether '*' and '?' are special
// (Resource, StringLike, ArnLike) or literal (StringEquals). vars says whether
// ${...} is substituted: only in 2012-10-17 documents.
func compilePattern(s string, wildcards, vars bool) (pattern, error) {
	p := pattern{raw: s, simple: true}
	if !vars || strings.IndexByte(s, '$') < 0 {
		// The common case: no variables, so the raw text is matched as is
		// and no tokens are needed.
		p.wild = wildcards && wildcard.HasWildcard(s)
		p.any = wildcards && s == "*"
		if !wildcards && wildcard.HasWildcard(s) {
			// StringEquals on a value with '*': compared literally, which
			// the token matcher does.
			p.simple = false
			p.toks = []token{{kind: tLit, text: s}}
		}
		if p.wild && strings.IndexByte(s, '?') >= 0 {
			p.ques, p.toks = true, globTokens(s)
		}
		return p, nil
	}
	// Literal runs are substrings of s; ${*}, ${?} and ${$} become
	// one-character literals. Adjacent literal tokens are fine for match.
	litStart := 0
	flush := func(end int) {
		if end > litStart {
			p.toks = append(p.toks, token{kind: tLit, text: s[litStart:end]})
		}
	}
	nvars := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case wildcards && (c == '*' || c == '?'):
			flush(i)
			kind := tStar
			if c == '?' {
				kind = tQues
			}
			p.toks = append(p.toks, token{kind: kind})
			p.wild = true
			litStart = i + 1
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				continue // no closing brace: a literal "${"
			}
			body := s[i+2 : i+2+end]
			flush(i)
			p.simple = false
			litStart = i + 3 + end
			switch body {
			case "*", "?", "$":
				// ${*} and friends spell the literal character.
				p.toks = append(p.toks, token{kind: tLit, text: body})
				i += 2 + end
				continue
			}
			key, def, hasDef, ok := parseVariable(body)
			if !ok || nvars == maxVars {
				// Not a variable IAM would substitute (e.g. "${ }"), or
				// beyond the variables one value may use: plain text. Lint
				// reports the first case.
				litStart = i
				continue
			}
			nvars++
			p.toks = append(p.toks, token{kind: tVar, text: strings.ToLower(key), def: def, hasDef: hasDef, slot: uint8(nvars - 1)})
			i += 2 + end
		}
	}
	flush(len(s))
	return p, nil
}

// globTokens splits a pattern without variables into literal runs, '*' and
// '?'.
func globTokens(s string) []token {
	var toks []token
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '*' && s[i] != '?' {
			continue
		}
		if i > start {
			toks = append(toks, token{kind: tLit, text: s[start:i]})
		}
		kind := tStar
		if s[i] == '?' {
			kind = tQues
		}
		toks = append(toks, token{kind: kind})
		start = i + 1
	}
	if start < len(s) {
		toks = append(toks, token{kind: tLit, text: s[start:]})
	}
	return toks
}

// parseVariable splits "aws:username" or "aws:username, 'default'" (IAM
// allows spaces around the comma and requires single quotes).
func parseVariable(body string) (key, def string, hasDef, ok bool) {
	key = body
	if i := strings.IndexByte(body, ','); i >= 0 {
		key = body[:i]
		rest := strings.TrimSpace(body[i+1:])
		if len(rest) < 2 || rest[0] != '\'' || rest[len(rest)-1] != '\'' {
			return "", "", false, false
		}
		def, hasDef = rest[1:len(rest)-1], true
	}
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " ${}'") {
		return "", "", false, false
	}
	return key, def, hasDef, true
}

// resolved holds the values of a pattern's variables for one evaluation.
type resolved [maxVars]string

// resolve looks up every variable of p in ctx. It reports false when a
// variable has no value and no default: IAM then treats the pattern as
// matching nothing.
func (p *pattern) resolve(ctx *Context, out *resolved) bool {
	n := 0
	for i := range p.toks {
		t := &p.toks[i]
		if t.kind != tVar {
			continue
		}
		if vs, ok := ctx.lookup(t.text); ok && len(vs) > 0 {
			out[n] = vs[0]
		} else if t.hasDef {
			out[n] = t.def
		} else {
			return false
		}
		n++
	}
	return true
}

// match reports whether s matches p with variables already resolved.
// Literal and variable text are compared exactly, or ignoring case with
// fold. The algorithm is the usual greedy glob with one backtrack point, over
// a position (token, offset within the token) instead of a byte index.
func (p *pattern) match(s string, vals *resolved, fold bool) bool {
	toks := p.toks
	ti, ci, si := 0, 0, 0
	starTi, mark := -1, 0
	for si < len(s) {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tStar:
				starTi, mark = ti+1, si
				ti++
				ci = 0
				continue
			case tQues:
				// reference_policies_elements_condition_operators.md:
				// '?' is a "single-character match wildcard": one
				// character, however many bytes it takes in UTF-8.
				_, n := utf8.DecodeRuneInString(s[si:])
				ti++
				si += n
				continue
			default:
				txt := t.text
				if t.kind == tVar {
					txt = vals[t.slot]
				}
				if ci >= len(txt) {
					ti++
					ci = 0
					continue
				}
				if n, m := eqAt(txt, ci, s, si, fold); n > 0 {
					ci += n
					si += m
					if ci == len(txt) {
						ti++
						ci = 0
					}
					continue
				}
			}
		}
		if starTi < 0 {
			return false
		}
		// The star takes one more character (not byte), so matching always
		// resumes on a character boundary.
		ti, ci = starTi, 0
		_, n := utf8.DecodeRuneInString(s[mark:])
		mark += n
		si = mark
	}
	// The input is used up: what is left of the pattern must match nothing.
	for ; ti < len(toks); ti, ci = ti+1, 0 {
		t := &toks[ti]
		switch t.kind {
		case tStar:
		case tQues:
			return false
		case tVar:
			if len(vals[t.slot]) > ci {
				return false
			}
		default:
			if len(t.text) > ci {
				return false
			}
		}
	}
	return true
}

// eqAt compares the character of txt at i with the character of s at j and
// returns how many bytes each takes when they are equal (0, 0 when not).
// Without fold the comparison is by byte, which for valid UTF-8 is the same
// as by character. With fold, non-ASCII characters are compared under
// Unicode simple case folding, as strings.EqualFold compares patterns without
// variables, so that StringEqualsIgnoreCase gives one answer whether or not
// its value holds a variable.
func eqAt(txt string, i int, s string, j int, fold bool) (int, int) {
	a, b := txt[i], s[j]
	if !fold || (a < utf8.RuneSelf && b < utf8.RuneSelf) {
		if eqByte(a, b, fold) {
			return 1, 1
		}
		return 0, 0
	}
	ra, n := utf8.DecodeRuneInString(txt[i:])
	rb, m := utf8.DecodeRuneInString(s[j:])
	if ra == rb || foldEq(ra, rb) {
		return n, m
	}
	return 0, 0
}

// foldEq reports whether a and b are equal under Unicode simple case folding.
func foldEq(a, b rune) bool {
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

func eqByte(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	if !fold {
		return false
	}
	if 'A' <= a && a <= 'Z' {
		a += 'a' - 'A'
	}
	if 'A' <= b && b <= 'Z' {
		b += 'a' - 'A'
	}
	return a == b
}
