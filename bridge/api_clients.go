package bridge

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/clientconfig"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// Client-config types are aliases, so that the GUI reaches them through bridge and never
// imports clientconfig itself.
type (
	// ClientStatus is one AI client's config as the bridge sees it (GET /v1/clients).
	ClientStatus = clientconfig.ClientStatus
	// ClientChangeResult is what a ChangeClient did, or would do with DryRun.
	ClientChangeResult = clientconfig.ChangeResult
)

// ClientChange is the body of POST /v1/clients/{id}.
type ClientChange struct {
	Action      string   `json:"action"`                // one of the Action* constants
	Project     string   `json:"project,omitempty"`     // a project folder, for project-level files
	Connections []string `json:"connections,omitempty"` // connect: these connections...
	All         bool     `json:"all,omitempty"`         // ...or all of them
	DryRun      bool     `json:"dry_run,omitempty"`     // compute the diff, write nothing
	Replace     bool     `json:"replace,omitempty"`     // overwrite a same-named entry that is not ours
}

// Client states (ClientStatus.State).
const (
	ClientNotInstalled = clientconfig.StateNotInstalled
	ClientNotConnected = clientconfig.StateNotConnected
	ClientConnected    = clientconfig.StateConnected
	ClientDrifted      = clientconfig.StateDrifted
	ClientError        = clientconfig.StateError
)

// Client change actions.
const (
	ActionConnect    = "connect"
	ActionDisconnect = "disconnect"
	ActionRepair     = "repair"
	ActionRestore    = "restore"
)

// AutoRepairRequest is the body of PUT /v1/clients/{id}/auto-repair.
type AutoRepairRequest struct {
	On bool `json:"on"`
}

// Messages of events.KindClient events.
const (
	ClientEventDrifted      = "drifted"      // Patchbay's entries were removed or changed by someone else
	ClientEventRepaired     = "repaired"     // they were put back (auto-repair or Repair)
	ClientEventConnected    = "connected"    // a connect wrote entries
	ClientEventDisconnected = "disconnected" // a disconnect removed entries
	ClientEventRestored     = "restored"     // the file was restored from its backup
	ClientEventError        = "error"        // the file could not be read or checked (see Error)
)

// errNoClients says the bridge could not set up its client-config manager.
var errNoClients = errors.New("this bridge cannot edit AI clients' configs")

func (b *Bridge) clientManager(w http.ResponseWriter) (*clientconfig.Manager, bool) {
	if b.clients == nil || b.clients.m == nil {
		msg := errNoClients.Error()
		if b.clients != nil && b.clients.err != nil {
			msg += ": " + b.clients.err.Error()
		}
		writeErr(w, http.StatusServiceUnavailable, CodeInternal, msg)
		return nil, false
	}
	return b.clients.m, true
}

func (b *Bridge) handleClients(w http.ResponseWriter, r *http.Request) {
	m, ok := b.clientManager(w)
	if !ok {
		return
	}
	sts, err := m.Status()
	if err != nil {
		writeErr(w, http.StatusInternalServerError, CodeInternal, "reading client configs: "+err.Error())
		return
	}
	if sts == nil {
		sts = []ClientStatus{}
	}
	writeJSON(w, http.StatusOK, sts)
}

func (b *Bridge) handleClientChange(w http.ResponseWriter, r *http.Request) {
	m, ok := b.clientManager(w)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if _, ok := clientconfig.Lookup(id); !ok {
		writeErr(w, http.StatusNotFound, CodeNotFound, "unknown client "+strconv.Quote(id)+": GET /v1/clients lists them (`patchbay clients`)")
		return
	}
	var ch ClientChange
	if !readJSON(w, r, &ch) {
		return
	}
	t := clientconfig.Target{Client: id, Project: ch.Project}
	var (
		res clientconfig.ChangeResult
		err error
		msg string
	)
	switch ch.Action {
	case ActionConnect:
		names := ch.Connections
		if ch.All {
			st := b.opts.Store.Get()
			names = nil
			for _, c := range st.Connections {
				names = append(names, c.Name)
			}
			if len(names) == 0 {
				writeErr(w, http.StatusBadRequest, CodeBadRequest, "you have no connections yet: add one first (`patchbay add ...`)")
				return
			}
		}
		if len(names) == 0 {
			writeErr(w, http.StatusBadRequest, CodeBadRequest, "say which connections to connect (connections, or all)")
			return
		}
		res, err = m.Connect(clientconfig.ConnectRequest{Target: t, Connections: names, Replace: ch.Replace, DryRun: ch.DryRun})
		msg = ClientEventConnected
	case ActionDisconnect:
		res, err = m.Disconnect(clientconfig.DisconnectRequest{Target: t, Connections: ch.Connections, DryRun: ch.DryRun})
		msg = ClientEventDisconnected
	case ActionRepair:
		res, err = m.Repair(t, ch.DryRun)
		msg = ClientEventRepaired
	case ActionRestore:
		res, err = m.Restore(t, ch.DryRun)
		msg = ClientEventRestored
	default:
		writeErr(w, http.StatusBadRequest, CodeBadRequest, "unknown action "+strconv.Quote(ch.Action)+": use connect, disconnect, repair or restore")
		return
	}
	if err != nil {
		// Errors here are the user's to fix (a file that does not parse, a conflict, a
		// client not installed): they say what to do.
		writeErr(w, http.StatusUnprocessableEntity, CodeBadRequest, err.Error())
		return
	}
	if res.Changed && !res.DryRun {
		b.log.Append(events.Event{Kind: events.KindClient, Client: id, Message: msg})
	}
	writeJSON(w, http.StatusOK, res)
}

func (b *Bridge) handleClientAutoRepair(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, ok := clientconfig.Lookup(id); !ok {
		writeErr(w, http.StatusNotFound, CodeNotFound, "unknown client "+strconv.Quote(id)+": GET /v1/clients lists them (`patchbay clients`)")
		return
	}
	var req AutoRepairRequest
	if !readJSON(w, r, &req) {
		return
	}
	err := b.opts.Store.Modify(func(s *state.State) error {
		if s.Clients == nil {
			s.Clients = map[string]state.ClientSettings{}
		}
		cs := s.Clients[id]
		cs.AutoRepair = req.On
		s.Clients[id] = cs
		return nil
	})
	if err != nil {
		writeErr(w, http.StatusInternalServerError, CodeInternal, "saving the auto-repair setting: "+err.Error())
		return
	}
	if req.On && b.clients != nil {
		// A client drifted now is repaired at once, not at its next change.
		b.clients.recheck()
	}
	w.WriteHeader(http.StatusNoContent)
}

// drainBody reads what is left of a request body, so that the server notices at once when
// the client goes away (net/http watches the connection only after the body's EOF).
func drainBody(r *http.Request) {
	io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
}
