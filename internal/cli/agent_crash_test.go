package cli

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/internal/awsclient"
)

// startChildAgent runs `rolecall agent` in a child process (so that the
// test can SIGKILL it), logging to log.
func startChildAgent(t *testing.T, log io.Writer, args ...string) *exec.Cmd {
	t.Helper()
	b, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ROLECALL_TEST_AGENT="+string(b))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// The issue's "a crashed agent restarts and re-registers without losing
// track of its running tasks", with a real SIGKILL: the tasks' processes
// keep running while no agent runs; the restarted agent adopts them rather
// than starting them again, serves the running task's credentials at the
// same URI with the same token, reports the exit code of a task that ended
// while it was down, and follows the other to its end.
func TestCrashedAgentAdoptsItsTasks(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and agents")
	}
	dir := t.TempDir()
	srv, url := startChildServer(t, dir)
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String() // the same address across restarts: the tasks were told it
	ln.Close()
	stateDir := t.TempDir()
	args := []string{"--endpoint", url, "--data", dir, "--state-dir", stateDir, "--listen", listen, "--cluster", "crash"}
	var log1 syncWriter
	ag := startChildAgent(t, &log1, args...)
	defer func() { _ = ag.Process.Kill(); _ = ag.Wait() }()

	client := awsecs.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIACRASHTESTKEY0001", "crashTestSecret000000000000000000000000000", ""),
		BaseEndpoint: aws.String(url), HTTPClient: awsclient.HTTPClient(), RetryMaxAttempts: 1,
	})
	ctx := context.Background()
	// The task role: the agent's own (root) credentials must not be what
	// the task gets, and the credentials endpoint must know the task.
	iam := iamClient(url)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("crashTaskRole"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	// Each task prints its credentials URI and token, then waits for the
	// file "go" in its directory and exits 3.
	if _, err := client.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("waiter"), TaskRoleArn: role.Role.Arn,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("local"), Memory: aws.Int32(32),
			EntryPoint: []string{"sh", "-c"},
			Command:    []string{`echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"; for i in $(seq 1 1200); do [ -f go ] && exit 3; sleep 0.05; done; exit 9`}}}}); err != nil {
		t.Fatal(err)
	}
	var tasks []string
	for deadline := time.Now().Add(20 * time.Second); len(tasks) < 2; time.Sleep(50 * time.Millisecond) {
		// The agent creates the cluster and registers; until then RunTask fails.
		run, err := client.RunTask(ctx, &awsecs.RunTaskInput{Cluster: aws.String("crash"), TaskDefinition: aws.String("waiter")})
		if err == nil && len(run.Tasks) == 1 {
			tasks = append(tasks, aws.ToString(run.Tasks[0].TaskArn))
		} else if time.Now().After(deadline) {
			t.Fatalf("RunTask: %v %+v; agent: %s", err, run, log1.String())
		}
	}
	describe := func(arn string) ecstypes.Task {
		t.Helper()
		d, err := client.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Cluster: aws.String("crash"), Tasks: []string{arn}})
		if err != nil || len(d.Tasks) != 1 {
			t.Fatalf("DescribeTasks: %v", err)
		}
		return d.Tasks[0]
	}
	waitFor := func(arn, status string) ecstypes.Task {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if d := describe(arn); aws.ToString(d.LastStatus) == status {
				return d
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not reach %s", arn, status)
			}
		}
	}
	taskDir := func(arn string) string {
		return filepath.Join(stateDir, "tasks", arn[strings.LastIndexByte(arn, '/')+1:])
	}
	pids := map[string]int{}
	t.Cleanup(func() {
		// A failed test must not leave its tasks running: they outlive
		// agents by design.
		for _, pid := range pids {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		}
	})
	uris := map[string][2]string{}
	for _, arn := range tasks {
		d := waitFor(arn, "RUNNING")
		pid, err := strconv.Atoi(aws.ToString(d.Containers[0].RuntimeId))
		if err != nil {
			t.Fatalf("runtime ID %q", aws.ToString(d.Containers[0].RuntimeId))
		}
		pids[arn] = pid
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			b, _ := os.ReadFile(filepath.Join(taskDir(arn), "app.stdout"))
			if f := strings.Fields(string(b)); len(f) == 2 {
				uris[arn] = [2]string{f[0], f[1]}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no endpoint printed: %q", b)
			}
		}
	}
	running, endedMeanwhile := tasks[0], tasks[1]
	before := fetchCreds(t, uris[running], 200)

	// The crash.
	if err := ag.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = ag.Wait()
	for _, arn := range tasks {
		if err := syscall.Kill(pids[arn], 0); err != nil {
			t.Fatalf("task %s died with the agent: %v", arn, err)
		}
	}
	// One task ends while no agent runs; its shim records the exit.
	if err := os.WriteFile(filepath.Join(taskDir(endedMeanwhile), "go"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(stateDir, "records", filepath.Base(taskDir(endedMeanwhile)), "app.exit")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the shim recorded no exit")
		}
	}
	if d := describe(endedMeanwhile); aws.ToString(d.LastStatus) != "RUNNING" {
		t.Fatalf("with no agent, the control plane learnt %s", aws.ToString(d.LastStatus))
	}

	var log2 syncWriter
	ag = startChildAgent(t, &log2, args...)
	d := waitFor(endedMeanwhile, "STOPPED")
	if c := d.Containers[0]; c.ExitCode == nil || *c.ExitCode != 3 {
		t.Fatalf("the task that ended meanwhile: %+v", c)
	}
	// The running task: same process, credentials served again under the
	// same URI and token once the control plane has sent them.
	if d := describe(running); aws.ToString(d.LastStatus) != "RUNNING" || aws.ToString(d.Containers[0].RuntimeId) != strconv.Itoa(pids[running]) {
		t.Fatalf("%+v", d.Containers[0])
	}
	var after map[string]string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if after = fetchCreds(t, uris[running], 0); after != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the adopted task's credentials are not served; agent: %s", log2.String())
		}
	}
	if after["RoleArn"] != before["RoleArn"] || after["AccessKeyId"] == "" {
		t.Fatalf("before %v after %v", before["RoleArn"], after["RoleArn"])
	}
	if err := os.WriteFile(filepath.Join(taskDir(running), "go"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if c := waitFor(running, "STOPPED").Containers[0]; c.ExitCode == nil || *c.ExitCode != 3 {
		t.Fatalf("the adopted task: %+v", c)
	}
	logs := log1.String() + log2.String()
	for _, arn := range tasks {
		if n := strings.Count(logs, `msg="starting task" taskArn=`+arn); n != 1 {
			t.Fatalf("task %s started %d times:\n%s", arn, n, logs)
		}
		if !strings.Contains(log2.String(), `msg="adopted task" taskArn=`+arn) {
			t.Fatalf("task %s not adopted:\n%s", arn, log2.String())
		}
	}
	if strings.Contains(logs, uris[running][1]) || strings.Contains(logs, "crashTestSecret") {
		t.Fatal("a secret in the agent's log")
	}
	_ = ag.Process.Signal(syscall.SIGTERM)
}

// fetchCreds GETs a task's credentials (uri, token). With want 0 it
// returns nil unless the answer is 200.
func fetchCreds(t *testing.T, ut [2]string, want int) map[string]string {
	t.Helper()
	req, _ := http.NewRequest("GET", ut[0], nil)
	req.Header.Set("Authorization", ut[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if want == 0 {
			return nil
		}
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&m)
	if want == 0 {
		if resp.StatusCode != 200 {
			return nil
		}
		return m
	}
	if resp.StatusCode != want {
		t.Fatalf("credentials: %d %s", resp.StatusCode, m["code"]) // never the secrets
	}
	return m
}
