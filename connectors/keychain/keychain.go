// Package keychain keeps Patchbay's secrets (tokens, OAuth sessions, client registrations) in
// the OS keychain under the service "patchbay": the macOS Keychain, the Windows Credential
// Manager, or a Secret Service (gnome-keyring, KeePassXC) on Linux.
//
// There is no fallback: when no keychain is usable, every call returns an *UnavailableError
// whose message says how to fix it. Secrets are never written to a file instead.
package keychain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Service is the keychain service name every Patchbay secret is stored under.
const Service = "patchbay"

// DefaultTimeout bounds each keychain call. A locked keyring can show a prompt and block until
// someone answers it; past this the call fails with an *UnavailableError instead of hanging.
// It is long enough for a person to type a password into an unlock prompt.
const DefaultTimeout = 30 * time.Second

// ErrNotFound is returned by Get and Delete when no secret is stored under the key.
var ErrNotFound = errors.New("secret not found in the keychain")

// Store reads and writes secrets. Implementations are safe for concurrent use. Keys are
// opaque strings; use Key to build them.
type Store interface {
	// Get returns the secret stored under key, or ErrNotFound.
	Get(ctx context.Context, key string) (string, error)
	// Set stores secret under key, replacing any earlier one.
	Set(ctx context.Context, key, secret string) error
	// Delete removes the secret under key; it returns ErrNotFound if there was none.
	Delete(ctx context.Context, key string) error
}

// Key names one secret of one connection, for example Key("notion", "token") or
// Key("work", "env/NOTION_TOKEN"). Connection names cannot contain "/" so keys do not collide.
func Key(connection, item string) string { return connection + "/" + item }

// UnavailableError says that no keychain could be used, why, and what to do about it.
type UnavailableError struct {
	// Op is the operation that failed: "get", "set" or "delete".
	Op string
	// Err is the underlying cause (it never contains a secret).
	Err error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("keychain unavailable (%s): %v. %s", e.Op, e.Err, hint())
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// IsUnavailable reports whether err says no keychain could be used.
func IsUnavailable(err error) bool {
	var u *UnavailableError
	return errors.As(err, &u)
}

// errTimeout is the cause inside an *UnavailableError when a call took longer than its bound.
var errTimeout = errors.New("the keychain did not answer in time (is it locked, waiting for a password prompt?)")

// validKey rejects keys that would be ambiguous or that some backends refuse.
func validKey(key string) error {
	if key == "" || strings.ContainsAny(key, "\x00\n") {
		return fmt.Errorf("invalid keychain key %q", key)
	}
	return nil
}

// withTimeout runs f and gives up after the context's deadline, or timeout if the context
// has none. On giving up the call's goroutine is left to finish on its own: the backends
// offer no way to cancel a pending prompt.
func withTimeout[T any](ctx context.Context, timeout time.Duration, f func() (T, error)) (T, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return zero, errTimeout
		}
		return zero, ctx.Err()
	}
}
