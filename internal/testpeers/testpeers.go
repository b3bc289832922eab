// Package testpeers finds the real MCP peers (npm packages) that integration tests run
// against. `make npm-peers` installs them into testdata/npm/node_modules.
//
// When they are missing, tests skip on a developer's machine but fail in CI (CI=true), so
// that a CI run can never pass by silently skipping its integration tests.
package testpeers

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns testdata/npm of the repository.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "npm")
}

// Require returns the absolute path of an installed file in testdata/npm/node_modules (for
// example "@modelcontextprotocol/server-everything/dist/index.js") and the node binary, or
// skips the test (fails it in CI) when either is missing.
func Require(t testing.TB, rel string) (node, path string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node is not installed")
	}
	path, _ = filepath.Abs(filepath.Join(Dir(), "node_modules", rel))
	if _, err := os.Stat(path); err != nil {
		missing(t, path+" is missing: run `make npm-peers`")
	}
	return node, path
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("test peer unavailable in CI: %s", why)
	}
	t.Skipf("test peer unavailable: %s", why)
}
