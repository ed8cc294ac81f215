package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"
	xansi "github.com/charmbracelet/x/ansi"

	"scalelab/content"
)

// itemKind is what an interactive item of a step is.
type itemKind int

const (
	itemQuestion itemKind = iota
	itemTask
	itemCommand
	itemTable // a result table the learner may fill in or correct
)

// item is one focusable thing in the current step, with its line range in the composed text.
type item struct {
	kind       itemKind
	block      int
	task       int
	q          *content.Question
	t          *content.Task
	action     *content.Action
	table      *content.Table
	start, end int // lines [start, end) of the composed step
}

// gutterWidth is the left margin where the focus bar goes.
const gutterWidth = 2

// compose lays the current step out as lines: glamour's rendering of the prose, and around it
// the interactive parts drawn with lipgloss (answers, the editor, tasks, commands, tables,
// diagrams). It is cheap: no glamour here, so it runs in Update on every key.
func (r *reader) compose() {
	st := r.currentStep()
	blocks := stepBlocks(r.c.scenario, r.step)
	s := r.c.styles
	tw := r.textWidth()
	rend := r.renderFor(r.step)
	var lines []string
	var items []item
	promptAt := map[string]int{} // question ID -> first line of its prompt paragraph
	add := func(block string, focused bool) {
		if block == "" {
			return
		}
		for _, l := range strings.Split(block, "\n") {
			g := strings.Repeat(" ", gutterWidth)
			if focused {
				g = s.FocusBar.Render("▌") + " "
			}
			lines = append(lines, g+l)
		}
	}
	add(s.StepTitle.Render(st.Title), false)
	if r.step == 0 && len(r.c.scenario.Meta) > 0 {
		lines = append(lines, "")
		for _, m := range r.c.scenario.Meta {
			k := s.Hint.Render(m.Key + ": ")
			v := s.TaskOpen.Width(max(10, tw-lipgloss.Width(k))).Render(m.Value)
			add(lipgloss.JoinHorizontal(lipgloss.Top, k, v), false)
		}
	}
	if box := r.stuckCallout(tw); box != "" {
		lines = append(lines, "")
		add(box, false)
	}
	if rend == nil {
		rend = rawRender(blocks, tw) // until glamour's rendering arrives: the source, wrapped
	}
	for bi := range blocks {
		b := &blocks[bi]
		lines = append(lines, "")
		switch b.Kind {
		case content.QuestionBlock:
			if b.Question == nil {
				continue
			}
			it := item{kind: itemQuestion, block: bi, q: b.Question, start: len(lines)}
			focused := len(items) == r.focus
			add(r.questionView(b.Question, focused), focused)
			it.end = len(lines)
			if at, ok := promptAt[b.Question.ID]; ok {
				qstart := it.start
				it.start = at
				if focused { // the bar runs along the prompt and its detail too
					for i := at; i < qstart; i++ {
						lines[i] = s.FocusBar.Render("▌") + " " + strings.TrimPrefix(lines[i], "  ")
					}
				}
			}
			items = append(items, it)
		case content.TaskBlock:
			for ti, t := range b.Tasks {
				it := item{kind: itemTask, block: bi, task: ti, t: t, start: len(lines)}
				focused := len(items) == r.focus
				text := t.Text
				if ti < len(rend.tasks[bi]) {
					text = rend.tasks[bi][ti]
				}
				add(r.taskView(t, text, focused), focused)
				it.end = len(lines)
				items = append(items, it)
			}
		case content.CommandBlock:
			if b.Action == nil {
				add(b.Markdown, false)
				continue
			}
			it := item{kind: itemCommand, block: bi, action: b.Action, start: len(lines)}
			focused := len(items) == r.focus
			add(r.commandView(b.Action, focused), focused)
			it.end = len(lines)
			items = append(items, it)
		case content.TableBlock:
			if b.Table == nil {
				continue
			}
			if !b.Table.Fillable {
				add(r.tableView(b.Table, tw), false)
				continue
			}
			it := item{kind: itemTable, block: bi, table: b.Table, start: len(lines)}
			focused := len(items) == r.focus
			view := r.tableView(b.Table, tw)
			switch {
			case focused && r.editing:
				view += "\n" + s.AnswerBoxFocused.Width(tw-2).Render(r.ta.View()) + "\n" +
					s.Hint.Render("one line per row: label: value | value … · esc/ctrl+s: done")
			case focused:
				view += "\n" + s.Hint.Render("enter: fill in or correct the values")
			}
			add(view, focused)
			it.end = len(lines)
			items = append(items, it)
		case content.ImageBlock:
			if b.Image != nil {
				add(r.imageView(b.Image), false)
			}
		default:
			if b.PromptFor != "" {
				promptAt[b.PromptFor] = len(lines)
			}
			add(rend.blocks[bi], false)
		}
	}
	lines = append(lines, "")
	if r.step < len(r.c.scenario.Steps)-1 {
		next := r.c.scenario.Steps[r.step+1].Title
		add(s.Hint.Render("n: next — "+next), false)
	} else {
		add(s.Hint.Render("the end of the scenario"), false)
	}
	r.lines, r.items = r.highlight(lines), items
	r.vp.SetContent(strings.Join(r.lines, "\n"))
}

// questionView draws the answer part of a question (its prompt is a Markdown block before it).
func (r *reader) questionView(q *content.Question, focused bool) string {
	s := r.c.styles
	tw := r.textWidth()
	var b strings.Builder
	label := q.Label
	if label == "" {
		label = "Your answers:"
	}
	label = s.QuestionLabel.Render(label)
	if r.c.sheet.answered(q) {
		label += " " + s.MarkDone.Render("✓")
	}
	b.WriteString(label + "\n")
	answer := r.c.sheet.ws.Answers[q.ID]
	boxW := tw - 2 // the border
	switch {
	case r.editing && focused:
		b.WriteString(s.AnswerBoxFocused.Width(boxW).Render(r.ta.View()))
		b.WriteString("\n" + s.Hint.Render("esc/ctrl+s: done · saved as you type"))
	case strings.TrimSpace(answer) != "":
		box := s.AnswerBox
		if focused {
			box = s.AnswerBoxFocused
		}
		b.WriteString(box.Width(boxW).Render(strings.TrimRight(answer, "\n ")))
	case q.Kind == "slots" && strings.TrimSpace(q.Template) != "":
		// the numbered slots to fill, visible before the learner starts typing
		var slots []string
		for _, l := range strings.Split(strings.TrimSpace(q.Template), "\n") {
			if strings.TrimSpace(l) != "" {
				slots = append(slots, "  "+strings.TrimSpace(l)+" …")
			}
		}
		b.WriteString(s.AnswerEmpty.Render(strings.Join(slots, "\n")) + "\n")
		b.WriteString(s.AnswerEmpty.Render(answerPlaceholder(q)))
	default:
		b.WriteString(s.AnswerEmpty.Render(answerPlaceholder(q)))
	}
	if focused && !r.editing {
		hint := "enter: write your answer"
		if q.Model != "" {
			if r.c.sheet.answered(q) {
				hint += " · m: model answer"
			} else {
				hint += " · the model answer opens once you have written yours"
			}
		}
		b.WriteString("\n" + s.Hint.Render(hint))
	}
	if r.c.sheet.revealed[q.ID] && q.Model != "" {
		b.WriteString("\n" + s.MarkDone.Render("Model answer") + "\n")
		b.WriteString(s.ModelAnswer.Width(tw - 1).Render(strings.TrimSpace(q.Model)))
	}
	return b.String()
}

func answerPlaceholder(q *content.Question) string {
	if q.Kind == "guess" {
		return "(your guess — Tab here, then Enter to write it)"
	}
	return "(your answer — Tab here, then Enter to write it)"
}

func (r *reader) taskView(t *content.Task, text string, focused bool) string {
	s := r.c.styles
	done := r.c.sheet.ws.Tasks[t.ID]
	box, st := "[ ]", s.TaskOpen
	if done {
		box, st = "[x]", s.TaskDone
	}
	text = lipgloss.NewStyle().Width(r.textWidth() - 4).Render(xansi.Strip(text))
	out := lipgloss.JoinHorizontal(lipgloss.Top, st.Render(box)+" ", st.Render(text))
	if focused {
		out += "\n" + s.Hint.Render("x/space: tick")
	}
	return out
}

func (r *reader) commandView(a *content.Action, focused bool) string {
	s := r.c.styles
	box := s.Command
	if focused {
		box = s.CommandFocused
	}
	cmd := a.Command
	if cmd == "" {
		cmd = "scalelab " + a.Name
	}
	out := box.Render("$ " + cmd)
	if focused {
		out += "\n" + s.Hint.Render("enter: "+r.c.actionHint(a.Name))
	} else {
		out += "\n" + s.Hint.Render("a lab action: Tab here, then Enter"+r.c.actionKeyHint(a.Name))
	}
	return out
}

// tableView draws a table with lipgloss (glamour breaks wide tables at 80 columns); fillable
// cells show the worksheet's values when it has them.
func (r *reader) tableView(t *content.Table, width int) string {
	s := r.c.styles
	filled := r.c.sheet.ws.Tables[t.ID]
	rows := make([][]string, len(t.Rows))
	empty := map[[2]int]bool{}
	marked := map[int]bool{} // Stuck rows whose condition holds now
	for i, row := range t.Rows {
		rows[i] = make([]string, len(row))
		for j := range row {
			cell := t.Cell(filled, i, j)
			if strings.TrimSpace(cell) == "" {
				cell, empty[[2]int{i, j}] = "…", true
			}
			if j == 0 && r.c.hintOn(t, i) {
				cell, marked[i] = stuckMark+cell, true
			}
			rows[i][j] = plainInline(cell)
		}
	}
	tb := table.New().Border(lipgloss.NormalBorder()).BorderStyle(s.TableBorder).
		Headers(mapStrings(t.Header, plainInline)...).Rows(rows...).
		StyleFunc(func(row, col int) lipgloss.Style {
			switch {
			case row == table.HeaderRow:
				return s.TableHeader
			case marked[row]:
				return s.Notice.Padding(0, 1)
			case empty[[2]int{row, col}]:
				return s.TableEmpty
			}
			return s.TableCell
		})
	out := tb.Render()
	if lipgloss.Width(out) > width {
		out = tb.Width(width).Render()
	}
	return out
}

func (r *reader) imageView(img *content.Image) string {
	s := r.c.styles
	if d := diagramFor(img); d != "" {
		return s.Diagram.Render(d) + "\n" + s.Hint.Render(img.Alt)
	}
	return s.Hint.Render(fmt.Sprintf("[picture: %s]", img.Alt))
}

func mapStrings(in []string, f func(string) string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}
