package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bench/echoserver"
	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/internal/paths"
)

// envEchoHTTP makes this binary serve the Go echo server over Streamable HTTP at its value.
const envEchoHTTP = "PATCHBAY_BENCH_ECHO_HTTP"

func serveEchoHTTP(addr string) {
	srv := echoserver.New()
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{MaxRequestBodyBytes: 64 << 20})
	if err := http.ListenAndServe(addr, h); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// benchEnv is everything the configurations share: binaries, upstream servers, the bridge.
type benchEnv struct {
	work         string
	self         string
	patchbay     string
	patchbayNote string
	selfAsCLI    bool
	node         string
	npm          string
	everything   string
	mcpRemote    string
	supergateway string
	preload      string
	home, pbHome string
	layout       paths.Layout

	everythingURL, echoURL string
	bridgePID              int
	procs                  []*exec.Cmd
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func (e *benchEnv) setup() error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	e.self, _ = os.Executable()
	e.npm = filepath.Join(root, "testdata", "npm", "node_modules")
	e.preload = filepath.Join(root, "testdata", "node", "listen-localhost.cjs")
	e.everything = filepath.Join(e.npm, "@modelcontextprotocol", "server-everything", "dist", "index.js")
	e.mcpRemote = filepath.Join(e.npm, "mcp-remote", "dist", "proxy.js")
	e.supergateway = filepath.Join(e.npm, "supergateway", "dist", "index.js")
	if e.node, err = exec.LookPath("node"); err != nil {
		return fmt.Errorf("node is needed for the peers: %w", err)
	}
	for _, p := range []string{e.everything, e.mcpRemote, e.supergateway} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%s is missing: run `make npm-peers`", p)
		}
	}
	e.patchbay = *flagPatchbay
	switch {
	case e.patchbay == "self":
		e.patchbay, e.selfAsCLI = e.self, true
		e.patchbayNote = "the benchmark binary acting as patchbay (-patchbay self)"
	case e.patchbay != "":
		e.patchbayNote = e.patchbay
	default:
		fmt.Fprintln(os.Stderr, "building patchbay (CGO_ENABLED=0 go build .)...")
		if p, err := buildPatchbay(root, e.work); err == nil {
			e.patchbay, e.patchbayNote = p, "the real lean binary (CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' ., as make build)"
		} else {
			e.patchbay, e.selfAsCLI = e.self, true
			e.patchbayNote = "the benchmark binary acting as patchbay (building the real one failed)"
		}
	}
	e.home = filepath.Join(e.work, "home")
	e.pbHome = filepath.Join(e.work, "pb")
	os.MkdirAll(e.home, 0o700)
	if e.layout, err = paths.FromHome(e.pbHome); err != nil {
		return err
	}

	// Upstreams over HTTP.
	if e.echoURL, err = e.startHTTP("go-echo-http", func(addr string) *exec.Cmd {
		cmd := exec.Command(e.self)
		cmd.Env = append(os.Environ(), envEchoHTTP+"="+addr)
		return cmd
	}); err != nil {
		return err
	}
	if e.everythingURL, err = e.startHTTP("everything-http", func(addr string) *exec.Cmd {
		_, port, _ := net.SplitHostPort(addr)
		cmd := exec.Command(e.node, "--require", e.preload, e.everything, "streamableHttp")
		cmd.Env = append(os.Environ(), "PORT="+port)
		return cmd
	}); err != nil {
		return err
	}

	// The bridge, and its connections.
	bcmd := exec.Command(e.patchbay, "bridge")
	bcmd.Env = e.patchbayEnv()
	bcmd.Stderr = nil
	if err := bcmd.Start(); err != nil {
		return fmt.Errorf("starting the bridge: %w", err)
	}
	e.procs = append(e.procs, bcmd)
	c := bridge.NewClient(e.layout.SocketPath())
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := bridge.WaitReady(ctx, c, 15*time.Second); err != nil {
		return err
	}
	st, _ := c.Status(ctx)
	e.bridgePID = st.Bridge.PID
	add := func(name, kind string, settings any) error {
		raw, _ := json.Marshal(settings)
		_, err := c.Add(ctx, bridge.AddRequest{Name: name, Kind: kind, Settings: raw})
		return err
	}
	for _, a := range []struct {
		name, kind string
		s          any
	}{
		{"echo", "stdio", bridge.StdioSettings{Command: e.self, Env: map[string]string{echoserver.EnvServe: "1"}}},
		{"everything", "stdio", bridge.StdioSettings{Command: e.node, Args: []string{e.everything, "stdio"}}},
		{"echo-http", "remote", map[string]string{"url": e.echoURL}},
		{"everything-http", "remote", map[string]string{"url": e.everythingURL}},
	} {
		if err := add(a.name, a.kind, a.s); err != nil {
			return fmt.Errorf("adding %s: %w", a.name, err)
		}
	}
	return nil
}

// patchbayEnv is the environment of the bridge and the shims: a thin one, as AI clients give.
func (e *benchEnv) patchbayEnv() []string {
	env := []string{"HOME=" + e.home, "PATH=" + os.Getenv("PATH"), paths.EnvHome + "=" + e.pbHome}
	if e.selfAsCLI {
		env = append(env, envAsCLI+"=1")
	}
	return env
}

// startHTTP starts an HTTP upstream and waits until it accepts connections.
func (e *benchEnv) startHTTP(name string, mk func(addr string) *exec.Cmd) (string, error) {
	addr, err := freeAddr()
	if err != nil {
		return "", err
	}
	cmd := mk(addr)
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("starting %s: %w", name, err)
	}
	e.procs = append(e.procs, cmd)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr + "/mcp", nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "", fmt.Errorf("%s did not listen on %s", name, addr)
}

func (e *benchEnv) close() {
	if e.bridgePID != 0 {
		c := bridge.NewClient(e.layout.SocketPath())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c.Shutdown(ctx)
		cancel()
	}
	for _, p := range e.procs {
		done := make(chan struct{})
		go func() { p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			p.Process.Kill()
			<-done
		}
	}
}

// config is one way of reaching an upstream.
type config struct {
	name  string
	group string // which upstream: "everything" or "go-echo"
	// transport returns a fresh transport and, for a launched process, its command (to
	// read its memory).
	transport func() (mcp.Transport, *exec.Cmd)
	shim      bool
}

func (e *benchEnv) cmdTransport(name string, args []string, env []string) func() (mcp.Transport, *exec.Cmd) {
	return func() (mcp.Transport, *exec.Cmd) {
		cmd := exec.Command(name, args...)
		cmd.Env = env
		return &mcp.CommandTransport{Command: cmd}, cmd
	}
}

func httpTransport(url string) func() (mcp.Transport, *exec.Cmd) {
	return func() (mcp.Transport, *exec.Cmd) {
		return &mcp.StreamableClientTransport{Endpoint: url, MaxRetries: -1, DisableStandaloneSSE: true}, nil
	}
}

func (e *benchEnv) configs() []config {
	base := []string{"HOME=" + e.home, "PATH=" + os.Getenv("PATH")}
	echoEnv := append(append([]string{}, base...), echoserver.EnvServe+"=1")
	pb := e.patchbayEnv()
	cs := []config{
		{name: "direct-stdio (everything)", group: "everything", transport: e.cmdTransport(e.node, []string{e.everything, "stdio"}, base)},
		{name: "go-echo-stdio", group: "go-echo", transport: e.cmdTransport(e.self, nil, echoEnv)},
		{name: "direct-http (everything)", group: "everything", transport: httpTransport(e.everythingURL)},
		{name: "go-echo-http", group: "go-echo", transport: httpTransport(e.echoURL)},
		{name: "patchbay shim → everything (stdio)", group: "everything", shim: true, transport: e.cmdTransport(e.patchbay, []string{"shim", "everything"}, pb)},
		{name: "patchbay shim → go-echo (stdio)", group: "go-echo", shim: true, transport: e.cmdTransport(e.patchbay, []string{"shim", "echo"}, pb)},
		{name: "patchbay shim → everything (http)", group: "everything", shim: true, transport: e.cmdTransport(e.patchbay, []string{"shim", "everything-http"}, pb)},
		{name: "patchbay shim → go-echo (http)", group: "go-echo", shim: true, transport: e.cmdTransport(e.patchbay, []string{"shim", "echo-http"}, pb)},
	}
	if !*flagNoPeers {
		mr := append(append([]string{}, base...), "MCP_REMOTE_CONFIG_DIR="+filepath.Join(e.work, "mcp-auth"))
		cs = append(cs,
			config{name: "mcp-remote → everything (http)", group: "everything", transport: e.cmdTransport(e.node, []string{e.mcpRemote, e.everythingURL}, mr)},
			config{name: "supergateway → everything (http)", group: "everything", transport: e.cmdTransport(e.node, []string{e.supergateway, "--streamableHttp", e.everythingURL, "--logLevel", "none"}, base)},
			config{name: "mcp-remote → go-echo (http)", group: "go-echo", transport: e.cmdTransport(e.node, []string{e.mcpRemote, e.echoURL}, mr)},
			config{name: "supergateway → go-echo (http)", group: "go-echo", transport: e.cmdTransport(e.node, []string{e.supergateway, "--streamableHttp", e.echoURL, "--logLevel", "none"}, base)},
		)
	}
	return cs
}

// memKB reads a field (VmRSS, VmHWM) of /proc/PID/status in KiB; 0 where there is no /proc.
func memKB(pid int, field string) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				n, _ := strconv.Atoi(f[1])
				return n
			}
		}
	}
	return 0
}
