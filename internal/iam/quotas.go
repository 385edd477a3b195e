package iam

import (
	"strconv"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Quotas are the account-wide IAM quotas that AWS lets customers raise
// (reference_iam-quotas.md); the defaults are AWS's.
type Quotas struct {
	RolesPerAccount            int
	InstanceProfilesPerAccount int
}

// DefaultQuotas are AWS's default values.
var DefaultQuotas = Quotas{RolesPerAccount: 1000, InstanceProfilesPerAccount: 1000}

// SetQuota sets a quota by its AWS name (RolesPerAccount,
// InstanceProfilesPerAccount), as `rolecall serve --quota` does.
func (q *Quotas) SetQuota(name string, v int) error {
	if v < 1 {
		return awserr.ValidationError("quota %s must be at least 1", name)
	}
	switch name {
	case "RolesPerAccount":
		q.RolesPerAccount = v
	case "InstanceProfilesPerAccount":
		q.InstanceProfilesPerAccount = v
	default:
		return awserr.ValidationError("unknown quota %q (RolesPerAccount, InstanceProfilesPerAccount)", name)
	}
	return nil
}

// Entity counters let creates enforce account quotas without listing every
// entity. A counter is created from a one-time count of what is stored, so
// stores written before counters existed stay correct.
func countKey(acct, kind string) string { return "iam/" + acct + "/count/" + kind }

// adjustCount adds delta to the account's count of kind (whose records live
// under prefix). For an increase it first checks the result against quota,
// answering AWS's LimitExceeded with quotaName.
func adjustCount(tx store.Tx, acct, kind, prefix string, delta, quota int, quotaName string) error {
	n := 0
	kv, err := tx.Get(countKey(acct, kind))
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(kv.Value)); err != nil {
			return err
		}
	case isNotFound(err):
		kvs, err := tx.List(prefix, "", 0)
		if err != nil {
			return err
		}
		// Callers adjust before writing or deleting the record itself, so
		// the listing counts exactly what exists now.
		n = len(kvs)
	default:
		return err
	}
	if delta > 0 && quota > 0 && n+delta > quota {
		return awserr.LimitExceeded("Cannot exceed quota for %s: %d", quotaName, quota)
	}
	n += delta
	if n < 0 {
		n = 0
	}
	return tx.Put(countKey(acct, kind), []byte(strconv.Itoa(n)))
}
