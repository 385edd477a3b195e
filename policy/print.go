package policy

import (
	"bytes"
	"encoding/json"
)

// MarshalJSON prints the document in IAM's element order, keeping single
// strings single and a lone Statement object an object, so that a document
// survives parse → print → parse unchanged.
func (d *Document) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	field := func(name string) {
		writeKey(&b, !first, name)
		first = false
	}
	if d.HasVersion {
		field("Version")
		writeString(&b, d.Version)
	}
	if d.HasID {
		field("Id")
		writeString(&b, d.ID)
	}
	field("Statement")
	if d.SingleStatement && len(d.Statements) == 1 {
		d.Statements[0].write(&b)
	} else {
		b.WriteByte('[')
		for i := range d.Statements {
			if i > 0 {
				b.WriteByte(',')
			}
			d.Statements[i].write(&b)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// String returns the document as compact JSON.
func (d *Document) String() string {
	out, _ := d.MarshalJSON()
	return string(out)
}

func (s *Statement) write(b *bytes.Buffer) {
	b.WriteByte('{')
	first := true
	field := func(name string) {
		writeKey(b, !first, name)
		first = false
	}
	if s.HasSid {
		field("Sid")
		writeString(b, s.Sid)
	}
	if s.HasEffect {
		field("Effect")
		writeString(b, string(s.Effect))
	}
	if s.Principal != nil {
		field("Principal")
		s.Principal.write(b)
	}
	if s.NotPrincipal != nil {
		field("NotPrincipal")
		s.NotPrincipal.write(b)
	}
	for _, e := range [...]namedValues{{"Action", s.Action}, {"NotAction", s.NotAction}, {"Resource", s.Resource}, {"NotResource", s.NotResource}} {
		if e.v.Set {
			field(e.name)
			e.v.write(b)
		}
	}
	if s.HasCondition {
		field("Condition")
		b.WriteByte('{')
		for i, blk := range s.Condition {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, blk.Operator)
			b.WriteString(":{")
			for j, k := range blk.Keys {
				writeMember(b, j, k.Key, k.Values)
			}
			b.WriteByte('}')
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
}

func (p *PrincipalElement) write(b *bytes.Buffer) {
	if p.Wildcard {
		writeString(b, "*")
		return
	}
	b.WriteByte('{')
	for i, e := range p.Entries {
		writeMember(b, i, e.Type, e.Values)
	}
	b.WriteByte('}')
}

func (v Values) write(b *bytes.Buffer) {
	if v.Single && len(v.List) == 1 {
		writeString(b, v.List[0])
		return
	}
	b.WriteByte('[')
	for i, s := range v.List {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, s)
	}
	b.WriteByte(']')
}

// writeKey writes a JSON object member's name and colon, after a comma
// unless it is the first member.
func writeKey(b *bytes.Buffer, comma bool, name string) {
	if comma {
		b.WriteByte(',')
	}
	writeString(b, name)
	b.WriteByte(':')
}

// writeMember writes the i'th member, name:v, of a JSON object.
func writeMember(b *bytes.Buffer, i int, name string, v Values) {
	writeKey(b, i > 0, name)
	v.write(b)
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // cannot fail for a string
	b.Write(enc)
}
