package arn

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// ARN is a parsed Amazon Resource Name.
//
// It is a plain value type: comparable with ==, usable as a map key, and
// cheap to copy. The fields hold exactly the text between the colons; no
// normalisation (such as case folding) is applied because ARN comparison in
// IAM is case-sensitive.
type ARN struct {
	// Partition is the group of regions the resource lives in, e.g. "aws",
	// "aws-cn" or "aws-us-gov".
	Partition string
	// Service is the service namespace, e.g. "iam", "sts", "ecs".
	Service string
	// Region is empty for global services such as IAM and STS.
	Region string
	// AccountID is the owning account; empty for some resources (S3 buckets).
	AccountID string
	// Resource is everything after the fifth colon. Its internal structure
	// is service-specific; see [ARN.ResourceType] and [ARN.ResourceName].
	Resource string
}

// ParseError reports why a string is not a syntactically valid ARN.
//
// It is a distinct type so callers (for example the IAM API front end) can
// turn it into the right AWS error code with errors.As instead of matching
// message text.
type ParseError struct {
	// Input is the complete string that failed to parse.
	Input string
	// Reason is a short human-readable explanation.
	Reason string
}

// maxErrInput bounds how much of the input is echoed in error messages,
// measured after quoting. Inputs come from untrusted requests; a
// multi-megabyte "ARN" (or one full of control bytes, each of which quotes to
// four characters) must not turn into a huge log line or API error body.
const maxErrInput = 200

// Error implements error. The input is quoted and, if long, truncated at a
// character boundary so the message stays readable and bounded; the original
// length is reported so the reader knows something was cut.
func (e *ParseError) Error() string {
	q, cut := quoteBounded(e.Input, maxErrInput)
	if cut {
		q += "... (" + strconv.Itoa(len(e.Input)) + " bytes)"
	}
	return "arn: invalid ARN " + q + ": " + e.Reason
}

// quoteBounded returns s as a Go-quoted string whose escaped contents are at
// most max bytes, never splitting a character or an escape sequence, and
// whether anything was dropped. It only runs when building an error, so it
// favours simplicity over speed.
func quoteBounded(s string, max int) (string, bool) {
	if q := strconv.Quote(s); len(q)-2 <= max {
		return q, false
	}
	var b strings.Builder
	b.WriteByte('"')
	n := 0
	for i := 0; i < len(s); {
		_, w := utf8.DecodeRuneInString(s[i:])
		esc := strconv.Quote(s[i : i+w])
		esc = esc[1 : len(esc)-1]
		if n+len(esc) > max {
			break
		}
		b.WriteString(esc)
		n += len(esc)
		i += w
	}
	b.WriteByte('"')
	return b.String(), true
}

// Parse parses s as "arn:partition:service:region:account-id:resource".
//
// Only the structure is checked: the literal "arn" prefix, at least six
// colon-separated fields, and non-empty partition, service and resource.
// Region and account may be empty because IAM/STS ARNs omit the region and S3
// bucket ARNs omit both. The partition is deliberately not checked against
// [ValidPartition] so that ARNs from partitions added after this code was
// written still parse; callers that care can check it themselves.
//
// On failure the error is a *ParseError.
func Parse(s string) (ARN, error) {
	parts, ok := Split(s)
	if !ok {
		return ARN{}, &ParseError{Input: s, Reason: splitFailure(s)}
	}
	switch {
	case parts[1] == "":
		return ARN{}, &ParseError{Input: s, Reason: "partition is empty"}
	case parts[2] == "":
		return ARN{}, &ParseError{Input: s, Reason: "service is empty"}
	case parts[5] == "":
		return ARN{}, &ParseError{Input: s, Reason: "resource is empty"}
	}
	return ARN{
		Partition: parts[1],
		Service:   parts[2],
		Region:    parts[3],
		AccountID: parts[4],
		Resource:  parts[5],
	}, nil
}

// splitFailure explains why Split rejected s. It is only called on the error
// path, so it is free to be slower than Split itself.
func splitFailure(s string) string {
	if s == "" {
		return "empty string"
	}
	if !strings.HasPrefix(s, "arn:") {
		return `must start with "arn:"`
	}
	n := strings.Count(s, ":") + 1
	return "has " + strconv.Itoa(n) + " colon-separated fields, need at least 6 (arn:partition:service:region:account-id:resource)"
}

// MustParse is like [Parse] but panics on error. It is meant for constants
// in code and tests, where a malformed ARN is a programming mistake.
func MustParse(s string) ARN {
	a, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

// String returns the canonical textual form. For any ARN produced by [Parse],
// Parse(a.String()) returns a again.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.AccountID + ":" + a.Resource
}

// IsARN reports whether [Parse] would accept s, without allocating. Use it
// when only a yes/no answer is needed, e.g. to decide whether a Principal
// string is an ARN or a service name.
func IsARN(s string) bool {
	p, ok := Split(s)
	return ok && p[1] != "" && p[2] != "" && p[5] != ""
}

// Split cuts s into its six fields: the literal "arn", partition, service,
// region, account and resource. The results are substrings of s, so Split
// never allocates; it exists for hot paths (policy evaluation) that need the
// fields but not an [ARN] value.
//
// ok is false, and parts is zero, when s does not start with "arn:" or has
// fewer than six colon-separated fields. Unlike [Parse], Split does not
// require any field to be non-empty. Colons after the fifth belong to the
// resource field.
func Split(s string) (parts [6]string, ok bool) {
	if !strings.HasPrefix(s, "arn:") {
		return parts, false
	}
	return split6(s)
}

// split6 splits at the first five colons without looking at the contents.
// Match uses it for patterns, whose first field may itself be a wildcard.
func split6(s string) (parts [6]string, ok bool) {
	rest := s
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return [6]string{}, false
		}
		parts[i] = rest[:j]
		rest = rest[j+1:]
	}
	parts[5] = rest
	return parts, true
}

// ResourceType returns the leading resource-type token of the resource field:
// the text before the first '/' or ':'. Services use either separator
// ("role/Name", "task-definition/fam:3", "log-group:/x"), and splitting at
// whichever comes first gives the type in all of these. It returns "" when
// the resource has no separator ("root", an S3 bucket name).
func (a ARN) ResourceType() string {
	i := strings.IndexAny(a.Resource, "/:")
	if i < 0 {
		return ""
	}
	return a.Resource[:i]
}

// ResourceName returns the resource's own name.
//
// For IAM the resource is "type/path/name" and the friendly name is the last
// path element ("role/a/b/Name" gives "Name"), since names are unique without
// their path. For every other service it is everything after the type
// separator ("task-definition/fam:3" gives "fam:3", and
// "assumed-role/R/S" gives "R/S"). A resource with no type (e.g. "root" or an
// S3 bucket) is returned whole.
func (a ARN) ResourceName() string {
	if a.Service == "iam" {
		if i := strings.LastIndexByte(a.Resource, '/'); i >= 0 {
			return a.Resource[i+1:]
		}
		return a.Resource
	}
	i := strings.IndexAny(a.Resource, "/:")
	if i < 0 {
		return a.Resource
	}
	return a.Resource[i+1:]
}

// IAMPath returns the IAM path of an IAM resource: "/a/b/" for
// "role/a/b/Name" and "/" for "role/Name". The result always begins and ends
// with '/', matching the Path field of the IAM API.
//
// It returns "" when a is not an IAM ARN or its resource has no
// "type/...name" structure (e.g. "root"), because such resources have no
// path; returning "/" would falsely suggest they do.
func (a ARN) IAMPath() string {
	if a.Service != "iam" {
		return ""
	}
	first := strings.IndexByte(a.Resource, '/')
	if first < 0 {
		return ""
	}
	last := strings.LastIndexByte(a.Resource, '/')
	return a.Resource[first : last+1]
}

// defaultPartition is used by the constructors when the caller passes an
// empty partition, so that code which has not been told otherwise produces
// ordinary commercial-region ARNs rather than unparseable ones.
const defaultPartition = "aws"

func orDefaultPartition(p string) string {
	if p == "" {
		return defaultPartition
	}
	return p
}

// IAM builds the ARN of an IAM entity that lives under a path: role, user,
// group, policy, instance-profile, server-certificate, and so on.
//
// The result is arn:PARTITION:iam::ACCOUNT:TYPE/PATH/NAME with an empty
// region, as IAM is global. An empty path means "/", and a path missing its
// leading or trailing slash is completed, because IAM paths always start and
// end with '/' and forgetting one would otherwise produce a different (and
// never-matching) ARN. An empty partition means "aws".
func IAM(partition, account, resourceType, path, name string) ARN {
	return ARN{
		Partition: orDefaultPartition(partition),
		Service:   "iam",
		AccountID: account,
		Resource:  resourceType + normalizePath(path) + name,
	}
}

func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	if p[len(p)-1] != '/' {
		p += "/"
	}
	return p
}

// AssumedRole builds the STS ARN of a role session,
// arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION.
//
// roleName is the bare role name: STS drops the role's IAM path from
// assumed-role ARNs, so callers must not pass "path/Name". An empty partition
// means "aws".
func AssumedRole(partition, account, roleName, sessionName string) ARN {
	return ARN{
		Partition: orDefaultPartition(partition),
		Service:   "sts",
		AccountID: account,
		Resource:  "assumed-role/" + roleName + "/" + sessionName,
	}
}

// Root builds the ARN of an account's root user, arn:PARTITION:iam::ACCOUNT:root,
// which policies also use to mean "the whole account". An empty partition
// means "aws".
func Root(partition, account string) ARN {
	return ARN{
		Partition: orDefaultPartition(partition),
		Service:   "iam",
		AccountID: account,
		Resource:  "root",
	}
}

// ValidPartition reports whether p is one of the AWS partitions rolecall
// knows about. It is a closed list on purpose: accepting any string would let
// a typo such as "aws-gov" silently create identities no policy can name.
func ValidPartition(p string) bool {
	switch p {
	case "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc":
		return true
	}
	return false
}
