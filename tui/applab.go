package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"scalelab/content"
	"scalelab/lab/numfmt"
)

// The lab inside the app: the action keys, the screens beside the reader, the live
// strip and pane during a load test, the reset confirmation and the busy spinner. app.go routes
// messages here; the work itself is the Lab's (labctl.go).
//
// Keys, from any screen that is not taking text:
//
//	L load test · S stop it · R restart the API with the ticked Fix 1 boxes · F apply the index
//	(Fix 2) · E explain the feed query (opens the plan) · X reset the lab (asks y/n first)
//	d live panes · c code · e query plan · r results · esc/backspace back to the text
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

// labActions are the lab's actions, each with a global key (KeyMap.ActionKey).
var labActions = []string{content.ActionLoadTest, content.ActionStart, content.ActionApplyFix, content.ActionExplain, content.ActionReset}

// labState is what the root model knows of the lab, from its messages.
type labState struct {
	status   LabStatusMsg
	live     *LabSample      // the latest sample while a load test runs; nil otherwise
	inflight map[string]bool // actions started and not done yet, by name
	confirm  *content.Action // an action waiting for y/n (reset)
	autoDash bool            // the dashboard was opened by a run started from the reader
	keepPane bool            // a run ended with the pane beside the text: its last picture stays until esc
	spin     spinner.Model
	spinning bool // a spinner tick is on its way
}

func newLabState() labState {
	sp := spinner.New(spinner.WithSpinner(spinner.Dot))
	return labState{inflight: map[string]bool{}, spin: sp}
}

// busy reports that something slow is going on (the lab starting, an action other than a load
// test): the spinner turns.
func (a *App) busy() bool {
	if a.lab.status.Busy {
		return true
	}
	for name := range a.lab.inflight {
		if name != content.ActionLoadTest {
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

// actionFor finds the scenario's command for an action name (its arguments count, e.g. a
// --preset), or makes one.
func (a *App) actionFor(name string) content.Action {
	for _, act := range a.c.scenario.Actions() {
		if act != nil && act.Name == name {
			return *act
		}
	}
	cmd := "scalelab " + name
	switch name {
	case content.ActionStart:
		cmd = "scalelab serve --preset fixed"
	case content.ActionExplain:
		cmd = "scalelab explain-query"
	}
	return content.Action{Name: name, Command: cmd}
}

// startAction runs a lab action (a key, or Enter on a command block).
func (a *App) startAction(act content.Action, confirmed bool) tea.Cmd {
	if a.opt.Actions == nil {
		return a.setNotice(labOffNotice(act), true) // the command did not run: read whole, in a box when long
	}
	if act.Name == content.ActionReset && !confirmed {
		a.lab.confirm = &act
		return nil
	}
	if a.lab.inflight[act.Name] {
		if act.Name == content.ActionLoadTest {
			return a.setNotice("a load test is running: watch it with d, or stop it with S", false)
		}
		return a.setNotice(actionDoing(act.Name)+" is still running: wait a moment", false)
	}
	if a.opt.Lab != nil {
		a.opt.Lab.SetTasks(a.c.sheet.ws.Tasks)
	}
	a.lab.inflight[act.Name] = true
	cmds := []tea.Cmd{a.opt.Actions.Run(act), a.spinCmd()}
	switch act.Name {
	case content.ActionLoadTest:
		// too small for the pane beside or below the text: the full-screen panes, and back after
		if a.active == screenReader && !a.paneFits() && a.screens[screenDashboard] != nil {
			a.lab.autoDash = true
			cmds = append(cmds, a.switchTo(screenDashboard))
		}
	case content.ActionExplain:
		if a.screens[screenExplain] != nil && a.active != screenExplain {
			cmds = append(cmds, a.switchTo(screenExplain))
		}
	}
	return tea.Batch(cmds...)
}

// actionDoing says what an action is doing, for the status line beside the spinner.
func actionDoing(name string) string {
	switch name {
	case content.ActionLoadTest:
		return "the load test"
	case content.ActionStart:
		return "restarting the API"
	case content.ActionApplyFix:
		return "creating the index (CONCURRENTLY, the API keeps serving)"
	case content.ActionExplain:
		return "running EXPLAIN ANALYZE"
	case content.ActionReset:
		return "resetting the lab (dropping the index, reseeding)"
	}
	return name
}

// actionHint says what Enter on a command block does, with the action's key.
func actionHint(name string) string {
	switch name {
	case content.ActionLoadTest:
		return "run the load test in the lab" + actionKeyHint(name)
	case content.ActionStart:
		return "restart the API with the boxes you ticked" + actionKeyHint(name)
	case content.ActionApplyFix:
		return "create the index, Fix 2" + actionKeyHint(name)
	case content.ActionExplain:
		return "show the query plan" + actionKeyHint(name)
	case content.ActionReset:
		return "reset the lab, after a y/n" + actionKeyHint(name)
	}
	return "run " + name + " in the lab" + actionKeyHint(name)
}

// actionKeyHint is " (or KEY)" for an action that has a key (KeyMap.ActionKey), "" otherwise.
func actionKeyHint(name string) string {
	b, ok := hintKeys.ActionKey(name)
	if !ok || b.Help().Key == "" {
		return ""
	}
	return " (or " + b.Help().Key + ")"
}

// labDone ends an action: the spinner stops when nothing else runs, an automatic dashboard goes
// back to the text.
func (a *App) labDone(msg ActionDoneMsg) tea.Cmd {
	delete(a.lab.inflight, msg.Action.Name)
	var cmds []tea.Cmd
	if msg.Action.Name == content.ActionReset && msg.Err == nil {
		// the Fix 1 boxes are switches on the API, which is broken again: untick them
		changed := false
		for _, t := range a.c.scenario.Tasks() {
			if len(taskFixes(t)) > 0 && a.c.sheet.ws.Tasks[t.ID] {
				a.c.sheet.ws.Tasks[t.ID] = false
				changed = true
			}
		}
		if changed {
			if r, ok := a.screens[screenReader].(*reader); ok {
				r.compose()
			}
			cmds = append(cmds, a.c.sheet.changed())
		}
	}
	if msg.Action.Name == content.ActionLoadTest {
		// the run's final picture stays, with its summary, until the learner leaves it: the
		// full-screen panes stay open (esc goes back), the pane beside the text stays (esc closes it)
		a.lab.keepPane = a.paneShown()
		a.lab.live = nil
		a.lab.autoDash = false
	}
	return tea.Batch(cmds...)
}

// handleLabKey handles the lab's global keys; ok is false for other keys.
func (a *App) handleLabKey(msg tea.KeyMsg) (cmd tea.Cmd, ok bool) {
	k := a.c.keys
	for _, name := range labActions {
		if b, _ := k.ActionKey(name); key.Matches(msg, b) {
			return a.startAction(a.actionFor(name), false), true
		}
	}
	switch {
	case key.Matches(msg, k.StopRun):
		if !a.lab.inflight[content.ActionLoadTest] || a.opt.Lab == nil {
			return a.setNotice("no load test is running (L starts one)", false), true
		}
		a.opt.Lab.CancelRun()
		return nil, true
	case key.Matches(msg, k.Dashboard):
		return a.toggleScreen(screenDashboard, "the live panes"), true
	case key.Matches(msg, k.Code):
		return a.toggleScreen(screenCode, "the code view"), true
	case key.Matches(msg, k.ExplainView):
		return a.toggleScreen(screenExplain, "the query plan view"), true
	case key.Matches(msg, k.Results):
		return a.toggleScreen(screenResults, "the results screen"), true
	case a.active != screenReader && key.Matches(msg, k.Back):
		return a.switchTo(screenReader), true
	case a.active == screenReader && a.lab.keepPane && key.Matches(msg, k.Back):
		a.lab.keepPane = false
		return a.layout(), true
	}
	return nil, false
}

// confirmKey answers the y/n question of a pending reset.
func (a *App) confirmKey(msg tea.KeyMsg) tea.Cmd {
	k := a.c.keys
	switch {
	case key.Matches(msg, k.Yes):
		act := *a.lab.confirm
		a.lab.confirm = nil
		return a.startAction(act, true)
	case key.Matches(msg, k.No), key.Matches(msg, k.Quit):
		a.lab.confirm = nil
		return a.setNotice("reset cancelled: the lab is as it was", false)
	}
	return nil
}

// toggleScreen opens a screen, or goes back to the text when it is open already.
func (a *App) toggleScreen(id screenID, what string) tea.Cmd {
	if a.screens[id] == nil {
		return a.setNotice(what+" is not part of this build yet", false)
	}
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

// busyLine is the status line while a slow action runs: a spinner and what it does.
func (a *App) busyLine() string {
	for _, name := range []string{content.ActionReset, content.ActionApplyFix, content.ActionStart, content.ActionExplain} {
		if a.lab.inflight[name] {
			return a.c.styles.StatusKey.Render(a.lab.spin.View() + actionDoing(name) + "…")
		}
	}
	return ""
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
// the actions the current step's commands name.
func (a *App) labHelp() []key.Binding {
	if a.opt.Actions == nil {
		return nil
	}
	k := a.c.keys
	if a.lab.inflight[content.ActionLoadTest] {
		bs := []key.Binding{k.StopRun}
		if a.active != screenDashboard {
			bs = append(bs, k.Dashboard)
		}
		return bs
	}
	if a.paneShown() && !a.lab.inflight[content.ActionLoadTest] {
		return []key.Binding{key.NewBinding(key.WithKeys(k.Back.Keys()...), key.WithHelp(k.Back.Help().Key, "close the panes"))}
	}
	r, ok := a.screens[screenReader].(*reader)
	if !ok || a.active != screenReader {
		return nil
	}
	var bs []key.Binding
	seen := map[string]bool{}
	for _, b := range stepBlocks(a.c.scenario, r.step) {
		if b.Kind != content.CommandBlock || b.Action == nil || seen[b.Action.Name] {
			continue
		}
		seen[b.Action.Name] = true
		if ak, ok := k.ActionKey(b.Action.Name); ok {
			bs = append(bs, ak)
		}
		if b.Action.Name == content.ActionLoadTest {
			bs = append(bs, k.Dashboard)
		}
	}
	return bs
}

// labFullHelp is the lab's block of the ? overlay.
func (a *App) labFullHelp() [][]key.Binding {
	k := a.c.keys
	return [][]key.Binding{
		{k.LoadTest, k.StopRun, k.Restart},
		{k.ApplyIndex, k.Explain, k.Reset},
		{k.Dashboard, k.Code, k.ExplainView, k.Results, k.Back},
	}
}

// confirmView asks before a reset.
func (a *App) confirmView() string {
	s := a.c.styles
	inner := min(a.width-6, 60)
	wrap := s.Hint.Width(inner)
	body := s.OverlayTitle.Render("Reset the lab?") + "\n\n" +
		lipgloss.NewStyle().Width(inner).Render("This drops the index, reseeds the posts table and puts the API back to the broken settings, as at the start of Step 2.") + "\n\n" +
		wrap.Render("Your answers and recorded runs stay.") + "\n\n" +
		s.HelpKey.Render("y") + s.HelpDesc.Render(" reset  ") + s.HelpKey.Render("n/esc") + s.HelpDesc.Render(" keep the lab as it is")
	return lipgloss.Place(a.width, a.bodyHeight(), lipgloss.Center, lipgloss.Center, s.Overlay.Render(body))
}
