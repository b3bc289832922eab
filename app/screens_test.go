package app

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TestScreensMarkup pins what the key screens display, as Fyne's markup of the rendered
// widget tree (testdata/*.xml). After an intended change, the new markup is written to
// testdata/failed/: review it and copy it over.
func TestScreensMarkup(t *testing.T) {
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	test.AssertRendersToMarkup(t, "connections.xml", u.main.window.Canvas())
	u.main.tabs.SelectIndex(1)
	test.AssertRendersToMarkup(t, "clients.xml", u.main.window.Canvas())
	u.showInspector("notion")
	test.AssertRendersToMarkup(t, "inspector-tools.xml", u.inspector.window.Canvas())

	be.running = false
	u.ctl.refresh()
	u.main.tabs.SelectIndex(0)
	test.AssertRendersToMarkup(t, "offline.xml", u.main.window.Canvas())
}

// TestScreenshots renders each window with sample data to PNGs in $PATCHBAY_SCREENSHOTS
// (`make screenshot`, via scripts/screenshot.sh), in the theme variant $FYNE_THEME (light or
// dark). Without the variable it is skipped.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("PATCHBAY_SCREENSHOTS")
	if dir == "" {
		t.Skip("set PATCHBAY_SCREENSHOTS=DIR to render the screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	be := newFakeBackend()
	u := newTestUI(t, be, nil)
	u.app.Settings().SetTheme(variantTheme{theme.DefaultTheme(), os.Getenv("FYNE_THEME") == "dark"})
	shot := func(name string, w fyne.Window) {
		t.Helper()
		w.Content().Refresh()
		f, err := os.Create(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, w.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
	}
	main := u.main
	shot("connections", main.window)
	main.tabs.SelectIndex(1)
	shot("clients", main.window)
	test.Tap(main.clients.rows["cursor|"].connect)
	shot("clients-diff", main.window)
	main.lastDiff.d.Hide()
	main.tabs.SelectIndex(0)
	main.showAddToken("")
	shot("add-token", main.window)
	main.lastToken.d.Hide()
	main.showAddServer()
	main.lastServer.name.SetText("github")
	main.lastServer.url.SetText("https://api.githubcopilot.com/mcp/")
	main.lastServer.auth.SetSelected(authOAuth)
	shot("add-server", main.window)
	main.lastServer.d.Hide()
	test.Tap(main.conns.rows["notion-hosted"].reconnect)
	shot("connect-notion", main.window)
	main.lastAuth.d.Hide()

	u.showInspector("notion")
	ins := u.inspector
	ins.tools.selectTool("notion-search")
	ins.tools.form.field("query").entry.SetText("roadmap")
	ins.tools.form.field("limit").entry.SetText("5")
	test.Tap(ins.tools.run)
	shot("inspector-tools", ins.window)
	ins.tools.selectTool("render-chart")
	test.Tap(ins.tools.run)
	shot("inspector-image", ins.window)

	for _, e := range sampleEvents(5000) {
		u.ctl.receive(e)
	}
	u.ctl.flush()
	ins.tabs.SelectIndex(1)
	ins.log.table.Select(widget.TableCellID{Row: 4990, Col: 4})
	shot("inspector-log", ins.window)

	// The tray menu as a panel draws it (a Fyne menu stands in for the desktop's).
	tray := &fakeTray{}
	u.tray = newTrayMenu(u)
	u.tray.install(tray, main.window)
	mw := u.app.NewWindow("Tray menu")
	mw.SetContent(container.NewPadded(widget.NewMenu(u.tray.menu)))
	mw.Resize(fyne.NewSize(360, mw.Content().MinSize().Height))
	shot("tray-menu", mw)
	mw.Close()

	be.running = false
	u.ctl.refresh()
	shot("offline", main.window)
}

// variantTheme forces the light or dark variant of a theme.
type variantTheme struct {
	fyne.Theme
	dark bool
}

func (v variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if v.dark {
		return v.Theme.Color(n, theme.VariantDark)
	}
	return v.Theme.Color(n, theme.VariantLight)
}
