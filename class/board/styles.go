package board

import (
	"github.com/charmbracelet/lipgloss"

	"scalelab/tui"
)

// boardStyles are the board's styles, all taken from the workshop's shared tui.Styles so the
// board has the same palette (and the same projector and NO_COLOR rules) as the workshop.
type boardStyles struct {
	title, number, muted, subtle, text    lipgloss.Style
	good, warn, bad, head, cursor, notice lipgloss.Style
	bar                                   lipgloss.Style
}

func newBoardStyles(s *tui.Styles) boardStyles {
	return boardStyles{
		title:  s.Title,
		number: s.StepTitle,
		muted:  s.Status,
		subtle: s.MarkNone,
		text:   s.TaskOpen,
		good:   s.StatusOK,
		warn:   s.StatusWarn,
		bad:    s.StatusErr,
		head:   s.TableHeader.UnsetPadding(),
		cursor: s.SearchMatch, // reverse and bold: visible without colour too
		notice: s.Notice,
		bar:    lipgloss.NewStyle().Foreground(s.Palette.Accent),
	}
}
