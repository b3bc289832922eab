package app

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patchbay-mcp/patchbay/bridge/events"
)

// logView is the Inspector's live log: a table over the controller's eventLog, filters, pause,
// clear, export, and a detail pane with the selected event's (redacted) message. The table
// reads rows lazily, so it costs the same with 10 or 100,000 events; the controller tells it
// about new events once per 100 ms batch. Touch it only on Fyne's goroutine.
type logView struct {
	ins *inspector
	log *eventLog

	connection *widget.Select
	client     *widget.Select
	method     *widget.Entry
	text       *widget.Entry
	pause      *widget.Button
	clear      *widget.Button
	export     *widget.Button
	count      *widget.Label
	table      *widget.Table
	detail     *widget.TextGrid

	paused  bool
	frozen  []uint64 // the rows shown while paused
	clients map[string]bool
	conns   map[string]bool

	content fyne.CanvasObject
}

// logColumns are the table's columns, with their widths.
var logColumns = []struct {
	title string
	width float32
}{
	{"Time", 100}, {"Connection", 100}, {"Client", 110}, {"Dir", 40}, {"Method / tool", 220},
	{"Latency", 80}, {"Size", 70}, {"Status", 240},
}

const allOption = "All"

func newLogView(ins *inspector) *logView {
	v := &logView{ins: ins, log: ins.ctl.log, clients: map[string]bool{}, conns: map[string]bool{}}
	v.connection = widget.NewSelect([]string{allOption}, func(string) { v.applyFilter() })
	v.connection.Selected = allOption
	v.client = widget.NewSelect([]string{allOption}, func(string) { v.applyFilter() })
	v.client.Selected = allOption
	v.method = widget.NewEntry()
	v.method.SetPlaceHolder("method or tool")
	v.method.OnChanged = func(string) { v.applyFilter() }
	v.text = widget.NewEntry()
	v.text.SetPlaceHolder("search text")
	v.text.OnChanged = func(string) { v.applyFilter() }
	v.pause = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), v.togglePause)
	v.clear = widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), v.onClear)
	v.export = widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), v.onExport)
	v.count = widget.NewLabel("")

	v.table = widget.NewTable(v.length, func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateClip // an ellipsis costs a text shaping per cell
		return l
	}, v.updateCell)
	v.table.ShowHeaderRow = true
	v.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	v.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(logColumns) {
			o.(*widget.Label).SetText(logColumns[id.Col].title)
		}
	}
	for i, c := range logColumns {
		v.table.SetColumnWidth(i, c.width)
	}
	v.table.OnSelected = func(id widget.TableCellID) { v.showDetail(id.Row) }
	v.detail = widget.NewTextGrid()
	v.detail.SetText("Select an event to see its message.")

	filters := container.NewGridWithColumns(4, v.connection, v.client, v.method, v.text)
	bar := container.NewBorder(nil, nil, nil, container.NewHBox(v.count, v.pause, v.clear, v.export), filters)
	split := container.NewVSplit(v.table, container.NewScroll(v.detail))
	split.Offset = 0.68
	v.content = container.NewBorder(bar, nil, nil, nil, split)
	v.refreshCount()
	return v
}

func (v *logView) length() (int, int) {
	if v.paused {
		return len(v.frozen), len(logColumns)
	}
	return v.log.Len(), len(logColumns)
}

// row returns the event shown in table row i.
func (v *logView) row(i int) (events.Event, bool) {
	if v.paused {
		if i < 0 || i >= len(v.frozen) {
			return events.Event{}, false
		}
		return v.log.At(v.frozen[i])
	}
	return v.log.Row(i)
}

func (v *logView) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	e, ok := v.row(id.Row)
	if !ok {
		l.SetText("")
		return
	}
	text, imp := logCell(e, id.Col)
	if l.Text == text && l.Importance == imp {
		return // rows that did not move cost nothing
	}
	l.Importance = imp
	l.SetText(text)
}

// logCell is the text of column col for event e, and how loudly to show it.
func logCell(e events.Event, col int) (string, widget.Importance) {
	switch col {
	case 0:
		return e.Time.Local().Format("15:04:05.000"), widget.MediumImportance
	case 1:
		return e.Connection, widget.MediumImportance
	case 2:
		return e.Client, widget.MediumImportance
	case 3:
		switch e.Direction {
		case events.FromClient:
			return "→", widget.MediumImportance
		case events.FromUpstream:
			return "←", widget.MediumImportance
		}
		return "·", widget.LowImportance
	case 4:
		switch {
		case e.Kind != events.KindMessage:
			return e.Kind, widget.LowImportance
		case e.Tool != "":
			return e.Method + " " + e.Tool, widget.MediumImportance
		}
		return e.Method, widget.MediumImportance
	case 5:
		if e.LatencyMicros > 0 {
			return formatLatency(e.LatencyMicros), widget.MediumImportance
		}
	case 6:
		if e.Size > 0 {
			return formatSize(e.Size), widget.MediumImportance
		}
	case 7:
		switch {
		case e.Error != "":
			return e.Error, widget.DangerImportance
		case e.Kind == events.KindMessage && e.LatencyMicros > 0:
			return "ok", widget.SuccessImportance
		case e.Message != "":
			imp := widget.MediumImportance
			if e.Level == "error" {
				imp = widget.DangerImportance
			} else if e.Level == "warn" {
				imp = widget.WarningImportance
			}
			return e.Message, imp
		}
	}
	return "", widget.MediumImportance
}

func formatLatency(us int64) string {
	d := time.Duration(us) * time.Microsecond
	if d < time.Millisecond {
		return strconv.FormatInt(us, 10) + " µs"
	}
	if d < 10*time.Second {
		return fmt.Sprintf("%.1f ms", float64(us)/1000)
	}
	return d.Round(100 * time.Millisecond).String()
}

func formatSize(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}

// filter is the filter the controls describe.
func (v *logView) filter() logFilter {
	f := logFilter{Method: v.method.Text, Text: v.text.Text}
	if s := v.connection.Selected; s != allOption {
		f.Connection = s
	}
	if s := v.client.Selected; s != allOption {
		f.Client = s
	}
	return f
}

func (v *logView) applyFilter() {
	v.log.SetFilter(v.filter())
	if v.paused {
		v.frozen = v.log.Snapshot()
	}
	v.table.UnselectAll()
	v.table.Refresh()
	v.refreshCount()
}

// newEvents runs once per batch: it adds newly seen connections and clients to the filter
// choices and, unless paused, shows the new rows and follows the end of the log.
func (v *logView) newEvents() {
	v.refreshChoices()
	v.refreshCount()
	if v.paused {
		return
	}
	v.table.ScrollToBottom() // redraws the visible cells once, at the new end
}

// refreshChoices offers every connection and client seen in the newest rows.
func (v *logView) refreshChoices() {
	added := false
	n := v.log.Len()
	for i := max(0, n-200); i < n; i++ {
		e, ok := v.log.Row(i)
		if !ok {
			continue
		}
		if e.Connection != "" && !v.conns[e.Connection] {
			v.conns[e.Connection], added = true, true
		}
		if e.Client != "" && !v.clients[e.Client] {
			v.clients[e.Client], added = true, true
		}
	}
	if added {
		v.connection.Options = append([]string{allOption}, sortedKeys(v.conns)...)
		v.client.Options = append([]string{allOption}, sortedKeys(v.clients)...)
		v.connection.Refresh()
		v.client.Refresh()
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (v *logView) refreshCount() {
	shown, _ := v.length()
	total := v.log.Total()
	text := fmt.Sprintf("%d events", total)
	if shown != total {
		text = fmt.Sprintf("%d of %d events", shown, total)
	}
	if v.paused {
		text += " (paused)"
	}
	v.count.SetText(text)
}

func (v *logView) togglePause() {
	v.paused = !v.paused
	if v.paused {
		v.frozen = v.log.Snapshot()
		v.pause.SetText("Resume")
		v.pause.SetIcon(theme.MediaPlayIcon())
	} else {
		v.frozen = nil
		v.pause.SetText("Pause")
		v.pause.SetIcon(theme.MediaPauseIcon())
	}
	v.table.Refresh()
	v.refreshCount()
}

func (v *logView) onClear() {
	v.log.Clear()
	v.frozen = nil
	v.table.UnselectAll()
	v.table.Refresh()
	v.detail.SetText("")
	v.refreshCount()
}

// showDetail shows row's event, its body pretty-printed (the bridge redacted it).
func (v *logView) showDetail(row int) {
	e, ok := v.row(row)
	if !ok {
		return
	}
	v.detail.SetText(eventDetail(e))
}

// eventDetail is the text of the detail pane for e.
func eventDetail(e events.Event) string {
	head := fmt.Sprintf("#%d  %s  %s", e.ID, e.Time.Local().Format("2006-01-02 15:04:05.000"), e.Kind)
	if e.Connection != "" {
		head += "  connection " + e.Connection
	}
	if e.Client != "" {
		head += "  client " + e.Client
	}
	if e.Direction != "" {
		head += "  " + e.Direction
	}
	if e.Error != "" {
		head += "\nerror: " + e.Error
	}
	if e.Message != "" {
		head += "\n" + e.Message
	}
	if len(e.Body) > 0 {
		head += "\n\n" + prettyJSON(e.Body)
		if e.Truncated {
			head += "\n… (truncated by the bridge)"
		}
	}
	return head
}

// onExport saves the rows shown as JSON Lines.
func (v *logView) onExport() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		ctl := v.ins.ctl
		ctl.async(func() { // up to 100,000 events: not on the UI thread
			n, err := v.log.Export(w)
			if cerr := w.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("closing %s: %w", w.URI().Path(), cerr)
			}
			ctl.ui(func() {
				if err != nil {
					dialog.ShowError(err, v.ins.window)
					return
				}
				dialog.ShowInformation("Exported", fmt.Sprintf("%d events written to %s.", n, w.URI().Path()), v.ins.window)
			})
		})
	}, v.ins.window)
	d.SetFileName("patchbay-events.jsonl")
	d.Show()
}
