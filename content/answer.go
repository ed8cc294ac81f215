package content

import (
	"regexp"
	"strings"
)

// reSlotTwice is a slot whose number was typed again after the template's ("1. 1. disk"), or
// with extra spaces after it ("1.   disk").
var reSlotTwice = regexp.MustCompile(`^(\s*)(\d+)[.)][ \t]+(?:(\d+)[.)][ \t]+)?`)

// CleanSlots tidies a numbered answer as typed over its template: a number typed again after
// the slot's own ("1. 1. disk") is dropped, and one space follows each number. Lines that are
// not slots are left as they are.
func CleanSlots(answer string) string {
	lines := strings.Split(answer, "\n")
	for i, l := range lines {
		m := reSlotTwice.FindStringSubmatchIndex(l)
		if m == nil {
			continue
		}
		indent, num := l[m[2]:m[3]], l[m[4]:m[5]]
		if m[6] >= 0 && l[m[6]:m[7]] != num {
			continue // another number typed on purpose: the learner's own numbering
		}
		lines[i] = indent + num + ". " + l[m[1]:]
	}
	return strings.Join(lines, "\n")
}

// AnswerFrom extracts the learner's answer from an answer fence body: the text after the
// label ("Your answer:"), trimmed; for slots, the numbered lines as written, trimmed.
// A body that is still the empty template gives "".
func (q *Question) AnswerFrom(body string) string {
	if q.Kind == "slots" {
		var filled bool
		for _, l := range strings.Split(body, "\n") {
			t := strings.TrimSpace(l)
			if m := reSlot.FindStringSubmatchIndex(t); m != nil {
				t = strings.TrimSpace(t[m[1]:])
			}
			if t != "" {
				filled = true
				break
			}
		}
		if !filled {
			return ""
		}
		return strings.TrimSpace(body)
	}
	t := strings.TrimSpace(body)
	if hasPrefixFold(t, q.Label) {
		t = t[len(q.Label):]
	}
	return strings.TrimSpace(t)
}

// FenceBody is the answer fence's body with answer written in: the label on its own line
// followed by the answer; for slots, the answer as numbered lines (an answer that does
// not start with "1." is numbered line by line into the slots). An empty answer gives the
// template back unchanged.
func (q *Question) FenceBody(answer string) string {
	answer = strings.TrimSpace(strings.ReplaceAll(strings.ToValidUTF8(answer, "\uFFFD"), "\r\n", "\n"))
	if answer == "" {
		return q.Template
	}
	if q.Kind == "slots" {
		answer = CleanSlots(answer)
		if m := reSlot.FindStringSubmatch(answer); m != nil && m[1] == "1" {
			// the learner's own numbering, kept as typed; missing slots appended
			n := 0
			for _, l := range strings.Split(answer, "\n") {
				if reSlot.MatchString(strings.TrimSpace(l)) {
					n++
				}
			}
			for k := n + 1; k <= q.Slots; k++ {
				answer += "\n\n" + itoa(k) + "."
			}
			return answer
		}
		var items []string
		for _, l := range strings.Split(answer, "\n") {
			if t := strings.TrimSpace(l); t != "" {
				items = append(items, t)
			}
		}
		n := max(q.Slots, len(items))
		var b strings.Builder
		for k := 0; k < n; k++ {
			if k > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(itoa(k + 1))
			b.WriteString(".")
			if k < len(items) {
				b.WriteString(" ")
				b.WriteString(items[k])
			}
		}
		return b.String()
	}
	label := q.Label
	if label == "" {
		label = "Your answer:"
	}
	if hasPrefixFold(answer, label) {
		answer = strings.TrimSpace(answer[len(label):])
	}
	return label + "\n" + answer + "\n"
}

// SlotAnswers splits a slots answer into its numbered items (n of them at least).
func (q *Question) SlotAnswers(answer string) []string {
	var out []string
	cur := -1
	for _, l := range strings.Split(answer, "\n") {
		t := strings.TrimSpace(l)
		if m := reSlot.FindStringSubmatchIndex(t); m != nil {
			out = append(out, strings.TrimSpace(t[m[1]:]))
			cur = len(out) - 1
			continue
		}
		if t == "" {
			continue
		}
		if cur < 0 {
			out = append(out, t)
			cur = 0
			continue
		}
		out[cur] = strings.TrimSpace(out[cur] + " " + t)
	}
	for len(out) < q.Slots {
		out = append(out, "")
	}
	return out
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
