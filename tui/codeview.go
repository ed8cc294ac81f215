package tui

import (
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/cellbuf"

	"scalelab/lab"
)

// codeView shows the real source a lab runs (a lab.CodeViewer's files, embedded in the binary),
// so what the learner reads is what runs. The lines the lab's settings make run now are marked
// ▶ (CodeViewer.Highlights), the files holding such lines ● in the tabs, and f puts the file
// beside the next one (the broken code beside its fix, when the lab lists them so). A lab that
// is no CodeViewer has no code: the view says so.
//
// Highlighting is go/scanner's tokens in a few palette roles (keywords, comments, strings,
// numbers), done once per file and theme; wrapping is done once per width. View only slices.
type codeView struct {
	c             *common
	width, height int

	files  []codeFile
	cur    int  // the file shown
	side   bool // the file beside the next one
	atCode bool // scroll past the imports when the file is next drawn
	off    int  // first display row shown

	live     map[string][]string // the lab's highlights: per file, the lines that run now
	haveLive bool
	status   string // the lab's status line (its settings)

	sty   *codeStyles
	theme Theme
	noCol bool
	rows  []string // display rows of what is shown, cached
	rowsW int      // the width they were made for (0: stale)
}

var _ screen = (*codeView)(nil)

// codeFile is one embedded source file.
type codeFile struct {
	name  string
	src   string   // tabs expanded
	lines []string // highlighted, one per source line
	// side by side: alignment padding before trailing comments squeezed, so the narrow
	// columns wrap less, and the package clause and imports (the same in both) left out
	side     []string
	sideFrom int // the first line shown side by side (0-based)
	err      string
}

var reAlignedComment = regexp.MustCompile(`(\S) {3,}(//)`)

// squeezeSource prepares a file for a narrow column: alignment runs before a trailing comment
// become two spaces; it returns the first line after the imports.
func squeezeSource(src string) (string, int) {
	lines := strings.Split(src, "\n")
	from := 0
	for i, l := range lines {
		if l == ")" || strings.HasPrefix(l, "import \"") {
			from = i + 1
			break
		}
	}
	for from < len(lines) && strings.TrimSpace(lines[from]) == "" {
		from++
	}
	for i, l := range lines {
		lines[i] = reAlignedComment.ReplaceAllString(l, "$1  $2")
	}
	return strings.Join(lines, "\n"), min(from, max(0, len(lines)-1))
}

const codeTab = "    "

// codeKeys are the code view's keys.
// (Scrolling uses the app's shared pager keys.)
var codeKeys = struct {
	NextFile, PrevFile, File key.Binding
	Side, Back               key.Binding
}{
	NextFile: key.NewBinding(key.WithKeys("tab", "right", "l"), key.WithHelp("tab", "next file")),
	PrevFile: key.NewBinding(key.WithKeys("shift+tab", "left", "h"), key.WithHelp("shift+tab/←", "prev file")),
	File:     key.NewBinding(key.WithKeys("1", "2", "3", "4"), key.WithHelp("1-4", "file")),
	Side:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "beside the next file")),
	Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the text")),
}

// codeStyles are the code view's styles, derived from the shared Styles' palette.
type codeStyles struct {
	Running, Idle, Hint        lipgloss.Style
	Tab, TabCurrent, TabLive   lipgloss.Style
	Gutter, LiveMark, ColTitle lipgloss.Style
	Rule                       lipgloss.Style
	Keyword, Comment, String   lipgloss.Style
	Number                     lipgloss.Style
}

func newCodeStyles(s *Styles) *codeStyles {
	p := s.Palette
	bold := s.Theme == ThemeProjector
	base := lipgloss.NewStyle().Bold(bold)
	cs := &codeStyles{
		Running:    base.Foreground(p.Good).Bold(true),
		Idle:       base.Foreground(p.Warn),
		Hint:       s.Hint,
		Tab:        base.Foreground(p.Muted),
		TabCurrent: base.Foreground(p.Focus).Bold(true),
		TabLive:    base.Foreground(p.Good),
		Gutter:     base.Foreground(p.Subtle),
		LiveMark:   base.Foreground(p.Good).Bold(true),
		ColTitle:   base.Foreground(p.Accent).Bold(true),
		Rule:       lipgloss.NewStyle().Foreground(p.Subtle),
		Keyword:    base.Foreground(p.Accent).Bold(true),
		Comment:    base.Foreground(p.Muted).Italic(!bold),
		String:     base.Foreground(p.Good),
		Number:     base.Foreground(p.Highlight),
	}
	if bold { // the projector's grey is too faint for line numbers and rules
		cs.Gutter = base.Foreground(p.Muted)
		cs.Rule = lipgloss.NewStyle().Foreground(p.Muted)
	}
	if s.NoColor {
		cs.TabCurrent = cs.TabCurrent.Reverse(true)
		cs.Comment = lipgloss.NewStyle()
	}
	return cs
}

// newCodeView shows the files the lab's CodeViewer gives: the code that runs.
func newCodeView(c *common) *codeView {
	v := &codeView{c: c, atCode: true}
	cv, ok := c.lab.(lab.CodeViewer)
	if !ok {
		v.files = []codeFile{{name: "no code", err: "this lab has no code view: it shows no source"}}
		v.restyle()
		return v
	}
	fsys, names := cv.Code()
	for _, name := range names {
		f := codeFile{name: name}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			f.err = "cannot read " + name + " from the binary: " + err.Error()
		}
		f.src = strings.ReplaceAll(string(b), "\t", codeTab)
		v.files = append(v.files, f)
	}
	if len(v.files) == 0 {
		v.files = []codeFile{{name: "no code", err: "this lab lists no source files"}}
	}
	v.restyle()
	return v
}

func (v *codeView) restyle() {
	v.theme, v.noCol = v.c.styles.Theme, v.c.styles.NoColor
	v.sty = newCodeStyles(v.c.styles)
	for i := range v.files {
		f := &v.files[i]
		f.lines = highlightGo(f.src, v.sty)
		sq, from := squeezeSource(f.src)
		f.side, f.sideFrom = highlightGo(sq, v.sty), from
	}
	v.rowsW = 0
}

// Init does nothing: the files are embedded.
func (v *codeView) Init() tea.Cmd { return nil }

// SetSize is the body's size.
func (v *codeView) SetSize(w, h int) {
	if w != v.width {
		v.rowsW = 0
	}
	v.width, v.height = w, h
	v.clamp()
}

// Capturing: the code view takes no text.
func (v *codeView) Capturing() bool { return false }

// Update takes keys, the lab's status (its settings: the live lines move) and theme changes.
func (v *codeView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case LabStatusMsg:
		v.status = msg.Text
		v.refreshLive()
	case labSampleMsg:
		v.refreshLive()
	case themeChangedMsg:
		v.restyle()
	case tea.KeyMsg:
		v.key(msg)
	}
	return nil
}

// refreshLive reads the lab's highlights; the marked rows are made again when they moved.
func (v *codeView) refreshLive() {
	cv, ok := v.c.lab.(lab.CodeViewer)
	if !ok {
		return
	}
	h := cv.Highlights()
	same := v.haveLive && len(h) == len(v.live)
	for f, ls := range h {
		same = same && slices.Equal(ls, v.live[f])
	}
	if !same {
		v.live, v.haveLive = h, true
		v.rowsW = 0 // the live marker moves
	}
}

func (v *codeView) key(msg tea.KeyMsg) {
	k := codeKeys
	switch {
	case key.Matches(msg, k.NextFile):
		v.show((v.cur + 1) % len(v.files))
	case key.Matches(msg, k.PrevFile):
		v.show((v.cur + len(v.files) - 1) % len(v.files))
	case key.Matches(msg, k.File):
		if n, err := strconv.Atoi(msg.String()); err == nil && n >= 1 && n <= len(v.files) {
			v.show(n - 1)
		}
	case key.Matches(msg, k.Side):
		v.side = !v.side
		v.off, v.rowsW, v.atCode = 0, 0, !v.side
	default:
		v.off, _ = scrollBy(v.c.keys, msg, v.off, v.codeHeight())
	}
	v.clamp()
}

// show switches to file i (and out of side by side).
func (v *codeView) show(i int) {
	if i != v.cur || v.side {
		v.cur, v.side, v.off, v.rowsW, v.atCode = i, false, 0, 0, true
	}
}

// Status is the code view's part of the status line.
func (v *codeView) Status() string {
	if v.side {
		return "code · " + v.files[v.cur].name + " beside " + v.files[v.next()].name
	}
	s := "code · " + v.files[v.cur].name
	if n := len(v.display()); n > 0 {
		s += " · " + strconv.Itoa(min(100, 100*(v.off+v.codeHeight())/n)) + "%"
	}
	return s
}

// ShortHelp lists the main keys.
func (v *codeView) ShortHelp() []key.Binding {
	k := codeKeys
	return []key.Binding{k.NextFile, v.sideKey(), v.c.keys.Down, k.Back, v.c.keys.Help}
}

// sideKey is f as it acts now: it never offers the mode already on.
func (v *codeView) sideKey() key.Binding {
	if v.side {
		return key.NewBinding(key.WithKeys(codeKeys.Side.Keys()...), key.WithHelp(codeKeys.Side.Help().Key, "one file"))
	}
	return codeKeys.Side
}

// FullHelp lists every key.
func (v *codeView) FullHelp() [][]key.Binding {
	k := codeKeys
	return [][]key.Binding{
		v.c.keys.pagerHelp(),
		{k.NextFile, k.PrevFile, k.File, v.sideKey(), k.Back},
		{v.c.keys.Theme, v.c.keys.Help, v.c.keys.Quit},
	}
}

// headerHeight is the lines above the code: what runs, the knobs, the file tabs.
func (v *codeView) headerHeight() int { return 3 }

func (v *codeView) codeHeight() int { return max(1, v.height-v.headerHeight()) }

func (v *codeView) clamp() {
	v.off = clampOffset(v.off, len(v.display()), v.codeHeight())
}

// View draws the header and the visible rows.
func (v *codeView) View() string {
	if v.width <= 0 || v.height <= 0 {
		return ""
	}
	if v.theme != v.c.styles.Theme || v.noCol != v.c.styles.NoColor {
		v.restyle()
	}
	lines := append(v.header(), v.visible()...)
	return joinLines(lines, v.width, v.height)
}

func (v *codeView) visible() []string {
	rows := v.display()
	v.clamp()
	end := min(len(rows), v.off+v.codeHeight())
	return rows[v.off:end]
}

// next is the file shown beside the current one.
func (v *codeView) next() int { return (v.cur + 1) % len(v.files) }

// isLive reports that a file holds lines the lab's settings make run now.
func (v *codeView) isLive(name string) bool { return v.haveLive && len(v.live[name]) > 0 }

// running is the one line that says what runs now: the lab's status line.
func (v *codeView) running() string {
	if v.status == "" {
		return "running: waiting for the lab"
	}
	return "running: " + v.status
}

func (v *codeView) header() []string {
	s := v.sty
	run := s.Running.Render(v.running())
	if v.status == "" {
		run = s.Hint.Render(v.running())
	}
	note := s.Hint.Render("▶ marks the lines that run with the lab's settings now; ● the files that hold them")
	if !v.haveLive {
		note = s.Hint.Render("the code the lab runs (embedded in this binary)")
	}
	if v.side {
		return []string{run, note, s.Hint.Render("f: back to one file · " + v.files[v.cur].name + " beside " + v.files[v.next()].name)}
	}
	var tabs []string
	for i, f := range v.files {
		label := strconv.Itoa(i+1) + " " + f.name
		st := s.Tab
		if v.isLive(f.name) {
			label += " ●"
			st = s.TabLive
		}
		if i == v.cur {
			st = s.TabCurrent
		}
		tabs = append(tabs, st.Render(label))
	}
	line := strings.Join(tabs, "  ")
	if xansi.StringWidth(line) > v.width { // narrow: numbers for the others
		tabs = tabs[:0]
		for i, f := range v.files {
			label, st := strconv.Itoa(i+1), s.Tab
			if i == v.cur {
				label, st = label+" "+f.name, s.TabCurrent
			}
			if v.isLive(f.name) {
				label += "●"
				if i != v.cur {
					st = s.TabLive
				}
			}
			tabs = append(tabs, st.Render(label))
		}
		line = strings.Join(tabs, " ")
	}
	if f := v.files[v.cur]; v.haveLive && !v.isLive(f.name) && len(v.live) > 0 {
		note = s.Idle.Render("no line of " + f.name + " runs differently with the lab's settings now")
	}
	return []string{run, note, line}
}

// display returns the rows shown (cached per width, file, mode and knobs).
func (v *codeView) display() []string {
	if v.rowsW == v.width && v.rows != nil {
		return v.rows
	}
	w := max(20, v.width)
	switch {
	case !v.side:
		var starts []int
		v.rows, starts = v.fileRowsAt(v.cur, w, false)
		if v.atCode { // a file opens at its code, past the package clause and imports
			if f := v.files[v.cur].sideFrom; f < len(starts) {
				v.off = starts[f]
			}
			v.atCode = false
		}
	case v.width >= 120:
		cw := (w - 3) / 2
		left := append([]string{v.sty.ColTitle.Render(v.files[v.cur].name)}, v.fileRows(v.cur, cw, true)...)
		right := append([]string{v.sty.ColTitle.Render(v.files[v.next()].name)}, v.fileRows(v.next(), cw, true)...)
		for len(left) < len(right) {
			left = append(left, "")
		}
		sep := v.sty.Rule.Render(" │ ")
		v.rows = v.rows[:0]
		for i, l := range left {
			r := ""
			if i < len(right) {
				r = right[i]
			}
			v.rows = append(v.rows, fit(l, cw)+sep+r)
		}
	default:
		rule := func(t string) string {
			t = "── " + t + " "
			return v.sty.ColTitle.Render(t) + v.sty.Rule.Render(strings.Repeat("─", max(0, w-xansi.StringWidth(t))))
		}
		v.rows = append([]string{rule(v.files[v.cur].name)}, v.fileRows(v.cur, w, true)...)
		v.rows = append(v.rows, "", rule(v.files[v.next()].name))
		v.rows = append(v.rows, v.fileRows(v.next(), w, true)...)
	}
	v.rowsW = v.width
	return v.rows
}

// fileRows numbers and wraps a file's lines to width w (squeezed: the side-by-side version),
// with ▶ on the lines the lab's settings make run (its highlights).
func (v *codeView) fileRows(i, w int, squeezed bool) []string {
	rows, _ := v.fileRowsAt(i, w, squeezed)
	return rows
}

// fileRowsAt is fileRows and the row each source line starts at (from the first line shown).
func (v *codeView) fileRowsAt(i, w int, squeezed bool) ([]string, []int) {
	f := v.files[i]
	if f.err != "" {
		return []string{v.c.styles.StatusErr.Render(f.err)}, nil
	}
	digits := len(strconv.Itoa(len(f.lines)))
	gw := digits + 2 // number, marker, space
	live := v.live[f.name]
	lines, from := f.lines, 0
	if squeezed {
		lines, from = f.side, f.sideFrom
	}
	out := make([]string, 0, len(lines))
	starts := make([]int, 0, len(lines)-from)
	blank := strings.Repeat(" ", gw)
	for n := from; n < len(lines); n++ {
		starts = append(starts, len(out))
		l := lines[n]
		num := strconv.Itoa(n + 1)
		mark := " "
		for _, m := range live {
			if strings.Contains(xansi.Strip(l), m) {
				mark = v.sty.LiveMark.Render("▶")
			}
		}
		g := v.sty.Gutter.Render(strings.Repeat(" ", digits-len(num))+num) + mark + " "
		for j, r := range wrapIndent(l, w-gw) {
			if j == 0 {
				out = append(out, g+r)
			} else {
				out = append(out, blank+r)
			}
		}
	}
	return out, starts
}

// wrapIndent wraps one (possibly styled) line to width w; continuation rows keep the line's
// indentation plus two spaces, so wrapped comments and plan nodes still read as one.
// cellbuf.Wrap (lipgloss's own wrapper) carries a style over a line break.
func wrapIndent(l string, w int) []string {
	if w <= 0 {
		return []string{""}
	}
	if xansi.StringWidth(l) <= w {
		return []string{l}
	}
	plain := xansi.Strip(l)
	ind := len(plain) - len(strings.TrimLeft(plain, " "))
	cont := min(ind+2, w/2)
	rows := strings.Split(cellbuf.Wrap(l, w, ""), "\n")
	if len(rows) <= 1 {
		return rows
	}
	out := []string{rows[0]}
	rest := xansi.TruncateLeft(l, xansi.StringWidth(rows[0]), "")
	p := xansi.Strip(rest)
	rest = xansi.TruncateLeft(rest, len(p)-len(strings.TrimLeft(p, " ")), "")
	pad := strings.Repeat(" ", cont)
	for _, r := range strings.Split(cellbuf.Wrap(rest, w-cont, ""), "\n") {
		out = append(out, pad+r)
	}
	return out
}

// highlightGo styles Go source with chroma's Go lexer (the highlighter glamour uses for code
// blocks): keywords and types, comments, strings and numbers in the palette's colours;
// everything else is left as the terminal draws text. It returns one string per line.
func highlightGo(src string, s *codeStyles) []string {
	lexer := lexers.Get("go")
	if lexer == nil {
		return strings.Split(strings.TrimRight(src, "\n"), "\n")
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, src)
	if err != nil {
		return strings.Split(strings.TrimRight(src, "\n"), "\n")
	}
	var b strings.Builder
	b.Grow(len(src) * 2)
	for tok := it(); tok != chroma.EOF; tok = it() {
		var st *lipgloss.Style
		switch {
		case tok.Type.InCategory(chroma.Keyword):
			st = &s.Keyword
		case tok.Type.InCategory(chroma.Comment):
			st = &s.Comment
		case tok.Type.InSubCategory(chroma.LiteralString):
			st = &s.String
		case tok.Type.InSubCategory(chroma.LiteralNumber):
			st = &s.Number
		}
		if st == nil {
			b.WriteString(tok.Value)
			continue
		}
		for i, part := range strings.Split(tok.Value, "\n") { // block comments, raw strings: style each line
			if i > 0 {
				b.WriteByte('\n')
			}
			if part != "" {
				b.WriteString(st.Render(part))
			}
		}
	}
	return strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
}
