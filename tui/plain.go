package tui

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"golang.org/x/term"

	"scalelab/content"
	"scalelab/content/termsafe"
	"scalelab/content/worksheet"
)

// PlainOptions configure plain mode.
type PlainOptions struct {
	Scenario      *content.Scenario
	Worksheet     *worksheet.Worksheet // nil: an empty one
	WorksheetPath string               // saved after every answer; "" saves nothing
	In            io.Reader
	Out           io.Writer
	Width         int // wrap width; 0: the terminal's width when Out is one, else 78
	// Lab runs the scenario's lab actions (nil: the lab is off and the commands are for another
	// terminal). Plain mode starts it and closes it when it returns.
	Lab *LabController
}

// RunPlain is the workshop without a screen: each step's text line by line (no escape codes,
// no boxes), after each step a numbered prompt per question that reads the answer from In, then
// the step's lab actions and task boxes as numbered choices. An empty first line keeps the
// existing answer; an answer ends with an empty line. The worksheet is saved after every change
// and the walk resumes at the saved step. Usable with a screen reader, TERM=dumb or a pipe.
func RunPlain(ctx context.Context, opt PlainOptions) error {
	if opt.Width <= 0 {
		opt.Width = plainWidth(opt.Out)
	}
	sc := opt.Scenario
	sh := newSheet(opt.Worksheet, opt.WorksheetPath, sc.ID)
	sh.seedFromFile(sc)
	p := &plainSession{opt: opt, sc: sc, sh: sh, ws: sh.ws, out: &errWriter{w: opt.Out}, width: opt.Width, held: map[string]bool{}}
	p.in = bufio.NewScanner(opt.In)
	p.in.Buffer(make([]byte, 64*1024), 1024*1024)
	tr, err := newGlamour(renderSpec{style: "plain", profile: termenv.Ascii}, ThemeDefault, opt.Width)
	if err != nil {
		return err
	}
	p.tr = tr
	questions := sc.Questions()
	p.number = map[string]int{}
	for i, q := range questions {
		p.number[q.ID] = i + 1
	}
	p.total = len(questions)

	p.line(sc.Title)
	for _, m := range sc.Meta {
		p.line(m.Key + ": " + m.Value)
	}
	if sh.path != "" {
		p.line("Your answers are saved in " + sh.path)
	}
	p.line(fmt.Sprintf("%d questions. After each step you are asked its questions: type your answer and end it with an empty line; an empty first line keeps the current answer. Then the step's lab commands and boxes are offered as numbered choices. Ctrl+D stops.", len(questions)))
	if opt.Lab != nil {
		p.lab = startPlainLab(ctx, opt.Lab)
		defer p.lab.Close()
		p.waitLabUp(ctx)
	}
	start := p.ws.Step
	if start < 0 || start >= len(sc.Steps) {
		start = 0
	}
	if start > 0 {
		p.line(fmt.Sprintf("\nResuming at %s (section %d of %d), where you left off.", sc.Steps[start].Title, start+1, len(sc.Steps)))
	}
	for i := start; i < len(sc.Steps); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.step(ctx, i); err != nil {
			return err
		}
		if p.eof {
			break
		}
	}
	a := 0
	for _, q := range questions {
		if sh.answered(q) {
			a++
		}
	}
	if !p.eof {
		p.line(fmt.Sprintf("\nEnd of the scenario: %d of %d questions answered.", a, p.total))
	} else {
		p.line(fmt.Sprintf("\nStopped: %d of %d questions answered; you go on from here next time.", a, p.total))
	}
	if p.in.Err() != nil {
		return fmt.Errorf("reading answers: %w", p.in.Err())
	}
	return p.out.err
}

// plainWidth is the terminal's width when w is one (at least 20), else 78.
func plainWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols >= 20 {
			return min(cols, 200) - 1
		}
	}
	return 78
}

// plainSession is one plain-mode walk through a scenario.
type plainSession struct {
	opt    PlainOptions
	sc     *content.Scenario
	sh     *sheet
	ws     *worksheet.Worksheet
	out    *errWriter
	in     *bufio.Scanner
	tr     interface{ Render(string) (string, error) }
	width  int
	number map[string]int
	total  int
	eof    bool

	lab  *plainLab
	held map[string]bool // the Stuck? conditions shown and still holding
}

// line prints text wrapped at the width, words kept whole.
func (p *plainSession) line(s string) {
	p.out.printf("%s\n", xansi.Wordwrap(s, p.width, ""))
}

// save writes the worksheet after a change.
func (p *plainSession) save() error {
	p.sh.gen++
	if err := p.sh.flush(); err != nil {
		return fmt.Errorf("saving the worksheet to %s: %w (check the directory is writable, or set SCALELAB_HOME)", p.sh.path, err)
	}
	return nil
}

// step prints section i, asks its questions, then offers its choices.
func (p *plainSession) step(ctx context.Context, i int) error {
	st := p.sc.Steps[i]
	if p.ws.Step != i {
		p.ws.Step = i
		if err := p.save(); err != nil {
			return err
		}
	}
	p.out.printf("\n%s\n%s\n\n", st.Title, strings.Repeat("=", min(p.width, xansi.StringWidth(st.Title))))
	var qs []*content.Question
	for _, b := range stepBlocks(p.sc, i) {
		text, q := p.block(&b)
		if text != "" {
			p.out.printf("%s\n\n", text)
		}
		if q != nil {
			qs = append(qs, q)
		}
	}
	for _, q := range qs {
		if p.eof {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		ans, ok, more := p.ask(q)
		p.eof = !more
		if !ok {
			continue
		}
		if strings.TrimSpace(q.AnswerFrom(ans)) == "" {
			delete(p.ws.Answers, q.ID)
		} else {
			p.ws.Answers[q.ID] = ans
		}
		if err := p.save(); err != nil {
			return err
		}
		p.out.printf("Saved.\n")
	}
	if p.eof {
		return nil
	}
	return p.menu(ctx, i)
}

// ask prompts for one answer. ok: an answer was given (replace the old one); more: input continues.
func (p *plainSession) ask(q *content.Question) (ans string, ok, more bool) {
	p.line(fmt.Sprintf("Question %d of %d (%s): %s", p.number[q.ID], p.total, q.ID, plainInline(q.Prompt)))
	current := p.ws.Answers[q.ID]
	if strings.TrimSpace(current) != "" {
		p.out.printf("Current answer:\n%s\n", xansi.Wordwrap(strings.TrimSpace(current), p.width, ""))
		p.out.printf("Type a new answer, or press Enter to keep this one.\n")
	} else if q.Kind == "slots" {
		p.out.printf("Write %d items, one per line, then an empty line.\n", max(q.Slots, 1))
	} else {
		p.out.printf("Type your answer, then an empty line.\n")
	}
	var lines []string
	for {
		p.out.printf("> ")
		if !p.in.Scan() {
			p.out.printf("\n")
			if len(lines) == 0 {
				return "", false, false
			}
			return joinPlain(q, lines), true, false
		}
		l := strings.TrimRight(p.in.Text(), "\r")
		if strings.TrimSpace(l) == "" {
			if len(lines) == 0 {
				return "", false, true
			}
			return joinPlain(q, lines), true, true
		}
		lines = append(lines, l)
	}
}

func joinPlain(q *content.Question, lines []string) string {
	if q.Kind == "slots" {
		return q.FenceBody(strings.Join(lines, "\n"))
	}
	return strings.Join(lines, "\n")
}

// block is a block as plain text (and its question, if it is one).
func (p *plainSession) block(b *content.Block) (string, *content.Question) {
	ws := p.ws
	switch b.Kind {
	case content.QuestionBlock:
		if b.Question == nil {
			return "", nil
		}
		if a := strings.TrimSpace(ws.Answers[b.Question.ID]); a != "" {
			return "Your answer to " + b.Question.ID + ":\n" + xansi.Wordwrap(a, p.width, ""), b.Question
		}
		return "", b.Question
	case content.TaskBlock:
		var lines []string
		for _, t := range b.Tasks {
			box := "[ ]"
			if ws.Tasks[t.ID] {
				box = "[x]"
			}
			lines = append(lines, xansi.Wordwrap(box+" "+plainInline(t.Text), p.width, ""))
		}
		return strings.Join(lines, "\n"), nil
	case content.CommandBlock:
		if b.Action != nil {
			if p.lab == nil {
				return xansi.Wordwrap("Lab action: "+b.Action.Command+"  (run it in another terminal)", p.width, ""), nil
			}
			return xansi.Wordwrap("Lab action: "+b.Action.Command+"  (offered as a numbered choice after this step)", p.width, ""), nil
		}
	case content.TableBlock:
		if b.Table != nil {
			return plainTable(b.Table, ws, p.width, p.opt.Lab != nil), nil
		}
	case content.ImageBlock:
		if b.Image != nil {
			if d := diagramFor(b.Image); d != "" {
				head := "Picture: " + b.Image.Alt
				if w := widest(d); w > p.width {
					// drawn whole all the same: the terminal wraps its lines, which breaks the drawing
					head += fmt.Sprintf(" (%d columns wide: in a terminal narrower than that its lines wrap; widen it to see the drawing as drawn)", w)
				}
				return xansi.Wordwrap(head, p.width, "") + "\n" + d, nil
			}
			return "Picture: " + b.Image.Alt, nil
		}
	}
	md := plainProse(b.Markdown, p.opt.Lab != nil)
	if strings.TrimSpace(md) == "" {
		return "", nil
	}
	s, err := p.tr.Render(md)
	if err != nil {
		return md, nil
	}
	return xansi.Strip(trimBlankLines(s)), nil
}

func plainInline(s string) string { return strings.NewReplacer("`", "", "**", "", "__", "").Replace(s) }

// plainTable writes a table as "header: value" lines, which a screen reader reads well; rows
// that point at keys or panes plain mode does not have are left out.
func plainTable(t *content.Table, ws *worksheet.Worksheet, width int, lab bool) string {
	filled := ws.Tables[t.ID]
	var b strings.Builder
	b.WriteString("Table: " + strings.Join(t.Header, " | "))
	for i, row := range t.Rows {
		var r strings.Builder
		for j := range row {
			cell := t.Cell(filled, i, j)
			if strings.TrimSpace(cell) == "" {
				cell = "(empty)"
			}
			if j > 0 {
				r.WriteString("; ")
				if j < len(t.Header) {
					r.WriteString(plainInline(t.Header[j]) + ": ")
				}
			}
			r.WriteString(plainInline(plainRewrite(cell, lab)))
		}
		if reScreenOnly.MatchString(r.String()) {
			continue
		}
		b.WriteString("\n" + xansi.Wordwrap(r.String(), width, ""))
	}
	return b.String()
}

// errWriter is plain mode's output: it keeps the first write error, and it cleans every line
// (termsafe.Clean) on its way out. Plain mode sends no escape sequence of its own, so nothing
// it prints from a file (the worksheet's answers and tables, the run history, a server's
// error) can command the terminal.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = io.WriteString(e.w, termsafe.Clean(fmt.Sprintf(format, args...)))
	}
}
