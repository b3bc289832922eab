package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is the release version; `make build` sets it with -ldflags -X.
var Version = "0.1.0-dev"

func init() {
	register(&Command{Name: "version", Summary: "print Patchbay's version", Run: func(env *Env, _ []string) int {
		rev := ""
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					rev = " (" + s.Value[:12] + ")"
				}
			}
		}
		fmt.Fprintf(env.Stdout, "patchbay %s%s %s/%s\n", Version, rev, runtime.GOOS, runtime.GOARCH)
		return 0
	}})
}
