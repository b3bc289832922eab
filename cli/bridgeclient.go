package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/internal/paths"
)

// bridgeClient returns a client of this user's bridge. With start set it starts the bridge
// (detached) when none runs; without, an absent bridge is bridge.ErrNotRunning.
func bridgeClient(ctx context.Context, start bool) (*bridge.Client, paths.Layout, error) {
	l, err := paths.Default()
	if err != nil {
		return nil, l, err
	}
	if !start {
		return bridge.NewClient(l.SocketPath()), l, nil
	}
	c, err := bridge.EnsureRunning(ctx, l, "")
	return c, l, err
}

// verbContext is the context of a CLI verb: cancelled by Ctrl-C or SIGTERM.
func verbContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// reportErr prints err for a person and returns the exit code 1.
func reportErr(env *Env, verb string, err error) int {
	if errors.Is(err, context.Canceled) {
		return 1
	}
	fmt.Fprintf(env.Stderr, "patchbay %s: %v\n", verb, err)
	return 1
}

// parseInterleaved parses flags that may come before, between or after positional
// arguments; everything after "--" is positional, untouched. It returns the positionals and
// the arguments after "--" (nil if there was no "--").
func parseInterleaved(fs *flag.FlagSet, args []string) (pos, rest []string, err error) {
	for i, a := range args {
		if a == "--" {
			rest = append([]string{}, args[i+1:]...)
			args = args[:i]
			break
		}
	}
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, err
		}
		if fs.NArg() == 0 {
			return pos, rest, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// newFlags returns a FlagSet for a verb whose errors go to env.Stderr.
// parseArgs parses args into fs (flags may come before or after the positional arguments)
// and checks that exactly n positional arguments remain. On a usage error it has already said
// why, or printed the usage, and returns ok false: the verb then exits 2.
func parseArgs(fs *flag.FlagSet, args []string, n int) (pos []string, ok bool) {
	pos, _, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, false
	}
	if len(pos) != n {
		fs.Usage()
		return nil, false
	}
	return pos, true
}

func newFlags(env *Env, verb, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(verb, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: patchbay %s %s\n", verb, usage)
		fs.PrintDefaults()
	}
	return fs
}

// humanAgo renders a time as "3m ago" ("-" for zero).
func humanAgo(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return humanDuration(time.Since(t)) + " ago"
}

func humanDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return "<1s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
