package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// addKinds maps a kind ("stdio", "notion", "remote") to the function that adds a connection
// of that kind. Filled by init functions only, so it needs no lock.
var addKinds = map[string]func(env *Env, args []string) int{}

// registerAdd plugs `patchbay add KIND ...` into the add verb: fn runs with the arguments
// after KIND. Each kind registers from an init function in its own file (cli/add_stdio.go,
// cli/notion.go, ...). It panics on a duplicate kind: that is a programming error.
func registerAdd(kind string, fn func(env *Env, args []string) int) {
	if _, dup := addKinds[kind]; dup {
		panic("cli: add kind registered twice: " + kind)
	}
	addKinds[kind] = fn
}

func addUsage(w io.Writer) {
	var kinds []string
	for k := range addKinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintf(w, "usage: patchbay add KIND NAME ...   (KIND is one of: %s)\n", strings.Join(kinds, ", "))
	fmt.Fprintln(w, "  for example: patchbay add stdio notion -- npx -y @notionhq/notion-mcp-server")
}

func init() {
	register(&Command{
		Name:    "add",
		Usage:   "KIND NAME ...",
		Summary: "add a connection (KIND: stdio, notion, remote); `patchbay add KIND --help` for details",
		Run: func(env *Env, args []string) int {
			if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
				addUsage(env.Stderr)
				if len(args) == 0 {
					return 2
				}
				return 0
			}
			fn, ok := addKinds[args[0]]
			if !ok {
				fmt.Fprintf(env.Stderr, "patchbay add: unknown kind %q\n", args[0])
				addUsage(env.Stderr)
				return 2
			}
			return fn(env, args[1:])
		},
	})
}
