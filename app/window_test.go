package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestMainScreenShowsEmptyStateWithActionsDisabled(t *testing.T) {
	a := test.NewTempApp(t)
	s := newMainScreen(a)
	defer s.window.Close()

	if got := s.window.Title(); got != "Patchbay" {
		t.Errorf("window title %q, want Patchbay (the screenshot script finds the window by it)", got)
	}
	if s.status.Text != "No connections yet" {
		t.Errorf("status %q, want the empty state", s.status.Text)
	}
	for _, b := range []*widget.Button{s.connectNotion, s.addToken, s.addServer} {
		if !b.Disabled() {
			t.Errorf("button %q is enabled before its action exists", b.Text)
		}
		if b.OnTapped != nil {
			t.Errorf("button %q has an action but is meant to be a placeholder", b.Text)
		}
		test.Tap(b) // a tap on a disabled button must do nothing, not panic
	}
	labels := map[string]bool{}
	for _, b := range []*widget.Button{s.connectNotion, s.addToken, s.addServer} {
		labels[b.Text] = true
	}
	for _, want := range []string{"Connect Notion…", "Add Notion token…", "Add server…"} {
		if !labels[want] {
			t.Errorf("no %q button; have %v", want, labels)
		}
	}
	// Every widget is on the window's canvas, not just in the struct.
	shown := map[fyne.CanvasObject]bool{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		shown[o] = true
		if c, ok := o.(*fyne.Container); ok {
			for _, k := range c.Objects {
				walk(k)
			}
		} else if w, ok := o.(fyne.Widget); ok {
			for _, k := range test.WidgetRenderer(w).Objects() {
				walk(k)
			}
		}
	}
	walk(s.window.Content())
	for name, o := range map[string]fyne.CanvasObject{
		"status": s.status, "hint": s.hint, "clients": s.clients, "footer": s.footer,
		"connectNotion": s.connectNotion, "addToken": s.addToken, "addServer": s.addServer,
	} {
		if !shown[o] {
			t.Errorf("%s is not laid out in the window", name)
		}
	}
}

func TestMainScreenFitsItsDefaultSize(t *testing.T) {
	a := test.NewTempApp(t)
	s := newMainScreen(a)
	defer s.window.Close()
	min := s.window.Content().MinSize()
	if min.Width > mainWindowSize.Width || min.Height > mainWindowSize.Height {
		t.Errorf("content needs %v, more than the default window size %v", min, mainWindowSize)
	}
	if got := s.window.Canvas().Size(); got.Width < mainWindowSize.Width-1 || got.Height < mainWindowSize.Height-1 {
		t.Errorf("window opens at %v, want %v", got, mainWindowSize)
	}
}
