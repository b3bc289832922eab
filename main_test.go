package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-mcp/patchbay/internal/exepath"
)

// envRunMain makes the test binary act as the lean patchbay itself: the tests re-run it (or
// a copy of it) as a child process, as go-sdk's mcp/cmd_test.go does, instead of building a
// second binary.
const envRunMain = "PATCHBAY_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envRunMain) == "1" {
		os.Args = append([]string{"patchbay"}, os.Args[1:]...)
		main() // exits
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childEnv is a minimal environment in fresh temporary folders, as an AI client gives a
// shim: no DISPLAY, no session bus, nothing of the real home. extra adds variables ("K=V").
func childEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	dir := t.TempDir()
	env := []string{
		envRunMain + "=1",
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(dir, "home"),
		"PATCHBAY_HOME=" + filepath.Join(dir, "patchbay"),
		"LANG=en_US.UTF-8",
	}
	for _, d := range []string{"home", "patchbay"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return append(env, extra...)
}

// result is how a finished patchbay process went.
type result struct {
	pid            int
	code           int
	stdout, stderr string
}

// runPatchbay runs exe (the test binary or a copy of it, acting as patchbay) with args and
// env to completion, bounded by a minute.
func runPatchbay(t *testing.T, exe string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("patchbay %s did not finish within a minute; stderr:\n%s", strings.Join(args, " "), stderr.String())
	}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("running patchbay %s: %v", strings.Join(args, " "), err)
	}
	return result{pid: cmd.Process.Pid, code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// installPatchbay copies the test binary into a fresh folder as patchbay, as an install
// would put it, and returns its path.
func installPatchbay(t *testing.T) string {
	t.Helper()
	self, err := exepath.Self()
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), exepath.Lean)
	if runtime.GOOS == "windows" {
		dst += ".exe"
	}
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// assertNoPanic fails if output carries a Go panic or crash trace.
func assertNoPanic(t *testing.T, what, output string) {
	t.Helper()
	for _, sign := range []string{"panic:", "goroutine ", "SIGSEGV", "fatal error:"} {
		if strings.Contains(output, sign) {
			t.Fatalf("%s printed a crash trace (%q):\n%s", what, sign, output)
		}
	}
}

func TestHeadlessVerbsNeedNoDisplayNorBus(t *testing.T) {
	env := childEnv(t)
	r := runPatchbay(t, os.Args[0], env, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "patchbay ") {
		t.Fatalf("patchbay version: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runPatchbay(t, os.Args[0], env, "help")
	if r.code != 0 || !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, "version") {
		t.Fatalf("patchbay help: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	assertNoPanic(t, "patchbay help", r.stdout+r.stderr)
}

// TestNoArgsWithoutTrayExplainsAndExits1: a lone patchbay says where it looked for the tray
// and how to use it headless.
func TestNoArgsWithoutTrayExplainsAndExits1(t *testing.T) {
	exe := installPatchbay(t)
	r := runPatchbay(t, exe, childEnv(t))
	tray := filepath.Join(filepath.Dir(exe), exepath.Tray)
	if runtime.GOOS == "windows" {
		tray += ".exe"
	}
	want := "Patchbay's tray app is not installed next to this binary at " + tray + ". Install patchbay-tray in the same folder as patchbay; headless use: `patchbay help`.\n"
	if r.code != 1 || r.stderr != want || r.stdout != "" {
		t.Fatalf("patchbay with no tray next to it: exit %d, stdout %q, stderr %q; want exit 1 and stderr %q", r.code, r.stdout, r.stderr, want)
	}
}

// TestNoArgsExecsTheTrayNextToIt runs patchbay through a symlink in another folder (as
// /usr/local/bin/patchbay → /opt/patchbay/patchbay would be) with a fake patchbay-tray, a
// shell script, next to the real file: patchbay must replace itself with that script, which
// therefore reports patchbay's own pid, no arguments and the same environment.
func TestNoArgsExecsTheTrayNextToIt(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if runtime.GOOS == "windows" || err != nil {
		t.Skip("no sh to write the fake tray in")
	}
	exe := installPatchbay(t)
	script := "#!" + sh + "\necho \"pid=$$ args=$# marker=$PATCHBAY_TEST_MARKER\"\nexit 7\n"
	if err := os.WriteFile(filepath.Join(filepath.Dir(exe), exepath.Tray), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), exepath.Lean)
	if err := os.Symlink(exe, link); err != nil {
		t.Skipf("cannot make a symlink here: %v", err)
	}
	r := runPatchbay(t, link, childEnv(t, "PATCHBAY_TEST_MARKER=m1"))
	want := "pid=" + strconv.Itoa(r.pid) + " args=0 marker=m1\n"
	if r.code != 7 || r.stdout != want || r.stderr != "" {
		t.Fatalf("patchbay with a tray next to it: exit %d, stdout %q, stderr %q; want the tray's exit 7 and stdout %q", r.code, r.stdout, r.stderr, want)
	}
}

// BenchmarkHeadlessStartup measures a whole `patchbay version` process with no display: the
// path every CLI verb and shim takes.
func BenchmarkHeadlessStartup(b *testing.B) {
	dir := b.TempDir()
	env := []string{envRunMain + "=1", "HOME=" + dir, "PATCHBAY_HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "version")
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("patchbay version: %v\n%s", err, out)
		}
	}
}
