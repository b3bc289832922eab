package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// inspectorTitle is the Inspector window's title.
const inspectorTitle = "Patchbay Inspector"

// inspector is the Inspector window: per connection, its tools (with Try it) and the live
// log of every message through the bridge. Closing it only hides it. Touch it only on Fyne's
// goroutine.
type inspector struct {
	ctl    *controller
	window fyne.Window
	tabs   *container.AppTabs
	tools  *toolsView
	log    *logView
	shown  bool // the window has been opened: the Tools tab may ask the bridge for tools
}

func newInspector(u *ui) *inspector {
	ins := &inspector{ctl: u.ctl, window: u.app.NewWindow(inspectorTitle)}
	ins.tools = newToolsView(ins)
	ins.log = newLogView(ins)
	ins.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Tools", theme.ListIcon(), container.NewPadded(ins.tools.content)),
		container.NewTabItemWithIcon("Live log", theme.HistoryIcon(), container.NewPadded(ins.log.content)),
	)
	ins.window.SetIcon(appIcon)
	ins.window.SetContent(ins.tabs)
	ins.window.Resize(fyne.NewSize(1060, 680))
	ins.window.SetCloseIntercept(ins.window.Hide)
	u.ctl.onChange(ins.update)
	u.ctl.onLog(ins.log.newEvents)
	ins.update()
	return ins
}

// update offers the current connections in the Tools tab.
func (ins *inspector) update() {
	var names []string
	for _, c := range ins.ctl.connections() {
		names = append(names, c.Name)
	}
	ins.tools.setConnections(names, ins.shown)
}

// show brings the window up on connection conn's tools ("" keeps the current one).
func (ins *inspector) show(conn string) {
	ins.shown = true
	ins.update()
	if conn != "" {
		ins.tabs.SelectIndex(0)
		if ins.tools.conn.Selected != conn {
			ins.tools.conn.SetSelected(conn)
		}
	}
	ins.window.Show()
	ins.window.RequestFocus()
}
