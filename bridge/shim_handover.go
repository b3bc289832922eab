package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"time"
)

// noteDrainEvery is how often a shim that handed over reads the bridge's notes (they wait in
// the pipe meanwhile: at a few dozen bytes a call, the pipe holds seconds of calls).
const noteDrainEvery = 100 * time.Millisecond

// openHandover tries to open the stream with the handover (see handover.go). It returns the
// Handed session if the bridge took the client's stdio, or else an ordinary stream (also
// when the handover does not apply here).
func (s *shim) openHandover(ctx context.Context) (stream io.ReadWriteCloser, handed *Handed, err error) {
	in, inOK := s.o.Stdin.(*os.File)
	out, outOK := s.o.Stdout.(*os.File)
	if s.o.OpenHandover == nil || !handoverSupported || !inOK || !outOK || !handable(in) || !handable(out) {
		stream, err = s.o.Open(ctx)
		return stream, nil, err
	}
	return s.o.OpenHandover(ctx, in, out)
}

// handedOver waits while the bridge relays the client's stdio, reading the bridge's notes
// now and then to know what is in flight and what to replay. It returns ended when the shim
// is done (the client has gone, or ctx is done). Otherwise the bridge let go of the client's
// stdio (it died, stopped, or ended the session) and partial is the start of a client line
// it had read, if it could say: the shim then takes the session back and relays it itself.
// Either way the client's stdin and stdout are blocking again, as they were before.
func (s *shim) handedOver(ctx context.Context, h *Handed) (ended bool, partial []byte) {
	defer h.Close()
	defer func() {
		setBlocking(s.o.Stdin.(*os.File))
		setBlocking(s.o.Stdout.(*os.File))
	}()
	var pending []byte // note bytes not yet a whole line
	chunk := make([]byte, 32<<10)
	var one [1]byte
	for {
		if ctx.Err() != nil {
			return true, nil
		}
		// The bridge never writes on the stream: a read ends with the deadline, or with the
		// bridge's hang-up.
		h.Control.SetReadDeadline(time.Now().Add(noteDrainEvery))
		_, err := h.Control.Read(one[:])
		hup := !errors.Is(err, os.ErrDeadlineExceeded)
		if hup {
			// The bridge closes the notes before it hangs up (or died, and the system closed
			// both): read them to their end, a bounded wait in case a copy of the pipe leaked.
			h.Notes.SetReadDeadline(time.Now().Add(2 * time.Second))
			rest, _ := io.ReadAll(h.Notes)
			pending = append(pending, rest...)
		} else {
			for {
				n, err := readAvailable(h.Notes, chunk)
				pending = append(pending, chunk[:n]...)
				if err != nil || n < len(chunk) {
					break
				}
			}
		}
		var end bool
		pending, end, partial = s.applyNotes(pending)
		if end {
			return true, nil
		}
		if hup {
			return false, partial
		}
	}
}

// applyNotes applies the whole note lines in b and returns what is left (a note cut short),
// whether the client has gone, and a partial client line the bridge passed back.
func (s *shim) applyNotes(b []byte) (rest []byte, end bool, partial []byte) {
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return b, end, partial
		}
		note := b[:i]
		b = b[i+1:]
		if len(note) == 0 {
			continue
		}
		body := note[1:]
		switch note[0] {
		case noteClient:
			var p peek
			if json.Unmarshal(body, &p) == nil {
				s.track(body, p)
			}
		case noteAnswered:
			s.mu.Lock()
			s.answeredLocked(string(body))
			s.mu.Unlock()
			s.pace.forget(string(body))
		case notePartial:
			partial = bytes.Clone(body)
		case noteEnd:
			end = true
		}
	}
}

// readStdin starts the goroutine that reads the client's messages, after prefix (the start of
// a line the bridge had read), into the returned channel.
func (s *shim) readStdin(prefix []byte) <-chan stdinLine {
	lines := make(chan stdinLine, 64)
	src := s.o.Stdin
	if len(prefix) > 0 {
		src = io.MultiReader(bytes.NewReader(prefix), src)
	}
	go func() {
		r := newLineReader(src)
		for {
			l, err := readLine(r, MaxShimLine)
			if err != nil && !errors.Is(err, errLineTooLong) {
				lines <- stdinLine{err: err}
				close(lines)
				return
			}
			lines <- stdinLine{line: l, err: err}
		}
	}()
	return lines
}
