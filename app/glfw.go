//go:build cgo && !ci

package app

import (
	"errors"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// displayError returns the GLFW error a panic carries, or nil for any other panic value.
// GLFW panics with a *glfw.Error when it cannot use the display (no X authorisation, no GL).
func displayError(panicked any) error {
	var gerr *glfw.Error
	if e, ok := panicked.(error); ok && errors.As(e, &gerr) {
		return gerr
	}
	return nil
}
