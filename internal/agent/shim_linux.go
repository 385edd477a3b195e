package agent

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// containerAttr starts a container as the leader of its own process group
// that dies with its shim: a shim killed with SIGKILL (or by the OOM
// killer) cannot record the exit, and its container must not run on
// unsupervised. The parent-death signal follows the thread that started
// the child, so shimMain keeps its goroutine on one thread.
func containerAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// awaitExit blocks until the process has exited, without reaping it: while
// it is a zombie, its ID (its process group's) cannot be reused, so what
// is left of its group can be killed safely.
func awaitExit(pid int) {
	var info unix.Siginfo
	for {
		if err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != unix.EINTR {
			return
		}
	}
}
