package tui

import (
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab"
	"scalelab/lab/load"
)

// MinWidth and MinHeight are the smallest window the workshop draws in (a classic terminal).
const (
	MinWidth  = 80
	MinHeight = 24
)

// Options configure the app. Scenario is required; the rest has defaults.
type Options struct {
	Scenario      *content.Scenario
	Worksheet     *worksheet.Worksheet // nil: an empty one
	WorksheetPath string               // where answers are saved; "" saves nothing
	// WorksheetName is shown on the status line instead of WorksheetPath ("" = the path): a
	// learner of the class server has no use for a path on the server.
	WorksheetName string
	Theme         Theme
	NoColor       bool            // NO_COLOR: no colour at all, bold and reverse only
	GlamourStyle  string          // "dark" (default), "light" or "notty"; chosen once at start-up
	ColorProfile  termenv.Profile // for glamour; default: lipgloss's profile
	// Lab is the running lab (a *LabController): started by Init in the background, given every
	// message, and the Actions when Actions is nil. nil: the text only (--no-lab).
	Lab     Lab
	Actions Actions // what runs the text's commands; default Lab; nil: the lab is off (--no-lab)
	// Contract is the lab whose records the screens read (its actions' keys and help, its
	// stages, its code and plan views); default Lab.Contract(); nil: none (--no-lab).
	Contract lab.Lab
	History  *load.History // the recorded runs (the results screen); may be nil
	Notice   string        // a line for the status bar at start-up (e.g. a worksheet problem)
	// Series is the list of scenarios the scenarios screen (o) offers, with their progress;
	// nil: no list (the key says so).
	Series []SeriesEntry
	// Observe, when set, is told where the learner is (step, answers) once at start and then
	// whenever it changes, on Update's goroutine: it must not block. The class server's board
	// reads it.
	Observe func(Progress)
}

// screen is one full-window view of the app (the reader now; a dashboard, a code view, an
// explain view and the results later). The root model owns the window and routes to it.
type screen interface {
	help.KeyMap
	Init() tea.Cmd
	Update(tea.Msg) tea.Cmd // screens are pointers and change in place
	View() string
	SetSize(width, height int)
	Capturing() bool // keys belong to the screen right now (an editor, a search box, a list): no global letters
	// Optional: Typing() bool — keys are text right now (an editor, a search box); see typing.
	Status() string // the screen's part of the status line
}

type screenID int

const (
	screenReader screenID = iota
	screenDashboard
	screenCode
	screenExplain
	screenResults
)

// addScreens makes the screens beside the reader: the live panes (d, dashboard.go), the code
// view (c, codeview.go), the explain view (e, explainview.go), the results (r, results.go).
func (a *App) addScreens(c *common, opt Options) {
	a.screens[screenDashboard] = newDashboard(c)
	a.screens[screenCode] = newCodeView(c)
	a.screens[screenExplain] = newExplainView(c)
	a.screens[screenResults] = newResults(c, opt.History)
}

// App is the root model.
type App struct {
	c       *common
	opt     Options
	width   int
	height  int
	active  screenID
	screens map[screenID]screen
	help    help.Model
	showAll bool // the ? overlay

	notice    string
	noticeErr bool
	noticeGen int
	quitting  bool
	next      string      // the scenario chosen on the scenarios screen; see Next
	series    seriesState // the scenarios screen (o)

	lab   labState // what the app knows of the lab (applab.go)
	paned bool     // the reader was last laid out beside/above the live pane

	observe func(tea.Msg) // tests: sees every message before it is handled

	instructor string    // the instructor's last message (BroadcastMsg), "" none
	reported   *Progress // the progress last told to Options.Observe
}

// New makes the app. It does no I/O: the worksheet is loaded by the caller.
func New(opt Options) *App {
	if opt.GlamourStyle == "" {
		opt.GlamourStyle = "dark"
	}
	if opt.NoColor {
		// no colour, but headings and bold are still rendered (bold is not a colour); "notty"
		// would print the raw "###" and "**"
		opt.GlamourStyle = styleNoColor
		opt.ColorProfile = termenv.Ascii
	} else if opt.ColorProfile == 0 {
		opt.ColorProfile = lipgloss.ColorProfile()
	}
	c := &common{
		styles:   NewStyles(opt.Theme, opt.NoColor),
		keys:     DefaultKeyMap(),
		scenario: opt.Scenario,
		sheet:    newSheet(opt.Worksheet, opt.WorksheetPath, opt.Scenario.ID),
		render:   renderSpec{style: opt.GlamourStyle, profile: opt.ColorProfile},
	}
	c.sheet.seedFromFile(opt.Scenario)
	c.series = opt.Series
	c.next = c.nextInSeries()
	if opt.Actions == nil && opt.Lab != nil {
		opt.Actions = opt.Lab
	}
	if opt.Contract == nil && opt.Lab != nil {
		opt.Contract = opt.Lab.Contract()
	}
	if opt.Contract != nil {
		c.lab, c.stages = opt.Contract, opt.Contract.Stages()
		c.actKeys = newActionKeys(opt.Contract, c.keys)
	}
	a := &App{c: c, opt: opt, screens: map[screenID]screen{}, lab: newLabState()}
	a.screens[screenReader] = newReader(c)
	a.addScreens(c, opt)
	a.help = help.New()
	a.styleHelp()
	a.notice, a.noticeErr = opt.Notice, opt.Notice != ""
	return a
}

func (a *App) styleHelp() {
	a.c.keys.themeHelp(a.c.styles.Theme)
	s := a.c.styles
	a.help.Styles.ShortKey, a.help.Styles.FullKey = s.HelpKey, s.HelpKey
	a.help.Styles.ShortDesc, a.help.Styles.FullDesc = s.HelpDesc, s.HelpDesc
	a.help.Styles.ShortSeparator, a.help.Styles.FullSeparator, a.help.Styles.Ellipsis = s.HelpSep, s.HelpSep, s.HelpSep
}

func (a *App) screen() screen { return a.screens[a.active] }

// typing reports that the active screen takes keys as text (it has Typing() and says so).
func (a *App) typing() bool {
	t, ok := a.screen().(interface{ Typing() bool })
	return ok && t.Typing()
}

// Init starts every screen (the reader asks for its first rendering once the size is known).
func (a *App) Init() tea.Cmd {
	var cmds []tea.Cmd
	if a.opt.Lab != nil {
		cmds = append(cmds, a.opt.Lab.Init())
	}
	for _, s := range a.screens {
		cmds = append(cmds, s.Init())
	}
	if a.notice != "" {
		// The start-up notice (another process on the worksheet, a recovered file) is read and
		// then goes, like every other notice: left up, its box would cover the text for good.
		cmds = append(cmds, tea.Tick(startNoticeFor, func(time.Time) tea.Msg { return clearNoticeMsg{gen: 0} }))
	}
	return tea.Batch(cmds...)
}

// startNoticeFor is how long the start-up notice stays: longer than a notice of the session,
// since it shows while the learner's eyes are still on the first screen.
const startNoticeFor = 20 * time.Second

// noticeMsg shows a line in the status bar for a while.
type noticeMsg struct {
	text string
	err  bool
}

func noticeCmd(text string) tea.Cmd { return func() tea.Msg { return noticeMsg{text: text} } }

type clearNoticeMsg struct{ gen int }

// themeChangedMsg tells the screens the styles changed (T).
type themeChangedMsg struct{}

// Update routes: window size to every screen, global keys here, other keys to the active
// screen, everything else (renders, lab messages, ticks) to every screen.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if a.observe != nil {
		a.observe(msg)
	}
	var labCmd tea.Cmd
	if a.opt.Lab != nil {
		labCmd = a.opt.Lab.Update(msg) // the lab's own ticks and results; nil for the rest
	}
	cmd := a.update(msg)
	if a.paned != a.paneShown() { // a run started or ended, or the window changed: re-lay out
		cmd = tea.Batch(cmd, a.layout())
	}
	if labCmd != nil {
		cmd = tea.Batch(labCmd, cmd)
	}
	a.report()
	return a, cmd
}

func (a *App) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := a.labUpdate(msg); ok {
		return cmd
	}
	if cmd, ok := a.classUpdate(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.help.Width = msg.Width
		var cmds []tea.Cmd
		for id, s := range a.screens {
			if id == screenReader {
				continue // layout sizes the reader, leaving room for the live pane
			}
			s.SetSize(msg.Width, a.bodyHeight())
			cmds = append(cmds, s.Update(msg))
		}
		if r, ok := a.screens[screenReader].(*reader); ok {
			r.width = -1 // size it again even if the same
		}
		return tea.Batch(append(cmds, a.layout())...)

	case tea.KeyMsg:
		// Keys typed fast arrive as one message ("nn"). In a text field that is text: marked as
		// a paste, so a chunk that happens to read "up" or "enter" is not taken for that key.
		// Elsewhere they are separate keys.
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && a.typing() {
			msg.Paste = true
			return a.handleKey(msg)
		}
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
			var cmds []tea.Cmd
			for _, r := range msg.Runes {
				one := msg
				one.Runes = []rune{r}
				cmds = append(cmds, a.handleKey(one))
			}
			return tea.Batch(cmds...)
		}
		return a.handleKey(msg)

	case saveTickMsg:
		if msg.gen == a.c.sheet.gen {
			return a.c.sheet.saveCmd()
		}
		return nil

	case savedMsg:
		a.c.sheet.done(msg)
		if msg.err != nil {
			log.Printf("worksheet save failed: %v", msg.err)
		}
		return nil

	case quitMsg:
		return tea.Quit

	case noticeMsg:
		return a.setNotice(msg.text, msg.err)

	case clearNoticeMsg:
		if msg.gen == a.noticeGen {
			a.notice = ""
		}
		return nil

	}
	return a.broadcast(msg)
}

func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, s := range a.screens {
		cmds = append(cmds, s.Update(msg))
	}
	return tea.Batch(cmds...)
}

func (a *App) setNotice(text string, isErr bool) tea.Cmd {
	a.notice, a.noticeErr = text, isErr
	a.noticeGen++
	gen := a.noticeGen
	return tea.Tick(8*time.Second, func(time.Time) tea.Msg { return clearNoticeMsg{gen: gen} })
}

func (a *App) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := a.c.keys
	if key.Matches(msg, k.ForceQuit) {
		return a.quit()
	}
	if a.tooSmall() {
		if key.Matches(msg, k.Quit) {
			return a.quit()
		}
		return nil
	}
	if a.showAll {
		if key.Matches(msg, k.Help, k.Close, k.Quit) {
			a.showAll = false
		}
		return nil
	}
	if a.lab.confirm != nil {
		return a.confirmKey(msg)
	}
	if a.series.open {
		return a.seriesKey(msg)
	}
	if !a.screen().Capturing() {
		switch {
		case key.Matches(msg, k.Quit):
			return a.quit()
		case key.Matches(msg, k.Help):
			a.showAll = true
			return nil
		case key.Matches(msg, k.Scenarios):
			return a.openSeries()
		case key.Matches(msg, k.Theme):
			return a.toggleTheme()
		}
		if cmd, ok := a.handleLabKey(msg); ok {
			return cmd
		}
	}
	return a.screen().Update(msg)
}

// quitMsg ends the program once the worksheet is flushed.
type quitMsg struct{}

// quit saves the worksheet in a Cmd, then quits (a failed save is still logged and reported
// by Flush, which the caller runs after the program ends).
func (a *App) quit() tea.Cmd {
	if cmd := a.guardQuit(); cmd != nil {
		return cmd
	}
	a.quitting = true
	if !a.c.sheet.dirty() || a.c.sheet.path == "" {
		return tea.Quit
	}
	return tea.Sequence(a.c.sheet.saveCmd(), func() tea.Msg { return quitMsg{} })
}

func (a *App) toggleTheme() tea.Cmd {
	t := ThemeProjector
	if a.c.styles.Theme == ThemeProjector {
		t = ThemeDefault
	}
	*a.c.styles = *NewStyles(t, a.opt.NoColor)
	a.styleHelp()
	return tea.Batch(a.broadcast(themeChangedMsg{}), a.setNotice("theme: "+t.String()+" (T to switch)", false))
}

// Flush writes unsaved worksheet changes synchronously. Call it after the program has ended
// (p.Run returned, whatever the reason: q, ctrl+c, SIGTERM) with the final model.
func (a *App) Flush() error { return a.c.sheet.flush() }

// WorksheetPath is where the answers are saved.
func (a *App) WorksheetPath() string { return a.c.sheet.path }

func (a *App) tooSmall() bool {
	return a.width > 0 && (a.width < MinWidth || a.height < MinHeight)
}

// bodyHeight is what the screens get: the window minus the header, status and help lines.
func (a *App) bodyHeight() int { return max(1, a.height-3) }

// View draws header, the active screen (or the ? overlay), status line and help bar.
func (a *App) View() string {
	if a.width == 0 {
		return ""
	}
	if a.tooSmall() {
		return a.tooSmallView()
	}
	body := a.readerView()
	switch {
	case a.showAll:
		body = a.helpOverlay()
	case a.lab.confirm != nil:
		body = a.confirmView()
	case a.series.open:
		body = a.seriesView()
	}
	body = lipgloss.NewStyle().Height(a.bodyHeight()).MaxHeight(a.bodyHeight()).Render(body)
	// A box over the bottom would cut the ? help or the confirm question in half; while one of
	// them shows, the notice stays on the status line alone.
	if long := a.longNotice(); long != "" && !a.showAll && a.lab.confirm == nil {
		body = overlayBottom(body, long)
	}
	return lipgloss.JoinVertical(lipgloss.Left, a.header(), body, a.statusLine(), a.helpLine())
}

// longNotice is an error notice too long for the status line, wrapped in a box drawn over the
// bottom of the body while it shows, so it is read whole ("" otherwise).
func (a *App) longNotice() string {
	if a.notice == "" || !a.noticeErr || lipgloss.Width(a.notice) <= a.width {
		return ""
	}
	s := a.c.styles
	return s.Overlay.BorderForeground(s.Palette.Bad).Width(a.width - 2).Render(s.StatusErr.Render(a.notice))
}

// overlayBottom replaces the last lines of body with box.
func overlayBottom(body, box string) string {
	lines := strings.Split(body, "\n")
	bl := strings.Split(box, "\n")
	if len(bl) >= len(lines) {
		return body
	}
	return strings.Join(append(lines[:len(lines)-len(bl)], bl...), "\n")
}

// header: the app and scenario, the lab's state (what fits of it) and the answered count.
func (a *App) header() string {
	s := a.c.styles
	name := s.Title.Render("scalelab")
	title := s.Header.Render(" · " + a.c.scenario.Title)
	ans, tot := a.c.totalProgress()
	count := strconv.Itoa(ans) + "/" + strconv.Itoa(tot)
	answered := s.Header.Render(count + " answered")
	// the answer count stays at every width (a projected class reads it from the back of the
	// room): the projector's name, the title and the lab's long state give way first
	counts := []string{answered, s.Header.Render(count)}
	if a.c.styles.Theme == ThemeProjector {
		counts = append([]string{s.Header.Render("projector · ") + answered}, counts...)
	}
	if a.lab.status.Text == "" {
		for _, c := range counts {
			if lipgloss.Width(name+title)+1+lipgloss.Width(c) <= a.width {
				return spread(name+title, c, a.width)
			}
		}
		return spread(name, counts[len(counts)-1], a.width)
	}
	sep := s.Header.Render(" · ")
	// the lab's state comes first: the title gives way to it in narrow windows, then the words
	// around the count
	type try struct {
		left  string
		short bool
	}
	for _, c := range counts {
		for _, t := range []try{{name + title, false}, {name + title, true}, {name, false}, {name, true}} {
			right := a.labStatusText(t.short) + sep + c
			if lipgloss.Width(t.left)+1+lipgloss.Width(right) <= a.width {
				return spread(t.left, right, a.width)
			}
		}
	}
	c := counts[len(counts)-1]
	room := a.width - lipgloss.Width(name) - 1 - lipgloss.Width(sep+c)
	return spread(name, xansi.Truncate(a.labStatusText(true), max(1, room), "…")+sep+c, a.width)
}

func (a *App) statusLine() string {
	s := a.c.styles
	left := s.Status.Render(a.screen().Status())
	important := false // the live strip and the busy line are read whole, like a notice
	if a.active != screenDashboard {
		if strip := a.liveStrip(); strip != "" {
			left, important = strip, true
		}
	}
	if a.instructor != "" && !important {
		left, important = s.StatusWarn.Render(instructorPrefix+a.instructor), true
	}
	if a.lab.queued != "" && a.loading() {
		left, important = s.StatusKey.Render(a.lab.spin.View()+a.lab.queued), true
	}
	if b := a.busyLine(); b != "" {
		left, important = b, true
	}
	if a.notice != "" {
		st := s.StatusWarn
		if a.noticeErr {
			st = s.StatusErr
		}
		left, important = st.Render(a.notice), true
	}
	state, path := a.saveState()
	if important && lipgloss.Width(left)+lipgloss.Width(state)+1 > a.width {
		return spread(left, "", a.width) // a notice is short-lived and must be read whole
	}
	// the save state always shows; the path gets what room is left, cut from the left
	// the screen's status first (it may name what to do next), the path in what is left
	lw := min(lipgloss.Width(left), a.width-lipgloss.Width(state)-2)
	room := a.width - lipgloss.Width(state) - lw - 2
	if path != "" && room >= 8 {
		if w := lipgloss.Width(path); w > room {
			path = xansi.TruncateLeft(path, w-room+1, "…")
		}
		state += s.Status.Render(" " + path)
	}
	return spread(left, state, a.width)
}

// saveState says whether the worksheet is saved, and where it lives.
func (a *App) saveState() (state, path string) {
	s := a.c.styles
	sh := a.c.sheet
	if sh.path == "" {
		return s.StatusWarn.Render("not saved (no worksheet)"), ""
	}
	where := shortPath(sh.path)
	if a.opt.WorksheetName != "" {
		where = a.opt.WorksheetName
	}
	switch {
	case sh.lastErr != nil:
		return s.StatusErr.Render("NOT SAVED: " + sh.lastErr.Error()), ""
	case sh.dirty():
		return s.StatusWarn.Render("saving…"), where
	case sh.savedGen > 0:
		return s.StatusOK.Render("saved"), where
	}
	return s.Status.Render("worksheet"), where
}

func (a *App) helpLine() string {
	bs := a.screen().ShortHelp()
	if a.lab.confirm != nil {
		bs = []key.Binding{a.c.keys.Yes, a.c.keys.No}
	} else if a.series.open {
		bs = a.seriesHelp()
	} else if lb := a.labHelp(); len(lb) > 0 && !a.screen().Capturing() {
		bs = append(dropBound(lb, bs), bs...)
	}
	return xansi.Truncate(a.help.ShortHelpView(bs), a.width, "…")
}

func (a *App) helpOverlay() string {
	s := a.c.styles
	inner := min(a.width-6, 76)
	h := a.help
	h.ShowAll = true
	h.Width = inner
	wrap := s.Hint.Width(inner)
	screenKeys := s.OverlayTitle.Render("Keys") + "\n\n" + h.FullHelpView(a.screen().FullHelp())
	// the lab's actions with their help lines when the box has room for them, else their names
	for _, full := range []bool{true, false} {
		box := a.helpBox(screenKeys, full, inner, wrap)
		if !full || lipgloss.Height(box) <= a.bodyHeight() && lipgloss.Width(box) <= a.width {
			return lipgloss.Place(a.width, a.bodyHeight(), lipgloss.Center, lipgloss.Center, box)
		}
	}
	return ""
}

// helpBox is the ? overlay's box: the screen's keys, the lab's (full: with their help lines),
// and the notes that fit under them.
func (a *App) helpBox(screenKeys string, full bool, inner int, wrap lipgloss.Style) string {
	s := a.c.styles
	h := a.help
	h.ShowAll = true
	h.Width = inner
	keys := screenKeys
	if a.opt.Actions != nil {
		// the lab's keys the screen's own block lists already are not listed twice
		if lab := a.labBlock(a.screen().FullHelp(), full, inner); lab != "" {
			keys += "\n\n" + s.OverlayTitle.Render("The lab") + "\n" + lab
		}
	}
	// The keys and the closing line always show; the notes below them go, least useful first,
	// when the window is too short for the whole box (the status line shows the path too).
	notes := []string{
		wrap.Render("Answers are saved as you type, in " + shortPath(a.c.sheet.path)),
	}
	if a.active == screenReader {
		notes = append(notes, wrap.Render("Search: / then enter jumps to the first match; ctrl+n / ctrl+p go to the next / previous match."))
	}
	closing := wrap.Render("? or esc closes this help.")
	var box string
	for n := len(notes); n >= 0; n-- {
		box = s.Overlay.Render(keys + "\n\n" + strings.Join(append(notes[:n:n], closing), "\n"))
		if lipgloss.Height(box) <= a.bodyHeight() {
			break
		}
		if n == 0 { // shorter still: no blank lines between the parts
			compact := strings.ReplaceAll(keys, "\n\n", "\n")
			box = s.Overlay.Render(compact + "\n" + closing)
		}
	}
	return box
}

func (a *App) tooSmallView() string {
	s := a.c.styles
	msg := s.Notice.Render("This window is too small for scalelab.") + "\n\n" +
		"It needs at least " + strconv.Itoa(MinWidth) + "×" + strconv.Itoa(MinHeight) + "; this one is " +
		strconv.Itoa(a.width) + "×" + strconv.Itoa(a.height) + ".\n" +
		"Make the window larger (or the font smaller).\n" +
		"Nothing is lost: your answers are kept."
	w := min(a.width, 50)
	box := lipgloss.NewStyle().Width(w).Align(lipgloss.Center).Render(msg)
	return lipgloss.Place(a.width, a.height, lipgloss.Center, lipgloss.Center, box)
}

// spread puts left and right on one line of width w, truncating left when needed.
func spread(left, right string, w int) string {
	rw := lipgloss.Width(right)
	left = xansi.Truncate(left, max(0, w-rw-1), "…")
	gap := max(1, w-lipgloss.Width(left)-rw)
	return left + strings.Repeat(" ", gap) + right
}

// shortPath shows a path with ~ for the home directory.
func shortPath(p string) string {
	if p == "" {
		return ""
	}
	if h, err := os.UserHomeDir(); err == nil && h != "" {
		if rel, err := filepath.Rel(h, p); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.Join("~", rel)
		}
	}
	return p
}

// labHelpNotIn is the lab's part of the ? overlay without the keys screen lists already: the
// lab's actions (with full their help lines, else their names) and S, then the screens' keys.
func (a *App) labHelpNotIn(screen [][]key.Binding, full bool) (acts, views []key.Binding) {
	var flat []key.Binding
	for _, col := range screen {
		flat = append(flat, col...)
	}
	k := a.c.keys
	acts = dropBound(append(a.c.actionBindings(full), k.StopRun), flat)
	views = dropBound([]key.Binding{k.Dashboard, k.Code, k.ExplainView, k.Results, k.Back}, flat)
	return acts, views
}

// labBlock draws the lab's part of the ? overlay in width w: with full one action a line, its
// help line cut to the width, and the screens' keys on a line under them; else the actions'
// names three to a column beside the screens' keys. "" when screen lists every key already.
func (a *App) labBlock(screen [][]key.Binding, full bool, w int) string {
	acts, views := a.labHelpNotIn(screen, full)
	h := a.help
	h.ShowAll, h.Width = true, w
	if !full {
		var cols [][]key.Binding
		for len(acts) > 0 {
			n := min(3, len(acts))
			cols = append(cols, acts[:n])
			acts = acts[n:]
		}
		if len(views) > 0 {
			cols = append(cols, views)
		}
		return h.FullHelpView(cols)
	}
	s := a.c.styles
	keyW := 0
	for _, b := range acts {
		keyW = max(keyW, lipgloss.Width(b.Help().Key))
	}
	var lines []string
	for _, b := range acts {
		k := b.Help().Key
		desc := xansi.Truncate(b.Help().Desc, max(4, w-keyW-1), "…")
		lines = append(lines, s.HelpKey.Render(k+strings.Repeat(" ", keyW-lipgloss.Width(k)))+" "+s.HelpDesc.Render(desc))
	}
	if len(views) > 0 {
		lines = append(lines, xansi.Truncate(h.ShortHelpView(views), w, "…"))
	}
	return strings.Join(lines, "\n")
}

// dropBound leaves out of bs the bindings whose key the screen's own help already shows.
func dropBound(bs, screen []key.Binding) []key.Binding {
	var out []key.Binding
	for _, b := range bs {
		dup := false
		for _, o := range screen {
			dup = dup || o.Help().Key == b.Help().Key
		}
		if !dup {
			out = append(out, b)
		}
	}
	return out
}
