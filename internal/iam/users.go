package iam

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// IAM quotas and limits that apply to users.
const (
	maxUserNameLen  = 64
	maxGroupNameLen = 128
)

// CreateUserInput is CreateUser's request.
type CreateUserInput struct {
	UserName            string
	Path                string
	PermissionsBoundary string
	Tags                []Tag
}

// CreateUser creates an IAM user.
func (s *Service) CreateUser(ctx context.Context, c Caller, in CreateUserInput) (*User, error) {
	if err := validateName("userName", in.UserName, maxUserNameLen); err != nil {
		return nil, err
	}
	path, err := normalizePath(in.Path)
	if err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	u := &User{
		Account:    c.Account,
		Path:       path,
		Name:       in.UserName,
		ID:         NewID("AIDA"),
		ARN:        s.arn(c.Account, "user", path, in.UserName),
		CreateDate: s.Now(),
		Tags:       in.Tags,
	}
	err = s.update(ctx, func(tx store.Tx) error {
		if _, _, err := get[User](tx, userKey(c.Account, u.Name)); err == nil {
			return awserr.EntityAlreadyExists("User with name %s already exists.", in.UserName)
		} else if !isNotFound(err) {
			return err
		}
		if in.PermissionsBoundary != "" {
			if err := s.useAsBoundary(tx, c.Account, in.PermissionsBoundary, +1); err != nil {
				return err
			}
			u.PermissionsBoundary = in.PermissionsBoundary
		}
		if err := create(tx, userKey(c.Account, u.Name), u); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.EntityAlreadyExists("User with name %s already exists.", in.UserName)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// readUser loads a user or answers NoSuchEntity as IAM does.
func readUser(r store.Reader, acct, name string) (*User, error) {
	u, _, err := get[User](r, userKey(acct, name))
	if isNotFound(err) {
		return nil, awserr.NoSuchEntity("The user with name %s cannot be found.", name)
	}
	return u, err
}

// errNotUserCaller is IAM's answer when an operation whose UserName defaults
// to the caller is called without one by a caller that is not an IAM user
// (a role session, a federated user).
func errNotUserCaller() error {
	return awserr.ValidationError("Must specify userName when calling with non-User credentials")
}

// GetUser returns a user by name. Without a name it describes the caller: an
// IAM user gets its own record, the account's root user gets the root
// "user" (its ID is the account ID and it has no name or path), and any other
// caller gets IAM's ValidationError. The record may be shared with other
// readers (see recordCache): callers must not modify it.
func (s *Service) GetUser(ctx context.Context, c Caller, name string) (*User, error) {
	if name == "" {
		switch kind, self := callerKind(c); kind {
		case callerRoot:
			return s.rootUser(ctx, c)
		case callerUser:
			name = self
		default:
			return nil, errNotUserCaller()
		}
	}
	if err := validateName("userName", name, maxUserNameLen); err != nil {
		return nil, err
	}
	var u *User
	err := s.view(ctx, func(r store.Reader) error {
		var err error
		u, err = s.readUserShared(r, c.Account, name)
		return err
	})
	return u, err
}

// rootUser describes the account's root user the way GetUser does.
func (s *Service) rootUser(ctx context.Context, c Caller) (*User, error) {
	u := &User{Account: c.Account, ID: c.Account, ARN: "arn:" + s.Partition + ":iam::" + c.Account + ":root"}
	err := s.view(ctx, func(r store.Reader) error {
		a, _, err := get[Account](r, accountKey(c.Account))
		if err == nil {
			u.CreateDate = a.CreateDate
			return nil
		}
		if isNotFound(err) {
			return nil
		}
		return err
	})
	return u, err
}

// ListUsers lists the account's users whose path starts with pathPrefix, in
// name order.
// The records may be shared with other readers (see recordCache): callers
// must not modify them.
func (s *Service) ListUsers(ctx context.Context, c Caller, pathPrefix string, pg Page) (users []*User, next string, err error) {
	if err := validatePathPrefix(pathPrefix); err != nil {
		return nil, "", err
	}
	err = s.view(ctx, func(r store.Reader) error {
		keep := pathFilter(pathPrefix, func(u *User) string { return u.Path })
		users, next, err = listPage(s, r, "users", userPrefix(c.Account), keep, pg)
		return err
	})
	return users, next, err
}

// pathFilter is the listPage filter that keeps the entities whose path
// starts with prefix; nil (keep all) for "" or "/".
func pathFilter[T any](prefix string, path func(*T) string) func(*T) bool {
	if prefix == "" || prefix == "/" {
		return nil
	}
	return func(x *T) bool { return strings.HasPrefix(path(x), prefix) }
}

// UpdateUserInput is UpdateUser's request; nil fields are left unchanged.
type UpdateUserInput struct {
	UserName    string
	NewUserName *string
	NewPath     *string
}

// UpdateUser renames a user and/or moves it to another path. The user keeps
// its ID, policies, access keys and group memberships.
func (s *Service) UpdateUser(ctx context.Context, c Caller, in UpdateUserInput) error {
	newPath, err := checkRename("userName", in.UserName, in.NewUserName, in.NewPath, maxUserNameLen)
	if err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		u, err := readUser(tx, c.Account, in.UserName)
		if err != nil {
			return err
		}
		oldName := u.Name
		if in.NewPath != nil {
			u.Path = newPath
		}
		if in.NewUserName != nil {
			u.Name = *in.NewUserName
		}
		u.ARN = s.arn(c.Account, "user", u.Path, u.Name)
		if err := rekey(tx, userKey(c.Account, oldName), userKey(c.Account, u.Name), u, func() error {
			return awserr.EntityAlreadyExists("User with name %s already exists.", u.Name)
		}); err != nil || strings.EqualFold(oldName, u.Name) {
			return err
		}
		// Whatever refers to the user by name follows the rename.
		groups, err := getNamed[Group](tx, u.Groups, func(g string) string { return groupKey(c.Account, g) })
		if err != nil {
			return err
		}
		for _, grp := range groups {
			renameIn(grp.Members, oldName, u.Name)
			if err := put(tx, groupKey(c.Account, grp.Name), grp); err != nil {
				return err
			}
		}
		keys, err := userAccessKeys(tx, c.Account, oldName)
		if err != nil {
			return err
		}
		for _, k := range keys {
			k.UserName = u.Name
			if err := put(tx, accessKeyKey(k.ID), k); err != nil {
				return err
			}
		}
		return nil
	})
}

// normalizePathField is normalizePath for a request field other than "path"
// (NewPath), whose length error names that field.
func normalizePathField(field, path string) (string, error) {
	if len(path) > 512 {
		return "", constraint(field, "Member must have length less than or equal to 512")
	}
	return normalizePath(path)
}

// checkRename validates the name and the optional new name and path of an
// UpdateUser or UpdateGroup request (field names as IAM spells them, e.g.
// "userName" and "newUserName") and returns the normalized new path.
func checkRename(field, name string, newName, newPath *string, maxLen int) (string, error) {
	if err := validateName(field, name, maxLen); err != nil {
		return "", err
	}
	if newName != nil {
		if err := validateName("new"+strings.ToUpper(field[:1])+field[1:], *newName, maxLen); err != nil {
			return "", err
		}
	}
	if newPath == nil {
		return "", nil
	}
	return normalizePathField("newPath", *newPath)
}

// rekey stores an entity renamed from oldKey to newKey. A rename that only
// changes case keeps the key (IAM names are case-insensitive); otherwise the
// old record goes and the new name must be free, else taken is the answer.
func rekey(tx store.Tx, oldKey, newKey string, v any, taken func() error) error {
	if oldKey == newKey {
		return put(tx, newKey, v)
	}
	if err := tx.Delete(oldKey); err != nil {
		return err
	}
	if err := create(tx, newKey, v); err != nil {
		if errors.Is(err, store.ErrExists) {
			return taken()
		}
		return err
	}
	return nil
}

// renameIn replaces old (in any case) with new in a list of names.
func renameIn(names []string, old, new string) {
	for i, n := range names {
		if strings.EqualFold(n, old) {
			names[i] = new
		}
	}
}

// getNamed loads the records that names refer to (under key), in order. A
// name without a record, which the transactions never leave behind, is
// skipped rather than failing the operation.
func getNamed[T any](r store.Reader, names []string, key func(name string) string) ([]*T, error) {
	out := make([]*T, 0, len(names))
	for _, name := range names {
		v, _, err := get[T](r, key(name))
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// DeleteUser deletes a user that has nothing attached any more. Like IAM it
// refuses while the user still has access keys, inline policies, attached
// managed policies or group memberships, in that order.
func (s *Service) DeleteUser(ctx context.Context, c Caller, name string) error {
	if err := validateName("userName", name, maxUserNameLen); err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		u, err := readUser(tx, c.Account, name)
		if err != nil {
			return err
		}
		keys, err := userAccessKeys(tx, c.Account, u.Name)
		if err != nil {
			return err
		}
		switch {
		case len(keys) > 0:
			return awserr.DeleteConflict("Cannot delete entity, must delete access keys first.")
		case len(u.InlinePolicies) > 0:
			return awserr.DeleteConflict("Cannot delete entity, must delete policies first.")
		case len(u.AttachedPolicies) > 0:
			return awserr.DeleteConflict("Cannot delete entity, must detach all policies first.")
		case len(u.Groups) > 0:
			return awserr.DeleteConflict("Cannot delete entity, must remove users from group first.")
		}
		if u.PermissionsBoundary != "" {
			if err := s.releaseBoundary(tx, c.Account, u.PermissionsBoundary); err != nil {
				return err
			}
		}
		return tx.Delete(userKey(c.Account, u.Name))
	})
}

// releaseBoundary drops one permissions-boundary use of a policy. A policy
// that has disappeared meanwhile has no count left to keep.
func (s *Service) releaseBoundary(tx store.Tx, acct, policyARN string) error {
	err := s.useAsBoundary(tx, acct, policyARN, -1)
	if e, ok := awserr.As(err); ok && e.Code == "NoSuchEntity" {
		return nil
	}
	return err
}

// TagUser adds or replaces tags on a user.
func (s *Service) TagUser(ctx context.Context, c Caller, name string, tags []Tag) error {
	if err := validateName("userName", name, maxUserNameLen); err != nil {
		return err
	}
	if err := validateTags(tags); err != nil {
		return err
	}
	return s.modifyUser(ctx, c, name, func(u *User) error {
		merged, err := mergeTags(u.Tags, tags)
		u.Tags = merged
		return err
	})
}

// UntagUser removes tags from a user; keys it does not have are ignored.
func (s *Service) UntagUser(ctx context.Context, c Caller, name string, keys []string) error {
	if err := validateName("userName", name, maxUserNameLen); err != nil {
		return err
	}
	if err := checkTagKeys(keys); err != nil {
		return err
	}
	return s.modifyUser(ctx, c, name, func(u *User) error {
		u.Tags = removeTags(u.Tags, keys)
		return nil
	})
}

// modifyUser runs fn on the named user in one transaction and stores the
// result unless fn fails.
func (s *Service) modifyUser(ctx context.Context, c Caller, name string, fn func(u *User) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		u, err := readUser(tx, c.Account, name)
		if err != nil {
			return err
		}
		if err := fn(u); err != nil {
			return err
		}
		return put(tx, userKey(c.Account, u.Name), u)
	})
}

// ListUserTags returns a user's tags in the order they were added.
func (s *Service) ListUserTags(ctx context.Context, c Caller, name string, pg Page) (tags []Tag, next string, err error) {
	if err := validateName("userName", name, maxUserNameLen); err != nil {
		return nil, "", err
	}
	err = s.view(ctx, func(r store.Reader) error {
		u, err := readUser(r, c.Account, name)
		if err != nil {
			return err
		}
		tags, next, err = paginateOffset("user-tags", u.Tags, pg)
		return err
	})
	return tags, next, err
}

// checkTagKeys applies IAM's rules to the TagKeys of an Untag call, with
// AWS's combined message for a bad member.
func checkTagKeys(keys []string) error {
	if len(keys) > 50 {
		return constraint("tagKeys", "Member must have length less than or equal to 50")
	}
	for _, k := range keys {
		if k == "" || utf8.RuneCountInString(k) > 128 || !tagKeyRe.MatchString(k) {
			return constraint("tagKeys", `Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]`)
		}
	}
	return nil
}

// PutUserPermissionsBoundary sets (or replaces) a user's permissions
// boundary.
func (s *Service) PutUserPermissionsBoundary(ctx context.Context, c Caller, name, policyARN string) error {
	if err := validateName("userName", name, maxUserNameLen); err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		u, err := readUser(tx, c.Account, name)
		if err != nil {
			return err
		}
		if u.PermissionsBoundary == policyARN {
			return nil
		}
		if err := s.useAsBoundary(tx, c.Account, policyARN, +1); err != nil {
			return err
		}
		if u.PermissionsBoundary != "" {
			if err := s.releaseBoundary(tx, c.Account, u.PermissionsBoundary); err != nil {
				return err
			}
		}
		u.PermissionsBoundary = policyARN
		return put(tx, userKey(c.Account, u.Name), u)
	})
}

// DeleteUserPermissionsBoundary removes a user's permissions boundary; a
// user without one is left as it is.
func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, c Caller, name string) error {
	if err := validateName("userName", name, maxUserNameLen); err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		u, err := readUser(tx, c.Account, name)
		if err != nil {
			return err
		}
		if u.PermissionsBoundary == "" {
			return nil
		}
		if err := s.releaseBoundary(tx, c.Account, u.PermissionsBoundary); err != nil {
			return err
		}
		u.PermissionsBoundary = ""
		return put(tx, userKey(c.Account, u.Name), u)
	})
}
