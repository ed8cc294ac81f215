package board

import "github.com/charmbracelet/bubbles/key"

// keyMap is every key of the board (helpEntries says them to the instructor). Digits sort:
// the letters s, p and r pick the metric.
type keyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	SortName, SortStep, SortAnswers       key.Binding
	SortP99, SortSuccess                  key.Binding
	ShowSuccess, ShowP99, ShowRPS, Wide   key.Binding
	Scenario                              key.Binding
	Message, Goto                         key.Binding
	Help, Quit                            key.Binding
}

func newKeyMap() keyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], help)) // the help screen is helpEntries
	}
	return keyMap{
		Up:          b("cursor up", "k", "up"),
		Down:        b("cursor down", "j", "down"),
		PageUp:      b("page up", "pgup"),
		PageDown:    b("page down", "pgdown", " "),
		Home:        b("first row", "home"),
		End:         b("last row", "end", "G"),
		SortName:    b("sort by name (again: reverse)", "1"),
		SortStep:    b("sort by step (again: reverse)", "2"),
		SortAnswers: b("sort by answers (again: reverse)", "3"),
		SortP99:     b("sort by latest p99 (again: reverse)", "4"),
		SortSuccess: b("sort by latest success (again: reverse)", "5"),
		ShowSuccess: b("stage columns show success %", "s"),
		ShowP99:     b("stage columns show p99", "p"),
		ShowRPS:     b("stage columns show req/s", "r"),
		Wide:        b("wide: every metric per stage (120+ columns)", "w"),
		Scenario:    b("next scenario (table, chart, stage columns)", "tab"),
		Message:     b("send everyone a message", "m"),
		Goto:        b("send everyone to a step", "g"),
		Help:        b("this help", "?"),
		Quit:        b("quit", "q", "ctrl+c"),
	}
}
