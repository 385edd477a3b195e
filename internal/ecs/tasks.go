package ecs

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/uuid"
)

// Task statuses (lastStatus and desiredStatus).
const (
	TaskPending = "PENDING"
	TaskRunning = "RUNNING"
	TaskStopped = "STOPPED"
)

// Stop codes.
const (
	StopUserInitiated            = "UserInitiated"
	StopEssentialContainerExited = "EssentialContainerExited"
	StopTaskFailedToStart        = "TaskFailedToStart"
)

// Task is a task: one placement of a task definition on a container
// instance. It holds no credentials (those are in credential records, see
// vending.go), so it can be described as it is.
type Task struct {
	TaskArn              string          `json:"taskArn"`
	ClusterArn           string          `json:"clusterArn"`
	TaskDefinitionArn    string          `json:"taskDefinitionArn"`
	ContainerInstanceArn string          `json:"containerInstanceArn"`
	Overrides            TaskOverride    `json:"overrides"`
	LastStatus           string          `json:"lastStatus"`
	DesiredStatus        string          `json:"desiredStatus"`
	Containers           []Container     `json:"containers"`
	StartedBy            string          `json:"startedBy,omitempty"`
	Group                string          `json:"group,omitempty"`
	LaunchType           string          `json:"launchType"`
	CPU                  string          `json:"cpu,omitempty"`
	Memory               string          `json:"memory,omitempty"`
	Version              int64           `json:"version"`
	CreatedAt            Timestamp       `json:"createdAt"`
	PullStartedAt        *Timestamp      `json:"pullStartedAt,omitempty"`
	PullStoppedAt        *Timestamp      `json:"pullStoppedAt,omitempty"`
	StartedAt            *Timestamp      `json:"startedAt,omitempty"`
	StoppingAt           *Timestamp      `json:"stoppingAt,omitempty"`
	StoppedAt            *Timestamp      `json:"stoppedAt,omitempty"`
	ExecutionStoppedAt   *Timestamp      `json:"executionStoppedAt,omitempty"`
	StopCode             string          `json:"stopCode,omitempty"`
	StoppedReason        string          `json:"stoppedReason,omitempty"`
	HealthStatus         string          `json:"healthStatus"`
	Attachments          json.RawMessage `json:"attachments"`
	EnableExecuteCommand bool            `json:"enableExecuteCommand"`
	Tags                 []Tag           `json:"tags,omitempty"`

	// reserved is what the task holds of its instance's CPU and memory
	// (given back when it stops); not part of the API.
	Reserved *reservation `json:"rolecallReserved,omitempty"`
}

type reservation struct {
	CPU    int64 `json:"cpu"`
	Memory int64 `json:"memory"`
}

// Container is one container of a task.
type Container struct {
	ContainerArn      string          `json:"containerArn"`
	TaskArn           string          `json:"taskArn"`
	Name              string          `json:"name"`
	Image             string          `json:"image,omitempty"`
	ImageDigest       string          `json:"imageDigest,omitempty"`
	RuntimeID         string          `json:"runtimeId,omitempty"`
	LastStatus        string          `json:"lastStatus"`
	ExitCode          *int            `json:"exitCode,omitempty"`
	Reason            string          `json:"reason,omitempty"`
	NetworkBindings   json.RawMessage `json:"networkBindings,omitempty"`
	HealthStatus      string          `json:"healthStatus"`
	CPU               string          `json:"cpu,omitempty"`
	Memory            string          `json:"memory,omitempty"`
	MemoryReservation string          `json:"memoryReservation,omitempty"`
}

// TaskOverride is RunTask's overrides. Only the fields rolecall applies are
// kept: container commands and environment, and the task and execution
// roles.
type TaskOverride struct {
	ContainerOverrides []ContainerOverride `json:"containerOverrides"`
	TaskRoleArn        string              `json:"taskRoleArn,omitempty"`
	ExecutionRoleArn   string              `json:"executionRoleArn,omitempty"`
}

// ContainerOverride overrides one container's command and environment.
type ContainerOverride struct {
	Name        string         `json:"name"`
	Command     []string       `json:"command,omitempty"`
	Environment []KeyValuePair `json:"environment,omitempty"`
}

func taskKey(sc Scope, cluster, id string) string { return prefix(sc) + "task/" + cluster + "/" + id }
func taskPrefix(sc Scope, cluster string) string  { return prefix(sc) + "task/" + cluster + "/" }
func taskIDOf(arn string) string                  { return arn[strings.LastIndexByte(arn, '/')+1:] }
func (s *Service) taskARN(sc Scope, cluster, id string) string {
	return s.ARN(sc, "task/"+cluster+"/"+id)
}

var (
	taskIDRE    = regexp.MustCompile(`^[0-9a-f]{32}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	startedByRE = regexp.MustCompile(`^[a-zA-Z0-9_/-]{1,128}$`)
)

// TaskARN resolves a task identifier (its ID, or its ARN,
// arn:...:task/CLUSTER/ID) within the cluster called cluster. An ARN of
// another cluster, account or region is not found.
func (s *Service) TaskARN(sc Scope, cluster, ident string) (id, arn string, found bool, err error) {
	sc = s.scope(sc)
	id = ident
	if strings.HasPrefix(ident, "arn:") {
		res, err := s.parseARN(sc, ident)
		if err == errForeign {
			return "", ident, false, nil
		}
		if err != nil {
			return "", "", false, err
		}
		rest, ok := strings.CutPrefix(res, "task/")
		if !ok {
			return "", "", false, invalidParameter("Invalid identifier: %s is not a task ARN.", ident)
		}
		if c, i, ok := strings.Cut(rest, "/"); ok {
			if c != cluster {
				return "", ident, false, nil
			}
			rest = i
		}
		id = rest
	}
	if !taskIDRE.MatchString(id) {
		return "", "", false, invalidParameter("Invalid identifier: %s is not a task ID or ARN.", ident)
	}
	return id, s.taskARN(sc, cluster, id), true, nil
}

// RunTaskInput is RunTask's request.
type RunTaskInput struct {
	Cluster              string          `json:"cluster"`
	TaskDefinition       string          `json:"taskDefinition"`
	Count                *int            `json:"count"`
	StartedBy            string          `json:"startedBy"`
	Group                string          `json:"group"`
	LaunchType           string          `json:"launchType"`
	Overrides            *TaskOverride   `json:"overrides"`
	Tags                 []Tag           `json:"tags"`
	EnableExecuteCommand bool            `json:"enableExecuteCommand"`
	PlacementConstraints json.RawMessage `json:"placementConstraints"`
	PlacementStrategy    json.RawMessage `json:"placementStrategy"`
	ClientToken          string          `json:"clientToken"`
	CapacityProvider     json.RawMessage `json:"capacityProviderStrategy"`
}

// RunTaskOutput is RunTask's answer.
type RunTaskOutput struct {
	Tasks    []*Task   `json:"tasks"`
	Failures []Failure `json:"failures"`
}

// Validate checks a RunTask request without touching the store.
func (in *RunTaskInput) Validate() error {
	if in.TaskDefinition == "" {
		return clientException("TaskDefinition cannot be null or empty.")
	}
	if in.Count != nil && (*in.Count < 1 || *in.Count > 10) {
		return invalidParameter("The count must be between 1 and 10.")
	}
	switch in.LaunchType {
	case "", "EC2", "EXTERNAL":
	case "FARGATE":
		return invalidParameter("The FARGATE launch type is not supported by rolecall; use EC2 or EXTERNAL.")
	default:
		return invalidParameter("Invalid launchType %s. Valid values: EC2, EXTERNAL.", in.LaunchType)
	}
	if len(in.CapacityProvider) > 0 && string(in.CapacityProvider) != "null" && string(in.CapacityProvider) != "[]" {
		return invalidParameter("Capacity provider strategies are not supported by rolecall.")
	}
	if in.StartedBy != "" && !startedByRE.MatchString(in.StartedBy) {
		return invalidParameter("startedBy must be up to 128 letters, numbers, hyphens, forward slashes and underscores.")
	}
	if len(in.Group) > 255 {
		return invalidParameter("group can be at most 255 characters.")
	}
	if err := validateTags(in.Tags); err != nil {
		return err
	}
	if o := in.Overrides; o != nil {
		for _, r := range []string{o.TaskRoleArn, o.ExecutionRoleArn} {
			if r != "" && !roleARNRE.MatchString(r) {
				return invalidRole("%s is neither a role name nor a role ARN.", truncate(r, 600))
			}
		}
		for _, c := range o.ContainerOverrides {
			if c.Name == "" {
				return invalidParameter("Container override name cannot be null or empty.")
			}
			for _, e := range c.Environment {
				if e.Name == "" {
					return invalidParameter("Environment variable names cannot be null or empty.")
				}
			}
		}
	}
	return nil
}

// Roles are the task and execution roles a run of td with in's overrides
// uses (either may be empty).
func (in *RunTaskInput) Roles(td *TaskDefinition) (taskRole, executionRole string) {
	taskRole, executionRole = td.TaskRoleArn, td.ExecutionRoleArn
	if o := in.Overrides; o != nil {
		if o.TaskRoleArn != "" {
			taskRole = o.TaskRoleArn
		}
		if o.ExecutionRoleArn != "" {
			executionRole = o.ExecutionRoleArn
		}
	}
	return taskRole, executionRole
}

// ResolveTaskDefinition finds the revision a RunTask names: "family" (the
// latest ACTIVE revision), "family:revision" or an ARN. Its tags come with
// it (aws:ResourceTag/* when authorizing RunTask).
func (s *Service) ResolveTaskDefinition(ctx context.Context, sc Scope, ident string) (*TaskDefinition, []Tag, error) {
	sc = s.scope(sc)
	family, rev, err := s.parseTaskDef(sc, ident)
	if err != nil {
		return nil, nil, err
	}
	var td *storedTaskDef
	err = s.view(ctx, func(r store.Reader) error {
		td, err = readTaskDef(r, sc, family, rev)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return &td.TaskDefinition, td.Tags, nil
}

// demand is what a task of td reserves on its instance: the task-level
// cpu and memory when set, else the sum of its containers'.
func demand(td *TaskDefinition) reservation {
	var r reservation
	for _, c := range td.ContainerDefinitions {
		r.CPU += c.CPU
		switch {
		case c.MemoryRes != nil:
			r.Memory += *c.MemoryRes
		case c.Memory != nil:
			r.Memory += *c.Memory
		}
	}
	if n, err := strconv.ParseInt(td.CPU, 10, 64); err == nil {
		r.CPU = n
	}
	if n, err := strconv.ParseInt(td.Memory, 10, 64); err == nil {
		r.Memory = n
	}
	return r
}

// resourceValue reads an instance's remaining CPU or MEMORY; ok is false
// when the instance did not report it (then it is not limited).
func resourceValue(rs []Resource, name string) (int64, int, bool) {
	for i, r := range rs {
		if r.Name == name {
			return r.IntegerValue, i, true
		}
	}
	return 0, 0, false
}

// fits reports whether d fits in ci's remaining resources, and if not,
// ECS's failure reason.
func fits(ci *ContainerInstance, d reservation) (bool, string) {
	if v, _, ok := resourceValue(ci.RemainingResources, "CPU"); ok && d.CPU > v {
		return false, "RESOURCE:CPU"
	}
	if v, _, ok := resourceValue(ci.RemainingResources, "MEMORY"); ok && d.Memory > v {
		return false, "RESOURCE:MEMORY"
	}
	return true, ""
}

// reserve takes d from (sign 1) or gives it back to (sign -1) ci's remaining
// resources.
func reserve(ci *ContainerInstance, d reservation, sign int64) {
	if v, i, ok := resourceValue(ci.RemainingResources, "CPU"); ok {
		ci.RemainingResources[i].IntegerValue = v - sign*d.CPU
	}
	if v, i, ok := resourceValue(ci.RemainingResources, "MEMORY"); ok {
		ci.RemainingResources[i].IntegerValue = v - sign*d.Memory
	}
}

// newTask builds a PENDING task of td.
func (s *Service) newTask(sc Scope, cluster, id string, td *TaskDefinition, in *RunTaskInput, now Timestamp) *Task {
	arn := s.taskARN(sc, cluster, id)
	t := &Task{
		TaskArn:              arn,
		ClusterArn:           s.ClusterARN(sc, cluster),
		TaskDefinitionArn:    td.TaskDefinitionArn,
		LastStatus:           TaskPending,
		DesiredStatus:        TaskRunning,
		StartedBy:            in.StartedBy,
		Group:                in.Group,
		LaunchType:           "EC2",
		CPU:                  td.CPU,
		Memory:               td.Memory,
		Version:              1,
		CreatedAt:            now,
		HealthStatus:         "UNKNOWN",
		Attachments:          json.RawMessage(`[]`),
		EnableExecuteCommand: in.EnableExecuteCommand,
		Tags:                 slices.Clone(in.Tags),
		Overrides:            TaskOverride{ContainerOverrides: []ContainerOverride{}},
	}
	if in.LaunchType == "EXTERNAL" {
		t.LaunchType = "EXTERNAL"
	}
	if t.Group == "" {
		t.Group = "family:" + td.Family
	}
	if o := in.Overrides; o != nil {
		t.Overrides.TaskRoleArn, t.Overrides.ExecutionRoleArn = o.TaskRoleArn, o.ExecutionRoleArn
		if o.ContainerOverrides != nil {
			t.Overrides.ContainerOverrides = slices.Clone(o.ContainerOverrides)
		}
	}
	for _, c := range td.ContainerDefinitions {
		ct := Container{
			ContainerArn: s.ARN(sc, "container/"+cluster+"/"+id+"/"+uuid.New()),
			TaskArn:      arn,
			Name:         c.Name,
			Image:        c.Image,
			LastStatus:   TaskPending,
			HealthStatus: "UNKNOWN",
			CPU:          strconv.FormatInt(c.CPU, 10),
		}
		if c.Memory != nil {
			ct.Memory = strconv.FormatInt(*c.Memory, 10)
		}
		if c.MemoryRes != nil {
			ct.MemoryReservation = strconv.FormatInt(*c.MemoryRes, 10)
		}
		t.Containers = append(t.Containers, ct)
	}
	d := demand(td)
	t.Reserved = &d
	return t
}

// checkOverrides refuses overrides of containers the definition lacks.
func checkOverrides(td *TaskDefinition, o *TaskOverride) error {
	if o == nil {
		return nil
	}
	for _, co := range o.ContainerOverrides {
		if !slices.ContainsFunc(td.ContainerDefinitions, func(c ContainerDefinition) bool { return c.Name == co.Name }) {
			return invalidParameter("Override for container named %s is not a container in the TaskDefinition.", co.Name)
		}
	}
	return nil
}

// RunTask places count (1 by default) tasks of a task definition on the
// cluster's ACTIVE container instances, each on the least loaded instance
// (fewest pending and running tasks, then the lowest ID) that has the CPU
// and memory it needs. Tasks that fit nowhere are failures with ECS's
// reasons (RESOURCE:CPU, RESOURCE:MEMORY, one per instance); a cluster
// without ACTIVE instances is an InvalidParameterException, as in ECS.
//
// When the task uses a task or execution role, each placed task gets
// credentials for it (see vending.go): roles are assumed before the
// transaction, so a role ECS cannot assume fails the whole call with
// ClientException and nothing is written. The api package authorizes
// ecs:RunTask and iam:PassRole first.
func (s *Service) RunTask(ctx context.Context, sc Scope, in *RunTaskInput) (*RunTaskOutput, error) {
	sc = s.scope(sc)
	if err := in.Validate(); err != nil {
		return nil, err
	}
	cluster, err := s.ClusterName(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	td, _, err := s.ResolveTaskDefinition(ctx, sc, in.TaskDefinition)
	if err != nil {
		return nil, err
	}
	if td.Status != StatusActive {
		return nil, clientException("TaskDefinition is inactive")
	}
	if err := checkOverrides(td, in.Overrides); err != nil {
		return nil, err
	}
	count := 1
	if in.Count != nil {
		count = *in.Count
	}
	// Refuse early (before minting credentials) when nothing can run.
	err = s.view(ctx, func(r store.Reader) error {
		if _, err := activeCluster(r, sc, cluster); err != nil {
			return err
		}
		_, err := activeInstances(r, sc, cluster)
		return err
	})
	if err != nil {
		return nil, err
	}
	now := Timestamp{s.now().UTC()}
	taskRole, execRole := in.Roles(td)
	type pending struct {
		task  *Task
		creds []*credRecord
	}
	var all []pending
	for range count {
		t := s.newTask(sc, cluster, newID(), td, in, now)
		creds, err := s.vend(ctx, sc, cluster, t, taskRole, execRole)
		if err != nil {
			return nil, err
		}
		all = append(all, pending{t, creds})
	}
	out := &RunTaskOutput{Tasks: []*Task{}, Failures: []Failure{}}
	err = s.update(ctx, func(tx store.Tx) error {
		out.Tasks, out.Failures = out.Tasks[:0], out.Failures[:0]
		c, err := activeCluster(tx, sc, cluster)
		if err != nil {
			return err
		}
		instances, err := activeInstances(tx, sc, cluster)
		if err != nil {
			return err
		}
		failed := map[string]bool{}
		for _, p := range all {
			var best *ContainerInstance
			for _, ci := range instances {
				if ok, reason := fits(ci, *p.task.Reserved); !ok {
					if !failed[ci.ContainerInstanceArn] {
						failed[ci.ContainerInstanceArn] = true
						out.Failures = append(out.Failures, Failure{Arn: ci.ContainerInstanceArn, Reason: reason})
					}
					continue
				}
				if best == nil || load(ci) < load(best) {
					best = ci
				}
			}
			if best == nil {
				continue
			}
			t := *p.task
			t.ContainerInstanceArn = best.ContainerInstanceArn
			reserve(best, *t.Reserved, 1)
			best.PendingTasksCount++
			c.PendingTasksCount++
			if err := put(tx, taskKey(sc, cluster, taskIDOf(t.TaskArn)), &t); err != nil {
				return err
			}
			for _, cr := range p.creds {
				cr.ContainerInstanceArn = best.ContainerInstanceArn
				if err := putCred(tx, cr); err != nil {
					return err
				}
			}
			if err := s.enqueue(tx, sc, cluster, instanceIDOf(best.ContainerInstanceArn), agentMsg{Kind: msgTask, TaskID: taskIDOf(t.TaskArn)}); err != nil {
				return err
			}
			out.Tasks = append(out.Tasks, &t)
		}
		for _, ci := range instances {
			if err := put(tx, instanceKey(sc, cluster, instanceIDOf(ci.ContainerInstanceArn)), ci); err != nil {
				return err
			}
		}
		return put(tx, clusterKey(sc, cluster), c)
	})
	if err != nil {
		return nil, err
	}
	for _, t := range out.Tasks {
		t.Reserved = nil
	}
	return out, nil
}

func load(ci *ContainerInstance) int { return ci.PendingTasksCount + ci.RunningTasksCount }

// activeInstances lists a cluster's ACTIVE instances in ID order; none is
// ECS's InvalidParameterException.
func activeInstances(r store.Reader, sc Scope, cluster string) ([]*ContainerInstance, error) {
	all, err := list[ContainerInstance](r, instancePrefix(sc, cluster))
	if err != nil {
		return nil, err
	}
	var out []*ContainerInstance
	for _, ci := range all {
		if ci.Status == StatusActive {
			out = append(out, ci)
		}
	}
	if len(out) == 0 {
		return nil, invalidParameter("No Container Instances were found in your cluster.")
	}
	return out, nil
}

// stopTask moves a task toward STOPPED: desiredStatus STOPPED (with the
// stop code and reason, if it had none), its credentials revoked and the
// agent told. final marks the task STOPPED as well (the agent reported it,
// or its instance is gone): the instance's resources and the counts are
// given back. The task is written.
func (s *Service) stopTask(tx store.Tx, sc Scope, cluster string, t *Task, code, reason string, final bool) error {
	now := Timestamp{s.now().UTC()}
	changed := false
	if t.DesiredStatus != TaskStopped {
		t.DesiredStatus = TaskStopped
		t.StoppingAt = &now
		if t.StopCode == "" {
			t.StopCode = code
		}
		if t.StoppedReason == "" {
			t.StoppedReason = reason
		}
		changed = true
	}
	instanceID := instanceIDOf(t.ContainerInstanceArn)
	if err := s.revoke(tx, sc, cluster, instanceID, taskIDOf(t.TaskArn)); err != nil {
		return err
	}
	if final && t.LastStatus != TaskStopped {
		if err := s.countTransition(tx, sc, cluster, t, t.LastStatus, TaskStopped); err != nil {
			return err
		}
		t.LastStatus = TaskStopped
		t.StoppedAt = &now
		if t.ExecutionStoppedAt == nil {
			t.ExecutionStoppedAt = &now
		}
		for i := range t.Containers {
			t.Containers[i].LastStatus = TaskStopped
		}
		changed = true
	}
	if !changed {
		return nil
	}
	t.Version++
	if err := put(tx, taskKey(sc, cluster, taskIDOf(t.TaskArn)), t); err != nil {
		return err
	}
	return s.enqueue(tx, sc, cluster, instanceID, agentMsg{Kind: msgTask, TaskID: taskIDOf(t.TaskArn)})
}

// countTransition moves a task's count on its instance and cluster from
// one lastStatus to another, giving its resources back when it stops.
func (s *Service) countTransition(tx store.Tx, sc Scope, cluster string, t *Task, from, to string) error {
	if from == to {
		return nil
	}
	c, err := get[Cluster](tx, clusterKey(sc, cluster))
	if err != nil {
		return err
	}
	ikey := instanceKey(sc, cluster, instanceIDOf(t.ContainerInstanceArn))
	ci, err := get[ContainerInstance](tx, ikey)
	if isNotFound(err) {
		ci, err = nil, nil
	}
	if err != nil {
		return err
	}
	adj := func(status string, d int) {
		switch status {
		case TaskPending:
			c.PendingTasksCount = max(0, c.PendingTasksCount+d)
			if ci != nil {
				ci.PendingTasksCount = max(0, ci.PendingTasksCount+d)
			}
		case TaskRunning:
			c.RunningTasksCount = max(0, c.RunningTasksCount+d)
			if ci != nil {
				ci.RunningTasksCount = max(0, ci.RunningTasksCount+d)
			}
		}
	}
	adj(from, -1)
	adj(to, 1)
	if to == TaskStopped && ci != nil && t.Reserved != nil {
		reserve(ci, *t.Reserved, -1)
	}
	if err := put(tx, clusterKey(sc, cluster), c); err != nil {
		return err
	}
	if ci != nil {
		return put(tx, ikey, ci)
	}
	return nil
}

// StopTaskInput is StopTask's request.
type StopTaskInput struct {
	Cluster string `json:"cluster"`
	Task    string `json:"task"`
	Reason  string `json:"reason"`
}

// StopTask sets a task's desired status to STOPPED, revokes its
// credentials (the agent is told to forget them) and tells the agent to
// stop it; the task is STOPPED when the agent reports so. Stopping a
// stopped task returns it unchanged.
func (s *Service) StopTask(ctx context.Context, sc Scope, in *StopTaskInput) (*Task, error) {
	sc = s.scope(sc)
	if in.Task == "" {
		return nil, invalidParameter("Task cannot be null or empty.")
	}
	if len(in.Reason) > 255 {
		return nil, invalidParameter("reason can be at most 255 characters.")
	}
	cluster, err := s.ClusterName(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	reason := in.Reason
	if reason == "" {
		reason = "Task stopped by user"
	}
	var out *Task
	err = s.updateTask(ctx, sc, cluster, in.Task, "", func(tx store.Tx, t *Task) error {
		out = t
		return s.stopTask(tx, sc, cluster, t, StopUserInitiated, reason, false)
	})
	if err != nil {
		return nil, err
	}
	out.Reserved, out.Tags = nil, nil
	return out, nil
}

// readTask reads a task by ID or ARN; missing → InvalidParameterException
// "The referenced task was not found.", ECS's answer.
func readTask(r store.Reader, s *Service, sc Scope, cluster, ident string) (*Task, error) {
	t, _, _, err := lookup[Task](r, sc, cluster, ident, s.TaskARN, taskKey)
	if err == nil && t == nil {
		return nil, invalidParameter("The referenced task was not found.")
	}
	return t, err
}

// DescribeTasksInput is DescribeTasks' request.
type DescribeTasksInput struct {
	Cluster string   `json:"cluster"`
	Tasks   []string `json:"tasks"`
	Include []string `json:"include"`
}

// DescribeTasksOutput is DescribeTasks' answer.
type DescribeTasksOutput struct {
	Tasks    []*Task   `json:"tasks"`
	Failures []Failure `json:"failures"`
}

// DescribeTasks describes tasks of a cluster by ID or ARN; unknown ones are
// failures with reason MISSING. Tags only with include TAGS.
func (s *Service) DescribeTasks(ctx context.Context, sc Scope, in *DescribeTasksInput) (*DescribeTasksOutput, error) {
	sc = s.scope(sc)
	cluster, err := s.ClusterName(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	if len(in.Tasks) == 0 {
		return nil, invalidParameter("Tasks cannot be empty.")
	}
	if len(in.Tasks) > 100 {
		return nil, invalidParameter("tasks can have at most 100 items.")
	}
	inc, err := includes(in.Include, "TAGS")
	if err != nil {
		return nil, err
	}
	out := &DescribeTasksOutput{Tasks: []*Task{}, Failures: []Failure{}}
	err = s.view(ctx, func(r store.Reader) error {
		if _, err := get[Cluster](r, clusterKey(sc, cluster)); err != nil {
			if isNotFound(err) {
				return clusterNotFound()
			}
			return err
		}
		for _, ident := range in.Tasks {
			t, _, arn, err := lookup[Task](r, sc, cluster, ident, s.TaskARN, taskKey)
			if err != nil {
				return err
			}
			if t == nil {
				out.Failures = append(out.Failures, Failure{Arn: arn, Reason: "MISSING"})
				continue
			}
			t.Reserved = nil
			if !inc["TAGS"] {
				t.Tags = nil
			}
			out.Tasks = append(out.Tasks, t)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListTasksInput is ListTasks' request.
type ListTasksInput struct {
	Cluster           string `json:"cluster"`
	ContainerInstance string `json:"containerInstance"`
	Family            string `json:"family"`
	StartedBy         string `json:"startedBy"`
	ServiceName       string `json:"serviceName"`
	DesiredStatus     string `json:"desiredStatus"`
	LaunchType        string `json:"launchType"`
	NextToken         string `json:"nextToken"`
	MaxResults        *int   `json:"maxResults"`
}

// ListTasksOutput is ListTasks' answer.
type ListTasksOutput struct {
	TaskArns  []string `json:"taskArns"`
	NextToken string   `json:"nextToken,omitempty"`
}

// ListTasks lists a cluster's tasks whose desired status is desiredStatus
// (RUNNING when not given; PENDING matches nothing, as in ECS), filtered
// by container instance, family, startedBy and launch type. rolecall has
// no services, so serviceName matches nothing.
func (s *Service) ListTasks(ctx context.Context, sc Scope, in *ListTasksInput) (*ListTasksOutput, error) {
	sc = s.scope(sc)
	cluster, err := s.ClusterName(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	max, err := maxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	desired := in.DesiredStatus
	switch desired {
	case "":
		desired = TaskRunning
	case TaskRunning, TaskPending, TaskStopped:
	default:
		return nil, invalidParameter("Invalid desiredStatus %s. Valid values: RUNNING, PENDING, STOPPED.", in.DesiredStatus)
	}
	switch in.LaunchType {
	case "", "EC2", "EXTERNAL", "FARGATE":
	default:
		return nil, invalidParameter("Invalid launchType %s.", in.LaunchType)
	}
	instanceARN := ""
	if in.ContainerInstance != "" {
		_, a, _, err := s.InstanceARN(sc, cluster, in.ContainerInstance)
		if err != nil {
			return nil, err
		}
		instanceARN = a
	}
	var all []*Task
	err = s.view(ctx, func(r store.Reader) error {
		if _, err := activeCluster(r, sc, cluster); err != nil {
			return err
		}
		all, err = list[Task](r, taskPrefix(sc, cluster))
		return err
	})
	if err != nil {
		return nil, err
	}
	var items []item
	for _, t := range all {
		if t.DesiredStatus != desired || in.ServiceName != "" ||
			(instanceARN != "" && t.ContainerInstanceArn != instanceARN) ||
			(in.Family != "" && familyOf(t.TaskDefinitionArn) != in.Family) ||
			(in.StartedBy != "" && t.StartedBy != in.StartedBy) ||
			(in.LaunchType != "" && t.LaunchType != in.LaunchType) {
			continue
		}
		items = append(items, item{taskIDOf(t.TaskArn), t.TaskArn})
	}
	page, next, err := paginateItems(items, in.NextToken, max, false)
	if err != nil {
		return nil, err
	}
	return &ListTasksOutput{TaskArns: page, NextToken: next}, nil
}

// familyOf is the family of a task definition ARN.
func familyOf(tdARN string) string {
	res := tdARN[strings.LastIndexByte(tdARN, '/')+1:]
	f, _, _ := strings.Cut(res, ":")
	return f
}

// ContainerStateChange is one container's state in SubmitTaskStateChange.
type ContainerStateChange struct {
	ContainerName   string          `json:"containerName"`
	ImageDigest     string          `json:"imageDigest"`
	RuntimeID       string          `json:"runtimeId"`
	ExitCode        *int            `json:"exitCode"`
	NetworkBindings json.RawMessage `json:"networkBindings"`
	Reason          string          `json:"reason"`
	Status          string          `json:"status"`
}

// SubmitTaskStateChangeInput is SubmitTaskStateChange's request.
type SubmitTaskStateChangeInput struct {
	Cluster            string                 `json:"cluster"`
	Task               string                 `json:"task"`
	Status             string                 `json:"status"`
	Reason             string                 `json:"reason"`
	Containers         []ContainerStateChange `json:"containers"`
	Attachments        json.RawMessage        `json:"attachments"`
	ManagedAgents      json.RawMessage        `json:"managedAgents"`
	PullStartedAt      *Timestamp             `json:"pullStartedAt"`
	PullStoppedAt      *Timestamp             `json:"pullStoppedAt"`
	ExecutionStoppedAt *Timestamp             `json:"executionStoppedAt"`
	// Agent is the calling principal's ARN (set by the API layer; empty for
	// in-process callers): only the agent of the task's container instance
	// may report its state.
	Agent string `json:"-"`
}

// SubmitContainerStateChangeInput is SubmitContainerStateChange's request.
type SubmitContainerStateChangeInput struct {
	Cluster         string          `json:"cluster"`
	Task            string          `json:"task"`
	ContainerName   string          `json:"containerName"`
	RuntimeID       string          `json:"runtimeId"`
	Status          string          `json:"status"`
	ExitCode        *int            `json:"exitCode"`
	Reason          string          `json:"reason"`
	NetworkBindings json.RawMessage `json:"networkBindings"`
	// Agent: as in SubmitTaskStateChangeInput.
	Agent string `json:"-"`
}

// Acknowledgment is the answer of the Submit* operations.
type Acknowledgment struct {
	Acknowledgment string `json:"acknowledgment"`
}

var statusOrder = map[string]int{TaskPending: 0, "ACTIVATING": 0, TaskRunning: 1, "DEACTIVATING": 2, "STOPPING": 2, "DEPROVISIONING": 2, TaskStopped: 3}

func checkStatus(status string) error {
	if _, ok := statusOrder[status]; !ok && status != "" {
		return invalidParameter("Invalid status %s. Valid values: PENDING, RUNNING, STOPPED.", status)
	}
	return nil
}

func applyContainer(ct *Container, status string, exitCode *int, reason, runtimeID, digest string, bindings json.RawMessage) {
	if status != "" && statusOrder[status] >= statusOrder[ct.LastStatus] {
		switch statusOrder[status] {
		case 0:
			ct.LastStatus = TaskPending
		case 1:
			ct.LastStatus = TaskRunning
		default:
			ct.LastStatus = TaskStopped
		}
	}
	if exitCode != nil {
		v := *exitCode
		ct.ExitCode = &v
	}
	if reason != "" {
		ct.Reason = truncate(reason, 255)
	}
	if runtimeID != "" {
		ct.RuntimeID = truncate(runtimeID, 255)
	}
	if digest != "" {
		ct.ImageDigest = truncate(digest, 255)
	}
	if len(bindings) > 0 && string(bindings) != "null" {
		ct.NetworkBindings = bindings
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// updateTask runs fn, in one transaction, on a task of an ACTIVE cluster
// (readTask's errors when it is not found). With agent (a Submit* call's
// principal), the caller must be the agent of the task's instance.
func (s *Service) updateTask(ctx context.Context, sc Scope, cluster, task, agent string, fn func(tx store.Tx, t *Task) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		if _, err := activeCluster(tx, sc, cluster); err != nil {
			return err
		}
		t, err := readTask(tx, s, sc, cluster, task)
		if err != nil {
			return err
		}
		if err := checkAgent(tx, sc, cluster, instanceIDOf(t.ContainerInstanceArn), agent); err != nil {
			return err
		}
		return fn(tx, t)
	})
}

// SubmitTaskStateChange records what the agent reports of a task:
// PENDING → RUNNING → STOPPED (reports that would go back are ignored, as
// are reports about a stopped task), the containers' states, exit codes
// and reasons, and the pull and stop times. A task that stops without
// having been asked to has stop code EssentialContainerExited. A STOPPED
// task's credentials are revoked and its resources given back.
func (s *Service) SubmitTaskStateChange(ctx context.Context, sc Scope, in *SubmitTaskStateChangeInput) (*Acknowledgment, error) {
	sc = s.scope(sc)
	if in.Task == "" {
		return nil, invalidParameter("Task cannot be null or empty.")
	}
	if err := checkStatus(in.Status); err != nil {
		return nil, err
	}
	for _, c := range in.Containers {
		if err := checkStatus(c.Status); err != nil {
			return nil, err
		}
	}
	cluster, err := s.ClusterName(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	err = s.updateTask(ctx, sc, cluster, in.Task, in.Agent, func(tx store.Tx, t *Task) error {
		if t.LastStatus == TaskStopped {
			return nil
		}
		for _, c := range in.Containers {
			for i := range t.Containers {
				if t.Containers[i].Name == c.ContainerName {
					applyContainer(&t.Containers[i], c.Status, c.ExitCode, c.Reason, c.RuntimeID, c.ImageDigest, c.NetworkBindings)
				}
			}
		}
		if in.PullStartedAt != nil {
			t.PullStartedAt = in.PullStartedAt
		}
		if in.PullStoppedAt != nil {
			t.PullStoppedAt = in.PullStoppedAt
		}
		if in.ExecutionStoppedAt != nil {
			t.ExecutionStoppedAt = in.ExecutionStoppedAt
		}
		now := Timestamp{s.now().UTC()}
		switch {
		case in.Status != "" && statusOrder[in.Status] >= statusOrder[TaskStopped]:
			code, reason := StopEssentialContainerExited, in.Reason
			if reason == "" {
				reason = "Essential container in task exited"
			}
			if t.StartedAt == nil {
				code = StopTaskFailedToStart
			}
			t.Version++
			return s.stopTask(tx, sc, cluster, t, code, truncate(reason, 255), true)
		case in.Status != "" && statusOrder[in.Status] == 1 && t.LastStatus == TaskPending:
			if err := s.countTransition(tx, sc, cluster, t, TaskPending, TaskRunning); err != nil {
				return err
			}
			t.LastStatus = TaskRunning
			t.StartedAt = &now
		}
		t.Version++
		return put(tx, taskKey(sc, cluster, taskIDOf(t.TaskArn)), t)
	})
	if err != nil {
		return nil, err
	}
	return &Acknowledgment{Acknowledgment: "ACK"}, nil
}

// SubmitContainerStateChange records one container's state, exit code and
// reason. It does not move the task (the agent reports that with
// SubmitTaskStateChange).
func (s *Service) SubmitContainerStateChange(ctx context.Context, sc Scope, in *SubmitContainerStateChangeInput) (*Acknowledgment, error) {
	sc = s.scope(sc)
	if in.Task == "" {
		return nil, invalidParameter("Task cannot be null or empty.")
	}
	if err := checkStatus(in.Status); err != nil {
		return nil, err
	}
	cluster, err := s.ClusterName(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	err = s.updateTask(ctx, sc, cluster, in.Task, in.Agent, func(tx store.Tx, t *Task) error {
		i := slices.IndexFunc(t.Containers, func(c Container) bool { return c.Name == in.ContainerName })
		if i < 0 {
			return invalidParameter("The referenced container %s is not in the task.", truncate(in.ContainerName, 255))
		}
		if t.LastStatus == TaskStopped {
			return nil
		}
		applyContainer(&t.Containers[i], in.Status, in.ExitCode, in.Reason, in.RuntimeID, "", in.NetworkBindings)
		t.Version++
		return put(tx, taskKey(sc, cluster, taskIDOf(t.TaskArn)), t)
	})
	if err != nil {
		return nil, err
	}
	return &Acknowledgment{Acknowledgment: "ACK"}, nil
}

// clusterHasTasks reports whether a cluster has PENDING or RUNNING tasks.
func clusterHasTasks(c *Cluster) bool { return c.PendingTasksCount+c.RunningTasksCount > 0 }

// stopInstanceTasks stops (finally) every task of an instance that is not
// STOPPED: its instance is being deregistered with force.
func (s *Service) stopInstanceTasks(tx store.Tx, sc Scope, cluster, instanceARN string) error {
	all, err := list[Task](tx, taskPrefix(sc, cluster))
	if err != nil {
		return err
	}
	for _, t := range all {
		if t.ContainerInstanceArn != instanceARN || t.LastStatus == TaskStopped {
			continue
		}
		if err := s.stopTask(tx, sc, cluster, t, StopUserInitiated, "Container instance deregistration forced by user", true); err != nil {
			return err
		}
	}
	return nil
}

// instanceHasTasks reports whether an instance runs tasks.
func instanceHasTasks(ci *ContainerInstance) bool {
	return ci.PendingTasksCount+ci.RunningTasksCount > 0
}
