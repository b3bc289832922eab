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

// noteDrainEvery is how often a shim that handed over reads the bridge's notes while they
// come (they wait in the pipe meanwhile: at a few dozen bytes a call, the pipe holds seconds
// of calls). An idle session's shim sleeps until the next note comes.
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
	stream, handed, err = s.o.OpenHandover(ctx, in, out)
	if err != nil && !IsNotFound(err) && errCode(err) == "" && ctx.Err() == nil {
		// Not the bridge's answer (that would be an API error) but a failure of the
		// handover's own (a pipe, a descriptor): relay as the shim always could.
		s.logf("handing the client's stdio to the bridge: %v; relaying instead", err)
		stream, err = s.o.Open(ctx)
	}
	return stream, handed, err
}

// takeBack is what the bridge's notes say the shim must do when it takes a session back.
type takeBack struct {
	partial []byte // a client line the bridge had begun to read: read it first
	skip    bool   // the bridge had begun a line too long to pass back: skip its rest
	cut     bool   // a message to the client may have been cut short: end its line
	end     bool   // the client has gone
}

// handedOver waits while the bridge relays the client's stdio, reading the bridge's notes
// now and then to know what is in flight and what to replay: every noteDrainEvery while
// they come, and when the first comes after a quiet spell (so an idle shim never wakes). It returns ended when the shim
// is done (the client has gone, or ctx is done). Otherwise the bridge let go of the client's
// stdio (it died, stopped, or ended the session) and tb says how to take the session back:
// the shim then relays it itself.
//
// Once the bridge has let go, the client's stdin and stdout are made blocking again, as they
// were before; not while it may still hold them (ctx done: the bridge's read of stdin must
// stay one it can end).
func (s *shim) handedOver(ctx context.Context, h *Handed) (ended bool, tb takeBack) {
	defer h.Close()
	wake, err := newWaker(ctx)
	if err != nil {
		// Cannot wait for ctx: drain on the timer only.
		s.logf("%v", err)
	} else {
		defer wake.Close()
	}
	var pending []byte // note bytes not yet a whole line
	chunk := make([]byte, 32<<10)
	flowing := false    // the last drain found notes
	notesEnded := false // the bridge closed the notes; its hang-up follows
	for {
		if ctx.Err() != nil {
			return true, tb
		}
		// The bridge never writes on the stream, so only its hang-up ends this wait.
		timeout := noteDrainEvery
		if !flowing && wake != nil {
			timeout = -1
		}
		hup := waitBridge(h, !flowing && !notesEnded, wake, timeout)
		if ctx.Err() != nil {
			return true, tb
		}
		if hup {
			// The bridge closes the notes before it hangs up (or died, and the system closed
			// both): read them to their end, a bounded wait in case a copy of the pipe leaked.
			h.Notes.SetReadDeadline(time.Now().Add(2 * time.Second))
			rest, _ := io.ReadAll(h.Notes)
			pending = append(pending, rest...)
		} else {
			flowing = false
			for {
				n, err := readAvailable(h.Notes, chunk)
				pending = append(pending, chunk[:n]...)
				flowing = flowing || n > 0
				if err != nil || n < len(chunk) {
					notesEnded = notesEnded || errors.Is(err, io.EOF)
					break
				}
			}
		}
		pending = s.applyNotes(pending, &tb)
		if hup {
			setBlocking(s.o.Stdin.(*os.File))
			setBlocking(s.o.Stdout.(*os.File))
			return tb.end, tb
		}
	}
}

// applyNotes applies the whole note lines in b, to the shim's state and to tb, and returns
// what is left (a note not yet whole).
func (s *shim) applyNotes(b []byte, tb *takeBack) (rest []byte) {
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return b
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
		case noteWriting:
			tb.cut = true
		case noteWritten:
			tb.cut = false
		case notePartial:
			tb.partial = bytes.Clone(body)
		case noteSkip:
			tb.skip = true
		case noteEnd:
			tb.end = true
		}
	}
}

// readStdin starts the goroutine that reads the client's messages into the returned
// channel, first taking up what the bridge left (tb: the start of a line it had read, or the
// rest of a line to skip).
func (s *shim) readStdin(tb takeBack) <-chan stdinLine {
	lines := make(chan stdinLine, 64)
	src := s.o.Stdin
	if len(tb.partial) > 0 {
		src = io.MultiReader(bytes.NewReader(tb.partial), src)
	}
	go func() {
		r := newLineReader(src)
		if tb.skip {
			if _, err := readLine(r, MaxShimLine); err != nil && !errors.Is(err, errLineTooLong) {
				lines <- stdinLine{err: err}
				close(lines)
				return
			}
		}
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
