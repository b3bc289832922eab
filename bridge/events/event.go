// Package events is the bridge's event log: every MCP message that passes through the bridge,
// every connection state change, every log line of a connector, as one kind of record. Events
// carry increasing ids so that a late reader catches up with Since(id) and then follows the
// stream; they live in a bounded ring buffer in memory and in rotated JSONL files on disk.
//
// Bodies are redacted before they are stored: no event holds a secret.
package events

import (
	"encoding/json"
	"time"
)

// Kinds of event.
const (
	KindMessage = "message" // a JSON-RPC message passed through the bridge
	KindLog     = "log"     // a line from a connector (child stderr, OAuth step, ...)
	KindState   = "state"   // a connection changed state (ready, error, needs-auth, ...)
	KindClient  = "client"  // an AI client's config changed (connected, drifted, repaired)
)

// Directions of a message event, seen from the AI client.
const (
	FromClient   = "client->upstream" // a message the AI client sent
	FromUpstream = "upstream->client" // a message the upstream server sent
)

// Event is one record. Fields that do not apply to a kind are empty and omitted in JSON.
type Event struct {
	// ID increases by one per event within one bridge run; 0 means "not yet appended".
	ID   uint64    `json:"id"`
	Time time.Time `json:"time"`
	Kind string    `json:"kind"`
	// Connection is the Patchbay connection name ("notion").
	Connection string `json:"connection,omitempty"`
	// Session identifies one AI-client session through the bridge.
	Session string `json:"session,omitempty"`
	// Client is the AI client's name from its initialize clientInfo ("claude-ai", "cursor").
	Client string `json:"client,omitempty"`

	// Message fields.
	Direction string `json:"dir,omitempty"`
	Method    string `json:"method,omitempty"` // request/notification method; for a response, its request's
	RPCID     string `json:"rpc_id,omitempty"` // JSON-RPC id as text, for requests and responses
	Tool      string `json:"tool,omitempty"`   // tool name of a tools/call and its response
	Size      int    `json:"size,omitempty"`   // bytes of the encoded message
	// LatencyMicros is set on a response: time from its request passing the bridge to the
	// response passing it, in microseconds.
	LatencyMicros int64 `json:"latency_us,omitempty"`
	// Error is the JSON-RPC error message of a response, or isError content of a tool result,
	// or a log/state event's error.
	Error string `json:"error,omitempty"`
	// Body is the message, redacted, and possibly truncated (then Truncated is set). It must
	// be valid JSON: set it with Body.
	Body      json.RawMessage `json:"body,omitempty"`
	Truncated bool            `json:"truncated,omitempty"`

	// Log and state fields.
	Level   string `json:"level,omitempty"`   // debug, info, warn, error
	Message string `json:"message,omitempty"` // a log line, or a state such as "ready"
}

// Sink receives events. Append assigns ID and Time (when zero) and never blocks for long;
// implementations are safe for concurrent use.
type Sink interface {
	Append(e Event)
}

// Discard is a Sink that drops everything.
var Discard Sink = discard{}

type discard struct{}

func (discard) Append(Event) {}
