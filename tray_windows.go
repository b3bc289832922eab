//go:build windows

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// execTray runs tray with this process's standard streams and environment, waits for it and
// returns its exit code: Windows has no exec that keeps the process.
func execTray(tray string, args []string) int {
	cmd := exec.Command(tray, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "starting Patchbay's tray %s: %v\n", tray, err)
		return 1
	}
	return 0
}
