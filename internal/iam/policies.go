package iam

import (
	"crypto/sha256"
	"strings"

	"github.com/rolecall/rolecall/catalog"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// awsUsage is the per-account usage record of an AWS managed policy (the
// policy itself comes from the embedded catalog and never changes).
type awsUsage struct {
	AttachmentCount    int `json:"attachmentCount"`
	BoundaryUsageCount int `json:"boundaryUsageCount"`
}

// awsAccount is the pseudo-account that owns AWS managed policies.
const awsAccount = "aws"

// AWSManaged reports whether p is an AWS managed policy (from the catalog)
// rather than one of the account's own.
func (p *ManagedPolicy) AWSManaged() bool { return p.Account == awsAccount }

// policyRef is a parsed managed policy ARN:
// arn:PARTITION:iam::ACCOUNT:policy/PATH/NAME, where ACCOUNT is "aws" for
// AWS managed policies.
type policyRef struct {
	ARN       string
	Partition string
	Account   string
	Path      string // "/" or "/a/b/"
	Name      string
}

func (r policyRef) aws() bool { return r.Account == awsAccount }

// parsePolicyARN parses a policy ARN. Text that is not an ARN at all is
// ValidationError "ARN x is not valid." (recorded from AWS for
// AttachRolePolicy/AttachUserPolicy given a bare name); an ARN that names
// something other than an IAM policy is InvalidInput with the same message
// (recorded for PutRolePermissionsBoundary given ...:not_a_policy/invalid).
func parsePolicyARN(a string) (policyRef, error) {
	parts := strings.SplitN(a, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" {
		return policyRef{}, awserr.ValidationError("ARN %s is not valid.", a)
	}
	invalid := awserr.InvalidInput("ARN %s is not valid.", a)
	partition, service, region, acct, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
	if service != "iam" || region != "" || !strings.HasPrefix(resource, "policy/") {
		return policyRef{}, invalid
	}
	if acct != awsAccount && !accountIDRe.MatchString(acct) {
		return policyRef{}, invalid
	}
	rest := resource[len("policy"):] // "/path/name"
	i := strings.LastIndexByte(rest, '/')
	path, name := rest[:i+1], rest[i+1:]
	if name == "" || !nameRe.MatchString(name) || len(name) > 128 || (path != "/" && !pathCharRe.MatchString(path)) {
		return policyRef{}, invalid
	}
	return policyRef{ARN: a, Partition: partition, Account: acct, Path: path, Name: name}, nil
}

// awsPolicyID derives a stable policy ID for an AWS managed policy from its
// name: AWS's real IDs are not published, and a hash keeps every rolecall
// installation answering the same ID for the same policy.
func awsPolicyID(name string) string {
	sum := sha256.Sum256([]byte("rolecall/aws-managed-policy/" + name))
	b := make([]byte, 17)
	for i := range b {
		b[i] = idAlphabet[int(sum[i])%len(idAlphabet)]
	}
	return "ANPA" + string(b)
}

// awsPolicy turns a catalog policy into a ManagedPolicy as acct sees it,
// with the account's usage counts.
func (s *Service) awsPolicy(mp catalog.ManagedPolicy, u *awsUsage) *ManagedPolicy {
	p := &ManagedPolicy{
		Account:          awsAccount,
		Name:             mp.Name,
		ID:               awsPolicyID(mp.Name),
		ARN:              s.awsPolicyARN(mp.Path, mp.Name),
		Path:             mp.Path,
		CreateDate:       mp.CreateDate,
		UpdateDate:       mp.UpdateDate,
		DefaultVersionID: mp.DefaultVersionID,
	}
	if u != nil {
		p.AttachmentCount = u.AttachmentCount
		p.BoundaryUsageCount = u.BoundaryUsageCount
	}
	return p
}

func (s *Service) awsPolicyARN(path, name string) string {
	return "arn:" + s.Partition + ":iam::aws:policy" + path + name
}

// lookupAWSPolicy finds the catalog policy ref names. The catalog spells
// ARNs in the "aws" partition; rolecall serves them in its own.
func (s *Service) lookupAWSPolicy(ref policyRef) (catalog.ManagedPolicy, bool) {
	if ref.Partition != s.Partition {
		return catalog.ManagedPolicy{}, false
	}
	mp, ok := catalog.LookupManagedPolicy(ref.Name)
	if !ok || mp.Path != ref.Path {
		return catalog.ManagedPolicy{}, false
	}
	return mp, true
}

// findPolicy loads the managed policy ref names, as acct sees it: AWS
// managed policies with acct's usage counts, customer managed ones only
// when they are acct's own. The bool is false when there is no such policy.
func (s *Service) findPolicy(r store.Reader, acct string, ref policyRef) (*ManagedPolicy, bool, error) {
	if ref.aws() {
		mp, ok := s.lookupAWSPolicy(ref)
		if !ok {
			return nil, false, nil
		}
		u, _, err := get[awsUsage](r, awsPolicyKey(acct, mp.Name))
		if err != nil && !isNotFound(err) {
			return nil, false, err
		}
		return s.awsPolicy(mp, u), true, nil
	}
	return s.findOwnPolicy(r, acct, ref, false)
}

// findOwnPolicy is findPolicy for a customer managed policy. With shared set
// it serves read-only paths: the record may then be shared between requests
// (see recordCache) and must not be modified.
func (s *Service) findOwnPolicy(r store.Reader, acct string, ref policyRef, shared bool) (*ManagedPolicy, bool, error) {
	if ref.Account != acct || ref.Partition != s.Partition {
		return nil, false, nil
	}
	key := policyKey(acct, ref.Name)
	var p *ManagedPolicy
	var err error
	if shared {
		p, err = getShared[ManagedPolicy](s, r, key)
	} else {
		p, _, err = get[ManagedPolicy](r, key)
	}
	if isNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	// ARNs are case-sensitive: a differently spelled name or another path
	// names no policy, even though names are unique ignoring case.
	if p.ARN != ref.ARN {
		return nil, false, nil
	}
	return p, true, nil
}

// adjustPolicyUsage finds the managed policy policyARN (AWS managed or the
// account's own) and adds attach to its attachment count and boundary to its
// permissions-boundary usage count, in tx. A missing policy is NoSuchEntity:
// "Policy X does not exist or is not attachable." for attachments, and
// "Scope ARN: X does not exist or is not attachable." when only the boundary
// count changes, as AWS answers CreateRole/PutRolePermissionsBoundary.
// A malformed ARN is "ARN X is not valid." (see parsePolicyARN).
func (s *Service) adjustPolicyUsage(tx store.Tx, acct, policyARN string, attach, boundary int) error {
	ref, err := parsePolicyARN(policyARN)
	if err != nil {
		return err
	}
	notFound := func() error {
		if attach == 0 && boundary != 0 {
			return awserr.NoSuchEntity("Scope ARN: %s does not exist or is not attachable.", policyARN)
		}
		return awserr.NoSuchEntity("Policy %s does not exist or is not attachable.", policyARN)
	}
	if ref.aws() {
		mp, ok := s.lookupAWSPolicy(ref)
		if !ok {
			return notFound()
		}
		key := awsPolicyKey(acct, mp.Name)
		u, _, err := get[awsUsage](tx, key)
		if err != nil && !isNotFound(err) {
			return err
		}
		if u == nil {
			u = &awsUsage{}
		}
		u.AttachmentCount = max(0, u.AttachmentCount+attach)
		u.BoundaryUsageCount = max(0, u.BoundaryUsageCount+boundary)
		if u.AttachmentCount == 0 && u.BoundaryUsageCount == 0 {
			if err := tx.Delete(key); err != nil && !isNotFound(err) {
				return err
			}
			return nil
		}
		return put(tx, key, u)
	}
	p, ok, err := s.findPolicy(tx, acct, ref)
	if err != nil {
		return err
	}
	if !ok {
		return notFound()
	}
	p.AttachmentCount = max(0, p.AttachmentCount+attach)
	p.BoundaryUsageCount = max(0, p.BoundaryUsageCount+boundary)
	return put(tx, policyKey(acct, p.Name), p)
}
