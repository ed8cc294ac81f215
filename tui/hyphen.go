package tui

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/glamour/ansi"
)

// Glamour's word wrapper (muesli/reflow) miscounts two kinds of character, and each left
// paragraphs with a line wider than the pane or a word alone on its line ("every request /
// borrow / a connection"):
//   - a hyphen is a place it may break, and it writes one without counting it in the line's
//     width ("start-up", "--addr");
//   - the spaces glamour puts around inline code inside the code's colour sequence split that
//     sequence into words of no width, and the lines around them break early.
// Hyphens inside a word are handed to it as U+2011 (a hyphen that does not break) and the
// padding of inline code as U+2800 (a blank that is not a space), both turned back after the
// rendering, so lines break at spaces only and fill the pane.

const (
	noBreakHyphen = '\u2011'
	codePad       = "\u2800"
)

// keepHyphens turns the hyphens of each word that has a letter or digit in it into
// noBreakHyphen, outside code fences. A hyphen standing alone (a list marker) and runs of them
// (a rule, a table's separator row) are markdown and stay.
func keepHyphens(md string) string {
	if !strings.Contains(md, "-") {
		return md
	}
	lines := strings.Split(md, "\n")
	fence := ""
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		if fence != "" {
			if strings.HasPrefix(t, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = t[:3]
			continue
		}
		if strings.Contains(l, "-") {
			lines[i] = keepLineHyphens(l)
		}
	}
	return strings.Join(lines, "\n")
}

func keepLineHyphens(l string) string {
	var b strings.Builder
	b.Grow(len(l) + 8)
	for len(l) > 0 {
		i := strings.IndexFunc(l, unicode.IsSpace)
		if i < 0 {
			i = len(l)
		}
		word := l[:i]
		if strings.Contains(word, "-") && strings.IndexFunc(word, wordRune) >= 0 {
			word = strings.ReplaceAll(word, "-", string(noBreakHyphen))
		}
		b.WriteString(word)
		l = l[i:]
		j := strings.IndexFunc(l, func(r rune) bool { return !unicode.IsSpace(r) })
		if j < 0 {
			j = len(l)
		}
		b.WriteString(l[:j])
		l = l[j:]
	}
	return b.String()
}

// restoreHyphens puts back what keepHyphens and the inline code's padding stood in for.
func restoreHyphens(s string) string {
	if !strings.ContainsRune(s, noBreakHyphen) && !strings.Contains(s, codePad) {
		return s
	}
	return strings.NewReplacer(string(noBreakHyphen), "-", codePad, " ").Replace(s)
}

// padCodeUnbroken gives inline code padding the wrapper does not take for a space.
func padCodeUnbroken(cfg *ansi.StyleConfig) {
	for _, p := range []*string{&cfg.Code.Prefix, &cfg.Code.Suffix} {
		*p = strings.ReplaceAll(*p, " ", codePad)
	}
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
