package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"scalelab/content"
	"scalelab/content/termsafe"
	"scalelab/lab"
)

// lintOut receives lint's report (a var so tests can capture it).
var lintOut io.Writer = os.Stdout

// cleanWriter passes on only text without control sequences: lint prints text taken from
// a file (titles, prompts, cells, the file's own name), which must not command the terminal.
type cleanWriter struct{ w io.Writer }

func (c cleanWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(c.w, termsafe.Clean(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// `scalelab lint FILE` checks a scenario the way the workshop will read it, for authors.
func runLint(args []string) error {
	fs := newFlagSet("lint", "lint [FILE] [--json]",
		"Read a scenario markdown FILE as the workshop does and print what it found: each section and\n"+
			"step, every question with its kind (answer, guess, slots) and model answer, the tables (result\n"+
			"tables are \"fillable\"), the task lists and the lab actions its commands run. A file that does not\n"+
			"parse prints the error with its line number and exits 1. Without FILE, the built-in scenario.")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return fmt.Errorf("lint takes one FILE, got %d: scalelab lint path/to/scenario.md", len(rest))
	}
	name, src := content.BuiltinFile, []byte(nil)
	if len(rest) == 1 {
		name = rest[0]
		if src, err = os.ReadFile(name); err != nil {
			return fmt.Errorf("reading the scenario: %s (check the path)", termsafe.Clean(err.Error()))
		}
	} else if src, err = content.Files.ReadFile(name); err != nil {
		return err
	}
	rep := lint(name, src)
	out := cleanWriter{lintOut}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.write(out)
	}
	if !rep.OK {
		return exitError{code: 1}
	}
	return nil
}

// lintReport is what lint found; its JSON form is the --json output.
type lintReport struct {
	File     string        `json:"file"`
	OK       bool          `json:"ok"`
	ID       string        `json:"id,omitempty"`
	Title    string        `json:"title,omitempty"`
	Meta     []lintMeta    `json:"meta,omitempty"`
	Intro    *lintStep     `json:"intro,omitempty"` // questions, tables... before the first section
	Steps    []lintStep    `json:"steps,omitempty"`
	Errors   []lintProblem `json:"errors,omitempty"`
	Warnings []lintProblem `json:"warnings,omitempty"`
	Counts   lintCounts    `json:"counts"`
}

type lintMeta struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type lintProblem struct {
	Line int    `json:"line"`
	Msg  string `json:"message"`
}

type lintCounts struct {
	Sections  int `json:"sections"`
	Steps     int `json:"steps"`
	Questions int `json:"questions"`
	Tables    int `json:"tables"`
	Fillable  int `json:"fillable"`
	Tasks     int `json:"tasks"`
	Actions   int `json:"actions"`
	Images    int `json:"images"`
	Drawn     int `json:"drawn"`
}

type lintStep struct {
	Number    int            `json:"number"`
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Line      int            `json:"line"`
	Questions []lintQuestion `json:"questions,omitempty"`
	Tables    []lintTable    `json:"tables,omitempty"`
	Tasks     []lintTask     `json:"tasks,omitempty"`
	Actions   []lintAction   `json:"actions,omitempty"`
	Images    []lintImage    `json:"images,omitempty"`

	lines []string // the text report, in file order
}

type lintQuestion struct {
	ID         string `json:"id"`
	Number     int    `json:"number"`
	Kind       string `json:"kind"`
	Slots      int    `json:"slots,omitempty"`
	Prompt     string `json:"prompt"`
	Line       int    `json:"line"`
	AnswerLine int    `json:"answer_line"`
	Model      bool   `json:"model_answer"`
	Answered   bool   `json:"answered"`
}

type lintTable struct {
	ID       string   `json:"id"`
	Header   []string `json:"header"`
	Rows     int      `json:"rows"`
	Fillable bool     `json:"fillable"`
	Line     int      `json:"line"`
	When     []string `json:"when,omitempty"` // per row, the lab condition it names ("" for none)
}

type lintTask struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	Tag  string `json:"tag,omitempty"`
	Done bool   `json:"done"`
	Line int    `json:"line"`
}

type lintAction struct {
	Name    string `json:"name"`
	Command string `json:"command"`
	Line    int    `json:"line"`
}

type lintImage struct {
	Src   string `json:"src"`
	Line  int    `json:"line"`
	Drawn bool   `json:"drawn"`
}

func lint(name string, src []byte) *lintReport {
	rep := &lintReport{File: termsafe.Clean(name)}
	if errs := content.Check(name, src); len(errs) > 0 {
		for _, pe := range errs {
			rep.Errors = append(rep.Errors, lintProblem{Line: pe.Line, Msg: pe.Msg})
		}
		return rep
	}
	s, err := content.Parse(name, src)
	if err != nil { // Check found nothing, so this cannot happen; report it all the same
		rep.Errors = append(rep.Errors, lintProblem{Line: 1, Msg: err.Error()})
		return rep
	}
	if errs := checkLab(s); len(errs) > 0 {
		rep.Errors = errs
		return rep
	}
	rep.OK, rep.ID, rep.Title = true, s.ID, s.Title
	for _, m := range s.Meta {
		rep.Meta = append(rep.Meta, lintMeta{m.Key, m.Value})
	}
	c := &rep.Counts
	c.Sections = len(s.Steps)
	if c.Sections == 0 {
		rep.OK = false
		rep.Errors = append(rep.Errors, lintProblem{titleLine(s), "no `## ` sections: the workshop has nothing to show and `scalelab open` refuses the file; add sections under the `# Title`, e.g. `## Step 1 — ...`"})
		return rep
	}
	lastQ := 0
	// The intro (between the title and the first section) is shown by the reader too.
	intro := lintStep{ID: "intro", Title: "(before the first section)", Line: titleLine(s)}
	rep.blocks(&intro, s.Intro, &lastQ)
	if intro.Questions != nil || intro.Tables != nil || intro.Tasks != nil || intro.Actions != nil || intro.Images != nil {
		rep.Intro = &intro
	}
	for _, st := range s.Steps {
		ls := lintStep{Number: st.Number, ID: st.ID, Title: st.Title, Line: st.Line}
		if st.Number > 0 {
			c.Steps++
		}
		rep.blocks(&ls, st.Blocks, &lastQ)
		rep.Steps = append(rep.Steps, ls)
	}
	return rep
}

// checkLab checks the scenario against its lab (the one `**Lab:**` names, or the default): a
// lab this build has, each command block naming one of its actions, each Stuck? `when:`
// naming one of its conditions. Each problem is at its line.
func checkLab(s *content.Scenario) []lintProblem {
	l, err := scenarioLab(s)
	if err != nil {
		line := s.LabLine
		if line == 0 {
			line = titleLine(s)
		}
		return []lintProblem{{line, err.Error()}}
	}
	var errs []lintProblem
	for _, a := range s.Actions() {
		if _, ok := lab.FindAction(l, a.Name); !ok {
			errs = append(errs, lintProblem{a.Line, fmt.Sprintf("`%s` runs %q, which the %s lab does not have: use one of %s",
				clipText(a.Command, 40), a.Name, l.Name(), strings.Join(actionNames(l), ", "))})
		}
	}
	for _, pe := range content.CheckHints(s, l.Conditions()) {
		errs = append(errs, lintProblem{Line: pe.Line, Msg: pe.Msg})
	}
	slices.SortStableFunc(errs, func(a, b lintProblem) int { return a.Line - b.Line })
	return errs
}

// actionNames are the names a command block may give the lab's actions, aliases included.
func actionNames(l lab.Lab) []string {
	var out []string
	for _, a := range l.Actions() {
		out = append(out, a.Name)
		out = append(out, a.Aliases...)
	}
	return out
}

// titleLine is the line of the `# ` title (1 when there is none).
func titleLine(s *content.Scenario) int {
	for i, l := range s.Lines {
		if strings.HasPrefix(l, "# ") {
			return i + 1
		}
	}
	return 1
}

// blocks reports one section's blocks (or the intro's) into ls and the counts; lastQ is the
// number of the question before, for the numbering warning.
func (rep *lintReport) blocks(ls *lintStep, blocks []content.Block, lastQ *int) {
	c := &rep.Counts
	for _, b := range blocks {
		switch b.Kind {
		case content.QuestionBlock:
			q := b.Question
			ls.Questions = append(ls.Questions, lintQuestion{ID: q.ID, Number: q.Number, Kind: q.Kind, Slots: q.Slots,
				Prompt: q.Prompt, Line: q.Line, AnswerLine: q.AnswerLine, Model: q.Model != "", Answered: q.Answer != ""})
			if q.Number != *lastQ+1 {
				rep.Warnings = append(rep.Warnings, lintProblem{q.Line, fmt.Sprintf("%s follows Q%d: questions are usually numbered 1, 2, 3...", q.ID, *lastQ)})
			}
			*lastQ = q.Number
			c.Questions++
			kind, model := q.Kind, ""
			if q.Kind == "slots" {
				kind = fmt.Sprintf("slots(%d)", q.Slots)
			}
			if q.Model != "" {
				model = " +model"
			}
			ls.lines = append(ls.lines, fmt.Sprintf("  %-4s %-9s %-44s L%d%s", q.ID, kind, clipText(q.Prompt, 44), q.Line, model))
		case content.TableBlock:
			t := b.Table
			ls.Tables = append(ls.Tables, lintTable{ID: t.ID, Header: t.Header, Rows: len(t.Rows), Fillable: t.Fillable, Line: t.Line, When: t.When})
			c.Tables++
			kind := "table"
			if t.Fillable {
				c.Fillable++
				kind = "fillable"
			}
			ls.lines = append(ls.lines, fmt.Sprintf("  %-8s %-24s %d×%d %-20s L%d", kind, clipText(t.ID, 24), len(t.Rows), len(t.Header), clipText(strings.Join(t.Header, "|"), 20), t.Line))
			for r, w := range t.When {
				if w != "" && r < len(t.Rows) {
					ls.lines = append(ls.lines, fmt.Sprintf("  hint     %-22s %-36s L%d", clipText(w, 22), clipText(t.Rows[r][0], 36), t.Line+2+r))
				}
			}
		case content.TaskBlock:
			for _, t := range b.Tasks {
				ls.Tasks = append(ls.Tasks, lintTask{ID: t.ID, Text: t.Text, Tag: t.Tag, Done: t.Done, Line: t.Line})
				c.Tasks++
				box, tag := "[ ]", ""
				if t.Done {
					box = "[x]"
				}
				if t.Tag != "" {
					tag = " #" + t.Tag
				}
				ls.lines = append(ls.lines, fmt.Sprintf("  task %s %-12s %-30s L%d%s", box, t.ID, clipText(t.Text, 30), t.Line, tag))
			}
		case content.CommandBlock:
			ls.Actions = append(ls.Actions, lintAction{Name: b.Action.Name, Command: b.Action.Command, Line: b.Action.Line})
			c.Actions++
			ls.lines = append(ls.lines, fmt.Sprintf("  action   %-14s %-36s L%d", b.Action.Name, clipText(b.Action.Command, 36), b.Action.Line))
		case content.ImageBlock:
			ls.Images = append(ls.Images, lintImage{Src: b.Image.Src, Line: b.Line, Drawn: b.Image.Asset != ""})
			c.Images++
			drawn := "no diagram"
			if b.Image.Asset != "" {
				drawn = "diagram"
			}
			ls.lines = append(ls.lines, fmt.Sprintf("  image    %-40s %-10s L%d", clipText(b.Image.Src, 40), drawn, b.Line))
			if b.Image.Asset != "" {
				c.Drawn++
			} else {
				rep.Warnings = append(rep.Warnings, lintProblem{b.Line, fmt.Sprintf("image %s has no terminal diagram: add assets/<same base name>.txt or the workshop shows only its alt text", b.Image.Src)})
			}
		}
	}
}

func (r *lintReport) write(w io.Writer) {
	if !r.OK {
		for _, e := range r.Errors {
			fmt.Fprintf(w, "%s:%d: error: %s\n", r.File, e.Line, e.Msg)
		}
		fmt.Fprintf(w, "%s: %d problem(s); fix them from the first and run `scalelab lint %s` again\n", r.File, len(r.Errors), r.File)
		return
	}
	fmt.Fprintf(w, "%s\n  title: %s\n  id: %s\n", r.File, r.Title, r.ID)
	for _, m := range r.Meta {
		fmt.Fprintf(w, "  %s: %s\n", m.Key, m.Value)
	}
	steps := r.Steps
	if r.Intro != nil {
		steps = append([]lintStep{*r.Intro}, steps...)
	}
	for i, st := range steps {
		kind := "section"
		if i == 0 && r.Intro != nil {
			kind = "intro"
		}
		if st.Number > 0 {
			kind = fmt.Sprintf("step %d", st.Number)
		}
		fmt.Fprintf(w, "\n%-9s %-56s L%d\n", kind, clipText(st.Title, 56), st.Line)
		for _, l := range st.lines {
			fmt.Fprintln(w, l)
		}
	}
	c := r.Counts
	fmt.Fprintf(w, "\n%d sections (%d steps), %d questions, %d tables (%d fillable),\n%d tasks, %d actions, %d images (%d drawn)\n",
		c.Sections, c.Steps, c.Questions, c.Tables, c.Fillable, c.Tasks, c.Actions, c.Images, c.Drawn)
	for _, p := range r.Warnings {
		fmt.Fprintf(w, "%s:%d: warning: %s\n", r.File, p.Line, p.Msg)
	}
	fmt.Fprintln(w, "ok")
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
