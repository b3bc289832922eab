// Package cli is Patchbay's command line: every verb but the tray. Verbs are thin clients of
// the bridge's local API, except `bridge` and `shim`, which run the daemon and the stdio pipe.
//
// Nothing here imports Fyne: a shim or a CLI verb starts in milliseconds with no display.
// Each verb lives in its own file and registers itself with register in an init function.
package cli

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Env is what a verb runs with. Tests build one with buffers; Main uses the process's own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Command is one CLI verb.
type Command struct {
	// Name is the verb, as typed: "status", "add", "shim".
	Name string
	// Usage is the argument synopsis after the verb, e.g. "NAME [--json]".
	Usage string
	// Summary is one line for `patchbay help`.
	Summary string
	// Hidden keeps the verb out of `patchbay help` (for verbs only other programs run).
	Hidden bool
	// Run runs the verb with the arguments after it and returns the process exit code.
	Run func(env *Env, args []string) int
}

var commands = map[string]*Command{}

// register adds a verb. It panics on a duplicate name: that is a programming error.
func register(c *Command) {
	if _, dup := commands[c.Name]; dup {
		panic("cli: verb registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

// Main runs the verb named by args[0] with the rest of args and returns the exit code:
// 0 on success, 1 when the verb failed, 2 for a usage error.
func Main(env *Env, args []string) int {
	if env == nil {
		env = &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	}
	if len(args) == 0 {
		usage(env.Stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "--help":
		name = "help"
	case "-v", "--version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(env.Stderr, "patchbay: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return 2
	}
	return c.Run(env, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Patchbay connects AI clients to MCP servers, with tokens kept in your OS keychain.")
	fmt.Fprintln(w, "\nUsage:\n  patchbay                  open the tray app\n  patchbay COMMAND [ARGS]")
	fmt.Fprintln(w, "\nCommands:")
	var names []string
	for n, c := range commands {
		if !c.Hidden {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		syn := strings.TrimSpace(n + " " + c.Usage)
		fmt.Fprintf(w, "  %-40s %s\n", syn, c.Summary)
	}
}

func init() {
	register(&Command{Name: "help", Summary: "show this help", Run: func(env *Env, _ []string) int {
		usage(env.Stdout)
		return 0
	}})
}
