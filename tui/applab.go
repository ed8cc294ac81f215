package tui

import (
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"scalelab/content"
	"scalelab/lab"
	"scalelab/lab/numfmt"
)

// The lab inside the app: the action keys, the screens beside the reader, the live
// strip and pane during a load test, the confirmation an action asks for and the busy spinner.
// app.go routes messages here; the work itself is the Lab's (labctl.go).
//
// Keys, from any screen that is not taking text: the lab's actions, each with the key of its
// record (Scenario 1: L load test, R restart, F the index, E explain, X reset after a y/n, ...);
// and the runner's own: S stop the load test · d live panes · c code · e query plan ·
// r results · esc/backspace back to the text.
//
// During a load test the reader shows the live panes beside the text (from 120 columns) or below
// it (from 40 rows), else a one-line live strip in the status line. A load test started from the
// reader in a window too small for the pane opens the full-screen panes (the scenario says to
// watch while it runs). When the run ends its final picture stays, with the run's summary, until
// the learner leaves it (esc): the result tables have filled in meanwhile.

// Pane sizes beside/below the text during a run.
const (
	paneBesideMinWidth = 120 // the pane goes beside the text from this width
	paneBelowMinHeight = 40  // ... or below it from this height
	paneReaderMinWidth = 80  // the text keeps at least this much beside the pane
	paneMinWidth       = 36
	paneMaxWidth       = 64
	paneBelowHeightMin = 10
	paneBelowHeightMax = 14
)

// labState is what the root model knows of the lab, from its messages.
type labState struct {
	status   LabStatusMsg
	live     *LabSample            // the latest sample while a load test runs; nil otherwise
	inflight map[string]lab.Action // actions started and not done yet, by name
	lines    map[string]string     // the latest progress line of a running action, by name
	confirm  *content.Action       // an action waiting for y/n (its record has a Confirm)
	autoDash bool                  // the dashboard was opened by a run started from the reader
	keepPane bool                  // a run ended with the pane beside the text: its last picture stays until esc
	spin     spinner.Model
	spinning bool   // a spinner tick is on its way
	queued   string // a load test waits for its turn in the class: its place in line ("" none)
}

func newLabState() labState {
	sp := spinner.New(spinner.WithSpinner(spinner.Dot))
	return labState{inflight: map[string]lab.Action{}, lines: map[string]string{}, spin: sp}
}

// loading reports that a load test started from here is running.
func (a *App) loading() bool {
	for _, act := range a.lab.inflight {
		if act.Load {
			return true
		}
	}
	return false
}

// busy reports that something slow is going on (the lab starting, an action other than a load
// test): the spinner turns.
func (a *App) busy() bool {
	if a.lab.status.Busy || a.lab.queued != "" {
		return true
	}
	for _, act := range a.lab.inflight {
		if !act.Load {
			return true
		}
	}
	return false
}

// spinCmd starts the spinner's ticks unless they are running.
func (a *App) spinCmd() tea.Cmd {
	if a.lab.spinning || !a.busy() {
		return nil
	}
	a.lab.spinning = true
	return a.lab.spin.Tick
}

// labUpdate handles the lab's messages (actions, their ends and progress, status, samples,
// results); ok is false for other messages.
func (a *App) labUpdate(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case actionMsg:
		return a.startAction(msg.Action, false), true

	case loadQueueMsg:
		if !a.loading() {
			msg.line = ""
		}
		a.lab.queued = msg.line
		return a.spinCmd(), true

	case SetTableMsg:
		rows, changed := mergeTable(a.c.sheet.ws.Tables[msg.ID], msg)
		if !changed {
			return nil, true
		}
		a.c.sheet.ws.Tables[msg.ID] = rows
		msg.Rows = rows
		return tea.Batch(a.c.sheet.changed(), a.broadcast(msg)), true

	case LabAppliedMsg:
		return a.labApplied(msg), true

	case LabStatusMsg:
		var cmds []tea.Cmd
		if msg.Err && !a.lab.status.Err {
			// the lab just failed: the reason is read whole once; the header keeps the short line
			cmds = append(cmds, a.setNotice(msg.Text, true))
		}
		a.lab.status = msg
		return tea.Batch(append(cmds, a.spinCmd(), a.broadcast(msg))...), true

	case labLoopSampleMsg:
		return a.labUpdate(labSampleMsg(msg))

	case labSampleMsg:
		if msg.Run != nil && a.loading() {
			s := msg.LabSample
			a.lab.live = &s
		} else {
			a.lab.live = nil
		}
		return a.broadcast(msg), true

	case LabRunsMsg:
		a.c.runs = msg.Stages
		return a.broadcast(msg), true

	case ActionProgressMsg:
		if _, running := a.lab.inflight[msg.Action]; running {
			a.lab.lines[msg.Action] = msg.Line
		}
		return nil, true

	case spinner.TickMsg:
		if !a.busy() {
			a.lab.spinning = false
			return nil, true
		}
		var cmd tea.Cmd
		a.lab.spin, cmd = a.lab.spin.Update(msg)
		return cmd, true

	case ActionDoneMsg:
		cmds := []tea.Cmd{a.labDone(msg)}
		if msg.Err != nil {
			cmds = append(cmds, a.setNotice(msg.Action.Name+": "+msg.Err.Error(), true))
		} else if msg.Summary != "" {
			cmds = append(cmds, a.setNotice(msg.Summary, false))
		}
		return tea.Batch(append(cmds, a.broadcast(msg))...), true
	}
	return nil, false
}

// labApplied keeps the lab's settings in the worksheet for the next start. After a reset the
// lab is at the scenario's start: the settings go, and so do the ticks of the scenario's tasks
// (they are the lab's switches, and the lab has none set now).
func (a *App) labApplied(msg LabAppliedMsg) tea.Cmd {
	a.c.sheet.ws.Lab = append([]string(nil), msg.Applied...)
	if msg.Reset {
		a.c.sheet.ws.Lab = nil
		changed := false
		for _, t := range a.c.scenario.Tasks() {
			if a.c.sheet.ws.Tasks[t.ID] {
				a.c.sheet.ws.Tasks[t.ID] = false
				changed = true
			}
		}
		if r, ok := a.screens[screenReader].(*reader); ok && changed {
			r.compose()
		}
	}
	return a.c.sheet.changed()
}

// actionFor finds the scenario's command for a lab action (its arguments count, e.g. a
// --preset), or makes one.
func (a *App) actionFor(act lab.Action) content.Action {
	for _, c := range a.c.scenario.Actions() {
		if c == nil {
			continue
		}
		if la, ok := a.c.action(c.Name); ok && la.Name == act.Name {
			return *c
		}
	}
	return content.Action{Name: act.Name, Command: "scalelab " + act.Name}
}

// canonical is the name of the lab's action a command names (an alias names its action).
func (a *App) canonical(name string) (lab.Action, string) {
	if la, ok := a.c.action(name); ok {
		return la, la.Name
	}
	return lab.Action{Name: name}, name
}

// startAction runs a lab action (a key, or Enter on a command block); one whose record asks
// (Confirm) runs after a y.
func (a *App) startAction(act content.Action, confirmed bool) tea.Cmd {
	if a.opt.Actions == nil {
		return a.setNotice(labOffNotice(act), true) // the command did not run: read whole, in a box when long
	}
	la, name := a.canonical(act.Name)
	act.Name = name // the lab's name for it, whatever the text called it ("serve" is start)
	if la.Confirm != "" && !confirmed {
		a.lab.confirm = &act
		return nil
	}
	if _, running := a.lab.inflight[name]; running {
		if la.Load {
			return a.setNotice("a load test is running: watch it with d, or stop it with S", false)
		}
		return a.setNotice(doingOf(la)+" is still running: wait a moment", false)
	}
	if a.opt.Lab != nil {
		a.opt.Lab.SetTasks(a.c.sheet.ws.Tasks)
	}
	a.lab.inflight[name] = la
	delete(a.lab.lines, name)
	cmds := []tea.Cmd{a.opt.Actions.Run(act), a.spinCmd()}
	// a load test in a window too small for the pane beside or below the text: the full-screen
	// panes, and back after
	if la.Load && a.active == screenReader && !a.paneFits() {
		a.lab.autoDash = true
		cmds = append(cmds, a.switchTo(screenDashboard))
	}
	return tea.Batch(cmds...)
}

// labDone ends an action: the spinner stops when nothing else runs, an automatic dashboard goes
// back to the text, a plan the action read opens the plan view.
func (a *App) labDone(msg ActionDoneMsg) tea.Cmd {
	la, name := a.canonical(msg.Action.Name)
	if running, ok := a.lab.inflight[name]; ok {
		la = running
	}
	delete(a.lab.inflight, name)
	delete(a.lab.lines, name)
	if la.Load {
		a.lab.queued = ""
		// the run's final picture stays, with its summary, until the learner leaves it: the
		// full-screen panes stay open (esc goes back), the pane beside the text stays (esc closes it)
		a.lab.keepPane = a.paneShown()
		a.lab.live = nil
		a.lab.autoDash = false
	}
	if msg.OpenPlan && msg.Err == nil && a.active != screenExplain {
		return a.switchTo(screenExplain)
	}
	return nil
}

// handleLabKey handles the lab's global keys; ok is false for other keys.
func (a *App) handleLabKey(msg tea.KeyMsg) (cmd tea.Cmd, ok bool) {
	k := a.c.keys
	switch {
	case key.Matches(msg, k.StopRun):
		if !a.loading() || a.opt.Lab == nil {
			hint := ""
			if b, ok := a.c.loadBinding(); ok {
				hint = " (" + b.Help().Key + " starts one)"
			}
			return a.setNotice("no load test is running"+hint, false), true
		}
		a.opt.Lab.CancelRun()
		return nil, true
	case key.Matches(msg, k.Dashboard):
		return a.toggleScreen(screenDashboard), true
	case key.Matches(msg, k.Code):
		return a.toggleScreen(screenCode), true
	case key.Matches(msg, k.ExplainView):
		return a.toggleScreen(screenExplain), true
	case key.Matches(msg, k.Results):
		return a.toggleScreen(screenResults), true
	case a.active != screenReader && key.Matches(msg, k.Back):
		return a.switchTo(screenReader), true
	case a.active == screenReader && a.lab.keepPane && key.Matches(msg, k.Back):
		a.lab.keepPane = false
		return a.layout(), true
	}
	for _, ak := range a.c.actKeys {
		if key.Matches(msg, ak.bind) {
			return a.startAction(a.actionFor(ak.act), false), true
		}
	}
	return nil, false
}

// confirmKey answers the y/n question of an action that asks first.
func (a *App) confirmKey(msg tea.KeyMsg) tea.Cmd {
	k := a.c.keys
	switch {
	case key.Matches(msg, k.Yes):
		act := *a.lab.confirm
		a.lab.confirm = nil
		return a.startAction(act, true)
	case key.Matches(msg, k.No), key.Matches(msg, k.Quit):
		name := a.lab.confirm.Name
		a.lab.confirm = nil
		return a.setNotice(name+" cancelled: the lab is as it was", false)
	}
	return nil
}

// toggleScreen opens a screen, or goes back to the text when it is open already.
func (a *App) toggleScreen(id screenID) tea.Cmd {
	if a.active == id {
		return a.switchTo(screenReader)
	}
	return a.switchTo(id)
}

// switchTo makes a screen active. Leaving the automatic dashboard by hand keeps the learner where
// they go.
func (a *App) switchTo(id screenID) tea.Cmd {
	if a.screens[id] == nil || a.active == id {
		return nil
	}
	if a.active == screenDashboard {
		a.lab.autoDash = false
	}
	a.active = id
	return a.layout()
}

// paneFits reports that the window has room for the live pane beside or below the text.
func (a *App) paneFits() bool {
	return a.width >= paneBesideMinWidth || a.height >= paneBelowMinHeight
}

// paneShown reports that the reader shares the window with the live pane now.
func (a *App) paneShown() bool {
	return a.active == screenReader && (a.lab.live != nil || a.lab.keepPane) && a.paneFits() && a.screens[screenDashboard] != nil
}

// paneBeside reports the pane's place: beside the text (true) or below it.
func (a *App) paneBeside() bool { return a.width >= paneBesideMinWidth }

func (a *App) paneWidth() int {
	return clamp(a.width-paneReaderMinWidth-1, paneMinWidth, paneMaxWidth)
}

func (a *App) paneHeight() int {
	return clamp(a.bodyHeight()/3, paneBelowHeightMin, paneBelowHeightMax)
}

// layout gives every screen its size: the body, or for the reader what the live pane leaves.
// A changed reader size asks for a new rendering (returned).
func (a *App) layout() tea.Cmd {
	if a.width == 0 {
		return nil
	}
	w, h := a.width, a.bodyHeight()
	rw, rh := w, h
	if a.paneShown() {
		if a.paneBeside() {
			rw = w - a.paneWidth() - 1
		} else {
			rh = h - a.paneHeight()
		}
	}
	a.paned = a.paneShown()
	var cmds []tea.Cmd
	for id, s := range a.screens {
		if id == screenReader {
			if r, ok := s.(*reader); ok && r.width == rw && r.height == rh {
				continue
			}
			s.SetSize(rw, rh)
			cmds = append(cmds, s.Update(tea.WindowSizeMsg{Width: rw, Height: rh}))
			continue
		}
		s.SetSize(w, h)
	}
	return tea.Batch(cmds...)
}

// readerView is the reader with the live pane beside or below it during a run.
func (a *App) readerView() string {
	body := a.screen().View()
	if !a.paneShown() {
		return body
	}
	d, ok := a.screens[screenDashboard].(*dashboard)
	if !ok {
		return body
	}
	h := a.bodyHeight()
	if a.paneBeside() {
		pw := a.paneWidth()
		left := lipgloss.NewStyle().Width(a.width - pw - 1).Height(h).MaxHeight(h).Render(body)
		return lipgloss.JoinHorizontal(lipgloss.Top, left, " ", d.Compact(pw, h))
	}
	ph := a.paneHeight()
	top := lipgloss.NewStyle().Height(h - ph).MaxHeight(h - ph).Render(body)
	return lipgloss.JoinVertical(lipgloss.Left, top, d.Compact(a.width, ph))
}

// liveStrip is the one-line view of a running load test for the status line: time, success
// rate, p99, requests per second, time left.
func (a *App) liveStrip() string {
	s := a.lab.live
	if s == nil || s.Run == nil {
		return ""
	}
	st := a.c.styles
	p := s.Run
	parts := []string{"load test " + fmtSecs(p.Elapsed)}
	if s.RunTotal > 0 {
		parts[0] += "/" + fmtSecs(s.RunTotal)
	}
	tot := s.Telemetry.Total
	if tot.Requests > 0 {
		ok := 100 * float64(tot.OK) / float64(tot.Requests)
		parts = append(parts, numfmt.Pct(ok)+"% ok", "p99 "+numfmt.Dur(tot.P99))
		if secs := s.Telemetry.Now.Sub(s.Telemetry.Start).Seconds(); secs > 0.5 {
			parts = append(parts, numfmt.RPS(float64(tot.Requests)/secs)+" req/s")
		}
	}
	if s.RunTotal > 0 {
		left := max(0, s.RunTotal-p.Elapsed).Round(time.Second)
		parts = append(parts, fmtSecs(left)+" left")
	}
	line := strings.Join(parts, " · ")
	if tot.Requests > 0 && tot.Failed*2 > tot.Requests {
		return st.StatusErr.Render("● ") + st.StatusKey.Render(line)
	}
	return st.StatusOK.Render("● ") + st.StatusKey.Render(line)
}

// busyLine is the status line while a slow action runs: a spinner and what it does (its
// latest progress line when it reports one).
func (a *App) busyLine() string {
	var names []string
	for name, act := range a.lab.inflight {
		if !act.Load {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	slices.Sort(names)
	line := a.lab.lines[names[0]]
	if line == "" {
		line = doingOf(a.lab.inflight[names[0]])
	}
	return a.c.styles.StatusKey.Render(a.lab.spin.View() + strings.TrimSuffix(line, "…") + "…")
}

// labStatusText is the lab's state line, full or short, with the spinner while the lab is busy.
func (a *App) labStatusText(short bool) string {
	st := a.lab.status
	if st.Text == "" {
		return ""
	}
	s := a.c.styles
	style := s.StatusKey
	if st.Err {
		style = s.StatusErr
	}
	text := st.Text
	if short && st.Short != "" {
		text = st.Short
	}
	if st.Busy {
		text = a.lab.spin.View() + text
	}
	return style.Render(text)
}

// labHelp are the lab keys worth showing in the help bar now: stop and panes during a run, else
// the keys of the actions the current step's commands name.
func (a *App) labHelp() []key.Binding {
	if a.opt.Actions == nil {
		return nil
	}
	k := a.c.keys
	if a.loading() {
		bs := []key.Binding{k.StopRun}
		if a.active != screenDashboard {
			bs = append(bs, k.Dashboard)
		}
		return bs
	}
	if a.paneShown() {
		return []key.Binding{key.NewBinding(key.WithKeys(k.Back.Keys()...), key.WithHelp(k.Back.Help().Key, "close the panes"))}
	}
	r, ok := a.screens[screenReader].(*reader)
	if !ok || a.active != screenReader {
		return nil
	}
	var bs []key.Binding
	seen := map[string]bool{}
	for _, b := range a.c.blocks(r.step) {
		if b.Kind != content.CommandBlock || b.Action == nil {
			continue
		}
		la, name := a.canonical(b.Action.Name)
		if seen[name] {
			continue
		}
		seen[name] = true
		if ak, ok := a.c.actionBinding(name); ok {
			bs = append(bs, ak)
		}
		if la.Load {
			bs = append(bs, k.Dashboard)
		}
	}
	return bs
}

// confirmView asks before an action whose record has a question (Confirm).
func (a *App) confirmView() string {
	s := a.c.styles
	inner := min(a.width-6, 60)
	wrap := s.Hint.Width(inner)
	act := a.lab.confirm
	la, name := a.canonical(act.Name)
	question := la.Confirm
	if question == "" {
		question = "Run " + name + "?"
	}
	body := s.OverlayTitle.Render(lipgloss.NewStyle().Width(inner).Render(question)) + "\n\n"
	if la.Help != "" {
		body += lipgloss.NewStyle().Width(inner).Render(la.Help) + "\n\n"
	}
	body += wrap.Render("Your answers and recorded runs stay.") + "\n\n" +
		s.HelpKey.Render("y") + s.HelpDesc.Render(" "+name+"  ") + s.HelpKey.Render("n/esc") + s.HelpDesc.Render(" keep the lab as it is")
	return lipgloss.Place(a.width, a.bodyHeight(), lipgloss.Center, lipgloss.Center, s.Overlay.Render(body))
}
