package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ShimCommand is the first argument with which the process runtime
// re-executes the agent's own binary as a container's supervisor (its
// shim). A program that embeds the agent must call RunShimIfRequested at the
// top of main (and of TestMain), before anything else, as Docker's reexec
// does.
const ShimCommand = "__rolecall-container-shim"

// RunShimIfRequested runs the container shim and exits when the process was
// started as one; otherwise it returns at once.
func RunShimIfRequested() {
	if len(os.Args) > 1 && os.Args[1] == ShimCommand {
		os.Exit(shimMain(os.Args[2:]))
	}
}

// Files the shim keeps in the task's state directory (TaskSpec.StateDir,
// apart from the containers' working directory). The lock file is held (flock) by the shim for as long as it
// lives and names the shim's and the container's process IDs; the exit
// file records how the container ended. A restarted agent learns from them
// which containers still run and how the others ended.
func shimLockPath(stateDir, container string) string {
	return filepath.Join(stateDir, container+".lock")
}

func shimExitPath(stateDir, container string) string {
	return filepath.Join(stateDir, container+".exit")
}

// exitRecord is the exit file's content.
type exitRecord struct {
	ExitCode *int   `json:"exitCode,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// readExit reads a container's exit file. A container whose shim ended
// without writing one (killed, or the machine restarted) has an unknown
// exit.
func readExit(stateDir, name string) ContainerExit {
	b, err := os.ReadFile(shimExitPath(stateDir, name))
	var rec exitRecord
	if err == nil {
		err = json.Unmarshal(b, &rec)
	}
	if err != nil {
		reason := "the container's shim ended without recording its exit (it was killed, or the machine restarted); its exit code is unknown"
		if !errors.Is(err, os.ErrNotExist) {
			reason = fmt.Sprintf("the container's exit record is unreadable: %v", err)
		}
		return ContainerExit{Name: name, Reason: reason}
	}
	return ContainerExit{Name: name, ExitCode: rec.ExitCode, Reason: rec.Reason}
}

// writeFileSync writes a file atomically and durably: a temporary file,
// fsync, rename, fsync of the directory.
func writeFileSync(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp) // a full disk must not keep what it could not finish
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
