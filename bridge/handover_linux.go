package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// handoverSupported: Linux passes the client's pipes to the bridge (see handover.go).
const handoverSupported = true

// handable reports whether f is a blocking pipe or socket, which the shim may hand to the
// bridge: the bridge makes it non-blocking, which must never happen to a terminal's file
// (the shell shares it) or to a regular file, and the shim makes it blocking again after.
func handable(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&(os.ModeNamedPipe|os.ModeSocket) == 0 {
		return false
	}
	fd, err := rawFD(f)
	if err != nil {
		return false
	}
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	return err == nil && fl&unix.O_NONBLOCK == 0
}

// sendFDs passes stdin, stdout and the write end of the notes pipe to the bridge at the
// other end of c, with one byte.
func sendFDs(c *net.UnixConn, stdin, stdout, notes *os.File) error {
	var fds []int
	for _, f := range []*os.File{stdin, stdout, notes} {
		fd, err := rawFD(f)
		if err != nil {
			return fmt.Errorf("handing the client's pipes to the bridge: %w", err)
		}
		fds = append(fds, fd)
	}
	// The descriptors stay open: the files are not closed before this returns.
	rights := unix.UnixRights(fds...)
	n, oobn, err := c.WriteMsgUnix([]byte{'H'}, rights, nil)
	if err == nil && (n != 1 || oobn != len(rights)) {
		err = errors.New("short write")
	}
	if err != nil {
		return fmt.Errorf("handing the client's pipes to the bridge: %w", err)
	}
	return nil
}

// rawFD returns f's descriptor without Fd's side effect of making it blocking.
func rawFD(f syscall.Conn) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return -1, err
	}
	var fd int
	err = rc.Control(func(u uintptr) { fd = int(u) })
	return fd, err
}

// recvFDs receives the three files sendFDs passes, non-blocking (so that closing them ends a
// read in progress), within timeout.
func recvFDs(c *net.UnixConn, timeout time.Duration) (stdin, stdout, notes *os.File, err error) {
	c.SetReadDeadline(time.Now().Add(timeout))
	defer c.SetReadDeadline(time.Time{})
	buf, oob := make([]byte, 1), make([]byte, unix.CmsgSpace(4*4))
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob) // Go sets close-on-exec on what it receives
	if err != nil {
		return nil, nil, nil, fmt.Errorf("receiving the client's pipes: %w", err)
	}
	var fds []int
	if msgs, perr := unix.ParseSocketControlMessage(oob[:oobn]); perr == nil {
		for i := range msgs {
			if got, err := unix.ParseUnixRights(&msgs[i]); err == nil {
				fds = append(fds, got...)
			}
		}
	}
	closeAll := func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}
	if n != 1 || buf[0] != 'H' || len(fds) != 3 {
		closeAll()
		return nil, nil, nil, fmt.Errorf("receiving the client's pipes: got %d bytes and %d files, want 1 and 3", n, len(fds))
	}
	for i, fd := range fds {
		if fd <= 2 {
			// A bridge started with its standard files closed could get them here; keep the
			// client's pipes clear of fds 0–2 (a broken pipe on fd 1 or 2 is fatal to Go).
			moved, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
			if err != nil {
				closeAll()
				return nil, nil, nil, fmt.Errorf("receiving the client's pipes: %w", err)
			}
			unix.Close(fd)
			fds[i] = moved
		}
		if err := unix.SetNonblock(fds[i], true); err != nil {
			closeAll()
			return nil, nil, nil, fmt.Errorf("receiving the client's pipes: %w", err)
		}
	}
	return os.NewFile(uintptr(fds[0]), "client-stdin"), os.NewFile(uintptr(fds[1]), "client-stdout"), os.NewFile(uintptr(fds[2]), "shim-notes"), nil
}

// notesPipeSize is what the notes pipe is asked to hold: a few thousand calls' notes, for a
// shim that reads them every 100 ms (larger pipes count against the user's pipe allowance).
const notesPipeSize = 128 << 10

// newNotesPipe makes the pipe the bridge writes its notes to, as large as it may be.
func newNotesPipe() (r, w *os.File, err error) {
	r, w, err = os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("making the notes pipe: %w", err)
	}
	if rc, err := w.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { _, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, notesPipeSize) })
	}
	return r, w, nil
}

// setBlocking puts f back in blocking mode (the bridge made the file description the shim
// shares with it non-blocking).
func setBlocking(f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { _ = unix.SetNonblock(int(fd), false) })
	}
}

// readAvailable reads what c (a non-blocking pipe or socket) holds now without waiting:
// 0, nil when nothing has come; io.EOF when the writer has gone and everything was read.
func readAvailable(c syscall.Conn, p []byte) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		n, rerr = unix.Read(int(fd), p) // the descriptor is non-blocking (Go's poller)
		return true
	})
	switch {
	case err != nil:
		return 0, err
	case rerr == unix.EAGAIN:
		return 0, nil
	case rerr != nil:
		return 0, rerr
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	return n, nil
}

// waker is a descriptor that becomes readable when a context is done, for waitBridge.
type waker struct {
	r, w *os.File
	stop func() bool
}

func newWaker(ctx context.Context) (*waker, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("waiting for the bridge: %w", err)
	}
	return &waker{r: r, w: w, stop: context.AfterFunc(ctx, func() { w.Close() })}, nil
}

// Close releases the waker.
func (k *waker) Close() {
	k.stop()
	k.r.Close()
	k.w.Close()
}

// waitBridge blocks until the bridge hangs up h's stream (it reports true), or, if notes,
// until notes can be read, or until wake's context is done, or for timeout (negative: no
// limit). Only these wake the shim: notes that come while notes is false do not.
func waitBridge(h *Handed, notes bool, wake *waker, timeout time.Duration) (hup bool) {
	ctl, err := rawFD(h.Control)
	if err != nil {
		return true
	}
	pfds := []unix.PollFd{{Fd: int32(ctl), Events: unix.POLLRDHUP}}
	if notes {
		if fd, err := rawFD(h.Notes); err == nil {
			pfds = append(pfds, unix.PollFd{Fd: int32(fd), Events: unix.POLLIN})
		}
	}
	if wake != nil {
		if fd, err := rawFD(wake.r); err == nil {
			pfds = append(pfds, unix.PollFd{Fd: int32(fd), Events: unix.POLLIN})
		}
	}
	ms := -1
	if timeout >= 0 {
		ms = int(timeout / time.Millisecond)
	}
	for {
		_, err := unix.Poll(pfds, ms)
		if err == unix.EINTR {
			continue // Go's runtime signals its threads; a shorter total wait does no harm
		}
		if err != nil {
			time.Sleep(noteDrainEvery) // never spin; the stream's end shows next time
			return false
		}
		return pfds[0].Revents&(unix.POLLRDHUP|unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0
	}
}
