package clientconfig

// Format is a config file's syntax.
type Format string

// The formats clients use.
const (
	JSON  Format = "json"
	JSONC Format = "jsonc" // JSON with comments and trailing commas
	YAML  Format = "yaml"
	TOML  Format = "toml"
)

// Location is one candidate place of a client's global config file. File and Probe are
// templates: "~" is the home folder, "{config}" the per-OS application config folder
// (~/Library/Application Support, %APPDATA%, ~/.config), "{appdata}" and "{localappdata}"
// the Windows folders.
type Location struct {
	// OS limits the location to one GOOS ("darwin", "windows", "linux"); empty means any.
	OS string
	// File is the config file.
	File string
	// Probe is a path whose existence means the client is installed here; empty means the
	// file's folder.
	Probe string
}

// Client is one AI client, as data. The table is Clients; nothing else in the package knows
// a client by name.
type Client struct {
	// ID is the client's name on the command line ("claude-desktop").
	ID string
	// Name is the display name ("Claude Desktop").
	Name string
	// Locations are the candidates for the global config, in order: the first whose probe
	// exists is used.
	Locations []Location
	// ProjectFile is the config inside a project folder ("" when the client has none).
	ProjectFile string
	// Format is the file's syntax.
	Format Format
	// Servers is the top-level key holding the servers.
	Servers string
	// List means Servers holds a list of entries identified by their "name" (Continue),
	// instead of an object keyed by name.
	List bool
	// Shape is how a stdio entry is spelled.
	Shape Shape
}

var (
	stdShape  = Shape{}
	typeStdio = Shape{Type: "stdio"}
)

// Clients is every client Patchbay can connect, in display order.
var Clients = []*Client{
	{
		ID: "claude-desktop", Name: "Claude Desktop", Format: JSON, Servers: "mcpServers", Shape: stdShape,
		Locations: []Location{
			// The Microsoft Store (MSIX) build reads its file from its package's virtualised
			// folder, not from %APPDATA%.
			{OS: "windows", File: "{localappdata}/Packages/Claude_pzs8sxrjxfjjc/LocalCache/Roaming/Claude/claude_desktop_config.json", Probe: "{localappdata}/Packages/Claude_pzs8sxrjxfjjc"},
			{File: "{config}/Claude/claude_desktop_config.json"},
		},
	},
	{
		ID: "claude-code", Name: "Claude Code", Format: JSON, Servers: "mcpServers", Shape: typeStdio,
		Locations: []Location{
			{File: "~/.claude.json", Probe: "~/.claude.json"},
			{File: "~/.claude.json", Probe: "~/.claude"},
		},
		ProjectFile: ".mcp.json",
	},
	{
		ID: "cursor", Name: "Cursor", Format: JSON, Servers: "mcpServers", Shape: stdShape,
		Locations:   []Location{{File: "~/.cursor/mcp.json"}},
		ProjectFile: ".cursor/mcp.json",
	},
	{
		ID: "vscode", Name: "VS Code", Format: JSONC, Servers: "servers", Shape: typeStdio,
		Locations:   []Location{{File: "{config}/Code/User/mcp.json", Probe: "{config}/Code"}},
		ProjectFile: ".vscode/mcp.json",
	},
	{
		ID: "vscode-insiders", Name: "VS Code Insiders", Format: JSONC, Servers: "servers", Shape: typeStdio,
		Locations: []Location{{File: "{config}/Code - Insiders/User/mcp.json", Probe: "{config}/Code - Insiders"}},
	},
	{
		ID: "windsurf", Name: "Windsurf", Format: JSON, Servers: "mcpServers", Shape: stdShape,
		Locations: []Location{{File: "~/.codeium/windsurf/mcp_config.json"}},
	},
	{
		ID: "zed", Name: "Zed", Format: JSONC, Servers: "context_servers",
		// The flat stdio form of zed.dev/docs/ai/mcp (zed-industries/zed#33539).
		Shape: stdShape,
		Locations: []Location{
			{OS: "windows", File: "{appdata}/Zed/settings.json"},
			{File: "~/.config/zed/settings.json"},
		},
		ProjectFile: ".zed/settings.json",
	},
	{
		ID: "gemini", Name: "Gemini CLI", Format: JSON, Servers: "mcpServers", Shape: stdShape,
		Locations:   []Location{{File: "~/.gemini/settings.json"}},
		ProjectFile: ".gemini/settings.json",
	},
	{
		ID: "codex", Name: "Codex", Format: TOML, Servers: "mcp_servers", Shape: stdShape,
		Locations: []Location{{File: "~/.codex/config.toml"}},
	},
	{
		ID: "lmstudio", Name: "LM Studio", Format: JSON, Servers: "mcpServers", Shape: stdShape,
		Locations: []Location{{File: "~/.lmstudio/mcp.json"}},
	},
	{
		ID: "cline", Name: "Cline", Format: JSON, Servers: "mcpServers", Shape: stdShape,
		Locations: []Location{{
			File:  "{config}/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
			Probe: "{config}/Code/User/globalStorage/saoudrizwan.claude-dev",
		}},
	},
	{
		ID: "goose", Name: "Goose", Format: YAML, Servers: "extensions",
		Shape: Shape{Name: true, Type: "stdio", CommandKey: "cmd", EnvKey: "envs", AlwaysEnv: true,
			After: object{{"enabled", true}, {"timeout", 300}}},
		Locations: []Location{
			{OS: "windows", File: "{appdata}/Block/goose/config/config.yaml"},
			{File: "~/.config/goose/config.yaml"},
		},
	},
	{
		ID: "continue", Name: "Continue", Format: YAML, Servers: "mcpServers", List: true,
		Shape:     Shape{Name: true},
		Locations: []Location{{File: "~/.continue/config.yaml"}},
	},
	{
		ID: "opencode", Name: "OpenCode", Format: JSONC, Servers: "mcp",
		Shape: Shape{Type: "local", CommandArray: true, EnvKey: "environment", After: object{{"enabled", true}}},
		Locations: []Location{
			{File: "~/.config/opencode/opencode.jsonc", Probe: "~/.config/opencode/opencode.jsonc"},
			{File: "~/.config/opencode/opencode.json"},
		},
		ProjectFile: "opencode.json",
	},
	{
		ID: "kiro", Name: "Kiro", Format: JSON, Servers: "mcpServers", Shape: stdShape,
		Locations:   []Location{{File: "~/.kiro/settings/mcp.json", Probe: "~/.kiro"}},
		ProjectFile: ".kiro/settings/mcp.json",
	},
}

// Lookup returns the client with the given id.
func Lookup(id string) (*Client, bool) {
	for _, c := range Clients {
		if c.ID == id {
			return c, true
		}
	}
	return nil, false
}
