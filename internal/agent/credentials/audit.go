package credentials

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Audit event types, as the ECS agent writes them.
const (
	EventGetCredentials              = "GetCredentials"
	EventGetCredentialsExecutionRole = "GetCredentialsExecutionRole"
	// EventGetCredentialsInvalidRoleType is written when the request resolved
	// to no entry (no ID, unknown ID, throttled before lookup).
	EventGetCredentialsInvalidRoleType = "GetCredentialsInvalidRoleType"
)

// auditLogVersion is the ECS agent's audit line version 2: the event type is
// GetCredentials or GetCredentialsExecutionRole.
const auditLogVersion = "2"

// AuditEvent is one credentials request. It deliberately has no field for a
// credential ID, an access key, a secret or a session token.
type AuditEvent struct {
	Time                 time.Time
	Status               int
	RemoteAddr           string // caller address, host:port
	Path                 string // route template, never the credential ID
	UserAgent            string
	TaskARN              string
	EventType            string
	Cluster              string
	ContainerInstanceARN string
}

// Auditor records credentials requests. Audit must return an error when the
// event was not durably handed to its destination; the handler then refuses the
// request with 500 InternalServerError.
type Auditor interface {
	Audit(AuditEvent) error
}

// AppendAuditLine appends ev to b in the ECS agent's audit log format (version
// 2), without the trailing newline:
//
//	2026-11-22T12:00:00Z 200 172.17.0.5:52444 "/v2/credentials" "aws-sdk-go-v2/1.30" arn:aws:ecs:...:task/c/abc GetCredentials 2 default arn:aws:ecs:...:container-instance/c/def
//
// Empty fields are written as "-". Caller-controlled text (the user agent) is
// quoted with control characters, quotes and backslashes escaped, so a request
// cannot forge or split a line.
func AppendAuditLine(b []byte, ev AuditEvent) []byte {
	b = ev.Time.UTC().AppendFormat(b, time.RFC3339)
	return appendAuditFields(b, ev)
}

// appendAuditFields appends what follows the time in an audit line, from the
// space after it on.
func appendAuditFields(b []byte, ev AuditEvent) []byte {
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(ev.Status), 10)
	b = append(b, ' ')
	b = appendToken(b, ev.RemoteAddr)
	b = append(b, ' ')
	b = appendQuoted(b, ev.Path)
	b = append(b, ' ')
	b = appendQuoted(b, ev.UserAgent)
	b = append(b, ' ')
	b = appendToken(b, ev.TaskARN)
	b = append(b, ' ')
	b = appendToken(b, ev.EventType)
	b = append(b, ' ')
	b = append(b, auditLogVersion...)
	b = append(b, ' ')
	b = appendToken(b, ev.Cluster)
	b = append(b, ' ')
	b = appendToken(b, ev.ContainerInstanceARN)
	return b
}

// maxAuditField bounds caller-controlled fields in the audit line.
const maxAuditField = 256

// appendToken writes an unquoted field: "-" when empty; any byte that could
// break the space-separated format is replaced by '_'.
func appendToken(b []byte, s string) []byte {
	if s == "" {
		return append(b, '-')
	}
	if len(s) > maxAuditField {
		s = s[:maxAuditField]
	}
	// Fields are nearly always clean (ARNs, addresses): copy them whole, and
	// go byte by byte only from the first byte that must be replaced.
	i := 0
	for i < len(s) && !badTokenByte(s[i]) {
		i++
	}
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if badTokenByte(c) {
			c = '_'
		}
		b = append(b, c)
	}
	return b
}

// badTokenByte reports whether c cannot appear in an unquoted field: space,
// control characters, '"', DEL and non-ASCII.
func badTokenByte(c byte) bool { return c <= ' ' || c == '"' || c >= 0x7f }

// appendQuoted writes s in double quotes ("-" inside when empty), escaping
// quotes, backslashes, control characters and invalid UTF-8.
func appendQuoted(b []byte, s string) []byte {
	if s == "" {
		s = "-"
	}
	if len(s) > maxAuditField {
		s = s[:maxAuditField]
	}
	b = append(b, '"')
	// As in appendToken: the plain prefix (usually all of it) in one copy.
	i := 0
	for i < len(s) && s[i] >= ' ' && s[i] < 0x7f && s[i] != '"' && s[i] != '\\' {
		i++
	}
	b = append(b, s[:i]...)
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < ' ' || c == 0x7f:
				b = append(b, `\x`...)
				b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\x`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// AuditLogOptions configure an AuditLog.
type AuditLogOptions struct {
	// Path of the active file, for example /var/log/ecs/audit.log. Rolled files
	// are Path + ".YYYY-MM-DD-HH" (the hour their lines were written in), and
	// Path + ".YYYY-MM-DD-HH.N" for further size rollovers within one hour.
	Path string
	// MaxSize rolls the file over before a write would make it larger than
	// this many bytes. Default 10 MB; negative disables size rollover.
	MaxSize int64
	// MaxRolls is how many rolled files are kept (oldest deleted first).
	// Default 24, as the ECS agent; negative keeps all.
	MaxRolls int
	// Now is the clock; default time.Now. Rollover hours are in UTC.
	Now func() time.Time
}

// AuditLog is an Auditor writing one line per event to a file with hourly and
// size-based rollover, like the ECS agent's /var/log/ecs/audit.log. Each line
// is written with a single write(2) before Audit returns (no user-space
// buffering), so a line is in the kernel before the credentials leave the
// process. It is safe for concurrent use.
//
// Concurrent Audit calls write at the same time: the file is opened with
// O_APPEND, so the kernel appends each write(2) whole at the end of the file
// (it holds the inode's lock for the whole write), and lines never interleave.
// A mutex held across the write would serialize every credentials request
// behind one system call, and a thread descheduled inside it (on return from
// the call, where the kernel preempts) would stall every other request until it
// ran again. So the common case takes mu only for reading; whatever changes
// the log's state (opening, reopening, rollover, the once-a-second check that
// the file is still at Path, setting a new file's hour, a failed write, Close)
// takes it for writing, which also waits until no write is in progress, so a
// rolled-over file never receives a line afterwards.
type AuditLog struct {
	path     string
	maxSize  int64
	maxRolls int
	now      func() time.Time

	mu sync.RWMutex
	// Fields below are written only with mu held for writing, except size.
	f *os.File
	// fd is f's descriptor, written with write(2) directly on Unix (see
	// audit_unix.go). f keeps the descriptor open and is what Stat and Close
	// use; fd is only used while f is open, with mu held.
	fd int
	// gen counts opened files, so that a failed write closes the file it
	// failed on and not one opened since.
	gen uint64
	// size is the active file's size, counting lines being written: a writer
	// reserves its line's length (compare-and-swap, with mu held for
	// reading) before writing, so concurrent writers never take the file past
	// maxSize between two rollovers.
	size atomic.Int64
	hour time.Time // UTC hour the active file's lines belong to
	err  error     // sticky error after Close

	rotateFailed time.Time // last failed rename; retried a minute later
	lastCheck    time.Time // last check that Path is still the open file

	// stamp is the time field of a recent line, reused while events fall in
	// the same second: formatting the time is most of the cost of a line.
	stamp atomic.Pointer[auditStamp]
}

type auditStamp struct {
	sec int64
	b   []byte
}

// OpenAuditLog opens (appending to) or creates the audit log. If the existing
// active file was last written in an earlier hour, it is rolled over first.
func OpenAuditLog(opts AuditLogOptions) (*AuditLog, error) {
	if opts.Path == "" {
		return nil, errors.New("credentials: audit log path is empty")
	}
	if opts.MaxSize == 0 {
		opts.MaxSize = 10 << 20
	}
	if opts.MaxRolls == 0 {
		opts.MaxRolls = 24
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &AuditLog{path: opts.Path, maxSize: opts.MaxSize, maxRolls: opts.MaxRolls, now: opts.Now}
	if err := os.MkdirAll(filepath.Dir(a.path), 0o750); err != nil {
		return nil, fmt.Errorf("credentials: audit log: %w", err)
	}
	if err := a.open(a.now()); err != nil {
		return nil, err
	}
	return a, nil
}

// open opens the active file; an existing file keeps the hour of its last
// modification so that a restart in a later hour rolls it under the right name.
func (a *AuditLog) open(now time.Time) error {
	f, err := os.OpenFile(a.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("credentials: audit log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("credentials: audit log: %w", err)
	}
	// The file's hour is its last line's (before the newline below).
	modTime := st.ModTime()
	// A write cut short (a full disk) left a partial line: end it, so the
	// next line stands on its own and the cut one reads as cut.
	if n := st.Size(); n > 0 {
		last := make([]byte, 1)
		if r, rerr := os.Open(a.path); rerr == nil {
			_, rerr = r.ReadAt(last, n-1)
			r.Close()
			if rerr == nil && last[0] != '\n' {
				if _, err := f.Write([]byte{'\n'}); err != nil {
					f.Close()
					return fmt.Errorf("credentials: audit log: %w", err)
				}
				st, err = f.Stat()
				if err != nil {
					f.Close()
					return fmt.Errorf("credentials: audit log: %w", err)
				}
			}
		}
	}
	a.f = f
	a.fd = fileDescriptor(f)
	a.gen++
	a.size.Store(st.Size())
	a.hour = now.UTC().Truncate(time.Hour)
	if st.Size() > 0 {
		a.hour = modTime.UTC().Truncate(time.Hour)
	}
	return nil
}

// Audit writes ev as one line. Errors (disk full, file system read-only,
// closed log) are returned so the caller can refuse the request; the next call
// tries again (reopening the file if needed), so a transient failure heals.
// A failed rollover (rename) is not an error: the line is still written, to the
// active file, and rollover is retried a minute later.
func (a *AuditLog) Audit(ev AuditEvent) error {
	// Built before any lock, in a buffer of this call's own (on the stack
	// unless the line is unusually long).
	var arr [512]byte
	line := a.appendStamp(arr[:0], ev.Time)
	line = appendAuditFields(line, ev)
	line = append(line, '\n')

	a.mu.RLock()
	done, gen, err := a.tryWrite(line)
	a.mu.RUnlock()
	if done {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		// The write failed: drop the file it failed on (unless another
		// call already replaced it); the next call reopens Path.
		if a.gen == gen && a.f != nil {
			a.f.Close()
			a.f = nil
		}
		return fmt.Errorf("credentials: audit log: %w", err)
	}
	return a.writeLocked(line)
}

// tryWrite writes line if nothing about the log has to change first; mu is
// held for reading. done is false when the caller must go on under the write
// lock: with err == nil to do the work (open, check, roll over) and write
// there, with err != nil after a failed write to the file of generation gen.
func (a *AuditLog) tryWrite(line []byte) (done bool, gen uint64, err error) {
	if a.err != nil {
		return true, 0, a.err
	}
	// Read with the lock held, so no rollover can come between this time
	// and the write, and every rollover so far happened at an earlier time.
	now := a.now()
	if a.f == nil || now.Sub(a.lastCheck) >= time.Second || now.Before(a.lastCheck) {
		return false, 0, nil
	}
	hour := now.UTC().Truncate(time.Hour)
	n := int64(len(line))
	for {
		size := a.size.Load()
		if size == 0 { // a new file takes the hour of its first line
			return false, 0, nil
		}
		due := !hour.Equal(a.hour) || (a.maxSize > 0 && size+n > a.maxSize)
		if due && now.Sub(a.rotateFailed) >= time.Minute {
			return false, 0, nil
		}
		if a.size.CompareAndSwap(size, size+n) {
			break
		}
	}
	if err := a.write(line); err != nil {
		return false, a.gen, err
	}
	return true, 0, nil
}

// writeLocked is Audit's path with mu held for writing: (re)open, check that
// the file is still at Path, roll over if due, then write.
func (a *AuditLog) writeLocked(line []byte) error {
	if a.err != nil {
		return a.err
	}
	now := a.now()
	if a.f == nil {
		if err := a.open(now); err != nil {
			return err
		}
	}
	if now.Sub(a.lastCheck) >= time.Second || now.Before(a.lastCheck) {
		// Lines written to a file that was deleted or moved away (by hand
		// or an external logrotate) would be lost silently: reopen Path.
		a.lastCheck = now
		if !a.stillAtPath() {
			a.f.Close()
			a.f = nil
			if err := a.open(now); err != nil {
				return err
			}
		}
	}
	hour := now.UTC().Truncate(time.Hour)
	size := a.size.Load()
	due := !hour.Equal(a.hour) || (a.maxSize > 0 && size+int64(len(line)) > a.maxSize)
	if size > 0 && due && now.Sub(a.rotateFailed) >= time.Minute {
		if err := a.rotate(now); err != nil {
			return err
		}
	}
	if a.size.Load() == 0 {
		a.hour = hour
	}
	a.size.Add(int64(len(line)))
	if err := a.write(line); err != nil {
		a.f.Close()
		a.f = nil
		return fmt.Errorf("credentials: audit log: %w", err)
	}
	return nil
}

// appendStamp appends t as AppendAuditLine writes it (RFC 3339, UTC, whole
// seconds), formatting it only when the second changed since the last line.
func (a *AuditLog) appendStamp(b []byte, t time.Time) []byte {
	sec := t.Unix()
	if st := a.stamp.Load(); st != nil && st.sec == sec {
		return append(b, st.b...)
	}
	start := len(b)
	b = t.UTC().AppendFormat(b, time.RFC3339)
	a.stamp.Store(&auditStamp{sec: sec, b: append([]byte(nil), b[start:]...)})
	return b
}

// stillAtPath reports whether Path still names the open file.
func (a *AuditLog) stillAtPath() bool {
	open, err := a.f.Stat()
	if err != nil {
		return false
	}
	cur, err := os.Stat(a.path)
	return err == nil && os.SameFile(open, cur)
}

// rotate renames the active file to its rolled name and opens a new one.
func (a *AuditLog) rotate(now time.Time) error {
	err := a.f.Close()
	a.f = nil
	if err != nil {
		return fmt.Errorf("credentials: audit log: %w", err)
	}
	// The first file of an hour is Path.YYYY-MM-DD-HH; further ones (size
	// rollover) get .1, .2, ... after the highest number present, so a name
	// freed by pruning is never reused for newer lines.
	hour := a.hour.Format("2006-01-02-15")
	name := a.path + "." + hour
	next := -1
	for _, rf := range a.rolledFiles() {
		if rf.hour == hour && rf.n >= next {
			next = rf.n + 1
		}
	}
	if next > 0 {
		name += "." + strconv.Itoa(next)
	}
	if _, err := os.Lstat(name); !errors.Is(err, os.ErrNotExist) {
		name += "." + strconv.FormatInt(now.UnixNano(), 10)
	}
	if err := os.Rename(a.path, name); err != nil {
		// Keep appending to the active file rather than losing lines.
		a.rotateFailed = now
		return a.open(now)
	}
	a.rotateFailed = time.Time{}
	if err := a.open(now); err != nil {
		return err
	}
	a.prune()
	return nil
}

// prune deletes the oldest rolled files beyond maxRolls.
func (a *AuditLog) prune() {
	if a.maxRolls < 0 {
		return
	}
	rolled := a.rolledFiles()
	for len(rolled) > a.maxRolls {
		os.Remove(rolled[0].path)
		rolled = rolled[1:]
	}
}

type rolledFile struct {
	path string
	hour string
	n    int
}

// rolledFiles lists Path.YYYY-MM-DD-HH[.N], oldest first.
func (a *AuditLog) rolledFiles() []rolledFile {
	dir, base := filepath.Split(a.path)
	ents, _ := os.ReadDir(filepath.Clean(dir + "."))
	prefix := base + "."
	var out []rolledFile
	for _, de := range ents {
		rest, ok := strings.CutPrefix(de.Name(), prefix)
		if !ok {
			continue
		}
		m := filepath.Join(dir, de.Name())
		hour, num, _ := strings.Cut(rest, ".")
		if _, err := time.Parse("2006-01-02-15", hour); err != nil {
			continue
		}
		n := 0
		if num != "" {
			v, err := strconv.Atoi(num)
			if err != nil {
				continue
			}
			n = v
		}
		out = append(out, rolledFile{path: m, hour: hour, n: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].hour != out[j].hour {
			return out[i].hour < out[j].hour
		}
		return out[i].n < out[j].n
	})
	return out
}

// Close closes the file; later Audit calls fail (and so refuse requests).
func (a *AuditLog) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return nil
	}
	a.err = errors.New("credentials: audit log closed")
	if a.f == nil {
		return nil
	}
	return a.f.Close()
}
