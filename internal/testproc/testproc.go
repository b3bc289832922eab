// Package testproc runs a test binary again as a child process, the way the two main
// packages' tests exercise `patchbay` and `patchbay-tray` (as go-sdk's mcp/cmd_test.go does):
// a minimal environment in fresh folders, a bounded run, and a check for crash traces. It is
// for tests only.
package testproc

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Env is a minimal environment in fresh temporary folders, as an AI client gives a shim or
// a desktop launcher gives an app: runMain=1 (the variable that makes the test binary run
// main), PATH, a new HOME, PATCHBAY_HOME and XDG folders, LANG; no DISPLAY, no session bus,
// nothing of the real home. extra adds variables ("K=V"); a later one overrides an earlier.
func Env(t testing.TB, runMain string, extra ...string) []string {
	t.Helper()
	dir := t.TempDir()
	env := []string{
		runMain + "=1",
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(dir, "home"),
		"PATCHBAY_HOME=" + filepath.Join(dir, "patchbay"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, "cache"),
		"LANG=en_US.UTF-8",
	}
	for _, d := range []string{"home", "patchbay"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return append(env, extra...)
}

// Result is how a finished process went.
type Result struct {
	Pid            int
	Code           int
	Stdout, Stderr string
}

// Run runs exe with args and env to completion, bounded by a minute; it fails the test if
// the process cannot start or does not finish.
func Run(t testing.TB, exe string, env []string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	what := strings.TrimSpace(filepath.Base(exe) + " " + strings.Join(args, " "))
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within a minute; stderr:\n%s", what, stderr.String())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running %s: %v", what, err)
	}
	return Result{Pid: cmd.Process.Pid, Code: cmd.ProcessState.ExitCode(), Stdout: stdout.String(), Stderr: stderr.String()}
}

// AssertNoPanic fails if output carries a Go panic or crash trace.
func AssertNoPanic(t testing.TB, what, output string) {
	t.Helper()
	for _, sign := range []string{"panic:", "goroutine ", "SIGSEGV", "fatal error:"} {
		if strings.Contains(output, sign) {
			t.Fatalf("%s printed a crash trace (%q):\n%s", what, sign, output)
		}
	}
}
