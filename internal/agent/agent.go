// Package agent is rolecall's container agent (`rolecall agent`): it
// registers a container instance with the ECS control plane, long-polls it
// for tasks (rolecall's Poll operation, see docs/ECS.md), keeps each task's
// role credentials in the credentials cache and serves them to the task's
// containers on /v2/credentials/{id} (package credentials), runs the tasks
// through a Runtime (by default, each container as a local process) and
// reports their state with SubmitTaskStateChange and
// SubmitContainerStateChange.
//
// Secrets (keys, session tokens, credential IDs, authorization tokens) are
// never logged; log lines name task ARNs.
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"golang.org/x/time/rate"

	"github.com/rolecall/rolecall/internal/agent/credentials"
	"github.com/rolecall/rolecall/internal/ecs"
)

// Config configures an Agent. Endpoint, Cluster, Region, Credentials and
// StateDir are required.
type Config struct {
	// Endpoint is the rolecall server's base URL.
	Endpoint string
	// Cluster is the cluster to join (created if it does not exist and the
	// agent's role may create it, as the ECS agent does).
	Cluster string
	// Region signs the requests.
	Region string
	// Credentials are the agent's own (the instance role's); they never
	// reach a task.
	Credentials aws.CredentialsProvider
	// Listen is the credentials endpoint's address (default
	// 127.0.0.1:51679). Listener, when set, is used instead.
	Listen   string
	Listener net.Listener
	// StateDir keeps state.json (container instance ARN, last acknowledged
	// sequence) and, for each task, tasks/TASK_ID/: task.json (while it
	// runs), CONTAINER.stdout and CONTAINER.stderr, and the shims' files.
	StateDir string
	// AuditLog is the credentials audit log (default STATE_DIR/audit.log).
	AuditLog string
	// Rate and Burst limit credential requests per caller (defaults 40, 60).
	Rate  rate.Limit
	Burst int
	// Runtime runs tasks (default ProcessRuntime).
	Runtime Runtime
	// PATH is the PATH tasks get (default the usual system directories).
	PATH string
	// WaitSeconds is the long-poll wait (default 20).
	WaitSeconds int
	// StopGrace is how long containers get between SIGTERM and SIGKILL
	// (default 10 s).
	StopGrace time.Duration
	// CPU (in CPU units, 1024 per core) and MemoryMiB are the resources the
	// instance registers, which task placement then respects, as ECS's
	// agent registers them. Zero: the machine's (its cores; its total
	// memory, where /proc/meminfo tells). Negative: not registered, so
	// placement is not limited by it.
	CPU       int64
	MemoryMiB int64
	// Logger receives operational messages (default: discard).
	Logger *slog.Logger
	// Ready, when set, is called once the agent is registered and serving
	// credentials, with the container instance ARN and the endpoint address.
	Ready func(containerInstanceARN, addr string)
}

// DefaultListen is the credentials endpoint's default address (the ECS
// agent's introspection port is 51678; 51679 is its credentials port).
const DefaultListen = "127.0.0.1:51679"

// DefaultPATH is the PATH tasks get by default.
const DefaultPATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Agent is a running agent. Create it with New, run it with Run.
type Agent struct {
	cfg   Config
	log   *slog.Logger
	ecs   *ecsClient
	cache *credentials.Cache

	instanceARN string
	credsURL    string // http://HOST:PORT/v2/credentials/

	mu       sync.Mutex
	tasks    map[string]*task     // by task ARN, until they stopped
	finished map[string]time.Time // task ARNs that ended here, and when
	credIDs  map[string]*task     // credential ID → task
	refused  map[string]string    // task ID → why a restarted agent gave it up
	wg       sync.WaitGroup       // task goroutines
	reports  sync.WaitGroup       // reports of tasks that never ran here
}

// New checks cfg and returns an Agent.
func New(cfg Config) (*Agent, error) {
	switch {
	case cfg.Endpoint == "":
		return nil, errors.New("agent: the control plane endpoint is required")
	case cfg.Cluster == "":
		return nil, errors.New("agent: the cluster is required")
	case cfg.Region == "":
		return nil, errors.New("agent: the region is required")
	case cfg.Credentials == nil:
		return nil, errors.New("agent: credentials are required")
	case cfg.StateDir == "":
		return nil, errors.New("agent: the state directory is required")
	}
	// Absolute: the shims run in the tasks' directories.
	dir, err := filepath.Abs(cfg.StateDir)
	if err != nil {
		return nil, fmt.Errorf("agent: the state directory: %w", err)
	}
	cfg.StateDir = dir
	if cfg.WaitSeconds < 0 || cfg.WaitSeconds > 20 {
		return nil, fmt.Errorf("agent: wait seconds must be 0..20, not %d", cfg.WaitSeconds)
	}
	if cfg.WaitSeconds == 0 {
		cfg.WaitSeconds = 20
	}
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	if cfg.AuditLog == "" {
		cfg.AuditLog = filepath.Join(cfg.StateDir, "audit.log")
	}
	if cfg.Runtime == nil {
		cfg.Runtime = ProcessRuntime{}
	}
	if cfg.PATH == "" {
		cfg.PATH = DefaultPATH
	}
	if cfg.StopGrace <= 0 {
		cfg.StopGrace = 10 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Agent{cfg: cfg, log: log, ecs: newECSClient(cfg.Endpoint, cfg.Region, cfg.Credentials), cache: credentials.NewCache(),
		tasks: map[string]*task{}, finished: map[string]time.Time{}, credIDs: map[string]*task{}, refused: map[string]string{}}, nil
}

// Run registers the instance, serves credentials and polls until ctx ends.
// When it returns, its tasks have been stopped and their ends reported. If
// instead the agent dies (a crash, SIGKILL), the process runtime's tasks
// keep running under their shims; the next Run with the same state
// directory adopts them: it follows them again, serves their credentials
// under the same IDs and tokens (the same Listen address is needed, as
// their containers were told it) and reports how they end.
func (a *Agent) Run(ctx context.Context) error {
	if err := os.MkdirAll(a.cfg.StateDir, 0o700); err != nil {
		return fmt.Errorf("agent: state directory: %w", err)
	}
	// One agent per state directory: two would adopt, follow and report
	// the same tasks.
	unlock, err := lockStateDir(a.cfg.StateDir)
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	defer unlock()
	st, err := loadState(a.cfg.StateDir)
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	if st.Cluster != "" && st.Cluster != a.cfg.Cluster {
		return fmt.Errorf("agent: %s belongs to cluster %q, not %q (use another --state-dir)", statePath(a.cfg.StateDir), st.Cluster, a.cfg.Cluster)
	}
	// The endpoint and the audit log first: a failure there should not
	// leave a registered instance behind.
	ln := a.cfg.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", a.cfg.Listen); err != nil {
			return fmt.Errorf("agent: credentials endpoint: %w", err)
		}
	}
	defer ln.Close()
	audit, err := credentials.OpenAuditLog(credentials.AuditLogOptions{Path: a.cfg.AuditLog})
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	defer audit.Close()

	arn, err := a.register(ctx, st.ContainerInstanceArn)
	if err != nil {
		return err
	}
	if arn != st.ContainerInstanceArn {
		st = state{Cluster: a.cfg.Cluster, ContainerInstanceArn: arn}
	}
	st.Cluster = a.cfg.Cluster
	if err := saveState(a.cfg.StateDir, st); err != nil {
		return fmt.Errorf("agent: saving state: %w", err)
	}
	a.instanceARN = arn
	a.log.Info("container instance registered", "containerInstanceArn", arn, "cluster", a.cfg.Cluster)

	h, err := credentials.NewHandler(credentials.Options{
		Cache: a.cache, Audit: audit, Refresher: pushOnly{},
		Rate: a.cfg.Rate, Burst: a.cfg.Burst,
		Cluster: a.cfg.Cluster, ContainerInstanceARN: arn, Logger: a.log,
	})
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	a.credsURL = "http://" + reachable(ln.Addr()) + credentialsPath
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	a.log.Info("serving task credentials", "address", ln.Addr().String())
	if a.cfg.Ready != nil {
		a.cfg.Ready(arn, ln.Addr().String())
	}

	a.adopt(ctx)
	pollErr := a.pollLoop(ctx, &st)

	// Shut down: stop the tasks and report their ends, then the endpoint.
	a.stopAll()
	a.wg.Wait()
	a.reports.Wait()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	select {
	case err := <-serveErr:
		if pollErr == nil && err != nil && !errors.Is(err, http.ErrServerClosed) {
			pollErr = err
		}
	default:
	}
	return pollErr
}

// reachable turns a listener address into one a local task can dial: an
// unspecified IP becomes loopback.
func reachable(addr net.Addr) string {
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	ip := ta.IP
	if ip == nil || ip.IsUnspecified() {
		if ip.To4() == nil && ip != nil {
			ip = net.IPv6loopback
		} else {
			ip = net.IPv4(127, 0, 0, 1)
		}
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(ta.Port))
}

// pushOnly is the handler's Refresher: the agent cannot mint credentials;
// the control plane pushes refreshed ones (Poll's refreshedCredentials) well
// before expiry — two hours before for 6-hour credentials, far ahead of the
// handler's 15-minute floor. So a request for credentials close to expiry
// means the agent has lost contact with the control plane; it is answered
// 503 (retryable) until a Poll brings fresh ones.
type pushOnly struct{}

var errPushOnly = errors.New("the agent cannot refresh credentials; the control plane pushes them")

func (pushOnly) Refresh(context.Context, string) (credentials.Credentials, error) {
	return credentials.Credentials{}, errPushOnly
}

// register registers (or, with a known ARN, re-registers) the container
// instance, creating the cluster if it does not exist.
func (a *Agent) register(ctx context.Context, knownARN string) (string, error) {
	in := map[string]any{"cluster": a.cfg.Cluster, "totalResources": a.resources(),
		"versionInfo": map[string]string{"agentVersion": AgentVersion}}
	if knownARN != "" {
		in["containerInstanceArn"] = knownARN
	}
	var out struct {
		ContainerInstance ecs.ContainerInstance `json:"containerInstance"`
	}
	created := false
	for attempt := 0; ; attempt++ {
		err := a.ecs.call(ctx, "RegisterContainerInstance", in, &out)
		if err == nil {
			break
		}
		var ae *APIError
		if errors.As(err, &ae) && ae.Code == "ClusterNotFoundException" && !created {
			created = true
			if err := a.ecs.call(ctx, "CreateCluster", map[string]any{"clusterName": a.cfg.Cluster}, nil); err != nil {
				return "", fmt.Errorf("agent: cluster %q does not exist and could not be created: %w", a.cfg.Cluster, err)
			}
			continue
		}
		if knownARN != "" && notThisAgent(err) {
			return "", fmt.Errorf("agent: re-registering %s: %w (run the agent with the identity that registered it — for a role, the same role session name — or delete %s to register as a new container instance)", knownARN, err, statePath(a.cfg.StateDir))
		}
		if errors.As(err, &ae) && knownARN != "" && ae.Code == "ClientException" {
			return "", fmt.Errorf("agent: re-registering %s: %w (delete %s to register as a new container instance)", knownARN, err, statePath(a.cfg.StateDir))
		}
		if !retryable(err) || attempt >= 5 {
			return "", fmt.Errorf("agent: registering the container instance: %w", err)
		}
		a.log.Warn("registering the container instance failed; retrying", "err", err)
		if !sleep(ctx, backoff(attempt)) {
			return "", ctx.Err()
		}
	}
	if out.ContainerInstance.ContainerInstanceArn == "" {
		return "", errors.New("agent: RegisterContainerInstance answered no containerInstanceArn")
	}
	return out.ContainerInstance.ContainerInstanceArn, nil
}

func backoff(attempt int) time.Duration {
	d := 250 * time.Millisecond << min(attempt, 6)
	return min(d, 15*time.Second)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// pollLoop long-polls until ctx ends, acting on each answer and then
// acknowledging it (in the next Poll, and in the state file).
func (a *Agent) pollLoop(ctx context.Context, st *state) error {
	failures := 0
	for ctx.Err() == nil {
		in := ecs.PollInput{Cluster: a.cfg.Cluster, ContainerInstance: a.instanceARN, WaitSeconds: &a.cfg.WaitSeconds, AckSequence: st.AckSequence}
		var out ecs.PollOutput
		err := a.ecs.call(ctx, "Poll", in, &out)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if unboundInstance(err) {
				// Registered before the control plane kept agent
				// identities: registering again binds it to this agent.
				a.log.Info("registering the container instance again to bind it to this agent's identity")
				if _, rerr := a.register(ctx, a.instanceARN); rerr != nil {
					return rerr
				}
				continue
			}
			if notThisAgent(err) {
				// The instance is bound to another identity: the agent's
				// credentials changed identity (a new role session name).
				return fmt.Errorf("agent: Poll: %w (the agent's identity changed since it registered; restart it with the identity that registered %s, or delete %s to register anew)", err, a.instanceARN, statePath(a.cfg.StateDir))
			}
			var ae *APIError
			if errors.As(err, &ae) && !retryable(err) && ae.Code != "AccessDeniedException" {
				// The instance was deregistered or the cluster deleted:
				// nothing will come any more.
				return fmt.Errorf("agent: Poll: %w", err)
			}
			failures++
			a.log.Warn("Poll failed; retrying", "err", err, "failures", failures)
			if !sleep(ctx, backoff(failures)) {
				return nil
			}
			continue
		}
		failures = 0
		a.handle(ctx, &out)
		if out.Sequence != st.AckSequence {
			st.AckSequence = out.Sequence
			if err := saveState(a.cfg.StateDir, *st); err != nil {
				a.log.Error("saving the acknowledged sequence", "err", err)
			}
		}
	}
	return nil
}

// AgentVersion is what the agent reports as its version (versionInfo).
const AgentVersion = "rolecall"

// resources is the instance's registered CPU and MEMORY (ECS's resource
// names, INTEGER values).
func (a *Agent) resources() []ecs.Resource {
	out := []ecs.Resource{}
	cpu, mem := a.cfg.CPU, a.cfg.MemoryMiB
	if cpu == 0 {
		cpu = int64(runtime.NumCPU()) * 1024
	}
	if mem == 0 {
		mem = machineMemoryMiB()
	}
	if cpu > 0 {
		out = append(out, ecs.Resource{Name: "CPU", Type: "INTEGER", IntegerValue: cpu})
	}
	if mem > 0 {
		out = append(out, ecs.Resource{Name: "MEMORY", Type: "INTEGER", IntegerValue: mem})
	}
	return out
}

// machineMemoryMiB is MemTotal from /proc/meminfo in MiB, or -1 where it
// cannot be read.
func machineMemoryMiB() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil && kb > 0 {
					return kb / 1024
				}
			}
		}
	}
	return -1
}

// notThisAgent reports whether the control plane refused a call because
// the container instance is bound to another identity than the caller's
// (see docs/ECS.md, the agent channel): retrying will not help.
func notThisAgent(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == "AccessDeniedException" &&
		strings.Contains(ae.Message, "was registered by another principal")
}

// unboundInstance reports whether Poll was refused because the instance has
// no agent identity yet (registered in process, or before bindings).
func unboundInstance(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == "AccessDeniedException" &&
		strings.Contains(ae.Message, "has no agent identity yet")
}
