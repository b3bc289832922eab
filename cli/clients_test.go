package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchbay-mcp/patchbay/clientconfig"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

func clientsTestManager(t *testing.T) (*clientconfig.Manager, string) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	layout, err := paths.FromHome(filepath.Join(home, "pb"))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(home, ".cursor"), 0o755)
	os.MkdirAll(filepath.Join(home, ".codex"), 0o755)
	m := &clientconfig.Manager{Env: clientconfig.Env{GOOS: "linux", Home: home}, Layout: layout, Exe: "/opt/patchbay/patchbay"}
	return m, home
}

// autoRepair records what `clients auto-repair` set, standing in for state.json.
var autoRepair = map[string]bool{}

func runClientsCmd(t *testing.T, m *clientconfig.Manager, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}
	deps := clientsDeps{
		connNames: func() ([]string, error) { return []string{"linear", "notion"}, nil },
		setAutoRepair: func(id string, on bool) error {
			autoRepair[id] = on
			return nil
		},
	}
	code := clientsMain(env, m, deps, args)
	return code, out.String(), errb.String()
}

func TestClientsCommand(t *testing.T) {
	m, home := clientsTestManager(t)
	cursorFile := filepath.Join(home, ".cursor", "mcp.json")

	code, out, _ := runClientsCmd(t, m)
	if code != 0 || !strings.Contains(out, "cursor") || !strings.Contains(out, "not-connected") || !strings.Contains(out, "not-installed") {
		t.Fatalf("list: %d\n%s", code, out)
	}

	code, out, errs := runClientsCmd(t, m, "connect", "cursor", "--connection", "notion", "--dry-run")
	if code != 0 || !strings.Contains(out, `+    "notion": {`) || !strings.Contains(out, "+++ "+cursorFile) {
		t.Fatalf("dry run: %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(cursorFile); err == nil {
		t.Fatal("dry run wrote the file")
	}

	if code, out, errs = runClientsCmd(t, m, "connect", "all", "--all"); code != 0 {
		t.Fatalf("connect all: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runClientsCmd(t, m)
	if code != 0 || strings.Count(out, "linear, notion") != 2 {
		t.Fatalf("list after connect: %d\n%s", code, out)
	}
	toml, _ := os.ReadFile(filepath.Join(home, ".codex", "config.toml"))
	if !strings.Contains(string(toml), "[mcp_servers.notion]") {
		t.Fatalf("codex config:\n%s", toml)
	}

	if code, _, errs = runClientsCmd(t, m, "disconnect", "cursor", "--connection", "linear"); code != 0 {
		t.Fatal(errs)
	}
	code, out, _ = runClientsCmd(t, m, "--json")
	if code != 0 || !strings.Contains(out, `"state": "connected"`) {
		t.Fatalf("json: %s", out)
	}

	if code, _, errs = runClientsCmd(t, m, "restore", "cursor"); code != 0 {
		t.Fatal(errs)
	}
	if _, err := os.Stat(cursorFile); !os.IsNotExist(err) {
		t.Fatal("restore of a file Patchbay created should remove it")
	}

	if code, _, errs = runClientsCmd(t, m, "connect", "nosuch", "--all"); code != 2 || !strings.Contains(errs, "unknown client") {
		t.Fatalf("unknown client: %d %s", code, errs)
	}
	if code, _, errs = runClientsCmd(t, m, "connect", "cursor"); code != 2 || !strings.Contains(errs, "--connection NAME") {
		t.Fatalf("no connection: %d %s", code, errs)
	}
	if code, _, _ = runClientsCmd(t, m, "auto-repair", "claude-desktop", "on"); code != 0 || !autoRepair["claude-desktop"] {
		t.Fatalf("auto-repair on: %d %v", code, autoRepair)
	}
	if code, _, _ = runClientsCmd(t, m, "auto-repair", "claude-desktop", "maybe"); code != 2 {
		t.Fatalf("auto-repair maybe: %d", code)
	}
}

// TestClientsThroughMain runs the verb as a user would, against a temporary home and the
// real state.json: the auto-repair setting lands in state.json, and the list shows it.
func TestClientsThroughMain(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(paths.EnvHome, filepath.Join(home, "pb"))
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}
	if code := Main(env, []string{"clients", "auto-repair", "cursor", "on"}); code != 0 {
		t.Fatalf("%d %s", code, errb.String())
	}
	layout, _ := paths.Default()
	st, err := state.Open(layout.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	if !st.Get().Clients["cursor"].AutoRepair {
		t.Fatal("auto-repair not saved in state.json")
	}
	out.Reset()
	if code := Main(env, []string{"clients", "--json"}); code != 0 || !strings.Contains(out.String(), `"auto_repair": true`) {
		t.Fatalf("%d %s %s", code, out.String(), errb.String())
	}
	if code := Main(env, []string{"clients", "connect", "cursor", "--all"}); code != 1 || !strings.Contains(errb.String(), "no connections yet") {
		t.Fatalf("connect --all without connections: %d %s", code, errb.String())
	}
}
