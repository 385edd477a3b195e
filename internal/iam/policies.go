package iam

import (
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

// adjustPolicyUsage finds the managed policy policyARN (AWS managed or the
// account's own) and adds attach to its attachment count and boundary to its
// permissions-boundary usage count, in tx. A missing policy is NoSuchEntity
// with IAM's "does not exist or is not attachable" message.
func (s *Service) adjustPolicyUsage(tx store.Tx, acct, policyARN string, attach, boundary int) error {
	notFound := awserr.NoSuchEntity("Policy %s does not exist or is not attachable.", policyARN)
	awsPrefix := "arn:" + s.Partition + ":iam::aws:policy/"
	if strings.HasPrefix(policyARN, awsPrefix) {
		mp, ok := catalog.LookupManagedPolicy(policyARN)
		if !ok {
			return notFound
		}
		u, _, err := get[awsUsage](tx, awsPolicyKey(acct, mp.Name))
		if err != nil && !isNotFound(err) {
			return err
		}
		if u == nil {
			u = &awsUsage{}
		}
		u.AttachmentCount += attach
		u.BoundaryUsageCount += boundary
		return put(tx, awsPolicyKey(acct, mp.Name), u)
	}
	ownPrefix := "arn:" + s.Partition + ":iam::" + acct + ":policy/"
	if !strings.HasPrefix(policyARN, ownPrefix) {
		return notFound
	}
	name := policyARN[strings.LastIndexByte(policyARN, '/')+1:]
	p, _, err := get[ManagedPolicy](tx, policyKey(acct, name))
	if isNotFound(err) || (err == nil && p.ARN != policyARN) {
		return notFound
	}
	if err != nil {
		return err
	}
	p.AttachmentCount += attach
	p.BoundaryUsageCount += boundary
	return put(tx, policyKey(acct, name), p)
}
