package catalog

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// ManagedPolicy is an AWS managed policy: one that AWS owns, that lives in
// every account under the "aws" account alias, and that customers attach
// but cannot edit. rolecall serves these from the catalog so GetPolicy,
// GetPolicyVersion and attachment behave as in AWS.
type ManagedPolicy struct {
	Name             string
	Path             string // e.g. "/" or "/service-role/"
	ARN              string // "arn:aws:iam::aws:policy" + Path + Name
	DefaultVersionID string // e.g. "v10"
	CreateDate       time.Time
	UpdateDate       time.Time
	// Document is the policy document as JSON text, exactly as the source
	// data spells it (key order, escapes, numbers) minus insignificant
	// whitespace, so what GetPolicyVersion returns is stable byte for byte.
	// The source lists object keys alphabetically ("Statement" before
	// "Version"), so this is AWS's content but not AWS's formatting.
	Document string
}

// managedPolicyARNPrefix is where AWS keeps its managed policies. They are
// owned by the pseudo-account "aws" rather than a numeric account.
const managedPolicyARNPrefix = "arn:aws:iam::aws:policy"

type policyData struct {
	list  []ManagedPolicy  // sorted by name
	index map[string]int32 // name and ARN -> position in list
}

// loadPolicies decodes the managed policies on first use, separately from
// the action catalog: they are the larger half of the data and most callers
// (policy validation, evaluation) never need them.
var loadPolicies = sync.OnceValue(decodePolicies)

const policiesFile = "data/managed-policies.tsv.gz"

func decodePolicies() *policyData {
	text := readGz(policiesFile)
	n := strings.Count(text, "\n")
	d := &policyData{
		list:  make([]ManagedPolicy, 0, n),
		index: make(map[string]int32, 2*n),
	}
	r := &records{file: policiesFile, rest: text}
	for r.next() {
		f := r.fields
		r.want(6, 6)
		created, err := time.Parse(time.RFC3339, f[3])
		if err != nil {
			corrupt(r.file, r.line, "%v", err)
		}
		updated, err := time.Parse(time.RFC3339, f[4])
		if err != nil {
			corrupt(r.file, r.line, "%v", err)
		}
		p := ManagedPolicy{
			Name:             f[0],
			Path:             f[1],
			ARN:              managedPolicyARNPrefix + f[1] + f[0],
			DefaultVersionID: f[2],
			CreateDate:       created,
			UpdateDate:       updated,
			Document:         f[5],
		}
		i := int32(len(d.list))
		d.list = append(d.list, p)
		d.index[p.Name] = i
		d.index[p.ARN] = i
	}
	// ManagedPolicies promises name order and hands out this slice's order,
	// so a data file that breaks the promise must not load silently.
	if !slices.IsSortedFunc(d.list, func(a, b ManagedPolicy) int { return strings.Compare(a.Name, b.Name) }) {
		corrupt(r.file, r.line, "policies not sorted by name")
	}
	return d
}

// ManagedPolicies returns every AWS managed policy, sorted by name. The slice
// is the caller's to keep or reorder.
func ManagedPolicies() []ManagedPolicy {
	return slices.Clone(loadPolicies().list)
}

// LookupManagedPolicy finds an AWS managed policy by name
// ("AmazonECS_FullAccess") or by ARN
// ("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role").
// Matching is exact: ARNs are case-sensitive, and an ARN with the wrong path
// names no policy in AWS either.
func LookupManagedPolicy(nameOrARN string) (ManagedPolicy, bool) {
	d := loadPolicies()
	if i, ok := d.index[nameOrARN]; ok {
		return d.list[i], true
	}
	return ManagedPolicy{}, false
}
