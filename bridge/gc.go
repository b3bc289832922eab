package bridge

import (
	"os"
	"runtime/debug"
)

// GC pacing for the bridge process. go-sdk decodes every message with fresh buffers (a
// 32 KiB one per message, and the relay ends MCP on both sides), so at the default GOGC=100
// the collector and the clearing of those buffers dominate the bridge's CPU profile. A larger
// GOGC lets the heap grow further between collections, which cut the shim's added p50 by
// about a third in `go run ./bench/spine`; the soft memory limit makes the collector run
// early again when large messages (up to 16 MiB) push the heap up, so memory stays bounded.
const (
	bridgeGCPercent   = 400
	bridgeMemoryLimit = 256 << 20
)

// tuneGC applies the bridge's GC pacing, unless the user set GOGC or GOMEMLIMIT themselves.
// It returns what it set, for the bridge's startup log.
func tuneGC() (gcPercent int, memLimit int64) {
	gcPercent, memLimit = -1, -1
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(bridgeGCPercent)
		gcPercent = bridgeGCPercent
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(bridgeMemoryLimit)
		memLimit = bridgeMemoryLimit
	}
	return gcPercent, memLimit
}
