package iam

import (
	"context"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// RecordRoleUse notes that the role was assumed at t in region (GetRole's
// RoleLastUsed). An unknown role, or a use no later than the one recorded,
// is ignored. STS calls it, throttled: each call is one write.
func (s *Service) RecordRoleUse(ctx context.Context, acct, name, region string, t time.Time) error {
	return s.update(ctx, func(tx store.Tx) error {
		r, _, err := get[Role](tx, roleKey(acct, name))
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if !r.LastUsed.Before(t) {
			return nil
		}
		r.LastUsed, r.LastUsedRegion = t.UTC(), region
		return put(tx, roleKey(acct, name), r)
	})
}

// readUserShared is readUser for read-only paths: the decoded record may be
// shared between requests (see recordCache) and must not be modified.
func (s *Service) readUserShared(r store.Reader, acct, name string) (*User, error) {
	u, err := getShared[User](s, r, userKey(acct, name))
	if isNotFound(err) {
		return nil, awserr.NoSuchEntity("The user with name %s cannot be found.", name)
	}
	return u, err
}
