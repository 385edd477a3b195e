package iam

import (
	"context"
	"time"

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
