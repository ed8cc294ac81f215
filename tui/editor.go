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
	if it == nil || it.kind != itemQuestion {
		return r.closeEditor()
	}
	if key.Matches(msg, r.c.keys.EditDone) {
		return r.closeEditor()
	}
	var cmd tea.Cmd
	r.ta, cmd = r.ta.Update(msg)
	val := r.ta.Value()
	ws := r.c.sheet.ws
	var save tea.Cmd
	if val != ws.Answers[it.q.ID] {
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
