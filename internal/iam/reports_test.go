package iam

import "testing"

// GetAccountSummary's quota entries are AWS's recorded values; those that
// come from the quotas rolecall enforces must still match them.
func TestAccountQuotasAsRecorded(t *testing.T) {
	for k, want := range map[string]int{
		"AttachedPoliciesPerGroupQuota": 10,
		"AttachedPoliciesPerRoleQuota":  10,
		"AttachedPoliciesPerUserQuota":  10,
		"GroupPolicySizeQuota":          5120,
		"PolicySizeQuota":               6144,
		"RolePolicySizeQuota":           10240,
		"UserPolicySizeQuota":           2048,
		"VersionsPerPolicyQuota":        5,
	} {
		if got := accountQuotas[k]; got != want {
			t.Errorf("%s = %d, want %d", k, got, want)
		}
	}
}
