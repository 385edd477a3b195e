package agent

import "syscall"

// setDeathSignal makes the kernel kill a task's process when the agent
// dies, so a crashed agent leaves no unsupervised tasks behind (the
// control plane re-queues them to the restarted agent).
func setDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
