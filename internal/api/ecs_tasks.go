package api

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/sts"
)

// Tasks, the agent-facing operations and task role credential vending.
// Authorization, per the ECS service authorization reference:
//
//   - RunTask: ecs:RunTask on the task definition revision's ARN, with
//     ecs:cluster and the definition's tags; iam:PassRole on the task and
//     execution roles (the definition's, or the overrides'), with
//     iam:PassedToService=ecs-tasks.amazonaws.com; with tags,
//     ecs:TagResource on task/CLUSTER/* with ecs:CreateAction=RunTask;
//   - StopTask, DescribeTasks: ecs:<Op> on each task ARN, with ecs:cluster
//     and the task's tags (aws:ResourceTag/*);
//   - ListTasks: ecs:ListTasks on the container instance (or
//     container-instance/CLUSTER/* without one), with ecs:cluster;
//   - Poll, StartTelemetrySession: ecs:<Op> on the container instance ARN,
//     with ecs:cluster;
//   - SubmitTaskStateChange, SubmitContainerStateChange,
//     SubmitAttachmentStateChanges: ecs:<Op> on the cluster ARN;
//   - DiscoverPollEndpoint: ecs:DiscoverPollEndpoint on "*".
//
// Beyond IAM, an instance is bound to the principal that registered it
// (for a role session, the session's ARN): only it may re-register, Poll
// (which hands out the task roles' credentials) and report the state of the
// instance's tasks, as AWS binds the ACS session to its instance.

func (s *Server) registerECSTasks() {
	// Read s.STS at call time: it may be replaced after New.
	s.ECS.Assumer = serverAssumer{s}
	s.RegisterJSON("ecs", ecsTargetPrefix, map[string]jsonHandler{
		"RunTask":                      ecsOp(s, s.ecsRunTask),
		"StopTask":                     ecsOp(s, s.ecsStopTask),
		"DescribeTasks":                ecsOp(s, s.ecsDescribeTasks),
		"ListTasks":                    ecsOp(s, s.ecsListTasks),
		"SubmitTaskStateChange":        ecsOp(s, s.ecsSubmitTaskStateChange),
		"SubmitContainerStateChange":   ecsOp(s, s.ecsSubmitContainerStateChange),
		"SubmitAttachmentStateChanges": ecsOp(s, s.ecsSubmitAttachmentStateChanges),
		"DiscoverPollEndpoint":         ecsOp(s, s.ecsDiscoverPollEndpoint),
		"StartTelemetrySession":        ecsOp(s, s.ecsStartTelemetrySession),
		"Poll":                         ecsOp(s, s.ecsPoll),
	})
}

type serverAssumer struct{ s *Server }

func (a serverAssumer) AssumeRoleForService(ctx context.Context, service string, roleARN, sessionName string, duration time.Duration, sourceAccount, sourceARN string) (*sts.Credentials, error) {
	return a.s.STS.AssumeRoleForService(ctx, service, roleARN, sessionName, duration, sourceAccount, sourceARN)
}

// RunECSCredentialRefresh refreshes task role credentials that are due,
// every interval (a minute when zero), until ctx is done. Failures are
// logged with the task and role, never the credentials.
func (s *Server) RunECSCredentialRefresh(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = time.Minute
	}
	s.ECS.RefreshLoop(ctx, interval, func(n int, err error) {
		if err != nil {
			s.Log.Warn("refreshing task role credentials", "refreshed", n, "err", err)
			return
		}
		s.Log.Info("refreshed task role credentials", "refreshed", n)
	})
}

func (s *Server) ecsRunTask(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.RunTaskInput) (any, error) {
	if o := in.Overrides; o != nil {
		o.TaskRoleArn, o.ExecutionRoleArn = s.ECS.RoleARN(sc, o.TaskRoleArn), s.ECS.RoleARN(sc, o.ExecutionRoleArn)
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	clusterARN, err := s.ecsClusterARN(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	name, err := s.ECS.ClusterName(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	td, tdTags, err := s.ECS.ResolveTaskDefinition(ctx, sc, in.TaskDefinition)
	if err != nil {
		return nil, err
	}
	keys := (&ecsKeys{cluster: clusterARN}).withResourceTags(tdTags, nil)
	calls := []ecsCall{{action: "ecs:RunTask", resource: td.TaskDefinitionArn, keys: keys}}
	if len(in.Tags) > 0 {
		calls = append(calls, tagOnCreate("RunTask", s.ECS.ARN(sc, "task/"+name+"/*"), in.Tags))
	}
	for _, r := range ecsRoles(in.Roles(td)) {
		calls = append(calls, passRole(r))
	}
	if err := s.authorizeECS(ctx, ri, calls...); err != nil {
		return nil, err
	}
	return s.ECS.RunTask(ctx, sc, in)
}

// ecsTaskCalls are the questions for calls on tasks: each task ARN, with
// ecs:cluster and the task's tags. Its callers refuse an empty task list
// first.
func (s *Server) ecsTaskCalls(ctx context.Context, sc ecs.Scope, action, cluster string, idents []string) ([]ecsCall, error) {
	return s.ecsMemberCalls(ctx, sc, action, cluster, idents, "task/", s.ECS.TaskARN)
}

func (s *Server) ecsStopTask(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.StopTaskInput) (any, error) {
	if in.Task == "" {
		return nil, awserr.New(http.StatusBadRequest, "InvalidParameterException", "Task cannot be null or empty.")
	}
	calls, err := s.ecsTaskCalls(ctx, sc, "StopTask", in.Cluster, []string{in.Task})
	if err != nil {
		return nil, err
	}
	if err := s.authorizeECS(ctx, ri, calls...); err != nil {
		return nil, err
	}
	t, err := s.ECS.StopTask(ctx, sc, in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"task": t}, nil
}

func (s *Server) ecsDescribeTasks(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.DescribeTasksInput) (any, error) {
	if len(in.Tasks) == 0 {
		return nil, awserr.New(http.StatusBadRequest, "InvalidParameterException", "Tasks cannot be empty.")
	}
	if len(in.Tasks) > 100 {
		return nil, awserr.New(http.StatusBadRequest, "InvalidParameterException", "tasks can have at most 100 items.")
	}
	calls, err := s.ecsTaskCalls(ctx, sc, "DescribeTasks", in.Cluster, in.Tasks)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeECS(ctx, ri, calls...); err != nil {
		return nil, err
	}
	return s.ECS.DescribeTasks(ctx, sc, in)
}

func (s *Server) ecsListTasks(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.ListTasksInput) (any, error) {
	var idents []string
	if in.ContainerInstance != "" {
		idents = []string{in.ContainerInstance}
	}
	calls, err := s.ecsInstanceCalls(ctx, sc, "ListTasks", in.Cluster, idents)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeECS(ctx, ri, calls...); err != nil {
		return nil, err
	}
	return s.ECS.ListTasks(ctx, sc, in)
}

func (s *Server) ecsSubmitTaskStateChange(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.SubmitTaskStateChangeInput) (any, error) {
	if err := s.ecsAuthorizeOnCluster(ctx, ri, sc, "SubmitTaskStateChange", in.Cluster); err != nil {
		return nil, err
	}
	in.Agent = ri.caller.ARN
	return s.ECS.SubmitTaskStateChange(ctx, sc, in)
}

func (s *Server) ecsSubmitContainerStateChange(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.SubmitContainerStateChangeInput) (any, error) {
	if err := s.ecsAuthorizeOnCluster(ctx, ri, sc, "SubmitContainerStateChange", in.Cluster); err != nil {
		return nil, err
	}
	in.Agent = ri.caller.ARN
	return s.ECS.SubmitContainerStateChange(ctx, sc, in)
}

// ecsSubmitAttachmentStateChanges accepts attachment (ENI) state changes.
// rolecall has no attachments (no awsvpc ENIs): the changes are
// acknowledged and dropped.
func (s *Server) ecsSubmitAttachmentStateChanges(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *struct {
	Cluster     string `json:"cluster"`
	Attachments []struct {
		AttachmentArn string `json:"attachmentArn"`
		Status        string `json:"status"`
	} `json:"attachments"`
}) (any, error) {
	if len(in.Attachments) == 0 {
		return nil, awserr.New(http.StatusBadRequest, "InvalidParameterException", "Attachments cannot be empty.")
	}
	if err := s.ecsAuthorizeOnCluster(ctx, ri, sc, "SubmitAttachmentStateChanges", in.Cluster); err != nil {
		return nil, err
	}
	if _, err := s.ECS.GetCluster(ctx, sc, in.Cluster); err != nil {
		return nil, err
	}
	return ecs.Acknowledgment{Acknowledgment: "ACK"}, nil
}

func (s *Server) ecsDiscoverPollEndpoint(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *struct {
	Cluster           string `json:"cluster"`
	ContainerInstance string `json:"containerInstance"`
	ZoneID            string `json:"zoneId"`
}) (any, error) {
	if err := s.authorizeECS(ctx, ri, ecsCall{action: "ecs:DiscoverPollEndpoint", resource: "*"}); err != nil {
		return nil, err
	}
	fallback := ""
	if a, ok := ctx.Value(http.LocalAddrContextKey).(net.Addr); ok {
		fallback = "http://" + a.String()
	}
	return s.ECS.DiscoverPollEndpoint(fallback), nil
}

// ecsStartTelemetrySession accepts a telemetry session: in AWS a websocket
// for metrics and health; rolecall answers an empty object and drops
// telemetry.
func (s *Server) ecsStartTelemetrySession(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *struct {
	Cluster           string `json:"cluster"`
	ContainerInstance string `json:"containerInstance"`
}) (any, error) {
	var idents []string
	if in.ContainerInstance != "" {
		idents = []string{in.ContainerInstance}
	}
	calls, err := s.ecsInstanceCalls(ctx, sc, "StartTelemetrySession", in.Cluster, idents)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeECS(ctx, ri, calls...); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// ecsPoll is the agent's long poll (rolecall's replacement for ECS's ACS
// websocket; see docs/ECS.md).
func (s *Server) ecsPoll(ctx context.Context, ri *requestInfo, sc ecs.Scope, in *ecs.PollInput) (any, error) {
	if in.ContainerInstance == "" {
		return nil, awserr.New(http.StatusBadRequest, "InvalidParameterException", "Container instance cannot be null or empty.")
	}
	calls, err := s.ecsInstanceCalls(ctx, sc, "Poll", in.Cluster, []string{in.ContainerInstance})
	if err != nil {
		return nil, err
	}
	if err := s.authorizeECS(ctx, ri, calls...); err != nil {
		return nil, err
	}
	in.Agent = ri.caller.ARN
	out, err := s.ECS.Poll(ctx, sc, in)
	if err != nil && ctx.Err() != nil {
		return nil, awserr.New(499, "RequestCanceled", "The request was canceled")
	}
	return out, err
}
