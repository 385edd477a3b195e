package api

import (
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// trustOf decodes a role's percent-encoded trust policy into generic JSON.
func trustOf(t *testing.T, r *types.Role) any {
	t.Helper()
	doc, err := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("trust policy %q: %v", doc, err)
	}
	return v
}

func serviceTrust(principal string) any {
	var v any
	json.Unmarshal([]byte(`{"Version":"2012-10-17","Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"`+principal+`"}}]}`), &v)
	return v
}

func attachedARNs(t *testing.T, ts *testServer, role string) []string {
	t.Helper()
	out, err := ts.IAM.ListAttachedRolePolicies(context.Background(), &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, p := range out.AttachedPolicies {
		arns = append(arns, aws.ToString(p.PolicyArn))
	}
	return arns
}

func policyCounts(t *testing.T, ts *testServer, arn string) (attach, boundary int32) {
	t.Helper()
	out, err := ts.IAM.GetPolicy(context.Background(), &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToInt32(out.Policy.AttachmentCount), aws.ToInt32(out.Policy.PermissionsBoundaryUsageCount)
}

const ecsServicePolicy = "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"

func TestServiceLinkedRoleECS(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	out, err := ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if aws.ToString(r.RoleName) != "AWSServiceRoleForECS" || aws.ToString(r.Path) != "/aws-service-role/ecs.amazonaws.com/" ||
		aws.ToString(r.Arn) != "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS" {
		t.Errorf("created %+v", r)
	}
	if id := aws.ToString(r.RoleId); len(id) != 21 || id[:4] != "AROA" {
		t.Errorf("role ID %q", id)
	}
	if got := trustOf(t, r); !reflect.DeepEqual(got, serviceTrust("ecs.amazonaws.com")) {
		t.Errorf("trust policy %v", got)
	}

	// As recorded: GetRole shows the role without a description, with the
	// default session duration, no inline policies and the service's
	// managed policy attached.
	g, err := ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	if err != nil {
		t.Fatal(err)
	}
	if g.Role.Description != nil || aws.ToInt32(g.Role.MaxSessionDuration) != 3600 || aws.ToString(g.Role.Path) != "/aws-service-role/ecs.amazonaws.com/" {
		t.Errorf("GetRole %+v", g.Role)
	}
	if got := attachedARNs(t, ts, "AWSServiceRoleForECS"); !reflect.DeepEqual(got, []string{ecsServicePolicy}) {
		t.Errorf("attached %v", got)
	}
	inline, err := ts.IAM.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String("AWSServiceRoleForECS")})
	if err != nil {
		t.Fatal(err)
	}
	if len(inline.PolicyNames) != 0 {
		t.Errorf("inline %v", inline.PolicyNames)
	}
	if a, _ := policyCounts(t, ts, ecsServicePolicy); a != 1 {
		t.Errorf("AmazonECSServiceRolePolicy attachment count %d", a)
	}

	_, err = ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
	apiError(t, err, "InvalidInput", "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.", 400)
	_, err = ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com"), CustomSuffix: aws.String("debug")})
	apiError(t, err, "InvalidInput", "Custom suffix is not allowed for ecs.amazonaws.com", 400)

	// Only AWS may change it, except for its description.
	const protected = "Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - this role is only modifiable by AWS"
	name := aws.String("AWSServiceRoleForECS")
	_, err = ts.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: name})
	apiError(t, err, "UnmodifiableEntity", protected, 400)
	_, err = ts.IAM.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: name, PolicyDocument: aws.String(ec2Trust)})
	apiError(t, err, "UnmodifiableEntity", protected, 400)
	_, err = ts.IAM.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: name, PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	apiError(t, err, "UnmodifiableEntity", protected, 400)
	_, err = ts.IAM.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: name})
	apiError(t, err, "UnmodifiableEntity", protected, 400)
	_, err = ts.IAM.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: name, MaxSessionDuration: aws.Int32(7200)})
	apiError(t, err, "UnmodifiableEntity", protected, 400)
	_, err = ts.IAM.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: name, PolicyArn: aws.String(ecsServicePolicy)})
	apiError(t, err, "UnmodifiableEntity", protected, 400)
	if _, err := ts.IAM.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: name, Description: aws.String("Allows ECS to manage your cluster.")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: name, Description: aws.String("Edited.")}); err != nil {
		t.Fatal(err)
	}
	g, _ = ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: name})
	if aws.ToString(g.Role.Description) != "Edited." || aws.ToInt32(g.Role.MaxSessionDuration) != 3600 {
		t.Errorf("after description edits %+v", g.Role)
	}
	// Service-role policies cannot go on customer roles.
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("customer")})
	_, err = ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("customer"), PolicyArn: aws.String(ecsServicePolicy)})
	if err == nil {
		t.Errorf("attached a service-role policy to a customer role")
	}

	// Deletion.
	del, err := ts.IAM.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: name})
	if err != nil {
		t.Fatal(err)
	}
	task := aws.ToString(del.DeletionTaskId)
	if !regexp.MustCompile(`^task/aws-service-role/ecs\.amazonaws\.com/AWSServiceRoleForECS/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(task) {
		t.Errorf("DeletionTaskId %q", task)
	}
	st, err := ts.IAM.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(task)})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != types.DeletionTaskStatusTypeSucceeded || st.Reason != nil {
		t.Errorf("status %+v", st)
	}
	_, err = ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: name})
	apiError(t, err, "NoSuchEntity", "The role with name AWSServiceRoleForECS cannot be found.", 404)
	if a, _ := policyCounts(t, ts, ecsServicePolicy); a != 0 {
		t.Errorf("AmazonECSServiceRolePolicy attachment count after deletion %d", a)
	}
	_, err = ts.IAM.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: name})
	apiError(t, err, "NoSuchEntity", "The role with name AWSServiceRoleForECS cannot be found.", 404)
	// And it can be created again.
	if _, err := ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com"), Description: aws.String("again")}); err != nil {
		t.Fatal(err)
	}
	g, _ = ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: name})
	if aws.ToString(g.Role.Description) != "again" {
		t.Errorf("description %v", g.Role.Description)
	}
}

func TestServiceLinkedRoleSuffixes(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	for _, tc := range []struct{ service, name, policy string }{
		{"autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy"},
		{"connect.amazonaws.com", "AWSServiceRoleForAmazonConnect", "AmazonConnectServiceLinkedRolePolicy"},
		{"lexv2.amazonaws.com", "AWSServiceRoleForLexV2Bots", "AmazonLexV2BotPolicy"},
	} {
		out, err := ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(tc.service), CustomSuffix: aws.String("suffix")})
		if err != nil {
			t.Fatal(err)
		}
		want := tc.name + "_suffix"
		if aws.ToString(out.Role.RoleName) != want || aws.ToString(out.Role.Arn) != "arn:aws:iam::123456789012:role/aws-service-role/"+tc.service+"/"+want {
			t.Errorf("%s: %+v", tc.service, out.Role)
		}
		if got := attachedARNs(t, ts, want); !reflect.DeepEqual(got, []string{"arn:aws:iam::aws:policy/aws-service-role/" + tc.policy}) {
			t.Errorf("%s attached %v", tc.service, got)
		}
		// The unsuffixed role is another role.
		if _, err := ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(tc.service)}); err != nil {
			t.Fatal(err)
		}
		_, err = ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(tc.service), CustomSuffix: aws.String("SUFFIX")})
		apiError(t, err, "InvalidInput", "Service role name "+tc.name+"_SUFFIX has been taken in this account, please try a different suffix.", 400)
	}
	for _, svc := range []string{"ops.apigateway.amazonaws.com", "eks.amazonaws.com", "elasticloadbalancing.amazonaws.com", "batch.amazonaws.com", "ecs.application-autoscaling.amazonaws.com"} {
		_, err := ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(svc), CustomSuffix: aws.String("x")})
		apiError(t, err, "InvalidInput", "Custom suffix is not allowed for "+svc, 400)
	}
	_, err := ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String("bad suffix!")})
	apiError(t, err, "ValidationError", `1 validation error detected: Value at 'customSuffix' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`, 400)
}

// The ECS-related services the seeds mention, with their roles and
// policies.
func TestServiceLinkedRolesForECSSetup(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	for _, tc := range []struct{ service, name, policy string }{
		{"ecs.amazonaws.com", "AWSServiceRoleForECS", "AmazonECSServiceRolePolicy"},
		{"ecs.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_ECSService", "AWSApplicationAutoscalingECSServicePolicy"},
		{"autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy"},
		{"elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing", "AWSElasticLoadBalancingServiceRolePolicy"},
		{"spot.amazonaws.com", "AWSServiceRoleForEC2Spot", "AWSEC2SpotServiceRolePolicy"},
		{"spotfleet.amazonaws.com", "AWSServiceRoleForEC2SpotFleet", "AWSEC2SpotFleetServiceRolePolicy"},
		{"batch.amazonaws.com", "AWSServiceRoleForBatch", "BatchServiceRolePolicy"},
	} {
		out, err := ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(tc.service)})
		if err != nil {
			t.Fatalf("%s: %v", tc.service, err)
		}
		if aws.ToString(out.Role.RoleName) != tc.name || aws.ToString(out.Role.Path) != "/aws-service-role/"+tc.service+"/" {
			t.Errorf("%s: %+v", tc.service, out.Role)
		}
		if got := trustOf(t, out.Role); !reflect.DeepEqual(got, serviceTrust(tc.service)) {
			t.Errorf("%s trust %v", tc.service, got)
		}
		if got := attachedARNs(t, ts, tc.name); !reflect.DeepEqual(got, []string{"arn:aws:iam::aws:policy/aws-service-role/" + tc.policy}) {
			t.Errorf("%s attached %v", tc.service, got)
		}
	}
	// They list under their path.
	l, err := ts.IAM.ListRoles(ctx, &awsiam.ListRolesInput{PathPrefix: aws.String("/aws-service-role/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Roles) != 7 {
		t.Errorf("service roles listed: %v", roleNames(l.Roles))
	}
}

func TestServiceLinkedRoleErrors(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	// Service principals are case-sensitive; unknown ones are refused.
	for _, svc := range []string{"nosuchservice.amazonaws.com", "ECS.amazonaws.com"} {
		_, err := ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(svc)})
		apiError(t, err, "InvalidInput", "", 400)
	}
	_, err := ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("not a service")})
	apiError(t, err, "ValidationError", `1 validation error detected: Value at 'aWSServiceName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`, 400)

	// A customer role's name taken first counts as taken.
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("AWSServiceRoleForBatch")})
	_, err = ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("batch.amazonaws.com")})
	apiError(t, err, "InvalidInput", "Service role name AWSServiceRoleForBatch has been taken in this account, please try a different suffix.", 400)
	// ... and is no service-linked role.
	_, err = ts.IAM.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("AWSServiceRoleForBatch")})
	apiError(t, err, "NoSuchEntity", "", 404)
	if _, err := ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForBatch")}); err != nil {
		t.Errorf("customer role deleted: %v", err)
	}
	_, err = ts.IAM.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("nope")})
	apiError(t, err, "NoSuchEntity", "The role with name nope cannot be found.", 404)

	_, err = ts.IAM.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("task/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch/4b2b6d0e-1d6b-4f0a-9a57-7ad3c0b7c2f1")})
	apiError(t, err, "NoSuchEntity", "", 404)
	_, err = ts.IAM.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("garbage")})
	apiError(t, err, "InvalidInput", "", 400)

	// A task ID answers only with its own service and role.
	ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
	del, err := ts.IAM.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	if err != nil {
		t.Fatal(err)
	}
	forged := regexp.MustCompile(`AWSServiceRoleForECS`).ReplaceAllString(aws.ToString(del.DeletionTaskId), "AWSServiceRoleForBatch")
	_, err = ts.IAM.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(forged)})
	apiError(t, err, "NoSuchEntity", "", 404)
}

// DeleteRole's conflicts, in AWS's order: instance profiles, then inline
// policies, then attached policies (messages recorded).
func TestDeleteRoleConflicts(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	const doc = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`
	const managed = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	name := aws.String("busy")
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: name, PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")})
	newProfile(t, ts, "p", "")
	addRole(t, ts, "p", "busy")
	if _, err := ts.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: name, PolicyName: aws.String("inline"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: name, PolicyArn: aws.String(managed)}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		msg   string
		clear func() error
	}{
		{"Cannot delete entity, must remove roles from instance profile first.", func() error {
			_, err := ts.IAM.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("p"), RoleName: name})
			return err
		}},
		{"Cannot delete entity, must delete policies first.", func() error {
			_, err := ts.IAM.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: name, PolicyName: aws.String("inline")})
			return err
		}},
		{"Cannot delete entity, must detach all policies first.", func() error {
			_, err := ts.IAM.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: name, PolicyArn: aws.String(managed)})
			return err
		}},
	}
	for _, st := range steps {
		_, err := ts.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: name})
		apiError(t, err, "DeleteConflict", st.msg, 409)
		if err := st.clear(); err != nil {
			t.Fatal(err)
		}
	}
	if _, b := policyCounts(t, ts, "arn:aws:iam::aws:policy/PowerUserAccess"); b != 1 {
		t.Errorf("boundary usage before deletion %d", b)
	}
	if _, err := ts.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: name}); err != nil {
		t.Fatal(err)
	}
	if _, b := policyCounts(t, ts, "arn:aws:iam::aws:policy/PowerUserAccess"); b != 0 {
		t.Errorf("boundary usage after deletion %d", b)
	}
}

// Permissions boundaries are counted on the policy, customer managed or AWS
// managed.
func TestBoundaryUsageCounts(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	const doc = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`
	cp, err := ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("boundary-policy"), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	mine := aws.ToString(cp.Policy.Arn)
	const theirs = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("a"), PermissionsBoundary: aws.String(mine)})
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("b")})
	put := func(role, arn string) {
		t.Helper()
		if _, err := ts.IAM.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String(role), PermissionsBoundary: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(wantMine, wantTheirs int32) {
		t.Helper()
		if _, b := policyCounts(t, ts, mine); b != wantMine {
			t.Errorf("customer policy boundary usage %d, want %d", b, wantMine)
		}
		if _, b := policyCounts(t, ts, theirs); b != wantTheirs {
			t.Errorf("AWS policy boundary usage %d, want %d", b, wantTheirs)
		}
	}
	check(1, 0)
	put("b", mine)
	check(2, 0)
	put("b", mine) // the same again counts once
	check(2, 0)
	put("a", theirs)
	check(1, 1)
	if _, err := ts.IAM.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	check(0, 1)
	// A failed put changes no count.
	_, err = ts.IAM.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("a"), PermissionsBoundary: aws.String("arn:aws:iam::123456789012:policy/missing")})
	apiError(t, err, "NoSuchEntity", "", 404)
	check(0, 1)
	if _, err := ts.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("a")}); err != nil {
		t.Fatal(err)
	}
	check(0, 0)
}
