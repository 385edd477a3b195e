package iam

import (
	"context"
	"errors"
	"regexp"

	"github.com/rolecall/rolecall/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

var accountIDRe = regexp.MustCompile(`^[0-9]{12}$`)

// EnsureAccount creates the account record if it does not exist and reports
// whether it did.
func (s *Service) EnsureAccount(ctx context.Context, id string) (bool, error) {
	if !accountIDRe.MatchString(id) {
		return false, awserr.ValidationError("account ID %q must be 12 digits", id)
	}
	created := false
	err := s.update(ctx, func(tx store.Tx) error {
		err := create(tx, accountKey(id), &Account{ID: id, CreateDate: s.Now()})
		if errors.Is(err, store.ErrExists) {
			return nil
		}
		created = err == nil
		return err
	})
	return created, err
}

// RootAccessKeys returns the account root's access keys.
func (s *Service) RootAccessKeys(ctx context.Context, acct string) ([]*AccessKey, error) {
	var out []*AccessKey
	err := s.view(ctx, func(r store.Reader) error {
		keys, err := list[AccessKey](r, "iam/access-key/")
		if err != nil {
			return err
		}
		for _, k := range keys {
			if k.Account == acct && k.UserName == "" {
				out = append(out, k)
			}
		}
		return nil
	})
	return out, err
}

// AddRootAccessKey stores an access key for the account's root user (given,
// or generated when id is empty) and returns it.
func (s *Service) AddRootAccessKey(ctx context.Context, acct, id, secret string) (*AccessKey, error) {
	if id == "" {
		id, secret = NewID("AKIA"), NewSecret()
	}
	k := &AccessKey{ID: id, Secret: secret, Account: acct, Status: "Active", CreateDate: s.Now()}
	err := s.update(ctx, func(tx store.Tx) error {
		if err := create(tx, accessKeyKey(id), k); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.EntityAlreadyExists("Access key %s already exists.", id)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// LookupAccessKey returns a stored access key by ID.
// The key returned is shared with other readers (it is looked up on every
// request): callers must not modify it.
func (s *Service) LookupAccessKey(ctx context.Context, id string) (*AccessKey, error) {
	var k *AccessKey
	err := s.view(ctx, func(r store.Reader) error {
		var err error
		k, err = getShared[AccessKey](s, r, accessKeyKey(id))
		if isNotFound(err) {
			return awserr.NoSuchEntity("The Access Key with id %s cannot be found.", id)
		}
		return err
	})
	return k, err
}

// callerKinds for operations whose UserName defaults to the caller.
const (
	callerOther = iota // a role session, a federated user, ...
	callerRoot
	callerUser
)

// callerKind classifies the caller; for an IAM user it also returns the
// user's name.
func callerKind(c Caller) (int, string) {
	switch arn.ClassifyPrincipal(c.ARN) {
	case arn.PrincipalRoot, arn.PrincipalAccount:
		return callerRoot, ""
	case arn.PrincipalUser:
		a, err := arn.Parse(c.ARN)
		if err != nil {
			return callerOther, ""
		}
		return callerUser, a.ResourceName()
	}
	return callerOther, ""
}
