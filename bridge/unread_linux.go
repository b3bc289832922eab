package bridge

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// unread reports how many bytes written to w its reader has not read yet. ok is false unless
// w is a pipe or a socket that can tell. FIONREAD works on either end of a Linux pipe; a
// socket (Node and Electron clients give their servers socketpairs for stdio) keeps what
// its peer has not read on the writer's account, which SIOCOUTQ reports (for a unix socket
// in allocated bytes rather than payload bytes: only zero or not matters here).
func unread(w io.Writer) (n int, ok bool) {
	f, isFile := w.(*os.File)
	if !isFile {
		return 0, false
	}
	rc, err := f.SyscallConn() // unlike Fd, leaves the file non-blocking
	if err != nil {
		return 0, false
	}
	var ierr error
	if err := rc.Control(func(fd uintptr) {
		req := uint(unix.TIOCINQ)
		var st unix.Stat_t
		if unix.Fstat(int(fd), &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFSOCK {
			req = unix.TIOCOUTQ
		}
		n, ierr = unix.IoctlGetInt(int(fd), req)
	}); err != nil || ierr != nil {
		return 0, false
	}
	return n, true
}
