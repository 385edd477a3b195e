package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/internal/iam"
)

func createAccountAs(t *testing.T, ts *testServer, key, secret, body string) (int, []byte) {
	t.Helper()
	req := signedRequest(t, ts.URL+AccountsPath, "rolecall", body, key, secret, "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestCreateAccount(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	code, body := createAccountAs(t, ts, testRootKey, testRootSecret, `{"accountId":"210987654321"}`)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var out CreateAccountResponse
	if err := json.Unmarshal(body, &out); err != nil || out.AccountID != "210987654321" || len(out.SecretAccessKey) != 40 {
		t.Fatalf("%v %+v", err, out)
	}
	if code, _ := createAccountAs(t, ts, testRootKey, testRootSecret, `{"accountId":"210987654321"}`); code != 409 {
		t.Errorf("duplicate account: %d", code)
	}
	// The new account's root signs as itself and has an IAM of its own.
	cfg := ts.Cfg.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(out.AccessKeyID, out.SecretAccessKey, "")
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "210987654321" || aws.ToString(id.Arn) != "arn:aws:iam::210987654321:root" {
		t.Fatalf("%v %+v", err, id)
	}
	if _, err := awsiam.NewFromConfig(cfg).CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(ec2Trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")}); err == nil {
		t.Error("a role of the new account is visible in the default account")
	}
	// Only the default account's root may create accounts.
	if code, body := createAccountAs(t, ts, out.AccessKeyID, out.SecretAccessKey, `{}`); code != 403 {
		t.Errorf("another account's root: %d %s", code, body)
	}
	if _, err := ts.Svc.CreateUser(ctx, iam.Caller{Account: testAccount}, iam.CreateUserInput{UserName: "u"}); err != nil {
		t.Fatal(err)
	}
	k, err := ts.Svc.CreateAccessKey(ctx, iam.Caller{Account: testAccount}, "u")
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := createAccountAs(t, ts, k.ID, k.Secret, `{}`); code != 403 {
		t.Errorf("an IAM user: %d", code)
	}
	if code, _ := createAccountAs(t, ts, testRootKey, "wrong-secret-wrong-secret-wrong-secret-00", `{}`); code != 403 {
		t.Errorf("bad signature: %d", code)
	}
}
