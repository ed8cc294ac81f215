package tui

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"scalelab/content"
	"scalelab/content/termsafe"
)

// maxWordRunes is the longest run of non-space characters handed to glamour in one piece.
// Its word wrapper measures the word it is building again for every character it adds, so
// one word of n characters costs n² (a 10,000-character word took half a second and 100 MB);
// longer words are cut into pieces of this size, which also lets them wrap to the pane.
const maxWordRunes = 64

// maxMarkers is the most block quote and list markers a line may open; the scenario parser
// refuses deeper nesting, and the renderer, whose cost grows with nesting, keeps the same
// bound for text that did not come through it.
const maxMarkers = 8

// reCharRef matches a numeric character reference (&#27; &#x1b;), which goldmark turns into
// the character it names: a reference to ESC or BEL would reach the terminal as one.
var reCharRef = regexp.MustCompile(`&#(?:[0-9]{1,8}|[xX][0-9a-fA-F]{1,7});`)

// safeMarkdown prepares markdown from a file for glamour: control characters and escape
// sequences are replaced (termsafe.Clean), numeric character references to control
// characters become U+FFFD, and words longer than the pane (at most maxWordRunes) are cut,
// outside code fences, so rendering stays linear in the size of the text.
func safeMarkdown(md string, width int) string {
	md = termsafe.Clean(md)
	if strings.Contains(md, "&#") {
		md = reCharRef.ReplaceAllStringFunc(md, controlRef)
	}
	limit := min(max(width-4, 16), maxWordRunes)
	if !hasLongWord(md, limit) && !strings.Contains(md, strings.Repeat(">", maxMarkers+1)) && strings.Count(md, "> ")+strings.Count(md, "- ") <= maxMarkers {
		return md
	}
	lines := strings.Split(md, "\n")
	var fenceCh byte
	fenceN := 0
	for i, l := range lines {
		if fenceN > 0 {
			if content.IsFenceClose(l, fenceCh, fenceN) {
				fenceN = 0
			}
			continue
		}
		if ch, n := fenceOf(l); n > 0 {
			fenceCh, fenceN = ch, n
			continue
		}
		lines[i] = cutWords(flattenMarkers(l), limit)
	}
	return strings.Join(lines, "\n")
}

// flattenMarkers escapes the block quote and list markers at the start of l after the
// first maxMarkers, so the rest of them reads as text instead of nesting deeper.
func flattenMarkers(l string) string {
	if isRuleLine(l) {
		return l // "- - - - - - - - - -" is a rule, not lists
	}
	n := 0
	for i := 0; i < len(l); i++ {
		switch c := l[i]; {
		case c == ' ' || c == '\t':
			continue
		case c == '>' || ((c == '-' || c == '*' || c == '+') && i+1 < len(l) && (l[i+1] == ' ' || l[i+1] == '\t')):
			if n++; n > maxMarkers {
				return l[:i] + "\\" + l[i:]
			}
			continue
		}
		break
	}
	return l
}

// isRuleLine says whether l is a thematic break: three or more of one of - * _, spaces between.
func isRuleLine(l string) bool {
	t := strings.TrimSpace(l)
	if len(t) < 3 || (t[0] != '-' && t[0] != '*' && t[0] != '_') {
		return false
	}
	n := 0
	for k := 0; k < len(t); k++ {
		switch t[k] {
		case t[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// controlRef is ref itself unless it names a control character; then U+FFFD.
func controlRef(ref string) string {
	num := ref[2 : len(ref)-1]
	base := 10
	if num[0] == 'x' || num[0] == 'X' {
		num, base = num[1:], 16
	}
	v, err := strconv.ParseUint(num, base, 32)
	if err != nil || (v < 0x20 && v != '\n' && v != '\t') || (v >= 0x7f && v <= 0x9f) {
		return termsafe.Placeholder
	}
	return ref
}

// hasLongWord says whether md has a run of more than limit non-space bytes; it may say
// yes for a run of fewer runes (multi-byte characters), never no for a long one.
func hasLongWord(md string, limit int) bool {
	run := 0
	for i := 0; i < len(md); i++ {
		if c := md[i]; c == ' ' || c == '\n' || c == '\t' {
			run = 0
			continue
		}
		if run++; run > limit {
			return true
		}
	}
	return false
}

// cutWords puts a space into every run of more than limit non-space runes of l, after each
// limit runes.
func cutWords(l string, limit int) string {
	var b strings.Builder
	run := 0
	for i := 0; i < len(l); {
		r, size := utf8.DecodeRuneInString(l[i:])
		if r == ' ' || r == '\t' {
			run = 0
		} else if run++; run > limit {
			b.WriteByte(' ')
			run = 1
		}
		b.WriteString(l[i : i+size])
		i += size
	}
	return b.String()
}

// fenceOf returns the fence character and length when l opens a code fence, else n == 0.
func fenceOf(l string) (ch byte, n int) {
	t := strings.TrimLeft(l, " ")
	if len(l)-len(t) > 3 || len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return 0, 0
	}
	ch = t[0]
	for n < len(t) && t[n] == ch {
		n++
	}
	if n < 3 || (ch == '`' && strings.Contains(t[n:], "`")) {
		return 0, 0
	}
	return ch, n
}
