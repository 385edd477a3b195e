package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/store/memory"
	"github.com/rolecall/rolecall/internal/sts/token"
)

// syncBuffer is a log sink safe for the server's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// agentCreds are an instance role session's credentials, for raw Poll
// requests.
type agentCreds struct{ key, secret, token string }

func instanceCreds(t *testing.T, ts *testServer, roleARN, instanceID string) agentCreds {
	t.Helper()
	c, err := ts.Server.STS.AssumeRoleForService(context.Background(), "ec2.amazonaws.com", roleARN, instanceID, 0, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return agentCreds{c.AccessKeyID, c.SecretAccessKey, c.SessionToken}
}

// ecsSigned sends a signed JSON 1.1 request and returns the status and
// the raw body.
func ecsSigned(t *testing.T, ts *testServer, op, body string, c agentCreds) (int, []byte) {
	t.Helper()
	req := signedRequest(t, ts.URL, "ecs", body, c.key, c.secret, c.token)
	req.Header.Set("X-Amz-Target", ecsTargetPrefix+"."+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func pollAs(t *testing.T, ts *testServer, c agentCreds, instanceARN string, ack int64) *ecs.PollOutput {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"containerInstance": instanceARN, "ackSequence": ack})
	status, b := ecsSigned(t, ts, "Poll", string(body), c)
	if status != 200 {
		t.Fatalf("Poll: %d %s", status, b)
	}
	var out ecs.PollOutput
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return &out
}

func stsAs(ts *testServer, d ecs.CredentialDelivery) *awssts.Client {
	cfg := ts.Cfg.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(d.AccessKeyID, d.SecretAccessKey, d.SessionToken)
	return awssts.NewFromConfig(cfg)
}

func iamAs(ts *testServer, d ecs.CredentialDelivery) *awsiam.Client {
	cfg := ts.Cfg.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(d.AccessKeyID, d.SecretAccessKey, d.SessionToken)
	return awsiam.NewFromConfig(cfg)
}

// The seed end to end: an instance registers, a user runs a task whose
// definition names a task role, the instance polls and receives the task
// with the role's credentials, and those credentials act as
// assumed-role/ROLE/TASK_ID with exactly the role's permissions; refresh
// keeps the credential ID, StopTask revokes, and no secret reaches
// DescribeTasks or the server log.
func TestECSTaskRoleVending(t *testing.T) {
	ts := newTestServer(t)
	logs := &syncBuffer{}
	ts.Server.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	root := ecsClient(ts, "", "", "")
	if _, err := root.CreateCluster(ctx, &awsecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}

	// The instance: a session of ecsInstanceRole, assumed by EC2.
	instRole := ecsRole(t, ts, "ecsInstanceRole", ecsEC2Trust, "", ecsInstancePolicyARN)
	ac := instanceCreds(t, ts, instRole, "i-0123456789abcdef0")
	agent := ecsClient(ts, ac.key, ac.secret, ac.token)
	reg, err := agent.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{TotalResources: []ecstypes.Resource{
		{Name: aws.String("CPU"), Type: aws.String("INTEGER"), IntegerValue: 2048},
		{Name: aws.String("MEMORY"), Type: aws.String("INTEGER"), IntegerValue: 3800}}})
	if err != nil {
		t.Fatal(err)
	}
	instanceARN := aws.ToString(reg.ContainerInstance.ContainerInstanceArn)
	dp, err := agent.DiscoverPollEndpoint(ctx, &awsecs.DiscoverPollEndpointInput{ContainerInstance: aws.String(instanceARN)})
	if err != nil || aws.ToString(dp.Endpoint) != ts.URL || aws.ToString(dp.TelemetryEndpoint) != ts.URL {
		t.Fatalf("%+v %v", dp, err)
	}
	if status, b := ecsSigned(t, ts, "StartTelemetrySession", `{"containerInstance":"`+instanceARN+`"}`, ac); status != 200 || string(b) != "{}" {
		t.Fatalf("%d %s", status, b)
	}

	// The task role trusts ecs-tasks and may list roles, nothing else.
	appRole := ecsRole(t, ts, "appRole", ecsTasksTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`)
	if _, err := root.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("app"), TaskRoleArn: aws.String(appRole),
		ContainerDefinitions: []ecstypes.ContainerDefinition{containerDef("web")}}); err != nil {
		t.Fatal(err)
	}
	tdARN := "arn:aws:ecs:us-east-1:123456789012:task-definition/app:1"

	// A user without iam:PassRole to ecs-tasks cannot run it.
	nopass := ecsUser(t, ts, "nopass", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:RunTask"],"Resource":"*"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}]}`)
	_, err = nopass.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("app")})
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/nopass", "iam:PassRole", appRole), 400)
	// Nor one without ecs:RunTask on the definition.
	norun := ecsUser(t, ts, "norun", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:RunTask"],"Resource":"arn:aws:ecs:*:*:task-definition/other:*"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`)
	_, err = norun.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("app")})
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/norun", "ecs:RunTask", tdARN), 400)

	runner := ecsUser(t, ts, "runner", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ecs:RunTask","ecs:StopTask","ecs:DescribeTasks","ecs:ListTasks"],"Resource":"*","Condition":{"StringEquals":{"ecs:cluster":"arn:aws:ecs:us-east-1:123456789012:cluster/default"}}},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"`+appRole+`","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]}`)
	run, err := runner.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("app"), StartedBy: aws.String("ci"),
		Overrides: &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String("web"), Command: []string{"sleep", "60"},
			Environment: []ecstypes.KeyValuePair{{Name: aws.String("A"), Value: aws.String("b")}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Tasks) != 1 || len(run.Failures) != 0 {
		t.Fatalf("%+v", run)
	}
	taskARN := aws.ToString(run.Tasks[0].TaskArn)
	taskID := taskARN[strings.LastIndexByte(taskARN, '/')+1:]
	if aws.ToString(run.Tasks[0].LastStatus) != "PENDING" || aws.ToString(run.Tasks[0].ContainerInstanceArn) != instanceARN ||
		aws.ToString(run.Tasks[0].TaskDefinitionArn) != tdARN || len(run.Tasks[0].Containers) != 1 {
		t.Fatalf("%+v", run.Tasks[0])
	}

	// Poll is the instance's: a user without ecs:Poll is refused.
	other := userCreds(t, ts, "other", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:Submit*","ecs:DiscoverPollEndpoint"],"Resource":"*"}]}`)
	status, b := ecsSigned(t, ts, "Poll", `{"containerInstance":"`+instanceARN+`"}`, other)
	var ae map[string]string
	_ = json.Unmarshal(b, &ae)
	if status != 400 || ae["__type"] != "AccessDeniedException" || ae["message"] != deniedMessage("arn:aws:iam::123456789012:user/other", "ecs:Poll", instanceARN) {
		t.Fatalf("%d %s", status, b)
	}

	// Nor may another principal that ecs:Poll allows, even with the same
	// managed policy (another instance's session, or a user): the instance
	// is bound to the session that registered it. It cannot take the
	// instance over by registering it again, poll it (which would hand it
	// the task role's credentials and acknowledge the agent's messages) or
	// report its tasks' state.
	for _, rogue := range []agentCreds{
		instanceCreds(t, ts, instRole, "i-0fedcba9876543210"),
		userCreds(t, ts, "rogue", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}`),
	} {
		want := "Container instance " + instanceARN[strings.LastIndexByte(instanceARN, '/')+1:] + " was registered by another principal; only the identity that registered it (for a role session, the same session name) may act as its agent."
		for _, call := range []struct{ op, body string }{
			{"RegisterContainerInstance", `{"containerInstanceArn":"` + instanceARN + `"}`},
			{"Poll", `{"containerInstance":"` + instanceARN + `","ackSequence":1000}`},
			{"SubmitTaskStateChange", `{"task":"` + taskARN + `","status":"STOPPED","reason":"hijacked"}`},
			{"SubmitContainerStateChange", `{"task":"` + taskARN + `","containerName":"web","status":"STOPPED","exitCode":1}`},
		} {
			status, b := ecsSigned(t, ts, call.op, call.body, rogue)
			var ae map[string]string
			_ = json.Unmarshal(b, &ae)
			if status != 400 || ae["__type"] != "AccessDeniedException" || ae["message"] != want {
				t.Fatalf("%s by another principal: %d %s", call.op, status, b)
			}
			for _, secret := range []string{"ASIA", "SecretAccessKey"} {
				if strings.Contains(string(b), secret) {
					t.Fatalf("%s leaked credentials: %s", call.op, b)
				}
			}
		}
	}

	p := pollAs(t, ts, ac, instanceARN, 0)
	if len(p.Tasks) != 1 || len(p.Tasks[0].Credentials) != 1 {
		t.Fatalf("%+v", p)
	}
	pt := p.Tasks[0]
	if pt.TaskArn != taskARN || pt.DesiredStatus != "RUNNING" || pt.TaskDefinition.TaskRoleArn != appRole ||
		len(pt.Overrides.ContainerOverrides) != 1 || pt.Overrides.ContainerOverrides[0].Command[0] != "sleep" {
		t.Fatalf("%+v", pt)
	}
	d := pt.Credentials[0]
	if d.RoleType != "TaskRole" || d.RoleArn != appRole || d.TaskArn != taskARN || len(d.CredentialsID) != 36 ||
		time.Until(d.Expiration.Time) < 5*time.Hour || time.Until(d.Expiration.Time) > 6*time.Hour+time.Minute {
		t.Fatalf("%v %s", d, d.Expiration)
	}
	secrets := []string{d.SecretAccessKey, d.SessionToken, d.CredentialsID}

	// The credentials are the task's role session.
	id, err := stsAs(ts, d).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(id.Arn); got != "arn:aws:sts::123456789012:assumed-role/appRole/"+taskID {
		t.Fatal(got)
	}
	if _, err := iamAs(ts, d).ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = iamAs(ts, d).ListUsers(ctx, &awsiam.ListUsersInput{})
	apiError(t, err, "AccessDenied", "", 403)

	// Not acknowledged: a re-poll (a crashed agent) gets the same.
	again := pollAs(t, ts, ac, instanceARN, 0)
	if len(again.Tasks) != 1 || again.Tasks[0].Credentials[0].CredentialsID != d.CredentialsID || again.Sequence != p.Sequence {
		t.Fatalf("%+v", again)
	}
	if empty := pollAs(t, ts, ac, instanceARN, p.Sequence); len(empty.Tasks) != 0 {
		t.Fatalf("%+v", empty)
	}

	// The agent reports the task running.
	if _, err := agent.SubmitTaskStateChange(ctx, &awsecs.SubmitTaskStateChangeInput{Task: aws.String(taskARN), Status: aws.String("RUNNING"),
		PullStartedAt: aws.Time(time.Now().Add(-time.Second)), PullStoppedAt: aws.Time(time.Now()),
		Containers: []ecstypes.ContainerStateChange{{ContainerName: aws.String("web"), Status: aws.String("RUNNING"), RuntimeId: aws.String("c0ffee")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.SubmitContainerStateChange(ctx, &awsecs.SubmitContainerStateChangeInput{Task: aws.String(taskARN), ContainerName: aws.String("web"),
		Status: aws.String("RUNNING"), NetworkBindings: []ecstypes.NetworkBinding{{ContainerPort: aws.Int32(80), HostPort: aws.Int32(32768)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.SubmitAttachmentStateChanges(ctx, &awsecs.SubmitAttachmentStateChangesInput{
		Attachments: []ecstypes.AttachmentStateChange{{AttachmentArn: aws.String("arn:aws:ecs:us-east-1:123456789012:attachment/x"), Status: aws.String("ATTACHED")}}}); err != nil {
		t.Fatal(err)
	}

	// Refresh: new credentials under the same ID, still the task's session.
	n, err := ts.Server.ECS.RefreshDue(ctx, time.Now().Add(5*time.Hour))
	if n != 1 || err != nil {
		t.Fatal(n, err)
	}
	r := pollAs(t, ts, ac, instanceARN, p.Sequence)
	if len(r.RefreshedCredentials) != 1 {
		t.Fatalf("%+v", r)
	}
	nd := r.RefreshedCredentials[0]
	if nd.CredentialsID != d.CredentialsID || nd.AccessKeyID == d.AccessKeyID || nd.SessionToken == d.SessionToken {
		t.Fatalf("%v", nd)
	}
	secrets = append(secrets, nd.SecretAccessKey, nd.SessionToken)
	if id, err := stsAs(ts, nd).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{}); err != nil || aws.ToString(id.Arn) != "arn:aws:sts::123456789012:assumed-role/appRole/"+taskID {
		t.Fatal(id, err)
	}

	// Described and listed without any secret.
	dt, err := runner.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: []string{taskARN, "0123456789abcdef0123456789abcdef"}})
	if err != nil || len(dt.Tasks) != 1 || len(dt.Failures) != 1 || aws.ToString(dt.Failures[0].Reason) != "MISSING" {
		t.Fatalf("%+v %v", dt, err)
	}
	if got := dt.Tasks[0]; aws.ToString(got.LastStatus) != "RUNNING" || got.StartedAt == nil || got.PullStartedAt == nil ||
		aws.ToString(got.Containers[0].RuntimeId) != "c0ffee" || len(got.Containers[0].NetworkBindings) != 1 {
		t.Fatalf("%+v", got)
	}
	_, raw := ecsRaw(t, ts, "DescribeTasks", `{"tasks":["`+taskARN+`"],"include":["TAGS"]}`)
	rawJSON, _ := json.Marshal(raw)
	for _, s := range secrets {
		if strings.Contains(string(rawJSON), s) {
			t.Fatalf("DescribeTasks shows a secret: %s", rawJSON)
		}
	}
	lt, err := runner.ListTasks(ctx, &awsecs.ListTasksInput{StartedBy: aws.String("ci"), Family: aws.String("app")})
	if err != nil || len(lt.TaskArns) != 1 {
		t.Fatalf("%+v %v", lt, err)
	}
	_, err = root.DeleteCluster(ctx, &awsecs.DeleteClusterInput{Cluster: aws.String("default")})
	apiError(t, err, "ClusterContainsTasksException", "", 400)

	// StopTask revokes: the agent is told to stop the task and forget the ID.
	st, err := runner.StopTask(ctx, &awsecs.StopTaskInput{Task: aws.String(taskARN), Reason: aws.String("bye")})
	if err != nil || aws.ToString(st.Task.DesiredStatus) != "STOPPED" || st.Task.StopCode != ecstypes.TaskStopCodeUserInitiated {
		t.Fatalf("%+v %v", st, err)
	}
	sp := pollAs(t, ts, ac, instanceARN, r.Sequence)
	if len(sp.Tasks) != 1 || sp.Tasks[0].DesiredStatus != "STOPPED" || len(sp.Tasks[0].Credentials) != 0 ||
		len(sp.RevokedCredentialIds) != 1 || sp.RevokedCredentialIds[0] != d.CredentialsID {
		t.Fatalf("%+v", sp)
	}
	if n, _ := ts.Server.ECS.RefreshDue(ctx, time.Now().Add(5*time.Hour)); n != 0 {
		t.Fatal("revoked credentials refreshed")
	}
	if _, err := agent.SubmitTaskStateChange(ctx, &awsecs.SubmitTaskStateChangeInput{Task: aws.String(taskARN), Status: aws.String("STOPPED"),
		Containers: []ecstypes.ContainerStateChange{{ContainerName: aws.String("web"), Status: aws.String("STOPPED"), ExitCode: aws.Int32(137), Reason: aws.String("killed")}}}); err != nil {
		t.Fatal(err)
	}
	dt, _ = runner.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: []string{taskID}})
	if got := dt.Tasks[0]; aws.ToString(got.LastStatus) != "STOPPED" || aws.ToString(got.StoppedReason) != "bye" || got.StoppedAt == nil ||
		aws.ToInt32(got.Containers[0].ExitCode) != 137 || aws.ToString(got.Containers[0].Reason) != "killed" {
		t.Fatalf("%+v", got)
	}

	// Nothing secret in the server's log.
	log := logs.String()
	if !strings.Contains(log, "Poll") {
		t.Fatal("log not captured")
	}
	for _, s := range secrets {
		if strings.Contains(log, s) {
			t.Fatalf("the log shows a secret")
		}
	}
}

// userCreds creates a user with an inline policy and returns its
// access key.
func userCreds(t *testing.T, ts *testServer, name, inline string) agentCreds {
	t.Helper()
	ctx := context.Background()
	if _, err := ts.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(inline)}); err != nil {
		t.Fatal(err)
	}
	k, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return agentCreds{key: aws.ToString(k.AccessKey.AccessKeyId), secret: aws.ToString(k.AccessKey.SecretAccessKey)}
}

// FuzzECSTaskOps sends arbitrary JSON bodies to the task, agent and tag
// operations: whatever arrives, the answer is a JSON body with a status
// below 500.
func FuzzECSTaskOps(f *testing.F) {
	ops := []string{"RunTask", "StopTask", "DescribeTasks", "ListTasks", "SubmitTaskStateChange", "SubmitContainerStateChange",
		"SubmitAttachmentStateChanges", "DiscoverPollEndpoint", "StartTelemetrySession", "Poll",
		"TagResource", "UntagResource", "ListTagsForResource"}
	for i, seed := range []string{
		`{}`, `null`, `[]`, `"x"`, `{"taskDefinition":"app","count":11}`, `{"taskDefinition":"app","count":0}`,
		`{"taskDefinition":"app:1","overrides":{"containerOverrides":[{"name":"nope"}]}}`,
		`{"taskDefinition":"app","overrides":{"taskRoleArn":"arn:aws:iam::123456789012:role/none"}}`,
		`{"taskDefinition":"arn:aws:ecs:us-east-1:123456789012:task-definition/app:1","launchType":"FARGATE"}`,
		`{"task":"arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef","status":"RUNNING"}`,
		`{"task":"0123456789abcdef0123456789abcdef","status":"BOGUS","containers":[{"containerName":"web","exitCode":"x"}]}`,
		`{"tasks":["arn:aws:ecs:us-east-1:123456789012:task/x"],"include":["NOPE"]}`, `{"tasks":[]}`,
		`{"desiredStatus":"DONE"}`, `{"containerInstance":"arn:aws:ecs:us-east-1:123456789012:container-instance/default/zz"}`,
		`{"containerInstance":"0123456789abcdef0123456789abcdef","waitSeconds":99}`, `{"containerInstance":"x","ackSequence":-1}`,
		`{"attachments":[{"attachmentArn":1}]}`, `{"pullStartedAt":"yesterday","task":"t"}`, `{"cluster":"bad name"}`,
		`{"taskDefinition":"app","tags":[{"key":"aws:x","value":"y"}]}`, `{"maxResults":0,"nextToken":"%%"}`,
		`{"resourceArn":"arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef","tags":[{"key":"a","value":"b"}]}`,
		`{"resourceArn":"arn:aws:ecs:us-east-1:123456789012:task/default/x","tagKeys":["a"]}`,
		`{"resourceArn":"arn:aws:ecs:us-east-1:123456789012:task/nope/0123456789abcdef0123456789abcdef"}`,
	} {
		f.Add(ops[i%len(ops)], seed)
	}
	st := memory.New()
	svc := iam.New(st)
	ctx := context.Background()
	if _, err := svc.EnsureAccount(ctx, testAccount); err != nil {
		f.Fatal(err)
	}
	srv := New(slog.New(slog.NewTextHandler(io.Discard, nil)), svc, testAccount, "us-east-1")
	tokens, err := token.Watch(ctx, st, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		f.Fatal(err)
	}
	srv.Tokens = tokens
	srv.Dev = true // signatures are not what this target explores
	h := srv.Handler()
	send := func(op, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", ecsTargetPrefix+"."+op)
		req.Header.Set("Content-Type", jsonContentType)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	// Something to act on: a cluster, an instance and a definition.
	send("CreateCluster", `{}`)
	send("RegisterContainerInstance", `{"containerInstanceArn":"","totalResources":[{"name":"MEMORY","type":"INTEGER","integerValue":512}]}`)
	send("RegisterTaskDefinition", `{"family":"app","containerDefinitions":[{"name":"web","image":"i","memory":64}]}`)
	f.Fuzz(func(t *testing.T, op, body string) {
		if !strings.Contains(strings.Join(ops, " "), op) || op == "" || strings.Contains(op, " ") {
			op = "RunTask"
		}
		if op == "Poll" {
			// A long poll would only make the target slow.
			var p struct {
				WaitSeconds *int `json:"waitSeconds"`
			}
			if json.NewDecoder(strings.NewReader(body)).Decode(&p) == nil && p.WaitSeconds != nil && *p.WaitSeconds > 0 {
				return
			}
		}
		rec := send(op, body)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d: %s", op, body, rec.Code, rec.Body.String())
		}
		var v map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("%s %q: not a JSON object: %s", op, body, rec.Body.String())
		}
	})
}

// Tasks are taggable resources: RunTask's tags are listed, TagResource and
// UntagResource act on a task ARN, DescribeTasks shows tags only with
// include TAGS, and StopTask, DescribeTasks and the tag operations see the
// task's tags as aws:ResourceTag/*.
func TestECSTaskTags(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	root := ecsClient(ts, "", "", "")
	if _, err := root.CreateCluster(ctx, &awsecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{TotalResources: []ecstypes.Resource{
		{Name: aws.String("CPU"), Type: aws.String("INTEGER"), IntegerValue: 2048},
		{Name: aws.String("MEMORY"), Type: aws.String("INTEGER"), IntegerValue: 2048}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("app"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{containerDef("web")}}); err != nil {
		t.Fatal(err)
	}
	tag := func(k, v string) ecstypes.Tag { return ecstypes.Tag{Key: aws.String(k), Value: aws.String(v)} }
	runTagged := func(env string) string {
		t.Helper()
		out, err := root.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("app"), Tags: []ecstypes.Tag{tag("env", env)}})
		if err != nil || len(out.Tasks) != 1 {
			t.Fatalf("%+v %v", out, err)
		}
		return aws.ToString(out.Tasks[0].TaskArn)
	}
	devTask, prodTask := runTagged("dev"), runTagged("prod")
	tagsOf := func(arn string) map[string]string {
		t.Helper()
		out, err := root.ListTagsForResource(ctx, &awsecs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, tg := range out.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return m
	}

	// RunTask's tags are the task's.
	if got := tagsOf(devTask); len(got) != 1 || got["env"] != "dev" {
		t.Fatalf("%v", got)
	}
	// TagResource and UntagResource on a task ARN.
	if _, err := root.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String(prodTask),
		Tags: []ecstypes.Tag{tag("team", "core"), tag("cost", "7")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.UntagResource(ctx, &awsecs.UntagResourceInput{ResourceArn: aws.String(prodTask), TagKeys: []string{"cost"}}); err != nil {
		t.Fatal(err)
	}
	if got := tagsOf(prodTask); len(got) != 2 || got["env"] != "prod" || got["team"] != "core" {
		t.Fatalf("%v", got)
	}
	_, err := root.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String(prodTask), Tags: []ecstypes.Tag{tag("aws:env", "x")}})
	apiError(t, err, "InvalidParameterException", "Tag keys cannot start with the reserved prefix 'aws:'.", 400)

	// DescribeTasks: tags only with include TAGS.
	dt, err := root.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: []string{devTask, prodTask}})
	if err != nil || len(dt.Tasks) != 2 || len(dt.Tasks[0].Tags)+len(dt.Tasks[1].Tags) != 0 {
		t.Fatalf("tags without include: %+v %v", dt, err)
	}
	dt, err = root.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: []string{devTask, prodTask}, Include: []ecstypes.TaskField{ecstypes.TaskFieldTags}})
	if err != nil || len(dt.Tasks) != 2 {
		t.Fatalf("%+v %v", dt, err)
	}
	for _, task := range dt.Tasks {
		want := map[string]int{devTask: 1, prodTask: 2}[aws.ToString(task.TaskArn)]
		if len(task.Tags) != want || aws.ToString(task.Tags[0].Key) != "env" {
			t.Fatalf("tags with include: %s %+v", aws.ToString(task.TaskArn), task.Tags)
		}
	}
	_, raw := ecsRaw(t, ts, "DescribeTasks", `{"tasks":["`+devTask+`"]}`)
	if task := raw["tasks"].([]any)[0].(map[string]any); task["tags"] != nil {
		t.Fatalf("tags without include on the wire: %v", task)
	}

	// StopTask allowed only on tasks tagged env=dev.
	stopper := ecsUser(t, ts, "stopper", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ecs:StopTask","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"dev"}}}]}`)
	_, err = stopper.StopTask(ctx, &awsecs.StopTaskInput{Task: aws.String(prodTask)})
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/stopper", "ecs:StopTask", prodTask), 400)
	st, err := stopper.StopTask(ctx, &awsecs.StopTaskInput{Task: aws.String(devTask)})
	if err != nil || aws.ToString(st.Task.DesiredStatus) != "STOPPED" {
		t.Fatalf("%+v %v", st, err)
	}
	// The denied StopTask changed nothing; the allowed one kept the tags.
	dt, _ = root.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: []string{prodTask}})
	if aws.ToString(dt.Tasks[0].DesiredStatus) != "RUNNING" {
		t.Fatalf("%+v", dt.Tasks[0])
	}
	if got := tagsOf(devTask); got["env"] != "dev" {
		t.Fatalf("%v", got)
	}

	// DescribeTasks and the tag operations by the task's tags (an ID
	// resolves to the same task and tags).
	reader := ecsUser(t, ts, "reader", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ecs:DescribeTasks","ecs:ListTagsForResource","ecs:TagResource","ecs:UntagResource"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"dev"}}}]}`)
	devID := devTask[strings.LastIndexByte(devTask, '/')+1:]
	if _, err := reader.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: []string{devID}}); err != nil {
		t.Fatal(err)
	}
	_, err = reader.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: []string{devID, prodTask}})
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/reader", "ecs:DescribeTasks", prodTask), 400)
	if _, err := reader.ListTagsForResource(ctx, &awsecs.ListTagsForResourceInput{ResourceArn: aws.String(devTask)}); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String(devTask), Tags: []ecstypes.Tag{tag("seen", "yes")}}); err != nil {
		t.Fatal(err)
	}
	for _, call := range []struct {
		action string
		do     func() error
	}{
		{"ecs:ListTagsForResource", func() error {
			_, err := reader.ListTagsForResource(ctx, &awsecs.ListTagsForResourceInput{ResourceArn: aws.String(prodTask)})
			return err
		}},
		{"ecs:TagResource", func() error {
			_, err := reader.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String(prodTask), Tags: []ecstypes.Tag{tag("env", "dev")}})
			return err
		}},
		{"ecs:UntagResource", func() error {
			_, err := reader.UntagResource(ctx, &awsecs.UntagResourceInput{ResourceArn: aws.String(prodTask), TagKeys: []string{"env"}})
			return err
		}},
	} {
		apiError(t, call.do(), "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/reader", call.action, prodTask), 400)
	}
	if got := tagsOf(prodTask); got["env"] != "prod" {
		t.Fatalf("a denied call changed the tags: %v", got)
	}

	// The reference lists no ecs:cluster for the tag operations: a policy
	// that requires it does not match them.
	byCluster := ecsUser(t, ts, "bycluster", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ecs:ListTagsForResource","ecs:DescribeTasks"],"Resource":"*","Condition":{"ArnEquals":{"ecs:cluster":"arn:aws:ecs:us-east-1:123456789012:cluster/default"}}}]}`)
	if _, err := byCluster.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: []string{prodTask}}); err != nil {
		t.Fatal(err)
	}
	_, err = byCluster.ListTagsForResource(ctx, &awsecs.ListTagsForResourceInput{ResourceArn: aws.String(prodTask)})
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/bycluster", "ecs:ListTagsForResource", prodTask), 400)

	// An unknown task is not found, as other missing resources are.
	unknown := "arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef"
	_, err = root.ListTagsForResource(ctx, &awsecs.ListTagsForResourceInput{ResourceArn: aws.String(unknown)})
	apiError(t, err, "ResourceNotFoundException", "The specified resource could not be found.", 400)
	_, err = root.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String(unknown), Tags: []ecstypes.Tag{tag("a", "b")}})
	apiError(t, err, "ResourceNotFoundException", "The specified resource could not be found.", 400)
	_, err = root.UntagResource(ctx, &awsecs.UntagResourceInput{ResourceArn: aws.String(unknown), TagKeys: []string{"a"}})
	apiError(t, err, "ResourceNotFoundException", "The specified resource could not be found.", 400)
	// The short ARN format is refused.
	short := "arn:aws:ecs:us-east-1:123456789012:task/" + devID
	_, err = root.ListTagsForResource(ctx, &awsecs.ListTagsForResourceInput{ResourceArn: aws.String(short)})
	apiError(t, err, "InvalidParameterException", "Invalid resource arn "+short+".", 400)
}

// An instance without an agent identity (registered in process, or before
// bindings were kept) is refused to API callers until its agent registers
// it again, which binds it to that agent.
func TestECSUnboundInstance(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	if _, err := ecsClient(ts, "", "", "").CreateCluster(ctx, &awsecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	ci, err := ts.Server.ECS.RegisterContainerInstance(ctx, ecs.Scope{Account: "123456789012"}, &ecs.RegisterContainerInstanceInput{})
	if err != nil {
		t.Fatal(err)
	}
	arn := ci.ContainerInstanceArn
	instRole := ecsRole(t, ts, "ecsInstanceRole", ecsEC2Trust, "", ecsInstancePolicyARN)
	agent := instanceCreds(t, ts, instRole, "i-0123456789abcdef0")
	other := instanceCreds(t, ts, instRole, "i-0fedcba9876543210")
	status, b := ecsSigned(t, ts, "Poll", `{"containerInstance":"`+arn+`"}`, agent)
	if status != 400 || !strings.Contains(string(b), "has no agent identity yet") {
		t.Fatalf("Poll of an unbound instance: %d %s", status, b)
	}
	if status, b := ecsSigned(t, ts, "RegisterContainerInstance", `{"containerInstanceArn":"`+arn+`"}`, agent); status != 200 {
		t.Fatalf("re-registering: %d %s", status, b)
	}
	pollAs(t, ts, agent, arn, 0)
	if status, b := ecsSigned(t, ts, "Poll", `{"containerInstance":"`+arn+`"}`, other); status != 400 || !strings.Contains(string(b), "registered by another principal") {
		t.Fatalf("another instance's Poll: %d %s", status, b)
	}
}

// RunTask sees the task definition's tags as aws:ResourceTag/* (and acts
// on the revision's ARN, with ecs:cluster).
func TestECSRunTaskDefinitionTags(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	root := ecsClient(ts, "", "", "")
	if _, err := root.CreateCluster(ctx, &awsecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{}); err != nil {
		t.Fatal(err)
	}
	tdARN := map[string]string{}
	for _, team := range []string{"a", "b"} {
		out, err := root.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("app-" + team),
			ContainerDefinitions: []ecstypes.ContainerDefinition{containerDef("web")},
			Tags:                 []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String(team)}}})
		if err != nil {
			t.Fatal(err)
		}
		tdARN[team] = aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	}
	runner := ecsUser(t, ts, "runner", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ecs:RunTask","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"a","ecs:cluster":"arn:aws:ecs:us-east-1:123456789012:cluster/default"}}}]}`)
	if out, err := runner.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("app-a")}); err != nil || len(out.Tasks) != 1 {
		t.Fatalf("%+v %v", out, err)
	}
	_, err := runner.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("app-b:1")})
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/runner", "ecs:RunTask", tdARN["b"]), 400)
}

// flakyReads is a store whose reads of keys containing fail fail while
// armed: one read going wrong between two that do not.
type flakyReads struct {
	store.Store
	fail  string
	armed atomic.Bool
}

type flakyReader struct {
	store.Reader
	f *flakyReads
}

func (f *flakyReads) View(ctx context.Context, fn func(store.Reader) error) error {
	return f.Store.View(ctx, func(r store.Reader) error { return fn(flakyReader{r, f}) })
}

func (r flakyReader) Get(key string) (store.KV, error) {
	if r.f.armed.Load() && strings.Contains(key, r.f.fail) {
		return store.KV{}, errors.New("disk on fire")
	}
	return r.Reader.Get(key)
}

// A policy that denies on aws:ResourceTag is not skipped when the task's
// tags cannot be read: the call fails (ServerException), it is not allowed
// as if the task had no tags.
func TestECSResourceTagReadFailureDoesNotAllow(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	root := ecsClient(ts, "", "", "")
	if _, err := root.CreateCluster(ctx, &awsecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("app"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{containerDef("web")}}); err != nil {
		t.Fatal(err)
	}
	run, err := root.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("app"), Tags: []ecstypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	if err != nil {
		t.Fatal(err)
	}
	taskARN := aws.ToString(run.Tasks[0].TaskArn)
	user := ecsUser(t, ts, "ops", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:StopTask","Resource":"*"},
		{"Effect":"Deny","Action":"ecs:StopTask","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`)
	flaky := &flakyReads{Store: ts.Server.ECS.Store, fail: "/task/"}
	ts.Server.ECS.Store = flaky
	flaky.armed.Store(true)
	_, err = user.StopTask(ctx, &awsecs.StopTaskInput{Task: aws.String(taskARN)})
	flaky.armed.Store(false)
	apiError(t, err, "ServerException", "", 500)
	_, err = user.StopTask(ctx, &awsecs.StopTaskInput{Task: aws.String(taskARN)})
	apiError(t, err, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: ecs:StopTask on resource: "+
		taskARN+" with an explicit deny in an identity-based policy", 400)
	d, err := root.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: []string{taskARN}})
	if err != nil || aws.ToString(d.Tasks[0].DesiredStatus) != "RUNNING" {
		t.Fatalf("the task was stopped: %+v %v", d, err)
	}
}
