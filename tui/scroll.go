package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// scrollBy applies one of the shared pager keys (up, down, page, half page, top, bottom) to the
// offset of a screen that shows page rows at a time; ok is false for any other key. Screens
// check their own keys first, then this, then clamp with clampOffset.
func scrollBy(k *KeyMap, msg tea.KeyMsg, off, page int) (next int, ok bool) {
	page = max(1, page-1) // keep one row of context
	switch {
	case key.Matches(msg, k.Down):
		return off + 1, true
	case key.Matches(msg, k.Up):
		return off - 1, true
	case key.Matches(msg, k.PageDown):
		return off + page, true
	case key.Matches(msg, k.PageUp):
		return off - page, true
	case key.Matches(msg, k.HalfDown):
		return off + max(1, page/2), true
	case key.Matches(msg, k.HalfUp):
		return off - max(1, page/2), true
	case key.Matches(msg, k.Top):
		return 0, true
	case key.Matches(msg, k.Bottom):
		return 1 << 30, true
	}
	return off, false
}

// clampOffset keeps a scroll offset within [0, rows-visible].
func clampOffset(off, rows, visible int) int { return min(max(0, off), max(0, rows-visible)) }

// pagerHelp is the help row of the shared pager keys.
func (k *KeyMap) pagerHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageDown, k.PageUp, k.HalfDown, k.HalfUp, k.Top, k.Bottom}
}
