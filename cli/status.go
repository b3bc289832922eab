package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge"
)

func init() {
	register(&Command{
		Name:    "status",
		Usage:   "[--json]",
		Summary: "show the bridge and each connection: state, sessions, uptime, restarts, last error",
		Run:     runStatus,
	})
}

func runStatus(env *Env, args []string) int {
	fs := newFlags(env, "status", "[--json]")
	asJSON := fs.Bool("json", false, "print JSON for scripts")
	if _, _, err := parseInterleaved(fs, args); err != nil {
		return 2
	}
	ctx, cancel := verbContext()
	defer cancel()
	// status does not start a bridge: it reports that none runs.
	c, _, err := bridgeClient(ctx, false)
	if err != nil {
		return reportErr(env, "status", err)
	}
	st, err := c.Status(ctx)
	if errors.Is(err, bridge.ErrNotRunning) {
		if *asJSON {
			fmt.Fprintln(env.Stdout, `{"bridge":null,"connections":[]}`)
			return 0
		}
		fmt.Fprintln(env.Stdout, "The bridge is not running. It starts by itself when an AI client launches `patchbay shim NAME`, or run `patchbay bridge`.")
		return 0
	}
	if err != nil {
		return reportErr(env, "status", err)
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(st)
		return 0
	}
	printStatus(env, st)
	return 0
}

func printStatus(env *Env, st *bridge.Status) {
	fmt.Fprintf(env.Stdout, "Bridge: running (pid %d, up %s, version %s)\n", st.Bridge.PID, humanDuration(time.Since(st.Bridge.Started)), st.Bridge.Version)
	if len(st.Connections) == 0 {
		fmt.Fprintln(env.Stdout, "\nNo connections yet. Add one, for example:\n  patchbay add stdio everything -- npx -y @modelcontextprotocol/server-everything")
		return
	}
	fmt.Fprintln(env.Stdout)
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tSTATE\tFOR\tSESSIONS\tRESTARTS\tLAST ACTIVITY\tRUNS")
	for _, c := range st.Connections {
		var clients []string
		for _, s := range c.Sessions {
			name := s.Client
			if name == "" {
				name = "?"
			}
			clients = append(clients, name)
		}
		sessions := "-"
		if len(clients) > 0 {
			sessions = fmt.Sprintf("%d (%s)", len(clients), strings.Join(clients, ", "))
		}
		forDur := "-"
		if !c.Since.IsZero() {
			forDur = humanDuration(time.Since(c.Since))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", c.Name, c.Kind, c.State, forDur, sessions, c.Restarts, humanAgo(c.LastActivity), c.Summary)
	}
	tw.Flush()
	for _, c := range st.Connections {
		if c.LastError != "" {
			fmt.Fprintf(env.Stdout, "\n%s: last error (%s): %s", c.Name, humanAgo(c.LastErrorTime), c.LastError)
		}
		if len(c.DisabledTools) > 0 {
			fmt.Fprintf(env.Stdout, "\n%s: disabled tools: %s", c.Name, strings.Join(c.DisabledTools, ", "))
		}
	}
	fmt.Fprintln(env.Stdout)
}
