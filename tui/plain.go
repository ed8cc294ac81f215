package tui

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"scalelab/content"
	"scalelab/content/worksheet"
)

// PlainOptions configure plain mode.
type PlainOptions struct {
	Scenario      *content.Scenario
	Worksheet     *worksheet.Worksheet // nil: an empty one
	WorksheetPath string               // saved after every answer; "" saves nothing
	In            io.Reader
	Out           io.Writer
	Width         int // wrap width, default 78
}

// RunPlain is the workshop without a screen: each step's text line by line (no escape codes,
// no boxes), and after each step a numbered prompt per question that reads the answer from In.
// An empty first line keeps the existing answer; an answer ends with an empty line. The
// worksheet is saved after every answer. Usable with a screen reader, TERM=dumb or a pipe.
func RunPlain(ctx context.Context, opt PlainOptions) error {
	if opt.Width <= 0 {
		opt.Width = 78
	}
	sc := opt.Scenario
	sh := newSheet(opt.Worksheet, opt.WorksheetPath, sc.ID)
	sh.seedFromFile(sc)
	ws := sh.ws
	out := &errWriter{w: opt.Out}
	in := bufio.NewScanner(opt.In)
	in.Buffer(make([]byte, 64*1024), 1024*1024)
	tr, err := newGlamour(renderSpec{style: "plain", profile: termenv.Ascii}, ThemeDefault, opt.Width)
	if err != nil {
		return err
	}
	questions := sc.Questions()
	number := map[string]int{}
	for i, q := range questions {
		number[q.ID] = i + 1
	}

	out.printf("%s\n", sc.Title)
	for _, m := range sc.Meta {
		out.printf("%s: %s\n", m.Key, m.Value)
	}
	if sh.path != "" {
		out.printf("Your answers are saved in %s\n", sh.path)
	}
	out.printf("%d questions. After each step you are asked its questions: type your answer and end it\n", len(questions))
	out.printf("with an empty line; an empty first line keeps the current answer. Ctrl+D stops.\n")
	eof := false
	for i, st := range sc.Steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		out.printf("\n%s\n%s\n\n", st.Title, strings.Repeat("=", min(opt.Width, xansi.StringWidth(st.Title))))
		var qs []*content.Question
		for _, b := range stepBlocks(sc, i) {
			text, q := plainBlock(tr, &b, ws)
			if text != "" {
				out.printf("%s\n\n", text)
			}
			if q != nil {
				qs = append(qs, q)
			}
		}
		for _, q := range qs {
			if eof {
				break
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			ans, ok, more := askPlain(out, in, q, number[q.ID], len(questions), ws.Answers[q.ID])
			eof = !more
			if !ok {
				continue
			}
			if strings.TrimSpace(q.AnswerFrom(ans)) == "" {
				delete(ws.Answers, q.ID)
			} else {
				ws.Answers[q.ID] = ans
			}
			sh.gen++
			if err := sh.flush(); err != nil {
				return fmt.Errorf("saving the worksheet to %s: %w (check the directory is writable, or set SCALELAB_HOME)", sh.path, err)
			}
			out.printf("Saved.\n")
		}
	}
	a, t := 0, len(questions)
	for _, q := range questions {
		if sh.answered(q) {
			a++
		}
	}
	out.printf("\nEnd of the scenario: %d of %d questions answered.\n", a, t)
	if in.Err() != nil {
		return fmt.Errorf("reading answers: %w", in.Err())
	}
	return out.err
}

// askPlain prompts for one answer. ok: an answer was given (replace the old one);
// more: input continues.
func askPlain(out *errWriter, in *bufio.Scanner, q *content.Question, n, total int, current string) (ans string, ok, more bool) {
	out.printf("Question %d of %d (%s): %s\n", n, total, q.ID, plainInline(q.Prompt))
	if strings.TrimSpace(current) != "" {
		out.printf("Current answer:\n%s\n", strings.TrimSpace(current))
		out.printf("Type a new answer, or press Enter to keep this one.\n")
	} else if q.Kind == "slots" {
		out.printf("Write %d items, one per line, then an empty line.\n", max(q.Slots, 1))
	} else {
		out.printf("Type your answer, then an empty line.\n")
	}
	var lines []string
	for {
		out.printf("> ")
		if !in.Scan() {
			out.printf("\n")
			if len(lines) == 0 {
				return "", false, false
			}
			return joinPlain(q, lines), true, false
		}
		l := strings.TrimRight(in.Text(), "\r")
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

// plainBlock is a block as plain text (and its question, if it is one).
func plainBlock(tr interface{ Render(string) (string, error) }, b *content.Block, ws *worksheet.Worksheet) (string, *content.Question) {
	switch b.Kind {
	case content.QuestionBlock:
		if b.Question == nil {
			return "", nil
		}
		if a := strings.TrimSpace(ws.Answers[b.Question.ID]); a != "" {
			return "Your answer to " + b.Question.ID + ":\n" + a, b.Question
		}
		return "", b.Question
	case content.TaskBlock:
		var lines []string
		for _, t := range b.Tasks {
			box := "[ ]"
			if ws.Tasks[t.ID] {
				box = "[x]"
			}
			lines = append(lines, box+" "+plainInline(t.Text))
		}
		return strings.Join(lines, "\n"), nil
	case content.CommandBlock:
		if b.Action != nil {
			return "Lab action: " + b.Action.Command + "  (run it in another terminal)", nil
		}
	case content.TableBlock:
		if b.Table != nil {
			return plainTable(b.Table, ws), nil
		}
	case content.ImageBlock:
		if b.Image != nil {
			if d := diagramFor(b.Image); d != "" {
				return "Picture: " + b.Image.Alt + "\n" + d, nil
			}
			return "Picture: " + b.Image.Alt, nil
		}
	}
	s, err := tr.Render(b.Markdown)
	if err != nil {
		return b.Markdown, nil
	}
	return xansi.Strip(trimBlankLines(s)), nil
}

func plainInline(s string) string { return strings.NewReplacer("`", "", "**", "", "__", "").Replace(s) }

// plainTable writes a table as "header: value" lines, which a screen reader reads well.
func plainTable(t *content.Table, ws *worksheet.Worksheet) string {
	filled := ws.Tables[t.ID]
	var b strings.Builder
	b.WriteString("Table: " + strings.Join(t.Header, " | "))
	for i, row := range t.Rows {
		b.WriteString("\n")
		for j := range row {
			cell := t.Cell(filled, i, j)
			if strings.TrimSpace(cell) == "" {
				cell = "(empty)"
			}
			if j > 0 {
				b.WriteString("; ")
				if j < len(t.Header) {
					b.WriteString(plainInline(t.Header[j]) + ": ")
				}
			}
			b.WriteString(plainInline(cell))
		}
	}
	return b.String()
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
