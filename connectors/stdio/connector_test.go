package stdio

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/stdio/stdiotest"
)

func TestMain(m *testing.M) {
	stdiotest.MaybeServe()
	stopGrace, termGrace = 300*time.Millisecond, 300*time.Millisecond
	os.Exit(m.Run())
}

// logs collects Hooks.Log lines.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) hooks() connectors.Hooks {
	return connectors.Hooks{Log: func(level, msg string) {
		l.mu.Lock()
		l.lines = append(l.lines, level+" "+msg)
		l.mu.Unlock()
	}}
}

func (l *logs) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// waitFor polls cond for up to 10 s (a hang detector, not a speed check).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func settingsNoSpare(t *testing.T, env map[string]string, secretEnv ...string) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(stdiotest.Settings(env, secretEnv...), &m); err != nil {
		t.Fatal(err)
	}
	m["warm_spare"] = false
	b, _ := json.Marshal(m)
	return b
}

func connect(t *testing.T, c *Connector) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tr, err := c.Transport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t"}, nil).Connect(ctx, tr, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func callText(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		return "", err
	}
	if len(res.Content) == 0 {
		return "", nil
	}
	return res.Content[0].(*mcp.TextContent).Text, nil
}

func TestEchoAndStderrToLog(t *testing.T) {
	var l logs
	c, err := New("t", settingsNoSpare(t, nil), nil, l.hooks())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cs := connect(t, c)
	got, err := callText(t, cs, "echo", map[string]any{"text": "hi"})
	if err != nil || got != "hi" {
		t.Fatalf("echo = %q, %v", got, err)
	}
	if _, err := callText(t, cs, "stderr", map[string]any{"text": "a diagnostic line"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "stderr lines in the log", func() bool {
		s := l.all()
		return strings.Contains(s, "info stderr: test-everything ready") && strings.Contains(s, "stderr: a diagnostic line")
	})
}

func TestSecretEnvFromKeychainAndScrubbed(t *testing.T) {
	const secret = "ntn_s3cretvalue1234567890"
	store := &keychain.Memory{}
	if err := store.Set(context.Background(), keychain.Key("notion", "env/NOTION_TOKEN"), secret); err != nil {
		t.Fatal(err)
	}
	var l logs
	c, err := New("notion", settingsNoSpare(t, nil, "NOTION_TOKEN"), store, l.hooks())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cs := connect(t, c)
	got, err := callText(t, cs, "env", map[string]any{"name": "NOTION_TOKEN"})
	if err != nil || got != secret {
		t.Fatalf("child's NOTION_TOKEN: got a value of %d bytes, err %v; want the keychain's", len(got), err)
	}
	if _, err := callText(t, cs, "stderr", map[string]any{"text": "token is " + secret}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the echoed line", func() bool { return strings.Contains(l.all(), "token is [redacted]") })
	if strings.Contains(l.all(), secret) {
		t.Fatal("the secret reached the log")
	}
}

func TestSecretMissingSaysWhatToDo(t *testing.T) {
	c, err := New("notion", settingsNoSpare(t, nil, "NOTION_TOKEN"), &keychain.Memory{}, connectors.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Transport(context.Background())
	if !errors.Is(err, ErrSecretMissing) {
		t.Fatalf("err = %v, want ErrSecretMissing", err)
	}
	for _, want := range []string{`"notion/env/NOTION_TOKEN"`, "patchbay add stdio notion --secret-env NOTION_TOKEN"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestCommandNotFound(t *testing.T) {
	c, err := New("x", json.RawMessage(`{"command":"patchbay-no-such-command","env":{"PATH":"/nonexistent-dir"}}`), nil, connectors.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Transport(context.Background())
	if !errors.Is(err, ErrCommandNotFound) {
		t.Fatalf("err = %v, want ErrCommandNotFound", err)
	}
	for _, want := range []string{"patchbay-no-such-command", "/nonexistent-dir", "full path"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestBadSettings(t *testing.T) {
	for _, s := range []string{`{`, `{"command":""}`, `{"command":"x","secret_env":["A=B"]}`} {
		if _, err := New("x", json.RawMessage(s), &keychain.Memory{}, connectors.Hooks{}); err == nil {
			t.Errorf("New(%s) succeeded", s)
		}
	}
}

func TestChildExitsAtOnce(t *testing.T) {
	c, err := New("x", settingsNoSpare(t, map[string]string{"PATCHBAY_STDIOTEST_EXIT_AT_ONCE": "1"}), nil, connectors.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tr, err := c.Transport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = mcp.NewClient(&mcp.Implementation{Name: "t"}, nil).Connect(ctx, tr, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err == nil {
		t.Fatal("connect succeeded")
	}
	if ctx.Err() != nil {
		t.Fatal("connect hung until the deadline")
	}
	for _, want := range []string{"exit status 2", "refusing to start"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestCrashMidCallFailsTheCall(t *testing.T) {
	c, err := New("x", settingsNoSpare(t, nil), nil, connectors.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cs := connect(t, c)
	start := time.Now()
	_, err = callText(t, cs, "crash", map[string]any{"code": 3})
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "crashing on purpose") {
		t.Fatalf("err = %v, want the exit status and stderr", err)
	}
	t.Logf("call failed %v after the crash request", time.Since(start))
	if err := cs.Wait(); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("Wait = %v", err)
	}
}

func TestStagedStopKillsTheGroup(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("process groups are unix-only")
	}
	// A child that ignores stdin closing and SIGTERM, with a grandchild: only SIGKILL to
	// the group ends both.
	var l logs
	script := `trap '' TERM; sleep 300 & echo "grandchild $!" >&2; while :; do sleep 1; done`
	set, _ := json.Marshal(map[string]any{"command": "sh", "args": []string{"-c", script}, "warm_spare": false})
	c, err := New("x", set, nil, l.hooks())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tr, err := c.Transport(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := tr.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var grandchild int
	waitFor(t, "the grandchild's pid", func() bool {
		for _, line := range strings.Split(l.all(), "\n") {
			if _, p, ok := strings.Cut(line, "grandchild "); ok {
				grandchild, _ = strconv.Atoi(p)
			}
		}
		return grandchild > 0
	})
	ch := conn.(*Conn)
	_ = ch.Close()
	if alive(grandchild) {
		// It may be a zombie for a moment until init reaps it; give it a bounded while.
		waitFor(t, "the grandchild to go", func() bool { return !alive(grandchild) || isZombie(grandchild) })
	}
}

func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return strings.HasPrefix(rest, "Z")
}

func TestWarmSpare(t *testing.T) {
	c, err := New("x", stdiotest.Settings(nil), nil, connectors.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	first := connect(t, c)
	if _, err := callText(t, first, "echo", map[string]any{"text": "a"}); err != nil {
		t.Fatal(err)
	}
	var sparePid int
	waitFor(t, "a warm spare", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.spare != nil {
			sparePid = c.spare.cmd.Process.Pid
		}
		return sparePid != 0
	})
	second := connect(t, c)
	got, err := callText(t, second, "pid", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got != strconv.Itoa(sparePid) {
		t.Fatalf("second session's server pid = %s, want the spare's %d", got, sparePid)
	}
	// Taking the spare made another; Close must stop it.
	var next int
	waitFor(t, "a new spare", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.spare != nil {
			next = c.spare.cmd.Process.Pid
		}
		return next != 0
	})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if alive(next) && !isZombie(next) {
		t.Fatalf("spare %d still running after Close", next)
	}
	if _, err := c.Transport(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Transport after Close: %v", err)
	}
}

func TestLookPathUsesChildPath(t *testing.T) {
	dir := t.TempDir()
	exe := dir + "/my-server"
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := lookPath("my-server", []string{"PATH=/nope:" + dir})
	if err != nil || p != exe {
		t.Fatalf("lookPath = %q, %v", p, err)
	}
	if _, err := exec.LookPath("my-server"); err == nil {
		t.Fatal("test is meaningless: my-server is on the test's own PATH")
	}
}
