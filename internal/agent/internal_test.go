package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/rolecall/rolecall/internal/ecs"
)

func testAgent(t *testing.T) *Agent {
	t.Helper()
	a, err := New(Config{Endpoint: "http://127.0.0.1:1", Cluster: "default", Region: "eu-west-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIAAGENT", "agentSecret", ""), StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	a.credsURL = "http://127.0.0.1:51679/v2/credentials/"
	return a
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	good := Config{Endpoint: "http://x", Cluster: "c", Region: "r", Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), StateDir: "d"}
	for name, mutate := range map[string]func(*Config){
		"endpoint": func(c *Config) { c.Endpoint = "" }, "cluster": func(c *Config) { c.Cluster = "" },
		"region": func(c *Config) { c.Region = "" }, "credentials": func(c *Config) { c.Credentials = nil },
		"state": func(c *Config) { c.StateDir = "" }, "wait": func(c *Config) { c.WaitSeconds = 21 },
	} {
		c := good
		mutate(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
}

func envOf(t *testing.T, c ContainerSpec, key string) (string, bool) {
	t.Helper()
	for _, kv := range c.Env {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v, true
		}
	}
	return "", false
}

func TestSpecEnvironmentAndCommand(t *testing.T) {
	a := testAgent(t)
	no := false
	pt := ecs.PollTask{TaskArn: "arn:aws:ecs:eu-west-1:123456789012:task/default/0123abcd",
		TaskDefinition: &ecs.TaskDefinition{ContainerDefinitions: []ecs.ContainerDefinition{
			{Name: "app", EntryPoint: []string{"/bin/sh", "-c"}, Command: []string{"echo def"},
				Environment: []ecs.KeyValuePair{{Name: "A", Value: "def"}, {Name: "B", Value: "def"}, {Name: "AWS_CONTAINER_AUTHORIZATION_TOKEN", Value: "forged"}, {Name: "PATH", Value: "/opt/bin"}}},
			{Name: "side", Essential: &no, Command: []string{"sleep", "1"}},
		}},
		Overrides: ecs.TaskOverride{ContainerOverrides: []ecs.ContainerOverride{{Name: "app", Command: []string{"echo over"}, Environment: []ecs.KeyValuePair{{Name: "B", Value: "over"}}}}},
		Credentials: []ecs.CredentialDelivery{{TaskArn: "arn:aws:ecs:eu-west-1:123456789012:task/default/0123abcd", CredentialsID: "cred-1", RoleType: ecs.RoleTypeTask,
			AccessKeyID: "ASIATASK", SecretAccessKey: "s", SessionToken: "t"}},
	}
	tk := &task{arn: pt.TaskArn, id: "0123abcd", token: "tok", execToken: "exec"}
	a.putCreds(tk, pt.Credentials[0])
	spec, essential, err := a.spec(tk, pt)
	if err != nil {
		t.Fatal(err)
	}
	app := spec.Containers[0]
	if !slices.Equal(app.Argv, []string{"/bin/sh", "-c", "echo over"}) || !essential["app"] || essential["side"] || spec.Containers[1].Essential {
		t.Fatalf("%+v %v", spec, essential)
	}
	for k, want := range map[string]string{"A": "def", "B": "over", "PATH": "/opt/bin", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:51679/v2/credentials/cred-1", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok",
		"HOME": filepath.Join(a.cfg.StateDir, "tasks", "0123abcd")} {
		if v, _ := envOf(t, app, k); v != want {
			t.Errorf("%s=%q, want %q", k, v, want)
		}
	}
	if v, _ := envOf(t, spec.Containers[1], "PATH"); v != DefaultPATH {
		t.Errorf("side PATH %q", v)
	}
	for _, c := range spec.Containers {
		for _, kv := range c.Env {
			if strings.Contains(kv, "AKIAAGENT") || strings.Contains(kv, "agentSecret") || strings.HasPrefix(kv, "AWS_ACCESS_KEY_ID=") {
				t.Errorf("agent credentials in the task: %s", kv)
			}
		}
	}
	if e, ok := a.cache.Get("cred-1"); !ok || e.TaskARN != pt.TaskArn || e.Credentials.AccessKeyID != "ASIATASK" {
		t.Fatalf("%+v", e)
	}
}

func TestSpecRejectsBadTasks(t *testing.T) {
	a := testAgent(t)
	no := false
	tk := &task{arn: "arn:aws:ecs:r:1:task/c/abc", id: "abc"}
	for name, pt := range map[string]ecs.PollTask{
		"no definition":  {TaskArn: tk.arn},
		"no containers":  {TaskArn: tk.arn, TaskDefinition: &ecs.TaskDefinition{}},
		"bad name":       {TaskArn: tk.arn, TaskDefinition: &ecs.TaskDefinition{ContainerDefinitions: []ecs.ContainerDefinition{{Name: "../x", Command: []string{"true"}}}}},
		"duplicate":      {TaskArn: tk.arn, TaskDefinition: &ecs.TaskDefinition{ContainerDefinitions: []ecs.ContainerDefinition{{Name: "x", Command: []string{"true"}}, {Name: "x", Command: []string{"true"}}}}},
		"none essential": {TaskArn: tk.arn, TaskDefinition: &ecs.TaskDefinition{ContainerDefinitions: []ecs.ContainerDefinition{{Name: "x", Essential: &no, Command: []string{"true"}}}}},
	} {
		if _, _, err := a.spec(tk, pt); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, _, err := a.spec(&task{arn: "arn:aws:ecs:r:1:task/c/..", id: ".."}, ecs.PollTask{TaskDefinition: &ecs.TaskDefinition{ContainerDefinitions: []ecs.ContainerDefinition{{Name: "x"}}}}); err == nil {
		t.Error("task ID ..: no error")
	}
}

func TestHandleCredentialLifecycle(t *testing.T) {
	a := testAgent(t)
	arn := "arn:aws:ecs:eu-west-1:123456789012:task/default/abc"
	tk := &task{arn: arn, id: "abc", token: "tok", execToken: "exec"}
	a.tasks[arn] = tk
	d := ecs.CredentialDelivery{TaskArn: arn, CredentialsID: "id-1", RoleType: ecs.RoleTypeTask, AccessKeyID: "ASIA1", SecretAccessKey: "s", SessionToken: "t"}
	x := ecs.CredentialDelivery{TaskArn: arn, CredentialsID: "id-2", RoleType: ecs.RoleTypeExecution, AccessKeyID: "ASIAX", SecretAccessKey: "s", SessionToken: "t"}
	bad := ecs.CredentialDelivery{TaskArn: arn, CredentialsID: "id-3", RoleType: "Nonsense", AccessKeyID: "ASIA3"}
	a.handle(context.Background(), &ecs.PollOutput{Tasks: []ecs.PollTask{{TaskArn: arn, DesiredStatus: "RUNNING", Credentials: []ecs.CredentialDelivery{d, x, bad}}}})
	if e, ok := a.cache.Get("id-1"); !ok || e.Credentials.AccessKeyID != "ASIA1" {
		t.Fatal("task role not cached")
	}
	if _, ok := a.cache.Get("id-3"); ok {
		t.Fatal("unknown role type cached")
	}
	d.AccessKeyID = "ASIA2"
	a.handle(context.Background(), &ecs.PollOutput{RefreshedCredentials: []ecs.CredentialDelivery{d, {TaskArn: "arn:other", CredentialsID: "id-9", RoleType: ecs.RoleTypeTask}}})
	if e, _ := a.cache.Get("id-1"); e.Credentials.AccessKeyID != "ASIA2" {
		t.Fatal("refresh not applied")
	}
	if _, ok := a.cache.Get("id-9"); ok {
		t.Fatal("refresh of an unknown task cached")
	}
	a.handle(context.Background(), &ecs.PollOutput{RevokedCredentialIds: []string{"id-1", "unknown"}})
	if _, ok := a.cache.Get("id-1"); ok {
		t.Fatal("revoked ID still cached")
	}
	if _, ok := a.cache.Get("id-2"); !ok {
		t.Fatal("execution role entry lost")
	}
}

func TestStateFile(t *testing.T) {
	dir := t.TempDir()
	if s, err := loadState(dir); err != nil || s != (state{}) {
		t.Fatalf("%+v %v", s, err)
	}
	want := state{Cluster: "c", ContainerInstanceArn: "arn:x", AckSequence: 7}
	if err := saveState(dir, want); err != nil {
		t.Fatal(err)
	}
	if s, err := loadState(dir); err != nil || s != want {
		t.Fatalf("%+v %v", s, err)
	}
	if err := os.WriteFile(statePath(dir), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadState(dir); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Fatalf("%v", err)
	}
	// An agent pointed at another cluster's state refuses to start.
	if err := saveState(dir, want); err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{Endpoint: "http://127.0.0.1:1", Cluster: "other", Region: "r", Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(context.Background()); err == nil || !strings.Contains(err.Error(), `belongs to cluster "c"`) {
		t.Fatalf("%v", err)
	}
}

func TestProcessRuntime(t *testing.T) {
	dir := t.TempDir()
	env := []string{"PATH=" + DefaultPATH, "X=1"}
	h, err := ProcessRuntime{}.Start(context.Background(), TaskSpec{LogDir: dir, Containers: []ContainerSpec{
		{Name: "ok", Essential: true, Argv: []string{"sh", "-c", "echo out $X; echo err >&2; exit 3"}, Env: env}}})
	if err != nil {
		t.Fatal(err)
	}
	var exits []ContainerExit
	for ex := range h.Exits() {
		exits = append(exits, ex)
	}
	if len(exits) != 1 || exits[0].ExitCode == nil || *exits[0].ExitCode != 3 {
		t.Fatalf("%+v", exits)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "ok.stdout")); string(b) != "out 1\n" {
		t.Fatalf("%q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "ok.stderr")); string(b) != "err\n" {
		t.Fatalf("%q", b)
	}
	// The container inherits its standard streams and nothing of the
	// shim's or the agent's (pipes, lock files).
	h, err = ProcessRuntime{}.Start(context.Background(), TaskSpec{LogDir: dir, Containers: []ContainerSpec{
		{Name: "fds", Essential: true, Argv: []string{"sh", "-c", "ls /proc/$$/fd"}, Env: env}}})
	if err != nil {
		t.Fatal(err)
	}
	for range h.Exits() {
	}
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Log("no /proc: the inherited descriptors are not checked")
	} else if b, _ := os.ReadFile(filepath.Join(dir, "fds.stdout")); strings.Join(strings.Fields(string(b)), " ") != "0 1 2" {
		t.Fatalf("the container's open files: %q", b)
	}
	if _, err := (ProcessRuntime{}).Start(context.Background(), TaskSpec{LogDir: dir, Containers: []ContainerSpec{{Name: "x", Argv: []string{"no-such-command-here"}, Env: env}}}); err == nil {
		t.Fatal("missing command started")
	}
	if _, err := (ProcessRuntime{}).Start(context.Background(), TaskSpec{LogDir: dir}); err == nil {
		t.Fatal("empty task started")
	}
	// Stop kills.
	h, err = ProcessRuntime{}.Start(context.Background(), TaskSpec{LogDir: dir, Containers: []ContainerSpec{{Name: "s", Argv: []string{"sleep", "60"}, Env: env}}})
	if err != nil {
		t.Fatal(err)
	}
	h.Stop(0)
	ex := <-h.Exits()
	if ex.ExitCode == nil || *ex.ExitCode != 137 {
		t.Fatalf("%+v", ex)
	}
}

// Odd Poll answers neither panic nor start anything runnable.
func TestHandleOddAnswers(t *testing.T) {
	a := testAgent(t)
	(&fakeControlPlane{}).attach(t, a)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // reports give up at once
	for _, out := range []*ecs.PollOutput{
		{Tasks: []ecs.PollTask{{}}},
		{Tasks: []ecs.PollTask{{TaskArn: "no-slash", DesiredStatus: "RUNNING"}}},
		{Tasks: []ecs.PollTask{{TaskArn: "arn:aws:ecs:r:1:task/c/", DesiredStatus: "RUNNING", TaskDefinition: &ecs.TaskDefinition{}}}},
		{Tasks: []ecs.PollTask{{TaskArn: "arn:aws:ecs:r:1:task/c/s", DesiredStatus: "STOPPED"}}},
		{Tasks: []ecs.PollTask{{TaskArn: "arn:aws:ecs:r:1:task/c/d", DesiredStatus: "RUNNING", Credentials: []ecs.CredentialDelivery{{}, {RoleType: ecs.RoleTypeTask}}}}},
		{RefreshedCredentials: []ecs.CredentialDelivery{{}}, RevokedCredentialIds: []string{""}},
	} {
		a.handle(ctx, out)
	}
	a.wg.Wait()
	a.reports.Wait()
	if len(a.tasks) != 0 || a.cache.Len() != 0 {
		t.Fatalf("tasks %v, cache %d", a.tasks, a.cache.Len())
	}
}

// A task started by one ProcessRuntime can be adopted by another (an agent
// restarted after a crash): containers still running are followed to
// their end, those that ended meanwhile report their exit codes, and Stop
// reaches the adopted containers through their shims.
func TestProcessRuntimeAdopt(t *testing.T) {
	dir := t.TempDir()
	env := []string{"PATH=" + DefaultPATH}
	spec := TaskSpec{LogDir: dir, Containers: []ContainerSpec{
		{Name: "waits", Essential: true, Argv: []string{"sh", "-c", "for i in $(seq 1 3000); do [ -f go ] && exit 7; sleep 0.02; done; exit 9"}, Env: env},
		{Name: "quick", Argv: []string{"sh", "-c", "exit 5"}, Env: env},
	}}
	first, err := ProcessRuntime{}.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if ex := <-first.Exits(); ex.Name != "quick" || ex.ExitCode == nil || *ex.ExitCode != 5 {
		t.Fatalf("%+v", ex)
	}
	// The earlier runtime's handle is abandoned, as a crashed agent's is.
	adopted, err := ProcessRuntime{}.Adopt(context.Background(), TaskSpec{LogDir: dir, Containers: []ContainerSpec{{Name: "waits"}, {Name: "quick"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := adopted.RuntimeIDs(), first.RuntimeIDs(); got["waits"] == "" || got["waits"] != want["waits"] || got["quick"] != want["quick"] {
		t.Fatalf("runtime IDs %v, want %v", got, want)
	}
	if ex := <-adopted.Exits(); ex.Name != "quick" || ex.ExitCode == nil || *ex.ExitCode != 5 {
		t.Fatalf("the ended container: %+v", ex)
	}
	select {
	case ex := <-adopted.Exits():
		t.Fatalf("a running container reported ended: %+v", ex)
	case <-time.After(100 * time.Millisecond):
	}
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if ex := <-adopted.Exits(); ex.Name != "waits" || ex.ExitCode == nil || *ex.ExitCode != 7 {
		t.Fatalf("the running container: %+v", ex)
	}
	if _, open := <-adopted.Exits(); open {
		t.Fatal("Exits not closed")
	}

	// Stop reaches an adopted container (SIGTERM through its shim).
	dir2 := t.TempDir()
	if _, err := (ProcessRuntime{}).Start(context.Background(), TaskSpec{LogDir: dir2, Containers: []ContainerSpec{{Name: "s", Argv: []string{"sleep", "60"}, Env: env}}}); err != nil {
		t.Fatal(err)
	}
	h, err := ProcessRuntime{}.Adopt(context.Background(), TaskSpec{LogDir: dir2, Containers: []ContainerSpec{{Name: "s"}}})
	if err != nil {
		t.Fatal(err)
	}
	h.Stop(time.Minute)
	if ex := <-h.Exits(); ex.ExitCode == nil || *ex.ExitCode != 143 || ex.Reason != "killed by terminated" {
		t.Fatalf("%+v", ex)
	}

	// A container whose shim left nothing (the machine restarted): its end
	// is unknown.
	h, err = ProcessRuntime{}.Adopt(context.Background(), TaskSpec{LogDir: t.TempDir(), Containers: []ContainerSpec{{Name: "gone"}}})
	if err != nil {
		t.Fatal(err)
	}
	if ex := <-h.Exits(); ex.ExitCode != nil || !strings.Contains(ex.Reason, "unknown") {
		t.Fatalf("%+v", ex)
	}
}

// fakeControlPlane answers every ECS call 200 {} and records the
// SubmitTaskStateChange requests (task ARN → reason).
type fakeControlPlane struct {
	mu      sync.Mutex
	stopped map[string]string
}

func (f *fakeControlPlane) attach(t *testing.T, a *Agent) {
	f.stopped = map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".SubmitTaskStateChange") && in["status"] == "STOPPED" {
			f.mu.Lock()
			f.stopped[fmt.Sprint(in["task"])] = fmt.Sprint(in["reason"])
			f.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte("{}"))
	}))
	t.Cleanup(srv.Close)
	a.ecs = newECSClient(srv.URL, a.cfg.Region, a.cfg.Credentials)
}

func (f *fakeControlPlane) reason(arn string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.stopped[arn]
	return r, ok
}

// adopt gives up (reports STOPPED, never starts again, kills what runs)
// the tasks it cannot take back: records it cannot trust or read, and
// tasks of an earlier container instance; a record whose task had ended is
// reported, not followed.
func TestAdoptGivesUpWhatItCannotTakeBack(t *testing.T) {
	a := testAgent(t)
	cp := &fakeControlPlane{}
	cp.attach(t, a)
	a.instanceARN = "arn:aws:ecs:eu-west-1:123456789012:container-instance/default/new"
	const oldInstance = "arn:aws:ecs:eu-west-1:123456789012:container-instance/default/old"
	taskARN := func(id string) string { return "arn:aws:ecs:eu-west-1:123456789012:task/default/" + id }
	old, junk, ended := "0123456789abcdef0123456789abcdef", "1123456789abcdef0123456789abcdef", "2123456789abcdef0123456789abcdef"
	h, err := ProcessRuntime{}.Start(context.Background(), TaskSpec{LogDir: a.taskDir(old), StateDir: a.recordDir(old), Containers: []ContainerSpec{
		{Name: "app", Essential: true, Argv: []string{"sleep", "60"}, Env: []string{"PATH=" + DefaultPATH}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.saveTaskRecord(old, taskRecord{TaskArn: taskARN(old), ContainerInstanceArn: oldInstance, Token: "t", ExecToken: "e",
		Containers: []containerRecord{{Name: "app", Essential: true}}}); err != nil {
		t.Fatal(err)
	}
	// A record under the wrong directory, one with an unsafe container
	// name, garbage, and one whose task ended (its report not yet taken).
	for id, rec := range map[string]taskRecord{
		"elsewhere": {TaskArn: taskARN(old), ContainerInstanceArn: a.instanceARN, Containers: []containerRecord{{Name: "app"}}},
		"x":         {TaskArn: taskARN("x"), ContainerInstanceArn: a.instanceARN, Containers: []containerRecord{{Name: "../x"}}},
		ended: {TaskArn: taskARN(ended), ContainerInstanceArn: a.instanceARN, Containers: []containerRecord{{Name: "app"}},
			Stopped: &stoppedRecord{Reason: "Essential container in task exited", Containers: []map[string]any{{"containerName": "app", "exitCode": 3}}}},
	} {
		if err := a.saveTaskRecord(id, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(a.recordDir(junk), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(a.recordDir(junk), taskRecordFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.adopt(ctx)
	if len(a.tasks) != 0 {
		t.Fatalf("adopted %v", a.tasks)
	}
	pid, _ := strconv.Atoi(h.RuntimeIDs()["app"])
	// The task whose record is garbage comes back from the control plane
	// (it re-queues a re-registered instance's tasks): reported, not run.
	a.handle(ctx, &ecs.PollOutput{Tasks: []ecs.PollTask{{TaskArn: taskARN(junk), DesiredStatus: "RUNNING",
		TaskDefinition: &ecs.TaskDefinition{ContainerDefinitions: []ecs.ContainerDefinition{{Name: "app", Command: []string{"true"}}}}}}})
	a.wg.Wait()
	a.reports.Wait()
	if len(a.tasks) != 0 {
		t.Fatalf("started %v", a.tasks)
	}
	if pid == 0 || !gone(pid) {
		t.Fatalf("the earlier instance's task (%d) was not stopped", pid)
	}
	for arn, want := range map[string]string{
		taskARN(old):   "another container instance",
		taskARN(junk):  "could not read the task's record",
		taskARN("x"):   "record damaged",
		taskARN(ended): "Essential container in task exited",
	} {
		if got, ok := cp.reason(arn); !ok || !strings.Contains(got, want) {
			t.Errorf("%s reported %q (%v), want %q", arn, got, ok, want)
		}
	}
	for _, d := range []string{old, "elsewhere", "x", junk, ended} {
		if _, err := os.Stat(a.recordDir(d)); !os.IsNotExist(err) {
			t.Errorf("record %s remains: %v", d, err)
		}
	}
}

// A task whose record cannot be written does not start: an agent crash
// would lose it.
func TestTaskNotStartedWithoutRecord(t *testing.T) {
	a := testAgent(t)
	cp := &fakeControlPlane{}
	cp.attach(t, a)
	a.instanceARN = "arn:aws:ecs:eu-west-1:123456789012:container-instance/default/i"
	// records is a file: no record can be written under it.
	if err := os.WriteFile(filepath.Join(a.cfg.StateDir, "records"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:ecs:eu-west-1:123456789012:task/default/3123456789abcdef0123456789abcdef"
	a.handle(context.Background(), &ecs.PollOutput{Tasks: []ecs.PollTask{{TaskArn: arn, DesiredStatus: "RUNNING",
		TaskDefinition: &ecs.TaskDefinition{ContainerDefinitions: []ecs.ContainerDefinition{{Name: "app", Command: []string{"sh", "-c", "touch ran"}}}}}}})
	a.wg.Wait()
	if got, _ := cp.reason(arn); !strings.Contains(got, "CannotStartContainerError: the agent could not record the task") {
		t.Fatalf("reported %q", got)
	}
	if _, err := os.Stat(filepath.Join(a.taskDir("3123456789abcdef0123456789abcdef"), "ran")); !os.IsNotExist(err) {
		t.Fatal("the container ran")
	}
}

// linkLocalRuntime is a runtime whose containers reach 169.254.170.2; it
// records the spec it is asked to start and starts nothing.
type linkLocalRuntime struct {
	started func(TaskSpec)
}

func (r linkLocalRuntime) Start(_ context.Context, spec TaskSpec) (Handle, error) {
	r.started(spec)
	return nil, errors.New("not starting anything")
}

func (linkLocalRuntime) LinkLocalCredentials() bool { return true }

// A runtime whose containers reach 169.254.170.2 gets
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, as on ECS, and no token; the
// task's cache entry then needs none.
func TestLinkLocalRuntimeGetsRelativeURI(t *testing.T) {
	a := testAgent(t)
	(&fakeControlPlane{}).attach(t, a)
	arn := "arn:aws:ecs:eu-west-1:123456789012:task/default/abc"
	specs := make(chan TaskSpec, 1)
	var token string
	a.cfg.Runtime = linkLocalRuntime{started: func(s TaskSpec) {
		a.mu.Lock()
		token = a.tasks[arn].token
		a.mu.Unlock()
		specs <- s
	}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // reports give up at once
	a.handle(ctx, &ecs.PollOutput{Tasks: []ecs.PollTask{{TaskArn: arn, DesiredStatus: "RUNNING",
		TaskDefinition: &ecs.TaskDefinition{ContainerDefinitions: []ecs.ContainerDefinition{{Name: "app", Command: []string{"true"}}}},
		Credentials:    []ecs.CredentialDelivery{{TaskArn: arn, CredentialsID: "cred-1", RoleType: ecs.RoleTypeTask, AccessKeyID: "ASIA1", SecretAccessKey: "s", SessionToken: "t"}}}}})
	spec := <-specs
	a.wg.Wait()
	if v, ok := envOf(t, spec.Containers[0], "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); !ok || v != "/v2/credentials/cred-1" {
		t.Errorf("RELATIVE_URI %q", v)
	}
	for _, k := range []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN"} {
		if v, ok := envOf(t, spec.Containers[0], k); ok {
			t.Errorf("%s=%q", k, v)
		}
	}
	if token != "" {
		t.Error("the task's entry wants a token its containers were not told")
	}
}

// A container's end ends what it left running in its process group (as
// a container's processes end with it), and a shim killed outright takes
// its container with it (Linux: parent-death signal) rather than leaving
// it unsupervised.
func TestShimEndsWhatItSupervises(t *testing.T) {
	if _, err := os.Stat("/proc/self/exe"); err != nil {
		t.Skip("Linux only")
	}
	env := []string{"PATH=" + DefaultPATH}
	dir := t.TempDir()
	h, err := ProcessRuntime{}.Start(context.Background(), TaskSpec{LogDir: dir, StateDir: filepath.Join(dir, "state"), Containers: []ContainerSpec{
		{Name: "bg", Essential: true, Argv: []string{"sh", "-c", "sleep 60 & echo $! > bg.pid; exit 0"}, Env: env}}})
	if err != nil {
		t.Fatal(err)
	}
	if ex := <-h.Exits(); ex.ExitCode == nil || *ex.ExitCode != 0 {
		t.Fatalf("%+v", ex)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "bg.pid"))
	bg, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%q", b)
	}
	if !gone(bg) {
		t.Fatalf("the container's background process %d outlived it", bg)
	}
	if _, err := os.Stat(filepath.Join(dir, "state", "bg.exit")); err != nil {
		t.Fatalf("the exit record is not in the state directory: %v", err)
	}

	dir = t.TempDir()
	h, err = ProcessRuntime{}.Start(context.Background(), TaskSpec{LogDir: dir, Containers: []ContainerSpec{
		{Name: "s", Essential: true, Argv: []string{"sleep", "60"}, Env: env}}})
	if err != nil {
		t.Fatal(err)
	}
	_, shimPID, pid, err := shimState(dir, "s")
	if err != nil || shimPID == 0 || pid == 0 {
		t.Fatalf("%d %d %v", shimPID, pid, err)
	}
	if err := syscall.Kill(shimPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if ex := <-h.Exits(); ex.ExitCode != nil || !strings.Contains(ex.Reason, "shim ended without recording its exit") {
		t.Fatalf("%+v", ex)
	}
	if !gone(pid) {
		t.Fatalf("the container %d outlived its shim", pid)
	}
}

// gone waits up to 5 s for a process to end (a zombie counts as ended).
func gone(pid int) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return true
		}
		if f := strings.Fields(string(b)); len(f) > 2 && f[2] == "Z" {
			return true
		}
	}
	return false
}

// FuzzTaskRecord: whatever a task record holds (a container runs as the
// agent's user and could write it), a restarted agent neither panics nor
// leaves it behind: it adopts and reports the task, reports its recorded
// end, or gives it up.
func FuzzTaskRecord(f *testing.F) {
	const id = "4123456789abcdef0123456789abcdef"
	arn := "arn:aws:ecs:eu-west-1:123456789012:task/default/" + id
	f.Add([]byte(`{"taskArn":"` + arn + `","containerInstanceArn":"arn:i","token":"t","containers":[{"name":"app","essential":true,"runtimeId":"1"}]}`))
	f.Add([]byte(`{"taskArn":"` + arn + `","containerInstanceArn":"arn:i","containers":[{"name":"app"}],"stopped":{"reason":"r","containers":[{"containerName":"app","exitCode":3}]}}`))
	f.Add([]byte(`{"taskArn":"` + arn + `","containerInstanceArn":"arn:other","containers":[{"name":"app"}]}`))
	f.Add([]byte(`{"taskArn":"x","containers":[{"name":"../.."}]}`))
	f.Add([]byte(`{"taskArn":"` + arn + `","containers":[{"name":""},{"name":"a/b"}]}`))
	f.Add([]byte(`{`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a := testAgent(t)
		(&fakeControlPlane{}).attach(t, a)
		a.instanceARN = "arn:i"
		if err := os.MkdirAll(a.recordDir(id), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(a.recordDir(id), taskRecordFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
		a.adopt(context.Background())
		a.wg.Wait()
		a.reports.Wait()
		if _, err := os.Stat(a.recordDir(id)); !os.IsNotExist(err) {
			t.Fatalf("the record remains (%v): %q", err, b)
		}
		if len(a.tasks) != 0 {
			t.Fatalf("a task is still followed: %q", b)
		}
	})
}

// The Poll loop: an instance without an agent identity (registered before
// the control plane kept them) is registered again, which binds it, and
// polling goes on; an instance bound to another identity ends the agent
// with what to do, rather than retrying for ever.
func TestPollLoopBinding(t *testing.T) {
	a := testAgent(t)
	a.instanceARN = "arn:aws:ecs:eu-west-1:123456789012:container-instance/default/0123456789abcdef0123456789abcdef"
	var mu sync.Mutex
	var ops []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := r.Header.Get("X-Amz-Target")
		op = op[strings.LastIndexByte(op, '.')+1:]
		mu.Lock()
		ops = append(ops, op)
		polls := strings.Count(strings.Join(ops, " "), "Poll")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch {
		case op == "RegisterContainerInstance":
			fmt.Fprintf(w, `{"containerInstance":{"containerInstanceArn":%q}}`, a.instanceARN)
		case op == "Poll" && polls == 1:
			w.WriteHeader(400)
			fmt.Fprint(w, `{"__type":"AccessDeniedException","message":"Container instance 0123 has no agent identity yet; its agent must register it again."}`)
		case op == "Poll" && polls == 2:
			fmt.Fprint(w, `{"sequence":0}`)
		default:
			w.WriteHeader(400)
			fmt.Fprint(w, `{"__type":"AccessDeniedException","message":"Container instance 0123 was registered by another principal; only the identity that registered it may act as its agent."}`)
		}
	}))
	defer srv.Close()
	a.ecs = newECSClient(srv.URL, a.cfg.Region, a.cfg.Credentials)
	a.cfg.WaitSeconds = 0 // the fake answers at once
	err := a.pollLoop(context.Background(), &state{})
	if err == nil || !strings.Contains(err.Error(), "the agent's identity changed") {
		t.Fatalf("pollLoop: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(ops, " "); got != "Poll RegisterContainerInstance Poll Poll" {
		t.Fatalf("calls: %s", got)
	}
}
