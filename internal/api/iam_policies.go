package api

import (
	"context"
	"slices"

	"github.com/rolecall/rolecall/internal/iam"
)

// registerIAMPolicies adds the IAM operations for managed policies and versions, inline policies, attachments.
func (s *Server) registerIAMPolicies(m map[string]queryHandler) {
	m["CreatePolicy"] = s.iamCreatePolicy
	m["GetPolicy"] = s.iamGetPolicy
	m["ListPolicies"] = s.iamListPolicies
	m["DeletePolicy"] = s.iamDeletePolicy
	m["CreatePolicyVersion"] = s.iamCreatePolicyVersion
	m["GetPolicyVersion"] = s.iamGetPolicyVersion
	m["ListPolicyVersions"] = s.iamListPolicyVersions
	m["DeletePolicyVersion"] = s.iamDeletePolicyVersion
	m["SetDefaultPolicyVersion"] = s.iamSetDefaultPolicyVersion
	m["ListEntitiesForPolicy"] = s.iamListEntitiesForPolicy
	registerTagging(m, "Policy", "PolicyArn", s.IAM.TagPolicy, s.IAM.UntagPolicy, s.IAM.ListPolicyTags)

	for _, h := range []struct {
		kind  iam.PolicyHolder
		noun  string // Role, User, Group
		param string // RoleName, UserName, GroupName
	}{
		{iam.HolderRole, "Role", "RoleName"},
		{iam.HolderUser, "User", "UserName"},
		{iam.HolderGroup, "Group", "GroupName"},
	} {
		m["Attach"+h.noun+"Policy"] = iamHolderPolicyOp(h.kind, h.param, "PolicyArn", s.IAM.AttachPolicy)
		m["Detach"+h.noun+"Policy"] = iamHolderPolicyOp(h.kind, h.param, "PolicyArn", s.IAM.DetachPolicy)
		m["ListAttached"+h.noun+"Policies"] = s.iamListAttachedPolicies(h.kind, h.param)
		m["Put"+h.noun+"Policy"] = s.iamPutInlinePolicy(h.kind, h.param)
		m["Get"+h.noun+"Policy"] = s.iamGetInlinePolicy(h.kind, h.param)
		m["List"+h.noun+"Policies"] = s.iamListInlinePolicies(h.kind, h.param)
		m["Delete"+h.noun+"Policy"] = iamHolderPolicyOp(h.kind, h.param, "PolicyName", s.IAM.DeleteInlinePolicy)
	}
}

// Which Policy structure a response carries: CreatePolicy's has no
// Description and Tags only when there are some; GetPolicy's has both
// (Tags even when empty); ListPolicies' has neither;
// GetAccountAuthorizationDetails' has Description and every version
// instead of Tags (all as recorded).
type policyView int

const (
	policyCreated policyView = iota
	policyFull
	policyListed
	policyDetail
)

func writePolicy(x *XML, name string, p *iam.ManagedPolicy, view policyView) {
	x.Open(name)
	x.Elem("PolicyName", p.Name).Elem("PolicyId", p.ID).Elem("Arn", p.ARN).Elem("Path", p.Path)
	x.Elem("DefaultVersionId", p.DefaultVersionID)
	x.Int("AttachmentCount", p.AttachmentCount).Int("PermissionsBoundaryUsageCount", p.BoundaryUsageCount)
	x.Bool("IsAttachable", true)
	if view == policyFull || view == policyDetail {
		x.ElemIf("Description", p.Description)
	}
	x.Time("CreateDate", p.CreateDate).Time("UpdateDate", p.UpdateDate)
	switch view {
	case policyCreated:
		writeTags(x, p.Tags, false)
	case policyFull:
		writeTags(x, p.Tags, true)
	case policyDetail:
		writePolicyVersionList(x, p)
	}
	x.Close(name)
}

// writePolicyVersionList writes every version of a policy with its
// document, newest first, as AWS lists them (recorded).
func writePolicyVersionList(x *XML, p *iam.ManagedPolicy) {
	vs := slices.Clone(p.Versions)
	slices.SortFunc(vs, func(a, b iam.PolicyVersion) int { return versionNumber(b.ID) - versionNumber(a.ID) })
	x.Open("PolicyVersionList")
	for _, v := range vs {
		x.Open("member")
		x.PolicyDoc("Document", v.Document).Elem("VersionId", v.ID)
		x.Bool("IsDefaultVersion", v.ID == p.DefaultVersionID).Time("CreateDate", v.CreateDate)
		x.Close("member")
	}
	x.Close("PolicyVersionList")
}

func writePolicyVersion(x *XML, name string, v *iam.PolicyVersionInfo, withDocument bool) {
	x.Open(name)
	if withDocument {
		x.PolicyDoc("Document", v.Document)
	}
	x.Elem("VersionId", v.VersionID).Bool("IsDefaultVersion", v.IsDefault).Time("CreateDate", v.CreateDate)
	x.Close(name)
}

func (s *Server) iamCreatePolicy(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	name, doc, err := q.Required2("PolicyName", "PolicyDocument")
	if err != nil {
		return err
	}
	p, err := s.IAM.CreatePolicy(ctx, c, iam.CreatePolicyInput{
		PolicyName: name, Path: q.Get("Path"), PolicyDocument: doc,
		Description: q.Get("Description"), Tags: tags(q),
	})
	if err != nil {
		return err
	}
	writePolicy(x, "Policy", p, policyCreated)
	return nil
}

func (s *Server) iamGetPolicy(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	arn, err := q.Required("PolicyArn")
	if err != nil {
		return err
	}
	p, err := s.IAM.GetPolicy(ctx, c, arn)
	if err != nil {
		return err
	}
	writePolicy(x, "Policy", p, policyFull)
	return nil
}

func (s *Server) iamListPolicies(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	onlyAttached, err := q.Bool("OnlyAttached", false)
	if err != nil {
		return err
	}
	pg, err := queryPage(q)
	if err != nil {
		return err
	}
	ps, marker, err := s.IAM.ListPolicies(ctx, c, iam.ListPoliciesInput{
		Scope: q.Get("Scope"), OnlyAttached: onlyAttached, PathPrefix: q.Get("PathPrefix"),
		PolicyUsageFilter: q.Get("PolicyUsageFilter"), Page: pg,
	})
	if err != nil {
		return err
	}
	x.Open("Policies")
	for _, p := range ps {
		writePolicy(x, "member", p, policyListed)
	}
	x.Close("Policies")
	writeTruncation(x, marker)
	return nil
}

func (s *Server) iamDeletePolicy(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	arn, err := q.Required("PolicyArn")
	if err != nil {
		return err
	}
	return s.IAM.DeletePolicy(ctx, c, arn)
}

func (s *Server) iamCreatePolicyVersion(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	arn, doc, err := q.Required2("PolicyArn", "PolicyDocument")
	if err != nil {
		return err
	}
	setDefault, err := q.Bool("SetAsDefault", false)
	if err != nil {
		return err
	}
	v, err := s.IAM.CreatePolicyVersion(ctx, c, arn, doc, setDefault)
	if err != nil {
		return err
	}
	writePolicyVersion(x, "PolicyVersion", v, false)
	return nil
}

func (s *Server) iamGetPolicyVersion(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	arn, id, err := q.Required2("PolicyArn", "VersionId")
	if err != nil {
		return err
	}
	v, err := s.IAM.GetPolicyVersion(ctx, c, arn, id)
	if err != nil {
		return err
	}
	writePolicyVersion(x, "PolicyVersion", v, true)
	return nil
}

func (s *Server) iamListPolicyVersions(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	arn, err := q.Required("PolicyArn")
	if err != nil {
		return err
	}
	pg, err := queryPage(q)
	if err != nil {
		return err
	}
	vs, marker, err := s.IAM.ListPolicyVersions(ctx, c, arn, pg)
	if err != nil {
		return err
	}
	x.Open("Versions")
	for _, v := range vs {
		writePolicyVersion(x, "member", v, false)
	}
	x.Close("Versions")
	writeTruncation(x, marker)
	return nil
}

func (s *Server) iamDeletePolicyVersion(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	arn, id, err := q.Required2("PolicyArn", "VersionId")
	if err != nil {
		return err
	}
	return s.IAM.DeletePolicyVersion(ctx, c, arn, id)
}

func (s *Server) iamSetDefaultPolicyVersion(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	arn, id, err := q.Required2("PolicyArn", "VersionId")
	if err != nil {
		return err
	}
	return s.IAM.SetDefaultPolicyVersion(ctx, c, arn, id)
}

func (s *Server) iamListEntitiesForPolicy(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	arn, err := q.Required("PolicyArn")
	if err != nil {
		return err
	}
	pg, err := queryPage(q)
	if err != nil {
		return err
	}
	es, marker, err := s.IAM.ListEntitiesForPolicy(ctx, c, iam.ListEntitiesForPolicyInput{
		PolicyARN: arn, EntityFilter: q.Get("EntityFilter"), PathPrefix: q.Get("PathPrefix"),
		PolicyUsageFilter: q.Get("PolicyUsageFilter"), Page: pg,
	})
	if err != nil {
		return err
	}
	for _, t := range []string{iam.EntityGroup, iam.EntityUser, iam.EntityRole} {
		x.Open("Policy" + t + "s")
		for _, e := range es {
			if e.Type == t {
				x.Open("member").Elem(t+"Name", e.Name).Elem(t+"Id", e.ID).Close("member")
			}
		}
		x.Close("Policy" + t + "s")
	}
	writeTruncation(x, marker)
	return nil
}

// iamHolderPolicyOp serves an operation on one policy of a role, user or
// group (named by param) that answers nothing: attaching or detaching a
// managed policy (policyParam PolicyArn), deleting an inline one
// (PolicyName).
func iamHolderPolicyOp(kind iam.PolicyHolder, param, policyParam string,
	op func(ctx context.Context, c iam.Caller, kind iam.PolicyHolder, entity, policy string) error) queryHandler {
	return func(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
		entity, policy, err := q.Required2(param, policyParam)
		if err != nil {
			return err
		}
		return op(ctx, c, kind, entity, policy)
	}
}

func (s *Server) iamListAttachedPolicies(kind iam.PolicyHolder, param string) queryHandler {
	return func(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
		entity, err := q.Required(param)
		if err != nil {
			return err
		}
		pg, err := queryPage(q)
		if err != nil {
			return err
		}
		ps, marker, err := s.IAM.ListAttachedPolicies(ctx, c, kind, entity, q.Get("PathPrefix"), pg)
		if err != nil {
			return err
		}
		x.Open("AttachedPolicies")
		for _, p := range ps {
			x.Open("member").Elem("PolicyName", p.Name).Elem("PolicyArn", p.ARN).Close("member")
		}
		x.Close("AttachedPolicies")
		writeTruncation(x, marker)
		return nil
	}
}

func (s *Server) iamPutInlinePolicy(kind iam.PolicyHolder, param string) queryHandler {
	return func(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
		entity, name, err := q.Required2(param, "PolicyName")
		if err != nil {
			return err
		}
		doc, err := q.Required("PolicyDocument")
		if err != nil {
			return err
		}
		return s.IAM.PutInlinePolicy(ctx, c, kind, entity, name, doc)
	}
}

func (s *Server) iamGetInlinePolicy(kind iam.PolicyHolder, param string) queryHandler {
	return func(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
		entity, name, err := q.Required2(param, "PolicyName")
		if err != nil {
			return err
		}
		doc, stored, err := s.IAM.GetInlinePolicy(ctx, c, kind, entity, name)
		if err != nil {
			return err
		}
		x.Elem(param, stored).Elem("PolicyName", name).PolicyDoc("PolicyDocument", doc)
		return nil
	}
}

func (s *Server) iamListInlinePolicies(kind iam.PolicyHolder, param string) queryHandler {
	return func(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
		entity, err := q.Required(param)
		if err != nil {
			return err
		}
		pg, err := queryPage(q)
		if err != nil {
			return err
		}
		names, marker, err := s.IAM.ListInlinePolicies(ctx, c, kind, entity, pg)
		if err != nil {
			return err
		}
		writeStringList(x, "PolicyNames", names)
		writeTruncation(x, marker)
		return nil
	}
}
