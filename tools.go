//go:build tools

// This file pins modules that are required but not yet imported by code, so that go mod tidy
// keeps them: fyne.io/systray is driven by Fyne (never call it directly) and fsnotify is used
// by the client-config watcher.
package main

import (
	_ "fyne.io/systray"
	_ "github.com/fsnotify/fsnotify"
	_ "github.com/tailscale/hujson"
)
