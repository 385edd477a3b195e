package bolt

import (
	"path/filepath"
	"testing"
)

// TestNoSyncIsOff pins the durability promise: bbolt fsyncs each commit
// unless NoSync is set, and a nil from Update must mean the write survives
// power loss. (The crash test cannot show this: SIGKILL keeps the page cache.)
func TestNoSyncIsOff(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "rolecall.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.db.NoSync {
		t.Fatal("NoSync is set: commits are not fsynced")
	}
	if s.db.NoGrowSync {
		t.Fatal("NoGrowSync is set: growing the file is not fsynced")
	}
}
