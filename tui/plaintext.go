package tui

import (
	"regexp"
	"strings"
)

// Plain mode has no keys to press, no panes and no code view: the scenario's sentences that send
// the reader to them are rewritten to the numbered choices plain mode offers (to another
// terminal when plain mode runs without the lab, and offers none), or left out.

var (
	reOrKey        = regexp.MustCompile("\\s*\\(or `[^`]*`[^)]*\\)")
	reMoveAndPress = regexp.MustCompile(`(?i)move to it and press enter`)
	rePressEnterOn = regexp.MustCompile(`(?i)press enter on (the command|it)`)
	reEnterOn      = regexp.MustCompile("(?i)\\benter on (the command below|the command|`[^`]+`)")
	reBackRef      = regexp.MustCompile(`^(They|These|This|It|Them|Those)\b`)
	reScreenOnly   = regexp.MustCompile("(?i)\\bpress\\b|\\bkeys?\\s+`|\\bpanes?\\b|\\bcode view\\b|\\bhelp bar\\b|\\bthe header\\b|\\bswitch(es)? between\\b|\\bfrom anywhere\\b")
)

// plainProse rewrites a markdown block for plain mode: paragraph by paragraph, list item by list
// item, table row by table row; code fences are kept as they are.
func plainProse(md string, lab bool) string {
	var out []string
	fence := false
	var group []string
	flush := func() {
		if len(group) > 0 {
			if s := plainGroup(group, lab); s != "" {
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
func plainGroup(lines []string, lab bool) string {
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
	text := plainRewrite(strings.Join(words, " "), lab)
	var kept []string
	dropped := false
	for _, s := range sentences(text) {
		// a sentence right after a dropped one that starts with "They"/"It"/... speaks of
		// what was dropped (the panes): it goes too, or it would be about nothing
		if reScreenOnly.MatchString(s) || dropped && reBackRef.MatchString(s) {
			dropped = true
			continue
		}
		dropped = false
		kept = append(kept, s)
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

// plainRewrite turns the screen's ways of running a command into plain mode's numbered choices
// (lab) or into a command for another terminal (no lab); a sentence still starts with a capital.
func plainRewrite(text string, lab bool) string {
	text = reOrKey.ReplaceAllString(text, "")
	run, choose := "choose it from the numbered list after its step", "choosing $1 from the numbered list"
	runOn := "run $1 (choose it from the numbered list after this step)"
	if !lab {
		run, choose, runOn = "run it in another terminal", "running $1 in another terminal", "run $1 in another terminal"
	}
	text = replaceCapitalised(reMoveAndPress, text, run)
	text = replaceCapitalised(rePressEnterOn, text, runOn)
	return replaceCapitalised(reEnterOn, text, choose)
}

// replaceCapitalised is re.ReplaceAllString whose replacement starts with a capital where the
// match starts a sentence ("Press Enter on the command" -> "Run the command ...").
func replaceCapitalised(re *regexp.Regexp, text, repl string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
		b.WriteString(text[last:m[0]])
		r := string(re.ExpandString(nil, repl, text, m))
		if before := strings.TrimRight(text[:m[0]], " "); before == "" || strings.ContainsAny(before[len(before)-1:], ".!?") {
			r = strings.ToUpper(r[:1]) + r[1:]
		}
		b.WriteString(r)
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String()
}
