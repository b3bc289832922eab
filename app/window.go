package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// mainScreen is the "Patchbay" window: what is connected, and the actions to add more. Until
// the bridge is wired in it shows the empty state, with the actions to come visible but
// disabled. Later screens (Connections, Clients, Inspector) hang off these buttons: give one
// an OnTapped and Enable it; the clients area is a container to fill with rows.
//
// Its fields are Fyne widgets: touch them only on Fyne's goroutine (use fyne.Do elsewhere).
type mainScreen struct {
	window fyne.Window

	// status is the one-line headline of the connections area ("No connections yet").
	status *widget.Label
	// hint explains the headline and what to do next.
	hint *widget.Label

	connectNotion *widget.Button // sign in to Notion's hosted MCP server (OAuth)
	addToken      *widget.Button // paste a Notion integration token (ntn_...)
	addServer     *widget.Button // any other MCP server: a command or a URL

	// clients lists the AI clients found on this computer.
	clients     *fyne.Container
	clientsHint *widget.Label

	// footer says what works today.
	footer *widget.Label
}

// mainWindowSize is the window's first size; it fits the empty state and a few connections.
var mainWindowSize = fyne.NewSize(720, 480)

// newMainScreen makes the window (not yet shown) and its widgets.
func newMainScreen(a fyne.App) *mainScreen {
	s := &mainScreen{window: a.NewWindow(Name)}

	s.status = widget.NewLabelWithStyle("No connections yet", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	s.status.SizeName = theme.SizeNameSubHeadingText
	s.hint = widget.NewLabel("Connect Notion once, and Claude Desktop, Cursor, VS Code and your other AI " +
		"clients can all use it. Your token stays in the OS keychain, never in a config file.")
	s.hint.Wrapping = fyne.TextWrapWord
	s.hint.Alignment = fyne.TextAlignCenter

	s.connectNotion = widget.NewButtonWithIcon("Connect Notion…", theme.LoginIcon(), nil)
	s.connectNotion.Importance = widget.HighImportance
	s.addToken = widget.NewButtonWithIcon("Add Notion token…", theme.AccountIcon(), nil)
	s.addServer = widget.NewButtonWithIcon("Add server…", theme.ContentAddIcon(), nil)
	for _, b := range []*widget.Button{s.connectNotion, s.addToken, s.addServer} {
		b.Disable()
	}

	s.clientsHint = widget.NewLabel("The AI clients on this computer will be listed here, " +
		"each with a switch to give it your connections.")
	s.clientsHint.Wrapping = fyne.TextWrapWord
	s.clients = container.NewVBox(s.clientsHint)

	s.footer = widget.NewLabel("These actions arrive in the next version. Meanwhile, run patchbay help in a terminal.")
	s.footer.Wrapping = fyne.TextWrapWord
	s.footer.TextStyle = fyne.TextStyle{Italic: true}

	s.window.SetIcon(appIcon)
	s.window.SetContent(s.layout())
	s.window.Resize(mainWindowSize)
	return s
}

// layout arranges the widgets: a header with the icon, the connections area (the empty state
// and its actions, centred), the clients area, and the footer.
func (s *mainScreen) layout() fyne.CanvasObject {
	icon := canvas.NewImageFromResource(appIcon)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(64))
	title := widget.NewLabelWithStyle(Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	tagline := widget.NewLabel("Connects your AI clients to MCP servers.")
	header := container.NewBorder(nil, nil, icon, nil,
		container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), title, tagline))

	actions := container.NewCenter(container.NewHBox(s.connectNotion, s.addToken, s.addServer))
	connections := container.NewVBox(sectionTitle("Connections"),
		widget.NewCard("", "", container.NewVBox(s.status, s.hint, actions)))
	clients := container.NewVBox(sectionTitle("Clients"), widget.NewCard("", "", s.clients))

	body := container.NewVBox(header, connections, clients)
	return container.NewPadded(container.NewBorder(nil, s.footer, nil, nil, container.NewVScroll(body)))
}

// sectionTitle is the bold heading above each area of a window.
func sectionTitle(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}
