package policy

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/internal/wildcard"
)

// lintSourceKeys are the condition keys that tie a service principal to the
// resource or account it acts for, preventing the confused deputy problem.
var lintSourceKeys = []string{"aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID", "aws:SourceOrgPaths"}

// checkPrincipals checks the Principal and NotPrincipal elements.
func (l *linter) checkPrincipals(st *Statement, i int) {
	for _, pe := range st.principalElements() {
		if pe.pr == nil {
			continue
		}
		base := lintStmtPath(i) + "." + pe.name
		if !pe.pr.Wildcard && len(pe.pr.Entries) == 0 {
			l.add(SeveritySuggestion, "EMPTY_OBJECT_PRINCIPAL", base, fmt.Sprintf("The %s element is an empty object, so the statement applies to no one. Name the principals.", pe.name))
		}
		for _, e := range pe.pr.Entries {
			epath := base + "." + e.Type
			if len(e.Values.List) == 0 {
				l.add(SeveritySuggestion, "EMPTY_ARRAY_PRINCIPAL", epath, fmt.Sprintf("The %s principal list is empty, so it names no one. List principals or remove it.", e.Type))
			}
			if e.Type == "Federated" && l.typ == TypeResource {
				l.add(SeverityError, "FEDERATED_PRINCIPAL_NOT_SUPPORTED", epath, "Federated principals (identity providers) can only be named in role trust policies. Name the role the federated users assume instead.")
			}
			for j, v := range e.Values.List {
				vpath := fmt.Sprintf("%s[%d]", epath, j)
				if wildcard.HasWildcard(v) && (e.Type != "AWS" || v != "*") {
					l.add(SeverityError, "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", vpath, fmt.Sprintf("%s principals cannot use wildcards (%s). Name the principal, or use \"*\" with a condition such as aws:PrincipalArn.", e.Type, quote(v)))
					continue
				}
				if e.Type == "AWS" && lintUniqueIDKind(v) != "" {
					kind := lintUniqueIDKind(v)
					l.add(SeverityWarning, "INVALID_"+strings.ToUpper(kind)+"_REFERENCE", vpath, fmt.Sprintf("%s is the unique ID of an IAM %s, which IAM shows when the %s was deleted; a %s created again with the same name has a new ID and does not match. Use the %s's ARN.", quote(v), kind, kind, kind, kind))
				}
			}
		}
	}
	if st.NotPrincipal != nil && st.Effect == Allow {
		l.add(SeveritySecurityWarning, "ALLOW_WITH_NOT_PRINCIPAL", lintStmtPath(i)+".NotPrincipal", "Allow with NotPrincipal allows everyone not listed, anonymous users included. Name the principals in Principal instead.")
	}
	if l.typ == TypeResource && st.Effect == Allow && st.Principal != nil {
		for _, e := range st.Principal.Entries {
			if e.Type != "Service" || len(e.Values.List) == 0 {
				continue
			}
			limited := false
			for _, k := range lintSourceKeys {
				limited = limited || lintLimits(st, k)
			}
			if !limited {
				l.add(SeveritySecurityWarning, "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", lintStmtPath(i)+".Principal.Service", "The statement allows a service principal without saying on whose behalf it acts, so the service can be used against this resource from any account (the confused deputy problem). Add a condition on aws:SourceArn or aws:SourceAccount.")
			}
		}
	}
}

// lintUniqueIDKind recognises the unique IDs IAM shows for deleted users and
// roles ("AIDA...", "AROA...").
func lintUniqueIDKind(s string) string {
	if len(s) < 16 || len(s) > 128 {
		return ""
	}
	for k := 0; k < len(s); k++ {
		if c := s[k]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	switch s[:4] {
	case "AROA":
		return "role"
	case "AIDA":
		return "user"
	}
	return ""
}

// checkTrust applies the rules for a role's trust policy.
func (l *linter) checkTrust(st *Statement, i int) {
	if st.NotPrincipal != nil {
		l.add(SeverityError, "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", lintStmtPath(i)+".NotPrincipal", "Role trust policies do not support NotPrincipal. Name who may assume the role in Principal.")
	}
	if st.Resource.Set || st.NotResource.Set {
		l.add(SeverityError, "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", lintStmtPath(i)+".Resource", "A role trust policy applies to its role and cannot name resources. Remove the Resource element.")
	}
	pr := st.Principal
	if pr == nil {
		return
	}
	if st.Effect == Allow && pr.Wildcard {
		l.add(SeverityError, "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", lintStmtPath(i)+".Principal", `"Principal": "*" would let anyone assume the role. Name the accounts, roles or services that may.`)
	}
	type fed struct {
		value, path, host string
		saml              bool
	}
	var feds []fed
	var others []string // non-federated principals, for mismatch messages
	for _, e := range pr.Entries {
		for j, v := range e.Values.List {
			vpath := fmt.Sprintf("%s.Principal.%s[%d]", lintStmtPath(i), e.Type, j)
			switch e.Type {
			case "Federated":
				f := fed{value: v, path: vpath}
				if p, ok := lintSplitARN(v); ok && strings.HasPrefix(v, "arn:") && p[2] == "iam" {
					switch {
					case strings.HasPrefix(p[5], "saml-provider/"):
						f.saml = true
					case strings.HasPrefix(p[5], "oidc-provider/"):
						f.host = strings.TrimPrefix(p[5], "oidc-provider/")
					}
				} else if lintDomainName(v) {
					f.host = v
				}
				if !f.saml && f.host == "" {
					l.add(SeverityError, "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY", vpath, fmt.Sprintf("%s is not an identity provider: use the ARN of a SAML or OIDC provider, or a domain name such as cognito-identity.amazonaws.com.", quote(v)))
					continue
				}
				feds = append(feds, f)
			case "AWS":
				if st.Effect == Allow && v == "*" {
					l.add(SeverityError, "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", vpath, `"AWS": "*" would let any AWS principal assume the role. Name the accounts or roles that may.`)
				}
				others = append(others, v)
			default:
				others = append(others, v)
			}
		}
	}
	// The federation actions only work with their kind of provider.
	for j, a := range st.Action.List {
		var bad []string
		switch {
		case strings.EqualFold(a, "sts:AssumeRoleWithSAML"):
			bad = append(bad, others...)
			for _, f := range feds {
				if !f.saml {
					bad = append(bad, f.value)
				}
			}
		case strings.EqualFold(a, "sts:AssumeRoleWithWebIdentity"):
			bad = append(bad, others...)
			for _, f := range feds {
				if f.saml {
					bad = append(bad, f.value)
				}
			}
		default:
			continue
		}
		if len(bad) > 0 {
			l.add(SeverityError, "MISMATCHED_ACTION_FOR_PRINCIPAL", lintElemPath(i, "Action", j), fmt.Sprintf("%s does not work with the principal(s) %s: use a SAML provider with sts:AssumeRoleWithSAML and an OIDC provider with sts:AssumeRoleWithWebIdentity, both as Federated principals.", a, strings.Join(bad, ", ")))
		}
	}
	if st.Effect != Allow {
		return
	}
	for _, e := range pr.Entries {
		if e.Type != "Service" {
			continue
		}
		for _, v := range e.Values.List {
			if v != "rolesanywhere.amazonaws.com" {
				continue
			}
			var missing []string
			for _, a := range []string{"sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"} {
				if g, _ := lintReaches(st, a); g == lintReachNone {
					missing = append(missing, a)
				}
			}
			if len(missing) > 0 {
				l.add(SeverityError, "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY", lintStmtPath(i)+".Action", fmt.Sprintf("IAM Roles Anywhere needs sts:AssumeRole, sts:SetSourceIdentity and sts:TagSession to assume a role; add %s.", strings.Join(missing, ", ")))
			}
		}
	}
	for _, f := range feds {
		if f.host == "" {
			continue
		}
		if strings.EqualFold(f.host, "token.actions.githubusercontent.com") {
			subPath, ok := lintKeyPath(st, i, f.host+":sub")
			if !ok {
				l.add(SeveritySecurityWarning, "MISSING_GITHUB_REPO_CONDITION_KEY", f.path, "Any GitHub repository's workflows can get tokens from GitHub's OIDC provider. Add a condition on token.actions.githubusercontent.com:sub naming the repository and branch.")
				continue
			}
			l.checkGitHubSub(st, subPath)
			continue
		}
		if !lintHasKeyPrefix(st, f.host+":") {
			l.add(SeveritySecurityWarning, "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", f.path, fmt.Sprintf("Without a condition on the provider's claims (%s:aud, %s:sub, ...), any identity of the provider can assume the role. Add one.", f.host, f.host))
		}
	}
	l.checkRedundantRolePrincipals(pr, i)
}

// checkGitHubSub reports token.actions.githubusercontent.com:sub values with
// wildcards.
func (l *linter) checkGitHubSub(st *Statement, path string) {
	for _, b := range st.Condition {
		for _, k := range b.Keys {
			if !strings.EqualFold(k.Key, "token.actions.githubusercontent.com:sub") {
				continue
			}
			for _, v := range k.Values.List {
				if strings.ContainsAny(v, "*?") {
					l.add(SeverityWarning, "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED", path, fmt.Sprintf("The wildcard in %s can let workflows of more repositories or branches assume the role than intended. Name the repository and branch.", quote(v)))
					return
				}
			}
		}
	}
}

func lintHasKeyPrefix(st *Statement, prefix string) bool {
	for _, b := range st.Condition {
		for _, k := range b.Keys {
			if len(k.Key) >= len(prefix) && strings.EqualFold(k.Key[:len(prefix)], prefix) {
				return true
			}
		}
	}
	return false
}

// lintDomainName accepts the host names web identity providers are named by
// (cognito-identity.amazonaws.com, accounts.google.com, ...).
func lintDomainName(s string) bool {
	if !strings.Contains(s, ".") || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" {
			return false
		}
		for k := 0; k < len(label); k++ {
			c := label[k]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// checkRedundantRolePrincipals reports assumed-role session principals
// whose role is also a principal of the statement.
func (l *linter) checkRedundantRolePrincipals(pr *PrincipalElement, i int) {
	for _, e := range pr.Entries {
		if e.Type != "AWS" {
			continue
		}
		roles := map[string]bool{}
		for _, v := range e.Values.List {
			if p, ok := lintSplitARN(v); ok && p[2] == "iam" && strings.HasPrefix(p[5], "role/") && !wildcard.HasWildcard(v) {
				name := p[5][strings.LastIndexByte(p[5], '/')+1:]
				roles[p[1]+":"+p[4]+":"+name] = true
			}
		}
		if len(roles) == 0 {
			continue
		}
		for j, v := range e.Values.List {
			p, ok := lintSplitARN(v)
			if !ok || p[2] != "sts" || !strings.HasPrefix(p[5], "assumed-role/") {
				continue
			}
			role, _, _ := strings.Cut(strings.TrimPrefix(p[5], "assumed-role/"), "/")
			if roles[p[1]+":"+p[4]+":"+role] {
				l.add(SeveritySuggestion, "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY", fmt.Sprintf("%s.Principal.AWS[%d]", lintStmtPath(i), j), fmt.Sprintf("The session %s is redundant: its role %s is also a principal. Remove the session.", quote(v), role))
			}
		}
	}
}

// checkSCP applies the rules for service control policies.
func (l *linter) checkSCP(st *Statement, i int) {
	if st.Principal != nil || st.NotPrincipal != nil {
		elem := "Principal"
		if st.Principal == nil {
			elem = "NotPrincipal"
		}
		l.add(SeverityError, "SCP_SYNTAX_ERROR_PRINCIPAL", lintStmtPath(i)+"."+elem, "Service control policies apply to the accounts they are attached to and cannot name principals. To match principals, use a condition on aws:PrincipalArn.")
	}
	for _, e := range st.actionElements() {
		for j, a := range e.v.List {
			if k := strings.IndexAny(a, "*?"); k >= 0 && (strings.IndexByte(a, '?') >= 0 || k < len(a)-1) {
				l.add(SeverityError, "SCP_SYNTAX_ERROR_ACTION_WILDCARD", lintElemPath(i, e.name, j), fmt.Sprintf("Service control policies allow a wildcard (*) only at the end of an action, not as in %s.", quote(a)))
			}
		}
	}
	if st.Effect == Allow {
		if st.HasCondition {
			l.add(SeverityError, "SCP_SYNTAX_ERROR_ALLOW_CONDITION", lintStmtPath(i)+".Condition", "Service control policies support conditions only in Deny statements. Deny what is not allowed instead.")
		}
		if st.NotAction.Set {
			l.add(SeverityError, "SCP_SYNTAX_ERROR_ALLOW_NOTACTION", lintStmtPath(i)+".NotAction", "Service control policies do not support NotAction in Allow statements. List the allowed actions, or deny the others.")
		}
		for j, r := range st.Resource.List {
			if r != "*" {
				l.add(SeverityError, "SCP_SYNTAX_ERROR_ALLOW_RESOURCE", lintElemPath(i, "Resource", j), `Service control policies allow only "Resource": "*" in Allow statements. Deny the resources that are not allowed instead.`)
				break
			}
		}
	}
	if st.NotResource.Set {
		l.add(SeverityError, "SCP_SYNTAX_ERROR_NOTRESOURCE", lintStmtPath(i)+".NotResource", "Service control policies do not support NotResource. Use Resource.")
	}
}
