//go:build linux

package app

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestProbeXLocalDisplay(t *testing.T) {
	// An X server listens on the abstract socket @/tmp/.X11-unix/X<n>; play one on a
	// display number nobody uses.
	n := 7000 + time.Now().Nanosecond()%1000
	l, err := net.Listen("unix", "@/tmp/.X11-unix/X"+strconv.Itoa(n))
	if err != nil {
		t.Fatal(err)
	}
	display := ":" + strconv.Itoa(n) + ".0"
	if err := probeX(display, time.Second); err != nil {
		t.Errorf("probeX(%q) with a listening server: %v", display, err)
	}
	l.Close()
	if err := probeX(display, time.Second); err == nil || !strings.Contains(err.Error(), "no X server answers") {
		t.Errorf("probeX(%q) with no server: %v, want an error", display, err)
	}
}

func TestProbeXTCPDisplay(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if port <= 6000 {
		l.Close()
		t.Skipf("ephemeral port %d is below X's 6000 base", port)
	}
	display := "127.0.0.1:" + strconv.Itoa(port-6000)
	if err := probeX(display, time.Second); err != nil {
		t.Errorf("probeX(%q) with a listening server: %v", display, err)
	}
	l.Close()
	if err := probeX(display, time.Second); err == nil {
		t.Errorf("probeX(%q) with no server: nil, want an error", display)
	}
}

func TestProbeXLeavesUnknownFormsToX(t *testing.T) {
	for _, d := range []string{"/private/tmp/com.apple.launchd.x/org.xquartz:0", "weird", ":x"} {
		if err := probeX(d, time.Second); err != nil {
			t.Errorf("probeX(%q) = %v, want nil (not ours to judge)", d, err)
		}
	}
}

func TestDisplayProblemWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	if got := displayProblem(); got != noDisplay {
		t.Errorf("displayProblem() = %q, want %q (this build is X11-only)", got, noDisplay)
	}
}
