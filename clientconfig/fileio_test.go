package clientconfig

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var cursor, _ = Lookup("cursor")

func upsertNotion(b []byte) ([]byte, error) { return cursor.Upsert(b, goldenEntry(), false) }

func writeFile(t testing.TB, p, s string, mode fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func readString(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const otherServers = `{
  "mcpServers": {
    "fs": {"command": "npx", "args": ["fs"]}
  }
}
`

func TestEditFileKeepsModeAndBacksUpOnce(t *testing.T) {
	dir := t.TempDir()
	p, backups := filepath.Join(dir, "mcp.json"), filepath.Join(dir, "backups")
	writeFile(t, p, otherServers, 0o640)
	res, err := EditFile(p, upsertNotion, EditOptions{BackupDir: backups})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.Backup == "" || readString(t, res.Backup) != otherServers {
		t.Fatalf("result %+v; backup must hold the original", res)
	}
	if fi, _ := os.Stat(p); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, want 0640", fi.Mode().Perm())
	}
	if !strings.Contains(readString(t, p), `"shim", "notion"`) {
		t.Fatal("entry not written")
	}
	// A second, different edit keeps the first backup: it is the original, not the last state.
	if _, err := EditFile(p, func(b []byte) ([]byte, error) { return cursor.Remove(b, "notion", goldenExe) }, EditOptions{BackupDir: backups}); err != nil {
		t.Fatal(err)
	}
	if readString(t, res.Backup) != otherServers {
		t.Fatal("backup overwritten by a later edit")
	}
	if got := readString(t, p); got != otherServers {
		t.Fatalf("remove did not restore the original bytes:\n%s", got)
	}
}

func TestEditFileMissing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "mcp.json")
	if _, err := EditFile(p, upsertNotion, EditOptions{}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file without Create: err = %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(filepath.Dir(p)); err == nil {
		t.Fatal("folder created without Create")
	}
	res, err := EditFile(p, upsertNotion, EditOptions{Create: true, BackupDir: filepath.Join(dir, "b")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Existed || res.Backup != "" {
		t.Fatalf("new file: %+v", res)
	}
	if fi, _ := os.Stat(p); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("new file mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := cursor.Entries([]byte(readString(t, p)), goldenExe); err != nil {
		t.Fatal(err)
	}
}

// TestEditFileExternalWriterNoLostUpdate: another program rewrites the file after we read
// it and before we replace it. The edit must be redone on the new content: both the other
// program's change and our entry end up in the file.
func TestEditFileExternalWriterNoLostUpdate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mcp.json")
	writeFile(t, p, otherServers, 0o644)
	external := strings.Replace(otherServers, `"fs"`, `"git": {"command": "uvx", "args": ["mcp-server-git"]},
    "fs"`, 1)
	calls := 0
	testHookBeforeReread = func(string) {
		calls++
		if calls == 1 {
			writeFile(t, p, external, 0o644)
		}
	}
	defer func() { testHookBeforeReread = nil }()
	if _, err := EditFile(p, upsertNotion, EditOptions{}); err != nil {
		t.Fatal(err)
	}
	got := readString(t, p)
	if !strings.Contains(got, "mcp-server-git") || !strings.Contains(got, `"shim", "notion"`) {
		t.Fatalf("lost an update:\n%s", got)
	}
	if calls != 2 {
		t.Fatalf("edit ran %d times, want 2 (redone once after the external write)", calls)
	}
}

func TestEditFileKeepsChangingGivesUp(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mcp.json")
	writeFile(t, p, otherServers, 0o644)
	n := 0
	testHookBeforeReread = func(string) {
		n++
		writeFile(t, p, strings.Replace(otherServers, "fs", "fs"+strings.Repeat("x", n), 1), 0o644)
	}
	defer func() { testHookBeforeReread = nil }()
	_, err := EditFile(p, upsertNotion, EditOptions{})
	if !errors.Is(err, ErrChangedTooOften) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(readString(t, p), "notion") {
		t.Fatal("wrote despite giving up")
	}
}

func TestEditFileFollowsSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "mcp.json")
	writeFile(t, real, otherServers, 0o644)
	link := filepath.Join(dir, ".cursor", "mcp.json")
	os.MkdirAll(filepath.Dir(link), 0o755)
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	res, err := EditFile(link, upsertNotion, EditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced by a file")
	}
	if res.Path != real || !strings.Contains(readString(t, real), "notion") {
		t.Fatalf("target not edited: %+v", res)
	}
}

func TestEditFileRefusesReadOnlyDirectoryAndMalformed(t *testing.T) {
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro.json")
	writeFile(t, ro, otherServers, 0o444)
	if _, err := EditFile(ro, upsertNotion, EditOptions{}); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("read-only: err = %v", err)
	}
	if readString(t, ro) != otherServers {
		t.Fatal("read-only file changed")
	}

	d := filepath.Join(dir, "mcp.json")
	os.Mkdir(d, 0o755)
	if _, err := EditFile(d, upsertNotion, EditOptions{Create: true}); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Fatalf("folder: err = %v", err)
	}

	bad := filepath.Join(dir, "bad.json")
	malformed := "{\n  \"mcpServers\": {\n    \"fs\": {\"command\": \"npx\",,}\n  }\n}\n"
	writeFile(t, bad, malformed, 0o644)
	_, err := EditFile(bad, upsertNotion, EditOptions{BackupDir: filepath.Join(dir, "b")})
	var se *SyntaxError
	if !errors.As(err, &se) || se.File != bad || se.Line != 3 || se.Column == 0 {
		t.Fatalf("malformed: err = %#v", err)
	}
	if !strings.Contains(err.Error(), bad+":3:") {
		t.Fatalf("message does not name file and line: %v", err)
	}
	if readString(t, bad) != malformed {
		t.Fatal("malformed file changed")
	}
	if _, err := os.Stat(filepath.Join(dir, "b")); err == nil {
		t.Fatal("backup made for a file that was not edited")
	}
}

// crashBeforeRename runs in a child: it edits path through EditFile, whose atomic write is
// interrupted by exiting right after the temp file is complete, as a crash would.
func crashBeforeRename(path string) {
	testHookBeforeReread = nil
	writeHook = func(target string, data []byte) {
		tmp, _ := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp-*")
		tmp.Write(data)
		tmp.Sync()
		tmp.Close()
		os.Exit(42)
	}
	EditFile(path, upsertNotion, EditOptions{})
}

func TestEditFileCrashBeforeRenameKeepsOriginal(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mcp.json")
	writeFile(t, p, otherServers, 0o644)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+p)
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 42 {
		t.Fatalf("child did not crash at the rename: %v", err)
	}
	if got := readString(t, p); got != otherServers {
		t.Fatalf("original changed by a crashed edit:\n%s", got)
	}
	// The next edit works and the file is whole.
	if _, err := EditFile(p, upsertNotion, EditOptions{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains([]byte(readString(t, p)), []byte(`"notion"`)) {
		t.Fatal("edit after crash failed")
	}
}
