package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"scalelab/content"
)

// The answer editor is a bubbles textarea opened in place under the focused question.
// Every change goes straight into the worksheet and schedules a debounced save.

func (r *reader) openEditor(q *content.Question) tea.Cmd {
	val := r.c.sheet.ws.Answers[q.ID]
	if strings.TrimSpace(val) == "" && q.Kind == "slots" {
		val = q.Template // numbered slots ("1.\n\n2.\n\n3.") to fill in
	}
	r.ta.SetValue(val)
	r.ta.SetHeight(editorHeight(val))
	if q.Kind == "slots" && strings.HasPrefix(val, "1.") {
		// start on the first slot, not after the last
		for r.ta.Line() > 0 {
			r.ta.CursorUp()
		}
		r.ta.CursorEnd()
		if !strings.HasSuffix(strings.SplitN(val, "\n", 2)[0], " ") {
			r.ta.InsertString(" ")
		}
	}
	r.editing = true
	r.compose()
	r.scrollToEditor()
	return r.ta.Focus()
}

func editorHeight(val string) int {
	return clamp(strings.Count(val, "\n")+2, 3, 8)
}

func (r *reader) closeEditor() tea.Cmd {
	r.editing = false
	r.ta.Blur()
	r.compose()
	r.scrollToFocus()
	return nil
}

func (r *reader) updateEditor(msg tea.KeyMsg) tea.Cmd {
	it := r.focused()
	if it == nil || (it.kind != itemQuestion && it.kind != itemTable) {
		return r.closeEditor()
	}
	if key.Matches(msg, r.c.keys.EditDone) {
		return r.closeEditor()
	}
	if it.kind == itemTable && key.Matches(msg, r.ta.KeyMap.InsertNewline) {
		// line i is row i: Enter goes to the next row (and finishes on the last), never splits one
		if r.ta.Line() >= r.ta.LineCount()-1 {
			return r.closeEditor()
		}
		r.ta.CursorDown()
		r.ta.CursorEnd()
		r.scrollToEditor()
		return nil
	}
	var cmd tea.Cmd
	if it.kind == itemTable {
		prev, line, col := r.ta.Value(), r.ta.Line(), r.ta.LineInfo().StartColumn+r.ta.LineInfo().ColumnOffset
		lines := r.ta.LineCount()
		r.ta, cmd = r.ta.Update(msg)
		if r.ta.LineCount() != lines {
			// a key (or a paste) that joins or splits rows would move every later row: undone
			r.ta.SetValue(prev)
			for r.ta.Line() > line {
				r.ta.CursorUp()
			}
			r.ta.SetCursor(col)
		}
	} else {
		r.ta, cmd = r.ta.Update(msg)
		if it.q.Kind == "slots" {
			r.cleanSlots()
		}
	}
	val := r.ta.Value()
	ws := r.c.sheet.ws
	var save tea.Cmd
	if it.kind == itemTable {
		rows := parseTableText(it.table, val)
		if !equalRows(rows, ws.Tables[it.table.ID]) {
			ws.Tables[it.table.ID] = rows
			save = r.c.sheet.changed()
		}
	} else if val != ws.Answers[it.q.ID] {
		if strings.TrimSpace(it.q.AnswerFrom(val)) == "" {
			delete(ws.Answers, it.q.ID)
		} else {
			ws.Answers[it.q.ID] = val
		}
		save = r.c.sheet.changed()
	}
	if h := editorHeight(val); h != r.ta.Height() {
		r.ta.SetHeight(h)
	}
	r.compose()
	r.scrollToEditor()
	return tea.Batch(cmd, save)
}

// cleanSlots drops a number the learner typed again over a numbered slot ("1. 1. disk"), so
// typing a numbered list over the template does not number it twice. The cursor stays where
// it was in the text.
func (r *reader) cleanSlots() {
	val := r.ta.Value()
	clean := content.CleanSlots(val)
	if clean == val {
		return
	}
	line := r.ta.Line()
	li := r.ta.LineInfo()
	col := li.StartColumn + li.ColumnOffset
	old := strings.Split(val, "\n")
	now := strings.Split(clean, "\n")
	if line < len(old) && line < len(now) {
		col = max(0, col-(len([]rune(old[line]))-len([]rune(now[line]))))
	}
	r.ta.SetValue(clean)
	for r.ta.Line() > line {
		r.ta.CursorUp()
	}
	r.ta.SetCursor(col)
}

// scrollToEditor keeps the whole editor box (and so its cursor) on screen.
func (r *reader) scrollToEditor() {
	it := r.focused()
	if it == nil {
		return
	}
	top, h := r.vp.YOffset, r.vp.Height
	if it.end > top+h {
		r.vp.SetYOffset(it.end - h)
	}
	if it.start < r.vp.YOffset && it.end-it.start <= h {
		r.vp.SetYOffset(it.start)
	}
}

// openTableEditor edits a result table as text, one line per row: "label: value | value".
func (r *reader) openTableEditor(t *content.Table) tea.Cmd {
	val := tableText(t, r.c.sheet.ws.Tables[t.ID])
	r.ta.SetValue(val)
	r.ta.SetHeight(clamp(len(t.Rows)+1, 3, 10))
	for r.ta.Line() > 0 {
		r.ta.CursorUp()
	}
	r.ta.CursorEnd()
	r.editing = true
	r.compose()
	r.scrollToEditor()
	return r.ta.Focus()
}

// reloadTableEditor puts the worksheet's rows of table id into the open table editor (a run
// that ended while it was open filled them); the cursor stays on its row. Without it the next
// key would parse the old text and save it over the new results.
func (r *reader) reloadTableEditor(id string) {
	it := r.focused()
	if !r.editing || it == nil || it.kind != itemTable || it.table.ID != id {
		return
	}
	val := tableText(it.table, r.c.sheet.ws.Tables[id])
	if val == r.ta.Value() {
		return
	}
	line := r.ta.Line()
	r.ta.SetValue(val)
	for r.ta.Line() > line {
		r.ta.CursorUp()
	}
	r.ta.CursorEnd()
}

// tableText writes a table's current values as lines "label: v1 | v2" (label = first cell).
func tableText(t *content.Table, filled [][]string) string {
	var lines []string
	for i, row := range t.Rows {
		if len(row) == 0 {
			continue
		}
		vals := make([]string, 0, len(row)-1)
		for j := 1; j < len(row); j++ {
			vals = append(vals, strings.TrimSpace(t.Cell(filled, i, j)))
		}
		lines = append(lines, plainInline(row[0])+": "+strings.Join(vals, " | "))
	}
	return strings.Join(lines, "\n")
}

// parseTableText reads tableText back: line i is row i; the label before the first ": " is
// the table's own and is not changed; cells are split on "|".
func parseTableText(t *content.Table, text string) [][]string {
	lines := strings.Split(text, "\n")
	rows := make([][]string, len(t.Rows))
	for i, row := range t.Rows {
		rows[i] = make([]string, len(row))
		if len(row) > 0 {
			rows[i][0] = row[0]
		}
		if i >= len(lines) {
			continue
		}
		l := lines[i]
		if k := strings.Index(l, ":"); k >= 0 {
			l = l[k+1:]
		}
		for j, v := range strings.Split(l, "|") {
			if j+1 < len(row) {
				rows[i][j+1] = strings.TrimSpace(v)
			}
		}
	}
	return rows
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}
