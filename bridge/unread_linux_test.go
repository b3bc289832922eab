package bridge

import (
	"bytes"
	"os"
	"testing"
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
	if _, ok := unread(&bytes.Buffer{}); ok {
		t.Error("unread claims to know about a bytes.Buffer")
	}
}
