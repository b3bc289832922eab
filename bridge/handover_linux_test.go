package bridge

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestWaitBridge: the shim's wait ends with a note only when it asks for notes, with the
// bridge's hang-up always, and with its context.
func TestWaitBridge(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := net.FileConn(os.NewFile(uintptr(fds[0]), "shim"))
	if err != nil {
		t.Fatal(err)
	}
	bridgeEnd := os.NewFile(uintptr(fds[1]), "bridge")
	nr, nw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	h := &Handed{Control: mine.(*net.UnixConn), Notes: nr}
	defer h.Close()
	defer nw.Close()

	ctx, cancel := context.WithCancel(context.Background())
	wake, err := newWaker(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer wake.Close()
	nw.WriteString("c{}\n")
	if waitBridge(h, true, wake, -1) {
		t.Fatal("a note was taken for a hang-up")
	}
	// The note is still unread: a wait that does not ask for notes must sleep through it
	// until its context ends.
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if waitBridge(h, false, wake, -1) || ctx.Err() == nil {
		t.Fatal("the wait did not sleep through a note it did not ask for, until its context ended")
	}
	bridgeEnd.Close()
	if !waitBridge(h, false, nil, -1) {
		t.Fatal("the bridge's hang-up was not seen")
	}
}
