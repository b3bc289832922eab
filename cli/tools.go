package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
)

func init() {
	register(&Command{
		Name:    "tools",
		Usage:   "NAME [--json]",
		Summary: "list a connection's tools and whether each is enabled",
		Run:     runTools,
	})
	register(&Command{
		Name:    "enable-tool",
		Usage:   "NAME TOOL",
		Summary: "let AI clients see and call TOOL of connection NAME",
		Run:     func(env *Env, args []string) int { return runToolEnable(env, args, true) },
	})
	register(&Command{
		Name:    "disable-tool",
		Usage:   "NAME TOOL",
		Summary: "hide TOOL of connection NAME from AI clients (calls to it fail)",
		Run:     func(env *Env, args []string) int { return runToolEnable(env, args, false) },
	})
}

func runTools(env *Env, args []string) int {
	fs := newFlags(env, "tools", "NAME [--json]")
	asJSON := fs.Bool("json", false, "print JSON for scripts (with input schemas)")
	pos, ok := parseArgs(fs, args, 1)
	if !ok {
		return 2
	}
	ctx, cancel := verbContext()
	defer cancel()
	c, _, err := bridgeClient(ctx, true)
	if err != nil {
		return reportErr(env, "tools", err)
	}
	ts, err := c.Tools(ctx, pos[0])
	if err != nil {
		return reportErr(env, "tools", err)
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(ts)
		return 0
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TOOL\tENABLED\tDESCRIPTION")
	for _, t := range ts {
		on := "yes"
		if !t.Enabled {
			on = "no"
		}
		d := t.Description
		if i := strings.IndexAny(d, "\r\n"); i >= 0 {
			d = d[:i]
		}
		if len(d) > 80 {
			d = d[:77] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Name, on, d)
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "%d tools\n", len(ts))
	return 0
}

func runToolEnable(env *Env, args []string, enabled bool) int {
	verb := "disable-tool"
	if enabled {
		verb = "enable-tool"
	}
	fs := newFlags(env, verb, "NAME TOOL")
	pos, ok := parseArgs(fs, args, 2)
	if !ok {
		return 2
	}
	ctx, cancel := verbContext()
	defer cancel()
	c, _, err := bridgeClient(ctx, true)
	if err != nil {
		return reportErr(env, verb, err)
	}
	if err := c.SetToolEnabled(ctx, pos[0], pos[1], enabled); err != nil {
		return reportErr(env, verb, err)
	}
	state := "disabled: AI clients no longer see it"
	if enabled {
		state = "enabled"
	}
	fmt.Fprintf(env.Stdout, "%s %s on %s\n", pos[1], state, pos[0])
	return 0
}
