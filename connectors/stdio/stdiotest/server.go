// Package stdiotest is a real MCP server for tests, run as a stdio child by re-executing
// the test binary: a test package calls MaybeServe first thing in TestMain, and Settings
// gives the stdio connector settings that start it.
//
// The server ("test-everything") offers:
//
//	tools:     echo{text}, slow{steps,delay_ms} (progress, honours cancellation),
//	           elicit{message}, elicit_mrtr{message}, sample{prompt}, roots, crash{code} (exits mid-call),
//	           big{bytes}, env{name}, stderr{text}, log{level,text},
//	           touch{uri} (resources/updated), add_tool{name} (tools/list_changed),
//	           pid (the server's process id)
//	resources: test://static/hello (subscribable), template test://items/{id}
//	prompts:   greet{name}
//	completion for greet's name argument and the items template
//
// It writes "test-everything ready" to stderr on start.
package stdiotest

//lint:file-ignore SA1019 MCP 2026-07-28 deprecates logging, sampling and roots, but clients still use them and Patchbay relays them.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// EnvVar, set to "1" in a child's environment, makes MaybeServe run the server.
const EnvVar = "PATCHBAY_STDIOTEST_SERVER"

// MaybeServe runs the test server on stdin/stdout and exits, if EnvVar is set; otherwise it
// returns at once. Call it at the top of TestMain.
func MaybeServe() {
	if os.Getenv(EnvVar) != "1" {
		return
	}
	if os.Getenv("PATCHBAY_STDIOTEST_EXIT_AT_ONCE") == "1" {
		fmt.Fprintln(os.Stderr, "test-everything: refusing to start (asked to exit at once)")
		os.Exit(2)
	}
	fmt.Fprintln(os.Stderr, "test-everything ready")
	err := NewServer().Run(context.Background(), &mcp.StdioTransport{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "test-everything:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Settings returns stdio connector settings that start the test server from the running
// test binary, with extra env and secret env names.
func Settings(env map[string]string, secretEnv ...string) json.RawMessage {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	e := map[string]string{EnvVar: "1"}
	for k, v := range env {
		e[k] = v
	}
	b, _ := json.Marshal(map[string]any{"command": exe, "args": []string{"-test.run=^$"}, "env": e, "secret_env": secretEnv})
	return b
}

func text(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}

func args(req *mcp.CallToolRequest) map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal(req.Params.Arguments, &m)
	return m
}

func num(m map[string]any, k string, def int) int {
	if v, ok := m[k].(float64); ok {
		return int(v)
	}
	return def
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

var objectSchema = json.RawMessage(`{"type":"object"}`)

// NewServer returns the test server, for in-process use (benchmarks, direct comparisons).
func NewServer() *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "test-everything", Version: "1.0.0"}, &mcp.ServerOptions{
		Instructions: "a server for Patchbay's tests",
		CompletionHandler: func(_ context.Context, req *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
			var vals []string
			for _, v := range []string{"alice", "albert", "bob"} {
				if strings.HasPrefix(v, req.Params.Argument.Value) {
					vals = append(vals, v)
				}
			}
			return &mcp.CompleteResult{Completion: mcp.CompletionResultDetails{Values: vals, Total: len(vals)}}, nil
		},
		SubscribeHandler:   func(context.Context, *mcp.SubscribeRequest) error { return nil },
		UnsubscribeHandler: func(context.Context, *mcp.UnsubscribeRequest) error { return nil },
	})
	add := func(name, desc string, h mcp.ToolHandler) {
		srv.AddTool(&mcp.Tool{Name: name, Description: desc, InputSchema: objectSchema}, h)
	}
	add("echo", "returns text", func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return text(str(args(req), "text")), nil
	})
	add("slow", "reports progress for steps × delay_ms, then returns", func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		a := args(req)
		steps, delay := num(a, "steps", 5), num(a, "delay_ms", 20)
		tok := req.Params.GetProgressToken()
		for i := 1; i <= steps; i++ {
			select {
			case <-ctx.Done():
				fmt.Fprintln(os.Stderr, "slow: cancelled")
				return nil, ctx.Err()
			case <-time.After(time.Duration(delay) * time.Millisecond):
			}
			if tok != nil {
				_ = req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: tok, Progress: float64(i), Total: float64(steps), Message: fmt.Sprintf("step %d", i)})
			}
		}
		return text(fmt.Sprintf("done after %d steps", steps)), nil
	})
	add("elicit", "asks the user for a name", func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		res, err := req.Session.Elicit(ctx, &mcp.ElicitParams{
			Mode:    "form",
			Message: str(args(req), "message"),
			RequestedSchema: map[string]any{"type": "object", "properties": map[string]any{
				"name": map[string]any{"type": "string"}}},
		})
		if err != nil {
			return nil, err
		}
		return text(fmt.Sprintf("%s:%v", res.Action, res.Content["name"])), nil
	})
	add("elicit_mrtr", "asks the user for a name, the 2026-07-28 way (an input request in the result)", func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		resp, ok := req.Params.InputResponses["name"]
		if !ok {
			return &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{"name": &mcp.ElicitParams{
				Mode: "form", Message: str(args(req), "message"),
				RequestedSchema: map[string]any{"type": "object", "properties": map[string]any{"name": map[string]any{"type": "string"}}},
			}}}, nil
		}
		res, _ := resp.(*mcp.ElicitResult)
		if res == nil {
			return text("no answer"), nil
		}
		return text(fmt.Sprintf("%s:%v", res.Action, res.Content["name"])), nil
	})
	add("sample", "asks the client's model", func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		res, err := req.Session.CreateMessage(ctx, &mcp.CreateMessageParams{
			MaxTokens: 10,
			Messages:  []*mcp.SamplingMessage{{Role: "user", Content: &mcp.TextContent{Text: str(args(req), "prompt")}}},
		})
		if err != nil {
			return nil, err
		}
		t, _ := res.Content.(*mcp.TextContent)
		if t == nil {
			return text("model " + res.Model), nil
		}
		return text("model " + res.Model + ": " + t.Text), nil
	})
	add("roots", "lists the client's roots", func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		res, err := req.Session.ListRoots(ctx, nil)
		if err != nil {
			return nil, err
		}
		var uris []string
		for _, r := range res.Roots {
			uris = append(uris, r.URI)
		}
		return text(strings.Join(uris, ",")), nil
	})
	add("crash", "exits the process mid-call", func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		fmt.Fprintln(os.Stderr, "test-everything: crashing on purpose")
		os.Exit(num(args(req), "code", 3))
		return nil, nil
	})
	add("big", "returns a text of the given size", func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return text(strings.Repeat("x", num(args(req), "bytes", 1024))), nil
	})
	add("env", "returns an environment variable", func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return text(os.Getenv(str(args(req), "name"))), nil
	})
	add("stderr", "writes a line to stderr", func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		fmt.Fprintln(os.Stderr, str(args(req), "text"))
		return text("ok"), nil
	})
	add("log", "sends a log message", func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		a := args(req)
		err := req.Session.Log(ctx, &mcp.LoggingMessageParams{Level: mcp.LoggingLevel(str(a, "level")), Logger: "test", Data: str(a, "text")})
		return text("logged"), err
	})
	add("touch", "reports a resource as updated", func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		err := srv.ResourceUpdated(ctx, &mcp.ResourceUpdatedNotificationParams{URI: str(args(req), "uri")})
		return text("touched"), err
	})
	add("add_tool", "adds a tool", func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		name := str(args(req), "name")
		srv.AddTool(&mcp.Tool{Name: name, InputSchema: objectSchema}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return text("I am " + name), nil
		})
		return text("added"), nil
	})
	add("pid", "returns the server's process id", func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return text(fmt.Sprint(os.Getpid())), nil
	})
	srv.AddResource(&mcp.Resource{URI: "test://static/hello", Name: "hello", MIMEType: "text/plain"},
		func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, MIMEType: "text/plain", Text: "hello, world"}}}, nil
		})
	srv.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "test://items/{id}", Name: "item"},
		func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, Text: "item " + strings.TrimPrefix(req.Params.URI, "test://items/")}}}, nil
		})
	srv.AddPrompt(&mcp.Prompt{Name: "greet", Arguments: []*mcp.PromptArgument{{Name: "name", Required: true}}},
		func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Description: "a greeting", Messages: []*mcp.PromptMessage{
				{Role: "user", Content: &mcp.TextContent{Text: "Hello, " + req.Params.Arguments["name"] + "!"}}}}, nil
		})
	return srv
}
