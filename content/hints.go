package content

import (
	"fmt"
	"strings"
)

// CheckHints reports every table row whose `<!-- when: NAME -->` names a condition not in
// known (the conditions the workshop's labs can report), with the row's line. It is nil when
// every row names a known condition. content knows no lab, so the caller passes the list.
func CheckHints(s *Scenario, known []string) []*ParseError {
	ok := make(map[string]bool, len(known))
	for _, k := range known {
		ok[k] = true
	}
	var errs []*ParseError
	for _, t := range s.Tables() {
		for r, w := range t.When {
			if w == "" || ok[w] {
				continue
			}
			problem := ""
			if r < len(t.Rows) && len(t.Rows[r]) > 0 {
				problem = fmt.Sprintf(" (%q)", clip(t.Rows[r][0]))
			}
			names := "none"
			if len(known) > 0 {
				names = strings.Join(known, ", ")
			}
			errs = append(errs, &ParseError{Line: t.Line + 2 + r,
				Msg: fmt.Sprintf("row%s names the condition %q, which the lab does not know: use one of %s", problem, clip(w), names)})
		}
	}
	return errs
}
