package cli

import (
	"fmt"

	"github.com/patchbay-mcp/patchbay/bridge"
)

func init() {
	register(&Command{
		Name:    "remove",
		Usage:   "NAME",
		Summary: "remove a connection (its sessions end, its secrets leave the keychain)",
		Run:     runRemove,
	})
}

func runRemove(env *Env, args []string) int {
	fs := newFlags(env, "remove", "NAME")
	pos, ok := parseArgs(fs, args, 1)
	if !ok {
		return 2
	}
	ctx, cancel := verbContext()
	defer cancel()
	c, _, err := bridgeClient(ctx, true)
	if err != nil {
		return reportErr(env, "remove", err)
	}
	if err := c.Remove(ctx, pos[0]); err != nil {
		if bridge.IsNotFound(err) {
			fmt.Fprintf(env.Stderr, "patchbay remove: there is no connection named %q (`patchbay status` lists them)\n", pos[0])
			return 1
		}
		return reportErr(env, "remove", err)
	}
	fmt.Fprintf(env.Stdout, "Removed %s. AI clients whose config still runs `patchbay shim %s` will get an error until you remove it there (`patchbay clients disconnect`).\n", pos[0], pos[0])
	return 0
}
