package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestCreateAndGetRole(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	out, err := ts.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{
		RoleName:                 aws.String("ecsInstanceRole"),
		AssumeRolePolicyDocument: aws.String(ec2Trust),
		Tags:                     []types.Tag{{Key: aws.String("team"), Value: aws.String("infra")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if aws.ToString(r.Arn) != "arn:aws:iam::123456789012:role/ecsInstanceRole" || aws.ToString(r.Path) != "/" {
		t.Errorf("role %+v", r)
	}
	if id := aws.ToString(r.RoleId); len(id) != 21 || id[:4] != "AROA" {
		t.Errorf("role ID %q", id)
	}
	// The SDK hands back the percent-encoded document; decoded it is what we sent.
	if doc, _ := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument)); doc != ec2Trust {
		t.Errorf("trust policy %q", doc)
	}
	// IAM names are case-insensitive: any spelling finds the role, which
	// keeps the name it was created with.
	got, err := ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("ECSINSTANCEROLE")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Role.RoleName) != "ecsInstanceRole" {
		t.Errorf("name %q", aws.ToString(got.Role.RoleName))
	}
	if aws.ToInt32(got.Role.MaxSessionDuration) != 3600 || aws.ToString(got.Role.RoleId) != aws.ToString(r.RoleId) {
		t.Errorf("GetRole %+v", got.Role)
	}
	_, err = ts.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("ECSInstanceRole"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	apiError(t, err, "EntityAlreadyExists", "Role with name ECSInstanceRole already exists.", 409)
	_, err = ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("test-nonexistent-role")})
	apiError(t, err, "NoSuchEntity", "The role with name test-nonexistent-role cannot be found.", 404)
	_, err = ts.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String("not valid json")})
	apiError(t, err, "MalformedPolicyDocument", "This policy contains invalid Json", 400)
}

// newRole creates a role with the EC2 trust policy, failing the test on error.
func newRole(t *testing.T, ts *testServer, in *awsiam.CreateRoleInput) *types.Role {
	t.Helper()
	if in.AssumeRolePolicyDocument == nil {
		in.AssumeRolePolicyDocument = aws.String(ec2Trust)
	}
	out, err := ts.IAM.CreateRole(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateRole %s: %v", aws.ToString(in.RoleName), err)
	}
	return out.Role
}

// rawIAM posts a Query request without the SDK and returns the status and
// body, for checking the XML's shape where the SDK would hide it.
func rawIAM(t *testing.T, ts *testServer, params map[string]string) (int, string) {
	t.Helper()
	form := url.Values{"Version": {"2010-05-08"}}
	for k, v := range params {
		form.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(signedRequest(t, ts.URL, "iam", form.Encode(), testRootKey, testRootSecret, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func roleNames(rs []types.Role) []string {
	var out []string
	for _, r := range rs {
		out = append(out, aws.ToString(r.RoleName))
	}
	return out
}

func TestListRolesPaginationAndPathPrefix(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	path := "/test-pagination/"
	for i := range 5 {
		in := &awsiam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("role-%02d", i)), Path: aws.String(path)}
		if i%2 == 0 {
			in.Description = aws.String(fmt.Sprintf("Role %d", i))
		}
		newRole(t, ts, in)
	}
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("outside"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})

	all, err := ts.IAM.ListRoles(ctx, &awsiam.ListRolesInput{PathPrefix: aws.String(path)})
	if err != nil {
		t.Fatal(err)
	}
	if got := roleNames(all.Roles); !slices.Equal(got, []string{"role-00", "role-01", "role-02", "role-03", "role-04"}) || all.IsTruncated {
		t.Fatalf("ListRoles = %v truncated=%v", got, all.IsTruncated)
	}
	for i, r := range all.Roles {
		// ListRoles returns Description and MaxSessionDuration, but no
		// tags, boundary or RoleLastUsed (recorded).
		wantDesc := ""
		if i%2 == 0 {
			wantDesc = fmt.Sprintf("Role %d", i)
		}
		if aws.ToString(r.Description) != wantDesc || aws.ToInt32(r.MaxSessionDuration) != 3600 || r.RoleLastUsed != nil || r.Tags != nil || r.PermissionsBoundary != nil {
			t.Errorf("list member %d: %+v", i, r)
		}
		if doc, _ := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument)); doc != ec2Trust {
			t.Errorf("trust policy %q", doc)
		}
	}

	first, err := ts.IAM.ListRoles(ctx, &awsiam.ListRolesInput{PathPrefix: aws.String(path), MaxItems: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if got := roleNames(first.Roles); !slices.Equal(got, []string{"role-00", "role-01"}) || !first.IsTruncated || aws.ToString(first.Marker) == "" {
		t.Fatalf("first page %v truncated=%v marker=%q", got, first.IsTruncated, aws.ToString(first.Marker))
	}
	rest, err := ts.IAM.ListRoles(ctx, &awsiam.ListRolesInput{PathPrefix: aws.String(path), Marker: first.Marker})
	if err != nil {
		t.Fatal(err)
	}
	if got := roleNames(rest.Roles); !slices.Equal(got, []string{"role-02", "role-03", "role-04"}) || rest.IsTruncated || rest.Marker != nil {
		t.Fatalf("second page %v truncated=%v", got, rest.IsTruncated)
	}

	// The SDK's paginator walks every page.
	var walked []string
	p := awsiam.NewListRolesPaginator(ts.IAM, &awsiam.ListRolesInput{MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		walked = append(walked, roleNames(page.Roles)...)
	}
	if !slices.Equal(walked, []string{"outside", "role-00", "role-01", "role-02", "role-03", "role-04"}) {
		t.Errorf("paginator saw %v", walked)
	}

	empty, err := ts.IAM.ListRoles(ctx, &awsiam.ListRolesInput{PathPrefix: aws.String("/nonexistent-path/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(empty.Roles) != 0 || empty.IsTruncated {
		t.Errorf("empty list %+v", empty)
	}
	// An empty result still has its <Roles/> element, as AWS answers.
	if _, body := rawIAM(t, ts, map[string]string{"Action": "ListRoles", "PathPrefix": "/nonexistent-path/"}); !strings.Contains(body, "<Roles></Roles><IsTruncated>false</IsTruncated>") {
		t.Errorf("empty ListRoles body %s", body)
	}

	_, err = ts.IAM.ListRoles(ctx, &awsiam.ListRolesInput{Marker: aws.String("not-a-marker")})
	apiError(t, err, "ValidationError", "Invalid Marker.", 400)
	_, err = ts.IAM.ListRoles(ctx, &awsiam.ListRolesInput{MaxItems: aws.Int32(0)})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1", 400)
	_, err = ts.IAM.ListRoles(ctx, &awsiam.ListRolesInput{MaxItems: aws.Int32(1001)})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000", 400)
	_, err = ts.IAM.ListRoles(ctx, &awsiam.ListRolesInput{PathPrefix: aws.String("no-slash")})
	apiError(t, err, "ValidationError", "", 400)
}

func TestListRolesOrderIgnoresCase(t *testing.T) {
	ts := newTestServer(t)
	for _, n := range []string{"beta", "Alpha", "gamma", "Delta"} {
		newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String(n)})
	}
	out, err := ts.IAM.ListRoles(context.Background(), &awsiam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := roleNames(out.Roles); !slices.Equal(got, []string{"Alpha", "beta", "Delta", "gamma"}) {
		t.Errorf("order %v", got)
	}
}

func TestUpdateRole(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("r"), Description: aws.String("initial description")})

	if _, err := ts.IAM.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("r"), Description: aws.String("updated description"), MaxSessionDuration: aws.Int32(7200)}); err != nil {
		t.Fatal(err)
	}
	got, err := ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Role.Description) != "updated description" || aws.ToInt32(got.Role.MaxSessionDuration) != 7200 {
		t.Errorf("after UpdateRole %+v", got.Role)
	}

	ud, err := ts.IAM.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: aws.String("r"), Description: aws.String("description via update_role_description")})
	if err != nil {
		t.Fatal(err)
	}
	// Recorded: the answer has Description but neither MaxSessionDuration
	// nor RoleLastUsed.
	if r := ud.Role; aws.ToString(r.Description) != "description via update_role_description" || r.MaxSessionDuration != nil || r.RoleLastUsed != nil || aws.ToString(r.RoleName) != "r" {
		t.Errorf("UpdateRoleDescription %+v", r)
	}

	// UpdateRole without parameters leaves everything as it was.
	if _, err := ts.IAM.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("r")}); err != nil {
		t.Fatal(err)
	}
	got, _ = ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")})
	if aws.ToString(got.Role.Description) != "description via update_role_description" || aws.ToInt32(got.Role.MaxSessionDuration) != 7200 {
		t.Errorf("after empty UpdateRole %+v", got.Role)
	}

	_, err = ts.IAM.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("test-nonexistent-role"), Description: aws.String("test")})
	apiError(t, err, "NoSuchEntity", "The role with name test-nonexistent-role cannot be found.", 404)
	_, err = ts.IAM.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: aws.String("test-nonexistent-role"), Description: aws.String("x")})
	apiError(t, err, "NoSuchEntity", "The role with name test-nonexistent-role cannot be found.", 404)
	_, err = ts.IAM.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("r"), MaxSessionDuration: aws.Int32(100)})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600", 400)
	_, err = ts.IAM.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("r"), MaxSessionDuration: aws.Int32(43201)})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200", 400)
	_, err = ts.IAM.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("r"), Description: aws.String(strings.Repeat("d", 1001))})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000", 400)
	// A failed update changes nothing.
	got, _ = ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")})
	if aws.ToInt32(got.Role.MaxSessionDuration) != 7200 {
		t.Errorf("failed update changed the role: %+v", got.Role)
	}
}

func TestUpdateAssumeRolePolicy(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	listTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}`
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(listTrust)})
	ecsTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := ts.IAM.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(ecsTrust)}); err != nil {
		t.Fatal(err)
	}
	got, err := ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument)); doc != ecsTrust {
		t.Errorf("trust policy %q", doc)
	}

	for _, tc := range []struct{ doc, msg string }{
		{"not valid json", "This policy contains invalid Json"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:InvalidAction"}]}`, "AssumeRole policy may only specify STS AssumeRole actions."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"arn:aws:s3:::example_bucket"}]}`, "Has prohibited field Resource"},
	} {
		_, err := ts.IAM.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(tc.doc)})
		apiError(t, err, "MalformedPolicyDocument", tc.msg, 400)
	}
	big := `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("a", 2048) + `","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	_, err = ts.IAM.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(big)})
	apiError(t, err, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", 409)
	_, err = ts.IAM.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("nope"), PolicyDocument: aws.String(ecsTrust)})
	apiError(t, err, "NoSuchEntity", "The role with name nope cannot be found.", 404)
	// Failures left the document alone.
	got, _ = ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")})
	if doc, _ := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument)); doc != ecsTrust {
		t.Errorf("trust policy after failures %q", doc)
	}
}

func TestDeleteRole(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	_, err := ts.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("test-nonexistent-role")})
	apiError(t, err, "NoSuchEntity", "The role with name test-nonexistent-role cannot be found.", 404)

	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("doomed"), Path: aws.String("/some/path/")})
	if _, err := ts.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("DOOMED")}); err != nil {
		t.Fatal(err)
	}
	_, err = ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("doomed")})
	apiError(t, err, "NoSuchEntity", "The role with name doomed cannot be found.", 404)
	// The name is free again.
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("doomed")})
}

func TestCreateRoleReservedPathAndSession(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	_, err := ts.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("AWSServiceRoleForECS"), Path: aws.String("/aws-service-role/ecs.amazonaws.com/"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	apiError(t, err, "InvalidInput", "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles", 400)
	_, err = ts.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("short"), MaxSessionDuration: aws.Int32(60), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600", 400)
	r := newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("long"), MaxSessionDuration: aws.Int32(43200)})
	got, _ := ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: r.RoleName})
	if aws.ToInt32(got.Role.MaxSessionDuration) != 43200 {
		t.Errorf("MaxSessionDuration %v", got.Role.MaxSessionDuration)
	}
}

func TestRoleTags(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	listTags := func(name string) []types.Tag {
		t.Helper()
		out, err := ts.IAM.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if out.IsTruncated {
			t.Errorf("ListRoleTags truncated")
		}
		return out.Tags
	}
	same := func(got []types.Tag, want ...types.Tag) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("tags %v, want %v", tagsString(got), tagsString(want))
		}
		for i := range got {
			if aws.ToString(got[i].Key) != aws.ToString(want[i].Key) || aws.ToString(got[i].Value) != aws.ToString(want[i].Value) {
				t.Fatalf("tags %v, want %v", tagsString(got), tagsString(want))
			}
		}
	}

	// Created with tags: CreateRole and GetRole show them, ListRoles not.
	r := newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("tagged"), Path: aws.String("/role-with-tags/"), Tags: []types.Tag{tag("test", "value")}})
	same(r.Tags, tag("test", "value"))
	empty := newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("empty-tag"), Tags: []types.Tag{tag("emptykey", "")}})
	same(empty.Tags, tag("emptykey", ""))
	same(listTags("empty-tag"), tag("emptykey", ""))

	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("r")})
	g, _ := ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")})
	if g.Role.Tags != nil {
		t.Errorf("untagged role has Tags %v", g.Role.Tags)
	}
	if _, err := ts.IAM.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("r"), Tags: []types.Tag{tag("somekey", "somevalue"), tag("someotherkey", "someothervalue")}}); err != nil {
		t.Fatal(err)
	}
	g, _ = ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")})
	same(g.Role.Tags, tag("somekey", "somevalue"), tag("someotherkey", "someothervalue"))
	same(listTags("r"), tag("somekey", "somevalue"), tag("someotherkey", "someothervalue"))
	ts.IAM.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("r"), Tags: []types.Tag{tag("somekey", "updatedvalue")}})
	same(listTags("r"), tag("somekey", "updatedvalue"), tag("someotherkey", "someothervalue"))
	ts.IAM.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("r"), Tags: []types.Tag{tag("somekey", "")}})
	same(listTags("r"), tag("somekey", ""), tag("someotherkey", "someothervalue"))
	ts.IAM.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String("r"), TagKeys: []string{"somekey"}})
	same(listTags("r"), tag("someotherkey", "someothervalue"))
	ts.IAM.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String("r"), TagKeys: []string{"SOMEOTHERKEY"}})
	same(listTags("r"))
	if _, body := rawIAM(t, ts, map[string]string{"Action": "ListRoleTags", "RoleName": "r"}); !strings.Contains(body, "<Tags></Tags><IsTruncated>false</IsTruncated>") {
		t.Errorf("empty ListRoleTags body %s", body)
	}
	// Tag keys ignore case: re-tagging with another spelling replaces the
	// tag and takes the new spelling (recorded).
	ts.IAM.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("r"), Tags: []types.Tag{tag("somekey", "somevalue")}})
	ts.IAM.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("r"), Tags: []types.Tag{tag("Somekey", "updatedvalue")}})
	same(listTags("r"), tag("Somekey", "updatedvalue"))

	// Paging tags.
	var many []types.Tag
	for i := range 5 {
		many = append(many, tag(fmt.Sprintf("k%d", i), "v"))
	}
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("many"), Tags: many})
	p1, err := ts.IAM.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("many"), MaxItems: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := ts.IAM.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("many"), Marker: p1.Marker})
	if err != nil {
		t.Fatal(err)
	}
	if !p1.IsTruncated || p2.IsTruncated {
		t.Errorf("tag pages truncated %v %v", p1.IsTruncated, p2.IsTruncated)
	}
	same(append(p1.Tags, p2.Tags...), many...)
	// A marker from another list is not accepted.
	first, _ := ts.IAM.ListRoles(ctx, &awsiam.ListRolesInput{MaxItems: aws.Int32(1)})
	_, err = ts.IAM.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("many"), Marker: first.Marker})
	apiError(t, err, "ValidationError", "Invalid Marker.", 400)

	// Errors, as recorded.
	const none = "test-nonexistent-role"
	_, err = ts.IAM.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String(none), Tags: []types.Tag{tag("somekey", "somevalue")}})
	apiError(t, err, "NoSuchEntity", "The role with name test-nonexistent-role cannot be found.", 404)
	_, err = ts.IAM.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String(none), TagKeys: []string{"somekey"}})
	apiError(t, err, "NoSuchEntity", "The role with name test-nonexistent-role cannot be found.", 404)
	_, err = ts.IAM.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String(none)})
	apiError(t, err, "NoSuchEntity", "The role with name test-nonexistent-role cannot be found.", 404)

	var tooMany []types.Tag
	for i := range 51 {
		tooMany = append(tooMany, tag(fmt.Sprint(i), fmt.Sprint(i)))
	}
	const tooManyMsg = "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
	_, err = ts.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(ec2Trust), Tags: tooMany})
	apiError(t, err, "ValidationError", tooManyMsg, 400)
	// Validation comes before the role lookup (recorded on a missing role).
	_, err = ts.IAM.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String(none), Tags: tooMany})
	apiError(t, err, "ValidationError", tooManyMsg, 400)

	const dupMsg = "Duplicate tag keys found. Please note that Tag keys are case insensitive."
	const keyPattern = `1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	for _, tc := range []struct {
		tags       []types.Tag
		code, msg  string
		createOnly bool
	}{
		{[]types.Tag{tag("dupkey", "val1"), tag("dupkey", "val2")}, "InvalidInput", dupMsg, false},
		{[]types.Tag{tag("mykey", "val1"), tag("MyKey", "val2")}, "InvalidInput", dupMsg, false},
		{[]types.Tag{tag(strings.Repeat("k", 129), "value")}, "ValidationError", "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128", false},
		{[]types.Tag{tag("key", strings.Repeat("v", 257))}, "ValidationError", "1 validation error detected: Value at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256", false},
		{[]types.Tag{tag("invalid!key", "value")}, "ValidationError", keyPattern, false},
	} {
		_, err := ts.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(ec2Trust), Tags: tc.tags})
		apiError(t, err, tc.code, tc.msg, 400)
		_, err = ts.IAM.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("r"), Tags: tc.tags})
		apiError(t, err, tc.code, tc.msg, 400)
	}
	const keysMsg = `1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]`
	var keys51 []string
	for i := range 51 {
		keys51 = append(keys51, fmt.Sprint(i))
	}
	_, err = ts.IAM.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String("r"), TagKeys: keys51})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50", 400)
	_, err = ts.IAM.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String("r"), TagKeys: []string{strings.Repeat("k", 129)}})
	apiError(t, err, "ValidationError", keysMsg, 400)
	_, err = ts.IAM.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String("r"), TagKeys: []string{"invalid!key"}})
	apiError(t, err, "ValidationError", keysMsg, 400)

	// Tag quota: 50 in all.
	var fifty []types.Tag
	for i := range 50 {
		fifty = append(fifty, tag(fmt.Sprintf("t%d", i), ""))
	}
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("full"), Tags: fifty})
	_, err = ts.IAM.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("full"), Tags: []types.Tag{tag("one-more", "")}})
	apiError(t, err, "LimitExceeded", "", 409)
	// Replacing a value of a key it has is fine.
	if _, err := ts.IAM.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("full"), Tags: []types.Tag{tag("T0", "new")}}); err != nil {
		t.Fatal(err)
	}
	// No tags parameter at all (the SDK would not send that).
	status, body := rawIAM(t, ts, map[string]string{"Action": "TagRole", "RoleName": "r"})
	if status != 400 || !strings.Contains(body, "Value null at &apos;tags&apos;") {
		t.Errorf("TagRole without Tags: %d %s", status, body)
	}
}

func tagsString(ts []types.Tag) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%s=%s ", aws.ToString(t.Key), aws.ToString(t.Value))
	}
	return b.String()
}

func TestRolePermissionsBoundary(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	const boundary = "arn:aws:iam::aws:policy/PowerUserAccess"
	const other = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	r := newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("bounded"), PermissionsBoundary: aws.String(boundary), Description: aws.String("Role with permissions boundary")})
	// AWS answers PermissionsBoundaryType "Policy" (recorded), not the
	// SDK's enum value "PermissionsBoundaryPolicy".
	if r.PermissionsBoundary == nil || aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn) != boundary || string(r.PermissionsBoundary.PermissionsBoundaryType) != "Policy" {
		t.Errorf("CreateRole boundary %+v", r.PermissionsBoundary)
	}
	getBoundary := func() string {
		t.Helper()
		g, err := ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("bounded")})
		if err != nil {
			t.Fatal(err)
		}
		if g.Role.PermissionsBoundary == nil {
			return ""
		}
		return aws.ToString(g.Role.PermissionsBoundary.PermissionsBoundaryArn)
	}
	if b := getBoundary(); b != boundary {
		t.Errorf("GetRole boundary %q", b)
	}
	if _, err := ts.IAM.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("bounded")}); err != nil {
		t.Fatal(err)
	}
	if b := getBoundary(); b != "" {
		t.Errorf("boundary after delete %q", b)
	}
	// Deleting again is harmless.
	if _, err := ts.IAM.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("bounded")}); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{boundary, other, other} {
		if _, err := ts.IAM.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded"), PermissionsBoundary: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		if got := getBoundary(); got != b {
			t.Errorf("boundary %q, want %q", got, b)
		}
	}
	// ListRoles does not show boundaries (recorded).
	l, _ := ts.IAM.ListRoles(ctx, &awsiam.ListRolesInput{})
	if len(l.Roles) != 1 || l.Roles[0].PermissionsBoundary != nil {
		t.Errorf("ListRoles %+v", l.Roles)
	}

	const invalid = "arn:aws:iam::123456789012:not_a_policy/invalid"
	const missing = "arn:aws:iam::123456789012:policy/nonexistent-policy"
	_, err := ts.IAM.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded"), PermissionsBoundary: aws.String(invalid)})
	apiError(t, err, "InvalidInput", "ARN "+invalid+" is not valid.", 400)
	_, err = ts.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("role-invalid"), AssumeRolePolicyDocument: aws.String(ec2Trust), PermissionsBoundary: aws.String(invalid)})
	apiError(t, err, "InvalidInput", "ARN "+invalid+" is not valid.", 400)
	_, err = ts.IAM.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded"), PermissionsBoundary: aws.String(missing)})
	apiError(t, err, "NoSuchEntity", "Scope ARN: "+missing+" does not exist or is not attachable.", 404)
	_, err = ts.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("role-nonexistent"), AssumeRolePolicyDocument: aws.String(ec2Trust), PermissionsBoundary: aws.String(missing)})
	apiError(t, err, "NoSuchEntity", "Scope ARN: "+missing+" does not exist or is not attachable.", 404)
	_, err = ts.IAM.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("nonexistent-role"), PermissionsBoundary: aws.String(boundary)})
	apiError(t, err, "NoSuchEntity", "The role with name nonexistent-role cannot be found.", 404)
	_, err = ts.IAM.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("nonexistent-role")})
	apiError(t, err, "NoSuchEntity", "The role with name nonexistent-role cannot be found.", 404)
	// Failed calls left the boundary and created nothing.
	if b := getBoundary(); b != other {
		t.Errorf("boundary after failures %q", b)
	}
	for _, n := range []string{"role-invalid", "role-nonexistent"} {
		_, err = ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(n)})
		apiError(t, err, "NoSuchEntity", "", 404)
	}
	// A role with a boundary can be deleted.
	if _, err := ts.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("bounded")}); err != nil {
		t.Fatal(err)
	}
}

func TestRoleOperationsValidateNames(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	_, err := ts.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("bad name!")})
	apiError(t, err, "ValidationError", `1 validation error detected: Value at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`, 400)
	_, err = ts.IAM.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String(strings.Repeat("r", 65))})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64", 400)
	// A missing required parameter, sent without the SDK (which would
	// refuse to send it).
	status, body := rawIAM(t, ts, map[string]string{"Action": "DeleteRole"})
	if status != 400 || !strings.Contains(body, "<Code>ValidationError</Code>") || !strings.Contains(body, "Value null at &apos;roleName&apos; failed to satisfy constraint: Member must not be null") {
		t.Errorf("DeleteRole without RoleName: %d %s", status, body)
	}
}
