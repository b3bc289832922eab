package bridge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/patchbay-mcp/patchbay/internal/paths"
)

// LogFileName is the bridge's own log (not the event log) in paths.Layout.LogDir, written by
// a bridge started detached.
const LogFileName = "bridge.log"

// StartDetached starts `exe bridge` as a detached, headless process: its own session (or
// process group on Windows), stdin and stdout on the null device, stderr appended to
// LogDir/bridge.log. It returns once the process is started, not once it listens; use
// WaitReady. If another bridge wins a race to listen, this one exits quietly.
func StartDetached(exe string, l paths.Layout) error {
	if err := l.EnsureDirs(); err != nil {
		return err
	}
	if err := os.MkdirAll(l.LogDir(), 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", l.LogDir(), err)
	}
	logPath := filepath.Join(l.LogDir(), LogFileName)
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("opening %s: %w", logPath, err)
	}
	defer logf.Close()
	cmd := exec.Command(exe, "bridge")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, logf
	cmd.Dir = "/"
	if d := filepath.VolumeName(exe); d != "" {
		cmd.Dir = d + `\`
	}
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the bridge (%s bridge): %w", exe, err)
	}
	// Reap it in the background if it exits while we live (a lost race); otherwise it
	// outlives us and init adopts it.
	go cmd.Wait()
	return nil
}

// WaitReady waits until the bridge answers on c, polling with a backoff from 2 ms to 100 ms,
// for at most timeout.
func WaitReady(ctx context.Context, c *Client, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	delay := 2 * time.Millisecond
	for {
		_, err := c.Status(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the bridge did not start within %s (see %s): %w", timeout, LogFileName, err)
		case <-time.After(delay):
		}
		delay = min(delay*2, 100*time.Millisecond)
	}
}

// EnsureRunning returns a client of the user's bridge, starting one (detached, from exe)
// when none answers. Two callers racing both end up with the one bridge that won the socket.
func EnsureRunning(ctx context.Context, l paths.Layout, exe string) (*Client, error) {
	c := NewClient(l.SocketPath())
	if _, err := c.Status(ctx); err == nil {
		return c, nil
	} else if !errors.Is(err, ErrNotRunning) {
		return nil, err
	}
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("finding the patchbay executable to start the bridge: %w", err)
		}
	}
	if err := StartDetached(exe, l); err != nil {
		return nil, err
	}
	if err := WaitReady(ctx, c, 15*time.Second); err != nil {
		return nil, fmt.Errorf("%w; its log is %s", err, filepath.Join(l.LogDir(), LogFileName))
	}
	return c, nil
}
