package app

import (
	"bytes"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patchbay-mcp/patchbay/assets"
)

// fakeTray is a desktop.App that keeps what it was last given, as the real one hands it to
// the OS: the icon bytes and a copy of the menu's labels at that moment.
type fakeTray struct {
	icon   []byte
	labels []string
	window fyne.Window
	menus  int
}

func (f *fakeTray) SetSystemTrayMenu(m *fyne.Menu) {
	f.menus++
	f.labels = nil
	for _, it := range m.Items {
		if !it.IsSeparator {
			f.labels = append(f.labels, it.Label)
		}
	}
}
func (f *fakeTray) SetSystemTrayIcon(r fyne.Resource) { f.icon = r.Content() }
func (f *fakeTray) SetSystemTrayWindow(w fyne.Window) { f.window = w }

func TestTrayMenuInstallsIdleIconAndMenu(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("Patchbay")
	defer w.Close()
	opened := 0
	tm := newTrayMenu(func() { opened++ })
	f := &fakeTray{}
	tm.install(f, w)

	_, idle := assets.Tray(assets.TrayIdle)
	if !bytes.Equal(f.icon, idle) {
		t.Error("tray icon is not the idle icon")
	}
	if f.window != w {
		t.Error("the main window is not the tray's window")
	}
	want := []string{"No connections yet", "Open Patchbay"}
	if len(f.labels) != len(want) || f.labels[0] != want[0] || f.labels[1] != want[1] {
		t.Fatalf("menu labels %q, want %q (Fyne appends Quit itself)", f.labels, want)
	}
	if !tm.summary.Disabled || tm.open.Disabled {
		t.Error("the summary line must be disabled and Open Patchbay enabled")
	}
	tm.open.Action()
	if opened != 1 {
		t.Errorf("Open Patchbay ran the open callback %d times, want 1", opened)
	}
}

func TestTrayMenuSetStatusSwitchesIconAndSummary(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("Patchbay")
	defer w.Close()
	tm := newTrayMenu(func() {})
	f := &fakeTray{}
	tm.install(f, w)

	tm.setStatus(assets.TrayConnected, "Notion connected")
	if _, want := assets.Tray(assets.TrayConnected); !bytes.Equal(f.icon, want) {
		t.Error("icon did not switch to the connected icon")
	}
	if f.labels[0] != "Notion connected" {
		t.Errorf("summary line %q, want %q", f.labels[0], "Notion connected")
	}
	menus := f.menus
	tm.setStatus(assets.TrayConnected, "Notion connected")
	if f.menus != menus {
		t.Error("setting the same status again rebuilt the tray menu")
	}
	tm.setStatus(assets.TrayAttention, "Notion needs a new token")
	if _, want := assets.Tray(assets.TrayAttention); !bytes.Equal(f.icon, want) {
		t.Error("icon did not switch to the attention icon")
	}
}
