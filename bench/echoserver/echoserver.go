// Package echoserver is a small go-sdk MCP server used as an upstream by the bridge's tests
// and the benchmark: the floor for a Go implementation, with tools that misbehave on purpose.
//
// Tools:
//   - echo {message}: returns the message as text.
//   - big {bytes}: returns a text of that many bytes.
//   - slow {ms}: sleeps ms milliseconds (or until cancelled), sending progress every 10 ms
//     when the caller asked for it.
//   - crash: the process exits at once, mid-call (status 3).
package echoserver

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// EnvServe is the environment variable that makes a test binary run Serve on stdio (see
// MaybeServe).
const EnvServe = "PATCHBAY_ECHO_SERVER"

// MaybeServe runs the server on stdin/stdout and exits when EnvServe is set; call it first
// in a TestMain, so the test binary doubles as an upstream stdio server.
func MaybeServe() {
	if os.Getenv(EnvServe) == "" {
		return
	}
	t := &mcp.IOTransport{Reader: os.Stdin, Writer: nopCloser{os.Stdout}, MaxLineLength: -1}
	if err := New().Run(context.Background(), t); err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

type nopCloser struct{ *os.File }

func (nopCloser) Close() error { return nil }

type echoIn struct {
	Message string `json:"message"`
}
type bigIn struct {
	Bytes int `json:"bytes"`
}
type slowIn struct {
	MS int `json:"ms"`
}

// New returns the server.
func New() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "patchbay-echo", Version: "1"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "echo", Description: "Echoes back the input string"}, func(ctx context.Context, req *mcp.CallToolRequest, in echoIn) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: in.Message}}}, nil, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "big", Description: "Returns a text of the given size"}, func(ctx context.Context, req *mcp.CallToolRequest, in bigIn) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: strings.Repeat("x", in.Bytes)}}}, nil, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "slow", Description: "Sleeps, reporting progress"}, func(ctx context.Context, req *mcp.CallToolRequest, in slowIn) (*mcp.CallToolResult, any, error) {
		tok := req.Params.GetProgressToken()
		deadline := time.Now().Add(time.Duration(in.MS) * time.Millisecond)
		step := 0
		for time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
			step++
			if tok != nil {
				req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: tok, Progress: float64(step), Message: "working"})
			}
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "crash", Description: "Exits the server process mid-call"}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		os.Exit(3)
		return nil, nil, nil
	})
	return s
}
