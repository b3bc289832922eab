package bridge

import (
	"runtime/debug"
	"testing"
)

func TestTuneGCRespectsTheUser(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	if gc, lim := tuneGC(); gc != bridgeGCPercent || lim != bridgeMemoryLimit {
		t.Fatalf("tuneGC() = %d, %d", gc, lim)
	}
	if got := debug.SetGCPercent(100); got != bridgeGCPercent {
		t.Fatalf("GC percent in force = %d, want %d", got, bridgeGCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != bridgeMemoryLimit {
		t.Fatalf("memory limit in force = %d, want %d", got, bridgeMemoryLimit)
	}

	t.Setenv("GOGC", "50")
	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetGCPercent(50)
	if gc, lim := tuneGC(); gc != -1 || lim != -1 {
		t.Fatalf("tuneGC() overrode the user's GOGC/GOMEMLIMIT: %d, %d", gc, lim)
	}
	if got := debug.SetGCPercent(100); got != 50 {
		t.Fatalf("GC percent in force = %d, want the user's 50", got)
	}
}
