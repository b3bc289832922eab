package app

import (
	"encoding/json"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patchbay-mcp/patchbay/internal/exepath"
)

// shimSnippet is the mcpServers entry that makes any MCP client launch connection name
// through Patchbay's shim: for clients Patchbay does not know, to paste by hand. exe is the
// patchbay executable; a non-default PATCHBAY_HOME goes into env so the shim finds this bridge.
func shimSnippet(exe, name, patchbayHome string) string {
	entry := map[string]any{"command": exe, "args": []string{"shim", name}}
	if patchbayHome != "" {
		entry["env"] = map[string]string{"PATCHBAY_HOME": patchbayHome}
	}
	b, _ := json.MarshalIndent(map[string]any{"mcpServers": map[string]any{name: entry}}, "", "  ")
	return string(b)
}

// snippetView is the snippet dialog.
type snippetView struct {
	text string
	copy *widget.Button
}

// showSnippet shows the config entry for connection name with a Copy button.
func (s *mainScreen) showSnippet(name string) {
	exe, err := exepath.Headless() // the lean patchbay, as in the configs the bridge writes
	if err != nil {
		exe = "patchbay"
	}
	v := &snippetView{text: shimSnippet(exe, name, os.Getenv("PATCHBAY_HOME"))}
	intro := widget.NewLabel("For an MCP client Patchbay does not know: add this to its config. It holds no secret.")
	intro.Wrapping = fyne.TextWrapWord
	code := widget.NewTextGridFromString(v.text)
	var d *dialog.CustomDialog
	v.copy = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		s.ui.app.Clipboard().SetContent(v.text)
		v.copy.SetText("Copied")
	})
	v.copy.Importance = widget.HighImportance
	closeBtn := widget.NewButton("Close", func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons("Snippet for "+name,
		container.NewVBox(intro, container.NewHScroll(code), container.NewHBox(layout.NewSpacer(), closeBtn, v.copy)), s.window)
	d.Resize(fyne.NewSize(560, d.MinSize().Height))
	d.Show()
	s.lastSnippet = v
}
