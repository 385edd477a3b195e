package ecs

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/sts"
)

// fakeAssumer mints numbered credentials and records each call; roles in
// deny are refused as STS refuses an untrusted service.
type fakeAssumer struct {
	mu    sync.Mutex
	n     int
	calls []string // "role session duration account sourceArn"
	deny  map[string]bool
	now   func() time.Time
}

func (f *fakeAssumer) AssumeRoleForService(ctx context.Context, service, role, session string, d time.Duration, acct, src string) (*sts.Credentials, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if service != TasksPrincipal {
		panic(service)
	}
	if f.deny[role] {
		return nil, awserr.AccessDenied("Service: %s is not authorized to perform: sts:AssumeRole on resource: %s", service, role)
	}
	f.n++
	f.calls = append(f.calls, strings.Join([]string{role, session, d.String(), acct, src}, " "))
	return &sts.Credentials{
		AccessKeyID:     "ASIAFAKE" + string(rune('A'+f.n)),
		SecretAccessKey: "secret-" + string(rune('A'+f.n)),
		SessionToken:    "token-" + string(rune('A'+f.n)),
		Expiration:      f.now().Add(d),
	}, nil
}

const (
	taskRole = "arn:aws:iam::123456789012:role/app"
	execRole = "arn:aws:iam::123456789012:role/exec"
)

func taskFixture(t *testing.T) (*Service, *fakeAssumer) {
	t.Helper()
	s := newService(t)
	fa := &fakeAssumer{deny: map[string]bool{}, now: s.Now}
	s.Assumer = fa
	ctx := context.Background()
	if _, err := s.CreateCluster(ctx, sc, &CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	mem := int64(128)
	for _, f := range []struct{ family, role, exec string }{{"web", taskRole, execRole}, {"plain", "", ""}} {
		_, _, err := s.RegisterTaskDefinition(ctx, sc, &RegisterTaskDefinitionInput{
			Family: f.family, TaskRoleArn: f.role, ExecutionRoleArn: f.exec,
			ContainerDefinitions: []ContainerDefinition{{Name: "app", Image: "nginx", Memory: &mem, CPU: 256}},
		}, "arn:aws:iam::123456789012:root")
		if err != nil {
			t.Fatal(err)
		}
	}
	return s, fa
}

func register(t *testing.T, s *Service, cpu, mem int64) *ContainerInstance {
	t.Helper()
	ci, err := s.RegisterContainerInstance(context.Background(), sc, &RegisterContainerInstanceInput{
		TotalResources: []Resource{{Name: "CPU", Type: "INTEGER", IntegerValue: cpu}, {Name: "MEMORY", Type: "INTEGER", IntegerValue: mem}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ci
}

func poll(t *testing.T, s *Service, ci *ContainerInstance, ack int64) *PollOutput {
	t.Helper()
	out, err := s.Poll(context.Background(), sc, &PollInput{ContainerInstance: ci.ContainerInstanceArn, AckSequence: ack})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRunTaskVendsCredentials(t *testing.T) {
	s, fa := taskFixture(t)
	ctx := context.Background()

	// No instances: ECS's InvalidParameterException, and nothing minted.
	_, err := s.RunTask(ctx, sc, &RunTaskInput{TaskDefinition: "web"})
	wantErr(t, err, "InvalidParameterException", "No Container Instances were found in your cluster.")
	if fa.n != 0 {
		t.Fatal("credentials minted for nothing")
	}

	ci := register(t, s, 1024, 1024)
	out, err := s.RunTask(ctx, sc, &RunTaskInput{TaskDefinition: "web", StartedBy: "me",
		Overrides: &TaskOverride{ContainerOverrides: []ContainerOverride{{Name: "app", Command: []string{"echo", "hi"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 1 || len(out.Failures) != 0 {
		t.Fatalf("%+v", out)
	}
	task := out.Tasks[0]
	id := taskIDOf(task.TaskArn)
	if !strings.HasPrefix(task.TaskArn, "arn:aws:ecs:us-east-1:123456789012:task/default/") || task.LastStatus != "PENDING" ||
		task.DesiredStatus != "RUNNING" || task.ContainerInstanceArn != ci.ContainerInstanceArn || len(task.Containers) != 1 {
		t.Fatalf("%+v", task)
	}
	// Each role assumed as ecs-tasks with the task ID as session name, 6
	// hours, and the confused-deputy keys.
	want := []string{taskRole + " " + id + " 6h0m0s 123456789012 " + task.TaskArn, execRole + " " + id + " 6h0m0s 123456789012 " + task.TaskArn}
	if strings.Join(fa.calls, "|") != strings.Join(want, "|") {
		t.Fatalf("%q", fa.calls)
	}
	b, _ := json.Marshal(task)
	if strings.Contains(string(b), "secret-") || strings.Contains(string(b), "token-") || strings.Contains(string(b), "rolecallReserved") {
		t.Fatalf("task leaks: %s", b)
	}

	// The instance polls: the task, its definition, overrides and both
	// deliveries.
	p := poll(t, s, ci, 0)
	if len(p.Tasks) != 1 || p.Sequence == 0 {
		t.Fatalf("%+v", p)
	}
	pt := p.Tasks[0]
	if pt.TaskArn != task.TaskArn || pt.TaskDefinition.Family != "web" || pt.DesiredStatus != "RUNNING" ||
		len(pt.Overrides.ContainerOverrides) != 1 || len(pt.Credentials) != 2 {
		t.Fatalf("%+v", pt)
	}
	ids := map[string]string{}
	for _, d := range pt.Credentials {
		if len(d.CredentialsID) != 36 || d.SecretAccessKey == "" || d.SessionToken == "" || d.TaskArn != task.TaskArn {
			t.Fatalf("%+v", d)
		}
		ids[d.RoleType] = d.CredentialsID
		if strings.Contains(d.String(), d.SecretAccessKey) || strings.Contains(d.String(), d.CredentialsID) {
			t.Fatal("String leaks")
		}
	}
	if ids[RoleTypeTask] == "" || ids[RoleTypeExecution] == "" || ids[RoleTypeTask] == ids[RoleTypeExecution] {
		t.Fatalf("%v", ids)
	}
	// Not acknowledged: the same again.
	if again := poll(t, s, ci, 0); len(again.Tasks) != 1 || again.Tasks[0].Credentials[0].CredentialsID != pt.Credentials[0].CredentialsID {
		t.Fatalf("%+v", again)
	}
	// Acknowledged: nothing more.
	if empty := poll(t, s, ci, p.Sequence); len(empty.Tasks)+len(empty.RefreshedCredentials)+len(empty.RevokedCredentialIds) != 0 || empty.Sequence != p.Sequence {
		t.Fatalf("%+v", empty)
	}

	// Refresh: not due at first; due 5 hours on; same IDs, new secrets.
	if n, err := s.RefreshDue(ctx, s.now().Add(time.Hour)); n != 0 || err != nil {
		t.Fatal(n, err)
	}
	if n, err := s.RefreshDue(ctx, s.now().Add(5*time.Hour)); n != 2 || err != nil {
		t.Fatal(n, err)
	}
	r := poll(t, s, ci, p.Sequence)
	if len(r.RefreshedCredentials) != 2 || len(r.Tasks) != 0 {
		t.Fatalf("%+v", r)
	}
	for _, d := range r.RefreshedCredentials {
		if d.CredentialsID != ids[d.RoleType] || d.SecretAccessKey == pt.Credentials[0].SecretAccessKey {
			t.Fatalf("%+v", d)
		}
	}
	// Refreshed records are not due again right away.
	if n, _ := s.RefreshDue(ctx, s.now().Add(time.Hour)); n != 0 {
		t.Fatal(n)
	}
	seq := r.Sequence

	// The agent reports RUNNING: counts follow.
	if _, err := s.SubmitTaskStateChange(ctx, sc, &SubmitTaskStateChangeInput{Task: task.TaskArn, Status: "RUNNING",
		Containers: []ContainerStateChange{{ContainerName: "app", Status: "RUNNING", RuntimeID: "abc"}}}); err != nil {
		t.Fatal(err)
	}
	dt, _ := s.DescribeTasks(ctx, sc, &DescribeTasksInput{Tasks: []string{id}})
	if got := dt.Tasks[0]; got.LastStatus != "RUNNING" || got.StartedAt == nil || got.Containers[0].RuntimeID != "abc" {
		t.Fatalf("%+v", got)
	}
	c, _ := s.GetCluster(ctx, sc, "default")
	if c.RunningTasksCount != 1 || c.PendingTasksCount != 0 {
		t.Fatalf("%+v", c)
	}
	_, err = s.DeleteCluster(ctx, sc, "default")
	wantErr(t, err, "ClusterContainsTasksException", "")

	// A crashed agent re-registers: its task comes back with credentials.
	if _, err := s.RegisterContainerInstance(ctx, sc, &RegisterContainerInstanceInput{ContainerInstanceArn: ci.ContainerInstanceArn,
		TotalResources: ci.RegisteredResources}); err != nil {
		t.Fatal(err)
	}
	rr := poll(t, s, ci, seq)
	if len(rr.Tasks) != 1 || len(rr.Tasks[0].Credentials) != 2 {
		t.Fatalf("%+v", rr)
	}
	seq = rr.Sequence
	dci, _ := s.DescribeContainerInstances(ctx, sc, &DescribeContainerInstancesInput{ContainerInstances: []string{ci.ContainerInstanceArn}})
	if v, _, _ := resourceValue(dci.ContainerInstances[0].RemainingResources, "MEMORY"); v != 1024-128 {
		t.Fatalf("remaining memory %d", v)
	}

	// Deregistering an instance with tasks needs force.
	_, err = s.DeregisterContainerInstance(ctx, sc, &DeregisterContainerInstanceInput{ContainerInstance: ci.ContainerInstanceArn})
	wantErr(t, err, "InvalidParameterException", "")

	// StopTask: desired STOPPED, credentials revoked, the agent told.
	st, err := s.StopTask(ctx, sc, &StopTaskInput{Task: task.TaskArn, Reason: "done"})
	if err != nil || st.DesiredStatus != "STOPPED" || st.StopCode != "UserInitiated" || st.StoppedReason != "done" || st.LastStatus != "RUNNING" {
		t.Fatalf("%+v %v", st, err)
	}
	sp := poll(t, s, ci, seq)
	if len(sp.Tasks) != 1 || sp.Tasks[0].DesiredStatus != "STOPPED" || len(sp.Tasks[0].Credentials) != 0 || len(sp.RevokedCredentialIds) != 2 {
		t.Fatalf("%+v", sp)
	}
	if n, _ := s.RefreshDue(ctx, s.now().Add(10*time.Hour)); n != 0 {
		t.Fatal("revoked credentials refreshed")
	}
	// The agent reports STOPPED with an exit code.
	exit := 0
	if _, err := s.SubmitTaskStateChange(ctx, sc, &SubmitTaskStateChangeInput{Task: task.TaskArn, Status: "STOPPED", Reason: "exited",
		Containers: []ContainerStateChange{{ContainerName: "app", Status: "STOPPED", ExitCode: &exit}}}); err != nil {
		t.Fatal(err)
	}
	dt, _ = s.DescribeTasks(ctx, sc, &DescribeTasksInput{Tasks: []string{task.TaskArn, "0123456789abcdef0123456789abcdef"}})
	got := dt.Tasks[0]
	if got.LastStatus != "STOPPED" || got.StopCode != "UserInitiated" || got.StoppedReason != "done" || got.StoppedAt == nil ||
		got.Containers[0].ExitCode == nil || *got.Containers[0].ExitCode != 0 || len(dt.Failures) != 1 || dt.Failures[0].Reason != "MISSING" {
		t.Fatalf("%+v %+v", got, dt.Failures)
	}
	// Late reports change nothing.
	if _, err := s.SubmitTaskStateChange(ctx, sc, &SubmitTaskStateChangeInput{Task: task.TaskArn, Status: "RUNNING"}); err != nil {
		t.Fatal(err)
	}
	c, _ = s.GetCluster(ctx, sc, "default")
	if c.RunningTasksCount != 0 || c.PendingTasksCount != 0 {
		t.Fatalf("%+v", c)
	}
	// Listing: RUNNING by default (none), STOPPED on request.
	lt, _ := s.ListTasks(ctx, sc, &ListTasksInput{})
	ls, _ := s.ListTasks(ctx, sc, &ListTasksInput{DesiredStatus: "STOPPED", Family: "web", StartedBy: "me", ContainerInstance: ci.ContainerInstanceArn})
	if len(lt.TaskArns) != 0 || len(ls.TaskArns) != 1 {
		t.Fatalf("%v %v", lt, ls)
	}
}

func TestRunTaskPlacement(t *testing.T) {
	s, _ := taskFixture(t)
	ctx := context.Background()
	a := register(t, s, 1024, 300)
	b := register(t, s, 1024, 300)
	out, err := s.RunTask(ctx, sc, &RunTaskInput{TaskDefinition: "plain:1", Count: intp(5)})
	if err != nil {
		t.Fatal(err)
	}
	// 128 MiB each: two fit on each instance; the fifth fits nowhere.
	if len(out.Tasks) != 4 || len(out.Failures) != 2 {
		t.Fatalf("%+v", out)
	}
	per := map[string]int{}
	for _, task := range out.Tasks {
		per[task.ContainerInstanceArn]++
	}
	if per[a.ContainerInstanceArn] != 2 || per[b.ContainerInstanceArn] != 2 {
		t.Fatalf("%v", per)
	}
	for _, f := range out.Failures {
		if f.Reason != "RESOURCE:MEMORY" {
			t.Fatalf("%+v", f)
		}
	}
	// Plain tasks have no credentials.
	if p := poll(t, s, a, 0); len(p.Tasks) != 2 || len(p.Tasks[0].Credentials) != 0 {
		t.Fatalf("%+v", p)
	}
	for _, in := range []*RunTaskInput{
		{TaskDefinition: "plain", Count: intp(11)},
		{TaskDefinition: "plain", LaunchType: "FARGATE"},
		{TaskDefinition: "plain", Overrides: &TaskOverride{ContainerOverrides: []ContainerOverride{{Name: "nope"}}}},
		{TaskDefinition: "plain", StartedBy: "has space"},
	} {
		_, err := s.RunTask(ctx, sc, in)
		wantErr(t, err, "InvalidParameterException", "")
	}
	_, err = s.RunTask(ctx, sc, &RunTaskInput{TaskDefinition: "nope"})
	wantErr(t, err, "ClientException", "")

	// Forced deregistration stops the instance's tasks.
	f := true
	if _, err := s.DeregisterContainerInstance(ctx, sc, &DeregisterContainerInstanceInput{ContainerInstance: a.ContainerInstanceArn, Force: &f}); err != nil {
		t.Fatal(err)
	}
	c, _ := s.GetCluster(ctx, sc, "default")
	if c.PendingTasksCount != 2 {
		t.Fatalf("%+v", c)
	}
	ls, _ := s.ListTasks(ctx, sc, &ListTasksInput{DesiredStatus: "STOPPED"})
	if len(ls.TaskArns) != 2 {
		t.Fatalf("%v", ls)
	}
	_, err = s.Poll(ctx, sc, &PollInput{ContainerInstance: a.ContainerInstanceArn})
	wantErr(t, err, "InvalidParameterException", "")
}

func TestRunTaskUntrustedRole(t *testing.T) {
	s, fa := taskFixture(t)
	ctx := context.Background()
	register(t, s, 1024, 1024)
	fa.deny[execRole] = true
	_, err := s.RunTask(ctx, sc, &RunTaskInput{TaskDefinition: "web"})
	wantErr(t, err, "ClientException", "ECS was unable to assume the role '"+execRole+"' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.")
	if l, _ := s.ListTasks(ctx, sc, &ListTasksInput{}); len(l.TaskArns) != 0 {
		t.Fatal("task written")
	}
	// A role that stops trusting ecs-tasks fails its refresh; the others
	// carry on.
	delete(fa.deny, execRole)
	if _, err := s.RunTask(ctx, sc, &RunTaskInput{TaskDefinition: "web"}); err != nil {
		t.Fatal(err)
	}
	fa.deny[taskRole] = true
	n, err := s.RefreshDue(ctx, s.now().Add(5*time.Hour))
	if n != 1 || err == nil || strings.Contains(err.Error(), "secret-") || !strings.Contains(err.Error(), taskRole) {
		t.Fatal(n, err)
	}
}

func TestPollWaits(t *testing.T) {
	s, _ := taskFixture(t)
	ctx := context.Background()
	ci := register(t, s, 1024, 1024)
	wait := 5
	done := make(chan *PollOutput)
	go func() {
		out, err := s.Poll(ctx, sc, &PollInput{ContainerInstance: ci.ContainerInstanceArn, WaitSeconds: &wait})
		if err != nil {
			t.Error(err)
		}
		done <- out
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	if _, err := s.RunTask(ctx, sc, &RunTaskInput{TaskDefinition: "plain"}); err != nil {
		t.Fatal(err)
	}
	out := <-done
	if out == nil || len(out.Tasks) != 1 || time.Since(start) > 2*time.Second {
		t.Fatalf("%+v after %v", out, time.Since(start))
	}
	// Nothing new: the answer comes after the wait, empty.
	one := 1
	start = time.Now()
	empty, err := s.Poll(ctx, sc, &PollInput{ContainerInstance: ci.ContainerInstanceArn, WaitSeconds: &one, AckSequence: out.Sequence})
	if err != nil || len(empty.Tasks) != 0 || empty.Sequence != out.Sequence || time.Since(start) < 900*time.Millisecond {
		t.Fatalf("%+v %v after %v", empty, err, time.Since(start))
	}
	bad := 21
	_, err = s.Poll(ctx, sc, &PollInput{ContainerInstance: ci.ContainerInstanceArn, WaitSeconds: &bad})
	wantErr(t, err, "InvalidParameterException", "")
}

func TestRefreshWindow(t *testing.T) {
	s := newService(t)
	for _, c := range []struct{ life, want time.Duration }{
		{6 * time.Hour, 2 * time.Hour},
		{time.Hour, 30 * time.Minute},
		{15 * time.Minute, 7*time.Minute + 30*time.Second},
	} {
		if got := s.refreshWindow(c.life); got != c.want {
			t.Errorf("%v: %v, want %v", c.life, got, c.want)
		}
	}
	if id := NewCredentialID(); len(id) != 36 || id[14] != '4' || id == NewCredentialID() {
		t.Fatal(id)
	}
}

// The background loop refreshes what is due and stops with its context.
func TestRefreshLoop(t *testing.T) {
	s, _ := taskFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	ci := register(t, s, 1024, 1024)
	if _, err := s.RunTask(ctx, sc, &RunTaskInput{TaskDefinition: "web"}); err != nil {
		t.Fatal(err)
	}
	first := poll(t, s, ci, 0)
	later := s.now().Add(5 * time.Hour)
	s.Now = func() time.Time { return later }
	reports := make(chan int, 10)
	done := make(chan struct{})
	go func() {
		s.RefreshLoop(ctx, 5*time.Millisecond, func(n int, err error) {
			if err != nil {
				t.Error(err)
			}
			reports <- n
		})
		close(done)
	}()
	if n := <-reports; n != 2 {
		t.Fatalf("refreshed %d", n)
	}
	cancel()
	<-done
	r := poll(t, s, ci, first.Sequence)
	if len(r.RefreshedCredentials) != 2 {
		t.Fatalf("%+v", r)
	}
}

// Tasks are taggable: RunTask's tags are kept on the task, DescribeTasks
// shows them only with include TAGS, the tag operations take the task's
// (long) ARN with the same rules as other resources, and state changes keep
// them.
func TestTaskTags(t *testing.T) {
	s, _ := taskFixture(t)
	ctx := context.Background()
	ci := register(t, s, 4096, 4096)

	_, err := s.RunTask(ctx, sc, &RunTaskInput{TaskDefinition: "plain", Tags: []Tag{{"aws:x", "1"}}})
	wantErr(t, err, "InvalidParameterException", "Tag keys cannot start with the reserved prefix 'aws:'.")
	run, err := s.RunTask(ctx, sc, &RunTaskInput{TaskDefinition: "plain", Tags: []Tag{{"env", "dev"}, {"team", "a"}}})
	if err != nil || len(run.Tasks) != 1 {
		t.Fatalf("%+v %v", run, err)
	}
	taskARN := run.Tasks[0].TaskArn
	if len(run.Tasks[0].Tags) != 2 {
		t.Fatalf("RunTask answer without its tags: %+v", run.Tasks[0])
	}
	tags, err := s.ListTagsForResource(ctx, sc, taskARN)
	if err != nil || len(tags) != 2 || tags[0] != (Tag{"env", "dev"}) || tags[1] != (Tag{"team", "a"}) {
		t.Fatalf("%v %v", tags, err)
	}
	if err := s.TagResource(ctx, sc, taskARN, []Tag{{"team", "b"}, {"cost", "42"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.UntagResource(ctx, sc, taskARN, []string{"env", "absent"}); err != nil {
		t.Fatal(err)
	}
	want := []Tag{{"team", "b"}, {"cost", "42"}}
	check := func(what string) {
		t.Helper()
		tags, err := s.ListTagsForResource(ctx, sc, taskARN)
		if err != nil || len(tags) != 2 || tags[0] != want[0] || tags[1] != want[1] {
			t.Fatalf("%s: %v %v", what, tags, err)
		}
	}
	check("tagged")

	dt, err := s.DescribeTasks(ctx, sc, &DescribeTasksInput{Tasks: []string{taskARN}})
	if err != nil || len(dt.Tasks) != 1 || dt.Tasks[0].Tags != nil {
		t.Fatalf("tags without include: %+v %v", dt, err)
	}
	dt, err = s.DescribeTasks(ctx, sc, &DescribeTasksInput{Tasks: []string{taskIDOf(taskARN)}, Include: []string{"TAGS"}})
	if err != nil || len(dt.Tasks) != 1 || len(dt.Tasks[0].Tags) != 2 || dt.Tasks[0].Tags[0] != want[0] {
		t.Fatalf("tags with include: %+v %v", dt, err)
	}
	// Describing without TAGS did not drop them.
	check("described")

	// The agent's reports and StopTask rewrite the task: the tags stay.
	if _, err := s.SubmitTaskStateChange(ctx, sc, &SubmitTaskStateChangeInput{Task: taskARN, Status: TaskRunning}); err != nil {
		t.Fatal(err)
	}
	st, err := s.StopTask(ctx, sc, &StopTaskInput{Task: taskARN})
	if err != nil || st.Tags != nil {
		t.Fatalf("%+v %v", st, err)
	}
	if _, err := s.SubmitTaskStateChange(ctx, sc, &SubmitTaskStateChangeInput{Task: taskARN, Status: TaskStopped}); err != nil {
		t.Fatal(err)
	}
	check("stopped")
	// A stopped task is still taggable, as it is describable.
	if err := s.TagResource(ctx, sc, taskARN, []Tag{{"done", "yes"}}); err != nil {
		t.Fatal(err)
	}
	tags, _ = s.ListTagsForResource(ctx, sc, taskARN)
	if len(tags) != 3 || tags[2] != (Tag{"done", "yes"}) {
		t.Fatal(tags)
	}
	// Tags are the task's own, not its instance's.
	if tags, _ := s.ListTagsForResource(ctx, sc, ci.ContainerInstanceArn); len(tags) != 0 {
		t.Fatal(tags)
	}

	// The same rules as for other resources.
	var many []Tag
	for i := range 48 {
		many = append(many, Tag{Key: "k" + strings.Repeat("x", i)})
	}
	err = s.TagResource(ctx, sc, taskARN, many)
	wantErr(t, err, "InvalidParameterException", "A resource can have at most 50 tags.")
	err = s.TagResource(ctx, sc, taskARN, []Tag{{"AWS:team", "x"}})
	wantErr(t, err, "InvalidParameterException", "Tag keys cannot start with the reserved prefix 'aws:'.")
	err = s.TagResource(ctx, sc, taskARN, nil)
	wantErr(t, err, "InvalidParameterException", "Tags cannot be null or empty.")
	err = s.UntagResource(ctx, sc, taskARN, nil)
	wantErr(t, err, "InvalidParameterException", "TagKeys cannot be null or empty.")
	tags, _ = s.ListTagsForResource(ctx, sc, taskARN)
	if len(tags) != 3 {
		t.Fatalf("a refused call changed the tags: %v", tags)
	}

	// The tasks of a deleted cluster stay describable, and taggable.
	force := true
	if _, err := s.DeregisterContainerInstance(ctx, sc, &DeregisterContainerInstanceInput{ContainerInstance: ci.ContainerInstanceArn, Force: &force}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteCluster(ctx, sc, "default"); err != nil {
		t.Fatal(err)
	}
	if err := s.UntagResource(ctx, sc, taskARN, []string{"done"}); err != nil {
		t.Fatal(err)
	}
	check("cluster deleted")

	// Unknown tasks are not found, as other missing resources are.
	unknown := "arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef"
	_, err = s.ListTagsForResource(ctx, sc, unknown)
	wantErr(t, err, "ResourceNotFoundException", "The specified resource could not be found.")
	err = s.TagResource(ctx, sc, unknown, []Tag{{"a", "b"}})
	wantErr(t, err, "ResourceNotFoundException", "")
	err = s.UntagResource(ctx, sc, unknown, []string{"a"})
	wantErr(t, err, "ResourceNotFoundException", "")
	_, err = s.ListTagsForResource(ctx, sc, "arn:aws:ecs:us-east-1:123456789012:task/nope/0123456789abcdef0123456789abcdef")
	wantErr(t, err, "ClusterNotFoundException", "")
	_, err = s.ListTagsForResource(ctx, sc, "arn:aws:ecs:us-east-1:999999999999:task/default/0123456789abcdef0123456789abcdef")
	wantErr(t, err, "ResourceNotFoundException", "")
	// The short format names no cluster; malformed IDs are refused.
	for _, bad := range []string{
		"arn:aws:ecs:us-east-1:123456789012:task/" + taskIDOf(taskARN),
		"arn:aws:ecs:us-east-1:123456789012:task/default/xyz",
		"arn:aws:ecs:us-east-1:123456789012:task/default/",
		"arn:aws:ecs:us-east-1:123456789012:task/",
	} {
		_, err = s.ListTagsForResource(ctx, sc, bad)
		wantErr(t, err, "InvalidParameterException", "Invalid resource arn "+bad+".")
	}
}

// ListTasks pages through a cluster's tasks in ID order, whatever the page
// size.
func TestListTasksPages(t *testing.T) {
	s, _ := taskFixture(t)
	ctx := context.Background()
	register(t, s, 4096, 4096)
	var want []string
	for range 3 {
		out, err := s.RunTask(ctx, sc, &RunTaskInput{TaskDefinition: "plain", Count: intp(2)})
		if err != nil || len(out.Tasks) != 2 {
			t.Fatalf("%+v %v", out, err)
		}
		for _, tk := range out.Tasks {
			want = append(want, tk.TaskArn)
		}
	}
	slices.SortFunc(want, func(a, b string) int { return strings.Compare(taskIDOf(a), taskIDOf(b)) })
	for size := 1; size <= len(want)+1; size++ {
		var got []string
		token := ""
		for {
			out, err := s.ListTasks(ctx, sc, &ListTasksInput{MaxResults: intp(size), NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, out.TaskArns...)
			if token = out.NextToken; token == "" {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("page size %d: %v, want %v", size, got, want)
		}
	}
}

// Describe calls name what they could not find as it was given when it
// belongs elsewhere (another cluster, account or region), else by the ARN
// it resolves to; an identifier of the wrong shape fails the call.
func TestDescribeMissing(t *testing.T) {
	s, _ := taskFixture(t)
	ctx := context.Background()
	ci := register(t, s, 4096, 4096)
	run, err := s.RunTask(ctx, sc, &RunTaskInput{TaskDefinition: "plain"})
	if err != nil || len(run.Tasks) != 1 {
		t.Fatalf("%+v %v", run, err)
	}
	const id = "0123456789abcdef0123456789abcdef"
	base := "arn:aws:ecs:us-east-1:123456789012:"
	other := "arn:aws:ecs:eu-west-1:123456789012:"

	di, err := s.DescribeContainerInstances(ctx, sc, &DescribeContainerInstancesInput{ContainerInstances: []string{
		ci.ContainerInstanceArn, id, base + "container-instance/other/" + id, other + "container-instance/default/" + id}})
	if err != nil || len(di.ContainerInstances) != 1 {
		t.Fatalf("%+v %v", di, err)
	}
	want := []Failure{{Arn: base + "container-instance/default/" + id, Reason: "MISSING"},
		{Arn: base + "container-instance/other/" + id, Reason: "MISSING"}, {Arn: other + "container-instance/default/" + id, Reason: "MISSING"}}
	if !slices.Equal(di.Failures, want) {
		t.Fatalf("%+v", di.Failures)
	}
	_, err = s.DescribeContainerInstances(ctx, sc, &DescribeContainerInstancesInput{ContainerInstances: []string{"nope"}})
	wantErr(t, err, "InvalidParameterException", "Invalid identifier: nope is not a container instance ID or ARN.")

	dt, err := s.DescribeTasks(ctx, sc, &DescribeTasksInput{Tasks: []string{
		run.Tasks[0].TaskArn, id, base + "task/other/" + id, other + "task/default/" + id}})
	if err != nil || len(dt.Tasks) != 1 {
		t.Fatalf("%+v %v", dt, err)
	}
	want = []Failure{{Arn: base + "task/default/" + id, Reason: "MISSING"},
		{Arn: base + "task/other/" + id, Reason: "MISSING"}, {Arn: other + "task/default/" + id, Reason: "MISSING"}}
	if !slices.Equal(dt.Failures, want) {
		t.Fatalf("%+v", dt.Failures)
	}
	_, err = s.DescribeTasks(ctx, sc, &DescribeTasksInput{Tasks: []string{"nope"}})
	wantErr(t, err, "InvalidParameterException", "Invalid identifier: nope is not a task ID or ARN.")
	_, err = s.StopTask(ctx, sc, &StopTaskInput{Task: id})
	wantErr(t, err, "InvalidParameterException", "The referenced task was not found.")
}
