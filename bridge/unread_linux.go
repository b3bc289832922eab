package bridge

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// unread reports how many bytes written to w its reader has not read yet. ok is false unless
// w is a pipe or socket that can tell (FIONREAD works on either end of a Linux pipe).
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
	if err := rc.Control(func(fd uintptr) { n, ierr = unix.IoctlGetInt(int(fd), unix.TIOCINQ) }); err != nil || ierr != nil {
		return 0, false
	}
	return n, true
}
