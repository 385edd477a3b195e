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

// write hands b to the kernel with one write(2) on the O_APPEND descriptor
// (retried only on EINTR, when nothing was written) and returns once the
// kernel holds the whole line (no fsync). A short write is an error, not
// continued: concurrent lines may already follow the part that was written,
// and a regular file writes short only when it cannot take more (disk full,
// size limit). It calls write(2) directly rather than through os.File, whose
// per-descriptor lock would serialize the log's concurrent writers again.
func (a *AuditLog) write(b []byte) error {
	for {
		n, err := syscall.Write(a.fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "write", Path: a.path, Err: err}
		}
		if n != len(b) {
			return &os.PathError{Op: "write", Path: a.path, Err: io.ErrShortWrite}
		}
		return nil
	}
}
