//go:build !linux

package bridge

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
	"time"
)

// handoverSupported: only Linux is tested with the handover, so elsewhere the shim relays
// every message itself.
const handoverSupported = false

var errNoHandover = errors.New("handing over the client's pipes is not supported on this system")

func handable(*os.File) bool { return false }

func sendFDs(*net.UnixConn, *os.File, *os.File, *os.File) error { return errNoHandover }

func recvFDs(*net.UnixConn, time.Duration) (*os.File, *os.File, *os.File, error) {
	return nil, nil, nil, errNoHandover
}

func newNotesPipe() (*os.File, *os.File, error) { return nil, nil, errNoHandover }

func setBlocking(*os.File) {}

func readAvailable(syscall.Conn, []byte) (int, error) { return 0, errNoHandover }

type waker struct{}

func newWaker(context.Context) (*waker, error) { return nil, errNoHandover }

func (*waker) Close() {}

func waitBridge(*Handed, bool, *waker, time.Duration) bool { return true }
