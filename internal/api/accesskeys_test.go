package api

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/internal/iam"
)

var accessKeyIDFormat = regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`)

func TestAccessKeyLifecycle(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newUser(t, ts, "keyholder")
	list, err := ts.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("keyholder")})
	if err != nil || list.AccessKeyMetadata == nil || len(list.AccessKeyMetadata) != 0 || list.IsTruncated {
		t.Fatalf("ListAccessKeys empty %v %+v", err, list)
	}
	out, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("keyholder")})
	if err != nil {
		t.Fatal(err)
	}
	k := out.AccessKey
	if !accessKeyIDFormat.MatchString(aws.ToString(k.AccessKeyId)) || len(aws.ToString(k.SecretAccessKey)) != 40 {
		t.Errorf("key %q secret length %d", aws.ToString(k.AccessKeyId), len(aws.ToString(k.SecretAccessKey)))
	}
	if k.Status != types.StatusTypeActive || aws.ToString(k.UserName) != "keyholder" || k.CreateDate == nil {
		t.Errorf("key %+v", k)
	}
	list, err = ts.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("keyholder")})
	if err != nil || len(list.AccessKeyMetadata) != 1 {
		t.Fatalf("ListAccessKeys %v %+v", err, list)
	}
	m := list.AccessKeyMetadata[0]
	if aws.ToString(m.AccessKeyId) != aws.ToString(k.AccessKeyId) || m.Status != types.StatusTypeActive || aws.ToString(m.UserName) != "keyholder" {
		t.Errorf("metadata %+v", m)
	}
	// The secret is returned by CreateAccessKey only.
	_, body := rawIAM(t, ts, map[string]string{"Action": "ListAccessKeys", "UserName": "keyholder"})
	if strings.Contains(body, aws.ToString(k.SecretAccessKey)) || strings.Contains(body, "Secret") {
		t.Errorf("ListAccessKeys leaks the secret: %s", body)
	}
	// Request authentication finds the key by its ID.
	stored, err := ts.Svc.LookupAccessKey(ctx, aws.ToString(k.AccessKeyId))
	if err != nil || stored.Secret != aws.ToString(k.SecretAccessKey) || stored.UserName != "keyholder" || stored.Account != testAccount {
		t.Errorf("LookupAccessKey %v %+v", err, stored)
	}
	if _, err := ts.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("keyholder"), AccessKeyId: k.AccessKeyId}); err != nil {
		t.Fatal(err)
	}
	list, err = ts.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("keyholder")})
	if err != nil || len(list.AccessKeyMetadata) != 0 {
		t.Errorf("after delete %v %+v", err, list)
	}
	if _, err := ts.Svc.LookupAccessKey(ctx, aws.ToString(k.AccessKeyId)); err == nil {
		t.Error("deleted key still found")
	}
}

func TestAccessKeyStatusAndLimit(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newUser(t, ts, "keyholder")
	first, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("keyholder")})
	if err != nil {
		t.Fatal(err)
	}
	id := first.AccessKey.AccessKeyId
	status := func() types.StatusType {
		t.Helper()
		list, err := ts.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("keyholder")})
		if err != nil || len(list.AccessKeyMetadata) == 0 {
			t.Fatalf("ListAccessKeys %v %+v", err, list)
		}
		return list.AccessKeyMetadata[0].Status
	}
	for _, s := range []types.StatusType{types.StatusTypeInactive, types.StatusTypeActive} {
		if _, err := ts.IAM.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("keyholder"), AccessKeyId: id, Status: s}); err != nil {
			t.Fatal(err)
		}
		if got := status(); got != s {
			t.Errorf("status %s, want %s", got, s)
		}
	}
	_, err = ts.IAM.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("keyholder"), AccessKeyId: id, Status: "Disabled"})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set", 400)

	if _, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("keyholder")}); err != nil {
		t.Fatal(err)
	}
	_, err = ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("keyholder")})
	apiError(t, err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
	list, err := ts.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("keyholder")})
	if err != nil || len(list.AccessKeyMetadata) != 2 {
		t.Errorf("keys %v %+v", err, list)
	}
	page1, err := ts.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("keyholder"), MaxItems: aws.Int32(1)})
	if err != nil || len(page1.AccessKeyMetadata) != 1 || !page1.IsTruncated {
		t.Fatalf("page 1 %v %+v", err, page1)
	}
	page2, err := ts.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("keyholder"), MaxItems: aws.Int32(1), Marker: page1.Marker})
	if err != nil || len(page2.AccessKeyMetadata) != 1 || page2.IsTruncated || aws.ToString(page2.AccessKeyMetadata[0].AccessKeyId) == aws.ToString(page1.AccessKeyMetadata[0].AccessKeyId) {
		t.Fatalf("page 2 %v %+v", err, page2)
	}
}

func TestAccessKeyLastUsed(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newUser(t, ts, "keyholder")
	out, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("keyholder")})
	if err != nil {
		t.Fatal(err)
	}
	id := out.AccessKey.AccessKeyId
	lu, err := ts.IAM.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(lu.UserName) != "keyholder" || aws.ToString(lu.AccessKeyLastUsed.ServiceName) != "N/A" || aws.ToString(lu.AccessKeyLastUsed.Region) != "N/A" || lu.AccessKeyLastUsed.LastUsedDate != nil {
		t.Errorf("unused key %+v %+v", lu, lu.AccessKeyLastUsed)
	}
	when := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := ts.Svc.RecordAccessKeyUse(ctx, aws.ToString(id), "iam", "us-east-1", when); err != nil {
		t.Fatal(err)
	}
	lu, err = ts.IAM.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(lu.AccessKeyLastUsed.ServiceName) != "iam" || aws.ToString(lu.AccessKeyLastUsed.Region) != "us-east-1" || !aws.ToTime(lu.AccessKeyLastUsed.LastUsedDate).Equal(when) {
		t.Errorf("used key %+v", lu.AccessKeyLastUsed)
	}
	_, err = ts.IAM.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIAI44QH8DHBEXAMPLE")})
	apiError(t, err, "AccessDenied", "User: arn:aws:iam::123456789012:root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAI44QH8DHBEXAMPLE", 403)
}

func TestAccessKeyErrors(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	newUser(t, ts, "keyholder")
	newUser(t, ts, "other")
	_, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("nonexistent-user")})
	apiError(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404)
	_, err = ts.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("nonexistent-user")})
	apiError(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404)
	_, err = ts.IAM.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("keyholder"), AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE"), Status: types.StatusTypeInactive})
	apiError(t, err, "NoSuchEntity", "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.", 404)
	_, err = ts.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("keyholder"), AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
	apiError(t, err, "NoSuchEntity", "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.", 404)
	_, err = ts.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("keyholder"), AccessKeyId: aws.String("short")})
	apiError(t, err, "ValidationError", "1 validation error detected: Value at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16", 400)

	// A key belongs to its user: another user's name does not reach it.
	out, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("keyholder")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.AccessKey.AccessKeyId)
	_, err = ts.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("other"), AccessKeyId: aws.String(id)})
	apiError(t, err, "NoSuchEntity", "The Access Key with id "+id+" cannot be found.", 404)

	// Without UserName the key is the caller's: a role session gets AWS's
	// ValidationError (recorded), the user itself reaches its own key.
	asRole := iam.Caller{Account: testAccount, ARN: "arn:aws:sts::123456789012:assumed-role/r/s"}
	err = ts.Svc.DeleteAccessKey(ctx, asRole, "", id)
	apiErrorOf(t, err, "ValidationError", "Must specify userName when calling with non-User credentials", 400)
	_, _, err = ts.Svc.ListAccessKeys(ctx, asRole, "", iam.Page{})
	apiErrorOf(t, err, "ValidationError", "Must specify userName when calling with non-User credentials", 400)
	asUser := iam.Caller{Account: testAccount, ARN: "arn:aws:iam::123456789012:user/keyholder"}
	keys, _, err := ts.Svc.ListAccessKeys(ctx, asUser, "", iam.Page{})
	if err != nil || len(keys) != 1 || keys[0].ID != id || keys[0].Secret != "" {
		t.Fatalf("ListAccessKeys as user %v %+v", err, keys)
	}
	if err := ts.Svc.DeleteAccessKey(ctx, asUser, "", id); err != nil {
		t.Fatal(err)
	}
}

func TestRootAccessKeys(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	// The test server's caller is the root user: without UserName the keys
	// are the root user's.
	out, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	k := out.AccessKey
	if !accessKeyIDFormat.MatchString(aws.ToString(k.AccessKeyId)) || k.UserName != nil {
		t.Errorf("root key %+v", k)
	}
	// The harness signs with a root key of its own, so the root user now
	// has two.
	root, err := ts.Svc.RootAccessKeys(ctx, testAccount)
	if err != nil || len(root) != 2 || (root[0].ID != aws.ToString(k.AccessKeyId) && root[1].ID != aws.ToString(k.AccessKeyId)) {
		t.Fatalf("RootAccessKeys %v %+v", err, root)
	}
	list, err := ts.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{})
	if err != nil || len(list.AccessKeyMetadata) != 2 || list.AccessKeyMetadata[0].UserName != nil {
		t.Fatalf("ListAccessKeys root %v %+v", err, list)
	}
	// A user's keys are not the root user's.
	newUser(t, ts, "someone")
	if _, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("someone")}); err != nil {
		t.Fatal(err)
	}
	list, err = ts.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{})
	if err != nil || len(list.AccessKeyMetadata) != 2 {
		t.Fatalf("ListAccessKeys root %v %+v", err, list)
	}
	// Inactive keys still count towards the quota of two.
	if _, err := ts.IAM.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{AccessKeyId: k.AccessKeyId, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	_, err = ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{})
	apiError(t, err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
	if _, err := ts.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{AccessKeyId: k.AccessKeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{}); err != nil {
		t.Fatal(err)
	}
}
