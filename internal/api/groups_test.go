package api

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// newGroup creates a group through the API, failing the test on error.
func newGroup(t testing.TB, ts *testServer, name, path string) *types.Group {
	t.Helper()
	in := &awsiam.CreateGroupInput{GroupName: aws.String(name)}
	if path != "" {
		in.Path = aws.String(path)
	}
	out, err := ts.IAM.CreateGroup(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateGroup %s: %v", name, err)
	}
	return out.Group
}

func groupNames(gs []types.Group) string {
	var out []string
	for _, g := range gs {
		out = append(out, aws.ToString(g.GroupName))
	}
	return strings.Join(out, ",")
}

func addToGroup(t testing.TB, ts *testServer, group, user string) {
	t.Helper()
	if _, err := ts.IAM.AddUserToGroup(context.Background(), &awsiam.AddUserToGroupInput{GroupName: aws.String(group), UserName: aws.String(user)}); err != nil {
		t.Fatalf("AddUserToGroup %s %s: %v", group, user, err)
	}
}

func TestGroupLifecycle(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	g := newGroup(t, ts, "admins", "")
	if aws.ToString(g.Path) != "/" || aws.ToString(g.Arn) != "arn:aws:iam::123456789012:group/admins" || g.CreateDate == nil {
		t.Errorf("group %+v", g)
	}
	if id := aws.ToString(g.GroupId); len(id) != 21 || !strings.HasPrefix(id, "AGPA") {
		t.Errorf("group ID %q", id)
	}
	_, err := ts.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("Admins")})
	apiError(t, err, "EntityAlreadyExists", "Group with name Admins already exists.", 409)

	got, err := ts.IAM.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("ADMINS")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Group.GroupId) != aws.ToString(g.GroupId) || got.Users == nil || len(got.Users) != 0 || got.IsTruncated {
		t.Errorf("GetGroup %+v", got)
	}
	_, err = ts.IAM.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("non-existent-group")})
	apiError(t, err, "NoSuchEntity", "The group with name non-existent-group cannot be found.", 404)

	withPath := newGroup(t, ts, "ops", "/some/location/")
	if aws.ToString(withPath.Arn) != "arn:aws:iam::123456789012:group/some/location/ops" || aws.ToString(withPath.Path) != "/some/location/" {
		t.Errorf("group with path %+v", withPath)
	}
	list, err := ts.IAM.ListGroups(ctx, &awsiam.ListGroupsInput{})
	if err != nil || groupNames(list.Groups) != "admins,ops" || list.IsTruncated {
		t.Errorf("ListGroups %v %+v", err, list)
	}
	list, err = ts.IAM.ListGroups(ctx, &awsiam.ListGroupsInput{PathPrefix: aws.String("/some/")})
	if err != nil || groupNames(list.Groups) != "ops" {
		t.Errorf("ListGroups /some/ %v %+v", err, list)
	}
	list, err = ts.IAM.ListGroups(ctx, &awsiam.ListGroupsInput{MaxItems: aws.Int32(1)})
	if err != nil || groupNames(list.Groups) != "admins" || !list.IsTruncated {
		t.Fatalf("ListGroups page 1 %v %+v", err, list)
	}
	list, err = ts.IAM.ListGroups(ctx, &awsiam.ListGroupsInput{MaxItems: aws.Int32(1), Marker: list.Marker})
	if err != nil || groupNames(list.Groups) != "ops" || list.IsTruncated {
		t.Fatalf("ListGroups page 2 %v %+v", err, list)
	}

	if _, err := ts.IAM.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: aws.String("ops")}); err != nil {
		t.Fatal(err)
	}
	_, err = ts.IAM.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: aws.String("unknown-group")})
	apiError(t, err, "NoSuchEntity", "The group with name unknown-group cannot be found.", 404)
	_, err = ts.IAM.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("ops")})
	apiError(t, err, "NoSuchEntity", "The group with name ops cannot be found.", 404)
	_, err = ts.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String(strings.Repeat("g", 129))})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'groupName' failed to satisfy constraint: Member must have length less than or equal to 128", 400)
}

func TestUpdateGroup(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	g := newGroup(t, ts, "group-1", "")
	newUser(t, ts, "member")
	addToGroup(t, ts, "group-1", "member")

	if _, err := ts.IAM.UpdateGroup(ctx, &awsiam.UpdateGroupInput{GroupName: aws.String("group-1"), NewGroupName: aws.String("group-2")}); err != nil {
		t.Fatal(err)
	}
	_, err := ts.IAM.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("group-1")})
	apiError(t, err, "NoSuchEntity", "The group with name group-1 cannot be found.", 404)
	got, err := ts.IAM.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("group-2")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Group.GroupId) != aws.ToString(g.GroupId) || aws.ToString(got.Group.Arn) != "arn:aws:iam::123456789012:group/group-2" || len(got.Users) != 1 {
		t.Errorf("renamed group %+v", got)
	}
	// The member's side of the membership follows.
	groups, err := ts.IAM.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("member")})
	if err != nil || groupNames(groups.Groups) != "group-2" {
		t.Errorf("ListGroupsForUser %v %+v", err, groups)
	}

	if _, err := ts.IAM.UpdateGroup(ctx, &awsiam.UpdateGroupInput{GroupName: aws.String("group-2"), NewPath: aws.String("/new-path/")}); err != nil {
		t.Fatal(err)
	}
	got, err = ts.IAM.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("group-2")})
	if err != nil || aws.ToString(got.Group.Path) != "/new-path/" || aws.ToString(got.Group.Arn) != "arn:aws:iam::123456789012:group/new-path/group-2" {
		t.Errorf("moved group %v %+v", err, got)
	}

	_, err = ts.IAM.UpdateGroup(ctx, &awsiam.UpdateGroupInput{GroupName: aws.String("nonexisting"), NewGroupName: aws.String("x")})
	apiError(t, err, "NoSuchEntity", "The group with name nonexisting cannot be found.", 404)
	newGroup(t, ts, "group-3", "")
	_, err = ts.IAM.UpdateGroup(ctx, &awsiam.UpdateGroupInput{GroupName: aws.String("group-2"), NewGroupName: aws.String("group-3")})
	apiError(t, err, "EntityAlreadyExists", "Group with name group-3 already exists.", 409)
}

func TestGroupMembership(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	u := newUser(t, ts, "member")
	newGroup(t, ts, "group-b", "")
	newGroup(t, ts, "group-a", "")
	newGroup(t, ts, "group-c", "")

	empty, err := ts.IAM.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("member")})
	if err != nil || empty.Groups == nil || len(empty.Groups) != 0 || empty.IsTruncated {
		t.Fatalf("ListGroupsForUser empty %v %+v", err, empty)
	}
	addToGroup(t, ts, "group-b", "member")
	addToGroup(t, ts, "group-a", "MEMBER")
	addToGroup(t, ts, "group-a", "member") // idempotent
	groups, err := ts.IAM.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("member")})
	if err != nil || groupNames(groups.Groups) != "group-b,group-a" {
		t.Fatalf("ListGroupsForUser %v %s", err, groupNames(groups.Groups))
	}
	page, err := ts.IAM.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("member"), MaxItems: aws.Int32(1)})
	if err != nil || groupNames(page.Groups) != "group-b" || !page.IsTruncated {
		t.Fatalf("ListGroupsForUser page %v %+v", err, page)
	}
	got, err := ts.IAM.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("group-a")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Users) != 1 || aws.ToString(got.Users[0].UserId) != aws.ToString(u.UserId) || aws.ToString(got.Users[0].UserName) != "member" || aws.ToString(got.Users[0].Path) != "/" {
		t.Errorf("GetGroup users %+v", got.Users)
	}

	if _, err := ts.IAM.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("group-a"), UserName: aws.String("member")}); err != nil {
		t.Fatal(err)
	}
	// Removing a user that is not a member succeeds (recorded).
	if _, err := ts.IAM.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("group-c"), UserName: aws.String("member")}); err != nil {
		t.Fatal(err)
	}
	got, err = ts.IAM.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("group-a")})
	if err != nil || len(got.Users) != 0 {
		t.Errorf("after remove %v %+v", err, got)
	}
	groups, err = ts.IAM.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("member")})
	if err != nil || groupNames(groups.Groups) != "group-b" {
		t.Errorf("after remove %v %s", err, groupNames(groups.Groups))
	}

	// Errors, as recorded.
	_, err = ts.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("group-a"), UserName: aws.String("non-existent-user")})
	apiError(t, err, "NoSuchEntity", "The user with name non-existent-user cannot be found.", 404)
	_, err = ts.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("non-existent-group"), UserName: aws.String("member")})
	apiError(t, err, "NoSuchEntity", "The group with name non-existent-group cannot be found.", 404)
	_, err = ts.IAM.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("non-existent-group"), UserName: aws.String("member")})
	apiError(t, err, "NoSuchEntity", "The group with name non-existent-group cannot be found.", 404)
	_, err = ts.IAM.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("non-existent-group"), UserName: aws.String("any-user")})
	apiError(t, err, "NoSuchEntity", "The user with name any-user cannot be found.", 404)
	_, err = ts.IAM.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("nobody")})
	apiError(t, err, "NoSuchEntity", "The user with name nobody cannot be found.", 404)
}

func TestGroupsPerUserQuota(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newUser(t, ts, "joiner")
	for i := range 11 {
		name := "g" + string(rune('a'+i))
		newGroup(t, ts, name, "")
		_, err := ts.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String(name), UserName: aws.String("joiner")})
		if i < 10 && err != nil {
			t.Fatal(err)
		}
		if i == 10 {
			apiError(t, err, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10", 409)
		}
	}
}

func TestDeleteGroupConflicts(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newGroup(t, ts, "crew", "")
	newUser(t, ts, "sailor")
	addToGroup(t, ts, "crew", "sailor")
	p := createPolicy(t, ts, "crew-policy", userListDoc)
	if _, err := ts.IAM.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("crew"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(userListDoc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("crew"), PolicyArn: p.Arn}); err != nil {
		t.Fatal(err)
	}
	del := func() error {
		_, err := ts.IAM.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: aws.String("crew")})
		return err
	}
	apiError(t, del(), "DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)
	if _, err := ts.IAM.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("crew"), UserName: aws.String("sailor")}); err != nil {
		t.Fatal(err)
	}
	apiError(t, del(), "DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
	if _, err := ts.IAM.DeleteGroupPolicy(ctx, &awsiam.DeleteGroupPolicyInput{GroupName: aws.String("crew"), PolicyName: aws.String("inline")}); err != nil {
		t.Fatal(err)
	}
	apiError(t, del(), "DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
	if _, err := ts.IAM.DetachGroupPolicy(ctx, &awsiam.DetachGroupPolicyInput{GroupName: aws.String("crew"), PolicyArn: p.Arn}); err != nil {
		t.Fatal(err)
	}
	if err := del(); err != nil {
		t.Fatal(err)
	}
	// The former member is no longer in any group and can be deleted.
	if _, err := ts.IAM.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("sailor")}); err != nil {
		t.Fatal(err)
	}
}
