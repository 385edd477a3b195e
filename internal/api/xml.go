package api

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf8"
)

// XML writes the Query protocol's XML responses directly into a buffer:
// faster than encoding/xml's reflection and in full control of element order,
// which AWS's SDK parsers do not need but people comparing responses do.
type XML struct {
	b bytes.Buffer
	// emptyResult asks for an empty <ActionResult/> element: a few outputs
	// have no members, yet AWS sends the element and SDKs expect it.
	emptyResult bool
}

// EmptyResult makes the response carry an empty result element.
func (x *XML) EmptyResult() { x.emptyResult = true }

// Open writes <name>.
func (x *XML) Open(name string) *XML {
	x.b.WriteByte('<')
	x.b.WriteString(name)
	x.b.WriteByte('>')
	return x
}

// Close writes </name>.
func (x *XML) Close(name string) *XML {
	x.b.WriteString("</")
	x.b.WriteString(name)
	x.b.WriteByte('>')
	return x
}

// Elem writes <name>escaped value</name>.
func (x *XML) Elem(name, value string) *XML {
	x.Open(name)
	escapeXML(&x.b, value)
	return x.Close(name)
}

// ElemIf writes the element only when value is not empty.
func (x *XML) ElemIf(name, value string) *XML {
	if value != "" {
		x.Elem(name, value)
	}
	return x
}

// Int writes an integer element.
func (x *XML) Int(name string, v int) *XML {
	return x.Elem(name, strconv.Itoa(v))
}

// Bool writes a boolean element.
func (x *XML) Bool(name string, v bool) *XML {
	return x.Elem(name, strconv.FormatBool(v))
}

// Time writes a timestamp the way IAM does: ISO 8601 in UTC, seconds.
func (x *XML) Time(name string, t time.Time) *XML {
	var buf [32]byte
	x.Open(name)
	x.b.Write(t.UTC().AppendFormat(buf[:0], "2006-01-02T15:04:05Z"))
	return x.Close(name)
}

// PolicyDoc writes a policy document percent-encoded, as IAM returns
// documents, straight into the response: percent-encoded text needs no XML
// escaping.
func (x *XML) PolicyDoc(name, doc string) *XML {
	x.Open(name)
	appendPercentEncoded(&x.b, doc)
	return x.Close(name)
}

// Bytes returns what has been written.
func (x *XML) Bytes() []byte { return x.b.Bytes() }

// xmlEscapes holds what escapeXML writes for the ASCII bytes it replaces:
// markup characters, the whitespace IAM escapes, and U+FFFD for the control
// characters XML 1.0 cannot carry. Other ASCII bytes ("") stand as they are.
var xmlEscapes = func() (t [utf8.RuneSelf]string) {
	for c := 0; c < 0x20; c++ {
		t[c] = "\uFFFD"
	}
	t['&'], t['<'], t['>'], t['"'], t['\''] = "&amp;", "&lt;", "&gt;", "&quot;", "&apos;"
	t['\r'], t['\n'], t['\t'] = "&#xD;", "&#xA;", "&#x9;"
	return t
}()

// escapeXML writes s as XML character data. Characters that XML 1.0 cannot
// represent at all (most control characters, invalid UTF-8, U+FFFE/U+FFFF)
// become U+FFFD, so a response is always well-formed even when it echoes
// odd input back in an error message.
func escapeXML(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		esc, size := "", 1
		if c < utf8.RuneSelf {
			if esc = xmlEscapes[c]; esc == "" {
				i++
				continue
			}
		} else {
			r, n := utf8.DecodeRuneInString(s[i:])
			if (r != utf8.RuneError || n > 1) && r != 0xFFFE && r != 0xFFFF {
				i += n
				continue
			}
			esc, size = "\uFFFD", n
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		i += size
		last = i
	}
	b.WriteString(s[last:])
}

// appendPercentEncoded writes a policy document the way IAM returns
// documents in XML (RFC 3986: everything but unreserved characters escaped,
// space as %20).
func appendPercentEncoded(b *bytes.Buffer, s string) {
	const hex = "0123456789ABCDEF"
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			continue
		}
		b.WriteString(s[last:i])
		b.Write([]byte{'%', hex[c>>4], hex[c&15]})
		last = i + 1
	}
	b.WriteString(s[last:])
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}
