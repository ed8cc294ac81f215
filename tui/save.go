package tui

import (
	"encoding/json"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"scalelab/content"
	"scalelab/content/worksheet"
)

// saveDelay is the debounce of worksheet saves: typing schedules a save this long after the last
// key. saveMaxWait bounds the wait while typing goes on without a pause: a change made this long
// after the first unsaved one saves at once, so kill -9 loses well under a second of typing.
const (
	saveDelay   = 400 * time.Millisecond
	saveMaxWait = 700 * time.Millisecond
)

// sheet is the learner's worksheet and the bookkeeping of its saves. Only Update touches ws;
// save Cmds write a snapshot taken in Update, serialised by mu so an older snapshot never
// replaces a newer one.
type sheet struct {
	ws   *worksheet.Worksheet
	path string

	gen      int       // bumped by every change
	pending  time.Time // when the first change not yet handed to a save was made
	savedGen int       // the gen of the last successful save
	savedAt  time.Time // when it finished
	saving   bool
	lastErr  error
	writer   *sheetWriter
	revealed map[string]bool // model answers shown in this session (not saved)
	quitAsk  time.Time       // when a quit was held back because the last save failed
}

type sheetWriter struct {
	mu      sync.Mutex
	written int                  // highest gen on disk
	base    *worksheet.Worksheet // what this process last wrote (or loaded): the merge base
}

func newSheet(ws *worksheet.Worksheet, path string, scenarioID string) *sheet {
	if ws == nil {
		ws = &worksheet.Worksheet{}
	}
	if ws.Answers == nil {
		ws.Answers = map[string]string{}
	}
	if ws.Tasks == nil {
		ws.Tasks = map[string]bool{}
	}
	if ws.Tables == nil {
		ws.Tables = map[string][][]string{}
	}
	if ws.Scenario == "" {
		ws.Scenario = scenarioID
	}
	s := &sheet{ws: ws, path: path, writer: &sheetWriter{}, revealed: map[string]bool{}}
	s.writer.base = s.snapshot()
	return s
}

// seedFromFile takes the answers, ticks and table cells already written in the scenario file
// (an exported worksheet opened with `scalelab open`) where the worksheet has none. They are
// not a change to save until the learner changes something.
func (s *sheet) seedFromFile(sc *content.Scenario) {
	for _, q := range sc.Questions() {
		if _, ok := s.ws.Answers[q.ID]; !ok && strings.TrimSpace(q.Answer) != "" {
			s.ws.Answers[q.ID] = q.Answer
		}
	}
	for _, t := range sc.Tasks() {
		if _, ok := s.ws.Tasks[t.ID]; !ok && t.Done {
			s.ws.Tasks[t.ID] = true
		}
	}
}

// answered reports whether the learner wrote something of their own for q.
func (s *sheet) answered(q *content.Question) bool {
	return strings.TrimSpace(q.AnswerFrom(s.ws.Answers[q.ID])) != ""
}

// saveTickMsg fires saveDelay after a change; only the latest change's tick saves.
type saveTickMsg struct{ gen int }

// savedMsg reports a finished save.
type savedMsg struct {
	gen int
	at  time.Time
	err error
}

// changed records a change and returns the debounced save; when changes have gone unsaved for
// saveMaxWait, the save itself.
func (s *sheet) changed() tea.Cmd {
	s.gen++
	gen := s.gen
	tick := tea.Tick(saveDelay, func(time.Time) tea.Msg { return saveTickMsg{gen: gen} })
	now := time.Now()
	if s.pending.IsZero() {
		s.pending = now
	}
	if now.Sub(s.pending) >= saveMaxWait {
		return tea.Batch(s.saveCmd(), tick)
	}
	return tick
}

// dirty reports unsaved changes.
func (s *sheet) dirty() bool { return s.savedGen != s.gen }

// snapshot deep-copies the worksheet so a Cmd can write it while Update goes on.
func (s *sheet) snapshot() *worksheet.Worksheet {
	b, err := json.Marshal(s.ws)
	if err != nil {
		return nil
	}
	var cp worksheet.Worksheet
	if json.Unmarshal(b, &cp) != nil {
		return nil
	}
	cp.Updated = time.Now()
	return &cp
}

// saveCmd writes the current state in a Cmd (nil when there is no path or nothing to save).
func (s *sheet) saveCmd() tea.Cmd {
	if s.path == "" || !s.dirty() {
		return nil
	}
	snap, gen, path, w := s.snapshot(), s.gen, s.path, s.writer
	s.saving = true
	s.pending = time.Time{}
	return func() tea.Msg {
		return savedMsg{gen: gen, at: time.Now(), err: w.write(snap, path, gen)}
	}
}

func (w *sheetWriter) write(snap *worksheet.Worksheet, path string, gen int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if gen <= w.written {
		return nil // a newer snapshot is already on disk
	}
	if snap == nil {
		return errSnapshot
	}
	// merged with what another workshop on the same worksheet saved meanwhile
	if _, err := worksheet.SaveMerged(path, w.base, snap); err != nil {
		return err
	}
	w.written, w.base = gen, snap
	return nil
}

// done records a finished save.
func (s *sheet) done(m savedMsg) {
	s.saving = false
	if m.err != nil {
		s.lastErr = m.err
		return
	}
	s.lastErr = nil
	if m.gen > s.savedGen {
		s.savedGen = m.gen
		s.savedAt = m.at
	}
}

// flush saves synchronously; for the end of the program, after Update has stopped.
func (s *sheet) flush() error {
	if s.path == "" || !s.dirty() {
		return nil
	}
	err := s.writer.write(s.snapshot(), s.path, s.gen)
	s.done(savedMsg{gen: s.gen, at: time.Now(), err: err})
	return err
}
