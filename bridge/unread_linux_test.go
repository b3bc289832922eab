package bridge

import (
	"bytes"
	"io"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestUnreadCountsWhatThePipeHolds: the shim asks its stdout pipe how much the client has
// not read yet (to keep a response from sharing a read with the progress before it).
func TestUnreadCountsWhatThePipeHolds(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if n, ok := unread(w); !ok || n != 0 {
		t.Fatalf("empty pipe: unread = %d, %v; want 0, true", n, ok)
	}
	if _, err := w.Write([]byte("progress\n")); err != nil {
		t.Fatal(err)
	}
	if n, ok := unread(w); !ok || n != 9 {
		t.Fatalf("after writing 9 bytes: unread = %d, %v; want 9, true", n, ok)
	}
	if _, err := r.Read(make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	if n, ok := unread(w); !ok || n != 5 {
		t.Fatalf("after the reader took 4: unread = %d, %v; want 5, true", n, ok)
	}
	// holdForProgress returns once the reader has taken the rest.
	go func() { _, _ = r.Read(make([]byte, 5)) }()
	holdForProgress(w, 0)
	if n, _ := unread(w); n != 0 {
		t.Errorf("holdForProgress returned with %d bytes unread (the reader had more than %v)", n, maxProgressHold)
	}
	// A socketpair, as Node gives a child for stdio: what the peer has not read counts.
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	sw, sr := os.NewFile(uintptr(fds[0]), "w"), os.NewFile(uintptr(fds[1]), "r")
	defer sw.Close()
	defer sr.Close()
	if n, ok := unread(sw); !ok || n != 0 {
		t.Fatalf("empty socket: unread = %d, %v; want 0, true", n, ok)
	}
	if _, err := sw.Write([]byte("progress\n")); err != nil {
		t.Fatal(err)
	}
	if n, ok := unread(sw); !ok || n == 0 {
		t.Fatalf("after writing to the socket: unread = %d, %v; want more than 0, true", n, ok)
	}
	if _, err := io.ReadFull(sr, make([]byte, 9)); err != nil {
		t.Fatal(err)
	}
	if n, ok := unread(sw); !ok || n != 0 {
		t.Fatalf("after the peer read it all: unread = %d, %v; want 0, true", n, ok)
	}
	if _, ok := unread(&bytes.Buffer{}); ok {
		t.Error("unread claims to know about a bytes.Buffer")
	}
}
