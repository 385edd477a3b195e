package iam

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/policy"
)

// IAM quotas and limits that apply to roles.
const (
	maxTrustPolicyChars   = 2048
	defaultSessionSeconds = 3600
	maxSessionSeconds     = 43200
	maxRoleNameLen        = 64
	maxDescriptionLen     = 1000
)

// serviceRolePathPrefix is the path IAM reserves for service-linked roles.
const serviceRolePathPrefix = "/aws-service-role/"

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

// checkMaxSession validates a role's MaxSessionDuration (seconds).
func checkMaxSession(n int) error {
	if n < defaultSessionSeconds {
		return constraint("maxSessionDuration", "Member must have value greater than or equal to 3600")
	}
	if n > maxSessionSeconds {
		return constraint("maxSessionDuration", "Member must have value less than or equal to 43200")
	}
	return nil
}

// checkRoleDescription applies IAM's rules for a role description.
func checkRoleDescription(d string) error {
	if utf8.RuneCountInString(d) > maxDescriptionLen {
		return constraint("description", "Member must have length less than or equal to 1000")
	}
	for _, r := range d {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0x7E) || (r >= 0xA1 && r <= 0xFF) {
			continue
		}
		return constraint("description", `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`)
	}
	return nil
}

// protectedRole refuses changes that only AWS may make to a service-linked
// role, with IAM's UnmodifiableEntity message. Operations on roles owned by
// other files (AttachRolePolicy, PutRolePolicy, ...) should call it too.
func protectedRole(r *Role) error {
	if r.ServiceLinked == "" {
		return nil
	}
	return awserr.UnmodifiableEntity("Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", r.Name)
}

// checkBoundaryARNLength applies the arnType length limits to a
// PermissionsBoundary parameter.
func checkBoundaryARNLength(a string) error {
	if len(a) < 20 {
		return constraint("permissionsBoundary", "Member must have length greater than or equal to 20")
	}
	if len(a) > 2048 {
		return constraint("permissionsBoundary", "Member must have length less than or equal to 2048")
	}
	return nil
}

// CreateRole creates a role.
func (s *Service) CreateRole(ctx context.Context, c Caller, in CreateRoleInput) (*Role, error) {
	if err := validateName("roleName", in.RoleName, maxRoleNameLen); err != nil {
		return nil, err
	}
	path, err := normalizePath(in.Path)
	if err != nil {
		return nil, err
	}
	if err := checkRoleDescription(in.Description); err != nil {
		return nil, err
	}
	if in.MaxSessionDuration == 0 {
		in.MaxSessionDuration = defaultSessionSeconds
	}
	if err := checkMaxSession(in.MaxSessionDuration); err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	if in.PermissionsBoundary != "" {
		if err := checkBoundaryARNLength(in.PermissionsBoundary); err != nil {
			return nil, err
		}
	}
	if strings.HasPrefix(path, serviceRolePathPrefix) {
		return nil, awserr.InvalidInput("Path prefix '%s' can only be used for AWS Service linked Roles", serviceRolePathPrefix)
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
		err := s.insertRole(tx, r)
		if errors.Is(err, store.ErrExists) {
			return awserr.EntityAlreadyExists("Role with name %s already exists.", in.RoleName)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// insertRole stores a new role, enforcing the account's role quota. A name
// already taken (in any spelling) is store.ErrExists for the caller to word.
func (s *Service) insertRole(tx store.Tx, r *Role) error {
	if _, err := tx.Get(roleKey(r.Account, r.Name)); err == nil {
		return store.ErrExists
	} else if !isNotFound(err) {
		return err
	}
	if err := adjustCount(tx, r.Account, "roles", rolePrefix(r.Account), +1, s.Quotas.RolesPerAccount, "RolesPerAccount"); err != nil {
		return err
	}
	return create(tx, roleKey(r.Account, r.Name), r)
}

// GetRole returns a role by name.
func (s *Service) GetRole(ctx context.Context, c Caller, name string) (*Role, error) {
	if err := validateName("roleName", name, maxRoleNameLen); err != nil {
		return nil, err
	}
	var r *Role
	err := s.view(ctx, func(rd store.Reader) error {
		var err error
		// Read-only: the caller only encodes the role, so the decoded
		// record can be shared.
		r, err = getShared[Role](s, rd, roleKey(c.Account, name))
		if isNotFound(err) {
			return awserr.NoSuchEntity("The role with name %s cannot be found.", name)
		}
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

// modifyRole runs fn on the named role in one transaction and stores the
// result unless fn fails.
func (s *Service) modifyRole(ctx context.Context, c Caller, name string, fn func(tx store.Tx, r *Role) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		r, err := s.readRole(tx, c.Account, name)
		if err != nil {
			return err
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		return put(tx, roleKey(c.Account, r.Name), r)
	})
}

// useAsBoundary checks that policyARN names an existing managed policy (AWS
// or customer) and adjusts its permissions-boundary usage count by delta.
// Implemented with the managed policies.
func (s *Service) useAsBoundary(tx store.Tx, acct, policyARN string, delta int) error {
	return s.adjustPolicyUsage(tx, acct, policyARN, 0, delta)
}

// ListRoles lists the account's roles whose path starts with pathPrefix, in
// name order (names compared without regard to case, as IAM keeps them
// unique).
func (s *Service) ListRoles(ctx context.Context, c Caller, pathPrefix string, pg Page) (roles []*Role, next string, err error) {
	if err := validatePathPrefix(pathPrefix); err != nil {
		return nil, "", err
	}
	if _, err := pg.limit(); err != nil {
		return nil, "", err
	}
	err = s.view(ctx, func(r store.Reader) error {
		keep := pathFilter(pathPrefix, func(role *Role) string { return role.Path })
		roles, next, err = listPage(s, r, "roles", rolePrefix(c.Account), keep, pg)
		return err
	})
	return roles, next, err
}

// UpdateRoleInput is UpdateRole's request; nil fields are left unchanged.
type UpdateRoleInput struct {
	RoleName           string
	Description        *string
	MaxSessionDuration *int
}

// UpdateRole changes a role's description and/or maximum session duration.
// A service-linked role's description may be changed, nothing else.
func (s *Service) UpdateRole(ctx context.Context, c Caller, in UpdateRoleInput) error {
	if err := validateName("roleName", in.RoleName, maxRoleNameLen); err != nil {
		return err
	}
	if in.Description != nil {
		if err := checkRoleDescription(*in.Description); err != nil {
			return err
		}
	}
	if in.MaxSessionDuration != nil {
		if err := checkMaxSession(*in.MaxSessionDuration); err != nil {
			return err
		}
	}
	return s.modifyRole(ctx, c, in.RoleName, func(_ store.Tx, r *Role) error {
		if in.MaxSessionDuration != nil {
			if err := protectedRole(r); err != nil {
				return err
			}
			r.MaxSessionDuration = *in.MaxSessionDuration
		}
		if in.Description != nil {
			r.Description = *in.Description
		}
		return nil
	})
}

// UpdateRoleDescription sets a role's description and returns the role.
func (s *Service) UpdateRoleDescription(ctx context.Context, c Caller, name, description string) (*Role, error) {
	if err := validateName("roleName", name, maxRoleNameLen); err != nil {
		return nil, err
	}
	if err := checkRoleDescription(description); err != nil {
		return nil, err
	}
	var out *Role
	err := s.modifyRole(ctx, c, name, func(_ store.Tx, r *Role) error {
		r.Description = description
		out = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, c Caller, name, doc string) error {
	if err := validateName("roleName", name, maxRoleNameLen); err != nil {
		return err
	}
	return s.modifyRole(ctx, c, name, func(_ store.Tx, r *Role) error {
		if err := protectedRole(r); err != nil {
			return err
		}
		if err := CheckTrustPolicy(doc); err != nil {
			return err
		}
		r.AssumeRolePolicy = doc
		return nil
	})
}

// DeleteRole deletes a role that is in no instance profile and has no
// policies. Service-linked roles are deleted with DeleteServiceLinkedRole.
func (s *Service) DeleteRole(ctx context.Context, c Caller, name string) error {
	if err := validateName("roleName", name, maxRoleNameLen); err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		r, err := s.readRole(tx, c.Account, name)
		if err != nil {
			return err
		}
		if err := protectedRole(r); err != nil {
			return err
		}
		// AWS's precedence: instance profiles, inline policies, then
		// attached managed policies.
		switch {
		case len(r.InstanceProfiles) > 0:
			return awserr.DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		case len(r.InlinePolicies) > 0:
			return awserr.DeleteConflict("Cannot delete entity, must delete policies first.")
		case len(r.AttachedPolicies) > 0:
			return awserr.DeleteConflict("Cannot delete entity, must detach all policies first.")
		}
		if r.PermissionsBoundary != "" {
			if err := s.releaseBoundary(tx, c.Account, r.PermissionsBoundary); err != nil {
				return err
			}
		}
		if err := adjustCount(tx, c.Account, "roles", rolePrefix(c.Account), -1, 0, ""); err != nil {
			return err
		}
		return tx.Delete(roleKey(c.Account, r.Name))
	})
}

// TagRole adds tags to a role or replaces the values of keys it has.
func (s *Service) TagRole(ctx context.Context, c Caller, name string, tags []Tag) error {
	if err := validateName("roleName", name, maxRoleNameLen); err != nil {
		return err
	}
	if err := validateTags(tags); err != nil {
		return err
	}
	return s.modifyRole(ctx, c, name, func(_ store.Tx, r *Role) error {
		merged, err := mergeTags(r.Tags, tags)
		r.Tags = merged
		return err
	})
}

// UntagRole removes tags from a role; keys it does not have are ignored.
func (s *Service) UntagRole(ctx context.Context, c Caller, name string, keys []string) error {
	if err := validateName("roleName", name, maxRoleNameLen); err != nil {
		return err
	}
	if err := checkTagKeys(keys); err != nil {
		return err
	}
	return s.modifyRole(ctx, c, name, func(_ store.Tx, r *Role) error {
		r.Tags = removeTags(r.Tags, keys)
		return nil
	})
}

// ListRoleTags returns a role's tags in the order they were added.
func (s *Service) ListRoleTags(ctx context.Context, c Caller, name string, pg Page) (tags []Tag, next string, err error) {
	if err := validateName("roleName", name, maxRoleNameLen); err != nil {
		return nil, "", err
	}
	if _, err := pg.limit(); err != nil {
		return nil, "", err
	}
	err = s.view(ctx, func(rd store.Reader) error {
		r, err := s.readRole(rd, c.Account, name)
		if err != nil {
			return err
		}
		tags, next, err = paginateOffset("role-tags", r.Tags, pg)
		return err
	})
	return tags, next, err
}

// PutRolePermissionsBoundary sets or replaces a role's permissions boundary.
// Service-linked roles cannot have one.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, c Caller, name, policyARN string) error {
	if err := validateName("roleName", name, maxRoleNameLen); err != nil {
		return err
	}
	if err := checkBoundaryARNLength(policyARN); err != nil {
		return err
	}
	return s.modifyRole(ctx, c, name, func(tx store.Tx, r *Role) error {
		if err := protectedRole(r); err != nil {
			return err
		}
		if r.PermissionsBoundary == policyARN {
			// Same boundary again: still check it exists, change nothing.
			if err := s.useAsBoundary(tx, c.Account, policyARN, +1); err != nil {
				return err
			}
			return s.useAsBoundary(tx, c.Account, policyARN, -1)
		}
		if err := s.useAsBoundary(tx, c.Account, policyARN, +1); err != nil {
			return err
		}
		if r.PermissionsBoundary != "" {
			if err := s.releaseBoundary(tx, c.Account, r.PermissionsBoundary); err != nil {
				return err
			}
		}
		r.PermissionsBoundary = policyARN
		return nil
	})
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary; a
// role without one is left as it is.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, c Caller, name string) error {
	if err := validateName("roleName", name, maxRoleNameLen); err != nil {
		return err
	}
	return s.modifyRole(ctx, c, name, func(tx store.Tx, r *Role) error {
		if err := protectedRole(r); err != nil {
			return err
		}
		if r.PermissionsBoundary == "" {
			return nil
		}
		if err := s.releaseBoundary(tx, c.Account, r.PermissionsBoundary); err != nil {
			return err
		}
		r.PermissionsBoundary = ""
		return nil
	})
}
