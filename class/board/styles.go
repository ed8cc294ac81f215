package board

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"scalelab/tui"
)

// boardStyles are the board's styles, all taken from the workshop's shared tui.Styles so the
// board has the same palette (and the same projector and NO_COLOR rules) as the workshop.
type boardStyles struct {
	title, number, muted, subtle, text    lipgloss.Style
	good, warn, bad, head, cursor, notice lipgloss.Style
	bar                                   lipgloss.Style

	// the same styles as paints, for the learner rows: the most drawn cells
	pText, pNumber, pSubtle, pMuted, pWarn, pGood, pBad paint
}

// paint is a style reduced to the escape sequences before and after its text, found once by
// rendering a marker: Style.Render costs microseconds a call and a frame has hundreds of
// cells. Only for styles that change colours and attributes (no padding, width or border).
type paint struct{ pre, post string }

func newPaint(s lipgloss.Style) paint {
	const marker = "X" // escape sequences of colours and attributes never hold an X
	out := s.Render(marker)
	i := strings.Index(out, marker)
	if i < 0 {
		return paint{}
	}
	return paint{out[:i], out[i+len(marker):]}
}

func (p paint) write(b *strings.Builder, text string) {
	b.WriteString(p.pre)
	b.WriteString(text)
	b.WriteString(p.post)
}

func newBoardStyles(s *tui.Styles) boardStyles {
	b := boardStyles{
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
	b.pText, b.pNumber, b.pSubtle, b.pMuted = newPaint(b.text), newPaint(b.number), newPaint(b.subtle), newPaint(b.muted)
	b.pWarn, b.pGood, b.pBad = newPaint(b.warn), newPaint(b.good), newPaint(b.bad)
	return b
}
