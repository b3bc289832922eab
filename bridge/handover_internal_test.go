package bridge

import (
	"io"
	"net"
	"os"
	"strings"
	"testing"
)

// TestClassifyOutbound: the bridge tells responses (whose answers it notes for the shim) and
// progress (which paces them) from their first bytes when they are in go-sdk's and the fast
// lane's shape, and by scanning otherwise, never taking a nested "id" for the message's.
func TestClassifyOutbound(t *testing.T) {
	for _, c := range []struct {
		line     string
		id       string // "" if not a response
		progress string
	}{
		{`{"jsonrpc":"2.0","id":7,"result":{"content":[]}}`, "7", ""},
		{`{"jsonrpc":"2.0","id":"a\"b","error":{"code":-32000,"message":"x"}}`, `"a\"b"`, ""},
		{`{"result":{"id":99,"nested":{"id":3}},"jsonrpc":"2.0","id":12}`, "12", ""}, // TypeScript order
		{`{"jsonrpc":"2.0","id":3,"method":"sampling/createMessage","params":{}}`, "", ""},
		{`{"jsonrpc":"2.0","method":"notifications/message","params":{"id":4}}`, "", ""},
		{`{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"tok","progress":1}}`, "", `"tok"`},
		{`{"params":{"progressToken":5,"progress":1},"method":"notifications/progress","jsonrpc":"2.0"}`, "", "5"},
		{`{"jsonrpc":"2.0", "id" : 8 , "result":{}}`, "8", ""},
		{`[{"jsonrpc":"2.0","id":1,"result":{}}]`, "", ""},
		{`not json`, "", ""},
	} {
		id, resp, tok := classifyOutbound([]byte(c.line))
		if resp != (c.id != "") || string(id) != c.id || tok != c.progress {
			t.Errorf("%s: got id %q response %v progress %q; want id %q progress %q", c.line, id, resp, tok, c.id, c.progress)
		}
	}
}

// handedPipes builds a handedStream over real pipes and returns it with the client's ends
// and the shim's end of the notes.
func handedPipes(t *testing.T) (h *handedStream, clientIn, clientOut, notes *os.File) {
	t.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	nR, nW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ctl, peer := net.Pipe()
	t.Cleanup(func() { inW.Close(); outR.Close(); nR.Close(); peer.Close() })
	return newHandedStream(inR, outW, nW, ctl), inW, outR, nR
}

// TestHandedStreamNotes: what the bridge reads from the client is noted before it is
// returned, split anywhere; answers are noted once written; a line cut short when the bridge
// lets go is passed back whole; the client's end of input is told as the end.
func TestHandedStreamNotes(t *testing.T) {
	h, in, out, notes := handedPipes(t)
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}`
	client := initialize + "\n" +
		`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n" +
		`{"jsonrpc":"2.0","id":"x","result":{}}` + "\n" + // an answer to the upstream: not in flight
		`{"method":"tools/call","params":{"name":"echo","arguments":{"id":5}},"jsonrpc":"2.0","id":2}` + "\n" +
		`{"jsonrpc":"2.0","id":3,"method":"tools/ca` // cut short
	go func() {
		for i := 0; i < len(client); i += 7 { // odd pieces: lines split across reads
			in.WriteString(client[i:min(i+7, len(client))])
		}
	}()
	buf := make([]byte, 5)
	read := 0
	for read < len(client) {
		n, err := h.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		read += n
	}
	go io.Copy(io.Discard, out)
	for _, l := range []string{`{"jsonrpc":"2.0","id":1,"result":{}}`, `{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}`, `{"jsonrpc":"2.0","id":2,"result":{}}`} {
		if _, err := h.Write([]byte(l + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	h.Close()
	got, err := io.ReadAll(notes)
	if err != nil {
		t.Fatal(err)
	}
	want := "c" + initialize + "\n" +
		`c{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n" +
		`c{"id":2,"method":"tools/call"}` + "\n" +
		"a1\na2\n" +
		`p{"jsonrpc":"2.0","id":3,"method":"tools/ca` + "\n"
	if string(got) != want {
		t.Errorf("notes:\n%s\nwant:\n%s", got, want)
	}

	h, in, _, notes = handedPipes(t)
	in.Close()
	if _, err := h.Read(buf); err != io.EOF {
		t.Fatalf("read after the client closed: %v", err)
	}
	h.Close()
	if got, _ := io.ReadAll(notes); !strings.HasSuffix(string(got), "e\n") {
		t.Errorf("notes after the client left: %q, want the end note", got)
	}
}

// TestHandedStreamLongLines: a message too large to be written at once is bracketed by
// notes (so a shim taking over knows a line may be cut), and a client line too long to pass
// back when the bridge lets go is noted as in flight, with the rest to be skipped.
func TestHandedStreamLongLines(t *testing.T) {
	h, in, out, notes := handedPipes(t)
	go io.Copy(io.Discard, out)
	big := `{"jsonrpc":"2.0","id":4,"result":{"text":"` + strings.Repeat("x", 3*atomicWrite) + `"}}` + "\n"
	if _, err := h.Write([]byte(big)); err != nil {
		t.Fatal(err)
	}
	long := `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"arguments":{"text":"` + strings.Repeat("y", maxNoteLine+10)
	go in.WriteString(long)
	buf := make([]byte, 32<<10)
	for read := 0; read < len(long); {
		n, err := h.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		read += n
	}
	h.Close()
	got, _ := io.ReadAll(notes)
	want := "w\nd\na4\n" + `c{"id":5,"method":"tools/call"}` + "\ns\n"
	if string(got) != want {
		t.Errorf("notes: %q, want %q", got, want)
	}
}

// TestShimAppliesNotes: the shim keeps from the bridge's notes what it would have seen
// relaying: the handshake, the requests still in flight, and how to take the session back.
func TestShimAppliesNotes(t *testing.T) {
	s := newShim(ShimOptions{Name: "t", Stdout: io.Discard})
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}`
	notes := "c" + initialize + "\n" + "a1\n" +
		`c{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n" +
		`c{"id":2,"method":"tools/call"}` + "\n" + `c{"id":"three","method":"tools/call"}` + "\na\"three\"\n" +
		"w\n" + `p{"jsonrpc":"2.0","id":4,"met` + "\ns\n" + "c{\"id\":5"
	var tb takeBack
	rest := s.applyNotes([]byte(notes), &tb)
	if string(rest) != `c{"id":5` {
		t.Errorf("left over: %q", rest)
	}
	if string(s.initReq) != initialize || !s.initAnswered || s.initNote == nil {
		t.Errorf("handshake: %q answered %v note %q", s.initReq, s.initAnswered, s.initNote)
	}
	if len(s.inflight) != 1 || s.inflight["2"] != "tools/call" {
		t.Errorf("in flight: %v, want only 2", s.inflight)
	}
	if !tb.cut || !tb.skip || tb.end || string(tb.partial) != `{"jsonrpc":"2.0","id":4,"met` {
		t.Errorf("take back: %+v", tb)
	}
	s.applyNotes([]byte("d\ne\n"), &tb)
	if tb.cut || !tb.end {
		t.Errorf("after d and e: %+v", tb)
	}
}

// TestReplayedMethodsAreTracked: the whole-line notes the bridge sends are exactly the
// messages the shim keeps for replay (replayedMethods must follow shim.track).
func TestReplayedMethodsAreTracked(t *testing.T) {
	for m := range replayedMethods {
		s := newShim(ShimOptions{Name: "t", Stdout: io.Discard})
		line := `{"jsonrpc":"2.0","id":9,"method":` + m + `,"params":{"uri":"file:///x","level":"info"}}`
		if m == `"notifications/initialized"` {
			line = `{"jsonrpc":"2.0","method":` + m + `}`
		}
		var tb takeBack
		s.applyNotes([]byte("c"+line+"\n"), &tb)
		if s.initReq == nil && s.initNote == nil && s.logLevel == nil && len(s.subscribed) == 0 {
			if m != `"resources/unsubscribe"` {
				t.Errorf("the shim kept nothing of %s", m)
			}
		}
	}
	// unsubscribe is kept as the removal of a subscription.
	s := newShim(ShimOptions{Name: "t", Stdout: io.Discard})
	var tb takeBack
	s.applyNotes([]byte(`c{"jsonrpc":"2.0","id":1,"method":"resources/subscribe","params":{"uri":"file:///x"}}`+"\n"+
		`c{"jsonrpc":"2.0","id":2,"method":"resources/unsubscribe","params":{"uri":"file:///x"}}`+"\n"), &tb)
	if len(s.subscribed) != 0 {
		t.Errorf("subscriptions after unsubscribe: %v", s.subscribed)
	}
}
