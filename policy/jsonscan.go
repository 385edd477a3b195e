package policy

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner is a strict RFC 8259 JSON reader that builds the node tree
// directly and remembers where every value starts. It exists because
// encoding/json's token API allocates for every token, which made parsing
// most of the cost of compiling a policy.
type scanner struct {
	src   []byte
	text  string // src as a string, so unescaped strings are substrings of it
	pos   int
	depth int
	slab  []node // nodes are carved out of slabs: one allocation per many values
}

func newScanner(src []byte) scanner {
	return scanner{src: src, text: string(src)}
}

func (s *scanner) node(kind nodeKind, off int64) *node {
	if len(s.slab) == 0 {
		s.slab = make([]node, 64)
	}
	n := &s.slab[0]
	s.slab = s.slab[1:]
	n.kind, n.off = kind, off
	return n
}

type scanError struct {
	off int
	msg string
}

func (s *scanner) fail(msg string) *scanError { return &scanError{off: s.pos, msg: msg} }

func (s *scanner) skipSpace() {
	for s.pos < len(s.src) {
		switch s.src[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) value() (*node, *scanError) {
	s.skipSpace()
	if s.pos >= len(s.src) {
		return nil, s.fail("unexpected end of document")
	}
	off := int64(s.pos)
	switch c := s.src[s.pos]; {
	case c == '{':
		return s.object(off)
	case c == '[':
		return s.array(off)
	case c == '"':
		str, err := s.str()
		if err != nil {
			return nil, err
		}
		n := s.node(kString, off)
		n.text = str
		return n, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number(off)
	case c == 't':
		return s.literal(off, "true", kBool)
	case c == 'f':
		return s.literal(off, "false", kBool)
	case c == 'n':
		return s.literal(off, "null", kNull)
	default:
		return nil, s.fail("invalid character " + strconv.QuoteRune(rune(c)) + " looking for a value")
	}
}

func (s *scanner) literal(off int64, word string, kind nodeKind) (*node, *scanError) {
	if len(s.src)-s.pos < len(word) || string(s.src[s.pos:s.pos+len(word)]) != word {
		return nil, s.fail("invalid literal, expected " + word)
	}
	s.pos += len(word)
	n := s.node(kind, off)
	if kind == kBool {
		n.text = word
	}
	return n, nil
}

func (s *scanner) enter() *scanError {
	s.depth++
	if s.depth > maxNesting {
		return s.fail("nesting deeper than " + strconv.Itoa(maxNesting) + " levels")
	}
	return nil
}

func (s *scanner) object(off int64) (*node, *scanError) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	s.pos++ // {
	n := s.node(kObject, off)
	n.keys = make([]string, 0, 6)
	n.vals = make([]*node, 0, 6)
	s.skipSpace()
	if s.pos < len(s.src) && s.src[s.pos] == '}' {
		s.pos++
		s.depth--
		return n, nil
	}
	for {
		s.skipSpace()
		if s.pos >= len(s.src) || s.src[s.pos] != '"' {
			return nil, s.fail("expected a string as the object key")
		}
		key, err := s.str()
		if err != nil {
			return nil, err
		}
		s.skipSpace()
		if s.pos >= len(s.src) || s.src[s.pos] != ':' {
			return nil, s.fail("expected ':' after the object key")
		}
		s.pos++
		v, err := s.value()
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, key)
		n.vals = append(n.vals, v)
		s.skipSpace()
		if s.pos >= len(s.src) {
			return nil, s.fail("unexpected end of document inside an object")
		}
		switch s.src[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			s.depth--
			return n, nil
		default:
			return nil, s.fail("expected ',' or '}' after an object value")
		}
	}
}

func (s *scanner) array(off int64) (*node, *scanError) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	s.pos++ // [
	n := s.node(kArray, off)
	n.vals = make([]*node, 0, 4)
	s.skipSpace()
	if s.pos < len(s.src) && s.src[s.pos] == ']' {
		s.pos++
		s.depth--
		return n, nil
	}
	for {
		v, err := s.value()
		if err != nil {
			return nil, err
		}
		n.vals = append(n.vals, v)
		s.skipSpace()
		if s.pos >= len(s.src) {
			return nil, s.fail("unexpected end of document inside an array")
		}
		switch s.src[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.depth--
			return n, nil
		default:
			return nil, s.fail("expected ',' or ']' after an array element")
		}
	}
}

func (s *scanner) number(off int64) (*node, *scanError) {
	start := s.pos
	if s.src[s.pos] == '-' {
		s.pos++
	}
	digits := func() int {
		n := 0
		for s.pos < len(s.src) && s.src[s.pos] >= '0' && s.src[s.pos] <= '9' {
			s.pos++
			n++
		}
		return n
	}
	if s.pos < len(s.src) && s.src[s.pos] == '0' {
		s.pos++
	} else if digits() == 0 {
		return nil, s.fail("invalid number")
	}
	if s.pos < len(s.src) && s.src[s.pos] == '.' {
		s.pos++
		if digits() == 0 {
			return nil, s.fail("invalid number: digits expected after '.'")
		}
	}
	if s.pos < len(s.src) && (s.src[s.pos] == 'e' || s.src[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.src) && (s.src[s.pos] == '+' || s.src[s.pos] == '-') {
			s.pos++
		}
		if digits() == 0 {
			return nil, s.fail("invalid number: digits expected in the exponent")
		}
	}
	n := s.node(kNumber, off)
	n.text = s.text[start:s.pos]
	return n, nil
}

// str reads a string at s.pos (which is '"'). Strings without escapes are
// sliced straight from the input.
func (s *scanner) str() (string, *scanError) {
	s.pos++ // opening quote
	start := s.pos
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '"':
			out := s.text[start:s.pos]
			s.pos++
			return out, nil
		case c == '\\':
			return s.strEscaped(start)
		case c < 0x20:
			return "", s.fail("control character in a string")
		}
		s.pos++
	}
	return "", s.fail("unterminated string")
}

func (s *scanner) strEscaped(start int) (string, *scanError) {
	buf := make([]byte, 0, s.pos-start+16)
	buf = append(buf, s.src[start:s.pos]...)
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '"':
			s.pos++
			return string(buf), nil
		case c < 0x20:
			return "", s.fail("control character in a string")
		case c != '\\':
			buf = append(buf, c)
			s.pos++
			continue
		}
		s.pos++
		if s.pos >= len(s.src) {
			break
		}
		e := s.src[s.pos]
		s.pos++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return "", s.fail("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				// A high surrogate must be followed by \u and a low one;
				// otherwise it stands for U+FFFD, as in encoding/json.
				r2 := rune(-1)
				if s.pos+1 < len(s.src) && s.src[s.pos] == '\\' && s.src[s.pos+1] == 'u' {
					save := s.pos
					s.pos += 2
					var ok2 bool
					if r2, ok2 = s.hex4(); !ok2 {
						return "", s.fail("invalid \\u escape")
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
					} else {
						s.pos = save
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", s.fail("invalid escape character " + strconv.QuoteRune(rune(e)))
		}
	}
	return "", s.fail("unterminated string")
}

func (s *scanner) hex4() (rune, bool) {
	if len(s.src)-s.pos < 4 {
		return 0, false
	}
	var r rune
	for i := 0; i < 4; i++ {
		c := s.src[s.pos+i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	s.pos += 4
	return r, true
}
