package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patchbay-mcp/patchbay/bridge"
)

// formDialog is a dialog with its own buttons: the primary one runs submit off the UI thread
// and closes the dialog on success; on failure the error shows in red inside the dialog and
// nothing typed is lost. Tests fill the entries and tap primary.
type formDialog struct {
	d       *dialog.CustomDialog
	errText *widget.Label
	primary *widget.Button
	cancel  *widget.Button
}

// newFormDialog builds and shows a formDialog on w. submit runs off the UI thread; ok, if not
// nil, runs on Fyne's goroutine after a successful submit.
func (s *mainScreen) newFormDialog(title, action string, body fyne.CanvasObject, submit func(ctx context.Context) error, ok func()) *formDialog {
	f := &formDialog{errText: widget.NewLabel("")}
	f.errText.Importance = widget.DangerImportance
	f.errText.Wrapping = fyne.TextWrapWord
	f.errText.Hide()
	f.cancel = widget.NewButton("Cancel", func() { f.d.Hide() })
	f.primary = widget.NewButton(action, func() {
		f.primary.Disable()
		f.errText.Hide()
		s.ctl.do(submit, func(err error) {
			f.primary.Enable()
			if err != nil {
				f.errText.SetText(err.Error())
				f.errText.Show()
				return
			}
			f.d.Hide()
			if ok != nil {
				ok()
			}
		})
	})
	f.primary.Importance = widget.HighImportance
	content := container.NewVBox(body, f.errText, container.NewHBox(layout.NewSpacer(), f.cancel, f.primary))
	f.d = dialog.NewCustomWithoutButtons(title, content, s.window)
	f.d.Resize(fyne.NewSize(520, f.d.MinSize().Height))
	f.d.Show()
	return f
}

// showError tells the user what failed and what to do.
func (s *mainScreen) showError(what string, err error) {
	msg := err.Error()
	if errors.Is(err, bridge.ErrNotRunning) {
		msg = "The Patchbay bridge is not running. Click “Start the bridge” at the top of the window."
	}
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(what, "OK", l, s.window)
	d.Resize(fyne.NewSize(460, d.MinSize().Height))
	s.lastError = msg
	d.Show()
}

// freeName returns base, or base-2, base-3... whichever no connection uses.
func (s *mainScreen) freeName(base string) string {
	used := map[string]bool{}
	for _, c := range s.ctl.connections() {
		used[c.Name] = true
	}
	name := base
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	return name
}

// tokenForm is the "Add Notion token" (or "Set token") dialog.
type tokenForm struct {
	*formDialog
	name  *widget.Entry
	token *widget.Entry
}

// showAddToken asks for a Notion integration token. With existing set it replaces that
// connection's token; otherwise it adds a native Notion connection. The token goes to the
// bridge, which checks it with Notion and stores it in the keychain; the entry is cleared
// afterwards and the token is never shown again.
func (s *mainScreen) showAddToken(existing string) {
	f := &tokenForm{name: widget.NewEntry(), token: widget.NewPasswordEntry()}
	f.name.SetText(existing)
	if existing == "" {
		f.name.SetText(s.freeName("notion"))
	} else {
		f.name.Disable()
	}
	f.token.SetPlaceHolder("ntn_…")
	help := widget.NewLabel("Create an internal integration at notion.so/profile/integrations, share the pages " +
		"it may use with it, and paste its secret here. Patchbay checks it with Notion and keeps it in your OS keychain.")
	help.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem("Name", f.name), widget.NewFormItem("Token", f.token))
	title, action := "Add Notion token", "Add"
	if existing != "" {
		title, action = "Set the token of "+existing, "Save"
	}
	submitName := func() string { return strings.TrimSpace(f.name.Text) }
	var token string
	f.formDialog = s.newFormDialog(title, action, container.NewVBox(help, form), func(ctx context.Context) error {
		if submitName() == "" || strings.TrimSpace(token) == "" {
			return errors.New("enter a name and the token")
		}
		if existing != "" {
			return s.ctl.be.SetSecret(ctx, existing, "token", strings.TrimSpace(token))
		}
		_, err := s.ctl.be.Add(ctx, bridge.AddRequest{Name: submitName(), Kind: "notion",
			Secrets: map[string]string{"token": strings.TrimSpace(token)}})
		return err
	}, func() { f.token.SetText("") })
	// The submit closure reads the token captured on tap, on the UI thread.
	tap := f.primary.OnTapped
	f.primary.OnTapped = func() { token = f.token.Text; tap() }
	s.lastToken = f
}

// hostedNotion are the settings of Notion's hosted MCP server (the remote connector's preset).
var hostedNotion = json.RawMessage(`{"url":"https://mcp.notion.com/mcp","auth":"oauth","label":"Notion"}`)

// showConnectNotion adds Notion's hosted server (if no connection uses it yet) and signs in.
func (s *mainScreen) showConnectNotion() {
	for _, c := range s.ctl.connections() {
		if c.Kind == "remote" && strings.HasPrefix(c.Summary, "https://mcp.notion.com/") {
			s.showAuthorize(c.Name, false)
			return
		}
	}
	name := s.freeName("notion")
	s.ctl.do(func(ctx context.Context) error {
		_, err := s.ctl.be.Add(ctx, bridge.AddRequest{Name: name, Kind: "remote", Settings: hostedNotion})
		return err
	}, func(err error) {
		if err != nil {
			s.showError("Could not add Notion", err)
			return
		}
		s.showAuthorize(name, false)
	})
}

// authorizeView is the sign-in progress dialog.
type authorizeView struct {
	d      *dialog.CustomDialog
	steps  *widget.Label
	link   *widget.Hyperlink
	bar    *widget.ProgressBarInfinite
	cancel *widget.Button
	result *widget.Label
}

// showAuthorize runs the OAuth sign-in of connection name in the bridge, showing each step;
// Cancel abandons it and nothing is stored. The GUI opens the browser itself: it runs in the
// desktop session, while a bridge that a client's shim started may have no display to use.
func (s *mainScreen) showAuthorize(name string, fresh bool) {
	v := &authorizeView{steps: widget.NewLabel("Starting…"), bar: widget.NewProgressBarInfinite(),
		result: widget.NewLabel("")}
	v.steps.Wrapping = fyne.TextWrapWord
	v.link = widget.NewHyperlink(" ", nil)
	v.result.Wrapping = fyne.TextWrapWord
	ctx, cancel := context.WithCancel(context.Background())
	v.cancel = widget.NewButton("Cancel", func() { cancel(); v.d.Hide() })
	intro := widget.NewLabel(fmt.Sprintf("Sign in to %s in your browser and allow Patchbay. This window follows along.", name))
	intro.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(intro, v.bar, v.steps, v.link, v.result, container.NewHBox(layout.NewSpacer(), v.cancel))
	v.d = dialog.NewCustomWithoutButtons("Connect "+name, content, s.window)
	v.d.Resize(fyne.NewSize(540, v.d.MinSize().Height+3*theme.TextSize()))
	v.d.Show()
	s.lastAuth = v
	var lines []string
	s.ctl.async(func() {
		err := s.ctl.be.Authorize(ctx, name, AuthorizeOptions{Fresh: fresh}, func(p AuthorizeProgress) {
			s.ctl.ui(func() {
				if p.URL != "" {
					if u, err := url.Parse(p.URL); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
						v.link.SetText("Open the sign-in page again")
						v.link.SetURL(u)
						if err := s.ui.app.OpenURL(u); err != nil {
							v.link.SetText("Open the sign-in page (the browser did not start)")
						}
					}
				}
				if p.Log != "" {
					lines = append(lines, "• "+p.Log)
					if len(lines) > 5 {
						lines = lines[len(lines)-5:]
					}
					v.steps.SetText(strings.Join(lines, "\n"))
				}
			})
		})
		cancel()
		s.ctl.ui(func() {
			v.bar.Stop()
			v.cancel.SetText("Close")
			switch {
			case ctx.Err() != nil && err != nil && errors.Is(err, context.Canceled):
				v.result.SetText("Cancelled: nothing was stored.")
			case err != nil:
				v.result.SetText("Sign-in failed: " + err.Error())
				v.result.Importance = widget.DangerImportance
			default:
				v.result.SetText(fmt.Sprintf("Connected. %s is ready for your AI clients.", name))
				v.result.Importance = widget.SuccessImportance
			}
			v.result.Refresh()
		})
		s.ctl.refresh()
	})
}

// serverForm is the "Add server" dialog: a remote URL or a local command.
type serverForm struct {
	*formDialog
	tabs        *container.AppTabs
	name        *widget.Entry
	url         *widget.Entry
	auth        *widget.RadioGroup
	header      *widget.Entry
	headerValue *widget.Entry
	command     *widget.Entry
	secretVar   *widget.Entry
	secretValue *widget.Entry
}

// Auth choices of the add-server form.
const (
	authNone   = "None"
	authOAuth  = "Sign in (OAuth)"
	authHeader = "Token in a header"
)

// showAddServer asks for any other MCP server: a URL (Streamable HTTP or SSE, with OAuth or a
// header token) or a local command (with a secret environment variable from the keychain).
func (s *mainScreen) showAddServer() { s.showServerForm(nil) }

// showEditServer opens the server form on an existing stdio or remote connection, filled from
// its summary (the command line or the URL); saving replaces the connection. Secrets are never
// shown, so a connection that has one is given it again.
func (s *mainScreen) showEditServer(cs bridge.ConnectionStatus) { s.showServerForm(&cs) }

// showServerForm is the add-server form, or with existing set, the edit form of that connection.
func (s *mainScreen) showServerForm(existing *bridge.ConnectionStatus) {
	f := &serverForm{name: widget.NewEntry(), url: widget.NewEntry(), header: widget.NewEntry(),
		headerValue: widget.NewPasswordEntry(), command: widget.NewEntry(), secretVar: widget.NewEntry(),
		secretValue: widget.NewPasswordEntry()}
	f.name.SetPlaceHolder("a short name, e.g. github")
	f.url.SetPlaceHolder("https://example.com/mcp")
	f.header.SetPlaceHolder("Authorization")
	f.auth = widget.NewRadioGroup([]string{authNone, authOAuth, authHeader}, func(choice string) {
		for _, e := range []*widget.Entry{f.header, f.headerValue} {
			if choice == authHeader {
				e.Enable()
			} else {
				e.Disable()
			}
		}
	})
	f.auth.Horizontal = true
	f.auth.SetSelected(authNone)
	f.command.SetPlaceHolder("npx -y @notionhq/notion-mcp-server")
	f.secretVar.SetPlaceHolder("NOTION_TOKEN (optional)")
	remote := widget.NewForm(widget.NewFormItem("URL", f.url), widget.NewFormItem("Auth", f.auth),
		widget.NewFormItem("Header", f.header), widget.NewFormItem("Header value", f.headerValue))
	local := widget.NewForm(widget.NewFormItem("Command", f.command),
		widget.NewFormItem("Secret variable", f.secretVar), widget.NewFormItem("Its value", f.secretValue))
	f.tabs = container.NewAppTabs(container.NewTabItem("Remote URL", remote), container.NewTabItem("Local command", local))
	body := container.NewVBox(widget.NewForm(widget.NewFormItem("Name", f.name)), f.tabs)
	title, action := "Add server", "Add"
	if existing != nil {
		title, action = "Edit "+existing.Name, "Save"
		warn := widget.NewLabel("Saving replaces the whole connection: choose its sign-in again and re-enter any " +
			"secret or environment variable it needs (the bridge never shows them back).")
		warn.Wrapping = fyne.TextWrapWord
		warn.Importance = widget.WarningImportance
		body.Objects = append([]fyne.CanvasObject{warn}, body.Objects...)
		f.name.SetText(existing.Name)
		f.name.Disable()
		if existing.Kind == "stdio" {
			f.tabs.SelectIndex(1)
			f.command.SetText(existing.Summary)
		} else {
			f.url.SetText(existing.Summary)
		}
	}

	var req bridge.AddRequest
	var oauth bool
	f.formDialog = s.newFormDialog(title, action, body, func(ctx context.Context) error {
		if req.Name == "" {
			return errors.New("enter a name for the connection")
		}
		_, err := s.ctl.be.Add(ctx, req)
		return err
	}, func() {
		if oauth {
			s.showAuthorize(req.Name, false)
		}
	})
	tap := f.primary.OnTapped
	f.primary.OnTapped = func() {
		var err error
		req, oauth, err = f.request()
		req.Replace = existing != nil
		if err != nil {
			f.errText.SetText(err.Error())
			f.errText.Show()
			return
		}
		tap()
	}
	s.lastServer = f
}

// request builds the AddRequest from the form, on Fyne's goroutine.
func (f *serverForm) request() (bridge.AddRequest, bool, error) {
	req := bridge.AddRequest{Name: strings.TrimSpace(f.name.Text)}
	if req.Name == "" {
		return req, false, errors.New("enter a name for the connection")
	}
	if f.tabs.SelectedIndex() == 0 {
		u := strings.TrimSpace(f.url.Text)
		if pu, err := url.Parse(u); err != nil || pu.Host == "" || (pu.Scheme != "https" && pu.Scheme != "http") {
			return req, false, fmt.Errorf("%q is not a server URL: enter one like https://example.com/mcp", u)
		}
		settings := map[string]string{"url": u}
		req.Kind = "remote"
		switch f.auth.Selected {
		case authOAuth:
			settings["auth"] = "oauth"
		case authHeader:
			settings["auth"] = "header"
			if h := strings.TrimSpace(f.header.Text); h != "" {
				settings["header"] = h
			}
			if f.headerValue.Text == "" {
				return req, false, errors.New("enter the header's value (the token)")
			}
			req.Secrets = map[string]string{"header": f.headerValue.Text}
		}
		req.Settings, _ = json.Marshal(settings)
		return req, f.auth.Selected == authOAuth, nil
	}
	argv, err := splitCommand(f.command.Text)
	if err != nil {
		return req, false, err
	}
	if len(argv) == 0 {
		return req, false, errors.New("enter the command that starts the server")
	}
	st := bridge.StdioSettings{Command: argv[0], Args: argv[1:]}
	if v := strings.TrimSpace(f.secretVar.Text); v != "" {
		if f.secretValue.Text == "" {
			return req, false, fmt.Errorf("enter the value of %s", v)
		}
		st.SecretEnv = []string{v}
		req.Secrets = map[string]string{"env/" + v: f.secretValue.Text}
	}
	req.Kind = "stdio"
	req.Settings, _ = json.Marshal(st)
	return req, false, nil
}

// splitCommand splits a command line into words, honouring single and double quotes.
func splitCommand(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errors.New("the command has an unclosed quote")
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}

// confirmRemove asks, then removes connection name (and its keychain items).
func (s *mainScreen) confirmRemove(name string) {
	dialog.ShowConfirm("Remove "+name+"?", "Its token is deleted from the keychain and clients "+
		"that use it lose it. Client config entries stay until you disconnect them.", func(ok bool) {
		if ok {
			s.ctl.do(func(ctx context.Context) error { return s.ctl.be.Remove(ctx, name) }, func(err error) {
				if err != nil {
					s.showError("Could not remove "+name, err)
				}
			})
		}
	}, s.window)
}

// confirmLogout asks, then forgets the OAuth tokens of connection name.
func (s *mainScreen) confirmLogout(name string) {
	dialog.ShowConfirm("Log out of "+name+"?", "Patchbay forgets its tokens; clients lose access until you reconnect.", func(ok bool) {
		if ok {
			s.ctl.do(func(ctx context.Context) error { return s.ctl.be.Logout(ctx, name) }, func(err error) {
				if err != nil {
					s.showError("Could not log out of "+name, err)
				}
			})
		}
	}, s.window)
}

// diffView is the preview shown before a client config is written.
type diffView struct {
	d     *dialog.CustomDialog
	grid  *widget.TextGrid
	apply *widget.Button
}

// showDiff shows the change a dry run computed and offers to make it.
func (s *mainScreen) showDiff(c ClientStatus, action string, res *ClientChangeResult) {
	if !res.Changed {
		dialog.ShowInformation(actionTitle(action)+" "+c.Name, "Nothing to change: "+c.File+" is already as it should be.", s.window)
		return
	}
	v := &diffView{grid: diffGrid(res.Diff)}
	intro := widget.NewLabel(fmt.Sprintf("Patchbay will change %s as shown. A backup of the original is kept.", res.File))
	intro.Wrapping = fyne.TextWrapWord
	cancel := widget.NewButton("Cancel", func() { v.d.Hide() })
	v.apply = widget.NewButton(actionTitle(action), func() {
		v.apply.Disable()
		s.applyClientChange(c, action, func(_ *ClientChangeResult, err error) {
			v.d.Hide()
			if err != nil {
				s.showError(actionTitle(action)+" "+c.Name, err)
			}
		})
	})
	v.apply.Importance = widget.HighImportance
	scroll := container.NewScroll(v.grid)
	scroll.SetMinSize(fyne.NewSize(620, 280))
	v.d = dialog.NewCustomWithoutButtons(actionTitle(action)+" "+c.Name,
		container.NewBorder(intro, container.NewHBox(layout.NewSpacer(), cancel, v.apply), nil, nil, scroll), s.window)
	v.d.Show()
	s.lastDiff = v
}

// diffGrid renders a unified diff in a monospace grid: additions green, removals red.
func diffGrid(diff string) *widget.TextGrid {
	g := widget.NewTextGridFromString(strings.TrimRight(diff, "\n"))
	add := &widget.CustomTextGridStyle{FGColor: color.NRGBA{R: 0x2e, G: 0xa0, B: 0x43, A: 0xff}}
	del := &widget.CustomTextGridStyle{FGColor: color.NRGBA{R: 0xd7, G: 0x3a, B: 0x49, A: 0xff}}
	hunk := &widget.CustomTextGridStyle{FGColor: theme.Color(theme.ColorNamePrimary)}
	for i, line := range strings.Split(strings.TrimRight(diff, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "+++") || strings.HasPrefix(line, "---"):
		case strings.HasPrefix(line, "+"):
			g.SetRowStyle(i, add)
		case strings.HasPrefix(line, "-"):
			g.SetRowStyle(i, del)
		case strings.HasPrefix(line, "@@"):
			g.SetRowStyle(i, hunk)
		}
	}
	return g
}

// mustURL parses a URL built by the program itself.
func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
