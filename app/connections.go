package app

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patchbay-mcp/patchbay/bridge"
)

// connectionsView is the Connections tab: the add actions, the empty state, and one row per
// connection. Its fields are widgets: touch them only on Fyne's goroutine.
type connectionsView struct {
	s *mainScreen

	connectNotion *widget.Button // sign in to Notion's hosted MCP server (OAuth)
	addToken      *widget.Button // paste a Notion integration token (ntn_...)
	addServer     *widget.Button // any other MCP server: a command or a URL

	status *widget.Label // the headline: "No connections yet", "2 connections, all working"
	hint   *widget.Label // shown with the empty state
	list   *fyne.Container
	rows   map[string]*connRow // by connection name, as last drawn

	content fyne.CanvasObject
}

// connRow is one connection's card.
type connRow struct {
	name      string
	title     *widget.Label
	state     *widget.Label
	detail    *widget.Label
	sessions  *widget.Label
	lastError *widget.Label
	reconnect *widget.Button // remote: sign in again (fresh OAuth); others: hidden
	logout    *widget.Button
	setToken  *widget.Button
	edit      *widget.Button // stdio and remote: change the command or URL
	tools     *widget.Button
	snippet   *widget.Button
	remove    *widget.Button
	box       fyne.CanvasObject
}

func newConnectionsView(s *mainScreen) *connectionsView {
	v := &connectionsView{s: s, rows: map[string]*connRow{}}
	v.connectNotion = widget.NewButtonWithIcon("Connect Notion…", theme.LoginIcon(), s.showConnectNotion)
	v.connectNotion.Importance = widget.HighImportance
	v.addToken = widget.NewButtonWithIcon("Add Notion token…", theme.AccountIcon(), func() { s.showAddToken("") })
	v.addServer = widget.NewButtonWithIcon("Add server…", theme.ContentAddIcon(), s.showAddServer)

	v.status = widget.NewLabelWithStyle("No connections yet", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.status.SizeName = theme.SizeNameSubHeadingText
	v.hint = widget.NewLabel(emptyHint)
	v.hint.Wrapping = fyne.TextWrapWord
	v.list = container.NewVBox()

	actions := container.NewHBox(v.connectNotion, v.addToken, v.addServer)
	v.content = container.NewBorder(container.NewVBox(v.status, v.hint, actions), nil, nil, nil,
		container.NewVScroll(v.list))
	return v
}

// update redraws the view from what the controller knows.
func (v *connectionsView) update(online bool, conns []bridge.ConnectionStatus) {
	for _, b := range []*widget.Button{v.connectNotion, v.addToken, v.addServer} {
		if online {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	v.status.SetText(connectionsHeadline(online, conns))
	if !online {
		conns = nil // what the bridge last said may no longer hold
		v.hint.SetText("Your connections show here once the bridge runs.")
	} else {
		v.hint.SetText(emptyHint)
	}
	if len(conns) == 0 {
		v.hint.Show()
	} else {
		v.hint.Hide()
	}
	v.rows = map[string]*connRow{}
	objs := make([]fyne.CanvasObject, 0, len(conns))
	for _, cs := range conns {
		r := v.newRow(cs)
		v.rows[cs.Name] = r
		objs = append(objs, r.box)
	}
	v.list.Objects = objs
	v.list.Refresh()
}

// emptyHint explains the empty state and what to do next.
const emptyHint = "Connect Notion once, and Claude Desktop, Cursor, VS Code and your other AI " +
	"clients can all use it. Your token stays in the OS keychain, never in a config file."

// connectionsHeadline sums the connections up in one line.
func connectionsHeadline(online bool, conns []bridge.ConnectionStatus) string {
	if !online {
		return "Bridge not running"
	}
	if len(conns) == 0 {
		return "No connections yet"
	}
	bad := 0
	for _, c := range conns {
		if c.State == bridge.StateError || c.State == bridge.StateNeedsAuth {
			bad++
		}
	}
	n := plural(len(conns), "connection", "connections")
	if bad == 0 {
		return n + ", all working"
	}
	return fmt.Sprintf("%s, %d %s attention", n, bad, map[bool]string{true: "needs", false: "need"}[bad == 1])
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// stateText is what a person reads for a connection state, and how loudly.
func stateText(state string) (string, widget.Importance) {
	switch state {
	case bridge.StateReady:
		return "● Connected", widget.SuccessImportance
	case bridge.StateStarting:
		return "● Starting…", widget.MediumImportance
	case bridge.StateStopped:
		return "○ Idle (starts when a client asks)", widget.MediumImportance
	case bridge.StateNeedsAuth:
		return "▲ Needs reconnecting", widget.WarningImportance
	case bridge.StateError:
		return "✕ Error", widget.DangerImportance
	}
	return state, widget.MediumImportance
}

// kindText names a connection's kind for people.
func kindText(kind string) string {
	switch kind {
	case "notion":
		return "Notion (token)"
	case "remote":
		return "Remote server"
	case "stdio":
		return "Local command"
	}
	return kind
}

// sessionsText says who is attached, how long it has been up and how often it restarted.
func sessionsText(cs bridge.ConnectionStatus, now time.Time) string {
	var parts []string
	if len(cs.Sessions) == 0 {
		parts = append(parts, "no client attached")
	} else {
		var names []string
		for _, s := range cs.Sessions {
			n := s.Client
			if n == "" {
				n = "starting client"
			}
			names = append(names, n)
		}
		parts = append(parts, plural(len(cs.Sessions), "session", "sessions")+": "+strings.Join(names, ", "))
	}
	if cs.State == bridge.StateReady && !cs.Since.IsZero() {
		parts = append(parts, "up "+shortDuration(now.Sub(cs.Since)))
	}
	if cs.Restarts > 0 {
		parts = append(parts, plural(cs.Restarts, "restart", "restarts"))
	}
	if len(cs.DisabledTools) > 0 {
		parts = append(parts, plural(len(cs.DisabledTools), "tool", "tools")+" disabled")
	}
	return strings.Join(parts, " · ")
}

// shortDuration prints d as "45s", "12m", "3h 5m" or "2d 4h".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

func (v *connectionsView) newRow(cs bridge.ConnectionStatus) *connRow {
	s := v.s
	r := &connRow{name: cs.Name}
	r.title = widget.NewLabelWithStyle(cs.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	kind := widget.NewLabel(kindText(cs.Kind))
	kind.TextStyle = fyne.TextStyle{Italic: true}
	text, imp := stateText(cs.State)
	r.state = widget.NewLabel(text)
	r.state.Importance = imp
	r.detail = widget.NewLabel(connectionDetail(cs))
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.sessions = widget.NewLabel(sessionsText(cs, v.s.ctl.now()))
	r.lastError = widget.NewLabel("")
	r.lastError.Importance = widget.DangerImportance
	r.lastError.Wrapping = fyne.TextWrapWord
	if cs.LastError != "" {
		r.lastError.SetText("Last error: " + cs.LastError)
	} else {
		r.lastError.Hide()
	}

	name := cs.Name
	r.reconnect = widget.NewButtonWithIcon("Reconnect", theme.ViewRefreshIcon(), func() { s.showAuthorize(name, true) })
	r.logout = widget.NewButtonWithIcon("Log out", theme.LogoutIcon(), func() { s.confirmLogout(name) })
	r.setToken = widget.NewButtonWithIcon("Set token…", theme.AccountIcon(), func() { s.showAddToken(name) })
	r.edit = widget.NewButtonWithIcon("Edit…", theme.DocumentCreateIcon(), func() { s.showEditServer(cs) })
	r.tools = widget.NewButtonWithIcon("Tools", theme.ListIcon(), func() { s.ui.showInspector(name) })
	r.snippet = widget.NewButtonWithIcon("Snippet", theme.ContentCopyIcon(), func() { s.showSnippet(name) })
	r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { s.confirmRemove(name) })
	r.remove.Importance = widget.DangerImportance
	if cs.Kind != "remote" {
		r.reconnect.Hide()
		r.logout.Hide()
	} else if cs.State == bridge.StateNeedsAuth {
		r.reconnect.Importance = widget.HighImportance
	}
	if cs.Kind != "notion" {
		r.setToken.Hide()
	}
	if cs.Kind != "stdio" && cs.Kind != "remote" {
		r.edit.Hide()
	}
	buttons := container.NewHBox(layout.NewSpacer(), r.reconnect, r.logout, r.setToken, r.edit, r.tools, r.snippet, r.remove)
	head := container.NewHBox(r.title, kind, layout.NewSpacer(), r.state)
	r.box = widget.NewCard("", "", container.NewVBox(head, r.detail, r.sessions, r.lastError, buttons))
	return r
}

// connectionDetail is the second line of a row: what the connection runs, and what the bridge
// knows more of it (a Notion workspace, when an OAuth token expires).
func connectionDetail(cs bridge.ConnectionStatus) string {
	what := cs.Summary
	if what == "" {
		what = kindText(cs.Kind)
	}
	if d := connectionExtra(cs); d != "" {
		return what + " · " + d
	}
	return what
}
