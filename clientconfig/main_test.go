package clientconfig

import (
	"context"
	"os"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Environment variables that make the test binary, re-run as a child, play a part.
const (
	// crashEnv: edit the file it names and die between the temp write and the rename.
	crashEnv = "CLIENTCONFIG_TEST_CRASH_EDIT"
)

// TestMain lets the test binary stand in for other programs:
//   - run as `<test binary> shim NAME`, exactly as an AI client launches the entry Patchbay
//     wrote, it is a tiny stdio MCP server (go-sdk) answering initialize, whose server
//     version reports NAME and PATCHBAY_HOME, so a test sees what the child received;
//   - with crashEnv set, it crashes in the middle of an atomic replace.
func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == "shim" {
		s := mcp.NewServer(&mcp.Implementation{Name: "fake-shim", Version: os.Args[2] + "|" + os.Getenv("PATCHBAY_HOME")}, nil)
		if err := s.Run(context.Background(), &mcp.StdioTransport{}); err != nil {
			os.Exit(3)
		}
		os.Exit(0)
	}
	if path := os.Getenv(crashEnv); path != "" {
		crashBeforeRename(path)
		os.Exit(1) // not reached
	}
	os.Exit(m.Run())
}
