package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Runtime starts tasks. The agent hands it a TaskSpec with everything
// resolved (commands, environment including the credentials endpoint);
// a container runtime or a network-namespace mode can implement it later.
type Runtime interface {
	Start(ctx context.Context, spec TaskSpec) (Handle, error)
}

// TaskSpec is one task as the runtime must start it.
type TaskSpec struct {
	TaskARN    string
	Containers []ContainerSpec
	// LogDir receives CONTAINER.stdout and CONTAINER.stderr for each
	// container.
	LogDir string
}

// ContainerSpec is one container of a task.
type ContainerSpec struct {
	Name      string
	Image     string
	Essential bool
	// Argv is entryPoint + command (overrides applied); Argv[0] is looked up
	// in the container's PATH.
	Argv []string
	// Env is the complete environment, KEY=VALUE; nothing of the agent's own
	// environment is added to it.
	Env []string
}

// Handle is a started task.
type Handle interface {
	// Exits delivers each container's exit as it happens, then is closed
	// once every container has exited.
	Exits() <-chan ContainerExit
	// Stop asks every container still running to stop (SIGTERM, then SIGKILL
	// after the grace period; at once with SIGKILL when grace ≤ 0).
	Stop(grace time.Duration)
	// RuntimeIDs names each started container (for the process runtime, the
	// process ID).
	RuntimeIDs() map[string]string
}

// ContainerExit is one container's end.
type ContainerExit struct {
	Name     string
	ExitCode *int // nil when the container could not be started or was killed by a signal
	Reason   string
}

// ProcessRuntime runs each container of a task as a local process (the
// image is ignored): no isolation beyond the environment. Each process is
// the leader of its own process group, so stopping a task also stops what
// its containers started.
type ProcessRuntime struct{}

type processHandle struct {
	exits chan ContainerExit
	mu    sync.Mutex
	procs map[string]*exec.Cmd
	ids   map[string]string
	done  map[string]bool
}

// Start starts every container; if one cannot be started, those already
// started are killed and the error is returned.
func (ProcessRuntime) Start(ctx context.Context, spec TaskSpec) (Handle, error) {
	if len(spec.Containers) == 0 {
		return nil, errors.New("the task has no containers")
	}
	if err := os.MkdirAll(spec.LogDir, 0o700); err != nil {
		return nil, err
	}
	h := &processHandle{exits: make(chan ContainerExit, len(spec.Containers)), procs: map[string]*exec.Cmd{}, ids: map[string]string{}, done: map[string]bool{}}
	var wg sync.WaitGroup
	for _, c := range spec.Containers {
		cmd, err := startProcess(spec.LogDir, c)
		if err != nil {
			h.Stop(0)
			wg.Wait()
			return nil, fmt.Errorf("container %s: %w", c.Name, err)
		}
		h.mu.Lock()
		h.procs[c.Name] = cmd
		h.ids[c.Name] = strconv.Itoa(cmd.Process.Pid)
		h.mu.Unlock()
		wg.Add(1)
		go func(name string, cmd *exec.Cmd) {
			defer wg.Done()
			err := cmd.Wait()
			h.mu.Lock()
			h.done[name] = true
			h.mu.Unlock()
			h.exits <- exitOf(name, cmd, err)
		}(c.Name, cmd)
	}
	go func() { wg.Wait(); close(h.exits) }()
	return h, nil
}

func startProcess(logDir string, c ContainerSpec) (*exec.Cmd, error) {
	if len(c.Argv) == 0 {
		return nil, errors.New("no command or entryPoint")
	}
	path, err := lookPath(c.Argv[0], c.Env)
	if err != nil {
		return nil, err
	}
	stdout, err := os.OpenFile(filepath.Join(logDir, c.Name+".stdout"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer stdout.Close()
	stderr, err := os.OpenFile(filepath.Join(logDir, c.Name+".stderr"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer stderr.Close()
	// Not CommandContext: the task outlives the Poll that started it; Stop
	// ends it.
	cmd := exec.Command(path, c.Argv[1:]...)
	cmd.Args[0] = c.Argv[0]
	cmd.Env = c.Env
	cmd.Dir = logDir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	prepare(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}

// lookPath resolves name in the container's PATH, not the agent's.
func lookPath(name string, env []string) (string, error) {
	if filepath.Base(name) != name {
		return name, nil
	}
	p := ""
	for _, kv := range env {
		if len(kv) > 5 && kv[:5] == "PATH=" {
			p = kv[5:]
		}
	}
	for _, dir := range filepath.SplitList(p) {
		if dir == "" {
			dir = "."
		}
		f := filepath.Join(dir, name)
		if st, err := os.Stat(f); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return f, nil
		}
	}
	return "", fmt.Errorf("%q: executable file not found in $PATH", name)
}

func exitOf(name string, cmd *exec.Cmd, err error) ContainerExit {
	st := cmd.ProcessState
	if st == nil {
		return ContainerExit{Name: name, Reason: "CannotStartContainerError: " + err.Error()}
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		// As Docker reports it: 128 + the signal.
		code := 128 + int(ws.Signal())
		return ContainerExit{Name: name, ExitCode: &code, Reason: "killed by " + ws.Signal().String()}
	}
	code := st.ExitCode()
	return ContainerExit{Name: name, ExitCode: &code}
}

func (h *processHandle) Exits() <-chan ContainerExit { return h.exits }

func (h *processHandle) RuntimeIDs() map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := make(map[string]string, len(h.ids))
	for k, v := range h.ids {
		m[k] = v
	}
	return m
}

func (h *processHandle) Stop(grace time.Duration) {
	if grace <= 0 {
		h.signal(true)
		return
	}
	h.signal(false)
	go func() {
		time.Sleep(grace)
		h.signal(true)
	}()
}

func (h *processHandle) signal(kill bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for name, cmd := range h.procs {
		if !h.done[name] {
			signalGroup(cmd, kill)
		}
	}
}
