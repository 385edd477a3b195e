package agent_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/internal/agent"
	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/awsclient"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/store/memory"
	"github.com/rolecall/rolecall/internal/sts/token"
)

const (
	account    = "123456789012"
	rootKey    = "AKIAIOSFODNN7EXAMPLE"
	rootSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	ec2Trust   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	tasksTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

type server struct {
	url string
	srv *api.Server
	cfg aws.Config
}

// newServer is a rolecall API server on loopback with an in-memory store.
func newServer(t *testing.T) *server {
	t.Helper()
	st := memory.New()
	svc := iam.New(st)
	ctx := context.Background()
	if _, err := svc.EnsureAccount(ctx, account); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddRootAccessKey(ctx, account, rootKey, rootSecret); err != nil {
		t.Fatal(err)
	}
	discard := slog.New(slog.DiscardHandler)
	srv := api.New(discard, svc, account, "us-east-1")
	tokens, err := token.Watch(ctx, st, time.Now, discard)
	if err != nil {
		t.Fatal(err)
	}
	srv.Tokens = tokens
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(rootKey, rootSecret, ""),
		BaseEndpoint: aws.String(hs.URL), HTTPClient: awsclient.HTTPClient(), RetryMaxAttempts: 1}
	return &server{url: hs.URL, srv: srv, cfg: cfg}
}

func (s *server) role(t *testing.T, name, trust, inline, managed string) string {
	t.Helper()
	ctx := context.Background()
	c := awsiam.NewFromConfig(s.cfg)
	r, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if managed != "" {
		if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(managed)}); err != nil {
			t.Fatal(err)
		}
	}
	if inline != "" {
		if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("inline"), PolicyDocument: aws.String(inline)}); err != nil {
			t.Fatal(err)
		}
	}
	return aws.ToString(r.Role.Arn)
}

// runningAgent is an agent running in-process.
type runningAgent struct {
	instanceARN string
	addr        string
	cancel      context.CancelFunc
	done        chan error
}

func (r *runningAgent) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("agent: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the agent did not stop")
	}
}

// startAgent runs an agent whose credentials come from the default AWS
// chain (the test sets the environment).
func startAgent(t *testing.T, endpoint, stateDir string, logs io.Writer) *runningAgent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan [2]string, 1)
	a, err := agent.New(agent.Config{Endpoint: endpoint, Cluster: "default", Region: "us-east-1", Credentials: cfg.Credentials,
		Listener: ln, StateDir: stateDir, StopGrace: 2 * time.Second, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Ready: func(arn, addr string) { ready <- [2]string{arn, addr} }})
	if err != nil {
		t.Fatal(err)
	}
	r := &runningAgent{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Run(ctx) }()
	select {
	case v := <-ready:
		r.instanceARN, r.addr = v[0], v[1]
	case err := <-r.done:
		t.Fatalf("agent: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the agent did not register")
	}
	return r
}

// buildWhoami compiles testdata/whoami.
func buildWhoami(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go"
		if _, err := os.Stat(goBin); err != nil {
			t.Skip("no go command to build the task program")
		}
	}
	out := filepath.Join(t.TempDir(), "whoami")
	cmd := exec.Command(goBin, "build", "-o", out, "./testdata/whoami")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitTask(t *testing.T, c *awsecs.Client, taskARN, status string) ecstypes.Task {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := c.DescribeTasks(context.Background(), &awsecs.DescribeTasksInput{Tasks: []string{taskARN}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tasks) == 1 && aws.ToString(out.Tasks[0].LastStatus) == status {
			return out.Tasks[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s did not reach %s: %+v", taskARN, status, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func runTask(t *testing.T, c *awsecs.Client, family string) string {
	t.Helper()
	out, err := c.RunTask(context.Background(), &awsecs.RunTaskInput{TaskDefinition: aws.String(family)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 1 {
		t.Fatalf("%+v", out)
	}
	return aws.ToString(out.Tasks[0].TaskArn)
}

// getCreds GETs a task's credentials endpoint and checks the status.
func getCreds(t *testing.T, uri, token string, status int) map[string]string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != status {
		t.Fatalf("GET credentials: %d, want %d (%v)", resp.StatusCode, status, err)
	}
	out := map[string]string{}
	for k, v := range m {
		out[k] = fmt.Sprint(v)
	}
	return out
}

func taskID(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The seed end to end: an agent with instance-role credentials from the
// default chain joins the cluster; a task whose definition names a task
// role runs as a local process that uses the SDK's default chain and acts
// as assumed-role/ROLE/TASK_ID with exactly the role's permissions; the
// agent reports it RUNNING and then STOPPED with exit code 0; the agent's
// own credentials never reach the task; the audit log records the
// requests without secrets or credential IDs; StopTask stops a running
// task; a restarted agent keeps its container instance ARN.
func TestAgentRunsTaskWithTaskRole(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs processes")
	}
	s := newServer(t)
	ctx := context.Background()
	instRole := s.role(t, "ecsInstanceRole", ec2Trust, "", "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")
	appRole := s.role(t, "appRole", tasksTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`, "")
	ic, err := s.srv.STS.AssumeRoleForService(ctx, "ec2.amazonaws.com", instRole, "i-0123456789abcdef0", 0, "", "")
	if err != nil {
		t.Fatal(err)
	}
	// The agent finds its credentials in the environment (the standard
	// chain); the task must not.
	t.Setenv("AWS_ACCESS_KEY_ID", ic.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", ic.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", ic.SessionToken)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))

	whoami := buildWhoami(t)
	stateDir := t.TempDir()
	logs := &syncBuf{}
	ag := startAgent(t, s.url, stateDir, logs)
	defer func() {
		if ag != nil {
			ag.stop(t)
		}
	}()
	// One agent per state directory.
	second, err := agent.New(agent.Config{Endpoint: s.url, Cluster: "default", Region: "us-east-1", Credentials: s.cfg.Credentials, StateDir: stateDir, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Run(ctx); err == nil || !strings.Contains(err.Error(), "another agent is running with the state directory") {
		t.Fatalf("a second agent on the same state directory: %v", err)
	}

	root := awsecs.NewFromConfig(s.cfg)
	env := []ecstypes.KeyValuePair{{Name: aws.String("ROLECALL_ENDPOINT"), Value: aws.String(s.url)}}
	register := func(family string, command []string) {
		t.Helper()
		if _, err := root.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String(family), TaskRoleArn: aws.String(appRole),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("local"), Memory: aws.Int32(128),
				Command: command, Environment: env}}}); err != nil {
			t.Fatal(err)
		}
	}
	register("whoami", []string{whoami})

	taskARN := runTask(t, root, "whoami")
	task := waitTask(t, root, taskARN, "STOPPED")
	stdout := readFile(t, filepath.Join(stateDir, "tasks", taskID(taskARN), "app.stdout"))
	stderr := readFile(t, filepath.Join(stateDir, "tasks", taskID(taskARN), "app.stderr"))
	if len(task.Containers) != 1 || task.Containers[0].ExitCode == nil || *task.Containers[0].ExitCode != 0 {
		t.Fatalf("%+v\nstdout:\n%s\nstderr:\n%s\nagent:\n%s", task.Containers, stdout, stderr, logs)
	}
	if task.StopCode != ecstypes.TaskStopCodeEssentialContainerExited || task.StartedAt == nil {
		t.Fatalf("%+v", task)
	}
	wantARN := "arn:aws:sts::" + account + ":assumed-role/appRole/" + taskID(taskARN)
	lines := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		lines[k] = append(lines[k], v)
	}
	if len(lines["ARN"]) != 1 || lines["ARN"][0] != wantARN {
		t.Fatalf("ARN %v, want %s\n%s", lines["ARN"], wantARN, stdout)
	}
	if len(lines["LISTROLES"]) != 1 || len(lines["CREATEUSER"]) != 1 || lines["CREATEUSER"][0] != "AccessDenied" {
		t.Fatalf("%s", stdout)
	}
	keys := strings.Join(lines["ENV"], " ")
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		if strings.Contains(" "+keys+" ", " "+k+" ") {
			t.Errorf("the task's environment has %s: %s", k, keys)
		}
	}
	for _, k := range []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_REGION", "ROLECALL_ENDPOINT", "PATH", "HOME"} {
		if !strings.Contains(" "+keys+" ", " "+k+" ") {
			t.Errorf("the task's environment lacks %s: %s", k, keys)
		}
	}
	credID := lines["CREDID"][0]

	// The audit log: GetCredentials for the task, no secrets or IDs.
	audit := readFile(t, filepath.Join(stateDir, "audit.log"))
	if !strings.Contains(audit, " 200 ") || !strings.Contains(audit, taskARN+" GetCredentials 2 default "+ag.instanceARN) {
		t.Fatalf("audit log:\n%s", audit)
	}
	for _, secret := range []string{credID, ic.SecretAccessKey, ic.AccessKeyID, "ASIA"} {
		if strings.Contains(audit, secret) || strings.Contains(logs.String(), secret) {
			t.Fatalf("a secret in the audit log or the agent's log:\n%s\n%s", audit, logs)
		}
	}

	// A container that cannot start: the task fails to start.
	register("broken", []string{"/nonexistent/command"})
	broken := waitTask(t, root, runTask(t, root, "broken"), "STOPPED")
	if broken.StopCode != ecstypes.TaskStopCodeTaskFailedToStart || !strings.Contains(aws.ToString(broken.Containers[0].Reason), "CannotStartContainerError") {
		t.Fatalf("%+v %+v", broken, broken.Containers)
	}

	// StopTask stops a running task.
	register("sleeper", []string{"sleep", "300"})
	sleeper := runTask(t, root, "sleeper")
	waitTask(t, root, sleeper, "RUNNING")
	if _, err := root.StopTask(ctx, &awsecs.StopTaskInput{Task: aws.String(sleeper), Reason: aws.String("enough")}); err != nil {
		t.Fatal(err)
	}
	st := waitTask(t, root, sleeper, "STOPPED")
	if st.StopCode != ecstypes.TaskStopCodeUserInitiated || aws.ToString(st.StoppedReason) != "enough" || st.Containers[0].ExitCode == nil || *st.Containers[0].ExitCode != 143 {
		t.Fatalf("%+v %+v", st, st.Containers)
	}

	// Refresh and revocation through Poll: a running task's credentials
	// change under the same ID and token; StopTask makes the ID unknown.
	register("creds", []string{"sh", "-c", `echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"; exec sleep 300`})
	credsTask := runTask(t, root, "creds")
	waitTask(t, root, credsTask, "RUNNING")
	var uri, tok string
	for deadline := time.Now().Add(10 * time.Second); uri == ""; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(filepath.Join(stateDir, "tasks", taskID(credsTask), "app.stdout"))
		if f := strings.Fields(string(b)); len(f) == 2 {
			uri, tok = f[0], f[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no endpoint printed: %q", b)
		}
	}
	before := getCreds(t, uri, tok, 200)
	if getCreds(t, uri, "wrong", 403)["code"] != "Unauthorized" {
		t.Fatal("a wrong token was accepted")
	}
	if n, err := s.srv.ECS.RefreshDue(ctx, time.Now().Add(5*time.Hour)); err != nil || n < 1 {
		t.Fatalf("RefreshDue: %d %v", n, err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		after := getCreds(t, uri, tok, 200)
		if after["AccessKeyId"] != before["AccessKeyId"] && after["RoleArn"] == appRole {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the refreshed credentials did not reach the agent")
		}
	}
	if _, err := root.StopTask(ctx, &awsecs.StopTaskInput{Task: aws.String(credsTask)}); err != nil {
		t.Fatal(err)
	}
	waitTask(t, root, credsTask, "STOPPED")
	if getCreds(t, uri, tok, 400)["code"] != "InvalidIdInRequest" {
		t.Fatal("a stopped task's credentials are still served")
	}

	// An agent that is stopped stops its tasks and reports them STOPPED (a
	// task never runs twice); restarted, it is the same container
	// instance. (A crashed agent's tasks keep running: internal/cli's
	// TestCrashedAgentAdoptsItsTasks.)
	register("sleeper2", []string{"sleep", "300"})
	long := runTask(t, root, "sleeper2")
	waitTask(t, root, long, "RUNNING")
	first := ag.instanceARN
	ag.stop(t)
	if st := waitTask(t, root, long, "STOPPED"); !strings.Contains(aws.ToString(st.StoppedReason), "agent stopped") ||
		st.Containers[0].ExitCode == nil || *st.Containers[0].ExitCode != 143 {
		t.Fatalf("%+v %+v", st, st.Containers)
	}
	if _, err := os.Stat(filepath.Join(stateDir, "records", taskID(long))); !os.IsNotExist(err) {
		t.Fatalf("the reported task's record remains: %v", err)
	}
	ag = startAgent(t, s.url, stateDir, logs)
	if ag.instanceARN != first {
		t.Fatalf("re-registered as %s, not %s", ag.instanceARN, first)
	}
	if n := strings.Count(logs.String(), `msg="starting task" taskArn=`+long); n != 1 {
		t.Fatalf("the task started %d times:\n%s", n, logs)
	}

	// Nothing secret in the agent's log or the audit log, after all that.
	audit = readFile(t, filepath.Join(stateDir, "audit.log"))
	for _, secret := range []string{uri[strings.LastIndexByte(uri, '/')+1:], tok, "ASIA", ic.SecretAccessKey} {
		if strings.Contains(logs.String(), secret) || strings.Contains(audit, secret) {
			t.Fatalf("a secret in the agent's log or the audit log:\n%s\n%s", logs, audit)
		}
	}

	// The same task with the AWS CLI and boto3 (their default chains).
	for _, tc := range []struct {
		name, bin string
		command   []string
	}{
		{"aws-cli", "/usr/bin/aws", []string{"/usr/bin/aws", "sts", "get-caller-identity", "--endpoint-url", s.url, "--query", "Arn", "--output", "text"}},
		{"boto3", "/usr/bin/python3", []string{"/usr/bin/python3", "-c", "import boto3, os; print(boto3.client('sts', endpoint_url=os.environ['ROLECALL_ENDPOINT']).get_caller_identity()['Arn'])"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(tc.bin); err != nil {
				t.Skip(tc.bin + " is not installed")
			}
			if tc.name == "boto3" {
				if err := exec.Command(tc.bin, "-c", "import boto3").Run(); err != nil {
					t.Skip("boto3 is not installed")
				}
			}
			register(tc.name, tc.command)
			arn := runTask(t, root, tc.name)
			task := waitTask(t, root, arn, "STOPPED")
			out := readFile(t, filepath.Join(stateDir, "tasks", taskID(arn), "app.stdout"))
			errOut := readFile(t, filepath.Join(stateDir, "tasks", taskID(arn), "app.stderr"))
			if task.Containers[0].ExitCode == nil || *task.Containers[0].ExitCode != 0 || strings.TrimSpace(out) != "arn:aws:sts::"+account+":assumed-role/appRole/"+taskID(arn) {
				t.Fatalf("exit %v\nstdout:\n%s\nstderr:\n%s", task.Containers[0].ExitCode, out, errOut)
			}
		})
	}

	// The instance is bound to the session that registered it: an agent
	// whose credentials are another session (another instance's, or a
	// new role session name) cannot take it over, and says what to do.
	ag.stop(t)
	ag = nil
	oc, err := s.srv.STS.AssumeRoleForService(ctx, "ec2.amazonaws.com", instRole, "i-0fedcba9876543210", 0, "", "")
	if err != nil {
		t.Fatal(err)
	}
	thief, err := agent.New(agent.Config{Endpoint: s.url, Cluster: "default", Region: "us-east-1", StateDir: stateDir, Listen: "127.0.0.1:0",
		Credentials: credentials.NewStaticCredentialsProvider(oc.AccessKeyID, oc.SecretAccessKey, oc.SessionToken)})
	if err != nil {
		t.Fatal(err)
	}
	if err := thief.Run(ctx); err == nil || !strings.Contains(err.Error(), "was registered by another principal") ||
		!strings.Contains(err.Error(), "the same role session name") {
		t.Fatalf("another identity with the instance's state: %v", err)
	}
}
