package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"

	"github.com/rolecall/rolecall/internal/awsclient"
)

// The roles the ECS console's first run creates (seeds 000, 001 and 004):
// the container instance role with its instance profile, the task execution
// role, and the ECS service-linked role.
const (
	ec2TrustPolicy      = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	ecsTasksTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	ec2RolePolicyARN    = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
	execRolePolicyARN   = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
)

func newBootstrapCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bootstrap",
		Short: "Create the IAM roles a service needs, as AWS's console first run does",
	}
	var endpoint, data string
	ecs := &cobra.Command{
		Use:   "ecs",
		Short: "Create ecsInstanceRole (+ instance profile), ecsTaskExecutionRole and AWSServiceRoleForECS",
		Long: `Creates, through the IAM API of a running rolecall server, what the ECS
console's first run creates: ecsInstanceRole trusting ec2.amazonaws.com with
AmazonEC2ContainerServiceforEC2Role attached and an instance profile of the
same name, ecsTaskExecutionRole trusting ecs-tasks.amazonaws.com with
AmazonECSTaskExecutionRolePolicy attached, and the service-linked role
AWSServiceRoleForECS. Safe to run again: it only creates what is missing and
reports what it did.

Credentials come from the standard AWS chain (environment, shared files), or
from DIR/root-credentials with --data.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := apiClient(cmd.Context(), endpoint, data)
			if err != nil {
				return &exitError{code: 2, msg: err.Error()}
			}
			return bootstrapECS(cmd.Context(), cmd.OutOrStdout(), client)
		},
	}
	ecs.Flags().StringVar(&endpoint, "endpoint", "http://127.0.0.1:8960", "rolecall server URL")
	ecs.Flags().StringVar(&data, "data", "", "read the root credentials from DIR/root-credentials")
	cmd.AddCommand(ecs)
	return cmd
}

// apiClient builds an IAM client for a rolecall endpoint.
func apiClient(ctx context.Context, endpoint, data string) (*awsiam.Client, error) {
	cfg, err := apiClientConfig(ctx, data)
	if err != nil {
		return nil, err
	}
	return awsiam.NewFromConfig(cfg, func(o *awsiam.Options) { o.BaseEndpoint = aws.String(endpoint) }), nil
}

// apiClientConfig loads SDK configuration for talking to rolecall: the
// standard chain, or the root credentials rolecall serve wrote in data.
func apiClientConfig(ctx context.Context, data string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
		opts = append(opts, config.WithRegion("us-east-1"))
	}
	if data != "" {
		// An explicit --data wins over whatever the environment holds.
		id, secret, err := readRootCredentials(filepath.Join(data, "root-credentials"))
		if err != nil {
			return aws.Config{}, err
		}
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(id, secret, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	cfg.HTTPClient = awsclient.HTTPClient()
	return cfg, nil
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

func bootstrapECS(ctx context.Context, w io.Writer, c *awsiam.Client) error {
	report := func(done bool, what string) {
		if done {
			fmt.Fprintf(w, "created  %s\n", what)
		} else {
			fmt.Fprintf(w, "exists   %s\n", what)
		}
	}
	ensureRole := func(name, trust, desc string) error {
		_, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust), Description: aws.String(desc)})
		if err != nil && !isCode(err, "EntityAlreadyExists") {
			return fmt.Errorf("creating role %s: %w", name, err)
		}
		report(err == nil, "role "+name)
		return nil
	}
	ensureAttached := func(role, policyARN string) error {
		out, err := c.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
		if err != nil {
			return fmt.Errorf("listing policies of %s: %w", role, err)
		}
		for _, p := range out.AttachedPolicies {
			if aws.ToString(p.PolicyArn) == policyARN {
				report(false, "policy "+policyARN+" on "+role)
				return nil
			}
		}
		if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(policyARN)}); err != nil {
			return fmt.Errorf("attaching %s to %s: %w", policyARN, role, err)
		}
		report(true, "policy "+policyARN+" on "+role)
		return nil
	}
	if err := ensureRole("ecsInstanceRole", ec2TrustPolicy, "Allows EC2 instances in an ECS cluster to access ECS."); err != nil {
		return err
	}
	if err := ensureAttached("ecsInstanceRole", ec2RolePolicyARN); err != nil {
		return err
	}
	_, err := c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole")})
	if err != nil && !isCode(err, "EntityAlreadyExists") {
		return fmt.Errorf("creating instance profile ecsInstanceRole: %w", err)
	}
	report(err == nil, "instance profile ecsInstanceRole")
	prof, err := c.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole")})
	if err != nil {
		return fmt.Errorf("reading instance profile ecsInstanceRole: %w", err)
	}
	if len(prof.InstanceProfile.Roles) == 0 {
		if _, err := c.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole"), RoleName: aws.String("ecsInstanceRole")}); err != nil {
			return fmt.Errorf("adding ecsInstanceRole to its instance profile: %w", err)
		}
		report(true, "role ecsInstanceRole in instance profile ecsInstanceRole")
	} else {
		report(false, "role "+aws.ToString(prof.InstanceProfile.Roles[0].RoleName)+" in instance profile ecsInstanceRole")
	}
	if err := ensureRole("ecsTaskExecutionRole", ecsTasksTrustPolicy, "Allows ECS tasks to call AWS services on your behalf."); err != nil {
		return err
	}
	if err := ensureAttached("ecsTaskExecutionRole", execRolePolicyARN); err != nil {
		return err
	}
	_, err = c.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
	switch {
	case err == nil:
		report(true, "service-linked role AWSServiceRoleForECS")
	case isCode(err, "InvalidInput"):
		// "has been taken in this account": it exists.
		report(false, "service-linked role AWSServiceRoleForECS")
	default:
		return fmt.Errorf("creating AWSServiceRoleForECS: %w", err)
	}
	return nil
}

// readRootCredentials reads the file `rolecall serve` writes at first start.
func readRootCredentials(path string) (id, secret string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			id = strings.TrimSpace(v)
		case "aws_secret_access_key":
			secret = strings.TrimSpace(v)
		}
	}
	if id == "" || secret == "" {
		return "", "", fmt.Errorf("%s: no aws_access_key_id and aws_secret_access_key", path)
	}
	return id, secret, nil
}
