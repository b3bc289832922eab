package remote

import (
	"fmt"
	"os/exec"
	"runtime"
)

// OpenBrowser opens url in the system browser and returns without waiting for it. It is the
// openBrowser of a login a person started; nothing else in Patchbay opens a browser.
func OpenBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", cmd.Path, err)
	}
	go cmd.Wait() // reap it; xdg-open exits once it handed the URL over
	return nil
}
