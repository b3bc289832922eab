//go:build unix

// Command hops measures the floor of Patchbay's process topology: what a tool call's round
// trip costs when nothing is processed, only forwarded. It times one JSON-RPC-sized line
// echoed back, first client ⇄ echo child directly, then client ⇄ "shim" process ⇄ unix
// socket ⇄ "bridge" process ⇄ echo child, where shim and bridge only copy bytes, and then
// with the handover ("passfd": the shim passes its stdin and stdout to the bridge, which
// copies between them and the child, as patchbay does on Linux). The differences are the
// cost of the extra process hops alone, to set beside `go run ./bench/spine`.
//
//	go run ./bench/hops [-calls N]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

const line = `{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}` + "\n"

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "echo":
			echo()
			return
		case "bridge":
			forwardBridge(os.Args[2])
			return
		case "shim":
			forwardShim(os.Args[2])
			return
		case "passbridge":
			passBridge(os.Args[2])
			return
		case "passshim":
			passShim(os.Args[2])
			return
		}
	}
	calls := flag.Int("calls", 5000, "timed round trips per topology (after 200 warm-up ones)")
	flag.Parse()
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hops:", err)
		os.Exit(1)
	}
	fmt.Printf("| topology | p50 µs | p90 µs |\n|---|---|---|\n")
	for _, topo := range []string{"direct", "shim+bridge", "passfd", "direct", "shim+bridge", "passfd"} {
		p50, p90, err := measure(self, topo, *calls)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hops:", err)
			os.Exit(1)
		}
		fmt.Printf("| %s | %.1f | %.1f |\n", topo, p50, p90)
	}
}

// measure runs one topology and returns its p50 and p90 round trip in µs.
func measure(self, topo string, calls int) (p50, p90 float64, err error) {
	cmd := exec.Command(self, "echo")
	if topo != "direct" {
		dir, err := os.MkdirTemp("", "hops")
		if err != nil {
			return 0, 0, err
		}
		defer os.RemoveAll(dir)
		sock := filepath.Join(dir, "s")
		bv, sv := "bridge", "shim"
		if topo == "passfd" {
			bv, sv = "passbridge", "passshim"
		}
		bridge := exec.Command(self, bv, sock)
		ready, err := bridge.StdoutPipe()
		if err != nil {
			return 0, 0, err
		}
		if err := bridge.Start(); err != nil {
			return 0, 0, err
		}
		defer stop(bridge) // after the shim below: it ends once the shim has
		if _, err := bufio.NewReader(ready).ReadString('\n'); err != nil {
			return 0, 0, fmt.Errorf("bridge did not start: %w", err)
		}
		cmd = exec.Command(self, sv, sock)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return 0, 0, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer stop(cmd)
	defer in.Close() // first: end of input ends the echo child, the shim and the bridge
	r := bufio.NewReader(out)
	lat := make([]time.Duration, 0, calls)
	for i := range calls + 200 {
		t := time.Now()
		if _, err := io.WriteString(in, line); err != nil {
			return 0, 0, err
		}
		if _, err := r.ReadBytes('\n'); err != nil {
			return 0, 0, fmt.Errorf("%s: reading the echo: %w", topo, err)
		}
		if i >= 200 {
			lat = append(lat, time.Since(t))
		}
	}
	slices.Sort(lat)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	return us(lat[len(lat)/2]), us(lat[len(lat)*9/10]), nil
}

// stop waits up to 5 s for cmd to exit (its input has ended), then kills it.
func stop(cmd *exec.Cmd) {
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// echo writes every line of stdin back to stdout.
func echo() {
	r := bufio.NewReader(os.Stdin)
	for {
		l, err := r.ReadBytes('\n')
		if err != nil {
			return
		}
		if _, err := os.Stdout.Write(l); err != nil {
			return
		}
	}
}

// forwardBridge listens on sock, says "ready", and for its one connection runs an echo child
// and copies bytes both ways, like the bridge with no processing; it ends with the child.
func forwardBridge(sock string) {
	c := acceptOne(sock)
	echoThrough(c, c)
}

// echoThrough runs an echo child and copies from to its stdin and its stdout to to, until
// the child ends.
func echoThrough(from io.Reader, to io.Writer) {
	self, _ := os.Executable()
	child := exec.Command(self, "echo")
	in, _ := child.StdinPipe()
	out, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		os.Exit(1)
	}
	go func() { _, _ = io.Copy(in, from); in.Close() }()
	_, _ = io.Copy(to, out)
	_ = child.Wait()
}

// forwardShim copies stdin to the socket and the socket to stdout, like the shim with no
// processing; the end of stdin is passed on as the end of the socket's write side.
func forwardShim(sock string) {
	c := dial(sock)
	go func() { _, _ = io.Copy(c, os.Stdin); _ = c.(*net.UnixConn).CloseWrite() }()
	_, _ = io.Copy(os.Stdout, c)
}

// passShim hands its stdin and stdout to the bridge over the socket (SCM_RIGHTS) and waits
// until the bridge closes the socket: the shim out of the data path.
func passShim(sock string) {
	c := dial(sock)
	if _, _, err := c.(*net.UnixConn).WriteMsgUnix([]byte{1}, syscall.UnixRights(0, 1), nil); err != nil {
		fmt.Fprintln(os.Stderr, "hops shim:", err)
		os.Exit(1)
	}
	_, _ = io.Copy(io.Discard, c)
}

// passBridge is forwardBridge for passShim: it copies between the files it was handed and
// the echo child, and closes the socket when the child ends.
func passBridge(sock string) {
	c := acceptOne(sock)
	buf, oob := make([]byte, 1), make([]byte, syscall.CmsgSpace(8))
	_, oobn, _, _, err := c.(*net.UnixConn).ReadMsgUnix(buf, oob)
	if err != nil {
		os.Exit(1)
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		os.Exit(1)
	}
	fds, err := syscall.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 2 {
		os.Exit(1)
	}
	echoThrough(os.NewFile(uintptr(fds[0]), "client-in"), os.NewFile(uintptr(fds[1]), "client-out"))
	c.Close()
}

// acceptOne listens on sock, says "ready" on stdout, and returns the one connection.
func acceptOne(sock string) net.Conn {
	ln, err := net.Listen("unix", sock)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hops bridge:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	c, err := ln.Accept()
	if err != nil {
		os.Exit(1)
	}
	return c
}

// dial connects to the bridge at sock.
func dial(sock string) net.Conn {
	c, err := net.Dial("unix", sock)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hops shim:", err)
		os.Exit(1)
	}
	return c
}
