package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// quitTitle is the title of the window that asks how to quit.
const quitTitle = "Quit Patchbay"

// quitPrompt is the small window the tray's Quit opens: quit and leave the bridge running
// (AI clients keep working), quit and stop the bridge too, or cancel.
type quitPrompt struct {
	window   fyne.Window
	keep     *widget.Button
	stopBoth *widget.Button
	cancel   *widget.Button
}

// askQuit asks whether to stop the bridge too; with no bridge running it just quits.
func (u *ui) askQuit() {
	if !u.ctl.online {
		u.app.Quit()
		return
	}
	if u.quit != nil {
		u.quit.window.Show()
		u.quit.window.RequestFocus()
		return
	}
	q := &quitPrompt{window: u.app.NewWindow(quitTitle)}
	u.quit = q
	msg := widget.NewLabel("The bridge can keep running without the tray: your AI clients stay connected. " +
		"Stop it too, and they lose their connections until Patchbay starts again.")
	msg.Wrapping = fyne.TextWrapWord
	q.keep = widget.NewButton("Quit, keep the bridge", u.app.Quit)
	q.keep.Importance = widget.HighImportance
	q.stopBoth = widget.NewButton("Quit and stop the bridge", func() {
		q.stopBoth.Disable()
		u.ctl.async(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = u.ctl.be.Shutdown(ctx) // quitting anyway; a bridge already gone is fine
			u.ctl.ui(u.app.Quit)
		})
	})
	q.cancel = widget.NewButton("Cancel", func() { q.window.Hide() })
	q.window.SetContent(container.NewPadded(container.NewBorder(
		container.NewVBox(sectionTitle("Quit Patchbay?"), msg), container.NewHBox(layout.NewSpacer(), q.cancel, q.stopBoth, q.keep),
		nil, nil)))
	// Return takes the default (keep the bridge), Escape cancels.
	q.window.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		switch e.Name {
		case fyne.KeyReturn, fyne.KeyEnter:
			q.keep.OnTapped()
		case fyne.KeyEscape:
			q.cancel.OnTapped()
		}
	})
	q.window.Resize(fyne.NewSize(520, 160))
	q.window.SetCloseIntercept(q.window.Hide)
	q.window.CenterOnScreen()
	q.window.Show()
}
