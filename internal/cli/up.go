package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/spf13/cobra"
	"golang.org/x/time/rate"

	"github.com/rolecall/rolecall/internal/agent"
	"github.com/rolecall/rolecall/internal/sts"
)

type upFlags struct {
	serve       serveFlags
	agentListen string
	cluster     string
}

func newUpCmd() *cobra.Command {
	var f upFlags
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Run the server, the ECS roles and one agent on this machine, in one process",
		Long: `The quickest way to try rolecall: in one process, the AWS API server (as
'rolecall serve', state in DIR), the ECS roles (as 'rolecall bootstrap ecs':
ecsInstanceRole, ecsTaskExecutionRole, AWSServiceRoleForECS; only what is
missing is created), and one container agent (as 'rolecall agent') joined to
CLUSTER. The agent runs as ecsInstanceRole, with credentials obtained as an
EC2 instance gets them (the role assumed by ec2.amazonaws.com) and renewed
before they expire; its state and the tasks' output are in DIR/agent.

Then it prints how to point the AWS CLI at the server. Ctrl-C stops the
agent (and its tasks), then the server.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUp(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.serve.listen, "listen", "127.0.0.1:8960", "address of the AWS API server")
	fl.StringVar(&f.serve.data, "data", "rolecall-data", "directory for the embedded store (and the agent's state in DIR/agent)")
	fl.StringVar(&f.agentListen, "agent-listen", agent.DefaultListen, "address of the agent's task credentials endpoint")
	fl.StringVar(&f.cluster, "cluster", "default", "the cluster the agent joins")
	fl.StringVar(&f.serve.account, "account-id", "123456789012", "the default account")
	fl.StringVar(&f.serve.region, "region", "us-east-1", "the region rolecall reports")
	fl.StringVar(&f.serve.logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&f.serve.logLevel, "log-level", "warn", "log level: debug, info, warn, error")
	taskCredentialsFlag(fl, &f.serve.taskCredentials)
	return cmd
}

// upAgentDir is where `rolecall up` keeps the agent's state and the tasks'
// output, inside --data; `rolecall run --data DIR` looks there.
func upAgentDir(data string) string { return filepath.Join(data, "agent") }

func runUp(ctx context.Context, stdout, stderr io.Writer, f *upFlags) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f.serve.hideRoot = true // the location only: the values stay in the file
	srv, err := startServer(ctx, stdout, stderr, &f.serve)
	if err != nil {
		return err
	}
	endpoint := "http://" + dialable(srv.addr)
	// From here on, the server must be shut down whatever happens.
	fail := func(err error) error {
		cancel()
		_ = srv.wait(ctx)
		return err
	}

	client, err := apiClient(ctx, endpoint, f.serve.data)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintln(stdout, "ECS roles (bootstrap ecs):")
	if err := bootstrapECS(ctx, indentWriter{stdout}, client); err != nil {
		return fail(err)
	}
	role, err := client.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("ecsInstanceRole")})
	if err != nil {
		return fail(fmt.Errorf("reading ecsInstanceRole: %w", err))
	}
	creds := aws.NewCredentialsCache(&instanceRoleProvider{
		sts: srv.api.STS, roleARN: aws.ToString(role.Role.Arn), account: f.serve.account,
	}, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 15 * time.Minute })
	if _, err := creds.Retrieve(ctx); err != nil {
		return fail(fmt.Errorf("assuming ecsInstanceRole for the agent: %w", err))
	}

	log, err := newLogger(stderr, f.serve.logFormat, f.serve.logLevel)
	if err != nil {
		return fail(&exitError{code: 2, msg: err.Error()})
	}
	stateDir := upAgentDir(f.serve.data)
	var readyOnce sync.Once
	a, err := agent.New(agent.Config{
		Endpoint: endpoint, Cluster: f.cluster, Region: f.serve.region, Credentials: creds,
		Listen: f.agentListen, StateDir: stateDir, Rate: rate.Limit(40), Burst: 60,
		Logger: log.With("component", "agent"),
		Ready: func(instanceARN, addr string) {
			readyOnce.Do(func() { printUpHelp(stdout, f, endpoint, instanceARN, addr) })
		},
	})
	if err != nil {
		return fail(&exitError{code: 2, msg: err.Error()})
	}
	agentErr := make(chan error, 1)
	go func() { agentErr <- a.Run(ctx) }()
	serverErr := make(chan error, 1)
	go func() { serverErr <- srv.wait(ctx) }()

	select {
	case err := <-agentErr:
		// The agent stopped (Ctrl-C, or a failure): then the server.
		cancel()
		serr := <-serverErr
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return serr
	case err := <-serverErr:
		// The server failed: stop the agent too.
		cancel()
		<-agentErr
		return err
	}
}

func printUpHelp(w io.Writer, f *upFlags, endpoint, instanceARN, agentAddr string) {
	creds, _ := filepath.Abs(filepath.Join(f.serve.data, "root-credentials"))
	state, _ := filepath.Abs(upAgentDir(f.serve.data))
	fmt.Fprintf(w, `
rolecall is up.
  AWS API endpoint:   %s
  root credentials:   %s
  agent:              %s (cluster %s, as ecsInstanceRole)
  task credentials:   http://%s/v2/credentials/...
  agent state/output: %s

Point the AWS CLI at it (in another shell):

  export AWS_SHARED_CREDENTIALS_FILE=%s AWS_DEFAULT_REGION=%s
  aws sts get-caller-identity --endpoint-url %s
  aws ecs register-task-definition --endpoint-url %s --family hello \
      --container-definitions '[{"name":"app","image":"local","memory":64,"entryPoint":["/bin/sh","-c"],"command":["echo hello; exit 3"]}]'
  rolecall run --endpoint %s --data %s --cluster %s --task-definition hello

Ctrl-C stops the agent and its tasks, then the server.
`, endpoint, creds, instanceARN, f.cluster, agentAddr, state,
		creds, f.serve.region, endpoint, endpoint, endpoint, f.serve.data, f.cluster)
}

// instanceRoleProvider gets the agent's credentials as an EC2 instance with
// the ecsInstanceRole instance profile does: the role assumed by
// ec2.amazonaws.com (its trust policy decides), for six hours. Wrapped in an
// aws.CredentialsCache with an expiry window, it is renewed before expiry.
type instanceRoleProvider struct {
	sts     *sts.Service
	roleARN string
	account string
}

// instanceSession is the session name, as EC2 names it after the instance.
const instanceSession = "i-rolecallup0000001"

func (p *instanceRoleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := p.sts.AssumeRoleForService(ctx, "ec2.amazonaws.com", p.roleARN, instanceSession, 6*time.Hour, p.account, "")
	if err != nil {
		return aws.Credentials{}, err
	}
	return aws.Credentials{
		AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		Source: "rolecall up: ecsInstanceRole", CanExpire: true, Expires: c.Expiration,
	}, nil
}

// dialable turns a listen address into one a local client can dial: an
// unspecified host (0.0.0.0, ::) becomes loopback.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if ip.To4() != nil {
			host = "127.0.0.1"
		} else {
			host = "::1"
		}
	}
	return net.JoinHostPort(host, port)
}

// indentWriter indents each line written to it by two spaces (bootstrapECS
// writes whole lines).
type indentWriter struct{ w io.Writer }

func (i indentWriter) Write(p []byte) (int, error) {
	if _, err := fmt.Fprintf(i.w, "  %s", p); err != nil {
		return 0, err
	}
	return len(p), nil
}
