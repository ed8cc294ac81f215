package content

import (
	"fmt"
	"strings"
)

// Limits that keep parsing and rendering linear in the size of the file. The markdown
// renderer's cost grows with the square of block nesting (every level re-wraps and re-pads
// everything inside it) and with the size of a table, so a small hostile file could take
// minutes and gigabytes to show; a scenario needs far less than any of these.
const (
	maxSourceSize = 1 << 20 // bytes in a scenario file
	maxNesting    = 16      // block quotes and lists, one inside another
	maxTableRows  = 1000
	maxTableCols  = 64
	maxTableBytes = 64 << 10
)

// checkNesting reports every line (outside code fences) whose block quotes and lists are
// nested deeper than maxNesting.
func (p *parser) checkNesting() error {
	var fenceCh byte
	fenceN := 0
	for i, l := range p.lines {
		if fenceN > 0 {
			if isFenceClose(l, fenceCh, fenceN) {
				fenceN = 0
			}
			continue
		}
		if ch, n, _ := fenceOpen(l); n > 0 {
			fenceCh, fenceN = ch, n
			continue
		}
		if isRule(strings.TrimSpace(l)) {
			continue // "- - - -" is a rule, not lists
		}
		quotes, lists := nesting(l)
		if quotes+lists <= maxNesting {
			continue
		}
		what := "block quotes and lists"
		switch {
		case lists == 0:
			what = "block quotes"
		case quotes == 0:
			what = "lists"
		}
		if err := p.report(i+1, "%s nested %d deep; at most %d: flatten them", what, quotes+lists, maxNesting); err != nil {
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

// checkTable refuses a table too big to show; lines are the table's source lines.
func checkTable(lines []string, cols int) string {
	size := 0
	for _, l := range lines {
		size += len(l) + 1
	}
	switch {
	case len(lines)-2 > maxTableRows:
		return fmt.Sprintf("table has %d rows; at most %d: split it", len(lines)-2, maxTableRows)
	case cols > maxTableCols:
		return fmt.Sprintf("table has %d columns; at most %d: split it", cols, maxTableCols)
	case size > maxTableBytes:
		return fmt.Sprintf("table is %d bytes; at most %d: shorten its cells or split it", size, maxTableBytes)
	}
	return ""
}
