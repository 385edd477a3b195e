package api

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
)

const userListDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`

// newUser creates a user through the API, failing the test on error.
func newUser(t testing.TB, ts *testServer, name string, opt ...func(*awsiam.CreateUserInput)) *types.User {
	t.Helper()
	in := &awsiam.CreateUserInput{UserName: aws.String(name)}
	for _, o := range opt {
		o(in)
	}
	out, err := ts.IAM.CreateUser(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	return out.User
}

func userNames(us []types.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, aws.ToString(u.UserName))
	}
	return out
}

func TestUserLifecycle(t *testing.T) {
	for _, path := range []string{"", "/", "/test-lifecycle-path/"} {
		t.Run("path="+path, func(t *testing.T) {
			ts := newTestServer(t)
			ctx := context.Background()
			in := &awsiam.CreateUserInput{UserName: aws.String("alice")}
			wantPath := "/"
			if path != "" {
				in.Path = aws.String(path)
				wantPath = path
			}
			out, err := ts.IAM.CreateUser(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			u := out.User
			if aws.ToString(u.Path) != wantPath || aws.ToString(u.Arn) != "arn:aws:iam::123456789012:user"+wantPath+"alice" {
				t.Errorf("user %+v", u)
			}
			if id := aws.ToString(u.UserId); len(id) != 21 || !strings.HasPrefix(id, "AIDA") {
				t.Errorf("user ID %q", id)
			}
			if u.CreateDate == nil || u.Tags != nil || u.PermissionsBoundary != nil {
				t.Errorf("user %+v", u)
			}
			got, err := ts.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("ALICE")})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(got.User.UserId) != aws.ToString(u.UserId) || aws.ToString(got.User.UserName) != "alice" {
				t.Errorf("GetUser %+v", got.User)
			}
			list, err := ts.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Users) != 1 || list.IsTruncated || aws.ToString(list.Users[0].Arn) != aws.ToString(u.Arn) {
				t.Errorf("ListUsers %+v", list)
			}
			if path == "/test-lifecycle-path/" {
				for _, prefix := range []string{path, "/test-life"} {
					list, err := ts.IAM.ListUsers(ctx, &awsiam.ListUsersInput{PathPrefix: aws.String(prefix)})
					if err != nil {
						t.Fatal(err)
					}
					if len(list.Users) != 1 {
						t.Errorf("ListUsers(%s) %v", prefix, userNames(list.Users))
					}
				}
				list, err := ts.IAM.ListUsers(ctx, &awsiam.ListUsersInput{PathPrefix: aws.String("/other/")})
				if err != nil || len(list.Users) != 0 {
					t.Errorf("ListUsers(/other/) %v %v", err, list)
				}
			}
			if _, err := ts.IAM.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alice")}); err != nil {
				t.Fatal(err)
			}
			_, err = ts.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("alice")})
			apiError(t, err, "NoSuchEntity", "The user with name alice cannot be found.", 404)
		})
	}
}

func TestUserErrors(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newUser(t, ts, "bob")
	_, err := ts.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")})
	apiError(t, err, "EntityAlreadyExists", "User with name bob already exists.", 409)
	// Names are unique without regard to case.
	_, err = ts.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("BOB")})
	apiError(t, err, "EntityAlreadyExists", "User with name BOB already exists.", 409)
	_, err = ts.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("nonexistent-user")})
	apiError(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404)
	_, err = ts.IAM.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("nonexistent-user"), NewUserName: aws.String("new-name")})
	apiError(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404)
	_, err = ts.IAM.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("nonexistent-user")})
	apiError(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404)

	_, err = ts.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bad/name")})
	apiError(t, err, "ValidationError", `1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`, 400)
	_, err = ts.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(strings.Repeat("u", 65))})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64", 400)
	_, err = ts.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("carol"), Path: aws.String("no-slashes")})
	apiError(t, err, "ValidationError", "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.", 400)
	_, err = ts.IAM.ListUsers(ctx, &awsiam.ListUsersInput{MaxItems: aws.Int32(0)})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1", 400)
	_, err = ts.IAM.ListUsers(ctx, &awsiam.ListUsersInput{Marker: aws.String("not-a-marker")})
	apiError(t, err, "ValidationError", "Invalid Marker.", 400)
	// A failed CreateUser leaves nothing behind.
	list, err := ts.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	if err != nil || len(list.Users) != 1 {
		t.Errorf("ListUsers %v %v", err, list)
	}
}

func TestUpdateUser(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	orig := newUser(t, ts, "user-old")
	if _, err := ts.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("user-old")}); err != nil {
		t.Fatal(err)
	}
	key, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("user-old")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("user-old"), NewUserName: aws.String("user-new"), NewPath: aws.String("/new-path/")}); err != nil {
		t.Fatal(err)
	}
	got, err := ts.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("user-new")})
	if err != nil {
		t.Fatal(err)
	}
	u := got.User
	if aws.ToString(u.UserId) != aws.ToString(orig.UserId) || aws.ToString(u.Path) != "/new-path/" || aws.ToString(u.Arn) != "arn:aws:iam::123456789012:user/new-path/user-new" {
		t.Errorf("updated user %+v", u)
	}
	_, err = ts.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("user-old")})
	apiError(t, err, "NoSuchEntity", "The user with name user-old cannot be found.", 404)

	// Group membership and access keys follow the rename.
	grp, err := ts.IAM.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("devs")})
	if err != nil {
		t.Fatal(err)
	}
	if names := userNames(grp.Users); len(names) != 1 || names[0] != "user-new" || aws.ToString(grp.Users[0].UserId) != aws.ToString(orig.UserId) {
		t.Errorf("group members %v", names)
	}
	groups, err := ts.IAM.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("user-new")})
	if err != nil || len(groups.Groups) != 1 {
		t.Fatalf("ListGroupsForUser %v %+v", err, groups)
	}
	keys, err := ts.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("user-new")})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].UserName) != "user-new" || aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId) != aws.ToString(key.AccessKey.AccessKeyId) {
		t.Errorf("keys after rename %+v", keys.AccessKeyMetadata)
	}

	// Renaming onto an existing name fails and changes nothing; a change of
	// case is a rename too.
	newUser(t, ts, "other")
	_, err = ts.IAM.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("user-new"), NewUserName: aws.String("OTHER")})
	apiError(t, err, "EntityAlreadyExists", "User with name OTHER already exists.", 409)
	if _, err := ts.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("user-new")}); err != nil {
		t.Errorf("user lost after failed rename: %v", err)
	}
	if _, err := ts.IAM.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("other"), NewUserName: aws.String("Other")}); err != nil {
		t.Fatal(err)
	}
	got, err = ts.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("other")})
	if err != nil || aws.ToString(got.User.UserName) != "Other" {
		t.Errorf("case rename: %v %+v", err, got)
	}
	_, err = ts.IAM.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("Other"), NewPath: aws.String("bad")})
	apiError(t, err, "ValidationError", "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.", 400)
}

func TestDeleteUserConflicts(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newUser(t, ts, "dana")
	p := createPolicy(t, ts, "dana-policy", userListDoc)

	// Access keys, then inline policies, then attached policies, then
	// groups must go before the user can.
	key, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("dana")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("dana"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(userListDoc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("dana"), PolicyArn: p.Arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("g"), UserName: aws.String("dana")}); err != nil {
		t.Fatal(err)
	}
	del := func() error {
		_, err := ts.IAM.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("dana")})
		return err
	}
	apiError(t, del(), "DeleteConflict", "Cannot delete entity, must delete access keys first.", 409)
	if _, err := ts.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("dana"), AccessKeyId: key.AccessKey.AccessKeyId}); err != nil {
		t.Fatal(err)
	}
	apiError(t, del(), "DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
	if _, err := ts.IAM.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("dana"), PolicyName: aws.String("inline")}); err != nil {
		t.Fatal(err)
	}
	apiError(t, del(), "DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
	if _, err := ts.IAM.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("dana"), PolicyArn: p.Arn}); err != nil {
		t.Fatal(err)
	}
	apiError(t, del(), "DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)
	if _, err := ts.IAM.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("g"), UserName: aws.String("dana")}); err != nil {
		t.Fatal(err)
	}
	if err := del(); err != nil {
		t.Fatal(err)
	}
	_, err = ts.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("dana")})
	apiError(t, err, "NoSuchEntity", "The user with name dana cannot be found.", 404)
}

func TestGetUserWithoutName(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	// The test server's caller is the account's root user: GetUser without
	// a name describes it.
	out, err := ts.IAM.GetUser(ctx, &awsiam.GetUserInput{})
	if err != nil {
		t.Fatal(err)
	}
	u := out.User
	if aws.ToString(u.UserId) != testAccount || aws.ToString(u.Arn) != "arn:aws:iam::123456789012:root" || u.UserName != nil || u.Path != nil || u.CreateDate == nil {
		t.Errorf("root user %+v", u)
	}

	// An IAM user gets itself; a role session gets AWS's ValidationError.
	newUser(t, ts, "erin")
	asUser := iam.Caller{Account: testAccount, ARN: "arn:aws:iam::123456789012:user/erin"}
	got, err := ts.Svc.GetUser(ctx, asUser, "")
	if err != nil || got.Name != "erin" {
		t.Errorf("GetUser as user: %v %+v", err, got)
	}
	asRole := iam.Caller{Account: testAccount, ARN: "arn:aws:sts::123456789012:assumed-role/r/s"}
	_, err = ts.Svc.GetUser(ctx, asRole, "")
	apiErrorOf(t, err, "ValidationError", "Must specify userName when calling with non-User credentials", 400)
}

func TestUserTags(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	u := newUser(t, ts, "tagged", func(in *awsiam.CreateUserInput) {
		in.Tags = []types.Tag{{Key: aws.String("Environment"), Value: aws.String("Test")}, {Key: aws.String("Team"), Value: aws.String("Platform")}}
	})
	if tagList(u.Tags) != "Environment=Test,Team=Platform" {
		t.Errorf("CreateUser tags %s", tagList(u.Tags))
	}
	got, err := ts.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("tagged")})
	if err != nil || tagList(got.User.Tags) != "Environment=Test,Team=Platform" {
		t.Errorf("GetUser tags %v %+v", err, got)
	}
	// ListUsers does not return tags.
	list, err := ts.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	if err != nil || len(list.Users) != 1 || list.Users[0].Tags != nil {
		t.Errorf("ListUsers %v %+v", err, list)
	}

	newUser(t, ts, "plain")
	lt, err := ts.IAM.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("plain")})
	if err != nil || len(lt.Tags) != 0 || lt.IsTruncated {
		t.Fatalf("ListUserTags %v %+v", err, lt)
	}
	if _, err := ts.IAM.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("plain"), Tags: []types.Tag{{Key: aws.String("key-1"), Value: aws.String("value-1")}, {Key: aws.String("key-2"), Value: aws.String("value-2")}}}); err != nil {
		t.Fatal(err)
	}
	lt, err = ts.IAM.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("plain")})
	if err != nil || tagList(lt.Tags) != "key-1=value-1,key-2=value-2" {
		t.Fatalf("ListUserTags %v %s", err, tagList(lt.Tags))
	}
	page, err := ts.IAM.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("plain"), MaxItems: aws.Int32(1)})
	if err != nil || !page.IsTruncated || tagList(page.Tags) != "key-1=value-1" {
		t.Fatalf("ListUserTags page 1 %v %+v", err, page)
	}
	page, err = ts.IAM.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("plain"), MaxItems: aws.Int32(1), Marker: page.Marker})
	if err != nil || page.IsTruncated || tagList(page.Tags) != "key-2=value-2" {
		t.Fatalf("ListUserTags page 2 %v %+v", err, page)
	}
	if _, err := ts.IAM.UntagUser(ctx, &awsiam.UntagUserInput{UserName: aws.String("plain"), TagKeys: []string{"KEY-2", "absent"}}); err != nil {
		t.Fatal(err)
	}
	lt, err = ts.IAM.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("plain")})
	if err != nil || tagList(lt.Tags) != "key-1=value-1" {
		t.Fatalf("after UntagUser %v %s", err, tagList(lt.Tags))
	}

	// Errors, as recorded from AWS.
	_, err = ts.IAM.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("nonexistent-user"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	apiError(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404)
	_, err = ts.IAM.UntagUser(ctx, &awsiam.UntagUserInput{UserName: aws.String("nonexistent-user"), TagKeys: []string{"k"}})
	apiError(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404)
	_, err = ts.IAM.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("nonexistent-user")})
	apiError(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404)
	_, err = ts.IAM.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("plain"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}})
	apiError(t, err, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
	_, err = ts.IAM.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("plain"), Tags: []types.Tag{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")}}})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128", 400)
	many := make([]string, 51)
	for i := range many {
		many[i] = "k"
	}
	_, err = ts.IAM.UntagUser(ctx, &awsiam.UntagUserInput{UserName: aws.String("plain"), TagKeys: many})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50", 400)
	_, err = ts.IAM.UntagUser(ctx, &awsiam.UntagUserInput{UserName: aws.String("plain"), TagKeys: []string{"bad!"}})
	apiError(t, err, "ValidationError", `1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]`, 400)
	// 50 tags at most, counting the ones the user has.
	var fifty []types.Tag
	for i := range 50 {
		fifty = append(fifty, types.Tag{Key: aws.String("t" + string(rune('a'+i/26)) + string(rune('a'+i%26))), Value: aws.String("v")})
	}
	_, err = ts.IAM.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("plain"), Tags: fifty})
	apiError(t, err, "LimitExceeded", "The number of tags has reached the maximum limit.", 409)
}

func TestUserPermissionsBoundary(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	p := createPolicy(t, ts, "boundary", userListDoc)
	u := newUser(t, ts, "bounded", func(in *awsiam.CreateUserInput) { in.PermissionsBoundary = p.Arn })
	if u.PermissionsBoundary == nil || aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn) != aws.ToString(p.Arn) || string(u.PermissionsBoundary.PermissionsBoundaryType) != "Policy" {
		t.Errorf("CreateUser boundary %+v", u.PermissionsBoundary)
	}
	usage := func() int32 {
		t.Helper()
		out, err := ts.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: p.Arn})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToInt32(out.Policy.PermissionsBoundaryUsageCount)
	}
	if n := usage(); n != 1 {
		t.Errorf("boundary usage %d, want 1", n)
	}
	if _, err := ts.IAM.DeleteUserPermissionsBoundary(ctx, &awsiam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("bounded")}); err != nil {
		t.Fatal(err)
	}
	got, err := ts.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("bounded")})
	if err != nil || got.User.PermissionsBoundary != nil {
		t.Errorf("after delete: %v %+v", err, got)
	}
	if n := usage(); n != 0 {
		t.Errorf("boundary usage %d, want 0", n)
	}
	if _, err := ts.IAM.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: p.Arn}); err != nil {
		t.Fatal(err)
	}
	got, err = ts.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("bounded")})
	if err != nil || got.User.PermissionsBoundary == nil {
		t.Errorf("after put: %v %+v", err, got)
	}
	// An AWS managed policy may be a boundary too.
	if _, err := ts.IAM.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	if n := usage(); n != 0 {
		t.Errorf("replaced boundary still counted: %d", n)
	}

	missing := "arn:aws:iam::123456789012:policy/nonexistent-policy"
	_, err = ts.IAM.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(missing)})
	apiError(t, err, "NoSuchEntity", "Scope ARN: "+missing+" does not exist or is not attachable.", 404)
	_, err = ts.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("unbounded"), PermissionsBoundary: aws.String(missing)})
	apiError(t, err, "NoSuchEntity", "Scope ARN: "+missing+" does not exist or is not attachable.", 404)
	_, err = ts.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("unbounded")})
	apiError(t, err, "NoSuchEntity", "The user with name unbounded cannot be found.", 404)
	bad := "arn:aws:iam::123456789012:not_a_policy/invalid"
	_, err = ts.IAM.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(bad)})
	apiError(t, err, "InvalidInput", "ARN "+bad+" is not valid.", 400)
	_, err = ts.IAM.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("nobody"), PermissionsBoundary: p.Arn})
	apiError(t, err, "NoSuchEntity", "The user with name nobody cannot be found.", 404)
}

func TestListUsersPaging(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	for _, n := range []string{"charlie", "Alpha", "bravo"} {
		newUser(t, ts, n)
	}
	var seen []string
	var marker *string
	for range 5 {
		out, err := ts.IAM.ListUsers(ctx, &awsiam.ListUsersInput{MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, userNames(out.Users)...)
		if !out.IsTruncated {
			if out.Marker != nil {
				t.Errorf("marker on last page")
			}
			break
		}
		marker = out.Marker
	}
	if strings.Join(seen, ",") != "Alpha,bravo,charlie" {
		t.Errorf("users %v", seen)
	}
}

// tagList renders tags as "k=v,k=v" in order.
func tagList(ts []types.Tag) string {
	var parts []string
	for _, t := range ts {
		parts = append(parts, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
	}
	return strings.Join(parts, ",")
}

// apiErrorOf checks an error returned by the domain directly.
func apiErrorOf(t testing.TB, err error, code, message string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got success", code)
	}
	e, ok := awserr.As(err)
	if !ok || e.Code != code || e.Message != message || e.Status != status {
		t.Errorf("error %v, want %s: %s (%d)", err, code, message, status)
	}
}
