package tui

import (
	"strings"

	bt "github.com/charmbracelet/bubbletea"
	xansi "github.com/charmbracelet/x/ansi"

	"scalelab/content"
)

// Search: "/" opens a box under the text, Enter jumps to the first match from the top of the
// screen (in this step, else in the next step that has one); ctrl+n / ctrl+p go to the next /
// previous match, across steps. Matching lines are drawn plain with the match reversed.
// (n/p stay "next/previous step", as in the rest of the workshop.)

func (r *reader) updateSearch(msg bt.KeyMsg) bt.Cmd {
	switch msg.String() {
	case "esc":
		r.searching = false
		r.search.Blur()
		r.SetSize(r.width, r.height)
		return nil
	case "enter":
		r.searching = false
		r.search.Blur()
		r.query = strings.TrimSpace(r.search.Value())
		r.matchLine = -1
		r.SetSize(r.width, r.height)
		if r.query == "" {
			return nil
		}
		return r.jumpFrom(r.vp.YOffset-1, +1)
	}
	var cmd bt.Cmd
	r.search, cmd = r.search.Update(msg)
	return cmd
}

func (r *reader) nextMatch(dir int) bt.Cmd {
	if r.query == "" {
		return noticeCmd("no search yet: press / to search")
	}
	from := r.matchLine
	if from < 0 {
		from = r.vp.YOffset - 1
		if dir < 0 {
			from = r.vp.YOffset + r.vp.Height
		}
	}
	return r.jumpFrom(from, dir)
}

// jumpFrom finds the next match after (dir>0) or before (dir<0) line `from` in this step,
// then in the following (preceding) steps.
func (r *reader) jumpFrom(from, dir int) bt.Cmd {
	if r.jumpMatch(from, dir) {
		return nil
	}
	for s := r.step + dir; s >= 0 && s < len(r.c.scenario.Steps); s += dir {
		if stepContains(r.c.scenario.Steps[s], r.query) {
			cmd := r.gotoStep(s)
			r.pendingSearch = dir
			r.afterCompose()
			return cmd
		}
	}
	return noticeCmd("no more matches for “" + r.query + "”")
}

// jumpMatch moves to the next matching line of the composed step; false when there is none.
func (r *reader) jumpMatch(from, dir int) bool {
	q := strings.ToLower(r.query)
	for i := from + dir; i >= 0 && i < len(r.lines); i += dir {
		if strings.Contains(strings.ToLower(xansi.Strip(r.lines[i])), q) {
			r.matchLine = i
			r.compose()
			r.vp.SetYOffset(max(0, i-r.vp.Height/3))
			return true
		}
	}
	return false
}

// highlight redraws lines that contain the query: plain text, the match reversed, the current
// match marked in the gutter.
func (r *reader) highlight(lines []string) []string {
	if r.query == "" {
		return lines
	}
	q := strings.ToLower(r.query)
	for i, l := range lines {
		plain := xansi.Strip(l)
		if !strings.Contains(strings.ToLower(plain), q) {
			continue
		}
		if i == r.matchLine {
			rs := []rune(plain)
			lines[i] = r.c.styles.FocusBar.Render("▶") + r.markMatches(string(rs[1:]), q)
		} else {
			lines[i] = r.markMatches(plain, q)
		}
	}
	return lines
}

func (r *reader) markMatches(plain, q string) string {
	s := r.c.styles
	low := strings.ToLower(plain)
	if len(low) != len(plain) { // case folding changed byte lengths: match exactly
		low, q = plain, r.query
	}
	var b strings.Builder
	rest, lrest := plain, low
	for {
		j := strings.Index(lrest, q)
		if j < 0 || q == "" {
			b.WriteString(s.SearchLine.Render(rest))
			return b.String()
		}
		b.WriteString(s.SearchLine.Render(rest[:j]))
		b.WriteString(s.SearchMatch.Render(rest[j : j+len(q)]))
		rest, lrest = rest[j+len(q):], lrest[j+len(q):]
	}
}

// stepContains searches a step's source text (it may not be rendered yet).
func stepContains(st *content.Step, query string) bool {
	q := strings.ToLower(query)
	if strings.Contains(strings.ToLower(st.Title), q) {
		return true
	}
	for _, b := range st.Blocks {
		text := b.Markdown
		if b.Question != nil {
			text += "\n" + b.Question.ID + " " + b.Question.Prompt
		}
		for _, t := range b.Tasks {
			text += "\n" + t.Text
		}
		if b.Table != nil {
			text += "\n" + strings.Join(b.Table.Header, " ")
			for _, row := range b.Table.Rows {
				text += "\n" + strings.Join(row, " ")
			}
		}
		if strings.Contains(strings.ToLower(text), q) {
			return true
		}
	}
	return false
}
