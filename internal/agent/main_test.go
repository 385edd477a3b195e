package agent

import (
	"os"
	"testing"
)

// The process runtime re-executes the test binary as each container's shim.
func TestMain(m *testing.M) {
	RunShimIfRequested()
	os.Exit(m.Run())
}
