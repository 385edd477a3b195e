package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Runtime starts tasks. The agent hands it a TaskSpec with everything
// resolved (commands, environment including the credentials endpoint);
// a container runtime or a network-namespace mode can implement it later.
type Runtime interface {
	Start(ctx context.Context, spec TaskSpec) (Handle, error)
}

// LinkLocalRuntime is a Runtime whose containers reach the agent's
// credentials endpoint at 169.254.170.2 (port 80), as containers do in
// ECS's bridge and awsvpc network modes — for example one that runs each
// task in a network namespace where that address is the agent. Its
// containers are told AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, as on ECS
// (the SDKs resolve it against 169.254.170.2 and prefer it), and need no
// authorization token: the credential ID is the secret, as on ECS. Other
// runtimes' containers get AWS_CONTAINER_CREDENTIALS_FULL_URI on the
// agent's own address with a per-task AWS_CONTAINER_AUTHORIZATION_TOKEN.
type LinkLocalRuntime interface {
	Runtime
	// LinkLocalCredentials reports whether this runtime's containers
	// reach the endpoint at 169.254.170.2.
	LinkLocalCredentials() bool
}

// TaskSpec is one task as the runtime must start it.
type TaskSpec struct {
	TaskARN    string
	Containers []ContainerSpec
	// LogDir receives CONTAINER.stdout and CONTAINER.stderr for each
	// container; it is the containers' working directory.
	LogDir string
	// StateDir keeps the runtime's own files for the task (the shims' lock
	// and exit records), apart from the containers' working directory so
	// that nothing a container does there loses track of it. Empty: LogDir.
	StateDir string
}

func (s TaskSpec) absolute() (TaskSpec, error) {
	var err error
	if s.LogDir, err = filepath.Abs(s.LogDir); err == nil && s.StateDir != "" {
		s.StateDir, err = filepath.Abs(s.StateDir)
	}
	return s, err
}

func (s TaskSpec) stateDir() string {
	if s.StateDir != "" {
		return s.StateDir
	}
	return s.LogDir
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
	ExitCode *int // nil when the container could not be started or its end is unknown
	Reason   string
}

// Adopter is a Runtime whose tasks outlive the agent: a restarted agent
// takes back the tasks its predecessor started instead of losing them.
type Adopter interface {
	// Adopt returns a Handle on a task an earlier agent started with Start.
	// spec names the task's log directory and containers (their Argv and
	// Env are not needed). Containers that ended meanwhile are delivered on
	// Exits at once, with their exit codes.
	Adopt(ctx context.Context, spec TaskSpec) (Handle, error)
}

// ProcessRuntime runs each container of a task as a local process (the
// image is ignored): no isolation beyond the environment. Each container
// runs under a small supervisor, its shim: the agent's own binary
// re-executed (see ShimCommand), in a session of its own, so that the
// container survives a crash of the agent and its exit code is recorded
// for the agent's successor. The container leads its own process group,
// so stopping it also stops what it started.
type ProcessRuntime struct {
	// Executable is the program run as the shim (default: this process's
	// executable, which must call RunShimIfRequested first thing).
	Executable string
}

type processHandle struct {
	exits chan ContainerExit
	mu    sync.Mutex
	ctrs  []*shimContainer
}

// shimContainer is one container and the way to signal its shim.
type shimContainer struct {
	name, stateDir string
	pid            int // the container's process
	// signal asks the shim to stop the container (SIGTERM to its group),
	// or to kill it.
	signal func(kill bool)
	done   bool
}

func (r ProcessRuntime) exe() (string, error) {
	if r.Executable != "" {
		return r.Executable, nil
	}
	// Linux: the running image itself, even if its file was replaced or
	// deleted since (an upgrade in place).
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe", nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("the shim's executable: %w", err)
	}
	return exe, nil
}

// Start starts every container; if one cannot be started, those already
// started are killed and the error is returned.
func (r ProcessRuntime) Start(ctx context.Context, spec TaskSpec) (Handle, error) {
	if len(spec.Containers) == 0 {
		return nil, errors.New("the task has no containers")
	}
	exe, err := r.exe()
	if err != nil {
		return nil, err
	}
	// The shims run in LogDir: paths relative to this process's directory
	// would not be theirs.
	if spec, err = spec.absolute(); err != nil {
		return nil, err
	}
	for _, d := range []string{spec.LogDir, spec.stateDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	h := &processHandle{exits: make(chan ContainerExit, len(spec.Containers))}
	var wg sync.WaitGroup
	for _, c := range spec.Containers {
		cmd, pid, err := startShim(exe, spec.LogDir, spec.stateDir(), c)
		if err != nil {
			h.Stop(0)
			wg.Wait()
			return nil, fmt.Errorf("container %s: %w", c.Name, err)
		}
		sc := &shimContainer{name: c.Name, stateDir: spec.stateDir(), pid: pid, signal: func(kill bool) {
			// The shim is this process's child until waited for, so its
			// ID cannot have been reused; Signal knows when it ended.
			sig := shimStopSignal
			if kill {
				sig = shimKillSignal
			}
			_ = cmd.Process.Signal(sig)
		}}
		h.add(sc)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = cmd.Wait()
			h.exited(sc)
		}()
	}
	go func() { wg.Wait(); close(h.exits) }()
	return h, nil
}

// Adopt takes back a task whose shims an earlier agent started.
func (ProcessRuntime) Adopt(ctx context.Context, spec TaskSpec) (Handle, error) {
	if len(spec.Containers) == 0 {
		return nil, errors.New("the task has no containers")
	}
	spec, err := spec.absolute()
	if err != nil {
		return nil, err
	}
	h := &processHandle{exits: make(chan ContainerExit, len(spec.Containers))}
	var wg sync.WaitGroup
	for _, c := range spec.Containers {
		alive, _, pid, err := shimState(spec.stateDir(), c.Name)
		if err != nil {
			// Not adopted: the agent treats the task as lost. Already
			// adopted containers keep running until it stops them.
			h.Stop(0)
			return nil, fmt.Errorf("container %s: %w", c.Name, err)
		}
		dir := spec.stateDir()
		sc := &shimContainer{name: c.Name, stateDir: dir, pid: pid, signal: func(kill bool) {
			signalShim(dir, c.Name, kill)
		}}
		h.add(sc)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if alive {
				// Blocks until the shim ends. On error (the lock file
				// vanished) the exit file, if any, still tells.
				_ = waitUnlocked(dir, c.Name)
			}
			h.exited(sc)
		}()
	}
	go func() { wg.Wait(); close(h.exits) }()
	return h, nil
}

func (h *processHandle) add(sc *shimContainer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ctrs = append(h.ctrs, sc)
}

// exited delivers a container's end, as its shim recorded it.
func (h *processHandle) exited(sc *shimContainer) {
	ex := readExit(sc.stateDir, sc.name)
	h.mu.Lock()
	sc.done = true
	h.mu.Unlock()
	h.exits <- ex
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

func (h *processHandle) Exits() <-chan ContainerExit { return h.exits }

func (h *processHandle) RuntimeIDs() map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := make(map[string]string, len(h.ctrs))
	for _, c := range h.ctrs {
		if c.pid > 0 {
			m[c.name] = strconv.Itoa(c.pid)
		}
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
	for _, c := range h.ctrs {
		if !c.done {
			c.signal(kill)
		}
	}
}
