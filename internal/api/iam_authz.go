package api

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/catalog"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/policy"
)

// authorizeIAM decides an IAM call with the action, resource ARN and
// condition keys AWS uses for it: the resource is the role, user, group,
// instance profile or policy the call names (its ARN with the stored path);
// tags in the request give aws:RequestTag/* and aws:TagKeys; the entity's
// tags give aws:ResourceTag/* and iam:ResourceTag/*; a boundary gives
// iam:PermissionsBoundary; attaching a policy gives iam:PolicyARN; creating
// a service-linked role gives iam:AWSServiceName.
func (s *Server) authorizeIAM(ctx context.Context, ri *requestInfo, q *Query) error {
	c := ri.caller
	if c.Account != "" && c.ARN == s.rootCaller(c.Account).ARN {
		return nil // the account root may do anything in its account
	}
	action := "iam:" + q.Action
	call := &authz.Call{Action: action, Resource: "*"}
	keys := &iamKeys{}
	if a, ok := catalog.LookupAction(action); !ok || len(a.ResourceTypes) > 0 {
		call.Resource = s.iamResource(ctx, c, q, keys)
	}
	keys.fromRequest(q)
	call.Keys = keys.set
	id, err := s.Authz.LoadIdentity(ctx, c, &ri.env)
	if err != nil {
		return err
	}
	return s.Authz.Authorize(c, id, &ri.env, call)
}

// iamKeys collects an IAM call's condition keys.
type iamKeys struct {
	requestTags  []iam.Tag
	tagKeys      []string
	resourceTags []iam.Tag
	boundary     string
	policyARN    string
	serviceName  string
}

func (k *iamKeys) fromRequest(q *Query) {
	k.requestTags = tags(q)
	for _, t := range k.requestTags {
		k.tagKeys = append(k.tagKeys, t.Key)
	}
	k.tagKeys = append(k.tagKeys, q.List("TagKeys")...)
	if b := q.Get("PermissionsBoundary"); b != "" {
		k.boundary = b
	}
	if strings.HasPrefix(q.Action, "Attach") || strings.HasPrefix(q.Action, "Detach") {
		k.policyARN = q.Get("PolicyArn")
	}
	k.serviceName = q.Get("AWSServiceName")
}

// fromEntity records the tags and permissions boundary of the entity a
// call names (iamResource); a boundary in the request (fromRequest, which
// runs after) takes precedence.
func (k *iamKeys) fromEntity(tags []iam.Tag, boundary string) {
	k.resourceTags, k.boundary = tags, boundary
}

func (k *iamKeys) set(ctx *policy.Context) {
	setTagKeys(ctx, "iam", k.requestTags, k.tagKeys, k.resourceTags)
	if k.boundary != "" {
		ctx.Set("iam:PermissionsBoundary", k.boundary)
	}
	if k.policyARN != "" {
		ctx.Set("iam:PolicyARN", k.policyARN)
	}
	if k.serviceName != "" {
		ctx.Set("iam:AWSServiceName", k.serviceName)
	}
}

// iamResource works out the ARN of the entity an IAM call acts on. Entities
// that exist contribute their stored path, tags and boundary; names of
// entities being created take the request's Path.
func (s *Server) iamResource(ctx context.Context, c iam.Caller, q *Query, keys *iamKeys) string {
	acct := c.Account
	arnOf := func(typ, path, name string) string {
		if path == "" {
			path = "/"
		}
		return "arn:" + s.partition() + ":iam::" + acct + ":" + typ + path + name
	}
	action := q.Action
	switch action {
	case "CreatePolicy":
		return arnOf("policy", q.Get("Path"), q.Get("PolicyName"))
	case "CreateServiceLinkedRole":
		return arnOf("role", "/aws-service-role/"+q.Get("AWSServiceName")+"/", "") + "*"
	case "SimulatePrincipalPolicy":
		return q.Get("PolicySourceArn")
	}
	if name := q.Get("InstanceProfileName"); name != "" && strings.Contains(action, "InstanceProfile") && action != "ListInstanceProfilesForRole" {
		if action != "CreateInstanceProfile" {
			if p, err := s.IAM.GetInstanceProfile(ctx, c, name); err == nil {
				return p.ARN
			}
		}
		return arnOf("instance-profile", q.Get("Path"), name)
	}
	if name := q.Get("GroupName"); name != "" && strings.Contains(action, "Group") && action != "ListGroupsForUser" {
		if action != "CreateGroup" {
			if g, err := s.IAM.GetGroupRecord(ctx, c, name); err == nil {
				return g.ARN
			}
		}
		return arnOf("group", q.Get("Path"), name)
	}
	if name := q.Get("RoleName"); name != "" {
		if action == "CreateRole" {
			return arnOf("role", q.Get("Path"), name)
		}
		if r, err := s.IAM.GetRole(ctx, c, name); err == nil {
			keys.fromEntity(r.Tags, r.PermissionsBoundary)
			return r.ARN
		}
		return arnOf("role", "/", name)
	}
	name := q.Get("UserName")
	if name == "" && c.UserName != "" && (strings.Contains(action, "AccessKey") || action == "GetUser" || strings.Contains(action, "SSHPublicKey") || strings.Contains(action, "LoginProfile")) {
		name = c.UserName // calls about "myself"
	}
	if name != "" {
		if action == "CreateUser" {
			return arnOf("user", q.Get("Path"), name)
		}
		if u, err := s.IAM.GetUser(ctx, c, name); err == nil {
			keys.fromEntity(u.Tags, u.PermissionsBoundary)
			return u.ARN
		}
		return arnOf("user", "/", name)
	}
	if p := q.Get("PolicyArn"); p != "" {
		return p
	}
	return "*"
}
