package tui

import (
	"regexp"
	"strings"
)

// Plain mode has no keys to press, no panes and no code view: the scenario's sentences that send
// the reader to them are rewritten to the numbered choices plain mode offers, or left out.

var (
	reOrKey        = regexp.MustCompile("\\s*\\(or `[^`]*`[^)]*\\)")
	reMoveAndPress = regexp.MustCompile(`(?i)move to it and press enter`)
	rePressEnterOn = regexp.MustCompile(`(?i)press enter on (the command|it)`)
	reEnterOn      = regexp.MustCompile("(?i)\\benter on (the command below|the command|`[^`]+`)")
	reScreenOnly   = regexp.MustCompile("(?i)\\bpress\\b|\\bkeys?\\s+`|\\bpanes?\\b|\\bcode view\\b|\\bhelp bar\\b|\\bthe header\\b|\\bswitch(es)? between\\b|\\bfrom anywhere\\b")
)

// plainProse rewrites a markdown block for plain mode: paragraph by paragraph, list item by list
// item, table row by table row; code fences are kept as they are.
func plainProse(md string) string {
	var out []string
	fence := false
	var group []string
	flush := func() {
		if len(group) > 0 {
			if s := plainGroup(group); s != "" {
				out = append(out, s)
			}
			group = nil
		}
	}
	for _, line := range strings.Split(md, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			flush()
			fence = !fence
			out = append(out, line)
			continue
		}
		switch {
		case fence:
			out = append(out, line)
		case t == "":
			flush()
			out = append(out, line)
		case strings.HasPrefix(t, "|"):
			flush()
			if !reScreenOnly.MatchString(line) {
				out = append(out, line)
			}
		case listItem(t) && len(group) > 0:
			flush()
			group = append(group, line)
		default:
			group = append(group, line)
		}
	}
	flush()
	return strings.Join(out, "\n")
}

func listItem(t string) bool {
	if strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") {
		return true
	}
	i := strings.IndexByte(t, '.')
	return i > 0 && i < 3 && strings.Trim(t[:i], "0123456789") == ""
}

// plainGroup rewrites one paragraph or list item: its lines joined, the key mentions rewritten,
// the sentences that only make sense on the screen left out.
func plainGroup(lines []string) string {
	prefix := ""
	first := strings.TrimLeft(lines[0], " ")
	if strings.HasPrefix(first, ">") {
		prefix = "> "
	}
	var words []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if prefix != "" {
			l = strings.TrimSpace(strings.TrimPrefix(l, ">"))
		}
		words = append(words, l)
	}
	text := plainRewrite(strings.Join(words, " "))
	var kept []string
	for _, s := range sentences(text) {
		if !reScreenOnly.MatchString(s) {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		return ""
	}
	return prefix + strings.Join(kept, " ")
}

// sentences splits text after ". ", "! " and "? " (a full stop inside `code` or a number stays).
func sentences(text string) []string {
	var out []string
	start, code := 0, false
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '`':
			code = !code
		case !code && (c == '.' || c == '!' || c == '?') && i+1 < len(text) && text[i+1] == ' ':
			out = append(out, strings.TrimSpace(text[start:i+1]))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(text[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// plainRewrite turns the screen's ways of running a command into plain mode's numbered choices.
func plainRewrite(text string) string {
	text = reOrKey.ReplaceAllString(text, "")
	text = reMoveAndPress.ReplaceAllString(text, "choose it from the numbered list after its step")
	text = rePressEnterOn.ReplaceAllString(text, "run $1 (choose it from the numbered list after this step)")
	return reEnterOn.ReplaceAllString(text, "choosing $1 from the numbered list")
}
