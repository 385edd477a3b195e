package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/internal/agent"
	"github.com/rolecall/rolecall/internal/awsclient"
)

// TestMain lets the test binary act as `rolecall serve` in a child process,
// so a test can SIGKILL a real server.
func TestMain(m *testing.M) {
	agent.RunShimIfRequested() // the agent's tasks run under this binary as their shim
	if args := os.Getenv("ROLECALL_TEST_AGENT"); args != "" {
		// `rolecall agent` with these arguments (JSON), until killed.
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			panic(err)
		}
		os.Exit(Main(context.Background(), append([]string{"agent"}, argv...), nil, os.Stdout, os.Stderr))
	}
	if args := os.Getenv("ROLECALL_TEST_SERVE"); args != "" {
		var out, errb bytes.Buffer
		os.Exit(Main(context.Background(), []string{"serve", "--listen", args, "--data", os.Getenv("ROLECALL_TEST_DATA"), "--log-level", "error"}, nil, &out, &errb))
	}
	os.Exit(m.Run())
}

func startChildServer(t *testing.T, dir string) (*exec.Cmd, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ROLECALL_TEST_SERVE="+addr, "ROLECALL_TEST_DATA="+dir,
		"ROLECALL_ROOT_ACCESS_KEY_ID=AKIACRASHTESTKEY0001", "ROLECALL_ROOT_SECRET_ACCESS_KEY=crashTestSecret000000000000000000000000000")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	url := "http://" + addr
	for i := 0; i < 200; i++ {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			return cmd, url
		}
		time.Sleep(25 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	t.Fatal("server did not start")
	return nil, ""
}

func iamClient(url string) *awsiam.Client {
	return awsiam.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIACRASHTESTKEY0001", "crashTestSecret000000000000000000000000000", ""),
		BaseEndpoint:     aws.String(url),
		HTTPClient:       awsclient.HTTPClient(),
		RetryMaxAttempts: 1,
	})
}

// Every write the server acknowledged must be there after the server is
// killed with SIGKILL in the middle of a stream of writes.
func TestAcknowledgedWritesSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	dir := t.TempDir()
	cmd, url := startChildServer(t, dir)
	client := iamClient(url)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

	acked := make(chan string, 10000)
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Four writers, so the kill lands while requests are in flight.
	for w := 0; w < 4; w++ {
		go func(w int) {
			for i := 0; ; i++ {
				name := fmt.Sprintf("role-%d-%d", w, i)
				_, err := client.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
				if err != nil {
					done <- struct{}{}
					return
				}
				acked <- name
			}
		}(w)
	}
	// Let some writes through, then kill the server without warning.
	deadline := time.After(10 * time.Second)
	for len(acked) < 200 {
		select {
		case <-deadline:
			t.Fatalf("only %d writes acknowledged in 10s", len(acked))
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	for w := 0; w < 4; w++ {
		<-done
	}
	close(acked)

	cmd2, url2 := startChildServer(t, dir)
	defer func() { _ = cmd2.Process.Kill(); _ = cmd2.Wait() }()
	client2 := iamClient(url2)
	n := 0
	for name := range acked {
		n++
		if _, err := client2.GetRole(context.Background(), &awsiam.GetRoleInput{RoleName: aws.String(name)}); err != nil {
			t.Errorf("acknowledged role %s lost: %v", name, err)
		}
	}
	t.Logf("%d acknowledged writes, all present after SIGKILL and restart", n)
}
