package keychain

import (
	"context"
	"sync"
)

// Memory is an in-memory Store for unit tests. Its zero value is ready to use. Fail, when
// set, makes every call return an *UnavailableError wrapping it, to test the error paths.
type Memory struct {
	mu      sync.Mutex // guards secrets
	secrets map[string]string
	Fail    error
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) (string, error) {
	if err := m.check("get", key); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.secrets[key]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// Set implements Store.
func (m *Memory) Set(_ context.Context, key, secret string) error {
	if err := m.check("set", key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.secrets == nil {
		m.secrets = map[string]string{}
	}
	m.secrets[key] = secret
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, key string) error {
	if err := m.check("delete", key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.secrets[key]; !ok {
		return ErrNotFound
	}
	delete(m.secrets, key)
	return nil
}

// Keys returns the stored keys, for tests that check what was stored.
func (m *Memory) Keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ks []string
	for k := range m.secrets {
		ks = append(ks, k)
	}
	return ks
}

func (m *Memory) check(op, key string) error {
	if err := validKey(key); err != nil {
		return err
	}
	if m.Fail != nil {
		return &UnavailableError{Op: op, Err: m.Fail}
	}
	return nil
}
