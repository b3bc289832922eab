package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// result is what one configuration measured. Durations in microseconds unless named _ms.
type result struct {
	cfg config
	err error

	coldMS []float64

	seqP50, seqP90, seqP99 float64
	seqRate                float64

	concRate, concP50, concP99 float64
	concErrs, concBad          int

	pipeRate, pipeP50, pipeP99 float64
	pipeErrs, pipeBad          int

	payload map[int]string

	rssInitKB, rssPeakKB     int
	bridgeRSSKB, bridgeHWMKB int
}

var payloadSizes = []int{1 << 10, 100 << 10, 1 << 20, 3 << 20, 5 << 20, 10 << 20}

func connect(ctx context.Context, c config) (*mcp.ClientSession, *exec.Cmd, error) {
	tr, cmd := c.transport()
	client := mcp.NewClient(&mcp.Implementation{Name: "spine-bench", Version: "1"}, nil)
	cs, err := client.Connect(ctx, tr, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	return cs, cmd, err
}

// echo calls the echo tool and checks the answer is ours.
func echo(ctx context.Context, cs *mcp.ClientSession, msg string) (bad bool, err error) {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": msg}})
	if err != nil {
		return false, err
	}
	if res.IsError || len(res.Content) == 0 {
		return true, nil
	}
	tc, ok := res.Content[0].(*mcp.TextContent)
	return !ok || !strings.HasSuffix(tc.Text, msg), nil
}

func pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(p * float64(len(s)-1))
	return s[i]
}

func since(t time.Time) float64 { return float64(time.Since(t).Nanoseconds()) / 1e3 }

func measure(ctx context.Context, env *benchEnv, c config) *result {
	r := &result{cfg: c, payload: map[int]string{}}
	// Cold start: spawn (or dial) to initialize result, 3 times.
	for i := 0; i < 3; i++ {
		t0 := time.Now()
		cs, _, err := connect(ctx, c)
		if err != nil {
			r.err = fmt.Errorf("connect: %w", err)
			return r
		}
		r.coldMS = append(r.coldMS, since(t0)/1e3)
		cs.Close()
	}

	// Sequential calls on one session.
	cs, cmd, err := connect(ctx, c)
	if err != nil {
		r.err = err
		return r
	}
	if cmd != nil && cmd.Process != nil {
		r.rssInitKB = memKB(cmd.Process.Pid, "VmRSS")
	}
	if _, err := cs.ListTools(ctx, nil); err != nil {
		r.err = fmt.Errorf("tools/list: %w", err)
	}
	for i := 0; i < 50; i++ {
		echo(ctx, cs, "warm-up")
	}
	lat := make([]float64, 0, *flagCalls)
	t0 := time.Now()
	for i := 0; i < *flagCalls; i++ {
		t := time.Now()
		if bad, err := echo(ctx, cs, fmt.Sprintf("seq-%d", i)); err != nil || bad {
			r.err = fmt.Errorf("sequential call %d: bad=%v %v", i, bad, err)
			break
		}
		lat = append(lat, since(t))
	}
	r.seqRate = float64(len(lat)) / time.Since(t0).Seconds()
	r.seqP50, r.seqP90, r.seqP99 = pct(lat, .5), pct(lat, .9), pct(lat, .99)

	// One session, 8 callers in flight.
	r.pipeRate, r.pipeP50, r.pipeP99, r.pipeErrs, r.pipeBad = parallel(ctx, []*mcp.ClientSession{cs}, 8, *flagInflight)

	// Payload sweep.
	sizes := payloadSizes
	if *flagQuick {
		sizes = sizes[:3]
	}
	for _, n := range sizes {
		msg := strings.Repeat("p", n)
		var times []float64
		fail := ""
		for rep := 0; rep < 3 && fail == ""; rep++ {
			cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
			t := time.Now()
			bad, err := echo(cctx, cs, msg)
			cancel()
			switch {
			case err != nil:
				fail = "✗ " + shortErr(err)
			case bad:
				fail = "✗ wrong"
			default:
				times = append(times, since(t)/1e3)
			}
		}
		if fail != "" {
			r.payload[n] = fail
			// The session may be dead (or wedged): start a new one for the next size.
			cs.Close()
			if cs, cmd, err = connect(ctx, c); err != nil {
				r.err = err
				return r
			}
			continue
		}
		r.payload[n] = fmt.Sprintf("%.1f", pct(times, .5))
	}
	if cmd != nil && cmd.Process != nil {
		r.rssPeakKB = memKB(cmd.Process.Pid, "VmHWM")
	}
	cs.Close()

	// 8 sessions at once, each its own process where the configuration launches one.
	var sessions []*mcp.ClientSession
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, _, err := connect(ctx, c)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				sessions = append(sessions, s)
			} else {
				r.concErrs += *flagSessions
			}
		}()
	}
	wg.Wait()
	var rate, p50, p99 float64
	var errs, bad int
	rate, p50, p99, errs, bad = parallel(ctx, sessions, 1, *flagSessions)
	r.concRate, r.concP50, r.concP99, r.concErrs, r.concBad = rate, p50, p99, r.concErrs+errs, bad
	for _, s := range sessions {
		s.Close()
	}
	if c.shim {
		r.bridgeRSSKB, r.bridgeHWMKB = memKB(env.bridgePID, "VmRSS"), memKB(env.bridgePID, "VmHWM")
	}
	return r
}

// parallel runs perSession callers on each session, each making calls calls.
func parallel(ctx context.Context, sessions []*mcp.ClientSession, perSession, calls int) (rate, p50, p99 float64, errs, bad int) {
	var mu sync.Mutex
	var lat []float64
	var wg sync.WaitGroup
	t0 := time.Now()
	for si, s := range sessions {
		for g := 0; g < perSession; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := make([]float64, 0, calls)
				e, b := 0, 0
				for i := 0; i < calls; i++ {
					t := time.Now()
					wrong, err := echo(ctx, s, fmt.Sprintf("s%d-g%d-%d", si, g, i))
					switch {
					case err != nil:
						e++
					case wrong:
						b++
					default:
						mine = append(mine, since(t))
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				errs += e
				bad += b
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	return float64(len(lat)) / time.Since(t0).Seconds(), pct(lat, .5), pct(lat, .99), errs, bad
}

func shortErr(err error) string {
	s := err.Error()
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case strings.Contains(s, "413"):
		return "413"
	case errors.Is(err, mcp.ErrConnectionClosed), errors.Is(err, io.EOF):
		return "closed"
	}
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

func printTables(w io.Writer, rs []*result) {
	fmt.Fprintln(w, "## Cold start and sequential calls (one session)")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "| config | cold start ms (median of 3) | p50 µs | p90 µs | p99 µs | calls/s | RSS at init MB | RSS peak MB |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		if r.err != nil && len(r.coldMS) == 0 {
			fmt.Fprintf(w, "| %s | ✗ %v | | | | | | |\n", r.cfg.name, r.err)
			continue
		}
		fmt.Fprintf(w, "| %s | %.1f | %.0f | %.0f | %.0f | %.0f | %s | %s |\n", r.cfg.name, pct(r.coldMS, .5), r.seqP50, r.seqP90, r.seqP99, r.seqRate, mb(r.rssInitKB), mb(r.rssPeakKB))
	}
	fmt.Fprintln(w, "\nRSS is the launched process only (for the shim: the shim; the bridge is below). HTTP configurations launch nothing.")
	fmt.Fprintln(w, "\n## Concurrency")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "| config | 8 sessions calls/s | p50 µs | p99 µs | errors / mismatched | 1 session × 8 in flight calls/s | p50 µs | p99 µs | errors / mismatched |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		if len(r.coldMS) == 0 {
			continue
		}
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f | %d / %d | %.0f | %.0f | %.0f | %d / %d |\n", r.cfg.name, r.concRate, r.concP50, r.concP99, r.concErrs, r.concBad, r.pipeRate, r.pipeP50, r.pipeP99, r.pipeErrs, r.pipeBad)
	}
	fmt.Fprintln(w, "\n## Payload sweep: echo of an N-byte string (median of 3, ms; ✗ = fails)")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| config |")
	for _, n := range payloadSizes {
		fmt.Fprintf(w, " %s |", size(n))
	}
	fmt.Fprint(w, "\n|---|")
	for range payloadSizes {
		fmt.Fprint(w, "---|")
	}
	fmt.Fprintln(w)
	for _, r := range rs {
		if len(r.coldMS) == 0 {
			continue
		}
		fmt.Fprintf(w, "| %s |", r.cfg.name)
		for _, n := range payloadSizes {
			fmt.Fprintf(w, " %s |", r.payload[n])
		}
		fmt.Fprintln(w)
	}
	for _, r := range rs {
		if r.cfg.shim && r.bridgeHWMKB > 0 {
			fmt.Fprintf(w, "\nBridge process (one for all shim configurations, measured after %s): RSS %s MB, peak %s MB\n", r.cfg.name, mb(r.bridgeRSSKB), mb(r.bridgeHWMKB))
		}
	}
	for _, r := range rs {
		if r.err != nil {
			fmt.Fprintf(w, "\nNote: %s: %v\n", r.cfg.name, r.err)
		}
	}
}

func mb(kb int) string {
	if kb == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(kb)/1024)
}

func size(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMB", n>>20)
	}
	return fmt.Sprintf("%dKB", n>>10)
}
