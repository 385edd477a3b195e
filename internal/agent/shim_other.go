//go:build !unix

package agent

import (
	"errors"
	"os"
	"os/exec"
	"time"
)

// The process runtime needs Unix sessions, process groups and flock.
var errNoShim = errors.New("the process runtime needs a Unix system")

var (
	shimStopSignal = os.Interrupt
	shimKillSignal = os.Kill
)

func shimMain([]string) int { return 1 }

func startShim(string, string, string, ContainerSpec) (*exec.Cmd, int, error) {
	return nil, 0, errNoShim
}

func shimState(string, string) (bool, int, int, error) { return false, 0, 0, errNoShim }

func waitUnlocked(string, string) error { return errNoShim }

func signalShim(string, string, bool) {}

func stopShims(string, time.Duration) {}

func lockStateDir(string) (func(), error) { return func() {}, nil }
