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
	cp := &composer{r: r, promptAt: map[string]int{}}
	cp.head()
	rend := r.renderFor(r.step)
	blocks := r.c.blocks(r.step)
	if rend == nil {
		rend = rawRender(blocks, r.textWidth()) // until glamour's rendering arrives: the source, wrapped
	}
	for bi := range blocks {
		cp.lines = append(cp.lines, "")
		cp.block(bi, &blocks[bi], rend)
	}
	cp.foot()
	r.lines, r.items = r.highlight(cp.lines), cp.items
	r.vp.SetContent(strings.Join(r.lines, "\n"))
}

// composer gathers the reader's lines and focusable items for one step.
type composer struct {
	r        *reader
	lines    []string
	items    []item
	promptAt map[string]int // question ID -> first line of its prompt paragraph
}

// add appends a block's lines with the gutter (the focus bar when focused).
func (cp *composer) add(block string, focused bool) {
	if block == "" {
		return
	}
	s := cp.r.c.styles
	for _, l := range strings.Split(block, "\n") {
		g := strings.Repeat(" ", gutterWidth)
		if focused {
			g = s.FocusBar.Render("▌") + " "
		}
		cp.lines = append(cp.lines, g+l)
	}
}

// focused reports that the next item is the focused one.
func (cp *composer) focused() bool { return len(cp.items) == cp.r.focus }

// head is the step's title, the scenario's **Key:** lines on the first step, and the live
// Stuck? callout.
func (cp *composer) head() {
	r, s, tw := cp.r, cp.r.c.styles, cp.r.textWidth()
	cp.add(s.StepTitle.Render(r.currentStep().Title), false)
	if r.step == 0 && len(r.c.scenario.Meta) > 0 {
		cp.lines = append(cp.lines, "")
		for _, m := range r.c.scenario.Meta {
			k := s.Hint.Render(m.Key + ": ")
			v := s.TaskOpen.Width(max(10, tw-lipgloss.Width(k))).Render(m.Value)
			cp.add(lipgloss.JoinHorizontal(lipgloss.Top, k, v), false)
		}
	}
	if box := r.stuckCallout(tw); box != "" {
		cp.lines = append(cp.lines, "")
		cp.add(box, false)
	}
}

// block draws one block of the step; questions, tasks, commands and tables to fill become items.
func (cp *composer) block(bi int, b *content.Block, rend *stepRender) {
	r := cp.r
	switch b.Kind {
	case content.QuestionBlock:
		if b.Question != nil {
			cp.question(bi, b.Question)
		}
	case content.TaskBlock:
		for ti, t := range b.Tasks {
			it := item{kind: itemTask, block: bi, task: ti, t: t, start: len(cp.lines)}
			focused := cp.focused()
			text := t.Text
			if ti < len(rend.tasks[bi]) {
				text = rend.tasks[bi][ti]
			}
			cp.add(r.taskView(t, text, focused), focused)
			it.end = len(cp.lines)
			cp.items = append(cp.items, it)
		}
	case content.CommandBlock:
		if b.Action == nil {
			cp.add(b.Markdown, false)
			return
		}
		it := item{kind: itemCommand, block: bi, action: b.Action, start: len(cp.lines)}
		focused := cp.focused()
		cp.add(r.commandView(b.Action, focused), focused)
		it.end = len(cp.lines)
		cp.items = append(cp.items, it)
	case content.TableBlock:
		if b.Table != nil {
			cp.table(bi, b.Table)
		}
	case content.ImageBlock:
		if b.Image != nil {
			cp.add(r.imageView(b.Image), false)
		}
	default:
		if b.PromptFor != "" {
			cp.promptAt[b.PromptFor] = len(cp.lines)
		}
		cp.add(rend.blocks[bi], false)
	}
}

// question draws a question's answer; its item starts at its prompt paragraph, which the focus
// bar runs along too.
func (cp *composer) question(bi int, q *content.Question) {
	s := cp.r.c.styles
	it := item{kind: itemQuestion, block: bi, q: q, start: len(cp.lines)}
	focused := cp.focused()
	cp.add(cp.r.questionView(q, focused), focused)
	it.end = len(cp.lines)
	if at, ok := cp.promptAt[q.ID]; ok {
		qstart := it.start
		it.start = at
		if focused {
			for i := at; i < qstart; i++ {
				cp.lines[i] = s.FocusBar.Render("▌") + " " + strings.TrimPrefix(cp.lines[i], "  ")
			}
		}
	}
	cp.items = append(cp.items, it)
}

// table draws a table; one to fill is an item, with its editor or hint when focused.
func (cp *composer) table(bi int, t *content.Table) {
	r, s, tw := cp.r, cp.r.c.styles, cp.r.textWidth()
	if !t.Fillable {
		cp.add(r.tableView(t, tw), false)
		return
	}
	it := item{kind: itemTable, block: bi, table: t, start: len(cp.lines)}
	focused := cp.focused()
	view := r.tableView(t, tw)
	switch {
	case focused && r.editing:
		view += "\n" + s.AnswerBoxFocused.Width(tw-2).Render(r.ta.View()) + "\n" +
			s.Hint.Render("one line per row: label: value | value … · esc/ctrl+s: done")
	case focused:
		view += "\n" + s.Hint.Render("enter: fill in or correct the values")
	}
	cp.add(view, focused)
	it.end = len(cp.lines)
	cp.items = append(cp.items, it)
}

// foot is the line saying what comes next.
func (cp *composer) foot() {
	r, s := cp.r, cp.r.c.styles
	cp.lines = append(cp.lines, "")
	if r.step < len(r.c.scenario.Steps)-1 {
		cp.add(s.Hint.Render("n: next — "+r.c.scenario.Steps[r.step+1].Title), false)
	} else {
		cp.add(s.Hint.Render("the end of the scenario"), false)
	}
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
