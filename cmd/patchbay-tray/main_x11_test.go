//go:build linux && !ci

package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// closeX11Window asks window wid on DISPLAY to close as a window manager's close button
// does: a WM_PROTOCOLS/WM_DELETE_WINDOW client message. Xvfb runs no window manager and
// xdotool (Debian 12's) cannot send one, so this speaks the few X11 requests it needs:
// connection set-up (MIT-MAGIC-COOKIE-1 from XAUTHORITY when there is one), InternAtom,
// SendEvent, and GetInputFocus as a round trip that proves the event was delivered.
func closeX11Window(display string, wid uint32) error {
	num, err := displayNumber(display)
	if err != nil {
		return err
	}
	conn, err := net.DialTimeout("unix", "/tmp/.X11-unix/X"+num, 5*time.Second)
	if err != nil {
		return fmt.Errorf("connecting to X display %s: %w", display, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))

	authName, authData := xauthCookie(num)
	setup := []byte{'l', 0, 11, 0, 0, 0}
	setup = binary.LittleEndian.AppendUint16(setup, uint16(len(authName)))
	setup = binary.LittleEndian.AppendUint16(setup, uint16(len(authData)))
	setup = append(setup, 0, 0)
	setup = append(setup, pad4([]byte(authName))...)
	setup = append(setup, pad4(authData)...)
	if _, err := conn.Write(setup); err != nil {
		return err
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(conn, head); err != nil {
		return fmt.Errorf("reading X set-up reply: %w", err)
	}
	rest := make([]byte, 4*int(binary.LittleEndian.Uint16(head[6:])))
	if _, err := io.ReadFull(conn, rest); err != nil {
		return fmt.Errorf("reading X set-up reply: %w", err)
	}
	if head[0] != 1 {
		return fmt.Errorf("X server refused the connection: %q", bytes.TrimRight(rest, "\x00"))
	}

	atom := func(name string) (uint32, error) {
		req := []byte{16, 0} // InternAtom, only-if-exists = false
		req = binary.LittleEndian.AppendUint16(req, uint16(2+(len(name)+3)/4))
		req = binary.LittleEndian.AppendUint16(req, uint16(len(name)))
		req = append(req, 0, 0)
		req = append(req, pad4([]byte(name))...)
		reply, err := xRoundTrip(conn, req)
		if err != nil {
			return 0, fmt.Errorf("InternAtom %s: %w", name, err)
		}
		return binary.LittleEndian.Uint32(reply[8:]), nil
	}
	protocols, err := atom("WM_PROTOCOLS")
	if err != nil {
		return err
	}
	deleteWindow, err := atom("WM_DELETE_WINDOW")
	if err != nil {
		return err
	}

	ev := make([]byte, 32)
	ev[0] = 33 // ClientMessage
	ev[1] = 32 // format: 32-bit data
	binary.LittleEndian.PutUint32(ev[4:], wid)
	binary.LittleEndian.PutUint32(ev[8:], protocols)
	binary.LittleEndian.PutUint32(ev[12:], deleteWindow)
	req := []byte{25, 0, 11, 0} // SendEvent, propagate = false, 11 words
	req = binary.LittleEndian.AppendUint32(req, wid)
	req = binary.LittleEndian.AppendUint32(req, 0) // event mask 0: to the window's owner
	req = append(req, ev...)
	if _, err := conn.Write(req); err != nil {
		return err
	}
	// GetInputFocus: its reply comes after any error for the SendEvent above.
	if _, err := xRoundTrip(conn, []byte{43, 0, 1, 0}); err != nil {
		return fmt.Errorf("SendEvent: %w", err)
	}
	return nil
}

// xRoundTrip writes a request and reads its 32-byte reply, skipping events; an X error
// (the request's or an earlier one's) is returned as an error.
func xRoundTrip(conn net.Conn, req []byte) ([]byte, error) {
	if _, err := conn.Write(req); err != nil {
		return nil, err
	}
	for range 100 {
		msg := make([]byte, 32)
		if _, err := io.ReadFull(conn, msg); err != nil {
			return nil, err
		}
		switch msg[0] {
		case 0:
			return nil, fmt.Errorf("X error code %d", msg[1])
		case 1:
			extra := make([]byte, 4*int(binary.LittleEndian.Uint32(msg[4:])))
			if _, err := io.ReadFull(conn, extra); err != nil {
				return nil, err
			}
			return msg, nil
		}
	}
	return nil, errors.New("no reply among 100 X events")
}

// displayNumber returns N from a local DISPLAY ":N" or ":N.S".
func displayNumber(display string) (string, error) {
	num, ok := strings.CutPrefix(display, ":")
	if !ok {
		return "", fmt.Errorf("DISPLAY %q is not a local display", display)
	}
	num, _, _ = strings.Cut(num, ".")
	if _, err := strconv.Atoi(num); err != nil {
		return "", fmt.Errorf("DISPLAY %q: %w", display, err)
	}
	return num, nil
}

// xauthCookie finds the MIT-MAGIC-COOKIE-1 for display number num in XAUTHORITY (or
// ~/.Xauthority); none means an X server that wants no authorisation.
func xauthCookie(num string) (name string, data []byte) {
	path := os.Getenv("XAUTHORITY")
	if path == "" {
		home, _ := os.UserHomeDir()
		path = filepath.Join(home, ".Xauthority")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", nil
	}
	field := func() ([]byte, bool) {
		if len(raw) < 2 {
			return nil, false
		}
		n := int(binary.BigEndian.Uint16(raw))
		if len(raw) < 2+n {
			return nil, false
		}
		f := raw[2 : 2+n]
		raw = raw[2+n:]
		return f, true
	}
	for len(raw) >= 2 {
		raw = raw[2:] // family
		_, ok1 := field()
		number, ok2 := field()
		authName, ok3 := field()
		authData, ok4 := field()
		if !ok1 || !ok2 || !ok3 || !ok4 {
			break
		}
		if string(number) == num && string(authName) == "MIT-MAGIC-COOKIE-1" {
			return string(authName), authData
		}
	}
	return "", nil
}

func pad4(b []byte) []byte {
	return append(b, make([]byte, (4-len(b)%4)%4)...)
}
