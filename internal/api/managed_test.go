package api

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/catalog"
)

const ecsInstancePolicy = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"

func TestListAWSManagedPoliciesPagesThroughCatalog(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	want := catalog.ManagedPolicies()
	if len(want) != 1485 {
		t.Fatalf("catalog has %d policies", len(want))
	}
	seen := map[string]bool{}
	ids := map[string]bool{}
	pages := 0
	p := awsiam.NewListPoliciesPaginator(ts.IAM, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Policies) > 100 {
			t.Fatalf("page of %d", len(out.Policies))
		}
		for _, pol := range out.Policies {
			arn := aws.ToString(pol.Arn)
			if seen[arn] {
				t.Fatalf("%s listed twice", arn)
			}
			seen[arn] = true
			id := aws.ToString(pol.PolicyId)
			if len(id) != 21 || !strings.HasPrefix(id, "ANPA") || ids[id] {
				t.Fatalf("policy ID %q of %s", id, arn)
			}
			ids[id] = true
			if !strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") || !pol.IsAttachable || pol.Description != nil || pol.Tags != nil {
				t.Fatalf("listed policy %+v", pol)
			}
		}
	}
	if len(seen) != 1485 || pages != 15 {
		t.Fatalf("listed %d policies in %d pages", len(seen), pages)
	}
	for _, mp := range want {
		if !seen[mp.ARN] {
			t.Fatalf("%s not listed", mp.ARN)
		}
	}
	// Bigger pages give the same policies.
	out, err := ts.IAM.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(1000)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Policies) != 1000 || !out.IsTruncated || out.Marker == nil {
		t.Fatalf("page of 1000: %d %v", len(out.Policies), out.IsTruncated)
	}
	out, err = ts.IAM.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(1000), Marker: out.Marker})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Policies) != 485 || out.IsTruncated {
		t.Fatalf("last page: %d %v", len(out.Policies), out.IsTruncated)
	}
	// Scope All (the default) adds the account's own.
	createPolicy(t, ts, "mine", s3ListDoc)
	n := 0
	p = awsiam.NewListPoliciesPaginator(ts.IAM, &awsiam.ListPoliciesInput{MaxItems: aws.Int32(1000)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Policies)
	}
	if n != 1486 {
		t.Errorf("scope All listed %d", n)
	}
}

func TestGetAWSManagedPolicy(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	mp, ok := catalog.LookupManagedPolicy(ecsInstancePolicy)
	if !ok {
		t.Fatal("catalog lacks the ECS instance policy")
	}
	out, err := ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(ecsInstancePolicy)})
	if err != nil {
		t.Fatal(err)
	}
	p := out.Policy
	if aws.ToString(p.Arn) != ecsInstancePolicy || aws.ToString(p.PolicyName) != "AmazonEC2ContainerServiceforEC2Role" ||
		aws.ToString(p.Path) != "/service-role/" || aws.ToString(p.DefaultVersionId) != mp.DefaultVersionID ||
		!p.IsAttachable || aws.ToInt32(p.AttachmentCount) != 0 || aws.ToInt32(p.PermissionsBoundaryUsageCount) != 0 {
		t.Errorf("policy %+v", p)
	}
	if p.Tags == nil || len(p.Tags) != 0 {
		t.Errorf("tags %v", p.Tags)
	}
	if !p.CreateDate.Equal(mp.CreateDate) || !p.UpdateDate.Equal(mp.UpdateDate) {
		t.Errorf("dates %v %v", p.CreateDate, p.UpdateDate)
	}
	// The ID is derived from the name: every server answers the same.
	other := newPolicyTestServer(t)
	out2, err := other.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(ecsInstancePolicy)})
	if err != nil || aws.ToString(out2.Policy.PolicyId) != aws.ToString(p.PolicyId) {
		t.Errorf("IDs %q and %q", aws.ToString(p.PolicyId), aws.ToString(out2.Policy.PolicyId))
	}

	v, err := ts.IAM.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(ecsInstancePolicy), VersionId: p.DefaultVersionId})
	if err != nil {
		t.Fatal(err)
	}
	if decodeDoc(t, v.PolicyVersion.Document) != mp.Document || !v.PolicyVersion.IsDefaultVersion || aws.ToString(v.PolicyVersion.VersionId) != mp.DefaultVersionID {
		t.Errorf("version %+v", v.PolicyVersion)
	}
	if !strings.Contains(mp.Document, "ecs:RegisterContainerInstance") {
		t.Errorf("unexpected catalog document %s", mp.Document)
	}

	versions, err := ts.IAM.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String(ecsInstancePolicy)})
	if err != nil {
		t.Fatal(err)
	}
	if len(versions.Versions) != awsVersionCount(mp) || aws.ToString(versions.Versions[0].VersionId) != mp.DefaultVersionID ||
		!versions.Versions[0].IsDefaultVersion || aws.ToString(versions.Versions[len(versions.Versions)-1].VersionId) != "v1" {
		t.Errorf("versions %+v", versions.Versions)
	}
	for _, v := range versions.Versions[1:] {
		if v.IsDefaultVersion {
			t.Errorf("%s is default too", aws.ToString(v.VersionId))
		}
	}

	const badVersion = `1 validation error detected: Value at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`
	_, err = ts.IAM.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(ecsInstancePolicy), VersionId: aws.String("v0")})
	apiError(t, err, "ValidationError", badVersion, 400)
	_, err = ts.IAM.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(ecsInstancePolicy), VersionId: aws.String("v999")})
	apiError(t, err, "NoSuchEntity", "Policy "+ecsInstancePolicy+" version v999 does not exist or is not attachable.", 404)

	missing := "arn:aws:iam::aws:policy/Nonexistent"
	_, err = ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(missing)})
	apiError(t, err, "NoSuchEntity", "Policy "+missing+" was not found.", 404)
	// The path is part of the ARN.
	_, err = ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonEC2ContainerServiceforEC2Role")})
	apiError(t, err, "NoSuchEntity", "", 404)
	tags, err := ts.IAM.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: aws.String(ecsInstancePolicy)})
	if err != nil || len(tags.Tags) != 0 {
		t.Errorf("ListPolicyTags %+v %v", tags, err)
	}
}

func awsVersionCount(mp catalog.ManagedPolicy) int {
	var n int
	fmt.Sscanf(mp.DefaultVersionID, "v%d", &n)
	return n
}

func TestAWSManagedPolicyErrors(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	arn := aws.String("arn:aws:iam::aws:policy/IAMUserChangePassword")
	_, err := ts.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: arn})
	apiError(t, err, "AccessDenied", "Cannot delete policies outside your own account.", 403)
	_, err = ts.IAM.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")})
	apiError(t, err, "AccessDenied", "Cannot delete policy versions for policies outside your own account.", 403)
	_, err = ts.IAM.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")})
	apiError(t, err, "AccessDenied", "Cannot update policies outside your own account.", 403)
	_, err = ts.IAM.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(s3ListDoc)})
	apiError(t, err, "AccessDenied", "", 403)
	_, err = ts.IAM.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	apiError(t, err, "AccessDenied", "", 403)
	// Still there, unchanged.
	if _, err := ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
}

func TestRoleManagedPolicyLifecycle(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	policyTestRole(t, ts, "managed-role", "")
	arn := createPolicy(t, ts, "role-policy", s3ListDoc).Arn
	attached := func() string {
		t.Helper()
		out, err := ts.IAM.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("managed-role")})
		if err != nil {
			t.Fatal(err)
		}
		if out.AttachedPolicies == nil || out.IsTruncated {
			t.Errorf("ListAttachedRolePolicies %+v", out)
		}
		var names []string
		for _, p := range out.AttachedPolicies {
			names = append(names, aws.ToString(p.PolicyName)+"="+aws.ToString(p.PolicyArn))
		}
		return strings.Join(names, " ")
	}
	count := func(arn *string) int32 {
		t.Helper()
		out, err := ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToInt32(out.Policy.AttachmentCount)
	}
	if got := attached(); got != "" {
		t.Errorf("attached %s", got)
	}
	for range 2 { // attaching twice is fine and changes nothing
		if _, err := ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("MANAGED-ROLE"), PolicyArn: arn}); err != nil {
			t.Fatal(err)
		}
	}
	if got := attached(); got != "role-policy="+aws.ToString(arn) {
		t.Errorf("attached %s", got)
	}
	if n := count(arn); n != 1 {
		t.Errorf("attachment count %d", n)
	}
	_, err := ts.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: arn})
	apiError(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.", 409)

	// AWS managed policies too, with the account's own count.
	ecs := aws.String(ecsInstancePolicy)
	if _, err := ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("managed-role"), PolicyArn: ecs}); err != nil {
		t.Fatal(err)
	}
	if got := attached(); got != "role-policy="+aws.ToString(arn)+" AmazonEC2ContainerServiceforEC2Role="+ecsInstancePolicy {
		t.Errorf("attached %s", got)
	}
	if n := count(ecs); n != 1 {
		t.Errorf("AWS policy attachment count %d", n)
	}
	pathed, err := ts.IAM.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("managed-role"), PathPrefix: aws.String("/service-role/")})
	if err != nil || len(pathed.AttachedPolicies) != 1 || aws.ToString(pathed.AttachedPolicies[0].PolicyArn) != ecsInstancePolicy {
		t.Fatalf("path prefix %+v %v", pathed, err)
	}
	page, err := ts.IAM.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("managed-role"), MaxItems: aws.Int32(1)})
	if err != nil || len(page.AttachedPolicies) != 1 || !page.IsTruncated {
		t.Fatalf("page 1 %+v %v", page, err)
	}
	page, err = ts.IAM.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("managed-role"), Marker: page.Marker})
	if err != nil || len(page.AttachedPolicies) != 1 || page.IsTruncated || aws.ToString(page.AttachedPolicies[0].PolicyArn) != ecsInstancePolicy {
		t.Fatalf("page 2 %+v %v", page, err)
	}

	if _, err := ts.IAM.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("managed-role"), PolicyArn: ecs}); err != nil {
		t.Fatal(err)
	}
	_, err = ts.IAM.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("managed-role"), PolicyArn: ecs})
	apiError(t, err, "NoSuchEntity", "Policy "+ecsInstancePolicy+" was not found.", 404)
	_, err = ts.IAM.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("managed-role"), PolicyArn: aws.String("arn:aws:iam::aws:policy/Nonexistent")})
	apiError(t, err, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/Nonexistent was not found.", 404)
	if n := count(ecs); n != 0 {
		t.Errorf("AWS policy attachment count after detach %d", n)
	}
	if _, err := ts.IAM.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("managed-role"), PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	if got := attached(); got != "" {
		t.Errorf("attached after detach %s", got)
	}
	if n := count(arn); n != 0 {
		t.Errorf("attachment count after detach %d", n)
	}
	if _, err := ts.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
}

func TestAttachPolicyErrors(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	policyTestRole(t, ts, "err-role", "")
	policyTestUser(t, ts, "err-user", "")
	policyTestGroup(t, ts, "err-group", "")
	createPolicy(t, ts, "err-policy", s3ListDoc)
	attach := map[string]func(entity, arn string) error{
		"role": func(e, a string) error {
			_, err := ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(e), PolicyArn: aws.String(a)})
			return err
		},
		"user": func(e, a string) error {
			_, err := ts.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String(e), PolicyArn: aws.String(a)})
			return err
		},
		"group": func(e, a string) error {
			_, err := ts.IAM.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String(e), PolicyArn: aws.String(a)})
			return err
		},
	}
	detach := map[string]func(entity, arn string) error{
		"role": func(e, a string) error {
			_, err := ts.IAM.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String(e), PolicyArn: aws.String(a)})
			return err
		},
		"user": func(e, a string) error {
			_, err := ts.IAM.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String(e), PolicyArn: aws.String(a)})
			return err
		},
		"group": func(e, a string) error {
			_, err := ts.IAM.DetachGroupPolicy(ctx, &awsiam.DetachGroupPolicyInput{GroupName: aws.String(e), PolicyArn: aws.String(a)})
			return err
		},
	}
	for _, kind := range []string{"role", "user", "group"} {
		entity := "err-" + kind
		apiError(t, attach[kind](entity, "longpolicynamebutnoarn"), "ValidationError", "ARN longpolicynamebutnoarn is not valid.", 400)
		apiError(t, attach[kind](entity, "err-policy"), "ValidationError", "ARN err-policy is not valid.", 400)
		apiError(t, attach[kind](entity, policyARN("err-policy123")), "NoSuchEntity", "Policy "+policyARN("err-policy123")+" does not exist or is not attachable.", 404)
		apiError(t, attach[kind]("nonexistent-"+kind, policyARN("err-policy")), "NoSuchEntity", "The "+kind+" with name nonexistent-"+kind+" cannot be found.", 404)
		apiError(t, detach[kind](entity, policyARN("err-policy")), "NoSuchEntity", "Policy "+policyARN("err-policy")+" was not found.", 404)
		apiError(t, detach[kind]("nonexistent-"+kind, policyARN("err-policy")), "NoSuchEntity", "The "+kind+" with name nonexistent-"+kind+" cannot be found.", 404)
		// Service role policies belong to service-linked roles.
		apiError(t, attach[kind](entity, "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"), "PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.", 400)
		if err := attach[kind](entity, policyARN("err-policy")); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
	}
	out, err := ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(policyARN("err-policy"))})
	if err != nil || aws.ToInt32(out.Policy.AttachmentCount) != 3 {
		t.Fatalf("attachment count %+v %v", out, err)
	}
	_, err = ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("bad role"), PolicyArn: aws.String(policyARN("err-policy"))})
	apiError(t, err, "ValidationError", `1 validation error detected: Value at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`, 400)
	// A role deleted with policies attached is refused.
	_, err = ts.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("err-role")})
	apiError(t, err, "DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
}

func TestAttachedPolicyQuota(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	policyTestRole(t, ts, "quota-role", "")
	policyTestUser(t, ts, "quota-user", "")
	policyTestGroup(t, ts, "quota-group", "")
	for i := range 11 {
		createPolicy(t, ts, fmt.Sprintf("q%d", i), s3ListDoc)
	}
	type attacher func(arn string) error
	for _, c := range []struct {
		quota  string
		attach attacher
		list   func() int
	}{
		{"PoliciesPerRole", func(a string) error {
			_, err := ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("quota-role"), PolicyArn: aws.String(a)})
			return err
		}, func() int {
			out, err := ts.IAM.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("quota-role")})
			if err != nil {
				t.Fatal(err)
			}
			return len(out.AttachedPolicies)
		}},
		{"PoliciesPerUser", func(a string) error {
			_, err := ts.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("quota-user"), PolicyArn: aws.String(a)})
			return err
		}, func() int {
			out, err := ts.IAM.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String("quota-user")})
			if err != nil {
				t.Fatal(err)
			}
			return len(out.AttachedPolicies)
		}},
		{"PoliciesPerGroup", func(a string) error {
			_, err := ts.IAM.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("quota-group"), PolicyArn: aws.String(a)})
			return err
		}, func() int {
			out, err := ts.IAM.ListAttachedGroupPolicies(ctx, &awsiam.ListAttachedGroupPoliciesInput{GroupName: aws.String("quota-group")})
			if err != nil {
				t.Fatal(err)
			}
			return len(out.AttachedPolicies)
		}},
	} {
		for i := range 10 {
			if err := c.attach(policyARN(fmt.Sprintf("q%d", i))); err != nil {
				t.Fatalf("%s: attach %d: %v", c.quota, i, err)
			}
		}
		apiError(t, c.attach(policyARN("q10")), "LimitExceeded", "Cannot exceed quota for "+c.quota+": 10", 409)
		// Re-attaching one already attached is still fine at the quota.
		if err := c.attach(policyARN("q0")); err != nil {
			t.Fatalf("%s: re-attach: %v", c.quota, err)
		}
		if n := c.list(); n != 10 {
			t.Errorf("%s: %d attached", c.quota, n)
		}
	}
	out, err := ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(policyARN("q10"))})
	if err != nil || aws.ToInt32(out.Policy.AttachmentCount) != 0 {
		t.Fatalf("q10 %+v %v", out, err)
	}
	out, err = ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(policyARN("q0"))})
	if err != nil || aws.ToInt32(out.Policy.AttachmentCount) != 3 {
		t.Fatalf("q0 %+v %v", out, err)
	}
}

func TestUserAndGroupManagedPolicies(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	policyTestUser(t, ts, "mp-user", "")
	policyTestGroup(t, ts, "mp-group", "")
	arn := createPolicy(t, ts, "shared", s3ListDoc).Arn
	ro := aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")

	if out, err := ts.IAM.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String("mp-user")}); err != nil || out.AttachedPolicies == nil || len(out.AttachedPolicies) != 0 {
		t.Fatalf("empty user list %+v %v", out, err)
	}
	for _, a := range []*string{arn, ro} {
		if _, err := ts.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("mp-user"), PolicyArn: a}); err != nil {
			t.Fatal(err)
		}
		if _, err := ts.IAM.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("mp-group"), PolicyArn: a}); err != nil {
			t.Fatal(err)
		}
	}
	u, err := ts.IAM.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String("mp-user")})
	if err != nil || len(u.AttachedPolicies) != 2 || aws.ToString(u.AttachedPolicies[0].PolicyName) != "shared" || aws.ToString(u.AttachedPolicies[1].PolicyName) != "ReadOnlyAccess" {
		t.Fatalf("user list %+v %v", u, err)
	}
	g, err := ts.IAM.ListAttachedGroupPolicies(ctx, &awsiam.ListAttachedGroupPoliciesInput{GroupName: aws.String("mp-group"), PathPrefix: aws.String("/")})
	if err != nil || len(g.AttachedPolicies) != 2 {
		t.Fatalf("group list %+v %v", g, err)
	}
	gp, err := ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: ro})
	if err != nil || aws.ToInt32(gp.Policy.AttachmentCount) != 2 {
		t.Fatalf("ReadOnlyAccess count %+v %v", gp, err)
	}
	// Another account sees AWS managed policies unattached: counts are per
	// account.
	if _, err := ts.Svc.EnsureAccount(ctx, "210987654321"); err != nil {
		t.Fatal(err)
	}
	other, err := ts.Svc.GetPolicy(ctx, iamCaller("210987654321"), aws.ToString(ro))
	if err != nil || other.AttachmentCount != 0 {
		t.Fatalf("other account %+v %v", other, err)
	}
	// Nor can it see or attach this account's policy.
	if _, err := ts.Svc.GetPolicy(ctx, iamCaller("210987654321"), aws.ToString(arn)); err == nil {
		t.Fatal("other account sees the policy")
	}

	for _, a := range []*string{arn, ro} {
		if _, err := ts.IAM.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("mp-user"), PolicyArn: a}); err != nil {
			t.Fatal(err)
		}
		if _, err := ts.IAM.DetachGroupPolicy(ctx, &awsiam.DetachGroupPolicyInput{GroupName: aws.String("mp-group"), PolicyArn: a}); err != nil {
			t.Fatal(err)
		}
	}
	g, err = ts.IAM.ListAttachedGroupPolicies(ctx, &awsiam.ListAttachedGroupPoliciesInput{GroupName: aws.String("mp-group")})
	if err != nil || len(g.AttachedPolicies) != 0 {
		t.Fatalf("group list after detach %+v %v", g, err)
	}
	gp, err = ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: ro})
	if err != nil || aws.ToInt32(gp.Policy.AttachmentCount) != 0 {
		t.Fatalf("ReadOnlyAccess count after detach %+v %v", gp, err)
	}
	if _, err := ts.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
}

func TestServiceLinkedRolePoliciesAreProtected(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	out, err := ts.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	name := aws.String(aws.ToString(out.Role.RoleName))
	const slrPolicy = "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"
	list, err := ts.IAM.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: name})
	if err != nil || len(list.AttachedPolicies) != 1 || aws.ToString(list.AttachedPolicies[0].PolicyArn) != slrPolicy {
		t.Fatalf("SLR policies %+v %v", list, err)
	}
	gp, err := ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(slrPolicy)})
	if err != nil || aws.ToInt32(gp.Policy.AttachmentCount) != 1 {
		t.Fatalf("SLR policy count %+v %v", gp, err)
	}
	entities, err := ts.IAM.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String(slrPolicy)})
	if err != nil || len(entities.PolicyRoles) != 1 || aws.ToString(entities.PolicyRoles[0].RoleName) != aws.ToString(name) {
		t.Fatalf("entities %+v %v", entities, err)
	}
	want := "Cannot perform the operation on the protected role '" + aws.ToString(name) + "' - this role is only modifiable by AWS"
	_, err = ts.IAM.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: name, PolicyArn: aws.String(slrPolicy)})
	apiError(t, err, "UnmodifiableEntity", want, 400)
	_, err = ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: name, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	apiError(t, err, "UnmodifiableEntity", want, 400)
	_, err = ts.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: name, PolicyName: aws.String("p"), PolicyDocument: aws.String(s3ListDoc)})
	apiError(t, err, "UnmodifiableEntity", want, 400)
	_, err = ts.IAM.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: name, PolicyName: aws.String("p")})
	apiError(t, err, "UnmodifiableEntity", want, 400)
	inline, err := ts.IAM.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: name})
	if err != nil || inline.PolicyNames == nil || len(inline.PolicyNames) != 0 {
		t.Fatalf("SLR inline policies %+v %v", inline, err)
	}
}

func TestPermissionsBoundaryUsage(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	arn := createPolicy(t, ts, "boundary", s3ListDoc).Arn
	usage := func(a *string) (int32, int32) {
		t.Helper()
		out, err := ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: a})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToInt32(out.Policy.AttachmentCount), aws.ToInt32(out.Policy.PermissionsBoundaryUsageCount)
	}
	if _, err := ts.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("bounded"), AssumeRolePolicyDocument: aws.String(ec2Trust), PermissionsBoundary: arn}); err != nil {
		t.Fatal(err)
	}
	if a, b := usage(arn); a != 0 || b != 1 {
		t.Errorf("usage %d %d", a, b)
	}
	_, err := ts.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: arn})
	apiError(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.", 409)
	list, err := ts.IAM.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary})
	if err != nil || len(list.Policies) != 1 {
		t.Fatalf("boundary policies %+v %v", list, err)
	}

	// An AWS managed policy as a boundary counts in this account only.
	ro := aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")
	if _, err := ts.IAM.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded"), PermissionsBoundary: ro}); err != nil {
		t.Fatal(err)
	}
	if a, b := usage(arn); a != 0 || b != 0 {
		t.Errorf("usage after replace %d %d", a, b)
	}
	if a, b := usage(ro); a != 0 || b != 1 {
		t.Errorf("ReadOnlyAccess usage %d %d", a, b)
	}
	if _, err := ts.IAM.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("bounded")}); err != nil {
		t.Fatal(err)
	}
	if a, b := usage(ro); a != 0 || b != 0 {
		t.Errorf("ReadOnlyAccess usage after delete %d %d", a, b)
	}

	// Recorded errors for boundaries that are not policies or do not exist.
	notPolicy := "arn:aws:iam::" + testAccount + ":not_a_policy/invalid"
	_, err = ts.IAM.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded"), PermissionsBoundary: aws.String(notPolicy)})
	apiError(t, err, "InvalidInput", "ARN "+notPolicy+" is not valid.", 400)
	_, err = ts.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r2"), AssumeRolePolicyDocument: aws.String(ec2Trust), PermissionsBoundary: aws.String(notPolicy)})
	apiError(t, err, "InvalidInput", "ARN "+notPolicy+" is not valid.", 400)
	missing := policyARN("nonexistent-policy")
	_, err = ts.IAM.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded"), PermissionsBoundary: aws.String(missing)})
	apiError(t, err, "NoSuchEntity", "Scope ARN: "+missing+" does not exist or is not attachable.", 404)
	_, err = ts.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r2"), AssumeRolePolicyDocument: aws.String(ec2Trust), PermissionsBoundary: aws.String(missing)})
	apiError(t, err, "NoSuchEntity", "Scope ARN: "+missing+" does not exist or is not attachable.", 404)

	if _, err := ts.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
}
