package app

import (
	"context"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// clientsView is the Clients tab: every AI client Patchbay knows, installed or not, with its
// status and actions. Every write is previewed as a diff first. Touch it only on Fyne's
// goroutine.
type clientsView struct {
	s       *mainScreen
	hint    *widget.Label
	list    *fyne.Container
	rows    map[string]*clientRow // by client id (and project), as last drawn
	content fyne.CanvasObject
}

// clientRow is one client's card.
type clientRow struct {
	c          ClientStatus
	title      *widget.Label
	state      *widget.Label
	file       *widget.Label
	connect    *widget.Button
	disconnect *widget.Button
	repair     *widget.Button
	restore    *widget.Button
	folder     *widget.Button
	autoRepair *widget.Check // put Patchbay's entries back when something removes them
	box        fyne.CanvasObject
}

func newClientsView(s *mainScreen) *clientsView {
	v := &clientsView{s: s, rows: map[string]*clientRow{}}
	v.hint = widget.NewLabel("Connect a client to give it all your connections: Patchbay adds one entry per " +
		"connection to its config file (you see the change first, and a backup is kept).")
	v.hint.Wrapping = fyne.TextWrapWord
	v.list = container.NewVBox()
	v.content = container.NewBorder(v.hint, nil, nil, nil, container.NewVScroll(v.list))
	return v
}

// clientStateText is what a person reads for a client state, and how loudly.
func clientStateText(c ClientStatus) (string, widget.Importance) {
	switch c.State {
	case ClientConnected:
		return "● Connected (" + plural(len(c.Connections), "connection", "connections") + ")", widget.SuccessImportance
	case ClientDrifted:
		return "▲ Drifted: " + strings.Join(c.Drifted, ", ") + " changed outside Patchbay", widget.WarningImportance
	case ClientNotConnected:
		return "○ Not connected", widget.MediumImportance
	case ClientNotInstalled:
		return "Not installed", widget.LowImportance
	case ClientError:
		return "✕ " + c.Error, widget.DangerImportance
	}
	return c.State, widget.MediumImportance
}

func clientKey(c ClientStatus) string { return c.ID + "|" + c.Project }

// update redraws the list.
func (v *clientsView) update(online bool, clients []ClientStatus, err error) {
	v.rows = map[string]*clientRow{}
	var objs []fyne.CanvasObject
	switch {
	case !online:
		v.hint.SetText("Start the bridge to see and connect your AI clients.")
	case err != nil:
		v.hint.SetText("Could not read the clients' configs: " + err.Error())
	default:
		v.hint.SetText("Connect a client to give it all your connections: Patchbay adds one entry per " +
			"connection to its config file (you see the change first, and a backup is kept).")
		for _, c := range clients {
			r := v.newRow(c)
			v.rows[clientKey(c)] = r
			objs = append(objs, r.box)
		}
	}
	v.list.Objects = objs
	v.list.Refresh()
}

func (v *clientsView) newRow(c ClientStatus) *clientRow {
	s := v.s
	r := &clientRow{c: c}
	name := c.Name
	if c.Project != "" {
		name += " — " + filepath.Base(c.Project)
	}
	r.title = widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: !(c.State == ClientNotInstalled)})
	if c.State == ClientNotInstalled {
		r.title.Importance = widget.LowImportance
	}
	text, imp := clientStateText(c)
	r.state = widget.NewLabel(text)
	r.state.Importance = imp
	r.state.Truncation = fyne.TextTruncateEllipsis
	r.file = widget.NewLabel(c.File)
	r.file.TextStyle = fyne.TextStyle{Italic: true}
	r.file.Truncation = fyne.TextTruncateEllipsis

	r.connect = widget.NewButtonWithIcon("Connect", theme.ConfirmIcon(), func() { s.previewClientChange(c, ActionConnect) })
	r.connect.Importance = widget.HighImportance
	r.disconnect = widget.NewButtonWithIcon("Disconnect", theme.ContentRemoveIcon(), func() { s.previewClientChange(c, ActionDisconnect) })
	r.repair = widget.NewButtonWithIcon("Repair", theme.ViewRefreshIcon(), func() { s.previewClientChange(c, ActionRepair) })
	r.repair.Importance = widget.WarningImportance
	r.restore = widget.NewButtonWithIcon("Restore backup", theme.HistoryIcon(), func() { s.previewClientChange(c, ActionRestore) })
	r.folder = widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() { s.openFolder(c.File) })

	r.autoRepair = widget.NewCheck("Repair automatically", nil)
	r.autoRepair.Checked = c.AutoRepair
	r.autoRepair.OnChanged = func(on bool) { s.setAutoRepair(r, on) }
	if c.State != ClientConnected && c.State != ClientDrifted {
		r.autoRepair.Hide()
	}
	for _, b := range []*widget.Button{r.connect, r.disconnect, r.repair, r.restore, r.folder} {
		b.Hide()
	}
	switch c.State {
	case ClientNotConnected:
		r.connect.Show()
	case ClientConnected:
		r.disconnect.Show()
	case ClientDrifted:
		r.repair.Show()
		r.disconnect.Show()
	case ClientError:
		r.disconnect.Show()
	}
	if c.Backup != "" && c.State != ClientNotInstalled {
		r.restore.Show()
	}
	if c.State != ClientNotInstalled && c.File != "" {
		r.folder.Show()
	}
	head := container.NewBorder(nil, nil, r.title, nil, r.state)
	body := container.NewVBox(head, r.file)
	if c.State != ClientNotInstalled {
		body.Add(container.NewHBox(r.autoRepair, layout.NewSpacer(), r.connect, r.disconnect, r.repair, r.restore, r.folder))
	}
	r.box = widget.NewCard("", "", body)
	return r
}

// clientChange is the change an action on c asks for.
func clientChange(c ClientStatus, action string) ClientChange {
	ch := ClientChange{Action: action, Project: c.Project}
	if action == ActionConnect || action == ActionDisconnect {
		ch.All = true
	}
	return ch
}

// actionTitle names an action for a dialog's title and button.
func actionTitle(action string) string {
	switch action {
	case ActionConnect:
		return "Connect"
	case ActionDisconnect:
		return "Disconnect"
	case ActionRepair:
		return "Repair"
	case ActionRestore:
		return "Restore backup"
	}
	return action
}

// previewClientChange asks the bridge for a dry run of action on c, shows the diff, and on
// confirmation makes the change.
func (s *mainScreen) previewClientChange(c ClientStatus, action string) {
	ch := clientChange(c, action)
	ch.DryRun = true
	var res *ClientChangeResult
	s.ctl.do(func(ctx context.Context) error {
		var err error
		res, err = s.ctl.be.ChangeClient(ctx, c.ID, ch)
		return err
	}, func(err error) {
		if err != nil {
			s.showError(actionTitle(action)+" "+c.Name, err)
			return
		}
		s.showDiff(c, action, res)
	})
}

// applyClientChange makes the change for real; done gets the result on Fyne's goroutine.
func (s *mainScreen) applyClientChange(c ClientStatus, action string, done func(*ClientChangeResult, error)) {
	var res *ClientChangeResult
	s.ctl.do(func(ctx context.Context) error {
		var err error
		res, err = s.ctl.be.ChangeClient(ctx, c.ID, clientChange(c, action))
		return err
	}, func(err error) { done(res, err) })
}

// setAutoRepair turns automatic repair of r's client on or off; on failure the box flips back.
func (s *mainScreen) setAutoRepair(r *clientRow, on bool) {
	id := r.c.ID
	s.ctl.do(func(ctx context.Context) error { return s.ctl.be.SetClientAutoRepair(ctx, id, on) }, func(err error) {
		if err != nil {
			s.showError("Could not change automatic repair of "+r.c.Name, err)
		}
	})
}

// openFolder opens the folder holding file in the desktop's file manager.
func (s *mainScreen) openFolder(file string) {
	u := storage.NewFileURI(filepath.Dir(file))
	if err := s.ui.app.OpenURL(mustURL(u.String())); err != nil {
		s.showError("Could not open the folder", err)
	}
}
