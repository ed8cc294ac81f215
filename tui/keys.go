package tui

import (
	"github.com/charmbracelet/bubbles/key"
)

// KeyMap is every key binding of the app, shared by the root model and the screens.
// Screens pick the bindings they show in ShortHelp/FullHelp.
type KeyMap struct {
	// global (root model)
	Quit, ForceQuit, Help, Theme, Close key.Binding
	Scenarios                           key.Binding // the scenarios screen (series.go)

	// reader: pager
	Up, Down, PageDown, PageUp, HalfDown, HalfUp, Top, Bottom key.Binding
	NextStep, PrevStep, Steps                                 key.Binding
	Search, NextMatch, PrevMatch                              key.Binding

	// reader: interactive items (questions, tasks, commands)
	NextItem, PrevItem, Activate, Toggle, Reveal key.Binding

	// answer editor
	EditDone key.Binding

	// the lab (root model): stop a run, the screens, back to the text; the lab's own actions
	// have the keys their records give (common.actionKeys)
	StopRun                                     key.Binding
	Dashboard, Code, ExplainView, Results, Back key.Binding
	Yes, No                                     key.Binding
}

// themeHelp names what T switches to, never the theme already on.
func (k *KeyMap) themeHelp(t Theme) {
	if t == ThemeProjector {
		k.Theme.SetHelp("T", "default theme")
	} else {
		k.Theme.SetHelp("T", "projector theme")
	}
}

// DefaultKeyMap is the pager-like key set a terminal user expects.
// Search uses / then Enter to jump, ctrl+n/ctrl+p for the next/previous match,
// because n/p already move between steps.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit (always)")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Theme:     key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "projector theme")),
		Close:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
		Scenarios: key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "scenarios")),

		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		PageDown: key.NewBinding(key.WithKeys(" ", "pgdown"), key.WithHelp("space", "page down")),
		PageUp:   key.NewBinding(key.WithKeys("b", "pgup"), key.WithHelp("b", "page up")),
		HalfDown: key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "½ page down")),
		HalfUp:   key.NewBinding(key.WithKeys("u", "ctrl+u"), key.WithHelp("u", "½ page up")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		NextStep: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next step")),
		PrevStep: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "prev step")),
		Steps:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "steps")),

		Search:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		NextMatch: key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "next match")),
		PrevMatch: key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "prev match")),

		NextItem: key.NewBinding(key.WithKeys("tab", "]"), key.WithHelp("tab", "next question")),
		PrevItem: key.NewBinding(key.WithKeys("shift+tab", "["), key.WithHelp("shift+tab", "prev question")),
		Activate: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "answer/run")),
		// space also ticks a focused task (it pages otherwise): listed once, as x, so no key is
		// listed for two things
		Toggle: key.NewBinding(key.WithKeys("x", " "), key.WithHelp("x", "tick task")),
		Reveal: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "model answer")),

		EditDone: key.NewBinding(key.WithKeys("esc", "ctrl+s"), key.WithHelp("esc/ctrl+s", "done")),

		StopRun: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "stop the run")),

		Dashboard:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "live panes")),
		Code:        key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "code")),
		ExplainView: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "query plan")),
		Results:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "results")),
		Back:        key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back to the text")),

		Yes: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:  key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n/esc", "no")),
	}
}
