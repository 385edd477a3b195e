package cli

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// startUp runs `rolecall up` in-process on free ports with a temporary
// DIR and returns the endpoint, its output and a stop function that checks
// the graceful shutdown.
func startUp(t *testing.T, dir string) (endpoint string, out *syncWriter, stop func()) {
	t.Helper()
	t.Setenv("ROLECALL_ROOT_ACCESS_KEY_ID", "")
	t.Setenv("ROLECALL_ROOT_SECRET_ACCESS_KEY", "")
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncWriter{}, &syncWriter{}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"up", "--data", dir, "--listen", "127.0.0.1:0", "--agent-listen", "127.0.0.1:0", "--cluster", "uptest"}, nil, out, errb)
	}()
	re := regexp.MustCompile(`AWS API endpoint: +(http://127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			endpoint = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("up exited %d: %s\n%s", code, out.String(), errb.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("up did not come up: %s\n%s", out.String(), errb.String())
		}
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("up exited %d: %s", code, errb.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("up did not stop")
		}
	}
	t.Cleanup(stop)
	return endpoint, out, stop
}

func TestUpAndRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and an agent")
	}
	dir := t.TempDir()
	endpoint, upOut, stop := startUp(t, dir)
	secret := rootSecret(t, dir)
	for _, want := range []string{"created  role ecsInstanceRole", "root-credentials", "aws ecs register-task-definition", "rolecall run"} {
		if !strings.Contains(upOut.String(), want) {
			t.Errorf("up's output lacks %q:\n%s", want, upOut.String())
		}
	}
	if strings.Contains(upOut.String(), secret) {
		t.Error("up printed the root secret")
	}

	ctx := context.Background()
	cfg, err := apiClientConfig(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	ecsc := awsecs.NewFromConfig(cfg, func(o *awsecs.Options) { o.BaseEndpoint = aws.String(endpoint) })

	// The agent is registered as an ecsInstanceRole session, not the root.
	ci, err := ecsc.ListContainerInstances(ctx, &awsecs.ListContainerInstancesInput{Cluster: aws.String("uptest")})
	if err != nil || len(ci.ContainerInstanceArns) != 1 {
		t.Fatalf("%v %v", ci, err)
	}

	if _, err := ecsc.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("hello"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("local"), Memory: aws.Int32(64),
			EntryPoint: []string{"/bin/sh", "-c"}, Command: []string{"echo hello; echo oops >&2; exit 3"}}}}); err != nil {
		t.Fatal(err)
	}
	var out, errb syncWriter
	code := Main(ctx, []string{"run", "--task-definition", "hello", "--cluster", "uptest", "--endpoint", endpoint, "--data", dir}, nil, &out, &errb)
	if code != 3 || out.String() != "hello\n" || !strings.Contains(errb.String(), "oops\n") {
		t.Fatalf("run: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}

	// Without a way to the agent's state: a note, and still the exit code.
	out, errb = syncWriter{}, syncWriter{}
	code = Main(ctx, []string{"run", "--task-definition", "hello:1", "--cluster", "uptest", "--endpoint", endpoint, "--agent-state", t.TempDir(), "--data", dir}, nil, &out, &errb)
	if code != 3 || out.String() != "" || !strings.Contains(errb.String(), "on the agent's machine") {
		t.Fatalf("run: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}

	// A task that cannot start: exit 1 with the reason.
	out, errb = syncWriter{}, syncWriter{}
	code = Main(ctx, []string{"run", "--task-definition", "nosuch", "--cluster", "uptest", "--endpoint", endpoint, "--data", dir}, nil, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "RunTask") {
		t.Fatalf("run: exit %d, stderr %q", code, errb.String())
	}

	// A container that cannot start: exit 1 with the reason.
	if _, err := ecsc.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("broken"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("local"), Memory: aws.Int32(64),
			Command: []string{"/nonexistent/program"}}}}); err != nil {
		t.Fatal(err)
	}
	out, errb = syncWriter{}, syncWriter{}
	code = Main(ctx, []string{"run", "--task-definition", "broken", "--cluster", "uptest", "--endpoint", endpoint, "--data", dir}, nil, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "CannotStartContainerError") {
		t.Fatalf("run: exit %d, stderr %q", code, errb.String())
	}

	// Ctrl-C: run stops the task (SIGTERM, 128+15) and exits with its code.
	if _, err := ecsc.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("sleeper"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("local"), Memory: aws.Int32(64),
			EntryPoint: []string{"/bin/sh", "-c"}, Command: []string{"echo started; exec sleep 60"}}}}); err != nil {
		t.Fatal(err)
	}
	out, errb = syncWriter{}, syncWriter{}
	rctx, rcancel := context.WithCancel(ctx)
	done := make(chan int, 1)
	go func() {
		done <- Main(rctx, []string{"run", "--task-definition", "sleeper", "--cluster", "uptest", "--endpoint", endpoint, "--data", dir}, nil, &out, &errb)
	}()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "started"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the task did not start: %s", errb.String())
		}
	}
	rcancel()
	select {
	case code = <-done:
		if code != 143 || !strings.Contains(errb.String(), "stopping the task") {
			t.Fatalf("interrupted run: exit %d, stderr %q", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the interrupted run did not end")
	}

	// A task role: the task's AWS CLI is the role's session.
	t.Run("TaskRole", func(t *testing.T) {
		const awsCLI = "/usr/bin/aws"
		if _, err := os.Stat(awsCLI); err != nil {
			t.Skip("no " + awsCLI)
		}
		iamc := awsiam.NewFromConfig(cfg, func(o *awsiam.Options) { o.BaseEndpoint = aws.String(endpoint) })
		role, err := iamc.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("upTaskRole"), AssumeRolePolicyDocument: aws.String(ecsTasksTrustPolicy)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ecsc.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("whoami"), TaskRoleArn: role.Role.Arn,
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("local"), Memory: aws.Int32(64),
				Command: []string{awsCLI, "sts", "get-caller-identity", "--endpoint-url", endpoint, "--query", "Arn", "--output", "text"}}}}); err != nil {
			t.Fatal(err)
		}
		var out, errb syncWriter
		code := Main(ctx, []string{"run", "--task-definition", "whoami", "--cluster", "uptest", "--endpoint", endpoint, "--data", dir}, nil, &out, &errb)
		if code != 0 || !regexp.MustCompile(`^arn:aws:sts::123456789012:assumed-role/upTaskRole/[0-9a-f]{32}\n$`).MatchString(out.String()) {
			t.Fatalf("run: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
		}
	})

	stop()
	audit, err := os.ReadFile(filepath.Join(dir, "agent", "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(audit), secret) {
		t.Fatal("the audit log holds the root secret")
	}
	// Up again on the same DIR: the roles exist, the agent re-registers.
	_, upOut2, stop2 := startUp(t, dir)
	if !strings.Contains(upOut2.String(), "exists   role ecsInstanceRole") || strings.Contains(upOut2.String(), "Root credentials of account") || !strings.Contains(upOut.String(), "Root credentials of account 123456789012 created in") {
		t.Errorf("second up:\n%s", upOut2.String())
	}
	stop2()
}

// TestUpAgentIsInstanceRole: the agent's credentials are an ecsInstanceRole
// session assumed by ec2.amazonaws.com, renewed before expiry.
// A busy --agent-listen address: up fails, and the server it started is
// shut down (its port free again).
func TestUpAgentListenInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	var out, errb syncWriter
	code := Main(context.Background(), []string{"up", "--data", t.TempDir(), "--listen", addr, "--agent-listen", busy.Addr().String()}, nil, &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "credentials endpoint") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the server still holds %s: %v", addr, err)
	}
	ln.Close()
}

func TestDialable(t *testing.T) {
	for in, want := range map[string]string{"0.0.0.0:8960": "127.0.0.1:8960", "[::]:1": "[::1]:1", "127.0.0.1:2": "127.0.0.1:2", "host:3": "host:3"} {
		if got := dialable(in); got != want {
			t.Errorf("dialable(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUpAgentIsInstanceRole(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &serveFlags{listen: "127.0.0.1:0", data: dir, account: "123456789012", region: "us-east-1", logFormat: "text", logLevel: "error"}
	var out syncWriter
	srv, err := startServer(ctx, &out, &out, f)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = srv.wait(ctx) }()
	endpoint := "http://" + srv.addr
	client, err := apiClient(ctx, endpoint, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := bootstrapECS(ctx, &out, client); err != nil {
		t.Fatal(err)
	}
	p := &instanceRoleProvider{sts: srv.api.STS, roleARN: "arn:aws:iam::123456789012:role/ecsInstanceRole", account: "123456789012"}
	creds, err := p.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !creds.CanExpire || time.Until(creds.Expires) < 5*time.Hour || !strings.HasPrefix(creds.AccessKeyID, "ASIA") {
		t.Fatalf("%v", creds)
	}
	cfg, _ := apiClientConfig(ctx, dir)
	cfg.Credentials = aws.NewCredentialsCache(p)
	iamc := awsiam.NewFromConfig(cfg, func(o *awsiam.Options) { o.BaseEndpoint = aws.String(endpoint) })
	// AmazonEC2ContainerServiceforEC2Role grants no IAM writes.
	if _, err := iamc.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("x")}); err == nil || !strings.Contains(err.Error(), "assumed-role/ecsInstanceRole/"+instanceSession) {
		t.Fatalf("CreateUser as the instance role: %v", err)
	}
}

func rootSecret(t *testing.T, dir string) string {
	t.Helper()
	_, secret, err := readRootCredentials(filepath.Join(dir, "root-credentials"))
	if err != nil {
		t.Fatal(err)
	}
	return secret
}
