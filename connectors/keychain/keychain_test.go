package keychain

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// childEnv makes the test binary, re-run as a child, do one keychain call and print how it
// ended. The "no keychain" paths need a fresh process: the D-Bus connection is process-wide.
const childEnv = "KEYCHAIN_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		_, err := System{Timeout: 10 * time.Second}.Get(context.Background(), "probe/unavailable")
		switch {
		case err == nil:
			fmt.Print("ok")
		case errors.Is(err, ErrNotFound):
			fmt.Print("notfound")
		case IsUnavailable(err):
			fmt.Print("unavailable: " + err.Error())
		default:
			fmt.Print("other: " + err.Error())
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// realKeychain skips (or, in CI, fails) when no Secret Service is usable here.
func realKeychain(t *testing.T) System {
	t.Helper()
	s := System{Timeout: 10 * time.Second}
	_, err := s.Get(context.Background(), "probe/availability")
	if err != nil && !errors.Is(err, ErrNotFound) {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must provide a real keychain (scripts/test-env.sh): %v", err)
		}
		t.Skipf("no usable keychain here (run under `make test`): %v", err)
	}
	return s
}

func TestSystemRoundTrip(t *testing.T) {
	s := realKeychain(t)
	ctx := context.Background()
	key := Key("test-roundtrip", fmt.Sprintf("token-%d", time.Now().UnixNano()))
	t.Cleanup(func() { s.Delete(ctx, key) })

	if _, err := s.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set = %v, want ErrNotFound", err)
	}
	secret := "ntn_" + strings.Repeat("x", 40) + " ünïcode"
	if err := s.Set(ctx, key, secret); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, key); err != nil || got != secret {
		t.Fatalf("Get = %q, %v; want the secret back", got, err)
	}
	if err := s.Set(ctx, key, "replaced"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, key); got != "replaced" {
		t.Fatalf("Set did not replace: %q", got)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete = %v, want ErrNotFound", err)
	}
}

func runChild(t *testing.T, env ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	return string(out)
}

func TestNoSessionBusIsUnavailable(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Secret Service is Linux only")
	}
	out := runChild(t, "DBUS_SESSION_BUS_ADDRESS=unix:path="+t.TempDir()+"/no-bus")
	if !strings.HasPrefix(out, "unavailable: ") || !strings.Contains(out, "gnome-keyring") {
		t.Fatalf("child said %q; want an *UnavailableError that says to start gnome-keyring", out)
	}
}

func TestBusWithoutSecretServiceIsUnavailable(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Secret Service is Linux only")
	}
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon not installed")
	}
	// A private session bus on which nothing provides org.freedesktop.secrets.
	dir := t.TempDir()
	conf := dir + "/bus.conf"
	os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=`+dir+`/bus</listen>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>`), 0o600)
	bus := exec.Command(daemon, "--config-file="+conf, "--nofork", "--print-address")
	stdout, _ := bus.StdoutPipe()
	if err := bus.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Process.Kill(); bus.Wait() })
	buf := make([]byte, 512)
	n, err := stdout.Read(buf) // the address line says the bus is listening
	if err != nil || n == 0 {
		t.Fatalf("dbus-daemon did not start: %v", err)
	}
	out := runChild(t, "DBUS_SESSION_BUS_ADDRESS="+strings.TrimSpace(string(buf[:n])))
	if !strings.HasPrefix(out, "unavailable: ") || !strings.Contains(out, "Secret Service") {
		t.Fatalf("child said %q; want an *UnavailableError naming the fix", out)
	}
}

func TestTimeoutIsUnavailable(t *testing.T) {
	// A backend that never answers (a keyring waiting on a prompt nobody sees).
	block := make(chan struct{})
	defer close(block)
	_, err := withTimeout(context.Background(), 20*time.Millisecond, func() (string, error) {
		<-block
		return "", nil
	})
	if !errors.Is(err, errTimeout) {
		t.Fatalf("err = %v, want the timeout", err)
	}
	if e := mapErr("get", err); !IsUnavailable(e) || !strings.Contains(e.Error(), "did not answer in time") {
		t.Fatalf("mapped = %v", e)
	}
}

func TestCancelledContextIsNotUnavailable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	block := make(chan struct{})
	defer close(block)
	_, err := withTimeout(ctx, time.Minute, func() (string, error) { <-block; return "", nil })
	if err = mapErr("get", err); !errors.Is(err, context.Canceled) || IsUnavailable(err) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestMemory(t *testing.T) {
	ctx := context.Background()
	var m Memory
	if _, err := m.Get(ctx, "a/b"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	m.Set(ctx, "a/b", "s")
	if v, err := m.Get(ctx, "a/b"); v != "s" || err != nil {
		t.Fatal(v, err)
	}
	if err := m.Delete(ctx, "a/b"); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete(ctx, "a/b"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	m.Fail = errors.New("locked")
	if err := m.Set(ctx, "a/b", "s"); !IsUnavailable(err) {
		t.Fatalf("Fail set: %v", err)
	}
	if err := (&Memory{}).Set(ctx, "", "s"); err == nil {
		t.Fatal("empty key accepted")
	}
}
