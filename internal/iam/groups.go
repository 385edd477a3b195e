package iam

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Groups: lifecycle and membership. A membership is recorded on both sides,
// in Group.Members and User.Groups (in the order users were added), and every
// operation keeps the two in step within one transaction. Group policies
// (inline and attached) live on the Group record and are managed with the
// policies.

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, c Caller, name, path string) (*Group, error) {
	if err := validateName("groupName", name, maxGroupNameLen); err != nil {
		return nil, err
	}
	path, err := normalizePath(path)
	if err != nil {
		return nil, err
	}
	g := &Group{
		Account:    c.Account,
		Path:       path,
		Name:       name,
		ID:         NewID("AGPA"),
		ARN:        s.arn(c.Account, "group", path, name),
		CreateDate: s.Now(),
	}
	err = s.update(ctx, func(tx store.Tx) error {
		if err := create(tx, groupKey(c.Account, name), g); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.EntityAlreadyExists("Group with name %s already exists.", name)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// readGroup loads a group or answers NoSuchEntity as IAM does.
func readGroup(r store.Reader, acct, name string) (*Group, error) {
	g, _, err := get[Group](r, groupKey(acct, name))
	if isNotFound(err) {
		return nil, awserr.NoSuchEntity("The group with name %s cannot be found.", name)
	}
	return g, err
}

// GetGroup returns a group and a page of its members, in the order they were
// added.
func (s *Service) GetGroup(ctx context.Context, c Caller, name string, pg Page) (g *Group, users []*User, next string, err error) {
	if err := validateName("groupName", name, maxGroupNameLen); err != nil {
		return nil, nil, "", err
	}
	err = s.view(ctx, func(r store.Reader) error {
		var err error
		if g, err = readGroup(r, c.Account, name); err != nil {
			return err
		}
		var members []string
		if members, next, err = paginateOffset("group-users", g.Members, pg); err != nil {
			return err
		}
		users, err = getNamed[User](r, members, func(m string) string { return userKey(c.Account, m) })
		return err
	})
	return g, users, next, err
}

// ListGroups lists the account's groups whose path starts with pathPrefix,
// in name order.
// The records may be shared with other readers (see recordCache): callers
// must not modify them.
func (s *Service) ListGroups(ctx context.Context, c Caller, pathPrefix string, pg Page) (groups []*Group, next string, err error) {
	if err := validatePathPrefix(pathPrefix); err != nil {
		return nil, "", err
	}
	err = s.view(ctx, func(r store.Reader) error {
		keep := pathFilter(pathPrefix, func(g *Group) string { return g.Path })
		groups, next, err = listPage(s, r, "groups", groupPrefix(c.Account), keep, pg)
		return err
	})
	return groups, next, err
}

// ListGroupsForUser lists the groups a user belongs to, in the order the
// user was added to them.
func (s *Service) ListGroupsForUser(ctx context.Context, c Caller, userName string, pg Page) (groups []*Group, next string, err error) {
	if err := validateName("userName", userName, maxUserNameLen); err != nil {
		return nil, "", err
	}
	err = s.view(ctx, func(r store.Reader) error {
		u, err := readUser(r, c.Account, userName)
		if err != nil {
			return err
		}
		names, n, err := paginateOffset("user-groups", u.Groups, pg)
		if err != nil {
			return err
		}
		next = n
		groups, err = getNamed[Group](r, names, func(name string) string { return groupKey(c.Account, name) })
		return err
	})
	return groups, next, err
}

// UpdateGroupInput is UpdateGroup's request; nil fields are left unchanged.
type UpdateGroupInput struct {
	GroupName    string
	NewGroupName *string
	NewPath      *string
}

// UpdateGroup renames a group and/or moves it to another path. It keeps its
// ID, members and policies.
func (s *Service) UpdateGroup(ctx context.Context, c Caller, in UpdateGroupInput) error {
	newPath, err := checkRename("groupName", in.GroupName, in.NewGroupName, in.NewPath, maxGroupNameLen)
	if err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		g, err := readGroup(tx, c.Account, in.GroupName)
		if err != nil {
			return err
		}
		oldName := g.Name
		if in.NewPath != nil {
			g.Path = newPath
		}
		if in.NewGroupName != nil {
			g.Name = *in.NewGroupName
		}
		g.ARN = s.arn(c.Account, "group", g.Path, g.Name)
		if err := rekey(tx, groupKey(c.Account, oldName), groupKey(c.Account, g.Name), g, func() error {
			return awserr.EntityAlreadyExists("Group with name %s already exists.", g.Name)
		}); err != nil || strings.EqualFold(oldName, g.Name) {
			return err
		}
		// Members refer to the group by name.
		members, err := getNamed[User](tx, g.Members, func(m string) string { return userKey(c.Account, m) })
		if err != nil {
			return err
		}
		for _, u := range members {
			renameIn(u.Groups, oldName, g.Name)
			if err := put(tx, userKey(c.Account, u.Name), u); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteGroup deletes a group that has no members and no policies.
func (s *Service) DeleteGroup(ctx context.Context, c Caller, name string) error {
	if err := validateName("groupName", name, maxGroupNameLen); err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		g, err := readGroup(tx, c.Account, name)
		if err != nil {
			return err
		}
		switch {
		case len(g.Members) > 0:
			return awserr.DeleteConflict("Cannot delete entity, must remove users from group first.")
		case len(g.InlinePolicies) > 0:
			return awserr.DeleteConflict("Cannot delete entity, must delete policies first.")
		case len(g.AttachedPolicies) > 0:
			return awserr.DeleteConflict("Cannot delete entity, must detach all policies first.")
		}
		return tx.Delete(groupKey(c.Account, g.Name))
	})
}

// AddUserToGroup makes a user a member of a group; adding a member again
// changes nothing. The user is looked up before the group.
func (s *Service) AddUserToGroup(ctx context.Context, c Caller, groupName, userName string) error {
	return s.updateMembership(ctx, c, groupName, userName, func(g *Group, u *User) (bool, error) {
		if containsFold(g.Members, u.Name) {
			return false, nil
		}
		if len(u.Groups) >= maxGroupsPerUser {
			return false, awserr.LimitExceeded("Cannot exceed quota for GroupsPerUser: %d", maxGroupsPerUser)
		}
		g.Members = append(g.Members, u.Name)
		if !containsFold(u.Groups, g.Name) {
			u.Groups = append(u.Groups, g.Name)
		}
		return true, nil
	})
}

// maxGroupsPerUser is IAM's GroupsPerUser quota.
const maxGroupsPerUser = 10

// RemoveUserFromGroup ends a membership. Like IAM, it checks that the user
// and then the group exist, and succeeds when the user was not a member.
func (s *Service) RemoveUserFromGroup(ctx context.Context, c Caller, groupName, userName string) error {
	return s.updateMembership(ctx, c, groupName, userName, func(g *Group, u *User) (bool, error) {
		if !containsFold(g.Members, u.Name) && !containsFold(u.Groups, g.Name) {
			return false, nil
		}
		g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return strings.EqualFold(m, u.Name) })
		u.Groups = slices.DeleteFunc(u.Groups, func(n string) bool { return strings.EqualFold(n, g.Name) })
		return true, nil
	})
}

// updateMembership runs fn on a group and a user (the user looked up first)
// in one transaction and, when fn reports a change, stores both, so the two
// sides of a membership change together.
func (s *Service) updateMembership(ctx context.Context, c Caller, groupName, userName string, fn func(g *Group, u *User) (changed bool, err error)) error {
	if err := validateName("groupName", groupName, maxGroupNameLen); err != nil {
		return err
	}
	if err := validateName("userName", userName, maxUserNameLen); err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		u, err := readUser(tx, c.Account, userName)
		if err != nil {
			return err
		}
		g, err := readGroup(tx, c.Account, groupName)
		if err != nil {
			return err
		}
		if changed, err := fn(g, u); err != nil || !changed {
			return err
		}
		if err := put(tx, groupKey(c.Account, g.Name), g); err != nil {
			return err
		}
		return put(tx, userKey(c.Account, u.Name), u)
	})
}

func containsFold(xs []string, s string) bool {
	return slices.ContainsFunc(xs, func(x string) bool { return strings.EqualFold(x, s) })
}
