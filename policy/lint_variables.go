package policy

import (
	"fmt"
	"strings"
)

// checkVariables checks policy variables (${aws:username}): where they
// appear, whether the document's version substitutes them, and their
// syntax.
func (l *linter) checkVariables(st *Statement, i int) {
	unsupported := func(path, v string) {
		l.add(SeverityError, "VARIABLE_UNSUPPORTED_IN_ELEMENT", path, fmt.Sprintf("Policy variables work only in Resource, NotResource and condition values; %s is compared literally here. Remove the variable.", quote(v)))
	}
	for _, e := range st.actionElements() {
		for j, a := range e.v.List {
			if strings.Contains(a, "${") {
				unsupported(lintElemPath(i, e.name, j), a)
			}
		}
	}
	for _, pe := range st.principalElements() {
		if pe.pr == nil {
			continue
		}
		for _, e := range pe.pr.Entries {
			for j, v := range e.Values.List {
				if strings.Contains(v, "${") {
					unsupported(fmt.Sprintf("%s.%s.%s[%d]", lintStmtPath(i), pe.name, e.Type, j), v)
				}
			}
		}
	}
	for _, b := range st.Condition {
		for _, k := range b.Keys {
			path := lintCondPath(i, b.Operator, k.Key)
			if strings.Contains(k.Key, "${") {
				unsupported(path, k.Key)
			}
			for x, v := range k.Values.List {
				l.checkVariableValue(v, fmt.Sprintf("%s[%d]", path, x))
			}
		}
	}
	for _, e := range st.resourceElements() {
		for j, r := range e.v.List {
			l.checkVariableValue(r, lintElemPath(i, e.name, j))
		}
	}
}

// checkVariableValue checks the variables in a value of an element that
// supports them.
func (l *linter) checkVariableValue(v, path string) {
	if !strings.Contains(v, "${") {
		return
	}
	if !l.vars {
		l.add(SeverityError, "VARIABLE_UNSUPPORTED_IN_VERSION", path, fmt.Sprintf(`Policy variables need "Version": "2012-10-17"; without it %s is compared literally.`, quote(v)))
		return
	}
	if code, msg := lintVariableSyntax(v); code != "" {
		l.add(SeverityError, code, path, msg)
	}
}

// lintVariableSyntax finds the first malformed variable in s.
func lintVariableSyntax(s string) (code, msg string) {
	for rest := s; ; {
		k := strings.Index(rest, "${")
		if k < 0 {
			return "", ""
		}
		rest = rest[k+2:]
		end := strings.IndexByte(rest, '}')
		if next := strings.Index(rest, "${"); end < 0 || next >= 0 && next < end {
			return "MISSING_BRACE_IN_VARIABLE", fmt.Sprintf("A policy variable in %s has no closing brace. Add } after the variable name.", quote(s))
		}
		body := rest[:end]
		rest = rest[end+1:]
		switch body {
		case "*", "?", "$":
			continue // escapes for a literal character
		}
		name, def, hasDef := strings.Cut(body, ",")
		name = strings.TrimSpace(name)
		switch {
		case name == "":
			return "EMPTY_VARIABLE", fmt.Sprintf("%s has an empty policy variable ${%s}. Name a key inside the braces, or remove them.", quote(s), body)
		case strings.ContainsAny(name, " \t\n\r"):
			return "UNSUPPORTED_SPACE_IN_VARIABLE", fmt.Sprintf("The policy variable ${%s} has a space in its name. Remove it.", body)
		case hasDef:
			d := strings.TrimSpace(def)
			if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
				return "MISSING_QUOTE_IN_VARIABLE", fmt.Sprintf("The default value of the policy variable ${%s} must be in single quotes, as in ${%s, 'default'}.", body, name)
			}
		case strings.ContainsAny(name, "'"):
			return "MISSING_QUOTE_IN_VARIABLE", fmt.Sprintf("The policy variable ${%s} has a quote but no default value. Write ${key, 'default'}.", body)
		}
	}
}
