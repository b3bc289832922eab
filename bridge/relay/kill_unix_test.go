//go:build !windows

package relay

import (
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/patchbay-mcp/patchbay/connectors"
)

// TestUpstreamSIGKILLedMidCall: the child is killed from outside while a call runs. The
// call gets an error (measured, not asserted: the issue asks for under a second), and the
// next call succeeds on a restarted child.
func TestUpstreamSIGKILLedMidCall(t *testing.T) {
	st := start(t, Options{Connector: stdioConnector(t, nil, connectors.Hooks{})}, nil)
	pid, err := strconv.Atoi(mustCall(t, st.cs, "pid", nil))
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := call(t, st.cs, "slow", map[string]any{"steps": 1000, "delay_ms": 10})
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	killed := time.Now()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("the call succeeded though its server was killed")
		}
		t.Logf("in-flight call answered %v after SIGKILL: %v", time.Since(killed), err)
	case <-time.After(10 * time.Second):
		t.Fatal("the in-flight call was not answered")
	}
	if got := mustCall(t, st.cs, "echo", map[string]any{"text": "again"}); got != "again" {
		t.Fatalf("echo after the kill = %q", got)
	}
	t.Logf("next call succeeded %v after SIGKILL", time.Since(killed))
}
