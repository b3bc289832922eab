package stdio

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// tapLog records what a Tap saw.
type tapLog struct {
	mu  sync.Mutex
	got []string // "in|out nil|msg raw"
}

func (l *tapLog) tap(dir Direction, msg jsonrpc.Message, raw []byte) {
	d := "in"
	if dir == Outbound {
		d = "out"
	}
	kind := "msg"
	if msg == nil {
		kind = "nil"
	}
	l.mu.Lock()
	l.got = append(l.got, d+" "+kind+" "+string(raw))
	l.mu.Unlock()
}

func (l *tapLog) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.got...)
}

// TestInterceptConsumesLinesAndTheTapSeesThem: a consumed line is not decoded or returned
// (even if it is not JSON), the next one is; the Tap sees both, with a nil msg, each before
// the Intercept func does (a consumed request's answer may be tapped before the func
// returns); SetIntercept(nil) turns the hook off.
func TestInterceptConsumesLinesAndTheTapSeesThem(t *testing.T) {
	var log tapLog
	var mu sync.Mutex
	var seen []string
	c, _, peerW := pipeConn(t, ConnOptions{Tap: log.tap, Intercept: func(line []byte) bool {
		if !slices.Contains(log.lines(), "in nil "+string(line)) {
			t.Errorf("Intercept saw %q before the Tap did", line)
		}
		mu.Lock()
		seen = append(seen, string(line))
		mu.Unlock()
		return strings.Contains(string(line), "grab")
	}})
	go func() {
		peerW.Write([]byte("  {\"grab\": not json}  \n"))
		peerW.Write([]byte(`{"jsonrpc":"2.0","method":"ping","id":1}` + "\n"))
	}()
	m := readMsg(t, c)
	if r, ok := m.(*jsonrpc.Request); !ok || r.Method != "ping" {
		t.Fatalf("Read = %#v, want the ping", m)
	}
	mu.Lock()
	if len(seen) != 2 || seen[0] != `{"grab": not json}` {
		t.Errorf("Intercept saw %q, want the trimmed consumed line then the ping", seen)
	}
	mu.Unlock()
	got := log.lines()
	if len(got) != 2 || got[0] != `in nil {"grab": not json}` || got[1] != `in nil {"jsonrpc":"2.0","method":"ping","id":1}` {
		t.Errorf("Tap saw %q", got)
	}

	c.SetIntercept(nil)
	go peerW.Write([]byte(`{"jsonrpc":"2.0","method":"grab","id":2}` + "\n"))
	if r, ok := readMsg(t, c).(*jsonrpc.Request); !ok || r.Method != "grab" {
		t.Errorf("after SetIntercept(nil) the line was not returned")
	}
}

// TestWriteLineWritesOneLineAndTaps: WriteLine adds the newline, and the Tap sees the raw
// line with a nil msg.
func TestWriteLineWritesOneLineAndTaps(t *testing.T) {
	var log tapLog
	c, peerR, _ := pipeConn(t, ConnOptions{Tap: log.tap})
	raw := `{"jsonrpc":"2.0","id":"x","result":{}}`
	errc := make(chan error, 1)
	go func() { errc <- c.WriteLine([]byte(raw)) }()
	line, err := peerR.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if line != raw+"\n" {
		t.Errorf("peer read %q, want %q", line, raw+"\n")
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if got := log.lines(); len(got) != 1 || got[0] != "out nil "+raw {
		t.Errorf("Tap saw %q", got)
	}
}

// TestInterceptGetsTheErrorForAnOversizedResponse: an oversized response is offered to
// Intercept as the error response the Conn makes of it; if consumed, Read does not return it.
func TestInterceptGetsTheErrorForAnOversizedResponse(t *testing.T) {
	var got []string
	var mu sync.Mutex
	c, _, peerW := pipeConn(t, ConnOptions{MaxMessageBytes: 100, Intercept: func(line []byte) bool {
		mu.Lock()
		got = append(got, string(line))
		mu.Unlock()
		return strings.Contains(string(line), `"lane-1"`)
	}})
	go func() {
		peerW.Write([]byte(`{"jsonrpc":"2.0","id":"lane-1","result":{"x":"` + strings.Repeat("a", 500) + `"}}` + "\n"))
		peerW.Write([]byte(`{"jsonrpc":"2.0","id":3,"result":{"x":"` + strings.Repeat("a", 500) + `"}}` + "\n"))
	}()
	r, ok := readMsg(t, c).(*jsonrpc.Response)
	if !ok || r.ID.Raw() != int64(3) || r.Error == nil {
		t.Fatalf("Read = %#v, want the error response for id 3", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || !strings.Contains(got[0], `"id":"lane-1"`) || !strings.Contains(got[0], "exceeds the 100-byte limit") {
		t.Errorf("Intercept saw %q", got)
	}
}
