package iam

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// PolicyHolder says which kind of entity holds managed policy attachments
// and inline policies: roles, users and groups share those operations.
type PolicyHolder int

const (
	HolderRole PolicyHolder = iota
	HolderUser
	HolderGroup
)

// maxAttachedPolicies is the quota of managed policies attached to one
// role, user or group.
const maxAttachedPolicies = 10

func (k PolicyHolder) noun() string {
	switch k {
	case HolderUser:
		return "user"
	case HolderGroup:
		return "group"
	}
	return "role"
}

// validateEntityName checks the API member naming the entity (roleName,
// userName or groupName).
func (k PolicyHolder) validateEntityName(name string) error {
	switch k {
	case HolderUser:
		return validateName("userName", name, maxUserNameLen)
	case HolderGroup:
		return validateName("groupName", name, maxGroupNameLen)
	}
	return validateName("roleName", name, maxRoleNameLen)
}

func (k PolicyHolder) attachQuota() string {
	switch k {
	case HolderUser:
		return "PoliciesPerUser"
	case HolderGroup:
		return "PoliciesPerGroup"
	}
	return "PoliciesPerRole"
}

// inlineQuota is the total size of an entity's inline policies, white space
// not counted.
func (k PolicyHolder) inlineQuota() int {
	switch k {
	case HolderUser:
		return 2048
	case HolderGroup:
		return 5120
	}
	return 10240
}

// policyHolder is a loaded role, user or group, seen through the fields the
// policy operations change.
type policyHolder struct {
	kind     PolicyHolder
	name     string // as stored
	key      string
	inline   *map[string]string
	attached *[]string
	role     *Role // set for roles, which may be protected (service-linked)
	record   any
}

func (h *policyHolder) save(tx store.Tx) error { return put(tx, h.key, h.record) }

// checkModifiable refuses changes to service-linked roles as AWS does.
func (h *policyHolder) checkModifiable() error {
	if h.role != nil {
		return protectedRole(h.role)
	}
	return nil
}

// loadHolder reads the role, user or group called name, or answers
// NoSuchEntity as IAM does.
func (s *Service) loadHolder(r store.Reader, acct string, kind PolicyHolder, name string) (*policyHolder, error) {
	switch kind {
	case HolderUser:
		u, err := readUser(r, acct, name)
		if err != nil {
			return nil, err
		}
		return &policyHolder{kind: kind, name: u.Name, key: userKey(acct, u.Name), inline: &u.InlinePolicies, attached: &u.AttachedPolicies, record: u}, nil
	case HolderGroup:
		g, err := readGroup(r, acct, name)
		if err != nil {
			return nil, err
		}
		return &policyHolder{kind: kind, name: g.Name, key: groupKey(acct, g.Name), inline: &g.InlinePolicies, attached: &g.AttachedPolicies, record: g}, nil
	}
	ro, err := s.readRole(r, acct, name)
	if err != nil {
		return nil, err
	}
	return &policyHolder{kind: kind, name: ro.Name, key: roleKey(acct, ro.Name), inline: &ro.InlinePolicies, attached: &ro.AttachedPolicies, role: ro, record: ro}, nil
}

// updateHolder runs fn in a transaction on the role, user or group called
// name, once it is known to exist and to be modifiable.
func (s *Service) updateHolder(ctx context.Context, acct string, kind PolicyHolder, name string, fn func(tx store.Tx, h *policyHolder) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		h, err := s.loadHolder(tx, acct, kind, name)
		if err != nil {
			return err
		}
		if err := h.checkModifiable(); err != nil {
			return err
		}
		return fn(tx, h)
	})
}

// AttachPolicy attaches a managed policy to a role, user or group
// (AttachRolePolicy, AttachUserPolicy, AttachGroupPolicy). Attaching a
// policy that is already attached succeeds and changes nothing, as in AWS.
func (s *Service) AttachPolicy(ctx context.Context, c Caller, kind PolicyHolder, entity, policyARN string) error {
	if err := kind.validateEntityName(entity); err != nil {
		return err
	}
	ref, err := parsePolicyARN(policyARN)
	if err != nil {
		return err
	}
	return s.updateHolder(ctx, c.Account, kind, entity, func(tx store.Tx, h *policyHolder) error {
		p, ok, err := s.findPolicy(tx, c.Account, ref)
		if err != nil {
			return err
		}
		if !ok {
			return awserr.NoSuchEntity("Policy %s does not exist or is not attachable.", policyARN)
		}
		// Service role policies are for service-linked roles only, which
		// AWS creates with their policy attached.
		if p.AWSManaged() && strings.HasPrefix(p.Path, "/aws-service-role/") {
			return awserr.New(http.StatusBadRequest, "PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.")
		}
		if slices.Contains(*h.attached, policyARN) {
			return nil
		}
		if len(*h.attached) >= maxAttachedPolicies {
			return awserr.LimitExceeded("Cannot exceed quota for %s: %d", kind.attachQuota(), maxAttachedPolicies)
		}
		*h.attached = append(*h.attached, policyARN)
		if err := s.adjustPolicyUsage(tx, c.Account, policyARN, 1, 0); err != nil {
			return err
		}
		return h.save(tx)
	})
}

// DetachPolicy detaches a managed policy from a role, user or group.
func (s *Service) DetachPolicy(ctx context.Context, c Caller, kind PolicyHolder, entity, policyARN string) error {
	if err := kind.validateEntityName(entity); err != nil {
		return err
	}
	if _, err := parsePolicyARN(policyARN); err != nil {
		return err
	}
	return s.updateHolder(ctx, c.Account, kind, entity, func(tx store.Tx, h *policyHolder) error {
		i := slices.Index(*h.attached, policyARN)
		if i < 0 {
			return awserr.NoSuchEntity("Policy %s was not found.", policyARN)
		}
		*h.attached = slices.Delete(*h.attached, i, i+1)
		if len(*h.attached) == 0 {
			*h.attached = nil
		}
		if err := s.adjustPolicyUsage(tx, c.Account, policyARN, -1, 0); err != nil {
			// A policy cannot be deleted while attached, so it is there; if
			// a damaged store says otherwise, detaching still succeeds.
			if e, ok := awserr.As(err); !ok || e.Code != "NoSuchEntity" {
				return err
			}
		}
		return h.save(tx)
	})
}

// AttachedPolicy is one managed policy attached to an entity.
type AttachedPolicy struct {
	Name string
	ARN  string
}

// ListAttachedPolicies lists the managed policies attached to a role, user
// or group in the order they were attached, optionally only those whose
// path starts with pathPrefix.
func (s *Service) ListAttachedPolicies(ctx context.Context, c Caller, kind PolicyHolder, entity, pathPrefix string, pg Page) ([]AttachedPolicy, string, error) {
	if err := kind.validateEntityName(entity); err != nil {
		return nil, "", err
	}
	if err := validatePathPrefix(pathPrefix); err != nil {
		return nil, "", err
	}
	var out []AttachedPolicy
	err := s.view(ctx, func(r store.Reader) error {
		h, err := s.loadHolder(r, c.Account, kind, entity)
		if err != nil {
			return err
		}
		for _, a := range *h.attached {
			ref, err := parsePolicyARN(a)
			if err != nil {
				continue // stored ARNs were valid when attached
			}
			if strings.HasPrefix(ref.Path, pathPrefix) {
				out = append(out, AttachedPolicy{Name: ref.Name, ARN: a})
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return paginateOffset("attached-policies", out, pg)
}
