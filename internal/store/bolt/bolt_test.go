package bolt_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/store/bolt"
	"github.com/rolecall/rolecall/internal/store/storetest"
)

// crashChildEnv, when set to a file path, turns the test binary into the
// writer of TestCrashDurability (see crashChild).
const crashChildEnv = "ROLECALL_CRASH_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func openTemp(t testing.TB) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "rolecall.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestOpenCreatesPrivateFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "nested")
	path := filepath.Join(dir, "rolecall.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		// The umask can only take permissions away, so anything beyond
		// want means we asked for too much.
		if got := fi.Mode().Perm(); got&^want != 0 {
			t.Errorf("%s has mode %v, want at most %v", p, got, want)
		}
	}
}

func TestReopenKeepsDataAndRevision(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rolecall.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 3 {
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put("k", []byte(strconv.Itoa(i))) }); err != nil {
			t.Fatal(err)
		}
	}
	rev, _ := s.Revision(ctx)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, _ := s.Revision(ctx); got != rev {
		t.Errorf("revision after reopen %d, want %d", got, rev)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put("k", []byte("next")) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Revision(ctx); got != rev+1 {
		t.Errorf("revision after a write %d, want %d: revisions must continue, not restart", got, rev+1)
	}
}

func TestSecondOpenTimesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rolecall.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// bbolt's flock is per open file description, so a second open in the
	// same process contends like another process would.
	if s2, err := bolt.Open(path, bolt.WithLockTimeout(100*time.Millisecond)); err == nil {
		s2.Close()
		t.Fatal("second Open of a locked file succeeded")
	}
}

// corrupt writes raw records into the file behind the store's back.
func corrupt(t *testing.T, path string, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptRecordIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rolecall.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put("a/ok", []byte("fine")) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	corrupt(t, path, func(tx *bbolt.Tx) error { return tx.Bucket([]byte("kv")).Put([]byte("a/bad"), []byte{1, 2, 3}) })

	s, err = bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check := func(what string, err error) {
		t.Helper()
		if err == nil || errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "corrupt") {
			t.Errorf("%s of a corrupt record: %v, want a corruption error", what, err)
		}
	}
	check("Get", s.View(ctx, func(r store.Reader) error { _, err := r.Get("a/bad"); return err }))
	check("List", s.View(ctx, func(r store.Reader) error { _, err := r.List("a/", "", 0); return err }))
	check("Create", s.Update(ctx, func(tx store.Tx) error { return tx.Create("a/bad", nil) }))
	check("CompareAndSwap", s.Update(ctx, func(tx store.Tx) error { return tx.CompareAndSwap("a/bad", 1, nil) }))
	// Put replaces a corrupt record, and Delete removes it: the ways to repair.
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put("a/bad", []byte("repaired")) }); err != nil {
		t.Fatalf("Put over a corrupt record: %v", err)
	}
	if err := s.View(ctx, func(r store.Reader) error { _, err := r.List("a/", "", 0); return err }); err != nil {
		t.Errorf("List after repair: %v", err)
	}
}

func TestCorruptMetaRefusesToOpen(t *testing.T) {
	for name, fn := range map[string]func(tx *bbolt.Tx) error{
		"revision": func(tx *bbolt.Tx) error { return tx.Bucket([]byte("meta")).Put([]byte("revision"), []byte{1}) },
		"version": func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("meta")).Put([]byte("version"), []byte{0, 0, 0, 0, 0, 0, 0, 99})
		},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rolecall.db")
			s, err := bolt.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			corrupt(t, path, fn)
			if s, err := bolt.Open(path); err == nil {
				s.Close()
				t.Fatal("Open succeeded on a file with a damaged meta bucket")
			} else {
				t.Log(err)
			}
		})
	}
}

func TestWriteFailureRollsBack(t *testing.T) {
	// bbolt rejects keys over 32 KiB. fn ignores the error; Update must not
	// commit the rest of the transaction as if nothing happened.
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	err := s.Update(ctx, func(tx store.Tx) error {
		_ = tx.Put("ok", []byte("v"))
		_ = tx.Put(strings.Repeat("k", 40000), []byte("v"))
		return nil
	})
	if err == nil {
		t.Fatal("Update with a failed write returned nil")
	}
	if err := s.View(ctx, func(r store.Reader) error { _, err := r.Get("ok"); return err }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("write before the failure was kept: %v", err)
	}
}

// --- crash durability --------------------------------------------------------

// crashChild writes keys crash/000000, crash/000001, ... one Update each,
// printing "ack N" after each Update returns, until it is killed.
func crashChild(path string) {
	s, err := bolt.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		key, val := fmt.Sprintf("crash/%06d", i), crashValue(i)
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put(key, val) }); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		// Flushed per line: an acknowledgement the parent reads is one
		// the child had already received from Update.
		fmt.Fprintf(w, "ack %d\n", i)
		w.Flush()
	}
}

func crashValue(i int) []byte {
	return []byte(strings.Repeat(fmt.Sprintf("value-%d;", i), 1+i%50))
}

// TestCrashDurability kills a writer with SIGKILL mid-stream and checks that
// every write it had acknowledged is in the file. SIGKILL leaves the kernel's
// page cache intact, so this proves the ordering (no acknowledgement before
// the commit reached the file, and a file that reopens cleanly after a torn
// transaction), not survival of power loss; that rests on fsync, which
// TestNoSyncIsOff pins.
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	path := filepath.Join(t.TempDir(), "rolecall.db")
	for round := range 3 {
		acked := crashRound(t, path, 40+round*37)
		s, err := bolt.Open(path)
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		ctx := context.Background()
		err = s.View(ctx, func(r store.Reader) error {
			for i := 0; i < acked; i++ {
				key := fmt.Sprintf("crash/%06d", i)
				kv, err := r.Get(key)
				if err != nil {
					return fmt.Errorf("acknowledged write %s lost: %w", key, err)
				}
				if string(kv.Value) != string(crashValue(i)) {
					return fmt.Errorf("acknowledged write %s has value %q", key, kv.Value)
				}
			}
			all, err := r.List("crash/", "", 0)
			if err != nil {
				return err
			}
			// At most one write past the last acknowledgement: committed
			// but killed before it could print.
			if len(all) < acked || len(all) > acked+1 {
				return fmt.Errorf("%d keys after %d acknowledgements", len(all), acked)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if rev, err := s.Revision(ctx); err != nil || rev < int64(acked) {
			t.Errorf("round %d: revision %d (%v) after %d acknowledged writes", round, rev, err, acked)
		}
		// Start the next round from an empty prefix so every round checks
		// its own stream, in the same (previously crashed) file.
		if err := s.Update(ctx, func(tx store.Tx) error {
			all, err := tx.List("crash/", "", 0)
			if err != nil {
				return err
			}
			for _, kv := range all {
				if err := tx.Delete(kv.Key); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d writes acknowledged before SIGKILL, all present", round, acked)
	}
}

// crashRound runs a child writer, SIGKILLs it after killAfter
// acknowledgements, and returns how many acknowledgements it read in all.
func crashRound(t *testing.T, path string, killAfter int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := 0
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "ack "))
		if err != nil || n != acked {
			cmd.Process.Kill()
			t.Fatalf("child said %q, want ack %d", sc.Text(), acked)
		}
		acked++
		if acked == killAfter && !killed {
			// Keep reading after the kill: lines already in the pipe were
			// acknowledged before the child died.
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child exited on its own after %d acknowledgements: %v", acked, err)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die of SIGKILL: %v", err)
	}
	return acked
}

// --- benchmarks ------------------------------------------------------------

func BenchmarkGet(b *testing.B) {
	s := openTemp(b)
	defer s.Close()
	ctx := context.Background()
	val := make([]byte, 1024)
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put("accounts/123456789012/roles/web", val) }); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		err := s.View(ctx, func(r store.Reader) error {
			_, err := r.Get("accounts/123456789012/roles/web")
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListPage(b *testing.B) {
	s := openTemp(b)
	defer s.Close()
	ctx := context.Background()
	const total, page = 10000, 100
	val := make([]byte, 256)
	for start := 0; start < total; start += 1000 {
		err := s.Update(ctx, func(tx store.Tx) error {
			for i := start; i < start+1000; i++ {
				if err := tx.Put(fmt.Sprintf("accounts/123456789012/roles/role-%05d", i), val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Walk the pages in turn so every position in the tree is measured.
		after := ""
		if n := (i * page) % total; n > 0 {
			after = fmt.Sprintf("accounts/123456789012/roles/role-%05d", n-1)
		}
		i++
		err := s.View(ctx, func(r store.Reader) error {
			kvs, err := r.List("accounts/123456789012/roles/", after, page)
			if err == nil && len(kvs) != page {
				err = fmt.Errorf("page of %d", len(kvs))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdate(b *testing.B) {
	s := openTemp(b)
	defer s.Close()
	ctx := context.Background()
	val := make([]byte, 1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		key := fmt.Sprintf("accounts/123456789012/roles/role-%08d", i)
		i++
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put(key, val) }); err != nil {
			b.Fatal(err)
		}
	}
}
