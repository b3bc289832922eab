package stdio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/patchbay-mcp/patchbay/connectors/keychain"
)

// ErrCommandNotFound is wrapped by the error Transport returns when the command cannot be
// found or is not executable.
var ErrCommandNotFound = errors.New("command not found")

// ErrSecretMissing is wrapped by the error Transport returns when a secret env value is
// not in the keychain.
var ErrSecretMissing = errors.New("secret missing from the keychain")

// environ builds the child's environment: the bridge's own, then the connection's env,
// then secrets from the keychain. It also returns the secret values, to scrub stderr.
func (c *Connector) environ(ctx context.Context) (env, secrets []string, err error) {
	vars := map[string]string{}
	var order []string
	set := func(k, v string) {
		if runtime.GOOS == "windows" {
			k = strings.ToUpper(k) // Windows env names are case-insensitive
		}
		if _, ok := vars[k]; !ok {
			order = append(order, k)
		}
		vars[k] = v
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			set(k, v)
		}
	}
	for k, v := range c.settings.Env {
		set(k, v)
	}
	for _, k := range c.settings.SecretEnv {
		key := keychain.Key(c.name, "env/"+k)
		v, err := c.store.Get(ctx, key)
		switch {
		case errors.Is(err, keychain.ErrNotFound):
			return nil, nil, fmt.Errorf("stdio connection %q: %w: %s is not stored under %q; set it with `patchbay add stdio %s --secret-env %s -- ...` (it asks for the value)",
				c.name, ErrSecretMissing, k, key, c.name, k)
		case err != nil:
			// An *UnavailableError already says how to unlock or install a keychain.
			return nil, nil, fmt.Errorf("stdio connection %q: reading %s from the keychain: %w", c.name, k, err)
		}
		set(k, v)
		secrets = append(secrets, v)
	}
	env = make([]string, 0, len(order))
	for _, k := range order {
		env = append(env, k+"="+vars[k])
	}
	return env, secrets, nil
}

// lookPath finds command the way a shell would with the child's PATH (which may differ from
// the bridge's own when the connection sets PATH).
func lookPath(command string, env []string) (string, error) {
	if strings.ContainsRune(command, '/') || (runtime.GOOS == "windows" && strings.ContainsAny(command, `\:`)) {
		p, err := exec.LookPath(command)
		if err != nil {
			return "", fmt.Errorf("%w: %s: %v", ErrCommandNotFound, command, err)
		}
		return p, nil
	}
	pathVar := ""
	for _, kv := range slices.Backward(env) {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.EqualFold(k, "PATH") {
			pathVar = v
			break
		}
	}
	for _, dir := range filepath.SplitList(pathVar) {
		if dir == "" {
			continue
		}
		if p, err := exec.LookPath(filepath.Join(dir, command)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %q is not in PATH (%s). The bridge runs with the environment of whatever started it, and AI clients start it with a short PATH: use the command's full path (see `command -v %s`), or set PATH for this connection with --env PATH=DIRS",
		ErrCommandNotFound, command, pathVar, command)
}
