package policy

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/arn"
)

// CheckOptions says where a document is going to be used.
type CheckOptions struct {
	Type Type
	// Managed is set for managed policies (CreatePolicy, CreatePolicyVersion,
	// permissions boundaries), which IAM only accepts at version 2012-10-17.
	Managed bool
}

// Check parses data and applies IAM's rules for opts, returning the first
// problem with IAM's own MalformedPolicyDocument message. The order of the
// checks reproduces which message AWS reports when a document has several
// problems (see testdata/malformed_policies.json, recorded from AWS).
func Check(data []byte, opts CheckOptions) (*Document, error) {
	doc, p, err := parseTree(data)
	if err != nil {
		e := err.(*Error)
		// IAM reports unparsable JSON differently for trust policies.
		if e.Message == MsgInvalidJSON && opts.Type != TypeTrust {
			e.Message = MsgSyntax
		}
		return nil, e
	}
	if e := checkDocument(doc, opts); e != nil {
		p.locate(e)
		return nil, e
	}
	return doc, nil
}

// checkDocument runs the passes in AWS's order: structure, version, the
// "legacy parser" checks, statement IDs, required elements, resources, then
// actions and condition keys.
func checkDocument(doc *Document, opts CheckOptions) *Error {
	if e := checkStructure(doc); e != nil {
		return e
	}
	if opts.Managed && doc.Version != Version2012 {
		return &Error{Message: MsgVersion, Path: "Version", Detail: "managed policies must use \"Version\": \"2012-10-17\""}
	}
	if e := checkLegacy(doc); e != nil {
		return e
	}
	sids := map[string]bool{}
	for i, st := range doc.Statements {
		if st.HasSid && st.Sid != "" {
			if sids[st.Sid] {
				return stmtErr(i, "Sid", MsgDuplicateSid, "Sid "+quote(st.Sid)+" is used by an earlier statement")
			}
			sids[st.Sid] = true
		}
	}
	// IAM policies (not resource or trust policies) take only letters and
	// digits in a Sid.
	switch opts.Type {
	case TypeIdentity, TypeBoundary, TypeSession:
		for i, st := range doc.Statements {
			if !alphanumeric(st.Sid) {
				return stmtErr(i, "Sid", MsgSidCharacters, "Sid "+quote(st.Sid)+" may only contain letters and digits")
			}
		}
	}
	for i := range doc.Statements {
		if e := checkRequired(&doc.Statements[i], i, opts.Type); e != nil {
			return e
		}
	}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		for _, r := range st.Resource.List {
			if e := checkResource(r, i, "Resource"); e != nil {
				return e
			}
		}
		for _, r := range st.NotResource.List {
			if e := checkResource(r, i, "NotResource"); e != nil {
				return e
			}
		}
	}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		if e := checkActions(st, i, opts.Type); e != nil {
			return e
		}
		if e := checkPrincipal(st, i, opts.Type); e != nil {
			return e
		}
		for _, b := range st.Condition {
			for _, k := range b.Keys {
				// Condition keys need a vendor prefix but may have more
				// colons (kms:EncryptionContext:aws:s3:arn, tag keys such as
				// aws:cloudformation:stack-name), so only the prefix is checked.
				vendor, _, found := strings.Cut(k.Key, ":")
				if msg, detail := checkVendorName(vendor + ":x"); !found || msg != "" {
					if !found {
						msg, detail = MsgVendorPrefix, quote(k.Key)+" needs a service prefix, like aws:SourceIp"
					}
					return stmtErr(i, "Condition."+b.Operator+"."+k.Key, msg, detail)
				}
			}
		}
	}
	return nil
}

// checkStructure covers what IAM answers with "Syntax errors in policy.":
// wrong shapes that Parse let through because they are well-formed JSON.
func checkStructure(doc *Document) *Error {
	if doc.HasVersion && doc.Version != Version2012 && doc.Version != Version2008 {
		return &Error{Message: MsgSyntax, Path: "Version", Detail: "Version must be 2012-10-17 (or the legacy 2008-10-17), not " + quote(doc.Version)}
	}
	if len(doc.Statements) == 0 {
		return &Error{Message: MsgSyntax, Path: "Statement", Detail: "the policy has no statements"}
	}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		if !st.HasEffect {
			return stmtErr(i, "Effect", MsgSyntax, "missing the Effect element")
		}
		if !strings.EqualFold(string(st.Effect), "Allow") && !strings.EqualFold(string(st.Effect), "Deny") {
			return stmtErr(i, "Effect", MsgSyntax, "Effect must be Allow or Deny, not "+quote(string(st.Effect)))
		}
		if st.Action.Set && st.NotAction.Set {
			return stmtErr(i, "NotAction", MsgSyntax, "a statement may have Action or NotAction, not both")
		}
		if st.Resource.Set && st.NotResource.Set {
			return stmtErr(i, "NotResource", MsgSyntax, "a statement may have Resource or NotResource, not both")
		}
		if st.Principal != nil && st.NotPrincipal != nil {
			return stmtErr(i, "NotPrincipal", MsgSyntax, "a statement may have Principal or NotPrincipal, not both")
		}
		for _, b := range st.Condition {
			if _, ok := parseOperator(b.Operator); !ok {
				return stmtErr(i, "Condition."+b.Operator, MsgSyntax, "unknown condition operator "+quote(b.Operator))
			}
		}
	}
	return nil
}

// checkLegacy covers what IAM answers with "The policy failed legacy
// parsing": an Effect in the wrong case, dates it cannot read, and ARNs cut
// short or in an unknown partition, in that order.
func checkLegacy(doc *Document) *Error {
	for i := range doc.Statements {
		st := &doc.Statements[i]
		if st.Effect != Allow && st.Effect != Deny {
			return stmtErr(i, "Effect", MsgLegacyParsing, "Effect is case-sensitive: write Allow or Deny, not "+quote(string(st.Effect)))
		}
		for _, b := range st.Condition {
			op, ok := parseOperator(b.Operator)
			if !ok || op.family != famDate {
				continue
			}
			for _, k := range b.Keys {
				for _, v := range k.Values.List {
					if _, ok := parseDate(v); !ok && !strings.Contains(v, "${") {
						return stmtErr(i, "Condition."+b.Operator+"."+k.Key, MsgLegacyParsing, quote(v)+" is not a date (use ISO 8601 such as 2026-01-02T15:04:05Z, or epoch seconds)")
					}
				}
			}
		}
		for _, list := range []Values{st.Resource, st.NotResource} {
			for _, r := range list.List {
				// Resources are read one by one: a bad partition in an earlier
				// one is reported before a short ARN in a later one.
				parts := strings.Split(r, ":")
				if parts[0] != "arn" || len(parts) < 3 {
					continue
				}
				if !validPartitionPattern(parts[1]) {
					return stmtErr(i, "Resource", fmt.Sprintf("Partition %q is not valid for resource %q.", parts[1], r), "")
				}
				if len(parts) < 6 || parts[2] == "" {
					return stmtErr(i, "Resource", MsgLegacyParsing, "ARN "+quote(r)+" needs six colon-separated parts with a service: arn:partition:service:region:account:resource")
				}
			}
		}
	}
	return nil
}

func checkRequired(st *Statement, i int, typ Type) *Error {
	if len(st.Action.List) == 0 && len(st.NotAction.List) == 0 {
		return stmtErr(i, "Action", MsgNoActions, "the statement needs an Action or NotAction")
	}
	switch typ {
	case TypeTrust:
		if st.Resource.Set || st.NotResource.Set {
			return stmtErr(i, "Resource", MsgTrustResource, "a trust policy applies to its role and may not name resources")
		}
		if st.Principal == nil && st.NotPrincipal == nil {
			return stmtErr(i, "Principal", MsgNoPrincipal, "a trust policy must say who may assume the role")
		}
		return nil
	case TypeResource:
		if st.Principal == nil && st.NotPrincipal == nil {
			return stmtErr(i, "Principal", MsgNoPrincipal, "a resource-based policy must name a principal")
		}
	}
	if len(st.Resource.List) == 0 && len(st.NotResource.List) == 0 {
		return stmtErr(i, "Resource", MsgNoResources, "the statement needs a Resource or NotResource")
	}
	return nil
}

// iamResourceTypes are the resource types IAM ARNs may name.
var iamResourceTypes = []string{"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/", "server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/"}

func checkResource(r string, i int, elem string) *Error {
	if r == "*" {
		return nil
	}
	if !strings.Contains(r, ":") {
		return stmtErr(i, elem, fmt.Sprintf("Resource %s must be in ARN format or \"*\".", r), "")
	}
	parts := strings.Split(r, ":")
	if parts[0] != "arn" {
		// IAM reads the first part as "arn" anyway and fills the missing
		// parts with "*" when it reports the partition.
		parts[0] = "arn"
		for len(parts) < 6 {
			parts = append(parts, "*")
		}
		r = strings.Join(parts, ":")
	}
	if len(parts) < 3 {
		return stmtErr(i, elem, MsgResourceVendor, quote(r)+" has no service part")
	}
	partition := parts[1]
	if !validPartitionPattern(partition) {
		return stmtErr(i, elem, fmt.Sprintf("Partition %q is not valid for resource %q.", partition, r), "")
	}
	service, region := parts[2], parts[3]
	if strings.ContainsAny(service, "*?") && service != "*" {
		return stmtErr(i, elem, MsgResourceVendor, "wildcards in the service part of "+quote(r))
	}
	switch service {
	case "iam":
		if region != "" {
			return stmtErr(i, elem, fmt.Sprintf("IAM resource %s cannot contain region information.", r), "")
		}
		res := strings.Join(parts[5:], ":")
		if res != "*" && res != "root" && !hasAnyPrefix(res, iamResourceTypes) && !strings.HasPrefix(res, "${") {
			return stmtErr(i, elem, MsgIAMResourcePath, quote(res)+" is not an IAM resource")
		}
	case "s3":
		if region != "" && !strings.HasPrefix(parts[5], "accesspoint") && !strings.ContainsAny(region, "*?$") {
			return stmtErr(i, elem, fmt.Sprintf("Resource %s can not contain region information.", r), "")
		}
	}
	return nil
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// checkVendorName applies IAM's rules for "vendor:name" in actions and
// condition keys and returns the message, or "" when the name is fine.
func checkVendorName(s string) (msg, detail string) {
	if s == "*" {
		return "", ""
	}
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return MsgVendorPrefix, quote(s) + " needs a service prefix, like ecs:RunTask"
	}
	if strings.Count(s, ":") > 1 {
		return MsgOneColon, quote(s) + " has more than one colon"
	}
	vendor := s[:i]
	for _, c := range vendor {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '*' || c == '?' || c == '.' || c == '_') {
			return "Vendor " + vendor + " is not valid", "service prefixes are letters, digits and hyphens"
		}
	}
	if vendor == "" {
		return MsgVendorPrefix, quote(s) + " has an empty service prefix"
	}
	return "", ""
}

// trustActions are the actions a trust policy may name.
var trustActions = []string{"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity", "sts:tagsession", "sts:setsourceidentity", "sts:setcontext", "sts:*", "*"}

func checkActions(st *Statement, i int, typ Type) *Error {
	elem := "Action"
	list := st.Action.List
	if st.NotAction.Set {
		elem, list = "NotAction", st.NotAction.List
	}
	for j, a := range list {
		if msg, detail := checkVendorName(a); msg != "" {
			return stmtErr(i, fmt.Sprintf("%s[%d]", elem, j), msg, detail)
		}
		if typ == TypeTrust && !trustAction(a) {
			return stmtErr(i, fmt.Sprintf("%s[%d]", elem, j), MsgTrustAction, quote(a)+" is not an sts:AssumeRole action")
		}
	}
	return nil
}

func trustAction(a string) bool {
	low := strings.ToLower(a)
	for _, t := range trustActions {
		if low == t {
			return true
		}
	}
	// Wildcards that only reach AssumeRole* actions are fine.
	return strings.HasPrefix(low, "sts:assumerole") || low == "sts:tag*"
}

func checkPrincipal(st *Statement, i int, typ Type) *Error {
	pr, elem := st.Principal, "Principal"
	if pr == nil {
		pr, elem = st.NotPrincipal, "NotPrincipal"
	}
	if pr == nil {
		return nil
	}
	switch typ {
	case TypeIdentity, TypeBoundary, TypeSession, TypeSCP:
		return stmtErr(i, elem, MsgHasPrincipal, "only resource-based and trust policies name principals")
	}
	for _, e := range pr.Entries {
		if len(e.Values.List) == 0 {
			return stmtErr(i, elem+"."+e.Type, MsgSyntax, "a principal type needs at least one value")
		}
		for _, v := range e.Values.List {
			if e.Type == "AWS" && v != "*" && strings.ContainsAny(v, "*?") {
				return stmtErr(i, elem+".AWS", fmt.Sprintf("Invalid principal in policy: \"AWS\":\"%s\"", v), "wildcards are not allowed in principal ARNs; use a condition on aws:PrincipalArn")
			}
			if e.Type == "AWS" && v != "*" && !arn.IsAccountID(v) && !arn.IsARN(v) && !isUniqueID(v) {
				return stmtErr(i, elem+".AWS", fmt.Sprintf("Invalid principal in policy: \"AWS\":\"%s\"", v), "use an account ID or a user, role, session or root ARN")
			}
			if e.Type == "Service" && v != "*" && !validServiceName(v) {
				return stmtErr(i, elem+".Service", fmt.Sprintf("Invalid principal in policy: \"SERVICE\":\"%s\"", v), "")
			}
		}
	}
	return nil
}

// isUniqueID recognises the IDs IAM puts in place of deleted principals
// (AIDA..., AROA...).
func isUniqueID(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for _, p := range []string{"AIDA", "AROA", "AIPA", "ANPA", "AGPA", "ASIA", "AKIA"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func validPartitionPattern(p string) bool {
	return arn.ValidPartition(p) || p == "*" || strings.Contains(p, "${")
}

// validServiceName accepts what looks like a service principal
// (ecs-tasks.amazonaws.com, tasks.apprunner.amazonaws.com): dot-separated
// labels of lower-case letters, digits and hyphens, at least two of them, and
// not the bare amazonaws.com domain.
func validServiceName(v string) bool {
	if v == "" || v == "amazonaws.com" || v == "amazonaws.com.cn" || !strings.Contains(v, ".") {
		return false
	}
	for _, label := range strings.Split(v, ".") {
		if label == "" {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func alphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
