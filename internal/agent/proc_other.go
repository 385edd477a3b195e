//go:build !unix

package agent

import "os/exec"

// prepare: no process groups here.
func prepare(*exec.Cmd) {}

// signalGroup kills the process (there is no graceful signal to send).
func signalGroup(cmd *exec.Cmd, _ bool) { _ = cmd.Process.Kill() }
