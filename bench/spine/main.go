// Command spine is the side-by-side benchmark of the spine (`make bench`): the same MCP
// upstreams (a Go echo server and @modelcontextprotocol/server-everything, over stdio and
// Streamable HTTP) reached directly, through `patchbay shim` and the bridge, and through the
// Node proxies a user would pick instead (mcp-remote, supergateway), in one run on one
// machine. It prints one markdown table per measure.
//
// The client is go-sdk v1.8.0 with protocol 2025-11-25 and no capabilities, as in
// reference/peer-performance.md, so the numbers compare with that page's.
//
//	go run ./bench/spine [-calls 2000] [-quick] [-patchbay PATH] [-only REGEXP]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"time"

	"github.com/patchbay-mcp/patchbay/bench/echoserver"
	"github.com/patchbay-mcp/patchbay/cli"
)

// envAsCLI makes this binary act as `patchbay` (when no real patchbay binary could be built).
const envAsCLI = "PATCHBAY_BENCH_AS_CLI"

var (
	flagCalls    = flag.Int("calls", 2000, "sequential calls per configuration (after 50 warm-up calls)")
	flagSessions = flag.Int("session-calls", 500, "calls per session in the 8-session phase")
	flagInflight = flag.Int("inflight-calls", 250, "calls per caller in the 8-in-flight phase")
	flagQuick    = flag.Bool("quick", false, "a fast smoke run: few calls, small payloads")
	flagPatchbay = flag.String("patchbay", "", "patchbay binary to measure; \"self\" uses this program as patchbay; default: build the lean one as `make build` does (`CGO_ENABLED=0 go build .`)")
	flagOnly     = flag.String("only", "", "run only configurations whose name matches this regexp")
	flagNoPeers  = flag.Bool("no-peers", false, "skip mcp-remote and supergateway")
)

func main() {
	echoserver.MaybeServe()
	if addr := os.Getenv(envEchoHTTP); addr != "" {
		serveEchoHTTP(addr)
		return
	}
	if os.Getenv(envAsCLI) != "" {
		os.Exit(cli.Main(nil, os.Args[1:]))
	}
	flag.Parse()
	if *flagQuick {
		*flagCalls, *flagSessions, *flagInflight = 200, 50, 25
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "spine:", err)
		os.Exit(1)
	}
}

func run() error {
	work, err := os.MkdirTemp("", "patchbay-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	env := &benchEnv{work: work}
	defer env.close()
	if err := env.setup(); err != nil {
		return err
	}
	var only *regexp.Regexp
	if *flagOnly != "" {
		only = regexp.MustCompile(*flagOnly)
	}
	fmt.Printf("# Spine benchmark, %s, %s/%s, %d CPUs, go %s\n\n", time.Now().UTC().Format(time.RFC3339), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Printf("patchbay binary: %s\n\n", env.patchbayNote)
	var results []*result
	for _, c := range env.configs() {
		if only != nil && !only.MatchString(c.name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s\n", c.name)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		r := measure(ctx, env, c)
		cancel()
		results = append(results, r)
		if r.err != nil {
			fmt.Fprintf(os.Stderr, "   %v\n", r.err)
		}
	}
	printTables(os.Stdout, results)
	return nil
}

// repoRoot finds the module root (where go.mod is) from the working directory.
func repoRoot() (string, error) {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run from inside the patchbay repository")
		}
		dir = parent
	}
}

// buildPatchbay builds the real patchbay binary into dir.
func buildPatchbay(root, dir string) (string, error) {
	out := filepath.Join(dir, "patchbay")
	// As `make build` builds it: pure Go, stripped.
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", err
	}
	return out, nil
}
