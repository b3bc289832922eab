package clientconfig

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// minimalEnv is what the official TypeScript SDK passes to a stdio server (Claude Desktop
// and many clients use it), before adding the entry's own env.
func minimalEnv() []string {
	var out []string
	for _, k := range []string{"HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER"} {
		if v, ok := os.LookupEnv(k); ok {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// TestWrittenEntryLaunches writes Claude Desktop's and Cursor's configs through the Manager,
// with the test binary standing in for the patchbay binary, then does what those clients do:
// read the file, spawn command+args with a minimal environment plus the entry's env, and
// initialize over stdio. The child (TestMain's `shim NAME` mode) reports the name and
// PATCHBAY_HOME it received in its server version.
func TestWrittenEntryLaunches(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("spawns the test binary with a unix minimal environment")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe, _ = filepath.EvalSymlinks(exe)
	m := testManager(t, exe)
	for _, id := range []string{"claude-desktop", "cursor"} {
		t.Run(id, func(t *testing.T) {
			c, _ := Lookup(id)
			if _, err := m.Connect(ConnectRequest{Target: Target{Client: id}, Connections: []string{"notion"}}); err != nil {
				t.Fatal(err)
			}
			file, _ := c.Locate(m.Env)
			found, err := c.Entries([]byte(readString(t, file)), exe)
			if err != nil || len(found) != 1 || !found[0].Ours {
				t.Fatalf("entries %+v, %v", found, err)
			}
			entry := found[0].Value.(map[string]any)
			cmdPath := entry["command"].(string)
			var args []string
			for _, a := range entry["args"].([]any) {
				args = append(args, a.(string))
			}
			cmd := exec.Command(cmdPath, args...)
			cmd.Env = minimalEnv()
			if env, ok := entry["env"].(map[string]any); ok {
				for k, v := range env {
					cmd.Env = append(cmd.Env, k+"="+v.(string))
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			client := mcp.NewClient(&mcp.Implementation{Name: id + "-stand-in", Version: "1"}, nil)
			session, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
			if err != nil {
				t.Fatalf("initialize over the written entry: %v", err)
			}
			defer session.Close()
			info := session.InitializeResult().ServerInfo
			if want := "notion|" + m.Layout.Home; info.Name != "fake-shim" || info.Version != want {
				t.Fatalf("server info %+v, want version %q", info, want)
			}
		})
	}
}
