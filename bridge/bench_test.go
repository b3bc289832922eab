package bridge_test

import (
	"context"
	"os"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bench/echoserver"
)

// These benchmarks split one tool call's cost: the go-sdk floor (client and Go echo child),
// the bridge (client on the bridge's socket stream, relay, child) and the in-process shim on
// top. `go test -run '^$' -bench Echo ./bridge/`. The process-level comparison with the Node
// proxies is `go run ./bench/spine`.

func benchEcho(b *testing.B, cs *mcp.ClientSession) {
	ctx := context.Background()
	args := map[string]any{"message": "hello"}
	for i := 0; i < 50; i++ {
		cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: args})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: args}); err != nil {
			b.Fatal(err)
		}
	}
}

var benchOpts = &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"}

// BenchmarkEchoDirect is the floor: a go-sdk client and the Go echo server as a child.
func BenchmarkEchoDirect(b *testing.B) {
	exe, _ := os.Executable()
	cmd := cmdOf()
	cmd.Path, cmd.Args = exe, []string{exe}
	cmd.Env = append(os.Environ(), echoserver.EnvServe+"=1")
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench"}, nil).Connect(context.Background(), &mcp.CommandTransport{Command: cmd}, benchOpts)
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	benchEcho(b, cs)
}

// BenchmarkEchoBridge: client → the bridge's MCP stream (no shim) → relay → Go echo child.
func BenchmarkEchoBridge(b *testing.B) {
	h := newHarness(b)
	h.addEcho("echo")
	rwc, err := h.c.OpenMCP(context.Background(), "echo")
	if err != nil {
		b.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench"}, nil).Connect(context.Background(), &mcp.IOTransport{Reader: rwc, Writer: rwc}, benchOpts)
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	benchEcho(b, cs)
}

// BenchmarkEchoShim: client → in-process shim (pipes) → bridge → relay → Go echo child.
func BenchmarkEchoShim(b *testing.B) {
	h := newHarness(b)
	h.addEcho("echo")
	p := h.shim("echo")
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench"}, nil).Connect(context.Background(), &mcp.IOTransport{Reader: p.stdout, Writer: p.stdin}, benchOpts)
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	benchEcho(b, cs)
}
