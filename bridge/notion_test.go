package bridge_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/internal/testpeers"
)

// TestNotionServerWithTokenFromKeychain runs @notionhq/notion-mcp-server as a stdio
// connection whose NOTION_TOKEN comes from the keychain at spawn time: initialize and
// tools/list (24 tools) through the shim, and the token appears in no file, event or status.
func TestNotionServerWithTokenFromKeychain(t *testing.T) {
	node, cli := testpeers.Require(t, "@notionhq/notion-mcp-server/bin/cli.mjs")
	h := newHarness(t)
	const token = "ntn_patchbaytestTOKEN0123456789abcdefXYZ"
	h.addStdio("notion", bridge.StdioSettings{Command: node, Args: []string{cli}, SecretEnv: []string{"NOTION_TOKEN"}}, map[string]string{"env/NOTION_TOKEN": token})
	cs := h.connect("notion", nil)
	ctx := ctxT(t, 60*time.Second)
	if name := cs.InitializeResult().ServerInfo.Name; name == "" {
		t.Fatalf("no server info")
	}
	res, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tools) != 24 {
		t.Fatalf("%d tools, want 24", len(res.Tools))
	}
	cs.Close()
	h.c.CloseIdleConnections()

	var evs []byte
	all, _ := h.b.Events().Since(0)
	for _, e := range all {
		b, _ := json.Marshal(e)
		evs = append(evs, b...)
	}
	if strings.Contains(string(evs), token) {
		t.Errorf("the token is in an event")
	}
	st, _ := h.c.Status(ctx)
	if b, _ := json.Marshal(st); strings.Contains(string(b), token) {
		t.Errorf("the token is in the status")
	}
	h.b.Events().Close() // flush the JSONL files before looking at them
	assertNoSecretOnDisk(t, h.layout.Home, token)
	assertNoSecretOnDisk(t, os.Getenv("HOME"), token)
}

// TestSecretEnvReachesChildOnly checks that a --secret-env value is in the child's
// environment (server-everything's get-env shows it to the client, who asked for it) while
// the event log, the status and the files hold it masked.
func TestSecretEnvReachesChildOnly(t *testing.T) {
	node, everything := testpeers.Require(t, "@modelcontextprotocol/server-everything/dist/index.js")
	h := newHarness(t)
	const secret = "s3cr3t-value-for-patchbay-test"
	h.addStdio("everything", bridge.StdioSettings{Command: node, Args: []string{everything, "stdio"}, SecretEnv: []string{"MY_API_KEY"}}, map[string]string{"env/MY_API_KEY": secret})
	cs := h.connect("everything", nil)
	ctx := ctxT(t, 60*time.Second)
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "get-env", Arguments: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(textOf(t, res), secret) {
		t.Fatalf("the child's environment lacks MY_API_KEY")
	}
	// The relay records events asynchronously: wait for the response's.
	waitEvent(t, h, func(e events.Event) bool { return e.Tool == "get-env" && e.Direction == events.FromUpstream })
	all, _ := h.b.Events().Since(0)
	var sawMasked bool
	for _, e := range all {
		b, _ := json.Marshal(e)
		if strings.Contains(string(b), secret) {
			t.Errorf("event %d holds the secret: %.300s", e.ID, b)
		}
		if e.Tool == "get-env" && strings.Contains(string(e.Body), "MY_API_KEY") && strings.Contains(string(e.Body), "[REDACTED]") {
			sawMasked = true
		}
	}
	if !sawMasked {
		t.Errorf("no get-env response event with the value masked")
	}
	h.b.Events().Close()
	assertNoSecretOnDisk(t, h.layout.Home, secret)
}
