package atomicfile

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// When the test binary is re-run with this variable set, it writes the file named by it and
// dies between the temp write and the rename, as a crash or power cut would.
const crashEnv = "ATOMICFILE_TEST_CRASH_WRITE"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashEnv); path != "" {
		beforeRename = func(string) { os.Exit(42) }
		_ = WriteFile(path, []byte("new content that must never be seen"), 0o600)
		os.Exit(1) // not reached unless beforeRename did not run
	}
	os.Exit(m.Run())
}

func TestWriteFileReplacesAndKeepsMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new"), 0o640); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "new" {
		t.Fatalf("content = %q, want %q", got, "new")
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(p)
		if fi.Mode().Perm() != 0o640 {
			t.Fatalf("mode = %v, want 0640", fi.Mode().Perm())
		}
	}
	assertNoTemp(t, dir)
}

func TestWriteFileFailureLeavesOriginal(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	os.WriteFile(p, []byte("old"), 0o600)
	// A folder where the file should be makes the rename fail after the temp file is written.
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o700)
	os.WriteFile(filepath.Join(sub, "x"), nil, 0o600)
	if err := WriteFile(sub, []byte("new"), 0o600); err == nil {
		t.Fatal("replacing a non-empty folder succeeded")
	}
	assertNoTemp(t, dir)
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Fatalf("unrelated file changed: %q", got)
	}
}

func TestCrashBetweenTempAndRenameKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state.json")
	old := []byte(`{"version":2}`)
	if err := os.WriteFile(p, old, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+p)
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 42 {
		t.Fatalf("child did not die at the crash point: %v", err)
	}
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, old) {
		t.Fatalf("after crash: %q, %v; want the old content", got, err)
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if len(m) > 0 {
		t.Fatalf("temp files left behind: %v", m)
	}
}
