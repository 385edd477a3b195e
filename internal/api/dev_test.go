package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// In dev mode any access key is the default account's root, as with moto or
// LocalStack; without dev mode the same key is refused.
func TestDevModeAcceptsAnyKey(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	cfg := ts.Cfg.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider("AKIAANYTHINGATALL000", "whatever", "")
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	apiError(t, err, "InvalidClientTokenId", "", 403)

	ts.Server.Dev = true
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::123456789012:root" || aws.ToString(id.Account) != "123456789012" {
		t.Fatalf("%v %+v", err, id)
	}
	if _, err := awsiam.NewFromConfig(cfg).CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("dev"), AssumeRolePolicyDocument: aws.String(ec2Trust)}); err != nil {
		t.Fatal(err)
	}
	// The signature is still parsed: an unsigned request is refused.
	resp, err := http.Post(ts.URL, "application/x-www-form-urlencoded", strings.NewReader("Action=GetRole&Version=2010-05-08&RoleName=dev"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("unsigned request in dev mode: %d", resp.StatusCode)
	}
}
