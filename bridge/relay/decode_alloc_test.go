package relay

import (
	"runtime"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// TestDecodeMessageAllocatesLittle guards the patched JSON decoder (third_party/segmentio-
// encoding, wired in by the replace directive in go.mod): go-sdk decodes every message, and
// every params and result inside it, through a json.Decoder over a bytes.Reader, which upstream
// gives a 32 KiB buffer each time. That cost a relayed tools/call about 360 KB of garbage and
// half its latency. If the replace is dropped or the patch lost, this fails.
func TestDecodeMessageAllocatesLittle(t *testing.T) {
	msg := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}`)
	const runs = 200
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		if _, err := jsonrpc.DecodeMessage(msg); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	perMsg := (after.TotalAlloc - before.TotalAlloc) / runs
	// Patched: about 1 KB for this 100-byte message. Unpatched: over 32 KiB.
	if perMsg > 8<<10 {
		t.Fatalf("decoding a %d-byte message allocates %d bytes; want under 8 KiB (is the segmentio/encoding replace in go.mod?)", len(msg), perMsg)
	}
	t.Logf("%d bytes allocated per %d-byte message", perMsg, len(msg))
}
