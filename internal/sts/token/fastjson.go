package token

import (
	"strings"
	"unicode/utf8"
)

// fastDecode parses claims JSON as encodeClaims writes it, without
// reflection: Open spends most of its time decoding, and encoding/json is
// three to four times slower on a typical token. It handles only the subset
// of JSON encoding/json.Marshal produces for wireClaims and reports false on
// anything else (an unknown or differently cased key, null, a surrogate
// escape, invalid UTF-8, a number that is not a plain integer...), in which
// case the caller falls back to encoding/json. Whenever it reports true, w
// is what json.Unmarshal would have produced (FuzzFastDecode checks this).
//
// Unescaped strings are substrings of js, which therefore stays referenced
// by the returned claims.
func fastDecode(js string, w *wireClaims) bool {
	p := jsonParser{s: js}
	if !p.consume('{') {
		return false
	}
	if p.consume('}') {
		return p.end()
	}
	for {
		key, ok := p.str()
		if !ok || !p.consume(':') {
			return false
		}
		switch key {
		case "v":
			var n int64
			n, ok = p.int()
			w.V = int(n)
			ok = ok && int64(w.V) == n
		case "a":
			w.A, ok = p.str()
		case "k":
			w.K, ok = p.str()
		case "s":
			w.S, ok = p.str()
		case "t":
			var s string
			s, ok = p.str()
			w.T = Kind(s)
		case "ra":
			w.RA, ok = p.str()
		case "ri":
			w.RI, ok = p.str()
		case "rn":
			w.RN, ok = p.str()
		case "sn":
			w.SN, ok = p.str()
		case "ua":
			w.UA, ok = p.str()
		case "ui":
			w.UI, ok = p.str()
		case "ia":
			w.IA, ok = p.int()
		case "ex":
			w.EX, ok = p.int()
		case "sp":
			w.SP, ok = p.str()
		case "spa":
			w.SPA, ok = p.strs()
		case "tg":
			w.TG, ok = p.pairs()
		case "tt":
			w.TT, ok = p.strs()
		case "si":
			w.SI, ok = p.str()
		case "cf":
			w.CF, ok = p.str()
		case "m":
			w.M, ok = p.bool()
		default:
			return false
		}
		if !ok {
			return false
		}
		if p.consume('}') {
			return p.end()
		}
		if !p.consume(',') {
			return false
		}
	}
}

type jsonParser struct {
	s string
	i int
}

func (p *jsonParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// consume skips whitespace and then c, if c is next.
func (p *jsonParser) consume(c byte) bool {
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *jsonParser) end() bool {
	p.ws()
	return p.i == len(p.s)
}

func (p *jsonParser) str() (string, bool) {
	if !p.consume('"') {
		return "", false
	}
	start := p.i
	ascii := true
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			s := p.s[start:p.i]
			p.i++
			if !ascii && !utf8.ValidString(s) {
				return "", false // encoding/json would substitute U+FFFD
			}
			return s, true
		case c == '\\':
			return p.escapedStr(start)
		case c < 0x20:
			return "", false
		case c >= 0x80:
			ascii = false
		}
		p.i++
	}
	return "", false
}

// escapedStr finishes a string that has escapes; p.i is at the first
// backslash.
func (p *jsonParser) escapedStr(start int) (string, bool) {
	var b strings.Builder
	b.Grow(p.i - start + 16)
	b.WriteString(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			s := b.String()
			if !utf8.ValidString(s) {
				return "", false
			}
			return s, true
		case c < 0x20:
			return "", false
		case c != '\\':
			j := p.i + 1
			for j < len(p.s) && p.s[j] != '"' && p.s[j] != '\\' && p.s[j] >= 0x20 {
				j++
			}
			b.WriteString(p.s[p.i:j])
			p.i = j
			continue
		}
		if p.i+1 >= len(p.s) {
			return "", false
		}
		e := p.s[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if p.i+4 > len(p.s) {
				return "", false
			}
			r, ok := hex4(p.s[p.i : p.i+4])
			if !ok || (r >= 0xd800 && r < 0xe000) {
				return "", false // surrogates: leave pairing rules to encoding/json
			}
			b.WriteRune(r)
			p.i += 4
		default:
			return "", false
		}
	}
	return "", false
}

func hex4(s string) (rune, bool) {
	var r rune
	for i := range 4 {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// int parses a JSON integer of at most 18 digits (no fraction, exponent or
// leading zeros).
func (p *jsonParser) int() (int64, bool) {
	p.ws()
	neg := p.i < len(p.s) && p.s[p.i] == '-'
	if neg {
		p.i++
	}
	start := p.i
	var n int64
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		n = n*10 + int64(p.s[p.i]-'0')
		p.i++
	}
	digits := p.i - start
	if digits == 0 || digits > 18 || (digits > 1 && p.s[start] == '0') {
		return 0, false
	}
	if p.i < len(p.s) {
		switch p.s[p.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

func (p *jsonParser) bool() (bool, bool) {
	p.ws()
	switch {
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return true, true
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return false, true
	}
	return false, false
}

// strs parses an array of strings (never null: encoding/json would leave
// nil, and the slow path handles that).
func (p *jsonParser) strs() ([]string, bool) {
	if !p.consume('[') {
		return nil, false
	}
	out := []string{}
	if p.consume(']') {
		return out, true
	}
	for {
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if p.consume(']') {
			return out, true
		}
		if !p.consume(',') {
			return nil, false
		}
	}
}

// pairs parses an array of two-string arrays.
func (p *jsonParser) pairs() ([][2]string, bool) {
	if !p.consume('[') {
		return nil, false
	}
	out := [][2]string{}
	if p.consume(']') {
		return out, true
	}
	for {
		var kv [2]string
		var ok bool
		if !p.consume('[') {
			return nil, false
		}
		if kv[0], ok = p.str(); !ok || !p.consume(',') {
			return nil, false
		}
		if kv[1], ok = p.str(); !ok || !p.consume(']') {
			return nil, false
		}
		out = append(out, kv)
		if p.consume(']') {
			return out, true
		}
		if !p.consume(',') {
			return nil, false
		}
	}
}
