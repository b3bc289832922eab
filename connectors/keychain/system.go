package keychain

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// System is the OS keychain. The zero value is ready to use with DefaultTimeout.
type System struct {
	// Timeout bounds each call when the context has no deadline; 0 means DefaultTimeout.
	Timeout time.Duration
}

var findBusOnce sync.Once

func (s System) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultTimeout
}

// Get implements Store.
func (s System) Get(ctx context.Context, key string) (string, error) {
	if err := validKey(key); err != nil {
		return "", err
	}
	findBusOnce.Do(findSessionBus)
	v, err := withTimeout(ctx, s.timeout(), func() (string, error) { return keyring.Get(Service, key) })
	return v, mapErr("get", err)
}

// Set implements Store.
func (s System) Set(ctx context.Context, key, secret string) error {
	if err := validKey(key); err != nil {
		return err
	}
	findBusOnce.Do(findSessionBus)
	_, err := withTimeout(ctx, s.timeout(), func() (struct{}, error) { return struct{}{}, keyring.Set(Service, key, secret) })
	return mapErr("set", err)
}

// Delete implements Store.
func (s System) Delete(ctx context.Context, key string) error {
	if err := validKey(key); err != nil {
		return err
	}
	findBusOnce.Do(findSessionBus)
	_, err := withTimeout(ctx, s.timeout(), func() (struct{}, error) { return struct{}{}, keyring.Delete(Service, key) })
	return mapErr("delete", err)
}

// mapErr turns backend errors into ErrNotFound or *UnavailableError. Every error other than
// "not found" and a cancelled context means the keychain could not be used: the backends
// report no bus, no provider, a locked collection or a refused prompt each in their own words.
func mapErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return errors.New("secret is too large for the keychain")
	}
	return &UnavailableError{Op: op, Err: err}
}
