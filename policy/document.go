package policy

// Version strings IAM accepts in the Version element.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Effect is the Effect element of a statement.
type Effect string

const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Type says where a policy is used. IAM validates and evaluates a document
// differently depending on it: a trust policy must name a principal and may
// not name resources, an identity policy must not name a principal, and so on.
type Type uint8

const (
	TypeIdentity Type = iota // attached to a user, group or role (managed or inline)
	TypeResource             // attached to a resource (bucket, key, ...)
	TypeTrust                // a role's assume-role policy, a resource policy on the role
	TypeBoundary             // a permissions boundary
	TypeSession              // passed to AssumeRole & co. as Policy or PolicyArns
	TypeSCP                  // an AWS Organizations service control policy
	TypeRCP                  // an AWS Organizations resource control policy
)

var typeNames = [...]string{"identity", "resource", "trust", "boundary", "session", "scp", "rcp"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// ParseType maps the names used on the command line ("identity", "trust", ...)
// to a Type.
func ParseType(s string) (Type, bool) {
	for i, n := range typeNames {
		if n == s {
			return Type(i), true
		}
	}
	return 0, false
}

// Document is a parsed policy document. It keeps the distinctions IAM cares
// about (element absent versus empty, a single string versus a list) so that
// validation can give IAM's answers and printing can round-trip.
type Document struct {
	Version    string
	HasVersion bool
	ID         string
	HasID      bool
	Statements []Statement
	// SingleStatement records that Statement was an object rather than an array.
	SingleStatement bool
}

// Statement is one element of the Statement array.
type Statement struct {
	Sid          string
	HasSid       bool
	Effect       Effect
	HasEffect    bool
	Principal    *PrincipalElement
	NotPrincipal *PrincipalElement
	Action       Values
	NotAction    Values
	Resource     Values
	NotResource  Values
	Condition    []ConditionBlock
	HasCondition bool
}

// Values is a policy element that may be written as a string or an array of
// strings.
type Values struct {
	List   []string
	Set    bool // the element was present
	Single bool // written as a bare string
}

// PrincipalElement is a Principal or NotPrincipal element: either the bare string
// "*" (Wildcard) or a map from principal type to values.
type PrincipalElement struct {
	Wildcard bool
	Entries  []PrincipalEntry
}

// PrincipalEntry is one principal type ("AWS", "Service", "Federated",
// "CanonicalUser") with its values.
type PrincipalEntry struct {
	Type   string
	Values Values
}

// ConditionBlock is one condition operator with its keys, e.g.
// "StringEquals": {"aws:username": "bob", "aws:PrincipalTag/team": ["a","b"]}.
type ConditionBlock struct {
	Operator string
	Keys     []ConditionKey
}

// ConditionKey is one key of a condition block and the values it is compared
// with. Values written as JSON numbers or booleans keep their text.
type ConditionKey struct {
	Key    string
	Values Values
}
