package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/patchbay-mcp/patchbay/internal/exepath"
	"github.com/patchbay-mcp/patchbay/internal/testproc"
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

func TestHeadlessVerbsNeedNoDisplayNorBus(t *testing.T) {
	env := testproc.Env(t, envRunMain)
	r := testproc.Run(t, os.Args[0], env, "version")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "patchbay ") {
		t.Fatalf("patchbay version: exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	r = testproc.Run(t, os.Args[0], env, "help")
	if r.Code != 0 || !strings.Contains(r.Stdout, "Usage:") || !strings.Contains(r.Stdout, "version") {
		t.Fatalf("patchbay help: exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	testproc.AssertNoPanic(t, "patchbay help", r.Stdout+r.Stderr)
}

// TestNoArgsWithoutTrayExplainsAndExits1: a lone patchbay says where it looked for the tray
// and how to use it headless.
func TestNoArgsWithoutTrayExplainsAndExits1(t *testing.T) {
	exe := installPatchbay(t)
	r := testproc.Run(t, exe, testproc.Env(t, envRunMain))
	tray := filepath.Join(filepath.Dir(exe), exepath.Tray)
	if runtime.GOOS == "windows" {
		tray += ".exe"
	}
	want := "Patchbay's tray app is not installed next to this binary at " + tray + ". Install patchbay-tray in the same folder as patchbay; headless use: `patchbay help`.\n"
	if r.Code != 1 || r.Stderr != want || r.Stdout != "" {
		t.Fatalf("patchbay with no tray next to it: exit %d, stdout %q, stderr %q; want exit 1 and stderr %q", r.Code, r.Stdout, r.Stderr, want)
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
	r := testproc.Run(t, link, testproc.Env(t, envRunMain, "PATCHBAY_TEST_MARKER=m1"))
	want := "pid=" + strconv.Itoa(r.Pid) + " args=0 marker=m1\n"
	if r.Code != 7 || r.Stdout != want || r.Stderr != "" {
		t.Fatalf("patchbay with a tray next to it: exit %d, stdout %q, stderr %q; want the tray's exit 7 and stdout %q", r.Code, r.Stdout, r.Stderr, want)
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
