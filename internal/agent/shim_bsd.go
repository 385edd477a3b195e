//go:build unix && !linux

package agent

import "syscall"

// containerAttr: no parent-death signal outside Linux.
func containerAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// awaitExit: Wait reaps the leader first; the group is killed right after.
func awaitExit(int) {}
