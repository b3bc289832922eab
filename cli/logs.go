package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
)

func init() {
	register(&Command{
		Name:    "logs",
		Usage:   "[-f] [--connection NAME] [--method M] [-n 50] [--json]",
		Summary: "show the event log (every message, state change and server log line), -f to follow",
		Run:     runLogs,
	})
}

func runLogs(env *Env, args []string) int {
	fs := newFlags(env, "logs", "[-f] [--connection NAME] [--method M] [--kind K] [-n 50] [--json]")
	follow := fs.Bool("f", false, "keep following new events")
	conn := fs.String("connection", "", "only events of connection `NAME`")
	method := fs.String("method", "", "only messages of JSON-RPC method `M` (tools/call, ...)")
	kind := fs.String("kind", "", "only events of kind `K`: message, log, state, client")
	n := fs.Int("n", 50, "show the last `N` events first (0: all the bridge keeps)")
	asJSON := fs.Bool("json", false, "print one JSON event per line (with bodies, redacted)")
	if _, _, err := parseInterleaved(fs, args); err != nil {
		return 2
	}
	ctx, cancel := verbContext()
	defer cancel()
	c, l, err := bridgeClient(ctx, false)
	if err != nil {
		return reportErr(env, "logs", err)
	}
	q := bridge.EventsQuery{Tail: *n, Follow: *follow, Filter: events.Filter{Connection: *conn, Method: *method, Kind: *kind}}
	enc := json.NewEncoder(env.Stdout)
	err = c.Events(ctx, q, func(e events.Event) error {
		if *asJSON {
			return enc.Encode(e)
		}
		_, err := fmt.Fprintln(env.Stdout, formatEvent(e))
		return err
	})
	if errors.Is(err, bridge.ErrNotRunning) {
		if *follow {
			fmt.Fprintln(env.Stderr, "patchbay logs: the bridge is not running, so there is nothing to follow; start it with `patchbay bridge`")
			return 1
		}
		// Show what the last bridge wrote to disk.
		return logsFromFiles(env, l.LogDir(), q, *asJSON)
	}
	if err != nil {
		return reportErr(env, "logs", err)
	}
	return 0
}

// formatEvent renders one event on one line for a person.
func formatEvent(e events.Event) string {
	var b strings.Builder
	b.WriteString(e.Time.Local().Format("15:04:05.000"))
	b.WriteByte(' ')
	if e.Connection != "" {
		b.WriteString(e.Connection)
		b.WriteByte(' ')
	}
	switch e.Kind {
	case events.KindMessage:
		arrow := "→"
		if e.Direction == events.FromUpstream {
			arrow = "←"
		}
		if e.Client != "" {
			b.WriteString("[" + e.Client + "] ")
		}
		b.WriteString(arrow + " " + e.Method)
		if e.Tool != "" {
			b.WriteString(" " + e.Tool)
		}
		if e.RPCID != "" {
			b.WriteString(" #" + e.RPCID)
		}
		if e.Size > 0 {
			fmt.Fprintf(&b, " %dB", e.Size)
		}
		if e.LatencyMicros > 0 {
			b.WriteString(" " + (time.Duration(e.LatencyMicros) * time.Microsecond).String())
		}
		if e.Error != "" {
			b.WriteString(" ERROR: " + e.Error)
		}
	case events.KindLog:
		lvl := e.Level
		if lvl == "" {
			lvl = "info"
		}
		b.WriteString(lvl + ": " + e.Message)
	case events.KindState:
		b.WriteString("state: " + e.Message)
		if e.Error != "" {
			b.WriteString(" (" + e.Error + ")")
		}
	default:
		b.WriteString(e.Kind + ": " + e.Message)
		if e.Error != "" {
			b.WriteString(" (" + e.Error + ")")
		}
	}
	return b.String()
}

// logsFromFiles prints the last events of the JSONL files when no bridge runs.
func logsFromFiles(env *Env, dir string, q bridge.EventsQuery, asJSON bool) int {
	files, _ := events.Rotated(dir)
	files = append(files, filepath.Join(dir, events.CurrentFile))
	var evs []events.Event
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 64<<20)
		for sc.Scan() {
			var e events.Event
			if json.Unmarshal(sc.Bytes(), &e) == nil && q.Filter.Match(e) {
				evs = append(evs, e)
			}
		}
		f.Close()
	}
	if q.Tail > 0 && len(evs) > q.Tail {
		evs = evs[len(evs)-q.Tail:]
	}
	fmt.Fprintf(env.Stderr, "(the bridge is not running; these events are from %s)\n", dir)
	enc := json.NewEncoder(env.Stdout)
	for _, e := range evs {
		if asJSON {
			enc.Encode(e)
		} else {
			fmt.Fprintln(env.Stdout, formatEvent(e))
		}
	}
	return 0
}
