package bridge_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
	"github.com/patchbay-mcp/patchbay/internal/testpeers"
)

// seedConnection writes a connection into state.json before any bridge runs (the bridge that
// the shim starts then finds it).
func seedConnection(t *testing.T, l paths.Layout, name string, s bridge.StdioSettings) {
	t.Helper()
	st, err := state.Open(l.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(s)
	if err := st.Modify(func(s *state.State) error {
		s.Connections = append(s.Connections, state.Connection{Name: name, Kind: state.KindStdio, Settings: raw, Created: time.Now()})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

type nodeStep struct {
	OK    bool            `json:"ok"`
	Value json.RawMessage `json:"value"`
	Error string          `json:"error"`
	MS    int             `json:"ms"`
}

// TestNodeClientThroughShim drives `patchbay shim` with the official TypeScript SDK client,
// spawned the way Claude Desktop spawns servers (minimal environment plus the entry's env),
// against server-everything. The shim starts the bridge as a detached process.
func TestNodeClientThroughShim(t *testing.T) {
	node, everything := testpeers.Require(t, "@modelcontextprotocol/server-everything/dist/index.js")
	l := isolate(t)
	seedConnection(t, l, "everything", bridge.StdioSettings{Command: node, Args: []string{everything, "stdio"}})
	t.Cleanup(func() { stopBridgeProcess(t, l) })
	exe, _ := os.Executable()
	script, _ := filepath.Abs("../testdata/node/client.mjs")
	// What a client config entry carries: PATCHBAY_HOME (Patchbay writes it when it is not the
	// default) and, for this test binary only, the switch that makes it act as patchbay.
	entryEnv, _ := json.Marshal(map[string]string{paths.EnvHome: l.Home, envAsCLI: "1"})
	args, _ := json.Marshal([]string{"shim", "everything"})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, testpeers.Dir(), exe, string(args), string(entryEnv))
	cmd.Env = []string{"HOME=" + os.Getenv("HOME"), "PATH=" + os.Getenv("PATH")}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node client: %v\n%s", err, out)
	}
	var res struct {
		Steps  map[string]nodeStep `json:"steps"`
		Stderr string              `json:"stderr"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node output: %v\n%s", err, out)
	}
	for name, s := range res.Steps {
		if !s.OK {
			t.Errorf("step %s failed: %s", name, s.Error)
		} else {
			t.Logf("%s (%d ms): %.200s", name, s.MS, s.Value)
		}
	}
	if t.Failed() {
		t.Logf("shim stderr: %s", res.Stderr)
	}
	want := map[string]func(v string) bool{
		"tools": func(v string) bool {
			return strings.Contains(v, `"echo"`) && strings.Contains(v, `"trigger-sampling-request"`)
		},
		"echo":        func(v string) bool { return strings.Contains(v, "hi from node") },
		"read":        func(v string) bool { return v == "true" },
		"prompt":      func(v string) bool { return v != "0" },
		"progress":    func(v string) bool { return strings.Contains(v, `"seen":[1,2,3]`) },
		"cancel":      func(v string) bool { return strings.Contains(v, `"cancelled":true`) },
		"afterCancel": func(v string) bool { return strings.Contains(v, "after cancel") },
		"sampling":    func(v string) bool { return strings.Contains(v, "sampled: ") },
		"elicitation": func(v string) bool { return strings.Contains(strings.ToLower(v), "decline") },
		"roots":       func(v string) bool { return strings.Contains(v, "patchbay-root") },
		"logging":     func(v string) bool { return v != "0" },
	}
	// The TypeScript SDK handles a notification in a later microtask but a response at
	// once, so a response read together with its call's last progress drops that progress;
	// the shim keeps the two apart (progressGap).
	if s := res.Steps["progress"]; s.OK && !strings.Contains(string(s.Value), `"seen":[1,2,3]`) {
		t.Errorf("progress: the client saw %s: its last progress notification was dropped (read together with the result?)", s.Value)
		delete(want, "progress")
	}
	for name, ok := range want {
		s, found := res.Steps[name]
		if !found || !s.OK || !ok(string(s.Value)) {
			t.Errorf("step %s: ok=%v value=%s error=%s", name, s.OK, s.Value, s.Error)
		}
	}
	if strings.Contains(res.Stderr, "{\"jsonrpc\"") {
		t.Errorf("the shim wrote JSON-RPC on stderr: %s", res.Stderr)
	}
}
