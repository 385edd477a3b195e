package cli

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/rolecall/rolecall/internal/awsclient"
)

func TestAgentFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"agent", "--endpoint", "ftp://x"}, "--endpoint"},
		{[]string{"agent", "--endpoint", "http://127.0.0.1:1", "--rate", "0"}, "--rate and --burst"},
		{[]string{"agent", "--endpoint", "http://127.0.0.1:1", "--log-format", "xml"}, "--log-format"},
		{[]string{"agent", "--endpoint", "http://127.0.0.1:1", "--data", t.TempDir()}, "root-credentials"},
		{[]string{"agent", "extra"}, "unknown command"},
		// The server's task credentials lifetime must leave room to refresh.
		{[]string{"serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--task-credentials-duration", "10m"}, "want 1h to 12h"},
		{[]string{"up", "--data", t.TempDir(), "--task-credentials-duration", "13h"}, "want 1h to 12h"},
	} {
		var out, errb bytes.Buffer
		code := Main(context.Background(), tc.args, nil, &out, &errb)
		if code == 0 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errb.String())
		}
	}
}

// A busy --listen address fails before the instance is registered (the
// endpoint here does not even answer).
func TestAgentListenInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "root-credentials"), []byte("[default]\naws_access_key_id = AKIAX\naws_secret_access_key = secretX\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"agent", "--endpoint", "http://127.0.0.1:1", "--data", dir, "--state-dir", t.TempDir(), "--listen", ln.Addr().String()}, nil, &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "credentials endpoint") || strings.Contains(errb.String(), "secretX") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}

// `rolecall agent --data DIR` against a `rolecall serve` child process runs
// a task and stops cleanly when its context ends.
func TestAgentCommandRunsTask(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	dir := t.TempDir()
	cmd, url := startChildServer(t, dir)
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	// A relative --state-dir (the tasks run in their own directories).
	work := t.TempDir()
	t.Chdir(work)
	stateDir := filepath.Join(work, "agent-state")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncWriter
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"agent", "--endpoint", url, "--data", dir, "--state-dir", "agent-state", "--listen", "127.0.0.1:0", "--cluster", "cli", "--memory", "512"}, nil, &out, &errb)
	}()
	client := awsecs.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIACRASHTESTKEY0001", "crashTestSecret000000000000000000000000000", ""),
		BaseEndpoint: aws.String(url), HTTPClient: awsclient.HTTPClient(), RetryMaxAttempts: 1,
	})
	bg := context.Background()
	if _, err := client.RegisterTaskDefinition(bg, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("hello"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("local"), Memory: aws.Int32(64),
			EntryPoint: []string{"sh", "-c"}, Command: []string{"echo hello $GREETING"},
			Environment: []ecstypes.KeyValuePair{{Name: aws.String("GREETING"), Value: aws.String("world")}}}}}); err != nil {
		t.Fatal(err)
	}
	var taskARN string
	for deadline := time.Now().Add(20 * time.Second); taskARN == ""; time.Sleep(50 * time.Millisecond) {
		// The agent creates the cluster and registers; until then RunTask fails.
		run, err := client.RunTask(bg, &awsecs.RunTaskInput{Cluster: aws.String("cli"), TaskDefinition: aws.String("hello")})
		if err == nil && len(run.Tasks) == 1 {
			taskARN = aws.ToString(run.Tasks[0].TaskArn)
		} else if time.Now().After(deadline) {
			t.Fatalf("RunTask: %v; agent: %s", err, errb.String())
		}
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		d, err := client.DescribeTasks(bg, &awsecs.DescribeTasksInput{Cluster: aws.String("cli"), Tasks: []string{taskARN}})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.Tasks[0].LastStatus) == "STOPPED" {
			if c := d.Tasks[0].Containers[0]; c.ExitCode == nil || *c.ExitCode != 0 {
				t.Fatalf("%+v", c)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the task did not stop; agent: %s", errb.String())
		}
	}
	// The instance registered 512 MiB (--memory) and this machine's CPU:
	// a task wanting more memory is not placed.
	ci, err := client.ListContainerInstances(bg, &awsecs.ListContainerInstancesInput{Cluster: aws.String("cli")})
	if err != nil || len(ci.ContainerInstanceArns) != 1 {
		t.Fatalf("%v %v", ci, err)
	}
	dci, err := client.DescribeContainerInstances(bg, &awsecs.DescribeContainerInstancesInput{Cluster: aws.String("cli"), ContainerInstances: ci.ContainerInstanceArns})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int32{}
	for _, r := range dci.ContainerInstances[0].RegisteredResources {
		got[aws.ToString(r.Name)] = r.IntegerValue
	}
	if got["MEMORY"] != 512 || got["CPU"] != int32(runtime.NumCPU()*1024) || aws.ToString(dci.ContainerInstances[0].VersionInfo.AgentVersion) != "rolecall" {
		t.Fatalf("registered %v %+v", got, dci.ContainerInstances[0].VersionInfo)
	}
	if _, err := client.RegisterTaskDefinition(bg, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("big"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("local"), Memory: aws.Int32(1024), Command: []string{"true"}}}}); err != nil {
		t.Fatal(err)
	}
	big, err := client.RunTask(bg, &awsecs.RunTaskInput{Cluster: aws.String("cli"), TaskDefinition: aws.String("big")})
	if err != nil || len(big.Tasks) != 0 || len(big.Failures) != 1 || aws.ToString(big.Failures[0].Reason) != "RESOURCE:MEMORY" {
		t.Fatalf("%+v %v", big, err)
	}
	id := taskARN[strings.LastIndexByte(taskARN, '/')+1:]
	if b, err := os.ReadFile(filepath.Join(stateDir, "tasks", id, "app.stdout")); err != nil || string(b) != "hello world\n" {
		t.Fatalf("%q %v", b, err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the agent did not stop")
	}
	if strings.Contains(errb.String(), "crashTestSecret") {
		t.Fatal("the agent logged its secret")
	}
}

type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
