//go:build unix

package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Signals the agent sends a shim: SIGTERM is passed on to the container's
// process group; SIGUSR2 stands for SIGKILL (which a shim cannot catch and
// must not receive: it would die without recording the exit).
const (
	shimStopSignal = syscall.SIGTERM
	shimKillSignal = syscall.SIGUSR2
)

// shimStartTimeout bounds the wait for a shim's "ok PID".
const shimStartTimeout = 10 * time.Second

// shimMain supervises one container: args are the lock file, the exit
// file, the executable's path and the container's argv. Its environment,
// working directory, stdout and stderr are the container's; file
// descriptor 3 is the agent's "ready" pipe, which receives "ok PID" once
// the container runs (or "error MESSAGE") and is closed.
//
// The shim runs in its own session, so it outlives the agent: it holds the
// lock file while it lives, waits for the container, writes the exit file
// and exits. A restarted agent finds the lock still held (the container
// runs) or the exit file (how it ended).
func shimMain(args []string) int {
	// The container's parent-death signal is tied to this thread.
	runtime.LockOSThread()
	ready := os.NewFile(3, "ready")
	// The container inherits its standard streams only: not the ready
	// pipe, nor whatever descriptors the agent itself inherited without
	// close-on-exec (Go closes only the ones it opened).
	closeOnExecAbove(2)
	fail := func(format string, a ...any) int {
		msg := fmt.Sprintf(format, a...)
		if ready != nil {
			fmt.Fprintf(ready, "error %s\n", strings.ReplaceAll(msg, "\n", " "))
			ready.Close()
		}
		fmt.Fprintf(os.Stderr, "rolecall container shim: %s\n", msg)
		return 1
	}
	if len(args) < 4 {
		return fail("usage: %s LOCK EXIT PATH ARGV0 [ARG...]", ShimCommand)
	}
	lockPath, exitPath, path, argv := args[0], args[1], args[2], args[3:]
	lock, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fail("%v", err)
	}
	// Held until this process ends; close-on-exec keeps it from the
	// container. The deferred Close keeps the file reachable: collected,
	// its finalizer would close the descriptor and release the lock.
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return fail("%s is held by another shim: %v", lockPath, err)
	}
	// Stop signals are caught before the container starts, so none is lost.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, shimStopSignal, shimKillSignal, syscall.SIGINT, syscall.SIGHUP)

	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Env = os.Environ()
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// The container leads its own process group, so stopping it also stops
	// what it started.
	cmd.SysProcAttr = containerAttr()
	if err := cmd.Start(); err != nil {
		return fail("%v", err)
	}
	pid := cmd.Process.Pid
	if err := lock.Truncate(0); err == nil {
		_, _ = lock.WriteAt([]byte(fmt.Sprintf("%d %d\n", os.Getpid(), pid)), 0)
		_ = lock.Sync()
	}
	fmt.Fprintf(ready, "ok %d\n", pid)
	ready.Close()
	// The shim lives as long as its container: return what the binary's
	// package initialisation allocated.
	debug.FreeOSMemory()

	var mu sync.Mutex
	exited := false
	go func() {
		for s := range sigs {
			mu.Lock()
			if !exited {
				switch s {
				case shimStopSignal:
					_ = syscall.Kill(-pid, syscall.SIGTERM)
				case shimKillSignal:
					_ = syscall.Kill(-pid, syscall.SIGKILL)
				}
				// SIGINT and SIGHUP (a terminal's) are not the container's.
			}
			mu.Unlock()
		}
	}()
	awaitExit(pid)
	mu.Lock()
	exited = true
	// A container ends with its main process: what it left running in its
	// process group goes too (as a container's processes do).
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	mu.Unlock()
	werr := cmd.Wait()

	rec := exitRecordOf(cmd.ProcessState, werr)
	b, _ := json.Marshal(rec)
	if err := writeFileSync(exitPath, append(b, '\n')); err != nil {
		fmt.Fprintf(os.Stderr, "rolecall container shim: recording the exit: %v\n", err)
		return 1
	}
	return 0
}

// closeOnExecAbove marks every open descriptor above n close-on-exec.
func closeOnExecAbove(n int) {
	for _, dir := range []string{"/proc/self/fd", "/dev/fd"} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if fd, err := strconv.Atoi(e.Name()); err == nil && fd > n {
				syscall.CloseOnExec(fd)
			}
		}
		return
	}
}

// exitRecordOf turns a wait status into the exit record, as Docker reports
// it: a container killed by a signal exits 128 + the signal.
func exitRecordOf(st *os.ProcessState, err error) exitRecord {
	if st == nil {
		return exitRecord{Reason: "the container's process could not be waited for: " + err.Error()}
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code := 128 + int(ws.Signal())
		return exitRecord{ExitCode: &code, Reason: "killed by " + ws.Signal().String()}
	}
	code := st.ExitCode()
	return exitRecord{ExitCode: &code}
}

// startShim starts the shim of one container and waits until the
// container runs. It returns the shim's command (the caller waits for it)
// and the container's process ID.
func startShim(exe, logDir, stateDir string, c ContainerSpec) (*exec.Cmd, int, error) {
	if len(c.Argv) == 0 {
		return nil, 0, errors.New("no command or entryPoint")
	}
	path, err := lookPath(c.Argv[0], c.Env)
	if err != nil {
		return nil, 0, err
	}
	// A container name used twice in one log directory would share files.
	_ = os.Remove(shimExitPath(stateDir, c.Name))
	stdout, err := os.OpenFile(filepath.Join(logDir, c.Name+".stdout"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, err
	}
	defer stdout.Close()
	stderr, err := os.OpenFile(filepath.Join(logDir, c.Name+".stderr"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, err
	}
	defer stderr.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, 0, err
	}
	defer pr.Close()
	args := append([]string{ShimCommand, shimLockPath(stateDir, c.Name), shimExitPath(stateDir, c.Name), path}, c.Argv...)
	cmd := exec.Command(exe, args...)
	cmd.Env = c.Env
	cmd.Dir = logDir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.ExtraFiles = []*os.File{pw}
	// Its own session: neither the agent's death nor its terminal's
	// signals reach the shim.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	pw.Close()
	if err != nil {
		return nil, 0, err
	}
	// A binary that does not run the shim (an embedder that forgot
	// RunShimIfRequested) must not hang the agent.
	_ = pr.SetReadDeadline(time.Now().Add(shimStartTimeout))
	line, rerr := readLine(pr)
	if word, rest, _ := strings.Cut(line, " "); rerr == nil && word == "ok" {
		if pid, err := strconv.Atoi(rest); err == nil {
			return cmd, pid, nil
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if msg, ok := strings.CutPrefix(line, "error "); ok {
		return nil, 0, errors.New(msg)
	}
	return nil, 0, fmt.Errorf("the container's shim did not start (%q, %v)", line, rerr)
}

// readLine reads the ready pipe up to its first newline or EOF.
func readLine(f *os.File) (string, error) {
	var b []byte
	buf := make([]byte, 512)
	for len(b) < 4096 {
		n, err := f.Read(buf)
		b = append(b, buf[:n]...)
		if i := strings.IndexByte(string(b), '\n'); i >= 0 {
			return string(b[:i]), nil
		}
		if err != nil {
			return string(b), err
		}
	}
	return string(b), errors.New("the shim's answer is too long")
}

// shimState reads a container's lock file: whether its shim still runs
// (the lock is held) and the process IDs it recorded.
func shimState(logDir, name string) (alive bool, shimPID, pid int, err error) {
	f, err := os.Open(shimLockPath(logDir, name))
	if errors.Is(err, os.ErrNotExist) {
		return false, 0, 0, nil
	}
	if err != nil {
		return false, 0, 0, err
	}
	defer f.Close()
	b := make([]byte, 64)
	n, _ := f.ReadAt(b, 0)
	fmt.Sscanf(string(b[:n]), "%d %d", &shimPID, &pid)
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return true, shimPID, pid, nil
		}
		return false, shimPID, pid, err
	}
	return false, shimPID, pid, nil // the lock is released with f
}

// waitUnlocked blocks until the container's shim has ended (its lock is
// free).
func waitUnlocked(logDir, name string) error {
	f, err := os.Open(shimLockPath(logDir, name))
	if err != nil {
		return err
	}
	defer f.Close()
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// signalShim asks a shim to stop (SIGTERM) or kill its container. An
// adopted shim is not the agent's child, so its process ID could be
// reused once it ends: it is signalled only while its lock is held, with
// the ID its lock file names now (a shim adopted while still starting
// had not written it yet).
func signalShim(stateDir, name string, kill bool) {
	sig := shimStopSignal
	if kill {
		sig = shimKillSignal
	}
	if alive, shimPID, _, _ := shimState(stateDir, name); alive && shimPID > 0 {
		_ = syscall.Kill(shimPID, sig)
	}
}

// stopShims kills every container whose shim still runs with its files in
// stateDir (a task the agent gives up must not run on unsupervised) and
// waits, up to timeout, for the shims to end.
func stopShims(stateDir string, timeout time.Duration) {
	locks, _ := filepath.Glob(filepath.Join(stateDir, "*.lock"))
	for _, l := range locks {
		signalShim(stateDir, strings.TrimSuffix(filepath.Base(l), ".lock"), true)
	}
	deadline := time.Now().Add(timeout)
	for _, l := range locks {
		name := strings.TrimSuffix(filepath.Base(l), ".lock")
		for time.Now().Before(deadline) {
			if alive, _, _, err := shimState(stateDir, name); !alive || err != nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// lockStateDir holds an exclusive flock on STATE_DIR/agent.lock until
// unlock (or the process's end).
func lockStateDir(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, "agent.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another agent is running with the state directory %s", dir)
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}
