package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/store/memory"
)

func TestBootstrapECSIsIdempotent(t *testing.T) {
	svc := iam.New(memory.New())
	if _, err := svc.EnsureAccount(context.Background(), "123456789012"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddRootAccessKey(context.Background(), "123456789012", "AKIACRASHTESTKEY0001", "crashTestSecret000000000000000000000000000"); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(api.New(slog.New(slog.NewTextHandler(io.Discard, nil)), svc, "123456789012", "us-east-1").Handler())
	defer hs.Close()
	client := iamClient(hs.URL)
	ctx := context.Background()

	var first bytes.Buffer
	if err := bootstrapECS(ctx, &first, client); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(first.String(), "exists") || strings.Count(first.String(), "created") != 7 {
		t.Fatalf("first run:\n%s", first.String())
	}
	var second bytes.Buffer
	if err := bootstrapECS(ctx, &second, client); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(second.String(), "created") {
		t.Fatalf("second run created again:\n%s", second.String())
	}

	prof, err := client.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole")})
	if err != nil || len(prof.InstanceProfile.Roles) != 1 || aws.ToString(prof.InstanceProfile.Roles[0].RoleName) != "ecsInstanceRole" {
		t.Fatalf("instance profile: %v %+v", err, prof)
	}
	for role, policy := range map[string]string{"ecsInstanceRole": ec2RolePolicyARN, "ecsTaskExecutionRole": execRolePolicyARN} {
		out, err := client.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
		if err != nil || len(out.AttachedPolicies) != 1 || aws.ToString(out.AttachedPolicies[0].PolicyArn) != policy {
			t.Fatalf("%s policies: %v %+v", role, err, out)
		}
	}
	slr, err := client.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	if err != nil || aws.ToString(slr.Role.Path) != "/aws-service-role/ecs.amazonaws.com/" {
		t.Fatalf("service-linked role: %v %+v", err, slr)
	}
}
