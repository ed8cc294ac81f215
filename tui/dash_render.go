package tui

import (
	"strings"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// dashStyles are the dashboard's styles, derived from the shared Styles (no colour named here:
// only the palette's roles).
type dashStyles struct {
	s                      *Styles
	Title, Label, Value    lipgloss.Style
	Good, Warn, Bad        lipgloss.Style
	Axis, Border, Hint     lipgloss.Style
	OK, Fail, OKOnFail     lipgloss.Style // chart columns: successes, failures, a success top on a failure
	P50, P99               lipgloss.Style
	onlyP99                bool // the latency chart draws p99 alone (no colour to tell two lines apart)
	Gauge, GaugeEmpty      lipgloss.Style
	parts                  []lipgloss.Style // a stack's parts, in order (partStyle)
	Big                    lipgloss.Style   // the big numbers' base (bold)
	progFull, progEmpty    string           // colours for bubbles/progress
	progProfile            termenv.Profile
	failRune, gaugeEmptyCh rune
	cells                  cellSeqs
	font                   map[rune][3]string // the big numbers' glyphs
}

func newDashStyles(s *Styles) *dashStyles {
	p := s.Palette
	bold := s.Theme == ThemeProjector
	base := lipgloss.NewStyle().Bold(bold)
	d := &dashStyles{s: s}
	d.Title = base.Foreground(p.Accent).Bold(true)
	d.Label = base.Foreground(p.Muted)
	d.Value = base.Foreground(p.Text).Bold(true)
	d.Good = base.Foreground(p.Good)
	d.Warn = base.Foreground(p.Warn)
	d.Bad = base.Foreground(p.Bad)
	d.Axis = lipgloss.NewStyle().Foreground(p.Subtle)
	if bold {
		d.Axis = lipgloss.NewStyle().Foreground(p.Muted)
	}
	d.Border = lipgloss.NewStyle().Foreground(p.Subtle)
	if bold {
		d.Border = lipgloss.NewStyle().Foreground(p.Muted)
	}
	d.Hint = s.Hint
	d.OK = lipgloss.NewStyle().Foreground(p.Good)
	d.Fail = lipgloss.NewStyle().Foreground(p.Bad)
	d.OKOnFail = lipgloss.NewStyle().Foreground(p.Good).Background(p.Bad)
	d.P50 = base.Foreground(p.Accent)
	d.P99 = base.Foreground(p.Focus).Bold(true)
	d.Gauge = lipgloss.NewStyle().Foreground(p.Accent)
	d.GaugeEmpty = lipgloss.NewStyle().Foreground(p.Subtle)
	d.Big = lipgloss.NewStyle().Bold(true)
	d.parts = partStyles(s)
	d.failRune, d.gaugeEmptyCh = '█', '·'
	d.font = bigGlyphs
	if bold {
		d.font = solidGlyphs
	}
	if s.NoColor {
		// no colour: failures must still look different from successes
		d.failRune = '░'
		d.OKOnFail = lipgloss.NewStyle()
		// two lines of the same glyphs cannot be told apart without colour: only p99 is drawn,
		// p50 is given as a number
		d.onlyP99 = true
	}
	d.progFull, d.progEmpty = colorString(p.Accent), colorString(p.Subtle)
	d.progProfile = lipgloss.ColorProfile()
	if s.NoColor {
		d.progProfile = termenv.Ascii
	}
	d.cells = cellSeqs{}
	return d
}

// colorString turns a palette colour into the string bubbles/progress wants.
func colorString(c lipgloss.TerminalColor) string {
	switch c := c.(type) {
	case lipgloss.Color:
		return string(c)
	case lipgloss.AdaptiveColor:
		if lipgloss.HasDarkBackground() {
			return c.Dark
		}
		return c.Light
	}
	return ""
}

// cellSeqs caches, per style of a canvas cell, the escape sequences around its rune, so a
// canvas renders as runs of same-styled runes instead of one lipgloss Render per cell.
type cellSeqs map[cellKey][2]string

type cellKey struct {
	fg, bg lipgloss.TerminalColor
	bold   bool
}

func (c cellSeqs) get(k cellKey) [2]string {
	if s, ok := c[k]; ok {
		return s
	}
	st := lipgloss.NewStyle().Bold(k.bold)
	if k.fg != nil {
		st = st.Foreground(k.fg)
	}
	if k.bg != nil {
		st = st.Background(k.bg)
	}
	r := st.Render("X")
	i := strings.Index(r, "X")
	var s [2]string
	if i >= 0 {
		s = [2]string{r[:i], r[i+1:]}
	}
	c[k] = s
	return s
}

func keyOf(st lipgloss.Style) cellKey {
	k := cellKey{bold: st.GetBold()}
	if fg := st.GetForeground(); fg != nil {
		if _, none := fg.(lipgloss.NoColor); !none {
			k.fg = fg
		}
	}
	if bg := st.GetBackground(); bg != nil {
		if _, none := bg.(lipgloss.NoColor); !none {
			k.bg = bg
		}
	}
	return k
}

// canvasLines renders an ntcharts canvas as lines, one escape sequence per run of cells of
// the same style (ntcharts' own View renders every cell through lipgloss, ~20x slower).
func (d *dashStyles) canvasLines(c *canvas.Model) []string {
	w, h := c.Width(), c.Height()
	out := make([]string, h)
	var b strings.Builder
	for y := 0; y < h; y++ {
		b.Reset()
		b.Grow(w * 4)
		var cur cellKey
		open := false
		var seq [2]string
		for x := 0; x < w; x++ {
			cell := c.Cell(canvas.Point{X: x, Y: y})
			r := cell.Rune
			var k cellKey
			if r == 0 {
				r = ' '
			} else {
				k = keyOf(cell.Style)
			}
			if !open || k != cur {
				if open {
					b.WriteString(seq[1])
				}
				cur, open = k, true
				seq = d.cells.get(k)
				b.WriteString(seq[0])
			}
			b.WriteRune(r)
		}
		if open {
			b.WriteString(seq[1])
		}
		out[y] = b.String()
	}
	return out
}

// fit makes s exactly w cells wide: cut with an ellipsis, or padded with spaces.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := xansi.StringWidth(s)
	if sw > w {
		s = xansi.Truncate(s, w, "…")
		sw = xansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// joinLines makes a w x h block of lines (padded or cut) as one string.
func joinLines(lines []string, w, h int) string {
	var b strings.Builder
	b.Grow(h * (w + 16))
	blank := strings.Repeat(" ", w)
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) {
			b.WriteString(fit(lines[i], w))
		} else {
			b.WriteString(blank)
		}
	}
	return b.String()
}

// box draws a pane with a rounded border and its title in the top edge; inner lines are fit
// to the inside (w-2 x h-2).
func (d *dashStyles) box(title string, inner []string, w, h int) []string {
	if w < 4 || h < 2 {
		return nil
	}
	iw := w - 2
	out := make([]string, 0, h)
	t := ""
	if title != "" {
		t = xansi.Truncate(" "+title+" ", iw-1, "…")
	}
	tw := xansi.StringWidth(t)
	out = append(out, d.Border.Render("╭─")+d.Title.Render(t)+d.Border.Render(strings.Repeat("─", max(0, iw-1-tw))+"╮"))
	side := d.Border.Render("│")
	for i := 0; i < h-2; i++ {
		l := ""
		if i < len(inner) {
			l = inner[i]
		}
		out = append(out, side+fit(l, iw)+side)
	}
	out = append(out, d.Border.Render("╰"+strings.Repeat("─", iw)+"╯"))
	return out
}

// besides puts blocks of lines side by side; each block is fit to its width, with gap
// spaces between them.
func besides(gap int, blocks [][]string, widths []int) []string {
	h := 0
	for _, b := range blocks {
		h = max(h, len(b))
	}
	out := make([]string, h)
	sp := strings.Repeat(" ", gap)
	var sb strings.Builder
	for i := 0; i < h; i++ {
		sb.Reset()
		for j, b := range blocks {
			if j > 0 {
				sb.WriteString(sp)
			}
			l := ""
			if i < len(b) {
				l = b[i]
			}
			sb.WriteString(fit(l, widths[j]))
		}
		out[i] = sb.String()
	}
	return out
}

// bigGlyphs are 3-row digits drawn with box characters, readable from the back of a room.
var bigGlyphs = map[rune][3]string{
	'0': {"┌─┐", "│ │", "└─┘"},
	'1': {"╶┐ ", " │ ", "╶┴╴"},
	'2': {"╶─┐", "┌─┘", "└─╴"},
	'3': {"╶─┐", " ─┤", "╶─┘"},
	'4': {"╷ ╷", "└─┤", "  ╵"},
	'5': {"┌─╴", "└─┐", "╶─┘"},
	'6': {"┌─╴", "├─┐", "└─┘"},
	'7': {"╶─┐", "  │", "  ╵"},
	'8': {"┌─┐", "├─┤", "└─┘"},
	'9': {"┌─┐", "└─┤", "╶─┘"},
	'.': {" ", " ", "▪"},
	',': {" ", " ", "╻"},
	'—': {"   ", "╶─╴", "   "},
	'-': {"   ", "╶─╴", "   "},
	' ': {" ", " ", " "},
}

// bigWidth is the width of s in big glyphs (one space between glyphs), or -1 when s has a
// character with no big glyph.
func bigWidth(s string, font map[rune][3]string) int {
	w := 0
	n := 0
	for _, r := range s {
		g, ok := font[r]
		if !ok {
			return -1
		}
		w += xansi.StringWidth(g[0])
		n++
	}
	if n > 1 {
		w += n - 1
	}
	return w
}

// bigLines draws s in big glyphs (3 rows); callers check bigWidth first.
func bigLines(s string, font map[rune][3]string) [3]string {
	var b [3]strings.Builder
	first := true
	for _, r := range s {
		g := font[r]
		for i := range b {
			if !first {
				b[i].WriteByte(' ')
			}
			b[i].WriteString(g[i])
		}
		first = false
	}
	return [3]string{b[0].String(), b[1].String(), b[2].String()}
}

// solidFont is a 3x5 pixel font; solidGlyphs draws it with half blocks in 3 rows: heavier
// digits for the projector theme, where thin box lines wash out.
var solidFont = map[rune][]string{
	'0': {"111", "101", "101", "101", "111"},
	'1': {"010", "110", "010", "010", "111"},
	'2': {"111", "001", "111", "100", "111"},
	'3': {"111", "001", "111", "001", "111"},
	'4': {"101", "101", "111", "001", "001"},
	'5': {"111", "100", "111", "001", "111"},
	'6': {"111", "100", "111", "101", "111"},
	'7': {"111", "001", "001", "001", "001"},
	'8': {"111", "101", "111", "101", "111"},
	'9': {"111", "101", "111", "001", "111"},
	'.': {"0", "0", "0", "0", "1"},
	',': {"0", "0", "0", "1", "1"},
	'—': {"000", "000", "111", "000", "000"},
	'-': {"000", "000", "111", "000", "000"},
	' ': {"0", "0", "0", "0", "0"},
}

var solidGlyphs = func() map[rune][3]string {
	half := func(top, bot bool) rune {
		switch {
		case top && bot:
			return '█'
		case top:
			return '▀'
		case bot:
			return '▄'
		}
		return ' '
	}
	m := make(map[rune][3]string, len(solidFont))
	for r, px := range solidFont {
		var g [3]string
		for row := 0; row < 3; row++ {
			var b strings.Builder
			for x := range px[0] {
				top := px[2*row][x] == '1'
				bot := 2*row+1 < len(px) && px[2*row+1][x] == '1'
				b.WriteRune(half(top, bot))
			}
			g[row] = b.String()
		}
		m[r] = g
	}
	return m
}()

// tallLines draws s 5 rows high from the pixel font, each pixel two cells wide (terminal cells
// are about twice as tall as wide): for big screens and projectors. ok is false when s has a
// character the font lacks.
func tallLines(s string) (rows [5]string, width int, ok bool) {
	var b [5]strings.Builder
	first := true
	for _, r := range s {
		px, found := solidFont[r]
		if !found {
			return rows, 0, false
		}
		for i := range b {
			if !first {
				b[i].WriteByte(' ')
			}
			for _, c := range px[i] {
				if c == '1' {
					b[i].WriteString("██")
				} else {
					b[i].WriteString("  ")
				}
			}
		}
		if !first {
			width++
		}
		width += 2 * len(px[0])
		first = false
	}
	for i := range b {
		rows[i] = b[i].String()
	}
	return rows, width, true
}
