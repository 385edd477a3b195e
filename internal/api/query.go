package api

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
)

// Query is a decoded AWS Query-protocol request (IAM, STS): the Action, the
// Version and the flattened parameters, e.g. "Tags.member.1.Key".
type Query struct {
	Action  string
	Version string
	Params  url.Values
}

// String returns a parameter and whether it was sent.
func (q *Query) String(name string) (string, bool) {
	vs, ok := q.Params[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// Get returns a parameter or "".
func (q *Query) Get(name string) string {
	v, _ := q.String(name)
	return v
}

// Required returns a parameter that must be present, or AWS's
// ValidationError for a missing member ("1 validation error detected: Value
// null at 'roleName' failed to satisfy constraint: Member must not be null").
func (q *Query) Required(name string) (string, error) {
	v, ok := q.String(name)
	if !ok {
		return "", awserr.ValidationError("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
	}
	return v, nil
}

// Required2 returns two parameters that must be present; when both are
// missing, the error names the first.
func (q *Query) Required2(first, second string) (string, string, error) {
	a, err := q.Required(first)
	if err != nil {
		return "", "", err
	}
	b, err := q.Required(second)
	if err != nil {
		return "", "", err
	}
	return a, b, nil
}

// Int returns an integer parameter; def if absent.
func (q *Query) Int(name string, def int) (int, error) {
	v, ok := q.String(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, awserr.ValidationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a number", v, lowerFirst(name))
	}
	return n, nil
}

// Bool returns a boolean parameter; def if absent.
func (q *Query) Bool(name string, def bool) (bool, error) {
	v, ok := q.String(name)
	if !ok {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, awserr.ValidationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean", v, lowerFirst(name))
}

// List returns the members of a list parameter: Name.member.1,
// Name.member.2, ... in order, stopping at the first gap.
func (q *Query) List(name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := q.String(name + ".member." + strconv.Itoa(i))
		if !ok {
			return out
		}
		out = append(out, v)
	}
}

// Struct returns the fields of list members that are structures:
// Name.member.N.Field for each N until a gap. Each map holds the fields sent
// for that member.
func (q *Query) Struct(name string, fields ...string) []map[string]string {
	var out []map[string]string
	for i := 1; ; i++ {
		prefix := name + ".member." + strconv.Itoa(i) + "."
		var m map[string]string // made only for a member that is there
		for _, f := range fields {
			if v, ok := q.String(prefix + f); ok {
				if m == nil {
					m = make(map[string]string, len(fields))
				}
				m[f] = v
			}
		}
		if m == nil {
			return out
		}
		out = append(out, m)
	}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
