//go:build linux || freebsd || openbsd || netbsd

package app

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// noDisplay is what a user sees when `patchbay` is started outside a desktop session.
const noDisplay = "Patchbay's tray needs a desktop session (no DISPLAY). Headless use: `patchbay help`."

// displayProblem says why the GUI cannot start here, or "" when it can. Fyne's X11 driver
// panics when there is no display, so this runs before Fyne starts: no DISPLAY (Wayland
// alone is not enough, as Fyne is built for X11 unless built with -tags wayland), or a
// DISPLAY whose X server does not answer.
func displayProblem() string {
	d := os.Getenv("DISPLAY")
	if d == "" {
		if waylandBuild && os.Getenv("WAYLAND_DISPLAY") != "" {
			return ""
		}
		return noDisplay
	}
	if err := probeX(d, 2*time.Second); err != nil {
		return fmt.Sprintf("Patchbay cannot reach the display %s (%v). Start it from your desktop session; headless use: `patchbay help`.", d, err)
	}
	return ""
}

// probeX connects to the X server named by display ("[host]:N[.S]") and hangs up, so that an
// unreachable one gives an error instead of a GLFW panic. A display it cannot parse is left
// for the X library to judge (nil).
func probeX(display string, timeout time.Duration) error {
	colon := strings.LastIndexByte(display, ':')
	if colon < 0 || strings.HasPrefix(display, "/") {
		return nil
	}
	host, num := display[:colon], display[colon+1:]
	if dot := strings.IndexByte(num, '.'); dot >= 0 {
		num = num[:dot]
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return nil
	}
	var addrs [][2]string
	if host == "" || host == "unix" {
		sock := "/tmp/.X11-unix/X" + strconv.Itoa(n)
		addrs = [][2]string{{"unix", "@" + sock}, {"unix", sock}}
	} else {
		addrs = [][2]string{{"tcp", net.JoinHostPort(host, strconv.Itoa(6000+n))}}
	}
	var first error
	for _, a := range addrs {
		c, err := net.DialTimeout(a[0], a[1], timeout)
		if err == nil {
			c.Close()
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return fmt.Errorf("no X server answers: %w", first)
}
