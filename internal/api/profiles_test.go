package api

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func newProfile(t *testing.T, ts *testServer, name, path string, tags ...types.Tag) *types.InstanceProfile {
	t.Helper()
	in := &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String(name), Tags: tags}
	if path != "" {
		in.Path = aws.String(path)
	}
	out, err := ts.IAM.CreateInstanceProfile(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateInstanceProfile %s: %v", name, err)
	}
	return out.InstanceProfile
}

func profileNames(ps []types.InstanceProfile) []string {
	var out []string
	for _, p := range ps {
		out = append(out, aws.ToString(p.InstanceProfileName))
	}
	return out
}

func addRole(t *testing.T, ts *testServer, profile, role string) {
	t.Helper()
	if _, err := ts.IAM.AddRoleToInstanceProfile(context.Background(), &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(profile), RoleName: aws.String(role)}); err != nil {
		t.Fatalf("AddRoleToInstanceProfile %s %s: %v", profile, role, err)
	}
}

func TestInstanceProfileLifecycle(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	p := newProfile(t, ts, "profile-1", "/test-path/")
	if aws.ToString(p.Arn) != "arn:aws:iam::123456789012:instance-profile/test-path/profile-1" || aws.ToString(p.Path) != "/test-path/" || aws.ToString(p.InstanceProfileName) != "profile-1" {
		t.Errorf("created %+v", p)
	}
	if id := aws.ToString(p.InstanceProfileId); len(id) != 21 || !strings.HasPrefix(id, "AIPA") {
		t.Errorf("instance profile ID %q", id)
	}
	// CreateInstanceProfile answers an empty Roles list and no Tags
	// (recorded); GetInstanceProfile an empty Tags list as well.
	if p.Roles == nil || len(p.Roles) != 0 || p.Tags != nil || p.CreateDate == nil {
		t.Errorf("created %+v", p)
	}
	_, body := rawIAM(t, ts, map[string]string{"Action": "CreateInstanceProfile", "InstanceProfileName": "shape"})
	if !strings.Contains(body, "<Roles></Roles></InstanceProfile>") {
		t.Errorf("CreateInstanceProfile body %s", body)
	}
	_, body = rawIAM(t, ts, map[string]string{"Action": "GetInstanceProfile", "InstanceProfileName": "shape"})
	if !strings.Contains(body, "<Roles></Roles><Tags></Tags></InstanceProfile>") {
		t.Errorf("GetInstanceProfile body %s", body)
	}

	got, err := ts.IAM.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("PROFILE-1")})
	if err != nil {
		t.Fatal(err)
	}
	gp := got.InstanceProfile
	if aws.ToString(gp.InstanceProfileId) != aws.ToString(p.InstanceProfileId) || aws.ToString(gp.InstanceProfileName) != "profile-1" || len(gp.Roles) != 0 || gp.Tags == nil {
		t.Errorf("GetInstanceProfile %+v", gp)
	}
	def := newProfile(t, ts, "profile-default", "")
	if aws.ToString(def.Path) != "/" || aws.ToString(def.Arn) != "arn:aws:iam::123456789012:instance-profile/profile-default" {
		t.Errorf("default path %+v", def)
	}

	if _, err := ts.IAM.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("profile-1")}); err != nil {
		t.Fatal(err)
	}
	_, err = ts.IAM.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("profile-1")})
	apiError(t, err, "NoSuchEntity", "Instance Profile profile-1 cannot be found.", 404)
}

func TestInstanceProfileErrors(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	_, err := ts.IAM.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("nonexistent-profile")})
	apiError(t, err, "NoSuchEntity", "Instance Profile nonexistent-profile cannot be found.", 404)
	newProfile(t, ts, "dup", "")
	_, err = ts.IAM.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("dup")})
	apiError(t, err, "EntityAlreadyExists", "Instance Profile dup already exists.", 409)
	// Names are unique without regard to case.
	_, err = ts.IAM.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("DUP")})
	apiError(t, err, "EntityAlreadyExists", "Instance Profile DUP already exists.", 409)
	_, err = ts.IAM.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("nonexistent-profile")})
	apiError(t, err, "NoSuchEntity", "Instance Profile nonexistent-profile cannot be found.", 404)
	_, err = ts.IAM.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("bad/name")})
	apiError(t, err, "ValidationError", `1 validation error detected: Value at 'instanceProfileName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`, 400)
	_, err = ts.IAM.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String(strings.Repeat("p", 129))})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'instanceProfileName' failed to satisfy constraint: Member must have length less than or equal to 128", 400)
	newProfile(t, ts, strings.Repeat("p", 128), "")
	_, err = ts.IAM.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("badpath"), Path: aws.String("no-slashes")})
	apiError(t, err, "ValidationError", "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.", 400)
	_, err = ts.IAM.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("dup-tags"),
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}})
	apiError(t, err, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
}

func TestListInstanceProfiles(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newProfile(t, ts, "profile-2", "")
	newProfile(t, ts, "profile-1", "")
	newProfile(t, ts, "profile-a", "/path-a/")
	newProfile(t, ts, "profile-b", "/path-b/", types.Tag{Key: aws.String("k"), Value: aws.String("v")})
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("role-1"), Description: aws.String("not shown in profiles"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	addRole(t, ts, "profile-1", "role-1")

	all, err := ts.IAM.ListInstanceProfiles(ctx, &awsiam.ListInstanceProfilesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := profileNames(all.InstanceProfiles); !slices.Equal(got, []string{"profile-1", "profile-2", "profile-a", "profile-b"}) || all.IsTruncated {
		t.Fatalf("ListInstanceProfiles %v", got)
	}
	p1 := all.InstanceProfiles[0]
	if len(p1.Roles) != 1 || aws.ToString(p1.Roles[0].RoleName) != "role-1" || p1.Tags != nil {
		t.Fatalf("profile-1 %+v", p1)
	}
	// The role inside a profile: identity and trust policy only (recorded).
	r := p1.Roles[0]
	if aws.ToString(r.Arn) != "arn:aws:iam::123456789012:role/role-1" || aws.ToString(r.Path) != "/" || r.CreateDate == nil || r.RoleId == nil ||
		r.Description != nil || r.MaxSessionDuration != nil || r.RoleLastUsed != nil || r.Tags != nil {
		t.Errorf("role in profile %+v", r)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument)); doc != ec2Trust {
		t.Errorf("trust policy %q", doc)
	}
	if len(all.InstanceProfiles[1].Roles) != 0 || all.InstanceProfiles[3].Tags != nil {
		t.Errorf("profiles %+v", all.InstanceProfiles)
	}

	pa, err := ts.IAM.ListInstanceProfiles(ctx, &awsiam.ListInstanceProfilesInput{PathPrefix: aws.String("/path-a/")})
	if err != nil {
		t.Fatal(err)
	}
	if got := profileNames(pa.InstanceProfiles); !slices.Equal(got, []string{"profile-a"}) {
		t.Errorf("with prefix %v", got)
	}
	none, err := ts.IAM.ListInstanceProfiles(ctx, &awsiam.ListInstanceProfilesInput{PathPrefix: aws.String("/nonexistent-path/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(none.InstanceProfiles) != 0 || none.IsTruncated {
		t.Errorf("empty prefix %+v", none)
	}

	var walked []string
	pager := awsiam.NewListInstanceProfilesPaginator(ts.IAM, &awsiam.ListInstanceProfilesInput{MaxItems: aws.Int32(3)})
	pages := 0
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		walked = append(walked, profileNames(page.InstanceProfiles)...)
	}
	if pages != 2 || !slices.Equal(walked, profileNames(all.InstanceProfiles)) {
		t.Errorf("paginator: %d pages, %v", pages, walked)
	}
	_, err = ts.IAM.ListInstanceProfiles(ctx, &awsiam.ListInstanceProfilesInput{Marker: aws.String("%%%")})
	apiError(t, err, "ValidationError", "Invalid Marker.", 400)
}

func TestInstanceProfileRoles(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newProfile(t, ts, "profile", "")
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("role-1")})
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("role-2")})

	// Names are found in any spelling and kept as created.
	addRole(t, ts, "PROFILE", "ROLE-1")
	got, err := ts.IAM.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("profile")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.InstanceProfile.Roles) != 1 || aws.ToString(got.InstanceProfile.Roles[0].RoleName) != "role-1" {
		t.Fatalf("profile roles %+v", got.InstanceProfile.Roles)
	}
	const quota = "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"
	_, err = ts.IAM.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("profile"), RoleName: aws.String("role-2")})
	apiError(t, err, "LimitExceeded", quota, 409)
	_, err = ts.IAM.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("profile"), RoleName: aws.String("role-1")})
	apiError(t, err, "LimitExceeded", quota, 409)

	// Neither side can be deleted while joined.
	_, err = ts.IAM.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("profile")})
	apiError(t, err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.", 409)
	_, err = ts.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("role-1")})
	apiError(t, err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.", 409)

	// A role may be in several profiles.
	newProfile(t, ts, "other", "/p/")
	addRole(t, ts, "other", "role-1")
	for1, err := ts.IAM.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("role-1")})
	if err != nil {
		t.Fatal(err)
	}
	if got := profileNames(for1.InstanceProfiles); !slices.Equal(got, []string{"other", "profile"}) || for1.IsTruncated {
		t.Errorf("profiles for role-1: %v", got)
	}
	for _, p := range for1.InstanceProfiles {
		if len(p.Roles) != 1 || aws.ToString(p.Roles[0].RoleName) != "role-1" {
			t.Errorf("profile %s roles %+v", aws.ToString(p.InstanceProfileName), p.Roles)
		}
	}
	page1, err := ts.IAM.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("role-1"), MaxItems: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	page2, err := ts.IAM.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("role-1"), Marker: page1.Marker})
	if err != nil {
		t.Fatal(err)
	}
	if !page1.IsTruncated || page2.IsTruncated || profileNames(page1.InstanceProfiles)[0] != "other" || profileNames(page2.InstanceProfiles)[0] != "profile" {
		t.Errorf("paged profiles for role: %v %v", profileNames(page1.InstanceProfiles), profileNames(page2.InstanceProfiles))
	}
	for2, err := ts.IAM.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("role-2")})
	if err != nil {
		t.Fatal(err)
	}
	if len(for2.InstanceProfiles) != 0 || for2.IsTruncated {
		t.Errorf("profiles for role-2: %+v", for2)
	}
	if _, body := rawIAM(t, ts, map[string]string{"Action": "ListInstanceProfilesForRole", "RoleName": "role-2"}); !strings.Contains(body, "<InstanceProfiles></InstanceProfiles><IsTruncated>false</IsTruncated>") {
		t.Errorf("empty ListInstanceProfilesForRole body %s", body)
	}

	// Errors, as recorded.
	_, err = ts.IAM.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("nonexistent-profile"), RoleName: aws.String("role-2")})
	apiError(t, err, "NoSuchEntity", "Instance Profile nonexistent-profile cannot be found.", 404)
	_, err = ts.IAM.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("profile"), RoleName: aws.String("nonexistent-role")})
	apiError(t, err, "NoSuchEntity", "The role with name nonexistent-role cannot be found.", 404)
	_, err = ts.IAM.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("nonexistent-profile"), RoleName: aws.String("role-1")})
	apiError(t, err, "NoSuchEntity", "Instance Profile nonexistent-profile cannot be found.", 404)
	_, err = ts.IAM.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("profile"), RoleName: aws.String("nonexistent-role")})
	apiError(t, err, "NoSuchEntity", "The role with name nonexistent-role cannot be found.", 404)
	_, err = ts.IAM.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("profile"), RoleName: aws.String("role-2")})
	apiError(t, err, "NoSuchEntity", "Role role-2 in Instance Profile profile cannot be found.", 404)
	_, err = ts.IAM.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("nonexistent-role")})
	apiError(t, err, "NoSuchEntity", "The role with name nonexistent-role cannot be found.", 404)

	// Take role-1 out of both profiles; then everything can go.
	for _, p := range []string{"profile", "Other"} {
		if _, err := ts.IAM.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String(p), RoleName: aws.String("Role-1")}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ = ts.IAM.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("profile")})
	if len(got.InstanceProfile.Roles) != 0 {
		t.Errorf("roles after remove %+v", got.InstanceProfile.Roles)
	}
	for1, _ = ts.IAM.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("role-1")})
	if len(for1.InstanceProfiles) != 0 {
		t.Errorf("role-1 still in %v", profileNames(for1.InstanceProfiles))
	}
	// The freed profile takes another role.
	addRole(t, ts, "profile", "role-2")
	if _, err := ts.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("role-1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("profile"), RoleName: aws.String("role-2")}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"profile", "other"} {
		if _, err := ts.IAM.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("role-2")}); err != nil {
		t.Fatal(err)
	}
}

// The role inside a profile is read when the profile is, so changes to the
// role show.
func TestInstanceProfileShowsCurrentRole(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newProfile(t, ts, "p", "")
	newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("r")})
	addRole(t, ts, "p", "r")
	ecsTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := ts.IAM.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(ecsTrust)}); err != nil {
		t.Fatal(err)
	}
	got, err := ts.IAM.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("p")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(got.InstanceProfile.Roles[0].AssumeRolePolicyDocument)); doc != ecsTrust {
		t.Errorf("trust policy in profile %q", doc)
	}
}

func TestInstanceProfileTags(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	listTags := func(name string) string {
		t.Helper()
		out, err := ts.IAM.ListInstanceProfileTags(ctx, &awsiam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if out.IsTruncated {
			t.Errorf("truncated")
		}
		return tagsString(out.Tags)
	}

	created := newProfile(t, ts, "initial", "", tag("InitialKey", "InitialValue"))
	if tagsString(created.Tags) != "InitialKey=InitialValue " {
		t.Errorf("created with tags %v", tagsString(created.Tags))
	}
	g, _ := ts.IAM.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("initial")})
	if tagsString(g.InstanceProfile.Tags) != "InitialKey=InitialValue " {
		t.Errorf("get with tags %v", tagsString(g.InstanceProfile.Tags))
	}

	newProfile(t, ts, "p", "")
	if got := listTags("p"); got != "" {
		t.Errorf("initial tags %q", got)
	}
	ts.IAM.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("p"), Tags: []types.Tag{tag("MyKey", "myValue")}})
	if got := listTags("p"); got != "MyKey=myValue " {
		t.Errorf("tags %q", got)
	}
	g, _ = ts.IAM.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("p")})
	if tagsString(g.InstanceProfile.Tags) != "MyKey=myValue " {
		t.Errorf("get with tags %v", tagsString(g.InstanceProfile.Tags))
	}
	ts.IAM.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("p"), Tags: []types.Tag{tag("MyKey2", "myValue2")}})
	if got := listTags("p"); got != "MyKey=myValue MyKey2=myValue2 " {
		t.Errorf("tags %q", got)
	}
	ts.IAM.UntagInstanceProfile(ctx, &awsiam.UntagInstanceProfileInput{InstanceProfileName: aws.String("p"), TagKeys: []string{"MyKey"}})
	if got := listTags("p"); got != "MyKey2=myValue2 " {
		t.Errorf("tags %q", got)
	}
	ts.IAM.UntagInstanceProfile(ctx, &awsiam.UntagInstanceProfileInput{InstanceProfileName: aws.String("p"), TagKeys: []string{"mykey2"}})
	if got := listTags("p"); got != "" {
		t.Errorf("tags %q", got)
	}

	_, err := ts.IAM.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("nonexistent-profile"), Tags: []types.Tag{tag("k", "v")}})
	apiError(t, err, "NoSuchEntity", "Instance Profile nonexistent-profile cannot be found.", 404)
	_, err = ts.IAM.UntagInstanceProfile(ctx, &awsiam.UntagInstanceProfileInput{InstanceProfileName: aws.String("nonexistent-profile"), TagKeys: []string{"k"}})
	apiError(t, err, "NoSuchEntity", "Instance Profile nonexistent-profile cannot be found.", 404)
	_, err = ts.IAM.ListInstanceProfileTags(ctx, &awsiam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("nonexistent-profile")})
	apiError(t, err, "NoSuchEntity", "Instance Profile nonexistent-profile cannot be found.", 404)
	_, err = ts.IAM.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("p"), Tags: []types.Tag{tag("bad!key", "v")}})
	apiError(t, err, "ValidationError", `1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`, 400)
	var keys []string
	for i := range 51 {
		keys = append(keys, fmt.Sprint(i))
	}
	_, err = ts.IAM.UntagInstanceProfile(ctx, &awsiam.UntagInstanceProfileInput{InstanceProfileName: aws.String("p"), TagKeys: keys})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50", 400)
}

// Racing AddRoleToInstanceProfile calls: exactly one role gets in, and both
// sides of the link agree afterwards.
func TestAddRoleToInstanceProfileConcurrent(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newProfile(t, ts, "shared", "")
	const n = 8
	for i := range n {
		newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("racer-%d", i))})
	}
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := ts.IAM.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("shared"), RoleName: aws.String(fmt.Sprintf("racer-%d", i))})
			errs <- err
		}()
	}
	ok := 0
	for range n {
		if err := <-errs; err == nil {
			ok++
		} else {
			apiError(t, err, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", 409)
		}
	}
	if ok != 1 {
		t.Fatalf("%d adds succeeded", ok)
	}
	got, err := ts.IAM.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("shared")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.InstanceProfile.Roles) != 1 {
		t.Fatalf("roles %+v", got.InstanceProfile.Roles)
	}
	winner := aws.ToString(got.InstanceProfile.Roles[0].RoleName)
	for i := range n {
		name := fmt.Sprintf("racer-%d", i)
		out, err := ts.IAM.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 1, false: 0}[name == winner]; len(out.InstanceProfiles) != want {
			t.Errorf("%s is in %d profiles", name, len(out.InstanceProfiles))
		}
	}
}
