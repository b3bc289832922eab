//go:build !windows

package bridge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// Listen makes this process the bridge at socket (a unix socket path in a 0700 folder that
// the caller created with paths.Layout.EnsureDirs). It holds an exclusive lock on
// socket+".lock" for the listener's life, so a second bridge gets ErrAlreadyRunning; holding
// the lock also proves that a socket file left at the path is stale (a crashed bridge), and
// it is removed. The socket is made 0600. Closing the listener removes the socket and drops
// the lock.
func Listen(socket string) (net.Listener, error) {
	lockPath := socket + ".lock"
	lf, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", lockPath, err)
	}
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lf.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrAlreadyRunning
		}
		return nil, fmt.Errorf("locking %s: %w", lockPath, err)
	}
	if err := os.Remove(socket); err != nil && !errors.Is(err, os.ErrNotExist) {
		lf.Close()
		return nil, fmt.Errorf("removing stale socket %s: %w", socket, err)
	}
	// The umask makes the socket 0600 from its first instant (the folder is 0700 as well).
	old := syscall.Umask(0o077)
	ln, err := net.Listen("unix", socket)
	syscall.Umask(old)
	if err != nil {
		lf.Close()
		return nil, fmt.Errorf("listening on %s: %w", socket, err)
	}
	if err := os.Chmod(socket, 0o600); err != nil {
		ln.Close()
		lf.Close()
		return nil, fmt.Errorf("making %s private: %w", socket, err)
	}
	return &lockedListener{Listener: ln, lock: lf}, nil
}

// lockedListener releases the single-bridge lock when closed.
type lockedListener struct {
	net.Listener
	lock *os.File
}

func (l *lockedListener) Close() error {
	err := l.Listener.Close()
	l.lock.Close()
	return err
}

// dialSocket connects to the bridge's socket.
func dialSocket(ctx context.Context, socket string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", socket)
	if err != nil && (errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)) {
		return nil, ErrNotRunning
	}
	return c, err
}
