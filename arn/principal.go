package arn

import (
	"strconv"
	"strings"
)

// PrincipalKind classifies the string form of a principal, as it appears in
// a policy's Principal element or as the identity making a request. The
// policy engine needs the kind to apply the right rules: a root or account
// principal stands for every identity in the account, an assumed-role session
// is also matched by its role in trust policies, a service principal never
// has an account, and so on.
//
// The constants carry a Principal prefix because the bare names Root and
// AssumedRole are already taken by the ARN constructors.
type PrincipalKind int

const (
	// PrincipalUnknown is anything not recognised below. Callers should
	// treat it as matching nothing rather than guessing.
	PrincipalUnknown PrincipalKind = iota
	// PrincipalRoot is arn:PARTITION:iam::ACCOUNT:root.
	PrincipalRoot
	// PrincipalUser is arn:PARTITION:iam::ACCOUNT:user/PATH/NAME.
	PrincipalUser
	// PrincipalRole is arn:PARTITION:iam::ACCOUNT:role/PATH/NAME.
	PrincipalRole
	// PrincipalAssumedRole is
	// arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION.
	PrincipalAssumedRole
	// PrincipalFederatedUser is
	// arn:PARTITION:sts::ACCOUNT:federated-user/NAME.
	PrincipalFederatedUser
	// PrincipalService is a service principal such as
	// "ecs-tasks.amazonaws.com".
	PrincipalService
	// PrincipalAnonymous is the "*" principal: everyone, authenticated or
	// not.
	PrincipalAnonymous
	// PrincipalAccount is a bare 12-digit account ID, which policies accept
	// as shorthand for that account's root ARN. It is kept separate from
	// PrincipalRoot so callers know to canonicalise it before comparing.
	PrincipalAccount
	// PrincipalSAMLProvider is arn:PARTITION:iam::ACCOUNT:saml-provider/NAME,
	// used in the Federated principal of trust policies.
	PrincipalSAMLProvider
	// PrincipalOIDCProvider is arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST,
	// used in the Federated principal of trust policies.
	PrincipalOIDCProvider
)

var kindNames = [...]string{
	PrincipalUnknown:       "Unknown",
	PrincipalRoot:          "Root",
	PrincipalUser:          "User",
	PrincipalRole:          "Role",
	PrincipalAssumedRole:   "AssumedRole",
	PrincipalFederatedUser: "FederatedUser",
	PrincipalService:       "Service",
	PrincipalAnonymous:     "Anonymous",
	PrincipalAccount:       "Account",
	PrincipalSAMLProvider:  "SAMLProvider",
	PrincipalOIDCProvider:  "OIDCProvider",
}

// String returns the constant's name, for logs and test failures.
func (k PrincipalKind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "PrincipalKind(" + strconv.Itoa(int(k)) + ")"
}

// ClassifyPrincipal reports what kind of principal s names.
//
// The checks are strict (IAM and STS ARNs must have an empty region and a
// non-empty account; names must be non-empty) because a loosely classified
// principal could be granted the wrong rules. Strings that fit no known shape
// are [PrincipalUnknown].
func ClassifyPrincipal(s string) PrincipalKind {
	if s == "*" {
		return PrincipalAnonymous
	}
	if IsAccountID(s) {
		return PrincipalAccount
	}
	if !IsARN(s) {
		if isServicePrincipal(s) {
			return PrincipalService
		}
		return PrincipalUnknown
	}
	p, _ := Split(s)
	if p[3] != "" || p[4] == "" {
		return PrincipalUnknown
	}
	res := p[5]
	switch p[2] {
	case "iam":
		switch {
		case res == "root":
			return PrincipalRoot
		case hasNamedSuffix(res, "user/"):
			return PrincipalUser
		case hasNamedSuffix(res, "role/"):
			return PrincipalRole
		case hasNamedSuffix(res, "saml-provider/"):
			return PrincipalSAMLProvider
		case hasNamedSuffix(res, "oidc-provider/"):
			return PrincipalOIDCProvider
		}
	case "sts":
		a := ARN{Partition: p[1], Service: p[2], Region: p[3], AccountID: p[4], Resource: res}
		if _, _, ok := RoleFromAssumedRole(a); ok {
			return PrincipalAssumedRole
		}
		if name, ok := strings.CutPrefix(res, "federated-user/"); ok && name != "" && strings.IndexByte(name, '/') < 0 {
			return PrincipalFederatedUser
		}
	}
	return PrincipalUnknown
}

// hasNamedSuffix reports whether res is prefix followed by a non-empty name
// that does not end in '/', i.e. it names an entity rather than a bare path.
func hasNamedSuffix(res, prefix string) bool {
	rest, ok := strings.CutPrefix(res, prefix)
	return ok && rest != "" && rest[len(rest)-1] != '/'
}

// IsAccountID reports whether s is exactly twelve ASCII digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isServicePrincipal recognises "NAME.amazonaws.com" (and the China-region
// ".amazonaws.com.cn" form). The name must be non-empty and free of ':' and
// '/' so that ARN-like or URL-like strings are never mistaken for services.
func isServicePrincipal(s string) bool {
	name, ok := strings.CutSuffix(s, ".amazonaws.com")
	if !ok {
		name, ok = strings.CutSuffix(s, ".amazonaws.com.cn")
	}
	return ok && name != "" && !strings.ContainsAny(name, ":/ ")
}

// RoleFromAssumedRole extracts the role name and session name from an STS
// assumed-role ARN (arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION).
// The policy engine needs the role to evaluate a session against policies
// that name the role rather than the session.
//
// ok is false unless a is an sts ARN of that shape with non-empty role and
// session names. Neither name may contain '/', as IAM forbids it in both; a
// longer path is rejected rather than split at a guess.
func RoleFromAssumedRole(a ARN) (roleName, session string, ok bool) {
	if a.Service != "sts" {
		return "", "", false
	}
	rest, found := strings.CutPrefix(a.Resource, "assumed-role/")
	if !found {
		return "", "", false
	}
	roleName, session, found = strings.Cut(rest, "/")
	if !found || roleName == "" || session == "" || strings.IndexByte(session, '/') >= 0 {
		return "", "", false
	}
	return roleName, session, true
}
