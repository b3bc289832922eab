package app

import (
	"os/exec"
	"strings"
	"testing"
)

// TestAppImportsNoBackend keeps the GUI a thin client: it reaches connectors and client
// configs only through the bridge's API, never by importing them itself (the bridge, which
// app may import, does). Test files are included.
func TestAppImportsNoBackend(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not on PATH")
	}
	out, err := exec.Command(goBin, "list", "-f", `{{join .Imports " "}} {{join .TestImports " "}}`, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const mod = "github.com/patchbay-mcp/patchbay/"
	for _, p := range strings.Fields(string(out)) {
		for _, banned := range []string{mod + "connectors", mod + "clientconfig", mod + "cli"} {
			if p == banned || strings.HasPrefix(p, banned+"/") {
				t.Errorf("app depends on %s; it must reach it only through bridge.Client", p)
			}
		}
	}
}
