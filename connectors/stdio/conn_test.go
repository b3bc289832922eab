package stdio

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

func TestIDScanner(t *testing.T) {
	big := strings.Repeat("y", 5000)
	for _, tc := range []struct {
		in        string
		id        any // nil: none
		method    string
		hasMethod bool
	}{
		{`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"a":"` + big + `"}}`, int64(7), "tools/call", true},
		{`{"method":"tools/call","params":{"id":1,"x":["}",{"id":2}]},"jsonrpc":"2.0","id":"abc"}`, "abc", "tools/call", true},
		{`{"jsonrpc":"2.0","result":{"content":[{"text":"` + big + `\"id\":9"}]},"id":42}`, int64(42), "", false},
		{`{"jsonrpc":"2.0","method":"notifications/progress","params":{"id":3}}`, nil, "notifications/progress", true},
		{`{"id" : 5 , "result":{}}`, int64(5), "", false},
		{`[{"id":1}]`, nil, "", false},
		{`{"id":{"x":1},"method":"m"}`, nil, "m", true},
	} {
		for _, chunk := range []int{1, 7, 1 << 20} { // fed in pieces of various sizes
			sc := &idScanner{}
			for i := 0; i < len(tc.in); i += chunk {
				sc.feed([]byte(tc.in[i:min(i+chunk, len(tc.in))]))
			}
			o := sc.result(len(tc.in))
			if (tc.id == nil) == o.hasID || (o.hasID && o.id.Raw() != tc.id) {
				t.Errorf("%.60s (chunk %d): id = %v (has %v), want %v", tc.in, chunk, o.id.Raw(), o.hasID, tc.id)
			}
			if o.hasMethod != tc.hasMethod || o.method != tc.method {
				t.Errorf("%.60s (chunk %d): method = %q (has %v), want %q", tc.in, chunk, o.method, o.hasMethod, tc.method)
			}
		}
	}
}

// pipeConn returns a Conn over one end of a pipe, and the peer's reader and writer.
func pipeConn(t *testing.T, opts ConnOptions) (*Conn, *bufio.Reader, net.Conn) {
	t.Helper()
	a, b := net.Pipe()
	c := NewConn(a, a, a.Close, opts)
	t.Cleanup(func() { c.Close(); b.Close() })
	return c, bufio.NewReader(b), b
}

func readMsg(t *testing.T, c *Conn) jsonrpc.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOversizedRequestIsAnsweredAndTheConnLives(t *testing.T) {
	var bad []string
	c, peerR, peerW := pipeConn(t, ConnOptions{MaxMessageBytes: 1000, OnBadInput: func(d string) { bad = append(bad, d) }})
	go func() {
		peerW.Write([]byte(`{"jsonrpc":"2.0","method":"tools/call","params":{"x":"` + strings.Repeat("a", 5000) + `"},"id":12}` + "\n"))
		peerW.Write([]byte(`{"jsonrpc":"2.0","method":"ping","id":13}` + "\n"))
	}()
	next := make(chan jsonrpc.Message, 1)
	go func() { next <- readMsg(t, c) }()
	// The peer first gets an error for id 12 ...
	line, err := peerR.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		ID    int `json:"id"`
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(line), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.ID != 12 || resp.Error.Code != jsonrpc.CodeInvalidRequest || !strings.Contains(resp.Error.Message, "exceeds the 1000-byte limit") {
		t.Fatalf("peer got %s", line)
	}
	// ... and the next message still arrives.
	m := <-next
	if r, ok := m.(*jsonrpc.Request); !ok || r.Method != "ping" {
		t.Fatalf("next message = %#v", m)
	}
	if len(bad) != 1 || !strings.Contains(bad[0], "tools/call") {
		t.Fatalf("OnBadInput got %q", bad)
	}
}

func TestOversizedResponseBecomesAnErrorResponse(t *testing.T) {
	c, _, peerW := pipeConn(t, ConnOptions{MaxMessageBytes: 1000})
	go peerW.Write([]byte(`{"jsonrpc":"2.0","result":{"t":"` + strings.Repeat("a", 5000) + `"},"id":"r1"}` + "\n"))
	m := readMsg(t, c)
	r, ok := m.(*jsonrpc.Response)
	if !ok || r.ID.Raw() != "r1" || r.Error == nil || !strings.Contains(r.Error.Error(), "exceeds") {
		t.Fatalf("got %#v", m)
	}
}

func TestMalformedLineGetsParseError(t *testing.T) {
	c, peerR, peerW := pipeConn(t, ConnOptions{ReplyToParseErrors: true})
	go func() {
		peerW.Write([]byte("this is not json\n\n"))
		peerW.Write([]byte(`{"jsonrpc":"2.0","method":"ping","id":1}` + "\n"))
	}()
	next := make(chan jsonrpc.Message, 1)
	go func() { next <- readMsg(t, c) }()
	line, err := peerR.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(line, `"id":null`) || !strings.Contains(line, `-32700`) {
		t.Fatalf("peer got %s", line)
	}
	if r, ok := (<-next).(*jsonrpc.Request); !ok || r.Method != "ping" {
		t.Fatal("the message after the bad line was lost")
	}
}

func TestTapSeesBothDirections(t *testing.T) {
	type seen struct {
		dir Direction
		raw string
	}
	var got []seen
	c, peerR, peerW := pipeConn(t, ConnOptions{Tap: func(d Direction, _ jsonrpc.Message, raw []byte) {
		got = append(got, seen{d, string(raw)})
	}})
	in := `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	go peerW.Write([]byte(in + "\r\n"))
	readMsg(t, c)
	go peerR.ReadString('\n')
	if err := c.Write(context.Background(), &jsonrpc.Response{ID: jsonrpc.ID{}, Result: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].dir != Inbound || got[0].raw != in || got[1].dir != Outbound || !strings.Contains(got[1].raw, `"result":{}`) {
		t.Fatalf("tap saw %+v", got)
	}
}
