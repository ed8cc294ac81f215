package board

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"scalelab/class/room"
	"scalelab/tui"
)

// Options configure the board.
type Options struct {
	Theme   tui.Theme // the palette; DefaultOptions gives the projector's
	NoColor bool      // NO_COLOR: no colours, glyphs and bold only
}

// DefaultOptions are the board's options for a projector: the projector theme.
func DefaultOptions() Options { return Options{Theme: tui.ThemeProjector} }

// metric is the one figure the stage columns and the chart show (wide mode shows all three).
type metric int

const (
	metricP99 metric = iota
	metricSuccess
	metricRPS
)

func (m metric) String() string {
	switch m {
	case metricSuccess:
		return "success"
	case metricRPS:
		return "req/s"
	}
	return "p99"
}

// sortKey is the column the rows are sorted by.
type sortKey int

const (
	sortName sortKey = iota
	sortStep
	sortAnswers
	sortP99
	sortSuccess
)

func (s sortKey) String() string {
	return [...]string{"name", "step", "answers", "p99", "success"}[s]
}

// inputMode is what the one-line input at the bottom asks for, if anything.
type inputMode int

const (
	inputNone inputMode = iota
	inputMessage
	inputGoto
)

// statusKind colours the status line.
type statusKind int

const (
	statusInfo statusKind = iota
	statusOK
	statusErr
)

// Model is the board: a bubbletea model that waits on the Source in a loop of Cmds (one
// Wait at a time, the next issued when one returns) and draws the latest snapshot.
type Model struct {
	src    Source
	ctx    context.Context
	styles *tui.Styles
	st     boardStyles
	keys   keyMap

	snap    room.Snapshot
	have    bool // a snapshot has arrived
	rows    []row
	waitErr error // the last Wait failed; cleared by the next snapshot

	width, height int

	sortBy   sortKey
	sortDesc bool
	metric   metric
	wide     bool
	scenario string // the scenario whose stages, medians and chart are shown
	cursorID string // the learner under the cursor, kept across snapshots and sorts
	cursor   int
	offset   int // first row shown
	pageRows int // learner rows a page holds at the current size

	input      inputMode
	text       textinput.Model
	inputErr   string // why the typed value was refused, shown beside the input
	status     string
	statusTail string // the status's end, drawn even when the rest is cut to the width
	statusKind statusKind
	help       bool
}

// New makes a board reading src. Its Waits use context.Background; Run gives them its ctx.
func New(src Source, opt Options) *Model {
	styles := tui.NewStyles(opt.Theme, opt.NoColor)
	ti := textinput.New()
	ti.Cursor.SetMode(cursor.CursorStatic) // no blink ticks: stable frames
	ti.CharLimit = 200
	return &Model{
		src: src, ctx: context.Background(), styles: styles, st: newBoardStyles(styles),
		keys: newKeyMap(), text: ti, width: 80, height: 24,
		status: "waiting for the class server…",
	}
}

// Init starts the wait loop.
func (m *Model) Init() tea.Cmd { return waitCmd(m.ctx, m.src, 0) }

// Update handles one message; it never blocks: every call to the Source runs in a Cmd.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	mod, cmd := m.update(msg)
	m.relayout()
	return mod, cmd
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.clampCursor()
		return m, nil
	case snapshotMsg:
		m.setSnapshot(msg.snap)
		return m, waitCmd(m.ctx, m.src, msg.snap.Version)
	case waitFailedMsg:
		if m.ctx.Err() != nil {
			return m, nil // quitting: no retry
		}
		m.waitErr = msg.err
		m.setStatus(statusErr, "server not reachable: "+oneLine(msg.err.Error()))
		m.statusTail = ", retrying" // kept on screen when the error is cut
		return m, retryCmd()
	case retryMsg:
		// after 0, not after the last version: a restarted server counts again from 1, and
		// its first answer must come at once, not when its count passes the old one
		return m, waitCmd(m.ctx, m.src, 0)
	case sentMsg:
		if msg.err != nil {
			m.setStatus(statusErr, "could not send: "+oneLine(msg.err.Error()))
			m.statusTail = "; try again"
		} else {
			m.setStatus(statusOK, msg.what)
		}
		return m, nil
	case tea.KeyMsg:
		if m.input != inputNone {
			return m.updateInput(msg)
		}
		return m.updateKey(msg)
	}
	return m, nil
}

func (m *Model) setStatus(k statusKind, s string) { m.status, m.statusKind, m.statusTail = s, k, "" }

// setSnapshot takes a new room: a server restarted may answer with a lower Version, which
// is taken too (the loop then waits after that one).
func (m *Model) setSnapshot(s room.Snapshot) {
	m.snap, m.have = s, true
	if m.waitErr != nil {
		m.waitErr = nil
		m.setStatus(statusOK, "server reachable again")
	} else if m.statusKind == statusInfo && strings.HasPrefix(m.status, "waiting") {
		m.status = ""
	}
	scs := scenarios(s)
	if !slices.Contains(scs, m.scenario) {
		m.scenario = busiestScenario(s, scs)
	}
	m.rebuildRows()
}

// rebuildRows makes the rows from the snapshot, sorts them and keeps the cursor on its learner.
func (m *Model) rebuildRows() {
	m.rows = makeRows(m.snap, m.scenario)
	sortRows(m.rows, m.sortBy, m.sortDesc)
	m.cursor = 0
	for i, r := range m.rows {
		if r.id == m.cursorID {
			m.cursor = i
			break
		}
	}
	m.clampCursor()
}

func (m *Model) clampCursor() {
	n := len(m.rows)
	m.cursor = max(0, min(m.cursor, n-1))
	if n > 0 {
		m.cursorID = m.rows[m.cursor].id
	}
	page := max(1, m.pageRows)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+page {
		m.offset = m.cursor - page + 1
	}
	m.offset = max(0, min(m.offset, n-page))
}

func (m *Model) moveCursor(to int) {
	m.cursor = to
	m.clampCursor()
}

func (m *Model) updateKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	if m.help {
		switch {
		case key.Matches(msg, k.Quit):
			return m, tea.Quit
		case key.Matches(msg, k.Help), msg.Type == tea.KeyEsc:
			m.help = false
		}
		return m, nil
	}
	page := max(1, m.pageRows)
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.help = true
	case key.Matches(msg, k.Up):
		m.moveCursor(m.cursor - 1)
	case key.Matches(msg, k.Down):
		m.moveCursor(m.cursor + 1)
	case key.Matches(msg, k.PageUp):
		m.offset = max(0, m.offset-page)
		m.moveCursor(m.cursor - page)
	case key.Matches(msg, k.PageDown):
		m.offset = min(m.offset+page, max(0, len(m.rows)-page))
		m.moveCursor(m.cursor + page)
	case key.Matches(msg, k.Home):
		m.moveCursor(0)
	case key.Matches(msg, k.End):
		m.moveCursor(len(m.rows) - 1)
	case key.Matches(msg, k.SortName):
		m.sortOn(sortName)
	case key.Matches(msg, k.SortStep):
		m.sortOn(sortStep)
	case key.Matches(msg, k.SortAnswers):
		m.sortOn(sortAnswers)
	case key.Matches(msg, k.SortP99):
		m.sortOn(sortP99)
	case key.Matches(msg, k.SortSuccess):
		m.sortOn(sortSuccess)
	case key.Matches(msg, k.ShowSuccess):
		m.metric = metricSuccess
	case key.Matches(msg, k.ShowP99):
		m.metric = metricP99
	case key.Matches(msg, k.ShowRPS):
		m.metric = metricRPS
	case key.Matches(msg, k.Wide):
		m.wide = !m.wide
		if m.wide && m.width < wideWidth {
			m.setStatus(statusInfo, fmt.Sprintf("wide shows once the terminal has %d columns (now %d)", wideWidth, m.width))
		}
	case key.Matches(msg, k.Scenario):
		scs := scenarios(m.snap)
		if len(scs) > 1 {
			i := slices.Index(scs, m.scenario)
			m.scenario = scs[(i+1)%len(scs)]
			m.rebuildRows()
		}
	case key.Matches(msg, k.Message):
		return m, m.openInput(inputMessage, "message to everyone: ", "one line; Enter sends, Esc cancels")
	case key.Matches(msg, k.Goto):
		n := m.maxSteps()
		ph := "a step number; Enter sends, Esc cancels"
		if n > 0 {
			ph = fmt.Sprintf("1–%d; Enter sends, Esc cancels", n)
		}
		return m, m.openInput(inputGoto, "send everyone to step: ", ph)
	}
	return m, nil
}

// sortOn sorts by s; pressing the key of the current sort again reverses it.
func (m *Model) sortOn(s sortKey) {
	if m.sortBy == s {
		m.sortDesc = !m.sortDesc
	} else {
		m.sortBy, m.sortDesc = s, false
	}
	m.rebuildRows()
}

func (m *Model) openInput(mode inputMode, prompt, placeholder string) tea.Cmd {
	m.input, m.inputErr = mode, ""
	m.text.Reset()
	m.text.Prompt = prompt
	m.text.Placeholder = placeholder
	m.text.PromptStyle = m.styles.StatusKey
	return m.text.Focus()
}

func (m *Model) closeInput() {
	m.input, m.inputErr = inputNone, ""
	m.text.Blur()
	m.text.Reset()
}

func (m *Model) updateInput(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch msg.Type {
	case tea.KeyCtrlC:
		return m, tea.Quit
	case tea.KeyEsc:
		m.closeInput()
		m.setStatus(statusInfo, "cancelled: nothing sent")
		return m, nil
	case tea.KeyEnter:
		value := strings.TrimSpace(oneLine(m.text.Value()))
		mode := m.input
		if mode == inputMessage {
			if value == "" {
				m.inputErr = "the message is empty: type a line, or Esc to cancel"
				return m, nil
			}
			m.closeInput()
			m.setStatus(statusInfo, "sending the message…")
			return m, broadcastCmd(m.ctx, m.src, value)
		}
		step, err := strconv.Atoi(value)
		n := m.maxSteps()
		if err != nil || step < 1 || n > 0 && step > n {
			if n > 0 {
				m.inputErr = fmt.Sprintf("type a step number from 1 to %d, or Esc to cancel", n)
			} else {
				m.inputErr = "type a step number from 1, or Esc to cancel"
			}
			return m, nil
		}
		m.closeInput()
		m.setStatus(statusInfo, fmt.Sprintf("sending everyone to step %d…", step))
		return m, gotoCmd(m.ctx, m.src, step-1)
	}
	var cmd tea.Cmd
	m.text, cmd = m.text.Update(msg)
	return m, cmd
}

// maxSteps is the most steps any learner's scenario has: the highest step Goto can send to.
func (m *Model) maxSteps() int {
	n := 0
	for _, l := range m.snap.Learners {
		n = max(n, l.Steps)
	}
	return n
}
