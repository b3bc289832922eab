package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge"
)

func init() {
	register(&Command{
		Name:    "call",
		Usage:   "NAME TOOL ['JSON'] [--json] [--timeout 60s]",
		Summary: "call a tool once and print its result",
		Run:     runCall,
	})
}

func runCall(env *Env, args []string) int {
	fs := newFlags(env, "call", "NAME TOOL ['JSON arguments'] [--json] [--timeout 60s]")
	asJSON := fs.Bool("json", false, "print the whole result as JSON")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	pos, _, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) < 2 || len(pos) > 3 {
		fs.Usage()
		return 2
	}
	req := bridge.CallRequest{Tool: pos[1], TimeoutMillis: int(timeout.Milliseconds())}
	if len(pos) == 3 {
		raw := bytes.TrimSpace([]byte(pos[2]))
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			fmt.Fprintf(env.Stderr, "patchbay call: the arguments must be a JSON object, like '{\"query\":\"hello\"}': %v\n", err)
			return 2
		}
		req.Arguments = raw
	}
	ctx, cancel := verbContext()
	defer cancel()
	c, _, err := bridgeClient(ctx, true)
	if err != nil {
		return reportErr(env, "call", err)
	}
	res, err := c.Call(ctx, pos[0], req)
	if err != nil {
		return reportErr(env, "call", err)
	}
	if *asJSON {
		var out bytes.Buffer
		json.Indent(&out, res.Result, "", "  ")
		fmt.Fprintln(env.Stdout, out.String())
	} else {
		printToolResult(env, res.Result)
	}
	if res.IsError {
		fmt.Fprintf(env.Stderr, "patchbay call: the tool reported an error\n")
		return 1
	}
	return 0
}

// printToolResult prints text content as text and anything else as indented JSON.
func printToolResult(env *Env, raw json.RawMessage) {
	var r struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
		Structured json.RawMessage `json:"structuredContent"`
	}
	json.Unmarshal(raw, &r)
	printed := false
	for _, c := range r.Content {
		if c.Type == "text" {
			fmt.Fprintln(env.Stdout, c.Text)
			printed = true
		}
	}
	if !printed {
		var out bytes.Buffer
		json.Indent(&out, raw, "", "  ")
		fmt.Fprintln(env.Stdout, out.String())
	}
}
