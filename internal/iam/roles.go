package iam

import (
	"context"
	"errors"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/policy"
)

// IAM quotas that apply to roles.
const (
	maxTrustPolicyChars   = 2048
	defaultSessionSeconds = 3600
	maxSessionSeconds     = 43200
)

// CreateRoleInput is CreateRole's request.
type CreateRoleInput struct {
	RoleName                 string
	Path                     string
	AssumeRolePolicyDocument string
	Description              string
	MaxSessionDuration       int // 0: the default, one hour
	PermissionsBoundary      string
	Tags                     []Tag
}

// CheckTrustPolicy validates a role trust policy as IAM does, with IAM's
// MalformedPolicyDocument messages and the 2,048-character quota.
func CheckTrustPolicy(doc string) error {
	if len(doc) > maxTrustPolicyChars {
		return awserr.LimitExceeded("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicyChars)
	}
	if _, err := policy.Check([]byte(doc), policy.CheckOptions{Type: policy.TypeTrust}); err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return awserr.MalformedPolicyDocument("%s", pe.Message)
		}
		return awserr.MalformedPolicyDocument("%s", err.Error())
	}
	return nil
}

// CreateRole creates a role.
func (s *Service) CreateRole(ctx context.Context, c Caller, in CreateRoleInput) (*Role, error) {
	if err := validateName("roleName", in.RoleName, 64); err != nil {
		return nil, err
	}
	path, err := normalizePath(in.Path)
	if err != nil {
		return nil, err
	}
	if len(in.Description) > 1000 {
		return nil, constraint("description", "Member must have length less than or equal to 1000")
	}
	if in.MaxSessionDuration == 0 {
		in.MaxSessionDuration = defaultSessionSeconds
	}
	if in.MaxSessionDuration < defaultSessionSeconds || in.MaxSessionDuration > maxSessionSeconds {
		return nil, constraint("maxSessionDuration", "Member must have value less than or equal to 43200") // refined by AWS per bound
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	if err := CheckTrustPolicy(in.AssumeRolePolicyDocument); err != nil {
		return nil, err
	}
	r := &Role{
		Account:            c.Account,
		Path:               path,
		Name:               in.RoleName,
		ID:                 NewID("AROA"),
		ARN:                s.arn(c.Account, "role", path, in.RoleName),
		CreateDate:         s.Now(),
		AssumeRolePolicy:   in.AssumeRolePolicyDocument,
		Description:        in.Description,
		MaxSessionDuration: in.MaxSessionDuration,
		Tags:               in.Tags,
	}
	err = s.update(ctx, func(tx store.Tx) error {
		if in.PermissionsBoundary != "" {
			if err := s.useAsBoundary(tx, c.Account, in.PermissionsBoundary, +1); err != nil {
				return err
			}
			r.PermissionsBoundary = in.PermissionsBoundary
		}
		if err := create(tx, roleKey(c.Account, r.Name), r); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.EntityAlreadyExists("Role with name %s already exists.", in.RoleName)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// GetRole returns a role by name.
func (s *Service) GetRole(ctx context.Context, c Caller, name string) (*Role, error) {
	if err := validateName("roleName", name, 64); err != nil {
		return nil, err
	}
	var r *Role
	err := s.view(ctx, func(rd store.Reader) error {
		var err error
		r, err = s.readRole(rd, c.Account, name)
		return err
	})
	return r, err
}

// readRole loads a role or answers NoSuchEntity as IAM does.
func (s *Service) readRole(rd store.Reader, acct, name string) (*Role, error) {
	r, _, err := get[Role](rd, roleKey(acct, name))
	if isNotFound(err) {
		return nil, awserr.NoSuchEntity("The role with name %s cannot be found.", name)
	}
	return r, err
}

// useAsBoundary checks that policyARN names an existing managed policy (AWS
// or customer) and adjusts its permissions-boundary usage count by delta.
// Implemented with the managed policies.
func (s *Service) useAsBoundary(tx store.Tx, acct, policyARN string, delta int) error {
	return s.adjustPolicyUsage(tx, acct, policyARN, 0, delta)
}
