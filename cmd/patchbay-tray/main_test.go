package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/patchbay-mcp/patchbay/app"
	"github.com/patchbay-mcp/patchbay/assets"
)

// envRunMain makes the test binary act as patchbay-tray itself: the tests re-run it as a
// child process (as go-sdk's mcp/cmd_test.go does) instead of building a second binary, both
// as the tray (no arguments) and as the bridge or the CLI (any verb: the tray binary
// understands them all). Children it starts in turn (a bridge) inherit it and so run as
// patchbay-tray too; no lean patchbay is next to the test binary, so the tray starts the
// bridge from its own executable (internal/exepath.Headless).
const envRunMain = "PATCHBAY_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envRunMain) == "1" {
		os.Args = append([]string{"patchbay-tray"}, os.Args[1:]...)
		main() // exits
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childEnv is a minimal environment in fresh temporary folders, as an AI client or a desktop
// launcher would give: no DISPLAY, no session bus, nothing of the real home. extra adds or
// overrides variables ("K=V").
func childEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	dir := t.TempDir()
	env := []string{
		envRunMain + "=1",
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

// result is how a finished patchbay process went.
type result struct {
	code           int
	stdout, stderr string
}

// runPatchbay runs patchbay with args and env to completion, bounded by a minute.
func runPatchbay(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("patchbay %s did not finish within a minute; stderr:\n%s", strings.Join(args, " "), stderr.String())
	}
	var exit *exec.ExitError
	if err != nil && !asExit(err, &exit) {
		t.Fatalf("running patchbay %s: %v", strings.Join(args, " "), err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

func asExit(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	*target = e
	return ok
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

func TestTrayWithoutDisplayExplainsAndExits1(t *testing.T) {
	r := runPatchbay(t, childEnv(t))
	want := "Patchbay's tray needs a desktop session (no DISPLAY). Headless use: `patchbay help`.\n"
	if r.code != 1 || r.stderr != want || r.stdout != "" {
		t.Fatalf("patchbay with no DISPLAY: exit %d, stdout %q, stderr %q; want exit 1 and stderr %q", r.code, r.stdout, r.stderr, want)
	}
}

func TestTrayWithUnreachableDisplayExplainsAndExits1(t *testing.T) {
	// Display 4093 has neither an abstract nor a filesystem socket here (checked below).
	if _, err := os.Stat("/tmp/.X11-unix/X4093"); err == nil {
		t.Skip("an X server runs on :4093")
	}
	r := runPatchbay(t, childEnv(t, "DISPLAY=:4093"))
	assertNoPanic(t, "patchbay with DISPLAY=:4093", r.stderr)
	if r.code != 1 || !strings.Contains(r.stderr, "cannot reach the display :4093") {
		t.Fatalf("patchbay with an unreachable display: exit %d, stderr %q; want exit 1 and a clear message", r.code, r.stderr)
	}
}

// TestFyneAppTOMLMatchesTheApp keeps FyneApp.toml in step with the code: the same app ID,
// the name, and the embedded icon. `fyne package --src cmd/patchbay-tray` reads it from this
// folder and resolves its Icon relative to it, as this test (run in this folder) does.
func TestFyneAppTOMLMatchesTheApp(t *testing.T) {
	// The shape of fyne's own metadata (fyne.io/fyne/v2/internal/metadata.FyneApp).
	var meta struct {
		Website string
		Details struct {
			Icon, Name, ID, Version string
			Build                   int
		}
		Development, Release map[string]string
		Source               struct{ Repo, Dir string }
		LinuxAndBSD          struct {
			GenericName, Comment, ExecParams string
			Categories, Keywords             []string
		}
		Languages  []string
		Migrations map[string]bool
	}
	md, err := toml.DecodeFile("FyneApp.toml", &meta)
	if err != nil {
		t.Fatalf("reading FyneApp.toml: %v", err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Errorf("FyneApp.toml has keys fyne does not know here: %v", u)
	}
	d := meta.Details
	if d.ID != app.ID || d.Name != app.Name {
		t.Errorf("FyneApp.toml ID %q, Name %q; the app uses %q, %q", d.ID, d.Name, app.ID, app.Name)
	}
	if d.Version == "" || d.Build < 1 {
		t.Errorf("FyneApp.toml Version %q, Build %d: fyne package needs both", d.Version, d.Build)
	}
	icon, err := os.ReadFile(d.Icon)
	if err != nil {
		t.Fatalf("FyneApp.toml Icon: %v", err)
	}
	if !bytes.Equal(icon, assets.AppIcon) {
		t.Errorf("FyneApp.toml Icon %s is not the icon embedded as assets.AppIcon", d.Icon)
	}
}
