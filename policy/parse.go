package policy

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// IAM's MalformedPolicyDocument messages. Validation reports these verbatim so
// the API server can return exactly what AWS returns.
const (
	MsgInvalidJSON       = "This policy contains invalid Json"
	MsgSyntax            = "Syntax errors in policy."
	MsgNoActions         = "Policy statement must contain actions."
	MsgNoResources       = "Policy statement must contain resources."
	MsgVersion           = "Policy document must be version 2012-10-17 or greater."
	MsgDuplicateSid      = "Statement IDs (SID) in a single policy must be unique."
	MsgSidCharacters     = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	MsgNoPrincipal       = "Missing required field Principal"
	MsgHasPrincipal      = "Policy document should not specify a principal."
	MsgTrustResource     = "Has prohibited field Resource"
	MsgTrustAction       = "AssumeRole policy may only specify STS AssumeRole actions."
	MsgVendorPrefix      = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	MsgOneColon          = "Actions/Condition can contain only one colon."
	MsgLegacyParsing     = "The policy failed legacy parsing"
	MsgResourceVendor    = "Resource vendor must be fully qualified and cannot contain regexes."
	MsgIAMResourcePath   = "IAM resource path must either be \"*\", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/."
	maxNesting           = 64
	maxErrorSnippetBytes = 120
)

// Error is a problem with a policy document. Message is IAM's own wording (what
// the IAM API returns in MalformedPolicyDocument); Path and Detail say where
// and what, for people.
type Error struct {
	Message string // IAM's message
	Path    string // e.g. "Statement[1].Condition.StringEquals"; empty for the whole document
	Detail  string // what exactly is wrong, in rolecall's words
	Line    int    // 1-based; 0 when unknown
	Column  int    // 1-based, in bytes
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Path != "" || e.Detail != "" || e.Line > 0 {
		b.WriteString(" (")
		sep := ""
		if e.Path != "" {
			b.WriteString(e.Path)
			sep = ": "
		}
		if e.Detail != "" {
			b.WriteString(sep)
			b.WriteString(e.Detail)
			sep = "; "
		} else if e.Path != "" {
			sep = "; "
		}
		if e.Line > 0 {
			fmt.Fprintf(&b, "%sline %d, column %d", sep, e.Line, e.Column)
		}
		b.WriteString(")")
	}
	return b.String()
}

// node is a JSON value with the byte offset where it starts, so that errors
// found after decoding can still point into the document.
type node struct {
	kind nodeKind
	off  int64
	text string // string value, number text, or "true"/"false"
	keys []string
	vals []*node // object values (parallel to keys) or array elements
}

type nodeKind uint8

const (
	kNull nodeKind = iota
	kString
	kNumber
	kBool
	kObject
	kArray
)

func (k nodeKind) String() string {
	return [...]string{"null", "string", "number", "boolean", "object", "array"}[k]
}

type parser struct {
	src  []byte
	root *node
}

// Parse decodes a policy document. It checks JSON syntax and the shape of
// every element (types, known element names); it does not apply the rules
// that depend on where the policy is used — that is Validate's job.
func Parse(data []byte) (*Document, error) {
	doc, _, err := parseTree(data)
	return doc, err
}

// parseTree is Parse that also returns the JSON tree, so that errors found
// later can be located in the source.
func parseTree(data []byte) (*Document, *parser, error) {
	p := &parser{src: data}
	root, err := p.decode()
	if err != nil {
		return nil, nil, err
	}
	p.root = root
	doc, err := p.document(root)
	return doc, p, err
}

// locate fills e's line and column from its Path ("Statement[1].Action[0]")
// and drops indexes that the document does not have (a lone Statement object,
// an Action written as one string).
func (p *parser) locate(e *Error) {
	if e.Path == "" || e.Line > 0 || p.root == nil {
		return
	}
	n, rest, canon := p.root, e.Path, ""
	for rest != "" {
		if rest = strings.TrimPrefix(rest, "."); rest == "" {
			break
		}
		switch {
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return
			}
			idx := 0
			for _, c := range rest[1:end] {
				idx = idx*10 + int(c-'0')
			}
			rest = rest[end+1:]
			if n.kind == kArray {
				if idx >= len(n.vals) {
					return
				}
				n = n.vals[idx]
				canon += fmt.Sprintf("[%d]", idx)
			}
		case n.kind == kObject:
			// Keys may contain dots and brackets of their own: take the
			// longest key that the path continues with.
			best := -1
			for i, k := range n.keys {
				if strings.HasPrefix(rest, k) && (len(rest) == len(k) || rest[len(k)] == '.' || rest[len(k)] == '[') && (best < 0 || len(k) > len(n.keys[best])) {
					best = i
				}
			}
			if best < 0 {
				return
			}
			if canon != "" {
				canon += "."
			}
			canon += n.keys[best]
			rest = rest[len(n.keys[best]):]
			n = n.vals[best]
		default:
			return
		}
	}
	e.Path = canon
	e.Line, e.Column = lineCol(p.src, n.off)
}

// ParseString is Parse for a string.
func ParseString(s string) (*Document, error) { return Parse([]byte(s)) }

func (p *parser) errAt(off int64, msg, path, detail string) *Error {
	e := &Error{Message: msg, Path: path, Detail: detail}
	if off >= 0 && off <= int64(len(p.src)) {
		e.Line, e.Column = lineCol(p.src, off)
	}
	return e
}

func lineCol(src []byte, off int64) (int, int) {
	line, col := 1, 1
	for i := int64(0); i < off && i < int64(len(src)); i++ {
		if src[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

func (p *parser) decode() (*node, error) {
	if !utf8.Valid(p.src) {
		return nil, p.errAt(-1, MsgInvalidJSON, "", "document is not valid UTF-8")
	}
	s := newScanner(p.src)
	n, err := s.value()
	if err == nil {
		s.skipSpace()
		if s.pos < len(s.src) {
			err = s.fail("unexpected data after the document")
		}
	}
	if err != nil {
		msg := MsgInvalidJSON
		if s.depth > maxNesting {
			msg = MsgSyntax
		}
		return nil, p.errAt(int64(err.off), msg, "", err.msg)
	}
	return n, nil
}

// field looks an element up the way IAM does: element names are matched
// exactly ("Statement", not "statement").
func (n *node) field(name string) (*node, int) {
	for i, k := range n.keys {
		if k == name {
			return n.vals[i], i
		}
	}
	return nil, -1
}

func (p *parser) document(root *node) (*Document, error) {
	if root.kind != kObject {
		return nil, p.errAt(root.off, MsgSyntax, "", "a policy document must be a JSON object, not "+root.kind.String())
	}
	doc := &Document{}
	seen := map[string]bool{}
	var stmtNode *node
	for i, k := range root.keys {
		v := root.vals[i]
		if seen[k] {
			return nil, p.errAt(root.vals[i].off, MsgSyntax, k, "element appears more than once")
		}
		seen[k] = true
		switch k {
		case "Version":
			if v.kind != kString {
				return nil, p.errAt(v.off, MsgSyntax, "Version", "must be a string")
			}
			doc.Version, doc.HasVersion = v.text, true
		case "Id":
			if v.kind != kString {
				return nil, p.errAt(v.off, MsgSyntax, "Id", "must be a string")
			}
			doc.ID, doc.HasID = v.text, true
		case "Statement":
			stmtNode = v
		default:
			return nil, p.errAt(root.vals[i].off, MsgSyntax, k, "unknown element "+quote(k)+"; a policy has Version, Id and Statement")
		}
	}
	if stmtNode == nil {
		return nil, p.errAt(root.off, MsgSyntax, "Statement", "missing the Statement element")
	}
	switch stmtNode.kind {
	case kObject:
		doc.SingleStatement = true
		st, err := p.statement(stmtNode, "Statement")
		if err != nil {
			return nil, err
		}
		doc.Statements = []Statement{st}
	case kArray:
		for i, sn := range stmtNode.vals {
			path := fmt.Sprintf("Statement[%d]", i)
			if sn.kind != kObject {
				return nil, p.errAt(sn.off, MsgSyntax, path, "a statement must be an object, not "+sn.kind.String())
			}
			st, err := p.statement(sn, path)
			if err != nil {
				return nil, err
			}
			doc.Statements = append(doc.Statements, st)
		}
	default:
		return nil, p.errAt(stmtNode.off, MsgSyntax, "Statement", "must be an object or an array of objects, not "+stmtNode.kind.String())
	}
	return doc, nil
}

func (p *parser) statement(n *node, path string) (Statement, error) {
	var st Statement
	for i, k := range n.keys {
		v := n.vals[i]
		for j := 0; j < i; j++ {
			if n.keys[j] == k {
				return st, p.errAt(n.vals[i].off, MsgSyntax, path+"."+k, "element appears more than once")
			}
		}
		var err error
		switch k {
		case "Sid":
			if v.kind != kString {
				return st, p.errAt(v.off, MsgSyntax, path+"."+k, "must be a string")
			}
			st.Sid, st.HasSid = v.text, true
		case "Effect":
			if v.kind != kString {
				return st, p.errAt(v.off, MsgSyntax, path+"."+k, "must be a string")
			}
			st.Effect, st.HasEffect = Effect(v.text), true
		case "Principal":
			st.Principal, err = p.principal(v, path, k)
		case "NotPrincipal":
			st.NotPrincipal, err = p.principal(v, path, k)
		case "Action":
			st.Action, err = p.values(v, path, k, false)
		case "NotAction":
			st.NotAction, err = p.values(v, path, k, false)
		case "Resource":
			st.Resource, err = p.values(v, path, k, false)
		case "NotResource":
			st.NotResource, err = p.values(v, path, k, false)
		case "Condition":
			st.Condition, err = p.condition(v, path+"."+k)
			st.HasCondition = true
		default:
			return st, p.errAt(n.vals[i].off, MsgSyntax, path+"."+k, "unknown element "+quote(k)+" in a statement")
		}
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// values reads an element written as a string or an array of strings. In
// Condition values IAM also accepts JSON numbers and booleans, kept as text.
// The element's path is base + "." + key, built only for errors.
func (p *parser) values(n *node, base, key string, scalars bool) (Values, error) {
	ok := func(c *node) bool {
		return c.kind == kString || (scalars && (c.kind == kNumber || c.kind == kBool))
	}
	want := "a string or an array of strings"
	if scalars {
		want = "a string, number, boolean or an array of them"
	}
	if ok(n) {
		return Values{List: []string{n.text}, Set: true, Single: true}, nil
	}
	if n.kind != kArray {
		return Values{}, p.errAt(n.off, MsgSyntax, base+"."+key, "must be "+want+", not "+n.kind.String())
	}
	vs := Values{List: make([]string, 0, len(n.vals)), Set: true}
	for i, c := range n.vals {
		if !ok(c) {
			return Values{}, p.errAt(c.off, MsgSyntax, fmt.Sprintf("%s.%s[%d]", base, key, i), "must be "+want+", not "+c.kind.String())
		}
		vs.List = append(vs.List, c.text)
	}
	return vs, nil
}

func (p *parser) principal(n *node, base, key string) (*PrincipalElement, error) {
	path := base + "." + key
	if n.kind == kString {
		if n.text != "*" {
			return nil, p.errAt(n.off, MsgSyntax, path, `a principal written as a string must be "*"`)
		}
		return &PrincipalElement{Wildcard: true}, nil
	}
	if n.kind != kObject {
		return nil, p.errAt(n.off, MsgSyntax, path, `must be "*" or an object such as {"AWS": ...}, not `+n.kind.String())
	}
	pr := &PrincipalElement{}
	seen := map[string]bool{}
	for i, k := range n.keys {
		ep := path + "." + k
		if seen[k] {
			return nil, p.errAt(n.vals[i].off, MsgSyntax, ep, "principal type appears more than once")
		}
		seen[k] = true
		switch k {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			return nil, p.errAt(n.vals[i].off, MsgSyntax, ep, "unknown principal type "+quote(k)+"; use AWS, Service, Federated or CanonicalUser")
		}
		vs, err := p.values(n.vals[i], path, k, false)
		if err != nil {
			return nil, err
		}
		pr.Entries = append(pr.Entries, PrincipalEntry{Type: k, Values: vs})
	}
	return pr, nil
}

func (p *parser) condition(n *node, path string) ([]ConditionBlock, error) {
	if n.kind != kObject {
		return nil, p.errAt(n.off, MsgSyntax, path, "must be an object of condition operators, not "+n.kind.String())
	}
	blocks := make([]ConditionBlock, 0, len(n.keys))
	for i, op := range n.keys {
		bp := path + "." + op
		bn := n.vals[i]
		if bn.kind != kObject {
			return nil, p.errAt(bn.off, MsgSyntax, bp, "must be an object of condition keys, not "+bn.kind.String())
		}
		b := ConditionBlock{Operator: op}
		for j, key := range bn.keys {
			vs, err := p.values(bn.vals[j], bp, key, true)
			if err != nil {
				return nil, err
			}
			b.Keys = append(b.Keys, ConditionKey{Key: key, Values: vs})
		}
		blocks = append(blocks, b)
	}
	return blocks, nil
}

func quote(s string) string {
	if len(s) > maxErrorSnippetBytes {
		s = s[:maxErrorSnippetBytes] + "..."
	}
	return fmt.Sprintf("%q", s)
}
