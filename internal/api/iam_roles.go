package api

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
)

// registerIAMRoles adds the IAM operations for roles, role tags, permissions boundaries, instance profiles and service-linked roles.
func (s *Server) registerIAMRoles(m map[string]queryHandler) {
	m["CreateRole"] = s.iamCreateRole
	m["GetRole"] = s.iamGetRole
	m["ListRoles"] = s.iamListRoles
	m["UpdateRole"] = s.iamUpdateRole
	m["UpdateRoleDescription"] = s.iamUpdateRoleDescription
	m["UpdateAssumeRolePolicy"] = s.iamUpdateAssumeRolePolicy
	m["DeleteRole"] = s.iamDeleteRole
	registerTagging(m, "Role", "RoleName", s.IAM.TagRole, s.IAM.UntagRole, s.IAM.ListRoleTags)
	m["PutRolePermissionsBoundary"] = s.iamPutRolePermissionsBoundary
	m["DeleteRolePermissionsBoundary"] = s.iamDeleteRolePermissionsBoundary

	m["CreateInstanceProfile"] = s.iamCreateInstanceProfile
	m["GetInstanceProfile"] = s.iamGetInstanceProfile
	m["ListInstanceProfiles"] = s.iamListInstanceProfiles
	m["ListInstanceProfilesForRole"] = s.iamListInstanceProfilesForRole
	m["AddRoleToInstanceProfile"] = s.iamAddRoleToInstanceProfile
	m["RemoveRoleFromInstanceProfile"] = s.iamRemoveRoleFromInstanceProfile
	m["DeleteInstanceProfile"] = s.iamDeleteInstanceProfile
	registerTagging(m, "InstanceProfile", "InstanceProfileName", s.IAM.TagInstanceProfile, s.IAM.UntagInstanceProfile, s.IAM.ListInstanceProfileTags)

	m["CreateServiceLinkedRole"] = s.iamCreateServiceLinkedRole
	m["DeleteServiceLinkedRole"] = s.iamDeleteServiceLinkedRole
	m["GetServiceLinkedRoleDeletionStatus"] = s.iamGetServiceLinkedRoleDeletionStatus
}

// Shared paging helpers for IAM List operations.

// queryPage decodes Marker and MaxItems. An explicit MaxItems must be
// 1..1000; absent, the domain's default (100) applies.
func queryPage(q *Query) (iam.Page, error) {
	pg := iam.Page{Marker: q.Get("Marker")}
	if _, ok := q.String("MaxItems"); ok {
		n, err := q.Int("MaxItems", 0)
		if err != nil {
			return pg, err
		}
		if err := iam.CheckMaxItems(n); err != nil {
			return pg, err
		}
		pg.MaxItems = n
	}
	return pg, nil
}

// writeTruncation writes IsTruncated and, when there is a next page, Marker.
func writeTruncation(x *XML, next string) {
	x.Bool("IsTruncated", next != "")
	x.ElemIf("Marker", next)
}

// requiredList checks that a list parameter was sent at all (an empty list
// is sent as "Name="), answering AWS's null-member error otherwise.
func requiredList(q *Query, name string) error {
	for k := range q.Params {
		if k == name || strings.HasPrefix(k, name+".") {
			return nil
		}
	}
	_, err := q.Required(name)
	return err
}

// roleShape is which Role elements an operation returns. AWS's operations
// differ (recorded): CreateRole leaves out Description; GetRole adds
// MaxSessionDuration and RoleLastUsed; ListRoles has Description and
// MaxSessionDuration but neither tags, boundary nor RoleLastUsed;
// UpdateRoleDescription has Description but not MaxSessionDuration; the
// roles inside instance profiles have the identity and trust policy only.
type roleShape int

// What a shape adds to the identity and trust policy, in the order written.
const (
	roleDescription  roleShape = 1 << iota // Description, when there is one
	roleMaxSession                         // MaxSessionDuration
	roleBoundaryTags                       // PermissionsBoundary and Tags, when there are any
	roleLastUsed                           // RoleLastUsed
)

const (
	roleInProfile  roleShape = 0
	roleCreated              = roleBoundaryTags
	roleDescribed            = roleDescription | roleBoundaryTags
	roleListMember           = roleDescription | roleMaxSession
	roleFull                 = roleDescription | roleMaxSession | roleBoundaryTags | roleLastUsed
)

func writeRole(x *XML, name string, r *iam.Role, shape roleShape) {
	x.Open(name)
	x.Elem("Path", r.Path).Elem("RoleName", r.Name).Elem("RoleId", r.ID).Elem("Arn", r.ARN)
	x.Time("CreateDate", r.CreateDate)
	x.PolicyDoc("AssumeRolePolicyDocument", r.AssumeRolePolicy)
	if shape&roleDescription != 0 {
		x.ElemIf("Description", r.Description)
	}
	if shape&roleMaxSession != 0 {
		x.Int("MaxSessionDuration", r.MaxSessionDuration)
	}
	if shape&roleBoundaryTags != 0 {
		writeBoundary(x, r.PermissionsBoundary)
		writeTags(x, r.Tags, false)
	}
	if shape&roleLastUsed != 0 {
		writeRoleLastUsed(x, r)
	}
	x.Close(name)
}

func writeRoleLastUsed(x *XML, r *iam.Role) {
	x.Open("RoleLastUsed")
	if !r.LastUsed.IsZero() {
		x.Time("LastUsedDate", r.LastUsed).ElemIf("Region", r.LastUsedRegion)
	}
	x.Close("RoleLastUsed")
}

// Roles.

func (s *Server) iamCreateRole(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, doc, err := q.Required2("RoleName", "AssumeRolePolicyDocument")
	if err != nil {
		return err
	}
	maxSession, err := q.Int("MaxSessionDuration", 0)
	if err != nil {
		return err
	}
	r, err := s.IAM.CreateRole(ctx, c, iam.CreateRoleInput{
		RoleName: name, Path: q.Get("Path"), AssumeRolePolicyDocument: doc,
		Description: q.Get("Description"), MaxSessionDuration: maxSession,
		PermissionsBoundary: q.Get("PermissionsBoundary"), Tags: tags(q),
	})
	if err != nil {
		return err
	}
	writeRole(x, "Role", r, roleCreated)
	return nil
}

func (s *Server) iamGetRole(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("RoleName")
	if err != nil {
		return err
	}
	r, err := s.IAM.GetRole(ctx, c, name)
	if err != nil {
		return err
	}
	writeRole(x, "Role", r, roleFull)
	return nil
}

func (s *Server) iamListRoles(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	pg, err := queryPage(q)
	if err != nil {
		return err
	}
	roles, next, err := s.IAM.ListRoles(ctx, c, q.Get("PathPrefix"), pg)
	if err != nil {
		return err
	}
	x.Open("Roles")
	for _, r := range roles {
		writeRole(x, "member", r, roleListMember)
	}
	x.Close("Roles")
	writeTruncation(x, next)
	return nil
}

func (s *Server) iamUpdateRole(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("RoleName")
	if err != nil {
		return err
	}
	in := iam.UpdateRoleInput{RoleName: name}
	if d, ok := q.String("Description"); ok {
		in.Description = &d
	}
	if _, ok := q.String("MaxSessionDuration"); ok {
		n, err := q.Int("MaxSessionDuration", 0)
		if err != nil {
			return err
		}
		in.MaxSessionDuration = &n
	}
	if err := s.IAM.UpdateRole(ctx, c, in); err != nil {
		return err
	}
	// UpdateRole's output has no members, but AWS still sends an (empty)
	// UpdateRoleResult and aws-sdk-go-v2 fails without one.
	x.EmptyResult()
	return nil
}

func (s *Server) iamUpdateRoleDescription(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, desc, err := q.Required2("RoleName", "Description")
	if err != nil {
		return err
	}
	r, err := s.IAM.UpdateRoleDescription(ctx, c, name, desc)
	if err != nil {
		return err
	}
	writeRole(x, "Role", r, roleDescribed)
	return nil
}

func (s *Server) iamUpdateAssumeRolePolicy(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, doc, err := q.Required2("RoleName", "PolicyDocument")
	if err != nil {
		return err
	}
	return s.IAM.UpdateAssumeRolePolicy(ctx, c, name, doc)
}

func (s *Server) iamDeleteRole(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("RoleName")
	if err != nil {
		return err
	}
	return s.IAM.DeleteRole(ctx, c, name)
}

func (s *Server) iamPutRolePermissionsBoundary(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, arn, err := q.Required2("RoleName", "PermissionsBoundary")
	if err != nil {
		return err
	}
	return s.IAM.PutRolePermissionsBoundary(ctx, c, name, arn)
}

func (s *Server) iamDeleteRolePermissionsBoundary(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("RoleName")
	if err != nil {
		return err
	}
	return s.IAM.DeleteRolePermissionsBoundary(ctx, c, name)
}

// Instance profiles.

// profileTags says when an InstanceProfile structure carries Tags: AWS's
// GetInstanceProfile always does (an empty list too), CreateInstanceProfile
// only when tags were given, and the List operations never (recorded).
type profileTags int

const (
	profileTagsIfAny profileTags = iota
	profileTagsAlways
	profileTagsNever
)

func writeInstanceProfile(x *XML, name string, p *iam.InstanceProfile, roles []*iam.Role, tagMode profileTags) {
	x.Open(name)
	x.Elem("Path", p.Path).Elem("InstanceProfileName", p.Name).Elem("InstanceProfileId", p.ID).Elem("Arn", p.ARN)
	x.Time("CreateDate", p.CreateDate)
	x.Open("Roles")
	for _, r := range roles {
		writeRole(x, "member", r, roleInProfile)
	}
	x.Close("Roles")
	switch tagMode {
	case profileTagsIfAny:
		writeTags(x, p.Tags, false)
	case profileTagsAlways:
		writeTags(x, p.Tags, true)
	}
	x.Close(name)
}

func writeInstanceProfileList(x *XML, ps []iam.ProfileWithRoles, next string) {
	x.Open("InstanceProfiles")
	for _, p := range ps {
		writeInstanceProfile(x, "member", p.InstanceProfile, p.RoleList, profileTagsNever)
	}
	x.Close("InstanceProfiles")
	writeTruncation(x, next)
}

func (s *Server) iamCreateInstanceProfile(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("InstanceProfileName")
	if err != nil {
		return err
	}
	p, err := s.IAM.CreateInstanceProfile(ctx, c, iam.CreateInstanceProfileInput{
		InstanceProfileName: name, Path: q.Get("Path"), Tags: tags(q),
	})
	if err != nil {
		return err
	}
	writeInstanceProfile(x, "InstanceProfile", p, nil, profileTagsIfAny)
	return nil
}

func (s *Server) iamGetInstanceProfile(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("InstanceProfileName")
	if err != nil {
		return err
	}
	p, err := s.IAM.GetInstanceProfile(ctx, c, name)
	if err != nil {
		return err
	}
	writeInstanceProfile(x, "InstanceProfile", p.InstanceProfile, p.RoleList, profileTagsAlways)
	return nil
}

func (s *Server) iamListInstanceProfiles(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	pg, err := queryPage(q)
	if err != nil {
		return err
	}
	ps, next, err := s.IAM.ListInstanceProfiles(ctx, c, q.Get("PathPrefix"), pg)
	if err != nil {
		return err
	}
	writeInstanceProfileList(x, ps, next)
	return nil
}

func (s *Server) iamListInstanceProfilesForRole(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("RoleName")
	if err != nil {
		return err
	}
	pg, err := queryPage(q)
	if err != nil {
		return err
	}
	ps, next, err := s.IAM.ListInstanceProfilesForRole(ctx, c, name, pg)
	if err != nil {
		return err
	}
	writeInstanceProfileList(x, ps, next)
	return nil
}

func (s *Server) iamAddRoleToInstanceProfile(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	profile, role, err := q.Required2("InstanceProfileName", "RoleName")
	if err != nil {
		return err
	}
	return s.IAM.AddRoleToInstanceProfile(ctx, c, profile, role)
}

func (s *Server) iamRemoveRoleFromInstanceProfile(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	profile, role, err := q.Required2("InstanceProfileName", "RoleName")
	if err != nil {
		return err
	}
	return s.IAM.RemoveRoleFromInstanceProfile(ctx, c, profile, role)
}

func (s *Server) iamDeleteInstanceProfile(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("InstanceProfileName")
	if err != nil {
		return err
	}
	return s.IAM.DeleteInstanceProfile(ctx, c, name)
}

// Service-linked roles.

func (s *Server) iamCreateServiceLinkedRole(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	svc, err := q.Required("AWSServiceName")
	if err != nil {
		return err
	}
	r, err := s.IAM.CreateServiceLinkedRole(ctx, c, iam.CreateServiceLinkedRoleInput{
		AWSServiceName: svc, Description: q.Get("Description"), CustomSuffix: q.Get("CustomSuffix"),
	})
	if err != nil {
		return err
	}
	writeRole(x, "Role", r, roleDescribed)
	return nil
}

func (s *Server) iamDeleteServiceLinkedRole(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("RoleName")
	if err != nil {
		return err
	}
	id, err := s.IAM.DeleteServiceLinkedRole(ctx, c, name)
	if err != nil {
		return err
	}
	x.Elem("DeletionTaskId", id)
	return nil
}

func (s *Server) iamGetServiceLinkedRoleDeletionStatus(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	id, err := q.Required("DeletionTaskId")
	if err != nil {
		return err
	}
	st, err := s.IAM.GetServiceLinkedRoleDeletionStatus(ctx, c, id)
	if err != nil {
		return err
	}
	if st == nil {
		return awserr.ServiceFailure("no deletion status")
	}
	x.Elem("Status", st.Status)
	return nil
}
