package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-mcp/patchbay/clientconfig"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// clientsTestBridge gives the clients verb a temporary home with Cursor and Codex
// installed, connections named conns, and a bridge in this process whose entries launch
// /opt/patchbay/patchbay. It returns the home and the bridge's state store.
func clientsTestBridge(t *testing.T, conns ...string) (string, *state.Store) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(paths.EnvHome, filepath.Join(home, "pb"))
	os.MkdirAll(filepath.Join(home, ".cursor"), 0o755)
	os.MkdirAll(filepath.Join(home, ".codex"), 0o755)
	lay, err := paths.Default()
	if err != nil {
		t.Fatal(err)
	}
	m := &clientconfig.Manager{Env: clientconfig.Env{GOOS: "linux", Home: home}, Layout: lay, Exe: "/opt/patchbay/patchbay"}
	_, st, _ := testBridge(t, &keychain.Memory{}, m)
	err = st.Modify(func(s *state.State) error {
		for _, n := range conns {
			s.Connections = append(s.Connections, state.Connection{Name: n, Kind: state.KindStdio, Settings: json.RawMessage(`{"command":"true"}`), Created: time.Now().UTC()})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return home, st
}

func runClientsCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}
	code := Main(env, append([]string{"clients"}, args...))
	return code, out.String(), errb.String()
}

func TestClientsCommand(t *testing.T) {
	home, st := clientsTestBridge(t, "linear", "notion")
	cursorFile := filepath.Join(home, ".cursor", "mcp.json")

	code, out, _ := runClientsCmd(t)
	if code != 0 || !strings.Contains(out, "cursor") || !strings.Contains(out, "not-connected") || !strings.Contains(out, "not-installed") {
		t.Fatalf("list: %d\n%s", code, out)
	}

	code, out, errs := runClientsCmd(t, "connect", "cursor", "--connection", "notion", "--dry-run")
	if code != 0 || !strings.Contains(out, `+    "notion": {`) || !strings.Contains(out, "+++ "+cursorFile) {
		t.Fatalf("dry run: %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(cursorFile); err == nil {
		t.Fatal("dry run wrote the file")
	}

	if code, out, errs = runClientsCmd(t, "connect", "all", "--all"); code != 0 {
		t.Fatalf("connect all: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runClientsCmd(t)
	if code != 0 || strings.Count(out, "linear, notion") != 2 {
		t.Fatalf("list after connect: %d\n%s", code, out)
	}
	toml, _ := os.ReadFile(filepath.Join(home, ".codex", "config.toml"))
	if !strings.Contains(string(toml), "[mcp_servers.notion]") {
		t.Fatalf("codex config:\n%s", toml)
	}

	if code, _, errs = runClientsCmd(t, "disconnect", "cursor", "--connection", "linear"); code != 0 {
		t.Fatal(errs)
	}
	code, out, _ = runClientsCmd(t, "--json")
	if code != 0 || !strings.Contains(out, `"state": "connected"`) {
		t.Fatalf("json: %s", out)
	}

	if code, _, errs = runClientsCmd(t, "restore", "cursor"); code != 0 {
		t.Fatal(errs)
	}
	if _, err := os.Stat(cursorFile); !os.IsNotExist(err) {
		t.Fatal("restore of a file Patchbay created should remove it")
	}

	if code, _, errs = runClientsCmd(t, "connect", "nosuch", "--all"); code != 2 || !strings.Contains(errs, "unknown client") {
		t.Fatalf("unknown client: %d %s", code, errs)
	}
	if code, _, errs = runClientsCmd(t, "connect", "cursor"); code != 2 || !strings.Contains(errs, "--connection NAME") {
		t.Fatalf("no connection: %d %s", code, errs)
	}
	if code, _, _ = runClientsCmd(t, "auto-repair", "claude-desktop", "on"); code != 0 || !st.Get().Clients["claude-desktop"].AutoRepair {
		t.Fatalf("auto-repair on: %d %v", code, st.Get().Clients)
	}
	if code, _, _ = runClientsCmd(t, "auto-repair", "claude-desktop", "maybe"); code != 2 {
		t.Fatalf("auto-repair maybe: %d", code)
	}
}

// TestClientsThroughMain runs the verb as a user would, against a temporary home and the
// real state.json: the auto-repair setting lands in state.json, and the list shows it.
func TestClientsThroughMain(t *testing.T) {
	clientsTestBridge(t)
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

// TestClientsShowsRemovedConnection: removing a connection leaves client configs alone, and
// the list marks the entry that now names no connection.
func TestClientsShowsRemovedConnection(t *testing.T) {
	home, _ := clientsTestBridge(t, "linear", "notion")
	if code, out, errs := runClientsCmd(t, "connect", "cursor", "--all"); code != 0 {
		t.Fatalf("connect: %d\n%s\n%s", code, out, errs)
	}
	var out, errb bytes.Buffer
	if code := Main(&Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}, []string{"remove", "linear"}); code != 0 {
		t.Fatalf("remove: %d %s", code, errb.String())
	}
	data, _ := os.ReadFile(filepath.Join(home, ".cursor", "mcp.json"))
	if !strings.Contains(string(data), `"linear"`) {
		t.Fatalf("remove edited cursor's config:\n%s", data)
	}
	code, list, _ := runClientsCmd(t)
	if code != 0 || !strings.Contains(list, "linear (removed), notion") || !strings.Contains(list, "clients disconnect CLIENT --connection NAME") {
		t.Fatalf("list after remove: %d\n%s", code, list)
	}
	if code, _, errs := runClientsCmd(t, "disconnect", "cursor", "--connection", "linear"); code != 0 {
		t.Fatal(errs)
	}
	if _, list, _ = runClientsCmd(t); strings.Contains(list, "(removed)") {
		t.Fatalf("list after disconnecting the removed entry:\n%s", list)
	}
}
