package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/clientconfig"
)

// The clients verb edits AI clients' config files through the bridge (GET and POST
// /v1/clients): the bridge is the one editor of those files and the one writer of
// state.json. clientconfig is used here only for its table of client ids.

const clientsUsage = `Usage:
  patchbay clients [--json]                       list AI clients and their status
  patchbay clients connect CLIENT|all [--connection NAME ... | --all] [--project DIR] [--replace] [--dry-run]
  patchbay clients disconnect CLIENT|all [--connection NAME ...] [--project DIR] [--dry-run]
  patchbay clients repair CLIENT [--project DIR] [--dry-run]
  patchbay clients restore CLIENT [--project DIR] [--dry-run]
  patchbay clients auto-repair CLIENT on|off     put entries back when someone removes them
                                                  (done by the running bridge; off by default)

CLIENT is one of: %s
"all" means every installed client. --dry-run prints the unified diff and writes nothing.
`

func init() {
	register(&Command{
		Name:    "clients",
		Usage:   "[connect|disconnect|repair|restore CLIENT ...]",
		Summary: "show AI clients; connect, disconnect, repair or restore their MCP config",
		Run:     runClients,
	})
}

func clientIDs() string {
	ids := make([]string, len(clientconfig.Clients))
	for i, c := range clientconfig.Clients {
		ids[i] = c.ID
	}
	return strings.Join(ids, ", ")
}

// clientsStringList is a repeatable string flag.
type clientsStringList []string

func (s *clientsStringList) String() string     { return strings.Join(*s, ",") }
func (s *clientsStringList) Set(v string) error { *s = append(*s, v); return nil }

// clientsParseFlags parses flags that may come before or after positional arguments.
func clientsParseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func runClients(env *Env, args []string) int {
	ctx, cancel := verbContext()
	defer cancel()
	c, _, err := bridgeClient(ctx, true)
	if err != nil {
		return reportErr(env, "clients", err)
	}
	return clientsMain(ctx, env, c, args)
}

// clientsAPI is the part of bridge.Client the clients verb uses.
type clientsAPI interface {
	Status(ctx context.Context) (*bridge.Status, error)
	Clients(ctx context.Context) ([]bridge.ClientStatus, error)
	ChangeClient(ctx context.Context, id string, ch bridge.ClientChange) (*bridge.ClientChangeResult, error)
	SetClientAutoRepair(ctx context.Context, id string, on bool) error
}

// clientsMain runs the clients verb against the bridge api.
func clientsMain(ctx context.Context, env *Env, api clientsAPI, args []string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return clientsList(ctx, env, api, args)
	}
	sub, args := args[0], args[1:]
	if sub == "auto-repair" {
		return clientsAutoRepair(ctx, env, api, args)
	}
	fs := flag.NewFlagSet("clients "+sub, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprintf(env.Stderr, clientsUsage, clientIDs()) }
	var conns clientsStringList
	all := fs.Bool("all", false, "connect every connection Patchbay has")
	dry := fs.Bool("dry-run", false, "print the diff, write nothing")
	replace := fs.Bool("replace", false, "overwrite a server of the same name that Patchbay did not write")
	project := fs.String("project", "", "edit the client's config in this project folder")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	fs.Var(&conns, "connection", "a connection name (repeatable)")
	pos, err := clientsParseFlags(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	if sub != "connect" && sub != "disconnect" && sub != "repair" && sub != "restore" {
		fmt.Fprintf(env.Stderr, "patchbay: unknown clients command %q\n", sub)
		fs.Usage()
		return 2
	}
	if sub == "connect" && len(conns) == 0 && !*all {
		fmt.Fprintln(env.Stderr, "patchbay: say which connection: --connection NAME, or --all")
		return 2
	}
	if *project != "" {
		// The bridge runs in another folder: name the project absolutely.
		abs, err := filepath.Abs(*project)
		if err != nil {
			fmt.Fprintln(env.Stderr, "patchbay:", err)
			return 2
		}
		*project = abs
	}
	targets, err := clientTargets(ctx, api, pos[0], *project)
	if err != nil {
		fmt.Fprintln(env.Stderr, "patchbay:", err)
		return 2
	}
	if sub == "connect" && *all {
		st, err := api.Status(ctx)
		if err != nil {
			return reportErr(env, "clients", err)
		}
		if len(st.Connections) == 0 {
			fmt.Fprintln(env.Stderr, "patchbay: you have no connections yet: add one first (patchbay add ...)")
			return 1
		}
	}
	ch := bridge.ClientChange{Action: sub, Project: *project, Connections: conns, DryRun: *dry}
	if sub == "connect" {
		ch.All, ch.Replace = *all, *replace
	}
	code := 0
	results := []bridge.ClientChangeResult{}
	for _, id := range targets {
		res, err := api.ChangeClient(ctx, id, ch)
		if err != nil {
			fmt.Fprintf(env.Stderr, "patchbay: %s: %v\n", id, err)
			code = 1
			continue
		}
		results = append(results, *res)
		if !*asJSON {
			clientsPrintChange(env.Stdout, sub, *res)
		}
	}
	if *asJSON {
		clientsWriteJSON(env.Stdout, results)
	}
	return code
}

// clientTargets expands "all" to every installed client (with a project folder: every
// client that has project-level files).
func clientTargets(ctx context.Context, api clientsAPI, id, project string) ([]string, error) {
	if id != "all" {
		if _, ok := clientconfig.Lookup(id); !ok {
			return nil, fmt.Errorf("unknown client %q: use one of %s, or all", id, clientIDs())
		}
		return []string{id}, nil
	}
	var out []string
	if project != "" {
		for _, c := range clientconfig.Clients {
			if c.ProjectFile != "" {
				out = append(out, c.ID)
			}
		}
		return out, nil
	}
	sts, err := api.Clients(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range sts {
		if s.Project == "" && s.State != clientconfig.StateNotInstalled && !slices.Contains(out, s.ID) {
			out = append(out, s.ID)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no installed AI client found")
	}
	return out, nil
}

func clientsPrintChange(w io.Writer, verb string, r clientconfig.ChangeResult) {
	switch {
	case r.DryRun && r.Diff != "":
		fmt.Fprint(w, r.Diff)
	case r.DryRun:
		fmt.Fprintf(w, "%s: %s would not change\n", r.Client, r.File)
	case !r.Changed:
		fmt.Fprintf(w, "%s: %s already up to date\n", r.Client, r.File)
	default:
		fmt.Fprintf(w, "%s: %s: %s done", r.Client, r.File, verb)
		if len(r.Connections) > 0 {
			fmt.Fprintf(w, " (connected: %s)", strings.Join(r.Connections, ", "))
		}
		fmt.Fprintln(w)
		if verb == "connect" {
			fmt.Fprintf(w, "  restart %s if it is running, so it reads the new config\n", r.Client)
		}
	}
}

func clientsList(ctx context.Context, env *Env, api clientsAPI, args []string) int {
	fs := flag.NewFlagSet("clients", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprintf(env.Stderr, clientsUsage, clientIDs()) }
	asJSON := fs.Bool("json", false, "print the status as JSON")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return 2
	}
	sts, err := api.Clients(ctx)
	if err != nil {
		return reportErr(env, "clients", err)
	}
	if *asJSON {
		clientsWriteJSON(env.Stdout, sts)
		return 0
	}
	// An entry whose connection was removed still launches `patchbay shim NAME`, which
	// answers "unknown connection": show it, so the user can disconnect it.
	known := map[string]bool{}
	st, stErr := api.Status(ctx)
	if stErr == nil {
		for _, c := range st.Connections {
			known[c.Name] = true
		}
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT\tSTATUS\tCONNECTIONS\tFILE")
	dangling := false
	for _, s := range sts {
		status := s.State
		switch s.State {
		case clientconfig.StateDrifted:
			status += " (missing: " + strings.Join(s.Drifted, ", ") + ")"
		case clientconfig.StateError:
			status += ": " + s.Error
		}
		names := make([]string, len(s.Connections))
		for i, n := range s.Connections {
			names[i] = n
			if stErr == nil && !known[n] {
				names[i] += " (removed)"
				dangling = true
			}
		}
		conns := strings.Join(names, ", ")
		if conns == "" {
			conns = "-"
		}
		file := s.File
		if s.State == clientconfig.StateNotInstalled {
			file = "-"
		}
		if s.Project != "" {
			file += " (project " + s.Project + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, status, conns, file)
	}
	tw.Flush()
	if dangling {
		fmt.Fprintln(env.Stdout, "\n(removed): the connection no longer exists; its entry answers \"unknown connection\". Remove it with `patchbay clients disconnect CLIENT --connection NAME`, or add the connection again.")
	}
	return 0
}

func clientsWriteJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func clientsAutoRepair(ctx context.Context, env *Env, api clientsAPI, args []string) int {
	if len(args) != 2 || (args[1] != "on" && args[1] != "off") {
		fmt.Fprintf(env.Stderr, clientsUsage, clientIDs())
		return 2
	}
	if _, ok := clientconfig.Lookup(args[0]); !ok {
		fmt.Fprintf(env.Stderr, "patchbay: unknown client %q: use one of %s\n", args[0], clientIDs())
		return 2
	}
	if err := api.SetClientAutoRepair(ctx, args[0], args[1] == "on"); err != nil {
		return reportErr(env, "clients", err)
	}
	fmt.Fprintf(env.Stdout, "%s: auto-repair %s\n", args[0], args[1])
	return 0
}
