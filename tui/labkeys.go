package tui

import (
	"github.com/charmbracelet/bubbles/key"

	"scalelab/lab"
)

// The lab's actions inside the app: their records (lab.Action) give the global keys, the help
// lines and the hints under the command blocks; the runner's own keys (quit, the screens, S to
// stop a run) are the KeyMap's.

// actionKey is one of the lab's actions with the global key its record gives: bind names the
// action in a few characters (its command name, for the help bar), full says its help line (the
// ? overlay, when there is room).
type actionKey struct {
	act        lab.Action
	bind, full key.Binding
}

// newActionKeys makes the bindings of the lab's actions that have a key, in the lab's order. A
// key the runner uses already (q, d, S, ...) is left out: the runner's keys always work.
func newActionKeys(l lab.Lab, k *KeyMap) []actionKey {
	if l == nil {
		return nil
	}
	taken := map[string]bool{}
	for _, b := range k.runnerKeys() {
		for _, kk := range b.Keys() {
			taken[kk] = true
		}
	}
	var out []actionKey
	for _, a := range l.Actions() {
		if a.Key == "" || taken[a.Key] {
			continue
		}
		taken[a.Key] = true
		full := a.Help
		if full == "" {
			full = a.Name
		}
		out = append(out, actionKey{act: a,
			bind: key.NewBinding(key.WithKeys(a.Key), key.WithHelp(a.Key, a.Name)),
			full: key.NewBinding(key.WithKeys(a.Key), key.WithHelp(a.Key, full))})
	}
	return out
}

// runnerKeys are the global keys of the runner, which a lab's action key may not take.
func (k *KeyMap) runnerKeys() []key.Binding {
	return []key.Binding{k.Quit, k.ForceQuit, k.Help, k.Theme, k.Close, k.StopRun, k.Dashboard, k.Code, k.ExplainView, k.Results, k.Back,
		k.Up, k.Down, k.PageDown, k.PageUp, k.HalfDown, k.HalfUp, k.Top, k.Bottom, k.NextStep, k.PrevStep, k.Steps,
		k.Search, k.NextMatch, k.PrevMatch, k.NextItem, k.PrevItem, k.Activate, k.Toggle, k.Reveal}
}

// action is the lab's action a command name (or alias) names; ok is false without a lab or
// for a name it does not know.
func (c *common) action(name string) (lab.Action, bool) {
	if c.lab == nil {
		return lab.Action{}, false
	}
	return lab.FindAction(c.lab, name)
}

// actionBinding is the global key of the action a command name names; ok is false for an
// action without one.
func (c *common) actionBinding(name string) (key.Binding, bool) {
	a, ok := c.action(name)
	if !ok {
		return key.Binding{}, false
	}
	for _, k := range c.actKeys {
		if k.act.Name == a.Name {
			return k.bind, true
		}
	}
	return key.Binding{}, false
}

// loadBinding is the key of the lab's load test (its Load action); ok is false when it has none.
func (c *common) loadBinding() (key.Binding, bool) {
	for _, k := range c.actKeys {
		if k.act.Load {
			return k.bind, true
		}
	}
	return key.Binding{}, false
}

// actionBindings are the bindings of every action with a key, in the lab's order: with full,
// their help lines, else their names.
func (c *common) actionBindings(full bool) []key.Binding {
	out := make([]key.Binding, 0, len(c.actKeys))
	for _, k := range c.actKeys {
		if full {
			out = append(out, k.full)
		} else {
			out = append(out, k.bind)
		}
	}
	return out
}

// actionHint says what Enter on a command block does: the action's help line, with its key.
func (c *common) actionHint(name string) string {
	a, ok := c.action(name)
	if !ok || a.Help == "" {
		return "run `scalelab " + name + "`" + c.actionKeyHint(name)
	}
	return a.Help + c.actionKeyHint(name)
}

// actionKeyHint is " (or KEY)" for an action that has a key, "" otherwise.
func (c *common) actionKeyHint(name string) string {
	b, ok := c.actionBinding(name)
	if !ok {
		return ""
	}
	return " (or " + b.Help().Key + ")"
}
