package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/patchbay-mcp/patchbay/bridge"
	"golang.org/x/term"
)

const addStdioUsage = "NAME [--env K=V]... [--secret-env K]... [--replace] [--json] -- COMMAND [ARGS...]"

func init() { registerAdd("stdio", runAddStdio) }

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// runAddStdio adds a stdio connection. Secret values (--secret-env) are read here, from the
// terminal without echo or one line each from stdin, and sent to the bridge over its private
// socket; the bridge stores them in the keychain. They are never in argv, state.json or a log.
func runAddStdio(env *Env, args []string) int {
	fs := newFlags(env, "add stdio", addStdioUsage)
	var envs, secrets multiFlag
	fs.Var(&envs, "env", "set an environment variable `K=V` for the command (repeatable; not for secrets)")
	fs.Var(&secrets, "secret-env", "put environment variable `K` in the command's environment from the keychain; asks for its value (repeatable)")
	replace := fs.Bool("replace", false, "replace an existing connection of the same name")
	asJSON := fs.Bool("json", false, "print the new connection as JSON")
	pos, cmd, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 || len(cmd) == 0 {
		fmt.Fprintf(env.Stderr, "usage: patchbay add stdio %s\n  for example: patchbay add stdio notion --secret-env NOTION_TOKEN -- npx -y @notionhq/notion-mcp-server\n", addStdioUsage)
		return 2
	}
	name := pos[0]
	s := bridge.StdioSettings{Command: cmd[0], Args: cmd[1:]}
	for _, kv := range envs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			fmt.Fprintf(env.Stderr, "patchbay add stdio: --env %q is not K=V\n", kv)
			return 2
		}
		if s.Env == nil {
			s.Env = map[string]string{}
		}
		s.Env[k] = v
	}
	req := bridge.AddRequest{Name: name, Kind: "stdio", Replace: *replace}
	in := bufio.NewReader(env.Stdin)
	for _, k := range secrets {
		if k == "" || strings.ContainsAny(k, "=/ ") {
			fmt.Fprintf(env.Stderr, "patchbay add stdio: --secret-env takes a variable name, not %q\n", k)
			return 2
		}
		if _, clash := s.Env[k]; clash {
			fmt.Fprintf(env.Stderr, "patchbay add stdio: %s is given both with --env and --secret-env\n", k)
			return 2
		}
		v, err := readSecret(env, in, k)
		if err != nil {
			return reportErr(env, "add stdio", err)
		}
		s.SecretEnv = append(s.SecretEnv, k)
		if req.Secrets == nil {
			req.Secrets = map[string]string{}
		}
		req.Secrets["env/"+k] = v
	}
	req.Settings, _ = json.Marshal(s)
	ctx, cancel := verbContext()
	defer cancel()
	c, _, err := bridgeClient(ctx, true)
	if err != nil {
		return reportErr(env, "add stdio", err)
	}
	st, err := c.Add(ctx, req)
	if err != nil {
		return reportErr(env, "add stdio", err)
	}
	if *asJSON {
		json.NewEncoder(env.Stdout).Encode(st)
		return 0
	}
	fmt.Fprintf(env.Stdout, "Added %s: %s\n", name, st.Summary)
	if len(s.SecretEnv) > 0 {
		fmt.Fprintf(env.Stdout, "Secrets %s are in the keychain, put into the command's environment when it starts.\n", strings.Join(s.SecretEnv, ", "))
	}
	fmt.Fprintf(env.Stdout, "AI clients run it as: patchbay shim %s\nTry it: patchbay tools %s\n", name, name)
	return 0
}

// readSecret asks for a secret on the terminal (no echo) when stdin is one, else reads one
// line from stdin.
func readSecret(env *Env, in *bufio.Reader, name string) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(env.Stderr, "Value of %s (not shown): ", name)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", fmt.Errorf("reading %s from the terminal: %w", name, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("no value given for %s", name)
		}
		return v, nil
	}
	line, err := in.ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", fmt.Errorf("reading the value of %s from stdin (one line per --secret-env): %w", name, err)
	}
	v := strings.TrimRight(line, "\r\n")
	if v == "" {
		return "", fmt.Errorf("the value of %s read from stdin is empty", name)
	}
	return v, nil
}
