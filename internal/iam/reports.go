package iam

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/catalog"
	"github.com/rolecall/rolecall/internal/store"
)

// Account-wide reports: GetAccountSummary and GetAccountAuthorizationDetails.

// accountQuotas are the quota entries of GetAccountSummary's SummaryMap, with
// the values AWS reports for a default account (recorded from AWS).
var accountQuotas = map[string]int{
	"AccessKeysPerUserQuota":          maxAccessKeysPerUser,
	"AssumeRolePolicySizeQuota":       maxTrustPolicyChars,
	"AttachedPoliciesPerGroupQuota":   maxAttachedPolicies,
	"AttachedPoliciesPerRoleQuota":    maxAttachedPolicies,
	"AttachedPoliciesPerUserQuota":    maxAttachedPolicies,
	"GlobalEndpointTokenVersion":      1,
	"GroupPolicySizeQuota":            HolderGroup.inlineQuota(),
	"GroupsPerUserQuota":              maxGroupsPerUser,
	"GroupsQuota":                     300,
	"InstanceProfilesQuota":           1000,
	"PoliciesQuota":                   1500,
	"PolicySizeQuota":                 maxManagedPolicyChars,
	"PolicyVersionsInUseQuota":        10000,
	"RolePolicySizeQuota":             HolderRole.inlineQuota(),
	"RolesQuota":                      1000,
	"ServerCertificatesQuota":         20,
	"SigningCertificatesPerUserQuota": 2,
	"UserPolicySizeQuota":             HolderUser.inlineQuota(),
	"UsersQuota":                      5000,
	"VersionsPerPolicyQuota":          maxPolicyVersions,
}

// GetAccountSummary returns the SummaryMap of GetAccountSummary: the
// account's IAM quotas and how many entities it has, counted from the store.
// Entities rolecall does not model (MFA devices, identity providers, server
// and signing certificates, passwords) count as none.
func (s *Service) GetAccountSummary(ctx context.Context, c Caller) (map[string]int, error) {
	m := make(map[string]int, 40)
	for k, v := range accountQuotas {
		m[k] = v
	}
	err := s.view(ctx, func(r store.Reader) error {
		count := func(prefix string) (int, error) {
			kvs, err := r.List(prefix, "", 0)
			return len(kvs), err
		}
		var err error
		if m["Users"], err = count(userPrefix(c.Account)); err != nil {
			return err
		}
		if m["Groups"], err = count(groupPrefix(c.Account)); err != nil {
			return err
		}
		if m["Roles"], err = count(rolePrefix(c.Account)); err != nil {
			return err
		}
		if m["InstanceProfiles"], err = count(profilePrefix(c.Account)); err != nil {
			return err
		}
		policies, err := list[ManagedPolicy](r, policyPrefix(c.Account))
		if err != nil {
			return err
		}
		m["Policies"] = len(policies)
		// PolicyVersionsInUse: the default versions of the managed
		// policies attached to at least one user, group or role.
		inUse := 0
		for _, p := range policies {
			if p.AttachmentCount > 0 {
				inUse++
			}
		}
		usage, err := list[awsUsage](r, awsUsagePrefix(c.Account))
		if err != nil {
			return err
		}
		for _, u := range usage {
			if u.AttachmentCount > 0 {
				inUse++
			}
		}
		m["PolicyVersionsInUse"] = inUse
		keys, err := rootAccessKeys(r, c.Account)
		if err != nil {
			return err
		}
		m["AccountAccessKeysPresent"] = min(len(keys), 1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"AccountMFAEnabled", "AccountPasswordPresent", "AccountSigningCertificatesPresent", "MFADevices", "MFADevicesInUse", "Providers", "ServerCertificates"} {
		m[k] = 0
	}
	return m, nil
}

func awsUsagePrefix(acct string) string { return "iam/" + acct + "/aws-policy-usage/" }

// Authorization details filters (GetAccountAuthorizationDetails' Filter).
const (
	FilterUser               = "User"
	FilterRole               = "Role"
	FilterGroup              = "Group"
	FilterLocalManagedPolicy = "LocalManagedPolicy"
	FilterAWSManagedPolicy   = "AWSManagedPolicy"
)

var authFilters = []string{FilterUser, FilterRole, FilterGroup, FilterLocalManagedPolicy, FilterAWSManagedPolicy}

// AuthorizationDetails is one page of GetAccountAuthorizationDetails.
type AuthorizationDetails struct {
	Users    []*User
	Groups   []*Group
	Roles    []*RoleDetail
	Policies []*ManagedPolicy // with every version; AWS managed ones carry their default version
	Next     string           // marker of the next page, "" on the last
}

// RoleDetail is a role with the instance profiles that hold it.
type RoleDetail struct {
	Role     *Role
	Profiles []ProfileDetail
}

// ProfileDetail is an instance profile with its roles.
type ProfileDetail struct {
	Profile *InstanceProfile
	Roles   []*Role
}

// GetAccountAuthorizationDetails returns every user, group, role and managed
// policy of the account (the kinds in filter; all of them when filter is
// empty), with their policies. Pages run over users, then groups, roles and
// policies. AWS managed policies appear when something in the account uses
// them.
func (s *Service) GetAccountAuthorizationDetails(ctx context.Context, c Caller, filter []string, pg Page) (*AuthorizationDetails, error) {
	want := map[string]bool{}
	for _, f := range filter {
		if !slices.Contains(authFilters, f) {
			return nil, constraint("filter", fmt.Sprintf("Member must satisfy constraint: [Member must satisfy enum value set: [%s]]", strings.Join(authFilters, ", ")))
		}
		want[f] = true
	}
	all := len(want) == 0
	type item struct {
		user   *User
		group  *Group
		role   *RoleDetail
		policy *ManagedPolicy
	}
	var items []item
	err := s.view(ctx, func(r store.Reader) error {
		if all || want[FilterUser] {
			users, err := list[User](r, userPrefix(c.Account))
			if err != nil {
				return err
			}
			for _, u := range users {
				items = append(items, item{user: u})
			}
		}
		if all || want[FilterGroup] {
			groups, err := list[Group](r, groupPrefix(c.Account))
			if err != nil {
				return err
			}
			for _, g := range groups {
				items = append(items, item{group: g})
			}
		}
		if all || want[FilterRole] {
			roles, err := s.roleDetails(r, c.Account)
			if err != nil {
				return err
			}
			for _, rd := range roles {
				items = append(items, item{role: rd})
			}
		}
		if all || want[FilterLocalManagedPolicy] {
			policies, err := list[ManagedPolicy](r, policyPrefix(c.Account))
			if err != nil {
				return err
			}
			for _, p := range policies {
				items = append(items, item{policy: p})
			}
		}
		if all || want[FilterAWSManagedPolicy] {
			policies, err := s.usedAWSPolicies(r, c.Account)
			if err != nil {
				return err
			}
			for _, p := range policies {
				items = append(items, item{policy: p})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	page, next, err := paginateOffset("authorization-details", items, pg)
	if err != nil {
		return nil, err
	}
	out := &AuthorizationDetails{Next: next}
	for _, it := range page {
		switch {
		case it.user != nil:
			out.Users = append(out.Users, it.user)
		case it.group != nil:
			out.Groups = append(out.Groups, it.group)
		case it.role != nil:
			out.Roles = append(out.Roles, it.role)
		case it.policy != nil:
			out.Policies = append(out.Policies, it.policy)
		}
	}
	return out, nil
}

// roleDetails loads the account's roles with their instance profiles.
func (s *Service) roleDetails(r store.Reader, acct string) ([]*RoleDetail, error) {
	roles, err := list[Role](r, rolePrefix(acct))
	if err != nil {
		return nil, err
	}
	profiles, err := list[InstanceProfile](r, profilePrefix(acct))
	if err != nil {
		return nil, err
	}
	byName := make(map[string]*Role, len(roles))
	for _, role := range roles {
		byName[strings.ToLower(role.Name)] = role
	}
	holding := map[string][]ProfileDetail{} // lower-case role name → profiles
	for _, p := range profiles {
		pd := ProfileDetail{Profile: p}
		for _, rn := range p.Roles {
			if role := byName[strings.ToLower(rn)]; role != nil {
				pd.Roles = append(pd.Roles, role)
			}
		}
		for _, rn := range p.Roles {
			holding[strings.ToLower(rn)] = append(holding[strings.ToLower(rn)], pd)
		}
	}
	out := make([]*RoleDetail, 0, len(roles))
	for _, role := range roles {
		out = append(out, &RoleDetail{Role: role, Profiles: holding[strings.ToLower(role.Name)]})
	}
	return out, nil
}

// usedAWSPolicies returns the AWS managed policies attached to something in
// acct or used there as a permissions boundary, in name order, each with its
// default version.
func (s *Service) usedAWSPolicies(r store.Reader, acct string) ([]*ManagedPolicy, error) {
	usage, err := s.awsUsages(r, acct)
	if err != nil {
		return nil, err
	}
	var out []*ManagedPolicy
	for name, u := range usage {
		if u.AttachmentCount == 0 && u.BoundaryUsageCount == 0 {
			continue
		}
		mp, ok := catalog.LookupManagedPolicy(name)
		if !ok {
			continue
		}
		p := s.awsPolicy(mp, u)
		p.Versions = []PolicyVersion{{ID: mp.DefaultVersionID, Document: mp.Document, CreateDate: mp.UpdateDate}}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *ManagedPolicy) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
