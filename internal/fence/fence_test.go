// Package fence holds the tests that keep Patchbay's imports running one way:
// cmd/patchbay-tray → app → bridge → connectors, clientconfig. They fail the build when a
// package imports against the grain, so that cgo and Fyne stay out of the lean patchbay
// binary (the root package: the shim, the CLI and the bridge).
package fence

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const module = "github.com/patchbay-mcp/patchbay"

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// deps maps each package of the module to the packages it imports: all of them, directly or
// not, or with direct only its own imports.
func deps(t *testing.T, direct bool) map[string][]string {
	t.Helper()
	field := ".Deps"
	if direct {
		field = ".Imports"
	}
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range `+field+`}} {{.}}{{end}}`, "./...")
	cmd.Dir = repoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		m[f[0]] = f[1:]
	}
	return m
}

// rel is pkg relative to the module: "" for the root package.
func rel(pkg string) string { return strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/") }

// name is how errors call pkg.
func name(pkg string) string {
	if r := rel(pkg); r != "" {
		return r
	}
	return "the root package"
}

// under reports whether pkg is one of dirs or below one; "" is the root package only.
func under(pkg string, dirs ...string) bool {
	r := rel(pkg)
	for _, d := range dirs {
		if r == d || (d != "" && strings.HasPrefix(r, d+"/")) {
			return true
		}
	}
	return false
}

func TestImportsRunOneWay(t *testing.T) {
	rules := []struct {
		from      []string // packages under these folders...
		forbidden []string // ...must not import anything under these
		direct    bool     // only direct imports count (app reaches them through bridge, as it should)
		why       string
	}{
		{[]string{"bridge", "connectors", "clientconfig", "cli", "internal"}, []string{"fyne.io"}, false, "Fyne (cgo, GL) stays in app/ and cmd/patchbay-tray"},
		{[]string{""}, []string{"fyne.io", module + "/app"}, false, "the root package is the lean patchbay binary (shim, CLI, bridge): the tray is cmd/patchbay-tray"},
		{[]string{"app"}, []string{module + "/connectors", module + "/clientconfig"}, true, "the GUI talks to the bridge only through bridge.Client"},
		{[]string{"connectors"}, []string{module + "/bridge", module + "/clientconfig", module + "/app", module + "/cli"}, false, "connectors know nothing above them"},
		{[]string{"clientconfig"}, []string{module + "/bridge", module + "/connectors", module + "/app", module + "/cli"}, false, "clientconfig knows nothing above or beside it"},
		{[]string{"bridge"}, []string{module + "/app", module + "/cli"}, false, "nothing imports upward"},
		{[]string{"internal"}, []string{module + "/bridge", module + "/connectors", module + "/clientconfig", module + "/app", module + "/cli"}, false, "internal packages are leaves"},
	}
	all, direct := deps(t, false), deps(t, true)
	if len(all) < 5 {
		t.Fatalf("go list found only %d packages", len(all))
	}
	for pkg := range all {
		if !strings.HasPrefix(pkg, module) {
			continue
		}
		for _, r := range rules {
			if !under(pkg, r.from...) {
				continue
			}
			ds := all[pkg]
			if r.direct {
				ds = direct[pkg]
			}
			for _, d := range ds {
				for _, f := range r.forbidden {
					if d == f || strings.HasPrefix(d, f+"/") || (f == "fyne.io" && strings.HasPrefix(d, "fyne.io/")) {
						t.Errorf("%s imports %s: %s", name(pkg), d, r.why)
					}
				}
			}
		}
		if !under(pkg, "app", "cmd/patchbay-tray") {
			for _, d := range all[pkg] {
				if d == "fyne.io/fyne/v2/app" {
					t.Errorf("%s imports fyne.io/fyne/v2/app: only app/ and cmd/patchbay-tray may", name(pkg))
				}
			}
		}
	}
}

// TestCoreCrossCompiles builds every non-GUI package, the lean patchbay binary among them,
// for Windows and macOS without cgo, so per-OS code (socket paths, keychain hints, process
// groups, running the tray) builds everywhere.
func TestCoreCrossCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiling is slow")
	}
	pkgs := []string{".", "./bridge/...", "./connectors/...", "./clientconfig/...", "./cli/...", "./internal/..."}
	for _, goos := range []string{"windows", "darwin"} {
		t.Run(goos, func(t *testing.T) {
			cmd := exec.Command("go", append([]string{"build"}, pkgs...)...)
			cmd.Dir = repoRoot(t)
			cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("GOOS=%s CGO_ENABLED=0 go build: %v\n%s", goos, err, out)
			}
		})
	}
}
