package app

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
)

func TestInspectorDisablesATool(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	u.showInspector("notion")
	tv := u.inspector.tools
	if tv.conn.Selected != "notion" || len(tv.rows) != 4 {
		t.Fatalf("tools of %q: %d rows", tv.conn.Selected, len(tv.rows))
	}
	if tv.rows["notion-create-pages"].enabled.Checked {
		t.Error("a disabled tool is shown enabled")
	}
	test.Tap(tv.rows["notion-fetch"].enabled)
	if be.tools["notion"][1].Enabled {
		t.Error("unticking notion-fetch did not disable it in the bridge")
	}
	if got := u.main.conns.rows["notion"].sessions.Text; !strings.HasSuffix(got, "2 tools disabled") {
		t.Errorf("connection row %q does not count the disabled tools", got)
	}
}

func TestTryItBuildsArgumentsFromTheSchema(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	u.showInspector("notion")
	tv := u.inspector.tools
	tv.selectTool("notion-search")
	f := tv.form
	if len(f.fields) != 5 || f.fields[0].name != "query" || !f.fields[0].required {
		t.Fatalf("fields %+v, want the required query first", f.fields)
	}
	if f.field("filter").choice == nil || f.field("include_archived").check == nil || f.field("sort").typ != "json" {
		t.Error("enum, boolean and object arguments need a choice, a check and a JSON entry")
	}
	// Required argument missing: an error in red, no call.
	test.Tap(tv.run)
	if len(be.calls) != 0 || resultText(tv) != "Error: query is required" {
		t.Fatalf("ran without the required argument: %q", resultText(tv))
	}
	test.Type(f.field("query").entry, "roadmap")
	test.Type(f.field("limit").entry, "five")
	test.Tap(tv.run)
	if len(be.calls) != 0 || !strings.Contains(resultText(tv), `"five" is not a whole number`) {
		t.Fatalf("a bad number: %q", resultText(tv))
	}
	f.field("limit").entry.SetText("5")
	f.field("filter").choice.SetSelected("page")
	test.Tap(f.field("include_archived").check)
	test.Type(f.field("sort").entry, `{"by":"edited"}`)
	test.Tap(tv.run)
	if len(be.calls) != 1 {
		t.Fatalf("%d calls", len(be.calls))
	}
	var args map[string]any
	json.Unmarshal(be.calls[0].Arguments, &args)
	if fmt.Sprint(args) != "map[filter:page include_archived:true limit:5 query:roadmap sort:map[by:edited]]" {
		t.Errorf("arguments %v", args)
	}
	out := resultText(tv)
	if !strings.HasPrefix(out, "Result (182ms)") || !strings.Contains(out, "\"title\": \"Roadmap\"") {
		t.Errorf("result, want pretty JSON:\n%s", out)
	}

	// A tool error is shown in red.
	f.field("query").entry.SetText("boom")
	test.Tap(tv.run)
	head := tv.result.Objects[0].(*widget.Label)
	if head.Importance != widget.DangerImportance || !strings.Contains(resultText(tv), "rate limited") {
		t.Errorf("tool error shown as %q (%v)", resultText(tv), head.Importance)
	}

	// An image result is drawn.
	tv.selectTool("render-chart")
	test.Tap(tv.run)
	if _, ok := tv.result.Objects[1].(*canvas.Image); !ok {
		t.Errorf("image result shown as %T", tv.result.Objects[1])
	}
}

// resultText joins the text of the result area.
func resultText(tv *toolsView) string {
	var parts []string
	for _, o := range tv.result.Objects {
		switch w := o.(type) {
		case *widget.Label:
			parts = append(parts, w.Text)
		case *widget.TextGrid:
			parts = append(parts, w.Text())
		}
	}
	return strings.Join(parts, "\n")
}

// sampleEvents makes n message events alternating over two clients and a few methods.
func sampleEvents(n int) []events.Event {
	out := make([]events.Event, n)
	t0 := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	methods := []string{"tools/call", "tools/list", "resources/read", "initialize"}
	clients := []string{"claude-ai", "cursor"}
	for i := range out {
		e := events.Event{ID: uint64(i + 1), Time: t0.Add(time.Duration(i) * time.Millisecond), Kind: events.KindMessage,
			Connection: "notion", Client: clients[i%2], Method: methods[i%len(methods)], Size: 200 + i%900,
			Direction: events.FromClient}
		if e.Method == "tools/call" {
			e.Tool = "notion-search"
		}
		if i%2 == 1 {
			e.Direction, e.LatencyMicros = events.FromUpstream, int64(1500+i%40000)
		}
		if i%97 == 0 {
			e.Error = "object_not_found: share the page with the integration"
		}
		e.Body = json.RawMessage(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q,"params":{"query":"roadmap %d","token":"[redacted]"}}`, i, e.Method, i))
		out[i] = e
	}
	return out
}

func TestLiveLogFiltersPausesAndShowsDetail(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	u.showInspector("")
	lv := u.inspector.log
	for _, e := range sampleEvents(1000) {
		u.ctl.receive(e)
	}
	u.ctl.flush()
	if r, _ := lv.length(); r != 1000 || lv.count.Text != "1000 events" {
		t.Fatalf("%d rows, count %q", r, lv.count.Text)
	}
	if len(lv.client.Options) != 3 {
		t.Errorf("client choices %q, want All and the two clients seen", lv.client.Options)
	}
	lv.client.SetSelected("cursor")
	test.Type(lv.method, "tools/")
	// cursor has the odd events: tools/list (i%4==1) and initialize (i%4==3).
	if r, _ := lv.length(); r != 250 {
		t.Errorf("%d rows after filtering cursor + tools/, want 250", r)
	}
	test.Type(lv.text, "ROADMAP 997")
	if r, _ := lv.length(); r != 1 {
		t.Fatalf("%d rows for the text search, want 1", r)
	}
	lv.table.Select(widget.TableCellID{Row: 0, Col: 0})
	if d := lv.detail.Text(); !strings.Contains(d, `"query": "roadmap 997"`) || !strings.Contains(d, "client cursor") {
		t.Errorf("detail pane:\n%s", d)
	}
	text, _ := logCell(must(lv.row(0)), 4)
	if text != "tools/list" {
		t.Errorf("method cell %q", text)
	}

	// Pause: new events are kept but the view holds still.
	lv.text.SetText("")
	lv.client.SetSelected(allOption)
	lv.method.SetText("")
	test.Tap(lv.pause)
	for _, e := range sampleEvents(10) {
		u.ctl.receive(e)
	}
	u.ctl.flush()
	if r, _ := lv.length(); r != 1000 || !strings.HasSuffix(lv.count.Text, "(paused)") {
		t.Errorf("paused view has %d rows (%q)", r, lv.count.Text)
	}
	test.Tap(lv.pause)
	if r, _ := lv.length(); r != 1010 {
		t.Errorf("resumed view has %d rows, want 1010", r)
	}
	test.Tap(lv.clear)
	if r, _ := lv.length(); r != 0 || lv.log.Total() != 0 {
		t.Errorf("after Clear: %d rows", r)
	}
}

func must(e events.Event, ok bool) events.Event {
	if !ok {
		panic("no such row")
	}
	return e
}

func TestStateEventsRefreshTheStatusOncePerBatch(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	be.mu.Lock()
	be.conns["notion"].State = bridge.StateError
	be.mu.Unlock()
	for i := range 50 {
		u.ctl.receive(events.Event{ID: uint64(i + 1), Kind: events.KindState, Connection: "notion", Message: "error"})
	}
	if u.main.conns.rows["notion"].state.Text != "● Connected" {
		t.Fatal("the status was refreshed before the batch was flushed")
	}
	u.ctl.flush()
	if got := u.main.conns.rows["notion"].state.Text; got != "✕ Error" {
		t.Errorf("after the batch the row says %q", got)
	}
}

// BenchmarkLogViewBatch is the UI side of the live log at 1,000 events/s: per op, one 100 ms
// batch of 100 events goes through the controller into a log already holding 100,000, and
// the live log tab (shown, following the end) redraws.
func BenchmarkLogViewBatch(b *testing.B) {
	a := test.NewTempApp(b)
	u := &ui{app: a}
	u.ctl = newController(a, newFakeBackend())
	u.ctl.async = func(f func()) { f() }
	u.ctl.ui = func(f func()) { f() }
	u.main = newMainScreen(u)
	u.inspector = newInspector(u)
	u.showInspector("")
	u.inspector.tabs.SelectIndex(1)
	evs := sampleEvents(logCapacity)
	u.ctl.log.Append(evs)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		for _, e := range evs[i : i+100] {
			u.ctl.receive(e)
		}
		u.ctl.flush()
		i = (i + 100) % len(evs)
	}
	if u.ctl.log.Total() != logCapacity {
		b.Fatalf("log holds %d", u.ctl.log.Total())
	}
}

func TestInspectorAsksForToolsOnlyOnceOpen(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	if sel := u.inspector.tools.conn.Selected; sel != "" {
		t.Fatalf("the closed Inspector chose %q (listing tools starts the connection in the bridge)", sel)
	}
	u.showInspector("")
	if sel := u.inspector.tools.conn.Selected; sel != "notion" || len(u.inspector.tools.rows) != 4 {
		t.Errorf("opened Inspector shows %q with %d tools", sel, len(u.inspector.tools.rows))
	}
}
