package notion

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// Identity is who a token belongs to.
type Identity struct {
	BotID         string `json:"bot_id"`
	BotName       string `json:"bot_name"`
	WorkspaceID   string `json:"workspace_id"`
	WorkspaceName string `json:"workspace_name"`
}

// TokenError says Notion refused a token; Reason is Notion's own message.
type TokenError struct {
	Code   string
	Reason string
}

func (e *TokenError) Error() string {
	return fmt.Sprintf("Notion refused the token (%s): %s", e.Code, e.Reason)
}

// IsTokenRefused reports whether err says Notion refused the token (as opposed to Notion
// being unreachable).
func IsTokenRefused(err error) bool {
	var t *TokenError
	return errors.As(err, &t)
}

// Verify checks a token with GET /v1/users/me at baseURL and returns the bot's name and
// workspace. A refused token gives a *TokenError carrying Notion's reason; a network
// failure gives a plain error. Nothing is stored.
func Verify(ctx context.Context, baseURL, token string) (*Identity, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, &TokenError{Code: "empty", Reason: "no token was given; copy the Internal Integration Secret (ntn_...) from notion.so/profile/integrations"}
	}
	if strings.ContainsAny(token, " \t\r\n") {
		return nil, &TokenError{Code: "malformed", Reason: "the token contains spaces or line breaks; paste only the secret"}
	}
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	if err := CheckBaseURL(baseURL); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	c := NewClient(baseURL, token, ClientOptions{Rate: -1, NoRetry: true})
	me, err := c.Me(ctx)
	if err != nil {
		var e *APIError
		if errors.As(err, &e) && (e.Status == 401 || e.Status == 403) {
			return nil, &TokenError{Code: e.Code, Reason: e.Message}
		}
		return nil, fmt.Errorf("checking the token with %s: %w", baseURL, err)
	}
	id := &Identity{BotID: me.ID, BotName: me.Name}
	if me.Bot != nil {
		id.WorkspaceID, id.WorkspaceName = me.Bot.WorkspaceID, me.Bot.WorkspaceName
	}
	if me.Type != "bot" {
		return nil, &TokenError{Code: "not_a_bot", Reason: "the token belongs to a person, not an integration; use an integration's secret"}
	}
	return id, nil
}

// ReadToken reads a token: from a terminal with a prompt on prompt and no echo, or else
// one line from in (so `echo $TOKEN | patchbay add notion work` works). The token is
// trimmed; an empty one is an error.
func ReadToken(in io.Reader, prompt io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "Notion integration token (ntn_..., not shown): ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("reading the token from the terminal: %w", err)
		}
		return nonEmptyToken(string(b))
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		if err == io.EOF {
			return "", errors.New("no token on standard input: pipe it in (echo \"$NOTION_TOKEN\" | patchbay add notion NAME) or run in a terminal")
		}
		return "", fmt.Errorf("reading the token from standard input: %w", err)
	}
	return nonEmptyToken(line)
}

func nonEmptyToken(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("the token is empty; copy the Internal Integration Secret (ntn_...) from notion.so/profile/integrations")
	}
	return s, nil
}
