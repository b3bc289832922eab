package stdio

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// child is one running server process and the Conn over its stdin/stdout.
type child struct {
	name    string // connection name, for messages
	label   string // the command as the user typed it, for messages
	cmd     *exec.Cmd
	stdin   *os.File // our end of the child's stdin
	stdout  *os.File // our end of the child's stdout
	conn    *Conn
	secrets []string // values to scrub from stderr lines

	done    chan struct{} // closed once the process has exited and waitErr is set
	waitErr error

	tailMu sync.Mutex // guards tail
	tail   []string   // the last few stderr lines, for error messages

	stopOnce sync.Once
	stopErr  error
}

const stderrTailLines = 5

// spawn starts a child for c.
func (c *Connector) spawn(ctx context.Context) (*child, error) {
	env, secrets, err := c.environ(ctx)
	if err != nil {
		return nil, err
	}
	path, err := lookPath(c.settings.Command, env)
	if err != nil {
		return nil, fmt.Errorf("stdio connection %q: %w", c.name, err)
	}
	cmd := &exec.Cmd{
		Path: path,
		Args: append([]string{c.settings.Command}, c.settings.Args...),
		Env:  env,
		Dir:  c.settings.Cwd,
		// Our pipes are *os.File, so exec starts no copying goroutines; WaitDelay still
		// bounds Wait should that ever change.
		WaitDelay: time.Second,
	}
	newProcessGroup(cmd)

	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("creating stdin pipe: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW)
		return nil, fmt.Errorf("creating stdout pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW, outR, outW)
		return nil, fmt.Errorf("creating stderr pipe: %w", err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	if err := cmd.Start(); err != nil {
		closeAll(inR, inW, outR, outW, errR, errW)
		return nil, fmt.Errorf("stdio connection %q: starting %s: %w", c.name, c.settings.Command, err)
	}
	closeAll(inR, outW, errW) // the child holds these now

	ch := &child{
		name:    c.name,
		label:   c.settings.Command,
		cmd:     cmd,
		stdin:   inW,
		stdout:  outR,
		secrets: secrets,
		done:    make(chan struct{}),
	}
	ch.conn = NewConn(outR, inW, ch.stop, ConnOptions{
		OnBadInput:        func(desc string) { c.hooks.LogLine("warn", "stdout: "+desc) },
		DecorateReadError: ch.readError,
	})
	stderrDone := make(chan struct{})
	go func() {
		defer close(stderrDone)
		ch.pumpStderr(errR, c.hooks.LogLine)
	}()
	go func() {
		err := cmd.Wait()
		// Let the stderr pump finish (bounded: a grandchild may hold the pipe), so that
		// the tail is complete when the exit is reported.
		select {
		case <-stderrDone:
		case <-time.After(200 * time.Millisecond):
		}
		ch.waitErr = err
		close(ch.done)
		// The server is gone: anything it started is of no use, and a grandchild holding
		// stdout open would keep the session from seeing the exit.
		_ = killGroup(cmd)
		_ = errR.Close()
	}()
	return ch, nil
}

func closeAll(fs ...*os.File) {
	for _, f := range fs {
		_ = f.Close()
	}
}

// exited reports whether the process has exited.
func (ch *child) exited() bool {
	select {
	case <-ch.done:
		return true
	default:
		return false
	}
}

// pumpStderr sends each stderr line, with secrets scrubbed, to log, and keeps the last few.
func (ch *child) pumpStderr(r io.Reader, log func(level, msg string)) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := ch.scrub(strings.TrimRight(sc.Text(), "\r"))
		if line == "" {
			continue
		}
		ch.tailMu.Lock()
		ch.tail = append(ch.tail, line)
		if len(ch.tail) > stderrTailLines {
			ch.tail = ch.tail[len(ch.tail)-stderrTailLines:]
		}
		ch.tailMu.Unlock()
		log("info", "stderr: "+line)
	}
	if err := sc.Err(); err != nil && !errors.Is(err, os.ErrClosed) {
		// A line longer than the scanner's buffer: report and drain the rest silently so
		// the child never blocks writing to stderr.
		log("warn", "stderr: "+err.Error())
		_, _ = io.Copy(io.Discard, r)
	}
}

// scrub replaces any secret value that the child echoes with a placeholder.
func (ch *child) scrub(s string) string {
	for _, v := range ch.secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return s
}

// ExitError says that a child ended: its exit status and the last lines it wrote to stderr.
type ExitError struct {
	Connection string
	Command    string
	Err        error    // from exec.Cmd.Wait, nil for a clean exit; nil too if still running
	Stderr     []string // last stderr lines, secrets scrubbed
}

func (e *ExitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (stdio connection %q) ", e.Command, e.Connection)
	switch {
	case e.Err != nil:
		fmt.Fprintf(&b, "exited: %v", e.Err)
	default:
		b.WriteString("closed its stdout")
	}
	if len(e.Stderr) > 0 {
		fmt.Fprintf(&b, "; its stderr ended with: %s", strings.Join(e.Stderr, " | "))
	}
	return b.String()
}

func (e *ExitError) Unwrap() error { return e.Err }

// readError turns the end of stdout into an *ExitError, waiting briefly for the exit status.
func (ch *child) readError(err error) error {
	if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
		return err
	}
	select {
	case <-ch.done:
	case <-time.After(500 * time.Millisecond):
	}
	e := &ExitError{Connection: ch.name, Command: ch.label}
	if ch.exited() {
		e.Err = ch.waitErr
		if e.Err == nil {
			e.Err = errors.New("exit status 0")
		}
	}
	ch.tailMu.Lock()
	e.Stderr = append([]string(nil), ch.tail...)
	ch.tailMu.Unlock()
	return e
}

// stop ends the child in stages and releases the pipes. Idempotent; it returns nil when
// the child exited, whether by itself or by our signals.
func (ch *child) stop() error {
	ch.stopOnce.Do(func() { ch.stopErr = ch.stopStaged() })
	return ch.stopErr
}

func (ch *child) stopStaged() error {
	defer closeAll(ch.stdout) // unblocks a pending Read
	// MCP's stdio shutdown: first close the child's stdin; a well-behaved server exits.
	_ = ch.stdin.Close()
	if ch.waitDone(stopGrace) {
		return nil
	}
	// Then ask the whole group to stop: npx-style launchers leave grandchildren behind.
	if terminateGroup(ch.cmd) == nil && ch.waitDone(termGrace) {
		return nil
	}
	// Finally kill the group.
	_ = killGroup(ch.cmd)
	if ch.waitDone(2 * time.Second) {
		return nil
	}
	return fmt.Errorf("%s (stdio connection %q) did not exit after SIGKILL", ch.label, ch.name)
}

func (ch *child) waitDone(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch.done:
		return true
	case <-t.C:
		return false
	}
}
