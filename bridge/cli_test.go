package bridge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/patchbay-mcp/patchbay/bench/echoserver"
	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/cli"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
)

// runCLI runs `patchbay args...` in-process; it finds the harness's bridge the way the real
// CLI does, through HOME and PATCHBAY_HOME.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Main(&cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}, args)
	return code, out.String(), errb.String()
}

func TestCLIAgainstBridge(t *testing.T) {
	h := newHarness(t)
	exe, _ := os.Executable()
	ctx := context.Background()

	code, out, errs := runCLI(t, "tok-from-stdin\n", "add", "stdio", "echo", "--env", echoserver.EnvServe+"=1", "--secret-env", "MY_TOKEN", "--", exe, "-test.run=^$")
	if code != 0 || !strings.Contains(out, "Added echo") || !strings.Contains(out, "patchbay shim echo") {
		t.Fatalf("add: %d %q %q", code, out, errs)
	}
	if v, _ := h.kc.Get(ctx, keychain.Key("echo", "env/MY_TOKEN")); v != "tok-from-stdin" {
		t.Fatalf("keychain has %q", v)
	}
	if code, _, errs := runCLI(t, "", "add", "stdio", "echo", "--", exe); code != 1 || !strings.Contains(errs, "exists") {
		t.Fatalf("duplicate add: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, "", "add", "stdio", "x"); code != 2 || !strings.Contains(errs, "usage") {
		t.Fatalf("add without a command: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, "", "add", "stdio", "y", "--secret-env", "K", "--", "cmd"); code != 1 || !strings.Contains(errs, "K") {
		t.Fatalf("secret with empty stdin: %d %q", code, errs)
	}

	code, out, _ = runCLI(t, "", "status")
	if code != 0 || !strings.Contains(out, "echo") || !strings.Contains(out, "stopped") {
		t.Fatalf("status: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "", "status", "--json")
	var st bridge.Status
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || len(st.Connections) != 1 {
		t.Fatalf("status --json: %d %q", code, out)
	}

	code, out, errs = runCLI(t, "", "tools", "echo")
	if code != 0 || !strings.Contains(out, "echo") || !strings.Contains(out, "4 tools") {
		t.Fatalf("tools: %d %q %q", code, out, errs)
	}
	code, out, errs = runCLI(t, "", "call", "echo", "echo", `{"message":"hi there"}`)
	if code != 0 || strings.TrimSpace(out) != "hi there" {
		t.Fatalf("call: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCLI(t, "", "call", "echo", "echo", `{bad`); code != 2 || !strings.Contains(errs, "JSON object") {
		t.Fatalf("call with bad JSON: %d %q", code, errs)
	}
	if code, _, _ := runCLI(t, "", "disable-tool", "echo", "big"); code != 0 {
		t.Fatal("disable-tool failed")
	}
	code, out, _ = runCLI(t, "", "tools", "echo", "--json")
	var ts []bridge.ToolStatus
	if code != 0 || json.Unmarshal([]byte(out), &ts) != nil || len(ts) != 4 {
		t.Fatalf("tools --json: %d %q", code, out)
	}
	for _, tl := range ts {
		if tl.Name == "big" && tl.Enabled {
			t.Fatalf("big still enabled: %q", out)
		}
	}
	if code, _, errs := runCLI(t, "", "call", "echo", "big", `{"bytes":2}`); code != 1 || !strings.Contains(errs, "patchbay enable-tool echo big") {
		t.Fatalf("call of a disabled tool: %d %q", code, errs)
	}
	if code, _, _ := runCLI(t, "", "enable-tool", "echo", "big"); code != 0 {
		t.Fatal("enable-tool failed")
	}
	code, out, _ = runCLI(t, "", "logs", "-n", "100", "--connection", "echo", "--method", "tools/call")
	if code != 0 || !strings.Contains(out, "tools/call echo") {
		t.Fatalf("logs: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "", "logs", "--json", "-n", "1")
	var e map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &e) != nil {
		t.Fatalf("logs --json: %d %q", code, out)
	}
	if code, _, errs := runCLI(t, "", "tools", "nope"); code != 1 || !strings.Contains(errs, "patchbay add stdio nope") {
		t.Fatalf("tools of an unknown connection: %d %q", code, errs)
	}
	if code, _, _ := runCLI(t, "", "remove", "echo"); code != 0 {
		t.Fatal("remove failed")
	}
	if _, err := h.kc.Get(ctx, keychain.Key("echo", "env/MY_TOKEN")); err == nil {
		t.Fatal("secret left after remove")
	}
	if code, _, errs := runCLI(t, "", "remove", "echo"); code != 1 || !strings.Contains(errs, "no connection named") {
		t.Fatalf("second remove: %d %q", code, errs)
	}
}

func TestCLIWithoutBridge(t *testing.T) {
	isolate(t)
	code, out, _ := runCLI(t, "", "status")
	if code != 0 || !strings.Contains(out, "not running") {
		t.Fatalf("status: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "", "bridge", "stop")
	if code != 0 || !strings.Contains(out, "not running") {
		t.Fatalf("bridge stop: %d %q", code, out)
	}
	if code, _, errs := runCLI(t, "", "shim"); code != 2 || !strings.Contains(errs, "usage") {
		t.Fatalf("shim without a name: %d %q", code, errs)
	}
}

// TestCLIBridgeProcessStartStop runs `patchbay bridge` as a process, checks that a second one
// refuses to start, and stops the first with `patchbay bridge stop`.
func TestCLIBridgeProcessStartStop(t *testing.T) {
	l := isolate(t)
	first := cmdOf("bridge")
	var firstErr bytes.Buffer
	first.Stderr = &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Process.Kill(); first.Wait() })
	c := bridge.NewClient(l.SocketPath())
	defer c.CloseIdleConnections()
	if err := bridge.WaitReady(context.Background(), c, 20e9); err != nil {
		t.Fatalf("%v: %s", err, firstErr.String())
	}
	second := cmdOf("bridge")
	secondOut, err := second.CombinedOutput()
	if err == nil || !strings.Contains(string(secondOut), "already running") {
		t.Fatalf("second bridge: %v %q", err, secondOut)
	}
	code, out, errs := runCLI(t, "", "bridge", "stop")
	if code != 0 || !strings.Contains(out, "bridge stopped") {
		t.Fatalf("bridge stop: %d %q %q", code, out, errs)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("bridge exit: %v: %s", err, firstErr.String())
	}
	// With no bridge, logs shows what the last one wrote to its files.
	code, out, errs = runCLI(t, "", "logs", "-n", "5")
	if code != 0 || !strings.Contains(out, "bridge stopped") || !strings.Contains(errs, "not running") {
		t.Fatalf("logs without a bridge: %d %q %q", code, out, errs)
	}
}
