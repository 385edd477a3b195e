package iam

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Instance profiles: containers that pass one role to EC2 instances. The
// profile keeps the names of its roles (at most one) and each role keeps the
// names of the profiles holding it; every operation updates both sides in
// one transaction.

const (
	maxProfileNameLen = 128
	// maxRolesPerProfile is the "Roles in an instance profile" quota.
	maxRolesPerProfile = 1
)

// CreateInstanceProfileInput is CreateInstanceProfile's request.
type CreateInstanceProfileInput struct {
	InstanceProfileName string
	Path                string
	Tags                []Tag
}

// ProfileWithRoles is an instance profile with its roles loaded, as the
// Get and List operations return it.
type ProfileWithRoles struct {
	*InstanceProfile
	RoleList []*Role
}

// CreateInstanceProfile creates an empty instance profile.
func (s *Service) CreateInstanceProfile(ctx context.Context, c Caller, in CreateInstanceProfileInput) (*InstanceProfile, error) {
	if err := validateName("instanceProfileName", in.InstanceProfileName, maxProfileNameLen); err != nil {
		return nil, err
	}
	path, err := normalizePath(in.Path)
	if err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	p := &InstanceProfile{
		Account:    c.Account,
		Name:       in.InstanceProfileName,
		ID:         NewID("AIPA"),
		ARN:        s.arn(c.Account, "instance-profile", path, in.InstanceProfileName),
		Path:       path,
		CreateDate: s.Now(),
		Tags:       in.Tags,
	}
	err = s.update(ctx, func(tx store.Tx) error {
		if _, err := tx.Get(profileKey(c.Account, p.Name)); err == nil {
			return awserr.EntityAlreadyExists("Instance Profile %s already exists.", in.InstanceProfileName)
		} else if !isNotFound(err) {
			return err
		}
		if err := adjustCount(tx, c.Account, "instance-profiles", profilePrefix(c.Account), +1, s.Quotas.InstanceProfilesPerAccount, "InstanceProfilesPerAccount"); err != nil {
			return err
		}
		err = create(tx, profileKey(c.Account, p.Name), p)
		if errors.Is(err, store.ErrExists) {
			return awserr.EntityAlreadyExists("Instance Profile %s already exists.", in.InstanceProfileName)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// readProfile loads an instance profile or answers NoSuchEntity as IAM does.
func readProfile(r store.Reader, acct, name string) (*InstanceProfile, error) {
	p, _, err := get[InstanceProfile](r, profileKey(acct, name))
	if isNotFound(err) {
		return nil, awserr.NoSuchEntity("Instance Profile %s cannot be found.", name)
	}
	return p, err
}

// withRoles loads the roles of p. A role name without a record (which the
// transactions never leave behind) is skipped rather than failing a read.
func (s *Service) withRoles(r store.Reader, p *InstanceProfile) (ProfileWithRoles, error) {
	roles, err := getNamed[Role](r, p.Roles, func(name string) string { return roleKey(p.Account, name) })
	return ProfileWithRoles{InstanceProfile: p, RoleList: roles}, err
}

// GetInstanceProfile returns an instance profile with its role.
func (s *Service) GetInstanceProfile(ctx context.Context, c Caller, name string) (*ProfileWithRoles, error) {
	if err := validateName("instanceProfileName", name, maxProfileNameLen); err != nil {
		return nil, err
	}
	var out ProfileWithRoles
	err := s.view(ctx, func(r store.Reader) error {
		p, err := readProfile(r, c.Account, name)
		if err != nil {
			return err
		}
		out, err = s.withRoles(r, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListInstanceProfiles lists the account's instance profiles whose path
// starts with pathPrefix, in name order.
// The records may be shared with other readers (see recordCache): callers
// must not modify them.
func (s *Service) ListInstanceProfiles(ctx context.Context, c Caller, pathPrefix string, pg Page) (profiles []ProfileWithRoles, next string, err error) {
	if err := validatePathPrefix(pathPrefix); err != nil {
		return nil, "", err
	}
	if _, err := pg.limit(); err != nil {
		return nil, "", err
	}
	err = s.view(ctx, func(r store.Reader) error {
		keep := pathFilter(pathPrefix, func(p *InstanceProfile) string { return p.Path })
		page, n, err := listPage(s, r, "instance-profiles", profilePrefix(c.Account), keep, pg)
		if err != nil {
			return err
		}
		next = n
		profiles, err = s.profilesWithRoles(r, page)
		return err
	})
	return profiles, next, err
}

func profileSortKey(p *InstanceProfile) string { return strings.ToLower(p.Name) }

func (s *Service) profilesWithRoles(r store.Reader, ps []*InstanceProfile) ([]ProfileWithRoles, error) {
	out := make([]ProfileWithRoles, 0, len(ps))
	for _, p := range ps {
		pr, err := s.withRoles(r, p)
		if err != nil {
			return nil, err
		}
		out = append(out, pr)
	}
	return out, nil
}

// ListInstanceProfilesForRole lists the instance profiles holding a role,
// in name order.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, c Caller, roleName string, pg Page) (profiles []ProfileWithRoles, next string, err error) {
	if err := validateName("roleName", roleName, maxRoleNameLen); err != nil {
		return nil, "", err
	}
	if _, err := pg.limit(); err != nil {
		return nil, "", err
	}
	err = s.view(ctx, func(r store.Reader) error {
		role, err := s.readRole(r, c.Account, roleName)
		if err != nil {
			return err
		}
		all, err := getNamed[InstanceProfile](r, role.InstanceProfiles, func(name string) string { return profileKey(c.Account, name) })
		if err != nil {
			return err
		}
		slices.SortFunc(all, func(a, b *InstanceProfile) int { return strings.Compare(profileSortKey(a), profileSortKey(b)) })
		page, n, err := paginate("role-instance-profiles", all, profileSortKey, pg)
		if err != nil {
			return err
		}
		next = n
		profiles, err = s.profilesWithRoles(r, page)
		return err
	})
	return profiles, next, err
}

// AddRoleToInstanceProfile puts a role in an instance profile, which can
// hold only one.
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, c Caller, profileName, roleName string) error {
	return s.updateProfileRole(ctx, c, profileName, roleName, func(p *InstanceProfile, r *Role) error {
		if len(p.Roles) >= maxRolesPerProfile {
			return awserr.LimitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: %d", maxRolesPerProfile)
		}
		p.Roles = append(p.Roles, r.Name)
		if !containsFold(r.InstanceProfiles, p.Name) {
			r.InstanceProfiles = append(r.InstanceProfiles, p.Name)
		}
		return nil
	})
}

// RemoveRoleFromInstanceProfile takes a role out of an instance profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, c Caller, profileName, roleName string) error {
	return s.updateProfileRole(ctx, c, profileName, roleName, func(p *InstanceProfile, r *Role) error {
		if !containsFold(p.Roles, r.Name) {
			return awserr.NoSuchEntity("Role %s in Instance Profile %s cannot be found.", roleName, profileName)
		}
		p.Roles = dropName(p.Roles, r.Name)
		r.InstanceProfiles = dropName(r.InstanceProfiles, p.Name)
		return nil
	})
}

// updateProfileRole runs fn on an instance profile and a role (the profile
// looked up first, so a missing one is the answer when both are) in one
// transaction and stores both unless fn fails, so the two sides of the
// relation change together.
func (s *Service) updateProfileRole(ctx context.Context, c Caller, profileName, roleName string, fn func(p *InstanceProfile, r *Role) error) error {
	if err := validateName("instanceProfileName", profileName, maxProfileNameLen); err != nil {
		return err
	}
	if err := validateName("roleName", roleName, maxRoleNameLen); err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		p, err := readProfile(tx, c.Account, profileName)
		if err != nil {
			return err
		}
		r, err := s.readRole(tx, c.Account, roleName)
		if err != nil {
			return err
		}
		if err := fn(p, r); err != nil {
			return err
		}
		if err := put(tx, profileKey(c.Account, p.Name), p); err != nil {
			return err
		}
		return put(tx, roleKey(c.Account, r.Name), r)
	})
}

// DeleteInstanceProfile deletes an instance profile that holds no role.
func (s *Service) DeleteInstanceProfile(ctx context.Context, c Caller, name string) error {
	if err := validateName("instanceProfileName", name, maxProfileNameLen); err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		p, err := readProfile(tx, c.Account, name)
		if err != nil {
			return err
		}
		if len(p.Roles) > 0 {
			return awserr.DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		if err := adjustCount(tx, c.Account, "instance-profiles", profilePrefix(c.Account), -1, 0, ""); err != nil {
			return err
		}
		return tx.Delete(profileKey(c.Account, p.Name))
	})
}

// modifyProfile runs fn on the named instance profile in one transaction
// and stores the result unless fn fails.
func (s *Service) modifyProfile(ctx context.Context, c Caller, name string, fn func(p *InstanceProfile) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		p, err := readProfile(tx, c.Account, name)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		return put(tx, profileKey(c.Account, p.Name), p)
	})
}

// TagInstanceProfile adds tags to an instance profile or replaces the
// values of keys it has.
func (s *Service) TagInstanceProfile(ctx context.Context, c Caller, name string, tags []Tag) error {
	if err := validateName("instanceProfileName", name, maxProfileNameLen); err != nil {
		return err
	}
	if err := validateTags(tags); err != nil {
		return err
	}
	return s.modifyProfile(ctx, c, name, func(p *InstanceProfile) error {
		merged, err := mergeTags(p.Tags, tags)
		p.Tags = merged
		return err
	})
}

// UntagInstanceProfile removes tags from an instance profile; keys it does
// not have are ignored.
func (s *Service) UntagInstanceProfile(ctx context.Context, c Caller, name string, keys []string) error {
	if err := validateName("instanceProfileName", name, maxProfileNameLen); err != nil {
		return err
	}
	if err := checkTagKeys(keys); err != nil {
		return err
	}
	return s.modifyProfile(ctx, c, name, func(p *InstanceProfile) error {
		p.Tags = removeTags(p.Tags, keys)
		return nil
	})
}

// ListInstanceProfileTags returns an instance profile's tags in the order
// they were added.
func (s *Service) ListInstanceProfileTags(ctx context.Context, c Caller, name string, pg Page) (tags []Tag, next string, err error) {
	if err := validateName("instanceProfileName", name, maxProfileNameLen); err != nil {
		return nil, "", err
	}
	if _, err := pg.limit(); err != nil {
		return nil, "", err
	}
	err = s.view(ctx, func(r store.Reader) error {
		p, err := readProfile(r, c.Account, name)
		if err != nil {
			return err
		}
		tags, next, err = paginateOffset("instance-profile-tags", p.Tags, pg)
		return err
	})
	return tags, next, err
}

func dropName(xs []string, s string) []string {
	return slices.DeleteFunc(slices.Clone(xs), func(x string) bool { return strings.EqualFold(x, s) })
}
