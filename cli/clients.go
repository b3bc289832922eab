package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/patchbay-mcp/patchbay/clientconfig"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// The clients verb edits AI clients' config files. For now it calls clientconfig.Manager in
// this process; once the bridge's local API serves the same methods, it will go through
// bridge.Client like the other verbs.

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
	layout, err := paths.Default()
	if err != nil {
		fmt.Fprintln(env.Stderr, "patchbay:", err)
		return 1
	}
	m, err := clientconfig.NewManager(layout)
	if err != nil {
		fmt.Fprintln(env.Stderr, "patchbay:", err)
		return 1
	}
	st, stErr := state.Open(layout.StateFile())
	if stErr == nil {
		m.AutoRepair = func(id string) bool { return st.Get().Clients[id].AutoRepair }
	}
	connNames := func() ([]string, error) {
		if stErr != nil {
			return nil, fmt.Errorf("reading your connections: %w", stErr)
		}
		var names []string
		for _, c := range st.Get().Connections {
			names = append(names, c.Name)
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("you have no connections yet: add one first (patchbay add ...)")
		}
		return names, nil
	}
	setAutoRepair := func(id string, on bool) error {
		if stErr != nil {
			return fmt.Errorf("reading your settings: %w", stErr)
		}
		return st.Modify(func(s *state.State) error {
			if s.Clients == nil {
				s.Clients = map[string]state.ClientSettings{}
			}
			cs := s.Clients[id]
			cs.AutoRepair = on
			s.Clients[id] = cs
			return nil
		})
	}
	return clientsMain(env, m, clientsDeps{connNames: connNames, setAutoRepair: setAutoRepair}, args)
}

// clientsDeps are what the clients verb needs beyond the Manager: the connection names (for
// --all) and the auto-repair setting, both kept in state.json.
type clientsDeps struct {
	connNames     func() ([]string, error)
	setAutoRepair func(clientID string, on bool) error
}

// clientsMain runs the clients verb on m.
func clientsMain(env *Env, m *clientconfig.Manager, deps clientsDeps, args []string) int {
	connNames := deps.connNames
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return clientsList(env, m, args)
	}
	sub, args := args[0], args[1:]
	if sub == "auto-repair" {
		return clientsAutoRepair(env, deps, args)
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
	targets, err := clientTargets(m, pos[0], *project)
	if err != nil {
		fmt.Fprintln(env.Stderr, "patchbay:", err)
		return 2
	}
	var run func(t clientconfig.Target) (clientconfig.ChangeResult, error)
	var connectNames []string
	switch sub {
	case "connect":
		if strings.Contains(m.Exe, "go-build") {
			fmt.Fprintf(env.Stderr, "patchbay: warning: this patchbay runs from a temporary build (%s); entries would point at it. Build patchbay and run the built binary instead.\n", m.Exe)
		}
		names := []string(conns)
		if *all {
			if names, err = connNames(); err != nil {
				fmt.Fprintln(env.Stderr, "patchbay:", err)
				return 1
			}
		}
		if len(names) == 0 {
			fmt.Fprintln(env.Stderr, "patchbay: say which connection: --connection NAME, or --all")
			return 2
		}
		connectNames = names
		run = func(t clientconfig.Target) (clientconfig.ChangeResult, error) {
			return m.Connect(clientconfig.ConnectRequest{Target: t, Connections: names, Replace: *replace, DryRun: *dry})
		}
	case "disconnect":
		run = func(t clientconfig.Target) (clientconfig.ChangeResult, error) {
			return m.Disconnect(clientconfig.DisconnectRequest{Target: t, Connections: conns, DryRun: *dry})
		}
	case "repair":
		run = func(t clientconfig.Target) (clientconfig.ChangeResult, error) { return m.Repair(t, *dry) }
	case "restore":
		run = func(t clientconfig.Target) (clientconfig.ChangeResult, error) { return m.Restore(t, *dry) }
	default:
		fmt.Fprintf(env.Stderr, "patchbay: unknown clients command %q\n", sub)
		fs.Usage()
		return 2
	}
	code := 0
	var results []clientconfig.ChangeResult
	if pos[0] == "all" && *project == "" && (sub == "connect" || (sub == "disconnect" && len(conns) == 0)) {
		// One pass over every installed client, their files written in parallel.
		var all []clientconfig.ClientResult
		if sub == "connect" {
			all, err = m.ConnectAll(clientconfig.ConnectAllRequest{Connections: connectNames, Replace: *replace, DryRun: *dry})
		} else {
			all, err = m.DisconnectAll(*dry)
		}
		if err != nil {
			fmt.Fprintln(env.Stderr, "patchbay:", err)
			code = 1
		}
		targets = nil
		for _, r := range all {
			if r.Error != "" {
				fmt.Fprintf(env.Stderr, "patchbay: %s: %s\n", r.Client, r.Error)
				code = 1
				continue
			}
			results = append(results, r.ChangeResult)
			if !*asJSON {
				clientsPrintChange(env.Stdout, sub, r.ChangeResult)
			}
		}
	}
	for _, t := range targets {
		res, err := run(t)
		if err != nil {
			fmt.Fprintf(env.Stderr, "patchbay: %s: %v\n", t.Client, err)
			code = 1
			continue
		}
		results = append(results, res)
		if !*asJSON {
			clientsPrintChange(env.Stdout, sub, res)
		}
	}
	if *asJSON {
		clientsWriteJSON(env.Stdout, results)
	}
	return code
}

// clientTargets expands "all" to every installed client.
func clientTargets(m *clientconfig.Manager, id, project string) ([]clientconfig.Target, error) {
	if id != "all" {
		if _, ok := clientconfig.Lookup(id); !ok {
			return nil, fmt.Errorf("unknown client %q: use one of %s, or all", id, clientIDs())
		}
		return []clientconfig.Target{{Client: id, Project: project}}, nil
	}
	var out []clientconfig.Target
	for _, c := range clientconfig.Clients {
		if project != "" {
			if c.ProjectFile != "" {
				out = append(out, clientconfig.Target{Client: c.ID, Project: project})
			}
			continue
		}
		if _, installed := c.Locate(m.Env); installed {
			out = append(out, clientconfig.Target{Client: c.ID})
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

func clientsList(env *Env, m *clientconfig.Manager, args []string) int {
	fs := flag.NewFlagSet("clients", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprintf(env.Stderr, clientsUsage, clientIDs()) }
	asJSON := fs.Bool("json", false, "print the status as JSON")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return 2
	}
	sts, err := m.Status()
	if err != nil {
		fmt.Fprintln(env.Stderr, "patchbay:", err)
		return 1
	}
	if *asJSON {
		clientsWriteJSON(env.Stdout, sts)
		return 0
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT\tSTATUS\tCONNECTIONS\tFILE")
	for _, s := range sts {
		status := s.State
		switch s.State {
		case clientconfig.StateDrifted:
			status += " (missing: " + strings.Join(s.Drifted, ", ") + ")"
		case clientconfig.StateError:
			status += ": " + s.Error
		}
		conns := strings.Join(s.Connections, ", ")
		if conns == "" {
			conns = "-"
		}
		file := s.File
		if s.State == clientconfig.StateNotInstalled {
			file = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, status, conns, file)
	}
	tw.Flush()
	return 0
}

func clientsWriteJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func clientsAutoRepair(env *Env, deps clientsDeps, args []string) int {
	if len(args) != 2 || (args[1] != "on" && args[1] != "off") {
		fmt.Fprintf(env.Stderr, clientsUsage, clientIDs())
		return 2
	}
	if _, ok := clientconfig.Lookup(args[0]); !ok {
		fmt.Fprintf(env.Stderr, "patchbay: unknown client %q: use one of %s\n", args[0], clientIDs())
		return 2
	}
	if err := deps.setAutoRepair(args[0], args[1] == "on"); err != nil {
		fmt.Fprintln(env.Stderr, "patchbay:", err)
		return 1
	}
	fmt.Fprintf(env.Stdout, "%s: auto-repair %s\n", args[0], args[1])
	return 0
}
