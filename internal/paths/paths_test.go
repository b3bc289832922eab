package paths

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestDefaultIgnoresXDGAndFollowsHome(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows follows APPDATA")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(EnvHome, "")
	t.Setenv("XDG_CONFIG_HOME", "/elsewhere/config")
	t.Setenv("XDG_RUNTIME_DIR", "/elsewhere/run")
	l, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	// A shim launched by an AI client has no XDG variables; a tray may have them. Both must
	// find the same files.
	for _, p := range []string{l.StateFile(), l.LogDir(), l.BackupDir()} {
		if !strings.HasPrefix(p, home) {
			t.Errorf("%s is not under HOME %s", p, home)
		}
	}
	if strings.Contains(l.SocketPath(), "elsewhere") {
		t.Errorf("socket %s follows XDG_RUNTIME_DIR", l.SocketPath())
	}
}

func TestPatchbayHomeHoldsEverything(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvHome, dir)
	l, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if l.Home != dir || l.StateFile() != filepath.Join(dir, "state.json") || l.LogDir() != filepath.Join(dir, "logs") {
		t.Fatalf("layout = %+v", l)
	}
	if runtime.GOOS != "windows" && l.SocketPath() != filepath.Join(dir, "run", "bridge.sock") {
		t.Fatalf("socket = %s", l.SocketPath())
	}
}

func TestLongSocketPathIsShortenedStably(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("named pipes have no such limit")
	}
	long := filepath.Join(t.TempDir(), strings.Repeat("deep-folder/", 10))
	a, _ := FromHome(long)
	b, _ := FromHome(long)
	other, _ := FromHome(long + "x")
	if len(a.SocketPath()) > maxSocketPath {
		t.Fatalf("socket path %d bytes: %s", len(a.SocketPath()), a.SocketPath())
	}
	if a.SocketPath() != b.SocketPath() || a.SocketPath() == other.SocketPath() {
		t.Fatal("shortened socket path is not a stable function of the home folder")
	}
	if err := a.EnsureDirs(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(a.SocketPath())) })
	assertPrivate(t, filepath.Dir(a.SocketPath()))
}

func TestEnsureDirsMakesRuntimeDirPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no unix modes")
	}
	l, _ := FromHome(t.TempDir())
	os.MkdirAll(l.RuntimeDir, 0o755) // left open by something else
	if err := l.EnsureDirs(); err != nil {
		t.Fatal(err)
	}
	assertPrivate(t, l.RuntimeDir)
	for _, d := range []string{l.ConfigDir, l.CacheDir} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s not created: %v", d, err)
		}
	}
}

func TestEnsureDirsRefusesAFileInPlace(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no unix sockets")
	}
	l, _ := FromHome(t.TempDir())
	os.WriteFile(l.RuntimeDir, []byte("not a folder"), 0o600)
	if err := l.EnsureDirs(); err == nil {
		t.Fatal("a file where the runtime folder goes was accepted")
	}
}

func assertPrivate(t *testing.T, dir string) {
	t.Helper()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Fatalf("%s mode = %v, want 0700", dir, fi.Mode().Perm())
	}
}
