package content

import (
	"strings"
	"unicode/utf8"

	"scalelab/content/termsafe"
)

// cleanFilling returns f with its answers and table cells cleaned of control sequences.
func cleanFilling(f Filling) Filling {
	answers := make(map[string]string, len(f.Answers))
	for k, v := range f.Answers {
		answers[k] = termsafe.Clean(v)
	}
	tables := make(map[string][][]string, len(f.Tables))
	for id, rows := range f.Tables {
		out := make([][]string, len(rows))
		for i, row := range rows {
			out[i] = make([]string, len(row))
			for j, c := range row {
				out[i][j] = termsafe.Clean(c)
			}
		}
		tables[id] = out
	}
	f.Answers, f.Tables = answers, tables
	return f
}

// Filling is the learner's work to write into a scenario.
type Filling struct {
	Answers map[string]string     // question ID ("Q1") -> answer
	Tasks   map[string]bool       // task ID -> ticked
	Tables  map[string][][]string // table ID -> rows (same shape as Table.Rows; "" leaves a cell as it is)
	// KeepModels keeps the ```model fences; by default they are left out, so a hand-in
	// carries the learner's answers only.
	KeepModels bool
	// KeepImages keeps image lines as written; by default an image drawn as text (a diagram of
	// assets/) is written inline, so the file stands alone without the files beside it.
	KeepImages bool
}

// Fill returns the scenario's markdown with the answers, ticks and table cells of f
// written in. Everything else is the source as it was; Parse reads the result back with
// the same steps, questions, tables and tasks (Question.Answer, Task.Done and the table
// cells then hold the learner's work).
//
// The learner's text comes from a file (the worksheet) and the result is often printed: answers
// and cells are cleaned (termsafe.Clean) as they are written in.
func Fill(s *Scenario, f Filling) []byte {
	f = cleanFilling(f)
	type edit struct {
		end   int // exclusive line index
		lines []string
	}
	edits := map[int]edit{} // start line index -> replacement
	s.each(func(b *Block) {
		switch b.Kind {
		case QuestionBlock:
			q := b.Question
			if ans := f.Answers[q.ID]; strings.TrimSpace(ans) != "" {
				body := q.FenceBody(ans)
				fence := fenceFor(body, s.Lines[b.Line-1])
				lines := append([]string{fence.open}, strings.Split(body, "\n")...)
				edits[b.Line-1] = edit{end: b.End, lines: append(lines, fence.close)}
			}
			if q.modelLine > 0 && !f.KeepModels {
				start := q.modelLine - 1
				for start > b.End && isBlank(s.Lines[start-1]) {
					start--
				}
				edits[start] = edit{end: q.modelEnd}
			}
		case TaskBlock:
			for _, t := range b.Tasks {
				done, ok := f.Tasks[t.ID]
				if !ok || done == t.Done {
					continue
				}
				l := s.Lines[t.Line-1]
				if m := reTask.FindStringSubmatchIndex(l); m != nil {
					mark := " "
					if done {
						mark = "x"
					}
					edits[t.Line-1] = edit{end: t.Line, lines: []string{l[:m[2]] + mark + l[m[3]:]}}
				}
			}
		case ImageBlock:
			// the hand-in stands alone: a diagram drawn as text goes inline, not as a link to a
			// file that does not travel with it
			if f.KeepImages || b.Image == nil || strings.TrimSpace(b.Image.Asset) == "" {
				return
			}
			lines := []string{"```text"}
			lines = append(lines, strings.Split(strings.TrimRight(b.Image.Asset, "\n"), "\n")...)
			lines = append(lines, "```")
			if alt := strings.TrimSpace(b.Image.Alt); alt != "" {
				lines = append(lines, "", "_"+alt+"_")
			}
			edits[b.Line-1] = edit{end: b.End, lines: lines}
		case TableBlock:
			t := b.Table
			rows, ok := f.Tables[t.ID]
			if !ok || !hasValue(rows) {
				return
			}
			merged := make([][]string, len(t.Rows))
			for r, row := range t.Rows {
				merged[r] = make([]string, len(row))
				for c := range row {
					if v := t.Cell(rows, r, c); v != row[c] {
						merged[r][c] = oneLine(v) // a result: one line, so the table stays a table
					} else {
						merged[r][c] = v
					}
				}
			}
			lines := formatTable(t.Header, t.Align, merged)
			for r, w := range t.When {
				if w != "" && 2+r < len(lines) {
					lines[2+r] += " <!-- when: " + w + " -->" // the row keeps its condition
				}
			}
			if t.Fillable && !t.marked {
				lines = append([]string{fillableMarker}, lines...)
			}
			edits[b.Line-1] = edit{end: b.End, lines: lines}
		}
	})

	var out strings.Builder
	for i := 0; i < len(s.Lines); {
		if e, ok := edits[i]; ok {
			for _, l := range e.lines {
				out.WriteString(l)
				out.WriteByte('\n')
			}
			i = e.end
			continue
		}
		out.WriteString(s.Lines[i])
		out.WriteByte('\n')
		i++
	}
	return []byte(out.String())
}

type fencePair struct{ open, close string }

// fenceFor keeps the original opening line unless the body needs a longer fence.
func fenceFor(body, open string) fencePair {
	ch, n, info := fenceOpen(open)
	if n == 0 {
		ch, n = '`', 3
	}
	longest := 0
	for _, l := range strings.Split(body, "\n") {
		t := strings.TrimSpace(l)
		run := 0
		for run < len(t) && t[run] == ch {
			run++
		}
		longest = max(longest, run)
	}
	if longest >= n {
		n = longest + 1
		f := strings.Repeat(string(ch), n)
		if info != "" {
			return fencePair{f + info, f}
		}
		return fencePair{f, f}
	}
	return fencePair{open, strings.Repeat(string(ch), n)}
}

// Cell is the value to show in row, col of the table: the filled value (a worksheet's
// results) when it has a non-blank one there, else the table's own cell; "" when row, col
// is outside the table. The first column is the row's label: a filled value replaces it
// only when the table's own label is blank. Export, the reader and the plain view all
// use this one rule, so they never disagree about a cell.
func (t *Table) Cell(filled [][]string, row, col int) string {
	if row < 0 || row >= len(t.Rows) || col < 0 || col >= len(t.Rows[row]) {
		return ""
	}
	own := t.Rows[row][col]
	if row < len(filled) && col < len(filled[row]) && strings.TrimSpace(filled[row][col]) != "" &&
		(col > 0 || strings.TrimSpace(own) == "") {
		return filled[row][col]
	}
	return own
}

func hasValue(rows [][]string) bool {
	for _, r := range rows {
		for _, c := range r {
			if strings.TrimSpace(c) != "" {
				return true
			}
		}
	}
	return false
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	return s
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// formatTable writes a table with padded, aligned columns.
func formatTable(header, align []string, rows [][]string) []string {
	width := make([]int, len(header))
	measure := func(r []string) {
		for c := range width {
			if c < len(r) {
				width[c] = max(width[c], utf8.RuneCountInString(escapeCell(r[c])))
			}
		}
	}
	measure(header)
	for _, r := range rows {
		measure(r)
	}
	for c := range width {
		width[c] = max(width[c], 3)
	}
	row := func(r []string) string {
		var b strings.Builder
		b.WriteString("|")
		for c := range width {
			cell := ""
			if c < len(r) {
				cell = escapeCell(r[c])
			}
			b.WriteString(" ")
			b.WriteString(cell)
			b.WriteString(strings.Repeat(" ", width[c]-utf8.RuneCountInString(cell)))
			b.WriteString(" |")
		}
		return b.String()
	}
	lines := []string{row(header)}
	var d strings.Builder
	d.WriteString("|")
	for c := range width {
		a := ""
		if c < len(align) {
			a = align[c]
		}
		dash := strings.Repeat("-", width[c])
		switch a {
		case "left":
			dash = ":" + dash[1:]
		case "right":
			dash = dash[1:] + ":"
		case "center":
			dash = ":" + dash[2:] + ":"
		}
		d.WriteString(" " + dash + " |")
	}
	lines = append(lines, d.String())
	for _, r := range rows {
		lines = append(lines, row(r))
	}
	return lines
}
