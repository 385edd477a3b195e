package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/rolecall/rolecall/internal/iam"
)

const (
	s3ListDoc  = `{"Version":"2012-10-17","Statement":[{"Sid":"Statement1","Effect":"Allow","Action":["s3:ListBucket"],"Resource":"*"}]}`
	ec2ListDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"Statement1","Effect":"Allow","Action":["ec2:DescribeInstances"],"Resource":"*"}]}`
)

// newPolicyTestServer is newTestServer with an SDK client that survives a
// race in smithy-go v1.28: the SDK closes the request body as soon as the
// response arrives, and the body's WriteTo then answers io.EOF, so when
// rolecall answers before net/http has finished its post-body bookkeeping
// the transport closes the connection under the response still being read
// ("use of closed network connection"). Responses larger than the
// transport's read buffer (ListPolicies pages) hit it often on loopback.
// Hiding WriteTo makes a closed body read as a clean EOF.
func newPolicyTestServer(t testing.TB) *testServer {
	t.Helper()
	return newTestServer(t)
}

// policyARN is the ARN of a customer managed policy of the test account.
func policyARN(pathAndName string) string {
	return "arn:aws:iam::" + testAccount + ":policy/" + pathAndName
}

// decodeDoc undoes the percent-encoding IAM applies to documents in XML
// (the SDK hands documents back still encoded).
func decodeDoc(t testing.TB, s *string) string {
	t.Helper()
	d, err := url.PathUnescape(aws.ToString(s))
	if err != nil {
		t.Fatalf("document %q: %v", aws.ToString(s), err)
	}
	return d
}

func createPolicy(t testing.TB, ts *testServer, name, doc string) *types.Policy {
	t.Helper()
	out, err := ts.IAM.CreatePolicy(context.Background(), &awsiam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatalf("CreatePolicy %s: %v", name, err)
	}
	return out.Policy
}

// isInvalidAction reports whether the server does not serve the action yet.
func isInvalidAction(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "InvalidAction"
}

// policyTestUser creates a user through the API, or through the domain
// while the API does not serve CreateUser yet, and returns its ID.
func policyTestUser(t testing.TB, ts *testServer, name, path string) string {
	t.Helper()
	ctx := context.Background()
	in := &awsiam.CreateUserInput{UserName: aws.String(name)}
	if path != "" {
		in.Path = aws.String(path)
	}
	out, err := ts.IAM.CreateUser(ctx, in)
	if err == nil {
		return aws.ToString(out.User.UserId)
	}
	if !isInvalidAction(err) {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	u, err := ts.Svc.CreateUser(ctx, testCaller(), iam.CreateUserInput{UserName: name, Path: path})
	if err != nil {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	return u.ID
}

// policyTestGroup is policyTestUser for groups.
func policyTestGroup(t testing.TB, ts *testServer, name, path string) string {
	t.Helper()
	ctx := context.Background()
	in := &awsiam.CreateGroupInput{GroupName: aws.String(name)}
	if path != "" {
		in.Path = aws.String(path)
	}
	out, err := ts.IAM.CreateGroup(ctx, in)
	if err == nil {
		return aws.ToString(out.Group.GroupId)
	}
	if !isInvalidAction(err) {
		t.Fatalf("CreateGroup %s: %v", name, err)
	}
	g, err := ts.Svc.CreateGroup(ctx, testCaller(), name, path)
	if err != nil {
		t.Fatalf("CreateGroup %s: %v", name, err)
	}
	return g.ID
}

func testCaller() iam.Caller { return iamCaller(testAccount) }

// iamCaller is an account's root user, for calls straight to the domain.
func iamCaller(acct string) iam.Caller {
	return iam.Caller{Account: acct, ARN: "arn:aws:iam::" + acct + ":root"}
}

// policyTestRole creates a role trusting EC2 and returns its ID.
func policyTestRole(t testing.TB, ts *testServer, name, path string) string {
	t.Helper()
	in := &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(ec2Trust)}
	if path != "" {
		in.Path = aws.String(path)
	}
	out, err := ts.IAM.CreateRole(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return aws.ToString(out.Role.RoleId)
}

func TestPolicyLifecycle(t *testing.T) {
	for _, path := range []string{"", "/", "/test/path/"} {
		t.Run("path="+path, func(t *testing.T) {
			ts := newPolicyTestServer(t)
			ctx := context.Background()
			in := &awsiam.CreatePolicyInput{PolicyName: aws.String("test-policy"), PolicyDocument: aws.String(s3ListDoc), Description: aws.String("testing")}
			if path != "" {
				in.Path = aws.String(path)
			}
			out, err := ts.IAM.CreatePolicy(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			wantPath := path
			if wantPath == "" {
				wantPath = "/"
			}
			p := out.Policy
			wantARN := policyARN(strings.TrimPrefix(wantPath, "/") + "test-policy")
			if aws.ToString(p.Arn) != wantARN || aws.ToString(p.Path) != wantPath || aws.ToString(p.PolicyName) != "test-policy" {
				t.Errorf("policy %+v", p)
			}
			if id := aws.ToString(p.PolicyId); len(id) != 21 || !strings.HasPrefix(id, "ANPA") {
				t.Errorf("policy ID %q", id)
			}
			if aws.ToString(p.DefaultVersionId) != "v1" || aws.ToInt32(p.AttachmentCount) != 0 ||
				aws.ToInt32(p.PermissionsBoundaryUsageCount) != 0 || !p.IsAttachable {
				t.Errorf("policy counts %+v", p)
			}
			// As recorded: CreatePolicy echoes neither Description nor an
			// empty Tags list.
			if p.Description != nil || p.Tags != nil {
				t.Errorf("CreatePolicy Description %v Tags %v", p.Description, p.Tags)
			}
			if p.CreateDate == nil || p.UpdateDate == nil || !p.CreateDate.Equal(*p.UpdateDate) {
				t.Errorf("dates %v %v", p.CreateDate, p.UpdateDate)
			}

			got, err := ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(wantARN)})
			if err != nil {
				t.Fatal(err)
			}
			g := got.Policy
			if aws.ToString(g.PolicyId) != aws.ToString(p.PolicyId) || aws.ToString(g.Description) != "testing" || g.Tags == nil || len(g.Tags) != 0 {
				t.Errorf("GetPolicy %+v", g)
			}

			list, err := ts.IAM.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Policies) != 1 || aws.ToString(list.Policies[0].Arn) != wantARN || list.IsTruncated {
				t.Fatalf("ListPolicies %+v", list)
			}
			if l := list.Policies[0]; l.Description != nil || l.Tags != nil || aws.ToString(l.DefaultVersionId) != "v1" {
				t.Errorf("listed policy %+v", l)
			}

			if _, err := ts.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(wantARN)}); err != nil {
				t.Fatal(err)
			}
			_, err = ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(wantARN)})
			apiError(t, err, "NoSuchEntity", "Policy "+wantARN+" was not found.", 404)
		})
	}
}

func TestPolicyErrors(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	createPolicy(t, ts, "dup-policy", s3ListDoc)
	// Names are unique without regard to case.
	_, err := ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("DUP-policy"), PolicyDocument: aws.String(s3ListDoc)})
	apiError(t, err, "EntityAlreadyExists", "A policy called DUP-policy already exists. Duplicate names are not allowed.", 409)

	_, err = ts.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(policyARN("non-existent-policy"))})
	apiError(t, err, "NoSuchEntity", "Policy "+policyARN("non-existent-policy")+" was not found.", 404)

	_, err = ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("bad name"), PolicyDocument: aws.String(s3ListDoc)})
	apiError(t, err, "ValidationError", `1 validation error detected: Value at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`, 400)
	_, err = ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String(strings.Repeat("p", 129)), PolicyDocument: aws.String(s3ListDoc)})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'policyName' failed to satisfy constraint: Member must have length less than or equal to 128", 400)
	_, err = ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p"), Path: aws.String("no-slashes"), PolicyDocument: aws.String(s3ListDoc)})
	apiError(t, err, "ValidationError", "", 400)
	_, err = ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p"), Description: aws.String(strings.Repeat("d", 1001)), PolicyDocument: aws.String(s3ListDoc)})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000", 400)

	// Documents are limited to tab, newline, carriage return and U+0020..U+00FF.
	const badChars = `1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`
	for _, doc := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::日本/*"}]}`,
		"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b\u0001\"}]}",
	} {
		_, err = ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("chars"), PolicyDocument: aws.String(doc)})
		apiError(t, err, "ValidationError", badChars, 400)
	}
	// Latin-1 is fine.
	if _, err := ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("latin1"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::café/*"}]}`)}); err != nil {
		t.Fatal(err)
	}

	// Not an ARN at all, an ARN of something else, a policy of another
	// account.
	_, err = ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("dup-policy")})
	apiError(t, err, "ValidationError", "ARN dup-policy is not valid.", 400)
	_, err = ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + testAccount + ":role/dup-policy")})
	apiError(t, err, "InvalidInput", "ARN arn:aws:iam::"+testAccount+":role/dup-policy is not valid.", 400)
	_, err = ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::210987654321:policy/dup-policy")})
	apiError(t, err, "NoSuchEntity", "Policy arn:aws:iam::210987654321:policy/dup-policy was not found.", 404)
	// ARNs are exact: the wrong path or spelling names nothing.
	_, err = ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(policyARN("other/dup-policy"))})
	apiError(t, err, "NoSuchEntity", "", 404)
	_, err = ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(policyARN("DUP-policy"))})
	apiError(t, err, "NoSuchEntity", "", 404)
}

func TestPolicyDocumentSizeQuota(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	// A document of exactly 6,144 characters without white space, padded
	// with white space well beyond that: accepted, because IAM does not
	// count white space.
	doc := func(n int, pad string) string {
		head := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`
		tail := `"}]}`
		return strings.Replace(head, ",", ","+pad, -1) + strings.Repeat("b", n-len(head)-len(tail)) + tail
	}
	fits := doc(6144, strings.Repeat(" \n\t", 200))
	if len(fits) <= 6144 {
		t.Fatal("test document too short")
	}
	if _, err := ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("big"), PolicyDocument: aws.String(fits)}); err != nil {
		t.Fatal(err)
	}
	_, err := ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("too-big"), PolicyDocument: aws.String(doc(6145, ""))})
	apiError(t, err, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)
	_, err = ts.IAM.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(policyARN("big")), PolicyDocument: aws.String(doc(6145, ""))})
	apiError(t, err, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)
}

// TestCreatePolicyInvalidDocuments sends every malformed document recorded
// from AWS (policy/testdata) through CreatePolicy.
func TestCreatePolicyInvalidDocuments(t *testing.T) {
	data, err := os.ReadFile("../../policy/testdata/malformed_policies.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Case, Document, Message string
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 70 {
		t.Fatalf("only %d cases", len(cases))
	}
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	for _, c := range cases {
		_, err := ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p-" + c.Case), PolicyDocument: aws.String(c.Document)})
		want := strings.ReplaceAll(strings.ReplaceAll(c.Message, "<partition>", "aws"), "<region>", "us-east-1")
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "MalformedPolicyDocument" || (ae.ErrorMessage() != want && !strings.Contains(c.Message, "<")) {
			t.Errorf("%s: got %v, want MalformedPolicyDocument %q", c.Case, err, want)
		}
	}
	// Nothing was created.
	list, err := ts.IAM.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil || len(list.Policies) != 0 {
		t.Fatalf("ListPolicies %v %v", list, err)
	}
	// Managed policies need Version 2012-10-17; inline ones do not.
	noVersion := `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`
	_, err = ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("nv"), PolicyDocument: aws.String(noVersion)})
	apiError(t, err, "MalformedPolicyDocument", "Policy document must be version 2012-10-17 or greater.", 400)
}

func TestPolicyVersionLifecycle(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	p := createPolicy(t, ts, "versioned", s3ListDoc)
	arn := p.Arn
	v2, err := ts.IAM.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(s3ListDoc), SetAsDefault: true})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v2.PolicyVersion.VersionId) != "v2" || !v2.PolicyVersion.IsDefaultVersion || v2.PolicyVersion.Document != nil {
		t.Errorf("create v2 %+v", v2.PolicyVersion)
	}
	got, err := ts.IAM.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v2")})
	if err != nil {
		t.Fatal(err)
	}
	if decodeDoc(t, got.PolicyVersion.Document) != s3ListDoc || !got.PolicyVersion.IsDefaultVersion {
		t.Errorf("get v2 %+v", got.PolicyVersion)
	}
	v3, err := ts.IAM.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(ec2ListDoc)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v3.PolicyVersion.VersionId) != "v3" || v3.PolicyVersion.IsDefaultVersion {
		t.Errorf("create v3 %+v", v3.PolicyVersion)
	}
	got, err = ts.IAM.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v3")})
	if err != nil {
		t.Fatal(err)
	}
	if decodeDoc(t, got.PolicyVersion.Document) != ec2ListDoc || got.PolicyVersion.IsDefaultVersion {
		t.Errorf("get v3 %+v", got.PolicyVersion)
	}
	listVersions := func() string {
		t.Helper()
		out, err := ts.IAM.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, v := range out.Versions {
			fmt.Fprintf(&b, "%s:%v ", aws.ToString(v.VersionId), v.IsDefaultVersion)
			if v.Document != nil {
				t.Errorf("ListPolicyVersions returned a document for %s", aws.ToString(v.VersionId))
			}
		}
		return strings.TrimSpace(b.String())
	}
	if got := listVersions(); got != "v3:false v2:true v1:false" {
		t.Errorf("versions %s", got)
	}
	// GetPolicy follows the default.
	gp, err := ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: arn})
	if err != nil || aws.ToString(gp.Policy.DefaultVersionId) != "v2" {
		t.Fatalf("GetPolicy %v %v", gp, err)
	}
	if _, err := ts.IAM.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	if got := listVersions(); got != "v3:false v2:false v1:true" {
		t.Errorf("versions after SetDefault %s", got)
	}

	// AWS refuses to delete a policy with versions besides the default.
	_, err = ts.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: arn})
	apiError(t, err, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.", 409)
	for _, v := range []string{"v2", "v3"} {
		if _, err := ts.IAM.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String(v)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
}

func TestPolicyVersionLimit(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	arn := createPolicy(t, ts, "limited", s3ListDoc).Arn
	for i := 2; i <= 5; i++ {
		if _, err := ts.IAM.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(s3ListDoc)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := ts.IAM.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(s3ListDoc)})
	apiError(t, err, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.", 409)
	out, err := ts.IAM.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: arn})
	if err != nil || len(out.Versions) != 5 || aws.ToString(out.Versions[0].VersionId) != "v5" || !out.Versions[4].IsDefaultVersion {
		t.Fatalf("versions at limit %+v %v", out, err)
	}
	// Paging.
	page, err := ts.IAM.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: arn, MaxItems: aws.Int32(2)})
	if err != nil || len(page.Versions) != 2 || !page.IsTruncated || page.Marker == nil {
		t.Fatalf("page 1 %+v %v", page, err)
	}
	page, err = ts.IAM.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: arn, MaxItems: aws.Int32(5), Marker: page.Marker})
	if err != nil || len(page.Versions) != 3 || page.IsTruncated || aws.ToString(page.Versions[0].VersionId) != "v3" {
		t.Fatalf("page 2 %+v %v", page, err)
	}
	if _, err := ts.IAM.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v2")}); err != nil {
		t.Fatal(err)
	}
	// Version IDs are never reused.
	v, err := ts.IAM.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(s3ListDoc)})
	if err != nil || aws.ToString(v.PolicyVersion.VersionId) != "v6" || v.PolicyVersion.IsDefaultVersion {
		t.Fatalf("after delete %+v %v", v, err)
	}
}

func TestPolicyVersionErrors(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	arn := aws.ToString(createPolicy(t, ts, "verr", s3ListDoc).Arn)
	missing := policyARN("TestNonExistingPolicy")
	const badVersion = `1 validation error detected: Value at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`

	_, err := ts.IAM.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(missing), VersionId: aws.String("v1")})
	apiError(t, err, "NoSuchEntity", "Policy "+missing+" version v1 does not exist or is not attachable.", 404)
	_, err = ts.IAM.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
	apiError(t, err, "NoSuchEntity", "Policy "+arn+" version v9 does not exist or is not attachable.", 404)
	_, err = ts.IAM.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("1")})
	apiError(t, err, "ValidationError", badVersion, 400)
	_, err = ts.IAM.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	apiError(t, err, "DeleteConflict", "Cannot delete the default version of a policy.", 409)
	_, err = ts.IAM.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
	apiError(t, err, "NoSuchEntity", "Policy "+arn+" version v9 does not exist or is not attachable.", 404)
	_, err = ts.IAM.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(missing), VersionId: aws.String("v1")})
	apiError(t, err, "NoSuchEntity", "Policy "+missing+" version v1 does not exist or is not attachable.", 404)
	_, err = ts.IAM.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("wrong_version_id")})
	apiError(t, err, "ValidationError", badVersion, 400)
	_, err = ts.IAM.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v4")})
	apiError(t, err, "NoSuchEntity", "Policy "+arn+" version v4 does not exist or is not attachable.", 404)
	_, err = ts.IAM.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(missing), PolicyDocument: aws.String(s3ListDoc)})
	apiError(t, err, "NoSuchEntity", "Policy "+missing+" was not found.", 404)
	_, err = ts.IAM.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String("{")})
	apiError(t, err, "MalformedPolicyDocument", "Syntax errors in policy.", 400)
	_, err = ts.IAM.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String(missing)})
	apiError(t, err, "NoSuchEntity", "Policy "+missing+" was not found.", 404)
	_, err = ts.IAM.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(0)})
	apiError(t, err, "ValidationError", "", 400)

	out, err := ts.IAM.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil || len(out.Versions) != 1 || aws.ToString(out.Versions[0].VersionId) != "v1" || !out.Versions[0].IsDefaultVersion {
		t.Fatalf("versions %+v %v", out, err)
	}
}

func TestPolicyTags(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	tagString := func(tags []types.Tag) string {
		var b strings.Builder
		for _, t := range tags {
			fmt.Fprintf(&b, "%s=%s ", aws.ToString(t.Key), aws.ToString(t.Value))
		}
		return strings.TrimSpace(b.String())
	}
	listTags := func(arn *string) string {
		t.Helper()
		out, err := ts.IAM.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		if out.IsTruncated || out.Tags == nil {
			t.Errorf("ListPolicyTags %+v", out)
		}
		return tagString(out.Tags)
	}

	out, err := ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{
		PolicyName: aws.String("tagged"), PolicyDocument: aws.String(s3ListDoc), Description: aws.String("testing"),
		Tags: []types.Tag{tag("somekey", "somevalue"), tag("someotherkey", "someothervalue")},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.Policy.Arn
	if got := tagString(out.Policy.Tags); got != "somekey=somevalue someotherkey=someothervalue" {
		t.Errorf("CreatePolicy tags %s", got)
	}
	if got := listTags(arn); got != "somekey=somevalue someotherkey=someothervalue" {
		t.Errorf("tags %s", got)
	}
	page, err := ts.IAM.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: arn, MaxItems: aws.Int32(1)})
	if err != nil || !page.IsTruncated || tagString(page.Tags) != "somekey=somevalue" {
		t.Fatalf("page 1 %+v %v", page, err)
	}
	page, err = ts.IAM.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: arn, Marker: page.Marker})
	if err != nil || page.IsTruncated || tagString(page.Tags) != "someotherkey=someothervalue" {
		t.Fatalf("page 2 %+v %v", page, err)
	}
	if _, err := ts.IAM.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{tag("somekey", "somenewvalue")}}); err != nil {
		t.Fatal(err)
	}
	if got := listTags(arn); got != "somekey=somenewvalue someotherkey=someothervalue" {
		t.Errorf("after update %s", got)
	}
	if _, err := ts.IAM.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{tag("somekey", "")}}); err != nil {
		t.Fatal(err)
	}
	if got := listTags(arn); got != "somekey= someotherkey=someothervalue" {
		t.Errorf("after empty value %s", got)
	}
	if _, err := ts.IAM.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"somekey", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if got := listTags(arn); got != "someotherkey=someothervalue" {
		t.Errorf("after untag %s", got)
	}
	if _, err := ts.IAM.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"someotherkey"}}); err != nil {
		t.Fatal(err)
	}
	if got := listTags(arn); got != "" {
		t.Errorf("after untag all %s", got)
	}

	// Keys are case-sensitive; ListPolicyTags orders shortest first, then
	// by byte, as recorded; GetPolicy keeps the order given.
	out, err = ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{
		PolicyName: aws.String("case"), PolicyDocument: aws.String(s3ListDoc),
		Tags: []types.Tag{tag("abc", "first"), tag("b", "second"), tag("z", "third"), tag("a", "fourth"), tag("A", "fifth")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := listTags(out.Policy.Arn); got != "A=fifth a=fourth b=second z=third abc=first" {
		t.Errorf("tag order %s", got)
	}
	gp, err := ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: out.Policy.Arn})
	if err != nil || tagString(gp.Policy.Tags) != "abc=first b=second z=third a=fourth A=fifth" {
		t.Fatalf("GetPolicy tags %+v %v", gp, err)
	}
	if _, err := ts.IAM.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: out.Policy.Arn, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	if got := listTags(out.Policy.Arn); got != "A=fifth b=second z=third abc=first" {
		t.Errorf("after untag a %s", got)
	}
}

func TestPolicyTagErrors(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	arn := createPolicy(t, ts, "tag-errors", s3ListDoc).Arn
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	var many []types.Tag
	for i := range 51 {
		many = append(many, tag(fmt.Sprintf("k%d", i), "v"))
	}
	cases := []struct {
		name          string
		tags          []types.Tag
		code, message string
	}{
		{"too many", many, "ValidationError", "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"duplicate", []types.Tag{tag("k", "1"), tag("k", "2")}, "InvalidInput", "Duplicate tag keys found."},
		{"large key", []types.Tag{tag(strings.Repeat("k", 129), "v")}, "ValidationError", "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"large value", []types.Tag{tag("k", strings.Repeat("v", 257))}, "ValidationError", "1 validation error detected: Value at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"invalid character", []types.Tag{tag("k!", "v")}, "ValidationError", `1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
	}
	for _, c := range cases {
		_, err := ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("x"), PolicyDocument: aws.String(s3ListDoc), Tags: c.tags})
		apiError(t, err, c.code, c.message, 400)
		_, err = ts.IAM.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: arn, Tags: c.tags})
		apiError(t, err, c.code, c.message, 400)
	}
	missing := policyARN("NotAPolicy")
	_, err := ts.IAM.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: aws.String(missing), Tags: []types.Tag{tag("k", "v")}})
	apiError(t, err, "NoSuchEntity", "Policy "+missing+" was not found.", 404)
	_, err = ts.IAM.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: aws.String(missing), TagKeys: []string{"k"}})
	apiError(t, err, "NoSuchEntity", "Policy "+missing+" was not found.", 404)
	_, err = ts.IAM.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: aws.String(missing)})
	apiError(t, err, "NoSuchEntity", "Policy "+missing+" was not found.", 404)

	var keys []string
	for i := range 51 {
		keys = append(keys, fmt.Sprintf("k%d", i))
	}
	_, err = ts.IAM.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: arn, TagKeys: keys})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50", 400)
	const badKey = `1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]`
	_, err = ts.IAM.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{strings.Repeat("k", 129)}})
	apiError(t, err, "ValidationError", badKey, 400)
	_, err = ts.IAM.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"k!"}})
	apiError(t, err, "ValidationError", badKey, 400)

	// A policy at 50 tags takes no more.
	if _, err := ts.IAM.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: arn, Tags: many[:50]}); err != nil {
		t.Fatal(err)
	}
	_, err = ts.IAM.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{tag("one-more", "v")}})
	apiError(t, err, "LimitExceeded", "", 409)
	// Replacing a value is not adding a tag.
	if _, err := ts.IAM.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{tag("k0", "new")}}); err != nil {
		t.Fatal(err)
	}
}

func TestListPoliciesFilters(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	for _, n := range []string{"b-policy", "a-policy", "C-policy"} {
		createPolicy(t, ts, n, s3ListDoc)
	}
	if _, err := ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("pathed"), Path: aws.String("/team/a/"), PolicyDocument: aws.String(s3ListDoc)}); err != nil {
		t.Fatal(err)
	}
	names := func(in *awsiam.ListPoliciesInput) string {
		t.Helper()
		var all []string
		p := awsiam.NewListPoliciesPaginator(ts.IAM, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, pol := range out.Policies {
				all = append(all, aws.ToString(pol.PolicyName))
			}
		}
		return strings.Join(all, " ")
	}
	if got := names(&awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}); got != "C-policy a-policy b-policy pathed" {
		t.Errorf("local %s", got)
	}
	if got := names(&awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, MaxItems: aws.Int32(1)}); got != "C-policy a-policy b-policy pathed" {
		t.Errorf("local paged %s", got)
	}
	if got := names(&awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PathPrefix: aws.String("/team/")}); got != "pathed" {
		t.Errorf("path prefix %s", got)
	}
	if got := names(&awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeAll, PathPrefix: aws.String("/team/")}); got != "pathed" {
		t.Errorf("all with path prefix %s", got)
	}
	if got := names(&awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, OnlyAttached: true}); got != "" {
		t.Errorf("only attached %s", got)
	}
	policyTestRole(t, ts, "attached-role", "")
	if _, err := ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("attached-role"), PolicyArn: aws.String(policyARN("b-policy"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("attached-role"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	if got := names(&awsiam.ListPoliciesInput{OnlyAttached: true}); got != "ReadOnlyAccess b-policy" {
		t.Errorf("all only attached %s", got)
	}
	if got := names(&awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true}); got != "ReadOnlyAccess" {
		t.Errorf("AWS only attached %s", got)
	}
	if got := names(&awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy}); got != "b-policy" {
		t.Errorf("permissions policy %s", got)
	}
	if got := names(&awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}); got != "" {
		t.Errorf("permissions boundary %s", got)
	}

	_, err := ts.IAM.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: "Everything"})
	apiError(t, err, "ValidationError", "1 validation error detected: Value 'Everything' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", 400)
	_, err = ts.IAM.ListPolicies(ctx, &awsiam.ListPoliciesInput{PolicyUsageFilter: "Sometimes"})
	apiError(t, err, "ValidationError", "1 validation error detected: Value 'Sometimes' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]", 400)
	_, err = ts.IAM.ListPolicies(ctx, &awsiam.ListPoliciesInput{MaxItems: aws.Int32(1001)})
	apiError(t, err, "ValidationError", "", 400)
	_, err = ts.IAM.ListPolicies(ctx, &awsiam.ListPoliciesInput{Marker: aws.String("not-a-marker")})
	apiError(t, err, "ValidationError", "", 400)
	_, err = ts.IAM.ListPolicies(ctx, &awsiam.ListPoliciesInput{PathPrefix: aws.String("team")})
	apiError(t, err, "ValidationError", "", 400)
}

func TestListEntitiesForPolicy(t *testing.T) {
	ts := newPolicyTestServer(t)
	ctx := context.Background()
	arn := createPolicy(t, ts, "entities", s3ListDoc).Arn
	entities := func(in *awsiam.ListEntitiesForPolicyInput) string {
		t.Helper()
		in.PolicyArn = arn
		out, err := ts.IAM.ListEntitiesForPolicy(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if out.PolicyGroups == nil || out.PolicyUsers == nil || out.PolicyRoles == nil {
			t.Errorf("missing lists %+v", out)
		}
		var b strings.Builder
		for _, g := range out.PolicyGroups {
			fmt.Fprintf(&b, "group:%s:%s ", aws.ToString(g.GroupName), aws.ToString(g.GroupId)[:4])
		}
		for _, u := range out.PolicyUsers {
			fmt.Fprintf(&b, "user:%s:%s ", aws.ToString(u.UserName), aws.ToString(u.UserId)[:4])
		}
		for _, r := range out.PolicyRoles {
			fmt.Fprintf(&b, "role:%s:%s ", aws.ToString(r.RoleName), aws.ToString(r.RoleId)[:4])
		}
		return strings.TrimSpace(b.String())
	}
	if got := entities(&awsiam.ListEntitiesForPolicyInput{}); got != "" {
		t.Errorf("empty %s", got)
	}
	policyTestUser(t, ts, "the-user", "")
	policyTestGroup(t, ts, "the-group", "")
	policyTestRole(t, ts, "the-role", "/svc/")
	policyTestRole(t, ts, "bounded-role", "")
	for _, call := range []func() error{
		func() error {
			_, err := ts.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("the-user"), PolicyArn: arn})
			return err
		},
		func() error {
			_, err := ts.IAM.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("the-group"), PolicyArn: arn})
			return err
		},
		func() error {
			_, err := ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("the-role"), PolicyArn: arn})
			return err
		},
	} {
		if err := call(); err != nil {
			t.Fatal(err)
		}
	}
	// A role using the policy as its boundary.
	if _, err := ts.IAM.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded-role"), PermissionsBoundary: arn}); err != nil {
		t.Fatal(err)
	}
	if got := entities(&awsiam.ListEntitiesForPolicyInput{}); got != "group:the-group:AGPA user:the-user:AIDA role:bounded-role:AROA role:the-role:AROA" {
		t.Errorf("no filter %s", got)
	}
	if got := entities(&awsiam.ListEntitiesForPolicyInput{EntityFilter: types.EntityTypeRole}); got != "role:bounded-role:AROA role:the-role:AROA" {
		t.Errorf("roles %s", got)
	}
	if got := entities(&awsiam.ListEntitiesForPolicyInput{EntityFilter: types.EntityTypeUser}); got != "user:the-user:AIDA" {
		t.Errorf("users %s", got)
	}
	if got := entities(&awsiam.ListEntitiesForPolicyInput{EntityFilter: types.EntityTypeGroup}); got != "group:the-group:AGPA" {
		t.Errorf("groups %s", got)
	}
	if got := entities(&awsiam.ListEntitiesForPolicyInput{EntityFilter: types.EntityTypeLocalManagedPolicy}); got != "" {
		t.Errorf("local managed policy filter %s", got)
	}
	if got := entities(&awsiam.ListEntitiesForPolicyInput{PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy}); got != "group:the-group:AGPA user:the-user:AIDA role:the-role:AROA" {
		t.Errorf("permissions policy %s", got)
	}
	if got := entities(&awsiam.ListEntitiesForPolicyInput{PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}); got != "role:bounded-role:AROA" {
		t.Errorf("permissions boundary %s", got)
	}
	if got := entities(&awsiam.ListEntitiesForPolicyInput{PathPrefix: aws.String("/svc/")}); got != "role:the-role:AROA" {
		t.Errorf("path prefix %s", got)
	}
	// Paging across the three lists.
	var seen []string
	p := awsiam.NewListEntitiesForPolicyPaginator(ts.IAM, &awsiam.ListEntitiesForPolicyInput{PolicyArn: arn, MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(out.PolicyGroups) + len(out.PolicyUsers) + len(out.PolicyRoles); n != 1 {
			t.Fatalf("page of %d", n)
		}
		seen = append(seen, fmt.Sprint(len(out.PolicyGroups), len(out.PolicyUsers), len(out.PolicyRoles)))
	}
	if len(seen) != 4 {
		t.Errorf("pages %v", seen)
	}

	gp, err := ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: arn})
	if err != nil || aws.ToInt32(gp.Policy.AttachmentCount) != 3 || aws.ToInt32(gp.Policy.PermissionsBoundaryUsageCount) != 1 {
		t.Fatalf("counts %+v %v", gp, err)
	}
	_, err = ts.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: arn})
	apiError(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.", 409)

	missing := policyARN("NonExistentPolicy")
	_, err = ts.IAM.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String(missing)})
	apiError(t, err, "NoSuchEntity", "Policy "+missing+" does not exist or is not attachable.", 404)
	_, err = ts.IAM.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: arn, EntityFilter: "Robot"})
	apiError(t, err, "ValidationError", "1 validation error detected: Value 'Robot' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]", 400)
}
