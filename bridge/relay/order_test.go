package relay

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestProgressArrivesBeforeItsResult pins the order the TypeScript SDK needs: it drops a
// progress notification whose request was already answered (seen as lost progress in Claude
// Desktop-style clients). The upstream tool sends its progress and returns at once, which
// gives go-sdk's separate notification goroutine every chance to lose the race.
func TestProgressArrivesBeforeItsResult(t *testing.T) {
	const steps = 3
	srv := mcp.NewServer(&mcp.Implementation{Name: "fast-progress", Version: "1"}, nil)
	srv.AddTool(&mcp.Tool{Name: "fast", InputSchema: map[string]any{"type": "object"}},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			tok := req.Params.GetProgressToken()
			for i := 1; i <= steps; i++ {
				req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: tok, Progress: float64(i), Total: steps})
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil
		})

	_, c := startRaw(t, Options{Connection: "order", Connector: memConnector{srv}})
	c.send(strings.Replace(initLine, "%d", "1", 1))
	c.recv()
	c.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)

	for round := range 100 {
		id := 100 + round
		c.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"fast","arguments":{},"_meta":{"progressToken":"client-tok-%d"}}}`, id, round))
		progress := 0
		for {
			line := c.recv()
			if strings.Contains(line, `"notifications/progress"`) {
				if !strings.Contains(line, fmt.Sprintf(`"progressToken":"client-tok-%d"`, round)) {
					t.Fatalf("round %d: progress with a foreign token: %s", round, line)
				}
				progress++
				continue
			}
			if !strings.Contains(line, fmt.Sprintf(`"id":%d`, id)) {
				t.Fatalf("round %d: unexpected line %s", round, line)
			}
			break
		}
		if progress != steps {
			t.Fatalf("round %d: %d of %d progress notifications arrived before the result", round, progress, steps)
		}
	}
}
