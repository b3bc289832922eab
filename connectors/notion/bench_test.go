package notion

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/patchbay-mcp/patchbay/connectors/notion/markdown"
	"github.com/patchbay-mcp/patchbay/connectors/notion/notiontest"
)

// The side-by-side comparison table (official server vs ours) is printed by
// `go run ./bench/notion`; these benchmarks track our own costs.

func benchSession(b *testing.B) (*mcp.ClientSession, notiontest.Sample) {
	fake, url := notiontest.Start(b)
	srv := NewServer(Config{BaseURL: url, Token: notiontest.Token, Client: ClientOptions{Rate: -1}})
	st, ct := mcp.NewInMemoryTransports()
	if _, err := srv.Connect(context.Background(), st, nil); err != nil {
		b.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench"}, nil).Connect(context.Background(), ct, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cs.Close() })
	return cs, fake.Sample()
}

// BenchmarkFetchBlockZoo is notion-fetch of the 300+-block page against the local fake,
// with the rate limiter off (so it measures the connector, not the limiter).
func BenchmarkFetchBlockZoo(b *testing.B) {
	cs, s := benchSession(b)
	var n int
	for b.Loop() {
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: ToolFetch, Arguments: map[string]any{"id": s.BlockZoo}})
		if err != nil || res.IsError {
			b.Fatal(err, res)
		}
		n = len(res.Content[0].(*mcp.TextContent).Text)
	}
	b.ReportMetric(float64(n), "output-bytes")
}

func BenchmarkToolsList(b *testing.B) {
	cs, _ := benchSession(b)
	var n int
	for b.Loop() {
		res, err := cs.ListTools(context.Background(), nil)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := json.Marshal(res)
		n = len(raw)
	}
	b.ReportMetric(float64(n), "bytes")
}

func BenchmarkMarkdownRoundTrip(b *testing.B) {
	doc := bigDocument()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		markdown.Render(markdown.Parse(doc))
	}
}
