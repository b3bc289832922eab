package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// mainScreen is the "Patchbay" window: a banner when the bridge is not running, and two tabs,
// Connections and Clients. Its fields are Fyne widgets: touch them only on Fyne's goroutine
// (use fyne.Do elsewhere).
type mainScreen struct {
	ui     *ui
	ctl    *controller
	window fyne.Window

	// offline is the banner shown while the bridge does not answer, with a button to start it.
	offline      *fyne.Container
	offlineText  *widget.Label
	startBridge  *widget.Button
	tabs         *container.AppTabs
	conns        *connectionsView
	clients      *clientsView
	autostart    *widget.Check
	inspectorBtn *widget.Button

	// The dialogs last opened, for tests to drive; nil until one opens.
	lastError   string
	lastToken   *tokenForm
	lastServer  *serverForm
	lastAuth    *authorizeView
	lastDiff    *diffView
	lastSnippet *snippetView
}

// mainWindowSize is the window's first size.
var mainWindowSize = fyne.NewSize(860, 680)

// newMainScreen makes the window (not yet shown) and its widgets.
func newMainScreen(u *ui) *mainScreen {
	s := &mainScreen{ui: u, ctl: u.ctl, window: u.app.NewWindow(Name)}
	s.offlineText = widget.NewLabel("The Patchbay bridge is not running, so your AI clients cannot reach their connections.")
	s.offlineText.Wrapping = fyne.TextWrapWord
	s.startBridge = widget.NewButtonWithIcon("Start the bridge", theme.MediaPlayIcon(), s.onStartBridge)
	s.startBridge.Importance = widget.HighImportance
	warn := widget.NewIcon(theme.WarningIcon())
	s.offline = container.NewBorder(nil, nil, warn, s.startBridge, s.offlineText)
	s.offline.Hide()

	s.conns = newConnectionsView(s)
	s.clients = newClientsView(s)
	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Connections", theme.StorageIcon(), container.NewPadded(s.conns.content)),
		container.NewTabItemWithIcon("Clients", theme.ComputerIcon(), container.NewPadded(s.clients.content)),
	)

	s.autostart = widget.NewCheck("Start Patchbay at login", s.onAutostart)
	s.autostart.Checked = autostartEnabled()
	s.inspectorBtn = widget.NewButtonWithIcon("Inspector", theme.SearchIcon(), func() { u.showInspector("") })

	s.window.SetIcon(appIcon)
	s.window.SetContent(s.layout())
	s.window.Resize(mainWindowSize)
	s.ctl.onChange(s.update)
	s.update()
	return s
}

// layout arranges the header, the offline banner, the tabs and the footer.
func (s *mainScreen) layout() fyne.CanvasObject {
	icon := canvas.NewImageFromResource(appIcon)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(48))
	title := widget.NewLabelWithStyle(Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	tagline := widget.NewLabel("Connects your AI clients to MCP servers.")
	header := container.NewBorder(nil, nil, icon, container.NewCenter(s.inspectorBtn),
		container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), title, tagline))
	top := container.NewVBox(header, s.offline)
	footer := container.NewHBox(s.autostart)
	return container.NewPadded(container.NewBorder(top, footer, nil, nil, s.tabs))
}

// update redraws the window from the controller's state.
func (s *mainScreen) update() {
	c := s.ctl
	connecting := !c.online && c.offlineWhy == nil // before the first answer (or error)
	if c.online || connecting {
		s.offline.Hide()
	} else {
		if c.starting {
			s.offlineText.SetText("Starting the Patchbay bridge…")
			s.startBridge.Disable()
		} else {
			s.offlineText.SetText("The Patchbay bridge is not running, so your AI clients cannot reach their connections.")
			s.startBridge.Enable()
		}
		s.offline.Show()
	}
	s.conns.update(c.online, c.connections())
	s.clients.update(c.online, c.clients, c.clientErr)
	if connecting {
		s.conns.status.SetText("Connecting to the bridge…")
	}
}

// onStartBridge starts the bridge off the UI thread; the banner says so meanwhile.
func (s *mainScreen) onStartBridge() {
	s.ctl.startBridge(func(err error) {
		if err != nil {
			s.showError("Could not start the bridge", err)
		}
	})
	s.update()
}

// onAutostart writes or removes the login item; a failure unticks the box and says why.
func (s *mainScreen) onAutostart(on bool) {
	if err := setAutostart(on); err != nil {
		s.autostart.SetChecked(!on)
		s.showError("Could not change the login setting", err)
	}
}

// sectionTitle is the bold heading above an area of a window.
func sectionTitle(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}
