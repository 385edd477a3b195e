//go:build unix

package credentials

import (
	"io"
	"os"
	"syscall"
)

// fileDescriptor returns the descriptor AuditLog.write uses. The audit file is
// a regular file, which the runtime never puts in non-blocking mode, so Fd
// changes nothing about it.
func fileDescriptor(f *os.File) int { return int(f.Fd()) }

// write hands b to the kernel: write(2) on the O_APPEND descriptor until all
// of it is written, retrying on EINTR, as os.File.Write does, and returns once
// the kernel holds the whole line (no fsync). It calls write(2) directly
// rather than through os.File because every call is already serialized by the
// log's mutex: os.File's descriptor locking and poller bookkeeping would be
// paid on every credentials request for nothing.
func (a *AuditLog) write(b []byte) (int, error) {
	written := 0
	for written < len(b) {
		n, err := syscall.Write(a.fd, b[written:])
		if err == syscall.EINTR {
			continue
		}
		if n > 0 {
			written += n
		}
		if err != nil {
			return written, &os.PathError{Op: "write", Path: a.path, Err: err}
		}
		if n == 0 {
			return written, &os.PathError{Op: "write", Path: a.path, Err: io.ErrUnexpectedEOF}
		}
	}
	return written, nil
}
