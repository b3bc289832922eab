package bridge_test

import (
	"bufio"
	"context"
	"strings"
	"testing"
	"time"
)

// TestOpenMCPOutlivesItsContext: the context given to OpenMCP bounds opening the stream
// only; the stream stays usable after it is cancelled (the shim relies on this).
func TestOpenMCPOutlivesItsContext(t *testing.T) {
	h := newHarness(t)
	h.addEcho("echo")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	rwc, err := h.c.OpenMCP(ctx, "echo")
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	defer rwc.Close()
	time.Sleep(20 * time.Millisecond)
	if _, err := rwc.Write([]byte(initLine + "\n")); err != nil {
		t.Fatalf("write after cancel: %v", err)
	}
	line, err := bufio.NewReader(rwc).ReadString('\n')
	if err != nil || !strings.Contains(line, `"result"`) {
		t.Fatalf("read after cancel: %q %v", line, err)
	}
}
