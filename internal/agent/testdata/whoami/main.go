// Command whoami is a task for the agent's end-to-end test: it uses the
// aws-sdk-go-v2 default credential chain (which finds the agent's
// credentials endpoint through AWS_CONTAINER_CREDENTIALS_FULL_URI and
// AWS_CONTAINER_AUTHORIZATION_TOKEN) against ROLECALL_ENDPOINT, and prints
// what the test checks.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

func main() {
	ctx := context.Background()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		fmt.Println("ENV", k)
	}
	if u := os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"); u != "" {
		fmt.Println("CREDID", u[strings.LastIndexByte(u, '/')+1:])
	}
	endpoint := os.Getenv("ROLECALL_ENDPOINT")
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRetryMaxAttempts(1))
	if err != nil {
		fail(err)
	}
	cfg.BaseEndpoint = aws.String(endpoint)
	id, err := awssts.NewFromConfig(cfg).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		fail(err)
	}
	fmt.Println("ARN", aws.ToString(id.Arn))
	c := awsiam.NewFromConfig(cfg)
	roles, err := c.ListRoles(ctx, &awsiam.ListRolesInput{})
	if err != nil {
		fail(err)
	}
	fmt.Println("LISTROLES", len(roles.Roles))
	_, err = c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("intruder")})
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		fail(fmt.Errorf("CreateUser: want AccessDenied, got %v", err))
	}
	fmt.Println("CREATEUSER", ae.ErrorCode())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "whoami:", err)
	os.Exit(1)
}
