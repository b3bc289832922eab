//go:build !windows

package stdio

import "syscall"

// alive reports whether a process with this pid exists (a zombie counts).
func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }
