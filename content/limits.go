package content

import (
	"fmt"
	"strings"
)

// Limits that keep parsing and rendering bounded. The markdown renderer's cost grows with
// block nesting (every level re-wraps and re-pads everything inside it: 1,000 nested quotes on
// one line took 25 s and 867 MB) and, at some microseconds per byte for the worst inline
// shapes (runs of brackets, code spans, emphasis), with the size of what it renders at once,
// which is one section (the markdown of it, not its answers or tables). A scenario needs far less than any of these: the built-in one's
// largest section is under 4 KB.
const (
	maxSourceSize  = 1 << 20  // bytes in a scenario file
	maxSectionSize = 32 << 10 // bytes in one section (and in the intro): what is rendered at once
	maxNesting     = 8        // block quotes and lists, one inside another
	maxTableRows   = 1000
	maxTableCols   = 64
	maxTableBytes  = 32 << 10
)

// checkNesting reports every line (outside code fences) whose block quotes and lists are
// nested deeper than maxNesting.
func (p *parser) checkNesting() error {
	return p.eachOutsideFences(func(i int, l string) error {
		if isRule(strings.TrimSpace(l)) {
			return nil // "- - - -" is a rule, not lists
		}
		quotes, lists := nesting(l)
		if quotes+lists <= maxNesting {
			return nil
		}
		what := "block quotes and lists"
		switch {
		case lists == 0:
			what = "block quotes"
		case quotes == 0:
			what = "lists"
		}
		return p.report(i+1, "%s nested %d deep; at most %d: flatten them", what, quotes+lists, maxNesting)
	})
}

// eachOutsideFences calls fn with the index and text of every line outside code fences (the
// fence lines themselves left out too), in order, until fn returns an error.
func (p *parser) eachOutsideFences(fn func(i int, l string) error) error {
	var fenceCh byte
	fenceN := 0
	for i, l := range p.lines {
		if fenceN > 0 {
			if IsFenceClose(l, fenceCh, fenceN) {
				fenceN = 0
			}
			continue
		}
		if ch, n, _ := fenceOpen(l); n > 0 {
			fenceCh, fenceN = ch, n
			continue
		}
		if err := fn(i, l); err != nil {
			return err
		}
	}
	return nil
}

// nesting counts the block quotes (`>` markers) and lists a line opens or continues: the
// markers at its start plus, for a list item, the levels its indentation can stand for
// (each level of a nested list needs at least two more spaces). It never counts fewer
// levels than markdown sees, so the limit holds for what the renderer gets.
func nesting(l string) (quotes, lists int) {
	i, indent := 0, 0
	for i < len(l) {
		switch c := l[i]; {
		case c == ' ':
			indent++
			i++
		case c == '\t':
			indent += 4 - indent%4
			i++
		case c == '>':
			quotes++
			indent = 0
			i++
		case (c == '-' || c == '*' || c == '+') && i+1 < len(l) && (l[i+1] == ' ' || l[i+1] == '\t'):
			lists += 1 + indent/2
			indent = 0
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(l) && j-i < 10 && l[j] >= '0' && l[j] <= '9' {
				j++
			}
			if j+1 < len(l) && (l[j] == '.' || l[j] == ')') && (l[j+1] == ' ' || l[j+1] == '\t') {
				lists += 1 + indent/2
				indent = 0
				i = j + 1
				continue
			}
			return quotes, lists
		default:
			return quotes, lists
		}
	}
	return quotes, lists
}

// checkTable refuses a table too big to show; lines are the table's source lines. Only its
// shape counts: the cells are the learner's results once filled in, and an exported
// worksheet must parse again.
func checkTable(lines []string, cols int) string {
	switch {
	case len(lines)-2 > maxTableRows:
		return fmt.Sprintf("table has %d rows; at most %d: split it", len(lines)-2, maxTableRows)
	case cols > maxTableCols:
		return fmt.Sprintf("table has %d columns; at most %d: split it", cols, maxTableCols)
	}
	return ""
}

// checkSections refuses a section (or the intro) whose markdown to render is bigger than
// maxSectionSize, at its heading. Answer fences and tables do not count: the workshop draws
// them without the markdown renderer, and a learner's long answer or result must not make an
// exported worksheet unreadable.
func (p *parser) checkSections() error {
	size := func(blocks []Block) int {
		n := 0
		for _, b := range blocks {
			if b.Kind == Markdown || b.Kind == TaskBlock {
				n += len(b.Markdown) + 1
			}
		}
		return n
	}
	if n := size(p.sc.Intro); n > maxSectionSize {
		if err := p.report(1, "the text before the first section is %d bytes; at most %d: move it into sections", n, maxSectionSize); err != nil {
			return err
		}
	}
	for _, st := range p.sc.Steps {
		if n := size(st.Blocks); n > maxSectionSize {
			if err := p.report(st.Line, "section %q is %d bytes; at most %d: split it into several sections", clip(st.Title), n, maxSectionSize); err != nil {
				return err
			}
		}
	}
	return nil
}
