package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/glamour"
	"github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"scalelab/content"
	"scalelab/content/termsafe"
)

// renderSpec fixes how markdown is rendered, once, at start-up: the glamour base style
// ("dark", "light" or "notty") and the colour profile of the terminal.
type renderSpec struct {
	style   string
	profile termenv.Profile
}

// renderKey names one rendering of a step: the same step is re-rendered when the width or the
// theme changes.
type renderKey struct {
	step, width int
	theme       Theme
}

// stepRender is the glamour output of one step, per block; interactive parts (answers,
// focus marks, tables) are composed around it without glamour, so they are cheap to redraw.
type stepRender struct {
	blocks []string   // Markdown blocks: the rendered text
	tasks  [][]string // TaskBlock: each task's rendered text
}

// renderedMsg carries a finished rendering back to the reader.
type renderedMsg struct {
	key renderKey
	r   *stepRender
	err error
}

// renderStepCmd renders one step with glamour in a Cmd (glamour is far too slow for Update).
func renderStepCmd(spec renderSpec, key renderKey, blocks []content.Block) tea.Cmd {
	return func() tea.Msg {
		r, err := renderStep(spec, key, blocks)
		return renderedMsg{key: key, r: r, err: err}
	}
}

func renderStep(spec renderSpec, key renderKey, blocks []content.Block) (*stepRender, error) {
	tr, err := newGlamour(spec, key.theme, key.width)
	if err != nil {
		return nil, err
	}
	out := &stepRender{blocks: make([]string, len(blocks)), tasks: make([][]string, len(blocks))}
	for i := range blocks {
		b := &blocks[i]
		switch b.Kind {
		case content.Markdown:
			out.blocks[i], err = renderMD(tr, b.Markdown)
		case content.TaskBlock:
			for _, t := range b.Tasks {
				s, e := renderMD(tr, t.Text)
				if e != nil {
					err = e
				}
				out.tasks[i] = append(out.tasks[i], s)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mdRenderer is glamour for text from files: Render passes the markdown through
// safeMarkdown first, so nothing in it reaches the terminal as a control sequence and no
// shape of it makes rendering slower than linear.
type mdRenderer struct {
	tr    *glamour.TermRenderer
	width int
}

// Render renders md at the renderer's width.
func (r *mdRenderer) Render(md string) (string, error) {
	return r.tr.Render(safeMarkdown(md, r.width))
}

// newGlamour makes a renderer for one width. The projector theme keeps the base style but
// forces bold text and the 16 basic ANSI colours.
func newGlamour(spec renderSpec, theme Theme, width int) (*mdRenderer, error) {
	var cfg ansi.StyleConfig
	switch spec.style {
	case "light":
		cfg = styles.LightStyleConfig
	case styleNoColor:
		cfg = noColorStyleConfig()
	case "notty", "ascii":
		cfg = styles.NoTTYStyleConfig
	case "plain":
		// for plain mode and screen readers: words only, no markup characters read aloud
		cfg = styles.ASCIIStyleConfig
		cfg.Emph, cfg.Strong, cfg.Strikethrough = ansi.StylePrimitive{}, ansi.StylePrimitive{}, ansi.StylePrimitive{}
		cfg.Code = ansi.StyleBlock{}
		cfg.ImageText = ansi.StylePrimitive{Format: "Picture: {{.text}}"}
		cfg.HorizontalRule = ansi.StylePrimitive{Format: "\n"}
		for _, h := range []*ansi.StyleBlock{&cfg.H1, &cfg.H2, &cfg.H3, &cfg.H4, &cfg.H5, &cfg.H6} {
			h.Prefix = ""
		}
	default:
		cfg = styles.DarkStyleConfig
	}
	if spec.style == "dark" || spec.style == "light" || spec.style == "" {
		// colour and bold mark the headings; "### " in front reads like unrendered source
		for _, h := range []*ansi.StyleBlock{&cfg.H2, &cfg.H3, &cfg.H4, &cfg.H5, &cfg.H6} {
			h.Prefix = ""
		}
	}
	zero := uint(0)
	cfg.Document.Margin = &zero
	cfg.Document.BlockPrefix = ""
	cfg.Document.BlockSuffix = ""
	profile := spec.profile
	if theme == ThemeProjector {
		t := true
		cfg.Document.Bold = &t
		if spec.style != "light" && spec.style != "notty" {
			white := "15"
			cfg.Document.Color = &white
		}
		if profile < termenv.ANSI {
			profile = termenv.ANSI
		}
	}
	liftDocumentStyle(&cfg)
	if width < 20 {
		width = 20
	}
	tr, err := glamour.NewTermRenderer(
		glamour.WithStyles(cfg),
		glamour.WithColorProfile(profile),
		glamour.WithWordWrap(width),
	)
	if err != nil {
		return nil, err
	}
	return &mdRenderer{tr: tr, width: width}, nil
}

// liftDocumentStyle moves the document's colour and weight onto its text. Glamour pads every
// line of every block to the full width with spaces in the block's style; with the document
// styled, each padding space carried its own colour sequence, and every enclosing block (a
// list item in a list in a quote...) read all of them again: a deeply nested list cost some
// 50 µs per byte. Styled as text, the words look the same and the padding is plain spaces.
func liftDocumentStyle(cfg *ansi.StyleConfig) {
	d := &cfg.Document.StylePrimitive
	if cfg.Text.Color == nil {
		cfg.Text.Color = d.Color
	}
	if cfg.Text.Bold == nil {
		cfg.Text.Bold = d.Bold
	}
	d.Color, d.Bold = nil, nil
}

// renderMD renders a snippet and trims the blank lines glamour puts around it.
func renderMD(tr *mdRenderer, md string) (string, error) {
	if strings.TrimSpace(md) == "" {
		return "", nil
	}
	s, err := tr.Render(md)
	if err != nil {
		return "", err
	}
	return trimBlankLines(s), nil
}

func trimBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	blank := func(l string) bool { return strings.TrimSpace(xansi.Strip(l)) == "" }
	for len(lines) > 0 && blank(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 0 && blank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = trimRightVisible(l)
	}
	return strings.Join(lines, "\n")
}

// trimRightVisible drops trailing padding spaces glamour adds, keeping escape codes intact
// when the line has any (then the padding is harmless and we leave it).
func trimRightVisible(l string) string {
	if !strings.Contains(l, "\x1b") {
		return strings.TrimRight(l, " ")
	}
	return l
}

// rawRender is the stand-in for a rendering that is not there yet: the markdown source
// wrapped to the width, so the step (and its items) can be used at once.
func rawRender(blocks []content.Block, width int) *stepRender {
	out := &stepRender{blocks: make([]string, len(blocks)), tasks: make([][]string, len(blocks))}
	wrap := lipgloss.NewStyle().Width(width)
	for i := range blocks {
		b := &blocks[i]
		switch b.Kind {
		case content.Markdown:
			out.blocks[i] = wrap.Render(strings.NewReplacer("**", "", "`", "").Replace(strings.TrimSpace(termsafe.Clean(b.Markdown))))
		case content.TaskBlock:
			for _, t := range b.Tasks {
				out.tasks[i] = append(out.tasks[i], termsafe.Clean(t.Text))
			}
		}
	}
	return out
}
