package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/agent/credentials"
	"github.com/rolecall/rolecall/internal/ecs"
)

// task is a task this agent has taken on.
type task struct {
	arn, id string
	// token is the task's AWS_CONTAINER_AUTHORIZATION_TOKEN (the task role
	// entry's); execToken guards the execution role entry, which no
	// container is told about.
	token, execToken string
	taskCredID       string
	credIDs          []string

	mu            sync.Mutex
	handle        Handle
	stopRequested bool
	stopping      bool // the agent is stopping it (essential exit or desired STOPPED)
}

// taskIDOf is the ID at the end of a task ARN (…:task/CLUSTER/ID).
func taskIDOf(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go ≥ 1.24)
	return hex.EncodeToString(b)
}

// requestStop stops the task's containers (now, or as soon as they are
// started). It reports whether this was news.
func (t *task) requestStop(grace time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	news := !t.stopRequested && !t.stopping
	t.stopRequested = true
	if t.handle != nil && !t.stopping {
		t.stopping = true
		t.handle.Stop(grace)
	}
	return news
}

// handle acts on one Poll answer: credentials first (so a container finds
// its credentials as soon as it starts), then tasks to start or stop, then
// refreshes and revocations.
func (a *Agent) handle(ctx context.Context, out *ecs.PollOutput) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, pt := range out.Tasks {
		if _, done := a.finished[pt.TaskArn]; done || pt.TaskArn == "" {
			continue // it ended here and was reported
		}
		t := a.tasks[pt.TaskArn]
		if reason, ok := a.refused[taskIDOf(pt.TaskArn)]; ok && t == nil {
			// A task the agent gave up after a restart: never started again.
			delete(a.refused, taskIDOf(pt.TaskArn))
			a.markFinished(pt.TaskArn)
			a.reports.Add(1)
			go func(arn string) {
				defer a.reports.Done()
				a.reportEnd(ctx, "", arn, nil, &stoppedRecord{Reason: reason})
			}(pt.TaskArn)
			continue
		}
		if t == nil && pt.DesiredStatus == ecs.TaskStopped {
			// Stopped before this agent ran it (or an agent that lost its
			// state): tell the control plane it is over.
			a.markFinished(pt.TaskArn)
			a.reports.Add(1)
			go func(arn string) {
				defer a.reports.Done()
				a.report(ctx, "SubmitTaskStateChange", map[string]any{"cluster": a.cfg.Cluster, "task": arn, "status": ecs.TaskStopped, "reason": "Task stopped before it started"})
			}(pt.TaskArn)
			continue
		}
		if t == nil {
			t = &task{arn: pt.TaskArn, id: taskIDOf(pt.TaskArn), token: randomToken(), execToken: randomToken()}
			if a.linkLocal() {
				t.token = "" // the task is told RELATIVE_URI, with no token
			}
			for _, d := range pt.Credentials {
				a.putCreds(t, d)
			}
			a.tasks[pt.TaskArn] = t
			a.log.Info("starting task", "taskArn", t.arn)
			a.wg.Add(1)
			go a.run(ctx, t, pt)
			continue
		}
		for _, d := range pt.Credentials {
			a.putCreds(t, d)
		}
		if pt.DesiredStatus == ecs.TaskStopped && t.requestStop(a.cfg.StopGrace) {
			a.log.Info("stopping task", "taskArn", t.arn)
		}
	}
	for _, d := range out.RefreshedCredentials {
		if t := a.credIDs[d.CredentialsID]; t != nil {
			a.putCreds(t, d)
		} else if t := a.tasks[d.TaskArn]; t != nil {
			a.putCreds(t, d)
		}
	}
	for _, id := range out.RevokedCredentialIds {
		a.cache.Remove(id)
		delete(a.credIDs, id)
	}
}

// putCreds stores a delivery in the cache: Update under a known ID (a
// refresh), else Set with the task's token. Caller holds a.mu.
func (a *Agent) putCreds(t *task, d ecs.CredentialDelivery) {
	var rt credentials.RoleType
	token := t.token
	switch d.RoleType {
	case ecs.RoleTypeTask:
		rt = credentials.TaskRole
	case ecs.RoleTypeExecution:
		rt = credentials.ExecutionRole
		token = t.execToken
	default:
		a.log.Warn("ignoring credentials of an unknown role type", "taskArn", t.arn, "roleType", d.RoleType)
		return
	}
	if d.CredentialsID == "" {
		return
	}
	creds := credentials.Credentials{AccessKeyID: d.AccessKeyID, SecretAccessKey: d.SecretAccessKey, SessionToken: d.SessionToken, Expiration: d.Expiration.Time}
	if a.credIDs[d.CredentialsID] == t && a.cache.Update(d.CredentialsID, creds) == nil {
		return
	}
	if err := a.cache.Set(d.CredentialsID, credentials.Entry{
		TaskARN: t.arn, RoleARN: d.RoleArn, RoleType: rt, Credentials: creds,
		Cluster: a.cfg.Cluster, ContainerInstanceARN: a.instanceARN, AuthorizationToken: token,
	}); err != nil {
		return
	}
	a.credIDs[d.CredentialsID] = t
	t.credIDs = append(t.credIDs, d.CredentialsID)
	if rt == credentials.TaskRole {
		t.taskCredID = d.CredentialsID
	}
}

// spec resolves a polled task into what the runtime starts.
func (a *Agent) spec(t *task, pt ecs.PollTask) (TaskSpec, map[string]bool, error) {
	td := pt.TaskDefinition
	if td == nil || len(td.ContainerDefinitions) == 0 {
		return TaskSpec{}, nil, errors.New("the task has no container definitions")
	}
	if !safeName(t.id) {
		return TaskSpec{}, nil, fmt.Errorf("unusable task ID %q", t.id)
	}
	logDir := filepath.Join(a.cfg.StateDir, "tasks", t.id)
	spec := TaskSpec{TaskARN: t.arn, LogDir: logDir, StateDir: a.recordDir(t.id)}
	essential := map[string]bool{}
	for _, cd := range td.ContainerDefinitions {
		if !safeName(cd.Name) {
			return TaskSpec{}, nil, fmt.Errorf("unusable container name %q", cd.Name)
		}
		if _, dup := essential[cd.Name]; dup {
			return TaskSpec{}, nil, fmt.Errorf("two containers named %q", cd.Name)
		}
		cmd := cd.Command
		var envOverride []ecs.KeyValuePair
		for _, o := range pt.Overrides.ContainerOverrides {
			if o.Name == cd.Name {
				if len(o.Command) > 0 {
					cmd = o.Command
				}
				envOverride = append(envOverride, o.Environment...)
			}
		}
		argv := append(append([]string{}, cd.EntryPoint...), cmd...)
		env := newEnv()
		env.set("PATH", a.cfg.PATH)
		env.set("HOME", logDir)
		for _, kv := range cd.Environment {
			env.set(kv.Name, kv.Value)
		}
		for _, kv := range envOverride {
			env.set(kv.Name, kv.Value)
		}
		env.set("AWS_REGION", a.cfg.Region)
		env.set("AWS_DEFAULT_REGION", a.cfg.Region)
		env.set("ECS_CONTAINER_NAME", cd.Name) // rolecall's: which container this is
		switch {
		case t.taskCredID == "":
		case a.linkLocal():
			env.set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", credentialsPath+t.taskCredID)
		default:
			env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", a.credsURL+t.taskCredID)
			env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", t.token)
		}
		ess := cd.Essential == nil || *cd.Essential
		essential[cd.Name] = ess
		spec.Containers = append(spec.Containers, ContainerSpec{Name: cd.Name, Image: cd.Image, Essential: ess, Argv: argv, Env: env.list()})
	}
	if !anyTrue(essential) {
		return TaskSpec{}, nil, errors.New("the task has no essential container")
	}
	return spec, essential, nil
}

// credentialsPath is where the endpoint serves a credential ID.
const credentialsPath = "/v2/credentials/"

// linkLocal reports whether the runtime's containers reach the endpoint at
// 169.254.170.2 (and so get RELATIVE_URI and no token).
func (a *Agent) linkLocal() bool {
	r, ok := a.cfg.Runtime.(LinkLocalRuntime)
	return ok && r.LinkLocalCredentials()
}

func anyTrue(m map[string]bool) bool {
	for _, v := range m {
		if v {
			return true
		}
	}
	return false
}

// safeName reports whether s can be a file name component.
func safeName(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 255 {
		return false
	}
	return !strings.ContainsAny(s, "/\\\x00")
}

// env is an ordered environment where a later set replaces an earlier one.
type env struct {
	keys []string
	vals map[string]string
}

func newEnv() *env { return &env{vals: map[string]string{}} }

func (e *env) set(k, v string) {
	if k == "" || strings.ContainsAny(k, "=\x00") || strings.ContainsRune(v, 0) {
		return
	}
	if _, ok := e.vals[k]; !ok {
		e.keys = append(e.keys, k)
	}
	e.vals[k] = v
}

func (e *env) list() []string {
	out := make([]string, 0, len(e.keys))
	for _, k := range e.keys {
		out = append(out, k+"="+e.vals[k])
	}
	return out
}

// run starts a task and follows it to its end, reporting each step.
func (a *Agent) run(ctx context.Context, t *task, pt ecs.PollTask) {
	defer a.wg.Done()
	a.mu.Lock()
	spec, essential, err := a.spec(t, pt)
	a.mu.Unlock()
	_, canAdopt := a.cfg.Runtime.(Adopter)
	var rec *taskRecord
	if canAdopt {
		rec = &taskRecord{TaskArn: t.arn, ContainerInstanceArn: a.instanceARN, Token: t.token, ExecToken: t.execToken, CredentialsURL: a.credsURL}
	}
	var h Handle
	if err == nil && rec != nil {
		for _, c := range spec.Containers {
			rec.Containers = append(rec.Containers, containerRecord{Name: c.Name, Essential: essential[c.Name]})
		}
		// Recorded before the containers start, so that an agent that
		// crashes while starting them still finds them; a task that could
		// not be recorded could not be found again, so it does not start.
		if err = a.saveTaskRecord(t.id, *rec); err != nil {
			err = fmt.Errorf("the agent could not record the task: %w", err)
		}
	}
	if err == nil {
		h, err = a.cfg.Runtime.Start(context.WithoutCancel(ctx), spec)
	}
	if err != nil {
		a.log.Warn("task failed to start", "taskArn", t.arn, "err", err)
		reason := truncate("CannotStartContainerError: "+err.Error(), 255)
		var cs []map[string]any
		if pt.TaskDefinition != nil {
			for _, cd := range pt.TaskDefinition.ContainerDefinitions {
				cs = append(cs, map[string]any{"containerName": cd.Name, "status": ecs.TaskStopped, "reason": reason})
			}
		}
		a.finish(t)
		a.reportEnd(ctx, t.id, t.arn, rec, &stoppedRecord{Reason: reason, Containers: cs})
		return
	}
	if rec != nil {
		ids := h.RuntimeIDs()
		for i := range rec.Containers {
			rec.Containers[i].RuntimeID = ids[rec.Containers[i].Name]
		}
		if err := a.saveTaskRecord(t.id, *rec); err != nil {
			a.log.Warn("the task's runtime IDs were not recorded", "taskArn", t.arn, "err", err)
		}
	}
	cs := rec.containersOr(spec, essential)
	a.follow(ctx, t, h, cs, rec)
}

// containersOr is the record's containers, or (without a record) the
// spec's.
func (rec *taskRecord) containersOr(spec TaskSpec, essential map[string]bool) []containerRecord {
	if rec != nil {
		return rec.Containers
	}
	var cs []containerRecord
	for _, c := range spec.Containers {
		cs = append(cs, containerRecord{Name: c.Name, Essential: essential[c.Name]})
	}
	return cs
}

// reasonAgentStopped is the stop reason of tasks that an agent stopped
// because it was itself stopped.
const reasonAgentStopped = "The container instance's agent stopped, and its tasks with it"

// follow follows a started (or adopted) task to its end, reporting each
// step, and then reports its end (reportEnd). rec is its record (nil when
// the runtime cannot adopt).
func (a *Agent) follow(ctx context.Context, t *task, h Handle, containers []containerRecord, rec *taskRecord) {
	t.mu.Lock()
	t.handle = h
	if t.stopRequested {
		t.stopping = true
		h.Stop(a.cfg.StopGrace)
	}
	t.mu.Unlock()

	ids := map[string]string{}
	essential := map[string]bool{}
	started := h.RuntimeIDs()
	var running []map[string]any
	for _, c := range containers {
		if c.RuntimeID == "" {
			// The agent died before recording it.
			c.RuntimeID = started[c.Name]
		}
		ids[c.Name], essential[c.Name] = c.RuntimeID, c.Essential
		running = append(running, map[string]any{"containerName": c.Name, "status": ecs.TaskRunning, "runtimeId": c.RuntimeID})
	}
	a.report(ctx, "SubmitTaskStateChange", map[string]any{"cluster": a.cfg.Cluster, "task": t.arn, "status": ecs.TaskRunning, "containers": running})

	reason := ""
	var stopped []map[string]any
	for ex := range h.Exits() {
		c := map[string]any{"containerName": ex.Name, "status": ecs.TaskStopped, "runtimeId": ids[ex.Name]}
		if ex.ExitCode != nil {
			c["exitCode"] = *ex.ExitCode
		}
		if ex.Reason != "" {
			c["reason"] = truncate(ex.Reason, 255)
		}
		stopped = append(stopped, c)
		if ctx.Err() == nil {
			a.report(ctx, "SubmitContainerStateChange", map[string]any{"cluster": a.cfg.Cluster, "task": t.arn, "containerName": ex.Name,
				"status": ecs.TaskStopped, "exitCode": c["exitCode"], "reason": c["reason"], "runtimeId": ids[ex.Name]})
		}
		t.mu.Lock()
		if essential[ex.Name] && !t.stopping {
			t.stopping = true
			reason = "Essential container in task exited"
			h.Stop(a.cfg.StopGrace)
		}
		t.mu.Unlock()
	}
	if ctx.Err() != nil && reason == "" {
		// The agent is shutting down and stopped the task with it.
		reason = reasonAgentStopped
	}
	a.log.Info("task stopped", "taskArn", t.arn, "reason", reason)
	// Forget it first: the control plane answers the report by queueing
	// the task (now STOPPED) for the agent, which must find it finished.
	a.finish(t)
	a.reportEnd(ctx, t.id, t.arn, rec, &stoppedRecord{Reason: reason, Containers: stopped})
}

// reportEnd reports a task's end and then drops its record. A task never
// runs twice, so the report must be taken: the record keeps it (rec, when
// the task has one) while it fails for a reason that may pass, and it is
// retried until taken or the agent stops, when the next agent on the
// instance reports it. A stopping agent tries for a few seconds with a
// deadline of its own.
func (a *Agent) reportEnd(ctx context.Context, id, arn string, rec *taskRecord, st *stoppedRecord) {
	if rec != nil {
		rec.Stopped = st
		if err := a.saveTaskRecord(id, *rec); err != nil {
			a.log.Warn("the task's end was not recorded", "taskArn", arn, "err", err)
		}
	}
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
	}
	in := map[string]any{"cluster": a.cfg.Cluster, "task": arn, "status": ecs.TaskStopped, "reason": st.Reason,
		"containers": st.Containers, "executionStoppedAt": ecs.Timestamp{Time: time.Now()}}
	for {
		err := a.report(ctx, "SubmitTaskStateChange", in)
		if err == nil || !retryable(err) {
			if rec != nil {
				a.removeTaskRecord(id)
			}
			return
		}
		if !sleep(ctx, 30*time.Second) {
			return
		}
	}
}

// adopt takes back the tasks that an earlier agent on this instance
// started and whose end it did not report (it crashed, or could not reach
// the control plane): their containers kept running under their shims, or
// ended and left their exit codes. Called before the first Poll, which
// brings their credentials again. A task it cannot take back is reported
// stopped (and never started again: the control plane re-queues it).
func (a *Agent) adopt(ctx context.Context) {
	ids, recs, unreadable := a.loadTaskRecords()
	adopter, canAdopt := a.cfg.Runtime.(Adopter)
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range unreadable {
		a.refuse(ctx, id, "", "The agent restarted and could not read the task's record")
	}
	for i := range recs {
		rec, id := &recs[i], ids[i]
		spec := TaskSpec{TaskARN: rec.TaskArn, LogDir: a.taskDir(id), StateDir: a.recordDir(id)}
		for _, c := range rec.Containers {
			spec.Containers = append(spec.Containers, ContainerSpec{Name: c.Name, Essential: c.Essential})
		}
		switch {
		case taskIDOf(rec.TaskArn) != id:
			a.refuse(ctx, id, "", "The agent restarted and found the task's record damaged")
			continue
		case !allSafe(rec.Containers):
			a.refuse(ctx, id, rec.TaskArn, "The agent restarted and found the task's record damaged")
			continue
		case rec.Stopped != nil:
			// It ended before the agent stopped; only the report is left.
			a.log.Info("reporting the end of a task", "taskArn", rec.TaskArn)
			a.markFinished(rec.TaskArn)
			a.reports.Add(1)
			go func() {
				defer a.reports.Done()
				a.reportEnd(ctx, id, rec.TaskArn, rec, rec.Stopped)
			}()
			continue
		case !canAdopt:
			a.refuse(ctx, id, rec.TaskArn, "The agent restarted and its runtime cannot take the task back")
			continue
		}
		h, err := adopter.Adopt(context.WithoutCancel(ctx), spec)
		if err != nil {
			a.log.Warn("cannot adopt a task", "taskArn", rec.TaskArn, "err", err)
			a.refuse(ctx, id, rec.TaskArn, truncate("The agent restarted and could not take the task back: "+err.Error(), 255))
			continue
		}
		if rec.ContainerInstanceArn != a.instanceARN {
			// The instance was registered anew: the control plane no
			// longer sends this task's credentials here. Its containers
			// are stopped and its end reported.
			a.log.Warn("stopping a task of an earlier container instance", "taskArn", rec.TaskArn, "containerInstanceArn", rec.ContainerInstanceArn)
			a.refuseHandle(ctx, id, rec.TaskArn, "The agent restarted as another container instance", h)
			continue
		}
		t := &task{arn: rec.TaskArn, id: id, token: rec.Token, execToken: rec.ExecToken}
		a.tasks[t.arn] = t
		a.log.Info("adopted task", "taskArn", t.arn)
		if rec.CredentialsURL != "" && rec.CredentialsURL != a.credsURL && !a.linkLocal() {
			a.log.Warn("the adopted task's containers were told another credentials endpoint: run the agent with the same --listen, or they get no credentials",
				"taskArn", t.arn, "told", rec.CredentialsURL, "serving", a.credsURL)
		}
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			a.follow(ctx, t, h, rec.Containers, rec)
		}()
	}
}

// refuse gives up a task the agent cannot take back: what of it still
// runs is killed, its record goes, it is reported STOPPED with reason
// (when its ARN is known; otherwise when the control plane hands it over,
// by task ID), and it is never started. Caller holds a.mu.
func (a *Agent) refuse(ctx context.Context, id, arn, reason string) {
	a.refuseHandle(ctx, id, arn, reason, nil)
}

// refuseHandle is refuse for a task adopted as h (nil: not adopted).
func (a *Agent) refuseHandle(ctx context.Context, id, arn, reason string, h Handle) {
	a.log.Warn("giving up a task", "task", id, "reason", reason)
	if arn == "" {
		a.refused[id] = reason
	} else {
		a.markFinished(arn)
	}
	a.reports.Add(1)
	go func() {
		defer a.reports.Done()
		// Its containers end before their files go.
		if h != nil {
			h.Stop(0)
			for range h.Exits() {
			}
		} else {
			stopShims(a.recordDir(id), 10*time.Second)
		}
		a.removeTaskRecord(id)
		if arn != "" {
			a.reportEnd(ctx, id, arn, nil, &stoppedRecord{Reason: reason})
		}
	}()
}

func allSafe(cs []containerRecord) bool {
	for _, c := range cs {
		if !safeName(c.Name) {
			return false
		}
	}
	return true
}

// finish forgets a task that ended and its credentials (the control plane
// revokes them too).
func (a *Agent) finish(t *task) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range t.credIDs {
		a.cache.Remove(id)
		delete(a.credIDs, id)
	}
	delete(a.tasks, t.arn)
	a.markFinished(t.arn)
}

// finishedMemory is how long an ended task is remembered (so that late
// deliveries of it are not taken for new work). The control plane stops
// sending a task once its STOPPED report is acknowledged, so an hour is
// ample.
const finishedMemory = time.Hour

// markFinished remembers that a task ended; caller holds a.mu.
func (a *Agent) markFinished(arn string) {
	now := time.Now()
	if len(a.finished) >= 1024 {
		for k, at := range a.finished {
			if now.Sub(at) > finishedMemory {
				delete(a.finished, k)
			}
		}
	}
	a.finished[arn] = now
}

// stopAll stops every task (agent shutdown).
func (a *Agent) stopAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, t := range a.tasks {
		t.requestStop(a.cfg.StopGrace)
	}
}

// report sends a state change, retrying transient failures for a while.
func (a *Agent) report(ctx context.Context, op string, in map[string]any) error {
	for attempt := 0; ; attempt++ {
		err := a.ecs.call(ctx, op, in, nil)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || !retryable(err) || attempt >= 8 {
			a.log.Warn("state change not reported", "op", op, "taskArn", in["task"], "status", in["status"], "err", err)
			return err
		}
		if !sleep(ctx, backoff(attempt)) {
			return ctx.Err()
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
