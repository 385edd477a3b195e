package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/rolecall/rolecall/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/policy"
)

// The Amazon ECS control plane API (AWS JSON 1.1). Every operation is
// authorized before the domain runs, with the action, resource ARN and
// condition keys of the ECS service authorization reference:
//
//   - cluster calls act on the cluster ARN (aws:ResourceTag/* from its tags);
//   - DescribeContainerInstances and UpdateContainerInstancesState act on
//     each container instance ARN, with ecs:cluster set to the cluster ARN;
//   - tags in a request give aws:RequestTag/* and aws:TagKeys;
//   - TagResource, UntagResource and ListTagsForResource act on the resource
//     ARN (cluster, container instance, task definition or task), with the
//     resource's tags as aws:ResourceTag/*; not ecs:cluster, which the
//     reference does not list for these actions (a policy that requires it
//     does not match them, as in AWS);
//   - tags applied by CreateCluster, RegisterContainerInstance or
//     RegisterTaskDefinition also need ecs:TagResource on the new resource,
//     with ecs:CreateAction set to the operation's name (tag-on-create);
//   - RegisterTaskDefinition with a task or execution role also needs
//     iam:PassRole on each role, with iam:PassedToService set to
//     ecs-tasks.amazonaws.com; the role must then exist and trust
//     ecs-tasks.amazonaws.com.

// ecsTargetPrefix is ECS's X-Amz-Target prefix.
const ecsTargetPrefix = "AmazonEC2ContainerServiceV20141113"

// ecsTasksPrincipal is the service principal task and execution roles are
// passed to.
const ecsTasksPrincipal = "ecs-tasks.amazonaws.com"

// ecsOp adapts a typed ECS handler to a jsonHandler: it decodes the body
// into In and gives the handler the caller's scope.
func ecsOp[In any](s *Server, fn func(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *In) (any, error)) jsonHandler {
	return func(ctx context.Context, c iam.Caller, body []byte) (any, error) {
		in := new(In)
		if err := DecodeJSON(body, in); err != nil {
			return nil, err
		}
		ri := infoFrom(ctx)
		if ri == nil {
			ri = &requestInfo{caller: c}
		}
		region := ri.env.Region
		if region == "" {
			region = s.ECS.Region
		}
		return fn(ctx, ri, ecs.Scope{Account: c.Account, Region: region}, in)
	}
}

func (s *Server) registerECS() {
	s.RegisterJSON("ecs", ecsTargetPrefix, map[string]jsonHandler{
		"CreateCluster":                 ecsOp(s, s.ecsCreateCluster),
		"DeleteCluster":                 ecsOp(s, s.ecsDeleteCluster),
		"ListClusters":                  ecsOp(s, s.ecsListClusters),
		"DescribeClusters":              ecsOp(s, s.ecsDescribeClusters),
		"RegisterContainerInstance":     ecsOp(s, s.ecsRegisterContainerInstance),
		"DeregisterContainerInstance":   ecsOp(s, s.ecsDeregisterContainerInstance),
		"ListContainerInstances":        ecsOp(s, s.ecsListContainerInstances),
		"DescribeContainerInstances":    ecsOp(s, s.ecsDescribeContainerInstances),
		"UpdateContainerInstancesState": ecsOp(s, s.ecsUpdateContainerInstancesState),
		"RegisterTaskDefinition":        ecsOp(s, s.ecsRegisterTaskDefinition),
		"DeregisterTaskDefinition":      ecsOp(s, s.ecsDeregisterTaskDefinition),
		"DescribeTaskDefinition":        ecsOp(s, s.ecsDescribeTaskDefinition),
		"ListTaskDefinitions":           ecsOp(s, s.ecsListTaskDefinitions),
		"ListTaskDefinitionFamilies":    ecsOp(s, s.ecsListTaskDefinitionFamilies),
		"TagResource":                   ecsOp(s, s.ecsTagResource),
		"UntagResource":                 ecsOp(s, s.ecsUntagResource),
		"ListTagsForResource":           ecsOp(s, s.ecsListTagsForResource),
	})
	s.registerECSTasks()
}

// ecsKeys are an ECS call's condition keys.
type ecsKeys struct {
	requestTags  []ecs.Tag
	tagKeys      []string
	resourceTags []ecs.Tag
	tagsErr      error  // reading resourceTags failed: the call cannot be decided
	cluster      string // ecs:cluster
	createAction string // ecs:CreateAction
	passedTo     string // iam:PassedToService
}

// withResourceTags sets the resource's tags (ecsResourceTags' answer).
func (k *ecsKeys) withResourceTags(tags []ecs.Tag, err error) *ecsKeys {
	k.resourceTags, k.tagsErr = tags, err
	return k
}

func (k *ecsKeys) withRequestTags(tags []ecs.Tag) *ecsKeys {
	k.requestTags = tags
	for _, t := range tags {
		k.tagKeys = append(k.tagKeys, t.Key)
	}
	return k
}

func (k *ecsKeys) set(ctx *policy.Context) {
	setTagKeys(ctx, "ecs", k.requestTags, k.tagKeys, k.resourceTags)
	if k.cluster != "" {
		ctx.Set("ecs:cluster", k.cluster)
	}
	if k.createAction != "" {
		ctx.Set("ecs:CreateAction", k.createAction)
	}
	if k.passedTo != "" {
		ctx.Set("iam:PassedToService", k.passedTo)
	}
}

// ecsCall is one authorization question of an ECS request.
type ecsCall struct {
	action   string
	resource string
	keys     *ecsKeys
}

// authorizeECS decides every question of an ECS request (all must be
// allowed), answering a denial as ECS does: AccessDeniedException (HTTP
// 400, as ECS answers every client error) with AWS's message.
func (s *Server) authorizeECS(ctx context.Context, ri *requestInfo, calls ...ecsCall) error {
	c := ri.caller
	if c.Account != "" && c.ARN == s.rootCaller(c.Account).ARN {
		return nil // the account root may do anything in its account
	}
	id, err := s.Authz.LoadIdentity(ctx, c, &ri.env)
	if err != nil {
		return ecsDenied(err)
	}
	for _, call := range calls {
		keys := call.keys
		if keys != nil && keys.tagsErr != nil {
			// A policy may deny on aws:ResourceTag: without the tags the
			// call is not decided (not allowed by default either).
			return keys.tagsErr
		}
		if keys == nil {
			keys = &ecsKeys{}
		}
		if err := s.Authz.Authorize(c, id, &ri.env, &authz.Call{Action: call.action, Resource: call.resource, Keys: keys.set}); err != nil {
			return ecsDenied(err)
		}
	}
	return nil
}

// ecsDenied turns IAM's AccessDenied into ECS's AccessDeniedException.
func ecsDenied(err error) error {
	if e, ok := awserr.As(err); ok && e.Code == "AccessDenied" {
		return awserr.New(http.StatusBadRequest, "AccessDeniedException", "%s", e.Message)
	}
	return err
}

// resourceTags are a resource's tags for aws:ResourceTag/*; resources that
// do not exist (yet), or are not valid ARNs, have none (the operation then
// answers for them). Other failures (the store's) are returned.
func (s *Server) ecsResourceTags(ctx context.Context, sc ecs.Scope, resourceARN string) ([]ecs.Tag, error) {
	tags, err := s.ECS.ResourceTags(ctx, sc, resourceARN)
	if err != nil {
		// Only the caller's own mistakes (no such resource, a bad ARN) mean
		// "no tags"; a server-side failure (the ECS service answers store
		// failures as ServerException) leaves the call undecided.
		if e, ok := awserr.As(err); ok && e.Sender {
			return nil, nil
		}
		return nil, err
	}
	return tags, nil
}

// clusterARN resolves a cluster identifier for authorization.
func (s *Server) ecsClusterARN(sc ecs.Scope, ident string) (string, error) {
	if strings.HasPrefix(ident, "arn:") {
		// Authorize on the ARN as given: one of another account or
		// region is then refused, or found missing, as in ECS.
		if _, err := s.ECS.ClusterName(sc, ident); err != nil {
			if e, ok := awserr.As(err); ok && e.Code == "ClusterNotFoundException" {
				return ident, nil
			}
			return "", err
		}
		return ident, nil
	}
	name, err := s.ECS.ClusterName(sc, ident)
	if err != nil {
		return "", err
	}
	return s.ECS.ClusterARN(sc, name), nil
}

// clusterCall is the authorization question for a call on a cluster.
func (s *Server) ecsClusterCall(ctx context.Context, sc ecs.Scope, action, clusterARN string, keys *ecsKeys) ecsCall {
	if keys == nil {
		keys = &ecsKeys{}
	}
	keys.withResourceTags(s.ecsResourceTags(ctx, sc, clusterARN))
	return ecsCall{action: "ecs:" + action, resource: clusterARN, keys: keys}
}

// ecsAuthorizeOnCluster authorizes a call on a cluster (ecsClusterCall).
func (s *Server) ecsAuthorizeOnCluster(ctx context.Context, ri *requestInfo, sc ecs.Scope, action, cluster string) error {
	clusterARN, err := s.ecsClusterARN(sc, cluster)
	if err != nil {
		return err
	}
	return s.authorizeECS(ctx, ri, s.ecsClusterCall(ctx, sc, action, clusterARN, nil))
}

// tagOnCreate is the ecs:TagResource question asked when a create call
// carries tags.
func tagOnCreate(operation, resourceARN string, tags []ecs.Tag) ecsCall {
	keys := (&ecsKeys{createAction: operation}).withRequestTags(tags)
	return ecsCall{action: "ecs:TagResource", resource: resourceARN, keys: keys}
}

func (s *Server) ecsCreateCluster(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.CreateClusterInput) (any, error) {
	clusterARN, err := s.ecsClusterARN(sc, in.ClusterName) // "": default
	if err != nil {
		return nil, err
	}
	calls := []ecsCall{{action: "ecs:CreateCluster", resource: clusterARN, keys: (&ecsKeys{}).withRequestTags(in.Tags)}}
	if len(in.Tags) > 0 {
		calls = append(calls, tagOnCreate("CreateCluster", clusterARN, in.Tags))
	}
	if err := s.authorizeECS(ctx, ri, calls...); err != nil {
		return nil, err
	}
	c, err := s.ECS.CreateCluster(ctx, sc, in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"cluster": c}, nil
}

func (s *Server) ecsDeleteCluster(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *struct {
	Cluster string `json:"cluster"`
}) (any, error) {
	if in.Cluster == "" {
		return nil, awserr.New(http.StatusBadRequest, "InvalidParameterException", "Cluster cannot be null or empty.")
	}
	if err := s.ecsAuthorizeOnCluster(ctx, ri, sc, "DeleteCluster", in.Cluster); err != nil {
		return nil, err
	}
	c, err := s.ECS.DeleteCluster(ctx, sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	return map[string]any{"cluster": c}, nil
}

func (s *Server) ecsListClusters(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.ListClustersInput) (any, error) {
	if err := s.authorizeECS(ctx, ri, ecsCall{action: "ecs:ListClusters", resource: "*"}); err != nil {
		return nil, err
	}
	return s.ECS.ListClusters(ctx, sc, in)
}

func (s *Server) ecsDescribeClusters(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.DescribeClustersInput) (any, error) {
	idents := in.Clusters
	if len(idents) == 0 {
		idents = []string{ecs.DefaultCluster}
	}
	if len(idents) > 100 {
		return nil, awserr.New(http.StatusBadRequest, "InvalidParameterException", "clusters can have at most 100 items.")
	}
	var calls []ecsCall
	for _, id := range idents {
		clusterARN, err := s.ecsClusterARN(sc, id)
		if err != nil {
			return nil, err
		}
		calls = append(calls, s.ecsClusterCall(ctx, sc, "DescribeClusters", clusterARN, nil))
	}
	if err := s.authorizeECS(ctx, ri, calls...); err != nil {
		return nil, err
	}
	return s.ECS.DescribeClusters(ctx, sc, in)
}

func (s *Server) ecsRegisterContainerInstance(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.RegisterContainerInstanceInput) (any, error) {
	clusterARN, err := s.ecsClusterARN(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	calls := []ecsCall{s.ecsClusterCall(ctx, sc, "RegisterContainerInstance", clusterARN, (&ecsKeys{}).withRequestTags(in.Tags))}
	if len(in.Tags) > 0 {
		name, err := s.ECS.ClusterName(sc, in.Cluster)
		if err != nil {
			return nil, err
		}
		instanceARN := in.ContainerInstanceArn
		if instanceARN == "" {
			in.NewID = ecs.NewContainerInstanceID()
			instanceARN = s.ECS.ARN(sc, "container-instance/"+name+"/"+in.NewID)
		} else if _, a, _, err := s.ECS.InstanceARN(sc, name, instanceARN); err == nil {
			instanceARN = a
		}
		calls = append(calls, tagOnCreate("RegisterContainerInstance", instanceARN, in.Tags))
	}
	if err := s.authorizeECS(ctx, ri, calls...); err != nil {
		return nil, err
	}
	in.Agent = ri.caller.ARN
	ci, err := s.ECS.RegisterContainerInstance(ctx, sc, in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"containerInstance": ci}, nil
}

func (s *Server) ecsDeregisterContainerInstance(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.DeregisterContainerInstanceInput) (any, error) {
	if err := s.ecsAuthorizeOnCluster(ctx, ri, sc, "DeregisterContainerInstance", in.Cluster); err != nil {
		return nil, err
	}
	ci, err := s.ECS.DeregisterContainerInstance(ctx, sc, in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"containerInstance": ci}, nil
}

func (s *Server) ecsListContainerInstances(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.ListContainerInstancesInput) (any, error) {
	if err := s.ecsAuthorizeOnCluster(ctx, ri, sc, "ListContainerInstances", in.Cluster); err != nil {
		return nil, err
	}
	return s.ECS.ListContainerInstances(ctx, sc, in)
}

// ecsInstanceCalls are the questions for calls on container instances:
// each instance ARN, with ecs:cluster and the instance's tags; with no
// instance, container-instance/CLUSTER/*.
func (s *Server) ecsInstanceCalls(ctx context.Context, sc ecs.Scope, action, cluster string, idents []string) ([]ecsCall, error) {
	return s.ecsMemberCalls(ctx, sc, action, cluster, idents, "container-instance/", s.ECS.InstanceARN)
}

// ecsMemberCalls are the questions for calls on a cluster's container
// instances or tasks (resolve is ecs.Service.InstanceARN or TaskARN): each
// resource's ARN, with ecs:cluster and the resource's tags (aws:ResourceTag/*;
// one that does not exist has none); with no identifier, kind+CLUSTER/*.
func (s *Server) ecsMemberCalls(ctx context.Context, sc ecs.Scope, action, cluster string, idents []string, kind string,
	resolve func(sc ecs.Scope, cluster, ident string) (id, arn string, found bool, err error),
) ([]ecsCall, error) {
	clusterARN, err := s.ecsClusterARN(sc, cluster)
	if err != nil {
		return nil, err
	}
	name, err := s.ECS.ClusterName(sc, cluster)
	if err != nil {
		return nil, err
	}
	var calls []ecsCall
	for _, ident := range idents {
		_, resourceARN, _, err := resolve(sc, name, ident)
		if err != nil {
			return nil, err
		}
		keys := (&ecsKeys{cluster: clusterARN}).withResourceTags(s.ecsResourceTags(ctx, sc, resourceARN))
		calls = append(calls, ecsCall{action: "ecs:" + action, resource: resourceARN, keys: keys})
	}
	if len(calls) == 0 {
		calls = append(calls, ecsCall{action: "ecs:" + action, resource: s.ECS.ARN(sc, kind+name+"/*"), keys: &ecsKeys{cluster: clusterARN}})
	}
	return calls, nil
}

func (s *Server) ecsDescribeContainerInstances(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.DescribeContainerInstancesInput) (any, error) {
	if len(in.ContainerInstances) > 100 {
		return nil, awserr.New(http.StatusBadRequest, "InvalidParameterException", "containerInstances can have at most 100 items.")
	}
	calls, err := s.ecsInstanceCalls(ctx, sc, "DescribeContainerInstances", in.Cluster, in.ContainerInstances)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeECS(ctx, ri, calls...); err != nil {
		return nil, err
	}
	return s.ECS.DescribeContainerInstances(ctx, sc, in)
}

func (s *Server) ecsUpdateContainerInstancesState(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.UpdateContainerInstancesStateInput) (any, error) {
	if len(in.ContainerInstances) > 10 {
		return nil, awserr.New(http.StatusBadRequest, "InvalidParameterException", "containerInstances can have at most 10 items.")
	}
	calls, err := s.ecsInstanceCalls(ctx, sc, "UpdateContainerInstancesState", in.Cluster, in.ContainerInstances)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeECS(ctx, ri, calls...); err != nil {
		return nil, err
	}
	return s.ECS.UpdateContainerInstancesState(ctx, sc, in)
}

func (s *Server) ecsRegisterTaskDefinition(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.RegisterTaskDefinitionInput) (any, error) {
	in.TaskRoleArn, in.ExecutionRoleArn = s.ECS.RoleARN(sc, in.TaskRoleArn), s.ECS.RoleARN(sc, in.ExecutionRoleArn)
	if err := in.Validate(); err != nil {
		return nil, err
	}
	tdARN, err := s.ECS.NextTaskDefinitionARN(ctx, sc, in.Family)
	if err != nil {
		return nil, err
	}
	calls := []ecsCall{{action: "ecs:RegisterTaskDefinition", resource: tdARN, keys: (&ecsKeys{}).withRequestTags(in.Tags)}}
	if len(in.Tags) > 0 {
		calls = append(calls, tagOnCreate("RegisterTaskDefinition", tdARN, in.Tags))
	}
	roles := ecsRoles(in.TaskRoleArn, in.ExecutionRoleArn)
	for _, r := range roles {
		calls = append(calls, passRole(r))
	}
	if err := s.authorizeECS(ctx, ri, calls...); err != nil {
		return nil, err
	}
	for _, r := range roles {
		if err := s.checkTaskRole(ctx, sc, r); err != nil {
			return nil, err
		}
	}
	td, tags, err := s.ECS.RegisterTaskDefinition(ctx, sc, in, ri.caller.ARN)
	if err != nil {
		return nil, err
	}
	return map[string]any{"taskDefinition": td, "tags": tags}, nil
}

// ecsRoles are a task's task and execution roles (either may be empty),
// each once.
func ecsRoles(taskRole, execRole string) []string {
	var roles []string
	if taskRole != "" {
		roles = append(roles, taskRole)
	}
	if execRole != "" && execRole != taskRole {
		roles = append(roles, execRole)
	}
	return roles
}

// passRole is the iam:PassRole question for a task or execution role.
func passRole(role string) ecsCall {
	return ecsCall{action: "iam:PassRole", resource: role, keys: &ecsKeys{passedTo: ecsTasksPrincipal}}
}

// checkTaskRole checks that a task or execution role exists and that its
// trust policy lets ecs-tasks.amazonaws.com assume it. ECS answers a role
// that does not exist with ClientException "Role is not valid"; rolecall
// also refuses, with the same code, a role ECS could not assume, at
// registration rather than when a task starts.
func (s *Server) checkTaskRole(ctx context.Context, sc ecs.Scope, roleARN string) error {
	invalid := awserr.New(http.StatusBadRequest, "ClientException", "Role is not valid: %s does not exist.", roleARN)
	a, err := arn.Parse(roleARN)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
		return invalid
	}
	role, err := s.IAM.GetRole(ctx, iam.Caller{Account: a.AccountID}, a.ResourceName())
	if err != nil {
		if _, ok := awserr.As(err); ok {
			return invalid
		}
		return err
	}
	if role.ARN != roleARN {
		return invalid
	}
	p := policy.Principal{ARN: ecsTasksPrincipal, Kind: arn.PrincipalService}
	call := &authz.Call{
		Action:          "sts:AssumeRole",
		Resource:        role.ARN,
		ResourceAccount: role.Account,
		ResourcePolicy:  &iam.PolicyDoc{Name: "AssumeRolePolicyDocument", Document: role.AssumeRolePolicy},
		ResourceType:    policy.TypeTrust,
		Keys: func(ctx *policy.Context) {
			// What ECS sends when it assumes the role for a task of this
			// account, so trust policies scoped with the confused-deputy
			// keys pass.
			ctx.Set("aws:SourceAccount", sc.Account)
			ctx.Set("aws:SourceArn", s.ECS.ARN(sc, "task/*"))
		},
	}
	res, err := s.Authz.Decide(iam.Caller{ARN: ecsTasksPrincipal}, &authz.Identity{Principal: p}, &authz.Env{Now: s.now().UTC()}, call)
	if err != nil {
		return err
	}
	if res.Decision != policy.Allowed {
		return awserr.New(http.StatusBadRequest, "ClientException",
			"Role is not valid: the trust policy of %s does not allow %s to assume it (sts:AssumeRole).", roleARN, ecsTasksPrincipal)
	}
	return nil
}

func (s *Server) ecsDeregisterTaskDefinition(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *struct {
	TaskDefinition string `json:"taskDefinition"`
}) (any, error) {
	if err := s.authorizeECS(ctx, ri, ecsCall{action: "ecs:DeregisterTaskDefinition", resource: "*"}); err != nil {
		return nil, err
	}
	td, err := s.ECS.DeregisterTaskDefinition(ctx, sc, in.TaskDefinition)
	if err != nil {
		return nil, err
	}
	return map[string]any{"taskDefinition": td}, nil
}

func (s *Server) ecsDescribeTaskDefinition(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.DescribeTaskDefinitionInput) (any, error) {
	if err := s.authorizeECS(ctx, ri, ecsCall{action: "ecs:DescribeTaskDefinition", resource: "*"}); err != nil {
		return nil, err
	}
	return s.ECS.DescribeTaskDefinition(ctx, sc, in)
}

func (s *Server) ecsListTaskDefinitions(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.ListTaskDefinitionsInput) (any, error) {
	if err := s.authorizeECS(ctx, ri, ecsCall{action: "ecs:ListTaskDefinitions", resource: "*"}); err != nil {
		return nil, err
	}
	return s.ECS.ListTaskDefinitions(ctx, sc, in)
}

func (s *Server) ecsListTaskDefinitionFamilies(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.ListTaskDefinitionFamiliesInput) (any, error) {
	if err := s.authorizeECS(ctx, ri, ecsCall{action: "ecs:ListTaskDefinitionFamilies", resource: "*"}); err != nil {
		return nil, err
	}
	return s.ECS.ListTaskDefinitionFamilies(ctx, sc, in)
}

type ecsTagInput struct {
	ResourceArn string    `json:"resourceArn"`
	Tags        []ecs.Tag `json:"tags"`
	TagKeys     []string  `json:"tagKeys"`
}

func (in *ecsTagInput) check() error {
	if in.ResourceArn == "" {
		return awserr.New(http.StatusBadRequest, "InvalidParameterException", "resourceArn cannot be null or empty.")
	}
	return nil
}

func (s *Server) ecsTagResource(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecsTagInput) (any, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	keys := (&ecsKeys{}).withResourceTags(s.ecsResourceTags(ctx, sc, in.ResourceArn)).withRequestTags(in.Tags)
	if err := s.authorizeECS(ctx, ri, ecsCall{action: "ecs:TagResource", resource: in.ResourceArn, keys: keys}); err != nil {
		return nil, err
	}
	if err := s.ECS.TagResource(ctx, sc, in.ResourceArn, in.Tags); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Server) ecsUntagResource(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecsTagInput) (any, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	keys := (&ecsKeys{tagKeys: in.TagKeys}).withResourceTags(s.ecsResourceTags(ctx, sc, in.ResourceArn))
	if err := s.authorizeECS(ctx, ri, ecsCall{action: "ecs:UntagResource", resource: in.ResourceArn, keys: keys}); err != nil {
		return nil, err
	}
	if err := s.ECS.UntagResource(ctx, sc, in.ResourceArn, in.TagKeys); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Server) ecsListTagsForResource(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecsTagInput) (any, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	keys := (&ecsKeys{}).withResourceTags(s.ecsResourceTags(ctx, sc, in.ResourceArn))
	if err := s.authorizeECS(ctx, ri, ecsCall{action: "ecs:ListTagsForResource", resource: in.ResourceArn, keys: keys}); err != nil {
		return nil, err
	}
	tags, err := s.ECS.ListTagsForResource(ctx, sc, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return map[string]any{"tags": tags}, nil
}
