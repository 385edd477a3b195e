package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/cobra"
)

type runFlags struct {
	taskDef, cluster, endpoint, data, agentState string
	poll                                         time.Duration
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run --task-definition FAMILY[:REVISION]",
		Short: "Run a task, stream its output, and exit with its essential container's exit code",
		Long: `Starts a task (ECS RunTask) with the caller's credentials (the standard AWS
chain, or DIR/root-credentials with --data), follows it (DescribeTasks) until
it is STOPPED, and exits with the exit code of its essential container — or
1, with the reason, when the task could not start or its container did not
exit on its own.

While the task runs, its containers' output is streamed from the agent's
state directory (tasks/TASK_ID/CONTAINER.stdout and .stderr) when the agent
runs on this machine: --agent-state DIR, or DIR/agent of 'rolecall up --data
DIR'. Otherwise the output stays on the agent's machine. Ctrl-C stops the
task (StopTask).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTask(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.taskDef, "task-definition", "", "FAMILY, FAMILY:REVISION or a task definition ARN (required)")
	fl.StringVar(&f.cluster, "cluster", "default", "the cluster")
	fl.StringVar(&f.endpoint, "endpoint", "http://127.0.0.1:8960", "rolecall server URL")
	fl.StringVar(&f.data, "data", "", "read the credentials from DIR/root-credentials (and the output from DIR/agent, rolecall up's layout)")
	fl.StringVar(&f.agentState, "agent-state", "", "the agent's --state-dir, to stream the containers' output from")
	fl.DurationVar(&f.poll, "poll-interval", 250*time.Millisecond, "how often to poll the task's state and output")
	_ = fl.MarkHidden("poll-interval")
	_ = cmd.MarkFlagRequired("task-definition")
	return cmd
}

func runTask(ctx context.Context, stdout, stderr io.Writer, f *runFlags) error {
	cfg, err := apiClientConfig(ctx, f.data)
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	if f.poll <= 0 {
		f.poll = 250 * time.Millisecond
	}
	client := awsecs.NewFromConfig(cfg, func(o *awsecs.Options) { o.BaseEndpoint = aws.String(f.endpoint) })
	out, err := client.RunTask(ctx, &awsecs.RunTaskInput{Cluster: aws.String(f.cluster), TaskDefinition: aws.String(f.taskDef)})
	if err != nil {
		return &exitError{code: 1, msg: "RunTask: " + err.Error()}
	}
	if len(out.Tasks) == 0 {
		reason := "no task started"
		for _, fl := range out.Failures {
			reason = aws.ToString(fl.Reason)
			if a := aws.ToString(fl.Arn); a != "" {
				reason += " (" + a + ")"
			}
		}
		return &exitError{code: 1, msg: "the task did not start: " + reason}
	}
	task := out.Tasks[0]
	taskARN := aws.ToString(task.TaskArn)
	fmt.Fprintf(stderr, "rolecall run: task %s\n", taskARN)

	essential := map[string]bool{}
	if td, err := client.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: task.TaskDefinitionArn}); err == nil {
		for _, c := range td.TaskDefinition.ContainerDefinitions {
			essential[aws.ToString(c.Name)] = c.Essential == nil || *c.Essential
		}
	}

	var out2 *outputFollower
	stateDir := f.agentState
	if stateDir == "" && f.data != "" {
		stateDir = upAgentDir(f.data)
	}
	noted := false

	// Ctrl-C stops the task; following goes on (without the cancelled
	// context) until it is STOPPED.
	follow := context.WithoutCancel(ctx)
	stopSent := false
	for {
		if ctx.Err() != nil && !stopSent {
			stopSent = true
			fmt.Fprintln(stderr, "rolecall run: interrupted, stopping the task")
			if _, err := client.StopTask(follow, &awsecs.StopTaskInput{Cluster: aws.String(f.cluster), Task: aws.String(taskARN), Reason: aws.String("Stopped by rolecall run (interrupted)")}); err != nil {
				return &exitError{code: 1, msg: "StopTask: " + err.Error()}
			}
		}
		d, err := client.DescribeTasks(follow, &awsecs.DescribeTasksInput{Cluster: aws.String(f.cluster), Tasks: []string{taskARN}})
		if err != nil {
			return &exitError{code: 1, msg: "DescribeTasks: " + err.Error()}
		}
		if len(d.Tasks) == 0 {
			return &exitError{code: 1, msg: "DescribeTasks: the task is gone"}
		}
		task = d.Tasks[0]
		if out2 == nil && task.ContainerInstanceArn != nil {
			if stateDir != "" && agentRanTask(stateDir, aws.ToString(task.ContainerInstanceArn)) {
				out2 = newOutputFollower(filepath.Join(stateDir, "tasks", taskARN[strings.LastIndexByte(taskARN, '/')+1:]), containerNames(task), stdout, stderr)
			} else if !noted {
				noted = true
				fmt.Fprintf(stderr, "rolecall run: the output is on the agent's machine (container instance %s); pass --agent-state DIR where the agent runs here\n", aws.ToString(task.ContainerInstanceArn))
			}
		}
		stopped := aws.ToString(task.LastStatus) == "STOPPED"
		if out2 != nil {
			out2.poll(stopped)
		}
		if stopped {
			break
		}
		wait := ctx.Done()
		if stopSent {
			wait = nil // already handled: just poll
		}
		select {
		case <-time.After(f.poll):
		case <-wait:
		}
	}

	// The exit code: the essential container's (the first that failed, when
	// there are several).
	code, haveCode := 0, false
	for _, c := range task.Containers {
		ess, known := essential[aws.ToString(c.Name)]
		if known && !ess {
			continue
		}
		if c.ExitCode == nil {
			msg := fmt.Sprintf("container %s did not exit on its own: %s", aws.ToString(c.Name), stopReason(task, c))
			return &exitError{code: 1, msg: msg}
		}
		if !haveCode || (code == 0 && *c.ExitCode != 0) {
			code, haveCode = int(*c.ExitCode), true
		}
	}
	if !haveCode {
		return &exitError{code: 1, msg: "the task stopped without an exit code: " + stopReason(task, ecstypes.Container{})}
	}
	fmt.Fprintf(stderr, "rolecall run: task stopped (%s), exit code %d\n", aws.ToString(task.StoppedReason), code)
	if code != 0 {
		return &exitError{code: code}
	}
	return nil
}

func stopReason(t ecstypes.Task, c ecstypes.Container) string {
	var parts []string
	if r := aws.ToString(c.Reason); r != "" {
		parts = append(parts, r)
	}
	if r := aws.ToString(t.StoppedReason); r != "" {
		parts = append(parts, r)
	}
	if t.StopCode != "" {
		parts = append(parts, "stop code "+string(t.StopCode))
	}
	if len(parts) == 0 {
		return "no reason given"
	}
	return strings.Join(parts, "; ")
}

func containerNames(t ecstypes.Task) []string {
	var names []string
	for _, c := range t.Containers {
		names = append(names, aws.ToString(c.Name))
	}
	return names
}

// agentRanTask reports whether the agent whose state is in dir is the
// container instance that runs the task.
func agentRanTask(dir, instanceARN string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		return false
	}
	var st struct {
		ContainerInstanceArn string `json:"containerInstanceArn"`
	}
	return json.Unmarshal(b, &st) == nil && st.ContainerInstanceArn == instanceARN
}

// outputFollower tails a task's container output files
// (DIR/CONTAINER.stdout and .stderr) as they grow. With several
// containers, each line is prefixed with the container's name.
type outputFollower struct {
	streams []*tailed
}

type tailed struct {
	path   string
	w      io.Writer
	prefix string
	off    int64
	buf    []byte // an incomplete line, when prefixing
}

func newOutputFollower(dir string, names []string, stdout, stderr io.Writer) *outputFollower {
	o := &outputFollower{}
	for _, n := range names {
		prefix := ""
		if len(names) > 1 {
			prefix = n + "| "
		}
		o.streams = append(o.streams,
			&tailed{path: filepath.Join(dir, n+".stdout"), w: stdout, prefix: prefix},
			&tailed{path: filepath.Join(dir, n+".stderr"), w: stderr, prefix: prefix})
	}
	return o
}

// poll copies what was appended since the last call; final flushes
// incomplete lines.
func (o *outputFollower) poll(final bool) {
	for _, t := range o.streams {
		t.poll(final)
	}
}

func (t *tailed) poll(final bool) {
	f, err := os.Open(t.path)
	if err == nil {
		if _, err := f.Seek(t.off, io.SeekStart); err == nil {
			b, _ := io.ReadAll(io.LimitReader(f, 16<<20))
			t.off += int64(len(b))
			t.write(b)
		}
		f.Close()
	} else if !errors.Is(err, os.ErrNotExist) {
		return
	}
	if final && len(t.buf) > 0 {
		_, _ = fmt.Fprintf(t.w, "%s%s\n", t.prefix, t.buf)
		t.buf = nil
	}
}

func (t *tailed) write(b []byte) {
	if t.prefix == "" {
		_, _ = t.w.Write(b)
		return
	}
	t.buf = append(t.buf, b...)
	for {
		i := bytes.IndexByte(t.buf, '\n')
		if i < 0 {
			return
		}
		_, _ = fmt.Fprintf(t.w, "%s%s\n", t.prefix, t.buf[:i])
		t.buf = t.buf[i+1:]
	}
}
