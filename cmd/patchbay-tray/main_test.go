package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/patchbay-mcp/patchbay/app"
	"github.com/patchbay-mcp/patchbay/assets"
	"github.com/patchbay-mcp/patchbay/internal/testproc"
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

func TestTrayWithoutDisplayExplainsAndExits1(t *testing.T) {
	r := testproc.Run(t, os.Args[0], testproc.Env(t, envRunMain))
	want := "Patchbay's tray needs a desktop session (no DISPLAY). Headless use: `patchbay help`.\n"
	if r.Code != 1 || r.Stderr != want || r.Stdout != "" {
		t.Fatalf("patchbay with no DISPLAY: exit %d, stdout %q, stderr %q; want exit 1 and stderr %q", r.Code, r.Stdout, r.Stderr, want)
	}
}

func TestTrayWithUnreachableDisplayExplainsAndExits1(t *testing.T) {
	// Display 4093 has neither an abstract nor a filesystem socket here (checked below).
	if _, err := os.Stat("/tmp/.X11-unix/X4093"); err == nil {
		t.Skip("an X server runs on :4093")
	}
	r := testproc.Run(t, os.Args[0], testproc.Env(t, envRunMain, "DISPLAY=:4093"))
	testproc.AssertNoPanic(t, "patchbay with DISPLAY=:4093", r.Stderr)
	if r.Code != 1 || !strings.Contains(r.Stderr, "cannot reach the display :4093") {
		t.Fatalf("patchbay with an unreachable display: exit %d, stderr %q; want exit 1 and a clear message", r.Code, r.Stderr)
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
