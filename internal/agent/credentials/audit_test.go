package credentials

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// auditLine matches the ECS agent's version-2 audit line.
var auditLine = regexp.MustCompile(`^(\S+) (\d{3}) (\S+) "(/v[12]/credentials)" "((?:[^"\\]|\\.)*)" (\S+) (GetCredentials|GetCredentialsExecutionRole|GetCredentialsInvalidRoleType) 2 (\S+) (\S+)$`)

func TestAuditLogContent(t *testing.T) {
	e := newEnv(t, nil)
	task := e.add(testEntry(t0.Add(time.Hour)))
	execEntry := testEntry(t0.Add(time.Hour))
	execEntry.RoleType = ExecutionRole
	execEntry.AuthorizationToken = "super-secret-authorization-token"
	exec := e.add(execEntry)
	unknown := NewCredentialID()
	ua := "aws-sdk-go-v2/1.30 \"evil\"\nforged 200 line\\"

	hdr := http.Header{"User-Agent": {ua}}
	e.do("GET", V2Path+"/"+task, "172.17.0.5:52444", hdr)
	e.do("GET", V1Path+"?id="+task, "172.17.0.5:52445", hdr)
	e.do("GET", V2Path+"/"+exec, "172.17.0.6:1", http.Header{"Authorization": {execEntry.AuthorizationToken}})
	e.do("GET", V2Path+"/"+exec, "172.17.0.6:1", http.Header{"Authorization": {"wrong-token-value"}})
	e.do("GET", V2Path+"/"+unknown, "172.17.0.7:1", nil)
	e.do("GET", V2Path+"/", "172.17.0.7:1", nil)
	e.do("GET", "/v1/credentials?id=nonexistent-secretish-id", "172.17.0.7:1", nil)

	files := e.auditFiles()
	lines := strings.Split(strings.TrimSuffix(files["audit.log"], "\n"), "\n")
	if len(lines) != 7 {
		t.Fatalf("%d lines:\n%s", len(lines), files["audit.log"])
	}
	want := []struct {
		status, addr, path, task, event string
	}{
		{"200", "172.17.0.5:52444", V2Path, testTaskARN, "GetCredentials"},
		{"200", "172.17.0.5:52445", V1Path, testTaskARN, "GetCredentials"},
		{"200", "172.17.0.6:1", V2Path, testTaskARN, "GetCredentialsExecutionRole"},
		{"403", "172.17.0.6:1", V2Path, testTaskARN, "GetCredentialsExecutionRole"},
		{"400", "172.17.0.7:1", V2Path, "-", "GetCredentialsInvalidRoleType"},
		{"400", "172.17.0.7:1", V2Path, "-", "GetCredentialsInvalidRoleType"},
		{"400", "172.17.0.7:1", V1Path, "-", "GetCredentialsInvalidRoleType"},
	}
	for i, l := range lines {
		m := auditLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %d does not parse: %q", i, l)
		}
		w := want[i]
		if m[1] != "2026-11-22T12:00:00Z" || m[2] != w.status || m[3] != w.addr || m[4] != w.path || m[6] != w.task ||
			m[7] != w.event || m[8] != testCluster || m[9] != testInstance {
			t.Errorf("line %d: %q, want %+v", i, l, w)
		}
	}
	if m := auditLine.FindStringSubmatch(lines[0]); m[5] != `aws-sdk-go-v2/1.30 \"evil\"\x0aforged 200 line\\` {
		t.Errorf("user agent not escaped: %q", m[5])
	}
	if m := auditLine.FindStringSubmatch(lines[2]); m[5] != "-" {
		t.Errorf("default user agent %q", m[5])
	}
	assertNoSecrets(t, e, []string{task, exec, unknown, "nonexistent-secretish-id", execEntry.AuthorizationToken, "wrong-token-value"})
}

// assertNoSecrets scans every file in the audit directory.
func assertNoSecrets(t *testing.T, e *env, ids []string) {
	t.Helper()
	forbidden := append([]string{testAccessKey, testSecret, testToken, "ASIANEWKEY", "newsecret", "newtoken"}, ids...)
	for name, content := range e.auditFiles() {
		for _, s := range forbidden {
			if strings.Contains(content, s) {
				t.Errorf("%s contains %q", name, s)
			}
		}
		// No UUID-shaped credential ID either.
		if uuidAny.MatchString(content) {
			t.Errorf("%s contains a UUID: %q", name, uuidAny.FindString(content))
		}
	}
}

var uuidAny = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func TestAuditRolloverByHour(t *testing.T) {
	e := newEnv(t, nil)
	id := e.add(testEntry(t0.Add(6 * time.Hour)))
	e.clock.Advance(30 * time.Minute) // 12:30
	e.do("GET", V2Path+"/"+id, "", nil)
	e.do("GET", V2Path+"/"+id, "", nil)
	e.clock.Advance(45 * time.Minute) // 13:15
	e.do("GET", V2Path+"/"+id, "", nil)
	e.clock.Advance(2 * time.Hour) // 15:15, hour 14 had nothing
	e.do("GET", V2Path+"/"+id, "", nil)

	files := e.auditFiles()
	if got := sortedKeys(files); strings.Join(got, ",") != "audit.log,audit.log.2026-11-22-12,audit.log.2026-11-22-13" {
		t.Fatalf("files %v", got)
	}
	if n := strings.Count(files["audit.log.2026-11-22-12"], "\n"); n != 2 || !strings.Contains(files["audit.log.2026-11-22-12"], "2026-11-22T12:30:00Z 200") {
		t.Errorf("12h file: %q", files["audit.log.2026-11-22-12"])
	}
	if !strings.HasPrefix(files["audit.log.2026-11-22-13"], "2026-11-22T13:15:00Z 200") {
		t.Errorf("13h file: %q", files["audit.log.2026-11-22-13"])
	}
	if !strings.HasPrefix(files["audit.log"], "2026-11-22T15:15:00Z 200") {
		t.Errorf("active file: %q", files["audit.log"])
	}
	assertNoSecrets(t, e, []string{id})
}

func TestAuditRolloverBySize(t *testing.T) {
	clock := newClock(t0)
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	al, err := OpenAuditLog(AuditLogOptions{Path: path, MaxSize: 500, MaxRolls: 3, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer al.Close()
	ev := AuditEvent{Time: t0, Status: 200, RemoteAddr: "172.17.0.5:1", Path: V2Path, UserAgent: "ua",
		TaskARN: testTaskARN, EventType: EventGetCredentials, Cluster: testCluster, ContainerInstanceARN: testInstance}
	lineLen := len(AppendAuditLine(nil, ev)) + 1
	perFile := 500 / lineLen
	for i := 0; i < perFile*6; i++ {
		if err := al.Audit(ev); err != nil {
			t.Fatal(err)
		}
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, de := range ents {
		names = append(names, de.Name())
		info, _ := de.Info()
		if info.Size() > 500 {
			t.Errorf("%s is %d bytes", de.Name(), info.Size())
		}
	}
	// 6 files written; 3 rolled kept: the newest (.3, .4) and ... sorted by (hour, n).
	want := "audit.log,audit.log.2026-11-22-12.2,audit.log.2026-11-22-12.3,audit.log.2026-11-22-12.4"
	if strings.Join(names, ",") != want {
		t.Errorf("files %v\nwant %s", names, want)
	}
}

// A restart in a later hour rolls the old active file under its own hour.
func TestAuditReopenRollsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	clock := newClock(t0)
	al, err := OpenAuditLog(AuditLogOptions{Path: path, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	al.Audit(AuditEvent{Time: t0, Status: 200})
	al.Close()
	if err := os.Chtimes(path, t0, t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * time.Hour)
	al, err = OpenAuditLog(AuditLogOptions{Path: path, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer al.Close()
	if err := al.Audit(AuditEvent{Time: clock.Now(), Status: 400}); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path + ".2026-11-22-12")
	if err != nil || !strings.HasPrefix(string(old), "2026-11-22T12:00:00Z 200 ") {
		t.Fatalf("old file: %q %v", old, err)
	}
	cur, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(cur), "2026-11-22T15:00:00Z 400 - \"-\" \"-\" - - 2 - -") {
		t.Fatalf("current: %q", cur)
	}
}

func TestAuditLogErrors(t *testing.T) {
	if _, err := OpenAuditLog(AuditLogOptions{}); err == nil {
		t.Error("empty path accepted")
	}
	dir := t.TempDir()
	if _, err := OpenAuditLog(AuditLogOptions{Path: dir}); err == nil {
		t.Error("directory accepted as audit file")
	}
}

func sortedKeys(m map[string]string) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return k
}

// A failed write refuses the request; the next one reopens the file and works.
func TestAuditWriteFailureRecovers(t *testing.T) {
	e := newEnv(t, nil)
	id := e.add(testEntry(t0.Add(time.Hour)))
	if rec := e.do("GET", V2Path+"/"+id, "", nil); rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	// The reopened file's hour comes from its modification time: keep it in
	// the fake clock's hour, or the test depends on the time of day.
	if err := os.Chtimes(filepath.Join(e.dir, "audit.log"), t0, t0); err != nil {
		t.Fatal(err)
	}
	ro, err := os.Open(filepath.Join(e.dir, "audit.log")) // read-only: writes fail
	if err != nil {
		t.Fatal(err)
	}
	e.auditLog.replaceFile(ro)
	if rec := e.do("GET", V2Path+"/"+id, "", nil); rec.Code != 500 || strings.Contains(rec.Body.String(), testSecret) {
		t.Fatalf("write failure: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do("GET", V2Path+"/"+id, "", nil); rec.Code != 200 {
		t.Fatalf("after recovery: %d", rec.Code)
	}
	if n := strings.Count(e.auditFiles()["audit.log"], "\n"); n != 2 {
		t.Errorf("%d lines, want 2 (the refused request left none): %q", n, e.auditFiles())
	}
}

// If the active file is deleted or moved away, the log notices within a
// second and writes to a new file at Path.
func TestAuditReopensRemovedFile(t *testing.T) {
	e := newEnv(t, nil)
	id := e.add(testEntry(t0.Add(time.Hour)))
	e.do("GET", V2Path+"/"+id, "", nil)
	if err := os.Rename(filepath.Join(e.dir, "audit.log"), filepath.Join(e.dir, "moved")); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	e.do("GET", V2Path+"/"+id, "", nil)
	files := e.auditFiles()
	if strings.Count(files["moved"], "\n") != 1 || strings.Count(files["audit.log"], "\n") != 1 {
		t.Fatalf("files: %q", files)
	}
}

// Concurrent calls: every line is written exactly once, whole.
func TestAuditConcurrent(t *testing.T) {
	e := newEnv(t, nil)
	const workers, each = 16, 200
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				ev := AuditEvent{Time: t0, Status: 200, RemoteAddr: "10.0.0.1:1", Path: V2Path, UserAgent: "w" + strconv.Itoa(w) + "-" + strconv.Itoa(i),
					TaskARN: testTaskARN, EventType: EventGetCredentials, Cluster: testCluster}
				if err := e.auditLog.Audit(ev); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(e.auditFiles()["audit.log"], "\n"), "\n") {
		m := auditLine.FindStringSubmatch(line)
		if m == nil || seen[m[5]] {
			t.Fatalf("bad or repeated line %q", line)
		}
		seen[m[5]] = true
	}
	if len(seen) != workers*each {
		t.Fatalf("%d lines, want %d", len(seen), workers*each)
	}
}

// Concurrent calls while the file cannot be written: the calls whose line
// was not written fail, and only succeeded calls have lines on disk.
func TestAuditConcurrentFailure(t *testing.T) {
	e := newEnv(t, nil)
	ro, err := os.Open(filepath.Join(e.dir, "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	e.auditLog.replaceFile(ro)
	ev := AuditEvent{Time: t0, Status: 200, Path: V2Path, EventType: EventGetCredentials}
	var wg sync.WaitGroup
	var failed atomic.Int32
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if e.auditLog.Audit(ev) != nil {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	// The first write fails and drops the broken file; later calls reopen
	// Path and succeed. Every line on disk belongs to a call that succeeded.
	if n := strings.Count(e.auditFiles()["audit.log"], "\n"); n != 8-int(failed.Load()) || failed.Load() == 0 {
		t.Fatalf("%d failed, %d lines", failed.Load(), n)
	}
}

// replaceFile swaps the log's open file for f (tests: a read-only f makes
// writes fail).
func (a *AuditLog) replaceFile(f *os.File) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.f.Close()
	a.f = f
	a.fd = fileDescriptor(f)
}

// The log reuses the formatted time within a second: every line is still
// exactly AppendAuditLine's, whatever order the events' times come in.
func TestAuditLineTimeReused(t *testing.T) {
	e := newEnv(t, nil)
	ev := AuditEvent{Status: 200, RemoteAddr: "10.0.0.1:1", Path: V2Path, UserAgent: "ua", TaskARN: testTaskARN,
		EventType: EventGetCredentials, Cluster: testCluster, ContainerInstanceARN: testInstance}
	times := []time.Time{
		t0, t0.Add(999 * time.Millisecond), t0.Add(time.Second), t0.Add(1500 * time.Millisecond),
		t0.Add(-time.Nanosecond), t0, // back in time, across a second boundary
		t0.In(time.FixedZone("X", 5*3600)), // same instant, another zone: written in UTC
		t0.Add(30 * time.Minute),
	}
	var want strings.Builder
	for _, tm := range times {
		ev.Time = tm
		if err := e.auditLog.Audit(ev); err != nil {
			t.Fatal(err)
		}
		want.Write(AppendAuditLine(nil, ev))
		want.WriteByte('\n')
	}
	if got := e.auditFiles()["audit.log"]; got != want.String() {
		t.Fatalf("got\n%s\nwant\n%s", got, want.String())
	}
}

// Concurrent calls across size and hour rollovers: no file grows past
// MaxSize, every line is written exactly once, whole, and each rolled file
// holds only lines written in its hour.
func TestAuditConcurrentRollover(t *testing.T) {
	dir := t.TempDir()
	clock := newClock(t0)
	const maxSize = 2048
	al, err := OpenAuditLog(AuditLogOptions{Path: filepath.Join(dir, "audit.log"), MaxSize: maxSize, MaxRolls: -1, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer al.Close()
	const workers, each = 8, 150
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if w == 0 && i == each/2 {
					clock.Advance(time.Hour) // the hour changes while others write
				}
				// The event's time is the log's clock at the call: a line
				// must not land in the file of an hour before its own.
				ev := AuditEvent{Time: clock.Now(), Status: 200, RemoteAddr: "10.0.0.1:1", Path: V2Path,
					UserAgent: "w" + strconv.Itoa(w) + "-" + strconv.Itoa(i), TaskARN: testTaskARN, EventType: EventGetCredentials}
				if err := al.Audit(ev); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, de := range ents {
		b, err := os.ReadFile(filepath.Join(dir, de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > maxSize {
			t.Errorf("%s: %d bytes, more than MaxSize %d", de.Name(), len(b), maxSize)
		}
		fileHour := ""
		if h, ok := strings.CutPrefix(de.Name(), "audit.log."); ok {
			fileHour, _, _ = strings.Cut(h, ".")
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			m := auditLine.FindStringSubmatch(line)
			if m == nil || seen[m[5]] {
				t.Fatalf("%s: bad or repeated line %q", de.Name(), line)
			}
			seen[m[5]] = true
			lt, err := time.Parse(time.RFC3339, m[1])
			if err != nil {
				t.Fatal(err)
			}
			if fileHour != "" && lt.Format("2006-01-02-15") > fileHour {
				t.Errorf("%s holds a line of a later hour: %q", de.Name(), line)
			}
		}
	}
	if len(seen) != workers*each {
		t.Fatalf("%d lines, want %d", len(seen), workers*each)
	}
	if len(ents) < 3 {
		t.Errorf("only %d files: no size rollover happened", len(ents))
	}
}

// A line a full disk cut short is ended before the next one is written, so
// the next line stands on its own.
func TestAuditEndsACutLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(path, []byte("2026-11-22T12:00:00Z 200 full line\n2026-11-22T12:00:00Z 2"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, t0, t0); err != nil { // this hour's file: no rollover
		t.Fatal(err)
	}
	al, err := OpenAuditLog(AuditLogOptions{Path: path, Now: newClock(t0).Now})
	if err != nil {
		t.Fatal(err)
	}
	defer al.Close()
	if err := al.Audit(AuditEvent{Time: t0, Status: 400}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 3 || lines[1] != "2026-11-22T12:00:00Z 2" || !strings.HasPrefix(lines[2], "2026-11-22T12:00:00Z 400 ") {
		t.Fatalf("%q", b)
	}
}
