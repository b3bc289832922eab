package app

import (
	"context"
	"encoding/json"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patchbay-mcp/patchbay/bridge"
)

// toolsView is the Inspector's Tools tab for one connection: the tools with an enable switch
// each, and the selected tool's description, input schema and Try it form. Touch it only on
// Fyne's goroutine.
type toolsView struct {
	ins *inspector

	conn   *widget.Select
	status *widget.Label
	list   *fyne.Container
	rows   map[string]*toolRow
	tools  []bridge.ToolStatus

	selected string
	name     *widget.Label
	desc     *widget.Label
	schema   *widget.TextGrid
	formBox  *fyne.Container
	form     *tryForm
	run      *widget.Button
	result   *fyne.Container
	detail   fyne.CanvasObject

	content fyne.CanvasObject
}

// toolRow is one tool in the list.
type toolRow struct {
	enabled *widget.Check
	open    *widget.Button
}

func newToolsView(ins *inspector) *toolsView {
	v := &toolsView{ins: ins, rows: map[string]*toolRow{}}
	v.conn = widget.NewSelect(nil, func(name string) { v.load(name) })
	v.conn.PlaceHolder = "Choose a connection"
	v.status = widget.NewLabel("")
	v.status.Importance = widget.MediumImportance
	v.status.Wrapping = fyne.TextWrapWord
	v.list = container.NewVBox()

	v.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.name.SizeName = theme.SizeNameSubHeadingText
	v.desc = widget.NewLabel("")
	v.desc.Wrapping = fyne.TextWrapWord
	v.schema = widget.NewTextGrid()
	v.formBox = container.NewVBox()
	v.run = widget.NewButtonWithIcon("Run", theme.MediaPlayIcon(), v.onRun)
	v.run.Importance = widget.HighImportance
	v.result = container.NewVBox()
	schemaAcc := widget.NewAccordion(widget.NewAccordionItem("Input schema", v.schema))
	v.detail = container.NewVScroll(container.NewVBox(v.name, v.desc, schemaAcc,
		sectionTitle("Try it"), v.formBox, container.NewHBox(v.run), v.result))
	v.detail.Hide()

	left := container.NewBorder(container.NewVBox(v.conn, v.status), nil, nil, nil, container.NewVScroll(v.list))
	split := container.NewHSplit(left, v.detail)
	split.Offset = 0.38
	v.content = split
	return v
}

// setConnections offers names in the connection choice, keeping the selection if it stays.
// With pick set and nothing chosen yet it chooses the first, which lists its tools: only
// once the window is open, as listing tools makes the bridge start the connection.
func (v *toolsView) setConnections(names []string, pick bool) {
	v.conn.Options = names
	v.conn.Refresh()
	if pick && v.conn.Selected == "" && len(names) > 0 {
		v.conn.SetSelected(names[0])
	}
}

// load lists connection name's tools (off the UI thread).
func (v *toolsView) load(name string) {
	v.status.SetText("Loading the tools of " + name + "…")
	v.list.Objects = nil
	v.list.Refresh()
	v.detail.Hide()
	ctl := v.ins.ctl
	var tools []bridge.ToolStatus
	ctl.do(func(ctx context.Context) error {
		var err error
		tools, err = ctl.be.Tools(ctx, name)
		return err
	}, func(err error) {
		if v.conn.Selected != name {
			return // the user chose another connection meanwhile
		}
		if err != nil {
			v.status.SetText("Could not list the tools: " + err.Error())
			v.status.Importance = widget.DangerImportance
			v.status.Refresh()
			return
		}
		v.status.Importance = widget.MediumImportance
		v.showTools(tools)
	})
}

// showTools draws the tool list.
func (v *toolsView) showTools(tools []bridge.ToolStatus) {
	v.tools = tools
	enabled := 0
	v.rows = map[string]*toolRow{}
	var objs []fyne.CanvasObject
	for _, t := range tools {
		if t.Enabled {
			enabled++
		}
		r := &toolRow{}
		tool := t.Name
		r.enabled = widget.NewCheck("", nil)
		r.enabled.Checked = t.Enabled
		r.enabled.OnChanged = func(on bool) { v.setEnabled(tool, on) }
		r.open = widget.NewButton(t.Name, func() { v.selectTool(tool) })
		r.open.Alignment = widget.ButtonAlignLeading
		r.open.Importance = widget.LowImportance
		v.rows[t.Name] = r
		objs = append(objs, container.NewBorder(nil, nil, r.enabled, nil, r.open))
	}
	v.list.Objects = objs
	v.list.Refresh()
	v.status.SetText(plural(len(tools), "tool", "tools") + ", " + plural(enabled, "enabled", "enabled") +
		". Untick a tool to hide it from every client.")
	if len(tools) > 0 {
		v.selectTool(tools[0].Name)
	}
}

// setEnabled asks the bridge to enable or disable a tool; on failure the box flips back.
func (v *toolsView) setEnabled(tool string, on bool) {
	conn := v.conn.Selected
	ctl := v.ins.ctl
	ctl.do(func(ctx context.Context) error { return ctl.be.SetToolEnabled(ctx, conn, tool, on) }, func(err error) {
		if err != nil {
			if r := v.rows[tool]; r != nil {
				r.enabled.OnChanged = nil
				r.enabled.SetChecked(!on)
				r.enabled.OnChanged = func(on bool) { v.setEnabled(tool, on) }
			}
			v.status.SetText("Could not change " + tool + ": " + err.Error())
			return
		}
		for i := range v.tools {
			if v.tools[i].Name == tool {
				v.tools[i].Enabled = on
			}
		}
	})
}

// selectTool shows a tool's details and its Try it form.
func (v *toolsView) selectTool(name string) {
	var t *bridge.ToolStatus
	for i := range v.tools {
		if v.tools[i].Name == name {
			t = &v.tools[i]
		}
	}
	if t == nil {
		return
	}
	v.selected = name
	title := t.Name
	if t.Title != "" && t.Title != t.Name {
		title = t.Title + "  (" + t.Name + ")"
	}
	v.name.SetText(title)
	v.desc.SetText(t.Description)
	v.schema.SetText(prettyJSON(t.InputSchema))
	v.result.Objects = nil
	v.result.Refresh()
	form, err := newTryForm(t.InputSchema)
	if err != nil {
		l := widget.NewLabel(err.Error())
		l.Importance = widget.DangerImportance
		v.formBox.Objects = []fyne.CanvasObject{l}
		v.form = nil
		v.run.Disable()
	} else {
		v.form = form
		v.formBox.Objects = []fyne.CanvasObject{form.form}
		v.run.Enable()
	}
	v.formBox.Refresh()
	v.detail.Show()
}

// onRun calls the selected tool with the form's arguments and shows the result.
func (v *toolsView) onRun() {
	if v.form == nil {
		return
	}
	args, err := v.form.arguments()
	if err != nil {
		v.showResult(nil, err)
		return
	}
	conn, tool := v.conn.Selected, v.selected
	v.run.Disable()
	v.result.Objects = []fyne.CanvasObject{widget.NewProgressBarInfinite()}
	v.result.Refresh()
	ctl := v.ins.ctl
	var res *bridge.CallResult
	ctl.do(func(ctx context.Context) error {
		var err error
		res, err = ctl.be.Call(ctx, conn, bridge.CallRequest{Tool: tool, Arguments: json.RawMessage(args)})
		return err
	}, func(err error) {
		v.run.Enable()
		if v.selected == tool {
			v.showResult(res, err)
		}
	})
}

func (v *toolsView) showResult(res *bridge.CallResult, err error) {
	v.result.Objects = resultObjects(res, err)
	v.result.Refresh()
}
