package iam

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Access keys are stored under iam/access-key/{id}, whatever their account,
// so that request authentication finds a key by its ID alone. The secret is
// kept for SigV4 verification; it leaves the domain only in CreateAccessKey's
// answer, and no error or log line ever carries it.

// maxAccessKeysPerUser is IAM's AccessKeysPerUser quota; the root user has
// the same limit.
const maxAccessKeysPerUser = 2

var accessKeyIDRe = regexp.MustCompile(`^\w+$`)

// userAccessKeys returns the access keys of the user named user (any case)
// in acct, oldest first.
func userAccessKeys(r store.Reader, acct, user string) ([]*AccessKey, error) {
	return accessKeysWhere(r, func(k *AccessKey) bool {
		return k.Account == acct && k.UserName != "" && strings.EqualFold(k.UserName, user)
	})
}

// rootAccessKeys returns the access keys of acct's root user, oldest first.
func rootAccessKeys(r store.Reader, acct string) ([]*AccessKey, error) {
	return accessKeysWhere(r, func(k *AccessKey) bool { return k.Account == acct && k.UserName == "" })
}

func accessKeysWhere(r store.Reader, keep func(*AccessKey) bool) ([]*AccessKey, error) {
	all, err := list[AccessKey](r, "iam/access-key/")
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, k := range all {
		if keep(k) {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b *AccessKey) int {
		if c := a.CreateDate.Compare(b.CreateDate); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// keyOwner resolves whose access keys an operation is about: the named user
// (which must exist), or without a name the caller: its own user, or the
// root user for the account's root. It returns the user's name as stored, or
// "" for the root user.
func keyOwner(r store.Reader, c Caller, userName string) (string, error) {
	if userName == "" {
		kind, self := callerKind(c)
		switch kind {
		case callerRoot:
			return "", nil
		case callerUser:
			userName = self
		default:
			return "", errNotUserCaller()
		}
	}
	u, err := readUser(r, c.Account, userName)
	if err != nil {
		return "", err
	}
	return u.Name, nil
}

func ownerKeys(r store.Reader, acct, owner string) ([]*AccessKey, error) {
	if owner == "" {
		return rootAccessKeys(r, acct)
	}
	return userAccessKeys(r, acct, owner)
}

func validateOptionalUserName(name string) error {
	if name == "" {
		return nil
	}
	return validateName("userName", name, maxUserNameLen)
}

func validateAccessKeyID(id string) error {
	switch {
	case len(id) < 16:
		return constraint("accessKeyId", "Member must have length greater than or equal to 16")
	case len(id) > 128:
		return constraint("accessKeyId", "Member must have length less than or equal to 128")
	case !accessKeyIDRe.MatchString(id):
		return constraint("accessKeyId", `Member must satisfy regular expression pattern: [\w]+`)
	}
	return nil
}

// CreateAccessKey creates an access key (AKIA + 16 characters, with a
// 40-character secret) for a user, or without a user name for the caller.
func (s *Service) CreateAccessKey(ctx context.Context, c Caller, userName string) (*AccessKey, error) {
	if err := validateOptionalUserName(userName); err != nil {
		return nil, err
	}
	var k *AccessKey
	err := s.update(ctx, func(tx store.Tx) error {
		owner, err := keyOwner(tx, c, userName)
		if err != nil {
			return err
		}
		have, err := ownerKeys(tx, c.Account, owner)
		if err != nil {
			return err
		}
		if len(have) >= maxAccessKeysPerUser {
			return awserr.LimitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeysPerUser)
		}
		for range 5 {
			k = &AccessKey{ID: NewID("AKIA"), Secret: NewSecret(), Account: c.Account, UserName: owner, Status: "Active", CreateDate: s.Now()}
			err = create(tx, accessKeyKey(k.ID), k)
			if !errors.Is(err, store.ErrExists) {
				return err
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// ListAccessKeys lists the access keys of a user (or of the caller), oldest
// first. The secrets are not part of a listing.
func (s *Service) ListAccessKeys(ctx context.Context, c Caller, userName string, pg Page) (keys []*AccessKey, next string, err error) {
	if err := validateOptionalUserName(userName); err != nil {
		return nil, "", err
	}
	err = s.view(ctx, func(r store.Reader) error {
		owner, err := keyOwner(r, c, userName)
		if err != nil {
			return err
		}
		all, err := ownerKeys(r, c.Account, owner)
		if err != nil {
			return err
		}
		keys, next, err = paginate("access-keys", all, accessKeySortKey, pg)
		return err
	})
	for i, k := range keys {
		keys[i] = k.withoutSecret()
	}
	return keys, next, err
}

func accessKeySortKey(k *AccessKey) string {
	return k.CreateDate.UTC().Format("20060102T150405.000000000") + "/" + k.ID
}

// withoutSecret returns a copy of k that does not carry the secret.
func (k *AccessKey) withoutSecret() *AccessKey {
	c := *k
	c.Secret = ""
	return &c
}

// findOwnedKey loads access key id of the user named userName, or without a
// name of the caller (see keyOwner), answering NoSuchEntity for a key that is
// missing or belongs to someone else.
func findOwnedKey(r store.Reader, c Caller, userName, id string) (*AccessKey, error) {
	owner, err := keyOwner(r, c, userName)
	if err != nil {
		return nil, err
	}
	k, _, err := get[AccessKey](r, accessKeyKey(id))
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	if err != nil || k.Account != c.Account || !strings.EqualFold(k.UserName, owner) || (owner == "") != (k.UserName == "") {
		return nil, awserr.NoSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	return k, nil
}

// UpdateAccessKey activates or deactivates an access key.
func (s *Service) UpdateAccessKey(ctx context.Context, c Caller, userName, id, status string) error {
	if err := validateOptionalUserName(userName); err != nil {
		return err
	}
	if err := validateAccessKeyID(id); err != nil {
		return err
	}
	if status != "Active" && status != "Inactive" {
		return constraint("status", "Member must satisfy enum value set")
	}
	return s.update(ctx, func(tx store.Tx) error {
		k, err := findOwnedKey(tx, c, userName, id)
		if err != nil {
			return err
		}
		if k.Status == status {
			return nil
		}
		k.Status = status
		return put(tx, accessKeyKey(k.ID), k)
	})
}

// DeleteAccessKey deletes an access key.
func (s *Service) DeleteAccessKey(ctx context.Context, c Caller, userName, id string) error {
	if err := validateOptionalUserName(userName); err != nil {
		return err
	}
	if err := validateAccessKeyID(id); err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		k, err := findOwnedKey(tx, c, userName, id)
		if err != nil {
			return err
		}
		return tx.Delete(accessKeyKey(k.ID))
	})
}

// GetAccessKeyLastUsed reports when and where an access key of the caller's
// account was last used. The returned key carries no secret. A key that does
// not exist (or is another account's) is AccessDenied, as AWS answers.
func (s *Service) GetAccessKeyLastUsed(ctx context.Context, c Caller, id string) (*AccessKey, error) {
	if err := validateAccessKeyID(id); err != nil {
		return nil, err
	}
	var k *AccessKey
	err := s.view(ctx, func(r store.Reader) error {
		var err error
		k, _, err = get[AccessKey](r, accessKeyKey(id))
		if err == nil && k.Account != c.Account {
			err = store.ErrNotFound
		}
		if isNotFound(err) {
			return awserr.AccessDenied("User: %s is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key %s", c.ARN, id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return k.withoutSecret(), nil
}

// RecordAccessKeyUse notes that access key id was used at t to call service
// in region (for GetAccessKeyLastUsed). Request authentication calls it; an
// unknown key is ignored.
func (s *Service) RecordAccessKeyUse(ctx context.Context, id, service, region string, t time.Time) error {
	return s.update(ctx, func(tx store.Tx) error {
		k, _, err := get[AccessKey](tx, accessKeyKey(id))
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		k.LastUsed, k.LastUsedService, k.LastUsedRegion = t.UTC(), service, region
		return put(tx, accessKeyKey(id), k)
	})
}
