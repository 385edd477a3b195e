package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/spf13/cobra"
	"golang.org/x/time/rate"

	"github.com/rolecall/rolecall/internal/agent"
)

type agentFlags struct {
	endpoint, cluster, listen, auditLog, stateDir, data string
	logFormat, logLevel                                 string
	rate                                                float64
	burst                                               int
	cpu, memory                                         int64
}

func newAgentCmd() *cobra.Command {
	var f agentFlags
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Run the container agent: join a cluster, run its tasks, serve their role credentials",
		Long: `Registers this machine as a container instance of CLUSTER with the rolecall
server at --endpoint, long-polls it for tasks, runs each task's containers as
local processes, and serves each task's role credentials to it on
http://LISTEN/v2/credentials/ID (AWS_CONTAINER_CREDENTIALS_FULL_URI with a
per-task AWS_CONTAINER_AUTHORIZATION_TOKEN). Every credentials request is
written to the audit log.

The agent's own credentials (the instance role's) come from the standard AWS
chain (environment, shared files, instance metadata), or from
DIR/root-credentials with --data. They are never passed to tasks: a task's
processes start from an empty environment (PATH and HOME), the task
definition's environment and overrides, the region and the credentials
endpoint.

--state-dir keeps the container instance ARN and the last acknowledged Poll
sequence (state.json), the audit log, and each container's output
(tasks/TASK_ID/CONTAINER.stdout and .stderr). A restarted agent
re-registers as the same container instance and gets its tasks again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAgent(cmd.Context(), cmd.ErrOrStderr(), &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.endpoint, "endpoint", "http://127.0.0.1:8960", "rolecall server URL")
	fl.StringVar(&f.cluster, "cluster", "default", "the cluster to join (created if missing and allowed)")
	fl.StringVar(&f.listen, "listen", agent.DefaultListen, "address of the task credentials endpoint")
	fl.StringVar(&f.auditLog, "audit-log", "", "credentials audit log (default STATE_DIR/audit.log)")
	fl.StringVar(&f.stateDir, "state-dir", "rolecall-agent", "directory for the agent's state and task output")
	fl.StringVar(&f.data, "data", "", "use the root credentials in DIR/root-credentials (convenience for a local server)")
	fl.Float64Var(&f.rate, "rate", 40, "credentials requests per second per caller")
	fl.IntVar(&f.burst, "burst", 60, "credentials request burst per caller")
	fl.Int64Var(&f.cpu, "cpu", 0, "CPU units to register (1024 per core; 0: this machine's; -1: do not limit placement)")
	fl.Int64Var(&f.memory, "memory", 0, "memory to register, in MiB (0: this machine's; -1: do not limit placement)")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	return cmd
}

func runAgent(ctx context.Context, stderr io.Writer, f *agentFlags) error {
	log, err := newLogger(stderr, f.logFormat, f.logLevel)
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	if u, err := url.Parse(f.endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &exitError{code: 2, msg: fmt.Sprintf("--endpoint %q: want an http:// or https:// URL", f.endpoint)}
	}
	if f.rate <= 0 || f.burst <= 0 {
		return &exitError{code: 2, msg: "--rate and --burst must be positive"}
	}
	cfg, err := apiClientConfig(ctx, f.data)
	if err != nil {
		return &exitError{code: 2, msg: "loading the agent's credentials: " + err.Error()}
	}
	// Fail early and clearly when the chain has nothing (rather than on
	// every retry of the registration).
	if cfg.Credentials == nil {
		return &exitError{code: 2, msg: "no credentials for the agent (environment, shared files, instance metadata or --data)"}
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return &exitError{code: 2, msg: "loading the agent's credentials: " + err.Error()}
	}
	a, err := agent.New(agent.Config{
		Endpoint: f.endpoint, Cluster: f.cluster, Region: cfg.Region, Credentials: cfg.Credentials,
		Listen: f.listen, StateDir: f.stateDir, AuditLog: f.auditLog,
		Rate: rate.Limit(f.rate), Burst: f.burst, Logger: log, CPU: f.cpu, MemoryMiB: f.memory,
	})
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	return a.Run(ctx)
}
