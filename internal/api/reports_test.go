package api

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// summaryKeys is the key set of GetAccountSummary's SummaryMap, recorded
// from AWS (iam__test_iam_account_summary.snapshot.json).
var summaryKeys = []string{
	"AccessKeysPerUserQuota", "AccountAccessKeysPresent", "AccountMFAEnabled", "AccountPasswordPresent",
	"AccountSigningCertificatesPresent", "AssumeRolePolicySizeQuota", "AttachedPoliciesPerGroupQuota",
	"AttachedPoliciesPerRoleQuota", "AttachedPoliciesPerUserQuota", "GlobalEndpointTokenVersion",
	"GroupPolicySizeQuota", "Groups", "GroupsPerUserQuota", "GroupsQuota", "InstanceProfiles",
	"InstanceProfilesQuota", "MFADevices", "MFADevicesInUse", "Policies", "PoliciesQuota", "PolicySizeQuota",
	"PolicyVersionsInUse", "PolicyVersionsInUseQuota", "Providers", "RolePolicySizeQuota", "Roles", "RolesQuota",
	"ServerCertificates", "ServerCertificatesQuota", "SigningCertificatesPerUserQuota", "UserPolicySizeQuota",
	"Users", "UsersQuota", "VersionsPerPolicyQuota",
}

func accountSummary(t testing.TB, ts *testServer) map[string]int32 {
	t.Helper()
	out, err := ts.IAM.GetAccountSummary(context.Background(), &awsiam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]int32{}
	for k, v := range out.SummaryMap {
		m[k] = v
	}
	return m
}

func TestGetAccountSummary(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	before := accountSummary(t, ts)
	var keys []string
	for k := range before {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if strings.Join(keys, ",") != strings.Join(summaryKeys, ",") {
		t.Errorf("SummaryMap keys\n got %v\nwant %v", keys, summaryKeys)
	}
	// The quotas AWS reports (recorded).
	for k, v := range map[string]int32{
		"AccessKeysPerUserQuota": 2, "AssumeRolePolicySizeQuota": 2048, "AttachedPoliciesPerGroupQuota": 10,
		"AttachedPoliciesPerRoleQuota": 10, "AttachedPoliciesPerUserQuota": 10, "GlobalEndpointTokenVersion": 1,
		"GroupPolicySizeQuota": 5120, "GroupsPerUserQuota": 10, "GroupsQuota": 300, "InstanceProfilesQuota": 1000,
		"PoliciesQuota": 1500, "PolicySizeQuota": 6144, "PolicyVersionsInUseQuota": 10000, "RolePolicySizeQuota": 10240,
		"RolesQuota": 1000, "ServerCertificatesQuota": 20, "SigningCertificatesPerUserQuota": 2, "UserPolicySizeQuota": 2048,
		"UsersQuota": 5000, "VersionsPerPolicyQuota": 5, "AccountMFAEnabled": 0, "AccountSigningCertificatesPresent": 0,
	} {
		if before[k] != v {
			t.Errorf("%s = %d, want %d", k, before[k], v)
		}
	}

	newUser(t, ts, "u")
	newGroup(t, ts, "g", "")
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("r")})
	p := createPolicy(t, ts, "p", userListDoc)
	if _, err := ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: p.Arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{}); err != nil {
		t.Fatal(err)
	}
	after := accountSummary(t, ts)
	for k, want := range map[string]int32{
		"Users": 1, "Groups": 1, "Roles": 1, "Policies": 1, "PolicyVersionsInUse": 1, "InstanceProfiles": 1,
		// The harness's own root key already makes AccountAccessKeysPresent 1.
		"AccountAccessKeysPresent": 0, "MFADevices": 0, "Providers": 0, "ServerCertificates": 0, "AccountPasswordPresent": 0,
	} {
		if d := after[k] - before[k]; d != want {
			t.Errorf("%s changed by %d, want %d", k, d, want)
		}
	}
}

// authDetails calls GetAccountAuthorizationDetails with a filter.
func authDetails(t testing.TB, ts *testServer, filter ...types.EntityType) *awsiam.GetAccountAuthorizationDetailsOutput {
	t.Helper()
	out, err := ts.IAM.GetAccountAuthorizationDetails(context.Background(), &awsiam.GetAccountAuthorizationDetailsInput{Filter: filter})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func attachedString(ps []types.AttachedPolicy) string {
	var out []string
	for _, p := range ps {
		out = append(out, aws.ToString(p.PolicyName)+"@"+aws.ToString(p.PolicyArn))
	}
	return strings.Join(out, ",")
}

func TestAuthorizationDetailsUsersAndGroups(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newUser(t, ts, "auditor", func(in *awsiam.CreateUserInput) {
		in.Tags = []types.Tag{{Key: aws.String("somekey"), Value: aws.String("somevalue")}, {Key: aws.String("someotherkey"), Value: aws.String("someothervalue")}}
	})
	newGroup(t, ts, "readers", "")
	addToGroup(t, ts, "readers", "auditor")
	p := createPolicy(t, ts, "managed", s3ListDoc)
	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
	for _, call := range []func() error{
		func() error {
			_, err := ts.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("auditor"), PolicyArn: p.Arn})
			return err
		},
		func() error {
			_, err := ts.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("inline-user"), PolicyDocument: aws.String(inline)})
			return err
		},
		func() error {
			_, err := ts.IAM.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: p.Arn})
			return err
		},
		func() error {
			_, err := ts.IAM.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("inline-group"), PolicyDocument: aws.String(inline)})
			return err
		},
	} {
		if err := call(); err != nil {
			t.Fatal(err)
		}
	}

	out := authDetails(t, ts, types.EntityTypeUser)
	if len(out.UserDetailList) != 1 || len(out.GroupDetailList) != 0 || len(out.RoleDetailList) != 0 || len(out.Policies) != 0 || out.IsTruncated {
		t.Fatalf("User filter %+v", out)
	}
	u := out.UserDetailList[0]
	if aws.ToString(u.UserName) != "auditor" || aws.ToString(u.Path) != "/" || !strings.HasPrefix(aws.ToString(u.UserId), "AIDA") || aws.ToString(u.Arn) != "arn:aws:iam::123456789012:user/auditor" || u.CreateDate == nil {
		t.Errorf("user detail %+v", u)
	}
	if strings.Join(u.GroupList, ",") != "readers" || attachedString(u.AttachedManagedPolicies) != "managed@"+aws.ToString(p.Arn) || tagList(u.Tags) != "somekey=somevalue,someotherkey=someothervalue" {
		t.Errorf("user detail %+v", u)
	}
	if len(u.UserPolicyList) != 1 || aws.ToString(u.UserPolicyList[0].PolicyName) != "inline-user" || decodeDoc(t, u.UserPolicyList[0].PolicyDocument) != inline {
		t.Errorf("user inline policies %+v", u.UserPolicyList)
	}

	out = authDetails(t, ts, types.EntityTypeGroup)
	if len(out.UserDetailList) != 0 || len(out.GroupDetailList) != 1 || len(out.Policies) != 0 {
		t.Fatalf("Group filter %+v", out)
	}
	g := out.GroupDetailList[0]
	if aws.ToString(g.GroupName) != "readers" || !strings.HasPrefix(aws.ToString(g.GroupId), "AGPA") || attachedString(g.AttachedManagedPolicies) != "managed@"+aws.ToString(p.Arn) {
		t.Errorf("group detail %+v", g)
	}
	if len(g.GroupPolicyList) != 1 || aws.ToString(g.GroupPolicyList[0].PolicyName) != "inline-group" || decodeDoc(t, g.GroupPolicyList[0].PolicyDocument) != inline {
		t.Errorf("group inline policies %+v", g.GroupPolicyList)
	}
}

func TestAuthorizationDetailsRoles(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("worker"), Path: aws.String("/my-path/"), Tags: []types.Tag{{Key: aws.String("somekey"), Value: aws.String("somevalue")}}})
	p := createPolicy(t, ts, "managed", s3ListDoc)
	if _, err := ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("worker"), PolicyArn: p.Arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("inline-role"), PolicyDocument: aws.String(s3ListDoc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("worker-profile")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("worker-profile"), RoleName: aws.String("worker")}); err != nil {
		t.Fatal(err)
	}
	out := authDetails(t, ts, types.EntityTypeRole)
	if len(out.RoleDetailList) != 1 || len(out.UserDetailList) != 0 || len(out.Policies) != 0 {
		t.Fatalf("Role filter %+v", out)
	}
	r := out.RoleDetailList[0]
	if aws.ToString(r.RoleName) != "worker" || aws.ToString(r.Path) != "/my-path/" || aws.ToString(r.Arn) != "arn:aws:iam::123456789012:role/my-path/worker" || decodeDoc(t, r.AssumeRolePolicyDocument) != ec2Trust {
		t.Errorf("role detail %+v", r)
	}
	if attachedString(r.AttachedManagedPolicies) != "managed@"+aws.ToString(p.Arn) || tagList(r.Tags) != "somekey=somevalue" || r.RoleLastUsed == nil {
		t.Errorf("role detail %+v", r)
	}
	if len(r.RolePolicyList) != 1 || aws.ToString(r.RolePolicyList[0].PolicyName) != "inline-role" || decodeDoc(t, r.RolePolicyList[0].PolicyDocument) != s3ListDoc {
		t.Errorf("role inline policies %+v", r.RolePolicyList)
	}
	if len(r.InstanceProfileList) != 1 {
		t.Fatalf("instance profiles %+v", r.InstanceProfileList)
	}
	ip := r.InstanceProfileList[0]
	if aws.ToString(ip.InstanceProfileName) != "worker-profile" || len(ip.Roles) != 1 || aws.ToString(ip.Roles[0].RoleId) != aws.ToString(r.RoleId) || decodeDoc(t, ip.Roles[0].AssumeRolePolicyDocument) != ec2Trust {
		t.Errorf("instance profile %+v", ip)
	}
}

func TestAuthorizationDetailsPolicies(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	p := createPolicy(t, ts, "local", s3ListDoc)
	if _, err := ts.IAM.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: p.Arn, PolicyDocument: aws.String(ec2ListDoc), SetAsDefault: true}); err != nil {
		t.Fatal(err)
	}
	out := authDetails(t, ts, types.EntityTypeLocalManagedPolicy)
	if len(out.Policies) != 1 || len(out.UserDetailList) != 0 {
		t.Fatalf("LocalManagedPolicy filter %+v", out)
	}
	mp := out.Policies[0]
	if aws.ToString(mp.PolicyName) != "local" || aws.ToString(mp.DefaultVersionId) != "v2" || !mp.IsAttachable || aws.ToInt32(mp.AttachmentCount) != 0 || aws.ToString(mp.PolicyId) != aws.ToString(p.PolicyId) {
		t.Errorf("policy detail %+v", mp)
	}
	// Newest version first.
	if len(mp.PolicyVersionList) != 2 || aws.ToString(mp.PolicyVersionList[0].VersionId) != "v2" || !mp.PolicyVersionList[0].IsDefaultVersion || mp.PolicyVersionList[1].IsDefaultVersion {
		t.Fatalf("versions %+v", mp.PolicyVersionList)
	}
	if decodeDoc(t, mp.PolicyVersionList[0].Document) != ec2ListDoc || decodeDoc(t, mp.PolicyVersionList[1].Document) != s3ListDoc {
		t.Errorf("documents %+v", mp.PolicyVersionList)
	}

	// AWS managed policies appear once something uses them.
	out = authDetails(t, ts, types.EntityTypeAWSManagedPolicy)
	if len(out.Policies) != 0 {
		t.Fatalf("unused AWS managed policies listed: %d", len(out.Policies))
	}
	s3Full := "arn:aws:iam::aws:policy/AmazonS3FullAccess"
	newUser(t, ts, "a")
	newGroup(t, ts, "b", "")
	if _, err := ts.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("a"), PolicyArn: aws.String(s3Full)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("b"), PolicyArn: aws.String(s3Full)}); err != nil {
		t.Fatal(err)
	}
	out = authDetails(t, ts, types.EntityTypeAWSManagedPolicy)
	if len(out.Policies) != 1 {
		t.Fatalf("AWSManagedPolicy filter %+v", out.Policies)
	}
	aw := out.Policies[0]
	if aws.ToString(aw.Arn) != s3Full || aws.ToInt32(aw.AttachmentCount) != 2 || !strings.HasPrefix(aws.ToString(aw.PolicyId), "ANPA") || len(aw.PolicyVersionList) != 1 || !aw.PolicyVersionList[0].IsDefaultVersion {
		t.Errorf("AWS managed policy %+v", aw)
	}
	if doc := decodeDoc(t, aw.PolicyVersionList[0].Document); !strings.Contains(doc, "s3:*") {
		t.Errorf("AWS managed document %s", doc)
	}
	// Both kinds together.
	out = authDetails(t, ts, types.EntityTypeAWSManagedPolicy, types.EntityTypeLocalManagedPolicy)
	if len(out.Policies) != 2 {
		t.Errorf("both policy filters: %d policies", len(out.Policies))
	}
}

func TestAuthorizationDetailsShapeAndPaging(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newUser(t, ts, "u1")
	newUser(t, ts, "u2")
	newGroup(t, ts, "g1", "")
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("r1")})
	createPolicy(t, ts, "p1", s3ListDoc)

	out := authDetails(t, ts)
	if len(out.UserDetailList) != 2 || len(out.GroupDetailList) != 1 || len(out.RoleDetailList) != 1 || len(out.Policies) != 1 {
		t.Fatalf("no filter %+v", out)
	}
	// Element presence as recorded: users without inline policies have no
	// UserPolicyList, groups and roles always carry their lists, users and
	// roles always carry Tags, roles always carry RoleLastUsed.
	_, body := rawIAM(t, ts, map[string]string{"Action": "GetAccountAuthorizationDetails"})
	for _, want := range []string{
		"<GroupPolicyList></GroupPolicyList>", "<RolePolicyList></RolePolicyList>", "<RoleLastUsed></RoleLastUsed>",
		"<GroupList></GroupList>", "<AttachedManagedPolicies></AttachedManagedPolicies>", "<InstanceProfileList></InstanceProfileList>",
		"<Tags></Tags>", "<IsTruncated>false</IsTruncated>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("response lacks %s", want)
		}
	}
	if strings.Contains(body, "UserPolicyList") || strings.Contains(body, "<Marker>") {
		t.Errorf("unexpected elements in %s", body)
	}

	var users, groups, roles, policies int
	var marker *string
	for range 10 {
		page, err := ts.IAM.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(page.UserDetailList) + len(page.GroupDetailList) + len(page.RoleDetailList) + len(page.Policies); n > 2 {
			t.Errorf("page of %d items", n)
		}
		users += len(page.UserDetailList)
		groups += len(page.GroupDetailList)
		roles += len(page.RoleDetailList)
		policies += len(page.Policies)
		if !page.IsTruncated {
			break
		}
		marker = page.Marker
	}
	if users != 2 || groups != 1 || roles != 1 || policies != 1 {
		t.Errorf("paged through %d users, %d groups, %d roles, %d policies", users, groups, roles, policies)
	}

	_, err := ts.IAM.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{"Bogus"}})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]]", 400)
	_, err = ts.IAM.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{Marker: aws.String("junk")})
	apiError(t, err, "ValidationError", "Invalid Marker.", 400)
}
