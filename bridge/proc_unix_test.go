//go:build !windows

package bridge_test

import (
	"bytes"
	"fmt"
	"os"
	"syscall"
)

// alive reports whether pid is a live process: signalable and not a zombie waiting to be
// reaped by whoever adopted it.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc (macOS): trust kill
	}
	if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}
