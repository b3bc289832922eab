package clientconfig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchbay-mcp/patchbay/internal/paths"
)

// testManager returns a Manager on a temporary home in which every client looks installed
// (each client's probe folder exists), with Patchbay's own files under PATCHBAY_HOME.
func testManager(t testing.TB, exe string) *Manager {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	pbHome := filepath.Join(home, "pb")
	t.Setenv(paths.EnvHome, pbHome)
	layout, err := paths.FromHome(pbHome)
	if err != nil {
		t.Fatal(err)
	}
	env := Env{GOOS: "linux", Home: home}
	for _, c := range Clients {
		for _, l := range c.Locations {
			if l.OS != "" && l.OS != env.GOOS {
				continue
			}
			probe := filepath.Dir(env.expand(l.File))
			if l.Probe != "" {
				probe = env.expand(l.Probe)
			}
			if strings.HasSuffix(probe, ".json") || strings.HasSuffix(probe, ".jsonc") {
				continue // a file probe: that file is created by the client, not by us
			}
			if err := os.MkdirAll(probe, 0o755); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	return &Manager{Env: env, Layout: layout, Exe: exe}
}

func mustStatus(t testing.TB, m *Manager, id string) ClientStatus {
	t.Helper()
	st, err := m.StatusOf(Target{Client: id})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestManagerLifecycle(t *testing.T) {
	m := testManager(t, goldenExe)
	sts, err := m.Status()
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != len(Clients) {
		t.Fatalf("%d statuses for %d clients", len(sts), len(Clients))
	}
	for _, s := range sts {
		if s.State != StateNotConnected {
			t.Errorf("%s: state %s, want not-connected (installed, no file)", s.ID, s.State)
		}
	}
	file, _ := cursor.Locate(m.Env)
	writeFile(t, file, otherServers, 0o644)

	dry, err := m.Connect(ConnectRequest{Target: Target{Client: "cursor"}, Connections: []string{"notion"}, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dry.Diff, `+    "notion": {`) || readString(t, file) != otherServers {
		t.Fatalf("dry run: diff %q, or the file changed", dry.Diff)
	}

	res, err := m.Connect(ConnectRequest{Target: Target{Client: "cursor"}, Connections: []string{"notion", "linear"}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || len(res.Connections) != 2 {
		t.Fatalf("connect: %+v", res)
	}
	// The entry carries PATCHBAY_HOME (set) and no secret.
	if !strings.Contains(readString(t, file), `"PATCHBAY_HOME": "`+m.Layout.Home+`"`) {
		t.Fatalf("entry lacks PATCHBAY_HOME:\n%s", readString(t, file))
	}
	if st := mustStatus(t, m, "cursor"); st.State != StateConnected || strings.Join(st.Connections, ",") != "linear,notion" {
		t.Fatalf("status after connect: %+v", st)
	}
	again, err := m.Connect(ConnectRequest{Target: Target{Client: "cursor"}, Connections: []string{"notion"}})
	if err != nil || again.Changed {
		t.Fatalf("second connect changed the file: %+v %v", again, err)
	}

	// Someone removes our notion entry: drifted, and repair puts it back.
	b, _ := os.ReadFile(file)
	stripped, err := cursor.Remove(b, "notion", goldenExe)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, file, string(stripped), 0o644)
	if st := mustStatus(t, m, "cursor"); st.State != StateDrifted || strings.Join(st.Drifted, ",") != "notion" {
		t.Fatalf("status after external removal: %+v", st)
	}
	if _, err := m.Repair(Target{Client: "cursor"}, false); err != nil {
		t.Fatal(err)
	}
	if st := mustStatus(t, m, "cursor"); st.State != StateConnected {
		t.Fatalf("status after repair: %+v", st)
	}

	// Disconnect removes exactly our entries.
	if _, err := m.Disconnect(DisconnectRequest{Target: Target{Client: "cursor"}}); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, file); got != otherServers {
		t.Fatalf("disconnect left:\n%s", got)
	}
	if st := mustStatus(t, m, "cursor"); st.State != StateNotConnected {
		t.Fatalf("status after disconnect: %+v", st)
	}

	// Restore puts the original back when the file is as Patchbay left it.
	m.Connect(ConnectRequest{Target: Target{Client: "cursor"}, Connections: []string{"notion"}})
	if _, err := m.Restore(Target{Client: "cursor"}, false); err != nil {
		t.Fatal(err)
	}
	if readString(t, file) != otherServers {
		t.Fatal("restore did not bring the original back")
	}
}

func TestRestoreRefusesAfterOutsideChange(t *testing.T) {
	m := testManager(t, goldenExe)
	file, _ := cursor.Locate(m.Env)
	writeFile(t, file, otherServers, 0o644)
	if _, err := m.Connect(ConnectRequest{Target: Target{Client: "cursor"}, Connections: []string{"notion"}}); err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(readString(t, file), `"fs"`, `"fs2"`, 1)
	writeFile(t, file, changed, 0o644)
	_, err := m.Restore(Target{Client: "cursor"}, false)
	if err == nil || !strings.Contains(err.Error(), "changed since Patchbay last wrote it") {
		t.Fatalf("err = %v", err)
	}
	if readString(t, file) != changed {
		t.Fatal("restore changed a file it refused to restore")
	}
}

func TestRestoreDeletesAFileWeCreated(t *testing.T) {
	m := testManager(t, goldenExe)
	file, _ := Lookup("windsurf")
	path, _ := file.Locate(m.Env)
	if _, err := m.Connect(ConnectRequest{Target: Target{Client: "windsurf"}, Connections: []string{"notion"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal("file not created")
	}
	if _, err := m.Restore(Target{Client: "windsurf"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("restore of a created file did not remove it")
	}
}

func TestConnectRefusesForeignEntryUnlessReplace(t *testing.T) {
	m := testManager(t, goldenExe)
	file, _ := cursor.Locate(m.Env)
	foreign := `{"mcpServers": {"notion": {"command": "npx", "args": ["-y", "@notionhq/notion-mcp-server"]}}}`
	writeFile(t, file, foreign, 0o644)
	_, err := m.Connect(ConnectRequest{Target: Target{Client: "cursor"}, Connections: []string{"notion"}})
	if !IsConflict(err) || !strings.Contains(err.Error(), "--replace") {
		t.Fatalf("err = %v", err)
	}
	if readString(t, file) != foreign {
		t.Fatal("foreign entry overwritten")
	}
	if _, err := m.Disconnect(DisconnectRequest{Target: Target{Client: "cursor"}}); err != nil || readString(t, file) != foreign {
		t.Fatalf("disconnect touched a foreign entry: %v", err)
	}
	if _, err := m.Connect(ConnectRequest{Target: Target{Client: "cursor"}, Connections: []string{"notion"}, Replace: true}); err != nil {
		t.Fatal(err)
	}
	if st := mustStatus(t, m, "cursor"); st.State != StateConnected {
		t.Fatalf("after --replace: %+v", st)
	}
}

func TestNotInstalledAndProject(t *testing.T) {
	m := testManager(t, goldenExe)
	os.RemoveAll(filepath.Join(m.Env.Home, ".lmstudio"))
	if st := mustStatus(t, m, "lmstudio"); st.State != StateNotInstalled {
		t.Fatalf("lmstudio: %+v", st)
	}
	if _, err := m.Connect(ConnectRequest{Target: Target{Client: "lmstudio"}, Connections: []string{"notion"}}); err == nil || !strings.Contains(err.Error(), "does not look installed") {
		t.Fatalf("connect to a missing client: %v", err)
	}
	proj := t.TempDir()
	res, err := m.Connect(ConnectRequest{Target: Target{Client: "vscode", Project: proj}, Connections: []string{"notion"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.File != filepath.Join(proj, ".vscode", "mcp.json") || !strings.Contains(readString(t, res.File), `"type": "stdio"`) {
		t.Fatalf("project connect: %+v", res)
	}
	if _, err := m.Connect(ConnectRequest{Target: Target{Client: "codex", Project: proj}, Connections: []string{"notion"}}); err == nil {
		t.Fatal("codex has no project file, connect --project must fail")
	}
	sts, _ := m.Status()
	if last := sts[len(sts)-1]; last.ID != "vscode" || last.Project != proj || last.State != StateConnected {
		t.Fatalf("project file in Status: %+v", last)
	}
	// Disconnecting a client that has no file yet does not create one.
	res, err = m.Disconnect(DisconnectRequest{Target: Target{Client: "gemini"}})
	if err != nil || res.Changed {
		t.Fatalf("disconnect without a file: %+v %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(m.Env.Home, ".gemini", "settings.json")); err == nil {
		t.Fatal("disconnect created a file")
	}
}

func TestStatusReportsMalformedFile(t *testing.T) {
	m := testManager(t, goldenExe)
	file, _ := cursor.Locate(m.Env)
	writeFile(t, file, "{\n  \"mcpServers\": {\n", 0o644)
	st := mustStatus(t, m, "cursor")
	if st.State != StateError || !strings.Contains(st.Error, file+":3:") {
		t.Fatalf("%+v", st)
	}
}

func TestLocateWindowsStoreClaude(t *testing.T) {
	home := t.TempDir()
	env := Env{GOOS: "windows", Home: home, AppData: filepath.Join(home, "Roaming"), LocalAppData: filepath.Join(home, "Local")}
	cd, _ := Lookup("claude-desktop")
	f, installed := cd.Locate(env)
	if installed || f != filepath.Join(home, "Roaming", "Claude", "claude_desktop_config.json") {
		t.Fatalf("no install: %s %v", f, installed)
	}
	os.MkdirAll(filepath.Join(home, "Local", "Packages", "Claude_pzs8sxrjxfjjc"), 0o755)
	f, installed = cd.Locate(env)
	if !installed || !strings.Contains(f, filepath.Join("Claude_pzs8sxrjxfjjc", "LocalCache", "Roaming", "Claude")) {
		t.Fatalf("store build: %s %v", f, installed)
	}
	mac := Env{GOOS: "darwin", Home: home}
	if f, _ := cd.Locate(mac); f != filepath.Join(home, "Library", "Application Support", "Claude", "claude_desktop_config.json") {
		t.Fatalf("macOS: %s", f)
	}
}

func TestCodexInlineEntryIsAShapeErrorNotAWrite(t *testing.T) {
	codex, _ := Lookup("codex")
	in := []byte("[mcp_servers]\nnotion = { command = \"/opt/patchbay/bin/patchbay\", args = [\"shim\", \"old\"] }\n")
	_, err := codex.Upsert(in, goldenEntry(), true)
	var sh *ShapeError
	if !errors.As(err, &sh) {
		t.Fatalf("err = %v, want a ShapeError", err)
	}
}

func TestConnectAllAndDisconnectAll(t *testing.T) {
	m := testManager(t, goldenExe)
	bad, _ := Lookup("gemini")
	badFile, _ := bad.Locate(m.Env)
	writeFile(t, badFile, "{ nope", 0o644)
	rs, err := m.ConnectAll(ConnectAllRequest{Connections: []string{"notion"}})
	if err != nil || len(rs) != len(Clients) {
		t.Fatalf("%d results, %v", len(rs), err)
	}
	for _, r := range rs {
		if (r.Client == "gemini") != (r.Error != "") {
			t.Errorf("%s: error %q", r.Client, r.Error)
		}
	}
	sts, _ := m.Status()
	for _, s := range sts {
		want := StateConnected
		if s.ID == "gemini" {
			want = StateError
		}
		if s.State != want {
			t.Errorf("%s: %s (%s), want %s", s.ID, s.State, s.Error, want)
		}
	}
	if readString(t, badFile) != "{ nope" {
		t.Fatal("malformed file touched")
	}
	if _, err := m.DisconnectAll(false); err != nil {
		t.Fatal(err)
	}
	sts, _ = m.Status()
	for _, s := range sts {
		if s.ID != "gemini" && (s.State != StateNotConnected || len(s.Drifted) > 0) {
			t.Errorf("after DisconnectAll %s: %+v", s.ID, s)
		}
	}
}
