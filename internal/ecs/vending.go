package ecs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/sts"
	"github.com/rolecall/rolecall/internal/uuid"
)

// Credential vending: the control plane's half of task IAM roles.
//
// When RunTask places a task whose definition (or overrides) names a task
// role and/or an execution role, the control plane assumes each role as
// ecs-tasks.amazonaws.com (Assumer, i.e. sts.AssumeRoleForService) with the
// task ID as the session name and aws:SourceAccount / aws:SourceArn set to
// the account and the task ARN, so the session is
// arn:aws:sts::ACCOUNT:assumed-role/ROLE/TASK_ID. Each role gets a
// credential ID (a random version 4 UUID, the agent's format) and a
// credential record holding the current credentials. The task's container
// instance learns of it through its agent queue (Poll): the task message
// carries the task's deliveries.
//
// RefreshDue re-assumes roles well before they expire and stores the new
// credentials under the same credential ID, queueing a refresh for the
// agent. Stopping a task deletes its credential records and queues a
// revocation of their IDs.
//
// Secrets (secret keys, session tokens, credential IDs) are kept in the
// credential records and handed out only by Poll; they never appear in
// tasks, errors or logs.

// RoleTypes of a delivery.
const (
	RoleTypeTask      = "TaskRole"
	RoleTypeExecution = "ExecutionRole"
)

// TasksPrincipal is the service principal task and execution roles trust.
const TasksPrincipal = "ecs-tasks.amazonaws.com"

// Vending defaults.
const (
	DefaultCredentialDuration  = 6 * time.Hour
	DefaultRefreshMinRemaining = 30 * time.Minute
	DefaultRefreshFraction     = 1.0 / 3
)

// Assumer mints role credentials for a service principal after checking the
// role's trust policy: *sts.Service.
type Assumer interface {
	AssumeRoleForService(ctx context.Context, service string, roleARN, sessionName string, duration time.Duration, sourceAccount, sourceARN string) (*sts.Credentials, error)
}

// credRecord is one role's credentials for one task. Stored under
// "ecscred/ACCOUNT/REGION/CLUSTER/TASKID/ROLETYPE", outside the account's
// own prefix, so RefreshDue finds every account's records in one scan.
type credRecord struct {
	Account              string    `json:"account"`
	Region               string    `json:"region"`
	Cluster              string    `json:"cluster"`
	TaskArn              string    `json:"taskArn"`
	ContainerInstanceArn string    `json:"containerInstanceArn"`
	CredentialsID        string    `json:"credentialsId"`
	RoleArn              string    `json:"roleArn"`
	RoleType             string    `json:"roleType"`
	AccessKeyID          string    `json:"accessKeyId"`
	SecretAccessKey      string    `json:"secretAccessKey"`
	SessionToken         string    `json:"sessionToken"`
	IssuedAt             time.Time `json:"issuedAt"`
	Expiration           time.Time `json:"expiration"`
}

const credRoot = "ecscred/"

func credTaskPrefix(sc Scope, cluster, taskID string) string {
	return credRoot + sc.Account + "/" + sc.Region + "/" + cluster + "/" + taskID + "/"
}

func (c *credRecord) key() string {
	return credTaskPrefix(Scope{c.Account, c.Region}, c.Cluster, taskIDOf(c.TaskArn)) + c.RoleType
}

func putCred(tx store.Tx, c *credRecord) error { return put(tx, c.key(), c) }

// CredentialDelivery is a role's credentials for a task as Poll hands them
// to the agent. Its String and LogValue never show the secrets.
type CredentialDelivery struct {
	TaskArn         string    `json:"taskArn"`
	CredentialsID   string    `json:"credentialsId"`
	RoleArn         string    `json:"roleArn"`
	RoleType        string    `json:"roleType"`
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey"`
	SessionToken    string    `json:"sessionToken"`
	Expiration      Timestamp `json:"expiration"`
}

func (d CredentialDelivery) String() string {
	return fmt.Sprintf("{TaskArn:%s RoleArn:%s RoleType:%s AccessKeyID:%s Expiration:%s}", d.TaskArn, d.RoleArn, d.RoleType, d.AccessKeyID, d.Expiration.Format(time.RFC3339))
}

func (d CredentialDelivery) LogValue() slog.Value {
	return slog.GroupValue(slog.String("taskArn", d.TaskArn), slog.String("roleArn", d.RoleArn), slog.String("roleType", d.RoleType))
}

func (c *credRecord) delivery() CredentialDelivery {
	return CredentialDelivery{
		TaskArn: c.TaskArn, CredentialsID: c.CredentialsID, RoleArn: c.RoleArn, RoleType: c.RoleType,
		AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		Expiration: Timestamp{c.Expiration},
	}
}

func (s *Service) credDuration() time.Duration {
	if s.CredentialDuration > 0 {
		return s.CredentialDuration
	}
	return DefaultCredentialDuration
}

// refreshWindow is how long before expiry credentials of the given
// lifetime are refreshed: the larger of RefreshFraction of the lifetime
// and RefreshMinRemaining, but at most half the lifetime (so short-lived
// credentials are not refreshed on every pass).
func (s *Service) refreshWindow(lifetime time.Duration) time.Duration {
	frac, minRem := s.RefreshFraction, s.RefreshMinRemaining
	if frac <= 0 || frac >= 1 {
		frac = DefaultRefreshFraction
	}
	if minRem <= 0 {
		minRem = DefaultRefreshMinRemaining
	}
	w := max(time.Duration(float64(lifetime)*frac), minRem)
	return min(w, lifetime/2)
}

// unableToAssume is ECS's answer when it cannot assume a task's role.
func unableToAssume(role string) error {
	return clientException("ECS was unable to assume the role '%s' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.", role)
}

// assume mints a role's credentials for a task.
func (s *Service) assume(ctx context.Context, sc Scope, taskARN, role string) (*sts.Credentials, error) {
	if s.Assumer == nil {
		e := awserr.New(http.StatusInternalServerError, "ServerException", "Task role credentials are not available: no STS is configured.")
		e.Sender = false
		return nil, e
	}
	creds, err := s.Assumer.AssumeRoleForService(ctx, TasksPrincipal, role, taskIDOf(taskARN), s.credDuration(), sc.Account, taskARN)
	if err != nil {
		if e, ok := awserr.As(err); ok && (e.Code == "AccessDenied" || e.Code == "ValidationError" || e.Code == "InvalidParameterValue") {
			return nil, unableToAssume(role)
		}
		return nil, err
	}
	return creds, nil
}

// vend assumes a new task's roles and returns its credential records (not
// yet placed: ContainerInstanceArn is set by the caller).
func (s *Service) vend(ctx context.Context, sc Scope, cluster string, t *Task, taskRole, execRole string) ([]*credRecord, error) {
	var out []*credRecord
	for _, r := range []struct{ arn, typ string }{{taskRole, RoleTypeTask}, {execRole, RoleTypeExecution}} {
		if r.arn == "" {
			continue
		}
		creds, err := s.assume(ctx, sc, t.TaskArn, r.arn)
		if err != nil {
			return nil, err
		}
		out = append(out, &credRecord{
			Account: sc.Account, Region: sc.Region, Cluster: cluster, TaskArn: t.TaskArn,
			CredentialsID: NewCredentialID(), RoleArn: r.arn, RoleType: r.typ,
			AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken,
			IssuedAt: creds.Expiration.Add(-s.credDuration()).UTC(), Expiration: creds.Expiration.UTC(),
		})
	}
	return out, nil
}

// taskCreds reads a task's credential records.
func taskCreds(r store.Reader, sc Scope, cluster, taskID string) ([]*credRecord, error) {
	return list[credRecord](r, credTaskPrefix(sc, cluster, taskID))
}

// revoke deletes a task's credential records and queues the revocation of
// their IDs on the task's instance.
func (s *Service) revoke(tx store.Tx, sc Scope, cluster, instanceID, taskID string) error {
	creds, err := taskCreds(tx, sc, cluster, taskID)
	if err != nil {
		return err
	}
	for _, c := range creds {
		if err := tx.Delete(c.key()); err != nil && !isNotFound(err) {
			return err
		}
		if err := s.enqueue(tx, sc, cluster, instanceID, agentMsg{Kind: msgRevoke, CredentialsID: c.CredentialsID}); err != nil {
			return err
		}
	}
	return nil
}

// The agent queue: what a container instance's agent has yet to
// acknowledge, in sequence order. Messages name what changed; Poll renders
// them from the current state (so a message never carries stale
// credentials, and the queue itself holds no secrets but revoked IDs).

const (
	msgTask    = "task"    // a task was placed or its desired status changed
	msgRefresh = "refresh" // a credential record got new credentials
	msgRevoke  = "revoke"  // a credential ID was revoked
)

type agentMsg struct {
	Seq           int64  `json:"seq"`
	Kind          string `json:"kind"`
	TaskID        string `json:"taskId,omitempty"`
	RoleType      string `json:"roleType,omitempty"`
	CredentialsID string `json:"credentialsId,omitempty"`
}

type agentSeq struct {
	Last int64 `json:"last"`
}

func queuePrefix(sc Scope, cluster, instanceID string) string {
	return prefix(sc) + "agentq/" + cluster + "/" + instanceID + "/"
}
func queueKey(sc Scope, cluster, instanceID string, seq int64) string {
	return fmt.Sprintf("%s%020d", queuePrefix(sc, cluster, instanceID), seq)
}
func queueSeqKey(sc Scope, cluster, instanceID string) string {
	return prefix(sc) + "agentseq/" + cluster + "/" + instanceID
}

// readSeq reads an instance's last queued sequence number (0: none yet).
func readSeq(r store.Reader, sc Scope, cluster, instanceID string) (*agentSeq, error) {
	seq, err := get[agentSeq](r, queueSeqKey(sc, cluster, instanceID))
	if isNotFound(err) {
		return &agentSeq{}, nil
	}
	return seq, err
}

// enqueue appends a message to an instance's queue.
func (s *Service) enqueue(tx store.Tx, sc Scope, cluster, instanceID string, m agentMsg) error {
	seq, err := readSeq(tx, sc, cluster, instanceID)
	if err != nil {
		return err
	}
	seq.Last++
	m.Seq = seq.Last
	if err := put(tx, queueSeqKey(sc, cluster, instanceID), seq); err != nil {
		return err
	}
	return put(tx, queueKey(sc, cluster, instanceID, m.Seq), &m)
}

// dropQueue deletes an instance's queue (it was deregistered).
func dropQueue(tx store.Tx, sc Scope, cluster, instanceID string) error {
	kvs, err := tx.List(queuePrefix(sc, cluster, instanceID), "", 0)
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		if err := tx.Delete(kv.Key); err != nil && !isNotFound(err) {
			return err
		}
	}
	return nil
}

// PollInput is Poll's request (rolecall's long-poll replacement for ECS's
// ACS websocket).
type PollInput struct {
	Cluster           string `json:"cluster"`
	ContainerInstance string `json:"containerInstance"`
	WaitSeconds       *int   `json:"waitSeconds"`
	AckSequence       int64  `json:"ackSequence"`
	// Agent is the calling principal's ARN (set by the API layer; empty for
	// in-process callers): only the principal that registered the instance
	// may poll it.
	Agent string `json:"-"`
}

// PollTask is a task as Poll hands it to the agent.
type PollTask struct {
	TaskArn        string               `json:"taskArn"`
	TaskDefinition *TaskDefinition      `json:"taskDefinition"`
	DesiredStatus  string               `json:"desiredStatus"`
	Overrides      TaskOverride         `json:"overrides"`
	Credentials    []CredentialDelivery `json:"credentials"`
}

// PollOutput is Poll's answer.
type PollOutput struct {
	Sequence             int64                `json:"sequence"`
	Tasks                []PollTask           `json:"tasks"`
	RefreshedCredentials []CredentialDelivery `json:"refreshedCredentials"`
	RevokedCredentialIds []string             `json:"revokedCredentialIds"`
}

// MaxPollWait is the longest a Poll waits for news.
const MaxPollWait = 20 * time.Second

// Poll is the agent's channel: it first drops the messages up to
// ackSequence (the agent has acted on them), then answers with everything
// still queued for the instance — tasks (with their definitions, desired
// status, overrides and current credentials), refreshed credentials and
// revoked credential IDs — and the sequence to acknowledge next time. An
// agent that crashed before acknowledging gets the same again. When
// nothing is queued it waits up to waitSeconds (0 to 20) for news.
func (s *Service) Poll(ctx context.Context, sc Scope, in *PollInput) (*PollOutput, error) {
	sc = s.scope(sc)
	if in.ContainerInstance == "" {
		return nil, invalidParameter("Container instance cannot be null or empty.")
	}
	wait := time.Duration(0)
	if in.WaitSeconds != nil {
		if *in.WaitSeconds < 0 || *in.WaitSeconds > int(MaxPollWait/time.Second) {
			return nil, invalidParameter("waitSeconds must be between 0 and 20.")
		}
		wait = time.Duration(*in.WaitSeconds) * time.Second
	}
	if in.AckSequence < 0 {
		return nil, invalidParameter("ackSequence cannot be negative.")
	}
	cluster, err := s.ClusterName(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	id, _, found, err := s.InstanceARN(sc, cluster, in.ContainerInstance)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, invalidParameter("The referenced container instance %s was not found in cluster %s.", in.ContainerInstance, cluster)
	}
	var events <-chan store.Event
	if wait > 0 {
		wctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		events, err = s.Store.Watch(wctx, queuePrefix(sc, cluster, id))
		if err != nil {
			return nil, mapErr(err)
		}
	}
	for {
		out, err := s.poll(ctx, sc, cluster, id, in.Agent, in.AckSequence)
		if err != nil || events == nil || len(out.Tasks)+len(out.RefreshedCredentials)+len(out.RevokedCredentialIds) > 0 {
			return out, err
		}
	wait:
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					if ctx.Err() != nil {
						return nil, ctx.Err()
					}
					events = nil // waited long enough (or dropped): answer
					break wait
				}
				if ev.Type != store.EventDelete { // deletions are acknowledgments
					break wait
				}
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		in.AckSequence = out.Sequence
	}
}

func (s *Service) poll(ctx context.Context, sc Scope, cluster, instanceID, agent string, ack int64) (*PollOutput, error) {
	out := &PollOutput{Tasks: []PollTask{}, RefreshedCredentials: []CredentialDelivery{}, RevokedCredentialIds: []string{}}
	var acked []string
	err := s.view(ctx, func(r store.Reader) error {
		if _, err := activeCluster(r, sc, cluster); err != nil {
			return err
		}
		ci, err := get[ContainerInstance](r, instanceKey(sc, cluster, instanceID))
		if err != nil && !isNotFound(err) {
			return err
		}
		if ci == nil || ci.Status == StatusInactive {
			return invalidParameter("The referenced container instance %s was not found in cluster %s.", instanceID, cluster)
		}
		if err := checkAgent(r, sc, cluster, instanceID, agent); err != nil {
			return err
		}
		seq, err := readSeq(r, sc, cluster, instanceID)
		if err != nil {
			return err
		}
		out.Sequence = seq.Last
		ack := min(ack, seq.Last) // never acknowledge what was not sent
		msgs, err := list[agentMsg](r, queuePrefix(sc, cluster, instanceID))
		if err != nil {
			return err
		}
		seenTask, seenCred := map[string]bool{}, map[string]bool{}
		for _, m := range msgs {
			if m.Seq <= ack {
				acked = append(acked, queueKey(sc, cluster, instanceID, m.Seq))
				continue
			}
			switch m.Kind {
			case msgTask:
				if seenTask[m.TaskID] {
					continue
				}
				seenTask[m.TaskID] = true
				pt, err := s.pollTask(r, sc, cluster, m.TaskID)
				if err != nil {
					return err
				}
				if pt != nil {
					out.Tasks = append(out.Tasks, *pt)
				}
			case msgRefresh:
				c, err := get[credRecord](r, credTaskPrefix(sc, cluster, m.TaskID)+m.RoleType)
				if isNotFound(err) {
					continue // revoked since: the revocation follows
				}
				if err != nil {
					return err
				}
				if !seenCred[c.CredentialsID] {
					seenCred[c.CredentialsID] = true
					out.RefreshedCredentials = append(out.RefreshedCredentials, c.delivery())
				}
			case msgRevoke:
				out.RevokedCredentialIds = append(out.RevokedCredentialIds, m.CredentialsID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Drop what the agent acknowledged (a write only when there is some).
	if len(acked) > 0 {
		err = s.update(ctx, func(tx store.Tx) error {
			for _, k := range acked {
				if err := tx.Delete(k); err != nil && !isNotFound(err) {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pollTask renders a task for the agent, with its current credentials.
func (s *Service) pollTask(r store.Reader, sc Scope, cluster, taskID string) (*PollTask, error) {
	t, err := get[Task](r, taskKey(sc, cluster, taskID))
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	family, rev, err := s.parseTaskDef(sc, t.TaskDefinitionArn)
	if err != nil {
		return nil, err
	}
	td, err := readTaskDef(r, sc, family, rev)
	if err != nil {
		return nil, err
	}
	creds, err := taskCreds(r, sc, cluster, taskID)
	if err != nil {
		return nil, err
	}
	pt := &PollTask{TaskArn: t.TaskArn, TaskDefinition: &td.TaskDefinition, DesiredStatus: t.DesiredStatus, Overrides: t.Overrides, Credentials: []CredentialDelivery{}}
	for _, c := range creds {
		pt.Credentials = append(pt.Credentials, c.delivery())
	}
	return pt, nil
}

// requeueInstance queues every task of an instance that is not STOPPED
// again: its agent re-registered (it restarted), and Poll will hand it
// its tasks and their current credentials whatever it had acknowledged.
// The tasks' reservations are taken from ci's (reset) remaining resources.
func (s *Service) requeueInstance(tx store.Tx, sc Scope, cluster string, ci *ContainerInstance) error {
	all, err := list[Task](tx, taskPrefix(sc, cluster))
	if err != nil {
		return err
	}
	for _, t := range all {
		if t.ContainerInstanceArn == ci.ContainerInstanceArn && t.LastStatus != TaskStopped {
			if t.Reserved != nil {
				reserve(ci, *t.Reserved, 1)
			}
			if err := s.enqueue(tx, sc, cluster, instanceIDOf(ci.ContainerInstanceArn), agentMsg{Kind: msgTask, TaskID: taskIDOf(t.TaskArn)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// RefreshDue refreshes every credential record (of every account and
// region) that is due at now: its remaining lifetime is under the refresh
// window. Each role is assumed again (session name the task ID, as
// before); the new credentials replace the old under the same credential
// ID and a refresh is queued for the agent. A role that can no longer be
// assumed keeps its old credentials until they expire; its error is
// returned (joined with the others; task and role ARNs only) and the
// next pass tries again. It returns how many records were refreshed.
func (s *Service) RefreshDue(ctx context.Context, now time.Time) (int, error) {
	var due []*credRecord
	err := s.view(ctx, func(r store.Reader) error {
		all, err := list[credRecord](r, credRoot)
		if err != nil {
			return err
		}
		due = due[:0]
		for _, c := range all {
			if c.Expiration.Sub(now) < s.refreshWindow(c.Expiration.Sub(c.IssuedAt)) {
				due = append(due, c)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, c := range due {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		sc := Scope{Account: c.Account, Region: c.Region}
		creds, err := s.assume(ctx, sc, c.TaskArn, c.RoleArn)
		if err != nil {
			errs = append(errs, fmt.Errorf("refreshing %s credentials of %s (%s): %w", c.RoleType, c.TaskArn, c.RoleArn, err))
			continue
		}
		updated := false
		err = s.update(ctx, func(tx store.Tx) error {
			updated = false
			cur, err := get[credRecord](tx, c.key())
			if isNotFound(err) {
				return nil // revoked meanwhile
			}
			if err != nil {
				return err
			}
			if cur.CredentialsID != c.CredentialsID || cur.AccessKeyID != c.AccessKeyID {
				return nil // replaced meanwhile
			}
			cur.AccessKeyID, cur.SecretAccessKey, cur.SessionToken = creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken
			cur.IssuedAt, cur.Expiration = creds.Expiration.Add(-s.credDuration()).UTC(), creds.Expiration.UTC()
			if err := putCred(tx, cur); err != nil {
				return err
			}
			updated = true
			return s.enqueue(tx, sc, cur.Cluster, instanceIDOf(cur.ContainerInstanceArn),
				agentMsg{Kind: msgRefresh, TaskID: taskIDOf(cur.TaskArn), RoleType: cur.RoleType})
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("refreshing %s credentials of %s: %w", c.RoleType, c.TaskArn, err))
			continue
		}
		if updated {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// RefreshLoop runs RefreshDue every interval until ctx is done, reporting
// each pass that refreshed something or failed.
func (s *Service) RefreshLoop(ctx context.Context, interval time.Duration, report func(refreshed int, err error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := s.RefreshDue(ctx, s.now())
			if report != nil && (n > 0 || err != nil) && ctx.Err() == nil {
				report(n, err)
			}
		}
	}
}

// DiscoverPollEndpointOutput is DiscoverPollEndpoint's answer.
type DiscoverPollEndpointOutput struct {
	Endpoint          string `json:"endpoint"`
	TelemetryEndpoint string `json:"telemetryEndpoint"`
}

// NewCredentialID returns a credential ID: a version 4 UUID from
// crypto/rand (122 random bits), the format of the agent's IDs
// (internal/agent/credentials.NewCredentialID).
func NewCredentialID() string { return uuid.New() }

// newID returns a task ID: 32 random hex digits, as ECS's.
func newID() string { return NewContainerInstanceID() }

// DiscoverPollEndpoint answers where the agent polls and sends telemetry:
// this server (Endpoint, or fallback when none is configured), for both.
func (s *Service) DiscoverPollEndpoint(fallback string) *DiscoverPollEndpointOutput {
	ep := s.Endpoint
	if ep == "" {
		ep = fallback
	}
	return &DiscoverPollEndpointOutput{Endpoint: ep, TelemetryEndpoint: ep}
}
