package api

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/iam"
)

// registerIAMUsers adds the IAM operations for users, groups, access keys, account-wide reports and the policy simulator.
func (s *Server) registerIAMUsers(m map[string]queryHandler) {
	m["CreateUser"] = s.iamCreateUser
	m["GetUser"] = s.iamGetUser
	m["ListUsers"] = s.iamListUsers
	m["UpdateUser"] = s.iamUpdateUser
	m["DeleteUser"] = s.iamDeleteUser
	registerTagging(m, "User", "UserName", s.IAM.TagUser, s.IAM.UntagUser, s.IAM.ListUserTags)
	m["PutUserPermissionsBoundary"] = s.iamPutUserPermissionsBoundary
	m["DeleteUserPermissionsBoundary"] = s.iamDeleteUserPermissionsBoundary

	m["CreateGroup"] = s.iamCreateGroup
	m["GetGroup"] = s.iamGetGroup
	m["ListGroups"] = s.iamListGroups
	m["UpdateGroup"] = s.iamUpdateGroup
	m["DeleteGroup"] = s.iamDeleteGroup
	m["AddUserToGroup"] = s.iamAddUserToGroup
	m["RemoveUserFromGroup"] = s.iamRemoveUserFromGroup
	m["ListGroupsForUser"] = s.iamListGroupsForUser

	m["CreateAccessKey"] = s.iamCreateAccessKey
	m["ListAccessKeys"] = s.iamListAccessKeys
	m["UpdateAccessKey"] = s.iamUpdateAccessKey
	m["DeleteAccessKey"] = s.iamDeleteAccessKey
	m["GetAccessKeyLastUsed"] = s.iamGetAccessKeyLastUsed

	m["GetAccountSummary"] = s.iamGetAccountSummary
	m["GetAccountAuthorizationDetails"] = s.iamGetAccountAuthorizationDetails

	m["SimulateCustomPolicy"] = s.iamSimulateCustomPolicy
	m["SimulatePrincipalPolicy"] = s.iamSimulatePrincipalPolicy
	m["GetContextKeysForCustomPolicy"] = s.iamGetContextKeysForCustomPolicy
	m["GetContextKeysForPrincipalPolicy"] = s.iamGetContextKeysForPrincipalPolicy
}

// userShape is which User elements an operation returns: ListUsers and
// GetGroup's members leave out the permissions boundary and tags, as AWS
// documents for its List operations.
type userShape int

const (
	userFull userShape = iota
	userListed
)

func writeUser(x *XML, name string, u *iam.User, shape userShape) {
	x.Open(name)
	x.ElemIf("Path", u.Path).ElemIf("UserName", u.Name).Elem("UserId", u.ID).Elem("Arn", u.ARN)
	if !u.CreateDate.IsZero() {
		x.Time("CreateDate", u.CreateDate)
	}
	if !u.PasswordLastUsed.IsZero() {
		x.Time("PasswordLastUsed", u.PasswordLastUsed)
	}
	if shape == userFull {
		writeBoundary(x, u.PermissionsBoundary)
		writeTags(x, u.Tags, false)
	}
	x.Close(name)
}

func writeBoundary(x *XML, policyARN string) {
	if policyARN != "" {
		x.Open("PermissionsBoundary").Elem("PermissionsBoundaryType", "Policy").Elem("PermissionsBoundaryArn", policyARN).Close("PermissionsBoundary")
	}
}

func writeGroup(x *XML, name string, g *iam.Group) {
	x.Open(name)
	x.Elem("Path", g.Path).Elem("GroupName", g.Name).Elem("GroupId", g.ID).Elem("Arn", g.ARN)
	x.Time("CreateDate", g.CreateDate)
	x.Close(name)
}

// optional returns a parameter's value when it was sent.
func optional(q *Query, name string) *string {
	if v, ok := q.String(name); ok {
		return &v
	}
	return nil
}

// Users.

func (s *Server) iamCreateUser(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("UserName")
	if err != nil {
		return err
	}
	u, err := s.IAM.CreateUser(ctx, c, iam.CreateUserInput{
		UserName: name, Path: q.Get("Path"), PermissionsBoundary: q.Get("PermissionsBoundary"), Tags: tags(q),
	})
	if err != nil {
		return err
	}
	writeUser(x, "User", u, userFull)
	return nil
}

func (s *Server) iamGetUser(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	u, err := s.IAM.GetUser(ctx, c, q.Get("UserName"))
	if err != nil {
		return err
	}
	writeUser(x, "User", u, userFull)
	return nil
}

func (s *Server) iamListUsers(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	pg, err := queryPage(q)
	if err != nil {
		return err
	}
	users, next, err := s.IAM.ListUsers(ctx, c, q.Get("PathPrefix"), pg)
	if err != nil {
		return err
	}
	writeUserList(x, users, next)
	return nil
}

func writeUserList(x *XML, users []*iam.User, next string) {
	x.Open("Users")
	for _, u := range users {
		writeUser(x, "member", u, userListed)
	}
	x.Close("Users")
	writeTruncation(x, next)
}

func (s *Server) iamUpdateUser(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("UserName")
	if err != nil {
		return err
	}
	return s.IAM.UpdateUser(ctx, c, iam.UpdateUserInput{UserName: name, NewUserName: optional(q, "NewUserName"), NewPath: optional(q, "NewPath")})
}

func (s *Server) iamDeleteUser(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("UserName")
	if err != nil {
		return err
	}
	return s.IAM.DeleteUser(ctx, c, name)
}

func (s *Server) iamPutUserPermissionsBoundary(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, arn, err := q.Required2("UserName", "PermissionsBoundary")
	if err != nil {
		return err
	}
	return s.IAM.PutUserPermissionsBoundary(ctx, c, name, arn)
}

func (s *Server) iamDeleteUserPermissionsBoundary(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("UserName")
	if err != nil {
		return err
	}
	return s.IAM.DeleteUserPermissionsBoundary(ctx, c, name)
}

// Groups.

func (s *Server) iamCreateGroup(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("GroupName")
	if err != nil {
		return err
	}
	g, err := s.IAM.CreateGroup(ctx, c, name, q.Get("Path"))
	if err != nil {
		return err
	}
	writeGroup(x, "Group", g)
	return nil
}

func (s *Server) iamGetGroup(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("GroupName")
	if err != nil {
		return err
	}
	pg, err := queryPage(q)
	if err != nil {
		return err
	}
	g, users, next, err := s.IAM.GetGroup(ctx, c, name, pg)
	if err != nil {
		return err
	}
	writeGroup(x, "Group", g)
	writeUserList(x, users, next)
	return nil
}

func (s *Server) iamListGroups(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	pg, err := queryPage(q)
	if err != nil {
		return err
	}
	groups, next, err := s.IAM.ListGroups(ctx, c, q.Get("PathPrefix"), pg)
	if err != nil {
		return err
	}
	writeGroupList(x, groups, next)
	return nil
}

func writeGroupList(x *XML, groups []*iam.Group, next string) {
	x.Open("Groups")
	for _, g := range groups {
		writeGroup(x, "member", g)
	}
	x.Close("Groups")
	writeTruncation(x, next)
}

func (s *Server) iamListGroupsForUser(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("UserName")
	if err != nil {
		return err
	}
	pg, err := queryPage(q)
	if err != nil {
		return err
	}
	groups, next, err := s.IAM.ListGroupsForUser(ctx, c, name, pg)
	if err != nil {
		return err
	}
	writeGroupList(x, groups, next)
	return nil
}

func (s *Server) iamUpdateGroup(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("GroupName")
	if err != nil {
		return err
	}
	return s.IAM.UpdateGroup(ctx, c, iam.UpdateGroupInput{GroupName: name, NewGroupName: optional(q, "NewGroupName"), NewPath: optional(q, "NewPath")})
}

func (s *Server) iamDeleteGroup(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, err := q.Required("GroupName")
	if err != nil {
		return err
	}
	return s.IAM.DeleteGroup(ctx, c, name)
}

func (s *Server) iamAddUserToGroup(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	group, user, err := q.Required2("GroupName", "UserName")
	if err != nil {
		return err
	}
	return s.IAM.AddUserToGroup(ctx, c, group, user)
}

func (s *Server) iamRemoveUserFromGroup(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	group, user, err := q.Required2("GroupName", "UserName")
	if err != nil {
		return err
	}
	return s.IAM.RemoveUserFromGroup(ctx, c, group, user)
}

// Access keys. Only CreateAccessKey ever writes a secret.

func writeAccessKeyMetadata(x *XML, name string, k *iam.AccessKey) {
	x.Open(name)
	x.ElemIf("UserName", k.UserName).Elem("AccessKeyId", k.ID).Elem("Status", k.Status).Time("CreateDate", k.CreateDate)
	x.Close(name)
}

func (s *Server) iamCreateAccessKey(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	k, err := s.IAM.CreateAccessKey(ctx, c, q.Get("UserName"))
	if err != nil {
		return err
	}
	x.Open("AccessKey")
	x.ElemIf("UserName", k.UserName).Elem("AccessKeyId", k.ID).Elem("Status", k.Status)
	x.Elem("SecretAccessKey", k.Secret).Time("CreateDate", k.CreateDate)
	x.Close("AccessKey")
	return nil
}

func (s *Server) iamListAccessKeys(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	pg, err := queryPage(q)
	if err != nil {
		return err
	}
	keys, next, err := s.IAM.ListAccessKeys(ctx, c, q.Get("UserName"), pg)
	if err != nil {
		return err
	}
	x.Open("AccessKeyMetadata")
	for _, k := range keys {
		writeAccessKeyMetadata(x, "member", k)
	}
	x.Close("AccessKeyMetadata")
	writeTruncation(x, next)
	return nil
}

func (s *Server) iamUpdateAccessKey(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	id, status, err := q.Required2("AccessKeyId", "Status")
	if err != nil {
		return err
	}
	return s.IAM.UpdateAccessKey(ctx, c, q.Get("UserName"), id, status)
}

func (s *Server) iamDeleteAccessKey(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	id, err := q.Required("AccessKeyId")
	if err != nil {
		return err
	}
	return s.IAM.DeleteAccessKey(ctx, c, q.Get("UserName"), id)
}

func (s *Server) iamGetAccessKeyLastUsed(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	id, err := q.Required("AccessKeyId")
	if err != nil {
		return err
	}
	k, err := s.IAM.GetAccessKeyLastUsed(ctx, c, id)
	if err != nil {
		return err
	}
	x.ElemIf("UserName", k.UserName)
	x.Open("AccessKeyLastUsed")
	if k.LastUsed.IsZero() {
		// AWS's answer for a key that has never been used (recorded).
		x.Elem("ServiceName", "N/A").Elem("Region", "N/A")
	} else {
		x.Time("LastUsedDate", k.LastUsed).Elem("ServiceName", k.LastUsedService).Elem("Region", k.LastUsedRegion)
	}
	x.Close("AccessKeyLastUsed")
	return nil
}

// Account-wide reports.

func (s *Server) iamGetAccountSummary(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	m, err := s.IAM.GetAccountSummary(ctx, c)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	x.Open("SummaryMap")
	for _, k := range keys {
		x.Open("entry").Elem("key", k).Int("value", m[k]).Close("entry")
	}
	x.Close("SummaryMap")
	return nil
}

func (s *Server) iamGetAccountAuthorizationDetails(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	pg, err := queryPage(q)
	if err != nil {
		return err
	}
	d, err := s.IAM.GetAccountAuthorizationDetails(ctx, c, q.List("Filter"), pg)
	if err != nil {
		return err
	}
	// Element presence follows AWS (recorded): users leave UserPolicyList
	// out when they have no inline policy, while groups and roles always
	// carry their policy lists; users and roles always carry Tags, roles
	// always carry RoleLastUsed.
	x.Open("UserDetailList")
	for _, u := range d.Users {
		x.Open("member")
		x.Elem("Path", u.Path).Elem("UserName", u.Name).Elem("UserId", u.ID).Elem("Arn", u.ARN)
		x.Time("CreateDate", u.CreateDate)
		if len(u.InlinePolicies) > 0 {
			writeInlinePolicyList(x, "UserPolicyList", u.InlinePolicies)
		}
		x.Open("GroupList")
		for _, g := range u.Groups {
			x.Elem("member", g)
		}
		x.Close("GroupList")
		writeAttachedPolicies(x, u.AttachedPolicies)
		writeBoundary(x, u.PermissionsBoundary)
		writeTags(x, u.Tags, true)
		x.Close("member")
	}
	x.Close("UserDetailList")
	x.Open("GroupDetailList")
	for _, g := range d.Groups {
		x.Open("member")
		x.Elem("Path", g.Path).Elem("GroupName", g.Name).Elem("GroupId", g.ID).Elem("Arn", g.ARN)
		x.Time("CreateDate", g.CreateDate)
		writeInlinePolicyList(x, "GroupPolicyList", g.InlinePolicies)
		writeAttachedPolicies(x, g.AttachedPolicies)
		x.Close("member")
	}
	x.Close("GroupDetailList")
	x.Open("RoleDetailList")
	for _, rd := range d.Roles {
		r := rd.Role
		x.Open("member")
		x.Elem("Path", r.Path).Elem("RoleName", r.Name).Elem("RoleId", r.ID).Elem("Arn", r.ARN)
		x.Time("CreateDate", r.CreateDate)
		x.PolicyDoc("AssumeRolePolicyDocument", r.AssumeRolePolicy)
		x.Open("InstanceProfileList")
		for _, p := range rd.Profiles {
			writeInstanceProfile(x, "member", p.Profile, p.Roles, profileTagsNever)
		}
		x.Close("InstanceProfileList")
		writeInlinePolicyList(x, "RolePolicyList", r.InlinePolicies)
		writeAttachedPolicies(x, r.AttachedPolicies)
		writeBoundary(x, r.PermissionsBoundary)
		writeTags(x, r.Tags, true)
		writeRoleLastUsed(x, r)
		x.Close("member")
	}
	x.Close("RoleDetailList")
	x.Open("Policies")
	for _, p := range d.Policies {
		writePolicy(x, "member", p, policyDetail)
	}
	x.Close("Policies")
	writeTruncation(x, d.Next)
	return nil
}

// versionNumber is the n of a policy version ID "vn".
func versionNumber(id string) int {
	n := 0
	for _, c := range strings.TrimPrefix(id, "v") {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// writeInlinePolicyList writes inline policies (PolicyName, PolicyDocument)
// in name order.
func writeInlinePolicyList(x *XML, name string, m map[string]string) {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	x.Open(name)
	for _, n := range names {
		x.Open("member").Elem("PolicyName", n).PolicyDoc("PolicyDocument", m[n]).Close("member")
	}
	x.Close(name)
}

// writeAttachedPolicies writes AttachedManagedPolicies (PolicyName,
// PolicyArn) in attachment order.
func writeAttachedPolicies(x *XML, arns []string) {
	x.Open("AttachedManagedPolicies")
	for _, a := range arns {
		x.Open("member").Elem("PolicyName", a[strings.LastIndexByte(a, '/')+1:]).Elem("PolicyArn", a).Close("member")
	}
	x.Close("AttachedManagedPolicies")
}

// The policy simulator.

func simulateInput(q *Query) (iam.SimulateInput, error) {
	in := iam.SimulateInput{
		PolicyInputList:   q.List("PolicyInputList"),
		BoundaryInputList: q.List("PermissionsBoundaryPolicyInputList"),
		ActionNames:       q.List("ActionNames"),
		ResourceArns:      q.List("ResourceArns"),
		ResourcePolicy:    q.Get("ResourcePolicy"),
		ResourceOwner:     q.Get("ResourceOwner"),
		CallerArn:         q.Get("CallerArn"),
		ResourceHandling:  q.Get("ResourceHandlingOption"),
		PolicySourceArn:   q.Get("PolicySourceArn"),
	}
	for i := 1; ; i++ {
		prefix := "ContextEntries.member." + strconv.Itoa(i) + "."
		key, hasKey := q.String(prefix + "ContextKeyName")
		typ, hasType := q.String(prefix + "ContextKeyType")
		values := q.List(prefix + "ContextKeyValues")
		if !hasKey && !hasType && len(values) == 0 {
			break
		}
		in.ContextEntries = append(in.ContextEntries, iam.ContextEntry{Key: key, Values: values, Type: typ})
	}
	var err error
	in.Page, err = queryPage(q)
	return in, err
}

func (s *Server) iamSimulateCustomPolicy(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	in, err := simulateInput(q)
	if err != nil {
		return err
	}
	results, next, err := s.IAM.SimulateCustomPolicy(ctx, c, in)
	if err != nil {
		return err
	}
	writeEvaluationResults(x, results, next)
	return nil
}

func (s *Server) iamSimulatePrincipalPolicy(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	in, err := simulateInput(q)
	if err != nil {
		return err
	}
	if _, err := q.Required("PolicySourceArn"); err != nil {
		return err
	}
	results, next, err := s.IAM.SimulatePrincipalPolicy(ctx, c, in)
	if err != nil {
		return err
	}
	writeEvaluationResults(x, results, next)
	return nil
}

func writeEvaluationResults(x *XML, results []iam.EvaluationResult, next string) {
	x.Open("EvaluationResults")
	for _, r := range results {
		x.Open("member")
		x.Elem("EvalActionName", r.Action).Elem("EvalResourceName", r.Resource).Elem("EvalDecision", r.Decision)
		writeMatchedStatements(x, r.Matched)
		writeStringList(x, "MissingContextValues", r.Missing)
		x.Open("OrganizationsDecisionDetail").Bool("AllowedByOrganizations", r.AllowedByOrganizations).Close("OrganizationsDecisionDetail")
		writeBoundaryDecision(x, r.AllowedByBoundary)
		if r.DecisionDetails != nil {
			x.Open("EvalDecisionDetails")
			for k, v := range r.DecisionDetails {
				x.Open("entry").Elem("key", k).Elem("value", v).Close("entry")
			}
			x.Close("EvalDecisionDetails")
		}
		if len(r.ResourceSpecific) > 0 {
			x.Open("ResourceSpecificResults")
			for _, rr := range r.ResourceSpecific {
				x.Open("member")
				x.Elem("EvalResourceName", rr.Resource).Elem("EvalResourceDecision", rr.Decision)
				writeMatchedStatements(x, rr.Matched)
				writeStringList(x, "MissingContextValues", rr.Missing)
				writeBoundaryDecision(x, rr.AllowedByBoundary)
				x.Close("member")
			}
			x.Close("ResourceSpecificResults")
		}
		x.Close("member")
	}
	x.Close("EvaluationResults")
	writeTruncation(x, next)
}

func writeBoundaryDecision(x *XML, allowed *bool) {
	if allowed != nil {
		x.Open("PermissionsBoundaryDecisionDetail").Bool("AllowedByPermissionsBoundary", *allowed).Close("PermissionsBoundaryDecisionDetail")
	}
}

func writeMatchedStatements(x *XML, ms []iam.MatchedStatement) {
	x.Open("MatchedStatements")
	for _, m := range ms {
		x.Open("member")
		x.Elem("SourcePolicyId", m.SourcePolicyID).ElemIf("SourcePolicyType", m.SourcePolicyType)
		if m.Start != nil {
			x.Open("StartPosition").Int("Line", m.Start.Line).Int("Column", m.Start.Column).Close("StartPosition")
		}
		if m.End != nil {
			x.Open("EndPosition").Int("Line", m.End.Line).Int("Column", m.End.Column).Close("EndPosition")
		}
		x.Close("member")
	}
	x.Close("MatchedStatements")
}

func writeStringList(x *XML, name string, vs []string) {
	x.Open(name)
	for _, v := range vs {
		x.Elem("member", v)
	}
	x.Close(name)
}

func (s *Server) iamGetContextKeysForCustomPolicy(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	keys, err := s.IAM.GetContextKeysForCustomPolicy(ctx, c, q.List("PolicyInputList"))
	if err != nil {
		return err
	}
	writeStringList(x, "ContextKeyNames", keys)
	return nil
}

func (s *Server) iamGetContextKeysForPrincipalPolicy(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	source, err := q.Required("PolicySourceArn")
	if err != nil {
		return err
	}
	keys, err := s.IAM.GetContextKeysForPrincipalPolicy(ctx, c, source, q.List("PolicyInputList"))
	if err != nil {
		return err
	}
	writeStringList(x, "ContextKeyNames", keys)
	return nil
}
